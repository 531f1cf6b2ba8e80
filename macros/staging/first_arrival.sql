{#-
    "First arrival wins" for a staging model whose feed re-sends rows. Two CTEs:

        repeated_event_ids as ({{ repeated_keys('parsed', 'event_id') }}),
        ranked as ({{ first_arrival_ranked('parsed', 'event_id', [...],
                                           'repeated_event_ids') }}),

    repeated_keys: the keys that arrived more than once, computed once for both halves
    of the ranking.

    first_arrival_ranked: every row of `relation` plus `arrival_rank`, its place among
    the rows that share `key`, ordered by `order_by`. Keep the rows with arrival_rank = 1
    to drop re-sent copies. Same result as row_number() over (partition by key order by
    ...), but only the repeated keys are ranked: most keys arrive once, and a window over
    millions of wide rows sorts all of them (at 1M orders it was the slowest step of
    staging the carrier feed). Keys must not be NULL (the callers filter or quarantine
    NULL keys).
-#}
{% macro repeated_keys(relation, key) -%}
    select {{ key }}
    from {{ relation }}
    group by {{ key }}
    having count(*) > 1
{%- endmacro %}

{% macro first_arrival_ranked(relation, key, order_by, repeated) -%}
    select
        single_rows.*,
        1 as arrival_rank
    from {{ relation }} as single_rows
    left join {{ repeated }} as repeated_keys
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
    inner join {{ repeated }} as repeated_keys
        on repeated_rows.{{ key }} = repeated_keys.{{ key }}
{%- endmacro %}
