"""Vercel, Firebase (Firestore, Auth, Storage) and batch jobs."""

import pytest

from tests.conftest import cost_of, load_row, plan_of, stack_of

VERCEL = dict(duration_ms=45, cpu_ms_per_call=10, memory_mb=1024, response_kb=5, edge_requests_per_call=1)


def vercel(plan):
    return stack_of([{"id": "v", "type": "vercel", "params": {"plan": plan}}], **VERCEL)


def test_vercel_pro_usage_and_credit():
    # 1,000,000 calls a month: 1,000 users x 33.3 calls x 30 days.
    # Invocations 1,000,000 x $0.60/1M = $0.60; CPU 1e6 x 10 ms = 2.778 h x $0.128 = $0.356;
    # memory 1e6 x 45 ms x 1 GB = 12.5 GB-h x $0.0106 = $0.1325; all under the $20 credit.
    p = plan_of(vercel("pro"), users=1000, calls_per_user=1e6 / (1000 * 30), days_per_month=30)
    assert cost_of(p, "v", "invocations") == pytest.approx(0.60)
    assert cost_of(p, "v", "active_cpu_hours") == pytest.approx(1e6 * 0.010 / 3600 * 0.128)
    assert cost_of(p, "v", "memory_gb_hours") == pytest.approx(12.5 * 0.0106)
    usage = 0.60 + 1e6 * 0.010 / 3600 * 0.128 + 12.5 * 0.0106
    assert cost_of(p, "v", "usage_credit") == pytest.approx(-usage)
    assert p.summary["monthly_cost_usd"] == pytest.approx(20.0)


def test_vercel_hobby_allowances_are_limits():
    # Hobby: 1,000,000 invocations a month; at 10 calls x 30.4 days that is 3,289 users.
    row = load_row(plan_of(vercel("hobby"), users=1000, calls_per_user=10, days_per_month=30.4), "v", "invocations")
    assert row["kind"] == "quota" and row["max_users"] == pytest.approx(1e6 / 304)


FIRESTORE = dict(
    reads_per_call=5,
    writes_per_call=1,
    deletes_per_call=0,
    cache_hit_rate=0,
    docs_per_user=200,
    doc_kb=1,
    sequential_write_share=0.5,
    egress_kb_per_call=0,
)


def test_firestore_daily_free_quota():
    # 10,000 users x 20 calls x 5 = 1,000,000 reads a day; (1,000,000 - 50,000) x 30.4 days
    # x $0.06 / 100,000 = $17.328. Writes: (200,000 - 20,000) x 30.4 x $0.18 / 100,000 = $9.8496.
    s = stack_of([{"id": "fs", "type": "firestore"}], **FIRESTORE)
    p = plan_of(s, users=10_000, calls_per_user=20, days_per_month=30.4)
    assert cost_of(p, "fs", "reads") == pytest.approx(17.328)
    assert cost_of(p, "fs", "writes") == pytest.approx(9.8496)
    # Under the daily quota nothing is billed, even though a month's reads exceed 50,000.
    small = plan_of(s, users=400, calls_per_user=20, days_per_month=30.4)  # 40,000 reads a day
    assert cost_of(small, "fs", "reads") == 0


def test_firebase_auth_mau_bands_and_sms():
    # 150,000 MAU: (100,000 - 50,000) x $0.0055 + 50,000 x $0.0046 = $275 + $230 = $505.
    s = stack_of([{"id": "auth", "type": "firebase_auth"}], sms_per_user_month=0.08)
    p = plan_of(s, users=75_000, dau_mau=0.5, days_per_month=30)
    assert cost_of(p, "auth", "monthly_active_users") == pytest.approx(505)
    # SMS: 150,000 x 0.08 / 30 = 400 a day; (400 - 10 free) x 30 x $0.01 = $117.
    assert cost_of(p, "auth", "phone_sms") == pytest.approx(117)


def test_batch_job_duration():
    # 20,000 MAU x 0.111 s / 1 worker = 2,220 s = 37 min of a 60 min window: max users 10,000 x 60/37.
    s = stack_of(
        [{"id": "job", "type": "batch_job", "params": {"window_min": 60}}], batch_s_per_user=0.111, batch_parallelism=1
    )
    row = load_row(plan_of(s, users=10_000, dau_mau=0.5), "job", "duration_min")
    assert row["demand"] == pytest.approx(37)
    assert row["max_users"] == pytest.approx(10_000 * 60 / 37)
    # 100 in parallel: 100 x faster.
    row = load_row(plan_of(s, users=10_000, dau_mau=0.5, batch_parallelism=100), "job", "duration_min")
    assert row["demand"] == pytest.approx(0.37)
