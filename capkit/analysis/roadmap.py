"""Roadmap: the cheapest configuration that keeps every limit under watch, as users grow.

Every component with tiers (plans, instance types and counts, disks, compute sizes, quota
levels, capacity modes, read replicas) lists its options (``Component.options``). At every
user level of a dense log grid the roadmap gives each component the cheapest option whose hard
limits all stay under the watch threshold (70 %); a client and the databases it alone connects
to are chosen together, each database seeing the connections the client's option opens. Options
the catalog marks unfit for a paying product are left out unless asked for, and a component
whose provider allows no move down (Render Postgres' instance type and disk) only moves up from
the stack as written. Each option is evaluated by the engine itself over all levels at once (a
stack of that one component): the roadmap knows no price or formula of its own. Consecutive
levels with the same configuration, counts aside, form a phase: instance counts, worker
processes and disk sizes grow inside a phase.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from capkit.components import Component
from capkit.engine import WATCH_AT, MetricResult, affine, evaluate_arrays, user_levels
from capkit.errors import InputError
from capkit.labels import component_names, option_value, option_words
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
    #: Where no option fits: each limit past watch at the phase's first such level, and, where
    #: no option offers more, that this is the provider's largest offer with its source.
    limits: list[str] = field(default_factory=list)


def _label(change: dict[str, Any]) -> str:
    """An option without its scaling counts, in labels.yaml's words ("Pro 16 GB, 1 read replica")."""
    return ", ".join(w for k, v in change.items() if k not in SCALING and (w := option_words(k, v)))


#: Parameters that scale with load inside a phase rather than open a new one.
SCALING = ("instances", "processes_per_instance", "disk_gb")
#: Parameters evaluated as arrays within one family of options (one engine run per plan): the
#: scaling ones, and read replicas (which do open a phase: adding one is an action).
ARRAYED = (*SCALING, "read_replicas")


def _without_instances(change: dict[str, Any]) -> tuple:
    return tuple(sorted((k, v) for k, v in change.items() if k not in SCALING))


#: One metric of one component over (options, levels): the engine's own result type, its
#: arrays two-dimensional and its ``kind`` an array with one kind per option (a plan's
#: allowance may be a quota on one plan and a free allowance on another).
MetricGrid = MetricResult
#: Of a metric's figures over arrays (MetricResult's), the ones read only at chosen options or
#: at single levels: kept as the engine returned them, family by family (:class:`_Blocks`),
#: instead of copied into a full grid.
LAZY_FIELDS = ("demand", "limit", "max_users", "demand_fixed", "demand_per_user")


class _Blocks:
    """An (options, levels) grid kept as the blocks the engine returned, one per family of
    options: ``grid[rows, cols]`` gathers the cells asked for (rows and cols as arrays or
    ints, or a whole column ``grid[:, level]``); rows no family wrote read ``default``."""

    def __init__(self, options: int, levels: int, default: float):
        self.shape = (options, levels)
        self.default = default
        self.owner = np.full(options, -1)  # per option row: which block holds it
        self.row = np.zeros(options, dtype=int)  # ... and its row there
        self.blocks: list[np.ndarray] = []

    def add(self, idx: slice | np.ndarray, block: np.ndarray) -> None:
        self.owner[idx] = len(self.blocks)
        self.row[idx] = np.arange(block.shape[0])
        self.blocks.append(block)

    def __getitem__(self, key: tuple) -> np.ndarray | float:
        rows, cols = key
        if isinstance(rows, slice):
            rows = np.arange(self.shape[0])[rows]
        rows_a, cols_a = np.broadcast_arrays(np.asarray(rows), np.asarray(cols))
        out = np.full(rows_a.shape, self.default, dtype=float)
        owners = self.owner[rows_a]
        for b in np.unique(owners[owners >= 0]):
            here = owners == b
            out[here] = self.blocks[b][self.row[rows_a[here]], cols_a[here]]
        return out if out.ndim else float(out)


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
    """Option indices grouped by everything but the array parameters (one family per plan)."""
    families: dict[tuple, list[int]] = {}
    for i, option in enumerate(options):
        families.setdefault(tuple(sorted((k, v) for k, v in option.items() if k not in ARRAYED)), []).append(i)
    return families


def _family_variant(comp: Component, options: list[dict[str, Any]], idx: list[int], levels: int) -> Component:
    """One component for a whole family: its array parameters (instances, processes, disk,
    replicas) as arrays with one value per (option, level), so the engine evaluates every
    option at once.

    The first option is validated as a stack file's would be; the others differ from it only
    in counts the component itself listed.
    """
    base = comp.params.model_dump()
    variant = comp.with_params(**options[idx[0]])
    arrayed = {k for i in idx for k in options[i] if k in ARRAYED}
    if len(idx) > 1 and arrayed:
        values = {k: np.repeat([float(options[i].get(k, base[k])) for i in idx], levels) for k in arrayed}
        variant.params = variant.params.model_copy(update=values)
        variant.setup()  # prices and limits that read an array parameter (a disk size)
    return variant


#: Per stack, by (component id, number of levels, hobby options allowed): the options and their
#: family variants, built once and evaluated often.
_VARIANTS: weakref.WeakKeyDictionary[Stack, dict[tuple[str, int, bool], tuple[list, list, Any]]] = (
    weakref.WeakKeyDictionary()
)


def production_options(comp: Component, allow_hobby: bool = False) -> list[dict[str, Any]]:
    """``comp``'s options a paying product may run: those the catalog marks unfit for
    production (a plan that sleeps, expires, pauses or is non-commercial) only with
    ``allow_hobby``. A component without options has one, ``{}`` (as written)."""
    options = comp.options()
    if not allow_hobby:
        options = [o for o in options if comp.unfit(o) is None]
    return options or [{}]


def _variants(stack: Stack, comp: Component, n: int, allow_hobby: bool) -> tuple[list, list, Any]:
    """``comp``'s options, (option indices, family variant) for every family at ``n`` levels,
    and the options' one-way features (:func:`_features`)."""
    cache = _VARIANTS.setdefault(stack, {})
    key = (comp.id, n, allow_hobby)
    if key not in cache:
        options = production_options(comp, allow_hobby)
        cache[key] = (
            options,
            [(_index(idx), _family_variant(comp, options, idx, n)) for idx in _families(options).values()],
            _features(comp, options),
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


@dataclass
class _Grids:
    """Every option of one component evaluated over every level: cost, the worst hard-limit
    utilization, the metric grids and the connections it opens (a + b x users)."""

    options: list[dict[str, Any]]
    cost: np.ndarray
    worst: np.ndarray
    metrics: list[MetricGrid]
    connections: tuple[np.ndarray, np.ndarray]

    def past_watch(self, level: int) -> tuple[np.ndarray, np.ndarray]:
        """Per option at ``level``: how many hard limits are at or past watch, and their
        utilization past watch summed. Asked only where no allowed option fits: computed once
        for every level where no option fits at all, alone for any other."""
        if "_past" not in self.__dict__:
            nowhere = np.flatnonzero((self.worst >= WATCH_AT).all(axis=0))
            self._past = ({int(level): i for i, level in enumerate(nowhere)}, *self._counts(nowhere))
        columns, over, excess = self._past
        if level in columns:
            return over[:, columns[level]], excess[:, columns[level]]
        return tuple(a[:, 0] for a in self._counts(np.array([level])))

    def _counts(self, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        over = np.zeros((len(self.options), levels.size), dtype=np.int64)
        excess = np.zeros((len(self.options), levels.size))
        for g in self.metrics:
            hard = (g.kind != "free_tier")[:, None]
            u = g.utilization[:, levels]
            over += hard & (u >= WATCH_AT)
            excess += np.where(hard, np.maximum(u - WATCH_AT, 0.0), 0.0)
        return over, excess

    def roomiest(self, level: int, allowed: np.ndarray) -> int:
        """:func:`_cheapest` at ``level`` among ``allowed`` options."""
        fits = self.worst[:, level] < WATCH_AT
        if (fits & allowed).any():  # the cheapest that fits; the counts past watch are not needed
            return _cheapest(self.cost[:, level], fits, self.worst[:, level], allowed)
        return _cheapest(self.cost[:, level], fits, self.worst[:, level], allowed, *self.past_watch(level))


def _evaluate(
    stack: Stack, comp: Component, wl: Workload, levels: np.ndarray, peers: dict, allow_hobby: bool
) -> _Grids:
    """Each family of ``comp``'s options is one engine evaluation over (options x levels)."""
    n = len(levels)
    options, families, _ = _variants(stack, comp, n, allow_hobby)
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
        step = np.maximum(users, 1.0)
        c0 = _grid(variant.db_connections(wl_family), users.size, shape)
        c1 = _grid(variant.db_connections(wl.with_users(users + step)), users.size, shape)
        fixed[idx], per_user[idx] = affine(_grid(users, users.size, shape), c0, c1, _grid(step, users.size, shape))
        for m in ev.metrics:
            grid = grids.get(m.metric) or grids.setdefault(m.metric, _empty_grid(m, len(options), n))
            grid.utilization[idx] = _grid(m.utilization, users.size, shape)
            for name in LAZY_FIELDS:
                getattr(grid, name).add(idx, _grid(getattr(m, name), users.size, shape))
            grid.kind[idx] = m.kind
    for g in grids.values():
        _fill_missing(g)
    # The highest utilization of a hard limit (free-tier allowances are billed past, not hit).
    worst = np.zeros((len(options), n))
    for g in grids.values():
        hard = (g.kind != "free_tier")[:, None]
        worst = np.maximum(worst, np.where(hard, g.utilization, 0.0))
    return _Grids(options, cost, worst, list(grids.values()), (fixed, per_user))


def _features(comp: Component, options: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray] | None:
    """Per option, the features the provider never lets decrease (an instance type's memory, a
    disk), and the same for the component as written: the start of every path; None when the
    component has no one-way move."""
    start = comp.monotone(comp.configuration())
    if not start:
        return None
    keys = list(start)
    table = np.array([[comp.monotone(o)[k] for k in keys] for o in options], dtype=float)
    return table, np.array([start[k] for k in keys], dtype=float)


def _allowed(features: tuple[np.ndarray, np.ndarray] | None, previous: int | None, size: int) -> np.ndarray:
    """The options a component may move to from ``previous`` (the stack as written at None)."""
    if features is None:
        return np.ones(size, dtype=bool)
    table, start = features
    now = start if previous is None else table[previous]
    return np.all(table >= now - 1e-9, axis=1)


def _cheapest(
    cost: np.ndarray,
    fits: np.ndarray,
    worst: np.ndarray,
    allowed: np.ndarray,
    over: np.ndarray | None = None,
    excess: np.ndarray | None = None,
) -> int:
    """The cheapest allowed option that fits. Where none fits, the roomiest: the fewest limits
    past watch (``over``), then the lowest worst utilization, then the least utilization
    past watch summed over the limits (``excess``), then the cheapest."""
    candidates = np.where(fits & allowed, cost, np.inf)
    if np.isfinite(candidates.min()):
        return int(np.argmin(candidates))
    if over is not None:
        counts = np.where(allowed, over, np.iinfo(np.int64).max)
        allowed = allowed & (counts == counts.min())
    room = np.where(allowed, worst, np.inf)
    allowed = allowed & (room <= room.min() * (1 + 1e-9))
    if excess is not None:
        spill = np.where(allowed, excess, np.inf)
        allowed = allowed & (spill <= spill.min() * (1 + 1e-9) + 1e-12)
    return int(np.argmin(np.where(allowed, cost, np.inf)))


def _pick(g: _Grids, features: tuple[np.ndarray, np.ndarray] | None) -> np.ndarray:
    """Per level, the option :func:`_cheapest` takes, walking the levels in order where the
    provider's one-way moves bind (each level starts from the one before)."""
    fits = g.worst < WATCH_AT
    n = g.cost.shape[1]
    if features is None:
        everything = np.ones(len(g.options), dtype=bool)
        best = np.argmin(np.where(fits, g.cost, np.inf), axis=0)
        for level in np.flatnonzero(~fits.any(axis=0)):
            best[level] = g.roomiest(level, everything)
        return best
    index = np.zeros(n, dtype=int)
    previous = None
    for level in range(n):
        allowed = _allowed(features, previous, len(g.options))
        index[level] = previous = g.roomiest(level, allowed)
    return index


class _ProbeClient:
    """A stand-in client for the joint choice's probe: over levels given twice, it opens no
    connection at the first copy of each level and one at the second (the rows repeat per
    option, like :class:`_ChosenClient`'s)."""

    def __init__(self, n: int):
        self.pattern = np.repeat([0.0, 1.0], n)

    def db_connections(self, wl: Workload) -> np.ndarray:
        return np.resize(self.pattern, wl.n)


@dataclass
class _Headroom:
    """A database's options against the connections a client opens, per (option, level): its
    cost, whether the limits that do not depend on connections fit, the most client
    connections it takes with every limit under watch, and its one-way features."""

    cost: np.ndarray
    fits: np.ndarray
    most: np.ndarray
    features: tuple[np.ndarray, np.ndarray] | None


def _headroom(stack: Stack, comp: Component, wl: Workload, levels: np.ndarray, peers: dict, hobby: bool) -> _Headroom:
    """Database ``comp``'s :class:`_Headroom`. Each limit is affine in its clients' connections
    (a count against a plan's or a pooler's maximum), so two probes, at 0 and 1 connection (the
    levels given twice, one evaluation), give it exactly."""
    n = len(levels)
    probe = _evaluate(
        stack, comp, wl, np.concatenate([levels, levels]), {**peers, comp.client_ids()[0]: _ProbeClient(n)}, hobby
    )
    most = np.full((len(probe.options), n), np.inf)
    fits = np.ones((len(probe.options), n), dtype=bool)
    for g in probe.metrics:
        hard = (g.kind != "free_tier")[:, None]
        at_zero, at_one = g.utilization[:, :n], g.utilization[:, n:]
        slope = at_one - at_zero
        fits &= ~hard | (at_zero < WATCH_AT)
        bound = np.where(slope > 0, (WATCH_AT - at_zero) / np.where(slope > 0, slope, 1.0), np.inf)
        most = np.where(hard, np.minimum(most, bound), most)
    return _Headroom(probe.cost[:, :n], fits, most, _variants(stack, comp, n, hobby)[2])


def _joint(
    client: _Grids,
    client_features: tuple[np.ndarray, np.ndarray] | None,
    databases: list[_Headroom],
    users: np.ndarray,
) -> np.ndarray:
    """The client's option per level that, with each of its databases' cheapest fitting option
    for the connections it opens, costs least in all (the databases' limits are the only
    coupling). Levels are walked in order where a one-way move binds a database."""
    fits = client.worst < WATCH_AT
    fixed, per_user = client.connections
    # Each database's options sorted by the connections they take, every level at once.
    n = len(users)
    orders = [np.argsort(db.most, axis=0, kind="stable") for db in databases]
    sorted_most = [np.take_along_axis(db.most, order, axis=0) for db, order in zip(databases, orders, strict=True)]
    index = np.zeros(n, dtype=int)
    previous_client: int | None = None
    previous_db: list[int | None] = [None] * len(databases)
    for level in range(n):
        allowed = _allowed(client_features, previous_client, len(client.options))
        total = np.where(fits[:, level] & allowed, client.cost[:, level], np.inf)
        picks = []
        conns = fixed[:, level] + per_user[:, level] * users[level]  # a + b x users, per client option
        for j, db in enumerate(databases):
            ok = db.fits[:, level] & _allowed(db.features, previous_db[j], db.cost.shape[0])
            order = orders[j][:, level]
            sorted_limit = sorted_most[j][:, level]
            sorted_cost = np.where(ok, db.cost[:, level], np.inf)[order]  # an option not allowed costs inf
            # Suffix minima: the cheapest database among those taking more than c connections.
            suffix = np.minimum.accumulate(sorted_cost[::-1])[::-1]
            suffix_at = np.append(suffix, np.inf)
            first = np.searchsorted(sorted_limit, conns, side="right")
            total = total + suffix_at[first]
            picks.append((order, sorted_cost, first))
        if not np.isfinite(total.min()):
            # No joint option fits: of the client's fitting options, the one opening the fewest
            # connections (the most room for its databases), then the cheapest.
            ok = fits[:, level] & allowed
            if ok.any():
                fewest = np.where(ok, conns, np.inf)
                ok &= fewest <= fewest.min() * (1 + 1e-9)
            index[level] = previous_client = client.roomiest(level, ok if ok.any() else allowed)
            continue
        k = int(np.argmin(total))
        index[level] = previous_client = k
        for j, (order, sorted_cost, first) in enumerate(picks):
            tail = sorted_cost[first[k] :]
            previous_db[j] = int(order[first[k] + int(np.argmin(tail))])
    return index


def choose(stack: Stack, wl: Workload, levels: np.ndarray, allow_hobby: bool = False) -> dict[str, Choice]:
    """The cheapest fitting option of every component at every level.

    Each family of options (one plan, all its instance counts, processes, disks and replicas)
    is one engine evaluation over (options x levels). A client and the databases it is the
    only client of are chosen together: their cost summed, each database with the
    connections the client's option opens (the one coupling between components). Options the
    catalog marks unfit for a paying product are left out unless ``allow_hobby``; a
    component whose provider allows no move down (Render Postgres' instance type and disk)
    walks the levels upwards from the stack as written.
    """
    levels = np.asarray(levels, dtype=float)
    n = len(levels)
    by_id = {c.id: c for c in stack.components}
    # The databases each client with options is the only client of: chosen with it.
    coupled: dict[str, list[str]] = {}
    for comp in stack.components:
        ids = comp.client_ids()
        if len(ids) == 1 and ids[0] in by_id and stack.components.index(by_id[ids[0]]) < stack.components.index(comp):
            if len(_variants(stack, by_id[ids[0]], n, allow_hobby)[0]) > 1:
                coupled.setdefault(ids[0], []).append(comp.id)
    choices: dict[str, Choice] = {}
    for comp in stack.components:
        peers: dict[str, Any] = {c.id: c for c in stack.components}
        for cid in comp.client_ids():
            if cid in choices:
                a, b = choices[cid].connections
                peers[cid] = _ChosenClient(choices[cid].chosen(a), choices[cid].chosen(b))
        g = _evaluate(stack, comp, wl, levels, peers, allow_hobby)
        features = _variants(stack, comp, n, allow_hobby)[2]
        if comp.id in coupled:
            databases = []
            for did in coupled[comp.id]:
                db = by_id[did]
                databases.append(_headroom(stack, db, wl, levels, {c.id: c for c in stack.components}, allow_hobby))
            index = _joint(g, features, databases, levels)
        else:
            index = _pick(g, features)
        choices[comp.id] = Choice(g.options, index, g.cost, g.worst < WATCH_AT, g.worst, g.metrics, g.connections)
    return choices


#: A metric's figures for an option that lacks it: no demand against no limit.
_NO_LIMIT = {
    "demand": 0.0,
    "limit": np.inf,
    "utilization": 0.0,
    "max_users": np.inf,
    "demand_fixed": 0.0,
    "demand_per_user": 0.0,
}


def _empty_grid(m: Any, options: int, levels: int) -> MetricGrid:
    """A metric's grid before the families fill it: the utilization a full array (every option
    is compared at every level), the rest family blocks; :func:`_fill_missing` gives the
    options without the metric no limit once every family has written its rows."""
    lazy = {name: _Blocks(options, levels, _NO_LIMIT[name]) for name in LAZY_FIELDS}
    return MetricResult(
        m.component,
        m.metric,
        m.unit,
        np.full(options, None, dtype=object),
        utilization=np.empty((options, levels)),
        **lazy,
    )


def _fill_missing(grid: MetricGrid) -> None:
    """Options no family gave this metric: free-tier kind, no demand, no limit (the blocks
    read their defaults for them)."""
    missing = np.array([k is None for k in grid.kind])
    if missing.any():
        grid.kind[missing] = "free_tier"
        grid.utilization[missing] = _NO_LIMIT["utilization"]


def roadmap(
    stack: Stack, wl: Workload, users: Sequence[float] | np.ndarray | None = None, allow_hobby: bool = False
) -> list[Phase]:
    """The cheapest configuration that fits at every level of a user grid, grouped into
    phases: what to change, from how many users, at what monthly cost.

    Parameters
    ----------
    stack : Stack
        The stack as written (the first phase's actions start from it).
    wl : Workload
        The other fields (its users are replaced by the grid).
    users : sorted array of float, optional
        Daily active users (default: 1,000 to 10,000,000 at 60 levels a decade).
    allow_hobby : bool, default False
        Let the choice include plans unfit for a paying product.

    Returns
    -------
    list of Phase
        users_from and users_to (daily active users), cost_from_usd and cost_to_usd (USD a
        month), the configuration, the actions that open it, and where no option fits, why.
        A configuration that holds at a single level is folded into the phase after it.
    """
    if users is None:
        users = user_levels(1_000, 10_000_000, LEVELS_PER_DECADE)
    levels = np.asarray(users, dtype=float)
    if levels.size < 2 or (levels <= 0).any() or (np.diff(levels) <= 0).any():
        raise InputError("roadmap users: at least two increasing levels above 0")
    choices = choose(stack, wl, levels, allow_hobby)
    n = len(levels)
    total = sum(c.cost[c.index, np.arange(n)] for c in choices.values())
    fits = np.all([c.fits[c.index, np.arange(n)] for c in choices.values()], axis=0)
    keys = [tuple((cid, _without_instances(c.options[c.index[i]])) for cid, c in choices.items()) for i in range(n)]
    starts = [0] + [i for i in range(1, n) if keys[i] != keys[i - 1]]
    runs = [(a, b) for a, b in zip(starts, [*starts[1:], n], strict=True)]
    # Fold a one-level run into the run after it (the last run stays, whatever its length).
    merged: list[tuple[int, int, int]] = []  # (first level, first level of its configuration, end)
    pending: int | None = None
    for a, b in runs:
        first = a if pending is None else pending
        if b - a == 1 and b < n:
            pending = first
            continue
        merged.append((first, a, b))
        pending = None
    phases: list[Phase] = []
    names = component_names(stack)
    for first, a, b in merged:
        config: dict[str, dict[str, Any]] = {}
        for cid, c in choices.items():
            option = dict(c.options[c.index[a]])
            for param in SCALING:
                seen = sorted({c.options[c.index[k]].get(param) for k in range(a, b)} - {None})
                if seen:
                    option[param] = seen[0] if len(seen) == 1 else f"{seen[0]:g} to {seen[-1]:g}"
            config[cid] = option
        actions = first_actions(stack, choices, a) if first == 0 else _actions(choices, first - 1, a, names)
        phases.append(
            Phase(
                float(levels[first]),
                float(levels[b - 1]),
                config,
                float(total[first]),
                float(total[b - 1]),
                actions,
                bool(fits[first:b].all()),
                [] if fits[first:b].all() else _past_watch(stack, choices, first + int(np.argmin(fits[first:b]))),
            )
        )
    return phases


def largest_offer(comp: Component, c: Choice, g: MetricGrid, level: int) -> dict[str, Any] | None:
    """Where the option ``c`` chose at ``level`` has the largest limit on ``g``'s metric of all
    ``comp``'s options: that limit, its unit, and the catalog entry it comes from (key and
    source); None where an option offers more or the limit is no single catalog entry."""
    i = int(c.index[level])
    key = comp.limit_key(g.metric, c.options[i])
    if key is None or g.limit[i, level] < g.limit[:, level].max() * (1 - 1e-9):
        return None
    return {
        "limit": float(g.limit[i, level]),
        "unit": g.unit,
        "key": key,
        "source": str(comp.catalog.entry(key).source),
    }


def _past_watch(stack: Stack, choices: dict[str, Choice], level: int) -> list[str]:
    """The hard limits past watch at ``level`` in the chosen configuration, each said with its
    limit and, where no option of the component offers more, the catalog entry it comes from."""
    from capkit.labels import labeller

    names = labeller(stack)
    out = []
    for cid, c in choices.items():
        i = int(c.index[level])
        for g in c.metrics:
            if g.kind[i] == "free_tier" or g.utilization[i, level] < WATCH_AT:
                continue
            text = f"{names.metric(cid, g.metric)} at {g.utilization[i, level]:.0%}"
            top = largest_offer(stack.component(cid), c, g, level)
            if top is not None:
                text += (
                    f" of {top['limit']:,.0f} {top['unit']}, the most any option offers ({top['key']}, {top['source']})"
                )
            out.append(text)
    return out


#: A saving smaller than this (USD a month) is no saving: the options cost the same.
SAME_COST_USD = 0.5


def _change(cid: str, c: Choice, old: int, new: int, level: int) -> str | None:
    """The action that takes component ``cid`` (its name) from option ``old`` to ``new`` at ``level``:
    "switch" to an option that costs the same or less, "upgrade" to a dearer one (chosen only
    because the cheaper one no longer keeps its limits), "add" read replicas to the same
    instance type."""
    before, after = c.options[old], c.options[new]
    if _without_instances(before) == _without_instances(after):
        return None
    saving = c.cost[old, level] - c.cost[new, level]
    if "mode" in after:
        mode = option_value(after["mode"])
        if saving >= 0:
            return f"switch {cid} to {mode}: saves ${saving:,.0f}/month at this load"
        return f"switch {cid} to {mode}: ${-saving:,.0f}/month more, as {option_value(before['mode'])} no longer fits"
    if "concurrency_limit" in after:
        return f"ask AWS for {cid} concurrency {after['concurrency_limit']:,.0f} (a quota request, no cost)"
    others = {k: v for k, v in after.items() if k not in (*SCALING, "read_replicas")}
    if others == {k: v for k, v in before.items() if k not in (*SCALING, "read_replicas")}:
        added = after.get("read_replicas", 0) - before.get("read_replicas", 0)
        what = _label({k: v for k, v in after.items() if k != "read_replicas"})
        split = f"reads split {after.get('read_replicas', 0) + 1:.0f} ways"
        if added > 0:
            return f"add {added:.0f} read replica{'s' if added != 1 else ''} of {what}: {split}"
        return f"remove {-added:.0f} read replica{'s' if added != -1 else ''} of {what}: {split}"
    move = f"{cid}: {_label(before)} -> {_label(after)}"
    if saving >= SAME_COST_USD:
        return f"switch {move} (saves ${saving:,.0f}/month)"
    if saving > -SAME_COST_USD:
        return f"switch {move} (the same cost at this load)"
    # Dearer, and chosen because the cheaper option no longer keeps its limits: more capable.
    return f"upgrade {move}"


def _actions(choices: dict[str, Choice], before: int, after: int, names: Mapping[str, str]) -> list[str]:
    """What changes between two levels (scaling parameters aside), each component by its name."""
    steps = (_change(names.get(cid, cid), c, c.index[before], c.index[after], after) for cid, c in choices.items())
    return [s for s in steps if s]


def first_actions(stack: Stack, choices: dict[str, Choice], level: int = 0) -> list[str]:
    """What to change now: the choice at ``level`` against the stack as configured, plans first,
    then instance counts, processes and disk sizes. Leaving a plan unfit for a paying product
    says why."""
    steps: list[str] = []
    names = component_names(stack)
    for comp in stack.components:
        c = choices[comp.id]
        name = names[comp.id]
        if c.options == [{}]:
            continue
        now = comp.configuration()
        chosen = int(c.index[level])
        after = c.options[chosen]
        current = next((j for j, o in enumerate(c.options) if all(now.get(k) == v for k, v in o.items())), None)
        if current is not None:
            steps.append(_change(name, c, current, chosen, level))
        elif _without_instances(now) != _without_instances(after):
            unfit = comp.unfit()
            why = f" (as written, {unfit})" if unfit else ""
            steps.append(f"{'upgrade' if unfit else 'change'} {name}: {_label(now)} -> {_label(after)}{why}")
        scaled = [(k, now.get(k), v) for k, v in after.items() if k in SCALING and now.get(k) != v]
        if scaled:
            moves = ", ".join(f"{_count(a)} -> {option_words(k, b)}" for k, a, b in scaled)
            steps.append(f"scale {name}: {moves}")
    return [s for s in steps if s] or ["keep the stack as configured"]


def _count(value: Any) -> str:
    """A scaling count before a move: its number alone ("1 -> 50 instances"), or "default"."""
    return "default" if value is None else f"{value:,.6g}"


def roadmap_table(phases: list[Phase], names: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Phases as a table: users and cost ranges, the configuration in words (each component by
    its name in ``names``, see :func:`capkit.tables.configuration_text`), the actions that open it."""
    from capkit.tables import configuration_text

    rows = []
    for p in phases:
        rows.append(
            {
                "users_from": p.users_from,
                "users_to": p.users_to,
                "cost_from_usd": p.cost_from_usd,
                "cost_to_usd": p.cost_to_usd,
                "actions": "; ".join(p.actions),
                "configuration": configuration_text({c: o for c, o in p.config.items() if o}, names),
                "fits": p.fits,
                "limits": "; ".join(p.limits),
            }
        )
    return pd.DataFrame(rows)
