"""HTML for a Plan: headline figures, the load table, the cost by component, notes.

Shared by the live planner (ipywidgets HTML) and the static views and reports. Each element
carries a ``capkit-*`` class so pages can be styled and tested.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from capkit.plan import Plan

STATUS_COLOURS = {
    "ok": "#d9f2d9",
    "watch": "#ffe8a8",
    "act": "#f8c4c4",
    "over": "#d62728",  # past a hard limit: red, with white text
    "free": "#eef3f8",
    "billed": "#d6e4f0",
}

#: What each kind of limit means, in the tables.
KIND_WORDS = {
    "quota": "provider quota",
    "plan": "plan limit",
    "free_tier": "free allowance (billed past it, not a limit)",
}

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
.capkit-status-over { color: #fff; font-weight: 600; }
.capkit-answer { font-size: 15px; margin: 4px 0; }
.capkit-answer .capkit-over-limits { color: #b00020; font-weight: 600; }
.capkit-answer-line { font-size: 13px; color: #333; margin: 2px 0; }
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


def per_user(x: float | None) -> str:
    """USD per user to the hundredth of a cent; 'n/a' when undefined (no users)."""
    return "n/a" if x is None or not math.isfinite(x) else f"${x:.4f}"


def share(x: float | None, undefined: str = "n/a") -> str:
    """A share as a percentage to a tenth (a margin); ``undefined`` when there is none."""
    return undefined if x is None or not math.isfinite(x) else f"{x:.1%}"


def headline_figures(plan: Plan) -> dict[str, str]:
    """The headline figures as displayed, keyed by the CSS class of their element."""
    s = plan.summary
    b = s["bottleneck"]
    return {
        "monthly-cost": money(s["monthly_cost_usd"]),
        "cost-per-user": per_user(s["cost_per_user_usd"]),
        "paying-users": count(s["paying_users"]),
        "revenue": money(s["revenue_usd"]),
        "margin": share(s["margin"]),
        "bottleneck": "none" if b is None else metric_label(plan, b["component"], b["metric"]),
        "max-users": count(s["max_users"]),
    }


def metric_label(plan: Plan, component: str, metric: str) -> str:
    """The readable label of one of the plan's metrics."""
    rows = plan.load[(plan.load["component"] == component) & (plan.load["metric"] == metric)]
    return str(rows["label"].iloc[0]) if len(rows) else f"{component}.{metric}"


LABELS = {
    "monthly-cost": "Monthly cost",
    "cost-per-user": "Cost per user",
    "paying-users": "Paying users",
    "revenue": "Revenue after fees",
    "margin": "Margin",
    "bottleneck": "Next limit",
    "max-users": "Bites at users",
}


def configuration_text(configuration: Mapping[str, Mapping[str, Any]]) -> str:
    """``render_web: pro x 13, 8 processes; postgres: pro_16gb, 50 GB disk`` from a configuration."""
    parts = []
    for cid, option in configuration.items():
        words = []
        for k, v in option.items():
            if k == "instances":
                words.append(f"{v:,.0f} instance{'s' if v != 1 else ''}")
            elif k == "processes_per_instance":
                words.append(f"{v:,.0f} process{'es' if v != 1 else ''} each")
            elif k == "disk_gb":
                words.append(f"{v:,.0f} GB disk")
            elif k == "concurrency_limit":
                words.append(f"concurrency quota {v:,.0f}")
            elif k == "read_replicas":
                if v:
                    words.append(f"{v:,.0f} read replica{'s' if v != 1 else ''}")
            else:
                words.append(str(v).replace("_", "-") if k == "mode" else str(v))
        parts.append(f"{cid}: {', '.join(words)}")
    return "; ".join(parts) or "nothing to choose"


def limits_text(plan: Plan) -> str:
    """The limits a plan does not keep, each with its levers: one sentence each."""
    out = []
    for limit in plan.limits:
        u = limit["utilization"]
        text = f"{limit['label']} at {'unbounded' if u is None else f'{u:.0%}'} of its limit"
        top = limit.get("ceiling")
        if top:
            text += (
                f", already the largest the provider offers ({count(top['limit'])} {top['unit']}, "
                f"{top['key']}: {top['source']})"
            )
        if limit["levers"]:
            moves = " or ".join(
                f"{x['assumption']} from {x['now']:,.4g} to about {x['fits_at']:,.3g} {x['unit']}"
                for x in limit["levers"]
            )
            text += f"; would fit with {moves}"
        else:
            text += "; no assumption of this stack moves it"
        out.append(text)
    return "; ".join(out)


def answer_parts(plan: Plan, who: str = "users") -> tuple[tuple[str, str, str, str], list[tuple[str, str, str]]]:
    """The answer first, in pieces the terminal and the pages both lay out: the head as (its
    lead, the text between it and the figure, the figure, the text after) and then lines of
    (key, label, text): the
    plans unfit for a paying product, the configuration, the actions and where no option fits
    (right-sized), or the limits the stack as written is over. ``who`` names the users."""
    users = f"{count(plan.workload['users'])} {who}"
    cost = f"{money(plan.summary['monthly_cost_usd'])}/month"
    lines = [("unfit", "not for a paying product", u) for u in plan.unfit]
    if plan.sizing == "right-sized":
        hobby = " (hobby plans allowed)" if plan.allow_hobby else ""
        head = (f"Cost to serve {users}", ": ", cost, f", right-sized{hobby}")
        lines.append(("configuration", "configuration", configuration_text(plan.configuration)))
        lines.append(("actions", "actions", "; ".join(plan.actions)))
        if not plan.fits:
            lines.append(("no-fit", "no option fits", limits_text(plan)))
        return head, lines
    if plan.fits:
        lines.append(("configuration", "configuration", configuration_text(plan.configuration)))
        return (f"Cost to serve {users}", ": ", cost, ", as configured (no hard limit over 100 %)"), lines
    first = plan.limits[0]
    head = (
        f"Over its limits at {users}: {first['label']}",
        f" at {first['utilization']:.0%}; ",
        cost,
        " as configured",
    )
    lines.append(("over", "over", "; ".join(f"{x['label']} {x['utilization']:.0%}" for x in plan.limits)))
    return head, lines


def answer_html(plan: Plan) -> str:
    """:func:`answer_parts` as the pages show it: the figure in bold, a line each."""
    (lead, between, figure, after), lines = answer_parts(plan)
    lead = html.escape(lead)
    if plan.sizing != "right-sized" and not plan.fits:
        lead = f"<span class='capkit-over-limits'>{lead}</span>"
    head = (
        f"<div class='capkit-cost-to-serve'>{lead}{html.escape(between)}<b>{html.escape(figure)}</b>"
        f"{html.escape(after)}</div>"
    )
    body = "".join(
        f"<div class='capkit-answer-line capkit-{key}'>{html.escape(label[:1].upper() + label[1:])}: "
        f"{html.escape(text)}</div>"
        for key, label, text in lines
    )
    return f"<div class='capkit-answer capkit-sizing-{plan.sizing}'>{head}{body}</div>"


def headline_html(plan: Plan) -> str:
    cells = "".join(
        f'<div class="capkit-figure"><div class="label">{LABELS[k]}</div>'
        f'<div class="value capkit-{k}">{html.escape(v)}</div></div>'
        for k, v in headline_figures(plan).items()
    )
    return answer_html(plan) + f'<div class="capkit-headline">{cells}</div>'


def load_html(plan: Plan) -> str:
    """The load table; each utilization cell coloured by its status (over: red)."""
    rows = []
    for r in plan.load.itertuples():
        u = f"{r.utilization:.1%}" if math.isfinite(r.utilization) else "inf"
        rows.append(
            f'<tr class="capkit-row-{r.status}"><td class="text" title="{r.component}.{r.metric}">'
            f"{html.escape(r.label)}</td><td>{count(r.demand)}</td>"
            f'<td>{count(r.limit)}</td><td class="text">{html.escape(r.unit)}</td>'
            f'<td class="capkit-status-{r.status}" style="background:{STATUS_COLOURS[r.status]}">{u}</td>'
            f'<td>{count(r.max_users)}</td><td class="text">{r.status}</td>'
            f'<td class="text">{KIND_WORDS[r.kind]}</td></tr>'
        )
    head = (
        "<tr><th class='text'>limit</th><th>demand</th><th>limit</th>"
        "<th class='text'>unit</th><th>utilization</th><th>max users</th><th class='text'>status</th>"
        "<th class='text'>limit kind</th></tr>"
    )
    return f'<table class="capkit-table capkit-load">{head}{"".join(rows)}</table>'


def components_html(plan: Plan) -> str:
    """Component list with monthly cost and each billed item."""
    items: dict[str, list[str]] = {}
    totals: dict[str, float] = {}
    for cid, item, cost in zip(plan.cost["component"], plan.cost["item"], plan.cost["cost_usd"], strict=True):
        items.setdefault(cid, []).append(f"{item} {money(cost)}")
        totals[cid] = totals.get(cid, 0.0) + cost
    rows = []
    for cid, total in totals.items():
        detail = "; ".join(items[cid])
        rows.append(
            f'<tr><td class="text capkit-component" title="{cid}">{html.escape(plan.names.get(cid, cid))}</td>'
            f"<td>{money(total)}</td>"
            f'<td class="text">{html.escape(detail)}</td></tr>'
        )
    head = "<tr><th class='text'>component</th><th>USD/month</th><th class='text'>billed items</th></tr>"
    return f'<table class="capkit-table capkit-components">{head}{"".join(rows)}</table>'


def cost_shown(plan: Plan) -> pd.DataFrame:
    """Every billed item as displayed (CLI text and report): its label, quantity, unit, free
    allowance, unit price and monthly cost in USD with cents."""
    cost = plan.cost
    return cost.assign(
        quantity=cost["quantity"].map(count),
        free=cost["free"].map(count),
        unit_price=cost["unit_price"].map(lambda x: f"{x:.6g}"),
        cost_usd=cost["cost_usd"].map(lambda x: f"{x:,.2f}"),
    )[["label", "quantity", "unit", "free", "unit_price", "cost_usd"]]


def notes_html(plan: Plan) -> str:
    return "".join(f"<div class='capkit-unit'>{html.escape(n)}</div>" for n in plan.notes)
