"""Right-sizing: the plan of the cheapest configuration that keeps every hard limit under watch.

``right_size`` is the roadmap's choice (:func:`capkit.analysis.roadmap.choose`) at one user
level: the same code picks each component's plan, instance count, processes and disk, and the
engine then evaluates the stack so configured. ``right_sized_evaluation`` does the same along a sweep of
user levels, from the choice's own per-option figures, without evaluating again. Where no
option keeps a limit under watch, the plan names the limit and the assumptions that would
move it (``levers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from capkit.analysis.roadmap import Choice, choose, first_actions, largest_offer
from capkit.components.base import Component, CostItem
from capkit.engine import WATCH_AT, CostResult, Evaluation, MetricResult, evaluate, evaluate_arrays
from capkit.errors import InputError
from capkit.plan import Plan, limit_row
from capkit.stack import Stack
from capkit.workload import UNIVERSAL, Workload

#: The two sizings every face offers.
SIZINGS = ("right-sized", "as-configured")

#: Candidate values per assumption when looking for the one that brings a limit under watch.
LEVER_STEPS = 96


def check_sizing(sizing: str) -> str:
    """``sizing`` if it is one of SIZINGS, else an InputError naming the two."""
    if sizing not in SIZINGS:
        raise InputError(f"sizing {sizing!r} is not one of: {', '.join(SIZINGS)}")
    return sizing


def configured(stack: Stack, configuration: Mapping[str, Mapping[str, Any]]) -> Stack:
    """``stack`` with some components' params changed (plan, instances...), bound afresh."""
    components = [c.with_params(**configuration[c.id]) if configuration.get(c.id) else c for c in stack.components]
    by_id = {c.id: c for c in components}
    for c in components:
        c.bind(by_id)
    return Stack(stack.spec, components, stack.specs, stack.path)


def _configuration(choices: Mapping[str, Choice], level: int) -> dict[str, dict[str, Any]]:
    return {cid: dict(c.options[c.index[level]]) for cid, c in choices.items() if c.options != [{}]}


def right_size(stack: Stack, wl: Workload | None = None, allow_hobby: bool = False) -> Plan:
    """The plan of the cheapest configuration that keeps every hard limit under watch (70 %)
    at ``wl``'s users: the roadmap's choice at that level, evaluated by the engine.

    Parameters
    ----------
    stack : Stack
        The stack as written; each component's options (plans, instance counts, disks,
        quotas) come from the catalog.
    wl : Workload, optional
        One value per field (default: the stack's defaults).
    allow_hobby : bool, default False
        Let the choice include plans the catalog marks unfit for a paying product (they
        sleep, expire, pause or are non-commercial).

    Returns
    -------
    Plan
        Its ``configuration`` gives each component's chosen options, ``actions`` what changes
        from the stack as written, ``fits`` whether every hard limit is under watch, and
        ``limits`` the ones that are not, each with the assumptions that would bring it under
        watch.
    """
    wl = wl if wl is not None else stack.workload()
    if wl.n != 1:
        raise InputError(f"right_size takes one workload; this one has {wl.n} values (use right_sized_evaluation)")
    choices = choose(stack, wl, wl.users, allow_hobby)
    sized = configured(stack, _configuration(choices, 0))
    plan = evaluate(sized, wl)
    plan.sizing = "right-sized"
    plan.allow_hobby = allow_hobby
    plan.actions = first_actions(stack, choices)
    plan.fits = bool(all(c.fits[c.index[0], 0] for c in choices.values()))
    hard = plan.load[(plan.load["kind"] != "free_tier") & (plan.load["utilization"] >= WATCH_AT)]
    plan.limits = (
        []
        if plan.fits
        else [
            {
                **limit_row(r, levers(sized, wl, r["component"], r["metric"])),
                "ceiling": ceiling(choices[r["component"]], r["metric"], stack.component(r["component"])),
            }
            for r in hard.to_dict("records")
        ]
    )
    return plan


def ceiling(choice: Choice, metric: str, comp: Component) -> dict[str, Any] | None:
    """At right_size's one level: :func:`~capkit.analysis.roadmap.largest_offer` for ``metric``."""
    grid = next((g for g in choice.metrics if g.metric == metric), None)
    return None if grid is None else largest_offer(comp, choice, grid, 0)


def right_sized_evaluation(stack: Stack, wl: Workload, users: np.ndarray, allow_hobby: bool = False) -> Evaluation:
    """The right-sized stack at every level of ``users``, as an engine Evaluation.

    Each level runs its own cheapest fitting configuration (the roadmap's choice), so a
    metric's limit and a component's cost follow the chosen option from level to level; the
    bottleneck is the chosen configuration's, and its max_users the users at which the next
    upgrade is due. Cost items are one per component (the configuration's monthly total).
    """
    levels = np.asarray(users, dtype=float)
    check_right_sized_levels(stack, levels.size)
    choices = choose(stack, wl, levels, allow_hobby)
    n = len(levels)
    metrics: list[MetricResult] = []
    costs: list[CostResult] = []
    for cid, c in choices.items():
        for g in c.metrics:
            kinds = np.array(g.kind)[c.index]
            hard = kinds != "free_tier"
            kind = next((k for k in kinds if k != "free_tier"), "free_tier")
            metrics.append(
                MetricResult(
                    cid,
                    g.metric,
                    g.unit,
                    kind,
                    c.chosen(g.demand),
                    c.chosen(g.limit),
                    c.chosen(g.utilization),
                    # Where the chosen option's limit is a free allowance, it never binds.
                    np.where(hard, c.chosen(g.max_users), np.inf),
                    c.chosen(g.demand_fixed),
                    c.chosen(g.demand_per_user),
                )
            )
        cost = c.chosen(c.cost)
        costs.append(
            CostResult(
                cid,
                CostItem(
                    key="configuration",
                    item="configuration",
                    quantity=np.ones(n),
                    unit="month",
                    free=0.0,
                    unit_price=cost,
                    cost_usd=cost,
                ),
                cost,
            )
        )
    return Evaluation(stack, wl.with_users(levels), metrics, costs)


#: The most (option x level) pairs one right-sized sweep evaluates: every option of every
#: component is evaluated at every level (about 200 bytes each: 5,000,000 take about 1 GB).
MAX_OPTION_LEVELS = 5_000_000


def check_right_sized_levels(stack: Stack, levels: int) -> None:
    """Refuse a right-sized sweep whose options times levels would exceed MAX_OPTION_LEVELS."""
    options = sum(max(1, len(c.options())) for c in stack.components)
    if options * levels > MAX_OPTION_LEVELS:
        most = MAX_OPTION_LEVELS // options
        raise InputError(
            f"users: {levels:,} levels; right-sizing stack {stack.name} tries {options:,} options at each, "
            f"so at most {most:,} levels a sweep (or sweep the stack as written, not right-sized)"
        )


def levers(stack: Stack, wl: Workload, component: str, metric: str) -> list[dict[str, Any]]:
    """The assumptions that would bring ``component.metric`` under watch, each with the value
    nearest today's that does it (within the assumption's declared range).

    The component is evaluated by the engine with each assumption it reads swept over
    ``LEVER_STEPS`` values between today's and each end of its range (one evaluation each);
    business inputs (users, price, conversion...) are not levers.
    """
    comp = stack.component(component)
    keys = dict.fromkeys([*comp.requires, *comp.assumption_refs])
    out = []
    alone = Stack(stack.spec, [comp], stack.specs, stack.path)
    for key in keys:
        if key in UNIVERSAL or key not in stack.specs:
            continue
        spec, now = stack.specs[key], float(wl[key][0])
        candidates = np.unique(np.concatenate([_towards(now, spec.min), _towards(now, spec.max)]))
        trial = Workload.build(stack.specs, {**wl.scalars(), key: candidates})
        ev = evaluate_arrays(alone, trial)
        row = next((m for m in ev.metrics if m.metric == metric), None)
        if row is None:
            continue
        fits = row.utilization < WATCH_AT
        if fits.any():
            distance = np.abs(np.log(np.maximum(candidates, 1e-12) / max(now, 1e-12)))
            best = float(candidates[np.argmin(np.where(fits, distance, np.inf))])
            out.append({"assumption": key, "now": now, "fits_at": best, "unit": spec.unit})
    return out


def _towards(now: float, end: float) -> np.ndarray:
    """``LEVER_STEPS`` values from ``now`` to ``end``: log-spaced where both are positive."""
    if now > 0 and end > 0:
        return np.geomspace(now, end, LEVER_STEPS)
    return np.linspace(now, end, LEVER_STEPS)
