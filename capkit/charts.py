"""Altair chart builders: a Plan or a sweep table in, a chart out. No widgets here.

The same builders serve the live planner and static exports (SVG through vl-convert, which
needs no network).
"""

from __future__ import annotations

import base64
import html
import math

import altair as alt
import numpy as np
import pandas as pd

from capkit.plan import ACT_AT, WATCH_AT, Plan

WIDTH = 520
HEIGHT = 260
USERS_AXIS = alt.Axis(title="daily active users", format="~s")


def cost_by_component(plan: Plan) -> alt.Chart:
    """Monthly cost of each component, largest first, by its readable name."""
    data = plan.component_costs().rename("cost_usd").reset_index()
    data["component"] = data["component"].map(lambda cid: plan.names.get(cid, cid))
    return (
        alt.Chart(data, title="Monthly cost by component")
        .mark_bar()
        .encode(
            y=alt.Y("component:N", sort="-x", title=None),
            x=alt.X("cost_usd:Q", title="USD per month", axis=alt.Axis(format="$,.0f")),
            tooltip=[alt.Tooltip("component:N"), alt.Tooltip("cost_usd:Q", format="$,.2f", title="USD/month")],
        )
        .properties(width=WIDTH, height=max(60, 28 * len(data)))
    )


def _positive(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows a log axis can show (strictly positive values)."""
    return frame[frame[column] > 0]


def cost_and_revenue(
    table: pd.DataFrame,
    users: float | None = None,
    max_users: float | None = None,
    band: pd.DataFrame | None = None,
    as_configured: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Monthly cost and revenue against users (log axes), the current point, the bottleneck,
    and, given a ``band`` (simulate_curve), the cost's 10th to 90th percentile.

    Given ``as_configured`` (the sweep of the stack as written), ``table`` is the right-sized
    sweep: its cost steps where the configuration changes, and the stack as written is drawn
    dashed up to the users at which its first hard limit passes 100 %.
    """
    names = {"monthly_cost_usd": "monthly cost", "revenue_usd": "revenue after fees"}
    long = table.melt(id_vars="users", value_vars=list(names), var_name="series", value_name="usd")
    if as_configured is not None:
        names["monthly_cost_usd"] = "monthly cost, right-sized"
        long = long.replace({"series": {"monthly_cost_usd": names["monthly_cost_usd"]}})
        breaks = as_configured["max_users"].astype(float).fillna(np.inf).iloc[0]
        written = as_configured.loc[as_configured["users"] <= breaks, ["users", "monthly_cost_usd"]]
        long = pd.concat(
            [long, written.rename(columns={"monthly_cost_usd": "usd"}).assign(series="monthly cost, as configured")]
        )
    long["series"] = long["series"].replace(names)
    domain = [names["monthly_cost_usd"], names["revenue_usd"], "monthly cost, as configured"]
    lines = (
        alt.Chart(_positive(long, "usd"), title="Cost and revenue against users")
        .mark_line(interpolate="step-after" if as_configured is not None else "linear")
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS),
            y=alt.Y("usd:Q", scale=alt.Scale(type="log"), title="USD per month", axis=alt.Axis(format="$~s")),
            color=alt.Color(
                "series:N", title=None, scale=alt.Scale(domain=domain, range=["#d62728", "#2ca02c", "#7f7f7f"])
            ),
            strokeDash=alt.StrokeDash(
                "series:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [1, 0], [6, 4]])
            ),
            tooltip=[
                alt.Tooltip("series:N"),
                alt.Tooltip("users:Q", format=",.0f"),
                alt.Tooltip("usd:Q", format="$,.0f"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    if band is not None:
        layers.insert(
            0,
            alt.Chart(_positive(band, "p10"))
            .mark_area(opacity=0.2, color="#d62728")
            .encode(x="users:Q", y="p10:Q", y2="p90:Q"),
        )
    if users is not None and users > 0:
        here = table.iloc[(table["users"] - users).abs().argmin()]
        point = pd.DataFrame({"users": [users], "usd": [float(here["monthly_cost_usd"])], "label": ["you are here"]})
        layers.append(
            alt.Chart(_positive(point, "usd"))
            .mark_point(size=90, filled=True, color="black")
            .encode(
                x="users:Q",
                y="usd:Q",
                tooltip=[alt.Tooltip("users:Q", format=",.0f"), alt.Tooltip("usd:Q", format="$,.0f")],
            )
        )
    if max_users is not None and math.isfinite(max_users) and max_users > 0:
        rule = pd.DataFrame({"users": [max_users], "label": [f"next limit at {max_users:,.0f}"]})
        base = alt.Chart(rule)
        layers.append(base.mark_rule(strokeDash=[6, 4], color="#444").encode(x="users:Q"))
        layers.append(
            base.mark_text(align="left", dx=4, dy=-6, baseline="top", color="#444").encode(
                x="users:Q", y=alt.value(0), text="label:N"
            )
        )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def utilization_long(table: pd.DataFrame) -> pd.DataFrame:
    """Utilization columns of a sweep table as long rows: users, metric, utilization."""
    cols = [c for c in table.columns if c.startswith("utilization:")]
    long = table.melt(id_vars="users", value_vars=cols, var_name="metric", value_name="utilization")
    long["metric"] = long["metric"].str.removeprefix("utilization:")
    return long


def utilization(
    table: pd.DataFrame,
    users: float | None = None,
    floor: float = 1e-3,
    ceiling: float = 10.0,
    labels: dict[str, str] | None = None,
) -> alt.LayerChart:
    """Utilization of every metric against users; the limit (100 %) and the watch and act lines.

    The axis shows ``floor`` to ``ceiling`` (0.1 % to 1,000 %); lines beyond are clipped.
    ``labels`` names each ``component.metric`` in the legend (default: the id).
    """
    long = utilization_long(table)
    if labels:
        long["metric"] = long["metric"].map(lambda m: labels.get(m, m))
    long = long[long["utilization"] >= floor]
    lines = (
        alt.Chart(long, title="Utilization of every limit against users")
        .mark_line(clip=True)
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS),
            y=alt.Y(
                "utilization:Q",
                scale=alt.Scale(type="log", domain=[floor, ceiling]),
                title="demand / limit",
                axis=alt.Axis(format="~%"),
            ),
            color=alt.Color("metric:N", title=None, legend=alt.Legend(orient="right", labelLimit=260)),
            tooltip=[
                alt.Tooltip("metric:N"),
                alt.Tooltip("users:Q", format=",.0f"),
                alt.Tooltip("utilization:Q", format=".1%"),
            ],
        )
    )
    marks = pd.DataFrame({"y": [WATCH_AT, ACT_AT, 1.0], "what": ["watch", "act", "limit"]})
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 4])
        .encode(
            y="y:Q",
            color=alt.Color(
                "what:N",
                scale=alt.Scale(domain=["watch", "act", "limit"], range=["#e6a100", "#d62728", "#000"]),
                legend=None,
            ),
        )
    )
    layers: list[alt.Chart] = [lines, rules]
    if users is not None and users > 0:
        layers.append(alt.Chart(pd.DataFrame({"users": [users]})).mark_rule(color="#888").encode(x="users:Q"))
    return alt.layer(*layers).resolve_scale(color="independent").properties(width=WIDTH, height=HEIGHT)


def compare_costs(tables: dict[str, pd.DataFrame], users: float | None = None) -> alt.LayerChart:
    """Monthly cost against users, one line per stack."""
    frames = [t[["users", "monthly_cost_usd"]].assign(stack=name) for name, t in tables.items()]
    data = _positive(pd.concat(frames, ignore_index=True), "monthly_cost_usd")
    lines = (
        alt.Chart(data, title="Monthly cost against users, by stack")
        .mark_line()
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS),
            y=alt.Y(
                "monthly_cost_usd:Q", scale=alt.Scale(type="log"), title="USD per month", axis=alt.Axis(format="$~s")
            ),
            color=alt.Color("stack:N", title=None),
            tooltip=[
                alt.Tooltip("stack:N"),
                alt.Tooltip("users:Q", format=",.0f"),
                alt.Tooltip("monthly_cost_usd:Q", format="$,.0f", title="USD/month"),
            ],
        )
    )
    layers: list[alt.Chart] = [lines]
    if users is not None and users > 0:
        layers.append(alt.Chart(pd.DataFrame({"users": [users]})).mark_rule(color="#888").encode(x="users:Q"))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def cost_band(band: pd.DataFrame, users: float | None = None) -> alt.LayerChart:
    """The monthly cost's 10th to 90th percentile band and median against users (simulate)."""
    base = alt.Chart(_positive(band, "p10"), title="Monthly cost with uncertainty (10th to 90th percentile)")
    x = alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS)
    y_scale = alt.Scale(type="log")
    area = base.mark_area(opacity=0.25, color="#d62728").encode(
        x=x, y=alt.Y("p10:Q", scale=y_scale, title="USD per month", axis=alt.Axis(format="$~s")), y2="p90:Q"
    )
    line = base.mark_line(color="#d62728").encode(
        x=x,
        y=alt.Y("p50:Q", scale=y_scale),
        tooltip=[
            alt.Tooltip("users:Q", format=",.0f"),
            alt.Tooltip("p10:Q", format="$,.0f"),
            alt.Tooltip("p50:Q", format="$,.0f"),
            alt.Tooltip("p90:Q", format="$,.0f"),
        ],
    )
    layers: list[alt.Chart] = [area, line]
    if users is not None and users > 0:
        layers.append(alt.Chart(pd.DataFrame({"users": [users]})).mark_rule(color="#888").encode(x="users:Q"))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def tornado(table: pd.DataFrame, top: int = 12) -> alt.Chart:
    """Sensitivity: the monthly cost at each assumption's low and high value, largest swing on top."""
    rows = table.head(top)
    long = pd.concat(
        [
            rows.assign(end="low", cost=rows["cost_at_low_usd"], value=rows["low"]),
            rows.assign(end="high", cost=rows["cost_at_high_usd"], value=rows["high"]),
        ]
    )[["assumption", "end", "cost", "value"]]
    order = list(rows["assumption"])
    return (
        alt.Chart(long, title="What moves the monthly cost (each assumption at its low and high value)")
        .mark_bar()
        .encode(
            y=alt.Y("assumption:N", sort=order, title=None),
            x=alt.X("min(cost):Q", title="USD per month", axis=alt.Axis(format="$,.0f"), scale=alt.Scale(zero=False)),
            x2="max(cost):Q",
            tooltip=[
                alt.Tooltip("assumption:N"),
                alt.Tooltip("min(cost):Q", format="$,.0f", title="lower"),
                alt.Tooltip("max(cost):Q", format="$,.0f", title="higher"),
            ],
        )
        .properties(width=WIDTH, height=max(60, 24 * len(rows)))
    )


def roadmap_steps(table: pd.DataFrame) -> alt.LayerChart:
    """The roadmap's monthly cost against users, one segment per phase (log axes)."""
    rows = table.reset_index(drop=True).assign(phase=lambda d: [f"phase {i + 1}" for i in range(len(d))])
    long = pd.concat(
        [
            rows.assign(users=rows["users_from"], cost=rows["cost_from_usd"]),
            rows.assign(users=rows["users_to"], cost=rows["cost_to_usd"]),
        ]
    )[["phase", "users", "cost", "actions"]]
    base = alt.Chart(_positive(long, "cost"), title="Roadmap: monthly cost by phase")
    x = alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS)
    y = alt.Y("cost:Q", scale=alt.Scale(type="log"), title="USD per month", axis=alt.Axis(format="$~s"))
    tip = [
        alt.Tooltip("phase:N"),
        alt.Tooltip("users:Q", format=",.0f"),
        alt.Tooltip("cost:Q", format="$,.0f"),
        alt.Tooltip("actions:N"),
    ]
    lines = base.mark_line(point=True).encode(x=x, y=y, detail="phase:N", tooltip=tip)
    return alt.layer(lines).properties(width=WIDTH, height=HEIGHT)


def factor_steps(values: pd.Series, label: str, document: float) -> alt.LayerChart:
    """A figure after each case-study step (bars), with the document's own figure as a rule."""
    frame = pd.DataFrame({"step": [f"{i}. {s}" for i, s in enumerate(values.index)], "value": values.to_numpy()})
    frame = frame[np.isfinite(frame["value"])]
    x = alt.X("value:Q", title=label, axis=alt.Axis(format="~s"))
    bars = (
        alt.Chart(frame, title=f"{label}: the document's method, then each factor it left out")
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=None, title=None, axis=alt.Axis(labelLimit=320)),
            x=x,
            tooltip=[alt.Tooltip("step:N"), alt.Tooltip("value:Q", format=",.4~g")],
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"document": [document]}))
        .mark_rule(color="#b00020", strokeDash=[4, 3])
        .encode(x="document:Q", tooltip=[alt.Tooltip("document:Q", format=",.4~g", title="the document says")])
    )
    return alt.layer(bars, rule).properties(width=WIDTH, height=22 * len(frame))


def latency_curves(curve: pd.DataFrame, target_ms: float, users: float | None = None) -> alt.LayerChart:
    """Median (dashed) and 95th percentile response time of each pool against users."""
    finite = curve[np.isfinite(curve["ms"]) & (curve["ms"] > 0)]
    lines = (
        alt.Chart(finite, title="Response time of the fixed-capacity pools (M/M/c)")
        .mark_line(clip=True)
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=USERS_AXIS),
            y=alt.Y("ms:Q", scale=alt.Scale(type="log", domain=[1, max(10 * target_ms, 10)]), title="ms"),
            color=alt.Color("component:N", title=None),
            strokeDash=alt.StrokeDash("quantile:N", sort=["p95", "median"], title=None),
            tooltip=[
                alt.Tooltip("component:N"),
                alt.Tooltip("quantile:N"),
                alt.Tooltip("users:Q", format=",.0f"),
                alt.Tooltip("ms:Q", format=",.0f"),
            ],
        )
    )
    target = alt.Chart(pd.DataFrame({"ms": [target_ms]})).mark_rule(color="#d62728", strokeDash=[4, 4]).encode(y="ms:Q")
    layers: list[alt.Chart] = [lines, target]
    if users is not None and users > 0:
        layers.append(alt.Chart(pd.DataFrame({"users": [users]})).mark_rule(color="#888").encode(x="users:Q"))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as a standalone SVG string (vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart.to_dict())


def to_img_html(chart: alt.TopLevelMixin, css_class: str = "capkit-chart") -> str:
    """The chart as an ``<img>`` holding its SVG as a data URI, with its title as alt text.

    An image keeps each chart's SVG ids to itself (several inline SVGs on one page would share
    clip-path ids) and needs nothing but the file it is in.
    """
    import vl_convert as vlc

    spec = chart.to_dict()
    titles = [spec.get("title")] + [layer.get("title") for layer in spec.get("layer", [])]
    title = next((t for t in titles if t), "chart")
    title = title if isinstance(title, str) else title.get("text", "chart")
    data = base64.b64encode(vlc.vegalite_to_svg(spec).encode()).decode()
    return f'<img class="{css_class}" alt="{html.escape(title)}" src="data:image/svg+xml;base64,{data}"/>'
