-- gate_clean (PostgreSQL): in the newest index version (index_vN with its delta), one vector row
-- per coin (no duplicates, no orphans either way), the vector count equals the coin count, and
-- every norm lies within [norm_min, norm_max] with no NaN/Inf.
{{ config(tags=['gate_clean']) }}
{% set v = nummus_index_version() %}
{% if v == 0 %}
select 'no index version in PostgreSQL (run nummus embed)' as problem, null::bigint as coin_id
{% else %}
{% set vectors = nummus_pg_vectors(v) %}
select problem, coin_id from {{ pg_query("
    with vec as (" ~ vectors ~ ")
    select 'duplicate coin_id in index_v" ~ v ~ " + delta' as problem, coin_id from vec group by coin_id having count(*) > 1
    union all
    select 'vector without a coins row', v.coin_id from vec v where not exists (select 1 from coins c where c.coin_id = v.coin_id)
    union all
    select 'coin without a vector', c.coin_id from coins c where not exists (select 1 from vec v where v.coin_id = c.coin_id)
    union all
    select 'vector count ' || (select count(*) from vec) || ' <> coin count ' || (select count(*) from coins), null::bigint
    where (select count(*) from vec) <> (select count(*) from coins)
    union all
    " ~ nummus_pg_bad_norms('select * from vec')) }}
{% endif %}
