"""The gap search: which states a path of the model reaches within an elapsed time.

This module owns the search that explains a gap between two polls of a snapshot (and a
session's first listing, and its end): :class:`GapSearch`, mixed into
:class:`~.compiled.Compiled`. For every state, the path of least waiting (fewest steps among
those) to every other state is computed once (Dijkstra on the summed minimums); a gap is
settled from that table when it can be, and otherwise by an exact breadth-first search over
(state, summed minimum, summed deadline) labels that keeps the non-dominated ones. Timing is
on the status clock; session-clock timers are left to the checker's per-row deadline.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from statusproof.model.machine import State
from statusproof.model.model import Transition
from statusproof.model.record import record

from .beliefs import Belief, Edge
from .timing import INF, Timing, state_key

__all__ = ["PathStep", "Explanation", "PathTable", "GapSearch", "witness_delays"]


class PathStep(NamedTuple):
    """One step of an explaining path: ``transition`` into ``state`` after a dwell of
    ``low``..``high`` seconds in the state before it."""

    state: State
    transition: Transition
    low: float
    high: float


@record
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



class GapSearch:
    """The gap search, mixed into :class:`~.compiled.Compiled` (which provides the steps)."""

    slack: float
    timing: Timing
    _order: dict[str, int]
    _tables: dict[State, PathTable]
    _after: dict[tuple[int, int], Belief]
    _goals: dict[tuple[frozenset[str] | None, str | None], Callable[[State], bool]]
    _candidates: dict[tuple[Belief, frozenset[str] | None, str | None],
                      list[tuple[State, list[_Candidate]]]]

    def successors(self, state: State) -> tuple[Edge, ...]:
        raise NotImplementedError

    def is_final(self, state: State) -> bool:
        raise NotImplementedError

    def belief(self, states: Iterable[State]) -> Belief:
        raise NotImplementedError

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

