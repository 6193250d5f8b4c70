"""Checking polled snapshots: gaps between polls, explained by paths of the model.

This module owns what a snapshot row means for its session (:class:`SnapshotSteps`). A row
says the session is in a status entered ``Waiting Time`` seconds before the poll; between two
polls the session may have passed through statuses no poll saw, so a change is accepted when
some path of the model explains it within the elapsed time (the gap search of
:mod:`.gapsearch`), and the report shows that path. A session no longer listed in a poll has
ended (``vanished`` when it cannot have); a row that could not be read still shows that its
session was listed (:class:`~.records.UnreadableRow`), so it is not taken as gone. Statuses are
compared by what they stand for in the model ("ACTIVE" and "Active" are one status).
"""

from __future__ import annotations

from statusproof.model.errors import InputProblem
from statusproof.model.trace import Trace, TraceStep

from .compiled import Belief, Explanation, seconds_text, witness_delays
from .records import PollMark, Record, UnreadableRow, format_time
from .result import GapPattern
from .verdicts import CheckerBase, SessionState, target_label

__all__ = ["SnapshotSteps"]


class SnapshotSteps(CheckerBase):
    """Polled snapshots (see the module docstring)."""

    _block: int
    _block_time: float | None
    _block_mark: PollMark | None
    _block_failed: bool
    _backwards: bool

    def _mark(self, mark: PollMark) -> None:
        if mark.failed is not None:
            self._block_failed = True
            self.problem(InputProblem(mark.path, mark.line,
                                      f"the poll answered {mark.failed!r} instead of a list of "
                                      "sessions; sessions missing from it are not taken as "
                                      "ended"))
            return
        if self._block_time is not None and mark.time == self._block_time:
            return
        if self._block_time is not None and mark.time < self._block_time:
            self._backwards = True
            assert self._block_mark is not None
            self._issue("out-of-order", mark.path, mark.line, "",
                        f"poll time {format_time(mark.time)} is before the previous poll's "
                        f"({format_time(self._block_time)}, "
                        f"{self._block_mark.path}:{self._block_mark.line}); the rows of this "
                        "poll are not checked")
            return
        if self._block_mark is not None:
            self._finish_block()
        self.result.polls += 1
        self._block += 1
        self._block_time = mark.time
        self._block_mark = mark
        self._block_failed = False
        self._backwards = False
        if mark.time > self._newest:
            self._newest = mark.time

    def _finish_block(self) -> None:
        if self._block_failed or self._block_mark is None:
            return
        block = self._block
        mark = self._block_mark
        for session in sorted((s for s in self._open.values() if s.last_block < block),
                              key=lambda s: s.id):
            self._vanished(session, mark)

    def _unreadable(self, item: UnreadableRow) -> None:
        """A row of this session was listed but could not be read: not gone, not checked."""
        session = self._open.get(item.session)
        if session is not None and not self._backwards:
            session.last_block = self._block

    def _row(self, record: Record) -> None:
        if self._backwards:
            self._issue("out-of-order", record.path, record.line, record.session,
                        "listed in a poll that is out of order; not checked")
            return
        session = self._open.get(record.session)
        assert record.waiting is not None
        key = self.status_key(record.status)
        if session is not None and session.last_block != self._block:
            # the common case first: listed again with no change since the last poll
            belief = session.belief
            last = session.last
            compiled = session.compiled
            if (key == self.status_key(last.status) and belief is not None and not belief.lost
                    and abs(record.time - record.waiting - session.entered) <= compiled.slack):
                session.last_block = self._block
                session.last = record
                deadline = belief.deadline
                if (deadline is not None and not session.late
                        and record.waiting > deadline + compiled.slack):
                    self._too_late(record, session, belief, record.waiting)
                due = belief.session_deadline
                if (due is not None and session.start_late is not None
                        and record.time > session.start_late + due + compiled.slack):
                    self._session_late(record, session, belief, record.time)
                return
        if session is None:
            gone = self.recall_closed(record.session)
            session = self.new_session(record)
            session.after_end = gone
        elif session.last_block == self._block:
            self._issue("duplicate", record.path, record.line, session.id,
                        f"listed twice in the same poll ({session.last_where}); not checked "
                        "again")
            return
        session.last_block = self._block
        res = self._resolve(record.status)
        targets = res.statuses
        changed = record.time - record.waiting
        compiled = session.compiled
        if not targets:
            self._unresolved(record, session, res)
            session.belief = compiled.lost
            self._seen(record, session, changed)
            return
        cause = self._cause(record, session, targets) if record.cause is not None else None
        belief = session.belief
        slack = compiled.slack
        if belief is None or session.after_end is not None:
            new = self._first_listing(record, session, targets, cause, changed)
        elif belief.lost:
            new = compiled.anywhere(targets, cause)
        elif key == self.status_key(session.last.status) and abs(
                changed - session.entered) <= slack:
            new = belief  # no change since the last poll
            changed = session.entered
        elif changed < session.last.time - slack:
            self._violation("inconsistent", record, session,
                            f"the row says the last change was at {format_time(changed)}, "
                            f"before the previous poll ({format_time(session.last.time)}, "
                            f"{session.last_where}), which showed "
                            f"{belief.label!r} since {format_time(session.entered)}",
                            (), belief)
            new = compiled.plan(belief, targets, cause).resync
        else:
            new = self._gap(record, session, belief, targets, cause, changed)
        if changed != session.entered or new is not belief:
            session.late = False
        session.belief = new
        self._seen(record, session, changed)
        deadline = new.deadline
        if deadline is not None and record.waiting > deadline + slack and not session.late:
            self._too_late(record, session, new, record.waiting)
        if new.session_deadline is not None:
            self._session_late(record, session, new, record.time)

    def _seen(self, record: Record, session: SessionState, changed: float) -> None:
        if (changed != session.entered
                or self.status_key(record.status) != self.status_key(session.last.status)):
            session.recent.append(record)
        session.entered = changed
        session.last = record

    def _first_listing(self, record: Record, session: SessionState, targets: tuple[str, ...],
                       cause: str | None, changed: float) -> Belief:
        compiled = session.compiled
        if session.after_end is not None:
            self._violation("after-end", record, session,
                            f"the session was no longer listed ({session.after_end[0].path}:"
                            f"{session.after_end[0].line}) and is "
                            "listed again; a record after its end is not a change the model "
                            "allows", ("(nothing: the run is over)",))
            session.after_end = None
            return compiled.anywhere(targets, cause)
        starts = compiled.start(tuple(sorted(compiled.entries)), None) or compiled.lost
        if record.start is not None:
            session.start, session.start_late = record.start, record.start + 60.0
            low, high = changed - record.start - 60.0, changed - record.start
            if high < -compiled.slack:
                self._violation("inconsistent", record, session,
                                f"the row says the last change was at {format_time(changed)}, "
                                f"before the session's start ({format_time(record.start)})",
                                (), None)
                return compiled.anywhere(targets, cause)
        else:
            low, high = 0.0, float("inf")
        found = compiled.explain(starts, 0.0, low, high, frozenset(targets), cause,
                                 allow_empty=True, limit=self.settings.search_limit)
        if found.ends:
            self._explained(record, session, None, found, 0.0, low, high, False)
            return compiled.belief(found.ends)
        if not found.decided:
            self._undecided(record, session, starts)
            return compiled.anywhere(targets, cause)
        if self.settings.allow_partial:
            self._issue("partial-start", record.path, record.line, session.id,
                        f"first listed in {record.status!r}, which no path from an entry "
                        "point reaches in the time since the session's start; the history "
                        "is taken to start before the records")
        else:
            since = "" if record.start is None else (
                f" within {seconds_text(max(high, 0.0))} of the session's start")
            self._violation("bad-start", record, session,
                            f"first listed in {record.status!r}, which no path from an entry "
                            f"point reaches{since}", tuple(sorted(found.reachable)))
        return compiled.anywhere(targets, cause)

    def _gap(self, record: Record, session: SessionState, belief: Belief,
             targets: tuple[str, ...], cause: str | None, changed: float) -> Belief:
        compiled = session.compiled
        already = session.last.time - session.entered
        elapsed = changed - session.entered
        wanted = self._wanted.get(targets)
        if wanted is None:
            wanted = self._wanted[targets] = frozenset(targets)
        direct = compiled.direct_gap(belief, targets, wanted, cause)
        if direct is not None and (session.late
                                   or elapsed <= belief.least_deadline + compiled.slack):
            direct.count += 1  # one direct step, seen: the documented transition is covered
            assert direct.result is not None
            return direct.result
        found = compiled.explain(belief, already, elapsed, elapsed, wanted, cause,
                                 waive_first=session.late, limit=self.settings.search_limit)
        if found.ends:
            self._explained(record, session, belief, found, already, elapsed, elapsed, False)
            return found.after or compiled.belief(found.ends)
        if not found.decided:
            self._undecided(record, session, belief)
            return compiled.plan(belief, targets, cause).resync
        label = target_label(record.status, targets)
        if not any(compiled.pair_listed(s, t) for s in belief.statuses for t in targets):
            self._drift(session, belief, targets, record)
        self._violation("unexplained-gap", record, session,
                        f"no path of the model leads from {belief.label!r} (seen at "
                        f"{session.last_where}) to {label} in "
                        f"{seconds_text(elapsed)}", tuple(sorted(found.reachable)), belief)
        return compiled.plan(belief, targets, cause).resync

    def _undecided(self, record: Record, session: SessionState, belief: Belief) -> None:
        self._violation("undecided", record, session,
                        f"the gap search gave up after {self.settings.search_limit} labels; "
                        "the change is not known to be allowed (raise --search-limit)",
                        (), belief)

    def _explained(self, record: Record, session: SessionState, belief: Belief | None,
                   found: Explanation, already: float, low: float, high: float,
                   ending: bool) -> None:
        best = found.shortest()
        assert best is not None
        start, steps = best
        if len(steps) == 1 and belief is not None and not ending:
            # seen directly: every documented transition that explains it in one step
            self.result.transitions.update({path[0].transition
                                            for _, path in found.ends.values()
                                            if len(path) == 1})
            return
        if not steps:
            return
        self.result.gaps_explained += 1
        source = belief.label if belief is not None else "(start)"
        key = (source, tuple(s.state.status for s in steps), ending)
        position = self.position(record.path, record.line)
        pattern = self.result.gaps.get(key)
        if pattern is not None:
            pattern.count += 1
            if position >= pattern.position:
                return
        delays = witness_delays(low, high, session.compiled.slack, steps)
        where = f"{record.path}:{record.line}"
        first_note = "entry point" if belief is None else f"seen at {session.last_where}"
        trace_steps = [TraceStep(start, None, None, first_note)]
        for step, delay in zip(steps, delays, strict=True):
            trace_steps.append(TraceStep(step.state, step.transition, round(delay)))
        last_note = f"then no longer listed ({where})" if ending else f"seen at {where}"
        trace_steps[-1] = TraceStep(steps[-1].state, steps[-1].transition, round(delays[-1]),
                                    last_note)
        title = (f"{source} -> {' -> '.join(key[1])}" + (" (then gone)" if ending else ""))
        count = pattern.count if pattern is not None else 1
        self.result.gaps[key] = GapPattern(source, key[1], ending, count, where, session.id,
                                           Trace(tuple(trace_steps), title), position)

    def _vanished(self, session: SessionState, mark: PollMark) -> None:
        belief = session.belief
        if belief is None or belief.lost or belief.final:
            self._close(session)
            return
        compiled = session.compiled
        already = session.last.time - session.entered
        elapsed = mark.time - session.entered
        found = compiled.explain(belief, already, already, elapsed, None,
                                 waive_first=session.late, limit=self.settings.search_limit)
        record = Record(mark.path, mark.line, session.id, mark.time, "(not listed)")
        if found.ends:
            self._explained(record, session, belief, found, already, already, elapsed, True)
        elif not found.decided:
            self._undecided(record, session, belief)
        else:
            self._violation("vanished", record, session,
                            f"no longer listed in the poll at {format_time(mark.time)}, but "
                            f"from {belief.label!r} (seen at {session.last_where}) no path of the "
                            "model ends within "
                            f"{seconds_text(elapsed)}", tuple(sorted(found.reachable)), belief)
        self._close(session)
