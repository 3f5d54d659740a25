{#- The crop_version marts.coins uses: var('crop_version'), else the newest in raw.crops
    (by creation time). Returned as a SQL scalar expression. -#}
{% macro current_crop_version() -%}
    {%- if var('crop_version') is not none -%}
        '{{ var("crop_version") }}'::varchar
    {%- else -%}
        (select crop_version from {{ ref('stg_crops') }}
         group by crop_version order by max(created_at) desc, crop_version desc limit 1)
    {%- endif -%}
{%- endmacro %}
