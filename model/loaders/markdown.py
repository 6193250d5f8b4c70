"""Loader for GitHub-flavoured Markdown pipe tables.

This module owns reading a status table written as a GFM pipe table: a header row, a
delimiter row such as ``|---|---|``, then one body row per line. Only the first table in the
file is read; headings, paragraphs, fenced code and any later tables are ignored. Inside a
cell, ``\\|`` is a literal ``|`` and ``<br>`` breaks the cell into entries (``- Active<br>-
Closed`` and ``Active<br>Closed`` both give two entries). Inline markup (emphasis, code spans,
links, entities) is reduced to its text (:func:`~statusproof.model.loaders.markup.clean_inline`);
the cell's raw text keeps it. Rows whose cells are all blank are skipped; every other
malformed row is reported.
"""

from __future__ import annotations

import re

from ..errors import InputProblem, TableFormatError
from ..table import Cell, Column, Row, StatusTable
from .columns import BREAK, ITEM, build_row, cell_count_problem, make_cell, match_columns
from .markup import clean_inline

__all__ = ["load_markdown", "looks_like_markdown"]

_DELIMITER_ROW = re.compile(
    r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$", re.MULTILINE)
_PIPE = re.compile(r"(\\\||\|)")  # an escaped pipe, or a cell separator
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_BLOCK_START = re.compile(r"^\s{0,3}(#{1,6}(\s|$)|>|```|~~~)")
_ROW_HINT = ("every row needs one cell per header column; escape a '|' inside a cell as '\\|' "
             "and write line breaks inside a cell as <br>")


def _split_row(line: str) -> tuple[list[str], bool]:
    """Split a table line into its cells, unescaping ``\\|``; also say if it had a ``|``."""
    text = line.strip()
    if "|" not in text:
        return [text], False
    cells: list[str] = []
    current: list[str] = []
    parts = _PIPE.split(text)  # text, separator, text, separator, ..., text
    for index, part in enumerate(parts):
        if index % 2 == 0:
            current.append(part)
        elif part == "|":
            cells.append("".join(current))
            current = []
        else:
            current.append("|")
    if parts[-1] or parts[-2] != "|":
        cells.append("".join(current))
    if parts[0] == "" and parts[1] == "|":
        cells = cells[1:]
    return cells, "|" in parts[1::2]


def _is_delimiter(line: str) -> bool:
    """True for a delimiter row of at least two cells, such as ``|---|:--:|``."""
    return "-" in line and "|" in line and _DELIMITER_ROW.match(line) is not None


def _find_table(lines: list[str]) -> int | None:
    """The 0-based index of the first table's header line, or None."""
    fenced = False
    for index, line in enumerate(lines[:-1]):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if fenced or "|" not in line:
            continue
        if _is_delimiter(lines[index + 1]) and not _is_delimiter(line):
            return index
    return None


def looks_like_markdown(text: str) -> bool:
    """True when ``text`` holds a pipe table: a ``|`` header row over a ``|---|---|`` row."""
    if _DELIMITER_ROW.search(text) is None:
        return False
    return _find_table(text.split("\n")) is not None


def _cell(text: str, line: int, path: str, column: Column) -> Cell:
    raw = text.strip()
    parts = [clean_inline(part).strip() for part in BREAK.split(raw)]
    if len(parts) > 1 and not any(ITEM.match(part) for part in parts):
        pieces = [("- " + part, line) for part in parts if part]
    else:
        pieces = [("\n".join(parts), line)]
    return make_cell(pieces, path, column, raw)


def load_markdown(text: str, path: str) -> StatusTable:
    """Read the first GitHub pipe table in ``text``.

    Columns are found by their header names (see
    :func:`~statusproof.model.loaders.columns.match_columns`). Every row with the wrong
    number of cells or an empty Status cell is reported, all at once, in one
    :class:`TableFormatError`.

    Parameters
    ----------
    text
        The whole file, as text with ``\\n`` line breaks.
    path
        The file name used in spans and messages.

    Returns
    -------
    StatusTable
        The rows in file order, with ``format == "markdown"``.

    Examples
    --------
    >>> md = ("# Statuses\\n\\n| Status | Description | Previous | Next |\\n|---|---|---|---|\\n"
    ...       "| Open | New \\\\| fresh | none | - Active<br>- Closed |\\n")
    >>> t = load_markdown(md, "t.md")
    >>> r = t.rows[0]
    >>> r.name, r.description.text, [(e.text, e.span.line) for e in r.next.entries]
    ('Open', 'New | fresh', [('Active', 5), ('Closed', 5)])
    """
    lines = text.split("\n")
    start = _find_table(lines)
    if start is None:
        raise TableFormatError([InputProblem(
            path, 1,
            "no Markdown pipe table found: a table needs a '|' header row followed by a "
            "delimiter row like |---|---|---|---|",
        )])
    header, _ = _split_row(lines[start])
    delimiter, _ = _split_row(lines[start + 1])
    if len(delimiter) != len(header):
        raise TableFormatError([InputProblem(
            path, start + 2,
            f"the delimiter row has {len(delimiter)} cells, the header has {len(header)}; "
            "give the delimiter row one '---' per header column",
        )])
    columns = match_columns(header, path, start + 1)
    problems: list[InputProblem] = []
    rows: list[Row] = []
    for index in range(start + 2, len(lines)):
        line = lines[index]
        number = index + 1
        if not line.strip() or _BLOCK_START.match(line):
            break
        cells, _ = _split_row(line)
        if all(not cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(cell_count_problem(path, number, len(cells), len(header), _ROW_HINT))
            continue
        made = {column: _cell(cells[i], number, path, column) for column, i in columns.items()}
        row = build_row(made, path, number, number, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise TableFormatError(problems)
    if not rows:
        raise TableFormatError([InputProblem(
            path, start + 1, "the table has a header but no rows; add one row per status")])
    return StatusTable(path, "markdown", tuple(rows))
