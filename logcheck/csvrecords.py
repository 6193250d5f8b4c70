"""Reading event records from CSV: a header row naming the columns, then one record per line.

This module owns what a CSV record must hold (the same fields as JSON Lines, as columns; the
header names them) and what happens to a broken line. A record is one line: a quoted field
whose quote is not closed on its line is a malformed record (never the start of a field that
swallows the rest of the file), reading resumes at the next line, and the report says how many
lines the broken field would have spanned (to the line where its quote closes, or to the end
of the file). A row with another number of fields than the header, or an empty session, time
or status, is malformed too.

:class:`CsvLines` parses line by line and is shared by the exact reader (:func:`read_csv`)
and the fast path (:mod:`.fastread`), which gives it only the blocks its bulk parser cannot
take, so both report the same.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from statusproof.model.errors import InputProblem

from .rawlines import DEFAULT_MAX_LINE_BYTES, read_lines
from .records import (
    Fields,
    ProblemSink,
    Record,
    RecordFormatError,
    not_a_time,
    parse_time,
)

__all__ = ["CsvLines", "read_csv", "closing_line"]


@dataclass
class _Open:
    """A quoted field, opened at ``line`` in ``column``, whose quote has not closed yet."""

    line: int
    column: str
    span: int = 1


def _closing(raw: bytes, quote: bytes) -> bool:
    """Whether a line closes a quoted field that was open at its start (a quote not doubled)."""
    at = raw.find(quote)
    while at >= 0:
        if raw[at + 1:at + 2] != quote:
            return True
        at = raw.find(quote, at + 2)
    return False


def closing_line(data: bytes, first: int) -> int | None:
    """The number of the first line of ``data`` (numbered from ``first``) that would close a
    quoted field open before it."""
    for number, raw in enumerate(data.split(b"\n"), first):
        if b'"' in raw and _closing(raw, b'"'):
            return number
    return None


@dataclass
class CsvLines:
    """The header of one CSV file and the records of its lines (see the module docstring)."""

    name: str
    fields: Fields
    on_problem: ProblemSink
    strict: bool = False
    header: list[str] | None = None
    width: int = 0
    index: dict[str, int] = field(default_factory=dict)
    _open: list[_Open] = field(default_factory=list)

    def take_header(self, number: int, text: str) -> None:
        row = self._split(text)
        self.header = [cell.strip() for cell in row]
        self.index = {column: i for i, column in enumerate(self.header)}
        fields = self.fields
        absent = [c for c in (fields.session, fields.time, fields.status) if c not in self.index]
        if absent:
            raise RecordFormatError(
                f"{self.name}:{number}: the header has no column(s) "
                f"{', '.join(map(repr, absent))} (columns: {', '.join(self.header)}); name "
                "them with --session-field, --time-field, --status-field")
        self.width = len(self.header)

    def _split(self, text: str) -> list[str]:
        delimiter = self.fields.delimiter
        if '"' not in text:
            return text.split(delimiter)
        return next(csv.reader([text], delimiter=delimiter))

    def _unterminated(self, text: str) -> bool:
        try:
            next(csv.reader([text], delimiter=self.fields.delimiter, strict=True))
        except csv.Error as e:
            return "unexpected end of data" in str(e)
        return False

    def carry(self, raw: bytes, lines: int = 1) -> None:
        """Lines read after a broken quoted field: does one of them close it?"""
        if not self._open:
            return
        closes = b'"' in raw and _closing(raw, b'"') if lines == 1 else False
        still = []
        for item in self._open:
            item.span += lines
            if closes:
                self._report(item, f"csv would run it over {item.span} lines, to line "
                                   f"{item.line + item.span - 1}")
            else:
                still.append(item)
        self._open = still

    def carry_block(self, data: bytes, count: int) -> None:
        """Like :meth:`carry` for a block of ``count`` lines without any quote."""
        if self._open:
            assert b'"' not in data
            for item in self._open:
                item.span += count

    def take_open(self) -> list[tuple[int, str, int]]:
        """The broken fields still open (line, column, lines spanned), forgotten here."""
        found = [(item.line, item.column, item.span) for item in self._open]
        self._open = []
        return found

    def report_span(self, line: int, column: str, span: str) -> None:
        """Report a broken field whose span another part of the file found."""
        self._report(_Open(line, column), span)

    def end(self) -> None:
        """The end of the file: broken fields still open ran to its end."""
        for item in self._open:
            self._report(item, f"it runs to the end of the file ({item.span} lines)")
        self._open = []

    def _report(self, item: _Open, span: str) -> None:
        self.on_problem(InputProblem(
            self.name, item.line,
            f"the {item.column!r} field opens a quote that is not closed on its line ({span}); "
            "a record is one line: close the quote; reading resumed at the next line"))

    def record(self, number: int, text: str, raw: bytes) -> Record | None:
        """The record of one line (None: blank, the header, or malformed and reported)."""
        self.carry(raw)
        if not text.strip():
            return None
        if self.header is None:
            self.take_header(number, text)
            return None
        row = self._split(text)
        name, fields, width = self.name, self.fields, self.width
        if '"' in text and self._unterminated(text):
            column = (self.header[len(row) - 1] if len(row) - 1 < width
                      else f"field {len(row)}")
            if self.strict:
                self.on_problem(InputProblem(name, number, f"the {column!r} field opens a "
                                             "quote that is not closed on its line; a record "
                                             "is one line: close the quote"))
            else:
                self._open.append(_Open(number, column))
            return None
        if len(row) != width:
            self.on_problem(InputProblem(name, number, f"{len(row)} field(s), but the header "
                                         f"has {width}; quote fields that contain "
                                         f"{fields.delimiter!r}"))
            return None
        index = self.index
        session = row[index[fields.session]].strip()
        stamp = row[index[fields.time]].strip()
        status = row[index[fields.status]].strip()
        if not session or not stamp or not status:
            self.on_problem(InputProblem(name, number, "empty session, time or status field; "
                                         "every record needs all three"))
            return None
        try:
            when = parse_time(stamp)
        except ValueError as e:
            self.on_problem(InputProblem(name, number, not_a_time(fields.time, stamp, e)))
            return None
        ci = index.get(fields.cause)
        cause = row[ci].strip() if ci is not None else ""
        gi = index.get(fields.group) if fields.group is not None else None
        group = row[gi].strip() if gi is not None else None
        return Record(name, number, session, when, status, cause or None, group=group or None)


def read_csv(path: Path, fields: Fields, on_problem: ProblemSink, name: str | None = None,
             max_line_bytes: int = DEFAULT_MAX_LINE_BYTES, strict: bool = False
             ) -> Iterator[Record]:
    """Event records from a CSV file whose first non-empty row names the columns."""
    name = str(path) if name is None else name
    parser = CsvLines(name, fields, on_problem, strict)
    for line in read_lines(path, name, max_line_bytes):
        if line.text is None:
            parser.carry(line.raw)
            on_problem(InputProblem(name, line.number, line.problem or "unreadable"))
            continue
        found = parser.record(line.number, line.text, line.raw)
        if found is not None:
            yield found
    parser.end()
    if parser.header is None:
        on_problem(InputProblem(name, 0, "the file is empty; a CSV record file starts with a "
                                         "header row"))
