{#-
    For the incremental run of a "first arrival wins" staging model (delete+insert on
    `key_columns`): true when the key of the row `row_alias` already has a stored row
    that must stay as it is, so the row is left out of the run. That is the case when

      - the stored row arrived before the lookback window: it is the key's first arrival
        (everything before the window was loaded by an earlier run), which is the row a
        full refresh keeps too;
      - a key column is NULL: delete+insert matches keys with `=`, so it never replaces a
        NULL-keyed row, and inserting the key again would duplicate it.

    Keys first seen in the window are ranked from the window's rows alone: all of their
    rows are there. The models filter unusable rows before ranking, so a key whose
    first copy was unusable is ranked from its usable copies in both kinds of build.
-#}
{% macro has_stored_first_arrival(key_columns, row_alias, loaded_at='loaded_at') -%}
    exists (
        select 1 from {{ this }} as earlier
        where
            {% for column in key_columns -%}
            earlier.{{ column }} is not distinct from {{ row_alias }}.{{ column }}
            and {% endfor -%}
            (
                earlier.{{ loaded_at }} < {{ incremental_cutoff(loaded_at) }}
                {%- for column in key_columns %}
                or earlier.{{ column }} is null
                {%- endfor %}
            )
    )
{%- endmacro %}
