"""The pricing catalog for people: every entry with who uses it, filtered, as text, JSON or CSV.

``capkit pricing`` is a thin face over :func:`pricing_table` and :func:`pricing_text`. An entry
is "used" by a preset when the preset as written, or right-sized at 1,000, 100,000 or
1,000,000 daily active users, reads it: a low-confidence price there moves a preset's answer.
"""

from __future__ import annotations

import datetime as dt
import functools

import pandas as pd

from capkit import terminal
from capkit.engine import evaluate
from capkit.pricing import STALE_AFTER_DAYS, default_catalog
from capkit.sizing import right_size
from capkit.stack import load_stack, preset_names

#: The user levels at which a preset's right-sized configuration is taken to see what it uses.
USAGE_LEVELS = (1_000, 100_000, 1_000_000)


@functools.cache
def preset_uses() -> dict[str, tuple[str, ...]]:
    """Catalog key -> the presets whose priced configuration reads it (as written, or
    right-sized at USAGE_LEVELS): each plan's own list of sources."""
    uses: dict[str, list[str]] = {}
    for name in preset_names():
        stack = load_stack(name)
        plans = [evaluate(stack), *(right_size(stack, stack.workload(users=u)) for u in USAGE_LEVELS)]
        keys = {s["key"] for plan in plans for s in plan.sources}
        for key in keys:
            uses.setdefault(key, []).append(name)
    return {k: tuple(v) for k, v in uses.items()}


def pricing_table(today: dt.date | None = None, low: bool = False, stale: bool = False) -> pd.DataFrame:
    """Every catalog entry: key, value, unit, as_of, confidence, stale, used_by, source, note.
    ``low`` keeps low-confidence entries only, ``stale`` entries read over a year ago only."""
    cat = default_catalog()
    today = today or dt.date.today()
    uses = preset_uses()
    rows = []
    for key in cat:
        e = cat.entry(key)
        rows.append(
            {
                "key": key,
                "value": e.value,
                "unit": e.unit,
                "as_of": e.as_of.isoformat(),
                "confidence": e.confidence,
                "stale": cat.is_stale(key, today),
                "used_by": ",".join(uses.get(key, ())),
                "source": str(e.source),
                "note": e.note,
            }
        )
    table = pd.DataFrame(rows)
    if low:
        table = table[table["confidence"] == "low"]
    if stale:
        table = table[table["stale"]]
    return table.reset_index(drop=True)


def pricing_text(table: pd.DataFrame, everything: pd.DataFrame) -> str:
    """A block per entry within the terminal's width (key, value and unit, date and confidence;
    then the source; then, for low-confidence entries, who uses them and the note), and the
    counts of the whole catalog at the end."""
    width = terminal.width()
    lines = []
    for r in table.itertuples():
        flags = " ".join(f for f in (r.confidence, "STALE" if r.stale else "") if f)
        lines.append(terminal.paragraph(f"{r.key}  {r.value:,.6g} {r.unit}  {r.as_of} {flags}", "", "    ", width))
        lines.append(terminal.paragraph(str(r.source), "    ", "    ", width, split_long=True))
        if r.confidence == "low":
            used = f"used by {r.used_by.replace(',', ', ')}" if r.used_by else "used by no preset"
            lines.append(terminal.paragraph(f"{used}. {r.note}", "    ", "    ", width))
    counts = everything["confidence"].value_counts()
    n_stale = int(everything["stale"].sum())
    low_used = int(((everything["confidence"] == "low") & (everything["used_by"] != "")).sum())
    footer = (
        f"{len(table)} of {len(everything)} entries shown. Catalog: {counts.get('high', 0)} high, "
        f"{counts.get('medium', 0)} medium, {counts.get('low', 0)} low confidence ({low_used} of them used by a "
        f"preset); {n_stale} stale (read more than {STALE_AFTER_DAYS} days ago)."
    )
    return "\n".join([*lines, "", terminal.paragraph(footer, columns=width)])
