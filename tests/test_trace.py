"""Traces: replaying status sequences through the machine, and the shared trace format."""

from __future__ import annotations

import json

import pytest
from conftest import TABLES

from statusproof.model import load_model
from statusproof.model.errors import UnknownStatusError
from statusproof.model.machine import State
from statusproof.model.model import Model
from statusproof.model.trace import Trace, TraceStep, format_trace, replay, trace_to_dict

TICKET = TABLES / "ticket-lifecycle.txt"
REVIEW = TABLES / "ticket-lifecycle.review.toml"


@pytest.fixture(scope="module")
def ticket() -> Model:
    return load_model(TICKET, amendments=REVIEW)


def test_replay_and_format(ticket: Model) -> None:
    trace = replay(ticket, ["new", "Open", "On Hold", "Open", "Pending", "Expired", "end"],
                   causes=["retention"], title="expired by the retention policy")
    assert trace.statuses == ("New", "Open", "On Hold", "Open", "Pending", "Expired")
    assert trace.states[2] == State("On Hold", "Open")
    assert trace.states[-1] == State("Expired", None, "retention")
    assert trace.ended
    assert format_trace(trace) == (
        "  expired by the retention policy\n"
        "    0. New  (start)\n"
        "    1. Open  (line 7)\n"
        "    2. On Hold [remembered=Open]  (line 20)\n"
        "    3. Open  (when remembered = Open; line 43)\n"
        "    4. Pending  (line 19)\n"
        "    5. Expired [cause=retention]  (line 33)\n"
        "    6. (end of run)  (when expiry = retention; line 86)\n"
    )


def test_cause_defaults_to_the_first_value(ticket: Model) -> None:
    trace = replay(ticket, ["New", "Open", "Pending", "Expired", "Closed"])
    assert trace.states[3].cause == "reply"
    assert not trace.ended


def test_trace_to_dict_is_json(ticket: Model) -> None:
    trace = replay(ticket, ["New", "Open", "On Hold", "Open"])
    data = trace_to_dict(trace)
    assert json.loads(json.dumps(data)) == data
    assert data["ended"] is False
    assert data["steps"][0] == {"status": "New", "remembered": None, "cause": None,
                                "delay": None, "transition": None, "note": ""}
    assert data["steps"][2]["remembered"] == "Open"
    assert data["steps"][2]["transition"] == {"source": "Open", "target": "On Hold",
                                              "guard": None, "line": 20}


def test_delays_and_notes_are_shown() -> None:
    trace = Trace((TraceStep(State("A")), TraceStep(State("B"), None, 300, "timer")))
    assert format_trace(trace, indent="") == "  0. A  (start)\n  1. B  (after 300s; start; timer)\n"


@pytest.mark.parametrize(("statuses", "match"), [
    ([], r"^an empty trace has no entry point$"),
    (["Open"], r"^'Open' is not an entry point; entry points: New$"),
    (["New", "Opne"], r"^'Opne' is not a status of the model; statuses: New, Open, "),
    (["New", "Open", "On Hold", "Pending"],
     r"^step On Hold -> Pending is not allowed in state On Hold \[remembered=Open\]; allowed: "
     r"Expired, Open$"),
    (["New", "Open", "end"], r"^the run cannot end in Open$"),
])
def test_replay_errors(ticket: Model, statuses: list[str], match: str) -> None:
    with pytest.raises(UnknownStatusError, match=match):
        replay(ticket, statuses)


def test_rescue_history_return_through_offline() -> None:
    model = load_model()
    trace = replay(model, ["Connecting", "Waiting", "Outgoing", "Reconnecting", "Offline",
                           "Outgoing"])
    assert [s.remembered for s in trace.states] == [None, None, None, "Outgoing", "Outgoing",
                                                    None]
    with pytest.raises(UnknownStatusError, match=r"allowed: .*Incoming, "):
        replay(model, ["Connecting", "Waiting", "Incoming", "Reconnecting", "Offline",
                       "On Hold"])
