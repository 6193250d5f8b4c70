"""The raw status table: rows and cells exactly as a loader read them.

This module owns the loader-neutral data structure that every input format produces
(:class:`StatusTable`). It keeps each cell's verbatim text and where it came from, and splits
a cell into its entries (list items, or the whole text); it interprets nothing. Turning
entries into statuses, references and guards is left to :mod:`statusproof.model.interpret`.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import cached_property

from .record import field, record

__all__ = [
    "Column",
    "SourceSpan",
    "Entry",
    "Cell",
    "Row",
    "StatusTable",
    "split_entries",
]


class Column(Enum):
    """The four columns of a status table, in their documented order."""

    STATUS = "status"
    DESCRIPTION = "description"
    PREVIOUS = "previous"
    NEXT = "next"

    @property
    def title(self) -> str:
        return _TITLES[self]


_TITLES = {
    Column.STATUS: "Status",
    Column.DESCRIPTION: "Description",
    Column.PREVIOUS: "Previous status",
    Column.NEXT: "Next status",
}


@record(order=True)
class SourceSpan:
    """Where a piece of table text came from: a file and 1-based line numbers."""

    path: str
    line: int
    end_line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@record
class Entry:
    """One item of a cell: a ``- `` list item, or the whole cell when it has no list.

    ``text`` is the item with its wrapped lines joined by one space.
    """

    text: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class Cell:
    """One table cell: the verbatim text, and the entries it splits into."""

    column: Column
    raw: str
    entries: tuple[Entry, ...]
    span: SourceSpan | None = field(default=None, compare=False)

    @cached_property
    def text(self) -> str:
        """The cell as one line: entries joined by ``; ``."""
        return "; ".join(e.text for e in self.entries)

    @property
    def is_empty(self) -> bool:
        return not self.entries

    @property
    def line(self) -> int | None:
        return self.span.line if self.span is not None else None


@record
class Row:
    """One table row: a status cell, a description, a Previous and a Next cell."""

    status: Cell
    description: Cell
    previous: Cell
    next: Cell
    span: SourceSpan | None = field(default=None, compare=False)

    def cell(self, column: Column) -> Cell:
        cell: Cell = getattr(self, column.value)  # (the fields are named for the columns)
        return cell

    @cached_property
    def name(self) -> str:
        return self.status.text


@record
class StatusTable:
    """A whole table as loaded: its rows in order, the file, and the format it was read as."""

    path: str
    format: str
    rows: tuple[Row, ...]

    def __len__(self) -> int:
        return len(self.rows)


_ITEM = re.compile(r"^\s*[-*\u2022]\s+")
_BULLETS = frozenset("-*\u2022")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)


def _squash(text: str) -> str:
    """Runs of white space as one space, none at the ends."""
    return " ".join(text.split())


def split_entries(
    raw: str, path: str, first_line: int, column: Column
) -> Cell:
    """Split a cell's verbatim text into entries.

    Lines starting with ``- `` (or ``* ``, ``•``) open a list item; other lines continue the
    current item, joined with one space. ``<br>`` counts as a line break (Markdown tables).
    A cell without list items is one entry; an empty cell has none.

    Examples
    --------
    >>> c = split_entries("\\n- Closed by\\ntechnician\\n- Aborted\\n", "t.txt", 3, Column.NEXT)
    >>> [e.text for e in c.entries]
    ['Closed by technician', 'Aborted']
    >>> [e.span.line for e in c.entries]
    [4, 6]
    """
    stripped = raw.strip()
    if "\n" in stripped or "<" in raw:
        return split_lines(raw, path, first_line, column)
    # one line (most cells): the same cell as split_lines gives, faster
    if stripped:
        offset = raw.count("\n", 0, len(raw) - len(raw.lstrip()))
        line = raw.split("\n", offset + 1)[offset]
        match = _ITEM.match(line) if stripped[0] in _BULLETS else None
        joined = _squash(line[match.end():] if match else line)
        if joined:
            where = SourceSpan(path, first_line + offset, first_line + offset)
            return Cell(column, raw, (Entry(joined, where),), where)
    return Cell(column, raw, (), SourceSpan(path, first_line, first_line))


def split_lines(raw: str, path: str, first_line: int, column: Column) -> Cell:
    """:func:`split_entries` for any cell, line by line (that function's one-line path gives
    the same cells; ``tests/test_table.py`` holds them to it)."""
    text = _BREAK.sub("\n", raw) if "<" in raw else raw
    items: list[tuple[int, int, list[str]]] = []  # (first line, last line, parts)
    for offset, line in enumerate(text.split("\n")):
        if not line or line.isspace():
            continue
        number = first_line + offset
        # (the bullet test first: most lines are not list items)
        match = _ITEM.match(line) if line.lstrip()[0] in _BULLETS else None
        if match:
            items.append((number, number, [line[match.end():]]))
        elif items:
            start, _, parts = items[-1]
            parts.append(line)
            items[-1] = (start, number, parts)
        else:
            items.append((number, number, [line]))
    entries = []
    for start, end, parts in items:
        joined = _squash(" ".join(parts))
        if joined:
            entries.append(Entry(joined, SourceSpan(path, start, end)))
    if entries:
        span = SourceSpan(path, entries[0].span.line if entries[0].span else first_line,
                          entries[-1].span.end_line if entries[-1].span else first_line)
    else:
        span = SourceSpan(path, first_line, first_line)
    return Cell(column, raw, tuple(entries), span)
