"""Reconciliation: the nightly three-way check of CRM, OMS and carrier, and stock variance.

Both reports are already aggregated by the warehouse (per day and class; per day, FC and
SKU), so this page only sums them: every figure is sum(numerator) / sum(denominator) over
the selected days, never an average of daily rates.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

import common

CLASSES = {
    "address_storefront_vs_oms": "Address: storefront vs OMS",
    "address_crm_vs_oms": "Address: CRM vs OMS",
    "status_oms_vs_carrier": "Status: OMS vs carrier",
    "customer_missing_in_crm": "Customer missing in CRM",
}
CLASS_HELP = {
    "address_storefront_vs_oms": "The OMS ships to another address than the order's "
                                 "latest version.",
    "address_crm_vs_oms": "The CRM's address for the customer differs from where the "
                          "order ships.",
    "status_oms_vs_carrier": "An in-flight order whose OMS status lags the carrier's "
                             "canonical status.",
    "customer_missing_in_crm": "The order's customer is unknown to the CRM.",
}
RECON = ("recon_date", "disagreement_class", "orders_checked", "orders_disagreeing")
INVENTORY = ("snapshot_date", "fc_id", "sku", "wms_available_qty",
             "storefront_available_qty", "absolute_variance", "is_mismatch",
             "is_oversell_risk")
WORST_SKUS = 25

f = common.page_frame(
    "Reconciliation",
    "Orders on which CRM, OMS and the carrier disagree, per disagreement class and day; "
    "storefront against WMS inventory.")
days = (f.end - f.start).days + 1
prior_start, prior_end = f.start - timedelta(days=days), f.start - timedelta(days=1)
has_prior = prior_start >= common.data_window()[0]

st.subheader("Three-way check: CRM, OMS and carrier")
if common.has("rpt_reconciliation_daily", *RECON):
    common.not_filtered(f, "channel", "carrier", "FC")
    recon = common.table("rpt_reconciliation_daily")
    period = common.query(f"""
        select disagreement_class,
            sum(orders_disagreeing) filter (where recon_date between ? and ?) as now_n,
            sum(orders_checked) filter (where recon_date between ? and ?) as now_d,
            sum(orders_disagreeing) filter (where recon_date between ? and ?) as prior_n,
            sum(orders_checked) filter (where recon_date between ? and ?) as prior_d
        from {recon}
        group by 1
        order by 1""", [f.start, f.end, f.start, f.end, prior_start, prior_end,
                        prior_start, prior_end])
    period = period[period["now_d"].fillna(0) > 0]
    if period.empty:
        st.info("No order was checked in these dates.")
    else:
        for col, row in zip(st.columns(len(period)), period.itertuples(index=False),
                            strict=True):
            rate = row.now_n / row.now_d
            prior = row.prior_n / row.prior_d if has_prior and row.prior_d else None
            with col.container(border=True):
                st.metric(CLASSES.get(row.disagreement_class, row.disagreement_class),
                          f"{rate:.2%}",
                          None if prior is None else f"{(rate - prior) * 100:+.2f} pp",
                          delta_color="inverse",
                          delta_description="vs prior" if prior else None,
                          help=CLASS_HELP.get(row.disagreement_class))
                st.caption(f"{int(row.now_n):,} of {int(row.now_d):,} orders disagree")
        daily = common.query(f"""
            select recon_date, disagreement_class, orders_disagreeing,
                orders_disagreeing / nullif(orders_checked, 0) as disagreement_rate
            from {recon}
            where recon_date between ? and ?
            order by 1, 2""", [f.start, f.end])
        daily["class"] = daily["disagreement_class"].map(lambda c: CLASSES.get(c, c))
        common.show(common.line_chart(
            daily, "recon_date", "disagreement_rate", color="class", percent=True,
            title="Orders disagreeing, per day placed and class (share of orders checked)",
            y_title="orders disagreeing / checked"))
        fig = common.bar_chart(
            daily, "recon_date", "orders_disagreeing", color="class",
            title="Orders disagreeing per day placed, stacked by class", y_title="orders")
        common.show(fig.update_xaxes(type="date"))
        st.caption("An order can disagree in more than one class; each class counts it "
                   "once. Cancelled orders are not checked.")
else:
    common.placeholder("Three-way CRM, OMS and carrier deltas per day",
                       ["rpt_reconciliation_daily"])

st.subheader("Inventory: storefront against WMS")
if common.has("rpt_inventory_reconciliation", *INVENTORY):
    common.not_filtered(f, "channel", "carrier")
    inventory = common.table("rpt_inventory_reconciliation")
    target = common.kpi_targets().get("inventory_variance")
    # the FC filter applies to every inventory figure; dates are added per query
    fcs, fc_params = common.predicate(f, fc_col="fc_id")
    totals = common.query(f"""
        select
            sum(absolute_variance) filter (where snapshot_date between ? and ?)
                / nullif(sum(wms_available_qty)
                    filter (where snapshot_date between ? and ?), 0) as variance,
            sum(absolute_variance) filter (where snapshot_date between ? and ?)
                / nullif(sum(wms_available_qty)
                    filter (where snapshot_date between ? and ?), 0) as prior_variance,
            avg(case when is_mismatch then 1.0 else 0.0 end)
                filter (where snapshot_date between ? and ?) as mismatch_share,
            count(*) filter (where is_oversell_risk and snapshot_date between ? and ?)
                as oversell_rows,
            max(snapshot_date) filter (where snapshot_date between ? and ?) as latest
        from {inventory}
        where {fcs}""", [f.start, f.end] * 2 + [prior_start, prior_end] * 2
        + [f.start, f.end] * 3 + fc_params).iloc[0]
    if totals["latest"] is None or totals["variance"] != totals["variance"]:
        st.info("No inventory snapshot in these dates.")
    else:
        prior = totals["prior_variance"] if has_prior else None
        cards = st.columns(3)
        with cards[0]:
            common.kpi_tile("inventory_variance", float(totals["variance"]),
                            None if prior is None else float(prior), target=target,
                            compared_with="vs prior")
        with cards[1]:
            common.card("SKU-days that disagree", f"{totals['mismatch_share']:.2%}",
                        "Share of FC and SKU snapshots",
                        help="Snapshot rows (day, FC, SKU) where storefront and WMS "
                             "available quantities differ.")
        with cards[2]:
            common.card("Oversell risk", f"{int(totals['oversell_rows']):,}",
                        "FC and SKU snapshots where the storefront shows more than the WMS",
                        help="Snapshot rows where the storefront sells stock the WMS does "
                             "not have.")
        by_day = common.query(f"""
            select snapshot_date,
                sum(absolute_variance) / nullif(sum(wms_available_qty), 0) as variance
            from {inventory}
            where snapshot_date between ? and ? and {fcs}
            group by 1
            order by 1""", [f.start, f.end, *fc_params])
        by_fc = common.query(f"""
            select fc_id, sum(absolute_variance) / nullif(sum(wms_available_qty), 0)
                as variance
            from {inventory}
            where snapshot_date between ? and ? and {fcs}
            group by 1
            order by 2 desc""", [f.start, f.end, *fc_params])
        # one FC picked: its daily trend says it all; a one-bar chart and a one-row grid
        # would only repeat it
        several = len(by_fc) > 1
        trend_col, fc_col = st.columns([3, 2]) if several else (st.container(), None)
        with trend_col:
            common.show(common.line_chart(
                by_day, "snapshot_date", "variance", percent=True, clip_outliers=True,
                title="Inventory variance per day"
                      + (f", {common.listing(f.fcs)}" if f.fcs else ", all FCs"),
                y_title="|storefront - WMS| / WMS available",
                target=target.value if target else None))
        if fc_col is not None:
            with fc_col:
                common.show(common.bar_chart(
                    by_fc, "fc_id", "variance", horizontal=True, percent=True, text=True,
                    title="Inventory variance by FC, whole date range",
                    y_title="|storefront - WMS| / WMS available", x_title="FC",
                    target=target.value if target else None))
            by_week = common.query(f"""
                select cast(date_trunc('week', snapshot_date) as date) as week, fc_id,
                    sum(absolute_variance) / nullif(sum(wms_available_qty), 0)
                        as variance,
                    count(distinct snapshot_date) as days
                from {inventory}
                where snapshot_date between ? and ? and {fcs}
                group by 1, 2""", [f.start, f.end, *fc_params])
            if common.spans_weeks(f):
                # a week the range touches for a day or two is noise, as on the Overview
                by_week = by_week[by_week["days"] >= common.MIN_WEEK_DAYS]
            if by_week["week"].nunique() > 1:
                order = {fc: i for i, fc in enumerate(by_fc["fc_id"])}
                by_week["rank"] = by_week["fc_id"].map(order)
                common.show(common.heatmap(
                    by_week.sort_values(["rank", "week"]), "week", "fc_id", "variance",
                    title="Inventory variance by FC and week (week starting)",
                    target=target.value if target else None, higher_is_better=False,
                    x_label=lambda w: f"{w:%d %b}", text_format=".2%"))
                st.caption("Green is under the variance target, red over it; FCs worst "
                           "first.")
        latest = totals["latest"]
        worst = common.query(f"""
            select fc_id, sku, wms_available_qty, storefront_available_qty,
                storefront_available_qty - wms_available_qty as storefront_minus_wms,
                is_oversell_risk
            from {inventory}
            where snapshot_date = ? and is_mismatch and {fcs}
            order by is_oversell_risk desc, absolute_variance desc, fc_id, sku
            limit {WORST_SKUS}""", [latest, *fc_params])
        st.markdown(f"**Largest disagreements on the latest snapshot ({latest:%Y-%m-%d})**")
        if worst.empty:
            st.success("Storefront and WMS agree on every SKU in the latest snapshot.")
        else:
            st.dataframe(worst, hide_index=True, width="stretch", column_config={
                "fc_id": "FC", "sku": "SKU",
                "wms_available_qty": st.column_config.NumberColumn("WMS available"),
                "storefront_available_qty": st.column_config.NumberColumn(
                    "storefront available"),
                "storefront_minus_wms": st.column_config.NumberColumn(
                    "storefront - WMS"),
                "is_oversell_risk": st.column_config.CheckboxColumn("oversell risk"),
            })
else:
    common.placeholder("Inventory reconciliation variance", ["rpt_inventory_reconciliation"])
