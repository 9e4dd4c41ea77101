"""HTML for a Plan: headline figures, the load table, the cost by component, notes.

Shared by the live planner (ipywidgets HTML) and the static views and reports. Each element
carries a ``capkit-*`` class so pages can be styled and tested.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from capkit.labels import option_words
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
table.capkit-table { border-collapse: collapse; font-size: 12px; }
table.capkit-table td.text, table.capkit-table td.num, table.capkit-table th.text, table.capkit-table th.num {
  border-bottom: 1px solid #eee; padding: 2px 8px; vertical-align: top; line-height: 1.35;
  overflow-wrap: normal; word-break: normal; hyphens: manual; white-space: normal; }
table.capkit-table td.text, table.capkit-table th.text { text-align: left; }
table.capkit-table td.num, table.capkit-table th.num { text-align: right; white-space: nowrap; }
table.capkit-table th.text, table.capkit-table th.num { font-weight: 600; }
table.capkit-table td.text.name { white-space: nowrap; }
table.capkit-table tr.capkit-current td.text, table.capkit-table tr.capkit-current td.num {
  font-weight: 600; background: #eef3f8; }
table.capkit-table tr.capkit-behind td.text, table.capkit-table tr.capkit-behind td.num { color: #777; }
.capkit-error { color: #b00020; font-size: 12px; }
.capkit-unit { color: #555; font-size: 12px; }
.capkit-status-over { color: #fff; font-weight: 600; }
.capkit-answer { font-size: 15px; margin: 4px 0; }
.capkit-answer .capkit-over-limits { color: #b00020; font-weight: 600; }
.capkit-answer-line { font-size: 13px; color: #333; margin: 2px 0; line-height: 1.4; }
.capkit-answer-items { margin: 0 0 0 18px; padding: 0 0 0 12px; }
</style>
"""


# --- tables (one style for the terminal, the pages and the reports) --------------------------
#: A cell that reads as a number: a count, money, a share or a signed change, with an
#: optional unit word after it ("$1,234", "98.9%", "+0.0 %", "1.2e+06", "797 ms"), or a
#: word standing for a missing number.
_NUMBER = re.compile(r"^[+\-\u2212]?\$?[\d,]*\.?\d+(?:e[+\-]?\d+)?\s?(?:%|[a-zA-Z]{1,3}(?:/s)?)?$")
_NO_NUMBER = {"", "never", "n/a", "inf", "unstable", "-", "\u2014"}

#: Headers for the code names of the library's frames (other names: :func:`header_text`).
HEADERS = {
    "users_from": "from users",
    "users_to": "to users",
    "cost_from_usd": "cost from (USD/month)",
    "cost_to_usd": "cost to (USD/month)",
    "cost_usd": "cost (USD/month)",
    "monthly_cost_usd": "monthly cost (USD)",
    "unit_price": "unit price (USD)",
    "max_users": "max users",
    "median_ms": "median (ms)",
    "p95_ms": "95th percentile (ms)",
    "users_at_target": "users at target",
}


def header_text(name: object) -> str:
    """A column's header for people: :data:`HEADERS`, else its words with a unit suffix in
    brackets ("swing_usd" reads "swing (USD)")."""
    text = str(name)
    if text in HEADERS:
        return HEADERS[text]
    words = text.split("_")
    units = {"usd": "USD", "ms": "ms", "gb": "GB", "mb": "MB", "kb": "KB", "pct": "%", "s": "s"}
    if len(words) > 1 and words[-1] in units:
        return f"{' '.join(words[:-1])} ({units[words[-1]]})"
    return " ".join(words)


def is_number_text(value: object) -> bool:
    """Whether a cell reads as a number (see ``_NUMBER``); numbers themselves do."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return str(value).strip() in _NO_NUMBER or bool(_NUMBER.match(str(value).strip()))


def numeric_columns(frame: pd.DataFrame) -> list[str]:
    """The columns whose every cell reads as a number (and at least one is not blank):
    right-aligned in the terminal and on the pages."""
    out = []
    for c in frame.columns:
        cells = [v for v in frame[c] if not (v is None or (isinstance(v, float) and math.isnan(v)))]
        shown = [v for v in cells if str(v).strip() not in _NO_NUMBER]
        if shown and all(is_number_text(v) for v in cells):
            out.append(c)
    return out


def html_table(
    frame: pd.DataFrame,
    css: str = "",
    *,
    headers: Mapping[str, str] | None = None,
    numbers: Sequence[str] | None = None,
    names: Sequence[str] = (),
    row_classes: Sequence[str] | None = None,
) -> str:
    """``frame`` as the one HTML table style: text left, numbers right (``num``) and never
    wrapped, headers for people (``headers``, else :func:`header_text`), the ``names``
    columns (a stack, a label) kept on one line; every cell escaped."""
    right = set(numeric_columns(frame) if numbers is None else numbers)

    def kind(c: object) -> str:
        return "num" if c in right else "text name" if c in names else "text"

    head = "".join(
        f"<th class='{'num' if c in right else 'text'}'>{html.escape((headers or {}).get(c) or header_text(c))}</th>"
        for c in frame.columns
    )
    rows = []
    for i, row in enumerate(frame.itertuples(index=False)):
        cells = "".join(
            f"<td class='{kind(c)}'>{'' if _blank(v) else html.escape(str(v))}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        cls = f" class='{row_classes[i]}'" if row_classes is not None and row_classes[i] else ""
        rows.append(f"<tr{cls}>{cells}</tr>")
    return f"<table class='capkit-table {css}'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


class Shown:
    """A table in the one style, for a notebook cell (IPython calls ``_repr_html_``)."""

    def __init__(self, frame: pd.DataFrame, css: str = "", **style: Any):
        self.frame, self.css, self.style = frame, css, style

    def _repr_html_(self) -> str:
        return CSS + html_table(self.frame, self.css, **self.style)

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)


def show(frame: pd.DataFrame, css: str = "", **style: Any) -> Shown:
    """``frame`` displayed in a notebook in :func:`html_table`'s style (``style``: its
    ``headers``, ``numbers``, ``names``)."""
    return Shown(frame, css, **style)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


# --- formatting (shared by the widgets, static output and the browser test) -----------------
def money(x: float | None) -> str:
    """USD for a headline: cents below $100, whole dollars above; 'n/a' when undefined."""
    if x is None or not math.isfinite(x):
        return "n/a"
    sign = "-" if x < 0 else ""
    return f"{sign}${abs(x):,.2f}" if abs(x) < 100 else f"{sign}${abs(x):,.0f}"


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
        "max-users": bites_at(plan),
    }


def next_limit_text(plan: Plan) -> str | None:
    """The next limit and where it bites, in words: "Web CPU at 144,000 users", "Email sends
    per day, over since 1,520 users" (a stack as written already past it), "..., never
    reached"; None when no limit grows with users."""
    b = plan.summary["bottleneck"]
    if b is None:
        return None
    label, at = metric_label(plan, b["component"], b["metric"]), bites_at(plan)
    if at == "never":
        return f"{label}, never reached"
    return f"{label}, {at} users" if at.startswith("over") else f"{label} at {at} users"


def bites_at(plan: Plan) -> str:
    """Where the next limit bites: its user count, or, when the plan's users are already past
    it (a stack as written over its limits), "over since" that count."""
    users, at = plan.workload["users"], plan.summary["max_users"]
    if at is not None and math.isfinite(at) and at < users:
        return f"over since {count(at)}"
    return count(at)


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


def configuration_text(configuration: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None) -> str:
    """``Render web service: Pro, 13 instances, 8 processes each; Render Postgres: Pro 16 GB,
    50 GB disk`` from a configuration, each component by its name in ``names`` (a plan's
    ``names``; its id without) and each option in labels.yaml's words."""
    return "; ".join(configuration_parts(configuration, names)) or "nothing to choose"


def configuration_parts(
    configuration: Mapping[str, Mapping[str, Any]], names: Mapping[str, str] | None = None
) -> list[str]:
    """:func:`configuration_text`'s components, one text each."""
    return [f"{(names or {}).get(cid, cid)}: {option_text(option)}" for cid, option in configuration.items()]


def option_text(option: Mapping[str, Any]) -> str:
    """One component's options in labels.yaml's words: "Pro 16 GB, 40 GB disk"."""
    return ", ".join(w for k, v in option.items() if (w := option_words(k, v)))


def limits_text(plan: Plan) -> str:
    """The limits a plan does not keep, each with its levers: one sentence each."""
    return "; ".join(limits_parts(plan))


def limits_parts(plan: Plan) -> list[str]:
    """:func:`limits_text`'s sentences, one a limit."""
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
    return out


def answer_parts(plan: Plan, who: str = "users") -> tuple[tuple[str, str, str, str], list[tuple[str, str, list[str]]]]:
    """The answer first, in pieces the terminal and the pages both lay out: the head as (its
    lead, the text between it and the figure, the figure, the text after) and then lines of
    (key, label, items) (a page joins the items with "; ", the terminal gives each a line): the
    plans unfit for a paying product, the configuration, the actions and where no option fits
    (right-sized), or the limits the stack as written is over. ``who`` names the users."""
    users = f"{count(plan.workload['users'])} {who}"
    cost = f"{money(plan.summary['monthly_cost_usd'])}/month"
    lines = [("unfit", "not for a paying product", [u]) for u in plan.unfit]
    if plan.sizing == "right-sized":
        hobby = " (hobby plans allowed)" if plan.allow_hobby else ""
        head = (f"Cost to serve {users}", ": ", cost, f", right-sized{hobby}")
        lines.append(("configuration", "configuration", configuration_parts(plan.configuration, plan.names)))
        lines.append(("actions", "actions", list(plan.actions)))
        if not plan.fits:
            lines.append(("no-fit", "no option fits", limits_parts(plan)))
        return head, lines
    if plan.fits:
        lines.append(("configuration", "configuration", configuration_parts(plan.configuration, plan.names)))
        return (f"Cost to serve {users}", ": ", cost, ", as configured (no hard limit over 100 %)"), lines
    first = plan.limits[0]
    head = (
        f"Over its limits at {users}: {first['label']}",
        f" at {first['utilization']:.0%}; ",
        cost,
        " as configured",
    )
    lines.append(("over", "over", [f"{x['label']} {x['utilization']:.0%}" for x in plan.limits]))
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
    body = "".join(_answer_line(key, label, texts) for key, label, texts in lines)
    return f"<div class='capkit-answer capkit-sizing-{plan.sizing}'>{head}{body}</div>"


def _answer_line(key: str, label: str, texts: list[str]) -> str:
    """One line of the answer: its label, then its one item, or its items one a line."""
    head = f"{html.escape(label[:1].upper() + label[1:])}:"
    if len(texts) == 1:
        return f"<div class='capkit-answer-line capkit-{key}'>{head} {html.escape(texts[0])}</div>"
    items = "".join(f"<li>{html.escape(t)}</li>" for t in texts)
    return f"<div class='capkit-answer-line capkit-{key}'>{head}<ul class='capkit-answer-items'>{items}</ul></div>"


def headline_html(plan: Plan) -> str:
    cells = "".join(
        f'<div class="capkit-figure"><div class="label">{LABELS[k]}</div>'
        f'<div class="value capkit-{k}">{html.escape(v)}</div></div>'
        for k, v in headline_figures(plan).items()
    )
    return answer_html(plan) + f'<div class="capkit-headline">{cells}</div>'


def load_html(plan: Plan) -> str:
    """The load table (:func:`html_table`'s style); each utilization cell coloured by its
    status (over: red)."""
    rows = []
    for r in plan.load.itertuples():
        u = f"{r.utilization:.1%}" if math.isfinite(r.utilization) else "inf"
        rows.append(
            f'<tr class="capkit-row-{r.status}"><td class="text">{html.escape(r.label)}</td>'
            f'<td class="num">{count(r.demand)}</td><td class="num">{count(r.limit)}</td>'
            f'<td class="text">{html.escape(r.unit)}</td>'
            f'<td class="num capkit-status-{r.status}" style="background:{STATUS_COLOURS[r.status]}">{u}</td>'
            f'<td class="num">{count(r.max_users)}</td><td class="text">{r.status}</td>'
            f'<td class="text">{KIND_WORDS[r.kind]}</td></tr>'
        )
    head = (
        "<tr><th class='text'>limit</th><th class='num'>demand</th><th class='num'>limit</th>"
        "<th class='text'>unit</th><th class='num'>utilization</th><th class='num'>max users</th>"
        "<th class='text'>status</th><th class='text'>limit kind</th></tr>"
    )
    return f'<table class="capkit-table capkit-load"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


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
            f'<tr><td class="text name capkit-component">{html.escape(plan.names.get(cid, cid))}</td>'
            f'<td class="num">{money(total)}</td><td class="text">{html.escape(detail)}</td></tr>'
        )
    head = "<tr><th class='text'>component</th><th class='num'>USD/month</th><th class='text'>billed items</th></tr>"
    return f'<table class="capkit-table capkit-components"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>'


def cost_shown(plan: Plan) -> pd.DataFrame:
    """Every billed item as displayed (CLI text and report): its label, quantity, unit, free
    allowance, unit price and monthly cost in USD with cents."""
    cost = plan.cost
    return cost.assign(
        quantity=cost["quantity"].map(count),
        free=cost["free"].map(count),
        unit_price=cost["unit_price"].map(unit_price),
        cost_usd=cost["cost_usd"].map(lambda x: f"{x:,.2f}"),
    )[["label", "quantity", "unit", "free", "unit_price", "cost_usd"]]


def unit_price(x: float) -> str:
    """A unit price to six significant digits, never in exponent notation ("0.0000166667")."""
    return np.format_float_positional(x, precision=6, unique=True, fractional=False, trim="-")


def roadmap_shown(table: pd.DataFrame) -> pd.DataFrame:
    """A roadmap table as displayed: users and costs in words, ``fits`` as yes or no option fits."""
    return table.assign(
        users_from=table["users_from"].map(count),
        users_to=table["users_to"].map(count),
        cost_from_usd=table["cost_from_usd"].map(money),
        cost_to_usd=table["cost_to_usd"].map(money),
        fits=table["fits"].map({True: "yes", False: "no option fits"}),
    )[["users_from", "users_to", "cost_from_usd", "cost_to_usd", "actions", "configuration", "fits"]]


#: The figures of a simulation, as people read them.
FIGURE_WORDS = {"monthly_cost_usd": "monthly cost", "margin": "margin", "max_users": "users at the next limit"}


def percentiles_shown(percentiles: pd.DataFrame) -> pd.DataFrame:
    """Simulate's percentiles (rows monthly_cost_usd, margin, max_users) as displayed: money,
    a share and a count, a row each with its name in words."""
    shown = {"monthly_cost_usd": money, "margin": share, "max_users": count}
    rows = []
    for figure, values in percentiles.iterrows():
        fmt = shown.get(str(figure), lambda x: f"{x:,.4g}")
        rows.append({"figure": FIGURE_WORDS.get(str(figure), str(figure)), **{k: fmt(v) for k, v in values.items()}})
    return pd.DataFrame(rows)


def odds_shown(probability: pd.Series, labels: Mapping[str, str]) -> pd.DataFrame:
    """Simulate's bottleneck odds as displayed: each limit by its label (``labels`` maps
    ``component.metric`` to it), the share of draws where it binds first."""
    return pd.DataFrame(
        {
            "next limit": [labels.get(str(k), str(k)) for k in probability.index],
            "probability": [f"{p:.1%}" for p in probability],
        }
    )


def sensitivity_shown(table: pd.DataFrame) -> pd.DataFrame:
    """The tornado table as displayed: values to four digits, money in USD, users as counts."""
    return table.assign(
        **{c: table[c].map(lambda x: f"{x:,.4g}") for c in ("low", "likely", "high")},
        **{c: table[c].map(money) for c in ("cost_at_low_usd", "cost_at_high_usd", "cost_swing_usd")},
        **{c: table[c].map(count) for c in ("max_users_at_low", "max_users_at_high")},
    )


def notes_html(plan: Plan) -> str:
    return "".join(f"<div class='capkit-unit'>{html.escape(n)}</div>" for n in plan.notes)
