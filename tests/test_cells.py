"""The cell language: every wording of issue 9 read as its author meant it.

Fragment by fragment (reading, text), the targets and guards each clause gives, the markup
the Markdown loader removes, and what the model makes of otherwise / unless / history returns
/ uninterpreted cells (marked steps, inconclusive verdicts, reading amendments).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Golden, run_cli, scraped_text

from statusproof.checks import graph_checks
from statusproof.checks.formal import formal_checks
from statusproof.model.amend import parse_amendments
from statusproof.model.cells import read_entry
from statusproof.model.errors import AmendmentError
from statusproof.model.interpret import interpret
from statusproof.model.loaders.markup import clean_inline
from statusproof.model.loaders.text import load_text
from statusproof.model.machine import State, successors
from statusproof.model.model import Model
from statusproof.model.table import Column
from statusproof.model.tokens import Lexicon

ROWS = ["Open", "Held", "Retrying", "Draft", "Review", "Paused", "Archived", "Cancelled",
        "In review", "Active"]
LEXICON = Lexicon.build([(n, n) for n in ROWS] + [("Closed", "Closed (for good)")])


def fragments(text: str, column: Column = Column.NEXT) -> list[tuple[str, str]]:
    return [(f.reading, f.text) for c in read_entry(text, column, LEXICON)
            for f in c.fragments]


def targets(text: str, column: Column = Column.NEXT) -> list[tuple[object, ...]]:
    return [(t.kind, t.name, t.guard, t.text, t.names)
            for c in read_entry(text, column, LEXICON) for t in c.targets]


@pytest.mark.parametrize(("text", "expected"), [
    # short phrases with condition words are never statuses
    ("Archived unless the buyer objects",
     [("status", "Archived"), ("condition", "unless the buyer objects")]),
    ("Cancelled once confirmed", [("status", "Cancelled"), ("condition", "once confirmed")]),
    ("Paused after the fifth failure",
     [("status", "Paused"), ("condition", "after the fifth failure")]),
    ("Retrying (on user request)", [("status", "Retrying"), ("condition", "(on user request)")]),
    ("Review, if the author asks", [("status", "Review"), ("condition", ", if the author asks")]),
    ("Draft/Review", [("status", "Draft"), ("status", "Review")]),
    ("Draft or Review", [("status", "Draft"), ("status", "Review")]),
    ("Return to the former status", [("history", "Return to the former status")]),
    ("No further status (end)", [("end", "No further status (end)")]),
    ("n.a.", [("end", "n.a.")]),
    ("-", [("end", "-")]),
    ("final", [("end", "final")]),
    ("See Review status.", [("reference", "See Review status.")]),
    ("Same as Review", [("reference", "Same as Review")]),
    ("As for Draft", [("reference", "As for Draft")]),
    # history in its wordings; no adverb in a name
    ("reverts to whatever status it had before the pause",
     [("history", "reverts to whatever status it had before the pause")]),
    ("goes back to the status it was in before it was suspended",
     [("history", "goes back to the status it was in before it was suspended")]),
    ("the status it had before", [("history", "the status it had before")]),
    ("Draft if the case was formerly in Draft or Review",
     [("status", "Draft"), ("history", "if the case was formerly in Draft or Review")]),
    ("Draft provided it had been in Draft or Review",
     [("status", "Draft"), ("history", "provided it had been in Draft or Review")]),
    ("Open if it was previously Open",
     [("status", "Open"), ("history", "if it was previously Open")]),
    ("Held when it came from Held", [("status", "Held"), ("history", "when it came from Held")]),
    # otherwise in its wordings
    ("Active otherwise", [("status", "Active"), ("otherwise", "otherwise")]),
    ("Open in all other cases", [("status", "Open"), ("otherwise", "in all other cases")]),
    ("Held (default)", [("status", "Held"), ("otherwise", "(default)")]),
    ("Else, Open", [("otherwise", "Else,"), ("status", "Open")]),
    ("If payment fails: Held", [("condition", "If payment fails:"), ("status", "Held")]),
    ("On user request: Retrying", [("condition", "On user request:"), ("status", "Retrying")]),
    # names: the qualifier of an unknown name, prepositions, lower-case words in sentences
    ("Removed from TC queue (after timeout)",
     [("undefined-status", "Removed from TC queue (after timeout)")]),
    ("Closed by technician", [("undefined-status", "Closed by technician")]),
    ("the item is archived after a very long time",
     [("uninterpreted", "the item is archived after a very long time")]),
    ("Sent to the carrier", [("uninterpreted", "Sent to the carrier")]),
])
def test_next_fragments(text: str, expected: list[tuple[str, str]]) -> None:
    assert fragments(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Order placed", [("trigger", "Order placed")]),
    ("Imported by the nightly sync", [("trigger", "Imported by the nightly sync")]),
    ("Open or Order placed", [("status", "Open"), ("trigger", "Order placed")]),
    ("none", [("end", "none")]),
    ("Draft opened by the author", [("uninterpreted", "Draft opened by the author")]),
])
def test_previous_fragments(text: str, expected: list[tuple[str, str]]) -> None:
    assert fragments(text, Column.PREVIOUS) == expected


def test_guards_of_the_readings() -> None:
    assert targets("Archived unless the buyer objects") == [
        ("row", "Archived", "unless", "the buyer objects", ())]
    assert targets("Draft if the case was formerly in Draft or Review") == [
        ("row", "Draft", "history", "", ("Draft", "Review"))]
    assert targets("Open if it was in Open before the pause") == [
        ("row", "Open", "history", "", ("Open",))]
    assert targets("Approved if the budget allows, otherwise Rejected") == [
        ("undefined", "Approved", "condition", "the budget allows", ()),
        ("undefined", "Rejected", "otherwise", "otherwise", ())]
    assert targets("Closed if the retention period ends.") == [
        ("row", "Closed (for good)", "condition", "the retention period ends", ())]
    # a capitalised row is not matched by a lower-case word in a sentence
    assert targets("Paused if the job was put on hold") == [
        ("row", "Paused", "condition", "the job was put on hold", ())]


def test_a_row_named_like_a_keyword_is_named_by_its_own_spelling() -> None:
    table = load_text(scraped_text([
        ("Start", "", "none", ["None", "End"]),
        ("None", "a status called None", "Start", ["none"]),
        ("End", "a status called End", "Start", ["end"]),
    ]), "t.txt")
    model = interpret(table)
    assert model.entries == ("Start",)
    assert [(t.source, t.target) for t in model.transitions] == [
        ("Start", "None"), ("Start", "End")]
    assert model.terminals == ("None", "End")
    assert {s.name for s in model.statuses} == {"Start", "None", "End"}


def test_markup_is_reduced_to_text() -> None:
    assert clean_inline("**In&nbsp;review**") == "In review"
    assert clean_inline("[Closed](#closed) or `Draft` or <a href='#x'>Held</a>") == \
        "Closed or Draft or Held"
    assert clean_inline("_Draft_ and __Review__ and ~~Old~~") == "Draft and Review and Old"
    assert clean_inline(r"snake_case and \*literal\*") == "snake_case and *literal*"


def model_of(rows: list[tuple[str, str, object, object]]) -> Model:
    return interpret(load_text(scraped_text(rows), "t.txt"))  # type: ignore[arg-type]


def test_otherwise_beside_history_conditions_is_a_negated_guard() -> None:
    model = model_of([
        ("Open", "o", "none", ["Paused", "Review"]),
        ("Review", "r", ["Open"], ["Paused"]),
        ("Paused", "p", ["Open", "Review"],
         ["Open if it was in Open status", "Review otherwise"]),
    ])
    guards = {(t.source, t.target): str(t.guard) for t in model.outgoing("Paused")}
    assert guards == {("Paused", "Open"): "remembered = Open",
                      ("Paused", "Review"): "remembered != Open"}
    step = {str(s.target) for s in successors(model, State("Paused", "Review"))}
    assert step == {"Review"}
    assert {str(s.target) for s in successors(model, State("Paused", "Open"))} == {"Open"}


def test_unless_is_the_negation_of_its_condition() -> None:
    model = model_of([
        ("Done", "d", "none", ["Archived unless the buyer objects",
                               "Disputed if the buyer objects"]),
        ("Archived", "a", ["Done"], "none"),
    ])
    found = formal_checks(model)
    [exclusive] = [f for f in found if f.code == "timeout-exclusive"]
    assert exclusive.evidence_dict()["exits"] == {"the buyer objects": ["Disputed"],
                                                  "otherwise": ["Archived"]}


def test_a_step_only_the_other_column_gives_depends_on_the_unread_cell() -> None:
    model = model_of([
        ("Open", "o", "none", ["Held", "the agent may close it when asked"]),
        ("Held", "h", ["Open"], ["Closed"]),
        ("Closed", "c", ["Held", "Open"], "none"),
    ])
    [step] = [t for t in model.transitions if (t.source, t.target) == ("Open", "Closed")]
    assert step.depends == ("the Next cell of 'Open', line 6: 'the agent may close it when "
                            "asked'",)
    assert model.status("Open").unread_next == ("line 6: 'the agent may close it when asked'",)
    found = graph_checks(model)
    [mismatch] = [f for f in found if f.code == "inconclusive"]
    assert mismatch.evidence_dict()["check"] == "column-mismatch"
    [note] = [f for f in found if f.code == "uninterpreted-entry"]
    assert note.evidence_dict()["amendment"] == (
        '[[reading]] status = "Open", column = "next", text = "the agent may close it when '
        'asked", means = "<status> if <condition>"')


def test_reading_amendments(tmp_path: Path) -> None:
    table = [("Open", "o", "none", ["Held", "the agent may close it when asked"]),
             ("Held", "h", ["Open"], ["Closed"]),
             ("Closed", "c", ["Held", "Open"], "none")]
    text = ('[[reading]]\nstatus = "Open"\ncolumn = "next"\n'
            'text = "the agent may close it when asked"\nmeans = "Closed if asked"\n'
            'source = "runbook"\n')
    model = interpret(load_text(scraped_text(table), "t.txt"), "union",  # type: ignore[arg-type]
                      parse_amendments(text, "a.toml"))
    guards = {t.target: str(t.guard) for t in model.outgoing("Open")}
    assert guards == {"Held": "None", "Closed": "cause of Open = asked"}
    assert not model.status("Open").unread_next
    bad = text.replace('means = "Closed if asked"', 'means = "whenever it suits"')
    with pytest.raises(AmendmentError, match=r"^a\.toml:1: the reading 'whenever it suits' is "
                                             "not in the cell language either"):
        interpret(load_text(scraped_text(table), "t.txt"), "union",  # type: ignore[arg-type]
                  parse_amendments(bad, "a.toml"))
    stale = text.replace("when asked", "when nobody asks")
    with pytest.raises(AmendmentError, match="no clause of the Next status cell of 'Open' "
                                             "reads 'the agent may close it when nobody asks'"):
        interpret(load_text(scraped_text(table), "t.txt"), "union",  # type: ignore[arg-type]
                  parse_amendments(stale, "a.toml"))
    wrong = text.replace('column = "next"', 'column = "status"')
    with pytest.raises(AmendmentError, match="a reading is for the 'previous' or the 'next'"):
        parse_amendments(wrong, "a.toml")


def test_explain_cli(golden: Golden, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    for fmt, name in (("text", "explain-order.txt"), ("json", "explain-order.json")):
        code, out, err = run_cli(["explain", "tests/fixtures/tables/order-wording.md",
                                  "--format", fmt])
        assert (code, err) == (0, "")
        golden(f"cli/{name}", out)


def test_a_weakened_timeout_is_no_plain_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 9, item 4: Timed out's Next cell with both conditions removed ('Closed by
    technician', 'none') is a free choice, and the two causes of its description decide
    nothing."""
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    code, out, _ = run_cli(["check", "tests/fixtures/formal/rescue-timeout-unconditional.txt",
                            "--raw", "--no-formal"])
    assert code == 1
    assert ("    line 193: the Next cell of 'Timed out' says 'none' (line 193) beside "
            "unconditioned next statuses (line 193: 'Closed by technician'): a run there may "
            "end or go on, and nothing says which") in out
    assert ("    line 193: the description of 'Timed out' (line 184) names the causes 'the "
            "Admin-defined timeout was exceeded' / 'system timeout (after two weeks)', but its "
            "Next cell (line 193) ties none of its exits ((end of run), Closed by technician) "
            "to them") in out
