{#- Helpers for the gates that read the vectors where they live: PostgreSQL, attached as `pg`
    by the `with_postgres` profile target. DuckDB cannot read pgvector types, so norms, NaN
    checks and counts run inside PostgreSQL through postgres_query('pg', ...). -#}

{#- Run a query in DuckDB at execution time and return its rows (empty list while parsing). -#}
{% macro nummus_rows(sql) %}
    {%- if not execute -%}{{ return([]) }}{%- endif -%}
    {%- set result = run_query(sql) -%}
    {{ return(result.rows | list) }}
{% endmacro %}

{#- The index version under test: var('index_version'), else the newest in index_versions
    (0 when there is none). -#}
{% macro nummus_index_version() %}
    {%- if var('index_version') is not none -%}{{ return(var('index_version') | int) }}{%- endif -%}
    {%- set rows = nummus_rows("select * from postgres_query('pg', 'select coalesce(max(version), 0) from index_versions')") -%}
    {{ return((rows[0][0] | int) if rows else 0) }}
{% endmacro %}

{#- index_versions.freeze_id of that version ('' when unknown). -#}
{% macro nummus_index_freeze_id(version) %}
    {%- set rows = nummus_rows("select * from postgres_query('pg', 'select freeze_id from index_versions where version = " ~ (version | int) ~ "')") -%}
    {{ return(rows[0][0] if rows else '') }}
{% endmacro %}

{#- The version an index version was merged from (0 for one built from a freeze). -#}
{% macro nummus_index_parent(version) %}
    {%- set rows = nummus_rows("select * from postgres_query('pg', 'select coalesce(parent_version, 0) from index_versions where version = " ~ (version | int) ~ "')") -%}
    {{ return(rows[0][0] if rows else 0) }}
{% endmacro %}

{#- PostgreSQL SQL selecting the vectors of an index version: index_vN, with delta_vN+1 when asked. -#}
{% macro nummus_pg_vectors(version, with_delta=true) -%}
    select coin_id, obv, rev, pair from index_v{{ version | int }}
    {%- if with_delta %} union all select coin_id, obv, rev, pair from delta_v{{ (version | int) + 1 }}{% endif %}
{%- endmacro %}

{#- PostgreSQL SQL (a plain SELECT, usable in a UNION): one row per vector whose norm is
    outside [norm_min, norm_max], NaN or infinite; vectors_sql selects coin_id, obv, rev, pair. -#}
{% macro nummus_pg_bad_norms(vectors_sql) -%}
    select case when n = 'NaN'::float8 or n in ('Infinity'::float8, '-Infinity'::float8)
                then 'NaN or infinite norm (' || side || ')'
                else 'norm ' || round(n::numeric, 4) || ' outside [{{ var("norm_min") }}, {{ var("norm_max") }}] (' || side || ')' end as problem,
           coin_id
    from (
        select coin_id, 'obv' as side, vector_norm(obv::vector) as n from ({{ vectors_sql }}) v1
        union all select coin_id, 'rev', vector_norm(rev::vector) from ({{ vectors_sql }}) v2
        union all select coin_id, 'pair', vector_norm(pair::vector) from ({{ vectors_sql }}) v3
    ) as norms
    where n = 'NaN'::float8 or n in ('Infinity'::float8, '-Infinity'::float8)
       or n < {{ var('norm_min') }} or n > {{ var('norm_max') }}
{%- endmacro %}

{#- DuckDB SQL reading a PostgreSQL query's rows (dollar-quoted, so the PostgreSQL text may hold quotes). -#}
{% macro pg_query(sql) -%}
    postgres_query('pg', $nummus${{ sql }}$nummus$)
{%- endmacro %}

{#- True when a DuckDB relation exists (checked at execution time). -#}
{% macro nummus_relation_exists(schema, name) %}
    {%- set rows = nummus_rows("select 1 from information_schema.tables where table_schema = '" ~ schema ~ "' and table_name = '" ~ name ~ "'") -%}
    {{ return(rows | length > 0) }}
{% endmacro %}
