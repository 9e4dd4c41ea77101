"""How capkit's objects show in a notebook: a short text repr and an HTML view each.

:func:`install` (run when capkit is imported) gives Plan, Scenario, Workload, Stack and roadmap
Phase these as ``__repr__`` and ``_repr_html_`` (IPython asks for the latter), and the catalog
its ``__repr__``, so a cell that ends with one of them shows its figures in the pages' table
style (:func:`capkit.tables.html_table`) instead of a dump of its fields. The views live here,
above the types they show, so no type's module depends on them. A Calibration and an M/M/c
queue carry their own views in their modules (importing capkit does not load calibrate). The
text forms are one line.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import pandas as pd

from capkit.analysis.roadmap import Phase, roadmap_table
from capkit.labels import component_names
from capkit.plan import Plan
from capkit.pricing import Catalog
from capkit.scenario import Scenario
from capkit.stack import Stack
from capkit.stackfiles import assumptions_table
from capkit.tables import (
    CSS,
    components_html,
    cost_shown,
    count,
    headline_html,
    html_table,
    load_html,
    money,
    next_limit_text,
    notes_html,
    option_text,
    roadmap_shown,
)
from capkit.workload import Workload

#: Fields a workload's text form lists before "and N more".
SHOWN_FIELDS = 4


def _next_limit(plan: Plan) -> str:
    text = next_limit_text(plan)
    return "no limit grows with users" if text is None else f"next limit {text}"


# --- Plan and Scenario ------------------------------------------------------------------------
def plan_repr(plan: Plan) -> str:
    """``Plan(render-postgres, 100,000 users, right-sized: $1,547/month; next limit Web CPU at
    144,000 users)``."""
    users = count(plan.workload["users"])
    cost = money(plan.summary["monthly_cost_usd"])
    return f"Plan({plan.stack}, {users} users, {plan.sizing}: {cost}/month; {_next_limit(plan)})"


def plan_html(plan: Plan) -> str:
    """The plan as the planner shows it: the answer, the figures, the load against every limit,
    the cost by component and every billed item."""
    return (
        CSS
        + headline_html(plan)
        + "<h4>Load against every limit</h4>"
        + load_html(plan)
        + "<h4>Cost by component</h4>"
        + components_html(plan)
        + "<h4>Every billed item (USD per month)</h4>"
        + html_table(cost_shown(plan), "capkit-cost", headers={"label": "billed item"})
        + notes_html(plan)
    )


def scenario_repr(scenario: Scenario) -> str:
    """``Scenario(render-postgres at 100,000 users, right-sized)`` and its plan's figure."""
    plan = scenario.plan
    return (
        f"Scenario({scenario.stack.name} at {count(scenario.users)} users, {scenario.sizing}: "
        f"{money(plan.summary['monthly_cost_usd'])}/month)"
    )


def scenario_html(scenario: Scenario) -> str:
    """The scenario's stack title, then its plan (:func:`plan_html`)."""
    return f"<h3>{html.escape(scenario.stack.title)} ({html.escape(scenario.stack.name)})</h3>" + plan_html(
        scenario.plan
    )


# --- Workload and Stack -----------------------------------------------------------------------
def workload_repr(wl: Workload) -> str:
    """``Workload(users=100000, calls_per_user=50, ...; 25 fields)`` (one value each), or the
    users' range for a workload of many values."""
    values = {k: wl[k] for k in wl.specs if k in wl}
    if wl.n > 1:
        users = wl["users"]
        return f"Workload({len(values)} fields x {wl.n} values; users {users.min():,.6g} to {users.max():,.6g})"
    shown = ", ".join(f"{k}={float(v[0]):.6g}" for k, v in list(values.items())[:SHOWN_FIELDS])
    more = len(values) - SHOWN_FIELDS
    return f"Workload({shown}{f', and {more} more' if more > 0 else ''})"


def workload_table(wl: Workload) -> pd.DataFrame:
    """Every field: its value (or range of values), unit and meaning."""
    rows = []
    for k, spec in wl.specs.items():
        if k not in wl:
            continue
        v = wl[k]
        value = (
            f"{float(v.min()):,.6g} to {float(v.max()):,.6g}"
            if v.size > 1 and v.min() != v.max()
            else f"{float(v[0]):,.6g}"
        )
        rows.append({"field": k, "value": value, "unit": spec.unit, "meaning": spec.meaning})
    return pd.DataFrame(rows)


def workload_html(wl: Workload) -> str:
    return CSS + html_table(workload_table(wl), "capkit-workload", names=["field"])


def stack_components(stack: Stack) -> pd.DataFrame:
    """Each component: its name, type and the options it is written with."""
    names = component_names(stack)
    return pd.DataFrame(
        {
            "component": [names[c.id] for c in stack.components],
            "id in the file": [c.id for c in stack.components],
            "type": [c.type for c in stack.components],
            "as written": [option_text(c.configuration()) for c in stack.components],
        }
    )


def stack_repr(stack: Stack) -> str:
    """``Stack('render-postgres', components=['render_web', 'postgres', ...])``."""
    return f"Stack({stack.name!r}, components={[c.id for c in stack.components]})"


def stack_html(stack: Stack) -> str:
    """The stack's title, its components and its assumptions with units and sources."""
    return (
        CSS
        + f"<h3>{html.escape(stack.title)} ({html.escape(stack.name)})</h3>"
        + "<h4>Components</h4>"
        + html_table(stack_components(stack), "capkit-stack-components")
        + "<h4>Assumptions</h4>"
        + html_table(assumptions_table(stack), "capkit-stack-assumptions", names=["assumption"])
    )


# --- roadmap phases, calibration, catalog -----------------------------------------------------
def phase_repr(phase: Phase) -> str:
    """``Phase(1,000 to 3,286 users, $48 to $55/month; 2 actions)``."""
    fits = "" if phase.fits else "; no option fits"
    n = len(phase.actions)
    return (
        f"Phase({count(phase.users_from)} to {count(phase.users_to)} users, {money(phase.cost_from_usd)} to "
        f"{money(phase.cost_to_usd)}/month; {n} action{'s' if n != 1 else ''}{fits})"
    )


def phase_html(phase: Phase) -> str:
    """A phase as one row of the roadmap table."""
    return CSS + html_table(roadmap_shown(roadmap_table([phase])), "capkit-roadmap")


def catalog_repr(catalog: Catalog) -> str:
    """``Catalog(412 entries: 203 high, 150 medium, 59 low confidence)``."""
    counts: dict[str, int] = {}
    for key in catalog:
        level = catalog.entry(key).confidence
        counts[level] = counts.get(level, 0) + 1
    levels = ", ".join(f"{counts[k]} {k}" for k in ("high", "medium", "low") if k in counts)
    return f"Catalog({sum(counts.values())} entries: {levels} confidence)"


#: Each type and its (text, HTML) views.
VIEWS: dict[type, tuple[Callable[[Any], str], Callable[[Any], str]]] = {
    Plan: (plan_repr, plan_html),
    Scenario: (scenario_repr, scenario_html),
    Workload: (workload_repr, workload_html),
    Stack: (stack_repr, stack_html),
    Phase: (phase_repr, phase_html),
}


def install() -> None:
    """Give each type of :data:`VIEWS` its ``__repr__`` and ``_repr_html_``, and the catalog its
    ``__repr__`` (its HTML would be hundreds of rows: ``capkit pricing`` lists them)."""
    for cls, (text, markup) in VIEWS.items():
        cls.__repr__ = text  # type: ignore[method-assign,assignment]
        cls._repr_html_ = markup  # type: ignore[attr-defined]
    Catalog.__repr__ = catalog_repr  # type: ignore[method-assign,assignment]
