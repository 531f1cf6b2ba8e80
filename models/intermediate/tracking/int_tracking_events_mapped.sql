-- One row per tracking event received (event_id), in UTC, mapped onto the canonical
-- taxonomy. Re-sent copies of the same scan are kept but flagged is_duplicate (the first
-- arrival is the original), so counts and latencies use each scan once.
--
-- Mapping order (mapping_rule):
--   code_and_qualifier / code  the seed row for (carrier, code_field, code, qualifier);
--                              code lists match on letters and digits ('statusCode' is
--                              'status_code'); when the feed names no code list, or one
--                              the carrier does not have, the code's row in any of the
--                              carrier's lists, if all of them agree on the state
--   code_ignoring_qualifier    the code's row without a qualifier (unknown qualifier)
--   description_pattern        the first matching description pattern (known carriers)
--   return_leg                 any mapped scan after the parcel's first
--                              returned_to_sender scan is returned_to_sender: a
--                              "delivered" on the way back is a delivery to the sender
-- An unmapped code stays NULL and is counted: it never defaults to in_transit.
--
-- Incremental: a parcel's scans are read as a whole (duplicates and the return leg look
-- at its other scans), so a run remaps every parcel (carrier, tracking_number) with a
-- scan in the lookback window, from all of its scans; delete+insert on event_id. A change
-- to the code map seeds needs `--full-refresh` to remap events already here.
{{ config(
    materialized=incremental_materialization(),
    unique_key='event_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail'
) }}

with

{% if is_incremental() -%}
changed_parcels as (

    select distinct * from ({{ parcels_with_new_scans(
        ref('stg_carrier__tracking_events')
    ) }}) as parcels

),

{% endif -%}
-- read where used (not stored): the steps below take narrow slices of it
events as {{ not_materialized() }} (

    select all_events.*
    from {{ ref('stg_carrier__tracking_events') }} as all_events
    {% if is_incremental() -%}
    inner join changed_parcels
        on {{ same_parcel('all_events', 'changed_parcels') }}
    {%- endif %}

),

code_map as (

    select
        carrier,
        {{ normalize_code_field('code_field') }} as code_field_key,
        {{ normalize_carrier_code('raw_code') }} as code_key,
        {{ normalize_carrier_code('raw_qualifier') }} as qualifier_key,
        canonical_status,
        nullif(exception_reason, '') as exception_reason,
        is_terminal
    from {{ ref('carrier_event_map') }}

),

code_map_any_field as (

    -- for feeds that do not say which code list a code is from: a code (and qualifier)
    -- that means one state in every list of its carrier
    select
        carrier,
        code_key,
        qualifier_key,
        min(canonical_status) as canonical_status,
        min(exception_reason) as exception_reason,
        min(case when is_terminal then 1 else 0 end) = 1 as is_terminal
    from code_map
    group by carrier, code_key, qualifier_key
    having count(distinct canonical_status) = 1
        and count(distinct coalesce(exception_reason, '')) = 1

),

code_fields as (

    select distinct
        carrier,
        code_field_key
    from code_map

),

patterns as (

    select * from {{ ref('carrier_description_patterns') }}

),

zones as (

    select
        upper(trim(country)) as country,
        coalesce(lower(trim(city)), '') as city,
        time_zone
    from {{ ref('geo_time_zones') }}

),

scan_kinds as (

    -- every distinct way a scan is coded (a few hundred at a million orders): the
    -- mapping runs once per kind, and events look their kind up
    select distinct
        carrier,
        code_field,
        code_key,
        qualifier_key,
        raw_description
    from events

),

code_matched as (

    select
        kinds.*,
        coalesce(
            exact_code.canonical_status,
            any_field.canonical_status,
            code_only.canonical_status
        ) as code_map_status,
        case
            when exact_code.canonical_status is not null
                then exact_code.exception_reason
            when any_field.canonical_status is not null
                then any_field.exception_reason
            else code_only.exception_reason
        end as code_map_reason,
        coalesce(
            exact_code.is_terminal,
            any_field.is_terminal,
            code_only.is_terminal
        ) as code_map_terminal,
        case
            when
                coalesce(
                    exact_code.canonical_status, any_field.canonical_status
                ) is not null
                and kinds.qualifier_key <> ''
                then 'code_and_qualifier'
            when
                coalesce(
                    exact_code.canonical_status, any_field.canonical_status
                ) is not null
                then 'code'
            when code_only.canonical_status is not null
                then 'code_ignoring_qualifier'
        end as code_map_rule
    from (
        select
            *,
            {{ normalize_code_field('code_field') }} as code_field_key
        from scan_kinds
    ) as kinds
    left join code_fields as known_field
        on kinds.carrier = known_field.carrier
            and kinds.code_field_key = known_field.code_field_key
    left join code_map as exact_code
        on kinds.carrier = exact_code.carrier
            and kinds.code_field_key = exact_code.code_field_key
            and kinds.code_key = exact_code.code_key
            and kinds.qualifier_key = exact_code.qualifier_key
    -- a feed that names no code list, or one this carrier does not have
    left join code_map_any_field as any_field
        on known_field.code_field_key is null
            and kinds.carrier = any_field.carrier
            and kinds.code_key = any_field.code_key
            and kinds.qualifier_key = any_field.qualifier_key
    left join code_map as code_only
        on kinds.carrier = code_only.carrier
            and kinds.code_field_key = code_only.code_field_key
            and kinds.code_key = code_only.code_key
            and code_only.qualifier_key = ''
            and kinds.qualifier_key <> ''

),

unmatched as (

    -- only kinds no code row maps read their description, and only for carriers we
    -- know: an unknown carrier stays unmapped
    select distinct
        carrier,
        raw_description
    from code_matched
    where code_map_status is null
        and raw_description is not null
        and carrier in (select code_map.carrier from code_map)

),

pattern_matches as (

    select
        unmatched.carrier,
        unmatched.raw_description,
        patterns.canonical_status,
        nullif(patterns.exception_reason, '') as exception_reason,
        patterns.is_terminal,
        row_number() over (
            partition by unmatched.carrier, unmatched.raw_description
            order by patterns.pattern_order
        ) as match_rank
    from unmatched
    inner join patterns
        on (patterns.carrier = '*' or unmatched.carrier = patterns.carrier)
            and {{ regex_matches_column_ci(
                'unmatched.raw_description', 'patterns.pattern'
            ) }}

),

kinds_mapped as (

    select
        code_matched.carrier,
        code_matched.code_field,
        code_matched.code_key,
        code_matched.qualifier_key,
        code_matched.raw_description,
        coalesce(code_matched.code_map_status, by_pattern.canonical_status)
            as code_status,
        case
            when code_matched.code_map_status is not null
                then code_matched.code_map_reason
            else by_pattern.exception_reason
        end as code_exception_reason,
        coalesce(code_matched.code_map_terminal, by_pattern.is_terminal)
            as code_is_terminal,
        coalesce(
            code_matched.code_map_rule,
            case
                when by_pattern.canonical_status is not null
                    then 'description_pattern'
            end
        ) as code_mapping_rule
    from code_matched
    left join pattern_matches as by_pattern
        on code_matched.code_map_status is null
            and code_matched.carrier = by_pattern.carrier
            and code_matched.raw_description = by_pattern.raw_description
            and by_pattern.match_rank = 1

),

locations as (

    -- the zone of each place events come from: its city's, else its country's default
    -- (the row with no city), else UTC; only used when the carrier sent no offset
    select
        places.location_country,
        places.location_city,
        coalesce(city_zone.time_zone, country_zone.time_zone, 'UTC')
            as location_time_zone
    from (
        select distinct
            location_country,
            location_city
        from events
    ) as places
    left join zones as city_zone
        on places.location_country = city_zone.country
            and lower(trim(places.location_city)) = city_zone.city
            and city_zone.city <> ''
    left join zones as country_zone
        on places.location_country = country_zone.country
            and country_zone.city = ''

),

-- read where used (not stored), like events
mapped as {{ not_materialized() }} (

    select
        events.*,
        kinds_mapped.code_status,
        kinds_mapped.code_exception_reason,
        kinds_mapped.code_is_terminal,
        kinds_mapped.code_mapping_rule,
        locations.location_time_zone,
        events.utc_offset_minutes is null as is_zone_assumed,
        case
            when events.utc_offset_minutes is not null
                then {{ dbt.dateadd(
                    'minute', '-1 * events.utc_offset_minutes',
                    'events.event_at_local'
                ) }}
            else {{ local_to_utc(
                'events.event_at_local', 'locations.location_time_zone'
            ) }}
        end as event_at
    from events
    left join kinds_mapped
        on {{ null_safe_equals('events.carrier', 'kinds_mapped.carrier') }}
            and {{ null_safe_equals(
                'events.code_field', 'kinds_mapped.code_field'
            ) }}
            and {{ null_safe_equals(
                'events.code_key', 'kinds_mapped.code_key'
            ) }}
            and {{ null_safe_equals(
                'events.qualifier_key', 'kinds_mapped.qualifier_key'
            ) }}
            and {{ null_safe_equals(
                'events.raw_description', 'kinds_mapped.raw_description'
            ) }}
    left join locations
        on {{ null_safe_equals(
            'events.location_country', 'locations.location_country'
        ) }}
            and {{ null_safe_equals(
                'events.location_city', 'locations.location_city'
            ) }}

),

return_starts as (

    -- the first returned_to_sender scan of each parcel that has one (few do)
    select
        coalesce(carrier, '') as carrier_key,
        tracking_number,
        min(event_at) as return_started_at
    from mapped
    where code_status = 'returned_to_sender'
    group by coalesce(carrier, ''), tracking_number

),

repeated_scans as (

    -- the same scan (parcel, code, qualifier and local time) received more than once
    select
        coalesce(carrier, '') as carrier_key,
        tracking_number,
        code_key,
        qualifier_key,
        event_at_local
    from events
    group by
        coalesce(carrier, ''),
        tracking_number,
        code_key,
        qualifier_key,
        event_at_local
    having count(*) > 1

),

later_copies as (

    -- of a repeated scan, the first arrival is the original and later copies are
    -- duplicates; ranking only repeated scans keeps the window small (a window over
    -- every scan sorted millions of rows)
    select event_id
    from (
        select
            events.event_id,
            row_number() over (
                partition by
                    repeated_scans.carrier_key,
                    repeated_scans.tracking_number,
                    repeated_scans.code_key,
                    repeated_scans.qualifier_key,
                    repeated_scans.event_at_local
                order by events.loaded_at, events.event_id
            ) as copy_number
        from events
        inner join repeated_scans
            on coalesce(events.carrier, '') = repeated_scans.carrier_key
                and events.tracking_number = repeated_scans.tracking_number
                and events.code_key = repeated_scans.code_key
                and events.qualifier_key = repeated_scans.qualifier_key
                and events.event_at_local = repeated_scans.event_at_local
    ) as ranked_copies
    where copy_number > 1

),

classified as (

    select
        mapped.*,
        later_copies.event_id is not null as is_duplicate,
        coalesce(
            mapped.code_status <> 'returned_to_sender'
            and mapped.event_at > return_starts.return_started_at,
            false
        ) as is_on_return_leg
    from mapped
    left join return_starts
        on coalesce(mapped.carrier, '') = return_starts.carrier_key
            and mapped.tracking_number = return_starts.tracking_number
    left join later_copies
        on mapped.event_id = later_copies.event_id

),

deduplicated as (

    select
        *,
        case
            when is_on_return_leg then 'returned_to_sender' else code_status
        end as canonical_status,
        case when not is_on_return_leg then code_exception_reason end
            as exception_reason,
        case
            when is_on_return_leg then 'return_leg' else code_mapping_rule
        end as mapping_rule
    from classified

),

final as (

    select
        -- ids
        event_id,
        carrier,
        tracking_number,

        -- the code as sent
        code_field,
        raw_code,
        raw_qualifier,
        raw_description,

        -- the canonical reading
        canonical_status,
        {{ canonical_status_rank('canonical_status') }} as status_rank,
        exception_reason,
        coalesce(code_is_terminal, false) as is_terminal,
        coalesce(canonical_status = 'exception', false) as is_exception,
        canonical_status is null as is_unmapped,
        mapping_rule,

        -- where
        location_city,
        location_postal_code,
        location_country,
        location_time_zone,
        is_zone_assumed,
        is_duplicate,

        -- when
        event_at_local,
        utc_offset_minutes,
        event_at,
        loaded_at,
        {{ seconds_between('event_at', 'loaded_at') }} as arrival_lag_seconds
    from deduplicated

)

select * from final
