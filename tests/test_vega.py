"""The chart library's file and the planner kernel's budget: no altair, no vl-convert."""

import json
import os
import subprocess
import sys

import altair
import pytest

import capkit
from capkit import charts, vega
from capkit.scenario import Scenario


def test_the_bundle_is_named_by_both_versions():
    """Its name changes whenever its content can, so browsers may cache it for a year."""
    from importlib import metadata

    name = vega.bundle_name()
    assert name == f"vega-{metadata.version('vl-convert-python')}-vl{altair.SCHEMA_VERSION.lstrip('v')}.js"


@pytest.mark.slow
def test_an_app_kernel_imports_neither_altair_nor_vl_convert(tmp_path):
    """Once the server has built the chart skeletons, a kernel that opens the planner and moves
    its users slider draws from them (a fresh process, with its own cache folder)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path), "CAPKIT_FAST_START": "1"}
    warm = "from capkit import charts; charts.warm_skeletons()"
    subprocess.run([sys.executable, "-c", warm], env=env, check=True, timeout=120)
    kernel = (
        "import sys, capkit.app as a; p = a.Planner('render-postgres'); p.sliders['users'].value = 120000; "
        "p.sizing.value = 'as-configured'; print(sorted(m for m in ('altair', 'vl_convert') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", kernel], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_a_chart_is_a_cached_skeleton_and_this_inputs_records():
    """The spec holds named data sets only; no value is NaN or infinite (JSON has neither), and
    a stack without revenue still draws its cost line (its margin empty)."""
    sc = Scenario.of("aws-serverless", {"price_usd": 0})
    spec = sc.charts()["cost-and-revenue"]
    assert set(spec["datasets"]) == {"curve", "here", "limit"}
    text = json.dumps(spec, allow_nan=False)
    assert "NaN" not in text
    cost = [r for r in spec["datasets"]["curve"] if r["series"] == charts.RIGHT_SIZED]
    assert len(cost) > 100 and all(r["margin"] is None for r in cost)
    again = Scenario.of("aws-serverless", {"price_usd": 0}).charts()["cost-and-revenue"]
    assert {k: v for k, v in again.items() if k != "datasets"} == {k: v for k, v in spec.items() if k != "datasets"}


def test_a_users_change_keeps_the_sweeps():
    """The sweeps span the chart levels, not the users value: a users change reuses them."""
    s = capkit.load_stack("render-postgres")
    first = Scenario(s, s.workload(users=10_000))
    assert len(first.table) == len(first.configured_table)  # computed now
    moved = Scenario(s, s.workload(users=50_000))
    moved.adopt_sweeps(first)
    assert moved.table is first.table and moved.configured_table is first.configured_table
    other = Scenario(s, s.workload(users=50_000, calls_per_user=10))
    other.adopt_sweeps(first)
    assert "table" not in other.__dict__
