{#- Share of rows whose column is present (not null, not one of missing_values) must be at least
    min_share. An empty relation fails: a share of nothing proves nothing. -#}
{% test share_not_null(model, column_name, min_share, missing_values=[]) %}
with counts as (
    select count(*) as total,
           count(*) filter (where {{ column_name }} is not null
               {%- if missing_values %} and {{ column_name }}::varchar not in (
                   {%- for v in missing_values %}'{{ v }}'{{ "," if not loop.last }}{% endfor %}){% endif %}) as present
    from {{ model }}
)
select '{{ column_name }}' as column_name, total, present,
       round(present::double / nullif(total, 0), 4) as share, {{ min_share }} as min_share
from counts
where total = 0 or present::double / total < {{ min_share }}
{% endtest %}
