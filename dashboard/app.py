"""order_truth leadership dashboard (entry point for `streamlit run`)."""

from __future__ import annotations

import streamlit as st

from order_truth import warehouse

st.set_page_config(page_title="order_truth", layout="wide")
st.title("order_truth: did we keep the promise?")

if not warehouse.warehouse_path().exists():
    st.info("No published warehouse yet. Run `order-truth build` (or `make demo`) first.")
    st.stop()

manifest = warehouse.manifest() or {}
st.caption(f"Built {manifest.get('built_at', '?')} from data as of {manifest.get('data_as_of')}")
counts = manifest.get("row_counts", {})
cols = st.columns(max(len(counts), 1))
for col, (name, n) in zip(cols, sorted(counts.items()), strict=False):
    col.metric(name, f"{n:,}")
