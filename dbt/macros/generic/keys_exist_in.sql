{#- Every non-null key of this column exists in `to`.`field` (like relationships, written here). -#}
{% test keys_exist_in(model, column_name, to, field) %}
select a.*
from (select * from {{ model }}) as a
where a.{{ column_name }} is not null
  and not exists (select 1 from {{ to }} as b where b.{{ field }} = a.{{ column_name }})
{% endtest %}
