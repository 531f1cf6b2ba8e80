{#-
    Incremental builds re-read everything that arrived within `incremental_lookback_hours`
    of the newest arrival already in the model (its high-water mark), so events that
    arrive late, and entities whose later records change an earlier row, are rebuilt.
    The models then rebuild every affected key from all of that key's rows, so the result
    equals a full refresh (tests/python/test_incremental.py proves it table by table).
-#}
{#- An empty model has no high-water mark: then everything is "in the window". -#}
{% macro incremental_cutoff(column='loaded_at') -%}
    (select coalesce({{ dbt.dateadd(
        'hour', '-' ~ var('incremental_lookback_hours'), 'max(' ~ column ~ ')'
    ) }}, cast('1900-01-01' as timestamp)) from {{ this }})
{%- endmacro %}
