"""AWS components against hand-worked numbers from AWS's published rules."""

import numpy as np
import pytest

from capkit.components.aws import lambda_concurrency, lambda_gb_seconds, read_units, write_units
from tests.conftest import cost_of, load_row, plan_of, stack_of

LAMBDA = {"id": "lambda", "type": "aws_lambda", "params": {}}


def lambda_stack(**params):
    return stack_of([{**LAMBDA, "params": params}], duration_ms=2000, memory_mb=512)


def test_lambda_bills_gb_seconds_after_the_free_allowance():
    # 1,000,000 users x 10 calls x 30.4 days = 304,000,000 invocations.
    # GB-s = 304e6 x 2 s x 0.5 GB = 304,000,000; minus 400,000 free = 303,600,000
    # x $0.0000166667 (x86 tier 1) = $5,060.01. Requests: (304e6 - 1e6) x $0.20/1M = $60.60.
    p = plan_of(lambda_stack(), users=1_000_000, calls_per_user=10, days_per_month=30.4)
    assert cost_of(p, "lambda", "compute") == pytest.approx(303_600_000 * 0.0000166667, rel=1e-12)  # 5,060.01
    assert cost_of(p, "lambda", "requests") == pytest.approx(60.60, rel=1e-9)


def test_lambda_arm64_price():
    # Same GB-s at the arm64 tier-1 price: 303,600,000 x $0.0000133334 = $4,048.02.
    p = plan_of(lambda_stack(architecture="arm64"), users=1_000_000, calls_per_user=10, days_per_month=30.4)
    assert cost_of(p, "lambda", "compute") == pytest.approx(303_600_000 * 0.0000133334, rel=1e-9)


def test_lambda_duration_tiers_are_graduated():
    # 10e9 GB-s a month (1 s x 1,024 MB per call): 9,999,600,000 billable after the free 400,000.
    # First 6e9 at $0.0000166667 = $100,000.20; the next 3,999,600,000 at $0.000015 = $59,994.00.
    s = stack_of([LAMBDA], duration_ms=1000, memory_mb=1024)
    p = plan_of(s, users=1e10 / (1000 * 30), calls_per_user=1000, days_per_month=30)
    assert cost_of(p, "lambda", "compute") == pytest.approx(100_000.20 + 59_994.00, rel=1e-9)


def test_lambda_concurrency_is_littles_law():
    # Peak rate = 1e6 x 10 / 86,400 s x 3 = 347.22 requests/s; x 2 s = 694.44 concurrent.
    # Against the 1,000 quota: max users = 1e6 x 1,000 / 694.44 = 1,440,000.
    # Request-rate quota 10 x 1,000 = 10,000/s: max users = 1e6 x 10,000 / 347.22 = 28,800,000.
    p = plan_of(lambda_stack(), users=1_000_000, calls_per_user=10, peak_factor=3)
    conc = load_row(p, "lambda", "concurrency")
    assert conc["demand"] == pytest.approx(694.444444, rel=1e-6)
    assert conc["max_users"] == pytest.approx(1_440_000, rel=1e-9)
    assert load_row(p, "lambda", "requests_per_s")["max_users"] == pytest.approx(28_800_000, rel=1e-9)
    assert lambda_concurrency(np.array([100.0]), np.array([250.0]))[0] == 25.0
    assert lambda_gb_seconds(np.array([1.0]), np.array([1000.0]), np.array([1024.0]))[0] == 1.0


def test_lambda_raised_quota_param():
    p = plan_of(lambda_stack(concurrency_limit=3000), users=1_000_000, calls_per_user=10, peak_factor=3)
    assert load_row(p, "lambda", "concurrency")["max_users"] == pytest.approx(4_320_000, rel=1e-9)


def test_dynamodb_unit_rules():
    # Reads: ceil(KB / 4) units strongly consistent, half eventually consistent.
    assert read_units(np.array([50.0]), np.array([0.0]), 4)[0] == 6.5  # ceil(12.5) = 13 x 0.5
    assert read_units(np.array([50.0]), np.array([1.0]), 4)[0] == 13
    assert read_units(np.array([4.0]), np.array([1.0]), 4)[0] == 1
    assert read_units(np.array([4.1]), np.array([1.0]), 4)[0] == 2
    # Writes: ceil(KB / 1), doubled inside a transaction.
    assert write_units(np.array([0.5]), np.array([0.0]), 1)[0] == 1
    assert write_units(np.array([50.0]), np.array([0.0]), 1)[0] == 50
    assert write_units(np.array([50.0]), np.array([1.0]), 1)[0] == 100


def dynamo(mode="on_demand", **table):
    t = {
        "name": "t",
        "item_kb": 3,
        "items_per_user": 1,
        "read_share": 1,
        "write_share": 1,
        "gsis": [{"name": "all", "projection": "ALL"}, {"name": "inc", "projection": "INCLUDE", "projected_kb": 0.4}],
    }
    t.update(table)
    return stack_of(
        [{"id": "ddb", "type": "aws_dynamodb", "params": {"mode": mode, "tables": [t]}}],
        reads_per_call=2,
        writes_per_call=1,
        strong_read_share=0,  # eventually consistent reads: half a unit per 4 KB
        transact_write_share=0,
        transact_read_share=0,
    )


def test_dynamodb_gsi_writes_and_reads_on_demand():
    # 1,000 users x 10 calls x 30 days = 300,000 calls; 1 write and 2 reads per call.
    # Table write: ceil(3 KB / 1 KB) = 3 WRU; GSI ALL: 3 WRU; GSI INCLUDE 0.4 KB: 1 WRU.
    # Table: 900,000 WRU x $0.625/1M = $0.5625; GSIs: 1,200,000 WRU = $0.75.
    # Reads: 600,000 x 0.5 RRU (ceil(3/4) = 1, eventually consistent) = 300,000 RRU x $0.125/1M.
    p = plan_of(dynamo(), users=1000, calls_per_user=10, days_per_month=30, dau_mau=1)
    assert cost_of(p, "ddb", "write_request_units_tables") == pytest.approx(0.5625)
    assert cost_of(p, "ddb", "write_request_units_gsis") == pytest.approx(0.75)
    assert cost_of(p, "ddb", "read_request_units") == pytest.approx(0.0375)


def test_dynamodb_storage_counts_indexes_and_item_overhead():
    # Per item: 3 KB + 0.1 KB overhead; ALL index 3 + 0.1; INCLUDE index 0.4 + 0.1 = 6.7 KB.
    # 1,000 items = 6.7 MB = 0.0067 GB, under the free 25 GB.
    p = plan_of(dynamo(), users=1000, dau_mau=1)
    row = load_row(p, "ddb", "storage_gb")
    assert row["demand"] == pytest.approx(0.0067)
    assert row["kind"] == "free_tier"
    assert cost_of(p, "ddb", "storage") == 0.0


def test_dynamodb_hot_item_partition_limit():
    # A 10 KB config item read once per call, eventually consistent: ceil(10/4) x 0.5 = 1.5 RRU.
    # Peak reads/s = users x 10 / 86,400 x 3; 3,000 RRU/s per partition is reached at
    # users = 3,000 / 1.5 x 86,400 / 30 = 5,760,000.
    s = stack_of(
        [
            {
                "id": "ddb",
                "type": "aws_dynamodb",
                "params": {
                    "tables": [{"name": "cfg", "item_kb": 10, "items_fixed": 1, "hot_reads_per_call": "cfg_reads"}]
                },
            }
        ],
        reads_per_call=0,
        writes_per_call=0,
        strong_read_share=0,
        transact_write_share=0,
        transact_read_share=0,
        cfg_reads=1,
    )
    p = plan_of(s, users=1000, calls_per_user=10, peak_factor=3)
    assert load_row(p, "ddb", "hot_partition_read_units_per_s")["max_users"] == pytest.approx(5_760_000)


def test_dynamodb_provisioned_capacity():
    # 864,000 users x 10 calls = 100 calls/s on average; 1 read of 4 KB eventually consistent
    # = 0.5 RCU: 50 RCU/s on average; auto scaling at a 70% target keeps ceil(71.4) = 72 RCU.
    # (72 - 25 free) x $0.00013 x 24 h x 30 days = $4.3992.
    p = plan_of(
        dynamo("provisioned", item_kb=4, gsis=[]),
        users=864_000,
        calls_per_user=10,
        days_per_month=30,
        peak_factor=3,
        reads_per_call=1,
        writes_per_call=0,
    )
    assert cost_of(p, "ddb", "provisioned_rcu") == pytest.approx(4.3992)


def test_s3_storage_gets_and_free_transfer():
    # 10,000 users (all monthly active) x 0.5 MB = 5 GB x $0.023 = $0.115.
    # GETs: 10,000 x 1 x 30 = 300,000 x $0.0004/1,000 = $0.12; 300,000 x 150 KB = 45 GB out,
    # under the free 100 GB.
    s = stack_of(
        [{"id": "s3", "type": "aws_s3"}],
        storage_mb_per_user=0.5,
        s3_gets_per_user_day=1,
        s3_object_kb=150,
        s3_puts_per_user_month=0,
    )
    p = plan_of(s, users=10_000, dau_mau=1, days_per_month=30)
    assert cost_of(p, "s3", "storage") == pytest.approx(0.115)
    assert cost_of(p, "s3", "get_requests") == pytest.approx(0.12)
    assert cost_of(p, "s3", "transfer_out") == 0.0
    # 1,000,000 users: 4,500 GB out, 4,400 GB billed x $0.09 = $396.
    assert cost_of(plan_of(s, users=1_000_000, dau_mau=1, days_per_month=30), "s3", "transfer_out") == pytest.approx(
        396
    )


def test_amplify_data_served_and_builds():
    # 10,000 users x 1 load x 30 days x 200 KB = 60 GB x $0.15 = $9; 20 deploys x 5 min x $0.01 = $1.
    s = stack_of([{"id": "amp", "type": "aws_amplify"}], page_kb=200, page_loads_per_user_day=1, deploys_per_month=20)
    p = plan_of(s, users=10_000, days_per_month=30)
    assert cost_of(p, "amp", "data_served") == pytest.approx(9.0)
    assert cost_of(p, "amp", "build_minutes") == pytest.approx(1.0)
