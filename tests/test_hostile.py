"""Hostile tables: every cell shape the interpreter knows, with names chosen to confuse it.

The tables are built from the shapes of :doc:`docs/interpretation.md` (entry points, triggers,
``See X status.``, lists, history returns, conditions, conditional ends, prose, empty cells)
and from names that are keywords of the cells or of the property language (``none``,
``None``, ``end``, ``H``, ``or``), empty, huge, or full of quotes, brackets and markup. Every
check, ``render`` (dot, mermaid, svg) and ``report`` runs on each through ``main([...])``:
never a traceback, only the documented exit codes (0, 1, 2), and an exit 2 always says why.

The two tables of issue 14 that crashed the guard check (a status that is an entry point and
has a history return; a status named ``None``) are kept as fixed examples.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import TABLES, run_cli, scraped_text
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from statusproof.model import load_model
from statusproof.model.machine import unfold

#: Names that mean something to the interpreter, the property language, Python or a renderer.
HOSTILE_NAMES = (
    "None", "none", "NONE.", "H", "end", "End", "terminal", "a terminal", "or", "and", "if",
    "not", "was", "status", "remembered", "cause", "See", "after", "never", "reachable",
    "True", "null", "0", "-1", "1.5", "NaN", "__init__", "self",
    "Closed", "Closed (by agent)", "Closed (after timeout)", "Closed (x) (y)",
    "it's", 'say "hi"', "a\\b", "[x]", "{y}", "(z", "a]b[", "`tick`", "a|b", "a & b", "x; y",
    "<b>bold</b>", "<script>alert(1)</script>", "&amp;", "&#x41;", "]]>", "<!--", "-->",
    "%s %d", "{0}", "$(id)", "\\n", "a\u00a0b", "\u00dcn\u00efc\u00f8d\u00e9 \u2713",
    "\u202eevil", "zero\u200bwidth", "Q" * 600, " ".join(["word"] * 12), "x" * 80,
)

SIMPLE_NAMES = ("Open", "Held", "Pending", "Waiting", "Active", "Rebooting", "Offline", "Done")

TRIGGERS = ("Customer sends an email or fills in the support form",
            "PIN code generated or channel connection is initiated")
CONDITIONS = ("the timer ran out", "the admin closed it", "there is a system timeout")

names_st = st.sampled_from(SIMPLE_NAMES + HOSTILE_NAMES)


@st.composite
def _previous(draw: st.DrawFn, names: list[str]) -> str | list[str]:
    pick = st.sampled_from(names)
    shape = draw(st.sampled_from(("none", "name", "list", "see", "empty", "trigger",
                                  "condition", "none-and-names")))
    if shape == "none":
        return draw(st.sampled_from(("none", "None", "none.", "NONE")))
    if shape == "name":
        return draw(pick)
    if shape == "list":
        return draw(st.lists(pick, min_size=1, max_size=4))
    if shape == "see":
        return f"See {draw(pick)} status."
    if shape == "empty":
        return ""
    if shape == "trigger":
        return draw(st.sampled_from(TRIGGERS))
    if shape == "condition":
        return f"{draw(pick)} if {draw(st.sampled_from(CONDITIONS))}"
    return ["none", *draw(st.lists(pick, min_size=1, max_size=3))]


@st.composite
def _next_entry(draw: st.DrawFn, names: list[str]) -> str:
    pick = st.sampled_from(names)
    shape = draw(st.sampled_from(("name", "none", "none-if", "if", "history", "history1",
                                  "see", "prose", "or-list")))
    if shape == "name":
        return draw(pick)
    if shape == "none":
        return "none"
    if shape == "none-if":
        return f"none if {draw(st.sampled_from(CONDITIONS))}"
    if shape == "if":
        return f"{draw(pick)} if {draw(st.sampled_from(CONDITIONS))}"
    if shape == "history":
        a, b = draw(pick), draw(pick)
        return f"{a} or {b} if the session was in {a} or {b} status before it was interrupted"
    if shape == "history1":
        a = draw(pick)
        return f"{a} if it was in {a} status"
    if shape == "see":
        return f"See {draw(pick)} status."
    if shape == "prose":
        return "the item is archived after a very long time by the retention policy"
    return f"{draw(pick)} or {draw(pick)}"


@st.composite
def tables(draw: st.DrawFn) -> tuple[str, list[tuple[str, str, str | list[str], str | list[str]]]]:
    """A table as (format, rows): rows of (status, description, previous, next)."""
    rows_names = draw(st.lists(names_st, min_size=1, max_size=7))
    # cells may also name statuses that have no row
    mentioned = rows_names + draw(st.lists(names_st, max_size=3))
    rows = []
    for name in rows_names:
        previous = draw(_previous(mentioned))
        nexts: str | list[str] = draw(st.one_of(
            st.just(""), st.lists(_next_entry(mentioned), min_size=1, max_size=4)))
        rows.append((name, draw(st.sampled_from(("A status.", "", "<i>desc</i> & more"))),
                     previous, nexts))
    fmt = draw(st.sampled_from(("text", "csv")))
    return fmt, rows


def _csv(rows: list[tuple[str, str, str | list[str], str | list[str]]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Status", "Description", "Previous status", "Next status"])
    for status, description, previous, nexts in rows:
        writer.writerow([status, description,
                         *("\n".join(f"- {x}" for x in cell) if isinstance(cell, list) else cell
                           for cell in (previous, nexts))])
    return buffer.getvalue()


def _write(folder: Path, fmt: str,
           rows: list[tuple[str, str, str | list[str], str | list[str]]]) -> Path:
    if fmt == "csv":
        path = folder / "table.csv"
        path.write_text(_csv(rows), encoding="utf-8")
    else:
        path = folder / "table.txt"
        path.write_text(scraped_text(rows), encoding="utf-8")
    return path


def _runs(table: Path, out: Path) -> list[list[str]]:
    t = str(table)
    return [
        ["check", t],
        ["check", t, "--format", "json", "--max-witness", "3"],
        ["check", t, "--no-formal", "--property", "a terminal is always reachable"],
        ["check", t, "--reconcile", "intersection", "--formal-budget", "30"],
        ["model", t, "--format", "json"],
        ["render", t, "-o", str(out / "render"), "--format", "dot,mermaid,svg"],
        ["report", t, "-o", str(out / "report")],
    ]


def assert_survives(table: Path, out: Path) -> None:
    """Every command on ``table``: a documented exit code, never a traceback."""
    for args in _runs(table, out):
        try:
            code, stdout, stderr = run_cli(args)
        except Exception as e:  # a traceback in the real program
            raise AssertionError(f"statusproof {' '.join(args)} raised {e!r} on\n"
                                 + table.read_text(encoding="utf-8")[:3000]) from e
        assert code in (0, 1, 2), (args, code, stderr)
        assert "Traceback" not in stderr
        if code == 2:  # the input cannot be used: said in one line, with what to do
            assert stderr.startswith("statusproof"), (args, stderr)
        elif args[0] == "check" and "json" in args:
            data = json.loads(stdout)
            assert (data["summary"]["findings"]["error"] > 0) == (code == 1)


# The two repros of issue 14 (Markdown, as the reporter wrote them).
ENTRY_WITH_HISTORY = """\
| Status | Description | Previous status | Next status |
|---|---|---|---|
| Open | start | none | Paused |
| Paused | paused | none<br>Open | Open if the ticket was in Open status<br>Closed |
| Closed | done | Paused | none |
"""

NAMED_NONE = (
    "| Status | Description | Previous status | Next status |\n"
    "|---|---|---|---|\n"
    "| Start | start | none | Paused |\n"
    # a row called None beside the keyword: 'None' names the row, 'none' keeps its meaning
    "| Paused | p | Start<br>none | Start if the ticket was in Start status<br>"
    "None if the ticket was in None status<br>Done |\n"
    "| None | a status called None | Paused | Paused |\n"
    "| Done | done | Paused | none |\n")


GUARD_CODES = {"guards-exclusive", "overlapping-guards", "dead-guard", "guard-gap"}


@pytest.mark.parametrize("text", [ENTRY_WITH_HISTORY, NAMED_NONE],
                         ids=["entry-with-history", "named-None"])
def test_issue_14_guard_crash_repros(tmp_path: Path, text: str) -> None:
    table = tmp_path / "table.md"
    table.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["check", str(table), "--format", "json"])
    assert (code, err) == (0, "")
    data = json.loads(out)
    # the guard check ran on Paused, whose reachable states mix "nothing remembered" (it is
    # entered at the start) with remembered names: that mix was the TypeError
    guards = [f for f in data["findings"] if f["code"] in GUARD_CODES]
    assert [f["statuses"][0] for f in guards] == ["Paused"]
    remembered = {s.remembered for s in unfold(load_model(table)).nodes if s.status == "Paused"}
    assert None in remembered and len(remembered) > 1
    assert_survives(table, tmp_path)


@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
@example(("text", [("None", "", "none", ["None if it was in None status", "end"]),
                   ("end", "", ["None", "none"], "none")]))
@example(("csv", [("H", "", "none", ["H or end if the session was in H or end status"]),
                  ("end", "", "H", ["none if the timer ran out", "H if the timer ran out"])]))
@example(("text", [("Q" * 600, "", "none", ["Q" * 600 + " if it was in " + "Q" * 600
                                             + " status", "none"])]))
@example(("csv", [("", "", "none", "none")]))
def test_hostile_tables_never_crash(
        table: tuple[str, list[tuple[str, str, str | list[str], str | list[str]]]]) -> None:
    fmt, rows = table
    folder = Path(tempfile.mkdtemp(prefix="statusproof-hostile-"))
    try:
        assert_survives(_write(folder, fmt, rows), folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_fixture_tables_never_crash(tmp_path: Path) -> None:
    """The broken fixture tables go through every command too (exit 2, with a reason)."""
    for table in sorted(TABLES.glob("broken-*.txt")):
        assert_survives(table, tmp_path)
