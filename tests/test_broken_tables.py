"""Broken input: every way a table can be unusable gives exit code 2 and a ``file:line:``
message on stderr (never a traceback), and every way a usable table can be wrong gives a
finding with its line."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from conftest import TABLES, run_cli

from statusproof.model.cells import read_entry
from statusproof.model.table import Column
from statusproof.model.tokens import Lexicon


def unusable(args: list[str]) -> str:
    """Run the CLI on input it cannot use; return stderr after checking the contract."""
    code, out, err = run_cli(args)
    assert code == 2, err
    assert out == ""
    assert err.startswith("statusproof: ")
    assert err.endswith("\n")
    assert "Traceback" not in err
    return err


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run from the fixture folder, so messages name the files as given."""
    monkeypatch.chdir(TABLES)
    return TABLES


@pytest.mark.parametrize("command", ["check", "model"])
def test_wrong_cell_count(here: Path, command: str) -> None:
    err = unusable([command, "broken-cell-count.txt"])
    assert err == (
        "statusproof: broken-cell-count.txt:13: row 3 should start here with a status name on "
        "its own line, but 'The ticket is closed.' follows a '|' like a Description, Previous "
        "or Next cell; a row above has a cell missing or one too many\n"
        "broken-cell-count.txt:17: 11 cells found, which is not a whole number of 4-cell rows "
        "(Status | Description | Previous status | Next status); a cell is missing or extra\n"
        "2 problems in all\n")


def test_status_cell_holding_a_list(here: Path) -> None:
    err = unusable(["check", "broken-status-list.txt"])
    assert err.startswith("statusproof: broken-status-list.txt:1: row 1: the Status cell "
                          "'- Open\\n- Held' is not a single status name")


def test_empty_file(here: Path) -> None:
    assert unusable(["check", "broken-empty.txt"]) == (
        "statusproof: broken-empty.txt:1: the file is empty; a status table needs at least one "
        "row\n")


def test_blank_file(tmp_path: Path) -> None:
    blank = tmp_path / "blank.txt"
    blank.write_text("\n   \n\t\n")
    assert "blank.txt:1: the file is empty" in unusable(["check", str(blank)])


def test_not_utf8(here: Path) -> None:
    assert unusable(["check", "broken-latin1.txt"]) == (
        "statusproof: broken-latin1.txt:2: byte 10 is not UTF-8; save the table as UTF-8 text\n")


def test_binary_junk(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    rng = random.Random(7)
    data = bytes(rng.randrange(256) for _ in range(4096))
    junk.write_bytes(b"Open\n| x\n" + data)
    err = unusable(["check", str(junk)])
    assert err.startswith(f"statusproof: {junk}:")
    assert ("the file is binary (it holds NUL bytes), not a text table" in err
            or "is not UTF-8" in err)


def test_nul_byte_is_located(tmp_path: Path) -> None:
    table = tmp_path / "nul.txt"
    table.write_bytes(b"Open\n| x\n| none\n| no\x00ne\n|\n")
    assert unusable(["model", str(table)]) == (
        f"statusproof: {table}:4: the file is binary (it holds NUL bytes), not a text table\n")


def test_prose_is_no_table(tmp_path: Path) -> None:
    prose = tmp_path / "notes.txt"
    prose.write_text("Some notes about tickets.\nNo table here.\n")
    assert unusable(["check", str(prose)]) == (
        f"statusproof: {prose}:1: cannot tell the table format: no '|' cells, HTML <table> or "
        "CSV header found; use --input-format with one of html, markdown, text, csv\n")


def test_directory(tmp_path: Path) -> None:
    assert unusable(["check", str(tmp_path)]) == (
        f"statusproof: {tmp_path}: is a directory, not a table file\n")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    assert unusable(["check", str(missing)]) == (
        f"statusproof: {missing}: no such file; check the path\n")


def test_unknown_input_format(here: Path) -> None:
    code, out, err = run_cli(["check", "--input-format", "yaml", "ticket-lifecycle.txt"])
    assert (code, out) == (2, "")
    assert "argument --input-format: invalid choice: 'yaml'" in err
    assert "Traceback" not in err


def test_see_of_a_missing_row_is_a_finding(here: Path) -> None:
    code, out, err = run_cli(["check", "broken-see-missing.txt"])
    assert (code, err) == (1, "")
    assert ("    line 11: the Next status cell of 'Pending' says 'See Waiting status.', but there "
            "is no row 'Waiting'; name an existing row or list the statuses\n") in out


def test_reference_cycle_is_a_finding(here: Path) -> None:
    code, out, err = run_cli(["check", "broken-see-cycle.txt"])
    assert (code, err) == (1, "")
    assert ("  unresolved-reference (1)\n"
            "    line 18: reference cycle in the Next status column: Pending -> Held -> Pending; "
            "list the statuses in one of these cells instead of referring\n") in out


def test_duplicate_row_is_a_finding(here: Path) -> None:
    code, out, _ = run_cli(["check", "broken-duplicate.txt"])
    assert code == 1
    assert ("    line 11: status 'Open' has a second row (first at line 1); the second row is "
            "ignored: merge the two rows into one\n") in out


def test_long_entries_are_read_by_the_grammar() -> None:
    """The grammar is LALR: a very long entry is read in one linear pass, like a short one."""
    lexicon = Lexicon.build([("Open", "Open")])
    text = "Open if it was in " * 2000 + "Open status"
    [clause] = read_entry(text, Column.NEXT, lexicon)
    assert [(t.name, t.guard, t.names) for t in clause.targets] == [("Open", "history",
                                                                      ("Open",))]
    [previous] = read_entry("Payment " * 2000, Column.PREVIOUS, lexicon)
    assert previous.kind == "trigger"


def ten_megabyte_table(path: Path) -> int:
    """Write a valid 10 MB table: 2,000 rows with long wrapped descriptions, long prose
    entries and every rule; returns the number of rows."""
    rows = 2000
    filler = ("The work item waits here while the team looks at it, writes notes and asks "
              "questions;\n") * 58
    with path.open("w", encoding="utf-8") as out:
        for i in range(rows):
            if i:
                out.write("|\n")
            out.write(f"Stage {i}\n| {filler}| {'none' if i == 0 else f'Stage {i - 1}'}\n|\n")
            if i == rows - 1:
                out.write("- none\n")
                continue
            out.write(f"- Stage {i + 1}\n")
            if i % 10 == 3:
                out.write(f"- Stage {i - 1} if the item was in Stage {i - 1} status before\n")
            if i % 10 == 5:
                out.write("- none if the customer withdraws\n")
            if i % 100 == 7:
                out.write("- " + "someone explains at length why " * 40 + "\n")
        out.write("|\n")
    return rows


@pytest.mark.slow
def test_ten_megabyte_table(tmp_path: Path) -> None:
    """A 10 MB table loads and checks without error (how fast is the benchmark's job)."""
    big = tmp_path / "big.txt"
    rows = ten_megabyte_table(big)
    assert big.stat().st_size >= 10_000_000
    code, out, err = run_cli(["check", str(big), "--format", "json"])
    # "Stage i+1" beside "none if the customer withdraws": under that condition both are
    # possible, an overlap of the exits (an error) in every fifth row of ten
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["summary"]["rows"] == rows
    assert data["summary"]["entry_points"] == ["Stage 0"]
    found = Counter(f["code"] for f in data["findings"])
    assert found["uninterpreted-entry"] == 20  # the long prose entries, rows 7, 107, ...
    assert found["guarded-transition"] == 200 + 200  # history returns and conditional ends
    assert found["reachable-status"] == rows
    assert found["timeout-overlap"] == 200
    # the prose entries may lead anywhere, so the remembered statuses a history guard sees
    # are not settled: every verdict that quantifies over them is inconclusive
    checks = Counter(f["evidence"]["check"] for f in data["findings"]
                     if f["code"] == "inconclusive")
    assert checks == {"guards-exclusive": 200, "history-proved": 1}
    assert found["unreachable-status"] == found["no-path-to-terminal"] == 0
