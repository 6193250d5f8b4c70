"""Synthetic recorded histories from a model, with injected faults of known kinds and places.

This module owns the record generator used by the tests and the benchmark. It walks the
extended machine (:func:`statusproof.model.machine.successors`, through the compiled tables
of :mod:`statusproof.logcheck.compiled`) with realistic timing: sessions arrive at
random, each stays in a status a random time within the timing rules (at least a timer's
minimum, at most the status's deadline), and every run ends in a final state. It writes the
runs as event records (JSON Lines or CSV) or as polled getSession-style snapshots, streaming:
memory grows with the sessions under way, not with the output.

Faults (:data:`EVENT_FAULTS`, :data:`SNAPSHOT_FAULTS`) are injected into chosen sessions, one
per session; each is returned as an :class:`Expected` item: the report kind the checker must
give and the output line it must give it at. After a fault the run carries on as the checker
does after a violation (the faulty change taken as if it happened), so a fault is reported
once. Everything is drawn from one seeded random generator: the same settings give the same
bytes.
"""

from __future__ import annotations

import heapq
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

from statusproof.model.errors import StatusproofError
from statusproof.model.machine import State, cause_values, initial_states, remembered_after
from statusproof.model.model import Model

from .namemap import Kind, NameMap
from .compiled import INF, Compiled, Edge

__all__ = [
    "EVENT_FAULTS",
    "SNAPSHOT_FAULTS",
    "SynthError",
    "SynthSettings",
    "Expected",
    "SynthResult",
    "generate",
    "applicable_faults",
]

#: Fault kinds for event records; each name is the report kind the checker gives it
#: (``malformed``: a malformed line).
EVENT_FAULTS = ("not-in-table", "guard", "too-early", "too-late", "bad-start", "duplicate",
                "out-of-order", "malformed", "unknown-status", "cut-off")
#: Fault kinds for polled snapshots.
SNAPSHOT_FAULTS = ("unexplained-gap", "too-late", "duplicate", "malformed", "unknown-status")

_GETSESSION_HEADER = ("ID|Status|Entry ID|Entry|Technician ID|Technician|Start Time|"
                      "Waiting Time|Custom Field 0|Custom Field 1|Custom Field 2|Language|"
                      "Transferred To|Transferred Comment|Is Lead Technician|HandingOff")
_TRIES = 60


class SynthError(StatusproofError):
    """The generator cannot produce what was asked for this model."""


@dataclass(frozen=True)
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


@dataclass(frozen=True)
class Expected:
    """A fault the checker must report: ``kind`` at ``line`` of the output, for ``session``."""

    kind: str
    line: int
    session: str


@dataclass
class SynthResult:
    """What was written: counts, and the faults in output order."""

    records: int = 0
    lines: int = 0
    sessions: int = 0
    polls: int = 0
    expected: list[Expected] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"records": self.records, "lines": self.lines, "sessions": self.sessions,
                "polls": self.polls,
                "expected": [{"kind": e.kind, "line": e.line, "session": e.session}
                             for e in self.expected]}


@dataclass
class _Entry:
    """One status of a run: entered at ``time``; ``tag`` marks the record of a fault."""

    time: float
    state: State
    tag: str | None = None
    name: str | None = None  # recorded name, when a fault changes it


@dataclass
class _Run:
    sid: str
    entries: list[_Entry]
    fault: str | None = None
    gone: float = INF  # snapshots: first moment the session is no longer listed
    late_entry: int = -1  # snapshots: the overstayed entry
    late_after: float = INF
    listing: int = -1  # snapshots: the poll index of a listing fault
    cut: int = -1  # events: index of the last record kept


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _rescue_start(seconds: float) -> str:
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


class _Walker:
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
             first_at_least: float = 0.0) -> list[_Entry] | None:
        """The rest of a run that started at ``start`` from ``state`` entered at ``now`` (None
        if it cannot go on)."""
        entries: list[_Entry] = []
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
            entries.append(_Entry(now, state))
            steps += 1

    def run(self, now: float) -> list[_Entry]:
        for _ in range(_TRIES):
            start = self.rng.choice(self.starts)
            rest = self.walk(start, now, now)
            if rest is not None:
                return [_Entry(now, start), *rest]
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


class _Generator:
    def __init__(self, model: Model, names: NameMap, settings: SynthSettings,
                 snapshots: bool) -> None:
        if settings.sessions < 0 or settings.faults < 0:
            raise SynthError("--sessions and --faults must be 0 or more")
        if settings.faults > settings.sessions:
            raise SynthError(f"{settings.faults} faults need at least as many sessions (one "
                             f"fault per session); got {settings.sessions}")
        self.model = model
        self.settings = settings
        self.snapshots = snapshots
        self.rng = random.Random(settings.seed)
        self.walker = _Walker(model, names, settings, self.rng)
        allowed = applicable_faults(model, snapshots, settings.slack, settings.max_dwell)
        kinds = settings.kinds if settings.kinds is not None else allowed
        offered = SNAPSHOT_FAULTS if snapshots else EVENT_FAULTS
        for kind in kinds:
            if kind not in offered:
                raise SynthError(f"fault kind {kind!r} is not one for "
                                 f"{'snapshots' if snapshots else 'event records'}; use "
                                 + ", ".join(offered))
            if kind not in allowed:
                raise SynthError(f"fault kind {kind!r} cannot be injected into {model.path} "
                                 f"(it has no {kind.replace('-', ' ')} to break)")
        if settings.faults and not kinds:
            raise SynthError("no fault kind applies to this model")
        chosen = self.rng.sample(range(settings.sessions), settings.faults)
        order = list(kinds) * (settings.faults // max(len(kinds), 1) + 1)
        self.plan = {index: order[i] for i, index in enumerate(sorted(chosen))}
        self.now = settings.start

    # -- runs with faults -------------------------------------------------------------------
    def next_start(self) -> float:
        """The start of the next session (sessions arrive at random)."""
        self.now += round(self.rng.expovariate(1.0 / self.settings.arrival))
        return self.now

    def session(self, index: int, start: float) -> _Run:
        sid = f"S{index + 1:07d}" if not self.snapshots else str(1000000 + index)
        kind = self.plan.get(index)
        for _ in range(_TRIES):
            entries = self.walker.run(start)
            run = _Run(sid, entries, kind)
            if kind is None or self.inject(run):
                if self.snapshots and run.gone == INF:
                    self._finish(run)
                return run
        raise SynthError(f"cannot inject a {kind!r} fault into the runs of {self.model.path} "
                         f"after {_TRIES} tries")

    def inject(self, run: _Run) -> bool:
        kind = run.fault
        assert kind is not None
        entries = run.entries
        rng = self.rng
        walker = self.walker
        slack = self.settings.slack
        if kind == "bad-start":
            options = [s.name for s in self.model.statuses if not s.entry]
            status = rng.choice(options)
            state = State(status, None, rng.choice(cause_values(self.model, status)))
            rest = walker.walk(state, entries[0].time, entries[0].time)
            if rest is None:
                return False
            run.entries = [_Entry(entries[0].time, state, "bad-start"), *rest]
            return True
        if kind in ("not-in-table", "guard", "too-early"):
            return self._inject_step(run, kind)
        if kind == "too-late":
            candidates = [i for i in range(len(entries) - 1)
                          if entries[i].state.status in walker.deadline
                          and walker.deadline[entries[i].state.status] <= self.settings.max_dwell]
            if not candidates:
                return False
            i = rng.choice(candidates)
            limit = walker.deadline[entries[i].state.status] + slack
            if self.snapshots:
                interval = self.settings.poll_interval
                first_poll = self._next_poll(entries[i].time + limit)
                leave = first_poll + rng.randint(1, int(interval))
                run.late_entry = i
                run.late_after = limit
            else:
                leave = entries[i].time + limit + rng.randint(1, 120)
            shift = leave - entries[i + 1].time
            for entry in entries[i + 1:]:
                entry.time += shift
            if not self.snapshots:
                entries[i + 1].tag = "too-late"
            return True
        if self.snapshots:
            return self._inject_listing(run, kind)
        if len(entries) < 2:
            return False
        if kind == "unknown-status":
            i = rng.randrange(len(entries) - 1)
            entries[i].tag, entries[i].name = kind, walker.unknown
            return True
        if kind == "out-of-order":
            candidates = [i for i in range(len(entries) - 1)
                          if entries[i + 1].time > entries[i].time]
            if not candidates:
                return False
            entries[rng.choice(candidates)].tag = kind
            return True
        if kind == "cut-off":
            candidates = [i for i in range(len(entries) - 1)
                          if not walker.compiled.is_final(entries[i].state)]
            if not candidates:
                return False
            i = rng.choice(candidates)
            run.cut = i
            entries[i].tag = kind
            return True
        entries[rng.randrange(len(entries))].tag = kind  # duplicate, malformed
        return True

    def _step_options(self, source: State, kind: str) -> list[tuple[State, float]]:
        """Faulty changes of ``kind`` from ``source``: (state entered, dwell limit)."""
        walker = self.walker
        compiled = walker.compiled
        slack = self.settings.slack
        if compiled.belief([source]).ended:
            return []  # a change after the end is reported as after-end
        upper = walker.deadline.get(source.status, INF)
        if kind == "not-in-table":
            return [(walker.fresh_state(source, s.name), upper) for s in self.model.statuses
                    if s.name != source.status
                    and not compiled.pair_listed(source.status, s.name)]
        if kind == "guard":
            enabled = {e.target.status for e in compiled.successors(source)
                       if e.target is not None}
            names = sorted({t.target for t in self.model.outgoing(source.status)
                            if t.target is not None and t.target not in enabled
                            and t.target != source.status})
            return [(walker.fresh_state(source, name), upper) for name in names]
        options = []
        for edge in compiled.successors(source):
            target = edge.target
            if target is None or edge.lower <= slack + 1:
                continue
            if all(o.lower > slack + 1 for o in compiled.successors(source)
                   if o.target is not None and o.target.status == target.status
                   and o.target.cause == target.cause):
                options.append((target, min(edge.lower - slack - 1, upper)))
        return options

    def _inject_step(self, run: _Run, kind: str) -> bool:
        """A faulty change after a random record, then a fresh walk from where it leads."""
        entries = run.entries
        walker = self.walker
        rng = self.rng
        places = [(i, options) for i, entry in enumerate(entries)
                  if (options := self._step_options(entry.state, kind))]
        if not places:
            return False
        i, options = rng.choice(places)
        target, limit = rng.choice(options)
        if kind == "too-early":
            dwell = float(rng.randint(0, int(limit)))
        else:
            dwell = float(min(round(rng.expovariate(1.0 / self.settings.mean_dwell)), limit))
        when = entries[i].time + dwell
        rest = walker.walk(target, when, entries[0].time, i + 1)
        if rest is None:
            return False
        run.entries = [*entries[:i + 1], _Entry(when, target, kind), *rest]
        return True

    def _next_poll(self, after: float) -> float:
        """The first poll strictly after ``after``."""
        interval = self.settings.poll_interval
        start = self.settings.start
        count = int((after - start) // interval) + 1
        return start + count * interval

    def _inject_listing(self, run: _Run, kind: str) -> bool:
        entries = run.entries
        rng = self.rng
        walker = self.walker
        interval = self.settings.poll_interval
        self._finish(run)
        first = self._next_poll(entries[0].time - 1e-9)
        polls = []
        moment = first
        while moment < run.gone:
            polls.append(moment)
            moment += interval
        if kind in ("duplicate", "malformed", "unknown-status"):
            if not polls:
                return False
            run.listing = self._poll_index(rng.choice(polls))
            return True
        # unexplained-gap: jump after one listing to a status no path reaches
        for _ in range(10):
            if len(polls) < 2:
                return False
            j = rng.randrange(1, len(polls))
            before, at = polls[j - 1], polls[j]
            k = max(i for i, e in enumerate(entries) if e.time <= before)
            source = entries[k].state
            options = sorted(s.name for s in self.model.statuses
                             if s.name != source.status
                             and s.name not in walker.reachable(source.status))
            if not options:
                continue
            status = rng.choice(options)
            target = walker.fresh_state(source, status)
            when = at - rng.randint(1, int(interval) - 1)
            if at - when > walker.deadline.get(status, INF):
                continue
            rest = walker.walk(target, when, entries[0].time, k + 1,
                               first_at_least=at - when + 1)
            if rest is None:
                continue
            run.entries = [*entries[:k + 1], _Entry(when, target, kind), *rest]
            self._finish(run)
            run.gone = max(run.gone, at + 0.5)  # listed at the poll that shows the jump
            return True
        return False

    def _poll_index(self, moment: float) -> int:
        return round((moment - self.settings.start) / self.settings.poll_interval)

    def _finish(self, run: _Run) -> None:
        """When an ended snapshot session stops being listed."""
        last = run.entries[-1]
        limit = min(self.settings.linger, self.walker.deadline.get(last.state.status, INF))
        run.gone = last.time + self.rng.randint(0, int(limit)) + 0.5

    # -- event records ------------------------------------------------------------------------
    def events(self, out: TextIO, csv_format: bool) -> SynthResult:
        result = SynthResult()
        line = 0
        if csv_format:
            out.write("session,time,status,cause\n")
            line = 1
        model_causes = {c.status for c in self.model.causes}
        heap: list[tuple[float, int, float, str, str | None, str]] = []
        index = 0
        total = self.settings.sessions
        start = self.next_start() if total else INF
        while index < total or heap:
            while index < total and (not heap or heap[0][0] >= start):
                run = self.session(index, start)
                result.sessions += 1
                self._push_events(run, index, heap, model_causes, csv_format)
                index += 1
                start = self.next_start() if index < total else INF
            _, _, _, text, tag, sid = heapq.heappop(heap)
            line += 1
            out.write(text)
            if tag == "malformed-line":
                result.expected.append(Expected("malformed", line, sid))
                continue
            result.records += 1
            if tag is not None:
                result.expected.append(Expected(tag, line, sid))
        result.lines = line
        return result

    def _push_events(self, run: _Run, index: int,
                     heap: list[tuple[float, int, float, str, str | None, str]],
                     model_causes: set[str], csv_format: bool) -> None:
        entries = run.entries if run.cut < 0 else run.entries[:run.cut + 1]
        for seq, entry in enumerate(entries):
            status = entry.name or self.walker.recorded[entry.state.status]
            cause = entry.state.cause if entry.state.status in model_causes else None
            text = self._event_line(run.sid, entry.time, status, cause, csv_format)
            key_time, key_seq = entry.time, float(seq)
            tag = entry.tag
            if tag == "out-of-order":
                key_time, key_seq = entries[seq + 1].time, seq + 1.5
            if tag in ("duplicate", "malformed"):
                heapq.heappush(heap, (entry.time, index, seq, text, None, run.sid))
                extra = text if tag == "duplicate" else self._garbage(run.sid, entry.time,
                                                                        csv_format)
                heapq.heappush(heap, (entry.time, index, seq + 0.5, extra,
                                      "duplicate" if tag == "duplicate" else "malformed-line",
                                      run.sid))
                continue
            heapq.heappush(heap, (key_time, index, key_seq, text, tag, run.sid))

    @staticmethod
    def _event_line(sid: str, when: float, status: str, cause: str | None,
                    csv_format: bool) -> str:
        if csv_format:
            quoted = f'"{status}"' if "," in status or '"' in status else status
            return f"{sid},{_iso(when)},{quoted},{cause or ''}\n"
        item: dict[str, str] = {"session": sid, "time": _iso(when), "status": status}
        if cause is not None:
            item["cause"] = cause
        return json.dumps(item, ensure_ascii=False) + "\n"

    def _garbage(self, sid: str, when: float, csv_format: bool) -> str:
        if csv_format:
            return f"{sid},{_iso(when)}\n"
        return '{"session": "' + sid + '", "time": "' + _iso(when) + '", "status": \n'

    # -- snapshots ------------------------------------------------------------------------------
    def snapshots_out(self, out: TextIO) -> SynthResult:
        result = SynthResult()
        settings = self.settings
        interval = settings.poll_interval
        line = 0
        alive: list[tuple[_Run, list[int]]] = []
        total = settings.sessions
        upcoming = self.session(0, self.next_start()) if total else None
        index = 1
        moment = settings.start
        while True:
            while upcoming is not None and upcoming.entries[0].time <= moment:
                alive.append((upcoming, [0]))
                result.sessions += 1
                upcoming = self.session(index, self.next_start()) if index < total else None
                index += 1
            block = [f"# poll {_iso(moment)}\n", "OK\n", _GETSESSION_HEADER + "\n"]
            line += len(block)
            out.writelines(block)
            result.polls += 1
            poll = self._poll_index(moment)
            keep = []
            for run, cursor in alive:
                if run.gone <= moment:
                    continue
                keep.append((run, cursor))
                entries = run.entries
                while cursor[0] + 1 < len(entries) and entries[cursor[0] + 1].time <= moment:
                    cursor[0] += 1
                entry = entries[cursor[0]]
                waiting = moment - entry.time
                status = self.walker.recorded[entry.state.status]
                tag = None
                if entry.tag == "unexplained-gap":
                    tag = entry.tag
                    entry.tag = None
                if (run.late_entry == cursor[0] and waiting > run.late_after):
                    tag = "too-late"
                    run.late_entry = -1
                listing_fault = run.fault if run.listing == poll else None
                if listing_fault == "unknown-status":
                    status, tag = self.walker.unknown, "unknown-status"
                row = (f"{run.sid}|{status}|0||337366|Tech|{_rescue_start(entries[0].time)}|"
                       f"{int(waiting)}||||||||\n")
                line += 1
                out.write(row)
                result.records += 1
                if tag is not None:
                    result.expected.append(Expected(tag, line, run.sid))
                if listing_fault == "duplicate":
                    line += 1
                    out.write(row)
                    result.records += 1
                    result.expected.append(Expected("duplicate", line, run.sid))
                elif listing_fault == "malformed":
                    line += 1
                    out.write(f"{run.sid}|{status}|0||337366|Tech|"
                              f"{_rescue_start(entries[0].time)}|soon||||||||\n")
                    result.expected.append(Expected("malformed", line, run.sid))
            alive = keep
            if upcoming is None and not alive:
                break
            moment += interval
        result.lines = line
        return result


def _stream(gen: _Generator, fmt: str, out: TextIO) -> SynthResult:
    if fmt == "rescue-getsession":
        return gen.snapshots_out(out)
    return gen.events(out, fmt == "csv")


def generate(model: Model, names: NameMap, settings: SynthSettings, fmt: str,
             out: TextIO) -> SynthResult:
    """Write synthetic records of ``model`` in ``fmt`` to ``out``; return what was written.

    >>> import io
    >>> from statusproof.model import load_model
    >>> from statusproof.logcheck.namemap import default_map
    >>> model = load_model()
    >>> buffer = io.StringIO()
    >>> result = generate(model, default_map(model), SynthSettings(3, seed=1), "jsonl", buffer)
    >>> result.sessions, result.records == len(buffer.getvalue().splitlines())
    (3, True)
    """
    if fmt not in ("jsonl", "csv", "rescue-getsession"):
        raise SynthError(f"unknown record format {fmt!r}")
    gen = _Generator(model, names, settings, fmt == "rescue-getsession")
    return _stream(gen, fmt, out)

