"""Roadmap: the cheapest configuration that keeps every limit under watch, as users grow.

Every component with tiers (plans, instance types and counts, disks, compute sizes, quota
levels, capacity modes) lists its options (``Component.options``). At every user level of a
dense log grid the roadmap takes the components in stack order and gives each the cheapest
option whose hard limits all stay under the watch threshold (70 %); a database is bound to the
web tier chosen for it at that level, so its connections follow. Each option is evaluated by
the engine itself over all levels at once (a stack of that one component): the roadmap knows no
price or formula of its own. Consecutive levels with the same configuration, instance counts
aside, form a phase: instance counts, worker processes and disk sizes grow inside a phase.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capkit.components import REGISTRY, Component
from capkit.engine import evaluate_arrays
from capkit.errors import InputError
from capkit.plan import WATCH_AT
from capkit.stack import Stack
from capkit.workload import Workload

#: Levels per decade of users in the default grid (a 3.9 % step).
LEVELS_PER_DECADE = 60


@dataclass
class Phase:
    """A user range over which one configuration (instance counts aside) is the cheapest that fits."""

    users_from: float
    users_to: float
    config: dict[str, dict[str, Any]]
    cost_from_usd: float
    cost_to_usd: float
    actions: list[str] = field(default_factory=list)
    fits: bool = True


def _label(change: dict[str, Any]) -> str:
    return ", ".join(
        f"{k} {v:,.0f}" if isinstance(v, float) else f"{k} {v}" for k, v in change.items() if k not in SCALING
    )


#: Parameters that scale with load inside a phase rather than open a new one.
SCALING = ("instances", "processes_per_instance", "disk_gb")


def _without_instances(change: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in change.items() if k not in SCALING))


@dataclass
class Choice:
    """Per component: the options, and per level the chosen index, its cost and all costs."""

    options: list[dict[str, Any]]
    index: np.ndarray
    cost: np.ndarray  # (options, levels)
    fits: np.ndarray  # (options, levels)


def choose(stack: Stack, wl: Workload, levels: np.ndarray) -> dict[str, Choice]:
    """The cheapest fitting option of every component at every level, in stack order."""
    choices: dict[str, Choice] = {}
    variants: dict[str, list[Component]] = {}
    for comp in stack.components:
        base = comp.params.model_dump()
        options = comp.options() or [{}]
        variants[comp.id] = [REGISTRY[comp.type](comp.id, {**base, **o}, comp.catalog, comp.where) for o in options]
        clients = list(getattr(comp.params, "clients", []))
        groups: dict[tuple, list[int]] = {}
        for i in range(len(levels)):
            groups.setdefault(tuple(int(choices[c].index[i]) for c in clients if c in choices), []).append(i)
        cost = np.full((len(options), len(levels)), np.inf)
        worst = np.full((len(options), len(levels)), np.inf)
        for key, idx in groups.items():
            peers = {c.id: c for c in stack.components}
            peers.update({c: variants[c][k] for c, k in zip([c for c in clients if c in choices], key, strict=True)})
            wl_group = wl.with_users(levels[idx])
            for j, variant in enumerate(variants[comp.id]):
                variant.bind(peers)
                ev = evaluate_arrays(Stack(stack.spec, [variant], stack.specs, stack.path), wl_group)
                cost[j, idx] = ev.monthly_cost_usd()
                hard = [m.utilization for m in ev.metrics if m.kind != "free_tier"]
                worst[j, idx] = np.max(hard, axis=0) if hard else 0.0
        fits = worst < WATCH_AT
        best = np.argmin(np.where(fits, cost, np.inf), axis=0)
        none_fit = ~fits.any(axis=0)
        # Where nothing fits: the cheapest of the options with the most headroom.
        roomiest = worst[:, none_fit] <= worst[:, none_fit].min(axis=0) * (1 + 1e-9)
        best[none_fit] = np.argmin(np.where(roomiest, cost[:, none_fit], np.inf), axis=0)
        choices[comp.id] = Choice(options, best, cost, fits)
    return choices


def roadmap(stack: Stack, wl: Workload, users: Sequence[float] | np.ndarray | None = None) -> list[Phase]:
    """Phases over ``users`` (a sorted grid; default 1,000 to 10,000,000 at 60 levels a decade)."""
    if users is None:
        users = np.geomspace(1_000, 10_000_000, 4 * LEVELS_PER_DECADE + 1)
    levels = np.asarray(users, dtype=float)
    if levels.size < 2 or (levels <= 0).any() or (np.diff(levels) <= 0).any():
        raise InputError("roadmap users: at least two increasing levels above 0")
    choices = choose(stack, wl, levels)
    n = len(levels)
    total = sum(c.cost[c.index, np.arange(n)] for c in choices.values())
    fits = np.all([c.fits[c.index, np.arange(n)] for c in choices.values()], axis=0)
    keys = [tuple((cid, _without_instances(c.options[c.index[i]])) for cid, c in choices.items()) for i in range(n)]
    phases: list[Phase] = []
    start = 0
    for i in range(1, n + 1):
        if i < n and keys[i] == keys[start]:
            continue
        config: dict[str, dict[str, Any]] = {}
        for cid, c in choices.items():
            option = dict(c.options[c.index[start]])
            for param in SCALING:
                seen = sorted({c.options[c.index[k]].get(param) for k in range(start, i)} - {None})
                if seen:
                    option[param] = seen[0] if len(seen) == 1 else f"{seen[0]:g} to {seen[-1]:g}"
            config[cid] = option
        actions = _first_actions(stack, choices) if start == 0 else _actions(choices, start - 1, start)
        phases.append(
            Phase(
                float(levels[start]),
                float(levels[i - 1]),
                config,
                float(total[start]),
                float(total[i - 1]),
                actions,
                bool(fits[start:i].all()),
            )
        )
        start = i
    return phases


def _change(cid: str, c: Choice, old: int, new: int, level: int) -> str | None:
    """The action that takes component ``cid`` from option ``old`` to ``new`` at ``level``."""
    before, after = c.options[old], c.options[new]
    if _without_instances(before) == _without_instances(after):
        return None
    if "mode" in after:
        saving = c.cost[old, level] - c.cost[new, level]
        mode = after["mode"].replace("_", "-")
        if saving >= 0:
            return f"switch {cid} to {mode}: saves ${saving:,.0f}/month at this load"
        return (
            f"switch {cid} to {mode}: ${-saving:,.0f}/month more, as {before['mode'].replace('_', '-')} no longer fits"
        )
    if "concurrency_limit" in after:
        return f"ask AWS for {cid} concurrency {after['concurrency_limit']:,.0f} (a quota request, no cost)"
    saving = c.cost[old, level] - c.cost[new, level]
    if saving > 0:
        return f"move {cid}: {_label(before)} -> {_label(after)} (saves ${saving:,.0f}/month)"
    return f"upgrade {cid}: {_label(before)} -> {_label(after)}"


def _actions(choices: dict[str, Choice], before: int, after: int) -> list[str]:
    """What changes between two adjacent levels (scaling parameters aside)."""
    steps = (_change(cid, c, c.index[before], c.index[after], after) for cid, c in choices.items())
    return [s for s in steps if s]


def _first_actions(stack: Stack, choices: dict[str, Choice]) -> list[str]:
    """What to change now: the first level's choice against the stack as configured."""
    steps = []
    for comp in stack.components:
        c = choices[comp.id]
        now = comp.params.model_dump()
        current = next((j for j, o in enumerate(c.options) if all(now.get(k) == v for k, v in o.items())), None)
        if current is not None:
            steps.append(_change(comp.id, c, current, c.index[0], 0))
    return [s for s in steps if s] or ["keep the stack as configured"]


def roadmap_table(phases: list[Phase]) -> pd.DataFrame:
    """Phases as a table: users and cost ranges, the configuration, the actions that open it."""
    rows = []
    for p in phases:
        config = "; ".join(f"{cid} ({', '.join(f'{k} {v}' for k, v in o.items())})" for cid, o in p.config.items() if o)
        rows.append(
            {
                "users_from": p.users_from,
                "users_to": p.users_to,
                "cost_from_usd": p.cost_from_usd,
                "cost_to_usd": p.cost_to_usd,
                "actions": "; ".join(p.actions),
                "configuration": config,
                "fits": p.fits,
            }
        )
    return pd.DataFrame(rows)
