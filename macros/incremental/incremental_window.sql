{#-
    Incremental builds re-read everything that arrived within `incremental_lookback_hours`
    of the newest arrival already in the model (its high-water mark), so events that
    arrive late, and entities whose later records change an earlier row, are rebuilt.
    The models then rebuild every affected key from all of that key's rows, so the result
    equals a full refresh (tests/python/test_incremental.py proves it table by table).
-#}
{% macro incremental_cutoff(column='loaded_at') -%}
    (select {{ dbt.dateadd(
        'hour', '-' ~ var('incremental_lookback_hours'), 'max(' ~ column ~ ')'
    ) }} from {{ this }})
{%- endmacro %}
