-- gate_freeze: every freeze recorded in meta.freezes has its manifest fields (row count, coin_id
-- range, content hash) and its frozen table still holds that many rows in that range.
{{ config(tags=['gate_freeze']) }}
-- depends_on: {{ source('meta', 'freezes') }}
{% set freezes = nummus_rows("select version from meta.freezes order by version")
                 if nummus_relation_exists('meta', 'freezes') else [] %}
select null::varchar as version, null::varchar as problem where false
{% for f in freezes %}
union all
select m.version, 'manifest record incomplete or frozen table differs' as problem
from {{ source('meta', 'freezes') }} as m,
     (select count(*) as n, min(coin_id) as lo, max(coin_id) as hi from frozen.coins_{{ f[0] }}) as t
where m.version = '{{ f[0] }}'
  and (m.row_count is null or m.min_coin_id is null or m.max_coin_id is null or m.content_sha256 is null
       or m.row_count <> t.n or m.min_coin_id is distinct from t.lo or m.max_coin_id is distinct from t.hi)
{% endfor %}
