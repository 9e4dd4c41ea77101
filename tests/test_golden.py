"""Behaviour kept through refactoring: `capkit plan --format json` for every preset at 1K, 100K
and 1M users, in both sizings, as recorded in tests/golden/plan-json.json at commit 488dc64.

A regression guard, not a check of the numbers (the hand-worked tests do that): a change that
means to move a figure rewrites the golden file in the same commit and says why. Keys may be
added, and so may records in a list of records (a new billing line, a new metric, a new lever):
records are matched by their name (id, metric, item or assumption), and none may go. Every
recorded value must stay (numbers to 1e-9 relative).

Rewritten once since: four metric units lost their commentary (issue 14), "GB (recommended max
for the compute size)" and "KB (largest item)" now "GB" and "KB", "read units/s (busiest
table)" and its write twin now "read units/s" and "write units/s"; the labels say the rest.
And once more when Postgres declared its read of cache_hit_rate (issue 14): render-postgres at
1M users right-sized names cache_hit_rate (0.5 -> about 0.88) among its query levers.
Rewritten again for issue 22 (right-sizing for a paying product), with
``python -m tests.test_golden --write``: right-sizing no longer chooses plans the catalog marks
unfit for production (Render's free web instance and free Postgres), Render scales a service to
100 instances, Render Postgres offers its larger Pro types and read replicas, Postgres instances
are counted as instances (primary and replicas), the free Postgres' expiry moved from the notes
to ``unfit``, and actions say "switch" where they said "move".
"""

import json
import math
import os
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
        if not isinstance(now, list):
            return [f"{where}: {now!r:.80} is no longer a list"]
        names = _identity(recorded)
        if names:  # records (components, metrics, cost items, limits): matched by name, new ones allowed
            by_name = {tuple(r.get(n) for n in names): r for r in now if isinstance(r, dict)}
            out = []
            for r in recorded:
                name = tuple(r[n] for n in names)
                found = by_name.get(name)
                out += same(r, found, f"{where}[{name}]") if found is not None else [f"{where}[{name}] gone"]
            return out
        if len(now) != len(recorded):
            return [f"{where}: {len(recorded)} items, now {now!r:.80}"]
        return [d for i, (a, b) in enumerate(zip(recorded, now, strict=True)) for d in same(a, b, f"{where}[{i}]")]
    if isinstance(recorded, float) and isinstance(now, int | float) and not isinstance(now, bool):
        return [] if math.isclose(recorded, now, rel_tol=1e-9, abs_tol=1e-12) else [f"{where}: {recorded!r} -> {now!r}"]
    return [] if recorded == now else [f"{where}: {recorded!r} -> {now!r}"]


def _identity(records: list) -> tuple[str, ...]:
    """The fields that name each record of a list ((component, metric) for a limit; id, metric,
    item or assumption otherwise), or () for a plain list."""
    for names in (("component", "metric"), ("id",), ("metric",), ("item",), ("assumption",)):
        if records and all(isinstance(r, dict) and all(n in r for n in names) for r in records):
            return names
    return ()


@pytest.mark.parametrize("case", sorted(GOLDEN))
def test_plan_json_is_unchanged(case):
    now = json.loads(cli.plan_formatted(*_args(case)))
    differences = same(GOLDEN[case], now)
    assert not differences, differences[:5]


def write() -> list[str]:
    """Record every case as the CLI answers it now (after a change that means to move them);
    returns what moved, a line per recorded value that changed or went."""
    path = Path(__file__).parent / "golden" / "plan-json.json"
    cases = {case: json.loads(cli.plan_formatted(*_args(case))) for case in sorted(GOLDEN)}
    for plan in cases.values():
        plan.pop("sources")  # the catalog entries (tested by tests/test_report.py), not behaviour to keep
    moved = [f"{case}{d}" for case, plan in cases.items() for d in same(GOLDEN[case], plan)]
    path.write_text(json.dumps(cases, indent=1, sort_keys=True) + "\n")
    return moved


def _args(case: str) -> tuple:
    name, users, sizing = case.split()
    return name, [users], "json", sizing


if __name__ == "__main__":
    import sys

    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m tests.test_golden --write   (rewrites tests/golden/plan-json.json)")
    os.environ.setdefault("CAPKIT_PRICING_DIR", str(Path(__file__).parent / "fixtures" / "pricing"))
    changes = write()
    print("\n".join(changes) or "nothing moved")
    print(f"{len(changes)} recorded values moved; tests/golden/plan-json.json rewritten")
