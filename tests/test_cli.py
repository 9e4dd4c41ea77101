"""The CLI: verbs, the JSON contract, and one-line errors with exit status 2."""

import json
import subprocess
import sys

import pytest

from capkit import cli


def run(*args):
    return subprocess.run([sys.executable, "-m", "capkit.cli", *args], capture_output=True, text=True, timeout=120)


def test_stacks_lists_presets(capsys):
    assert cli.main(["stacks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == [
        "aws-serverless",
        "render-firestore",
        "render-postgres",
        "vercel-supabase",
    ]


def test_plan_text(capsys):
    assert cli.main(["plan", "--stack", "aws-serverless", "--set", "users=100000", "--set", "calls_per_user=10"]) == 0
    out = capsys.readouterr().out
    assert "at 100,000 daily active users" in out and "bottleneck" in out and "lambda" in out


def test_plan_json_contract(capsys):
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=100000", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    for key in (
        "stack",
        "workload",
        "monthly_cost_usd",
        "cost_per_user_usd",
        "paying_users",
        "revenue_usd",
        "margin",
        "bottleneck",
        "max_users",
        "components",
    ):
        assert key in doc, key
    assert doc["stack"] == "render-postgres" and doc["workload"]["users"] == 100_000
    assert set(doc["bottleneck"]) == {"component", "metric"}
    comps = {c["id"]: c for c in doc["components"]}
    assert list(comps) == ["render_web", "postgres", "redis", "email", "sentry"]
    metric = comps["postgres"]["metrics"][0]
    assert set(metric) >= {"metric", "demand", "limit", "unit", "utilization", "max_users", "status"}
    assert {m["metric"] for m in comps["postgres"]["metrics"]} >= {"connections"}
    assert {m["metric"] for m in comps["email"]["metrics"]} >= {"emails_per_day"}
    assert sum(c["cost_usd"] for c in doc["components"]) == pytest.approx(doc["monthly_cost_usd"])


def test_aws_metric_names(capsys):
    cli.main(["plan", "--stack", "aws-serverless", "--json"])
    comps = {c["id"]: c for c in json.loads(capsys.readouterr().out)["components"]}
    assert {"concurrency", "requests_per_s"} <= {m["metric"] for m in comps["lambda"]["metrics"]}
    assert {"read_units_per_s", "write_units_per_s", "storage_gb"} <= {
        m["metric"] for m in comps["dynamodb"]["metrics"]
    }


def test_json_is_deterministic_and_has_no_nan():
    a = run("plan", "--stack", "vercel-supabase", "--json")
    b = run("plan", "--stack", "vercel-supabase", "--json")
    assert a.returncode == 0 and a.stdout == b.stdout
    assert "NaN" not in a.stdout and "Infinity" not in a.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "users=-5"], "users = -5 is not allowed"),
        (["--set", "users=nan"], "users = nan is not allowed"),
        (["--set", "conversion_rate=1.5"], "conversion_rate = 1.5 is not allowed"),
        (["--set", "colour=blue"], "the value must be a number"),
        (["--set", "colour=1"], "unknown assumption 'colour'"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    r = run("plan", "--stack", "aws-serverless", *args)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and message in r.stderr
    assert "Traceback" not in r.stderr


def test_unknown_stack_and_malformed_file(tmp_path):
    r = run("plan", "--stack", "nope")
    assert r.returncode == 2 and "unknown stack 'nope'" in r.stderr and "Traceback" not in r.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ntitle: Bad\ncomponents: [{id: x, type: nothing}]\n")
    r = run("plan", "--stack", str(bad))
    assert r.returncode == 2 and "bad.yaml" in r.stderr and "type 'nothing'" in r.stderr


def test_pricing_lists_every_entry(capsys):
    assert cli.main(["pricing"]) == 0
    out = capsys.readouterr().out
    assert "aws.lambda.request_usd_per_million" in out and "https://" in out
    assert "low confidence" in out.splitlines()[-1]


def test_pricing_flags_stale_entries():
    import datetime as dt

    table = cli.pricing_table(today=dt.date(2030, 1, 1))
    assert table["stale"].all()
    assert not cli.pricing_table(today=dt.date(2026, 11, 23))["stale"].all()


def test_sweep_csv(capsys):
    assert cli.main(["sweep", "--stack", "render-firestore", "--users", "1000:1000000:4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("users,monthly_cost_usd") and len(lines) == 5
