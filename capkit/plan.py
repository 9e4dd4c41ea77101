"""Plan: the result of evaluating one workload, as a summary dict, tables and JSON."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd


def limit_row(r: Mapping[str, Any], levers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A hard limit the plan does not keep (a load row), for the summary and JSON."""
    return {
        "component": r["component"],
        "metric": r["metric"],
        "label": r["label"],
        "utilization": finite_or_none(r["utilization"]),
        "max_users": finite_or_none(r["max_users"]),
        "levers": levers or [],
    }


def finite_or_none(x: float) -> float | None:
    """JSON has no inf or NaN: an unbounded or undefined figure is null."""
    return float(x) if math.isfinite(x) else None


def json_value(x: Any) -> Any:
    """A cell for JSON or CSV: a number that is infinite or undefined becomes None (null, an
    empty cell), a numpy scalar a Python one; anything else as it is. The one home of that rule."""
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float):
        return finite_or_none(x)
    return x


@dataclass
class Plan:
    """One evaluated workload (made by :func:`capkit.engine.plan_of`; this module imports no
    engine code, so the engine can return Plans without an import cycle).

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
    #: Right-sized with plans unfit for a paying product allowed (``--allow-hobby``).
    allow_hobby: bool = False
    #: As written, the components on a plan unfit for a paying product, each with why.
    unfit: list[str] = field(default_factory=list)
    #: Every price and limit the priced configuration uses: key, value, unit, source, as_of,
    #: confidence and note (the catalog's entries, then prices written in the stack file).
    sources: list[dict[str, Any]] = field(default_factory=list)
    #: Component id -> its readable name (``Render web service``), for charts and tables.
    names: dict[str, str] = field(default_factory=dict)

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
                            "key": r.metric,
                            "metric": r.metric,
                            "demand": float(r.demand),
                            "limit": finite_or_none(r.limit),
                            "unit": r.unit,
                            "kind": r.kind,
                            "utilization": finite_or_none(r.utilization),
                            "max_users": finite_or_none(r.max_users),
                            "status": r.status,
                        }
                        for r in rows.itertuples()
                    ],
                    "cost_items": [
                        {
                            "key": r.key,
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
            "allow_hobby": self.allow_hobby,
            "unfit": list(self.unfit),
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
            "sources": list(self.sources),
        }
