"""Reconciliation: the nightly three-way check of CRM, OMS and carrier, and stock variance."""

from __future__ import annotations

import streamlit as st

import common

common.page_frame(
    "Reconciliation",
    "Orders on which CRM, OMS and the carrier disagree, per disagreement class and "
    "day; storefront against WMS inventory.")

common.placeholder("Three-way CRM, OMS and carrier deltas per day",
                   ["rpt_reconciliation_daily"])
common.mart_summary("rpt_reconciliation_daily")

st.subheader("Inventory: storefront against WMS")
common.placeholder("Inventory reconciliation variance", ["rpt_inventory_reconciliation"])
common.mart_summary("rpt_inventory_reconciliation")
