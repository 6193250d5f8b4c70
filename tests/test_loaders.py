"""Tests of the table loaders: text, Markdown, CSV and HTML read into one StatusTable.

The Rescue seed table is kept in every format under tests/fixtures/tables/; each must load to
the same rows and entries as the text original, with entry lines pointing into its own file.
Every error path is checked for its ``file:line`` message, and hypothesis round-trips random
tables through a small writer per format.
"""

from __future__ import annotations

import csv
import html
import io
import re
import string
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.model.errors import InputProblem, TableFormatError
from statusproof.model.loaders import (
    FORMATS,
    detect_format,
    load_table,
    load_table_text,
)
from statusproof.model.loaders.columns import match_columns, normalise_header
from statusproof.model.loaders.csvtable import load_csv, looks_like_csv
from statusproof.model.loaders.html import load_html, looks_like_html
from statusproof.model.loaders.markdown import load_markdown, looks_like_markdown
from statusproof.model.loaders.text import load_text, looks_like_text
from statusproof.model.table import Column, StatusTable

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "model" / "data" / "rescue-session-statuses.txt"
SHARED_SEED = ROOT.parent / "shared" / "seed" / "rescue-session-statuses.txt"
TABLES = Path(__file__).resolve().parent / "fixtures" / "tables"
FIXTURES = {
    "markdown": TABLES / "rescue.md",
    "csv": TABLES / "rescue.csv",
    "html": TABLES / "rescue.html",
}
COLUMNS = (Column.STATUS, Column.DESCRIPTION, Column.PREVIOUS, Column.NEXT)
HEADER = ["Status", "Description", "Previous status", "Next status"]

Signature = list[tuple[str, list[list[str]]]]


def signature(table: StatusTable) -> Signature:
    """Each row's name and the entry texts of its four cells."""
    return [(r.name, [[e.text for e in r.cell(c).entries] for c in COLUMNS]) for r in table.rows]


def problems_of(excinfo: pytest.ExceptionInfo[TableFormatError]) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in excinfo.value.problems]


# --------------------------------------------------------------------------------------------
# The seed table in every format


def test_seed_is_the_shared_seed() -> None:
    if not SHARED_SEED.exists():
        pytest.skip("no shared/seed beside the repository")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_text_loads_15_rows() -> None:
    table = load_table(SEED)
    assert table.format == "text"
    assert len(table) == 15
    assert table.rows[0].name == "Active"
    assert table.rows[-1].name == "Waiting"


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_fixture_loads_same_entries_as_text(fmt: str) -> None:
    expected = signature(load_table(SEED))
    table = load_table(FIXTURES[fmt])
    assert table.format == fmt
    assert signature(table) == expected


@pytest.mark.parametrize("fmt", sorted(FIXTURES))
def test_fixture_forced_format_matches_detected(fmt: str) -> None:
    assert signature(load_table(FIXTURES[fmt], fmt)) == signature(load_table(FIXTURES[fmt]))


@pytest.mark.parametrize("path", [SEED, *FIXTURES.values()], ids=lambda p: p.name)
def test_entry_lines_point_into_the_file(path: Path) -> None:
    """The first word of every entry is on its span's line, the last word on its end line."""
    lines = [html.unescape(line) for line in path.read_text(encoding="utf-8").split("\n")]
    table = load_table(path)
    checked = 0
    for row in table.rows:
        assert row.span is not None
        assert row.span.line <= row.span.end_line
        for column in COLUMNS:
            for entry in row.cell(column).entries:
                assert entry.span is not None and entry.span.path == str(path)
                words = entry.text.split()
                assert words[0] in lines[entry.span.line - 1], (entry, path)
                assert words[-1] in lines[entry.span.end_line - 1], (entry, path)
                assert entry.span.line <= entry.span.end_line
                if table.format != "text":  # the text loader's row span is its Status cell
                    assert row.span.line <= entry.span.line
                    assert entry.span.end_line <= row.span.end_line
                checked += 1
    assert checked == 131


def _entry(table: StatusTable, status: str, column: Column, text: str) -> tuple[int, int]:
    row = next(r for r in table.rows if r.name == status)
    entry = next(e for e in row.cell(column).entries if e.text == text)
    assert entry.span is not None
    return entry.span.line, entry.span.end_line


def test_entry_lines_exact() -> None:
    text = load_table(SEED)
    assert _entry(text, "Active", Column.NEXT, "Closed by technician") == (12, 13)
    md = load_table(FIXTURES["markdown"])
    assert _entry(md, "Active", Column.NEXT, "Closed by technician") == (8, 8)
    assert _entry(md, "Waiting", Column.STATUS, "Waiting") == (22, 22)
    assert _entry(md, "Collaborating", Column.NEXT, "Rebooting") == (12, 12)
    data = load_table(FIXTURES["csv"])
    assert _entry(data, "Active", Column.STATUS, "Active") == (2, 2)
    assert _entry(data, "Active", Column.PREVIOUS, "Waiting") == (4, 4)
    assert _entry(data, "Active", Column.NEXT, "Closed") == (7, 7)
    assert _entry(data, "Active", Column.NEXT, "Closed by technician") == (8, 9)
    page = load_table(FIXTURES["html"])
    assert _entry(page, "Active", Column.NEXT, "Closed by technician") == (33, 34)
    assert _entry(page, "Timed out", Column.NEXT, "none if there is a system timeout") == (
        267, 268)


@pytest.mark.parametrize(
    ("path", "expected"),
    [(SEED, "text"), *((p, f) for f, p in FIXTURES.items())],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_detect_format_on_fixtures(path: Path, expected: str) -> None:
    assert detect_format(path.read_text(encoding="utf-8")) == expected


# --------------------------------------------------------------------------------------------
# Detection


def test_detectors_are_conservative() -> None:
    md = FIXTURES["markdown"].read_text(encoding="utf-8")
    data = FIXTURES["csv"].read_text(encoding="utf-8")
    page = FIXTURES["html"].read_text(encoding="utf-8")
    seed = SEED.read_text(encoding="utf-8")
    assert [looks_like_markdown(t) for t in (md, data, page, seed)] == [True, False, False, False]
    assert not looks_like_text(md)
    assert not looks_like_csv(seed) and not looks_like_csv(md)
    assert not looks_like_html(md) and not looks_like_html(seed) and not looks_like_html(data)
    assert detect_format("just some prose\nwith no table\n") is None
    assert detect_format("a,b,c\n1,2,3\n") is None  # no status-like header
    assert detect_format("Name;From;To\nA;B;C\n") == "csv"
    assert detect_format("Status\tPrevious\tNext\nA\tB\tC\n") == "csv"
    assert detect_format("a | b\n--- | ---\n1 | 2\n") == "markdown"
    assert detect_format("<p>see <table> below</p>") is None  # no rows, only a word


def test_undetectable_text_is_reported() -> None:
    with pytest.raises(TableFormatError, match=r"^x\.txt:1: cannot tell the table format"):
        load_table_text("just prose\n", "x.txt")


# --------------------------------------------------------------------------------------------
# Column matching


@pytest.mark.parametrize(
    "header",
    [
        ["Status", "Description", "Previous status", "Next status"],
        ["STATE", "Meaning", "From", "To"],
        ["name", "description", "prev", "next"],
        ["Status", "Beschrijving", "Vorige status", "Volgende status"],
        ["Statut", "Description", "Statut précédent", "Statut suivant"],
        ["**Status**", "Description", "Previous  status:", "`Next status`"],
        ["Foo", "Bar", "Baz", "Qux"],  # 4 unknown names: the documented order
    ],
)
def test_match_columns_accepts(header: list[str]) -> None:
    assert match_columns(header, "t", 1) == {c: i for i, c in enumerate(COLUMNS)}


def test_match_columns_reorders_and_allows_missing_description() -> None:
    assert match_columns(["Next", "Notes", "Status", "Previous"], "t", 3) == {
        Column.NEXT: 0, Column.STATUS: 2, Column.PREVIOUS: 3}


def test_match_columns_errors() -> None:
    with pytest.raises(TableFormatError, match=(
            r"^t:3: missing column Previous status: the header has 'Status', 'Description', "
            r"'Next'; name the columns")):
        match_columns(["Status", "Description", "Next"], "t", 3)
    with pytest.raises(TableFormatError, match=r"^t:1: missing columns Status, Previous status, "
                       r"Next status: the header has 'a', 'b'"):
        match_columns(["a", "b"], "t", 1)
    with pytest.raises(TableFormatError, match=r"^t:2: header cells 1 \('Status'\) and 2 "
                       r"\('Name'\) both name the Status column"):
        match_columns(["Status", "Name", "Previous", "Next"], "t", 2)
    # four cells, but a recognised name contradicts the documented order
    with pytest.raises(TableFormatError, match=r"missing column"):
        match_columns(["Next", "x", "y", "z"], "t", 1)


def test_normalise_header() -> None:
    assert normalise_header("\ufeffStatut Pre\u0301ce\u0301dent") == "statut précédent"


# --------------------------------------------------------------------------------------------
# Markdown


MD_HEAD = "| Status | Description | Previous | Next |\n|---|---|---|---|\n"


def test_markdown_cells() -> None:
    md = ("Intro text | with a pipe\n\n" + MD_HEAD
          + "| A \\| B | pipe \\| inside | - X<br>- Y | X<br/>Y<BR>Z |\n"
          + "C | *emph* &amp; | | - Wrapped<br>item<br>- Next |\n"
          + "|  |  |  |  |\n"
          + "\n| Other | table | is | ignored |\n")
    table = load_markdown(md, "t.md")
    assert signature(table) == [
        ("A | B", [["A | B"], ["pipe | inside"], ["X", "Y"], ["X", "Y", "Z"]]),
        ("C", [["C"], ["emph &"], [], ["Wrapped item", "Next"]]),
    ]
    assert [r.span.line for r in table.rows if r.span] == [5, 6]
    assert table.rows[0].status.raw == "A | B"


def test_markdown_without_description_and_reordered() -> None:
    md = "| Next | Status | From |\n| :-- | :-: | --: |\n| B | A | none |\n"
    table = load_markdown(md, "t.md")
    assert signature(table) == [("A", [["A"], [], ["none"], ["B"]])]


def test_markdown_skips_fenced_tables() -> None:
    md = "```\n| a | b |\n|---|---|\n```\n\n" + MD_HEAD + "| A | d | p | n |\n"
    assert signature(load_markdown(md, "t.md"))[0][0] == "A"


def test_markdown_every_bad_row_reported() -> None:
    md = ("# Title\n\n" + MD_HEAD + "| A | d | p | n |\n| B | d | p |\n| C | d | p | n |\n"
          "| D | d | p | n | extra |\n|   | d | p | n |\nE is a wrapped line\n")
    with pytest.raises(TableFormatError, match=(
            r"^t\.md:6: row has 3 cells, the header has 4; every row needs one cell per header "
            r"column; escape a '\|' inside a cell as '\\\|'")) as excinfo:
        load_markdown(md, "t.md")
    assert [line for line, _ in problems_of(excinfo)] == [6, 8, 9, 10]
    messages = [m for _, m in problems_of(excinfo)]
    assert messages[1].startswith("row has 5 cells, the header has 4")
    assert messages[2].startswith("row has an empty Status cell")
    assert messages[3].startswith("row has 1 cell, the header has 4")
    assert str(excinfo.value).endswith("4 problems in all")


def test_markdown_other_errors() -> None:
    with pytest.raises(TableFormatError, match=r"^t\.md:1: no Markdown pipe table found"):
        load_markdown("# Title\n\nNo table | here.\n", "t.md")
    with pytest.raises(TableFormatError, match=r"^t\.md:3: missing column Next status: the "
                       r"header has 'Status', 'Description', 'Previous'"):
        load_markdown("x\n\n| Status | Description | Previous |\n|---|---|---|\n| A | b | c |\n",
                      "t.md")
    with pytest.raises(TableFormatError, match=r"^t\.md:2: the delimiter row has 3 cells, the "
                       r"header has 4"):
        load_markdown("| Status | Description | Previous | Next |\n|---|---|---|\n", "t.md")
    with pytest.raises(TableFormatError, match=r"^t\.md:1: the table has a header but no rows"):
        load_markdown(MD_HEAD + "\n| A | b | c | d |\n", "t.md")
    with pytest.raises(TableFormatError, match=r"^t\.md:3: the Status cell holds 2 entries "
                       r"\('A', 'B'\)"):
        load_markdown(MD_HEAD + "| A<br>B | b | c | d |\n", "t.md")


# --------------------------------------------------------------------------------------------
# CSV


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter: str) -> None:
    rows = [HEADER, ["A", "x, y; z", "- B\n- C", "D"], ["B", "", "A", ""]]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    table = load_csv(buffer.getvalue(), "t.csv")
    assert signature(table) == [
        ("A", [["A"], ["x, y; z"], ["B", "C"], ["D"]]),
        ("B", [["B"], [], ["A"], []]),
    ]
    assert [(e.text, e.span.line) for e in table.rows[0].previous.entries if e.span] == [
        ("B", 2), ("C", 3)]
    assert table.rows[1].status.line == 4
    assert detect_format(buffer.getvalue()) == "csv"


def test_csv_multiline_fields_before_the_column_shift_lines() -> None:
    data = 'Status,Description,Previous,Next\n\nA,"one\ntwo\nthree","- P\n- Q",- N\n,,,\n'
    table = load_csv(data, "t.csv")
    row = table.rows[0]
    assert row.description.entries[0].span is not None
    assert (row.description.entries[0].span.line, row.description.entries[0].span.end_line) == (
        3, 5)
    assert [e.span.line for e in row.previous.entries if e.span] == [5, 6]
    assert [e.span.line for e in row.next.entries if e.span] == [6]
    assert row.span is not None and (row.span.line, row.span.end_line) == (3, 6)


def test_csv_dutch_header_and_bom() -> None:
    data = "\ufeffStatus;Beschrijving;Vorige status;Volgende status\nOpen;Nieuw;geen;Dicht\n"
    assert signature(load_csv(data, "t.csv")) == [
        ("Open", [["Open"], ["Nieuw"], ["geen"], ["Dicht"]])]


def test_csv_every_bad_record_reported() -> None:
    data = ("Status,Description,Previous,Next\nA,d,p,n\nB,d,p\nC,d,p,n\nD,d,p,n,x\n"
            ',d,p,n\nE,"open\nquote,p,n\n')
    with pytest.raises(TableFormatError, match=(
            r"^t\.csv:3: row has 3 cells, the header has 4; the cells are separated by ','; put "
            r"a cell that holds ',', a '\"' or a line break in double quotes")) as excinfo:
        load_csv(data, "t.csv")
    found = problems_of(excinfo)
    assert [line for line, _ in found] == [3, 5, 6, 7]
    assert found[1][1].startswith("row has 5 cells")
    assert found[2][1].startswith("row has an empty Status cell")
    assert found[3][1].startswith("row has 2 cells, the header has 4")
    assert "the record runs on to line 8: is a '\"' quote left open?" in found[3][1]


def test_csv_other_errors() -> None:
    with pytest.raises(TableFormatError, match=r"^t\.csv:2: missing column Next status: the "
                       r"header has 'Status', 'Description', 'Previous'"):
        load_csv("\nStatus,Description,Previous\nA,b,c\n", "t.csv")
    with pytest.raises(TableFormatError, match=r"^t\.csv:1: the table has a header but no rows"):
        load_csv("Status,Description,Previous,Next\n,,,\n", "t.csv")
    with pytest.raises(TableFormatError, match=r"^t\.csv:1: no CSV header found"):
        load_csv("\n\n", "t.csv")
    with pytest.raises(TableFormatError, match=r"^t\.csv:2: cannot read the CSV record starting "
                       r"here: new-line character seen in unquoted field"):
        load_csv("Status,Description,Previous,Next\nA,b\rc,d,e\n", "t.csv")


# --------------------------------------------------------------------------------------------
# HTML


def test_html_cells() -> None:
    page = """<html><body><p>Intro &lt;table&gt; prose</p>
<table>
<caption>Statuses</caption>
<tr><td>Status<td>Meaning<td>From<td>To
<tr>
  <td><a href="#a"><strong>Open</strong></a> &amp; <em>ready</em>
  <td><p>First para.</p><p>Second
     para.</p>
  <td>one<br>two<br/>
  <td><ul><li>A<li><strong>B</strong> &#39;b&#39;
      <ul><li>nested</li></ul></li></ul>
<tr><td>X<td><table><tr><td>inner</td></tr></table><td><td>- plain<br>
</table>
<table><tr><th>ignored</th></tr></table>
"""
    table = load_html(page, "t.html")
    assert signature(table) == [
        ("Open & ready", [["Open & ready"], ["First para.", "Second para."], ["one", "two"],
                          ["A", "B 'b'", "nested"]]),
        ("X", [["X"], ["inner"], [], ["plain"]]),
    ]
    row = table.rows[0]
    assert [e.span.line for e in row.description.entries if e.span] == [7, 7]
    assert row.description.entries[1].span is not None
    assert row.description.entries[1].span.end_line == 8
    assert [e.span.line for e in row.next.entries if e.span] == [10, 10, 11]
    assert row.next.raw == "- A\n- B 'b'\n- nested"
    assert row.span is not None and (row.span.line, row.span.end_line) == (5, 11)


def test_html_every_bad_row_reported() -> None:
    page = ("<table>\n<tr><th>Status</th><th>Description</th><th>Previous</th><th>Next</th></tr>\n"
            "<tr><td>A</td><td>d</td><td>p</td></tr>\n"
            "<tr><td>B</td><td>d</td><td>p</td><td>n</td></tr>\n"
            "<tr><td>C</td><td colspan='2'>d</td><td>n</td></tr>\n"
            "<tr><td></td><td>d</td><td>p</td><td>n</td></tr>\n"
            "<tr><td rowspan=2>E</td><td>d</td><td>p</td><td>n</td><td>x</td></tr>\n"
            "</table>\n")
    with pytest.raises(TableFormatError, match=(
            r"^t\.html:3: row has 3 cells, the header has 4; give every row one <td> per header "
            r"column")) as excinfo:
        load_html(page, "t.html")
    found = problems_of(excinfo)
    assert [line for line, _ in found] == [3, 5, 6, 7]
    assert found[1][1] == ('cell has colspan="2"; statusproof reads it as one cell, so split it '
                           "into one cell per column")
    assert found[2][1].startswith("row has an empty Status cell")
    assert found[3][1].startswith('cell has rowspan="2"')


def test_html_other_errors() -> None:
    with pytest.raises(TableFormatError, match=r"^t\.html:1: no <table> found"):
        load_html("<p>No table here.</p>", "t.html")
    with pytest.raises(TableFormatError, match=r"^t\.html:2: the <table> has no rows"):
        load_html("<p>x</p>\n<table></table>", "t.html")
    with pytest.raises(TableFormatError, match=r"^t\.html:2: missing column Previous status: "
                       r"the header has 'Status', 'Next status'"):
        load_html("<table>\n<tr><th>Status<th>Next<br>status\n<tr><td>A<td>B\n</table>", "t.html")
    with pytest.raises(TableFormatError, match=r"^t\.html:1: the table has a header but no rows"):
        load_html("<table><tr><th>Status<th>Previous<th>Next</table>", "t.html")
    with pytest.raises(TableFormatError, match=r"^t\.html:1: cell has colspan=\"4\""):
        load_html("<table><tr><th colspan=4>Statuses</th></tr></table>", "t.html")


# --------------------------------------------------------------------------------------------
# Files: empty, binary, not UTF-8, no table, forced format


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "empty.md", b" \n\n")
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: the file is empty")):
        load_table(path)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_empty_text_forced(fmt: str) -> None:
    with pytest.raises(TableFormatError, match=r"^e:1: "):
        load_table_text("", "e", fmt)


def test_binary_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "junk.bin", b"Status,Next\nA\x00\x01\x02\xff,B\n")
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:2: the file is binary")):
        load_table(path)


def test_non_utf8_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "latin.csv", "Status;Previous;Next\nÉtat;a;b\n".encode("latin-1"))
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:2: byte 21 is not UTF-8")):
        load_table(path)


def test_crlf_file(tmp_path: Path) -> None:
    data = FIXTURES["csv"].read_bytes().replace(b"\n", b"\r\n")
    path = _write(tmp_path, "crlf.csv", data)
    assert signature(load_table(path)) == signature(load_table(FIXTURES["csv"]))


def test_file_with_no_table(tmp_path: Path) -> None:
    path = _write(tmp_path, "prose.md", b"# Statuses\n\nThere is no table in this file.\n")
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: cannot tell the table "
                                                         "format")):
        load_table(path)
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: no Markdown pipe table")):
        load_table(path, "markdown")
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: no <table> found")):
        load_table(path, "html")
    # text.py reports "text after the last '|'" here; any message at line 1 will do
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: ")):
        load_table(path, "text")
    with pytest.raises(TableFormatError, match=re.escape(f"{path}:1: missing columns Status, "
                                                         "Previous status, Next status")):
        load_table(path, "csv")


@pytest.mark.parametrize(
    ("fmt", "forced", "message"),
    [
        ("markdown", "csv", ":1: missing columns Status, Previous status, Next status: the "
         "header has '# GoTo Resolve Rescue: session statuses'"),
        ("markdown", "html", ":1: no <table> found"),
        ("csv", "markdown", ":1: no Markdown pipe table found"),
        ("csv", "text", ":1: "),
        ("html", "markdown", ":1: no Markdown pipe table found"),
        ("html", "csv", ":1: missing columns Status, Previous status, Next status"),
        ("html", "xml", ":1: unknown input format 'xml'; use one of html, markdown, text, csv"),
    ],
)
def test_forced_wrong_input_format(fmt: str, forced: str, message: str) -> None:
    path = FIXTURES[fmt]
    with pytest.raises(TableFormatError, match="^" + re.escape(f"{path}{message}")):
        load_table(path, forced)


def test_text_forced_on_markdown_is_an_error() -> None:
    with pytest.raises(TableFormatError, match=re.escape(f"{FIXTURES['markdown']}:")):
        load_table(FIXTURES["markdown"], "text")


# --------------------------------------------------------------------------------------------
# Property: random tables round-trip through every format

_TRICKY = list(string.ascii_letters + string.digits + "   |\"',;<>&-*#\\/:()[]`~_éüñßΩ中文€")
_WORD = st.text(
    alphabet=st.one_of(
        st.sampled_from(_TRICKY),
        st.characters(exclude_categories=("Cs", "Cc")),
    ),
    min_size=1,
    max_size=20,
)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_ITEM = re.compile(r"^\s*[-*\u2022]\s+")


def _canonical(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


ENTRY = _WORD.map(_canonical).filter(
    lambda t: bool(t) and not _ITEM.match(t) and not _BREAK.search(t) and not t.startswith("|")
)

Table = list[tuple[str, list[str], list[str], list[str]]]
TABLE = st.lists(
    st.tuples(ENTRY, st.lists(ENTRY, max_size=2), st.lists(ENTRY, max_size=4),
              st.lists(ENTRY, max_size=4)),
    min_size=1,
    max_size=6,
)


def _expected(table: Table) -> Signature:
    return [(s, [[s], d, p, n]) for s, d, p, n in table]


def write_text(table: Table, _: int) -> str:
    lines: list[str] = []
    for status, *cells in table:
        lines.append(status)
        for entries in cells:
            if len(entries) == 1:
                lines.append("| " + entries[0])
            else:
                lines.append("|")
                lines.extend("- " + e for e in entries)
        lines.append("|")
    return "\n".join(lines) + "\n"


def markdown_escape(text: str) -> str:
    """Cell text as Markdown writes it literally: inline markup characters escaped."""
    for char in "\\`*_[]~<&":
        text = text.replace(char, "\\" + char)
    return text.replace("|", "\\|")


def write_markdown(table: Table, style: int) -> str:
    def cell(entries: list[str]) -> str:
        texts = [markdown_escape(e) for e in entries]
        if len(texts) == 1:
            return texts[0]
        return "<br>".join(texts if style % 2 else ["- " + t for t in texts])

    lines = ["Some text before the table.", "", "| " + " | ".join(HEADER) + " |",
             "|" + "---|" * 4]
    for status, *cells in table:
        lines.append("| " + " | ".join(cell(c) for c in [[status], *cells]) + " |")
    return "\n".join(lines) + "\n\nAfter.\n"


def write_csv(table: Table, style: int) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",;\t"[style % 3], lineterminator="\n")
    writer.writerow(HEADER)
    for status, *cells in table:
        writer.writerow([status] + [
            c[0] if len(c) == 1 else "\n".join("- " + e for e in c) for c in cells])
    return buffer.getvalue()


def write_html(table: Table, style: int) -> str:
    def cell(entries: list[str]) -> str:
        texts = [html.escape(e) for e in entries]
        if len(texts) == 1:
            return texts[0]
        if style % 2:
            return "<br>\n".join(texts)
        return "<ul>\n" + "".join(f"<li>{t}</li>\n" for t in texts) + "</ul>"

    lines = ["<table>", "<tr>" + "".join(f"<th>{h}</th>" for h in HEADER) + "</tr>"]
    for status, *cells in table:
        lines.append("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in [[status], *cells])
                     + "</tr>")
    return "\n".join([*lines, "</table>", ""])


WRITERS: dict[str, tuple[Callable[[Table, int], str], Callable[[str, str], StatusTable]]] = {
    "text": (write_text, load_text),
    "markdown": (write_markdown, load_markdown),
    "csv": (write_csv, load_csv),
    "html": (write_html, load_html),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=TABLE, style=st.integers(0, 5))
def test_round_trip(fmt: str, table: Table, style: int) -> None:
    write, load = WRITERS[fmt]
    text = write(table, style)
    assert signature(load(text, "t")) == _expected(table)
    assert detect_format(text) == fmt
    assert signature(load_table_text(text, "t")) == _expected(table)


_HTMLISH = st.lists(st.sampled_from([
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "<td colspan=x>",
    "<td rowspan='3'>", "<ul>", "</ul>", "<li>", "</li>", "<br>", "<p>", "</p>", "<caption>",
    "<script>", "</script>", "&amp;", "&#0;", "&#x110000;", "Status", "Previous", "Next", "x",
    "- y", "\n", " ", "<!--", "-->", "<![CDATA[", "<?pi", "<", ">",
]), max_size=40).map("".join)
_PIPEISH = st.lists(st.sampled_from(
    [*"|-: \n\\`#>~ab", "<br>", "Status", "Next", "Previous", "- ", "---"]), max_size=60,
).map("".join)
_CSVISH = st.lists(st.sampled_from(
    [*",;\t\"\n\r x-", "Status", "Previous", "Next", "State", "From", "To"]), max_size=60,
).map("".join)
JUNK = st.one_of(st.text(), _HTMLISH, _PIPEISH, _CSVISH)

LOADERS: dict[str, Callable[[str, str], StatusTable]] = {
    "text": load_text, "markdown": load_markdown, "csv": load_csv, "html": load_html,
    "auto": lambda text, path: load_table_text(text, path),
}


@pytest.mark.parametrize("name", sorted(LOADERS))
@settings(max_examples=300, deadline=None)
@given(text=JUNK)
def test_loaders_only_raise_table_format_error(name: str, text: str) -> None:
    try:
        table = LOADERS[name](text, "junk")
    except TableFormatError as e:
        assert e.problems
        assert all(isinstance(p, InputProblem) and p.path == "junk" and p.line >= 1
                   for p in e.problems)
        return
    assert table.rows
    assert all(r.status.entries for r in table.rows)


@settings(max_examples=300, deadline=None)
@given(text=JUNK)
def test_detectors_never_raise(text: str) -> None:
    for looks in (looks_like_html, looks_like_markdown, looks_like_text, looks_like_csv):
        assert isinstance(looks(text), bool)


# --------------------------------------------------------------------------------------------
# Size


def test_ten_megabyte_text_table_loads(tmp_path: Path) -> None:
    wrapped = "The session waits for a technician, who may pick it up or let it time out\n" * 4
    row = ("Status {n}\n| " + wrapped + "after the Admin-defined timeout.\n|\n- Status {p}\n"
           "- Waiting\n|\n- Status {q}\n- Closed by\ntechnician\n- Timed out\n|\n")
    parts: list[str] = []
    size = 0
    n = 0
    while size < 10_000_000:
        part = row.format(n=n, p=max(0, n - 1), q=n + 1)
        parts.append(part)
        size += len(part)
        n += 1
    path = tmp_path / "big.txt"
    path.write_text("".join(parts), encoding="utf-8")
    table = load_table(path)
    assert table.format == "text"
    assert len(table) == n
    last = table.rows[-1]
    assert last.name == f"Status {n - 1}"
    assert [e.text for e in last.next.entries] == [f"Status {n}", "Closed by technician",
                                                   "Timed out"]
    assert last.next.entries[1].span is not None
    span = last.next.entries[1].span
    assert (span.line, span.end_line) == (15 * (n - 1) + 12, 15 * (n - 1) + 13)


def test_html_dash_lines_in_cells() -> None:
    page = ("<table><tr><th>Status<th>Previous<th>Next\n"
            "<tr><td>A<td>- B<br>- C<td><p>intro\n- D\n- E</p><p>F</p>\n</table>")
    assert signature(load_html(page, "t.html")) == [
        ("A", [["A"], [], ["B", "C"], ["intro", "D", "E", "F"]])]
