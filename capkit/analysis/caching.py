"""Cache tiers: average and tail latency of a lookup that tries memory, then Redis, then the
database, and the database load that the misses leave.

Each tier answers a share of lookups at its own latency. The mean is the share-weighted sum;
a percentile is the latency of the first tier (fastest first) whose cumulative share reaches it,
so with 2 % of lookups missing both caches the 99th percentile is the database's latency.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from capkit.components.base import cache_misses
from capkit.components.postgres import database_queries_per_s
from capkit.workload import Workload

#: Workload fields that describe the tiers (declared by stacks with caches).
FIELDS = ("memory_hit_rate", "memory_latency_ms", "cache_hit_rate", "cache_latency_ms", "query_ms")


def tiers(memory_hit: float, memory_ms: float, cache_hit: float, cache_ms: float, db_ms: float) -> pd.DataFrame:
    """Share of lookups and latency per tier; ``cache_hit`` is the combined hit rate of both caches."""
    if not 0 <= memory_hit <= cache_hit <= 1:
        raise ValueError(f"hit rates must satisfy 0 <= memory {memory_hit} <= combined {cache_hit} <= 1")
    return pd.DataFrame(
        {
            "tier": ["memory", "redis", "database"],
            "share": [memory_hit, cache_hit - memory_hit, 1.0 - cache_hit],
            "latency_ms": [memory_ms, cache_ms, db_ms],
        }
    )


def tier_quantile_ms(table: pd.DataFrame, q: float) -> float:
    """The q-quantile of lookup latency: the first tier, fastest first, whose cumulative share reaches q."""
    ordered = table[table["share"] > 0].sort_values("latency_ms")
    cumulative = np.cumsum(ordered["share"].to_numpy())
    return float(ordered["latency_ms"].to_numpy()[np.searchsorted(cumulative, q - 1e-12)])


def cache_latency(wl: Workload) -> dict[str, object] | None:
    """Tiers, mean, p95, p99 and peak database queries/s from misses, at the first workload value.

    None when the workload does not declare the tiers' fields.
    """
    if not all(f in wl for f in FIELDS):
        return None
    v = {f: float(wl[f][0]) for f in FIELDS}
    table = tiers(
        v["memory_hit_rate"], v["memory_latency_ms"], v["cache_hit_rate"], v["cache_latency_ms"], v["query_ms"]
    )
    # Without db_queries_per_call, each call is one lookup; with it, the databases' own rate.
    if "db_queries_per_call" in wl:
        misses_per_s = float(database_queries_per_s(wl)[0])
    else:
        misses_per_s = float(cache_misses(wl.peak_rps(), wl.cache_hit_rate)[0])
    return {
        "tiers": table,
        "mean_ms": float((table["share"] * table["latency_ms"]).sum()),
        "p95_ms": tier_quantile_ms(table, 0.95),
        "p99_ms": tier_quantile_ms(table, 0.99),
        "database_queries_per_s": misses_per_s,
    }
