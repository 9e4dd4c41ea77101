"""Text for a terminal: tables and paragraphs fitted to its width (rich lays out the tables).

Every table the CLI prints goes through :func:`table`, every long line through
:func:`paragraph` or :func:`items`, so no line is wider than :func:`width`. Which cells are
numbers (right-aligned) is decided once, by :func:`capkit.tables.numeric_columns`, for the
terminal and the HTML pages alike.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from capkit.tables import header_text, numeric_columns

#: A rule of hyphens under the header and nothing else: plain ASCII, so a log or a pager
#: shows it as it is.
RULE_UNDER_HEAD = box.Box("    \n    \n -  \n    \n    \n    \n    \n    \n", ascii=True)

#: The width when standard output is not a terminal (a file, a pipe, a CI log).
PIPE_WIDTH = 120
#: Below this a table cannot show its columns legibly; narrower terminals still get 40.
MIN_WIDTH = 40


def width() -> int:
    """The columns to fit: ``COLUMNS`` when set to a whole number, else the terminal's width,
    else :data:`PIPE_WIDTH` (output to a file or a pipe)."""
    given = os.environ.get("COLUMNS", "")
    if given.isdigit() and int(given) > 0:
        return max(MIN_WIDTH, int(given))
    try:
        if sys.stdout.isatty():
            return max(MIN_WIDTH, os.get_terminal_size(sys.stdout.fileno()).columns)
    except (OSError, ValueError, AttributeError):  # no real file behind stdout (a test's capture)
        pass
    return PIPE_WIDTH


def table(
    frame: pd.DataFrame,
    *,
    headers: Mapping[str, str] | None = None,
    numbers: Iterable[str] | None = None,
    columns: int | None = None,
    indent: int = 0,
) -> str:
    """``frame`` as a plain-text table at most ``columns`` wide (default :func:`width`):
    text left and wrapped inside its column at word boundaries, numbers right and never
    wrapped; headers from ``headers`` or :func:`capkit.tables.header_text`. When even the
    narrowest layout (every number whole, every word whole) is wider, each row becomes a block
    of "header: value" lines instead (:func:`records`), so no figure is cut."""
    total = (columns or width()) - indent
    right = set(numeric_columns(frame) if numbers is None else numbers)
    names = {c: (headers or {}).get(c) or header_text(c) for c in frame.columns}
    cells = {c: ["" if _blank(v) else str(v) for v in frame[c]] for c in frame.columns}
    narrow, natural = {}, {}  # each column's narrowest (a number whole, a text its longest word) and widest
    for i, c in enumerate(frame.columns):
        texts = [names[c], *cells[c]]
        natural[c] = max(len(v) for v in texts)
        if c in right:  # numbers whole; the header may wrap at its words
            narrow[c] = max([len(w) for w in names[c].split()] + [len(v) for v in cells[c]])
        else:  # the first column names the row: it keeps up to a quarter of the width
            words = max((len(w) for v in texts for w in v.split()), default=1)
            narrow[c] = max(words, min(natural[c], total // 4)) if i == 0 else words
    room = total - 3 * (len(narrow) - 1)  # a space each side of a column and one between
    if sum(narrow.values()) > room:
        return records(frame, headers=names, columns=total + indent, indent=indent)
    grid = Table(box=RULE_UNDER_HEAD, show_edge=False, pad_edge=False, expand=False, padding=(0, 1))
    for c, w in _widths(narrow, natural, room).items():
        grid.add_column(Text(names[c]), justify="right" if c in right else "left", overflow="fold", width=w)
    for row in zip(*cells.values(), strict=True):
        grid.add_row(*(Text(v) for v in row))
    out = io.StringIO()
    console = Console(file=out, width=total, color_system=None, force_terminal=False, legacy_windows=False)
    console.print(grid, soft_wrap=False)
    pad = " " * indent
    return "\n".join(pad + line.rstrip() for line in out.getvalue().rstrip("\n").splitlines())


def _widths(narrow: Mapping[str, int], natural: Mapping[str, int], room: int) -> dict[str, int]:
    """Column widths within ``room``: every column its natural width if they all fit, else
    its narrowest plus a share of what is left in proportion to what it lacks."""
    if sum(natural.values()) <= room:
        return dict(natural)
    spare = room - sum(narrow.values())
    lack = {c: natural[c] - narrow[c] for c in narrow}
    whole = sum(lack.values()) or 1
    return {c: narrow[c] + spare * lack[c] // whole for c in narrow}


def records(frame: pd.DataFrame, *, headers: Mapping[str, str], columns: int | None = None, indent: int = 0) -> str:
    """``frame`` one block a row: its first cell as a heading, then a "header: value" line per
    other column, wrapped under itself (the layout of a table too wide for the terminal)."""
    total = columns or width()
    first, *rest = frame.columns
    label_width = max(len(headers[c]) for c in rest) if rest else 0
    pad = " " * indent
    blocks = []
    for row in frame.itertuples(index=False):
        values = dict(zip(frame.columns, row, strict=True))
        lines = [paragraph(_cell(values[first]), pad, pad + "  ", total)]
        for c in rest:
            lead = f"{pad}  {headers[c] + ':':<{label_width + 1}} "
            lines.append(paragraph(_cell(values[c]), lead, " " * len(lead), total))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def _cell(value: object) -> str:
    return "" if _blank(value) else str(value)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def paragraph(
    text: str, indent: str = "", hanging: str | None = None, columns: int | None = None, split_long: bool = False
) -> str:
    """``text`` wrapped at word boundaries to :func:`width`, its first line indented by
    ``indent`` and the others by ``hanging`` (default: the same); ``split_long`` splits a
    word longer than a line (a long URL) instead of letting it run past the width."""
    return textwrap.fill(
        text,
        columns or width(),
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_long_words=split_long,
        break_on_hyphens=False,
    )


def items(
    label: str, entries: Iterable[str], indent: str = "  ", columns: int | None = None, split_long: bool = False
) -> str:
    """``label`` on a line of its own and each entry on its own wrapped line below it
    (``split_long``: see :func:`paragraph`)."""
    lines = [label] if label else []
    lines += [paragraph(e, f"{indent}- ", f"{indent}  ", columns, split_long) for e in entries]
    return "\n".join(lines)
