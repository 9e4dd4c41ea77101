"""simulate and sensitivity: one engine pass over many workloads, reproducible, hand-checkable."""

import numpy as np
import pytest

import capkit
from capkit.workload import parse_settings
from tests.conftest import stack_of


def lambda_stack():
    return stack_of([{"id": "fn", "type": "aws_lambda"}], duration_ms=2000, memory_mb=512)


def test_simulate_is_reproducible_for_a_seed():
    s = capkit.load_stack("aws-serverless")
    wl = s.workload(users=100_000)
    ranges = {"duration_ms": (500, 2000, 4000)}
    a = capkit.simulate(s, wl, n=2000, seed=7, ranges=ranges)
    b = capkit.simulate(s, wl, n=2000, seed=7, ranges=ranges)
    c = capkit.simulate(s, wl, n=2000, seed=8, ranges=ranges)
    assert a.percentiles.equals(b.percentiles)
    assert not a.percentiles.equals(c.percentiles)
    assert a.bottleneck_probability.sum() == pytest.approx(1.0)


def test_symmetric_range_centres_on_the_plan():
    # Lambda compute is linear in duration above the free tier; a symmetric triangular range
    # (1,000 / 2,000 / 3,000 ms) has its median at 2,000 ms, so the median cost is the plan's.
    s = lambda_stack()
    wl = s.workload(users=1_000_000, calls_per_user=10)
    sim = capkit.simulate(s, wl, n=200_001, seed=3, ranges={"duration_ms": (1000, 2000, 3000)})
    plan = capkit.evaluate(s, wl)
    assert sim.percentiles.loc["monthly_cost_usd", "p50"] == pytest.approx(plan.summary["monthly_cost_usd"], rel=5e-3)
    # The 10th percentile of a symmetric triangle on [1,000, 3,000]: 1,000 + 2,000 x sqrt(0.1 / 2) = 1,447 ms.
    at_p10 = capkit.evaluate(s, wl.replace(duration_ms=1000 + 2000 * np.sqrt(0.05))).summary["monthly_cost_usd"]
    assert sim.percentiles.loc["monthly_cost_usd", "p10"] == pytest.approx(at_p10, rel=5e-3)


def test_sensitivity_rows_equal_single_evaluations():
    s = capkit.load_stack("render-postgres")
    wl = s.workload(users=20_000)
    table = capkit.sensitivity(s, wl)
    row = table[table["assumption"] == "calls_per_user"].iloc[0]
    # Default spread: half and one and a half times the value (50 -> 25 and 75 calls).
    assert (row["low"], row["high"]) == (25, 75)
    for value, column in ((25, "cost_at_low_usd"), (75, "cost_at_high_usd")):
        one = capkit.evaluate(s, wl.replace(calls_per_user=value)).summary["monthly_cost_usd"]
        assert row[column] == pytest.approx(one, rel=1e-12)
    swings = table["cost_swing_usd"].abs().to_numpy()
    assert (np.diff(swings) <= 1e-9).all()  # sorted, largest first


def test_declared_range_is_used_and_checked(tmp_path):
    s = stack_of([{"id": "fn", "type": "aws_lambda"}], duration_ms=2000, memory_mb=512)
    table = capkit.sensitivity(s, s.workload(), ranges={"duration_ms": (1500, 2000, 2500)}, keys=["duration_ms"])
    assert (table["low"][0], table["high"][0]) == (1500, 2500)
    preset = capkit.load_stack("aws-serverless")  # memory_mb: 128 to 10,240 MB
    with pytest.raises(capkit.InputError, match="memory_mb = 64 is not allowed"):
        capkit.sensitivity(preset, preset.workload(), ranges={"memory_mb": (64, 512, 1024)}, keys=["memory_mb"])


def test_parse_ranges():
    values, ranges = parse_settings(["users=1000", "duration_ms=500:2000:4000"])
    assert values == {"users": 1000, "duration_ms": 2000} and ranges == {"duration_ms": (500, 2000, 4000)}
    for bad in ("duration_ms=4000:2000:500", "duration_ms=1:2", "duration_ms=a:b:c"):
        with pytest.raises(capkit.InputError, match="duration_ms"):
            parse_settings([bad])


def test_cli_simulate_and_sensitivity(capsys):
    from capkit import cli

    assert (
        cli.main(["simulate", "--stack", "aws-serverless", "--set", "duration_ms=500:2000:4000", "--draws", "1000"])
        == 0
    )
    out = capsys.readouterr().out
    # The stack's declared range (seed 000: items of 10 to 50 KB) is drawn too.
    assert "triangular ranges: item_kb 10:50:50, duration_ms 500:2000:4000" in out and "Lambda concurrency" in out
    assert cli.main(["sensitivity", "--stack", "vercel-supabase"]) == 0
    assert "cost swing" in capsys.readouterr().out


def test_cost_band_uses_the_same_draws_as_simulate():
    from capkit.analysis.uncertainty import simulate_curve

    s = capkit.load_stack("aws-serverless")
    wl = s.workload(users=250_000)
    ranges = {"duration_ms": (500, 2000, 4000)}
    band = simulate_curve(s, wl, np.array([250_000.0]), n=3000, seed=5, ranges=ranges)
    sim = capkit.simulate(s, wl, n=3000, seed=5, ranges=ranges)
    for q in ("p10", "p50", "p90"):
        assert band[q][0] == pytest.approx(sim.percentiles.loc["monthly_cost_usd", q], rel=1e-12)
