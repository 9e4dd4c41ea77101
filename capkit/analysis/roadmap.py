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

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capkit.components import REGISTRY, Component
from capkit.engine import WATCH_AT, evaluate_arrays
from capkit.errors import InputError
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
class MetricGrid:
    """One metric of one component over (options, levels): the engine's figures, per option."""

    component: str
    metric: str
    unit: str
    kinds: np.ndarray  # per option: quota, plan or free_tier (a plan's allowance may be either)
    demand: np.ndarray
    limit: np.ndarray
    utilization: np.ndarray
    max_users: np.ndarray
    demand_fixed: np.ndarray
    demand_per_user: np.ndarray


@dataclass
class Choice:
    """Per component: the options, and per level the chosen index, its cost and all costs."""

    options: list[dict[str, Any]]
    index: np.ndarray
    cost: np.ndarray  # (options, levels)
    fits: np.ndarray  # (options, levels)
    worst: np.ndarray  # (options, levels): the highest hard-limit utilization
    metrics: list[MetricGrid]  # every metric any option has; where an option lacks one, no limit
    connections: tuple[np.ndarray, np.ndarray]  # (a, b) of db_connections = a + b x users, per option

    def chosen(self, grid: np.ndarray) -> np.ndarray:
        """The chosen option's row of an (options, levels) grid, per level."""
        return grid[self.index, np.arange(grid.shape[1])]


class _ChosenClient:
    """A database client as the roadmap chose it at each level: its connections, a + b x users.

    Levels are tiled (every scaling variant of a family repeats the level grid), so the
    per-level figures repeat to the workload's length.
    """

    def __init__(self, fixed: np.ndarray, per_user: np.ndarray):
        self.fixed, self.per_user = fixed, per_user

    def db_connections(self, wl: Workload) -> np.ndarray:
        return np.resize(self.fixed, wl.n) + np.resize(self.per_user, wl.n) * wl.users


def _families(options: list[dict[str, Any]]) -> dict[tuple, list[int]]:
    """Option indices grouped by everything but the scaling parameters (one family per plan)."""
    families: dict[tuple, list[int]] = {}
    for i, option in enumerate(options):
        families.setdefault(_without_instances(option), []).append(i)
    return families


def _family_variant(comp: Component, options: list[dict[str, Any]], idx: list[int], levels: int) -> Component:
    """One component for a whole family: its scaling parameters (instances, processes, disk) as
    arrays with one value per (option, level), so the engine evaluates every option at once.

    The first option is validated as a stack file's would be; the others differ from it only
    in counts the component itself listed.
    """
    base = comp.params.model_dump()
    variant = REGISTRY[comp.type](comp.id, {**base, **options[idx[0]]}, comp.catalog, comp.where)
    scaling = {k for i in idx for k in options[i] if k in SCALING}
    if len(idx) > 1 and scaling:
        values = {k: np.repeat([float(options[i].get(k, base[k])) for i in idx], levels) for k in scaling}
        variant.params = variant.params.model_copy(update=values)
        variant.setup()  # prices and limits that read a scaling parameter (a disk size)
    return variant


#: Per stack, by (component id, number of levels): the options and their family variants,
#: built once and evaluated often.
_VARIANTS: weakref.WeakKeyDictionary[Stack, dict[tuple[str, int], tuple[list, list]]] = weakref.WeakKeyDictionary()


def _variants(stack: Stack, comp: Component, n: int) -> tuple[list[dict[str, Any]], list[tuple[list[int], Any]]]:
    """``comp``'s options, and (option indices, family variant) for every family at ``n`` levels."""
    cache = _VARIANTS.setdefault(stack, {})
    key = (comp.id, n)
    if key not in cache:
        options = comp.options() or [{}]
        cache[key] = (
            options,
            [(_index(idx), _family_variant(comp, options, idx, n)) for idx in _families(options).values()],
        )
    return cache[key]


def _index(idx: list[int]) -> slice | np.ndarray:
    """Option indices as a slice where they run in order (the usual case), else an array."""
    if idx == list(range(idx[0], idx[-1] + 1)):
        return slice(idx[0], idx[-1] + 1)
    return np.array(idx)


def _grid(values: np.ndarray | float, size: int, shape: tuple[int, int]) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return (values if values.size == size else np.broadcast_to(values, (size,))).reshape(shape)


def choose(stack: Stack, wl: Workload, levels: np.ndarray) -> dict[str, Choice]:
    """The cheapest fitting option of every component at every level, in stack order.

    Each family of options (one plan, all its instance counts, processes and disk sizes) is
    one engine evaluation over (options x levels); a database sees, at each level, the
    connections of the clients chosen before it.
    """
    levels = np.asarray(levels, dtype=float)
    n = len(levels)
    choices: dict[str, Choice] = {}
    for comp in stack.components:
        options, families = _variants(stack, comp, n)
        peers: dict[str, Any] = {c.id: c for c in stack.components}
        for cid in comp.client_ids():
            if cid in choices:
                a, b = choices[cid].connections
                peers[cid] = _ChosenClient(choices[cid].chosen(a), choices[cid].chosen(b))
        cost = np.zeros((len(options), n))
        fixed = np.zeros((len(options), n))
        per_user = np.zeros((len(options), n))
        grids: dict[str, MetricGrid] = {}
        for idx, variant in families:
            variant.bind(peers)
            count = idx.stop - idx.start if isinstance(idx, slice) else len(idx)
            users = np.tile(levels, count)
            wl_family = wl.with_users(users)
            ev = evaluate_arrays(Stack(stack.spec, [variant], stack.specs, stack.path), wl_family)
            shape = (count, n)
            cost[idx] = ev.monthly_cost_usd().reshape(shape)
            # Connections are affine in users like every demand: two levels give a and b.
            up = users + np.maximum(users, 1.0)
            c0 = _grid(variant.db_connections(wl_family), users.size, shape)
            c1 = _grid(variant.db_connections(wl.with_users(up)), users.size, shape)
            slope = (c1 - c0) / _grid(up - users, users.size, shape)
            fixed[idx], per_user[idx] = c0 - slope * _grid(users, users.size, shape), slope
            for m in ev.metrics:
                grid = grids.get(m.metric) or grids.setdefault(m.metric, _empty_grid(m, len(options), n))
                for name in ("demand", "limit", "utilization", "max_users", "demand_fixed", "demand_per_user"):
                    getattr(grid, name)[idx] = _grid(getattr(m, name), users.size, shape)
                grid.kinds[idx] = m.kind
        # The highest utilization of a hard limit (free-tier allowances are billed past, not hit).
        worst = np.zeros((len(options), n))
        for g in grids.values():
            hard = (g.kinds != "free_tier")[:, None]
            worst = np.maximum(worst, np.where(hard, g.utilization, 0.0))
        fits = worst < WATCH_AT
        best = np.argmin(np.where(fits, cost, np.inf), axis=0)
        none_fit = ~fits.any(axis=0)
        # Where nothing fits: the cheapest of the options with the most headroom.
        roomiest = worst[:, none_fit] <= worst[:, none_fit].min(axis=0) * (1 + 1e-9)
        best[none_fit] = np.argmin(np.where(roomiest, cost[:, none_fit], np.inf), axis=0)
        choices[comp.id] = Choice(options, best, cost, fits, worst, list(grids.values()), (fixed, per_user))
    return choices


def _empty_grid(m: Any, options: int, levels: int) -> MetricGrid:
    """A metric's grid before any family fills it: an option without the metric has no limit."""

    def full(value: float) -> np.ndarray:
        return np.full((options, levels), value)

    return MetricGrid(
        m.component,
        m.metric,
        m.unit,
        np.full(options, "free_tier", dtype=object),
        full(0.0),
        full(np.inf),
        full(0.0),
        full(np.inf),
        full(0.0),
        full(0.0),
    )


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
        actions = first_actions(stack, choices) if start == 0 else _actions(choices, start - 1, start)
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


def first_actions(stack: Stack, choices: dict[str, Choice], level: int = 0) -> list[str]:
    """What to change now: the choice at ``level`` against the stack as configured, plans first,
    then instance counts, processes and disk sizes."""
    steps: list[str] = []
    for comp in stack.components:
        c = choices[comp.id]
        if c.options == [{}]:
            continue
        now = comp.configuration()
        chosen = int(c.index[level])
        after = c.options[chosen]
        current = next((j for j, o in enumerate(c.options) if all(now.get(k) == v for k, v in o.items())), None)
        if current is not None:
            steps.append(_change(comp.id, c, current, chosen, level))
        elif _without_instances(now) != _without_instances(after):
            steps.append(f"change {comp.id}: {_label(now)} -> {_label(after)}")
        scaled = [(k, now.get(k), v) for k, v in after.items() if k in SCALING and now.get(k) != v]
        if scaled:
            steps.append(f"scale {comp.id}: " + ", ".join(f"{k} {_count(a)} -> {_count(b)}" for k, a, b in scaled))
    return [s for s in steps if s] or ["keep the stack as configured"]


def _count(value: Any) -> str:
    return "default" if value is None else f"{value:,.6g}"


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
