"""The CLI: verbs, the JSON contract, and one-line errors with exit status 2."""

import contextlib
import io
import json
import re
import subprocess
import sys

import pytest

import capkit
from capkit import cli


def run(*args: str) -> subprocess.CompletedProcess:
    """capkit in this process (cli.main), its output captured: the fast way to test a verb."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = cli.main(list(args))
        except SystemExit as stop:  # argparse's own errors exit 2 after one line
            status = stop.code
    return subprocess.CompletedProcess(["capkit", *args], status, out.getvalue(), err.getvalue())


def run_fresh(*args: str) -> subprocess.CompletedProcess:
    """capkit in a new Python process: for what only a fresh process shows (hash seeds, imports)."""
    return subprocess.run([sys.executable, "-m", "capkit.cli", *args], capture_output=True, text=True, timeout=120)


def test_stacks_lists_presets(capsys):
    assert cli.main(["stacks"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["stack", "title", "components"] and set(out[1]) == {"-", " "}
    assert [line.split()[0] for line in out[2:] if not line.startswith(" ")] == [
        "aws-serverless",
        "render-firestore",
        "render-postgres",
        "vercel-supabase",
    ]


def test_plan_text(capsys):
    assert cli.main(["plan", "--stack", "aws-serverless", "--set", "users=100000", "--set", "calls_per_user=10"]) == 0
    out = capsys.readouterr().out
    assert "at 100,000 daily active users" in out and "next limit       Lambda concurrency at" in out


def test_plan_json_contract(capsys):
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=100000", "--json", "--as-configured"]) == 0
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
        "sizing",
        "configuration",
        "actions",
        "fits",
        "limits",
    ):
        assert key in doc, key
    assert doc["stack"] == "render-postgres" and doc["workload"]["users"] == 100_000
    assert doc["sizing"] == "as-configured" and doc["fits"] is False and doc["actions"] == []
    # As written: 1 Starter instance, free Postgres, Gmail (500/day), Sentry Developer (5,000 errors).
    assert doc["configuration"]["email"] == {"plan": "gmail_consumer"}
    over = {(x["component"], x["metric"]) for x in doc["limits"]}
    assert ("email", "emails_per_day") in over and ("render_web", "cpu") in over
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
    a = run_fresh("plan", "--stack", "vercel-supabase", "--json")
    b = run_fresh("plan", "--stack", "vercel-supabase", "--json")
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


def test_pricing_lists_every_entry_within_120_columns(capsys):
    assert cli.main(["pricing"]) == 0
    out = capsys.readouterr().out
    lines = out.rstrip().splitlines()
    assert "aws.lambda.request_usd_per_million" in out and "https://" in out
    assert max(len(line) for line in lines) <= 120
    # The count at the end: entries by confidence and the stale ones.
    footer = " ".join(out.rstrip().split("\n\n")[-1].split())
    assert re.search(r"Catalog: \d+ high, \d+ medium, \d+ low confidence .* \d+ stale", footer), footer


def test_pricing_filters_and_formats(capsys):
    import datetime as dt

    from capkit.catalog_report import pricing_table

    assert cli.main(["pricing", "--low", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows and {r["confidence"] for r in rows} == {"low"}
    assert {"key", "value", "unit", "as_of", "source", "used_by", "note", "stale"} <= set(rows[0])
    assert cli.main(["pricing", "--stale", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("key,value,unit,as_of,confidence,stale,used_by,source,note")
    # Every entry is stale 5 years on; none was read more than a year before it was written down.
    assert pricing_table(today=dt.date(2031, 1, 1), stale=True).shape[0] == pricing_table().shape[0]
    assert pricing_table(today=dt.date(2026, 11, 23), stale=True).shape[0] < pricing_table().shape[0]


@pytest.mark.catalog
def test_a_low_confidence_price_a_preset_uses_says_what_is_known_of_it():
    """Every low-confidence price a preset's answer rests on says, in the provider's terms, why
    it is unconfirmed (since when, and what stands in) or on what it is assumed."""
    from capkit.catalog_report import pricing_table

    low = pricing_table(low=True)
    used = low[low["used_by"] != ""]
    assert not used.empty
    for row in used.itertuples():
        assert re.search(r"unconfirmed|assumed|no page states|legacy", row.note), row.key


def test_sweep_csv(capsys):
    assert cli.main(["sweep", "--stack", "render-firestore", "--users", "1000:1000000:4"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("users,monthly_cost_usd") and len(lines) == 5


def test_plan_answers_right_sized_first(capsys):
    """The first lines give the cost to serve N users, the configuration and the actions."""
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=100000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("Cost to serve 100,000 daily active users: $") and lines[0].endswith("right-sized")
    assert lines[1].split()[0] == "configuration"
    assert "Render web service: Starter, 50 instances, 2 processes each" in lines[1]
    actions = next(i for i, line in enumerate(lines) if line.split()[:1] == ["actions"])
    assert "scale Render web service: 1 -> 50 instances" in lines[actions]


def test_as_configured_says_it_is_over_its_limits(capsys):
    """100,000 users x 50 calls / 86,400 s x 3 = 173.6 requests/s; Starter's 0.5 CPU at 100 ms a
    call carries 5/s, so the CPU is at 3,472 %; Gmail's 500 sends a day against 100,000 / 0.2 MAU x
    2 emails / 30.4 days = 32,895 a day is 6,579 %. Every hard limit past 100 % is over."""
    assert cli.main(["plan", "--stack", "render-postgres", "--set", "users=100000", "--as-configured"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("Over its limits at 100,000 daily active users: ")
    rows = {
        line.split("  ")[0].strip(): line
        for line in out.splitlines()
        if line.startswith(("Web CPU ", "Email sends per day"))
    }
    assert "3472%" in rows["Web CPU"] and " over " in rows["Web CPU"]
    assert "6579%" in rows["Email sends per day"] and " over " in rows["Email sends per day"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--stacks", "aws-serverless,nope"], "nope"),
        (["--stacks", "aws-serverless"], "give two to four stacks separated by commas, got 1"),
        (["--stacks", "a,b,c,d,e"], "give two to four stacks separated by commas, got 5"),
        (["--stacks", "aws-serverless,render-postgres", "--set", "users"], "expected key=value"),
        (["--stacks", "aws-serverless,render-postgres", "--set", "users=-5"], "users = -5 is not allowed"),
        (
            ["--stacks", "aws-serverless,render-postgres", "--set", "bogus=1"],
            "no stack of aws-serverless, render-postgres",
        ),
    ],
)
def test_compare_bad_input_is_one_line(capsys, args, message):
    assert cli.main(["compare", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err


def test_compare_holds_one_business_workload(capsys):
    """Revenue depends only on the business inputs: 100,000 DAU / 0.5 DAU/MAU x 4 % = 8,000
    payers x ($9.99 x (1 - 0.029) - $0.30) = 8,000 x $9.40029 = $75,202.32 for every stack."""
    args = ["compare", "--stacks", ",".join(capkit.preset_names()), "--set", "users=100000"]
    assert cli.main([*args, "--set", "conversion_rate=0.04", "--set", "price_usd=9.99", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["workload"]["sources"]["conversion_rate"] == "set" and doc["workload"]["values"]["users"] == 100_000
    rows = doc["stacks"]
    assert [r["stack"] for r in rows] == capkit.preset_names()
    for r in rows:
        assert set(r) >= {"stack", "monthly_cost_usd", "revenue_usd", "margin", "configuration"}
        assert r["revenue_usd"] == pytest.approx(75_202.32)
        assert r["margin"] == pytest.approx((r["revenue_usd"] - r["monthly_cost_usd"]) / r["revenue_usd"])
    assert cli.main([*args, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("stack,sizing,users,monthly_cost_usd")
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("4 stacks at 100,000 daily active users, one business workload, right-sized")
    assert "calls_per_user          10   calls/user/day       capkit's default" in out
    fits = [line[106:].strip() for line in out.splitlines() if line.startswith("render-firestore ")]
    assert fits == ["no option"]  # the fits column, wrapped in its width: "no option fits: Batch job run time ..."


def test_queue_prints_the_mm1_figures_and_the_servers_a_target_needs(capsys):
    # M/M/1 at lambda = 10, mu = 12: rho 83.3 %, Wq = 25/60 = 0.4167, W = 0.5 (see test_queueing).
    assert (
        cli.main(["queue", "--arrival-rate", "10", "--service-rate", "12", "--servers", "1:4", "--max-wait", "0.05"])
        == 0
    )
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert rows[0][:2] == ["1", "83.3%"] and rows[0][6:8] == ["0.4167", "0.5"]
    # Wq with 2 servers: C = 0.2451, Wq = C / (24 - 10) = 0.0175 <= 0.05, so 2.
    assert out.rstrip().endswith("fewest servers meeting every target: 2")


def test_queue_json_leaves_unstable_counts_without_steady_state_figures(capsys):
    assert (
        cli.main(["queue", "--arrival-rate", "20", "--service-rate", "12", "--servers", "1:2", "--format", "json"]) == 0
    )
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0] == {"servers": 1, "utilization": pytest.approx(20 / 12), "stable": False}
    assert rows[1]["stable"] and rows[1]["wq"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--servers", "1"], "--servers 1: with 1 server utilization is 1.67"),
        (["--servers", "5:2"], "LOW must not be above HIGH"),
        (["--servers", "two"], "expected a whole number or LOW:HIGH"),
        (["--service-level", "1.5", "2"], "service level share = 1.5 is not allowed"),
    ],
)
def test_queue_refuses_in_one_line(capsys, argv, message):
    assert cli.main(["queue", "--arrival-rate", "20", "--service-rate", "12", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_no_library_message_names_a_cli_flag():
    """Only the CLI knows its flags: no string in the rest of capkit (docstrings aside) names one
    of capkit's options; the library names inputs in its own words (InputError.what) and the
    CLI adds its flags when it prints them. Voila's and ipykernel's own options, which the
    launcher and the report pass to those programs, are theirs, not capkit's."""
    import argparse
    import ast
    from pathlib import Path

    flags: set[str] = set()
    for action in cli.build_parser()._subparsers._group_actions[0].choices.values():  # noqa: SLF001
        for a in action._actions:  # noqa: SLF001
            if not isinstance(a, argparse._HelpAction):  # noqa: SLF001
                flags |= {o for o in a.option_strings if o.startswith("--")}
    assert {"--bill", "--users", "--set", "--stacks", "--out", "--allow-hobby"} <= flags
    package = Path(cli.__file__).parent
    # serve.py builds Voila's own command line (its --port and --no-browser are Voila's); the
    # stack file header that capkit stack show writes tells how to use the file with the CLI.
    theirs = {"cli.py", "serve.py"}
    usage = {("stackfiles.py", "--stack")}
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.name in theirs:
            continue
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                for flag in flags:
                    if (path.name, flag) not in usage and re.search(rf"{re.escape(flag)}\b", node.value):
                        found.append(f"{path.relative_to(package)}:{node.lineno}: {flag}")
    assert not found, found
