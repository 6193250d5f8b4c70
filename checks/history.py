"""History restoration: interrupted runs go back to the status they were in.

A table with history says things like "Incoming or Outgoing if the session was in Incoming or
Outgoing status before the customer's device tried to reboot or reconnect". This module states
that promise generically and checks it:

- the **interruption statuses** are those that remember (:attr:`Status.remembers`) or whose
  exits read the remembered status (a history guard): an interruption is a stretch of a run
  spent in them;
- the ghost variable ``was`` records the status the run was in when the interruption began
  (it is not part of the machine; it is what the promise talks about);
- the **history targets** are the statuses the history guards name; a table with remembering
  statuses but no history guard promises nothing narrower, so every status that can start an
  interruption is then a target.

Checked here:

1. *restoration* (safety, all run lengths): every step from an interruption status to a
   history target ``R`` is taken only when ``was = R``. Proved by induction with z3 (an
   invariant that holds initially, is kept by every step and excludes every bad state) and
   cross-checked by an exhaustive search of the unfolded machine with the ghost; a failure
   gives ``history-violation`` with a counterexample from an entry point;
2. *unguarded returns*: a step back to a status that may start an interruption (but is no
   history target) that does not depend on ``was`` (``unguarded-return``);
3. *no way back*: a reachable interruption state from which no step returns to ``was``
   (``history-lost`` for a history target, ``no-way-back`` otherwise).

Dead guards and the other guard findings are :mod:`statusproof.checks.guards`'.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from itertools import pairwise
from typing import Any

from statusproof.model.budget import check_budget, ticker
from statusproof.model.errors import SolverUnknownError
from statusproof.model.machine import State, machine_graph
from statusproof.model.model import GuardKind, Model, Transition
from statusproof.model.record import record
from statusproof.model.stategraph import StateGraph, ancestors
from statusproof.model.trace import Trace

from . import solver
from .findings import Finding, finding
from .system import (
    CAUSE,
    NONE,
    REMEMBERED,
    STATUS,
    WAS,
    And,
    Const,
    Encoding,
    Eq,
    Formula,
    In,
    Or,
    Partitioned,
    Var,
    conjoin,
    disjoin,
    ne,
)
from .witness import Search, first_transition, lazy_run, make_trace

__all__ = ["HistorySpec", "HistoryGraph", "history_spec", "explore", "history_checks",
           "Verdict", "prove_restoration", "restoration_bad"]

Node = tuple[State, str | None]


@record
class HistorySpec:
    """What history restoration means for a model (see the module docstring)."""

    interruption: tuple[str, ...]
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    from_guards: bool


def history_spec(model: Model) -> HistorySpec | None:
    """The interruption statuses, the statuses that start interruptions and the history
    targets of ``model``; None when nothing in the model remembers or reads history."""
    readers = {t.source for t in model.transitions
               if t.guard is not None and t.guard.kind is GuardKind.HISTORY}
    inside = set(model.remembering) | readers
    if not inside:
        return None
    sources = tuple(s for s in model.names if s not in inside
                    and any(t.target in inside for t in model.outgoing(s)))
    named = {v for t in model.transitions if t.guard is not None
             and t.guard.kind is GuardKind.HISTORY and not t.guard.negated
             for v in t.guard.values}
    targets = tuple(s for s in model.names if s in named and s not in inside) if named \
        else sources
    return HistorySpec(tuple(s for s in model.names if s in inside), sources, targets,
                       bool(named))


@record(frozen=False)
class HistoryGraph:
    """The unfolded machine with the ghost ``was``: nodes are (state, was) pairs."""

    graph: StateGraph[Node]
    search: Search[Node]


def explore(model: Model, spec: HistorySpec) -> HistoryGraph:
    """Every reachable (state, was) pair: the product of
    :func:`~statusproof.model.machine.machine_graph` with the ghost. The search checks the
    run's time budget."""
    unfolded = machine_graph(model)
    inside = set(spec.interruption)
    initial: list[Node] = [(s, None) for s in unfolded.initial]
    graph: StateGraph[Node] = StateGraph()
    for node in initial:
        graph.add_node(node)
    graph.initial = tuple(initial)
    frontier = list(initial)
    tick = ticker(lambda: f"the history checks' search ({len(graph)} states so far)")
    while frontier:
        following = []
        for node in frontier:
            tick()
            state, was = node
            entering = was if state.status in inside else state.status
            for target, transition in unfolded.out_edges(state):
                child = (target, entering if target.status in inside else None)
                if child not in graph:
                    following.append(child)
                graph.add_edge(node, child, transition)
        frontier = following
    return HistoryGraph(graph, Search(graph, initial))


# -- the explicit search ------------------------------------------------------------------------
@record
class _Case:
    """A reachable state from which ``transition`` leads somewhere it should not."""

    node: Node
    child: Node
    transition: Transition


def _returns(model: Model, spec: HistorySpec, hg: HistoryGraph,
             targets: set[str]) -> dict[Transition, list[_Case]]:
    """Steps from an interruption status into ``targets`` taken with ``was`` another status."""
    inside = set(spec.interruption)
    found: dict[Transition, list[_Case]] = defaultdict(list)
    for node in hg.search.order:
        state, was = node
        if state.status not in inside:
            continue
        for child, transition in hg.graph.out_edges(node):
            if transition.target in targets and was != transition.target:
                found[transition].append(_Case(node, child, transition))
    return found


def _pick(order: dict[str, int], hg: HistoryGraph, cases: Sequence[_Case]) -> _Case:
    """The case to show: the first wrong ``was`` in table order (``order``: the model's
    names), reached soonest."""
    return min(cases, key=lambda c: (order.get(c.node[1] or "", len(order)),
                                     hg.search.order[c.node]))


def _note(spec: HistorySpec) -> Any:
    inside = set(spec.interruption)

    def note(node: Node) -> str:
        state, was = node
        if state.status in inside and was != state.remembered:
            return f"before the interruption: {was or 'nothing'}"
        return ""
    return note


def _wrong(model: Model, cases: Sequence[_Case]) -> list[str]:
    values = {c.node[1] for c in cases}
    return [n for n in model.names if n in values] + (["nothing"] if None in values else [])


def _case_trace(spec: HistorySpec, hg: HistoryGraph, case: _Case, title: str,
                note: str) -> Trace:
    path = hg.search.path(case.node)
    return make_trace(hg.graph, path, lambda n: n[0], title, _note(spec),
                      (case.transition, case.child[0], note))


def _node_trace(spec: HistorySpec, hg: HistoryGraph, node: Node, title: str) -> Trace:
    return make_trace(hg.graph, hg.search.path(node), lambda n: n[0], title, _note(spec))


# -- the z3 proof ---------------------------------------------------------------------------
def restoration_bad(encoding: Encoding, model: Model, spec: HistorySpec) -> Partitioned:
    """The bad states of restoration, by status: a step to a history target ``R`` is enabled
    in an interruption status while ``was`` is not ``R``."""
    inside, targets = set(spec.interruption), set(spec.targets)
    cases: dict[int, list[Formula]] = defaultdict(list)
    for t in model.transitions:
        if t.source in inside and t.target is not None and t.target in targets:
            cases[encoding.code[t.source]].append(
                conjoin((encoding.guard(t), ne(Var(WAS), Const(encoding.code[t.target])))))
    return Partitioned(STATUS, tuple((code, disjoin(parts)) for code, parts in
                                     sorted(cases.items())))


def _invariants(encoding: Encoding, hg: HistoryGraph) -> tuple[Partitioned, Partitioned]:
    """Two candidate invariants from the reachable states: per status, the set of values of
    each variable and the equality remembered = was where it always holds (a projection,
    short and readable); and the reachable states themselves (the strongest invariant)."""
    by_status: dict[int, list[dict[str, int]]] = defaultdict(list)
    for state, was in hg.search.order:
        values = encoding.encode(state, was)
        by_status[values[STATUS]].append(values)
    projection, exact = [], []
    for code in sorted(by_status):
        rows = by_status[code]
        parts: list[Formula] = [In(Var(name), tuple(sorted({r[name] for r in rows})))
                                for name in (REMEMBERED, CAUSE, WAS)]
        if all(r[REMEMBERED] == r[WAS] for r in rows) and any(r[WAS] != NONE for r in rows):
            parts.append(Eq(Var(REMEMBERED), Var(WAS)))
        projection.append((code, conjoin(parts)))
        exact.append((code, disjoin(
            conjoin(Eq(Var(name), Const(r[name])) for name in (REMEMBERED, CAUSE, WAS))
            for r in sorted(rows, key=lambda r: (r[REMEMBERED], r[CAUSE], r[WAS])))))
    return Partitioned(STATUS, tuple(projection)), Partitioned(STATUS, tuple(exact))


def _describe(encoding: Encoding, invariant: Partitioned) -> list[str]:
    """The invariant, one line per status, in words."""
    def name(value: int, variable: str) -> str:
        if value == NONE:
            return "none"
        return encoding.causes[value] if variable == CAUSE else encoding.statuses[value]

    def words(formula: Formula) -> str:
        if isinstance(formula, In) and isinstance(formula.term, Var):
            variable = formula.term.name
            shown = [name(v, variable) for v in formula.values]
            return f"{variable} = {shown[0]}" if len(shown) == 1 else \
                f"{variable} in {{{', '.join(shown)}}}"
        if isinstance(formula, Eq) and isinstance(formula.right, Var) \
                and isinstance(formula.left, Var):
            return f"{formula.left.name} = {formula.right.name}"
        if isinstance(formula, Eq) and isinstance(formula.left, Var) \
                and isinstance(formula.right, Const):
            return f"{formula.left.name} = {name(formula.right.value, formula.left.name)}"
        if isinstance(formula, And):
            return " and ".join(words(p) for p in formula.parts)
        if isinstance(formula, Or):
            return " | ".join(f"({words(p)})" for p in formula.parts)
        return str(formula)  # pragma: no cover

    grouped: dict[str, list[str]] = {}
    for code, part in invariant.parts:
        grouped.setdefault(words(part), []).append(encoding.statuses[code])
    return [f"{', '.join(names)}: {text}" for text, names in grouped.items()]


@record
class Verdict:
    """What z3 says about restoration: ``proved`` (with the invariant it checked),
    ``refuted`` (the counterexamples replay in the encoding), or a disagreement with the
    explicit search (``problem`` says what)."""

    proved: bool
    refuted: bool
    invariant: tuple[str, ...] = ()
    kind: str = ""
    rules: int = 0
    problem: str = ""


def prove_restoration(model: Model, spec: HistorySpec, hg: HistoryGraph,
                      counterexamples: Sequence[_Case] = (),
                      timeout_ms: int = solver.DEFAULT_TIMEOUT_MS) -> Verdict:
    """Settle restoration with z3.

    With no counterexample from the explicit search, an invariant is checked by induction:
    first the projection of the reachable states, then, if that is not inductive or not strong
    enough, the reachable states themselves. With counterexamples, each one is replayed in the
    encoding and must end in a bad state. Raises SolverUnknownError when z3 answers unknown.
    """
    encoding = Encoding(model, spec.interruption)
    system = encoding.system()
    bad = restoration_bad(encoding, model, spec)
    what = "history restoration"
    if counterexamples:
        labels = {rule.transition: rule.label for rule in system.rules}
        for case in counterexamples:
            path = hg.search.path(case.node)
            states = [encoding.encode(*node) for node in path]
            steps = [labels[first_transition(hg.graph, a, b)] for a, b in pairwise(path)]
            end = conjoin((encoding.enabled(case.transition),
                           ne(Var(WAS), Const(encoding.code[case.transition.target or ""]))))
            if not solver.check_path(system, states, steps, end, timeout_ms):
                return Verdict(False, False, problem=(
                    "the explicit search found a counterexample that is not a run of the z3 "
                    "encoding: " + " -> ".join(n[0].status for n in path)))
        return Verdict(False, True, rules=len(system.rules))
    projection, exact = _invariants(encoding, hg)
    for kind, invariant in (("projection", projection), ("reachable states", exact)):
        answer = solver.check_induction(system, invariant, bad, what, timeout_ms)
        if answer.proved:
            return Verdict(True, False, tuple(_describe(encoding, invariant)), kind,
                           len(system.rules))
    # the reachable states must be an invariant of the same step relation
    if answer.initiation is not None:
        problem = f"an initial state is missing from the search: {answer.initiation}"
    elif answer.consecution is not None:
        before, label, after = answer.consecution
        problem = (f"the step {label} leads from a searched state {encoding.decode(before)[0]} "
                   f"to one the search did not reach: {encoding.decode(after)[0]}")
    else:
        problem = ("z3 finds a reachable state that breaks restoration, the explicit search "
                   f"none: {answer.safety}")
    return Verdict(False, False, problem=problem)


# -- findings -----------------------------------------------------------------------------------
def _listing(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def history_checks(model: Model, timeout_ms: int = solver.DEFAULT_TIMEOUT_MS) -> list[Finding]:
    """Restoration (proved or refuted), unguarded returns, and interruptions with no way
    back. Nothing when the model has no history."""
    spec = history_spec(model)
    if spec is None:
        return []
    hg = explore(model, spec)
    found: list[Finding] = []
    targets = set(spec.targets)
    order = {t: i for i, t in enumerate(model.transitions)}
    names = {name: i for i, name in enumerate(model.names)}
    where = ("the statuses the history guards name" if spec.from_guards else
             "every status that can start an interruption (the table has no history guard)")

    violations = _returns(model, spec, hg, targets)
    shown: list[_Case] = []
    for transition in sorted(violations, key=order.__getitem__):
        cases = violations[transition]
        case = _pick(names, hg, cases)
        shown.append(case)
        wrong = _wrong(model, cases)
        target = transition.target or ""
        path, trace = lazy_run(partial(
            _case_trace, spec, hg, case,
            f"counterexample: back to {target} though the run was in "
            f"{case.node[1] or 'nothing'} before the interruption",
            f"not restored: the run was in {case.node[1] or 'nothing'} before"))
        found.append(finding(
            "history-violation",
            f"{transition.source} -> {target} can be taken when the run was not in {target} "
            f"before the interruption (it may have been in {_listing(wrong)}): a run that was "
            f"in {case.node[1] or 'nothing'} comes back {target}",
            [transition.source, target], path, transition.spans[0] if
            transition.spans else None,
            {"trace": trace, "was": wrong, "targets": list(spec.targets)}))

    check_budget("the history checks")
    try:
        verdict = prove_restoration(model, spec, hg, shown, timeout_ms)
    except SolverUnknownError as e:
        found.append(finding(
            "solver-unknown",
            f"history restoration is not settled: {e}; the exhaustive search of "
            f"{hg.graph.number_of_nodes()} states found {len(violations)} violating step(s)",
            spec.interruption, (), None, {"check": "history restoration"}))
        verdict = None
    if verdict is not None and verdict.problem:
        found.append(finding(
            "check-disagreement",
            f"the z3 proof and the exhaustive search disagree on history restoration: "
            f"{verdict.problem}; this is a bug in statusproof, please report it",
            spec.interruption, (), None, {"check": "history restoration"}))
    elif verdict is not None and verdict.proved:
        guards = [t.guard.span for t in model.transitions if t.guard is not None
                  and t.guard.kind is GuardKind.HISTORY and t.guard.span is not None]
        history = [a.span for a in model.amendments if a.kind == "history"]
        found.append(finding(
            "history-proved",
            f"history restoration proved for runs of every length: a run that leaves an "
            f"interruption ({', '.join(spec.interruption)}) for {_listing(spec.targets)} goes "
            f"back to the status it was in before the interruption (inductive invariant "
            f"checked by z3: initiation, consecution over {verdict.rules} steps, safety; the "
            f"exhaustive search of {hg.graph.number_of_nodes()} states agrees)",
            spec.interruption, (), (guards or history or [None])[0],
            {"interruption": list(spec.interruption), "targets": list(spec.targets),
             "targets_are": where, "invariant_kind": verdict.kind,
             "invariant": list(verdict.invariant),
             "z3": {"initiation": "unsat", "consecution": "unsat", "safety": "unsat",
                    "steps": verdict.rules},
             "explicit": {"states": hg.graph.number_of_nodes(), "violations": 0}}))

    # unguarded returns: back to a status that may start an interruption, whatever `was` is
    others = set(spec.sources) - targets
    loose = _returns(model, spec, hg, others)
    for transition in sorted(loose, key=order.__getitem__):
        if transition.guard is not None and transition.guard.kind is GuardKind.HISTORY \
                and not transition.guard.negated:
            continue  # pragma: no cover - history guards name targets
        cases = loose[transition]
        case = _pick(names, hg, cases)
        target = transition.target or ""
        path, trace = lazy_run(partial(
            _case_trace, spec, hg, case,
            f"witness: back to {target} from an interruption that began in "
            f"{case.node[1] or 'nothing'}", "unguarded return"))
        how = ("is not guarded by the remembered status" if transition.guard is None else
               f"is guarded only by {transition.guard} (otherwise)")
        found.append(finding(
            "unguarded-return",
            f"{transition.source} -> {target} {how}: a run "
            f"may come back {target} whatever it was in before the interruption (e.g. "
            f"{case.node[1] or 'nothing'})",
            [transition.source, target], path,
            transition.spans[0] if transition.spans else None,
            {"trace": trace, "was": _wrong(model, cases)}))

    found.extend(_no_way_back(model, spec, hg))
    return found


def _no_way_back(model: Model, spec: HistorySpec, hg: HistoryGraph) -> list[Finding]:
    inside, targets = set(spec.interruption), set(spec.targets)
    nodes = [n for n in hg.search.order if n[0].status in inside]
    sink: Any = ("\x00back",)
    back: dict[Any, list[Any]] = {}
    tick = ticker("the history checks' search for a way back")
    for node in nodes:
        tick()
        steps = back[node] = []
        for child in hg.graph.successors(node):
            if child[0].status in inside:
                steps.append(child)
            elif child[0].status == node[1]:
                steps.append(sink)
    can_return = ancestors(back, [sink])
    groups: dict[tuple[str, str], list[Node]] = defaultdict(list)
    for node in nodes:
        if node[1] is not None and node not in can_return:
            groups[(node[0].status, node[1])].append(node)
    order = {name: i for i, name in enumerate(model.names)}
    found = []
    for (status, was), group in sorted(groups.items(),
                                       key=lambda kv: (order[kv[0][0]], order[kv[0][1]])):
        node = min(group, key=hg.search.order.__getitem__)
        lost = node[0].remembered != was
        why = (f"{status} does not remember it" if lost and not model.status(status).remembers
               else "the remembered status was replaced" if lost
               else f"no step from {status} (or the interruption statuses it leads to) "
                    f"goes to {was}")
        path, trace = lazy_run(partial(_node_trace, spec, hg, node,
                                       f"witness: interrupted in {was}, now in {status}"))
        code = "history-lost" if was in targets else "no-way-back"
        found.append(finding(
            code,
            f"a run that was in {was} before the interruption and reaches {status} can no "
            f"longer return to {was}: {why}",
            [status, was], path, model.status(status).next_span or
            model.status(status).span,
            {"trace": trace, "remembered": node[0].remembered}))
    return found
