"""The planner's widgets from Python: ranges in the assumptions panel draw a cost band."""

import html
import re

import pytest

import capkit
from capkit.app import Planner
from capkit.tables import money


@pytest.fixture
def planner():
    return Planner("aws-serverless", users=100_000)


def layers(planner):
    return [layer.get("mark", {}).get("type") for layer in planner.chart_curve.chart["layer"]]


def test_a_range_draws_the_band_and_the_plan_uses_the_likely_value(planner):
    assert "area" not in layers(planner)
    planner.inputs["duration_ms"].box.value = "500:2000:4000"
    assert planner.inputs["duration_ms"].error.value == ""
    assert layers(planner)[0] == "area"
    s = capkit.load_stack("aws-serverless")
    expected = capkit.right_size(s, s.workload(users=100_000, duration_ms=2000)).summary["monthly_cost_usd"]
    assert planner.plan.summary["monthly_cost_usd"] == pytest.approx(expected)
    planner.inputs["duration_ms"].box.value = "1500"
    assert "area" not in layers(planner)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("4000:2000:500", "a range is low:likely:high"),
        ("-5", "duration_ms = -5 is not allowed"),
        ("1:2", "a range is low:likely:high"),
        ("abc", "the value must be a number or low:likely:high"),
        ("100:200:2000000", "duration_ms = 2,000,000"),
    ],
)
def test_bad_input_shows_next_to_the_box_and_changes_nothing(planner, text, message):
    before = planner.plan.summary["monthly_cost_usd"]
    planner.inputs["duration_ms"].box.value = text
    assert message in planner.inputs["duration_ms"].error.value.replace("&#x27;", "'")
    assert "--set" not in planner.inputs["duration_ms"].error.value
    assert planner.plan.summary["monthly_cost_usd"] == before


def test_the_toggle_shows_the_stack_as_configured_and_the_link_carries_it():
    """render-postgres as written at 100,000 users: Starter's 0.5 CPU against 173.6 requests/s x
    100 ms = 17.4 cores busy is 3,472 %, so the headline says it is over its limits."""
    p = Planner("render-postgres", users=100_000)
    assert p.plan.sizing == "right-sized" and p.plan.fits
    assert "Cost to serve 100,000 users" in p.headline.value and "capkit-over-limits" not in p.headline.value
    p.sizing.value = "as-configured"
    assert p.plan.sizing == "as-configured" and not p.plan.fits
    assert "Over its limits at 100,000 users: " in p.headline.value
    assert p.load_table.value.count("capkit-row-over") == len(p.plan.limits) >= 5
    assert "sizing=as-configured" in p.scenario_query()
    other = Planner("render-postgres", query=p.scenario_query())
    assert other.sizing.value == "as-configured" and other.plan.summary == p.plan.summary


def test_a_bad_sizing_in_the_link_is_said_on_the_page():
    p = Planner("aws-serverless", query="sizing=cheapest&users=5000")
    assert "sizing = 'cheapest' is not one of: right-sized, as-configured" in html.unescape(p.status.value)
    assert p.sizing.value == "right-sized" and p.plan.workload["users"] == 5_000


def test_a_failed_first_refresh_still_gives_a_page():
    """A first value the engine refuses leaves no charts yet; the page still builds and says why."""
    p = Planner("aws-serverless", item_kb=1e9)
    assert p.chart_cost is None and "capkit-error" in p.status.value
    assert p.widget is not None


def test_compare_holds_one_business_workload():
    """Every stack gets the same users, calls, conversion and price: the same revenue."""
    from capkit.app import Compare

    c = Compare(["aws-serverless", "render-postgres", "vercel-supabase"], users=50_000, price_usd=9.99)
    revenue = {cell for cell in re.findall(r"<td>(\$[\d,]+)</td>", c.table.value)}
    frame = capkit.compare(
        ["aws-serverless", "render-postgres", "vercel-supabase"], {"users": 50_000, "price_usd": 9.99}
    )
    assert len(set(frame["revenue_usd"])) == 1 and money(frame["revenue_usd"].iloc[0]) in revenue
    c.picker.value = ("aws-serverless",)
    assert "give two to four stacks" in c.status.value
