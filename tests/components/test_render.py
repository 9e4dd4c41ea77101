"""Render web service: Little's law capacity, CPU, memory, bandwidth, free-tier spin-down."""

import numpy as np
import pytest

from capkit.components.render import free_tier_cold_start_share, worker_capacity_rps
from capkit.errors import StackError
from tests.conftest import cost_of, load_row, plan_of, stack_of

ASSUME = dict(service_time_ms=300, cpu_ms_per_call=100, response_kb=30, mb_per_worker=125)


def web(**params):
    base = {"plan": "starter", "instances": 1, "processes_per_instance": 2}
    return stack_of([{"id": "web", "type": "render_web", "params": {**base, **params}}], **ASSUME)


def test_worker_capacity_littles_law():
    # 2 sync workers, 300 ms each: 2 / 0.3 s = 6.667 requests/s.
    assert worker_capacity_rps(2, np.array([300.0]))[0] == pytest.approx(6.6667, rel=1e-4)


def test_render_web_load_and_max_users():
    # 20,000 users x 50 calls / 86,400 s x 3 = 34.72 requests/s at peak.
    # Workers: limit 6.667/s, max users = 20,000 x 6.667 / 34.72 = 3,840.
    # CPU: 34.72 x 0.1 s = 3.472 cores busy against Starter's 0.5: max users 2,880.
    p = plan_of(web(), users=20_000, calls_per_user=50, peak_factor=3)
    assert load_row(p, "web", "requests_per_s")["max_users"] == pytest.approx(3840)
    cpu = load_row(p, "web", "cpu")
    assert cpu["demand"] == pytest.approx(3.4722, rel=1e-4)
    assert cpu["max_users"] == pytest.approx(2880)
    assert cpu["status"] == "over"  # 3.472 / 0.5 = 694 % of the limit
    mem = load_row(p, "web", "memory_mb")  # 2 x 125 MB of 512 MB, independent of users
    assert mem["demand"] == 250 and mem["max_users"] == np.inf


def test_render_more_instances_scale_capacity():
    p = plan_of(web(plan="standard", instances=3), users=20_000, calls_per_user=50, peak_factor=3)
    # 3 Standard instances: 3 x 1 CPU; CPU max users = 20,000 x 3 / 3.472 = 17,280. Cost 3 x $25.
    assert load_row(p, "web", "cpu")["max_users"] == pytest.approx(17_280)
    assert cost_of(p, "web", "instances") == 75


def test_render_bandwidth_over_the_included():
    # 20,000 x 50 x 30.4 x 30 KB = 912 GB; 812 GB over the included 100 GB x $0.15 = $121.80.
    p = plan_of(web(), users=20_000, calls_per_user=50, days_per_month=30.4)
    assert cost_of(p, "web", "bandwidth") == pytest.approx(121.80)


def test_free_tier_spin_down():
    # Poisson arrivals at 1 request per 900 s: a gap longer than 900 s follows with exp(-1).
    assert free_tier_cold_start_share(np.array([1 / 900]), 900)[0] == pytest.approx(np.exp(-1))
    p = plan_of(web(plan="free", processes_per_instance=1), users=10, calls_per_user=1, days_per_month=30)
    assert any("free instance sleeps" in n for n in p.notes)
    # 10 calls a day: r = 10 / 86,400; asleep share exp(-900 r) = 0.9010; awake 720 h x 0.0990 = 71 h.
    assert any("awake about 71 of the 750 free instance-hours" in n for n in p.notes), p.notes
    with pytest.raises(StackError, match="single instance"):
        web(plan="free", instances=2)


def test_unknown_plan_names_the_choices():
    with pytest.raises(StackError, match="plan 'huge' is not one of: free, starter"):
        web(plan="huge")
