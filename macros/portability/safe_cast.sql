{#-
    safe_cast(expr, type): the value as `type`, or NULL when it cannot be converted.
    DuckDB and Spark have try_cast. PostgreSQL has none, so its version validates the text
    with a regex first; it supports the types staging needs (integers, decimals, double,
    date, timestamp, boolean) and fails loudly for any other.
-#}
{% macro safe_cast(expr, type) -%}
    {{ return(adapter.dispatch('safe_cast', 'order_truth')(expr, type)) }}
{%- endmacro %}

{% macro default__safe_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro postgres__safe_cast(expr, type) -%}
    {%- set t = type | lower | trim -%}
    {%- set txt = "trim(cast(" ~ expr ~ " as text))" -%}
    {%- if t in ('text', 'varchar') or t.startswith('character varying') or t.startswith('varchar(') -%}
        {#- every value converts to text: dbt's own unit-test fixtures rely on this -#}
        {{ return("cast(" ~ expr ~ " as " ~ type ~ ")") }}
    {%- elif t in ('int', 'integer', 'bigint', 'smallint') -%}
        {%- set pattern = '^[-+]?[0-9]{1,18}$' -%}
    {%- elif t.startswith('decimal') or t.startswith('numeric') or t in ('double', 'double precision', 'float', 'real') -%}
        {%- set pattern = '^[-+]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][-+]?[0-9]+)?$' -%}
    {%- elif t == 'date' -%}
        {%- set pattern = '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' -%}
    {%- elif t.startswith('timestamp') -%}
        {%- set pattern = '^[0-9]{4}-[0-9]{2}-[0-9]{2}([ T][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?([-+][0-9]{2}(:?[0-9]{2})?|Z)?$' -%}
    {%- elif t in ('boolean', 'bool') -%}
        {%- set pattern = '^(true|false|t|f|yes|no|y|n|1|0)$' -%}
    {%- else -%}
        {{ exceptions.raise_compiler_error("postgres safe_cast does not support type " ~ type) }}
    {%- endif -%}
    case
        when {{ txt }} ~* '{{ pattern }}'
            {%- if t == 'date' %} and {{ order_truth.postgres__valid_date(txt) }}{% endif %}
            then cast({{ txt }} as {{ type }})
    end
{%- endmacro %}

{% macro postgres__valid_date(txt) -%}
    substr({{ txt }}, 6, 2)::int between 1 and 12
    and substr({{ txt }}, 9, 2)::int between 1 and 31
    and to_char(to_date({{ txt }}, 'YYYY-MM-DD'), 'YYYY-MM-DD') = {{ txt }}
{%- endmacro %}
