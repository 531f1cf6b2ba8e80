{#-
    The carrier models rebuild whole parcels (carrier, tracking_number) on an incremental
    run. These pieces say which parcels, the same way in every model.
-#}

{#- Parcels with a scan that arrived in the lookback window of this model. -#}
{% macro parcels_with_new_scans(events, cutoff_column='loaded_at') -%}
    select
        carrier,
        tracking_number
    from {{ events }}
    where loaded_at >= {{ incremental_cutoff(cutoff_column) }}
{%- endmacro %}

{#- Parcels not yet delivered or returned: their staleness moves with the as-of time. -#}
{% macro parcels_still_moving(parcels) -%}
    select
        carrier,
        tracking_number
    from {{ parcels }}
    where coalesce(current_status, '') not in ('delivered', 'returned_to_sender')
{%- endmacro %}

{#- Join condition: the same parcel. -#}
{% macro same_parcel(left, right) -%}
    {{ left }}.carrier = {{ right }}.carrier
    and {{ left }}.tracking_number = {{ right }}.tracking_number
{%- endmacro %}
