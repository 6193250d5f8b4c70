"""The compiled model: timing rules from the timers, step plans, and the gap search (the fast
table lookup must agree with the full label search)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.logcheck.compiled import INF, Compiled, witness_delays
from statusproof.model import load_model
from statusproof.model.machine import State, unfold
from statusproof.model.model import Model

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
RESCUE = load_model()
PARCEL = load_model(LOGS / "parcel.txt")


def test_timing_reads_deadlines_and_minimums_from_the_timers() -> None:
    timing = Compiled(RESCUE).timing
    assert timing.deadline == {"Reconnecting": 300.0, "Rebooting": 300.0}
    assert timing.minimum == {("Reconnecting", "Offline", None): 300.0,
                              ("Rebooting", "Offline", None): 300.0,
                              ("Waiting", "Timed out", "admin"): 60.0,
                              ("Active", "Timed out", "admin"): 60.0}
    # the two-week system timeout counts from the start of the session
    two_weeks = 14 * 86400.0
    assert timing.session_deadline == dict.fromkeys(
        ("Active", "Waiting", "Incoming", "Outgoing"), two_weeks)
    assert timing.session_minimum[("Active", "Timed out", "system")] == two_weeks
    assert ("On Hold", "Timed out", "admin") not in timing.minimum
    parcel = Compiled(PARCEL).timing
    assert parcel.deadline == {"Held": 600.0, "Out for delivery": 3600.0}


def test_plan_classifies_why_a_change_does_not_fit() -> None:
    compiled = Compiled(RESCUE)
    rebooting = compiled.belief([State("Rebooting", "Active")])
    assert compiled.plan(rebooting, ("Incoming",), None).failure == "guard"
    assert compiled.plan(rebooting, ("Connecting",), None).failure == "not-in-table"
    assert compiled.plan(rebooting, ("Rebooting",), None).failure == "repeat"
    active = compiled.plan(rebooting, ("Active",), None)
    assert active.failure is None and active.untimed
    assert active.result is compiled.belief([State("Active")])
    offline = compiled.plan(rebooting, ("Offline",), None)
    assert not offline.untimed and [o.lower for o in offline.options] == [300.0]
    assert offline.options[0].target == State("Offline", "Active")


def test_beliefs_are_interned() -> None:
    compiled = Compiled(RESCUE)
    a = compiled.belief([State("Offline", "Incoming"), State("Offline", "Active")])
    b = compiled.belief([State("Offline", "Active"), State("Offline", "Incoming")])
    assert a is b and a.label == "Offline" and not a.final


def test_explain_finds_a_missed_status_with_its_path() -> None:
    compiled = Compiled(RESCUE)
    incoming = compiled.belief([State("Incoming")])
    found = compiled.explain(incoming, 30, 55, 55,
                             frozenset({"Removed from TC queue (after closed by technician)"}))
    best = found.shortest()
    assert best is not None
    start, steps = best
    assert start == State("Incoming")
    assert [s.state.status for s in steps] == [
        "Active", "Removed from TC queue (after closed by technician)"]
    assert witness_delays(55, 55, 0.0, steps) == (55.0, 0.0)


def test_explain_respects_timers_on_unseen_steps() -> None:
    compiled = Compiled(PARCEL)
    held = compiled.belief([State("Held", "In transit")])
    # Held -> Returned takes exactly ten minutes (a fixed timer is also a deadline)
    assert not compiled.explain(held, 0, 599, 599, frozenset({"Returned"})).ends
    assert compiled.explain(held, 0, 600, 600, frozenset({"Returned"})).ends
    assert compiled.explain(held, 0, 400, 400, frozenset({"Returned"}), waive_first=True).ends == {}
    late = compiled.explain(held, 650, 700, 700, frozenset({"Returned"}), waive_first=True)
    assert set(late.ends) == {State("Returned")}


def _states(model: Model) -> list[State]:
    return sorted(unfold(model).nodes, key=str)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), model=st.sampled_from([RESCUE, PARCEL]),
       slack=st.sampled_from([0.0, 5.0]))
def test_fast_explain_agrees_with_the_full_search(data: st.DataObject, model: Model,
                                                  slack: float) -> None:
    compiled = Compiled(model, slack)
    states = _states(model)
    belief = compiled.belief(data.draw(st.lists(st.sampled_from(states), min_size=1,
                                                max_size=3)))
    already = data.draw(st.sampled_from([0.0, 10.0, 299.0, 300.0, 301.0, 650.0, 5000.0]))
    low = already + data.draw(st.sampled_from([0.0, 1.0, 30.0, 300.0, 600.0, 3601.0,
                                               1209600.0, 2e6]))
    high = low + data.draw(st.sampled_from([0.0, 60.0]))
    statuses = data.draw(st.one_of(st.none(), st.frozensets(st.sampled_from(model.names),
                                                            min_size=1, max_size=2)))
    waive = data.draw(st.booleans())
    empty = data.draw(st.booleans())
    fast = compiled.explain(belief, already, low, high, statuses, None, waive, empty)

    def goal(state: State) -> bool:
        if statuses is None:
            return compiled.is_final(state)
        return state.status in statuses

    full = compiled.search(belief, already, low, high, goal, waive, empty)
    assert set(fast.ends) == set(full.ends)
    for end, (_, steps) in fast.ends.items():
        assert steps or empty
        if steps:
            assert steps[-1].state == end
            total_low = sum(s.low for s in steps)
            total_high = sum(s.high for s in steps)
            assert total_low <= high + slack and total_high >= low - slack


def test_least_paths_are_cached_per_state() -> None:
    compiled = Compiled(RESCUE)
    table = compiled.least_paths(State("Waiting"))
    assert compiled.least_paths(State("Waiting")) is table
    (end, lo, hi, steps), = table.by_status["Offline"][:1]
    assert end.status == "Offline" and lo == 0.0 and hi == INF
    assert [s.state.status for s in steps] == ["Active", "Offline"]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), model=st.sampled_from([RESCUE, PARCEL]),
       slack=st.sampled_from([0.0, 5.0]))
def test_direct_gap_shortcut_gives_what_the_search_gives(data: st.DataObject, model: Model,
                                                         slack: float) -> None:
    compiled = Compiled(model, slack)
    belief = compiled.belief(data.draw(st.lists(st.sampled_from(_states(model)), min_size=1,
                                                max_size=2)))
    targets = tuple(sorted(data.draw(st.frozensets(st.sampled_from(model.names), min_size=1,
                                                   max_size=2))))
    already = data.draw(st.sampled_from([0.0, 10.0, 299.0, 301.0]))
    elapsed = already + data.draw(st.sampled_from([0.0, 1.0, 30.0, 300.0, 3601.0, 2e6]))
    plan = compiled.direct_gap(belief, targets, frozenset(targets), None)
    if plan is None or elapsed > belief.least_deadline + slack:
        return
    found = compiled.explain(belief, already, elapsed, elapsed, frozenset(targets))
    assert plan.result is not None
    assert set(plan.result.states) == set(found.ends)
