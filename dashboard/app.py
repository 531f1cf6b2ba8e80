"""order_truth leadership dashboard: the entry point for `streamlit run`.

This file sets the page config and the navigation; it runs on every page view. Each page is
a file under `views/` that starts with `common.page_frame()`, which draws the empty state
(when nothing is published), the freshness banner and the global filters. The filters keep
their values in `st.session_state` under fixed keys, so they persist across pages.

The folder is `views/`, not `pages/`: Streamlit treats a `pages/` folder beside the entry
point as a legacy page directory until the first `st.navigation` call of the server's
life, so a first visit straight to a page URL would run that page bare, with the legacy
sidebar, and AppTest would test pages the same wrong way.
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("views/overview.py", title="Overview", icon=":material/dashboard:",
            default=True),
    st.Page("views/order_accuracy.py", title="Order accuracy", icon=":material/task_alt:"),
    st.Page("views/promo_feasibility.py", title="Promo feasibility",
            icon=":material/campaign:"),
    st.Page("views/exceptions.py", title="Exceptions", icon=":material/report:"),
    st.Page("views/sync_lag.py", title="Sync lag", icon=":material/sync:"),
    st.Page("views/status_sync.py", title="Status sync", icon=":material/rule:"),
    st.Page("views/reconciliation.py", title="Reconciliation", icon=":material/balance:"),
    st.Page("views/order_lookup.py", title="Order lookup", icon=":material/search:"),
]

st.set_page_config(page_title="order_truth", page_icon=":material/local_shipping:", layout="wide")
st.navigation(PAGES).run()
