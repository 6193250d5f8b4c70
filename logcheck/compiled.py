"""The model compiled for checking logs: interned beliefs and per-change plans.

This module owns what the log checker asks of the model, computed once per model (and timer
settings) so that checking a record costs O(1) amortised: the steps of each machine state with
their timing (:mod:`.timing`), the interned :class:`~.beliefs.Belief` of a set of states with
its per-record :class:`~.beliefs.Plan` cached on it, and the gap search of :mod:`.gapsearch`.

The steps themselves come from :func:`statusproof.model.machine.successors`, so the checker
agrees with every other part of statusproof on what a step is. Reading records and deciding
what to report is left to :mod:`.checker`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping

from statusproof.model.machine import (
    State,
    cause_values,
    initial_states,
    is_final,
    machine_graph,
    remembered_after,
    successors,
)
from statusproof.model.model import Model, Transition
from statusproof.model.names import normalise

from .beliefs import Belief, Edge, Option, Plan
from .gapsearch import Explanation, GapSearch, PathStep, PathTable, _Candidate, witness_delays
from .timing import INF, Timing, seconds_text, state_key

__all__ = [
    "INF",
    "Timing",
    "Edge",
    "Option",
    "Plan",
    "Belief",
    "PathStep",
    "Explanation",
    "PathTable",
    "Compiled",
    "state_key",
    "seconds_text",
    "witness_delays",
]


class Compiled(GapSearch):
    """A model compiled for history checking (see the module docstring)."""

    def __init__(self, model: Model, slack: float = 0.0,
                 values: Mapping[int, int | None] | None = None) -> None:
        self.model = model
        self.slack = float(slack)
        self.values = dict(values or {})
        self.timing = Timing.of(model, values)
        #: documented transitions taken by timed steps (coverage)
        self.timed: Counter[Transition] = Counter()
        self._succ: dict[State, tuple[Edge, ...]] = {}
        self._final: dict[State, bool] = {}
        self._beliefs: dict[tuple[State, ...], Belief] = {}
        self._quick: dict[tuple[State, ...], Belief] = {}
        self._tables: dict[State, PathTable] = {}
        #: the belief after a gap, by (candidate list, explained goal states as bits)
        self._after: dict[tuple[int, int], Belief] = {}
        self._goals: dict[tuple[frozenset[str] | None, str | None],
                          Callable[[State], bool]] = {}
        self._candidates: dict[tuple[Belief, frozenset[str] | None, str | None],
                               list[tuple[State, list[_Candidate]]]] = {}
        self._pairs = {(t.source, t.target) for t in model.transitions if t.target is not None}
        self.entries = frozenset(model.entries)
        self._order = {name: index for index, name in enumerate(model.names)}
        self._initial = initial_states(model)
        self._starts: dict[tuple[tuple[str, ...], str | None], Belief | None] = {}
        graph = machine_graph(model)  # (the light graph: no networkx in the log checker)
        by_status: dict[str, set[State]] = {}
        for state in graph.nodes:
            by_status.setdefault(state.status, set()).add(state)
        self._by_status = by_status
        self.lost = Belief((), frozenset(), False, False, None, lost=True)
        self._cause_names: dict[str, dict[str, str]] = {}
        for cause in model.causes:
            names = {normalise(v): v for v, _ in cause.values}
            names.update({normalise(text): v for v, text in cause.values})
            self._cause_names[cause.status] = names

    # -- states and beliefs -------------------------------------------------------------
    def successors(self, state: State) -> tuple[Edge, ...]:
        edges = self._succ.get(state)
        if edges is None:
            timing = self.timing
            edges = tuple(
                Edge(step.transition, step.target,
                     0.0 if step.target is None else timing.lower(state.status, step.target),
                     0.0 if step.target is None
                     else timing.session_lower(state.status, step.target))
                for step in successors(self.model, state))
            self._succ[state] = edges
        return edges

    def is_final(self, state: State) -> bool:
        final = self._final.get(state)
        if final is None:
            final = is_final(self.model, state)
            self._final[state] = final
        return final

    def belief(self, states: Iterable[State]) -> Belief:
        """The interned belief of ``states``."""
        given = tuple(states)
        quick = self._quick.get(given)
        if quick is not None:
            return quick
        key = tuple(sorted(set(given), key=state_key))
        found = self._beliefs.get(key)
        if found is None:
            statuses = frozenset(s.status for s in key)
            deadlines = [self.timing.deadline.get(s) for s in statuses]
            deadline = None if not deadlines or None in deadlines else max(
                d for d in deadlines if d is not None)
            ages = [self.timing.session_deadline.get(s) for s in statuses]
            found = Belief(
                key, statuses,
                final=any(self.is_final(s) for s in key),
                ended=bool(key) and all(e.target is None for s in key
                                        for e in self.successors(s)),
                deadline=deadline,
                least_deadline=min((d for d in deadlines if d is not None), default=INF),
                session_deadline=None if not ages or None in ages else max(
                    a for a in ages if a is not None))
            self._beliefs[key] = found
        if len(self._quick) > 65536:
            self._quick.clear()
        self._quick[given] = found
        return found

    def beliefs(self) -> Iterable[Belief]:
        """Every belief interned so far (with the plans cached on it)."""
        return self._beliefs.values()

    def cause_value(self, status: str, recorded: str) -> str | None:
        """The cause value a recorded cause names for ``status`` (None: not one of its)."""
        return self._cause_names.get(status, {}).get(normalise(recorded))

    def has_cause(self, status: str) -> bool:
        return status in self._cause_names

    def _fits(self, state: State, cause: str | None) -> bool:
        return cause is None or state.cause is None or state.cause == cause

    def start(self, targets: tuple[str, ...], cause: str | None) -> Belief | None:
        """The belief of a session whose first record shows ``targets`` (None: not an entry)."""
        key = (targets, cause)
        if key not in self._starts:
            states = [s for s in self._initial if s.status in targets and self._fits(s, cause)]
            self._starts[key] = self.belief(states) if states else None
        return self._starts[key]

    def anywhere(self, targets: tuple[str, ...], cause: str | None) -> Belief:
        """Every state with one of ``targets``: what a session may be in when nothing before
        is known (a partial history, or after an unknown status)."""
        states: set[State] = set()
        for status in targets:
            states.update(s for s in self._by_status.get(status, ()) if self._fits(s, cause))
            states.update(State(status, None, c) for c in cause_values(self.model, status)
                          if self._fits(State(status, None, c), cause))
        return self.belief(states)

    def pair_listed(self, source: str, target: str) -> bool:
        """Whether the table lists a step from ``source`` to ``target`` at all."""
        return (source, target) in self._pairs

    # -- one observed change ------------------------------------------------------------
    def plan(self, belief: Belief, targets: tuple[str, ...], cause: str | None) -> Plan:
        """The outcome of a change into ``targets`` (cached on the belief)."""
        key = (targets, cause)
        found = belief.plans.get(key)
        if found is not None:
            return found
        options = tuple(
            Option(source, edge.transition, edge.target, edge.lower, edge.session_lower)
            for source in belief.states for edge in self.successors(source)
            if edge.target is not None and edge.target.status in targets
            and self._fits(edge.target, cause))
        untimed = all(o.lower <= 0 and o.session_lower <= 0 for o in options)
        result = self.belief(o.target for o in options) if options and untimed else None
        failure: str | None = None
        if not options:
            sources = belief.statuses
            if set(targets) <= sources and not any(self.pair_listed(s, s) for s in targets):
                failure = "repeat"
            elif not any(self.pair_listed(s, t) for s in sources for t in targets):
                failure = "not-in-table"
            elif any(e.target is not None and e.target.status in targets
                     for s in belief.states for e in self.successors(s)):
                failure = "cause"
            else:
                failure = "guard"
        resync = self.belief(
            State(t, remembered_after(self.model, s, t), c)
            for s in belief.states for t in targets
            for c in cause_values(self.model, t) if cause is None or c is None or c == cause)
        found = Plan(options, untimed, result, resync, failure,
                     frozenset(o.transition for o in options))
        belief.plans[key] = found
        return found

    def direct_gap(self, belief: Belief, targets: tuple[str, ...], wanted: frozenset[str],
                   cause: str | None) -> Plan | None:
        """The plan of a gap that one direct step explains exactly, else None.

        That is so when the direct steps into ``targets`` have no minimum and reach every goal
        state that any path reaches: then, for an elapsed time within the deadline of the
        statuses left, :meth:`explain` would find exactly the plan's result (each direct step
        fits the time; a longer path adds no goal state). The caller checks the deadline.
        """
        plan = belief.plans.get((targets, cause)) or self.plan(belief, targets, cause)
        if plan.direct is None:
            plan.direct = False
            if plan.result is not None and plan.untimed:
                key = (belief, wanted, cause)
                groups = self._candidates.get(key)
                if groups is None:
                    groups = self._candidates[key] = self._gather(
                        belief, self._goal(wanted, cause), wanted)
                plan.direct = {end for end, _ in groups} == set(plan.result.states)
        return plan if plan.direct else None

    def allowed(self, belief: Belief, dwell: float | None = None) -> tuple[str, ...]:
        """What the model allows next from ``belief`` (after ``dwell`` seconds, if given)."""
        items: set[str] = set()
        later: set[tuple[str, float]] = set()
        for state in belief.states:
            for edge in self.successors(state):
                if edge.target is None:
                    items.add("(end)")
                    continue
                if dwell is not None and edge.lower > dwell + self.slack:
                    later.add((edge.target.status, edge.lower))
                else:
                    items.add(edge.target.status)
        for status, lower in sorted(later):
            if status not in items:
                items.add(f"{status} (only after {seconds_text(lower)})")
        return tuple(sorted(items))

