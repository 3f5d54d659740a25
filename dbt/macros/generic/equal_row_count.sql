{#- Row-count equality between two relations: fails with one row (both counts) when they differ.
    count_expr / compare_count_expr default to count(*), e.g. 'count(distinct coin_id)'. -#}
{% test equal_row_count(model, compare_model, count_expr='count(*)', compare_count_expr='count(*)', compare_where=none) %}
with here as (select {{ count_expr }} as n from {{ model }}),
     there as (select {{ compare_count_expr }} as n from {{ compare_model }}
               {% if compare_where %} where {{ compare_where }} {% endif %})
select here.n as rows_here, there.n as rows_there
from here, there
where here.n is distinct from there.n
{% endtest %}
