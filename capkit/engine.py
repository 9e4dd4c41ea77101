"""The engine: evaluate a stack on a workload, over arrays.

``evaluate`` (one workload) and ``sweep`` (many user levels) share one function,
:func:`evaluate_arrays`, which calls every component, derives utilization, status and
max_users, and sums costs, all as numpy arrays of the workload's length.

max_users comes from the components' own demand functions: every demand is affine in users
(a + b x users), so evaluating the same functions at a second user level gives b and a, and
the users at which demand meets the limit are (limit - a) / b.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from capkit.components.base import CostItem, LimitKind, Metric, full
from capkit.errors import InputError
from capkit.labels import labeller
from capkit.plan import Plan, finite_or_none, limit_row
from capkit.stack import Stack
from capkit.workload import UNIVERSAL, Workload, check_range

#: Utilization thresholds of a hard limit: ok below 70 %, watch below 90 %, act up to 100 %,
#: over past it.
WATCH_AT = 0.7
ACT_AT = 0.9
OVER_AT = 1.0


def status(utilization: np.ndarray, kind: np.ndarray | str | None = None) -> np.ndarray:
    """ok below 70 % of a hard limit, watch below 90 %, act up to 100 %, over past 100 %;
    for a free allowance (``kind`` free_tier), free below it and billed from it on."""
    u = np.asarray(utilization, dtype=float)
    hard = np.where(u < WATCH_AT, "ok", np.where(u < ACT_AT, "watch", np.where(u <= OVER_AT, "act", "over")))
    if kind is None:
        return hard
    return np.where(np.asarray(kind) == "free_tier", np.where(u < OVER_AT, "free", "billed"), hard)


@dataclass(frozen=True)
class MetricResult:
    component: str
    metric: str
    unit: str
    kind: LimitKind
    demand: np.ndarray
    limit: np.ndarray
    utilization: np.ndarray
    max_users: np.ndarray
    demand_fixed: np.ndarray  # a in demand = a + b x users
    demand_per_user: np.ndarray  # b

    def users_at(self, level: float) -> np.ndarray:
        """Users at which utilization reaches ``level`` (0.7 watch, 0.9 act, 1 the limit)."""
        return _crossing(self.demand_fixed, self.demand_per_user, self.limit * level)


@dataclass(frozen=True)
class CostResult:
    component: str
    item: CostItem
    cost_usd: np.ndarray


@dataclass(frozen=True)
class Evaluation:
    """Everything the faces need, as arrays of the workload's length."""

    stack: Stack
    workload: Workload
    metrics: list[MetricResult]
    costs: list[CostResult]

    @property
    def users(self) -> np.ndarray:
        return self.workload.users

    def monthly_cost_usd(self) -> np.ndarray:
        return functools.reduce(np.add, (c.cost_usd for c in self.costs), np.zeros(self.workload.n))

    def component_cost_usd(self, component: str) -> np.ndarray:
        rows = (c.cost_usd for c in self.costs if c.component == component)
        return functools.reduce(np.add, rows, np.zeros(self.workload.n))

    def paying_users(self) -> np.ndarray:
        """Paying users: monthly active users x conversion rate."""
        return self.workload.monthly_active_users() * self.workload.conversion_rate

    def revenue_usd(self) -> np.ndarray:
        """Revenue after fees: payers x (price x (1 - fee rate) - fee per payment)."""
        wl = self.workload
        net = wl.price_usd * (1.0 - wl.payment_fee_rate) - wl.payment_fee_usd
        return np.where(wl.price_usd > 0, self.paying_users() * net, 0.0)

    def summary(self) -> dict[str, np.ndarray]:
        """The business figures at every level, the one summary behind Plan.summary (its first
        row) and the sweep table: users, monthly_cost_usd, cost_per_user_usd (NaN at 0 users),
        paying_users, revenue_usd, profit_usd, margin = profit / revenue (NaN without revenue),
        bottleneck (index into ``metrics``, -1 for none) and max_users (its max_users, inf for
        none). The faces show NaN and inf as missing, never as numbers."""
        users = self.users
        cost = self.monthly_cost_usd()
        revenue = self.revenue_usd()
        profit = revenue - cost
        with np.errstate(divide="ignore", invalid="ignore"):
            per_user = np.where(users > 0, cost / users, np.nan)
            margin = np.where(revenue > 0, profit / revenue, np.nan)
        return {
            "users": users,
            "monthly_cost_usd": cost,
            "cost_per_user_usd": per_user,
            "paying_users": self.paying_users(),
            "revenue_usd": revenue,
            "profit_usd": profit,
            "margin": margin,
            "bottleneck": self.bottleneck_index(),
            "max_users": self.bottleneck_max_users(),
        }

    def bottleneck_max_users(self) -> np.ndarray:
        """max_users of each row's bottleneck (inf where no hard limit grows with users)."""
        bidx = self.bottleneck_index()
        out = np.full(self.workload.n, np.inf)
        for i, m in enumerate(self.metrics):
            out = np.where(bidx == i, m.max_users, out)
        return out

    def bottleneck_index(self) -> np.ndarray:
        """Index into ``metrics`` of the hard limit with the fewest max_users (-1: none)."""
        n = self.workload.n
        best_idx = np.full(n, -1)
        best_users = np.full(n, np.inf)
        for i, m in enumerate(self.metrics):
            if m.kind == "free_tier":
                continue
            lower = m.max_users < best_users  # strict: the first of equal metrics wins
            best_idx = np.where(lower, i, best_idx)
            best_users = np.where(lower, m.max_users, best_users)
        return best_idx


def affine(users: np.ndarray, d0: np.ndarray, d1: np.ndarray, du: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(a, b) of a demand a + b x users from two evaluations, at ``users`` (``d0``) and at
    ``users + du`` (``d1``): b = (d1 - d0) / du, a = d0 - b x users. Every demand is affine in
    users (components.base), so two evaluations give it exactly: the engine's max_users and
    the roadmap's client connections both use it."""
    slope = (d1 - d0) / du
    return d0 - slope * users, slope


def _crossing(fixed: np.ndarray, slope: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Users at which a + b x users reaches ``target``.

    A demand that does not grow with users never reaches it (inf) unless it is already past
    it (0).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        crossing = np.maximum((target - fixed) / slope, 0.0)
    flat = np.where(fixed <= target, np.inf, 0.0)
    return np.where(slope > 0, crossing, flat)


def _utilization(demand: np.ndarray, limit: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(limit > 0, demand / limit, np.where(demand > 0, np.inf, 0.0))


def _finite(component: str, line: str, what: str, values: np.ndarray | float, n: int, low: float = 0.0) -> np.ndarray:
    """``values`` as an array of length ``n``, if every value is finite and at least ``low``.

    Demands and quantities are counts, costs are amounts (negative only for a credit): a NaN,
    an infinity or a negative count means an input out of its sense (a price of 1e308, a
    negative size), and is refused naming the line that produced it, rather than shown as
    "n/a" or a 100 % margin.
    """
    array = full(values, n)
    if np.isfinite(array).all() and (low == -np.inf or array.min(initial=np.inf) >= low):
        return array
    bad = ~(np.isfinite(array) & (array >= low))
    if bad.any():
        value = array[np.argmax(bad)]
        allowed = "a finite amount" if low == -np.inf else f"a finite amount of at least {low:g}"
        raise InputError(
            f"{component} {line}: {what} is {value:g}, not {allowed}; check the inputs and prices behind it"
        )
    return array


def evaluate_arrays(stack: Stack, wl: Workload) -> Evaluation:
    """Evaluate every component of ``stack`` on ``wl`` (arrays of any length), the one code
    path under a plan, a sweep, a roadmap, a Monte Carlo run and a calibration fit.

    Parameters
    ----------
    stack : Stack
        The stack as written.
    wl : Workload
        Fields as arrays of one common length n (each field in its unit, ``stack.specs``).

    Returns
    -------
    Evaluation
        Per component, its metrics (demand and limit arrays of length n, in each metric's
        unit) and cost items (quantity, free allowance, unit price in USD, cost in USD a month).
    """
    n = wl.n
    users = wl.users
    du = np.maximum(users, 1.0)
    wl_up = wl.with_users(users + du)
    metrics: list[MetricResult] = []
    costs: list[CostResult] = []
    for comp in stack.components:
        with np.errstate(over="ignore", invalid="ignore"):  # overflows are refused by _finite below
            now: list[Metric] = list(comp.metrics(wl))
            up: list[Metric] = list(comp.metrics(wl_up))
            items = list(comp.costs(wl))
        for m0, m1 in zip(now, up, strict=True):
            demand = _finite(comp.id, m0.metric, "demand", m0.demand, n)
            limit = full(m0.limit, n)
            d1 = _finite(comp.id, m0.metric, "demand", m1.demand, n)
            fixed, slope = affine(users, demand, d1, du)
            metrics.append(
                MetricResult(
                    comp.id,
                    m0.metric,
                    m0.unit,
                    m0.kind,
                    demand,
                    limit,
                    _utilization(demand, limit),
                    _crossing(fixed, slope, limit),
                    fixed,
                    slope,
                )
            )
        for item in items:
            _finite(comp.id, item.item, "quantity", item.quantity, n)
            costs.append(CostResult(comp.id, item, _finite(comp.id, item.item, "cost", item.cost_usd, n, low=-np.inf)))
    return Evaluation(stack, wl, metrics, costs)


def plan_of(ev: Evaluation) -> Plan:
    """The single-workload summary, load table and cost table of a one-row evaluation."""
    wl = ev.workload
    names = labeller(ev.stack)
    columns: dict[str, list[Any]] = {
        "component": [m.component for m in ev.metrics],
        "metric": [m.metric for m in ev.metrics],
        "label": [names.metric(m.component, m.metric) for m in ev.metrics],
        "demand": [float(m.demand[0]) for m in ev.metrics],
        "limit": [float(m.limit[0]) for m in ev.metrics],
        "unit": [m.unit for m in ev.metrics],
        "kind": [m.kind for m in ev.metrics],
        "utilization": [float(m.utilization[0]) for m in ev.metrics],
        "max_users": [float(m.max_users[0]) for m in ev.metrics],
        "users_at_watch": [float(m.users_at(WATCH_AT)[0]) for m in ev.metrics],
        "users_at_act": [float(m.users_at(ACT_AT)[0]) for m in ev.metrics],
    }
    columns["status"] = [str(x) for x in status(np.array(columns["utilization"]), np.array(columns["kind"]))]
    load = pd.DataFrame(columns)
    cost = pd.DataFrame(
        {
            "component": [c.component for c in ev.costs],
            "key": [c.item.key for c in ev.costs],
            "item": [c.item.item for c in ev.costs],
            "label": [names.item(c.component, c.item.item) for c in ev.costs],
            "quantity": [float(np.ravel(c.item.quantity)[0]) for c in ev.costs],
            "unit": [c.item.unit for c in ev.costs],
            "free": [float(np.ravel(c.item.free)[0]) for c in ev.costs],
            "unit_price": [float(np.ravel(c.item.unit_price)[0]) for c in ev.costs],
            "cost_usd": [float(c.cost_usd[0]) for c in ev.costs],
        }
    )
    first = {k: v[0] for k, v in ev.summary().items()}  # the one summary, its only row
    b = int(first.pop("bottleneck"))
    del first["users"]
    summary: dict[str, Any] = {k: finite_or_none(float(v)) for k, v in first.items()}
    summary["bottleneck"] = {"component": ev.metrics[b].component, "metric": ev.metrics[b].metric} if b >= 0 else None
    notes = [n for c in ev.stack.components for n in c.notes(wl)]
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    over = sorted((r for r in rows if r["status"] == "over"), key=lambda r: r["max_users"])  # first to break first
    limits = [limit_row(r) for r in over]
    configuration = {c.id: option for c in ev.stack.components if (option := c.configuration())}
    unfit = [f"{c.id}: {reason}" for c in ev.stack.components if (reason := c.unfit())]
    return Plan(
        ev.stack.name,
        ev.stack.title,
        wl.scalars(),
        summary,
        load,
        cost,
        notes,
        configuration=configuration,
        fits=not limits,
        limits=limits,
        components=[c.id for c in ev.stack.components],
        names={c.id: names.component(c.id) for c in ev.stack.components},
        unfit=unfit,
        sources=[{"key": key, **entry.model_dump(mode="json")} for key, entry in ev.stack.price_entries()],
    )


def evaluate(stack: Stack, wl: Workload | None = None) -> Plan:
    """One plan for a single workload: the monthly cost, the load against every limit, the cost
    by component and item, and the next limit to bite.

    Parameters
    ----------
    stack : Stack
        The stack as written (:func:`capkit.load_stack`); each component prices itself from
        its provider's published rules (the catalog's entries, each with its source).
    wl : Workload, optional
        One value per field (users in daily active users, calls per user per day, ...; each
        field's unit is in ``stack.specs``). Default: the stack's own defaults.

    Returns
    -------
    Plan
        ``summary`` (monthly_cost_usd, cost_per_user_usd, paying_users, revenue_usd,
        profit_usd, margin as a share, max_users in daily active users, bottleneck), ``load``
        and ``cost`` (DataFrames). Scalars in the summary are Python floats.
    """
    wl = wl if wl is not None else stack.workload()
    if wl.n != 1:
        raise InputError(f"evaluate takes one workload; this one has {wl.n} values (use sweep)")
    return plan_of(evaluate_arrays(stack, wl))


def user_levels(low: float = 100.0, high: float = 100_000_000.0, per_decade: int = 20) -> np.ndarray:
    """Log-spaced user levels from ``low`` to ``high`` (users), ``per_decade`` levels a decade:
    the one user grid. The charts and sweeps use 100 to 100,000,000 at 20 a decade
    (:data:`USER_LEVELS`); the roadmap the same grid at 60 a decade."""
    return np.geomspace(low, high, int(round(per_decade * np.log10(high / low))) + 1)


#: The default user levels: 100 to 100,000,000 daily active users, 20 a decade (121 levels).
USER_LEVELS = user_levels()


#: The most user levels one sweep of the stack as written evaluates (about 2 KB of memory a
#: level: 1,000,000 levels take about 2 GB and half a second).
MAX_SWEEP_LEVELS = 1_000_000


def sweep(stack: Stack, wl: Workload | None = None, users: np.ndarray | list[float] | None = None) -> pd.DataFrame:
    """The plan at many user levels, one row each (everything else as in ``wl``), in one
    evaluation over arrays.

    Parameters
    ----------
    stack : Stack
        The stack as written (right-sized sweeps: :meth:`capkit.Scenario.sweep`).
    wl : Workload, optional
        The other fields (default: the stack's defaults).
    users : array of float, optional
        Daily active users at each level (default: capkit's grid, 100 to 100,000,000 at 20
        levels a decade).

    Returns
    -------
    DataFrame
        Columns: users, monthly_cost_usd, cost_per_user_usd, paying_users, revenue_usd,
        profit_usd, margin, bottleneck, max_users, then ``cost_usd:<component>`` and
        ``utilization:<component>.<metric>`` (demand over limit) for every component and metric.
    """
    wl = wl if wl is not None else stack.workload()
    if users is None:
        users = USER_LEVELS
    users = np.atleast_1d(np.asarray(users, dtype=float))
    check_range("users", users, UNIVERSAL["users"])
    if users.size > MAX_SWEEP_LEVELS:
        raise InputError(
            f"users: {users.size:,} levels; a sweep takes at most {MAX_SWEEP_LEVELS:,} (about 2 KB of memory each)"
        )
    ev = evaluate_arrays(stack, wl.with_users(users))
    return sweep_table(ev)


def _masked(values: np.ndarray, valid: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """A nullable float column: ``values`` where ``valid``, missing elsewhere."""
    return pd.arrays.FloatingArray(np.where(valid, values, 0.0), ~valid)


#: Summary figures that can be undefined: cost per user at 0 users, margin without revenue,
#: max_users where no hard limit grows with users.
_MAYBE_MISSING = ("cost_per_user_usd", "margin", "max_users")


def sweep_table(ev: Evaluation) -> pd.DataFrame:
    """The wide per-level table of an evaluation (also used for Monte Carlo draws)."""
    s = ev.summary()
    names = [f"{m.component}.{m.metric}" for m in ev.metrics]
    # Undefined figures (no users, no revenue, no binding limit) are missing values (<NA>),
    # never NaN or inf.
    cols: dict[str, object] = {k: _masked(v, np.isfinite(v)) if k in _MAYBE_MISSING else v for k, v in s.items()}
    cols["bottleneck"] = (
        pd.Categorical.from_codes(s["bottleneck"], categories=names) if names else [None] * len(s["users"])
    )
    for comp in ev.stack.components:
        cols[f"cost_usd:{comp.id}"] = ev.component_cost_usd(comp.id)
    for m in ev.metrics:
        cols[f"utilization:{m.component}.{m.metric}"] = m.utilization
    return pd.DataFrame(cols, copy=False)
