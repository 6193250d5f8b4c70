"""The cell language: every wording of issue 9 read as its author meant it.

Fragment by fragment (reading, text), the targets and guards each clause gives, the markup
the Markdown loader removes, and what the model makes of otherwise / unless / history returns
/ uninterpreted cells (marked steps, inconclusive verdicts, reading amendments).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Golden, run_cli, scraped_text
from hypothesis import given
from hypothesis import strategies as st

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


@pytest.mark.parametrize(("text", "expected"), [
    # 1. punctuation is never part of a name: dashes, colons and quotes separate
    ("Review — if the author asks",
     [("status", "Review"), ("condition", "— if the author asks")]),
    ("Open: if the customer replies",
     [("status", "Open"), ("condition", ": if the customer replies")]),
    ("See 'Review'", [("reference", "See 'Review'")]),
    ("“Open” or Held", [("status", "Open"), ("status", "Held")]),
    ("Pre-approved", [("undefined-status", "Pre-approved")]),
    # 2. a row name with words before it: a lead verb makes it that row, else unread
    ("Moves to Archived when the year ends",
     [("status", "Moves to Archived"), ("condition", "when the year ends")]),
    ("Is set to Closed", [("status", "Is set to Closed")]),
    ("becomes Paused", [("status", "becomes Paused")]),
    ("Sent back to Draft", [("status", "Sent back to Draft")]),
    ("Either Draft or Review", [("status", "Either Draft"), ("status", "Review")]),
    ("Hands over to Review", [("uninterpreted", "Hands over to Review")]),
    # ... and a row name with words after it: another name only as "X by Y"
    ("Archived automatically", [("uninterpreted", "Archived automatically")]),
    ("Closed for inactive accounts", [("uninterpreted", "Closed for inactive accounts")]),
    # 3. a sentence or a quantifier is never a name
    ("Any status", [("uninterpreted", "Any status")]),
    ("All statuses except Closed", [("uninterpreted", "All statuses except Closed")]),
    # 4. ends: end words with their companions, a remark after them changes nothing
    ("Final status", [("end", "Final status")]),
    ("This is a final status.", [("end", "This is a final status")]),
    ("(terminal status)", [("end", "(terminal status)")]),
    ("(none)", [("end", "(none)")]),
    ("NONE", [("end", "NONE")]),
    ("No transitions", [("end", "No transitions")]),
    ("The lifecycle ends here.", [("end", "The lifecycle ends here")]),
    ("None (final status)", [("end", "None (final status)")]),
    ("None – the ticket is archived", [("end", "None – the ticket is archived")]),
    ("none, as nothing is left to do", [("end", "none, as nothing is left to do")]),
    ("Nothing further otherwise", [("end", "Nothing further"), ("otherwise", "otherwise")]),
    ("none (if the customer cancels)",
     [("end", "none"), ("condition", "(if the customer cancels)")]),
    ("Open or none", [("status", "Open"), ("end", "none")]),
    ("Refunded, or no further status",
     [("undefined-status", "Refunded"), ("end", "no further status")]),
    ("None of the above", [("uninterpreted", "None of the above")]),
    ("No show", [("undefined-status", "No show")]),
    ("none, Held", [("end", "none"), ("status", "Held")]),
    # 5. conditions: wider words, negations, forms
    ("Review upon receipt of the form",
     [("status", "Review"), ("condition", "upon receipt of the form")]),
    ("Closed within 30 days", [("status", "Closed"), ("condition", "within 30 days")]),
    ("Retrying on failure", [("status", "Retrying"), ("condition", "on failure")]),
    ("Open in the event that the payment fails",
     [("status", "Open"), ("condition", "in the event that the payment fails")]),
    ("Archived except when the buyer objects",
     [("status", "Archived"), ("condition", "except when the buyer objects")]),
    ("Held if not paid in time", [("status", "Held"), ("condition", "if not paid in time")]),
    ("If not, Held", [("otherwise", "If not,"), ("status", "Held")]),
    ("Otherwise: Held", [("otherwise", "Otherwise:"), ("status", "Held")]),
    ("Open, or else Held", [("status", "Open"), ("otherwise", "or else"), ("status", "Held")]),
    ("Open if the budget allows, Held if it does not",
     [("status", "Open"), ("condition", "if the budget allows"), ("status", "Held"),
      ("condition", "if it does not")]),
    # 6. history: named returns and the previous status in more wordings
    ("Draft or Review, whichever came before the question",
     [("status", "Draft"), ("status", "Review"),
      ("history", ", whichever came before the question")]),
    ("Draft or Review, depending on where it stood before the freeze",
     [("status", "Draft"), ("status", "Review"),
      ("history", ", depending on where it stood before the freeze")]),
    ("Draft or Review (whichever applied before)",
     [("status", "Draft"), ("status", "Review"), ("history", "(whichever applied before)")]),
    ("Draft or Review, depending on the amount",
     [("uninterpreted", "Draft or Review, depending on the amount")]),
    ("Returns to its prior status", [("history", "Returns to its prior status")]),
    ("Resumes its earlier status", [("history", "Resumes its earlier status")]),
    ("The status before the hold", [("history", "The status before the hold")]),
    ("Previous status (before the hold)", [("history", "Previous status (before the hold)")]),
    ("Open if previously Open", [("status", "Open"), ("history", "if previously Open")]),
    # 7. references
    ("Refer to the Review status.", [("reference", "Refer to the Review status.")]),
    ("As described for Review", [("reference", "As described for Review")]),
    ("Same as for Review", [("reference", "Same as for Review")]),
    ("As Review", [("reference", "As Review")]),
    ("See the Review status above.", [("reference", "See the Review status above.")]),
    ("See the audit procedure in the handbook.",
     [("uninterpreted", "See the audit procedure in the handbook.")]),
])
def test_second_pass_next_fragments(text: str, expected: list[tuple[str, str]]) -> None:
    assert fragments(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("None (initial status)", [("end", "None (initial status)")]),
    ("— (created by the system)", [("end", "— (created by the system)")]),
    ("Entry point", [("end", "Entry point")]),
    ("Any status", [("uninterpreted", "Any status")]),
    ("All statuses", [("uninterpreted", "All statuses")]),
    ("Created automatically when the order is paid",
     [("trigger", "Created automatically when the order is paid")]),
    ("Moved from Review", [("status", "Moved from Review")]),
    ("From Open", [("status", "From Open")]),
])
def test_second_pass_previous_fragments(text: str, expected: list[tuple[str, str]]) -> None:
    assert fragments(text, Column.PREVIOUS) == expected


def test_second_pass_guards() -> None:
    assert targets("Archived except when the buyer objects") == [
        ("row", "Archived", "unless", "the buyer objects", ())]
    assert targets("Held if not paid in time") == [("row", "Held", "unless", "paid in time", ())]
    assert targets("Draft or Review, whichever came before the question") == [
        ("row", "Draft", "history", "", ("Draft", "Review")),
        ("row", "Review", "history", "", ("Draft", "Review"))]
    assert targets("Review upon receipt of the form") == [
        ("row", "Review", "condition", "receipt of the form", ())]
    assert targets("Open or none") == [("row", "Open", None, "", ()), ("end", "", None, "", ())]
    assert targets("None (final status)") == [("end", "", None, "", ())]


def test_named_history_return_remembers_and_is_proved() -> None:
    model = model_of([
        ("Draft", "d", "none", ["Review", "Asked"]),
        ("Review", "r", ["Draft"], ["Asked", "Done"]),
        ("Asked", "a", ["Draft", "Review"],
         ["Draft or Review, whichever came before the question"]),
        ("Done", "d", ["Review"], "None (final status)"),
    ])
    assert model.status("Asked").remembers
    guards = {t.target: str(t.guard) for t in model.outgoing("Asked")}
    assert guards == {"Draft": "remembered = Draft", "Review": "remembered = Review"}
    assert model.terminals == ("Done",)
    assert not model.notes
    codes = {f.code for f in formal_checks(model)}
    assert "history-proved" in codes and "inconclusive" not in codes


def test_except_when_beside_its_positive_is_exclusive() -> None:
    model = model_of([
        ("Pending", "p", "none", ["Gone except when the owner objects",
                                  "Kept if the owner objects"]),
        ("Kept", "k", ["Pending"], "none"),
    ])
    [exclusive] = [f for f in formal_checks(model) if f.code == "timeout-exclusive"]
    assert exclusive.evidence_dict()["exits"] == {"the owner objects": ["Kept"],
                                                  "otherwise": ["Gone"]}


def test_an_end_or_a_status_is_a_free_choice() -> None:
    model = model_of([
        ("Lost", "l", "none", ["Appeal or none"]),
        ("Appeal", "a", ["Lost"], ["This is a final status."]),
    ])
    assert model.terminals == ("Lost", "Appeal")
    assert [f.statuses for f in graph_checks(model) if f.code == "free-choice"] == [("Lost",)]


def test_an_overlap_is_inconclusive_only_through_a_marked_exit() -> None:
    """An overlap between two exits as read stays an overlap whatever an unread fragment of
    the cell says; an overlap with a step that depends on the unread fragment does not."""
    rows: list[tuple[str, str, object, object]] = [
        ("Open", "o", "none", ["Sent", "Held if the budget allows", "Paused otherwise",
                               "Possibly routed elsewhere by the policy"]),
        ("Sent", "s", ["Open"], "none"),
        ("Held", "h", ["Open"], "none"),
        ("Paused", "p", ["Open"], "none"),
        ("Back", "b", ["Open"], "none"),
    ]
    found = formal_checks(model_of(rows))
    overlaps = [tuple(f.statuses) for f in found if f.code == "timeout-overlap"]
    assert overlaps == [("Open", "Sent", "Held")]
    unsure = sorted(tuple(sorted(f.statuses[1:])) for f in found if f.code == "inconclusive"
                    and f.evidence_dict()["check"] == "timeout-overlap")
    # Back (only Back's Previous cell gives it) and Paused (an 'otherwise' beside an unread
    # fragment, which may be one of its siblings) depend on the unread sentence
    assert unsure == [("Back", "Held"), ("Back", "Paused"), ("Back", "Sent"),
                      ("Paused", "Sent")]


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


@pytest.mark.parametrize("default", [
    "if neither applies", "if none of the above apply", "if none of these holds",
    "if neither of these applies"])
def test_a_condition_that_only_denies_the_others_is_the_default(default: str) -> None:
    model = model_of([
        ("Review", "r", "none", ["Approved if the amount is small",
                                 "Rejected if the amount is large", f"Escalated {default}"]),
        ("Approved", "a", ["Review"], "none"),
        ("Rejected", "x", ["Review"], "none"),
        ("Escalated", "e", ["Review"], "none"),
    ])
    guards = {t.target: str(t.guard) for t in model.outgoing("Review")}
    assert guards["Escalated"] == "cause of Review = otherwise"


def test_neither_followed_by_its_own_subject_stays_a_condition() -> None:
    model = model_of([
        ("Review", "r", "none", ["Approved if neither the buyer nor the seller objects",
                                 "Disputed otherwise"]),
        ("Approved", "a", ["Review"], "none"),
        ("Disputed", "d", ["Review"], "none"),
    ])
    guards = {t.target: str(t.guard) for t in model.outgoing("Review")}
    assert "otherwise" not in guards["Approved"]
    assert guards["Disputed"] == "cause of Review = otherwise"


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


# -- speed without a change of reading -----------------------------------------------------
_LARK_PROBE = """
import sys
from statusproof.model.interpret import interpret
from statusproof.model.loaders.text import load_text
text = sys.argv[1].replace("|", "\\n| ")
model = interpret(load_text(text, "t.txt"))
print("lark" in sys.modules, [(t.source, t.target) for t in model.transitions],
      model.entries, model.terminals)
"""


@pytest.mark.parametrize("table", [
    "Open|New.|none|Closed|\nClosed|Done.|Open|None.|\n",
    "Open|New.|none|Closed if paid|\nClosed|Done.|Open|none|\n",
])
def test_reading_a_table_never_imports_lark(table: str) -> None:
    # the second table's condition goes through the parser: its tables are data
    # (statusproof.model.celltables), lark made them at build time
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-c", _LARK_PROBE, table], capture_output=True,
                         text=True, check=True).stdout.split(" ", 1)
    assert out[0] == "False"
    assert out[1].strip() == "[('Open', 'Closed')] ('Open',) ('Closed',)"


def test_an_entry_text_that_repeats_reads_alike_wherever_it_stands() -> None:
    text = ("A\n| a\n| none\n| B or C if paid\n|\nB\n| b\n| A\n| B or C if paid\n|\n"
            "C\n| c\n| A\n| none\n|\n")
    model = interpret(load_text(text, "t.txt"))
    readings = [(r.status, [(f.reading, f.text) for f in r.fragments]) for r in model.readings
                if r.text == "B or C if paid"]
    assert [status for status, _ in readings] == ["A", "B"]
    assert readings[0][1] == readings[1][1] == [
        ("status", "B"), ("status", "C"), ("condition", "if paid")]


# -- third pass: history conditions that refer back to the status -----------------------------
# None of these wordings is in tests/corpus/holdout2; each is a variant of a general rule.

@pytest.mark.parametrize(("text", "names"), [
    # a pronoun points at the statuses listed beside the condition
    ("Draft or Review, if that was its status before the pause", ("Draft", "Review")),
    ("Draft or Review if this was its state when the audit began", ("Draft", "Review")),
    ("Open or Held, provided it held that status before the freeze", ("Open", "Held")),
    ("Open or Held, if the ticket had that stage when it was parked", ("Open", "Held")),
    ("Open or Held, when it was in the same status before the outage", ("Open", "Held")),
    ("Draft or Review, if it had previously been in that state", ("Draft", "Review")),
    # 'matching ...' / 'the same as before ...' / 'corresponding to ...' over the named statuses
    ("Draft or Review, matching the status it had before the audit", ("Draft", "Review")),
    ("Open or Held, corresponding to the stage it came from", ("Open", "Held")),
    ("Open or Held, the same as before the outage", ("Open", "Held")),
    ("Draft or Review (matching the state it was paused in)", ("Draft", "Review")),
    ("Draft (if that was its status at the time)", ("Draft",)),
    ("If it had that status before the hold: Open or Held", ("Open", "Held")),
    ("Open or Held, in line with the status it had before", ("Open", "Held")),
])
def test_a_condition_pointing_back_to_the_status_is_history(
        text: str, names: tuple[str, ...]) -> None:
    assert targets(text) == [("row", n, "history", "", names) for n in names]
    assert [r for r, _ in fragments(text)].count("history") == 1


@pytest.mark.parametrize("text", [
    "Open if it was already Open before the freeze",
    "Open, if it was already in Open status when the audit began",
])
def test_already_is_an_adverb_of_history(text: str) -> None:
    assert targets(text) == [("row", "Open", "history", "", ("Open",))]


def test_its_status_as_the_subject_of_a_history_condition() -> None:
    assert targets("Open if its status was Open before the freeze") == [
        ("row", "Open", "history", "", ("Open",))]


def test_a_pointing_history_condition_in_a_previous_cell_is_uninterpreted() -> None:
    assert fragments("Open or Held, if that was its status", Column.PREVIOUS) == [
        ("uninterpreted", "Open or Held, if that was its status")]


@pytest.mark.parametrize("text", [
    "Continues where it stopped",
    "Goes back to where it was.",
    "Returns to the point at which it was paused",
    "Back to the step in which the audit started",
    "Where it left off",
])
def test_a_return_named_by_the_place_left_is_the_previous_status(text: str) -> None:
    assert targets(text) == [("return", "", None, "", ())]
    assert [r for r, _ in fragments(text)] == ["history"]


@pytest.mark.parametrize("text", [
    # speaks of the earlier status, names none: never a plain condition
    "Open if it was previously in a review status",
    "Open unless the previous status was Held",
    "Open if its former state allowed it",
    "Open or Held, matching the customer's choice",
    "Open or Held, the same as for Draft",
    "none if that was its status before the pause",
    # a return to a place left, under a condition: two guards the model cannot combine
    "Resumes where it left off if the printer is ready",
])
def test_an_earlier_status_that_names_no_status_is_uninterpreted(text: str) -> None:
    assert [r for r, _ in fragments(text)] == ["uninterpreted"]


@pytest.mark.parametrize(("text", "expected"), [
    # no pointing back: these stay what they were
    ("Open if the payment arrives before noon",
     [("row", "Open", "condition", "the payment arrives before noon", ())]),
    ("Open if it is in that status", [("row", "Open", "condition", "it is in that status", ())]),
    ("Continues if it stopped", [("undefined", "Continues", "condition", "it stopped", ())]),
    ("Open where the amount is large",
     [("row", "Open", "condition", "the amount is large", ())]),
])
def test_conditions_that_do_not_point_back_stay_conditions(
        text: str, expected: list[tuple[object, ...]]) -> None:
    assert targets(text) == expected


_SUBJECTS = ("it", "the ticket", "the case file")
_VERBS = ("was in", "had", "held", "had been in", "had previously been in", "was already in")
_POINTERS = ("that status", "that state", "the same status", "that stage")
_TIMES = ("", " before the pause", " when the audit started", " at the time of the freeze")


@given(subject=st.sampled_from(_SUBJECTS), verb=st.sampled_from(_VERBS),
       pointer=st.sampled_from(_POINTERS), time=st.sampled_from(_TIMES),
       keyword=st.sampled_from(("if", "provided", "when")),
       names=st.sampled_from((("Draft", "Review"), ("Open", "Held", "Paused"))))
def test_any_pointing_wording_is_history_over_the_names_beside_it(
        subject: str, verb: str, pointer: str, time: str, keyword: str,
        names: tuple[str, ...]) -> None:
    text = f"{', '.join(names[:-1])} or {names[-1]}, {keyword} {subject} {verb} {pointer}{time}"
    assert targets(text) == [("row", n, "history", "", names) for n in names]
    present = text.replace(f" {verb} ", " is in ", 1)  # the present tense points at nothing
    assert all(g != "history" for _, _, g, _, _ in targets(present))


def test_a_pointing_history_return_is_proved() -> None:
    model = model_of([
        ("Draft", "d", "none", ["Review", "Frozen"]),
        ("Review", "r", ["Draft"], ["Frozen", "Done"]),
        ("Frozen", "f", ["Draft", "Review"],
         ["Draft or Review, if that was its status when the audit began"]),
        ("Done", "d", ["Review"], "None (final status)"),
    ])
    assert model.status("Frozen").remembers
    guards = {t.target: str(t.guard) for t in model.outgoing("Frozen")}
    assert guards == {"Draft": "remembered = Draft", "Review": "remembered = Review"}
    assert not model.notes
    codes = {f.code for f in formal_checks(model)}
    assert "history-proved" in codes and "inconclusive" not in codes


def test_a_return_to_the_place_left_is_one_step_per_remembered_status() -> None:
    model = model_of([
        ("Queued", "q", "none", ["Printing", "Paused"]),
        ("Printing", "p", ["Queued"], ["Paused", "Done"]),
        ("Paused", "x", ["Queued", "Printing"], ["Resumes where it left off"]),
        ("Done", "d", ["Printing"], "none"),
    ])
    guards = {t.target: str(t.guard) for t in model.outgoing("Paused")}
    assert guards == {"Queued": "remembered = Queued", "Printing": "remembered = Printing"}
    assert "Resumes" not in [s.name for s in model.statuses]
    assert "history-proved" in {f.code for f in formal_checks(model)}
