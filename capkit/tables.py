"""HTML for a Plan: headline figures, the load table, the cost by component, notes.

Shared by the live planner (ipywidgets HTML) and the static views and reports. Each element
carries a ``capkit-*`` class so pages can be styled and tested.
"""

from __future__ import annotations

import html
import math

from capkit.plan import Plan

STATUS_COLOURS = {"ok": "#d9f2d9", "watch": "#ffe8a8", "act": "#f8c4c4"}

CSS = """
<style>
.capkit-headline { display: flex; flex-wrap: wrap; gap: 10px; margin: 6px 0 10px 0; }
.capkit-figure { border: 1px solid #ddd; border-radius: 6px; padding: 6px 12px; min-width: 120px; }
.capkit-figure .label { font-size: 11px; color: #555; text-transform: uppercase; }
.capkit-figure .value { font-size: 20px; font-weight: 600; }
.capkit-table { border-collapse: collapse; font-size: 12px; }
.capkit-table th, .capkit-table td { border-bottom: 1px solid #eee; padding: 2px 8px; text-align: right; }
.capkit-table td.text, .capkit-table th.text { text-align: left; }
.capkit-error { color: #b00020; font-size: 12px; }
.capkit-unit { color: #555; font-size: 12px; }
</style>
"""


# --- formatting (shared by the widgets, static output and the browser test) -----------------
def money(x: float | None) -> str:
    """USD for a headline: cents below $100, whole dollars above; 'n/a' when undefined."""
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"${x:,.2f}" if abs(x) < 100 else f"${x:,.0f}"


def count(x: float | None) -> str:
    """A count of users or units; 'never' when unbounded."""
    if x is None or not math.isfinite(x):
        return "never"
    return f"{x:,.0f}" if abs(x) >= 10 else f"{x:,.3g}"


def headline_figures(plan: Plan) -> dict[str, str]:
    """The headline figures as displayed, keyed by the CSS class of their element."""
    s = plan.summary
    b = s["bottleneck"]
    return {
        "monthly-cost": money(s["monthly_cost_usd"]),
        "cost-per-user": "n/a" if s["cost_per_user_usd"] is None else f"${s['cost_per_user_usd']:.4f}",
        "paying-users": count(s["paying_users"]),
        "revenue": money(s["revenue_usd"]),
        "margin": "n/a" if s["margin"] is None else f"{s['margin']:.1%}",
        "bottleneck": "none" if b is None else f"{b['component']}.{b['metric']}",
        "max-users": count(s["max_users"]),
    }


LABELS = {
    "monthly-cost": "Monthly cost",
    "cost-per-user": "Cost per user",
    "paying-users": "Paying users",
    "revenue": "Revenue after fees",
    "margin": "Margin",
    "bottleneck": "Bottleneck",
    "max-users": "Bites at users",
}


def headline_html(plan: Plan) -> str:
    cells = "".join(
        f'<div class="capkit-figure"><div class="label">{LABELS[k]}</div>'
        f'<div class="value capkit-{k}">{html.escape(v)}</div></div>'
        for k, v in headline_figures(plan).items()
    )
    return f'<div class="capkit-headline">{cells}</div>'


def load_html(plan: Plan) -> str:
    """The load table; each utilization cell coloured by its status."""
    rows = []
    for r in plan.load.itertuples():
        u = f"{r.utilization:.1%}" if math.isfinite(r.utilization) else "inf"
        rows.append(
            f'<tr><td class="text">{r.component}</td><td class="text">{r.metric}</td><td>{count(r.demand)}</td>'
            f'<td>{count(r.limit)}</td><td class="text">{html.escape(r.unit)}</td>'
            f'<td class="capkit-status-{r.status}" style="background:{STATUS_COLOURS[r.status]}">{u}</td>'
            f'<td>{count(r.max_users)}</td><td class="text">{r.status}</td>'
            f'<td class="text">{r.kind.replace("_", " ")}</td></tr>'
        )
    head = (
        "<tr><th class='text'>component</th><th class='text'>metric</th><th>demand</th><th>limit</th>"
        "<th class='text'>unit</th><th>utilization</th><th>max users</th><th class='text'>status</th>"
        "<th class='text'>limit kind</th></tr>"
    )
    return f'<table class="capkit-table capkit-load">{head}{"".join(rows)}</table>'


def components_html(plan: Plan) -> str:
    """Component list with monthly cost and each billed item."""
    costs = plan.component_costs()
    rows = []
    for cid, total in costs.items():
        items = plan.cost[plan.cost["component"] == cid]
        detail = "; ".join(f"{r.item} {money(r.cost_usd)}" for r in items.itertuples())
        rows.append(
            f'<tr><td class="text capkit-component">{cid}</td><td>{money(total)}</td>'
            f'<td class="text">{html.escape(detail)}</td></tr>'
        )
    head = "<tr><th class='text'>component</th><th>USD/month</th><th class='text'>billed items</th></tr>"
    return f'<table class="capkit-table capkit-components">{head}{"".join(rows)}</table>'


def notes_html(plan: Plan) -> str:
    return "".join(f"<div class='capkit-unit'>{html.escape(n)}</div>" for n in plan.notes)
