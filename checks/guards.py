"""Guard analysis for every status: dead guards, overlapping guards, gaps.

For each reachable status with guarded exits, the reachable values of the variables the guards
read (the remembered status, the cause) are taken from the unfolded machine. Each question is
answered twice: by evaluating the guards in the reachable states (which also gives the witness
state), and by z3, with the reachable values as one labelled assertion and the guards as
others (which gives the unsat core when the answer is "never"). The two must agree; a
disagreement is reported as ``check-disagreement``.

- ``dead-guard``: a guard that holds in no reachable state (z3 unsat; the core names the guard
  and the values);
- ``overlapping-guards``: two guarded exits to different places that hold in the same
  reachable state (the witness is a run into it). Pairs of conditions on a status's cause
  variable are :mod:`statusproof.checks.timeouts`' business;
- ``guard-gap``: a reachable state with no exit, in a status that is not terminal (the run is
  stuck). Statuses with a cause variable are checked by :mod:`~statusproof.checks.timeouts`;
- ``guards-exclusive``: none of these, with the evidence.
"""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from itertools import combinations
from typing import Any

from statusproof.model.errors import SolverUnknownError
from statusproof.model.machine import State, enabled, is_final, machine_graph
from statusproof.model.model import GuardKind, Model, TerminalKind, Transition
from statusproof.model.trace import Trace

from . import solver
from .findings import Finding, finding
from .system import CAUSE, REMEMBERED, Const, Encoding, Eq, Formula, Not, Var, conjoin, disjoin
from .witness import Search, lazy_run, make_trace

__all__ = ["guard_checks"]


def _label(transition: Transition, model: Model) -> str:
    guard = transition.guard
    span = guard.span if guard is not None and guard.span is not None else (
        transition.spans[0] if transition.spans else None)
    where = "-" if span is None else (f"line {span.line}" if span.path == model.path
                                      else str(span))
    target = transition.target or "(end of run)"
    return f"{where}: {transition.source} -> {target} when {guard}"


def _values_text(states: list[State]) -> str:
    remembered = sorted({s.remembered or "none" for s in states})
    causes = sorted({s.cause or "none" for s in states})
    return f"remembered in {{{', '.join(remembered)}}}, cause in {{{', '.join(causes)}}}"


def guard_checks(model: Model, timeout_ms: int = solver.DEFAULT_TIMEOUT_MS) -> list[Finding]:
    """Dead, overlapping and incomplete guards of every reachable status."""
    graph = machine_graph(model)
    search: Search[State] = Search(graph, graph.initial)
    encoding = Encoding(model)
    at: dict[str, list[State]] = defaultdict(list)
    for state in search.order:
        at[state.status].append(state)
    found: list[Finding] = []
    for name in model.names:
        guarded = [t for t in model.outgoing(name) if t.guard is not None]
        states = at.get(name, [])
        if not guarded or not states:
            continue
        try:
            found.extend(_status(model, name, guarded, states, encoding, search, timeout_ms))
        except SolverUnknownError as e:
            found.append(finding("solver-unknown", f"the guards of {name} are not settled: {e}",
                                 [name], (), model.status(name).span, {"check": "guards"}))
    return found


def _state_key(state: State) -> tuple[str, str, str]:
    """A total order of states (None sorts before every name)."""
    return (state.status, "" if state.remembered is None else "\x01" + state.remembered,
            "" if state.cause is None else "\x01" + state.cause)


def _cause_overlap(model: Model, name: str) -> bool:
    """Whether two exits of ``name`` to different places hold for one value of its cause (an
    exit that does not read the cause holds for every value)."""
    cause = model.cause_of(name)
    assert cause is not None
    every = frozenset(v for v, _ in cause.values)
    exits = []
    for t in model.outgoing(name):
        guard = t.guard
        if guard is None or guard.kind is not GuardKind.CONDITION:
            exits.append((t.target, every))
        else:
            exits.append((t.target, frozenset(v for v in every if guard.holds(v))))
    if model.status(name).terminal is TerminalKind.DOCUMENTED:
        exits.append((None, every))
    return any(a[0] != b[0] and a[1] & b[1] for a, b in combinations(exits, 2))


def _disagree(name: str, what: str) -> Finding:
    return finding("check-disagreement",
                   f"z3 and the exhaustive search disagree on {what} in {name}; this is a bug "
                   "in statusproof, please report it", [name], (), None, {"check": "guards"})


def _status(model: Model, name: str, guarded: list[Transition], states: list[State],
            encoding: Encoding, search: Search[State], timeout_ms: int) -> list[Finding]:
    def formula(state: State) -> Formula:
        values = encoding.encode(state)
        return conjoin((Eq(Var(REMEMBERED), Const(values[REMEMBERED])),
                        Eq(Var(CAUSE), Const(values[CAUSE]))))

    reach = (f"the reachable values in {name}: {_values_text(states)}",
             disjoin(formula(s) for s in sorted(set(states), key=_state_key)))

    def witness(state: State, title: str) -> tuple[Any, Any]:
        """The witness path and trace evidence of a run into ``state``, built when shown."""
        return lazy_run(partial(_run, search, state, title))

    found: list[Finding] = []
    evidence: dict[str, Any] = {"values": reach[0], "dead": [], "disjoint": None, "gap": None}
    status = model.status(name)
    # the guarded exits enabled in each reachable state (states in search order)
    on = [[t for t in guarded if enabled(t, s)] for s in states]
    first: dict[Transition, State | None] = dict.fromkeys(guarded)
    for state, exits in zip(states, on, strict=True):
        for t in exits:
            if first[t] is None:
                first[t] = state
    for transition in guarded:
        if first[transition] is not None:
            continue
        label = _label(transition, model)
        answer = solver.check([reach, (label, encoding.guard(transition))],
                              f"the guard {label}", timeout_ms)
        if answer.sat:
            found.append(_disagree(name, f"whether {label} can be taken"))
            continue
        evidence["dead"].append(label)
        found.append(finding(
            "dead-guard",
            f"{transition.source} -> {transition.target or '(end of run)'} can never be "
            f"taken: its guard {transition.guard} holds in no reachable state of {name} "
            f"(z3 unsat with {reach[0]})",
            [name] + ([transition.target] if transition.target else []), (),
            transition.guard.span if transition.guard else None,
            {"unsat_core": list(answer.core), "guard": str(transition.guard)}))

    cause_status = model.cause_of(name) is not None
    pairs = [(a, b) for a, b in combinations(guarded, 2) if a.target != b.target
             and not (cause_status and all(t.guard is not None
                                           and t.guard.kind is GuardKind.CONDITION
                                           for t in (a, b)))]
    wanted = set(pairs)
    together: dict[tuple[Transition, Transition], State] = {}
    if wanted:
        for state, exits in zip(states, on, strict=True):
            for pair in combinations(exits, 2):  # in the order of `guarded`, as `pairs`
                if pair in wanted and pair not in together:
                    together[pair] = state
    overlaps = [(a, b, together[(a, b)]) for a, b in pairs if (a, b) in together]
    if pairs:
        both = (f"two guarded exits to different places hold together: "
                f"{'; '.join(f'{_label(a, model)} / {_label(b, model)}' for a, b in pairs)}",
                disjoin(conjoin((encoding.guard(a), encoding.guard(b))) for a, b in pairs))
        answer = solver.check([reach, both], f"the overlaps of the guards of {name}",
                              timeout_ms)
        if answer.sat != bool(overlaps):
            found.append(_disagree(name, "overlapping guards"))
        elif not answer.sat:
            evidence["disjoint"] = {"unsat_core": list(answer.core)}
    for a, b, state in overlaps:
        path, trace = witness(state, f"witness: both {a.target or '(end)'} and "
                                     f"{b.target or '(end)'} are possible in {state}")
        found.append(finding(
            "overlapping-guards",
            f"in {state}, both {_label(a, model)} and {_label(b, model)} hold: the table does "
            "not say which happens",
            [name] + [t.target for t in (a, b) if t.target], path,
            status.next_span or status.span, {"trace": trace}))

    unguarded = any(t.guard is None for t in model.outgoing(name))
    if not unguarded and not cause_status and not any(is_final(model, s) for s in states):
        # every exit is guarded here, so `on` lists every exit enabled in a state
        stuck = next((s for s, enabled_here in zip(states, on, strict=True)
                      if not enabled_here), None)
        blocked = [(f"not {_label(t, model)}", Not(encoding.guard(t)))
                   for t in model.outgoing(name)]
        answer = solver.check([reach, *blocked], f"the exits of {name}", timeout_ms)
        if answer.sat != (stuck is not None):
            found.append(_disagree(name, "whether a state has no exit"))
        elif stuck is not None:
            path, trace = witness(stuck, f"witness: no exit in {stuck}")
            found.append(finding(
                "guard-gap",
                f"in {stuck} no exit of {name} is enabled and the run cannot end: it is stuck",
                [name], path, status.next_span or status.span, {"trace": trace}))
        else:
            evidence["gap"] = {"unsat_core": list(answer.core)}
    if not found and not (cause_status and _cause_overlap(model, name)):
        # (a status whose cause exits overlap is timeouts.py's timeout-overlap: never call it
        # exclusive here)
        found.append(finding(
            "guards-exclusive",
            f"{name}: its {len(guarded)} guarded exit(s) can each be taken" +
            (", and no two to different places hold in the same reachable state (z3 unsat)"
             if pairs else "") +
            ("; every reachable state has an exit (z3 unsat)" if evidence["gap"] is not None
             else ""),
            [name], (), status.next_span or status.span,
            {**evidence, "taken_in": {_label(t, model): str(first[t]) for t in guarded}}))
    return found


def _run(search: Search[State], state: State, title: str) -> Trace:
    return make_trace(search.graph, search.path(state), lambda s: s, title)
