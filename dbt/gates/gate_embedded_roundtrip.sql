-- gate_embedded: at least roundtrip_min_coins known coins of the index version were re-embedded
-- (meta.embed_roundtrip) and every one has cosine > roundtrip_min_cosine to its stored vector.
{{ config(tags=['gate_embedded']) }}
{% set v = nummus_index_version() %}
{% if execute and not nummus_relation_exists('meta', 'embed_roundtrip') %}
select 'no round-trip check: meta.embed_roundtrip missing' as problem, null::bigint as coin_id, null::double as cosine
{% else %}
with r as (
    select * from {{ source('meta', 'embed_roundtrip') }} where index_version = {{ v }}
)
select 'only ' || (select count(distinct coin_id) from r) || ' coins re-embedded for index_v{{ v }} (need {{ var("roundtrip_min_coins") }})'
       as problem, null::bigint as coin_id, null::double as cosine
where (select count(distinct coin_id) from r) < {{ var('roundtrip_min_coins') }}
union all
select 'cosine at or below {{ var("roundtrip_min_cosine") }} (or NaN)', coin_id, cosine
from r where not (cosine > {{ var('roundtrip_min_cosine') }}) or isnan(cosine) or cosine is null
{% endif %}
