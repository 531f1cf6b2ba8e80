"""Promo feasibility: the delivery promises marketing made that the lanes could not keep.

A promo's delivery claim ("2-day delivery") replaces the service level's promise when it is
shorter (DECISIONLOG, "The promise"). It is missed when no lane from an eligible FC to the
destination can meet it (marketing promised the impossible), or when the order arrived
after the claim's date. The tiles and the per-promo and per-FC charts count orders from
`fct_orders` by day placed, honouring every filter; the campaign table is
`rpt_promo_feasibility` as built, one row per promo.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import common

ORDER_COLUMNS = ("promo_code", "placed_at", "is_cancelled", "is_claim_applied",
                 "has_infeasible_claim", "is_delivered", "delivered_date_local",
                 "claim_delivery_date", "channel", "carrier", "fc_id")
MART_COLUMNS = ("promo_code", "delivery_claim", "claim_business_days", "eligible_fcs",
                "starts_at", "ends_at", "fastest_lane_days", "slowest_lane_days",
                "is_claim_feasible_everywhere", "out_of_stock_days", "orders",
                "infeasible_claim_orders", "claim_mismatch_rate")
KPI = "promo_fulfillment_mismatch_rate"
# Why a claim order missed, as the KPI counts it: an impossible claim first, else lateness.
MISSED = {"infeasible": "no lane could meet the claim",
          "late": "delivered after the claim's date"}
NO_FC = "(no FC)"
# The campaign table: what a reader needs to judge a campaign, narrow enough to fit.
CAMPAIGN_TABLE = ("promo_code", "delivery_claim", "runs", "fastest_lane_days",
                  "slowest_lane_days", "is_claim_feasible_everywhere", "out_of_stock_days",
                  "orders", "infeasible_claim_orders", "claim_mismatch_rate")
MISSED_COLORS = {MISSED["infeasible"]: "#9467bd", MISSED["late"]: "#ff7f0e"}


def count(label: str, fmt: str = "localized") -> st.column_config.NumberColumn:
    """A number column of the campaign table."""
    return st.column_config.NumberColumn(label, format=fmt)


f = common.page_frame(
    "Promo feasibility",
    "Which delivery promises marketing made that the fulfilment centres and carrier lanes "
    "could not keep. A promo's claim replaces the service level's promise when it is "
    "shorter; it is missed when no eligible lane can meet it or the order arrives late.")

if not common.has("fct_orders", *ORDER_COLUMNS):
    common.placeholder("Promo claims kept and missed", ["fct_orders"])
    st.stop()

orders = common.table("fct_orders")
scope, params = common.predicate(f, date_col="placed_at", channel_col="channel",
                                 carrier_col="carrier", fc_col="fc_id")
# The KPI's formula (macros/kpis.sql): over non-cancelled promo orders, those under an
# applied claim that no lane could meet or that arrived after the claim's date.
MEASURES = """
    count(*) as promo_orders,
    count(*) filter (where is_claim_applied) as claim_orders,
    count(*) filter (where is_claim_applied and has_infeasible_claim) as infeasible,
    count(*) filter (where is_claim_applied and not has_infeasible_claim
                     and delivered_date_local > claim_delivery_date) as late"""
PROMO_ORDERS = "promo_code is not null and not is_cancelled"
by_promo_fc = common.query(f"""
    select promo_code, coalesce(fc_id, '{NO_FC}') as fc_id, {MEASURES}
    from {orders}
    where {PROMO_ORDERS} and {scope}
    group by 1, 2""", params)

if by_promo_fc.empty:
    st.info("No order with a promo code was placed in these dates for these filters.")
    st.stop()

targets = common.kpi_targets()
target = targets.get(KPI)
totals = by_promo_fc[["promo_orders", "claim_orders", "infeasible", "late"]].sum()
missed = totals["infeasible"] + totals["late"]

cards = st.columns(4)
with cards[0]:
    common.kpi_tile(KPI, missed / totals["promo_orders"], target=target)
with cards[1]:
    common.card("Promo orders", f"{int(totals['promo_orders']):,}",
                f"{int(totals['claim_orders']):,} of them under a delivery claim",
                help="Non-cancelled orders placed in the date range with a promo code.")
with cards[2]:
    common.card("Claim no lane could meet", f"{int(totals['infeasible']):,}",
                "Orders promised faster than their lane ships",
                help="Claim orders whose FC-to-destination lane takes longer than the "
                     "claim at its fastest: marketing promised the impossible.")
with cards[3]:
    common.card("Claim missed in transit", f"{int(totals['late']):,}",
                "Feasible claims delivered after the claim's date",
                help="Claim orders a lane could have met, delivered late.")

st.subheader("Which promos broke their promise")
by_promo = by_promo_fc.groupby("promo_code", as_index=False)[
    ["promo_orders", "claim_orders", "infeasible", "late"]].sum()
by_promo = by_promo[by_promo["claim_orders"] > 0]
no_claim = sorted(set(by_promo_fc["promo_code"]) - set(by_promo["promo_code"]))
if by_promo.empty:
    st.success("No promo in these dates made a delivery claim.")
else:
    by_promo["missed"] = (by_promo["infeasible"] + by_promo["late"]) / by_promo["promo_orders"]
    by_promo = by_promo.sort_values(["missed", "promo_code"], ascending=[False, True])
    long = by_promo.melt(id_vars=["promo_code", "promo_orders"],
                         value_vars=["infeasible", "late"], var_name="why",
                         value_name="orders")
    long["share"] = long["orders"] / long["promo_orders"]
    long["why"] = long["why"].map(MISSED)
    common.show(common.bar_chart(
        long, "promo_code", "share", color="why", horizontal=True, percent=True,
        colors=MISSED_COLORS, target=target.value if target else None,
        title="Promo orders that missed their delivery claim, worst promo first",
        y_title="share of the promo's orders placed in the date range", x_title="promo"))
    st.caption("Purple: a claim no lane from the FC could meet, a marketing promise the "
               "network cannot keep. Orange: a feasible claim delivered late."
               + (f" Promos without a delivery claim: {', '.join(no_claim)}." if no_claim
                  else ""))
    # orders that never reached the OMS have no FC and no promise: not an FC's miss
    cells = by_promo_fc[by_promo_fc["promo_code"].isin(by_promo["promo_code"])
                        & (by_promo_fc["fc_id"] != NO_FC)].copy()
    cells["missed"] = (cells["infeasible"] + cells["late"]) / cells["promo_orders"]
    rank = {code: i for i, code in enumerate(by_promo["promo_code"])}
    cells = cells.sort_values(["promo_code", "fc_id"],
                              key=lambda c: c.map(rank) if c.name == "promo_code" else c)
    fig = common.heatmap(cells, "fc_id", "promo_code", "missed", higher_is_better=False,
                         target=target.value if target else None,
                         title="Which FC could not keep which promo: share of the promo's "
                               "orders from that FC that missed the claim")
    if cells["fc_id"].nunique() > 1:  # one FC: the bars above already say it all
        common.show(fig.update_xaxes(tickangle=0))
        st.caption("A blank cell is an FC that did not ship that promo; red is over the "
                   "target, green under it. A red cell is either an eligible FC whose "
                   "lanes are too slow for the claim, or an FC outside the promo's "
                   "eligible list that the OMS routed its orders to. Orders that never "
                   "reached the OMS have no FC and are left out of this grid.")

st.subheader("Campaigns: the claim against the lanes")
if not common.has("rpt_promo_feasibility", *MART_COLUMNS):
    common.placeholder("Each campaign's claim against its lanes", ["rpt_promo_feasibility"])
    st.stop()
common.not_filtered(f, "channel", "carrier")
# campaigns that ran in the date range; with an FC filter, those that ship from it
fc_match = " or ".join(["'|' || eligible_fcs || '|' like ?"] * len(f.fcs)) or "true"
campaigns = common.query(f"""
    select {', '.join(MART_COLUMNS)}
    from {common.table('rpt_promo_feasibility')}
    where cast(starts_at as date) <= ? and cast(ends_at as date) >= ? and ({fc_match})
    order by claim_business_days is null, claim_mismatch_rate desc, promo_code""",
    [f.end, f.start, *[f"%|{fc}|%" for fc in f.fcs]])
claims = campaigns[campaigns["claim_business_days"].notna()
                   & campaigns["fastest_lane_days"].notna()]
if campaigns.empty:
    st.info("No campaign ran in these dates" + (" from these FCs." if f.fcs else "."))
    st.stop()
if not claims.empty:
    fig = go.Figure()
    labels = [f"{r.promo_code} · {r.delivery_claim}" for r in claims.itertuples()]
    # a bar from the fastest to the slowest lane; a hair wider so equal ends still show
    fig.add_trace(go.Bar(
        x=claims["slowest_lane_days"] - claims["fastest_lane_days"] + 0.15,
        base=claims["fastest_lane_days"] - 0.075, y=labels, orientation="h",
        name="eligible lanes: fastest to slowest", marker_color="#c7c7c7", width=0.35,
        customdata=claims[["fastest_lane_days", "slowest_lane_days"]].to_numpy(),
        hovertemplate="%{y}: lanes take %{customdata[0]} to %{customdata[1]} business "
                      "days at best<extra></extra>"))
    feasible = claims["is_claim_feasible_everywhere"].fillna(True).astype(bool)
    for ok, name, colour in ((True, "claim: every lane can meet it", "#2ca02c"),
                             (False, "claim: some lanes cannot meet it",
                              common.TARGET_COLOR)):
        part = claims[feasible == ok]
        fig.add_trace(go.Scatter(
            x=part["claim_business_days"],
            y=[label for label, keep in zip(labels, feasible == ok, strict=True) if keep],
            mode="markers", name=name,
            marker={"size": 14, "color": colour, "symbol": "diamond",
                    "line": {"width": 1, "color": "white"}},
            hovertemplate="%{y}: claims %{x} business days<extra></extra>"))
    longest = float(claims[["slowest_lane_days", "claim_business_days"]].max().max())
    fig.update_xaxes(title_text="business days (claim; lanes' minimum transit)", dtick=1,
                     range=[0.5, longest + 0.5])
    fig.update_yaxes(type="category", autorange="reversed")
    fig.update_layout(
        title={"text": "Delivery claim against the eligible lanes' minimum transit",
               "font": {"size": 16}},
        height=max(300, 110 + 34 * len(claims)), barmode="overlay",
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.25})
    common.show(fig)
    st.caption("A red diamond left of the grey bar's right end is a claim faster than some "
               "lane from an eligible FC to an eligible region can ship: orders on that "
               "lane cannot keep the promise, whatever the carrier does.")
campaigns["runs"] = [f"{s:%d %b} to {e:%d %b %Y}"
                     for s, e in zip(campaigns["starts_at"], campaigns["ends_at"], strict=True)]



st.dataframe(
    campaigns[[*CAMPAIGN_TABLE]],
    hide_index=True, width="stretch", column_config={
        "promo_code": "promo", "delivery_claim": "claim",
        "runs": "runs (UTC)",
        "fastest_lane_days": count("fastest lane", "%d"),
        "slowest_lane_days": count("slowest lane", "%d"),
        "is_claim_feasible_everywhere": st.column_config.CheckboxColumn(
            "all lanes can"),
        "out_of_stock_days": count("out-of-stock days", "%d"),
        "orders": count("orders"),
        "infeasible_claim_orders": count("impossible"),
        "claim_mismatch_rate": count("missed", "percent"),
    })
st.caption("Whole campaigns as `rpt_promo_feasibility` reports them (every order of the "
           "campaign, not only those in the date range): the date range picks the "
           "campaigns that ran in it, the FC filter those that ship from the chosen FCs. "
           "Lanes: business days of minimum transit from an eligible FC to an eligible "
           "region. Impossible: orders under a claim no lane could meet. Missed: the "
           "share of the campaign's orders that missed the claim. Out-of-stock days: days "
           "the campaign ran while a promoted SKU had no stock anywhere.")
