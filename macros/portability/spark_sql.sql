{#-
    Spark spells two types differently: it has no unbounded `varchar` and no `text`
    (both are `string`), and no `float8` (`double`). The models are written in the
    type names DuckDB and PostgreSQL share; on Spark, and only there, the SQL dbt is
    about to run (tables, views, tests, contract checks) gets those type names swapped
    for Spark's, here in one place, instead of a dispatched type macro in every cast.
    The rewrite touches only a type name right after `as`: `as varchar` not followed
    by a length, `as text`, `as float8`.
-#}
{% macro spark_type_names(sql) -%}
    {%- set re = modules.re -%}
    {%- set sql = re.sub('(?i)\\bas\\s+(varchar|text)\\b(?!\\s*\\()', 'as string', sql) -%}
    {%- set sql = re.sub('(?i)\\bas\\s+float8\\b', 'as double', sql) -%}
    {{- return(sql) -}}
{%- endmacro %}

{% macro spark__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- if language == 'sql' -%}
        {%- set compiled_code = order_truth.spark_type_names(compiled_code) -%}
    {%- endif -%}
    {{ return(dbt.spark__create_table_as(temporary, relation, compiled_code, language)) }}
{%- endmacro %}

{% macro spark__create_view_as(relation, sql) -%}
    {{ return(dbt.spark__create_view_as(relation, order_truth.spark_type_names(sql))) }}
{%- endmacro %}

{% macro spark__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    {{ return(dbt.default__get_test_sql(
        order_truth.spark_type_names(main_sql), fail_calc, warn_if, error_if, limit)) }}
{%- endmacro %}

{% macro spark__get_empty_subquery_sql(select_sql, select_sql_header=none) -%}
    {{ return(dbt.default__get_empty_subquery_sql(
        order_truth.spark_type_names(select_sql), select_sql_header)) }}
{%- endmacro %}

{#- Contract checks cast NULL to each column's declared type: Spark's names here too. -#}
{% macro spark__cast(field, type) -%}
    {{ return(order_truth.spark_type_names('cast(' ~ field ~ ' as ' ~ type ~ ')')) }}
{%- endmacro %}

{#- One declared type (a seed's column_types, a contract's data_type) in Spark's name. -#}
{% macro spark_type_name(type) -%}
    {{- return(order_truth.spark_type_names('as ' ~ type)[3:]) -}}
{%- endmacro %}

{#-
    Seeds: dbt-spark's session mode pastes seed values into the SQL unescaped, so a
    holiday called "New Year's Day" broke the insert. Write the literals ourselves,
    escaped, and declare the seed's column types in Spark's names.
-#}
{% macro spark__create_csv_table(model, agate_table) -%}
    {%- set overrides = model['config'].get('column_types', {}) -%}
    {%- set spark_overrides = {} -%}
    {%- for name, type in overrides.items() -%}
        {%- do spark_overrides.update({name: order_truth.spark_type_name(type)}) -%}
    {%- endfor -%}
    {%- do model['config'].update({'column_types': spark_overrides}) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{%- endmacro %}

{% macro spark_literal(value) -%}
    {%- if value is none -%}
        {{- return('null') -}}
    {%- endif -%}
    {%- set text = (value | string) | replace('\\', '\\\\') | replace("'", "\\'") -%}
    {{- return("'" ~ text ~ "'") -}}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set overrides = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = order_truth.spark_type_name(
                        overrides.get(col_name, inferred)) -%}
                    cast({{ order_truth.spark_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0]) }}
{%- endmacro %}
