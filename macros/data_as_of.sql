{#-
    The moment the data describes ("as of"): --vars '{as_of: "2026-11-01 00:00:00"}' when
    given (order-truth build passes the generator's cut-off), else the latest arrival in
    the carrier feed. Staleness and "still open" are judged against it, never against the
    wall clock, so rebuilding old data gives the same answer.
-#}
{% macro data_as_of() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        (select max(loaded_at) from {{ ref('stg_carrier__tracking_events') }})
    {%- endif -%}
{%- endmacro %}
