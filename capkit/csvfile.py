"""Reading people's CSV files (bills, daily users), bounded: a regular file of at most
``MAX_BYTES`` and ``MAX_ROWS`` rows, UTF-8, every row exactly as wide as its header.

The bounds are checked before any parsing, so a device (``/dev/zero``), a FIFO or a file of
millions of lines is refused on one line instead of filling memory; docs/security.md lists them.
"""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import pandas as pd

from capkit.errors import InputError, shown
from capkit.units import BYTES_PER_MIB

#: The largest CSV read (bytes): a year of a small team's detailed bill is a few MB.
MAX_BYTES = int(50 * BYTES_PER_MIB)
#: The most data rows read from one CSV.
MAX_ROWS = 200_000


def read_table(
    path: Path | str, what: str, expected: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> pd.DataFrame:
    """The CSV at ``path`` as a frame of text cells (no index, no type guessing).

    Errors name the input (``what``, see :class:`capkit.errors.InputError`) and the file, and
    say what was ``expected`` ("a CSV date,users"): a
    path that is not a regular file, a file over ``max_bytes`` or ``max_rows``, text that is not
    UTF-8, an empty file, and a row wider or narrower than the header (naming the row).
    """
    path = Path(path)

    def refused(detail: str, row: int | None = None) -> InputError:
        return InputError(detail, what=what, name=shown(str(path)), row=row, allowed=expected)

    try:
        info = path.stat()
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise refused(f"cannot read it ({reason}); expected {expected}") from None
    if not stat.S_ISREG(info.st_mode):
        raise refused(f"not a regular file (a folder, device or FIFO); expected {expected}")
    too_big = f"over {max_bytes / BYTES_PER_MIB:,.0f} MB; at most {max_bytes / BYTES_PER_MIB:,.0f} MB are read"
    if info.st_size > max_bytes:
        raise refused(too_big)
    try:
        with path.open("rb") as f:
            data = f.read(max_bytes + 1)  # the file may have grown since stat
    except OSError as exc:
        raise refused(f"cannot read it ({exc.strerror or type(exc).__name__})") from None
    if len(data) > max_bytes:
        raise refused(too_big)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise refused(f"not UTF-8 text (byte {exc.start}); expected {expected}") from None
    if text.count("\n") > max_rows + 1:
        raise refused(f"over {max_rows:,} rows; at most {max_rows:,} are read")
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), strict=True) if row]
    except csv.Error as exc:
        raise refused(f"not a CSV ({exc}); expected {expected}") from None
    if not rows:
        raise refused(f"the file is empty; expected {expected}")
    header = [name.strip() for name in rows[0]]
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise refused(f"row {number} has {len(row)} fields, the header {len(header)} ({', '.join(header)})", number)
    return pd.DataFrame(rows[1:], columns=header, dtype=str)
