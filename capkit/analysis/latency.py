"""Latency of a stack's fixed-capacity pools: each component's M/M/c view (its QueueSpec:
servers, requests/s per server, peak arrivals/s) through :mod:`capkit.queueing`'s functions.

A saturated pool (arrivals at or past its capacity) has no percentile: inf here, which the
faces show as "saturated".
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from capkit.components.base import QueueSpec
from capkit.queueing import arrival_rate_at_quantile, response_quantile
from capkit.stack import Stack
from capkit.units import MS_PER_S
from capkit.workload import Workload


def _first(spec: QueueSpec) -> tuple[int, float, float]:
    """Servers, service rate (per s per server) and arrival rate (per s) at the first workload value."""
    return int(spec.servers[0]), float(spec.service_rate_per_s[0]), float(spec.arrival_rate_per_s[0])


def latency(stack: Stack, wl: Workload, target_ms: float = 500.0, quantile: float = 0.95) -> pd.DataFrame:
    """Response time of every fixed-capacity pool in ``stack`` at the first workload value, each
    pool an M/M/c queue at the peak hour (Erlang C; Kleinrock, Queueing Systems vol. 1, 3.5).

    Parameters
    ----------
    stack : Stack
    wl : Workload
        The first value of each field is used.
    target_ms : float, default 500
        Response time, in ms, the quantile must stay under.
    quantile : float, default 0.95
        The share of requests (0 to 1) that must answer within ``target_ms``.

    Returns
    -------
    DataFrame
        Columns: component, servers, utilization, median_ms, p<quantile>_ms (``p95_ms`` for
        the default), target_ms, users_at_target (daily active users at which that quantile
        reaches the target; arrivals grow in proportion to users). A stack with no such pool
        (its services scale per request) gives these columns and no row.
    """
    column = f"p{quantile * 100:g}_ms"
    rows = []
    users = float(wl.users[0])
    for comp in stack.components:
        spec = comp.queue(wl)
        if spec is None:
            continue
        servers, service_rate, lam = _first(spec)
        at_target = arrival_rate_at_quantile(quantile, target_ms / MS_PER_S, servers, service_rate)
        rows.append(
            {
                "component": comp.id,
                "servers": servers,
                "utilization": lam / (servers * service_rate),
                "median_ms": float(response_quantile(0.5, servers, np.array([lam]), service_rate)[0]) * MS_PER_S,
                column: float(response_quantile(quantile, servers, np.array([lam]), service_rate)[0]) * MS_PER_S,
                "target_ms": target_ms,
                "users_at_target": users * at_target / lam if lam > 0 else np.inf,
            }
        )
    columns = ["component", "servers", "utilization", "median_ms", column, "target_ms", "users_at_target"]
    return pd.DataFrame(rows, columns=columns)


def latency_curve(stack: Stack, wl: Workload, users: np.ndarray) -> pd.DataFrame:
    """Median and 95th percentile response time of every fixed-capacity pool against users.

    Arrivals grow in proportion to users (everything else as in ``wl``). Long rows: users,
    component, quantile ('median' or 'p95'), ms (inf where the pool is saturated).
    """
    users = np.asarray(users, dtype=float)
    base = float(wl.users[0])
    frames = []
    for comp in stack.components:
        spec = comp.queue(wl)
        if spec is None:
            continue
        servers, service_rate, lam0 = _first(spec)
        lam = lam0 * users / base if base > 0 else users * 0.0
        for name, q in (("median", 0.5), ("p95", 0.95)):
            ms = response_quantile(q, servers, lam, service_rate) * MS_PER_S
            frames.append(pd.DataFrame({"users": users, "component": comp.id, "quantile": name, "ms": ms}))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["users", "component", "quantile", "ms"])
    )
