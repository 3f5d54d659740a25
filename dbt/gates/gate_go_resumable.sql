-- gate_go: embedding is resumable — the latest dry run (nummus embed --sample) stopped a run
-- between its chunks, reran it, and got vectors bit-identical to the uninterrupted run.
{{ config(tags=['gate_go']) }}
{% if nummus_relation_exists('meta', 'embed_resume_check') or not execute %}
with latest as (
    select * from {{ source('meta', 'embed_resume_check') }} order by checked_at desc limit 1
)
select 'no resume check recorded (run the embed dry run)' as problem, null::varchar as source
where not exists (select 1 from latest)
union all
select 'a resumed embedding run differs from an uninterrupted one', source from latest where not identical
{% else %}
select 'no resume check: meta.embed_resume_check missing (run the embed dry run)' as problem, null::varchar as source
{% endif %}
