"""Roadmap: the cheapest fitting configuration per level, by the engine, as phases."""

import re
from pathlib import Path

import numpy as np
import pytest

import capkit
from capkit.analysis.roadmap import choose, roadmap_table
from capkit.engine import WATCH_AT
from capkit.stack import build_stack

LEVELS = np.geomspace(1_000, 1_000_000, 61)


@pytest.fixture(scope="module")
def render_postgres():
    s = capkit.load_stack("render-postgres")
    return s, s.workload()


def test_render_postgres_upgrade_steps_in_order(render_postgres):
    s, wl = render_postgres
    table = roadmap_table(capkit.roadmap(s, wl, LEVELS))
    assert (np.diff(table["users_from"]) > 0).all()
    actions = " | ".join(table["actions"])
    # Seed 003's upgrades, computed: a paid database from the start (Render's free one expires
    # after 30 days, so a paying product never runs on it), then paid Sentry, then bigger web
    # instances, in this order.
    order = [
        actions.index(step)
        for step in (
            "Render Postgres: Free ->",
            "Sentry: Developer -> Team",
            "Render web service: Starter -> Standard",
        )
    ]
    assert order == sorted(order)
    assert table["fits"].iloc[0] and table["fits"].iloc[len(table) // 2]


def one_component_cost(stack, comp_id, params, users):
    """An independent path: a stack file with just this component and the option's params."""
    comp = stack.component(comp_id)
    raw = {
        "name": "probe",
        "title": "probe",
        "components": [{"id": comp_id, "type": comp.type, "params": params}],
        "assumptions": {k: v.model_dump() for k, v in stack.assumptions.items()},
    }
    probe = build_stack(raw, Path("<probe>"))
    plan = capkit.evaluate(probe, probe.workload(**{**stack.workload().scalars(), "users": users}))
    hard = plan.load[plan.load["kind"] != "free_tier"]
    return plan.summary["monthly_cost_usd"], bool((hard["utilization"] < WATCH_AT).all())


@pytest.mark.parametrize("users", [3_000.0, 60_000.0])
def test_no_cheaper_option_also_fits(render_postgres, users):
    s, wl = render_postgres
    levels = np.array([users])
    choices = choose(s, wl, levels)
    for comp_id in ("render_web", "email", "sentry"):
        c = choices[comp_id]
        base = s.component(comp_id).params.model_dump()
        chosen_cost, chosen_fits = one_component_cost(s, comp_id, {**base, **c.options[c.index[0]]}, users)
        assert chosen_fits
        for option in c.options[:: max(1, len(c.options) // 40)]:  # a spread of the options
            cost, fits = one_component_cost(s, comp_id, {**base, **option}, users)
            assert not (fits and cost < chosen_cost - 1e-9), (comp_id, option, cost, chosen_cost)


def test_aws_roadmap_says_when_provisioned_dynamodb_is_cheaper():
    s = capkit.load_stack("aws-serverless")
    table = roadmap_table(capkit.roadmap(s, s.workload(), np.geomspace(1_000, 10_000_000, 81)))
    text = " | ".join(table["actions"])
    match = re.search(r"switch DynamoDB to provisioned capacity: saves \$([\d,]+)/month at this load", text)
    assert match and int(match.group(1).replace(",", "")) > 0
    assert "ask AWS for Lambda concurrency 3,000" in text


def test_bad_levels():
    s = capkit.load_stack("aws-serverless")
    with pytest.raises(capkit.InputError, match="increasing levels"):
        capkit.roadmap(s, s.workload(), [1000, 500])


def test_cli_roadmap(capsys):
    from capkit import cli

    assert cli.main(["roadmap", "--stack", "vercel-supabase", "--users", "10000:1000000:21"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("from 10,000 to") and "\n  run:\n    - Vercel: Pro\n" in out
