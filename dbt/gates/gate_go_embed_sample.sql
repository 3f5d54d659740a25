-- gate_go: the dry-run embedding of a sample (meta.embed_sample) exists, every vector has the
-- encoder's dimension (one dimension per encoder), a unit norm and no NaN/Inf/NULL element.
{{ config(tags=['gate_go']) }}
{% if nummus_relation_exists('meta', 'embed_sample') or not execute %}
with s as (
    select coin_id, side, encoder_id::varchar as encoder_id, vector,
           len(vector) as dim,
           list_bool_or(list_transform(vector, x -> x is null or isnan(x::double) or isinf(x::double))) as bad_value,
           sqrt(list_sum(list_transform(vector, x -> x::double * x::double))) as norm,
           case when json_valid(encoder_id::varchar)
                then try_cast(json_extract_string(encoder_id::varchar, '$.dim') as integer) end as declared_dim
    from {{ source('meta', 'embed_sample') }}
), dims as (
    select encoder_id, mode(dim) as dim from s group by encoder_id
)
select 'empty: no dry-run embedding (run the embed dry run)' as problem, null::bigint as coin_id, null::varchar as side
where not exists (select 1 from s)
union all
select 'NaN, Inf or NULL in vector', coin_id, side from s where coalesce(bad_value, true)
union all
select 'norm ' || round(norm, 4) || ' outside [{{ var("norm_min") }}, {{ var("norm_max") }}]', coin_id, side
from s where not coalesce(bad_value, true) and (norm < {{ var('norm_min') }} or norm > {{ var('norm_max') }})
union all
select 'dimension ' || s.dim || ' differs from ' || coalesce(s.declared_dim, d.dim), s.coin_id, s.side
from s join dims as d using (encoder_id)
where s.dim <> coalesce(s.declared_dim, d.dim) or s.dim = 0
{% else %}
select 'no dry-run embedding: meta.embed_sample missing (run the embed dry run)' as problem
{% endif %}
