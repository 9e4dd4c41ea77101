"""Right-sizing is optimal: an exhaustive search over every joint option costs no less.

The only coupling between components is a database's connections, which its clients open. So
the search takes every group of a client and the databases it alone connects to, and tries
every pair of (client option, database option) for each of them; every other component is
searched on its own. Each option is evaluated here by the component's own formulas (metrics
and costs on a workload), not by the roadmap's choice, and each database sees the connections
of the client option it is paired with.

Reduced grid for the client: among a client's options of the same plan and worker processes,
the fewest instances that keep its own limits under watch cost least *and* open the fewest
connections, so every other instance count is dominated; the search keeps that one per
(plan, processes) and pairs it with every database option.
"""

from __future__ import annotations

import numpy as np
import pytest

import capkit
from capkit.engine import WATCH_AT
from capkit.sizing import right_size

LEVELS = (1_000.0, 10_000.0, 100_000.0, 1_000_000.0)


class _Connections:
    """A client opening a fixed number of connections, one value per workload row."""

    def __init__(self, counts: np.ndarray):
        self.counts = counts

    def db_connections(self, wl):
        return self.counts


def _build(comp, option):
    """The component with ``option``'s params over its own, built like a stack file's."""
    return comp.with_params(**option)


def _figures(comp, wl):
    """Monthly cost (USD) and whether every hard limit stays under watch, per workload row."""
    cost = sum((np.broadcast_to(np.asarray(c.cost_usd, dtype=float), (wl.n,)) for c in comp.costs(wl)), np.zeros(wl.n))
    fits = np.ones(wl.n, dtype=bool)
    for m in comp.metrics(wl):
        if m.kind == "free_tier":
            continue
        demand = np.broadcast_to(np.asarray(m.demand, dtype=float), (wl.n,))
        limit = np.broadcast_to(np.asarray(m.limit, dtype=float), (wl.n,))
        # utilization = demand / limit; a zero limit with demand is past any threshold
        utilization = np.divide(demand, limit, out=np.where(demand > 0, np.inf, 0.0), where=limit > 0)
        fits &= utilization < WATCH_AT
    return np.asarray(cost, dtype=float), fits


def _options(comp):
    """The component's options a paying product may run, and the ones its provider lets it
    move to from the stack as written (Render Postgres never moves to less memory or disk)."""
    start = comp.monotone(comp.configuration())
    out = []
    for option in comp.options() or [{}]:
        if option and comp.unfit(option) is not None:
            continue
        now = comp.monotone(option) if option else start
        if all(now[k] >= start[k] - 1e-9 for k in start):
            out.append(option)
    return out


def _alone(comp, wl, peers):
    """The cheapest fitting option of a component searched on its own (inf where none fits)."""
    best = np.inf
    for option in _options(comp):
        c = _build(comp, option)
        c.bind(peers)
        cost, fits = _figures(c, wl)
        if fits[0]:
            best = min(best, float(cost[0]))
    return best


def _client_candidates(comp, wl):
    """(cost, connections) of the dominating client options: per (plan, processes), the
    fewest instances that fit."""
    kept = {}
    for option in _options(comp):
        c = _build(comp, option)
        cost, fits = _figures(c, wl)
        if not fits[0]:
            continue
        family = tuple(sorted((k, v) for k, v in option.items() if k != "instances"))
        if family not in kept or option.get("instances", 1) < kept[family][0]:
            kept[family] = (option.get("instances", 1), float(cost[0]), float(c.db_connections(wl)[0]))
    return [(cost, conns) for _, cost, conns in kept.values()]


def _group(client, databases, stack, wl):
    """The cheapest joint option of a client and its databases (inf where none fits)."""
    candidates = _client_candidates(client, wl)
    if not candidates:
        return np.inf
    costs = np.array([c for c, _ in candidates])
    conns = np.array([k for _, k in candidates])
    rows = wl.with_users(np.full(len(candidates), float(wl.users[0])))
    total = costs.copy()
    for db in databases:
        best = np.full(len(candidates), np.inf)
        for option in _options(db):
            d = _build(db, option)
            d.bind({**{c.id: c for c in stack.components}, client.id: _Connections(conns)})
            cost, fits = _figures(d, rows)
            best = np.where(fits, np.minimum(best, cost), best)
        total = total + best
    return float(total.min())


def exhaustive(stack, wl):
    """Component id (a group's client id for a group) -> the cheapest fitting monthly cost."""
    peers = {c.id: c for c in stack.components}
    groups = {}
    for comp in stack.components:
        ids = comp.client_ids()
        if len(ids) == 1 and len(_options(peers[ids[0]])) > 1:
            groups.setdefault(ids[0], []).append(comp)
    in_group = {c.id for dbs in groups.values() for c in dbs} | set(groups)
    out = {cid: _group(peers[cid], dbs, stack, wl) for cid, dbs in groups.items()}
    for comp in stack.components:
        if comp.id not in in_group:
            out[comp.id] = _alone(comp, wl, peers)
    return out, groups


@pytest.mark.parametrize("users", LEVELS)
@pytest.mark.parametrize("name", capkit.preset_names())
def test_right_size_costs_what_an_exhaustive_search_finds(name, users):
    """Per group (a client with its databases, or a component alone): where some joint option
    fits, right_size's cost is the exhaustive minimum; where none fits, right_size says so."""
    stack = capkit.load_stack(name)
    wl = stack.workload(users=users)
    plan = right_size(stack, wl)
    costs = plan.component_costs()
    hard = plan.load[plan.load["kind"] != "free_tier"]
    over = set(hard.loc[hard["utilization"] >= WATCH_AT, "component"])
    best, groups = exhaustive(stack, wl)
    for cid, minimum in best.items():
        members = [cid, *(db.id for db in groups.get(cid, []))]
        chosen = float(sum(costs.get(m, 0.0) for m in members))
        if np.isfinite(minimum):
            assert not over & set(members), (cid, members)
            assert chosen == pytest.approx(minimum, rel=1e-9, abs=1e-9), (cid, chosen, minimum)
        else:
            assert not plan.fits, cid


def test_a_dearer_web_tier_is_chosen_when_its_connections_let_the_database_fit():
    """render-postgres at 100,000 users with a pool of 10 connections per process and 4 threads
    each. Web CPU: 173.6 requests/s x 100 ms = 17.4 cores busy, so more than 24.8 cores: the
    cheapest web tier alone is 50 Starter instances ($350), whose 50 processes open 500
    connections, more than 70 % of the 500 any Render Postgres type takes. Chosen together,
    25 Standard instances ($625: 25 cores, 69 % busy; 25 x 4 threads = 100 slots for 74.4
    needed) open 250 connections, under 70 % of pro_16gb's 400, which the 2.17 busy query cores
    need anyway: everything fits."""
    from pathlib import Path

    from capkit.stack import build_stack

    raw = capkit.load_stack("render-postgres").spec.model_dump()
    for c in raw["components"]:
        if c["id"] == "render_web":
            c["params"].update(db_connections_per_process=10, concurrency_per_process=4)
    stack = build_stack(raw, Path("pooled.yaml"))
    plan = right_size(stack, stack.workload(users=100_000))
    assert plan.fits
    assert plan.configuration["render_web"] == {"plan": "standard", "instances": 25, "processes_per_instance": 1}
    assert plan.configuration["postgres"]["plan"] == "pro_16gb"
    best, _ = exhaustive(stack, stack.workload(users=100_000))
    web_and_databases = plan.component_costs()[["render_web", "postgres", "redis"]].sum()
    assert web_and_databases == pytest.approx(best["render_web"], rel=1e-9)
