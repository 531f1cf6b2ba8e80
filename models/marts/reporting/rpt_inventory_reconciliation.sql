-- One row per snapshot date, FC and SKU: the storefront's sellable stock against the
-- warehouse's count, and the variance between them.
with

wms as (

    select * from {{ ref('stg_wms__inventory_snapshots') }}

),

storefront as (

    select * from {{ ref('stg_storefront__inventory_levels') }}

),

final as (

    select
        coalesce(wms.snapshot_date, storefront.snapshot_date) as snapshot_date,
        coalesce(wms.fc_id, storefront.fc_id) as fc_id,
        coalesce(wms.sku, storefront.sku) as sku,
        wms.on_hand_qty as wms_on_hand_qty,
        wms.available_qty as wms_available_qty,
        storefront.available_qty as storefront_available_qty,
        coalesce(storefront.available_qty, 0) - coalesce(wms.available_qty, 0)
            as available_qty_delta,
        abs(
            coalesce(storefront.available_qty, 0)
            - coalesce(wms.available_qty, 0)
        )
            as absolute_variance,
        wms.sku is null as is_missing_in_wms,
        storefront.sku is null as is_missing_in_storefront,
        coalesce(storefront.available_qty, -1)
        <> coalesce(wms.available_qty, -1)
            as is_mismatch,
        coalesce(storefront.available_qty, 0) > 0
        and coalesce(wms.available_qty, 0) = 0
            as is_oversell_risk
    from wms
    full outer join storefront
        on wms.snapshot_date = storefront.snapshot_date
            and wms.fc_id = storefront.fc_id
            and wms.sku = storefront.sku

)

select * from final
