"""The extended state machine: states with the remembered status and the cause, steps, and the
unfolded graph, on the ticket table and the bundled Rescue model."""

from __future__ import annotations

import pytest
from conftest import TABLES

from statusproof.model import load_model
from statusproof.model.machine import (
    State,
    cause_values,
    enabled,
    initial_states,
    is_final,
    remembered_after,
    successors,
    unfold,
)
from statusproof.model.model import Model

TICKET = TABLES / "ticket-lifecycle.txt"
REVIEW = TABLES / "ticket-lifecycle.review.toml"


@pytest.fixture(scope="module")
def ticket() -> Model:
    return load_model(TICKET, amendments=REVIEW)


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


def targets(model: Model, state: State) -> list[str]:
    return [str(step.target) if step.target else "(end)" for step in successors(model, state)]


def test_state_text() -> None:
    assert str(State("Open")) == "Open"
    assert str(State("On Hold", "Open")) == "On Hold [remembered=Open]"
    assert str(State("Expired", None, "reply")) == "Expired [cause=reply]"
    assert str(State("X", "A", "b")) == "X [remembered=A, cause=b]"


def test_initial_states(ticket: Model, rescue: Model) -> None:
    assert initial_states(ticket) == (State("New"),)
    assert initial_states(rescue) == (State("Connecting"), State("Invitation"))


def test_cause_values(ticket: Model) -> None:
    assert cause_values(ticket, "Expired") == ("reply", "retention")
    assert cause_values(ticket, "Open") == (None,)


def test_remembered_status(rescue: Model) -> None:
    # entering a remembering status stores the status left
    assert remembered_after(rescue, State("Incoming"), "Rebooting") == "Incoming"
    # moving between remembering statuses keeps it
    assert remembered_after(rescue, State("Rebooting", "Incoming"), "Offline") == "Incoming"
    # entering any other status clears it
    assert remembered_after(rescue, State("Offline", "Incoming"), "Incoming") is None


def test_history_guards_choose_the_return(ticket: Model) -> None:
    assert targets(ticket, State("Open")) == [
        "Pending", "On Hold [remembered=Open]", "Escalated",
        # "Open if the customer reopens the ticket" beside unconditioned exits gives Resolved
        # a cause with that value and "otherwise" (none of the conditions)
        "Resolved [cause=the customer reopens the ticket]", "Resolved [cause=otherwise]",
        "Merged"]
    assert targets(ticket, State("On Hold", "Open")) == [
        "Open", "Expired [cause=reply]", "Expired [cause=retention]"]
    assert targets(ticket, State("On Hold", "Escalated")) == [
        "Escalated", "Expired [cause=reply]", "Expired [cause=retention]"]


def test_condition_guards_and_terminations(ticket: Model) -> None:
    assert targets(ticket, State("Expired", None, "reply")) == ["Closed (after resolution)"]
    assert targets(ticket, State("Expired", None, "retention")) == ["(end)"]
    (end,) = successors(ticket, State("Expired", None, "retention"))
    assert end.transition.target is None and end.target is None
    assert enabled(end.transition, State("Expired", None, "retention"))
    assert not enabled(end.transition, State("Expired", None, "reply"))


def test_final_states(ticket: Model) -> None:
    assert is_final(ticket, State("Closed (after resolution)"))  # documented
    assert is_final(ticket, State("Merged"))  # exit
    assert is_final(ticket, State("Expired", None, "retention"))  # conditional, enabled
    assert not is_final(ticket, State("Expired", None, "reply"))
    assert not is_final(ticket, State("Open"))


def test_unfold_ticket(ticket: Model) -> None:
    graph = unfold(ticket)
    held = sorted(str(s) for s in graph.nodes if s.status == "On Hold")
    assert held == ["On Hold [remembered=Escalated]", "On Hold [remembered=Open]",
                    "On Hold [remembered=Pending]"]
    assert [s for s in graph.nodes if graph.nodes[s]["initial"]] == [State("New")]
    finals = sorted(str(s) for s in graph.nodes if graph.nodes[s]["final"])
    assert finals == ["Closed (after resolution)", "Expired [cause=retention]", "Merged"]
    # every edge is a step the machine allows
    for source, target, data in graph.edges(data=True):
        assert any(step.target == target and step.transition == data["transition"]
                   for step in successors(ticket, source))


def test_unfold_rescue(rescue: Model) -> None:
    graph = unfold(rescue)
    offline = sorted(s.remembered or "" for s in graph.nodes if s.status == "Offline")
    assert offline == ["Active", "Collaborating", "Incoming", "On Hold", "Outgoing", "Waiting"]
    assert not any(s.remembered in ("Rebooting", "Reconnecting", "Offline") for s in graph.nodes)
    timed_out = {s.cause: graph.nodes[s]["final"] for s in graph.nodes if s.status == "Timed out"}
    assert timed_out == {"admin": False, "system": True}
    # a history return is only possible to the status remembered
    assert targets(rescue, State("Offline", "Incoming")).count("Incoming") == 1
    assert "Outgoing" not in targets(rescue, State("Offline", "Incoming"))
    assert "On Hold" not in targets(rescue, State("Reconnecting", "Outgoing"))
