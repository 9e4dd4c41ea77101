"""Plan: the result of evaluating one workload, as a summary dict, tables and JSON."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from capkit.labels import labeller

if TYPE_CHECKING:
    from capkit.engine import Evaluation

#: Utilization thresholds of a hard limit: ok below 70 %, watch below 90 %, act up to 100 %,
#: over past it.
WATCH_AT = 0.7
ACT_AT = 0.9
OVER_AT = 1.0

#: Every status, in the order of concern. A free allowance is not a hard limit: below it the
#: usage is free, past it it is billed.
STATUSES = ("ok", "watch", "act", "over", "free", "billed")


def status(utilization: np.ndarray, kind: np.ndarray | str | None = None) -> np.ndarray:
    """ok below 70 % of a hard limit, watch below 90 %, act up to 100 %, over past 100 %;
    for a free allowance (``kind`` free_tier), free below it and billed from it on."""
    u = np.asarray(utilization, dtype=float)
    hard = np.where(u < WATCH_AT, "ok", np.where(u < ACT_AT, "watch", np.where(u <= OVER_AT, "act", "over")))
    if kind is None:
        return hard
    return np.where(np.asarray(kind) == "free_tier", np.where(u < OVER_AT, "free", "billed"), hard)


def limit_row(r: Mapping[str, Any], levers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A hard limit the plan does not keep (a load row), for the summary and JSON."""
    return {
        "component": r["component"],
        "metric": r["metric"],
        "label": r["label"],
        "utilization": _finite_or_none(r["utilization"]),
        "max_users": _finite_or_none(r["max_users"]),
        "levers": levers or [],
    }


def _finite_or_none(x: float) -> float | None:
    """JSON has no inf or NaN: an unbounded or undefined figure is null."""
    return float(x) if math.isfinite(x) else None


@dataclass
class Plan:
    """One evaluated workload.

    ``summary``: monthly_cost_usd, cost_per_user_usd, paying_users, revenue_usd, profit_usd,
    margin, bottleneck ({component, metric} or None), max_users (None when nothing binds).
    ``load``: one row per metric (demand, limit, utilization, max_users, status, and the users
    at which it reaches watch and act). ``cost``: one row per billed item.
    """

    stack: str
    title: str
    workload: dict[str, float]
    summary: dict[str, Any]
    load: pd.DataFrame
    cost: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    #: right-sized (the roadmap's cheapest fitting configuration) or as-configured (as written).
    sizing: str = "as-configured"
    #: component id -> the options it runs with (plan, instances, ...), for components that have any.
    configuration: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: What changes from the stack as written, in the roadmap's words (right-sized only).
    actions: list[str] = field(default_factory=list)
    #: Right-sized: every hard limit under watch (the roadmap's rule). As configured: none over.
    fits: bool = True
    #: The hard limits that keep it from fitting, each with the assumptions that would move it.
    limits: list[dict[str, Any]] = field(default_factory=list)
    #: Component ids in stack order.
    components: list[str] = field(default_factory=list)
    #: Component id -> its readable name (``Render web service``), for charts and tables.
    names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_evaluation(cls, ev: Evaluation) -> Plan:
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
                "item": [c.item.item for c in ev.costs],
                "label": [names.item(c.component, c.item.item) for c in ev.costs],
                "quantity": [float(np.ravel(c.item.quantity)[0]) for c in ev.costs],
                "unit": [c.item.unit for c in ev.costs],
                "free": [float(np.ravel(c.item.free)[0]) for c in ev.costs],
                "unit_price": [float(np.ravel(c.item.unit_price)[0]) for c in ev.costs],
                "cost_usd": [float(c.cost_usd[0]) for c in ev.costs],
            }
        )
        users = float(wl.users[0])
        monthly = float(ev.monthly_cost_usd()[0])
        revenue = float(ev.revenue_usd()[0])
        profit = revenue - monthly
        b = int(ev.bottleneck_index()[0])
        bottleneck = {"component": ev.metrics[b].component, "metric": ev.metrics[b].metric} if b >= 0 else None
        summary = {
            "monthly_cost_usd": monthly,
            "cost_per_user_usd": monthly / users if users > 0 else None,
            "paying_users": float(ev.paying_users()[0]),
            "revenue_usd": revenue,
            "profit_usd": profit,
            "margin": profit / revenue if revenue > 0 else None,
            "bottleneck": bottleneck,
            "max_users": _finite_or_none(float(ev.metrics[b].max_users[0])) if b >= 0 else None,
        }
        notes = [n for c in ev.stack.components for n in c.notes(wl)]
        rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
        over = sorted((r for r in rows if r["status"] == "over"), key=lambda r: r["max_users"])  # first to break first
        limits = [limit_row(r) for r in over]
        configuration = {c.id: option for c in ev.stack.components if (option := c.configuration())}
        return cls(
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
        )

    def component_costs(self) -> pd.Series:
        """Monthly cost per component (USD), in stack order."""
        order = list(dict.fromkeys(self.cost["component"]))
        return self.cost.groupby("component", sort=False)["cost_usd"].sum().reindex(order)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract (``capkit plan --json``)."""
        components = []
        costs = self.component_costs()
        ids = list(dict.fromkeys([*self.components, *self.load["component"], *self.cost["component"]]))
        for cid in ids:
            rows = self.load[self.load["component"] == cid]
            items = self.cost[self.cost["component"] == cid]
            components.append(
                {
                    "id": cid,
                    "cost_usd": float(costs.get(cid, 0.0)),
                    "metrics": [
                        {
                            "metric": r.metric,
                            "demand": float(r.demand),
                            "limit": _finite_or_none(r.limit),
                            "unit": r.unit,
                            "kind": r.kind,
                            "utilization": _finite_or_none(r.utilization),
                            "max_users": _finite_or_none(r.max_users),
                            "status": r.status,
                        }
                        for r in rows.itertuples()
                    ],
                    "cost_items": [
                        {
                            "item": r.item,
                            "quantity": float(r.quantity),
                            "unit": r.unit,
                            "free": float(r.free),
                            "unit_price": float(r.unit_price),
                            "cost_usd": float(r.cost_usd),
                        }
                        for r in items.itertuples()
                    ],
                }
            )
        return {
            "stack": self.stack,
            "sizing": self.sizing,
            "configuration": self.configuration,
            "actions": list(self.actions),
            "fits": self.fits,
            "limits": self.limits,
            "workload": dict(self.workload),
            **{
                k: self.summary[k]
                for k in (
                    "monthly_cost_usd",
                    "cost_per_user_usd",
                    "paying_users",
                    "revenue_usd",
                    "profit_usd",
                    "margin",
                    "bottleneck",
                    "max_users",
                )
            },
            "components": components,
            "notes": list(self.notes),
        }
