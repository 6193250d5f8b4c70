"""Clocks: the timed rules of a model, their settings, and timed runs.

The machine of :mod:`statusproof.model.machine` has no time. This module owns its timed
extension, derived from :attr:`Model.timers` alone (nothing here names a status):

- **Time** is counted in whole seconds. Two clocks run: the *session clock* (seconds since the
  run started) and the *status clock* (seconds since the run entered its current status). A
  timer counts on one of them (:attr:`Timer.clock`).
- **Settings.** A timer waits for a fixed number of seconds (:attr:`Timer.seconds`), or for a
  value an administrator sets between ``minimum`` and ``maximum`` in whole steps (the greatest
  common divisor of the two, so "1-999 minutes" moves in minutes), or never, when ``never``
  allows it. Timers that name the same setting (the same text and figures) share one value.
- **Falling due.** A timer of status P falls due when its clock reaches its value while the run
  is in P; a session-clock timer whose time has already passed when P is entered falls due on
  entry. A run stays in P at most until the first of P's timers falls due, and leaves P at that
  instant (by one of the due timers' steps, or by any other step).
- **Timed steps.** A step P -> X for which P has timers is taken only when one of those timers
  falls due, and enters X with the timer's cause. Every other step takes no time and may be
  taken at any instant the run is allowed to be in P.

:class:`Clocks` holds a model's settings and answers the timed questions: :meth:`check_run`
checks a trace with delays against these rules; :meth:`latest_entry` bounds how late a run can
enter each status (an over-approximation, used to prove that something can never happen);
:meth:`run_entering` builds a run that enters a status at a given age. Asking z3 for settings
and instants is left to :mod:`statusproof.checks.timeouts`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping

from .budget import ticker
from .machine import State, machine_graph
from .model import Model, Timer, Transition
from .record import record
from .stategraph import bfs_distances, bfs_parents, path_to
from .trace import Trace, TraceStep

__all__ = ["Setting", "Clocks", "due_in", "describe_value"]

Values = Mapping[int, int | None]


@record
class Setting:
    """One value timers wait for: fixed, or chosen in ``[minimum, maximum]`` in ``step``s,
    or never (when ``never``). ``index`` numbers the settings of a model."""

    index: int
    text: str
    fixed: int | None
    minimum: int | None
    maximum: int | None
    step: int
    never: bool

    def __str__(self) -> str:
        if self.fixed is not None:
            return f"{self.text or 'fixed'} = {self.fixed}s"
        return (f"{self.text or 'setting'}: {self.minimum}-{self.maximum}s in steps of "
                f"{self.step}s" + (", or never" if self.never else ""))

    def allows(self, value: int | None) -> bool:
        """Whether ``value`` (None for never) is a value of this setting."""
        if value is None:
            return self.never
        if self.fixed is not None:
            return value == self.fixed
        assert self.minimum is not None and self.maximum is not None
        return self.minimum <= value <= self.maximum and value % self.step == 0

    @property
    def permissive(self) -> int | None:
        """The value that lets a run stay longest: never when allowed, else the maximum."""
        if self.never:
            return None
        return self.fixed if self.fixed is not None else self.maximum

    @property
    def least(self) -> int:
        """The least value a timer may wait for (never, if allowed, is not a value)."""
        if self.fixed is not None:
            return self.fixed
        assert self.minimum is not None
        return self.minimum


def due_in(timer: Timer, value: int | None, entered_at: int) -> int | None:
    """Seconds after entering the timer's status until it falls due (None: never)."""
    if value is None:
        return None
    if timer.clock == "session":
        return max(0, value - entered_at)
    return value


def describe_value(value: int | None) -> str:
    """A number of seconds for people; None is ``never``.

    >>> describe_value(1209600), describe_value(90), describe_value(59), describe_value(None)
    ('1209600s (14d)', '90s (1m 30s)', '59s', 'never')
    """
    if value is None:
        return "never"
    parts, rest = [], value
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if rest >= size:
            parts.append(f"{rest // size}{unit}")
            rest %= size
    if rest or not parts:
        parts.append(f"{rest}s")
    shown = " ".join(parts)
    return f"{value}s" if shown == f"{value}s" else f"{value}s ({shown})"


def _key(timer: Timer) -> tuple[str, int | None, int | None, int | None, bool]:
    return (timer.setting, timer.seconds, timer.minimum, timer.maximum, timer.never)


class Clocks:
    """The timed extension of one model (see the module docstring)."""

    def __init__(self, model: Model) -> None:
        self.model = model
        found: dict[tuple[str, int | None, int | None, int | None, bool], Setting] = {}
        for timer in model.timers:
            key = _key(timer)
            if key in found:
                continue
            step = 1
            if timer.seconds is None and timer.minimum is not None and timer.maximum is not None:
                step = math.gcd(timer.minimum, timer.maximum) or 1
            found[key] = Setting(len(found), timer.setting, timer.seconds, timer.minimum,
                                 timer.maximum, step, timer.never)
        self._settings = found
        self.settings = tuple(found.values())
        self._timers: dict[str, list[Timer]] = {}
        for timer in model.timers:
            self._timers.setdefault(timer.status, []).append(timer)
        self.timed = {(t.status, t.target) for t in model.timers}
        self._untimed_graph: _Untimed | None = None

    def setting_of(self, timer: Timer) -> Setting:
        return self._settings[_key(timer)]

    def timers_of(self, status: str) -> tuple[Timer, ...]:
        """The timers of ``status``, in model order."""
        return tuple(self._timers.get(status, ()))

    def permissive_values(self) -> dict[int, int | None]:
        """Each setting at its most permissive value."""
        return {s.index: s.permissive for s in self.settings}

    def values_with(self, chosen: Values) -> dict[int, int | None]:
        """The permissive values, updated with ``chosen``."""
        values = self.permissive_values()
        values.update(chosen)
        return values

    def limit(self, status: str, values: Values, entered_at: int) -> int | None:
        """The most seconds a run entering ``status`` at ``entered_at`` may stay (None: no
        limit)."""
        dues = [due_in(t, values[self.setting_of(t).index], entered_at)
                for t in self.timers_of(status)]
        finite = [d for d in dues if d is not None]
        return min(finite) if finite else None

    def check_run(self, trace: Trace, values: Values) -> str | None:
        """Check a trace's delays against the clock rules for the setting ``values`` (by
        :attr:`Setting.index`; None for never). None when the run keeps them, else what it
        breaks."""
        age = 0
        entered_at = 0
        for number, step in enumerate(trace.steps[1:], start=1):
            previous = trace.steps[number - 1].state
            if previous is None:
                return f"step {number} follows the end of the run"
            delay = step.delay or 0
            if delay < 0:
                return f"step {number} has a negative delay"
            limit = self.limit(previous.status, values, entered_at)
            if limit is not None and delay > limit:
                return (f"step {number}: the run stays {delay}s in {previous.status}, but a "
                        f"timer there falls due after {limit}s")
            transition = step.transition
            if transition is not None and transition.target is not None \
                    and (transition.source, transition.target) in self.timed:
                firing = [t for t in self.timers_of(transition.source)
                          if t.target == transition.target
                          and due_in(t, values[self.setting_of(t).index], entered_at) == delay
                          and (t.cause is None or step.state is None
                               or step.state.cause == t.cause)]
                if not firing:
                    return (f"step {number}: {transition.source} -> {transition.target} is "
                            f"taken only by a timer, and none falls due after {delay}s")
            age += delay
            entered_at = age
        return None

    def latest_entry(self, values: Values | None = None) -> dict[str, float]:
        """For each status a run reaches, an upper bound on the session age at which it can
        enter it (``math.inf`` when there is none).

        Computed on the status graph with every setting at ``values`` (default: its most
        permissive value), ignoring guards and session-clock timers, which can only make runs
        shorter: so the bound holds for every run.
        """
        model = self.model
        values = self.permissive_values() if values is None else values
        stay: dict[str, float] = {}
        for status in model.names:
            limits = [values[self.setting_of(t).index] for t in self.timers_of(status)
                      if t.clock == "status"]
            finite = [v for v in limits if v is not None]
            stay[status] = min(finite) if finite else math.inf
        latest: dict[str, float] = {name: 0.0 for name in model.entries}
        edges = [(t.source, t.target) for t in model.transitions if t.target is not None]
        for _ in range(len(model.names) + 1):
            changed = False
            for source, target in edges:
                if source not in latest:
                    continue
                candidate = latest[source] + stay[source]
                if candidate > latest.get(target, -1.0):
                    latest[target] = candidate
                    changed = True
            if not changed:
                return latest
        # still growing after |statuses| rounds: all on or after a growing cycle is unbounded
        onward: dict[str, list[str]] = {}
        for source, target in edges:
            onward.setdefault(source, []).append(target)
            onward.setdefault(target, [])
        growing = {t for s, t in edges
                   if s in latest and latest[s] + stay[s] > latest.get(t, -1.0)}
        unbounded = set(bfs_distances(onward, growing))  # growing and all after it
        return {name: (math.inf if name in unbounded else value)
                for name, value in latest.items()}

    def _untimed(self) -> _Untimed:
        """The unfolded machine without its timed steps (built once)."""
        if self._untimed_graph is None:
            self._untimed_graph = _Untimed(self.model, self.timed)
        return self._untimed_graph

    def run_entering(self, status: str, age: int, values: Values,
                     title: str = "") -> Trace | None:
        """A run that enters ``status`` at session age ``age`` (seconds), or None if this
        simple search finds none.

        The run takes untimed steps only: a shortest path to a state where it may stay ``age``
        seconds, the wait, then a shortest path on to ``status`` with no more waiting. The
        shortest such run is tried first (ties: the shorter first part, then the earlier
        state); the result is checked with :meth:`check_run`.
        """
        untimed = self._untimed()
        back = untimed.distances_to(status)
        if back is None:
            return None
        goals = untimed.goals[status]
        parents, depth = untimed.parents, untimed.depth
        candidates = [(depth[i] + 1 + back[i], depth[i] + 1, i) for i in parents if i in back]
        heapq.heapify(candidates)
        tick = ticker(f"the search for a timed run into {status}")
        while candidates:
            _, _, slack = heapq.heappop(candidates)
            tick()
            limit = self.limit(untimed.states[slack].status, values, 0)
            if limit is not None and limit < age:
                continue
            ways = bfs_parents(untimed.succ, [slack])
            reached = [g for g in goals if g in ways and (g != slack or not age)]
            if not reached:
                continue  # waiting in the status itself does not enter it later
            first = path_to(parents, slack)
            onward = min((path_to(ways, g) for g in reached), key=lambda p: (len(p), p[-1]))
            path = first + onward[1:]
            steps = [TraceStep(untimed.states[path[0]])]
            wait_at = len(first) - 1
            for index in range(1, len(path)):
                steps.append(TraceStep(untimed.states[path[index]],
                                       untimed.moves[(path[index - 1], path[index])],
                                       age if index - 1 == wait_at else 0))
            trace = Trace(tuple(steps), title)
            if self.check_run(trace, values) is None:
                return trace
        return None


class _Untimed:
    """The unfolded machine without its timed steps, as lists of state numbers (cheap to
    hash): each state's successors (in the order of the machine's edges), the transition of
    each move (the first edge's), and the breadth-first search tree from the initial states.
    The searches are breadth-first, so their paths are those networkx' unit-weight shortest
    paths gave before (the same graph, the same order)."""

    def __init__(self, model: Model, timed: set[tuple[str, str]]) -> None:
        graph = machine_graph(model)
        self.states: list[State] = list(graph.nodes)
        number = {state: index for index, state in enumerate(self.states)}
        self.succ: list[list[int]] = [[] for _ in self.states]
        self.moves: dict[tuple[int, int], Transition] = {}
        for state, out in graph.succ.items():
            u = number[state]
            for target, ways in out.items():
                if (state.status, target.status) not in timed:
                    v = number[target]
                    self.moves[(u, v)] = ways[0]
                    self.succ[u].append(v)
        self.parents = bfs_parents(self.succ, [number[s] for s in graph.initial])
        self.depth: dict[int, int] = {}
        for node, parent in self.parents.items():  # parents come before their children
            self.depth[node] = 0 if parent is None else self.depth[parent] + 1
        self.goals: dict[str, list[int]] = {}
        for index, state in enumerate(self.states):
            self.goals.setdefault(state.status, []).append(index)
        self._pred: list[list[int]] | None = None
        self._back: dict[str, dict[int, int]] = {}

    def distances_to(self, status: str) -> dict[int, int] | None:
        """The number of untimed steps from each state to the nearest state of ``status``
        (None when no state has that status); kept for the next question."""
        goals = self.goals.get(status)
        if not goals:
            return None
        if status not in self._back:
            if self._pred is None:
                self._pred = [[] for _ in self.states]
                for u, targets in enumerate(self.succ):
                    for v in targets:
                        self._pred[v].append(u)
            self._back[status] = bfs_distances(self._pred, goals)
        return self._back[status]
