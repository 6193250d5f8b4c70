"""Interpretation rules: from cell text to statuses, guarded transitions, notes and causes.

Each rule of statusproof.model.interpret is shown on a small table of its own, then on a
whole table in another domain (tests/fixtures/tables/ticket-lifecycle.txt), which must come
out as precisely as the Rescue seed.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest
from conftest import TABLES, scraped_text

from statusproof.model import load_model
from statusproof.model.cells import read_entry
from statusproof.model.errors import StatusproofError
from statusproof.model.interpret import interpret
from statusproof.model.loaders.text import load_text
from statusproof.model.model import (
    HISTORY_VARIABLE,
    POLICIES,
    GuardKind,
    Model,
    TerminalKind,
)
from statusproof.model.names import NameIndex
from statusproof.model.table import Column
from statusproof.model.tokens import Lexicon

TICKET = TABLES / "ticket-lifecycle.txt"
COLUMNS_TABLE = TABLES / "ticket-columns.txt"


def test_doctests() -> None:
    # the package re-exports the function interpret(), which hides the module of that name
    module = importlib.import_module("statusproof.model.interpret")
    assert doctest.testmod(module).failed == 0


def model_of(rows: list[tuple[str, str | list[str], str | list[str], str | list[str]]],
             policy: str = "union") -> Model:
    return interpret(load_text(scraped_text(rows), "t.txt"), policy)


def steps(model: Model) -> set[tuple[str, str | None, str | None]]:
    """(source, target, guard as text) of every transition."""
    return {(t.source, t.target, str(t.guard) if t.guard else None) for t in model.transitions}


def codes(model: Model) -> list[tuple[str, tuple[str, ...], int | None]]:
    return [(n.code, n.statuses, n.span.line if n.span else None) for n in model.notes]


# -- parse_entry ----------------------------------------------------------------------------

INDEX = NameIndex.build(["Open", "Held", "Closed (for good)", "Paused"], ["Closed"])


LEXICON = Lexicon.build([*INDEX.full.items(), *INDEX.short.items()])


def reading(text: str, column: Column) -> list[tuple[str, ...]]:
    """Each target of the entry as (kind, name, guard, text, names...), or the clause kind."""
    out: list[tuple[str, ...]] = []
    for clause in read_entry(text, column, LEXICON):
        if clause.kind != "steps":
            out.append((clause.kind,))
        out.extend((t.kind, t.name, t.guard or "", t.text, *t.names) for t in clause.targets)
        out.extend(("trigger", f.text) for f in clause.fragments if f.reading == "trigger")
    return out


@pytest.mark.parametrize(("text", "column", "expected"), [
    ("none", Column.NEXT, [("end", "", "", "")]),
    ("None.", Column.PREVIOUS, [("end", "", "", "")]),
    ("none if the user gave up.", Column.NEXT,
     [("end", "", "condition", "the user gave up")]),
    ("Open", Column.NEXT, [("row", "Open", "", "")]),
    ("Open or Held", Column.NEXT, [("row", "Open", "", ""), ("row", "Held", "", "")]),
    ("Open, Held and Closed", Column.NEXT,
     [("row", "Open", "", ""), ("row", "Held", "", ""), ("row", "Closed (for good)", "", "")]),
    ("Open; Held", Column.PREVIOUS, [("row", "Open", "", ""), ("row", "Held", "", "")]),
    ("Open or Aborted", Column.NEXT, [("row", "Open", "", ""), ("undefined", "Aborted", "", "")]),
    ("Held if it was in Held status", Column.NEXT, [("row", "Held", "history", "", "Held")]),
    ("Open or Held if the ticket was in Open or Held status before the pause", Column.NEXT,
     [("row", "Open", "history", "", "Open", "Held"),
      ("row", "Held", "history", "", "Open", "Held")]),
    ("Paused if the customer asks", Column.NEXT,
     [("row", "Paused", "condition", "the customer asks")]),
    ("Closed if the retention period ends.", Column.NEXT,
     [("row", "Closed (for good)", "condition", "the retention period ends")]),
    ("Customer sends an email or fills in the support form", Column.PREVIOUS,
     [("trigger",), ("trigger", "Customer sends an email or fills in the support form")]),
    ("the order shipped and was signed for at the door", Column.NEXT, [("uninterpreted",)]),
])
def test_read_entry(text: str, column: Column, expected: list[tuple[str, ...]]) -> None:
    assert reading(text, column) == expected


# -- names: qualifiers ----------------------------------------------------------------------

def test_short_name_answers_to_the_qualified_row() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed"]),
        ("Closed (for good)", "c", ["Open"], "none"),
    ])
    assert model.names == ("Open", "Closed (for good)")
    assert steps(model) == {("Open", "Closed (for good)", None)}
    assert model.transitions[0].columns == frozenset({Column.NEXT, Column.PREVIOUS})


def test_ambiguous_family_keeps_bare_name_undefined() -> None:
    """With "Removed (after timeout)" also mentioned, bare "Removed" is a status of its own."""
    model = model_of([
        ("Open", "o", "none", ["Removed", "Removed (after timeout)"]),
        ("Removed (after close)", "r", "", "none"),
    ])
    assert model.status("Removed").defined is False
    assert model.status("Removed (after timeout)").defined is False
    assert model.status("Removed (after close)").defined is True
    assert ("Open", "Removed", None) in steps(model)
    assert ("Open", "Removed (after close)", None) not in steps(model)


# -- See X status ---------------------------------------------------------------------------

def test_see_reference_copies_the_cell() -> None:
    model = model_of([
        ("Open", "o", "none", ["Held", "Done"]),
        ("Held", "h", ["Open"], ["Done"]),
        ("Paused", "p", "See Held status.", "See\nthe Held row."),
        ("Done", "d", ["Held", "Open", "Paused"], "none"),
    ])
    paused_in = {(link.source, link.via) for link in model.links if link.target == "Paused"}
    assert paused_in == {("Open", "Held")}
    paused_out = [link for link in model.links
                  if link.source == "Paused" and link.column is Column.NEXT]
    assert [(link.target, link.column, link.via) for link in paused_out] == [
        ("Done", Column.NEXT, "Held")]
    # the copied entry keeps the line of the cell it was copied from
    assert paused_out[0].span is not None and paused_out[0].span.line == 13
    assert model.status("Paused").previous_documented
    assert not model.notes


def test_see_reference_chains() -> None:
    model = model_of([
        ("A", "a", "none", ["B", "C", "D"]),
        ("B", "b", ["A"], ["D"]),
        ("C", "c", ["A"], "See B status."),
        ("D", "d", ["A", "B", "C"], "See C status."),
    ])
    assert ("D", "D", None) in steps(model)
    via = {(link.source, link.target): link.via for link in model.links
           if link.column is Column.NEXT}
    assert via[("C", "D")] == "B"
    assert via[("D", "D")] == "B"  # D -> C -> B: the row the entry was written in


def test_see_reference_to_a_missing_row() -> None:
    model = model_of([
        ("Open", "o", "none", "See Hold status."),
        ("Held", "h", ["Open"], "none"),
    ])
    assert codes(model) == [("unresolved-reference", ("Open",), 4)]
    assert "there is no row 'Hold'; did you mean 'Held'?" in model.notes[0].message
    assert not model.status("Open").next_documented
    assert [link for link in model.links
            if link.source == "Open" and link.column is Column.NEXT] == []
    # Held's Previous cell still gives the step, from the other column
    assert [t.columns for t in model.outgoing("Open")] == [frozenset({Column.PREVIOUS})]


def test_reference_cycle_is_reported_once() -> None:
    model = model_of([
        ("A", "a", "none", "See B status."),
        ("B", "b", ["A"], "See C status."),
        ("C", "c", ["B"], "See A status."),
    ])
    assert len(model.notes) == 1
    note = model.notes[0]
    assert note.code == "unresolved-reference"
    assert note.statuses == ("A", "B", "C")
    assert "reference cycle in the Next status column: A -> B -> C -> A" in note.message
    assert [t for t in model.transitions if t.source in ("A", "B", "C")
            and Column.NEXT in t.columns] == []


# -- none, triggers, entry points and terminals ---------------------------------------------

def test_none_makes_entry_points_and_terminals() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed"]),
        ("Closed", "c", ["Open"], "None."),
    ])
    assert model.entries == ("Open",)
    assert model.terminals == ("Closed",)
    assert model.status("Closed").terminal is TerminalKind.DOCUMENTED
    assert model.status("Open").triggers == ()


def test_external_trigger_makes_an_entry_point() -> None:
    model = model_of([
        ("Open", "o", "Customer sends an email\nor fills in the support form", ["Closed"]),
        ("Closed", "c", ["Open"], "none"),
    ])
    open_ = model.status("Open")
    assert open_.entry
    assert open_.triggers == ("Customer sends an email or fills in the support form",)
    assert model.incoming("Open") == ()


def test_empty_cell_is_undocumented_not_nothing() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed"]),
        ("Closed", "c", "", ""),
    ])
    closed = model.status("Closed")
    assert not closed.entry  # an empty Previous cell is not "none"
    assert closed.terminal is None  # an empty Next cell is not "none" either
    assert not closed.previous_documented and not closed.next_documented
    assert open_cells(model) == {"Open": (True, True), "Closed": (False, False)}


def open_cells(model: Model) -> dict[str, tuple[bool, bool]]:
    return {s.name: (s.previous_documented, s.next_documented) for s in model.statuses}


# -- guards ---------------------------------------------------------------------------------

def test_history_guards() -> None:
    model = model_of([
        ("Open", "o", "none", ["Held", "Pending"]),
        ("Pending", "p", ["Open", "Held"], ["Held"]),
        ("Held", "h", ["Open", "Pending"],
         ["Open or Pending if the ticket was in Open or Pending status before it was held",
          "Closed if it was in Closed status"]),
    ])
    guarded = {(t.source, t.target): t.guard for t in model.transitions if t.guard}
    back_to_open = guarded[("Held", "Open")]
    assert back_to_open is not None
    assert back_to_open.kind is GuardKind.HISTORY
    assert back_to_open.variable == HISTORY_VARIABLE
    assert back_to_open.values == ("Open",)
    assert back_to_open.text.startswith("Open or Pending if the ticket was in")
    assert back_to_open.span is not None and back_to_open.span.line == 22
    assert str(guarded[("Held", "Pending")]) == "remembered = Pending"
    # "Closed" has no row: the history return to it is kept, to an undefined status
    assert str(guarded[("Held", "Closed")]) == "remembered = Closed"
    assert model.status("Closed").defined is False
    assert model.remembering == ("Held",)


def test_history_guard_naming_other_statuses_keeps_them_all() -> None:
    model = model_of([
        ("Open", "o", "none", ["Held"]),
        ("Held", "h", ["Open"], ["Review if the case was in Open or Pending status"]),
        ("Review", "r", ["Held"], "none"),
    ])
    guard = model.outgoing("Held")[0].guard
    assert guard is not None and guard.values == ("Open", "Pending")
    assert str(guard) == "remembered in {Open, Pending}"


def test_condition_guard_and_conditional_end() -> None:
    model = model_of([
        ("Open", "o", "none", ["Expired"]),
        ("Expired", "e", ["Open"],
         ["Closed if the customer did not reply", "none if the retention policy deleted it"]),
        ("Closed", "c", ["Expired"], "none"),
    ])
    expired = model.status("Expired")
    assert expired.terminal is TerminalKind.CONDITIONAL
    outgoing = model.outgoing("Expired")
    assert [(t.target, str(t.guard)) for t in outgoing] == [
        ("Closed", "cause of Expired = the customer did not reply"),
        (None, "cause of Expired = the retention policy deleted it"),
    ]
    assert all(t.guard is not None and t.guard.kind is GuardKind.CONDITION for t in outgoing)
    cause = model.cause_of("Expired")
    assert cause is not None
    assert cause.variable == "cause of Expired"
    assert [value for value, _ in cause.values] == [
        "the customer did not reply", "the retention policy deleted it"]
    assert model.cause_of("Open") is None


def test_condition_in_a_previous_cell_reads_the_cause_of_the_source() -> None:
    model = model_of([
        ("Open", "o", "none", ""),
        ("Closed", "c", ["Open if the customer confirms"], "none"),
    ])
    (step,) = model.outgoing("Open")
    assert str(step.guard) == "cause of Open = the customer confirms"
    assert model.cause_of("Open") is not None


def test_a_guarded_next_entry_wins_over_an_unguarded_previous_one() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed if the customer confirms"]),
        ("Closed", "c", ["Open"], "none"),
    ])
    (step,) = model.outgoing("Open")
    assert step.guard is not None
    assert step.columns == frozenset({Column.NEXT, Column.PREVIOUS})


# -- undefined statuses, duplicates, prose ----------------------------------------------------

def test_undefined_statuses_are_kept() -> None:
    # a Previous phrase that no Next cell uses is an outside trigger, not a status
    model = model_of([
        ("Open", "o", ["Imported"], ["Spam", "Closed"]),
        ("Closed", "c", ["Open"], "none"),
    ])
    assert model.status("Open").triggers == ("Imported",)
    assert model.names == ("Open", "Closed", "Spam")
    # used as a next status somewhere, the same phrase is an undefined status
    model = model_of([
        ("Open", "o", ["Imported"], ["Spam", "Closed"]),
        ("Closed", "c", ["Open"], ["Imported"]),
    ])
    spam = model.status("Spam")
    imported = model.status("Imported")
    assert (spam.defined, spam.terminal) == (False, TerminalKind.EXIT)
    assert (imported.defined, imported.terminal) == (False, None)  # a source, not an exit
    assert spam.span is not None and spam.span.line == 6
    assert model.names == ("Open", "Closed", "Spam", "Imported")  # in order of mention
    assert model.status("Open").triggers == ()
    assert ("Imported", "Open", None) in steps(model)


def test_duplicate_rows_keep_the_first() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed"]),
        ("Closed", "c", ["Open"], "none"),
        ("open", "again", "none", "none"),
    ])
    assert model.names == ("Open", "Closed")
    assert codes(model) == [("duplicate-status", ("Open",), 13)]
    assert "first at line 1" in model.notes[0].message


def test_prose_in_a_next_cell_is_noted() -> None:
    model = model_of([
        ("Open", "o", "none", ["the order shipped and was signed for at the door"]),
    ])
    assert codes(model) == [("uninterpreted-entry", ("Open",), 5)]
    assert model.transitions == ()


def test_unknown_policy() -> None:
    table = load_text(scraped_text([("Open", "o", "none", "none")]), "t.txt")
    with pytest.raises(StatusproofError, match=r"unknown reconciliation policy 'both'; use one "
                                               r"of union, next, previous, intersection"):
        interpret(table, "both")


# -- reconciliation policies ------------------------------------------------------------------

EXPECTED_BY_POLICY = {
    "union": {("Draft", "Review"), ("Draft", "Published"), ("Draft", "Rejected"),
              ("Draft", "Archived"), ("Review", "Archived")},
    "next": {("Draft", "Review"), ("Draft", "Published"), ("Draft", "Archived")},
    "previous": {("Draft", "Review"), ("Draft", "Rejected"), ("Review", "Archived")},
    "intersection": {("Draft", "Review"), ("Draft", "Published")},
}


@pytest.mark.parametrize("policy", POLICIES)
def test_reconcile_policies(policy: str) -> None:
    model = load_model(COLUMNS_TABLE, policy=policy)
    assert model.policy == policy
    assert {(t.source, t.target) for t in model.transitions} == EXPECTED_BY_POLICY[policy]
    # the links (what each column says) do not depend on the policy
    assert len(model.links) == 6


def test_amendment_additions_survive_every_policy(tmp_path: Path) -> None:
    amend = tmp_path / "a.toml"
    amend.write_text('[[add]]\nfrom = "Review"\nto = "Published"\nsource = "test"\n')
    for policy in POLICIES:
        model = load_model(COLUMNS_TABLE, policy=policy, amendments=amend)
        assert ("Review", "Published") in {(t.source, t.target) for t in model.transitions}


# -- a whole table in another domain ----------------------------------------------------------

def test_ticket_lifecycle_is_interpreted_like_the_seed() -> None:
    model = load_model(TICKET)
    assert model.names == ("New", "Open", "Pending", "On Hold", "Escalated", "Resolved",
                           "Closed (after resolution)", "Expired", "Spam")
    assert model.entries == ("New",)
    assert model.status("New").triggers == (
        "Customer sends an email or fills in the support form",)
    assert {s.name: s.terminal for s in model.statuses if s.terminal} == {
        "Closed (after resolution)": TerminalKind.DOCUMENTED,
        "Expired": TerminalKind.CONDITIONAL,
        "Spam": TerminalKind.EXIT,
    }
    assert [s.name for s in model.statuses if not s.defined] == ["Spam"]
    assert model.remembering == ("On Hold",)
    assert steps(model) == {
        ("New", "Open", None), ("New", "Spam", None),
        ("Open", "Pending", None), ("Open", "On Hold", None), ("Open", "Escalated", None),
        ("Open", "Resolved", None),
        ("Pending", "Open", None), ("Pending", "On Hold", None), ("Pending", "Expired", None),
        ("On Hold", "Open", "remembered = Open"),
        ("On Hold", "Pending", "remembered = Pending"),
        ("On Hold", "Escalated", "remembered = Escalated"),
        ("On Hold", "Expired", None),
        ("Escalated", "Open", None), ("Escalated", "On Hold", None),
        ("Escalated", "Resolved", None),
        ("Resolved", "Open", "cause of Resolved = the customer reopens the ticket"),
        ("Resolved", "Closed (after resolution)", None),
        ("Expired", "Closed (after resolution)",
         "cause of Expired = the customer did not reply within seven days"),
        ("Expired", None, "cause of Expired = the retention policy deleted it"),
    }
    # both columns agree everywhere except the undefined exit and the conditional end
    one_column = {(t.source, t.target) for t in model.transitions
                  if t.columns != frozenset({Column.NEXT, Column.PREVIOUS})}
    assert one_column == {("New", "Spam"), ("Expired", None)}
    # "See Pending status." in Escalated's Previous cell copied Pending's predecessors
    assert {link.source for link in model.links
            if link.target == "Escalated" and link.column is Column.PREVIOUS} == {
        "Open", "On Hold"}
    assert model.notes == ()
    lines = {(t.source, t.target): [s.line for s in t.spans] for t in model.transitions}
    assert lines[("On Hold", "Pending")] == [43, 29]
    assert lines[("Expired", None)] == [86]
