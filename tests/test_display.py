"""capkit.display: each type's text repr is short, and its HTML view holds its key figures in
the one table style."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

import capkit
from capkit.calibrate import calibrate, example_bill
from capkit.queueing import mmc
from capkit.scenario import Scenario
from capkit.tables import count, money
from tests.tablestyle import misaligned


class _Balanced(HTMLParser):
    """Checks that every element opened is closed, in order (void elements aside)."""

    VOID = {"br", "img", "hr", "meta", "input", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.bad.append(tag)
        else:
            self.open.pop()


def valid_html(markup: str) -> bool:
    parser = _Balanced()
    parser.feed(markup)
    parser.close()
    return not parser.bad and not parser.open


@pytest.fixture(scope="module")
def things():
    s = capkit.load_stack("render-postgres")
    wl = s.workload(users=100_000)
    bills, users = example_bill()
    return {
        "plan": capkit.right_size(s, wl),
        "scenario": Scenario.of("render-postgres", {"users": 100_000}),
        "workload": wl,
        "stack": s,
        "phase": capkit.roadmap(s, wl, [1_000, 3_000, 10_000, 30_000])[0],
        "calibration": calibrate("aws-serverless", bills, users),
        "queue": mmc(10, 12, 2),
    }


@pytest.mark.parametrize("name", ["plan", "scenario", "workload", "stack", "phase", "calibration", "queue"])
def test_repr_is_short_and_html_is_valid_in_the_one_style(things, name):
    thing = things[name]
    text = repr(thing)
    assert len(text) < 500 and "object at 0x" not in text and "\n" not in text, text
    markup = thing._repr_html_()
    assert valid_html(markup) and "<table" in markup and not misaligned(markup), misaligned(markup)[:3]


def test_the_html_views_hold_their_key_figures(things):
    plan = things["plan"]
    cost = money(plan.summary["monthly_cost_usd"])
    assert cost in plan._repr_html_() and cost in repr(plan) and cost in things["scenario"]._repr_html_()
    assert "Render web service: Starter, 50 instances" in plan._repr_html_()
    assert "Postgres connections" in plan._repr_html_()  # the load table
    assert "100,000" in things["workload"]._repr_html_() and "daily active users" in things["workload"]._repr_html_()
    stack = things["stack"]._repr_html_()
    assert "Render Postgres" in stack and "query_ms" in stack and "seed" in stack  # names, assumptions, sources
    phase = things["phase"]
    assert count(phase.users_from) in phase._repr_html_() and money(phase.cost_to_usd) in phase._repr_html_()
    calibration = things["calibration"]
    assert "duration_ms" in calibration._repr_html_() and "2026-01 to 2026-06" in repr(calibration)
    assert "24.5%" in things["queue"]._repr_html_()  # Erlang C at a = 5/6, c = 2: 0.2451
