"""Column matching and cell building shared by the tabular loaders (Markdown, CSV, HTML).

This module owns two things the header-based formats have in common: recognising which header
names the four columns (:func:`match_columns`, in English, Dutch and French), and turning a
cell's text into a :class:`~statusproof.model.table.Cell` whose entries carry the true file
lines (:func:`make_cell`), and checking and assembling rows (:func:`build_row`). The scraped
text format has no header and does not use it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from ..errors import InputProblem, TableFormatError
from ..table import Cell, Column, Entry, Row, SourceSpan, split_entries

__all__ = [
    "BREAK",
    "HEADER_NAMES",
    "ITEM",
    "build_row",
    "cell_count_problem",
    "empty_cell",
    "make_cell",
    "match_columns",
    "normalise_header",
    "recognise_header",
]

#: Accepted header names per column, already normalised (see :func:`normalise_header`).
HEADER_NAMES: dict[Column, frozenset[str]] = {
    Column.STATUS: frozenset({
        "status", "state", "name", "status name", "statut", "statusnaam", "état", "etat",
    }),
    Column.DESCRIPTION: frozenset({
        "description", "meaning", "beschrijving", "omschrijving", "betekenis",
        "signification",
    }),
    Column.PREVIOUS: frozenset({
        "previous status", "previous statuses", "previous", "prev", "from", "from status",
        "previous state", "vorige status", "vorige", "statut précédent", "statut precedent",
        "statuts précédents", "précédent",
    }),
    Column.NEXT: frozenset({
        "next status", "next statuses", "next", "to", "to status", "next state",
        "volgende status", "volgende", "statut suivant", "statuts suivants", "suivant",
    }),
}

_REQUIRED = (Column.STATUS, Column.PREVIOUS, Column.NEXT)
_POSITIONAL = (Column.STATUS, Column.DESCRIPTION, Column.PREVIOUS, Column.NEXT)

#: A list item opener at the start of a line, as :func:`split_entries` reads it.
ITEM = re.compile(r"^\s*[-*\u2022]\s+")
#: A ``<br>`` line break, as :func:`split_entries` reads it.
BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_DECORATION = "*_`'\":"


def normalise_header(header: str) -> str:
    """Fold a header cell for matching: NFC, case-folded, spaces squashed, emphasis removed.

    Examples
    --------
    >>> normalise_header("  **Previous   Status**: ")
    'previous status'
    """
    text = unicodedata.normalize("NFC", header.replace("\ufeff", ""))
    text = _SPACE.sub(" ", BREAK.sub(" ", text)).strip().strip(_DECORATION).strip()
    return unicodedata.normalize("NFC", text.casefold())


def recognise_header(header: str) -> Column | None:
    """The column a header cell names, or None when it is not a known column name."""
    name = normalise_header(header)
    for column, names in HEADER_NAMES.items():
        if name in names:
            return column
    return None


def _quote_headers(headers: Sequence[str]) -> str:
    return ", ".join(repr(h.strip()) for h in headers) if headers else "no cells"


def match_columns(headers: Sequence[str], path: str, line: int) -> dict[Column, int]:
    """Map each column to the 0-based index of its header cell.

    Header names are matched case-insensitively against :data:`HEADER_NAMES`. When the names
    leave a required column unfound but there are exactly four header cells, and no recognised
    name contradicts it, the documented order Status, Description, Previous, Next is used.
    A missing Description column is allowed (its cells read as empty); a missing Status,
    Previous or Next column, or one named twice, raises :class:`TableFormatError` at ``line``.

    Examples
    --------
    >>> m = match_columns(["State", "From", "To"], "t.md", 1)
    >>> sorted((c.name, i) for c, i in m.items())
    [('NEXT', 2), ('PREVIOUS', 1), ('STATUS', 0)]
    >>> match_columns(["A", "B", "C", "D"], "t.md", 1)[Column.NEXT]
    3
    """
    found: dict[Column, int] = {}
    problems: list[InputProblem] = []
    for index, header in enumerate(headers):
        column = recognise_header(header)
        if column is None:
            continue
        if column in found:
            problems.append(InputProblem(
                path, line,
                f"header cells {found[column] + 1} ({headers[found[column]].strip()!r}) and "
                f"{index + 1} ({header.strip()!r}) both name the {column.title} column; "
                "rename one of them",
            ))
            continue
        found[column] = index
    if problems:
        raise TableFormatError(problems)
    missing = [c for c in _REQUIRED if c not in found]
    if not missing:
        return found
    if len(headers) == 4 and all(_POSITIONAL[i] is c for c, i in found.items()):
        return {column: index for index, column in enumerate(_POSITIONAL)}
    names = ", ".join(c.title for c in missing)
    raise TableFormatError([InputProblem(
        path, line,
        f"missing column{'s' if len(missing) > 1 else ''} {names}: the header has "
        f"{_quote_headers(headers)}; name the columns Status, Description, Previous status, "
        "Next status (or give exactly 4 columns in that order)",
    )])


def make_cell(
    pieces: Sequence[tuple[str, int]], path: str, column: Column, raw: str | None = None
) -> Cell:
    """Build a cell from its text lines, each with the file line it came from.

    ``pieces`` are the cell's lines in order, in the form :func:`split_entries` reads
    (``- `` items, continuation lines, ``<br>`` breaks); a piece may itself hold ``<br>`` or
    line breaks, whose parts all count as its file line. The entries' spans are the true file
    lines of their first and last piece. ``raw`` is kept as the cell's verbatim text; by
    default the pieces joined by line breaks.

    Examples
    --------
    >>> c = make_cell([("- Active<br>- Closed", 7), ("- On Hold", 9)], "t.md", Column.NEXT)
    >>> [(e.text, e.span.line) for e in c.entries]
    [('Active', 7), ('Closed', 7), ('On Hold', 9)]
    """
    lines: list[str] = []
    numbers: list[int] = []
    for text, number in pieces:
        for part in BREAK.sub("\n", text).split("\n"):
            lines.append(part)
            numbers.append(number)
    split = split_entries("\n".join(lines), path, 0, column)
    entries = tuple(
        Entry(e.text, SourceSpan(path, numbers[e.span.line], numbers[e.span.end_line]))
        if e.span is not None else e
        for e in split.entries
    )
    first = numbers[0] if numbers else 1
    if entries and entries[0].span is not None and entries[-1].span is not None:
        span = SourceSpan(path, entries[0].span.line, entries[-1].span.end_line)
    else:
        span = SourceSpan(path, first, first)
    return Cell(column, "\n".join(lines) if raw is None else raw, entries, span)


def empty_cell(path: str, line: int, column: Column) -> Cell:
    """An empty cell at ``line``: what a table without a Description column gives."""
    return Cell(column, "", (), SourceSpan(path, line, line))


def cell_count_problem(path: str, line: int, count: int, expected: int, hint: str) -> InputProblem:
    """The problem of a row with the wrong number of cells; ``hint`` says how to fix it."""
    return InputProblem(
        path, line,
        f"row has {count} cell{'s' if count != 1 else ''}, the header has {expected}; {hint}",
    )


def build_row(
    cells: dict[Column, Cell],
    path: str,
    line: int,
    end_line: int,
    problems: list[InputProblem],
) -> Row | None:
    """Assemble a row from its cells, or append a problem and return None.

    The Status cell must hold exactly one entry (one status name); a missing Description
    is read as an empty cell. ``line`` and ``end_line`` are the row's first and last file
    lines; they make the row's span and locate its problems.
    """
    status = cells[Column.STATUS]
    if not status.entries:
        problems.append(InputProblem(
            path, line, "row has an empty Status cell; every row needs a status name"))
        return None
    if len(status.entries) > 1:
        shown = ", ".join(repr(e.text[:40]) for e in status.entries[:3])
        problems.append(InputProblem(
            path, line,
            f"the Status cell holds {len(status.entries)} entries ({shown}); a row has exactly "
            "one status name, so check for a shifted or merged cell",
        ))
        return None
    description = cells.get(Column.DESCRIPTION) or empty_cell(path, line, Column.DESCRIPTION)
    return Row(status, description, cells[Column.PREVIOUS], cells[Column.NEXT],
               SourceSpan(path, line, max(line, end_line)))
