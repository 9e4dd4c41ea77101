"""Scenario: the one pipeline every face asks for a plan, a sweep, a band, a roadmap."""

import numpy as np
import pytest

import capkit
from capkit.engine import USER_LEVELS
from capkit.errors import InputError
from capkit.scenario import Scenario, compare_frame, comparison


@pytest.fixture(scope="module")
def stack():
    return capkit.load_stack("aws-serverless")


def test_a_scenario_is_one_workload(stack):
    with pytest.raises(InputError, match="one workload"):
        Scenario(stack, stack.workload(users=np.array([1.0, 2.0])))


def test_the_sweep_follows_the_sizing_and_its_levels(stack):
    levels = [1_000.0, 10_000.0, 100_000.0]
    sized = Scenario(stack, stack.workload()).sweep(levels)
    written = Scenario(stack, stack.workload(), "as-configured").sweep(levels)
    assert list(sized["users"]) == levels == list(written["users"])
    # Right-sized never costs more than the stack as written where that one fits.
    assert (sized["monthly_cost_usd"] <= written["monthly_cost_usd"] + 1e-9).all()
    with pytest.raises(InputError, match="above 0"):
        Scenario(stack, stack.workload()).sweep([0.0, 10.0])


def test_the_chart_table_spans_the_one_user_grid(stack):
    table = Scenario(stack, stack.workload()).table
    assert np.allclose(table["users"], USER_LEVELS) and len(USER_LEVELS) == 121


def test_the_band_brackets_the_likely_cost(stack):
    sc = Scenario(stack, stack.workload(users=100_000))
    band = sc.band(draws=200, seed=1)
    assert len(band) == len(USER_LEVELS[::2])
    assert {"users", "p10", "p50", "p90"} <= set(band.columns)
    assert (band["p10"] <= band["p50"]).all() and (band["p50"] <= band["p90"]).all()


def test_compare_gives_every_stack_one_business_workload():
    scenarios = comparison(["aws-serverless", "render-postgres"], {"users": 50_000, "price_usd": 9.99}).scenarios
    frame = compare_frame(scenarios)
    assert list(frame["stack"]) == ["aws-serverless", "render-postgres"]
    assert (frame["users"] == 50_000).all()
    # Same business inputs, so the same revenue for both stacks.
    assert frame["revenue_usd"].nunique() == 1


def test_the_default_roadmap_is_computed_once(stack):
    sc = Scenario(stack, stack.workload(users=10_000))
    assert sc.roadmap() is sc.roadmap()
