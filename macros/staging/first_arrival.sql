{#-
    The body of a CTE: every row of `relation` plus `arrival_rank`, its place among the rows
    that share `key`, ordered by `order_by`. Keep the rows with arrival_rank = 1 to drop
    re-sent copies.

    Same result as row_number() over (partition by key order by ...), but only keys that
    arrived more than once are ranked: most arrive once, and a window over millions of
    wide rows sorts all of them (at 1M orders it was the slowest step of staging the
    carrier feed). Keys must not be NULL (the callers filter or quarantine NULL keys).
-#}
{% macro first_arrival_ranked(relation, key, order_by) -%}
    {%- set repeated -%}
        select {{ key }} from {{ relation }} group by {{ key }} having count(*) > 1
    {%- endset -%}
    select
        single_rows.*,
        1 as arrival_rank
    from {{ relation }} as single_rows
    left join ({{ repeated }}) as repeated_keys
        on single_rows.{{ key }} = repeated_keys.{{ key }}
    where repeated_keys.{{ key }} is null
    union all
    select
        repeated_rows.*,
        row_number() over (
            partition by repeated_rows.{{ key }}
            order by {{ order_by | join(', ') }}
        ) as arrival_rank
    from {{ relation }} as repeated_rows
    inner join ({{ repeated }}) as repeated_keys
        on repeated_rows.{{ key }} = repeated_keys.{{ key }}
{%- endmacro %}
