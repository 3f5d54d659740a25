-- Bad input of every step, with its reason.
select
    id::bigint           as quarantine_id,
    stage::varchar       as stage,
    house::varchar       as house,
    sale::varchar        as sale,
    lot::varchar         as lot,
    coin_id::bigint      as coin_id,
    ref::varchar         as ref,
    reason::varchar      as reason,
    detail::varchar      as detail,
    created_at::timestamp as created_at
from {{ source('raw', 'quarantine') }}
