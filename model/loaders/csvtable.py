"""Loader for status tables saved as CSV (or semicolon- or tab-separated) files.

This module owns reading a spreadsheet export with the standard library's :mod:`csv`: choosing
the delimiter among ``,``, ``;`` and tab (:class:`csv.Sniffer`, checked against the header),
finding the columns by header name, and keeping the true file line of every entry even when a
quoted cell spans several lines with one ``- `` list item per line. Records whose fields are
all blank (a spreadsheet's trailing empty rows) are skipped; every other malformed record is
reported.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from ..errors import InputProblem, TableFormatError
from ..table import Column, Row, StatusTable
from .columns import (
    build_row,
    cell_count_problem,
    make_cell,
    match_columns,
    recognise_header,
)

__all__ = ["load_csv", "looks_like_csv"]

_DELIMITERS = ",;\t"
_NAMES = {",": "','", ";": "';'", "\t": "a tab"}
_SNIFF_SAMPLE = 64 * 1024


def _sniff(text: str) -> str:
    """The delimiter :class:`csv.Sniffer` picks among ``,;\\t``, or ``,``."""
    try:
        return csv.Sniffer().sniff(text[:_SNIFF_SAMPLE], delimiters=_DELIMITERS).delimiter
    except csv.Error:
        return ","


class _ReadError(Exception):
    """The csv reader failed on the record starting at ``line``."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _records(text: str, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """Yield ``(first line, last line, fields)`` for every record; blank lines give none.

    Raises :class:`_ReadError` where the reader fails.
    """
    reader = csv.reader(io.StringIO(text, newline="\n"), delimiter=delimiter,
                        skipinitialspace=True)
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            raise _ReadError(previous + 1, str(e)) from e
        start, previous = previous + 1, reader.line_num
        if fields:
            yield start, max(start, previous), fields


def _header(text: str, delimiter: str) -> tuple[int, list[str]] | None:
    """The first record read with ``delimiter``: its line and fields, or None."""
    try:
        for start, _, fields in _records(text, delimiter):
            if any(field.strip() for field in fields):
                return start, fields
    except _ReadError:
        return None
    return None


def _choose_delimiter(text: str) -> str:
    """The sniffed delimiter, unless another one makes the header name the columns."""
    sniffed = _sniff(text)
    candidates = [sniffed] + [d for d in _DELIMITERS if d != sniffed]
    headers = {d: _header(text, d) for d in candidates}
    for delimiter in candidates:
        found = headers[delimiter]
        if found is not None:
            named = {recognise_header(field) for field in found[1]}
            if {Column.STATUS, Column.PREVIOUS, Column.NEXT} <= named:
                return delimiter
    for delimiter in candidates:
        found = headers[delimiter]
        if found is not None and len(found[1]) == 4:
            return delimiter
    return sniffed


def looks_like_csv(text: str) -> bool:
    """True when the first non-empty line has at least 3 fields, one a status-like header."""
    first = next((line for line in text.split("\n") if line.strip()), None)
    if first is None:
        return False
    sniffed = _sniff(first)
    for delimiter in [sniffed] + [d for d in _DELIMITERS if d != sniffed]:
        try:
            fields = next(csv.reader([first], delimiter=delimiter, skipinitialspace=True), [])
        except csv.Error:
            continue
        if len(fields) >= 3 and any(recognise_header(f) is Column.STATUS for f in fields):
            return True
    return False


def load_csv(text: str, path: str) -> StatusTable:
    """Read a CSV table: a header record, then one record per status.

    The delimiter is ``,``, ``;`` or tab, whichever makes the header name the columns (see
    :func:`~statusproof.model.loaders.columns.match_columns`). A quoted cell may span lines;
    ``- `` items in it are entries, and each entry's span is its own file line. Every record
    with the wrong number of fields or an empty Status cell is reported, all at once.

    Parameters
    ----------
    text
        The whole file, as text.
    path
        The file name used in spans and messages.

    Returns
    -------
    StatusTable
        The rows in file order, with ``format == "csv"``.

    Examples
    --------
    >>> t = load_csv('Status;Description;Previous;Next\\nOpen;New;none;"- Active\\n- Closed"\\n',
    ...              "t.csv")
    >>> [(e.text, e.span.line) for e in t.rows[0].next.entries]
    [('Active', 2), ('Closed', 3)]
    """
    delimiter = _choose_delimiter(text)
    name = _NAMES[delimiter]
    hint = (f"the cells are separated by {name}; put a cell that holds {name}, a '\"' or a "
            "line break in double quotes")
    problems: list[InputProblem] = []
    rows: list[Row] = []
    header: list[str] | None = None
    columns: dict[Column, int] = {}
    header_line = 1
    try:
        for start, end, fields in _records(text, delimiter):
            if all(not field.strip() for field in fields):
                continue
            if header is None:
                header, header_line = fields, start
                columns = match_columns(header, path, start)
                continue
            if len(fields) != len(header):
                problem = cell_count_problem(path, start, len(fields), len(header), hint)
                if end > start:
                    problem = InputProblem(path, start, f"{problem.message} (the record runs "
                                           f"on to line {end}: is a '\"' quote left open?)")
                problems.append(problem)
                continue
            made = {}
            for column, index in columns.items():
                line = start + sum(field.count("\n") for field in fields[:index])
                value = fields[index]
                pieces = [(part, line + k) for k, part in enumerate(value.split("\n"))]
                made[column] = make_cell(pieces, path, column, value)
            row = build_row(made, path, start, end, problems)
            if row is not None:
                rows.append(row)
    except _ReadError as e:
        problems.append(InputProblem(
            path, e.line, f"cannot read the CSV record starting here: {e}; check for an "
            "unclosed '\"' quote",
        ))
    if header is None and not problems:
        raise TableFormatError([InputProblem(
            path, 1, "no CSV header found; the first line should name the columns, e.g. "
            "Status,Description,Previous status,Next status")])
    if problems:
        raise TableFormatError(problems)
    if not rows:
        raise TableFormatError([InputProblem(
            path, header_line, "the table has a header but no rows; add one record per status",
        )])
    return StatusTable(path, "csv", tuple(rows))
