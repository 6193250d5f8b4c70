"""Loader for status tables in HTML: the first ``<table>`` of a page.

This module owns reading an HTML table with the standard library's :mod:`html.parser`: rows
from ``<tr>``, cells from ``<td>``/``<th>`` (end tags optional), the header from the first row.
Inside a cell every ``<li>`` is one entry, and outside lists ``<br>``, ``<p>`` and other block
tags separate entries; inline tags (``<a>``, ``<strong>``, ...) are dropped and entities
decoded. Each cell's raw text is written in the ``- item`` line form that
:func:`~statusproof.model.table.split_entries` reads, and every entry keeps the file lines its
text came from. Text outside the first table, nested tables' structure, ``<caption>``,
``<script>`` and ``<style>`` are ignored. Merged cells (``colspan``/``rowspan`` above 1) are
counted as one cell and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from ..errors import InputProblem, TableFormatError
from ..table import Cell, Column, Row, StatusTable
from .columns import ITEM, build_row, cell_count_problem, make_cell, match_columns

__all__ = ["load_html", "looks_like_html"]

_TABLE = re.compile(r"<table[\s>/]", re.IGNORECASE)
_ROWISH = re.compile(r"<(tr|td|th)[\s>/]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_BLOCKS = frozenset({
    "p", "div", "ul", "ol", "dl", "dt", "dd", "pre", "blockquote", "hr", "table", "section",
    "h1", "h2", "h3", "h4", "h5", "h6",
})
_IGNORED = frozenset({"script", "style", "caption", "template"})
_ROW_HINT = "give every row one <td> per header column"


@dataclass
class _Segment:
    """One entry's worth of cell text: ``lines`` holds ``[file line, text]`` pairs."""

    item: bool
    lines: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, text: str) -> None:
        if self.lines and self.lines[-1][0] == line:
            self.lines[-1] = (line, self.lines[-1][1] + text)
        else:
            self.lines.append((line, text))

    @property
    def text(self) -> str:
        return _SPACE.sub(" ", " ".join(text for _, text in self.lines)).strip()


@dataclass
class _RawCell:
    line: int
    spans: dict[str, str]
    segments: list[_Segment] = field(default_factory=list)
    current: _Segment | None = None
    open_lists: list[str] = field(default_factory=list)  # "ul" and "li", innermost last

    @property
    def in_item(self) -> bool:
        return "li" in self.open_lists

    def open_item(self) -> None:
        """Open an ``<li>``; an ``<li>`` still open in the same list ends first."""
        if self.open_lists and self.open_lists[-1] == "li":
            self.open_lists.pop()
        self.open_lists.append("li")
        self.current = _Segment(item=True)
        self.segments.append(self.current)

    def close(self, kind: str) -> None:
        """Close the innermost open ``kind`` ("ul" or "li") and what is open inside it."""
        if kind in self.open_lists:
            while self.open_lists.pop() != kind:
                pass
        self.current = None

    def text(self) -> str:
        return " ".join(s.text for s in self.segments if s.text)


@dataclass
class _RawRow:
    line: int
    end_line: int
    cells: list[_RawCell] = field(default_factory=list)


class _TableParser(HTMLParser):
    """Collects the rows of the first ``<table>``, each cell as entry segments."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.table_line: int | None = None
        self.depth = 0  # 1 inside the first table, more inside tables nested in it
        self.done = False
        self.ignoring = 0
        self.rows: list[_RawRow] = []
        self.row: _RawRow | None = None
        self.cell: _RawCell | None = None

    # -- structure ------------------------------------------------------------------------
    def _line(self) -> int:
        return self.getpos()[0]

    def _close_cell(self) -> None:
        if self.cell is not None and self.row is not None:
            self.row.cells.append(self.cell)
        self.cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self.row is not None:
            self.rows.append(self.row)
        self.row = None

    def _break(self) -> None:
        """A block boundary: a new entry, unless inside a list item (then a space)."""
        cell = self.cell
        if cell is None:
            return
        if not cell.in_item:
            cell.current = None
        elif cell.current is not None:
            cell.current.add(self._line(), " ")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag in _IGNORED and self.depth:
            self.ignoring += 1
            return
        if tag == "table":
            if self.depth == 0:
                self.table_line = self._line()
            else:
                self._break()
            self.depth += 1
            return
        if self.depth == 0:
            return
        if self.depth == 1 and tag == "tr":
            self._close_row()
            self.row = _RawRow(self._line(), self._line())
        elif self.depth == 1 and tag in ("td", "th"):
            self._close_cell()
            if self.row is None:
                self.row = _RawRow(self._line(), self._line())
            spans = {k: v or "" for k, v in attrs if k in ("colspan", "rowspan")}
            self.cell = _RawCell(self._line(), spans)
        elif self.depth == 1 and tag in ("thead", "tbody", "tfoot"):
            self._close_row()
        elif self.cell is not None and tag == "li":
            self.cell.open_item()
        elif self.cell is not None and tag in ("ul", "ol"):
            self.cell.open_lists.append("ul")
            self._break()
        elif tag == "br" or tag in _BLOCKS or tag in ("tr", "td", "th", "li"):
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if self.done or not self.depth:
            return
        if tag in _IGNORED:
            self.ignoring = max(0, self.ignoring - 1)
            return
        if tag == "table":
            self.depth -= 1
            if self.depth == 0:
                self._close_row()
                self.done = True
            else:
                self._break()
        elif self.depth == 1 and tag in ("tr", "thead", "tbody", "tfoot"):
            self._mark_end()
            self._close_row()
        elif self.depth == 1 and tag in ("td", "th"):
            self._mark_end()
            self._close_cell()
        elif self.cell is not None and tag in ("li", "ul", "ol"):
            self.cell.close("li" if tag == "li" else "ul")
        elif tag in _BLOCKS or tag in ("tr", "td", "th"):
            self._break()

    def _mark_end(self) -> None:
        if self.row is not None:
            self.row.end_line = max(self.row.end_line, self._line())

    def handle_data(self, data: str) -> None:
        cell = self.cell
        if self.done or self.ignoring or cell is None:
            return
        line = self._line()
        for offset, part in enumerate(data.split("\n")):
            if cell.current is None:
                if not part.strip():
                    continue
                cell.current = _Segment(item=cell.in_item)
                cell.segments.append(cell.current)
            cell.current.add(line + offset, part)
            if self.row is not None and part.strip():
                self.row.end_line = max(self.row.end_line, line + offset)

    def close(self) -> None:
        super().close()
        if self.depth and not self.done:
            self._close_row()
            self.done = True


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds a ``<table`` tag and a ``<tr>``, ``<td>`` or ``<th>``."""
    return bool(_TABLE.search(text)) and bool(_ROWISH.search(text))


def _pieces(cell: _RawCell) -> list[tuple[str, int]]:
    """The cell's text lines in ``- item`` form, each with its file line.

    Every ``<li>`` and every block of text between breaks starts a new ``- `` item (a lone
    block of text stays as written); the following lines of a block continue its item.
    """
    segments = [s for s in cell.segments if s.text]
    pieces: list[tuple[str, int]] = []
    for segment in segments:
        lines = [(text.strip(), line) for line, text in segment.lines if text.strip()]
        (first, line), rest = lines[0], lines[1:]
        if segment.item or (len(segments) > 1 and not ITEM.match(first)):
            first = "- " + first
        pieces.append((first, line))
        for text, number in rest:
            if segment.item and ITEM.match(text):  # literal text in an <li>, not a new item
                pieces[-1] = (pieces[-1][0] + " " + text, pieces[-1][1])
            else:
                pieces.append((text, number))
    return pieces


def _merged_problems(row: _RawRow, path: str) -> list[InputProblem]:
    problems = []
    for cell in row.cells:
        for name, value in cell.spans.items():
            try:
                count = int(value.strip())
            except ValueError:
                continue
            if count > 1:
                fix = ("split it into one cell per column" if name == "colspan"
                       else "repeat its text in each row")
                problems.append(InputProblem(
                    path, cell.line,
                    f"cell has {name}=\"{count}\"; statusproof reads it as one cell, so {fix}",
                ))
    return problems


def _make(cell: _RawCell, path: str, column: Column) -> Cell:
    pieces = _pieces(cell) or [("", cell.line)]
    return make_cell(pieces, path, column, "\n".join(text for text, _ in pieces))


def load_html(text: str, path: str) -> StatusTable:
    """Read the first ``<table>`` in an HTML page.

    The first row is the header; columns are found by their names (see
    :func:`~statusproof.model.loaders.columns.match_columns`). Every row with the wrong
    number of cells, a merged cell or an empty Status cell is reported, all at once.

    Parameters
    ----------
    text
        The whole page, as text.
    path
        The file name used in spans and messages.

    Returns
    -------
    StatusTable
        The rows in file order, with ``format == "html"``.

    Examples
    --------
    >>> page = '''<table>
    ... <tr><th>Status</th><th>Description</th><th>Previous</th><th>Next</th></tr>
    ... <tr><td><strong>Open</strong></td><td>New &amp; fresh</td><td>none</td>
    ... <td><ul><li>Active</li>
    ... <li>Closed</li></ul></td></tr>
    ... </table>'''
    >>> r = load_html(page, "t.html").rows[0]
    >>> r.name, r.description.text, [(e.text, e.span.line) for e in r.next.entries]
    ('Open', 'New & fresh', [('Active', 4), ('Closed', 5)])
    """
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    if parser.table_line is None:
        raise TableFormatError([InputProblem(
            path, 1, "no <table> found; the HTML loader reads the first <table> of the page")])
    raw_rows = [row for row in parser.rows if row.cells]
    if not raw_rows:
        raise TableFormatError([InputProblem(
            path, parser.table_line, "the <table> has no rows (<tr> with <th>/<td> cells)")])
    header_row, body = raw_rows[0], raw_rows[1:]
    problems = _merged_problems(header_row, path)
    if problems:
        raise TableFormatError(problems)
    header = [cell.text() for cell in header_row.cells]
    columns = match_columns(header, path, header_row.line)
    rows: list[Row] = []
    for raw_row in body:
        if all(not cell.text() for cell in raw_row.cells):
            continue
        merged = _merged_problems(raw_row, path)
        if merged:
            problems.extend(merged)
            continue
        if len(raw_row.cells) != len(header):
            problems.append(cell_count_problem(
                path, raw_row.line, len(raw_row.cells), len(header), _ROW_HINT))
            continue
        made = {column: _make(raw_row.cells[i], path, column) for column, i in columns.items()}
        row = build_row(made, path, raw_row.line, raw_row.end_line, problems)
        if row is not None:
            rows.append(row)
    if problems:
        raise TableFormatError(problems)
    if not rows:
        raise TableFormatError([InputProblem(
            path, header_row.line, "the table has a header but no rows; add one <tr> per status",
        )])
    return StatusTable(path, "html", tuple(rows))
