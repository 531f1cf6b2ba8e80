"""Shared pytest fixtures: a tiny published warehouse, free ports, the project paths.

The tiny warehouse is built by hand (no dbt) with the contract columns of the marts the
dashboard reads, then published through `order_truth.publish` exactly as a build would, so
dashboard and publish tests run in seconds and do not depend on a dbt build. Tests that
need real marts use the warehouse `make test` publishes (`ORDER_TRUTH_TEST_PUBLISHED`).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest

from order_truth import publish

ROOT = Path(__file__).resolve().parents[2]
# The warehouse `make test` builds from the small generated dataset, when it exists.
ENV_TEST_PUBLISHED = "ORDER_TRUTH_TEST_PUBLISHED"

# Deterministic fake marts: 60 days of orders, parcels, carrier events, exceptions, tickets,
# sync events, inventory snapshots and the KPI and report tables computed from them, with
# the contract columns (models/marts/*/_*__models.yml) of everything the dashboard reads.
# Values vary by row so that filters, breakdowns and targets matter. The KPI tables use the
# formulas of macros/kpis.sql, so a page that reads kpi_daily and one that reads the facts
# must agree here as they do in a real build.
TINY_MARTS_SQL = """
create schema marts;
create schema staging;
create table marts.fct_orders as
with numbered as (
    select
        i,
        timestamp '2026-09-01 08:00:00' + to_hours(cast(i * 7 as bigint)) as placed_at,
        i % 10 <> 9 as is_delivered,
        (i % 150) % 37 = 0 as is_erased
    from range(1, 201) as t(i)
)
select
    'SF-' || lpad(cast(i as varchar), 6, '0') as order_id,
    'C-' || cast(i % 150 as varchar) as customer_id,
    cast(1 + i % 2 as integer) as order_version,
    'OMS-' || cast(i as varchar) as oms_order_id,
    ['FC-EWR', 'FC-LAX', 'FC-DFW'][1 + (i // 3) % 3] as fc_id,
    ['ups', 'fedex', 'usps', 'dhl_express'][1 + i % 4] as carrier,
    ['web', 'app', 'marketplace'][1 + i % 3] as channel,
    case when i % 5 = 0 then 'FAST2' end as promo_code,
    ['standard', 'express', 'two_day'][1 + i % 3] as service_level,
    'US' as dest_country,
    case when i % 5 = 0 then 'promo' else 'service_level' end as promise_source,
    case when is_delivered then 'delivered' else 'in_transit' end as current_status,
    'SKU-1x1|SKU-' || cast(i % 9 as varchar) || 'x2' as sku_list,
    case when not is_erased then cast(i as varchar) || ' main st' end as raw_address,
    case when not is_erased then cast(i as varchar) || ' Main St' end as canonical_address,
    'USD' as currency,
    case when i % 7 = 0 then 'carrier' when i % 11 = 0 then 'wms' end as root_cause_system,
    case when is_delivered then 'delivered' else 'shipped' end as oms_status,
    case when is_delivered then 'delivered' else 'in_transit' end as first_parcel_status,
    cast(20 + i % 80 as decimal(18, 2)) as order_total_amount,
    cast(2 + i % 3 as integer) as promised_business_days,
    cast(case when is_delivered and i % 7 = 0 then 1 + i % 3 else 0 end as integer)
        as business_days_late,
    cast((i % 7 = 0) :: int + (i % 11 = 0) :: int as bigint) as exception_count,
    cast(1 as bigint) as shipment_count,
    i % 6 = 0 as is_guest,
    false as is_cancelled,
    is_delivered,
    case when is_delivered then i % 7 <> 0 end as is_on_time,
    case when is_delivered and i % 23 <> 0 then i % 11 <> 0 end as is_correct,
    case when is_delivered and i % 23 <> 0 then i % 7 <> 0 and i % 11 <> 0 end
        as is_accurate,
    i % 7 = 0 or i % 11 = 0 as went_wrong,
    i % 5 = 0 as is_claim_applied,
    i % 25 = 0 as has_infeasible_claim,
    false as has_unmapped_sku,
    not is_delivered as is_in_flight,
    case when not is_delivered then i % 3 <> 0 end as is_status_in_sync,
    i % 13 = 0 as has_wismo_ticket,
    i % 17 = 0 as is_returned,
    is_erased as is_customer_erased,
    cast(timestamp '2026-09-05' + to_days(cast(i * 7 // 24 as bigint)) as date)
        as promised_delivery_date,
    case when i % 5 = 0
        then cast(timestamp '2026-09-04' + to_days(cast(i * 7 // 24 as bigint)) as date)
    end as claim_delivery_date,
    case when is_delivered
        then cast(timestamp '2026-09-04 08:00:00'
                  + to_hours(cast(i * 7 + i % 50 as bigint)) as date)
    end as delivered_date_local,
    placed_at,
    placed_at + to_minutes(cast(1 + i % 5 as bigint)) as oms_created_at,
    timestamp '2026-09-02 08:00:00' + to_hours(cast(i * 7 as bigint)) as first_shipped_at,
    case when is_delivered
        then timestamp '2026-09-04 08:00:00' + to_hours(cast(i * 7 + i % 50 as bigint))
    end as delivered_at
from numbered;

create table marts.dim_customers as
select
    'C-' || cast(n as varchar) as customer_id,
    'storefront:' || cast(n as varchar) as source_record_keys,
    case when n % 37 <> 0 then 'customer' || cast(n as varchar) || '@example.com' end
        as email,
    case when n % 37 <> 0 then '+1555000' || lpad(cast(n as varchar), 4, '0') end
        as phone_e164,
    case when n % 37 <> 0 then 'Pat' end as first_name,
    case when n % 37 <> 0 then 'Doe' || cast(n as varchar) end as last_name,
    case when n % 37 <> 0 then date '1980-01-01' + cast(n as integer) end
        as date_of_birth,
    case when n % 37 <> 0 then cast(n as varchar) || ' Main St' end as canonical_address,
    'US' as country,
    case when n % 37 = 0 then null when n % 10 = 0 then 'gold' else 'none' end as vip_tier,
    cast(null as timestamp) as vip_tier_changed_at,
    n % 37 <> 0 and n % 29 = 0 as has_payment_hold,
    cast(null as timestamp) as payment_hold_changed_at,
    n % 37 <> 0 and n % 2 = 0 as has_email_consent,
    cast(null as timestamp) as email_consent_changed_at,
    false as has_sms_consent,
    cast(null as timestamp) as sms_consent_changed_at,
    n % 37 <> 0 and n % 19 = 0 as has_address_conflict,
    n % 37 = 0 as is_erased,
    case when n % 37 = 0 then timestamp '2026-10-01 00:00:00' end as erasure_requested_at,
    cast(1 as bigint) as source_record_count,
    cast(n % 3 as bigint) as crm_contact_count,
    cast(1 as bigint) as storefront_account_count,
    timestamp '2026-08-01 00:00:00' as first_seen_at,
    timestamp '2026-10-31 00:00:00' as last_seen_at
from range(0, 150) as t(n);

create table marts.fct_shipments as
select
    'SH-' || substr(order_id, 4) as shipment_id,
    order_id,
    oms_order_id,
    fc_id,
    carrier,
    '1Z' || substr(order_id, 4) as tracking_number,
    cast(1 as integer) as package_seq,
    'initial' as shipment_reason,
    current_status,
    cast(null as varchar) as open_exception_reason,
    cast(4 as bigint) as event_count,
    cast(0 as bigint) as unmapped_event_count,
    cast(exception_count > 0 as bigint) as exception_event_count,
    cast(0 as bigint) as attempt_count,
    false as is_backorder_release,
    false as is_stale,
    false as has_no_tracking,
    false as has_assumed_zone,
    false as is_latest_scan_unmapped,
    first_shipped_at as shipped_at,
    first_shipped_at - to_hours(2) as first_picked_at,
    first_shipped_at as carrier_first_scan_at,
    first_shipped_at + to_hours(20) as first_in_transit_at,
    cast(null as timestamp) as first_out_for_delivery_at,
    cast(null as timestamp) as first_attempted_delivery_at,
    cast(null as timestamp) as first_available_for_pickup_at,
    cast(null as timestamp) as first_exception_at,
    delivered_at,
    cast(null as timestamp) as returned_at,
    coalesce(delivered_at, first_shipped_at + to_hours(20)) as last_event_at
from marts.fct_orders;

create table marts.fct_tracking_events as
with templates as (
    select * from (values
        (1, 'MP', 'Shipper created a label', 'picked', 1, -2, false),
        (2, 'OR', 'Origin scan', 'shipped', 2, 0, false),
        (3, 'IT', 'In transit', 'in_transit', 3, 20, false),
        (4, 'IT', 'In transit', 'in_transit', 3, 20, true),
        (5, 'DE', 'Delay: weather', 'exception', 7, 30, false),
        (6, 'D', 'Delivered', 'delivered', 8, 0, false),
        (7, 'ZZ', 'Unknown scan', null, null, 40, false)
    ) as t(seq, raw_code, raw_description, canonical_status, status_rank, hours,
           is_duplicate)
),
events as (
    select
        o.*,
        cast(substr(o.order_id, 4) as integer) as i,
        t.*,
        case when t.seq = 6 then o.delivered_at
            else o.first_shipped_at + to_hours(cast(t.hours as bigint)) end as event_at
    from marts.fct_orders as o
    cross join templates as t
    where (t.seq in (1, 2, 3))
        or (t.seq = 4 and cast(substr(o.order_id, 4) as integer) % 5 = 0)
        or (t.seq = 5 and cast(substr(o.order_id, 4) as integer) % 7 = 0)
        or (t.seq = 6 and o.is_delivered)
        or (t.seq = 7 and cast(substr(o.order_id, 4) as integer) % 19 = 0)
)
select
    'EV-' || cast(i as varchar) || '-' || cast(seq as varchar) as event_id,
    'SH-' || substr(order_id, 4) as shipment_id,
    order_id,
    carrier,
    '1Z' || substr(order_id, 4) as tracking_number,
    'status' as code_field,
    raw_code,
    case when seq = 5 then '07' end as raw_qualifier,
    raw_description,
    canonical_status,
    cast(status_rank as integer) as status_rank,
    case when seq = 5 then 'delay' end as exception_reason,
    case when canonical_status is null then 'unmapped' else 'code' end as mapping_rule,
    'Springfield' as location_city,
    '12345' as location_postal_code,
    'US' as location_country,
    'America/New_York' as location_time_zone,
    cast(case when seq <> 3 then -240 end as integer) as utc_offset_minutes,
    cast(30 + (i * seq * 37) % 900 as double) as arrival_lag_seconds,
    seq = 6 as is_terminal,
    seq = 5 as is_exception,
    canonical_status is null as is_unmapped,
    is_duplicate,
    seq = 3 as is_zone_assumed,
    event_at - to_hours(4) as event_at_local,
    event_at,
    event_at + to_seconds(cast(30 + (i * seq * 37) % 900 as bigint)) as loaded_at
from events;

create table marts.fct_order_exceptions as
with numbered as (
    select *, cast(substr(order_id, 4) as integer) as i from marts.fct_orders
),
raised as (
    select
        'EX-' || cast(i as varchar) || '-carrier' as exception_id,
        'carrier_exception' as exception_class,
        order_id,
        'carrier' as root_cause_system,
        'delay' as exception_reason,
        first_shipped_at + to_hours(30) as opened_at,
        case when i % 21 <> 0
            then first_shipped_at + to_hours(cast(30 + 2 + i % 40 as bigint)) end
            as resolved_at
    from numbered
    where i % 7 = 0
    union all
    select
        'EX-' || cast(i as varchar) || '-wms',
        case when i % 2 = 0 then 'mis_pick' else 'short_ship' end,
        order_id,
        'wms',
        'units differ from the order',
        coalesce(delivered_at, first_shipped_at + to_hours(48)),
        cast(null as timestamp)
    from numbered
    where i % 11 = 0
)
select
    exception_id,
    exception_class,
    order_id,
    'SH-' || substr(order_id, 4) as shipment_id,
    root_cause_system,
    exception_reason,
    'tiny warehouse' as evidence,
    opened_at,
    resolved_at,
    resolved_at is null as is_open,
    case when resolved_at is not null
        then date_diff('second', opened_at, resolved_at) / 3600.0 end as hours_to_resolve
from raised;

create table staging.stg_support__tickets as
select
    'T-' || cast(i as varchar) as ticket_id,
    case when i % 26 <> 0 then order_id end as order_id,
    case when i % 13 = 0 then 'wismo' else 'returns' end as category,
    '#' || order_id as order_reference_raw,
    'customer' || cast(i % 150 as varchar) || '@example.com' as requester_email,
    'Customer' || cast(i % 150 as varchar) || '@Example.com' as requester_email_raw,
    'Pat Doe' || cast(i % 150 as varchar) as requester_name,
    case when i % 17 = 0 then 2 + i % 4 end as csat,
    i % 13 = 0 as is_wismo,
    first_shipped_at + to_hours(48) as created_at,
    first_shipped_at + to_hours(60) as resolved_at,
    first_shipped_at + to_hours(48) as loaded_at
from (select *, cast(substr(order_id, 4) as integer) as i from marts.fct_orders)
where i % 13 = 0 or i % 17 = 0;

create table marts.fct_sync_events as
select
    'CH-' || cast(i as varchar) as change_id,
    ['order', 'customer', 'inventory'][1 + i % 3] as entity,
    'E-' || cast(i as varchar) as entity_id,
    'storefront' as source_system,
    'oms' as target_system,
    'K-' || cast(i as varchar) as idempotency_key,
    case when i % 41 = 0 then 'dead_letter' else 'delivered' end as final_outcome,
    case when i % 41 = 0 then 'dead_letter' else 'success' end as last_outcome,
    case when i % 41 = 0 then 500 else 200 end as last_http_status,
    cast(1 + (i % 9 = 0) :: int + (i % 13 = 0) :: int as bigint) as total_attempts,
    cast(case when i % 41 = 0 then null else 1 + (i % 9 = 0) :: int end as bigint)
        as attempts_to_deliver,
    cast(0 as bigint) as replay_attempts,
    cast(0 as bigint) as duplicate_replays,
    cast((i % 9 = 0) :: int as bigint) as rate_limited_attempts,
    cast((i % 13 = 0) :: int as bigint) as unauthorized_attempts,
    cast(0 as bigint) as error_attempts,
    case when i % 41 = 0 then null else cast(2 + (i * 37) % 150 as double) end
        as sync_lag_seconds,
    i % 41 <> 0 as is_delivered,
    i % 41 = 0 as is_dead_lettered,
    i % 41 = 0 as is_in_dlq,
    timestamp '2026-09-01 00:00:00' + to_minutes(cast(i * 173 as bigint))
        as source_changed_at,
    timestamp '2026-09-01 00:00:01' + to_minutes(cast(i * 173 as bigint))
        as first_attempted_at,
    case when i % 41 <> 0
        then timestamp '2026-09-01 00:00:00' + to_minutes(cast(i * 173 as bigint))
            + to_seconds(cast(2 + (i * 37) % 150 as bigint))
    end as first_success_at,
    case when i % 41 = 0
        then timestamp '2026-09-01 01:00:00' + to_minutes(cast(i * 173 as bigint))
    end as dead_lettered_at
from range(1, 501) as t(i);

create table marts.rpt_inventory_reconciliation as
select
    cast(date '2026-09-01' + cast(d as integer) as date) as snapshot_date,
    fc_id,
    'SKU-' || cast(s as varchar) as sku,
    cast(25 + (d + s) % 30 as integer) as wms_on_hand_qty,
    cast(20 + (d + s) % 30 as integer) as wms_available_qty,
    cast(20 + (d + s) % 30 + case when (d * s) % 11 = 0 then 3
        when (d * s) % 13 = 0 then -2 else 0 end as integer) as storefront_available_qty,
    cast(case when (d * s) % 11 = 0 then 3 when (d * s) % 13 = 0 then -2 else 0 end
        as integer) as available_qty_delta,
    cast(case when (d * s) % 11 = 0 then 3 when (d * s) % 13 = 0 then 2 else 0 end
        as integer) as absolute_variance,
    false as is_missing_in_wms,
    false as is_missing_in_storefront,
    (d * s) % 11 = 0 or (d * s) % 13 = 0 as is_mismatch,
    (d * s) % 11 = 0 as is_oversell_risk
from range(0, 60) as days(d)
cross join range(1, 6) as skus(s)
cross join (values ('FC-EWR'), ('FC-LAX'), ('FC-DFW')) as fcs(fc_id);

create table marts.rpt_reconciliation_daily as
with checked as (
    select
        cast(o.placed_at as date) as recon_date,
        c.disagreement_class,
        cast(substr(o.order_id, 4) as integer) % c.every = 0 as is_disagreeing
    from marts.fct_orders as o
    cross join (values ('address_storefront_vs_oms', 17), ('address_crm_vs_oms', 9),
                       ('status_oms_vs_carrier', 6), ('customer_missing_in_crm', 31))
        as c(disagreement_class, every)
    where not o.is_cancelled
)
select
    recon_date,
    disagreement_class,
    count(*) as orders_checked,
    cast(sum(case when is_disagreeing then 1 else 0 end) as bigint) as orders_disagreeing,
    sum(case when is_disagreeing then 1 else 0 end) / count(*) as disagreement_rate
from checked
group by 1, 2;

create table marts.rpt_monthly_sla as
select
    cast(date_trunc('month', placed_at) as date) as sla_month,
    coalesce(carrier, 'none') as carrier,
    service_level,
    coalesce(promo_code, 'none') as promo_code,
    count(*) as orders,
    count(*) filter (where is_delivered) as delivered,
    count(*) filter (where is_on_time) as on_time,
    count(*) filter (where is_accurate) as accurate,
    count(*) filter (where business_days_late = 1) as late_1_business_day,
    count(*) filter (where business_days_late = 2) as late_2_business_days,
    count(*) filter (where business_days_late between 3 and 5)
        as late_3_to_5_business_days,
    count(*) filter (where business_days_late > 5) as late_over_5_business_days,
    count(*) filter (where is_returned) as lost_or_returned,
    count(*) filter (where went_wrong) as went_wrong,
    count(*) filter (where root_cause_system = 'marketing') as caused_by_marketing,
    count(*) filter (where root_cause_system = 'crm') as caused_by_crm,
    count(*) filter (where root_cause_system = 'integration') as caused_by_integration,
    count(*) filter (where root_cause_system = 'oms') as caused_by_oms,
    count(*) filter (where root_cause_system = 'wms') as caused_by_wms,
    count(*) filter (where root_cause_system = 'carrier') as caused_by_carrier,
    count(*) filter (where is_on_time) / nullif(count(*) filter (where is_delivered), 0)
        as on_time_rate,
    count(*) filter (where is_accurate)
        / nullif(count(*) filter (where is_accurate is not null), 0) as accuracy_rate,
    cast(date_trunc('month', placed_at) as date) < date '2026-10-01' as is_complete_month
from marts.fct_orders
group by 1, 2, 3, 4;

create table marts.rpt_promo_feasibility as
select
    promo_code,
    'Fast2' as promo_name,
    '2-day delivery' as delivery_claim,
    cast(2 as integer) as claim_business_days,
    'US' as eligible_regions,
    'FC-EWR|FC-LAX|FC-DFW' as eligible_fcs,
    timestamp '2026-08-25 00:00:00' as starts_at,
    timestamp '2026-11-30 00:00:00' as ends_at,
    cast(1 as integer) as fastest_lane_days,
    cast(3 as integer) as slowest_lane_days,
    false as is_claim_feasible_everywhere,
    cast(0 as bigint) as out_of_stock_days,
    false as ran_while_out_of_stock,
    count(*) as orders,
    count(*) filter (where is_claim_applied) as claim_orders,
    count(*) filter (where has_infeasible_claim) as infeasible_claim_orders,
    count(*) filter (where is_claim_applied and is_delivered) as claim_orders_delivered,
    count(*) filter (where is_claim_applied and is_delivered
                     and delivered_date_local <= claim_delivery_date)
        as claim_orders_delivered_by_claim,
    count(*) filter (where is_claim_applied and (has_infeasible_claim
                     or delivered_date_local > claim_delivery_date)) / count(*)
        as claim_mismatch_rate
from marts.fct_orders
where promo_code is not null and not is_cancelled
group by promo_code;
"""


def _kpi_sql(table: str, period: str, extra_columns: str = "") -> str:
    """kpi_daily or kpi_monthly over the tiny facts, by the formulas of macros/kpis.sql.

    `period` is a template with `{ts}` that turns a timestamp into the row's date.
    """

    def p(ts: str) -> str:
        return period.format(ts=ts)

    targets = """(values
        ('orders_placed', 'count', null, null),
        ('orders_delivered', 'count', null, null),
        ('order_accuracy_rate', 'rate', '>=', 0.98),
        ('on_time_rate', 'rate', '>=', 0.95),
        ('correct_rate', 'rate', '>=', 0.99),
        ('exceptions_per_1000_orders', 'per_1000', '<=', 60.0),
        ('wismo_per_1000_orders', 'per_1000', '<=', 25.0),
        ('promo_fulfillment_mismatch_rate', 'rate', '<=', 0.05),
        ('status_sync_accuracy', 'rate', '>', 0.99),
        ('sync_success_rate', 'rate', '>=', 0.995),
        ('order_sync_success_rate', 'rate', '>=', 0.995),
        ('dlq_entries', 'count', '<=', 0.0),
        ('inventory_variance', 'rate', '<=', 0.01),
        ('tracking_latency_p50_s', 'seconds', '<=', 300.0),
        ('tracking_latency_p95_s', 'seconds', '<=', 300.0),
        ('exception_resolve_hours_p50', 'hours', null, null),
        ('exception_resolve_hours_p95', 'hours', null, null),
        ('sync_latency_p95_s_order', 'seconds', '<=', 60.0),
        ('sync_latency_p95_s_customer', 'seconds', '<=', 60.0),
        ('sync_latency_p95_s_inventory', 'seconds', '<=', 120.0)
    ) as t(kpi, unit, comparator, target)"""
    return f"""
create table marts.{table} as
with orders as (select * from marts.fct_orders),
facts as (
    select {p('placed_at')} as d, 'orders_placed' as kpi, channel, carrier, fc_id,
        1.0 as num, 1.0 as den, true as sliced
    from orders
    union all
    select {p('delivered_date_local')}, 'orders_delivered', channel, carrier, fc_id,
        1, 1, true
    from orders where is_delivered
    union all
    select {p('delivered_date_local')}, 'order_accuracy_rate', channel, carrier, fc_id,
        case when is_accurate then 1 else 0 end, 1, true
    from orders where is_delivered and is_accurate is not null
    union all
    select {p('delivered_date_local')}, 'on_time_rate', channel, carrier, fc_id,
        case when is_on_time then 1 else 0 end, 1, true
    from orders where is_delivered and is_on_time is not null
    union all
    select {p('delivered_date_local')}, 'correct_rate', channel, carrier, fc_id,
        case when is_correct then 1 else 0 end, 1, true
    from orders where is_delivered and is_correct is not null
    union all
    select {p('placed_at')}, 'promo_fulfillment_mismatch_rate', channel, carrier, fc_id,
        case when is_claim_applied and (has_infeasible_claim
            or delivered_date_local > claim_delivery_date) then 1 else 0 end, 1, true
    from orders where promo_code is not null and not is_cancelled
    union all
    select {p('placed_at')}, 'exceptions_per_1000_orders', channel, carrier, fc_id,
        0, 1, true
    from orders
    union all
    select {p('e.opened_at')}, 'exceptions_per_1000_orders', o.channel, o.carrier,
        o.fc_id, 1, 0, true
    from marts.fct_order_exceptions as e
    left join orders as o on e.order_id = o.order_id
    union all
    select {p('placed_at')}, 'wismo_per_1000_orders', channel, carrier, fc_id, 0, 1, true
    from orders
    union all
    select {p('t.created_at')}, 'wismo_per_1000_orders', o.channel, o.carrier, o.fc_id,
        1, 0, true
    from staging.stg_support__tickets as t
    left join orders as o on t.order_id = o.order_id
    where t.category = 'wismo'
    union all
    select {p("timestamp '2026-10-31'")}, 'status_sync_accuracy', channel, carrier, fc_id,
        case when is_status_in_sync then 1 else 0 end, 1, true
    from orders where is_in_flight
    union all
    select {p('source_changed_at')}, 'sync_success_rate', null, null, null,
        case when is_delivered then 1 else 0 end, 1, false
    from marts.fct_sync_events
    union all
    select {p('source_changed_at')}, 'order_sync_success_rate', null, null, null,
        case when is_delivered then 1 else 0 end, 1, false
    from marts.fct_sync_events where entity = 'order'
    union all
    select {p('dead_lettered_at')}, 'dlq_entries', null, null, null, 1, 1, false
    from marts.fct_sync_events where is_dead_lettered
    union all
    select {p('snapshot_date')}, 'inventory_variance', null, null, fc_id,
        absolute_variance, coalesce(wms_available_qty, 0), true
    from marts.rpt_inventory_reconciliation
),
rates as (
    select
        d,
        kpi,
        case when grouping(channel) = 1 then 'all' else coalesce(channel, 'none') end
            as channel,
        case when grouping(carrier) = 1 then 'all' else coalesce(carrier, 'none') end
            as carrier,
        case when grouping(fc_id) = 1 then 'all' else coalesce(fc_id, 'none') end
            as fc_id,
        cast(sum(num) as double) as numerator,
        cast(sum(den) as double) as denominator,
        bool_and(sliced) as sliced
    from facts
    group by grouping sets ((d, kpi), (d, kpi, channel), (d, kpi, carrier), (d, kpi, fc_id))
),
samples as (
    select {p('event_at')} as d, 'tracking_latency_p50_s' as kpi, arrival_lag_seconds as x
    from marts.fct_tracking_events where not is_duplicate
    union all
    select {p('event_at')}, 'tracking_latency_p95_s', arrival_lag_seconds
    from marts.fct_tracking_events where not is_duplicate
    union all
    select {p('resolved_at')}, 'exception_resolve_hours_p50', hours_to_resolve
    from marts.fct_order_exceptions
    union all
    select {p('resolved_at')}, 'exception_resolve_hours_p95', hours_to_resolve
    from marts.fct_order_exceptions
    union all
    select {p('source_changed_at')}, 'sync_latency_p95_s_' || entity,
        sync_lag_seconds
    from marts.fct_sync_events
),
percentiles as (
    select d, kpi, cast(count(x) as double) as denominator,
        case when kpi like '%p50%' then quantile_cont(x, 0.5)
            else quantile_cont(x, 0.95) end as kpi_value
    from samples
    where d is not null and x is not null
    group by d, kpi
),
final as (
    select r.d, r.kpi, r.channel, r.carrier, r.fc_id, r.numerator, r.denominator,
        case when t.unit = 'per_1000' then 1000.0 * r.numerator / nullif(r.denominator, 0)
            when t.unit in ('rate', 'score') then r.numerator / nullif(r.denominator, 0)
            else r.numerator end as kpi_value,
        coalesce(t.unit, 'count') as unit, t.comparator, cast(t.target as double) as target
    from rates as r
    left join {targets} on r.kpi = t.kpi
    where r.sliced or (r.channel = 'all' and r.carrier = 'all' and r.fc_id = 'all')
    union all
    select pc.d, pc.kpi, 'all', 'all', 'all', null, pc.denominator, pc.kpi_value,
        t.unit, t.comparator, cast(t.target as double)
    from percentiles as pc
    left join {targets} on pc.kpi = t.kpi
)
select
    d as {"kpi_date" if table == "kpi_daily" else "kpi_month"},
    kpi, channel, carrier, fc_id, numerator, denominator, kpi_value, unit,
    comparator as target_comparator, target as target_value{extra_columns}
from final
where d is not null;
"""

TINY_KPI_SQL = (_kpi_sql("kpi_daily", "cast({ts} as date)")
                + _kpi_sql("kpi_monthly", "cast(date_trunc('month', {ts}) as date)",
                           ", d < date '2026-10-01' as is_complete_month"))
# The marts the tiny publish counts in its manifest. The other tiny tables are published
# too (the whole file is), but the publish tests pin these two counts.
TINY_MARTS = [("marts", "fct_orders"), ("marts", "fct_sync_events")]


def make_build_db(path: Path, extra_sql: str = "", *, with_kpis: bool = True) -> Path:
    """Write a DuckDB file with the tiny marts, as `dbt build` would have left it.

    `with_kpis=False` leaves out kpi_daily and kpi_monthly: a build from before the KPI
    tables existed, which the publish tests rely on to see an audit fail.
    """
    con = duckdb.connect(str(path))
    try:
        con.execute(TINY_MARTS_SQL + (TINY_KPI_SQL if with_kpis else "") + extra_sql)
    finally:
        con.close()
    return path


def passing_summary() -> publish.RunSummary:
    return publish.RunSummary(statuses={"success": 2, "pass": 5}, tests={"pass": 5})


def publish_tiny(root: Path) -> Path:
    """Build and publish the tiny warehouse under `root`; returns the published file.

    The published file has every tiny mart, KPI tables included. `root/build.duckdb` is
    left as a build without the KPI tables: the publish tests re-publish it with
    kpi_daily promised, to show that a copy failing its audit is never published.
    """
    root.mkdir(parents=True, exist_ok=True)
    build_db = make_build_db(root / "dashboard-build.duckdb")
    published = root / "published" / "warehouse.duckdb"
    publish.publish(build_db, published, summary=passing_summary(), marts=TINY_MARTS,
                    project_dir=ROOT, extra={"data_as_of": "2026-11-01T00:00:00Z"})
    make_build_db(root / "build.duckdb", with_kpis=False)
    return published


@pytest.fixture(scope="session")
def tiny_published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published warehouse with the tiny marts and a fresh manifest (session-wide)."""
    return publish_tiny(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def use_published(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[Path], None]]:
    """Point `order_truth.warehouse` (and the dashboard) at a given published file."""

    def point(path: Path) -> None:
        monkeypatch.setenv("ORDER_TRUTH_PUBLISHED", str(path))

    yield point


@pytest.fixture(scope="session")
def test_build_published() -> Path:
    """The warehouse `make test` published from real marts, or skip when absent."""
    value = os.environ.get(ENV_TEST_PUBLISHED)
    if not value or not Path(value).is_file():
        pytest.skip(f"no real test build: set {ENV_TEST_PUBLISHED} (make test does) to a "
                    "published warehouse")
    return Path(value)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    return _free_port()


@pytest.fixture(scope="session")
def tiny_factory() -> Callable[[Path], Path]:
    """`publish_tiny` for tests that need their own copy (to break or replace it)."""
    return publish_tiny


@pytest.fixture(scope="session")
def build_db_factory() -> Callable[..., Path]:
    """`make_build_db(path, extra_sql)`: a build file with the tiny marts, unpublished."""
    return make_build_db
