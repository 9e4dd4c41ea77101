"""Behaviour kept through refactoring: `capkit plan --format json` for every preset at 1K, 100K
and 1M users, in both sizings, as recorded in tests/golden/plan-json.json at commit 488dc64.

A regression guard, not a check of the numbers (the hand-worked tests do that): a change that
means to move a figure rewrites the golden file in the same commit and says why. Keys may be
added; none may go, and every recorded value must stay (numbers to 1e-9 relative).

Rewritten once since: four metric units lost their commentary (issue 14), "GB (recommended max
for the compute size)" and "KB (largest item)" now "GB" and "KB", "read units/s (busiest
table)" and its write twin now "read units/s" and "write units/s"; the labels say the rest.
And once more when Postgres declared its read of cache_hit_rate (issue 14): render-postgres at
1M users right-sized names cache_hit_rate (0.5 -> about 0.88) among its query levers.
"""

import json
import math
from pathlib import Path

import pytest

from capkit import cli

GOLDEN = json.loads((Path(__file__).parent / "golden" / "plan-json.json").read_text())


def same(recorded, now, where: str = "") -> list[str]:
    """Where ``now`` differs from ``recorded``, keys only in ``now`` aside."""
    if isinstance(recorded, dict):
        if not isinstance(now, dict):
            return [f"{where}: {now!r} is no longer a mapping"]
        return [
            d
            for k, v in recorded.items()
            for d in (same(v, now[k], f"{where}.{k}") if k in now else [f"{where}.{k} gone"])
        ]
    if isinstance(recorded, list):
        if not isinstance(now, list) or len(now) != len(recorded):
            return [f"{where}: {len(recorded)} items, now {now!r:.80}"]
        return [d for i, (a, b) in enumerate(zip(recorded, now, strict=True)) for d in same(a, b, f"{where}[{i}]")]
    if isinstance(recorded, float) and isinstance(now, int | float) and not isinstance(now, bool):
        return [] if math.isclose(recorded, now, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {recorded!r} -> {now!r}"]
    return [] if recorded == now else [f"{where}: {recorded!r} -> {now!r}"]


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_plan_json_is_unchanged(case):
    name, users, sizing = case.split()
    now = json.loads(cli.plan_formatted(name, [users], "json", sizing))
    differences = same(GOLDEN[case], now)
    assert not differences, differences[:5]
