"""Queueing latency against closed forms and hand-worked Erlang C values."""

import math

import numpy as np
import pytest

import capkit
from capkit.analysis.queueing import (
    arrival_rate_at_quantile,
    erlang_c,
    latency,
    mean_wait_s,
    response_quantile_s,
    response_tail,
)


def test_erlang_c_hand_worked():
    # C(c, a) = [a^c/c! x c/(c-a)] / [sum_{k<c} a^k/k! + a^c/c! x c/(c-a)].
    # c = 2, a = 1: (1/2 x 2) / (1 + 1 + 1) = 1/3.   c = 3, a = 2: (8/6 x 3) / (1 + 2 + 2 + 4) = 4/9.
    assert erlang_c(2, np.array([1.0]))[0] == pytest.approx(1 / 3)
    assert erlang_c(3, np.array([2.0]))[0] == pytest.approx(4 / 9)
    # One server: the probability of waiting is the utilization rho.
    assert erlang_c(1, np.array([0.8]))[0] == pytest.approx(0.8)
    assert erlang_c(2, np.array([2.5]))[0] == 1.0  # saturated
    # A big pool stays finite and small at moderate load.
    assert 0 < erlang_c(500, np.array([400.0]))[0] < 1e-3


def test_mean_wait():
    # c = 2, lambda = 1, mu = 1: Wq = C / (c mu - lambda) = (1/3) / 1 s.
    assert mean_wait_s(2, np.array([1.0]), 1.0)[0] == pytest.approx(1 / 3)
    assert mean_wait_s(2, np.array([3.0]), 1.0)[0] == np.inf


def test_mm1_response_time_is_exponential():
    # M/M/1, lambda = 8/s, mu = 10/s: T ~ Exp(mu - lambda = 2/s).
    # Median ln 2 / 2 = 0.3466 s; p95 ln 20 / 2 = 1.4979 s; P(T > 1 s) = e^-2.
    lam = np.array([8.0])
    assert response_tail(np.array([1.0]), 1, lam, 10.0)[0] == pytest.approx(math.exp(-2))
    assert response_quantile_s(0.5, 1, lam, 10.0)[0] == pytest.approx(math.log(2) / 2, rel=1e-6)
    assert response_quantile_s(0.95, 1, lam, 10.0)[0] == pytest.approx(math.log(20) / 2, rel=1e-6)
    assert response_quantile_s(0.95, 1, np.array([10.0]), 10.0)[0] == np.inf


def test_arrival_rate_at_target():
    # M/M/1 with mu = 10/s: p95 = ln 20 / (10 - lambda) = 0.5 s at lambda = 10 - 2 ln 20 = 4.009/s.
    assert arrival_rate_at_quantile(0.95, 0.5, 1, 10.0) == pytest.approx(10 - 2 * math.log(20), rel=1e-6)
    # A service too slow for the target on its own: never met.
    assert arrival_rate_at_quantile(0.95, 0.5, 4, 1.0) == 0.0


def test_latency_of_a_stack():
    s = capkit.load_stack("vercel-supabase")
    wl = s.workload()
    table = latency(s, wl, target_ms=500)
    row = table[table["component"] == "supabase"].iloc[0]
    assert row["servers"] == 2 and row["p95_ms"] > row["median_ms"] > 0
    # At users_at_target the p95 equals the target.
    again = latency(s, wl.replace(users=row["users_at_target"]), target_ms=500)
    assert again[again["component"] == "supabase"]["p95_ms"].iloc[0] == pytest.approx(500, rel=1e-6)


def test_latency_curve_matches_latency_at_each_level():
    from capkit.analysis.queueing import latency_curve

    s = capkit.load_stack("render-postgres")
    wl = s.workload(users=2_000)
    curve = latency_curve(s, wl, np.array([500.0, 2_000.0, 3_000.0]))
    for users in (500.0, 2_000.0, 3_000.0):
        at = latency(s, wl.replace(users=users))
        for comp in ("render_web", "postgres"):
            row = curve[(curve["users"] == users) & (curve["component"] == comp) & (curve["quantile"] == "p95")]
            assert row["ms"].iloc[0] == pytest.approx(at[at["component"] == comp]["p95_ms"].iloc[0], rel=1e-9)
