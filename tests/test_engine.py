"""Engine properties on every preset: monotone cost, utilization 1 at max_users, sweep = evaluate."""

import numpy as np
import pandas as pd
import pytest

import capkit
from capkit.engine import status


def test_every_preset_evaluates(preset):
    p = capkit.evaluate(preset, preset.workload())
    assert p.summary["monthly_cost_usd"] > 0
    assert len(p.load) and len(p.cost)
    assert not p.load[["demand", "utilization"]].isna().any().any()
    assert not p.cost["cost_usd"].isna().any()


def test_cost_never_falls_as_users_grow(preset):
    table = capkit.sweep(preset, preset.workload(), users=np.geomspace(1, 1e8, 400))
    assert (np.diff(table["monthly_cost_usd"].to_numpy()) >= -1e-9).all()
    for col in [c for c in table if c.startswith("cost_usd:")]:
        assert (np.diff(table[col].to_numpy()) >= -1e-9).all(), col


def test_utilization_at_max_users_is_one(preset):
    wl = preset.workload()
    ev = capkit.evaluate_arrays(preset, wl)
    checked = 0
    for m in ev.metrics:
        mu = float(m.max_users[0])
        if np.isfinite(mu) and mu > 0:
            at = capkit.evaluate_arrays(preset, wl.replace(users=mu))
            again = next(x for x in at.metrics if (x.component, x.metric) == (m.component, m.metric))
            assert again.utilization[0] == pytest.approx(1.0, rel=1e-9), f"{m.component}.{m.metric}"
            checked += 1
    assert checked >= 3


def test_users_at_watch_and_act_reach_those_levels(preset):
    wl = preset.workload()
    p = capkit.evaluate(preset, wl)
    for r in p.load.itertuples():
        for users, level in ((r.users_at_watch, 0.7), (r.users_at_act, 0.9)):
            if np.isfinite(users) and users > 0:
                again = capkit.evaluate(preset, wl.replace(users=users))
                row = again.load[(again.load["component"] == r.component) & (again.load["metric"] == r.metric)]
                assert row["utilization"].iloc[0] == pytest.approx(level, rel=1e-9), f"{r.component}.{r.metric}"
        assert r.users_at_watch <= r.users_at_act <= r.max_users or not np.isfinite(r.max_users)


def test_sweep_equals_evaluate_point_by_point(preset):
    levels = [100.0, 3_000.0, 250_000.0, 4_000_000.0]
    wl = preset.workload()
    table = capkit.sweep(preset, wl, users=levels)
    for i, users in enumerate(levels):
        p = capkit.evaluate(preset, wl.replace(users=users))
        assert table["monthly_cost_usd"][i] == pytest.approx(p.summary["monthly_cost_usd"], rel=1e-12)
        assert table["revenue_usd"][i] == pytest.approx(p.summary["revenue_usd"], rel=1e-12)
        for r in p.load.itertuples():
            assert table[f"utilization:{r.component}.{r.metric}"][i] == pytest.approx(r.utilization, rel=1e-12)
        b = p.summary["bottleneck"]
        assert table["bottleneck"][i] == (None if b is None else f"{b['component']}.{b['metric']}") or (
            b is None and pd.isna(table["bottleneck"][i])
        )


def test_bottleneck_is_the_smallest_max_users_among_hard_limits(preset):
    p = capkit.evaluate(preset, preset.workload())
    hard = p.load[p.load["kind"] != "free_tier"]
    first = hard.loc[hard["max_users"].idxmin()]
    assert p.summary["bottleneck"] == {"component": first["component"], "metric": first["metric"]}
    assert p.summary["max_users"] == pytest.approx(first["max_users"])


def test_status_thresholds():
    u = np.array([0.0, 0.699, 0.7, 0.899, 0.9, 1.0, 1.001, 5.0])
    assert list(status(u)) == ["ok", "ok", "watch", "watch", "act", "act", "over", "over"]
    # A free allowance is not a hard limit: free below it, billed from it on.
    kinds = np.array(["free_tier"] * 4 + ["plan"] * 4)
    assert list(status(u, kinds)) == ["free", "free", "free", "free", "act", "act", "over", "over"]


def test_revenue_after_fees_and_margin():
    # aws-serverless: every user pays (conversion 1, DAU = MAU). 10,000 x ($4.99 x (1 - 0.029) - $0.30)
    # = 10,000 x $4.54529 = $45,452.90.
    s = capkit.load_stack("aws-serverless")
    p = capkit.evaluate(s, s.workload(users=10_000))
    assert p.summary["paying_users"] == 10_000
    assert p.summary["revenue_usd"] == pytest.approx(45_452.90)
    assert p.summary["margin"] == pytest.approx((45_452.90 - p.summary["monthly_cost_usd"]) / 45_452.90)
    # No revenue: margin is undefined, reported as None, never NaN.
    free = capkit.evaluate(s, s.workload(users=10_000, price_usd=0))
    assert free.summary["revenue_usd"] == 0 and free.summary["margin"] is None


def test_zero_users_has_no_nan():
    s = capkit.load_stack("render-postgres")
    p = capkit.evaluate(s, s.workload(users=0))
    assert p.summary["cost_per_user_usd"] is None
    assert not p.load[["demand", "utilization"]].isna().any().any()


def test_seed_000_lambda_cost_in_thousands():
    # The acceptance: 1M users, 10 calls, 2 s, 512 MB -> GB-seconds billed in the thousands.
    s = capkit.load_stack("aws-serverless")
    p = capkit.evaluate(s, s.workload(users=1_000_000, calls_per_user=10, duration_ms=2000, memory_mb=512))
    compute = p.cost[(p.cost["component"] == "lambda") & (p.cost["key"] == "compute")]["cost_usd"].iloc[0]
    # 1,000,000 users x 10 calls x 30.4 days = 304,000,000 invocations x 2 s x 0.5 GB
    # = 304,000,000 GB-s; less the 400,000 free = 303,600,000 GB-s, all in the first tier
    # (6 billion GB-s) at x86's $0.0000166667 per GB-s = $5,060.01.
    assert compute == pytest.approx(303_600_000 * 0.0000166667, rel=1e-6)


def test_sweep_rejects_bad_users():
    s = capkit.load_stack("aws-serverless")
    with pytest.raises(capkit.InputError, match="users"):
        capkit.sweep(s, s.workload(), users=[100, -1])
