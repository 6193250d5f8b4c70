"""Tests of the machine under test (conformance.machine) and its explicit form (conformance.fsm).

The step function is checked against the Rescue lifecycle's documented behaviour (history
through Offline, the five-minute timers, the timeout cause) and against a helpdesk fixture
table in another domain; the explicit machine's minimisation and separating words are checked
exhaustively (every two states of one status are told apart by their words).
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.conformance.fsm import explore
from statusproof.conformance.machine import (
    Configuration,
    Input,
    Machine,
    MachineError,
    MachineState,
    default_configurations,
)
from statusproof.model import load_model
from statusproof.model.machine import State, unfold

HELPDESK = Path(__file__).resolve().parent / "fixtures" / "conformance" / "helpdesk.txt"


@pytest.fixture(scope="module")
def rescue() -> Machine:
    return Machine(load_model())


@pytest.fixture(scope="module")
def helpdesk() -> Machine:
    return Machine(load_model(HELPDESK))


def drive(machine: Machine, entry: str, inputs: list[Input], config: int = 0) -> list[str]:
    start = next(s for s in machine.starts() if s.state.status == entry
                 and s.configuration == machine.configurations[config])
    return [o.status for o in machine.run(start, inputs)]


def test_default_configurations_cover_minimum_and_off() -> None:
    configs = default_configurations(load_model())
    assert [c.name for c in configs] == ["minimum", "never"]
    assert configs[0].as_dict() == {
        "Waiting sessions will time out (1-999 minutes, 0 = never)": 60,
        "Active session idle time-out (1-999 minutes, 0 = never)": 60}
    assert set(configs[1].as_dict().values()) == {None}
    assert [c.name for c in default_configurations(load_model(HELPDESK))] == ["minimum", "never"]


def test_go_accepts_the_model_steps_and_refuses_the_others(rescue: Machine) -> None:
    answers = drive(rescue, "Connecting", [Input.go("Active"), Input.go("Waiting"),
                                           Input.go("Active"), Input.go("Connecting")])
    assert answers == ["Connecting", "Waiting", "Active", "Active"]


def test_history_survives_offline_and_picks_the_return(rescue: Machine) -> None:
    go = Input.go
    answers = drive(rescue, "Connecting", [go("Waiting"), go("Outgoing"), go("Reconnecting"),
                                           Input.wait(300), go("Incoming"), go("Outgoing")])
    assert answers == ["Waiting", "Outgoing", "Reconnecting", "Offline", "Offline",
                       "Outgoing"]


@pytest.mark.parametrize(("seconds", "expected"), [
    ([299], ["Reconnecting"]),
    ([300], ["Offline"]),
    ([301], ["Offline"]),
    ([299, 1], ["Reconnecting", "Offline"]),
    ([150, 149, 1], ["Reconnecting", "Reconnecting", "Offline"]),
])
def test_the_five_minute_timer_fires_when_the_time_reaches_it(
        rescue: Machine, seconds: list[int], expected: list[str]) -> None:
    prefix = [Input.go("Waiting"), Input.go("Reconnecting")]
    answers = drive(rescue, "Connecting", prefix + [Input.wait(s) for s in seconds])
    assert answers[2:] == expected


def test_timeouts_set_their_cause_and_the_cause_guards_the_next_step(rescue: Machine) -> None:
    closing = Input.go("Removed from TC queue (after closed by technician)")
    # minimum configuration: the Admin-defined timeout fires after 60 s
    admin = drive(rescue, "Connecting", [Input.go("Waiting"), Input.wait(60), closing], 0)
    assert admin == ["Waiting", "Timed out", "Removed from TC queue (after closed by technician)"]
    # the Admin-defined timeouts off: only the two-week system timeout, which ends the session
    system = drive(rescue, "Connecting", [Input.go("Waiting"), Input.wait(60),
                                          Input.wait(14 * 86400), closing], 1)
    assert system == ["Waiting", "Waiting", "Timed out", "Timed out"]


def test_a_long_wait_fires_timers_in_a_row() -> None:
    machine = Machine(load_model(HELPDESK))
    start = machine.starts()[0]
    q = machine.start_state(start)
    for name in ("Open", "Waiting on customer", "Paused"):
        q = machine.go(q, name).state
    # Paused, minimum configuration: expires after one hour with cause "retention"
    outcome = machine.wait(q, 3600 * 5)
    assert outcome.status == "Expired"
    assert outcome.state.state.cause == "retention"
    assert [t.target for t in outcome.timers] == ["Expired"]


def test_a_refused_go_and_zero_wait_change_nothing(rescue: Machine) -> None:
    q = MachineState(0, State("Reconnecting", "Waiting"), 120)
    assert rescue.go(q, "Connecting").state == q
    assert rescue.go(q, "Connecting").refused
    assert rescue.wait(q, 0).state == q


def test_abstract_waits_are_relative_to_the_deadline(rescue: Machine) -> None:
    from statusproof.conformance.machine import BEFORE, UNTIL, Symbol
    fresh = MachineState(0, State("Reconnecting", "Waiting"), 0)
    late = MachineState(0, State("Reconnecting", "Waiting"), 299)
    untimed = MachineState(0, State("Offline", "Waiting"), 0)
    assert rescue.concrete(fresh, Symbol(BEFORE)) == Input.wait(299)
    assert rescue.concrete(fresh, Symbol(UNTIL)) == Input.wait(300)
    assert rescue.concrete(late, Symbol(UNTIL)) == Input.wait(1)
    assert rescue.concrete(untimed, Symbol(UNTIL)) == Input.wait(rescue.horizon)
    assert rescue.horizon == 14 * 86400


def test_bad_configurations_are_refused_with_the_reason() -> None:
    model = load_model()
    key = "Active session idle time-out (1-999 minutes, 0 = never)"
    other = "Waiting sessions will time out (1-999 minutes, 0 = never)"
    with pytest.raises(MachineError, match=r"no value for setting\(s\) \['Waiting sessions"):
        Machine(model, [Configuration("c", ((key, 60),))])
    with pytest.raises(MachineError, match=r"= 5s is outside 60-59940s"):
        Machine(model, [Configuration("c", ((key, 5), (other, 60)))])
    with pytest.raises(MachineError, match=r"unknown setting\(s\) \['Lunch'\]"):
        Machine(model, [Configuration("c", ((key, 60), (other, 60), ("Lunch", 1)))])
    with pytest.raises(MachineError, match="names must differ"):
        Machine(model, [Configuration("c", ((key, 60), (other, 60)))] * 2)


def test_a_model_without_entry_point_is_refused() -> None:
    broken = Path(__file__).resolve().parent / "fixtures" / "tables" / "broken-no-entry.txt"
    with pytest.raises(MachineError, match="no entry point"):
        Machine(load_model(broken))


def test_explore_contains_every_unfolded_state_and_step(rescue: Machine) -> None:
    explicit = explore(rescue)
    model = rescue.model
    graph = unfold(model)
    for config in range(len(rescue.configurations)):
        states = {q.state for q in explicit.states if q.configuration == config}
        assert states == set(graph.nodes)
    # every step of the unfolded model is a move from some state: a go, or a timer firing
    # (a step only a timer takes is never a go)
    moves = {(explicit.states[q].state, explicit.states[t].state, rescue.alphabet[a].kind)
             for q, a, t in explicit.edges()}
    for source, target in graph.edges():
        kinds = {kind for u, v, kind in moves if (u, v) == (source, target)}
        if (source.status, target.status) in rescue.timed:
            # only a timer takes it, and only with the cause a timer of the status sets
            # (Incoming -> Timed out with cause admin never happens: no admin timer there)
            fired = any(t.status == source.status and t.target == target.status
                        and t.cause in (None, target.cause) for t in model.timers)
            assert kinds - {"across"} == ({"until"} if fired else set()), \
                (source, target, kinds)
        else:
            assert "go" in kinds, (source, target, kinds)
    assert explicit.size == 216
    # a status-clock region per timed state: entered, and one second before the deadline
    timed = [q for q in explicit.states if q.clock]
    assert {q.state.status for q in timed} == {"Active", "Waiting", "Rebooting", "Reconnecting"}
    # the session clock: fresh, one second before two weeks, and past two weeks
    assert {q.age for q in explicit.states} == {0, 14 * 86400 - 1, 14 * 86400}


@pytest.mark.parametrize("table", [None, HELPDESK], ids=["rescue", "helpdesk"])
def test_separating_words_separate_and_identifiers_are_harmonised(table: Path | None) -> None:
    explicit = explore(Machine(load_model(table)))
    minimal = explicit.minimise()
    _, ids = minimal.splitting_tree()
    for p, q in combinations(range(minimal.size), 2):
        word = minimal.separating(p, q)
        if not word:
            assert minimal.statuses[p] != minimal.statuses[q]
            continue
        assert minimal.answers(p, word) != minimal.answers(q, word)
        assert len(word) == minimal.split_round(p, q)
        shared = [w for w in ids[p] if w in ids[q]
                  and minimal.answers(p, w) != minimal.answers(q, w)]
        assert shared, f"identifiers of {p} and {q} share no separating word"


def test_minimisation_merges_exactly_the_equivalent_states(rescue: Machine) -> None:
    explicit = explore(rescue)
    minimal = explicit.minimise()
    assert minimal.size == 82
    # Offline remembering Active behaves like Offline remembering Waiting; not like Incoming
    index = explicit.index
    active = index[MachineState(0, State("Offline", "Active"), 0)]
    waiting = index[MachineState(0, State("Offline", "Waiting"), 0)]
    incoming = index[MachineState(0, State("Offline", "Incoming"), 0)]
    assert minimal.classes[active] == minimal.classes[waiting]
    assert minimal.classes[active] != minimal.classes[incoming]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(range(21)), max_size=12))
def test_states_of_one_class_answer_alike(word: list[int]) -> None:
    explicit = _RESCUE_EXPLICIT
    minimal = explicit.minimise()
    for q in range(explicit.size):
        c = minimal.classes[q]
        end = explicit.run(q, word)
        assert minimal.classes[end] == minimal.run(c, word)


_RESCUE_EXPLICIT = explore(Machine(load_model()))


def test_a_step_only_a_timer_takes_is_refused_on_request(rescue: Machine) -> None:
    answers = drive(rescue, "Connecting", [
        Input.go("Waiting"), Input.go("Timed out", "admin"), Input.go("Reconnecting"),
        Input.go("Offline"), Input.go("Timed out", "system"), Input.wait(300)])
    # Waiting -> Timed out and Reconnecting -> Offline are taken only by their timers;
    # Reconnecting -> Timed out is an ordinary step
    assert answers == ["Waiting", "Waiting", "Reconnecting", "Reconnecting", "Timed out",
                       "Timed out"]


def test_the_system_timeout_counts_from_the_start_of_the_session(rescue: Machine) -> None:
    two_weeks = 14 * 86400
    answers = drive(rescue, "Connecting", [
        Input.go("Waiting"), Input.wait(two_weeks - 1), Input.go("Reconnecting"),
        Input.wait(300), Input.go("Waiting")], config=1)
    # Offline after two weeks and 299 s: going back to Waiting, the system timeout is overdue
    assert answers == ["Waiting", "Waiting", "Reconnecting", "Offline", "Timed out"]
    start = next(s for s in rescue.starts() if s.configuration.name == "never")
    outcome = rescue.run(start, [Input.go("Waiting"), Input.wait(two_weeks - 1),
                                 Input.go("Reconnecting"), Input.wait(300),
                                 Input.go("Waiting")])[-1]
    assert [t.target for t in outcome.steps] == ["Waiting", "Timed out"]
    assert outcome.state.state.cause == "system"
    assert outcome.state.age == two_weeks + 299


def _clock_trace(machine: Machine, case: object) -> object:
    """A test as a trace with delays (time spent in a status before each step), the format
    statusproof.model.clocks.check_run reads."""
    from statusproof.model.trace import Trace, TraceStep
    start, inputs = case.start, case.inputs  # type: ignore[attr-defined]
    steps = [TraceStep(start.state)]
    q = machine.start_state(start)
    entered_at = 0
    for outcome in machine.run(start, inputs):
        for transition, after in zip(outcome.steps, outcome.path, strict=True):
            steps.append(TraceStep(after.state, transition, after.age - entered_at))
            entered_at = after.age
        q = outcome.state
    del q
    return Trace(tuple(steps))


@pytest.mark.parametrize("table", [None, HELPDESK], ids=["rescue", "helpdesk"])
def test_every_generated_run_keeps_the_formal_clock_rules(table: Path | None) -> None:
    """The machine under test and the formal checks' timed model (model.clocks) agree: every
    run of the tour, pair and boundary suites is a run check_run accepts."""
    from statusproof.conformance.generate import generate
    from statusproof.model.clocks import Clocks
    model = load_model(table)
    machine = Machine(model)
    clocks = Clocks(model)
    explicit = explore(machine)
    suites = generate(model, ["transitions", "pairs", "boundaries"], explicit=explicit)
    checked = 0
    for configuration in machine.configurations:
        values = {s.index: (s.fixed if s.fixed is not None else
                            configuration.value(s.text)) for s in clocks.settings}
        for suite in suites:
            for case in suite.tests:
                if case.start.configuration != configuration:
                    continue
                trace = _clock_trace(machine, case)
                assert clocks.check_run(trace, values) is None, case.name  # type: ignore[arg-type]
                checked += 1
    assert checked == sum(s.size for s in suites)
    assert machine.timed == clocks.timed
