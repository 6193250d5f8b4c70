"""Differential test: every verdict the checks give is re-checked on the very model it speaks of.

Hypothesis writes tables in every cell shape the grammar knows (plain statuses, unconditioned
exits beside conditional ones, ``otherwise`` in several wordings, history conditions and
returns to "the previous status" in several wordings, ``none`` with and without conditions,
clauses the grammar cannot read). For each table the graph and formal checks run, and then,
independently of them, by explicit exploration of the model's machine through
:func:`statusproof.model.machine.successors`:

- ``history-proved``: no reachable step from an interruption status to a history target is
  taken while the run was in another status before the interruption;
- ``guards-exclusive``: every guarded exit is taken in some reachable state, no two guarded
  exits to different places (the pairs guards.py owns) are enabled in one reachable state,
  and, when claimed, every reachable state has an exit;
- ``timeout-exclusive``: for every cause value exactly one outcome is possible;
- every witness and counterexample run replays step by step from an initial state;
- no status is called both overlapping and exclusive; no verdict stands on an uncertain
  model where the uncertainty could change it.
"""

from __future__ import annotations

from collections import deque
from itertools import combinations, pairwise
from typing import Any

from conftest import scraped_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding
from statusproof.checks.formal import formal_checks
from statusproof.checks.history import history_spec
from statusproof.checks.system import Encoding, evaluate
from statusproof.model.interpret import interpret
from statusproof.model.loaders.text import load_text
from statusproof.model.machine import State, enabled, initial_states, is_final, successors
from statusproof.model.model import GuardKind, Model, TerminalKind
from statusproof.model.trace import trace_from_dict

NAMES = ["Open", "Held", "Paused", "Review", "Closed"]
CONDITIONS = ["the customer asks", "the payment fails", "the order is large"]


@st.composite
def entry(draw: st.DrawFn, me: str, names: list[str]) -> str:
    x = draw(st.sampled_from(names))
    y = draw(st.sampled_from(names))
    cond = draw(st.sampled_from(CONDITIONS))
    shapes = [
        x, f"{x} or {y}", f"{x}/{y}", f"{x} if {cond}", f"{x}, if {cond}", f"{x} ({cond})",
        f"{x} when {cond}", f"{x} unless {cond}", f"{x} once {cond}", "none",
        f"none if {cond}", "n/a", "none otherwise", f"If {cond}: {x}",
        f"{x} otherwise", f"otherwise {x}", f"{x} in all other cases", f"{x} (default)",
        f"{x} if it was in {x} status", f"{x} or {y} if the case was in {x} or {y} status",
        f"{x} if the case was formerly in {x} or {y}", f"{x} provided it had been in {x}",
        f"{x} if it was previously {y}", "the previous status",
        "reverts to whatever status it had before the pause",
        "the item is archived after a very long time", f"{x} if {cond}, otherwise {y}",
    ]
    return draw(st.sampled_from(shapes))


@st.composite
def tables(draw: st.DrawFn) -> str:
    count = draw(st.integers(2, 5))
    names = NAMES[:count]
    rows = []
    for i, name in enumerate(names):
        nexts = draw(st.lists(entry(name, names), min_size=0 if i else 1, max_size=4))
        previous: Any = "none" if i == 0 else draw(st.one_of(
            st.just(""), st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True),
            st.just("Order placed")))
        rows.append((name, f"The {name.lower()} step.", previous, nexts))
    return scraped_text(rows)


def reachable(model: Model) -> dict[State, None]:
    seen = dict.fromkeys(initial_states(model))
    queue = deque(seen)
    while queue:
        state = queue.popleft()
        for step in successors(model, state):
            if step.target is not None and step.target not in seen:
                seen[step.target] = None
                queue.append(step.target)
    return seen


def check_history_proved(model: Model) -> None:
    spec = history_spec(model)
    assert spec is not None
    inside, targets = set(spec.interruption), set(spec.targets)
    start = [(s, None) for s in initial_states(model)]
    seen = set(start)
    queue = deque(start)
    while queue:
        state, was = queue.popleft()
        for step in successors(model, state):
            if step.target is None:
                continue
            if state.status in inside and step.target.status in targets:
                assert was == step.target.status, (state, was, step.target)
            after = None
            if step.target.status in inside:
                after = was if state.status in inside else state.status
            node = (step.target, after)
            if node not in seen:
                seen.add(node)
                queue.append(node)


def check_guards_exclusive(model: Model, f: Finding, states: dict[State, None]) -> None:
    name = f.statuses[0]
    at = [s for s in states if s.status == name]
    guarded = [t for t in model.outgoing(name) if t.guard is not None]
    for t in guarded:
        assert any(enabled(t, s) for s in at), (name, t)
    cause = model.cause_of(name) is not None
    for a, b in combinations(guarded, 2):
        if a.target == b.target or (cause and all(
                t.guard is not None and t.guard.kind is GuardKind.CONDITION for t in (a, b))):
            continue
        assert not any(enabled(a, s) and enabled(b, s) for s in at), (name, a, b)
    if "every reachable state has an exit" in f.message:
        for s in at:
            assert is_final(model, s) or any(True for _ in successors(model, s)), s


def check_timeout_exclusive(model: Model, name: str) -> None:
    cause = model.cause_of(name)
    assert cause is not None
    for value, _ in cause.values:
        outcomes = {t.target for t in model.outgoing(name)
                    if t.guard is None or t.guard.kind is not GuardKind.CONDITION
                    or t.guard.holds(value)}
        if model.status(name).terminal is TerminalKind.DOCUMENTED:
            outcomes.add(None)
        assert len(outcomes) == 1, (name, value, outcomes)


def replay(model: Model, evidence: dict[str, Any]) -> None:
    trace = trace_from_dict(model, evidence["trace"])
    steps = trace.steps
    assert steps[0].state in initial_states(model), steps[0]
    for before, after in pairwise(steps):
        assert before.state is not None
        following = [(s.transition, s.target) for s in successors(model, before.state)]
        assert (after.transition, after.state) in following, (before, after)


def verify(model: Model, findings: list[Finding]) -> None:
    states = reachable(model)
    # one semantics: the z3 encoding's guards hold exactly where the machine's do
    encoding = Encoding(model)
    for state in states:
        for t in model.outgoing(state.status):
            assert evaluate(encoding.guard(t), encoding.encode(state)) == enabled(t, state)
    assert not [f for f in findings if f.code in ("check-disagreement", "solver-unknown")]
    called: dict[str, set[str]] = {}
    for f in findings:
        evidence = f.evidence_dict()
        if f.code == "history-proved":
            check_history_proved(model)
        elif f.code == "guards-exclusive":
            check_guards_exclusive(model, f, states)
        elif f.code == "timeout-exclusive":
            check_timeout_exclusive(model, f.statuses[0])
        if evidence.get("trace"):
            replay(model, evidence)
        if f.statuses:
            called.setdefault(f.statuses[0], set()).add(f.code)
    for status, codes in called.items():
        said_exclusive = codes & {"guards-exclusive", "timeout-exclusive"}
        said_overlap = codes & {"timeout-overlap", "overlapping-guards"}
        assert not (said_exclusive and said_overlap), (status, codes)
    uncertain = any(s.unread_next for s in model.statuses if s.name in {x.status for x in states})
    if uncertain:
        assert not any(f.code == "history-proved" for f in findings)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_every_verdict_holds_on_its_model(text: str) -> None:
    model = interpret(load_text(text, "t.txt"))
    findings = [*graph_checks(model), *formal_checks(model)]
    verify(model, findings)


def test_plain_exit_beside_a_condition_overlaps() -> None:
    """The case of the issue: 'C if <condition>' beside a plain 'D' is an overlap, with a run
    that replays, never "exclusive and complete ... otherwise -> D"."""
    text = scraped_text([
        ("Open", "New.", "none", ["Held if the customer asks", "Closed"]),
        ("Held", "Paused.", ["Open"], "none"),
        ("Closed", "Done.", ["Open"], "none"),
    ])
    model = interpret(load_text(text, "t.txt"))
    findings = list(formal_checks(model))
    [overlap] = [f for f in findings if f.code == "timeout-overlap"]
    assert "for cause of Open = the customer asks both Held" in overlap.message
    assert "write 'Closed otherwise' if it is the default" in overlap.message
    assert not [f for f in findings if f.code in ("timeout-exclusive", "guards-exclusive")]
    verify(model, findings)
    # with "otherwise" the exits partition the cause
    text = text.replace("- Closed\n", "- Closed otherwise\n")
    model = interpret(load_text(text, "t.txt"))
    findings = list(formal_checks(model))
    [exclusive] = [f for f in findings if f.code == "timeout-exclusive"]
    assert exclusive.evidence_dict()["exits"] == {"the customer asks": ["Held"],
                                                  "otherwise": ["Closed"]}
    verify(model, findings)
