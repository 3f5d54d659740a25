-- Every lot snapshot, renamed and typed; is_latest_version marks the newest per natural key.
select
    coin_id::bigint            as coin_id,
    house::varchar             as house,
    sale::varchar              as sale,
    lot::varchar               as lot,
    version::integer           as lot_version,
    lot_url::varchar           as lot_url,
    title::varchar             as title,
    description::varchar       as description,
    estimate_low::double       as estimate_low,
    estimate_high::double      as estimate_high,
    price::double              as price,
    price_kind::varchar        as price_kind,
    upper(currency)::varchar   as currency,
    closing_date::date         as closing_date,
    image_urls::varchar[]      as image_urls,
    lot_status::varchar        as lot_status,
    page_key::varchar          as page_key,
    content_sha256::varchar    as content_sha256,
    source::varchar            as source,
    fetched_at::timestamp      as fetched_at,
    row_number() over (partition by house, sale, lot order by version desc) = 1 as is_latest_version
from {{ source('raw', 'lots') }}
