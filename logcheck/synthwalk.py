"""Random timed runs of a model, for the record generator.

This module owns :class:`Walker`: it walks the extended machine
(:func:`statusproof.model.machine.successors`, through the compiled tables of :mod:`.compiled`)
with realistic timing: each status is held a random time within the timing rules (at least a
timer's minimum, at most the status's deadline), and every run ends in a final state. Also the
generator's settings (:class:`SynthSettings`), the run types and the fault kinds a model
allows (:func:`applicable_faults`). Injecting faults is :mod:`.synthfaults`', writing records
:mod:`.synth`'s.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime

from statusproof.model.errors import StatusproofError
from statusproof.model.machine import State, cause_values, initial_states, remembered_after
from statusproof.model.model import Model
from statusproof.model.record import record

from .compiled import INF, Compiled, Edge
from .namemap import Kind, NameMap

__all__ = ["EVENT_FAULTS", "SNAPSHOT_FAULTS", "SynthError", "SynthSettings", "Entry", "Run",
           "Walker", "applicable_faults", "iso_time", "rescue_start", "TRIES"]

#: Fault kinds for event records; each name is the report kind the checker gives it
#: (``malformed``: a malformed line).
EVENT_FAULTS = ("not-in-table", "guard", "too-early", "too-late", "bad-start", "duplicate",
                "out-of-order", "malformed", "unknown-status", "cut-off")
#: Fault kinds for polled snapshots.
SNAPSHOT_FAULTS = ("unexplained-gap", "too-late", "duplicate", "malformed", "unknown-status")
TRIES = 60


class SynthError(StatusproofError):
    """The generator cannot produce what was asked for this model."""


@record
class SynthSettings:
    """What to generate.

    ``sessions`` runs, ``faults`` of them with one injected fault (kinds taken in turn from
    ``kinds``, default: every kind the model allows); sessions start ``arrival`` seconds apart
    on average from ``start`` (epoch seconds); a status is held about ``mean_dwell`` seconds
    beyond a timer's minimum; steps whose minimum exceeds ``max_dwell`` (a two-week system
    timeout) are not taken; while a run may go on, it avoids a step into a final state with
    probability ``persist``; after ``max_steps`` steps it heads for the nearest end.
    Snapshots: a poll every ``poll_interval`` seconds; an ended session stays listed up to
    ``linger`` seconds. ``slack`` is the checker's, so faults clear it.
    """

    sessions: int
    faults: int = 0
    kinds: tuple[str, ...] | None = None
    seed: int = 0
    start: float = 1714557600.0  # 2024-05-01T10:00:00Z
    arrival: float = 20.0
    mean_dwell: float = 90.0
    max_dwell: float = 86400.0
    max_steps: int = 30
    persist: float = 0.75
    poll_interval: float = 30.0
    linger: float = 60.0
    slack: float = 0.0


@dataclass
class Entry:
    """One status of a run: entered at ``time``; ``tag`` marks the record of a fault."""

    time: float
    state: State
    tag: str | None = None
    name: str | None = None  # recorded name, when a fault changes it


@dataclass
class Run:
    sid: str
    entries: list[Entry]
    fault: str | None = None
    gone: float = INF  # snapshots: first moment the session is no longer listed
    late_entry: int = -1  # snapshots: the overstayed entry
    late_after: float = INF
    listing: int = -1  # snapshots: the poll index of a listing fault
    cut: int = -1  # events: index of the last record kept


def iso_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rescue_start(seconds: float) -> str:
    stamp = datetime.fromtimestamp(seconds, UTC)
    hour = stamp.hour % 12 or 12
    return (f"{stamp.month}/{stamp.day}/{stamp.year} {hour}:{stamp.minute:02d} "
            f"{'AM' if stamp.hour < 12 else 'PM'}")


def applicable_faults(model: Model, snapshots: bool, slack: float = 0.0,
                      max_dwell: float = 86400.0) -> tuple[str, ...]:
    """The fault kinds this model allows (a guard fault needs a history guard, ...)."""
    compiled = Compiled(model, slack)
    kinds = SNAPSHOT_FAULTS if snapshots else EVENT_FAULTS
    has_guard = any(t.guard is not None and t.guard.kind.value == "history"
                    for t in model.transitions)
    has_timer = any(slack + 1 < low <= max_dwell for low in compiled.timing.minimum.values())
    has_deadline = bool(compiled.timing.deadline)
    non_entry = any(not s.entry for s in model.statuses)
    keep = []
    for kind in kinds:
        if kind == "guard" and not has_guard:
            continue
        if kind == "too-early" and not has_timer:
            continue
        if kind == "too-late" and not has_deadline:
            continue
        if kind == "bad-start" and not non_entry:
            continue
        keep.append(kind)
    return tuple(keep)


class Walker:
    """Random runs of the machine with timing."""

    def __init__(self, model: Model, names: NameMap, settings: SynthSettings,
                 rng: random.Random) -> None:
        self.model = model
        self.names = names
        self.settings = settings
        self.rng = rng
        self.compiled = Compiled(model, settings.slack)
        self.deadline = self.compiled.timing.deadline
        self.session_deadline = self.compiled.timing.session_deadline
        self.starts = initial_states(model)
        if not self.starts:
            raise SynthError(f"{model.path}: the model has no entry point, so no run can start")
        self._distance: dict[State, float] = {}
        self._reach: dict[str, frozenset[str]] = {}
        self.recorded = {name: names.recorded_name(name) for name in model.names}
        unknown = "Unrecorded status"
        while names.resolve(unknown).kind.value != Kind.UNKNOWN.value:
            unknown += "?"  # (compared by value: doctests may load a second copy of Kind)
        self.unknown = unknown

    def bounds(self, state: State, edge: Edge, age: float,
               at_least: float = 0.0) -> tuple[float, float] | None:
        """How long a run entering ``state`` at session age ``age`` may stay before taking
        ``edge``: (least, most), or None when it cannot take it (or only after more than
        ``max_dwell``)."""
        upper = self.deadline.get(state.status, INF)
        due = self.session_deadline.get(state.status)
        if due is not None:
            upper = min(upper, max(0.0, due - age))
        low = max(edge.lower, edge.session_lower - age, at_least, 0.0)
        if edge.target is not None and edge.target.status == state.status:
            low = max(low, 1.0)  # a repeated record at the same second reads as a duplicate
        if low > upper or low > self.settings.max_dwell:
            return None
        return low, upper

    def edges(self, state: State, age: float, at_least: float = 0.0) -> list[Edge]:
        return [e for e in self.compiled.successors(state)
                if self.bounds(state, e, age, at_least) is not None]

    def distance(self, state: State) -> float:
        """Steps to the nearest final state (INF when none is reachable), for a young run."""
        found = self._distance.get(state)
        if found is not None:
            return found
        seen = {state: 0}
        frontier = [state]
        best = INF
        while frontier and best == INF:
            following = []
            for s in frontier:
                if self.compiled.is_final(s):
                    best = seen[s]
                    break
                for e in self.edges(s, 0.0):
                    if e.target is not None and e.target not in seen:
                        seen[e.target] = seen[s] + 1
                        following.append(e.target)
            frontier = following
        self._distance[state] = best
        return best

    def dwell(self, state: State, edge: Edge, age: float, at_least: float = 0.0) -> float | None:
        found = self.bounds(state, edge, age, at_least)
        if found is None:
            return None
        low, upper = found
        value = low + round(self.rng.expovariate(1.0 / self.settings.mean_dwell))
        return float(min(value, upper))

    def walk(self, state: State, now: float, start: float, steps: int = 0,
             first_at_least: float = 0.0) -> list[Entry] | None:
        """The rest of a run that started at ``start`` from ``state`` entered at ``now`` (None
        if it cannot go on)."""
        entries: list[Entry] = []
        at_least = first_at_least
        while True:
            age = now - start
            edges = self.edges(state, age, at_least)
            if not edges:
                return entries if self.compiled.is_final(state) else None
            if steps >= self.settings.max_steps:
                edge = min(edges, key=lambda e: (0 if e.target is None
                                                 else self.distance(e.target)))
                if edge.target is not None and self.distance(edge.target) == INF:
                    return None
            else:
                going = [e for e in edges
                         if e.target is not None and not self.compiled.is_final(e.target)]
                if going and self.rng.random() < self.settings.persist:
                    edges = going
                edge = self.rng.choice(edges)
            if edge.target is None:
                return entries  # the run ends here (the state is held from then on)
            dwell = self.dwell(state, edge, age, at_least)
            if dwell is None:
                return None
            at_least = 0.0
            now += dwell
            state = edge.target
            entries.append(Entry(now, state))
            steps += 1

    def run(self, now: float) -> list[Entry]:
        for _ in range(TRIES):
            start = self.rng.choice(self.starts)
            rest = self.walk(start, now, now)
            if rest is not None:
                return [Entry(now, start), *rest]
        raise SynthError(f"{self.model.path}: no run from an entry point reaches a final "
                         "state; the generator needs runs that end")

    def reachable(self, status: str) -> frozenset[str]:
        """Statuses some path reaches from any state with ``status`` (timing aside)."""
        found = self._reach.get(status)
        if found is None:
            starts = self.compiled.anywhere((status,), None).states
            seen: set[State] = set()
            frontier = list(starts)
            while frontier:
                state = frontier.pop()
                for e in self.compiled.successors(state):
                    if e.target is not None and e.target not in seen:
                        seen.add(e.target)
                        frontier.append(e.target)
            found = frozenset(s.status for s in seen)
            self._reach[status] = found
        return found

    def fresh_state(self, source: State, status: str) -> State:
        causes = cause_values(self.model, status)
        return State(status, remembered_after(self.model, source, status),
                     self.rng.choice(causes))

