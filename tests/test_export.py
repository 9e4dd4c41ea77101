"""Exports: plan and sweep as CSV and JSON, and the Infracost usage file.

The Infracost keys are checked against the key list Infracost documents, kept as a fixture
with its source (tests/fixtures/infracost_usage_keys.yaml).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import capkit
from capkit.cli import main

KEYS = yaml.safe_load((Path(__file__).parent / "fixtures" / "infracost_usage_keys.yaml").read_text())


def run(capsys, *argv: str) -> str:
    assert main(list(argv)) == 0
    return capsys.readouterr().out


def flat_keys(mapping: dict, prefix: str = "") -> set[str]:
    out = set()
    for k, v in mapping.items():
        out |= flat_keys(v, f"{prefix}{k}.") if isinstance(v, dict) else {f"{prefix}{k}"}
    return out


def test_infracost_export_at_a_million_users(capsys):
    out = run(capsys, "export", "infracost", "--stack", "aws-serverless", "--set", "users=1000000")
    usage = yaml.safe_load(out)
    assert usage["version"] == KEYS["version"]
    assert set(usage) <= set(KEYS["top_level"])
    lam = usage["resource_type_default_usage"]["aws_lambda_function"]
    # users x calls_per_user x days_per_month = 1,000,000 x 10 x 30.4 = 304,000,000 invocations.
    assert lam["monthly_requests"] == 1_000_000 * 10 * 30.4
    assert lam["request_duration_ms"] == 2000  # the stack's duration_ms
    s3 = usage["resource_type_default_usage"]["aws_s3_bucket"]["standard"]
    # 1,000,000 users x 0.5 MB = 500 GB; 1 GET per user per day: 30.4M tier-2 requests.
    assert s3["storage_gb"] == pytest.approx(500, rel=0.01)
    assert s3["monthly_tier_2_requests"] == 30_400_000


def test_every_exported_key_is_one_infracost_documents(capsys):
    for stack in ("aws-serverless",):
        for users in ("1000", "1000000"):
            usage = yaml.safe_load(run(capsys, "export", "infracost", "--stack", stack, "--set", f"users={users}"))
            resources = {**usage["resource_type_default_usage"], **usage.get("resource_usage", {})}
            for address, values in resources.items():
                rtype = address.split(".")[0]
                assert rtype in KEYS["resources"], rtype
                assert flat_keys(values) <= set(KEYS["resources"][rtype]), (address, flat_keys(values))


def test_one_table_goes_under_the_type_default(capsys, tmp_path):
    raw = yaml.safe_load(capkit.stack.presets_dir().joinpath("aws-serverless.yaml").read_text())
    raw["components"][1]["params"]["tables"] = raw["components"][1]["params"]["tables"][:1]
    raw["components"][1]["params"]["tables"][0]["read_share"] = 1
    raw["components"][1]["params"]["tables"][0]["write_share"] = 1
    raw["components"][1]["params"]["tables"][0]["gsis"] = []
    path = tmp_path / "one-table.yaml"
    path.write_text(yaml.safe_dump(raw))
    usage = yaml.safe_load(run(capsys, "export", "infracost", "--stack", str(path), "--set", "users=1000"))
    table = usage["resource_type_default_usage"]["aws_dynamodb_table"]
    # 1,000 users x 10 calls x 30.4 days = 304,000 calls; 1.5 reads of 50 KB eventually consistent
    # (ceil(50/4) x 0.5 = 6.5 units) plus one 10 KB config read... the config table is gone, so
    # 304,000 x 1.5 x 6.5 = 2,964,000 RRU; 1 write of 50 KB = 50 WRU: 15,200,000 WRU.
    assert table["monthly_read_request_units"] == 2_964_000
    assert table["monthly_write_request_units"] == 15_200_000
    assert "resource_usage" not in usage


def test_infracost_refuses_a_stack_without_aws_usage(capsys):
    assert main(["export", "infracost", "--stack", "render-postgres"]) == 2
    assert "no component Infracost prices" in capsys.readouterr().err


def test_plan_formats_agree(capsys):
    args = ["plan", "--stack", "render-postgres", "--set", "users=30000"]
    s = capkit.load_stack("render-postgres")
    plan = capkit.right_size(s, s.workload(users=30_000))  # capkit plan answers right-sized
    as_json = json.loads(run(capsys, *args, "--format", "json"))
    assert as_json == json.loads(run(capsys, *args, "--json"))
    assert as_json["monthly_cost_usd"] == pytest.approx(plan.summary["monthly_cost_usd"])
    rows = list(csv.DictReader(io.StringIO(run(capsys, *args, "--format", "csv"))))
    summary = {r["name"]: r["value"] for r in rows if r["section"] == "summary"}
    assert float(summary["monthly_cost_usd"]) == pytest.approx(plan.summary["monthly_cost_usd"])
    costs = [float(r["cost_usd"]) for r in rows if r["section"] == "cost"]
    assert sum(costs) == pytest.approx(plan.summary["monthly_cost_usd"])
    assert {r["section"] for r in rows} == {"input", "summary", "configuration", "action", "load", "cost"}
    config = {(r["component"], r["name"]): r["value"] for r in rows if r["section"] == "configuration"}
    assert config[("render_web", "plan")] == plan.configuration["render_web"]["plan"]
    assert summary["sizing"] == "right-sized"
    assert not any(v in ("nan", "inf", "NaN") for r in rows for v in r.values())
    assert "monthly cost" in run(capsys, *args, "--format", "table")


def test_sweep_csv_and_json_at_log_spaced_levels(capsys):
    args = ["sweep", "--stack", "vercel-supabase", "--users", "1000:10000000:5"]
    rows = list(csv.DictReader(io.StringIO(run(capsys, *args, "--format", "csv"))))
    records = json.loads(run(capsys, *args, "--format", "json"))
    levels = np.geomspace(1000, 10_000_000, 5)  # 1K, 10K, 100K, 1M, 10M
    assert [float(r["users"]) for r in rows] == pytest.approx(levels)
    assert [r["users"] for r in records] == pytest.approx(levels)
    assert [r["monthly_cost_usd"] for r in records] == pytest.approx([float(r["monthly_cost_usd"]) for r in rows])
    assert all(isinstance(v, (int, float, str)) or v is None for r in records for v in r.values())


def test_csv_numbers_carry_no_float_noise():
    """0.1 x 3 is 0.30000000000000004 in binary floating point and 454.529 can come out as
    454.52900000000005; at twelve significant digits both read as people wrote them."""
    from capkit.export import csv_text

    frame = pd.DataFrame({"a": [0.1 * 3, 454.52900000000005, 1e-7], "b": ["x", "y", "z"]})
    assert csv_text(frame).splitlines() == ["a,b", "0.3,x", "454.529,y", "1e-07,z"]


def test_compare_workload_from_a_stack_prices_it_as_plan_does(capsys):
    """--workload-from render-postgres gives every stack render-postgres's own calls per user
    (50), DAU/MAU (0.2) and the rest: render-postgres then costs what capkit plan says."""
    assert main(["plan", "--stack", "render-postgres", "--set", "users=100000", "--format", "json"]) == 0
    planned = json.loads(capsys.readouterr().out)["monthly_cost_usd"]
    argv = ["compare", "--stacks", "aws-serverless,render-postgres", "--set", "users=100000"]
    assert main([*argv, "--workload-from", "render-postgres", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {r["stack"]: r for r in doc["stacks"]}
    assert rows["render-postgres"]["monthly_cost_usd"] == pytest.approx(planned)
    assert doc["workload"]["values"]["calls_per_user"] == 50 and doc["workload"]["sources"]["users"] == "set"
    assert doc["workload"]["sources"]["calls_per_user"] == "render-postgres's"
    assert main(argv) == 0  # without it: capkit's defaults, and render-postgres's own values said replaced
    out = capsys.readouterr().out
    assert "render-postgres's own calls_per_user 50" in out and "--set" in out
    assert main([*argv, "--workload-from", "nope"]) == 2
    assert "--workload-from 'nope': not one of the stacks compared" in capsys.readouterr().err
