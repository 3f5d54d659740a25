-- gate_embedded (PostgreSQL + DuckDB): the sealed index version holds exactly one vector per
-- embeddable row of the freeze it was built from (index_versions.freeze_id ->
-- frozen.coins_<freeze_id>; red crops are never embedded), norms within [norm_min, norm_max],
-- no NaN/Inf. A merged version (index_vN ∪ delta) also holds the delta's coins: for it the
-- freeze must be covered and every extra vector must belong to a coin PostgreSQL knows.
{{ config(tags=['gate_embedded']) }}
{% set v = nummus_index_version() %}
{% set freeze_id = nummus_index_freeze_id(v) if v else '' %}
{% set frozen = 'coins_' ~ (freeze_id | replace('coins_', '')) %}
{% set merged = (nummus_index_parent(v) | int) > 0 if v else false %}
{% if v == 0 %}
select 'no index version in PostgreSQL (run nummus embed)' as problem, null::bigint as coin_id
{% elif execute and not nummus_relation_exists('frozen', frozen) %}
select 'index_v{{ v }} was built from freeze {{ freeze_id }} but frozen.{{ frozen }} does not exist' as problem,
       null::bigint as coin_id
{% else %}
with vec as (
    select * from {{ pg_query('select coin_id from index_v' ~ v) }}
), frozen as (
    select coin_id from frozen.{{ frozen if execute else 'coins_v0' }}
    where crop_status in ('green', 'yellow')
), known as (
    select * from {{ pg_query('select coin_id from coins') }}
)
select 'vector count ' || (select count(*) from vec) || ' <> frozen row count ' || (select count(*) from frozen)
       as problem, null::bigint as coin_id
where (select count(*) from vec) <> (select count(*) from frozen) and not {{ merged }}
union all
select 'frozen coin without a vector', f.coin_id from frozen as f anti join vec using (coin_id)
union all
select 'vector of a coin not in the freeze', v.coin_id from vec as v anti join frozen using (coin_id)
where not {{ merged }}
union all
select 'vector of an unknown coin', v.coin_id from vec as v anti join known using (coin_id)
union all
select problem, coin_id from {{ pg_query(nummus_pg_bad_norms(nummus_pg_vectors(v, with_delta=false))) }}
{% endif %}
