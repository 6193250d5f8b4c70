"""The model compiled for checking histories: step tables, timing rules and the gap search.

This module owns what the history checker asks of the model, computed once per model state
so that checking a record costs O(1) amortised:

- :class:`Belief`: the set of machine states a session may be in after what was recorded
  (several when the record leaves the remembered status or the cause open), interned, with
  its per-record step plans cached on it;
- the timing rules read from the model's timers (:class:`Timing`), on the status clock and
  on the session clock of :mod:`statusproof.model.clocks`: a *deadline* per status (the run
  leaves it when a fixed timer, or a setting that cannot be switched off, falls due) and a
  *minimum* per step (a step a timer makes happens only once the timer can have fallen due);
- :meth:`Compiled.plan`: the outcome of one observed change from a belief;
- :meth:`Compiled.explain`: the gap search for polled snapshots: which states some path of
  the model can reach within an elapsed time, with the path that explains each (on the status
  clock; session-clock timers are left to the checker's per-row deadline).

The steps themselves come from :func:`statusproof.model.machine.successors`, so the checker
agrees with every other part of statusproof on what a step is. Reading records and deciding
what to report is left to :mod:`statusproof.logcheck.checker`.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from statusproof.model.machine import (
    State,
    cause_values,
    initial_states,
    is_final,
    remembered_after,
    successors,
    unfold,
)
from statusproof.model.model import Model, Timer, Transition
from statusproof.model.names import normalise

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

INF = math.inf


def state_key(state: State) -> tuple[str, str, str]:
    """A sort key for states (their fields may be None)."""
    return (state.status, state.remembered or "", state.cause or "")


def _lower_bound(timer: Timer) -> float:
    if timer.seconds is not None:
        return float(timer.seconds)
    return float(timer.minimum or 0)


def _upper_bound(timer: Timer) -> float | None:
    if timer.never:
        return None
    if timer.seconds is not None:
        return float(timer.seconds)
    return float(timer.maximum) if timer.maximum is not None else None


@dataclass(frozen=True)
class Timing:
    """The timing rules of a model, read from its timers (:class:`Timer`), by clock.

    Status clock (the time since the run entered the status):
    ``deadline[status]``: the most seconds a run stays in ``status`` (absent: no limit);
    ``minimum[(source, target, cause)]``: the fewest seconds in ``source`` before a step into
    ``target`` entered with ``cause`` (a step no timer makes has no minimum: 0).

    Session clock (the time since the run started; for Rescue, the two-week system timeout):
    ``session_deadline[status]``: the session age at which a run in ``status`` must leave it
    (it leaves on entry when it is already older); ``session_minimum[(source, target,
    cause)]``: the session age before which the step is not taken.

    The figure of a timer is its ``seconds``; for an administrator's setting, the step's
    minimum is the setting's ``minimum`` and the deadline its ``maximum`` (none when ``never``
    may switch it off): the checker does not know which value was set, so it accepts any.
    """

    deadline: dict[str, float]
    deadline_timer: dict[str, Timer]
    minimum: dict[tuple[str, str, str | None], float]
    minimum_timer: dict[tuple[str, str, str | None], Timer]
    session_deadline: dict[str, float] = field(default_factory=dict)
    session_deadline_timer: dict[str, Timer] = field(default_factory=dict)
    session_minimum: dict[tuple[str, str, str | None], float] = field(default_factory=dict)
    session_minimum_timer: dict[tuple[str, str, str | None], Timer] = field(
        default_factory=dict)

    @classmethod
    def of(cls, model: Model) -> Timing:
        tables: dict[str, tuple[dict[str, float], dict[str, Timer],
                                dict[tuple[str, str, str | None], float],
                                dict[tuple[str, str, str | None], Timer]]] = {
            "status": ({}, {}, {}, {}), "session": ({}, {}, {}, {})}
        for timer in model.timers:
            deadline, deadline_timer, minimum, minimum_timer = tables[
                "session" if timer.clock == "session" else "status"]
            bound = _upper_bound(timer)
            if bound is not None and bound < deadline.get(timer.status, INF):
                deadline[timer.status] = bound
                deadline_timer[timer.status] = timer
            for cause in cause_values(model, timer.target):
                if timer.cause is not None and timer.cause != cause:
                    continue
                key = (timer.status, timer.target, cause)
                low = _lower_bound(timer)
                if low < minimum.get(key, INF):
                    minimum[key] = low
                    minimum_timer[key] = timer
        return cls(*tables["status"], *tables["session"])

    def lower(self, source: str, target: State) -> float:
        """The status-clock minimum of a step (0: none)."""
        return self.minimum.get((source, target.status, target.cause), 0.0)

    def session_lower(self, source: str, target: State) -> float:
        """The session-clock minimum of a step (0: none)."""
        return self.session_minimum.get((source, target.status, target.cause), 0.0)


class Edge(NamedTuple):
    """A step out of a state: ``target`` None is a termination; ``lower`` its minimum dwell,
    ``session_lower`` the session age it needs (status and session clock; 0: none)."""

    transition: Transition
    target: State | None
    lower: float
    session_lower: float = 0.0


class Option(NamedTuple):
    """One way an observed change may be taken: from ``source`` by ``transition``."""

    source: State
    transition: Transition
    target: State
    lower: float
    session_lower: float = 0.0


@dataclass(eq=False)
class Plan:
    """The outcome of one observed change (target statuses, cause) from a belief.

    ``options`` are the steps the model allows, timing aside. When all have no minimum
    dwell, ``untimed`` holds and ``result`` is the belief after the change. ``failure`` names
    why no step fits (``repeat``, ``not-in-table``, ``guard``, ``cause``); ``resync`` is the
    belief to carry on from after a violation: the recorded change taken as if it happened.
    """

    options: tuple[Option, ...]
    untimed: bool
    result: Belief | None
    resync: Belief
    failure: str | None
    transitions: frozenset[Transition]
    count: int = 0
    fitted: dict[tuple[int, ...], Belief] = field(default_factory=dict)
    direct: bool | None = None  # see Compiled.direct_gap


@dataclass(eq=False)
class Belief:
    """The states a session may be in; interned by :class:`Compiled` (compare by identity)."""

    states: tuple[State, ...]
    statuses: frozenset[str]
    final: bool  # a run may end here
    ended: bool  # no step leads on: the session is over
    deadline: float | None  # the latest any of its statuses must be left
    least_deadline: float = INF  # the earliest one of its statuses must be left
    session_deadline: float | None = None  # the same, on the session clock
    lost: bool = False  # what the session is in is unknown (after an unknown status)
    plans: dict[tuple[tuple[str, ...], str | None], Plan] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.lost:
            return "(unknown)"
        return " | ".join(sorted(self.statuses))

    def __str__(self) -> str:
        return ", ".join(str(s) for s in self.states) if self.states else self.label


class PathStep(NamedTuple):
    """One step of an explaining path: ``transition`` into ``state`` after a dwell of
    ``low``..``high`` seconds in the state before it."""

    state: State
    transition: Transition
    low: float
    high: float


@dataclass(frozen=True)
class Explanation:
    """What the gap search found.

    ``ends``: every state a feasible path reaches at the goal (the belief after the gap),
    each with the path (fewest steps first) that explains it; ``reachable``: the statuses some
    path reaches within the elapsed time (what the model allowed); ``decided`` is False when
    the search hit its limit (never taken as a pass).
    """

    ends: dict[State, tuple[State, tuple[PathStep, ...]]]
    reachable: frozenset[str]
    decided: bool = True
    after: Belief | None = None  # the belief of ``ends``, when already known

    def shortest(self) -> tuple[State, tuple[PathStep, ...]] | None:
        """An explaining path of the fewest steps (the first found among equals)."""
        best: tuple[State, tuple[PathStep, ...]] | None = None
        for found in self.ends.values():
            if best is None or len(found[1]) < len(best[1]):
                best = found
        return best


#: (first step's minimum, first state's deadline, rest's summed minimum and maximum, first
#: state, state after the first step, its transition, the rest's steps)
_Candidate = tuple[float, float, float, float, State, State, Transition, tuple[PathStep, ...]]


@dataclass
class PathTable:
    """Least-waiting paths from one state: per status, and to the final states; each item is
    (end state, summed minimum waiting, summed maximum waiting, the steps)."""

    by_status: dict[str, list[tuple[State, float, float, tuple[PathStep, ...]]]]
    finals: list[tuple[State, float, float, tuple[PathStep, ...]]]


class _Label:
    __slots__ = ("depth", "edge", "hi", "high", "lo", "low", "parent", "state")

    def __init__(self, state: State, lo: float, hi: float, parent: _Label | None,
                 edge: Transition | None, low: float, high: float, depth: int) -> None:
        self.state, self.lo, self.hi, self.parent = state, lo, hi, parent
        self.edge, self.low, self.high, self.depth = edge, low, high, depth

    def path(self) -> tuple[State, tuple[PathStep, ...]]:
        steps: list[PathStep] = []
        label: _Label | None = self
        while label is not None and label.edge is not None:
            steps.append(PathStep(label.state, label.edge, label.low, label.high))
            label = label.parent
        assert label is not None
        return label.state, tuple(reversed(steps))


class Compiled:
    """A model compiled for history checking (see the module docstring)."""

    def __init__(self, model: Model, slack: float = 0.0) -> None:
        self.model = model
        self.slack = float(slack)
        self.timing = Timing.of(model)
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
        graph = unfold(model)
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

    # -- gaps between snapshots ---------------------------------------------------------
    def explain(self, belief: Belief, already: float, low: float, high: float,
                statuses: frozenset[str] | None, cause: str | None = None,
                waive_first: bool = False, allow_empty: bool = False,
                limit: int = 100_000) -> Explanation:
        """The states with one of ``statuses`` (None: the final states) that a path of the
        model reaches within an elapsed time; :meth:`search` says what a path must satisfy.

        This is the fast way to the same answer: for every first step it looks up, in a
        table computed once per state (:meth:`least_paths`), the path of least waiting to
        each goal state. When that path fits the elapsed time, the goal state is explained
        by it; when even its waiting exceeds the time, no path through that first step
        explains it. Only when neither settles a goal state, and whenever no goal state is
        explained (to say what the model could reach instead), it runs :meth:`search`.
        """
        goal = self._goal(statuses, cause)
        slack = self.slack
        top = high + slack
        need = max(low - slack, 0.0)
        ends: dict[State, tuple[State, tuple[PathStep, ...]]] = {}
        if allow_empty and need <= 0.0 and low - slack <= 0.0 <= top:
            for state in belief.states:
                if goal(state):
                    ends[state] = (state, ())
        unsettled = False
        key = (belief, statuses, cause)
        groups = self._candidates.get(key)
        if groups is None:
            groups = self._candidates[key] = self._gather(belief, goal, statuses)
        mask = 0
        for bit, (end, candidates) in enumerate(groups):
            if end in ends:
                continue
            open_end = False
            for lower, deadline, lo, hi, state, target, transition, rest in candidates:
                first = lower if lower > already else already
                upper = INF if waive_first else deadline
                if first > upper + slack or first + lo > top:
                    continue
                if upper + hi < need:
                    open_end = True
                    continue
                ends[end] = (state, (PathStep(target, transition, first, upper), *rest))
                mask |= 1 << bit
                break
            else:
                unsettled = unsettled or open_end
        if not ends or unsettled:
            return self.search(belief, already, low, high, goal, waive_first, allow_empty,
                               limit)
        after = None
        if len(ends) == mask.bit_count():  # every goal state came from the table
            after = self._after.get((id(groups), mask))
            if after is None:
                after = self._after[(id(groups), mask)] = self.belief(ends)
        return Explanation(ends, frozenset(), after=after)

    def _goal(self, statuses: frozenset[str] | None,
              cause: str | None) -> Callable[[State], bool]:
        """The goal test of a gap (cached: one function per goal)."""
        found = self._goals.get((statuses, cause))
        if found is None:
            if statuses is None:
                def found(state: State) -> bool:
                    return self.is_final(state)
            else:
                def found(state: State) -> bool:
                    return state.status in statuses and (cause is None or state.cause is None
                                                         or state.cause == cause)
            self._goals[(statuses, cause)] = found
        return found

    def _gather(self, belief: Belief, goal: Callable[[State], bool],
                statuses: frozenset[str] | None) -> list[tuple[State, list[_Candidate]]]:
        """Per goal state, every (first step, least-waiting rest) from ``belief`` to it,
        fewest steps first."""
        deadline = self.timing.deadline
        found: dict[State, list[tuple[int, tuple[str, ...], _Candidate]]] = {}
        for state in belief.states:
            upper = deadline.get(state.status, INF)
            for edge in self.successors(state):
                target = edge.target
                if target is None:
                    continue
                table = self.least_paths(target)
                groups = ([table.finals] if statuses is None
                          else [table.by_status.get(s, []) for s in sorted(statuses)])
                for group in groups:
                    for end, lo, hi, rest in group:
                        if goal(end):
                            found.setdefault(end, []).append((
                                len(rest), (*state_key(state), *state_key(target)),
                                (edge.lower, upper, lo, hi, state, target, edge.transition,
                                 rest)))
        order = self._order
        return [(end, [c for _, _, c in sorted(found[end], key=lambda i: (i[0], i[1]))])
                for end in sorted(found, key=lambda s: (order[s.status], state_key(s)))]

    def least_paths(self, start: State) -> PathTable:
        """For every state reachable from ``start``: the path of least waiting to it (fewest
        steps among those), with its summed minimum and maximum waiting (``start`` is held
        at least each step's minimum, at most its deadline, like every state after it)."""
        found = self._tables.get(start)
        if found is not None:
            return found
        deadline = self.timing.deadline
        slack = self.slack
        best: dict[State, tuple[float, int, float]] = {start: (0.0, 0, 0.0)}
        parent: dict[State, tuple[State, Transition, float, float]] = {}
        heap: list[tuple[float, int, tuple[str, str, str], State]] = [
            (0.0, 0, state_key(start), start)]
        while heap:
            lo, steps, _, state = heapq.heappop(heap)
            if (lo, steps) > best[state][:2]:
                continue
            hi = best[state][2]
            upper = deadline.get(state.status, INF)
            for edge in self.successors(state):
                target = edge.target
                if target is None or edge.lower > upper + slack:
                    continue
                candidate = (lo + edge.lower, steps + 1, hi + upper)
                known = best.get(target)
                if known is None or candidate[:2] < known[:2]:
                    best[target] = candidate
                    parent[target] = (state, edge.transition, edge.lower, upper)
                    heapq.heappush(heap, (candidate[0], candidate[1], state_key(target),
                                          target))
        table = PathTable({}, [])
        for end in sorted(best, key=state_key):
            steps_back: list[PathStep] = []
            cursor = end
            while cursor != start:
                before, transition, low, high = parent[cursor]
                steps_back.append(PathStep(cursor, transition, low, high))
                cursor = before
            lo, _, hi = best[end]
            item = (end, lo, hi, tuple(reversed(steps_back)))
            table.by_status.setdefault(end.status, []).append(item)
            if self.is_final(end):
                table.finals.append(item)
        self._tables[start] = table
        return table

    def search(self, belief: Belief, already: float, low: float, high: float,
               goal: Callable[[State], bool], waive_first: bool = False,
               allow_empty: bool = False, limit: int = 100_000) -> Explanation:
        """The states a path of the model reaches at ``goal`` within an elapsed time.

        The session was in one of ``belief``'s states, entered at time 0 and seen there until
        ``already``. A path explains the gap when its last step (into a goal state) can happen
        at an elapsed time in ``[low, high]`` (seconds since time 0): each state on it is held
        at least the step's minimum and at most the status's deadline (the first state at
        least ``already``; its deadline is ignored when ``waive_first``), the sums of the
        minimums and of the deadlines bracketing the elapsed time within ``slack``.
        ``allow_empty`` accepts a path of no step (the belief's own states at the goal, at an
        elapsed time that may be 0).
        """
        slack = self.slack
        top = high + slack
        need = max(low - slack, 0.0)
        deadline = self.timing.deadline
        ends: dict[State, tuple[State, tuple[PathStep, ...]]] = {}
        reachable: set[str] = set()
        fronts: dict[tuple[State, bool], list[tuple[float, float]]] = {}
        queue: deque[_Label] = deque()
        for state in belief.states:
            label = _Label(state, 0.0, 0.0, None, None, 0.0, 0.0, 0)
            fronts[(state, True)] = [(0.0, 0.0)]
            queue.append(label)
            if allow_empty and goal(state) and need <= 0.0 and low - slack <= 0.0 <= top:
                ends.setdefault(state, (state, ()))
        expanded = 0
        while queue:
            label = queue.popleft()
            expanded += 1
            if expanded > limit:
                return Explanation(ends, frozenset(reachable), decided=False)
            first = label.depth == 0
            upper = INF if first and waive_first else deadline.get(label.state.status, INF)
            for edge in self.successors(label.state):
                target = edge.target
                if target is None:
                    continue
                dwell_low = max(edge.lower, already) if first else edge.lower
                if dwell_low > upper + slack:
                    continue
                lo = label.lo + dwell_low
                if lo > top:
                    continue
                hi = label.hi + upper
                capped = min(hi, need)
                front = fronts.setdefault((target, False), [])
                if any(l0 <= lo and h0 >= capped for l0, h0 in front):
                    continue
                front[:] = [(l0, h0) for l0, h0 in front if not (lo <= l0 and capped >= h0)]
                front.append((lo, capped))
                child = _Label(target, lo, capped, label, edge.transition, dwell_low, upper,
                               label.depth + 1)
                reachable.add(target.status)
                if goal(target) and capped >= need and target not in ends:
                    ends[target] = child.path()
                queue.append(child)
        return Explanation(ends, frozenset(reachable))


def seconds_text(value: float) -> str:
    """Seconds for people: ``300 s``, ``14 d``.

    >>> seconds_text(300), seconds_text(1209600), seconds_text(90)
    ('300 s', '14 d', '90 s')
    """
    if value >= 86400 and value % 86400 == 0:
        return f"{int(value // 86400)} d"
    if value >= 3600 and value % 3600 == 0:
        return f"{int(value // 3600)} h"
    if value == int(value):
        return f"{int(value)} s"
    return f"{value:.3f} s"


def witness_delays(low: float, high: float, slack: float,
                   steps: tuple[PathStep, ...]) -> tuple[float, ...]:
    """Concrete dwell times for an explaining path: each within its bounds, summing to an
    elapsed time in ``[low, high]`` (widened by ``slack``) when the bounds allow it.

    >>> witness_delays(100, 100, 0, (PathStep(State("B"), None, 0, INF),   # type: ignore
    ...                                 PathStep(State("C"), None, 30, 300)))  # type: ignore
    (70.0, 30.0)
    """
    lows = [s.low for s in steps]
    total = sum(lows)
    goal = min(max(low, total), high + slack)
    spare = goal - total
    delays: list[float] = []
    for step, base in zip(steps, lows, strict=True):
        extra = min(max(spare, 0.0), step.high - base)
        delays.append(float(base + extra))
        spare -= extra
    return tuple(delays)
