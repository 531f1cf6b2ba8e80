{{ config(enabled=answer_key_enabled()) }}

-- Inventory reconciliation variance (sum |storefront - WMS| / sum WMS available) within
-- 0.1 percentage points of the answer key.
with

measured as (

    select
        cast(sum(absolute_variance) as double)
        / nullif(sum(wms_available_qty), 0) as mart_value
    from {{ ref('rpt_inventory_reconciliation') }}

)

select
    measured.mart_value,
    {{ answer_key_kpi('inventory_variance') }} as true_value
from measured
where abs(measured.mart_value - {{ answer_key_kpi('inventory_variance') }}) * 100
    > {{ var('answer_key_rate_tolerance_pp') }}
