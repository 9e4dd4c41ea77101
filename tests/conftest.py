"""Shared test helpers: build small stacks inline so each test controls every assumption."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import capkit
from capkit.pricing import PRICING_DIR_VARIABLE, default_catalog
from capkit.stack import Stack, build_stack

#: The fixture catalog: a frozen copy of data/pricing that every test's hand-worked numbers
#: refer to, so a price refresh in data/ breaks no unit test. Tests marked ``catalog`` check
#: the real, bundled catalog instead. Set for the whole run, so CLI and app subprocesses use it too.
FIXTURE_PRICING = Path(__file__).parent / "fixtures" / "pricing"
os.environ[PRICING_DIR_VARIABLE] = str(FIXTURE_PRICING)


@pytest.fixture(autouse=True)
def _real_catalog_for_catalog_tests(request, monkeypatch):
    """A test marked ``catalog`` sees the bundled catalog (and so do its subprocesses)."""
    if request.node.get_closest_marker("catalog") is None:
        yield
        return
    monkeypatch.delenv(PRICING_DIR_VARIABLE)
    default_catalog.cache_clear()
    yield
    default_catalog.cache_clear()


def stack_of(components: list[dict], **assumptions: float) -> Stack:
    """A throwaway stack with ``components`` and assumptions declared at the given values."""
    raw = {
        "name": "test",
        "title": "test stack",
        "assumptions": {
            k: {"default": v, "unit": "u", "min": 0, "max": 1e15, "meaning": "test"} for k, v in assumptions.items()
        },
        "components": components,
    }
    return build_stack(raw, Path("<test>"))


def plan_of(stack: Stack, **overrides: float) -> capkit.Plan:
    return capkit.evaluate(stack, stack.workload(**overrides))


def load_row(plan: capkit.Plan, component: str, metric: str):
    rows = plan.load[(plan.load["component"] == component) & (plan.load["metric"] == metric)]
    assert len(rows) == 1, f"{component}.{metric} not in {list(plan.load['metric'])}"
    return rows.iloc[0]


def cost_of(plan: capkit.Plan, component: str, key: str) -> float:
    """The monthly cost of one cost item, found by its stable key (``put_requests``)."""
    rows = plan.cost[(plan.cost["component"] == component) & (plan.cost["key"] == key)]
    assert len(rows) == 1, f"{component}/{key} not in {list(plan.cost['key'])}"
    return float(rows.iloc[0]["cost_usd"])


@pytest.fixture(params=["aws-serverless", "render-firestore", "render-postgres", "vercel-supabase"])
def preset(request) -> Stack:
    return capkit.load_stack(request.param)
