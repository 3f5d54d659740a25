-- Vision output (obverse/reverse crops), renamed and typed; one row per coin and crop_version.
select
    coin_id::bigint           as coin_id,
    crop_version::varchar     as crop_version,
    image_sha256::varchar     as image_sha256,
    layout::varchar           as layout,
    side_rule::varchar        as side_rule,
    obv_key::varchar          as obv_key,
    rev_key::varchar          as rev_key,
    obv_small_key::varchar    as obv_small_key,
    rev_small_key::varchar    as rev_small_key,
    obv_flags::varchar[]      as obv_flags,
    rev_flags::varchar[]      as rev_flags,
    status::varchar           as crop_status,
    reasons::varchar[]        as crop_reasons,
    confidence::double        as crop_confidence,
    created_at::timestamp     as created_at
from {{ source('raw', 'crops') }}
