{#- Non-null values must lie within [min_value, max_value] (either bound optional); NaN and
    infinities always fail. Failing rows are returned whole, so their keys show. -#}
{% test values_in_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null
  and (
    isnan({{ column_name }}::double) or isinf({{ column_name }}::double)
    {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
  )
{% endtest %}
