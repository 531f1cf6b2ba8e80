{#-
    Fails for each raw table whose quarantined share of rows is above
    var('quarantine_max_share'). The test's model is the source's quarantine model, which
    has a source_table column.
-#}
{% test quarantine_share_below(model, source_name, tables, max_share=none) %}

{%- set limit = max_share if max_share is not none else var('quarantine_max_share') -%}

with

raw_counts as (
    {%- for t in tables %}
    select '{{ t }}' as source_table, count(*) as raw_rows
    from {{ source(source_name, t) }}
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

quarantined as (
    select source_table, count(*) as quarantined_rows
    from {{ model }}
    group by source_table
),

final as (
    select
        raw_counts.source_table,
        raw_counts.raw_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
        cast(coalesce(quarantined.quarantined_rows, 0) as {{ type_double() }})
        / nullif(raw_counts.raw_rows, 0) as quarantined_share
    from raw_counts
    left join quarantined
        on raw_counts.source_table = quarantined.source_table
)

select * from final
where quarantined_share > {{ limit }}

{% endtest %}
