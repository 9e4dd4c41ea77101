"""Cache tiers against seed 004's own figures."""

import pytest

import capkit
from capkit.analysis.caching import cache_latency, tier_quantile_ms, tiers


def test_seed_004_three_tiers():
    # Seed 004: memory 16.7 % at 0 ms, Redis to 98 % at 3 ms, database 2 % at 25 ms (its own privilege check).
    # Mean: 0.167 x 0 + 0.813 x 3 + 0.02 x 25 = 2.439 + 0.5 = 2.939 ms. p95 falls in Redis (3 ms);
    # p99 in the database (25 ms): the tail is the database's.
    s = capkit.load_stack("vercel-supabase")
    wl = s.workload(users=300_000, calls_per_user=50, peak_factor=3)
    out = cache_latency(wl)
    assert out["mean_ms"] == pytest.approx(2.939)
    assert (out["p95_ms"], out["p99_ms"]) == (3.0, 25.0)
    # Misses: 300,000 x 50 / 86,400 x 3 = 520.8 calls/s at peak x 1 query x 2 % = 10.42 queries/s.
    assert out["database_queries_per_s"] == pytest.approx(10.4167, rel=1e-4)


def test_quantile_boundaries_and_checks():
    t = tiers(0.5, 1.0, 0.9, 5.0, 50.0)
    assert tier_quantile_ms(t, 0.5) == 1.0 and tier_quantile_ms(t, 0.9) == 5.0 and tier_quantile_ms(t, 0.91) == 50.0
    with pytest.raises(ValueError, match="hit rates"):
        tiers(0.9, 1.0, 0.5, 5.0, 50.0)


def test_stacks_without_tiers():
    s = capkit.load_stack("aws-serverless")
    assert cache_latency(s.workload()) is None
