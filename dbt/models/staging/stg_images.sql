-- Downloaded lot photos, renamed and typed.
select
    coin_id::bigint        as coin_id,
    house::varchar         as house,
    sale::varchar          as sale,
    lot::varchar           as lot,
    n::integer             as image_n,
    url::varchar           as image_url,
    sha256::varchar        as image_sha256,
    object_key::varchar    as object_key,
    lower(format)::varchar as image_format,
    width::integer         as width,
    height::integer        as height,
    bytes::bigint          as bytes,
    fetched_at::timestamp  as fetched_at
from {{ source('raw', 'images') }}
