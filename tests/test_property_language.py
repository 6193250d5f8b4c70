"""The property language of ``statusproof check --property``: parsing (with the column of a
mistake), name resolution (with a did-you-mean), and each form's answer with its witness or
counterexample, on the bundled model and the ticket table of tests/fixtures/formal/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_cli

from statusproof.checks.findings import Finding, Severity
from statusproof.checks.properties import (
    PropertyError,
    check_property,
    load_properties,
    parse_property,
    property_checks,
)
from statusproof.model import load_model
from statusproof.model.errors import UnknownStatusError
from statusproof.model.model import Model
from statusproof.model.trace import trace_from_dict

FORMAL = Path(__file__).resolve().parent / "fixtures" / "formal"
TICKET = FORMAL / "ticket-history.txt"


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def ticket() -> Model:
    return load_model(TICKET)


def answer(model: Model, text: str) -> Finding:
    return check_property(model, parse_property(text, model))


def statuses(model: Model, f: Finding) -> list[str]:
    trace = trace_from_dict(model, f.evidence_dict()["trace"])
    return [str(s.state) if s.state else "(end)" for s in trace.steps]


# -- parsing ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "kind", "first", "second", "terminal"), [
    ("never Waiting after Active", "never-after", {"Waiting"}, {"Active"}, False),
    ("NEVER connecting AFTER waiting", "never-after", {"Connecting"}, {"Waiting"}, False),
    ("Active reachable", "reachable", {"Active"}, None, False),
    ("Active reachable from Offline", "reachable-from", {"Active"}, {"Offline"}, False),
    ("a terminal is always reachable", "always-reachable", set(), None, True),
    ("terminal always reachable", "always-reachable", set(), None, True),
    ("after Rebooting, eventually Active or a terminal", "response", {"Rebooting"},
     {"Active"}, True),
    ("after Rebooting eventually (Active | Waiting | terminal)", "response", {"Rebooting"},
     {"Active", "Waiting"}, True),
    # short names, full names with qualifiers, and quotes
    ("Closed reachable", "reachable", {"Closed (by active customer)"}, None, False),
    ("'Removed from TC queue (after timeout)' reachable from Collaborating",
     "reachable-from", {"Removed from TC queue (after timeout)"}, {"Collaborating"}, False),
    ("never Connecting after \"Removed from TC queue\"", "never-after", {"Connecting"},
     {"Removed from TC queue"}, False),
])
def test_parse(rescue: Model, text: str, kind: str, first: set[str], second: set[str] | None,
               terminal: bool) -> None:
    prop = parse_property(text, rescue)
    assert prop.kind == kind
    assert set(prop.first.statuses) == first
    if prop.kind == "response":
        assert prop.second is not None
        assert set(prop.second.statuses) == second
        assert prop.second.terminal is terminal
    elif second is not None:
        assert prop.second is not None and set(prop.second.statuses) == second
    else:
        assert prop.first.terminal is terminal


def test_names_holding_a_keyword(rescue: Model) -> None:
    """'after' and 'from' inside a status name do not end the set."""
    prop = parse_property("never Active after Removed from TC queue (after timeout)", rescue)
    assert prop.second is not None
    assert set(prop.second.statuses) == {"Removed from TC queue (after timeout)"}


@pytest.mark.parametrize(("text", "column", "what"), [
    ("never Waiting afterwards Active", 32, "expected 'after SET' after 'never SET'"),
    ("after Rebooting Active", 23, "expected 'eventually SET' after 'after SET'"),
    ("Active is fine", 1, "a property starts with 'never' or 'after', or says 'reachable'"),
    ("Active reachable to Waiting", 18, "expected 'from SET' or the end after 'reachable'"),
    ("never Waiting after (Active | Offline", 38, "'(' is not closed"),
    ("never Waiting after 'Active", 21, "this quote is not closed"),
    ("never after Active", 7, "a set of statuses is missing here"),
    ("after Rebooting eventually Active |", 35, "a status is missing between separators"),
    ("Active | | Waiting reachable", 10, "a status is missing between separators"),
    ("", 1, "the property is empty"),
])
def test_parse_errors_give_the_column(rescue: Model, text: str, column: int,
                                      what: str) -> None:
    with pytest.raises(PropertyError, match=re.escape(f"--property: column {column}: {what}; "
                                                      "property syntax: ")):
        parse_property(text, rescue)


def test_parse_error_points_at_the_column(rescue: Model) -> None:
    with pytest.raises(PropertyError) as raised:
        parse_property("never Waiting afterwards Active", rescue)
    lines = str(raised.value).split("\n")
    assert lines[1:] == ["  never Waiting afterwards Active", "  " + " " * 31 + "^"]


def test_unknown_status_has_a_did_you_mean(rescue: Model) -> None:
    with pytest.raises(UnknownStatusError, match=re.escape(
            "--property: column 7: 'Rebootng' is not a status of the model; did you mean "
            "'Rebooting'?")):
        parse_property("after Rebootng eventually Active", rescue)


def test_properties_file(tmp_path: Path, ticket: Model) -> None:
    path = tmp_path / "props.txt"
    path.write_text("# comments and blank lines are skipped\n\nnever New after Open  # tail\n"
                    "Closed reachable\n", encoding="utf-8")
    props = load_properties(path, ticket)
    assert [(p.kind, p.where) for p in props] == [("never-after", f"{path}:3"),
                                                  ("reachable", f"{path}:4")]
    path.write_text("never New after Open\nClosed reachble\n", encoding="utf-8")
    with pytest.raises(PropertyError, match=re.escape(f"{path}:2: column 1: a property starts")):
        load_properties(path, ticket)
    with pytest.raises(PropertyError, match="cannot read the properties file"):
        load_properties(tmp_path / "missing.txt", ticket)


# -- answers ----------------------------------------------------------------------------------
def test_never_after(rescue: Model) -> None:
    violated = answer(rescue, "never Waiting after Active")
    assert violated.code == "property-violated" and violated.severity is Severity.ERROR
    assert statuses(rescue, violated) == ["Connecting", "Waiting", "Active",
                                          "Offline [remembered=Active]", "Waiting"]
    holds = answer(rescue, "never Connecting after Waiting")
    assert holds.code == "property-holds"
    assert holds.evidence_dict()["states"] > 0
    # the same status twice: a revisit is a counterexample
    again = answer(rescue, "never Active after Active")
    assert again.code == "property-violated"


def test_reachability(rescue: Model) -> None:
    found = answer(rescue, "Collaborating reachable")
    assert found.code == "property-holds"
    assert statuses(rescue, found) == ["Invitation", "Collaborating"]
    back = answer(rescue, "Active reachable from Offline")
    assert back.code == "property-holds"
    no = answer(rescue, "Connecting reachable from Waiting")
    assert no.code == "property-violated"
    assert statuses(rescue, no) == ["Connecting", "Waiting"]
    assert "from Waiting no run reaches Connecting" in no.message


def test_terminal_always_reachable(rescue: Model, ticket: Model) -> None:
    assert answer(rescue, "a terminal is always reachable").code == "property-holds"
    stuck = answer(ticket, "Resolved always reachable")
    assert stuck.code == "property-violated"
    assert statuses(ticket, stuck) == ["New", "Rejected"]


def test_response_lasso(rescue: Model) -> None:
    """The issue's example: after Rebooting, eventually Active or a terminal. A run may
    reboot forever through Waiting."""
    lasso = answer(rescue, "after Rebooting, eventually Active or a terminal")
    assert lasso.code == "property-violated"
    assert "loop forever" in lasso.message
    trace = trace_from_dict(rescue, lasso.evidence_dict()["trace"])
    assert [str(s.state) for s in trace.steps] == [
        "Connecting", "Waiting", "Rebooting [remembered=Waiting]", "Waiting",
        "Rebooting [remembered=Waiting]"]
    assert trace.steps[-1].note == "loop: back to step 2"


def test_response_end_without_the_target(ticket: Model) -> None:
    ended = answer(ticket, "after Expired eventually Closed")
    assert ended.code == "property-violated"
    assert "ends in Expired" in ended.message
    assert statuses(ticket, ended)[-2:] == ["Expired [cause=silence]", "(end)"]
    loop = answer(ticket, "after Open eventually Closed")  # Open -> Escalated -> Open ...
    assert "lasso" in loop.message
    holds = answer(ticket, "after Waiting for customer, eventually Open | In progress | terminal")
    assert holds.code == "property-holds"


def test_property_checks_keep_the_order(rescue: Model) -> None:
    props = [parse_property(t, rescue) for t in ("Active reachable", "never Active after Active")]
    assert [f.code for f in property_checks(rescue, props)] == ["property-holds",
                                                                "property-violated"]
    assert property_checks(rescue, []) == []


# -- the command line ---------------------------------------------------------------------------
def test_cli_properties(tmp_path: Path) -> None:
    code, out, err = run_cli(["check", "--severity", "info", "--property",
                              "Collaborating reachable", "--property",
                              "never Waiting after Active"])
    assert (code, err) == (1, "")
    assert "property-violated (1)" in out and "property-holds (1)" in out
    assert "      counterexample: Waiting after Active\n        0. Connecting  (start)\n" in out


def test_cli_property_errors_exit_2(tmp_path: Path) -> None:
    code, out, err = run_cli(["check", "--property", "never Waiting afterwards Active"])
    assert (code, out) == (2, "")
    assert err.startswith("statusproof: --property: column 32: expected 'after SET'")
    code, _, err = run_cli(["check", "--property", "Rebootng reachable"])
    assert code == 2
    assert "did you mean 'Rebooting'?" in err
    bad = tmp_path / "bad.properties"
    bad.write_text("Active reachable\nnever\n", encoding="utf-8")
    code, _, err = run_cli(["check", "--properties", str(bad)])
    assert code == 2
    assert f"{bad}:2: column" in err


def test_cli_properties_without_z3() -> None:
    code, out, _ = run_cli(["check", "--severity", "info", "--no-formal", "--property",
                            "Active reachable"])
    assert code == 0
    assert "property-holds (1)" in out
    assert "history-proved" not in out
