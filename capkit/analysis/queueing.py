"""Queueing latency of fixed-capacity servers (M/M/c), over arrays.

A server pool with c servers, each serving mu requests per second, fed by Poisson arrivals at
lambda per second, is an M/M/c queue. Erlang C gives the probability that an arrival waits;
the waiting time of those who wait is exponential with rate c mu - lambda, so the response time
T = S + W (service S ~ Exp(mu)) has the tail

    P(T > t) = (1 - C) e^(-mu t) + C (theta e^(-mu t) - mu e^(-theta t)) / (theta - mu),  theta = c mu - lambda

(Kleinrock, Queueing Systems vol. 1, ch. 3; for c = 1 this is e^(-(mu - lambda) t), M/M/1).
Percentiles solve P(T > t) = 1 - q by bisection; a saturated pool (lambda >= c mu) has none.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from capkit.components.base import QueueSpec
from capkit.stack import Stack
from capkit.units import MS_PER_S
from capkit.workload import Workload


def erlang_c(servers: int, offered_load: np.ndarray) -> np.ndarray:
    """Probability that an arrival waits in an M/M/c queue (Erlang C).

    ``offered_load`` a = lambda / mu in erlangs. Computed from the Erlang B recursion
    B(k) = a B(k-1) / (k + a B(k-1)), C = c B / (c - a (1 - B)), which stays finite for
    large c. Returns 1 where a >= c (every arrival waits; the queue grows without bound).
    """
    a = np.asarray(offered_load, dtype=float)
    b = np.ones_like(a)
    for k in range(1, int(servers) + 1):
        b = a * b / (k + a * b)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = servers * b / (servers - a * (1.0 - b))
    return np.where(a < servers, c, 1.0)


def mean_wait_s(servers: int, arrival_rate: np.ndarray, service_rate: float) -> np.ndarray:
    """Mean time in the queue, Wq = C / (c mu - lambda) seconds (inf when saturated).

    ``servers`` c (count), ``arrival_rate`` lambda (arrivals/s), ``service_rate`` mu
    (completions/s of one server)."""
    lam = np.asarray(arrival_rate, dtype=float)
    theta = servers * service_rate - lam
    with np.errstate(divide="ignore"):
        return np.where(theta > 0, erlang_c(servers, lam / service_rate) / theta, np.inf)


def response_tail(t_s: np.ndarray, servers: int, arrival_rate: np.ndarray, service_rate: float) -> np.ndarray:
    """P(response time > t) for M/M/c (service plus wait), see the module docstring.

    ``t_s`` in seconds; rates per second (``service_rate`` per server)."""
    lam = np.asarray(arrival_rate, dtype=float)
    return _tail(
        np.asarray(t_s, dtype=float), erlang_c(servers, lam / service_rate), servers * service_rate - lam, service_rate
    )


def _tail(t: np.ndarray, c: np.ndarray, theta: np.ndarray, mu: float) -> np.ndarray:
    """The response-time tail given Erlang C ``c`` and the drain rate ``theta`` = c mu - lambda."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        same = np.isclose(theta, mu)
        mixed = np.where(
            same, (1.0 + mu * t) * np.exp(-mu * t), (theta * np.exp(-mu * t) - mu * np.exp(-theta * t)) / (theta - mu)
        )
        tail = (1.0 - c) * np.exp(-mu * t) + c * mixed
    return np.where(theta > 0, tail, 1.0)


def response_quantile_s(q: float, servers: int, arrival_rate: np.ndarray, service_rate: float) -> np.ndarray:
    """The q-quantile (0 to 1) of the response time in seconds (inf when saturated), by
    bisection on :func:`response_tail`; ``arrival_rate`` in arrivals/s, ``service_rate`` in
    completions/s of one of ``servers``."""
    lam = np.atleast_1d(np.asarray(arrival_rate, dtype=float))
    theta = servers * service_rate - lam
    stable = theta > 0
    # An upper bound: the tail is at most e^(-min(mu, theta) t) times a constant below 2.
    rate = np.where(stable, np.minimum(service_rate, np.where(stable, theta, 1.0)), 1.0)
    hi = np.log(2.0 / (1.0 - q)) / rate
    lo = np.zeros_like(hi)
    wait = erlang_c(servers, lam / service_rate)  # independent of t: once, not per step
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = _tail(mid, wait, theta, service_rate) > 1.0 - q
        lo, hi = np.where(above, mid, lo), np.where(above, hi, mid)
    return np.where(stable, 0.5 * (lo + hi), np.inf)


def arrival_rate_at_quantile(q: float, target_s: float, servers: int, service_rate: float) -> float:
    """The arrival rate (per s) at which the q-quantile response time reaches ``target_s``
    seconds (0 if never met); ``service_rate`` per s per server."""
    if response_quantile_s(q, servers, np.array([0.0]), service_rate)[0] >= target_s:
        return 0.0
    lo, hi = 0.0, servers * service_rate
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if response_quantile_s(q, servers, np.array([mid]), service_rate)[0] > target_s:
            hi = mid
        else:
            lo = mid
    return lo


def _first(spec: QueueSpec) -> tuple[int, float, float]:
    """Servers, service rate (per s per server) and arrival rate (per s) at the first workload value."""
    return int(spec.servers[0]), float(spec.service_rate_per_s[0]), float(spec.arrival_rate_per_s[0])


def latency(stack: Stack, wl: Workload, target_ms: float = 500.0, quantile: float = 0.95) -> pd.DataFrame:
    """Response time of every fixed-capacity pool in ``stack`` at the first workload value.

    Columns: component, servers, utilization, median_ms, p95_ms (the ``quantile``), target_ms,
    users_at_target (the users at which that quantile reaches the target; arrivals grow in
    proportion to users).
    """
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
                "median_ms": float(response_quantile_s(0.5, servers, np.array([lam]), service_rate)[0]) * MS_PER_S,
                "p95_ms": float(response_quantile_s(quantile, servers, np.array([lam]), service_rate)[0]) * MS_PER_S,
                "target_ms": target_ms,
                "users_at_target": users * at_target / lam if lam > 0 else np.inf,
            }
        )
    return pd.DataFrame(rows)


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
            ms = response_quantile_s(q, servers, lam, service_rate) * MS_PER_S
            frames.append(pd.DataFrame({"users": users, "component": comp.id, "quantile": name, "ms": ms}))
    return (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=["users", "component", "quantile", "ms"])
    )
