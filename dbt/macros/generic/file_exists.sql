{#- Every non-null object key in this column is present in the object store listing
    (raw.objects, refreshed from the store by `nummus build` before dbt runs). -#}
{% test file_exists(model, column_name, listing=none) %}
select a.*
from (select * from {{ model }}) as a
where a.{{ column_name }} is not null
  and not exists (
      select 1 from {{ listing if listing is not none else ref('stg_objects') }} as o
      where o.object_key = a.{{ column_name }})
{% endtest %}
