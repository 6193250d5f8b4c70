"""Synthetic recorded logs from a model, with injected faults of known kinds and places.

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
from typing import TextIO

from statusproof.model.model import Model
from statusproof.model.record import record

from .compiled import INF
from .namemap import NameMap
from .synthfaults import FaultInjector
from .synthwalk import (
    EVENT_FAULTS,
    SNAPSHOT_FAULTS,
    TRIES,
    Run,
    SynthError,
    SynthSettings,
    Walker,
    applicable_faults,
    iso_time,
    rescue_start,
)

__all__ = [
    "EVENT_FAULTS",
    "SNAPSHOT_FAULTS",
    "SYNTH_FORMATS",
    "SynthError",
    "SynthSettings",
    "Expected",
    "SynthResult",
    "generate",
    "applicable_faults",
]

#: The formats the generator writes.
SYNTH_FORMATS = ("jsonl", "csv", "rescue-getsession")

_GETSESSION_HEADER = ("ID|Status|Entry ID|Entry|Technician ID|Technician|Start Time|"
                      "Waiting Time|Custom Field 0|Custom Field 1|Custom Field 2|Language|"
                      "Transferred To|Transferred Comment|Is Lead Technician|HandingOff")


@record
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



class _Generator(FaultInjector):
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
        self.walker = Walker(model, names, settings, self.rng)
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

    def session(self, index: int, start: float) -> Run:
        sid = f"S{index + 1:07d}" if not self.snapshots else str(1000000 + index)
        kind = self.plan.get(index)
        for _ in range(TRIES):
            entries = self.walker.run(start)
            run = Run(sid, entries, kind)
            if kind is None or self.inject(run):
                if self.snapshots and run.gone == INF:
                    self._finish(run)
                return run
        raise SynthError(f"cannot inject a {kind!r} fault into the runs of {self.model.path} "
                         f"after {TRIES} tries")

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

    def _push_events(self, run: Run, index: int,
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
            return f"{sid},{iso_time(when)},{quoted},{cause or ''}\n"
        item: dict[str, str] = {"session": sid, "time": iso_time(when), "status": status}
        if cause is not None:
            item["cause"] = cause
        return json.dumps(item, ensure_ascii=False) + "\n"

    def _garbage(self, sid: str, when: float, csv_format: bool) -> str:
        if csv_format:
            return f"{sid},{iso_time(when)}\n"
        return '{"session": "' + sid + '", "time": "' + iso_time(when) + '", "status": \n'

    # -- snapshots ------------------------------------------------------------------------------
    def snapshots_out(self, out: TextIO) -> SynthResult:
        result = SynthResult()
        settings = self.settings
        interval = settings.poll_interval
        line = 0
        alive: list[tuple[Run, list[int]]] = []
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
            block = [f"# poll {iso_time(moment)}\n", "OK\n", _GETSESSION_HEADER + "\n"]
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
                row = (f"{run.sid}|{status}|0||337366|Tech|{rescue_start(entries[0].time)}|"
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
                              f"{rescue_start(entries[0].time)}|soon||||||||\n")
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
    if fmt not in SYNTH_FORMATS:
        raise SynthError(f"the generator writes {', '.join(SYNTH_FORMATS)}, not {fmt!r}")
    gen = _Generator(model, names, settings, fmt == "rescue-getsession")
    return _stream(gen, fmt, out)


