{#-
    The moment the data describes ("as of"): --vars '{as_of: "2026-11-01 00:00:00"}' when
    given, else the latest arrival in any of the busiest feeds (carrier scans, sync
    attempts, order webhooks), computed once by int_feed_arrivals_summarized: the
    warehouse knows nothing newer than that. Staleness and "still open" are judged against it, never against the
    wall clock, so rebuilding old data gives the same answer.
-#}
{% macro data_as_of() -%}
    {%- if var('as_of', none) -%}
        cast('{{ var("as_of") }}' as timestamp)
    {%- else -%}
        (select data_as_of from {{ ref('int_feed_arrivals_summarized') }})
    {%- endif -%}
{%- endmacro %}
