"""The raw table (statusproof.model.table) and the scraped text loader it is built by.

Cells keep their verbatim text and line numbers; entries are list items with wrapped lines
joined. Only the text format is exercised here (the other loaders are test_loaders.py's).
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import statusproof.model.loaders.text as text_module
import statusproof.model.table as table_module
from statusproof.model.errors import TableFormatError
from statusproof.model.loaders import load_table
from statusproof.model.loaders.text import load_text, looks_like_text
from statusproof.model.table import (
    Cell,
    Column,
    Entry,
    SourceSpan,
    StatusTable,
    split_entries,
    split_lines,
)


def test_doctests() -> None:
    for module in (table_module, text_module):
        assert doctest.testmod(module).failed == 0


def test_split_entries_joins_wrapped_items_and_keeps_lines() -> None:
    cell = split_entries("\n- Closed by\ntechnician\n- Aborted\n", "t.txt", 10, Column.NEXT)
    assert [e.text for e in cell.entries] == ["Closed by technician", "Aborted"]
    assert [(e.span.line, e.span.end_line) for e in cell.entries if e.span] == [(11, 12), (13, 13)]
    assert cell.span == SourceSpan("t.txt", 11, 13)
    assert cell.text == "Closed by technician; Aborted"
    assert not cell.is_empty
    assert cell.line == 11


def test_split_entries_without_list_is_one_entry() -> None:
    cell = split_entries(" PIN code generated or channel connection\nis initiated",
                         "t.txt", 73, Column.PREVIOUS)
    assert [e.text for e in cell.entries] == [
        "PIN code generated or channel connection is initiated"]


def test_split_entries_other_bullets_and_br() -> None:
    cell = split_entries("* One<br>\u2022 Two<BR/>- Three", "t.md", 1, Column.NEXT)
    assert [e.text for e in cell.entries] == ["One", "Two", "Three"]


def test_empty_cell_has_no_entries() -> None:
    cell = split_entries("\n   \n", "t.txt", 5, Column.PREVIOUS)
    assert cell.is_empty
    assert cell.entries == ()
    assert cell.text == ""
    assert cell.span == SourceSpan("t.txt", 5, 5)


def test_spans_are_kept_out_of_equality() -> None:
    a = Entry("Open", SourceSpan("a.txt", 1, 1))
    b = Entry("Open", SourceSpan("b.txt", 9, 9))
    assert a == b
    assert Cell(Column.NEXT, "x", (a,), a.span) == Cell(Column.NEXT, "x", (b,), b.span)


def test_source_span_prints_file_and_line() -> None:
    assert str(SourceSpan("t.txt", 14, 16)) == "t.txt:14"


def test_column_titles() -> None:
    assert [c.title for c in Column] == ["Status", "Description", "Previous status",
                                         "Next status"]


def test_seed_rows_cells_and_lines(seed: Path) -> None:
    table = load_table(seed)
    assert isinstance(table, StatusTable)
    assert table.format == "text"
    assert len(table) == 15
    assert [r.name for r in table.rows][:3] == [
        "Active", "Closed (by active customer)",
        "Removed from TC queue (after closed by technician)"]
    active = table.rows[0]
    assert active.status.line == 1
    assert active.span is not None and active.span.line == 1
    assert [e.text for e in active.previous.entries] == ["Waiting", "Incoming", "Outgoing",
                                                         "On Hold"]
    assert active.previous.line == 6
    nexts = {e.text: e.span.line for e in active.next.entries if e.span}
    assert nexts["Closed by technician"] == 12
    assert nexts["Collaborating"] == 24
    assert active.description.text.startswith("Session is picked up either by a technician,")
    # the verbatim cell text is kept, wrapped lines and all
    assert "Closed by\ntechnician" in active.next.raw
    connecting = next(r for r in table.rows if r.name == "Connecting")
    assert [e.text for e in connecting.previous.entries] == [
        "PIN code generated or channel connection is initiated"]
    collaborating = next(r for r in table.rows if r.name == "Collaborating")
    assert collaborating.previous.is_empty
    assert collaborating.cell(Column.NEXT) is collaborating.next


def test_text_round_trip_of_a_small_table() -> None:
    text = ("Open\n| A new ticket.\n| none\n|\n- Closed\n- Held\n|\n"
            "Held\n|\n- Waiting on\nthe customer\n| Open\n| Open\n|\n"
            "Closed\n| Done.\n|\n- Open\n- Held\n| none\n|\n")
    table = load_text(text, "t.txt")
    assert [r.name for r in table.rows] == ["Open", "Held", "Closed"]
    held = table.rows[1]
    assert [e.text for e in held.description.entries] == ["Waiting on the customer"]
    assert [e.text for e in table.rows[0].next.entries] == ["Closed", "Held"]
    assert [e.text for e in table.rows[2].previous.entries] == ["Open", "Held"]
    assert table.rows[2].status.line == 15


def test_looks_like_text() -> None:
    assert looks_like_text("Open\n| x\n| none\n| none\n|\n")
    assert not looks_like_text("| Status | Description | Previous | Next |\n|---|---|---|---|\n")
    assert not looks_like_text("no pipes at all\n")


@pytest.mark.parametrize(("text", "match"), [
    ("Open\n| x\n| none\n|\n", r"t\.txt:3: 3 cells found, which is not a whole number of 4-cell"),
    ("Open\n| x\n| none\n| none\n|\ntrailing words", r"t\.txt:5: text after the last '\|'"),
    ("Open\n| x\n| none\n", r"t\.txt:3: text after the last '\|' is not a complete cell"),
    ("   \n\n", r"t\.txt:1: no table cells found"),
    ("|\n|\n|\n|\n", r"t\.txt:1: no table cells found"),
    ("- Open\n- Held\n| x\n| none\n| none\n|\n",
     r"t\.txt:1: row 1: the Status cell '- Open\\n- Held' is not a single status name"),
])
def test_text_format_errors(text: str, match: str) -> None:
    with pytest.raises(TableFormatError, match=match):
        load_text(text, "t.txt")


def test_misaligned_row_is_located() -> None:
    text = "A\n| x\n| none\n|\nB\n| y\n| A\n| none\n|\n"
    with pytest.raises(TableFormatError) as info:
        load_text(text, "t.txt")
    lines = [(p.line, p.message) for p in info.value.problems]
    assert lines[0][0] == 6
    assert lines[0][1].startswith("row 2 should start here with a status name on its own line")
    assert lines[1][0] == 8
    assert "7 cells found" in lines[1][1]
    assert str(info.value).endswith("2 problems in all")


_PIECES = st.sampled_from(["", " ", "\n", "  \n", "- ", "-", "* x", "\u2022 y", "a", "A b", "\t",
                           "x  y", "-x", "- -", "\x0b", "\u00a0", "Closed", "<br>", "\r"])


@settings(max_examples=2000, deadline=None)
@given(st.lists(_PIECES, max_size=6).map("".join), st.sampled_from(list(Column)),
       st.integers(1, 50))
def test_the_one_line_path_splits_as_the_line_by_line_path(raw: str, column: Column,
                                                           first: int) -> None:
    fast, general = split_entries(raw, "t", first, column), split_lines(raw, "t", first, column)
    assert fast == general
    assert [e.span for e in fast.entries] == [e.span for e in general.entries]
    assert fast.span == general.span
