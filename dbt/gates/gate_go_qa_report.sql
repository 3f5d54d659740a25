-- gate_go: a QA report was produced for the coins as they are now (same row count).
{{ config(tags=['gate_go']) }}
{% if nummus_relation_exists('meta', 'qa_reports') or not execute %}
with latest as (
    select * from {{ source('meta', 'qa_reports') }} order by created_at desc limit 1
), current_coins as (select count(*) as n from {{ ref('coins') }})
select 'no QA report for the current coins (run nummus qa-report)' as problem,
       latest.coins as report_coins, current_coins.n as current_coins
from current_coins left join latest on true
where latest.coins is distinct from current_coins.n
{% else %}
select 'no QA report yet: meta.qa_reports missing (run nummus qa-report)' as problem
{% endif %}
