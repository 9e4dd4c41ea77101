"""capkit report: HTML and notebook named by stack and date, offline, deterministic, safe to fail."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import capkit
from capkit import report as report_mod
from capkit.files import write_folder
from capkit.report import ReportError, ReportParams, write_report
from capkit.tables import money
from tests.tablestyle import misaligned, table_cells

CDN = re.compile(r"https?:\/\/(cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|[a-z.]*googleapis)|require\.js", re.I)


def engine_cost(stack: str, **values: float) -> str:
    s = capkit.load_stack(stack)
    return money(capkit.right_size(s, s.workload(**values)).summary["monthly_cost_usd"])  # reports are right-sized


@pytest.mark.slow
def test_cli_report_end_to_end_is_offline_and_deterministic(tmp_path):
    args = [
        sys.executable,
        "-m",
        "capkit.cli",
        "report",
        "--stack",
        "aws-serverless",
        "--set",
        "users=250000",
        "--out",
        str(tmp_path),
        "--date",
        "2026-11-23",
    ]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "without encryption" not in r.stderr, r.stderr  # the kernel's own TCP warning stays out
    # The pair is published as one folder, swapped in whole (capkit.files.write_folder).
    folder = tmp_path / "aws-serverless-2026-11-23"
    html_path = folder / "aws-serverless-2026-11-23.html"
    assert r.stdout.split() == [str(html_path), str(folder / "aws-serverless-2026-11-23.ipynb")]
    first = html_path.read_text()
    assert f'capkit-monthly-cost">{engine_cost("aws-serverless", users=250_000)}<' in first
    # cost by component, cost and revenue, utilization, roadmap steps, cost band, tornado
    assert first.count('src="data:image/svg+xml;base64,') == 6
    assert not CDN.search(first), CDN.search(first)
    assert "Pricing sources" in first and "aws.lambda.request_usd_per_million" in first
    assert not misaligned(first) and len(table_cells(first)) > 200  # every table in the one style
    # The same inputs write the same report, notebook included.
    notebook = (folder / "aws-serverless-2026-11-23.ipynb").read_text()
    assert subprocess.run(args, capture_output=True, text=True, timeout=300).returncode == 0
    assert html_path.read_text() == first
    assert (folder / "aws-serverless-2026-11-23.ipynb").read_text() == notebook
    # The second run replaced the first: one real folder is left, the one the link names.
    real = [p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink()]
    assert real == [folder.resolve()]


@pytest.mark.slow
@pytest.mark.parametrize("stack", ["render-firestore", "render-postgres", "vercel-supabase"])
def test_every_preset_reports(tmp_path, stack):
    files = write_report(ReportParams(stack), tmp_path)
    text = files.html.read_text()
    assert f'capkit-monthly-cost">{engine_cost(stack)}<' in text
    # The six charts plus the latency curves: every stack here has a fixed-capacity pool.
    assert text.count('src="data:image/svg+xml;base64,') == 7 and not CDN.search(text)


@pytest.mark.slow
def test_actuals_fit_the_growth(tmp_path):
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("date,users\n2026-08-01,40000\n2026-09-01,50000\n2026-10-01,62500\n")
    files = write_report(ReportParams("render-postgres", {"users": 62_500}, actuals=str(actuals)), tmp_path)
    text = files.html.read_text()
    assert "fitted to 3 actuals, 2026-08-01 to 2026-10-01" in text
    assert "62,500 daily active users on 2026-10-01" in text


@pytest.mark.parametrize(
    ("stack", "settings", "message"),
    [
        ("nope", {}, "unknown stack 'nope'"),
        ("aws-serverless", {"users": -1}, "users = -1 is not allowed"),
        ("aws-serverless", {"colour": 1}, "unknown assumption 'colour'"),
    ],
)
def test_bad_parameters_fail_before_papermill(tmp_path, monkeypatch, stack, settings, message):
    def never(*_a, **_k):
        raise AssertionError("papermill must not start")

    monkeypatch.setattr(report_mod, "execute", never)
    with pytest.raises(capkit.InputError, match=message):
        write_report(ReportParams(stack, settings), tmp_path)


def test_cli_bad_parameters_are_one_line():
    r = subprocess.run(
        [sys.executable, "-m", "capkit.cli", "report", "--stack", "aws-serverless", "--set", "users=-1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "users = -1 is not allowed" in r.stderr


def test_a_failed_run_keeps_the_previous_report(tmp_path, monkeypatch):
    folder = write_folder(tmp_path, "aws-serverless-2026-11-23", {"aws-serverless-2026-11-23.html": "last week's"})
    previous = folder / "aws-serverless-2026-11-23.html"
    before = sorted(p.name for p in tmp_path.iterdir())

    def fails(*_a, **_k):
        raise ReportError("report.ipynb: cell 3 failed: ZeroDivisionError: division by zero")

    monkeypatch.setattr(report_mod, "execute", fails)

    with pytest.raises(ReportError, match="cell 3 failed: ZeroDivisionError"):
        write_report(ReportParams("aws-serverless", report_date="2026-11-23"), tmp_path)
    assert previous.read_text() == "last week's"
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.slow
def test_papermill_cell_error_is_short(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("1 / 0")]
    path = tmp_path / "broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(ReportError) as info:
        report_mod.execute(path, {})
    assert str(info.value) == "broken.ipynb: cell 1 failed: ZeroDivisionError: division by zero"


@pytest.mark.browser
def test_a_report_opens_offline_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    from tests.browser import offline_page

    files = write_report(ReportParams("vercel-supabase", {"users": 500_000}), tmp_path)
    with sync_playwright() as pw, offline_page(pw) as (page, external, errors):
        page.goto(files.html.as_uri())
        assert page.locator(".capkit-monthly-cost").inner_text() == engine_cost("vercel-supabase", users=500_000)
        decoded = "[...document.querySelectorAll('img.capkit-chart')].filter(i => i.complete && i.naturalWidth)"
        assert page.evaluate(f"{decoded}.length") == 7
        assert page.locator("table.capkit-sources tr").count() > 10
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        assert external == [], external
        assert errors == [], errors


@pytest.mark.slow
def test_a_bill_adds_the_model_against_it(tmp_path):
    from capkit.calibrate import example_bill

    bills, users = example_bill()
    files = write_report(
        ReportParams("aws-serverless", {"users": 40_000}, str(users), bills=[str(b) for b in bills]), tmp_path
    )
    text = files.html.read_text()
    assert "Model against your bill" in text and "aws-serverless-cur.csv: 6 full months" in text
    assert "lambda: requests" in text and "calls_per_user" in text and "Model against the bill, line by line" in text
    assert not CDN.search(text)


def test_a_bill_without_actuals_fails_before_papermill(tmp_path):
    from capkit.calibrate import example_bill

    with pytest.raises(capkit.InputError, match="^actuals file: required with a bill"):
        write_report(ReportParams("aws-serverless", bills=[str(example_bill()[0])]), tmp_path)


def test_pricing_sources_are_the_entries_the_headline_configuration_uses():
    """render-postgres at 50,000 users is priced right-sized (Starter web instances, a paid
    Postgres, a fixed Upstash plan, SES, Sentry Team): its "Pricing sources" lists exactly the
    catalog entries that configuration reads, none of the stack as written (its free Postgres,
    Gmail, Sentry Developer)."""
    from capkit.report import Report
    from capkit.sizing import configured

    report = Report.build(ReportParams("render-postgres", {"users": 50_000}))
    listed = re.findall(r"<tr><td class='[a-z ]+'>([^<]+)</td>", report.sources().markup)
    plan = report.plan
    used = configured(report.stack, plan.configuration).price_keys()
    assert listed == [s["key"] for s in plan.sources]
    assert set(used) <= set(listed) and set(listed) <= set(used)
    as_written_only = ("render.postgres.free.", "email.gmail_consumer.", "sentry.developer.")
    assert not any(k.startswith(as_written_only) for k in listed)


def test_every_report_table_is_in_the_one_style():
    """Inputs, load, costs, growth, roadmap, uncertainty, latency and sources: text cells left
    (class text), number cells right (class num, and they read as numbers), headers in words."""
    from capkit.report import Report

    r = Report.build(ReportParams("render-postgres", {"users": 50_000}, report_date="2026-11-23"))
    sections = [r.inputs(), r.load(), r.costs(), r.growth_html(), r.roadmap_html(chart=False), r.sources()]
    sections += [r.uncertainty_html(draws=50), r.latency_html()]
    markup = "".join(s.markup for s in sections)
    cells = table_cells(markup)
    assert len(cells) > 300 and not misaligned(markup), misaligned(markup)[:5]
    headers = [text for _, tag, _, text in cells if tag == "th" and "_" in text]
    assert not headers, headers  # headers in words, not code names
    assert ("capkit-table capkit-roadmap", "th", "num", "cost from (USD/month)") in cells
