"""Uncertainty and sensitivity: the same engine over many workloads at once.

``simulate`` draws every uncertain assumption from a triangular distribution (low, likely,
high) into one workload of ``n`` rows and evaluates it in a single array pass.
``sensitivity`` moves each assumption to its low and then its high value, all variants in one
workload of 2 x k rows, and sorts them by how much they move the monthly cost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from capkit.engine import evaluate_arrays
from capkit.errors import InputError
from capkit.stack import Stack
from capkit.workload import Interval, Workload, check_range


def resolve_ranges(
    stack: Stack, wl: Workload, ranges: Mapping[str, Interval] | None = None, keys: list[str] | None = None
) -> dict[str, Interval]:
    """(low, likely, high) per assumption: given ``ranges``, else the spec's, around the workload's value."""
    ranges = dict(ranges or {})
    unknown = sorted(set(ranges) - set(stack.specs))
    if unknown:
        raise InputError(f"unknown assumption {unknown[0]!r} for stack {stack.name}; allowed: {', '.join(stack.specs)}")
    out: dict[str, Interval] = {}
    for key in keys if keys is not None else list(ranges):
        spec = stack.specs[key]
        low, likely, high = ranges[key] if key in ranges else spec.spread(float(wl[key][0]))
        for value in (low, likely, high):
            check_range(key, np.array([value]), spec)
        if not low <= likely <= high:
            raise InputError(f"{key}: range {low}:{likely}:{high} must have low <= likely <= high")
        out[key] = Interval(low, likely, high)
    return out


@dataclass(frozen=True)
class Simulation:
    """Monte Carlo results: percentiles and the bottleneck's probabilities."""

    draws: int
    seed: int
    ranges: dict[str, Interval]
    percentiles: pd.DataFrame  # rows: monthly_cost_usd, margin, max_users; columns p10, p50, p90
    bottleneck_probability: pd.Series  # component.metric -> share of draws where it binds first


def _draws(wl: Workload, ranges: Mapping[str, Interval], n: int, seed: int) -> dict[str, np.ndarray]:
    """Every workload field as ``n`` values: each ranged one drawn from its triangular
    distribution (low, likely, high), in ``ranges``' order from one generator seeded ``seed``;
    the others repeated."""
    rng = np.random.default_rng(seed)
    columns = {k: np.full(n, v) for k, v in wl.scalars().items()}
    for key, (low, likely, high) in ranges.items():
        columns[key] = rng.triangular(low, likely, high, n) if high > low else np.full(n, likely)
    return columns


def _ranged(stack: Stack, wl: Workload, ranges: Mapping[str, Interval] | None) -> dict[str, Interval]:
    """The ranges to draw: all of ``ranges``, and every assumption the stack declares a range for."""
    declared = [k for k, s in stack.specs.items() if s.low is not None or s.high is not None]
    return resolve_ranges(stack, wl, ranges, list(dict.fromkeys([*declared, *(ranges or {})])))


#: The most Monte Carlo draws one run evaluates (about 1.2 KB of memory each: 1,000,000 take
#: about 1.2 GB; the percentiles settle long before).
MAX_DRAWS = 1_000_000


def simulate(
    stack: Stack, wl: Workload, n: int = 10_000, seed: int = 0, ranges: Mapping[str, Interval] | None = None
) -> Simulation:
    """Monte Carlo over the ranged assumptions, all draws in one evaluation over arrays.

    Parameters
    ----------
    stack : Stack
    wl : Workload
        The likely values (each field in its unit).
    n : int, default 10,000
        Draws.
    seed : int, default 0
        numpy's random seed: the same seed gives the same figures.
    ranges : mapping of str to Interval, optional
        (low, likely, high) per assumption, drawn from triangular distributions (default:
        every assumption the stack declares a range for).

    Returns
    -------
    Simulation
        ``percentiles`` (the 10th, 50th and 90th of monthly_cost_usd, margin and max_users)
        and ``bottleneck_probability`` (the share of draws where each limit binds first).
    """
    if not 1 <= n <= MAX_DRAWS:
        raise InputError(
            f"draws = {n:,} is not allowed: from 1 to {MAX_DRAWS:,} (each draw holds about 1.2 KB of memory)"
        )
    resolved = _ranged(stack, wl, ranges)
    draws = Workload.build(stack.specs, _draws(wl, resolved, n, seed))
    ev = evaluate_arrays(stack, draws)
    s = ev.summary()
    cost, margin, bidx, max_users = s["monthly_cost_usd"], s["margin"], s["bottleneck"], s["max_users"]
    qs = [10, 50, 90]
    rows = {
        "monthly_cost_usd": np.percentile(cost, qs),
        "margin": np.nanpercentile(margin, qs) if np.isfinite(margin).any() else [np.nan] * 3,
        # 'nearest' keeps an unbounded max_users (inf) from turning into NaN by interpolation.
        "max_users": np.percentile(max_users, qs, method="nearest"),
    }
    pct = pd.DataFrame(rows, index=[f"p{q}" for q in qs]).T
    names = np.array([f"{m.component}.{m.metric}" for m in ev.metrics] + ["none"])
    counts = pd.Series(names[np.where(bidx >= 0, bidx, len(names) - 1)]).value_counts(normalize=True)
    return Simulation(n, seed, resolved, pct, counts.rename("probability"))


def simulate_curve(
    stack: Stack,
    wl: Workload,
    users: np.ndarray,
    n: int = 1000,
    seed: int = 0,
    ranges: Mapping[str, Interval] | None = None,
) -> pd.DataFrame:
    """p10, p50 and p90 of the monthly cost at each of ``users``: one evaluation of levels x n rows.

    Every level gets the same ``n`` draws (common random numbers), so the band is smooth.
    """
    users = np.asarray(users, dtype=float)
    resolved = _ranged(stack, wl, ranges)
    tiled = {k: np.tile(v, users.size) for k, v in _draws(wl, resolved, n, seed).items()}
    tiled["users"] = np.repeat(users, n)
    cost = evaluate_arrays(stack, Workload.build(stack.specs, tiled)).monthly_cost_usd().reshape(users.size, n)
    p10, p50, p90 = np.percentile(cost, [10, 50, 90], axis=1)
    return pd.DataFrame({"users": users, "p10": p10, "p50": p50, "p90": p90})


def sensitivity(
    stack: Stack, wl: Workload, ranges: Mapping[str, Interval] | None = None, keys: list[str] | None = None
) -> pd.DataFrame:
    """Each assumption at its low and its high value in turn, everything else as in ``wl``
    (a one-at-a-time sensitivity, the tornado chart's table).

    Parameters
    ----------
    stack : Stack
    wl : Workload
    ranges : mapping of str to Interval, optional
        (low, likely, high) per assumption (default: the declared range, else half and one
        and a half times the value, within the field's allowed range).
    keys : list of str, optional
        The assumptions to move (default: every one).

    Returns
    -------
    DataFrame
        One row per assumption: low, likely and high (its unit), cost_at_low_usd,
        cost_at_high_usd and cost_swing_usd (USD a month), max_users_at_low and
        max_users_at_high (daily active users); the largest absolute swing first.
    """
    if wl.n != 1:
        raise InputError(f"sensitivity takes one workload; this one has {wl.n} values")
    keys = keys if keys is not None else [k for k in stack.specs if k != "users"]
    resolved = resolve_ranges(stack, wl, ranges, keys)
    base = wl.scalars()
    columns = {k: np.full(2 * len(resolved) + 1, v) for k, v in base.items()}
    for i, (key, (low, _likely, high)) in enumerate(resolved.items()):
        columns[key][2 * i], columns[key][2 * i + 1] = low, high
    ev = evaluate_arrays(stack, Workload.build(stack.specs, columns))
    cost = ev.monthly_cost_usd()
    max_users = ev.bottleneck_max_users()
    rows = []
    for i, (key, (low, likely, high)) in enumerate(resolved.items()):
        rows.append(
            {
                "assumption": key,
                "low": low,
                "likely": likely,
                "high": high,
                "cost_at_low_usd": cost[2 * i],
                "cost_at_high_usd": cost[2 * i + 1],
                "cost_swing_usd": cost[2 * i + 1] - cost[2 * i],
                "max_users_at_low": max_users[2 * i],
                "max_users_at_high": max_users[2 * i + 1],
            }
        )
    table = pd.DataFrame(rows)
    order = table["cost_swing_usd"].abs().sort_values(ascending=False, kind="stable").index
    return table.loc[order].reset_index(drop=True)
