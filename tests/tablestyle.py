"""What a test reads of capkit's one table style in HTML: every table cell's class and text."""

from __future__ import annotations

from html.parser import HTMLParser

from capkit.tables import is_number_text


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, str, str, str]] = []  # (table class, td or th, cell class, text)
        self._table: list[str] = []
        self._cell: tuple[str, str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        cls = dict(attrs).get("class") or ""
        if tag == "table":
            self._table.append(cls)
        elif tag in ("td", "th") and self._table:
            self._cell = (tag, cls, [])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            tag_, cls, parts = self._cell
            self.cells.append((self._table[-1], tag_, cls, "".join(parts).strip()))
            self._cell = None
        elif tag == "table" and self._table:
            self._table.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell[2].append(data)


def table_cells(markup: str) -> list[tuple[str, str, str, str]]:
    """Every cell of every table: (its table's class, td or th, its own class, its text)."""
    parser = _Cells()
    parser.feed(markup)
    return parser.cells


def misaligned(markup: str) -> list[tuple[str, str, str, str]]:
    """The cells out of the style: a capkit table's cell neither ``text`` nor ``num``, a data
    cell marked ``num`` whose text is not a number, a data cell holding a number marked
    ``text``, or a table that is not a capkit table."""
    bad = []
    for cell in table_cells(markup):
        table, tag, cls, text = cell
        classes = cls.split()
        if "capkit-table" not in table.split() or not {"num", "text"} & set(classes):
            bad.append(cell)
        elif tag == "td" and "num" in classes and not is_number_text(text):
            bad.append(cell)
        elif tag == "td" and "text" in classes and text and is_number_text(text) and any(c.isdigit() for c in text):
            bad.append(cell)
    return bad
