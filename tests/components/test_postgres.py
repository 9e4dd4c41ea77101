"""Render Postgres and Supabase: connections, query capacity, storage, plan allowances."""

import numpy as np
import pytest

from capkit.components.postgres import query_capacity_per_s
from tests.conftest import cost_of, load_row, plan_of, stack_of

WEB = {"id": "web", "type": "render_web", "params": {"plan": "standard", "instances": 4, "processes_per_instance": 4}}
WEB_ASSUME = dict(service_time_ms=100, cpu_ms_per_call=10, response_kb=1, mb_per_worker=100)
DB_ASSUME = dict(db_queries_per_call=5, cache_hit_rate=0, query_ms=5, rows_per_user=105.5, row_kb=0.5)


def test_query_capacity_one_query_per_core():
    # 2 cores, 5 ms per query: 2 x 200 = 400 queries/s.
    assert query_capacity_per_s(2, np.array([5.0]))[0] == 400


def test_render_postgres_connections_queries_storage():
    s = stack_of(
        [
            WEB,
            {"id": "pg", "type": "render_postgres", "params": {"plan": "basic_1gb", "disk_gb": 10, "clients": ["web"]}},
        ],
        **WEB_ASSUME,
        **DB_ASSUME,
    )
    p = plan_of(s, users=20_000, calls_per_user=50, peak_factor=3, dau_mau=0.2)
    # 4 instances x 4 processes x 1 connection = 16 of basic_1gb's 100; constant in users.
    conn = load_row(p, "pg", "connections")
    assert conn["demand"] == 16 and conn["max_users"] == np.inf
    # 34.72 calls/s x 5 queries = 173.6 q/s against 0.5 cores x 200 = 100 q/s: max 20,000 x 100/173.6.
    assert load_row(p, "pg", "queries_per_s")["max_users"] == pytest.approx(11_520)
    # Storage: 100,000 MAU x 105.5 rows x 0.5 KB = 5.275 GB of the 10 GB disk.
    assert load_row(p, "pg", "storage_gb")["demand"] == pytest.approx(5.275)
    # $19 plan + 10 GB x $0.30.
    assert cost_of(p, "pg", "plan") == 19 and cost_of(p, "pg", "disk") == pytest.approx(3.0)


def test_cache_hits_cut_database_queries():
    s = stack_of(
        [WEB, {"id": "pg", "type": "render_postgres", "params": {"plan": "basic_1gb", "clients": ["web"]}}],
        **WEB_ASSUME,
        **{**DB_ASSUME, "cache_hit_rate": 0.5},
    )
    p = plan_of(s, users=20_000, calls_per_user=50, peak_factor=3)
    assert load_row(p, "pg", "queries_per_s")["demand"] == pytest.approx(86.806, rel=1e-4)


SUPA = dict(
    db_queries_per_call=1,
    cache_hit_rate=0,
    cached_egress_share=0,
    query_ms=25,
    rows_per_user=1,
    row_kb=2,
    db_response_kb=2,
    duration_ms=45,
    cpu_ms_per_call=10,
    memory_mb=1024,
    response_kb=5,
    edge_requests_per_call=1,
)


def supa(**params):
    base = {"plan": "pro", "compute": "micro", "clients": ["vercel"]}
    return stack_of(
        [{"id": "vercel", "type": "vercel"}, {"id": "db", "type": "supabase", "params": {**base, **params}}], **SUPA
    )


def test_supabase_compute_credit_and_mau_overage():
    # Micro: $0.01344/h x 24 x 30.4 = $9.81, covered by the $10 credit.
    # MAU: 300,000 / 0.5 = 600,000; (600,000 - 100,000) x $0.00325 = $1,625.
    p = plan_of(supa(), users=300_000, dau_mau=0.5, days_per_month=30.4)
    assert cost_of(p, "db", "compute") == 0
    assert cost_of(p, "db", "monthly_active_users") == pytest.approx(1625)
    # Small: 0.0206 x 729.6 = $15.03 - $10 = $5.03.
    p = plan_of(supa(compute="small"), users=1000, days_per_month=30.4)
    assert cost_of(p, "db", "compute") == pytest.approx(0.0206 * 729.6 - 10)


def test_supabase_pooler_connections():
    # Vercel concurrency = 300,000 x 50 / 86,400 x 3 x 0.045 s = 23.44 client connections
    # against Supavisor's 200 on Micro; the database sees the pool of 15 of its 60.
    p = plan_of(supa(), users=300_000, calls_per_user=50, peak_factor=3)
    assert load_row(p, "db", "pooler_clients")["demand"] == pytest.approx(23.4375)
    assert load_row(p, "db", "connections")["demand"] == 15
    # Without the pooler every client connection is a database connection (limit 60).
    direct = load_row(plan_of(supa(pooler=False), users=300_000, calls_per_user=50, peak_factor=3), "db", "connections")
    assert direct["demand"] == pytest.approx(23.4375)
    assert direct["max_users"] == pytest.approx(300_000 * 60 / 23.4375)


def test_supabase_free_plan_allowances_are_hard_limits():
    p = plan_of(supa(plan="free", compute="nano"), users=1000)
    assert load_row(p, "db", "monthly_active_users")["kind"] == "quota"
    assert load_row(plan_of(supa(), users=1000), "db", "monthly_active_users")["kind"] == "free_tier"


def test_unknown_plan_lists_only_plans():
    # render.postgres also holds storage_usd_per_gb_month, which is a price, not a plan.
    import capkit

    with pytest.raises(capkit.StackError) as info:
        stack_of([{"id": "pg", "type": "render_postgres", "params": {"plan": "huge"}}], **DB_ASSUME)
    assert "basic_1gb" in str(info.value) and "storage_usd_per_gb_month" not in str(info.value)
    with pytest.raises(capkit.StackError, match="plan 'huge' is not one of: nano, micro"):
        supa(compute="huge")
