"""The planner's widgets from Python: ranges in the assumptions panel draw a cost band."""

import pytest

import capkit
from capkit.app import Planner


@pytest.fixture
def planner():
    return Planner("aws-serverless", users=100_000)


def layers(planner):
    return [layer.get("mark", {}).get("type") for layer in planner.chart_curve.chart.to_dict()["layer"]]


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
