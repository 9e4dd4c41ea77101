"""Chart builders: a Plan or a sweep table in, a Vega-Lite spec (or an altair chart) out.

The planner's four charts (cost by component, cost and revenue, utilization, compare) are
altair charts built once per shape with named data sources, then filled with each input's
records (:func:`_with_data`): the page's vega draws them (see :mod:`capkit.widgets`), and
static exports render the same specs to SVG through vl-convert, which needs no network. The
report-only charts (tornado, roadmap steps, cost band, latency) stay altair charts.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import html
import json
import math
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from capkit.engine import ACT_AT, WATCH_AT
from capkit.plan import Plan

WIDTH = 520
HEIGHT = 260


class _Altair:
    """altair, imported on first use: the planner's kernel draws from cached skeletons and
    never needs it (altair and jsonschema cost about 0.6 s and 30 MB to import)."""

    def __getattr__(self, name: str) -> Any:
        import altair

        return getattr(altair, name)


alt = _Altair()


def _users_axis() -> Any:
    return alt.Axis(title="daily active users", format="~s")


#: Skeletons of the planner's charts, by shape; kept on disk across kernels (see _skeleton).
_SKELETONS: dict[str, Spec] = {}


def _skeleton(build: Callable[..., Spec], *key: Any) -> Spec:
    """``build(*key)``'s spec, built by altair once per shape and then read from a JSON file in
    capkit's cache folder, named after this file's content and altair's version, so a kernel
    that opens the planner does not import altair at all."""
    name = f"{build.__name__}{key!r}"
    if name not in _SKELETONS:
        path = _skeleton_file()
        if not _SKELETONS and path.is_file():
            with contextlib.suppress(OSError, ValueError):
                _SKELETONS.update(json.loads(path.read_text()))
        if name not in _SKELETONS:
            _SKELETONS[name] = build(*key)
            with contextlib.suppress(OSError):
                from capkit.files import write_atomically

                path.parent.mkdir(parents=True, exist_ok=True)
                write_atomically(path, json.dumps(_SKELETONS))
    return _SKELETONS[name]


def warm_skeletons(max_components: int = 12) -> None:
    """Build the planner's usual chart shapes now (the server does it at start, so that kernels
    find them on disk and never import altair)."""
    for rows in range(1, max_components + 1):
        _skeleton(_cost_by_component, rows)
    for sized in (True, False):
        for banded in (True, False):
            _skeleton(_cost_and_revenue, sized, banded)
    _skeleton(_utilization, 1e-3, 10.0)
    _skeleton(_compare_costs)


@functools.cache
def _skeleton_file() -> Path:
    from importlib import metadata

    from capkit.vega import cache_dir

    digest = hashlib.sha256(Path(__file__).read_bytes() + metadata.version("altair").encode()).hexdigest()[:16]
    return cache_dir() / f"chart-skeletons-{digest}.json"


#: A Vega-Lite spec as a plain dict (what vega-embed and vl-convert take).
Spec = dict[str, Any]


def _with_data(skeleton: Spec, datasets: dict[str, list[dict[str, Any]]]) -> Spec:
    """A cached skeleton (named data sources, no values) with this input's data filled in.

    The planner's charts are built by altair once per shape and then only get new data: an
    input change costs the kernel the records, not the chart (altair takes about 50 ms a chart
    to build and serialise, the records well under 1 ms).
    """
    return {**skeleton, "datasets": datasets}


#: The records last made from sweep tables, by those very tables: a users-only change in the
#: planner keeps its tables (Scenario.adopt_sweeps), so their records are made once, not on every
#: change.
_FROM_TABLES: dict[tuple, tuple[list[weakref.ref], list[dict[str, Any]]]] = {}


def _from_tables(
    what: str, tables: tuple[pd.DataFrame | None, ...], key: Any, make: Callable[[], list[dict[str, Any]]]
) -> list[dict[str, Any]]:
    """``make()``, or the same list as last time for these very ``tables`` (None for an absent
    one) and ``key``; a table's id counts only while that table is alive."""
    frames = [t for t in tables if t is not None]
    slot = (what, tuple(id(t) if t is not None else None for t in tables), key)
    hit = _FROM_TABLES.get(slot)
    if hit is not None and all(ref() is t for ref, t in zip(hit[0], frames, strict=True)):
        return hit[1]
    records = make()
    for stale in [k for k, (refs, _) in _FROM_TABLES.items() if any(ref() is None for ref in refs)]:
        del _FROM_TABLES[stale]
    _FROM_TABLES[slot] = ([weakref.ref(t) for t in frames], records)
    return records


def _records(columns: dict[str, Any]) -> list[dict[str, Any]]:
    """Column arrays as records; numbers as plain floats, and no row with a NaN or infinite one."""
    arrays = {k: np.asarray(v) for k, v in columns.items()}
    keep = np.ones(len(next(iter(arrays.values()))) if arrays else 0, dtype=bool)
    for values in arrays.values():
        if values.dtype.kind == "f":
            keep &= np.isfinite(values)
    keys = list(arrays)
    lists = [values[keep].tolist() for values in arrays.values()]
    return [dict(zip(keys, row, strict=True)) for row in zip(*lists, strict=True)]


def cost_by_component(plan: Plan) -> Spec:
    """Monthly cost of each component, largest first, by its readable name."""
    costs = plan.component_costs()
    names = [plan.names.get(cid, cid) for cid in costs.index]
    return _with_data(
        _skeleton(_cost_by_component, len(costs)), {"components": _records({"component": names, "cost_usd": costs})}
    )


def _cost_by_component(rows: int) -> Spec:
    return (
        alt.Chart(alt.NamedData("components"), title="Monthly cost by component")
        .mark_bar()
        .encode(
            y=alt.Y("component:N", sort="-x", title=None),
            x=alt.X("cost_usd:Q", title="USD per month", axis=alt.Axis(format="$,.0f")),
            tooltip=[alt.Tooltip("component:N"), alt.Tooltip("cost_usd:Q", format="$,.2f", title="USD/month")],
        )
        .properties(width=WIDTH, height=max(60, 28 * rows))
        .to_dict()
    )


def _positive(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Rows a log axis can show (strictly positive values)."""
    return frame[frame[column] > 0]


#: The cost and revenue chart's series and their colours.
COLOURS = ["#d62728", "#2ca02c", "#7f7f7f"]
COST, RIGHT_SIZED, REVENUE, WRITTEN = (
    "monthly cost",
    "monthly cost, right-sized",
    "revenue after fees",
    "monthly cost, as configured",
)


def cost_and_revenue(
    table: pd.DataFrame,
    users: float | None = None,
    max_users: float | None = None,
    band: pd.DataFrame | None = None,
    as_configured: pd.DataFrame | None = None,
    cost_usd: float | None = None,
) -> Spec:
    """Monthly cost and revenue against users (log axes), the current point, the next limit,
    and, given a ``band`` (simulate_curve), the cost's 10th to 90th percentile. Hovering the
    cost curve shows users, cost and margin.

    Given ``as_configured`` (the sweep of the stack as written), ``table`` is the right-sized
    sweep: its cost steps where the configuration changes, and the stack as written is drawn
    dashed up to the users at which its first hard limit passes 100 %. The current point sits at
    ``users`` and ``cost_usd`` (default: the cost at the nearest level of the table).
    """
    sized = as_configured is not None
    levels = table["users"].to_numpy(dtype=float)
    cost = table["monthly_cost_usd"].to_numpy(dtype=float)
    rows = _from_tables("curve", (table, as_configured), None, lambda: _curve(table, as_configured))
    data: dict[str, list[dict[str, Any]]] = {"curve": rows, "here": [], "limit": []}
    if users is not None and users > 0:
        here = float(cost[np.abs(levels - users).argmin()]) if cost_usd is None else cost_usd
        data["here"] = [{"users": users, "usd": here}] if here > 0 else []
    if max_users is not None and math.isfinite(max_users) and max_users > 0:
        data["limit"] = [{"users": max_users, "label": f"next limit at {max_users:,.0f}"}]
    if band is not None:  # the skeleton has a band layer only then
        data["band"] = [r for r in _records({k: band[k] for k in ("users", "p10", "p90")}) if r["p10"] > 0]
    return _with_data(_skeleton(_cost_and_revenue, sized, band is not None), data)


def _curve(table: pd.DataFrame, as_configured: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The cost and revenue lines' records (and the stack as written, up to where it breaks)."""
    levels = table["users"].to_numpy(dtype=float)
    margin = table["margin"].to_numpy(dtype=float, na_value=np.nan)
    series = [RIGHT_SIZED if as_configured is not None else COST] * len(levels) + [REVENUE] * len(levels)
    curve = {
        "users": np.concatenate([levels, levels]),
        "usd": np.concatenate([table["monthly_cost_usd"].to_numpy(dtype=float), table["revenue_usd"].to_numpy(float)]),
        "series": series,
        # No revenue, no margin: the point still shows, its margin empty (object column, not filtered).
        "margin": np.where(np.isfinite(margin), margin, None).tolist() * 2,
    }
    rows = [r for r in _records(curve) if r["usd"] > 0]
    if as_configured is not None:
        breaks = as_configured["max_users"].astype(float).fillna(np.inf).iloc[0]
        written = as_configured[(as_configured["users"] <= breaks) & (as_configured["monthly_cost_usd"] > 0)]
        rows += _records(
            {"users": written["users"], "usd": written["monthly_cost_usd"], "series": [WRITTEN] * len(written)}
        )
    return rows


def _cost_and_revenue(sized: bool, banded: bool) -> Spec:
    domain = [RIGHT_SIZED if sized else COST, REVENUE] + ([WRITTEN] if sized else [])
    x = alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis())
    y = alt.Y("usd:Q", scale=alt.Scale(type="log"), title="USD per month", axis=alt.Axis(format="$~s"))
    tip = [
        alt.Tooltip("series:N", title="line"),
        alt.Tooltip("users:Q", format=",.0f"),
        alt.Tooltip("usd:Q", format="$,.0f", title="USD per month"),
        alt.Tooltip("margin:Q", format=".1%"),
    ]
    curve = alt.Chart(alt.NamedData("curve"), title="Cost and revenue against users")
    lines = curve.mark_line(interpolate="step-after" if sized else "linear").encode(
        x=x,
        y=y,
        color=alt.Color(
            "series:N",
            title=None,
            scale=alt.Scale(domain=domain, range=["#d62728", "#2ca02c", "#7f7f7f"][: len(domain)]),
        ),
        strokeDash=alt.StrokeDash(
            "series:N", title=None, scale=alt.Scale(domain=domain, range=[[1, 0], [1, 0], [6, 4]][: len(domain)])
        ),
    )
    # Invisible points along the curves: hovering anywhere near one shows its figures.
    hover = curve.mark_point(size=80, opacity=0, filled=True).encode(x=x, y=y, tooltip=tip)
    layers: list[alt.Chart] = [lines, hover]
    if banded:
        band = alt.Chart(alt.NamedData("band")).mark_area(opacity=0.2, color="#d62728")
        layers.insert(0, band.encode(x="users:Q", y="p10:Q", y2="p90:Q"))
    here = alt.Chart(alt.NamedData("here")).mark_point(size=90, filled=True, color="black")
    layers.append(
        here.encode(
            x="users:Q",
            y="usd:Q",
            tooltip=[alt.Tooltip("users:Q", format=",.0f"), alt.Tooltip("usd:Q", format="$,.0f")],
        )
    )
    limit = alt.Chart(alt.NamedData("limit"))
    layers.append(limit.mark_rule(strokeDash=[6, 4], color="#444").encode(x="users:Q"))
    layers.append(
        limit.mark_text(align="left", dx=4, dy=-6, baseline="top", color="#444").encode(
            x="users:Q", y=alt.value(0), text="label:N"
        )
    )
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT).to_dict()


def utilization(
    table: pd.DataFrame,
    users: float | None = None,
    floor: float = 1e-3,
    ceiling: float = 10.0,
    labels: dict[str, str] | None = None,
) -> Spec:
    """Utilization of every metric against users; the limit (100 %) and the watch and act lines.
    Clicking a limit in the legend shows it alone (shift-click adds more).

    The axis shows ``floor`` to ``ceiling`` (0.1 % to 1,000 %); lines beyond are clipped.
    ``labels`` names each ``component.metric`` in the legend (default: the id).
    """
    labels = labels or {}
    rows = _from_tables("utilization", (table,), (floor, tuple(labels.items())), lambda: _lines(table, floor, labels))
    here = [{"users": users}] if users is not None and users > 0 else []
    return _with_data(_skeleton(_utilization, floor, ceiling), {"utilization": rows, "here": here})


def _lines(table: pd.DataFrame, floor: float, labels: dict[str, str]) -> list[dict[str, Any]]:
    """Every utilization column's records at or above ``floor``, named by ``labels``."""
    levels = table["users"].to_numpy(dtype=float)
    users_col, names, values = [], [], []
    for col in table.columns:
        if col.startswith("utilization:"):
            metric = col.removeprefix("utilization:")
            util = table[col].to_numpy(dtype=float)
            keep = util >= floor
            users_col.append(levels[keep])
            values.append(util[keep])
            names += [labels.get(metric, metric)] * int(keep.sum())
    return _records(
        {
            "users": np.concatenate(users_col) if users_col else [],
            "metric": names,
            "utilization": np.concatenate(values) if values else [],
        }
    )


def _utilization(floor: float, ceiling: float) -> Spec:
    pick = alt.selection_point(fields=["metric"], bind="legend")
    lines = (
        alt.Chart(alt.NamedData("utilization"), title="Utilization of every limit against users")
        .mark_line(clip=True)
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis()),
            y=alt.Y(
                "utilization:Q",
                scale=alt.Scale(type="log", domain=[floor, ceiling]),
                title="demand / limit",
                axis=alt.Axis(format="~%"),
            ),
            # Below the plot, one limit a line and no label cut: beside it, the legend made
            # the chart wider than the planner's chart column (1366 px screens) and cut names.
            color=alt.Color(
                "metric:N", title=None, legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)
            ),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.08)),
            tooltip=[
                alt.Tooltip("metric:N", title="limit"),
                alt.Tooltip("users:Q", format=",.0f"),
                alt.Tooltip("utilization:Q", format=".1%"),
            ],
        )
        .add_params(pick)
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
    here = alt.Chart(alt.NamedData("here")).mark_rule(color="#888").encode(x="users:Q")
    layered = alt.layer(lines, rules, here).resolve_scale(color="independent")
    return layered.properties(width=WIDTH, height=HEIGHT).to_dict()


def compare_costs(tables: dict[str, pd.DataFrame], users: float | None = None) -> Spec:
    """Monthly cost against users, one line per stack."""
    rows: list[dict[str, Any]] = []
    for name, t in tables.items():
        keep = t["monthly_cost_usd"] > 0
        rows += _records(
            {
                "users": t["users"][keep],
                "monthly_cost_usd": t["monthly_cost_usd"][keep],
                "stack": [name] * int(keep.sum()),
            }
        )
    here = [{"users": users}] if users is not None and users > 0 else []
    return _with_data(_skeleton(_compare_costs), {"costs": rows, "here": here})


def _compare_costs() -> Spec:
    lines = (
        alt.Chart(alt.NamedData("costs"), title="Monthly cost against users, by stack")
        .mark_line()
        .encode(
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis()),
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
    here = alt.Chart(alt.NamedData("here")).mark_rule(color="#888").encode(x="users:Q")
    return alt.layer(lines, here).properties(width=WIDTH, height=HEIGHT).to_dict()


def cost_band(band: pd.DataFrame, users: float | None = None) -> alt.LayerChart:
    """The monthly cost's 10th to 90th percentile band and median against users (simulate)."""
    base = alt.Chart(_positive(band, "p10"), title="Monthly cost with uncertainty (10th to 90th percentile)")
    x = alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis())
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
        layers.append(_today_rule(users))
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


def _today_rule(users: float) -> alt.Chart:
    """A grey rule at the users the inputs name (today's), with a tooltip."""
    frame = pd.DataFrame({"users": [users], "label": ["users now"]})
    tip = [alt.Tooltip("label:N", title=" "), alt.Tooltip("users:Q", format=",.0f")]
    return alt.Chart(frame).mark_rule(color="#888").encode(x="users:Q", tooltip=tip)


def roadmap_steps(table: pd.DataFrame, users: float | None = None) -> alt.LayerChart:
    """The roadmap as steps: monthly cost against users (log axes), the cost stepping up where
    each phase begins and rising with instance counts within it, today's ``users`` marked."""
    rows = table.reset_index(drop=True).assign(phase=lambda d: [f"phase {i + 1}" for i in range(len(d))])
    # Each phase from its first level to the next phase's first: the cost holds at the phase's
    # last figure until the next phase steps it (interpolate step-after).
    points = pd.concat(
        [
            rows.assign(users=rows["users_from"], cost=rows["cost_from_usd"], order=2 * rows.index),
            rows.assign(users=rows["users_to"], cost=rows["cost_to_usd"], order=2 * rows.index + 1),
        ]
    ).sort_values("order")[["phase", "users", "cost", "actions", "configuration"]]
    base = alt.Chart(_positive(points, "cost"), title="Roadmap: monthly cost by phase")
    x = alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis())
    y = alt.Y("cost:Q", scale=alt.Scale(type="log"), title="USD per month", axis=alt.Axis(format="$~s"))
    tip = [
        alt.Tooltip("phase:N"),
        alt.Tooltip("users:Q", format=",.0f"),
        alt.Tooltip("cost:Q", format="$,.0f"),
        alt.Tooltip("actions:N"),
        alt.Tooltip("configuration:N"),
    ]
    steps = base.mark_line(interpolate="step-after", point=True).encode(x=x, y=y, order="users:Q", tooltip=tip)
    layers = [steps]
    if users is not None and users > 0:
        layers.append(_today_rule(users))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


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
            x=alt.X("users:Q", scale=alt.Scale(type="log"), axis=_users_axis()),
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
        layers.append(_today_rule(users))
    return alt.layer(*layers).properties(width=WIDTH, height=HEIGHT)


def bill_fit(lines: pd.DataFrame) -> alt.FacetChart:
    """Each bill line month by month: the bill's quantity, the model with the stack's
    assumptions and after calibration, relative to the bill (1 = the bill exactly)."""
    long = pd.concat(
        [
            lines.assign(series="model before", ratio=lines["before"] / lines["actual"]),
            lines.assign(series="model after", ratio=lines["after"] / lines["actual"]),
        ]
    )[["line", "month", "series", "ratio", "actual"]]
    long = long[np.isfinite(long["ratio"])]
    base = alt.Chart().encode(x=alt.X("month:O", title=None))  # the facet's data, line by line
    points = base.mark_line(point=True).encode(
        y=alt.Y("ratio:Q", title="model / bill", axis=alt.Axis(format=".0%"), scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=["model before", "model after"]),
        tooltip=[
            alt.Tooltip("line:N"),
            alt.Tooltip("month:O"),
            alt.Tooltip("series:N"),
            alt.Tooltip("ratio:Q", format=".1%", title="model / bill"),
            alt.Tooltip("actual:Q", format=",.4g", title="bill"),
        ],
    )
    bill = alt.Chart().mark_rule(strokeDash=[4, 3], color="#555").encode(y=alt.datum(1.0))
    return (
        alt.layer(points, bill, data=long)
        .properties(width=220, height=120)
        .facet(facet=alt.Facet("line:N", title=None), columns=3)
        .properties(title="Model against the bill, line by line (the dashed line is the bill)")
    )


def spec_of(chart: alt.TopLevelMixin | Spec) -> Spec:
    """A chart's Vega-Lite spec: the dict itself, or altair's (validated)."""
    return chart if isinstance(chart, dict) else chart.to_dict()


def to_svg(chart: alt.TopLevelMixin | Spec) -> str:
    """The chart as a standalone SVG string (vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(spec_of(chart))


def to_img_html(chart: alt.TopLevelMixin | Spec, css_class: str = "capkit-chart") -> str:
    """The chart as an ``<img>`` holding its SVG as a data URI, with its title as alt text.

    An image keeps each chart's SVG ids to itself (several inline SVGs on one page would share
    clip-path ids) and needs nothing but the file it is in.
    """
    import vl_convert as vlc

    spec = spec_of(chart)
    titles = [spec.get("title")] + [layer.get("title") for layer in spec.get("layer", [])]
    title = next((t for t in titles if t), "chart")
    title = title if isinstance(title, str) else title.get("text", "chart")
    data = base64.b64encode(vlc.vegalite_to_svg(spec).encode()).decode()
    return f'<img class="{css_class}" alt="{html.escape(title)}" src="data:image/svg+xml;base64,{data}"/>'
