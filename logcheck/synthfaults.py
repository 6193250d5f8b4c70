"""Injecting faults of known kinds at known places into generated runs.

This module owns :class:`FaultInjector`, mixed into the record generator of :mod:`.synth`:
for a chosen session and fault kind it changes the run (a change the table does not list, a
guard that does not hold, a timed change too early, a status held too long, a bad start, a
duplicate, a record out of order, a malformed line, an unknown status name, a run cut off;
for snapshots, a jump no path explains and listing faults), and tags the record the checker
must report. After a fault the run carries on as the checker does after a violation, so a
fault is reported once.
"""

from __future__ import annotations

import random

from statusproof.model.machine import State, cause_values
from statusproof.model.model import Model

from .compiled import INF
from .synthwalk import Entry, Run, SynthSettings, Walker

__all__ = ["FaultInjector"]


class FaultInjector:
    """Fault injection (see the module docstring); the generator provides the attributes."""

    model: Model
    settings: SynthSettings
    snapshots: bool
    rng: random.Random
    walker: Walker

    def inject(self, run: Run) -> bool:
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
            run.entries = [Entry(entries[0].time, state, "bad-start"), *rest]
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

    def _inject_step(self, run: Run, kind: str) -> bool:
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
        run.entries = [*entries[:i + 1], Entry(when, target, kind), *rest]
        return True

    def _next_poll(self, after: float) -> float:
        """The first poll strictly after ``after``."""
        interval = self.settings.poll_interval
        start = self.settings.start
        count = int((after - start) // interval) + 1
        return start + count * interval

    def _inject_listing(self, run: Run, kind: str) -> bool:
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
            run.entries = [*entries[:k + 1], Entry(when, target, kind), *rest]
            self._finish(run)
            run.gone = max(run.gone, at + 0.5)  # listed at the poll that shows the jump
            return True
        return False

    def _poll_index(self, moment: float) -> int:
        return round((moment - self.settings.start) / self.settings.poll_interval)

    def _finish(self, run: Run) -> None:
        """When an ended snapshot session stops being listed."""
        last = run.entries[-1]
        limit = min(self.settings.linger, self.walker.deadline.get(last.state.status, INF))
        run.gone = last.time + self.rng.randint(0, int(limit)) + 0.5

