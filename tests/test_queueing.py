"""Queueing (capkit.queueing and the stack latency built on it) against closed forms and
hand-worked Erlang C values."""

import math

import numpy as np
import pytest

import capkit
from capkit.analysis.latency import latency
from capkit.queueing import (
    arrival_rate_at_quantile,
    erlang_c,
    mean_wait,
    mmc,
    response_quantile,
    response_tail,
    servers_for,
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
    assert mean_wait(2, np.array([1.0]), 1.0)[0] == pytest.approx(1 / 3)
    assert mean_wait(2, np.array([3.0]), 1.0)[0] == np.inf


def test_mm1_response_time_is_exponential():
    # M/M/1, lambda = 8/s, mu = 10/s: T ~ Exp(mu - lambda = 2/s).
    # Median ln 2 / 2 = 0.3466 s; p95 ln 20 / 2 = 1.4979 s; P(T > 1 s) = e^-2.
    lam = np.array([8.0])
    assert response_tail(np.array([1.0]), 1, lam, 10.0)[0] == pytest.approx(math.exp(-2))
    assert response_quantile(0.5, 1, lam, 10.0)[0] == pytest.approx(math.log(2) / 2, rel=1e-6)
    assert response_quantile(0.95, 1, lam, 10.0)[0] == pytest.approx(math.log(20) / 2, rel=1e-6)
    assert response_quantile(0.95, 1, np.array([10.0]), 10.0)[0] == np.inf


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


def test_latency_of_a_stack_without_a_pool_has_its_columns_and_no_row():
    """aws-serverless scales per request (Lambda): no M/M/c pool, so no row, but the table
    still names what it would hold (it printed a bare "Empty DataFrame")."""
    s = capkit.load_stack("aws-serverless")
    table = capkit.latency(s, s.workload())
    assert table.empty and list(table.columns) == [
        "component",
        "servers",
        "utilization",
        "median_ms",
        "p95_ms",
        "target_ms",
        "users_at_target",
    ]


def test_latency_curve_matches_latency_at_each_level():
    from capkit.analysis.latency import latency_curve

    s = capkit.load_stack("render-postgres")
    wl = s.workload(users=2_000)
    curve = latency_curve(s, wl, np.array([500.0, 2_000.0, 3_000.0]))
    for users in (500.0, 2_000.0, 3_000.0):
        at = latency(s, wl.replace(users=users))
        for comp in ("render_web", "postgres"):
            row = curve[(curve["users"] == users) & (curve["component"] == comp) & (curve["quantile"] == "p95")]
            assert row["ms"].iloc[0] == pytest.approx(at[at["component"] == comp]["p95_ms"].iloc[0], rel=1e-9)


def test_mm1_closed_forms():
    # M/M/1, lambda = 10/s, mu = 12/s: rho = 5/6. P0 = 1 - rho = 1/6; P(wait) = rho = 5/6;
    # Lq = rho^2 / (1 - rho) = (25/36) / (1/6) = 25/6; L = rho / (1 - rho) = 5;
    # Wq = Lq / lambda = 25/60 = 0.41667 s; W = 1 / (mu - lambda) = 0.5 s (Little: L = lambda W).
    # T ~ Exp(mu - lambda = 2/s): p95 = ln 20 / 2 = 1.4979 s; P(wait <= 1 s) = 1 - rho e^-2.
    q = mmc(10, 12, 1)
    assert q.p0 == pytest.approx(1 / 6) and q.p_wait == pytest.approx(5 / 6)
    assert q.lq == pytest.approx(25 / 6) and q.l == pytest.approx(5)
    assert q.wq == pytest.approx(25 / 60) and q.w == pytest.approx(0.5)
    assert q.response_percentile(95) == pytest.approx(math.log(20) / 2, rel=1e-9)
    assert q.service_level(1.0) == pytest.approx(1 - 5 / 6 * math.exp(-2))


def test_erlang_c_staffing_hand_worked():
    # Calls arrive at 2/min and take 1 min on average (mu = 1/min): a = 2 erlangs.
    # c = 3: C = (a^3/3! x 3/(3-2)) / (1 + 2 + 2 + 4) = 4/9; Wq = C / (3 - 2) = 0.444 min;
    #   P(wait <= 0.5 min) = 1 - 4/9 e^-0.5 = 0.7304.
    # c = 4: a^4/4! x 4/(4-2) = 16/24 x 2 = 4/3; C = (4/3) / (1 + 2 + 2 + 4/3 + 4/3) = 0.17391;
    #   Wq = 0.17391 / (4 - 2) = 0.08696 min; P(wait <= 0.5 min) = 1 - 0.17391 e^-1 = 0.93602.
    # P0 at c = 3: 1 / (1 + 2 + 2 + 8/6 x 1/(1 - 2/3)) = 1 / 9.
    three, four = mmc(2, 1, 3), mmc(2, 1, 4)
    assert three.p_wait == pytest.approx(4 / 9) and three.p0 == pytest.approx(1 / 9)
    assert three.service_level(0.5) == pytest.approx(1 - 4 / 9 * math.exp(-0.5))
    assert four.p_wait == pytest.approx(4 / 23) and four.wq == pytest.approx(2 / 23)
    assert four.service_level(0.5) == pytest.approx(1 - 4 / 23 * math.exp(-1))
    # 80 % answered within 0.5 min: 3 servers give 73 %, 4 give 93.6 %, so 4.
    assert servers_for(2, 1, service_level=(0.8, 0.5)) == 4
    # Mean wait at most 0.1 min: 0.444 with 3, 0.087 with 4.
    assert servers_for(2, 1, max_wait=0.1) == 4
    # Utilization at most 60 %: 2 / c <= 0.6 needs c >= 3.33, so 4; at most 70 %: 3.
    assert servers_for(2, 1, max_utilization=0.6) == 4 and servers_for(2, 1, max_utilization=0.7) == 3
    # No target: the fewest stable servers, floor(a) + 1 = 3.
    assert servers_for(2, 1) == 3


def test_a_queue_is_arrays_over_servers():
    q = mmc(10, 12, np.array([1, 2, 3]))
    assert q.p_wait.shape == (3,) and (np.diff(q.wq) < 0).all()  # more servers, shorter waits


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: mmc(12, 12, 1).wq, "utilization is 1 .*use at least 2 servers"),
        (lambda: mmc(20, 12, 1).response_percentile(95), "p95 response time: with 1 server utilization is 1.67"),
        (lambda: mmc(-1, 12, 1), "arrival_rate = -1 is not allowed"),
        (lambda: mmc(1, 0, 1), "service_rate = 0 is not allowed: it must be a finite number above 0"),
        (lambda: mmc(1, 2, 1.5), "servers = 1.5 is not allowed: it must be a whole number"),
        (lambda: mmc(1, 2, 1).response_percentile(100), "percentile = 100 is not allowed"),
        (lambda: servers_for(1, 2, max_utilization=1.5), "max_utilization = 1.5 is not allowed"),
    ],
)
def test_bad_queues_are_refused_in_one_line(call, message):
    with pytest.raises(capkit.InputError, match=message):
        call()


def test_scalars_in_scalars_out_arrays_in_arrays_out():
    """As numpy: scalar inputs give floats, an array gives an array of its shape. M/M/2 at
    lambda 10, mu 12: a = 5/6, B(2, a) = (a^2/2) / (1 + a + a^2/2) = 0.2083, C = 2 B / (2 - a
    (1 - B)) = 0.2451."""
    q = mmc(10, 12, 2)
    assert isinstance(q.p_wait, float) and q.p_wait == pytest.approx(0.24509804, rel=1e-7)
    assert isinstance(q.wq, float) and isinstance(q.stable, bool) and isinstance(q.utilization, float)
    two = mmc([10, 11], 12, 2)
    assert isinstance(two.p_wait, np.ndarray) and two.p_wait.shape == (2,)
    assert two.p_wait[0] == pytest.approx(q.p_wait)
    assert np.ndim(erlang_c(2, 10 / 12)) == 0 and erlang_c([2, 3], 10 / 12).shape == (2,)
    assert np.ndim(response_quantile(0.95, 2, 10.0, 12.0)) == 0
    assert len(repr(q)) < 500 and "utilization 41.7%" in repr(q)
    assert "<table" in q._repr_html_() and "24.5%" in q._repr_html_()
