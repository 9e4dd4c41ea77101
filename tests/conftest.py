"""Shared test helpers: build small stacks inline so each test controls every assumption."""

from __future__ import annotations

from pathlib import Path

import pytest

import capkit
from capkit.stack import Stack, build_stack


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


def cost_of(plan: capkit.Plan, component: str, item: str) -> float:
    rows = plan.cost[(plan.cost["component"] == component) & (plan.cost["item"] == item)]
    assert len(rows) == 1, f"{component}/{item} not in {list(plan.cost['item'])}"
    return float(rows.iloc[0]["cost_usd"])


@pytest.fixture(params=["aws-serverless", "render-firestore", "render-postgres", "vercel-supabase"])
def preset(request) -> Stack:
    return capkit.load_stack(request.param)
