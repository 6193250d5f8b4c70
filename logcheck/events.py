"""Checking event records: one recorded status change at a time, in timestamp order.

This module owns what an event record means for its session (:class:`EventSteps`): the first
record must be an entry point, every later one a step the model allows from the session's
states (guards, timers, deadlines), and a record after the session's end is ``after-end``.
Records are put back in timestamp order through a buffer: a record is checked once the input's
clock (the latest time read, from any session) has passed it by ``reorder_window`` seconds, so
a late record of a session whose later records are not checked yet is put back in place.

The input's clock at each record is the only thing a session's verdicts depend on besides its
own records: :meth:`EventSteps.feed_event` takes it as ``horizon`` (the latest time read
before the record), so a check that sees only some sessions (``--jobs``, the Dask engine, the
fast path's hand-over) reaches exactly the verdicts of one check of everything.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence

from statusproof.model.machine import State

from .compiled import Belief, Plan, seconds_text
from .records import Record, format_time
from .verdicts import CheckerBase, SessionState, target_label

__all__ = ["EventSteps"]


def _time_of(entry: tuple[float, Record, SessionState]) -> float:
    return entry[0]


class EventSteps(CheckerBase):
    """Event records (see the module docstring)."""

    _buffer: deque[tuple[float, Record, SessionState]]

    def advance(self, horizon: float) -> None:
        """The input's clock reached ``horizon``: check what the buffer holds before it."""
        if horizon > self._newest:
            self._newest = horizon
        limit = self._newest - self._window
        buffer = self._buffer
        while buffer and buffer[0][0] < limit:
            _, early, owner = buffer.popleft()
            self._process(early, owner)

    def feed_event(self, record: Record, horizon: float | None = None,
                   count: bool = True) -> None:
        """One event record; ``horizon``: the latest time read before it in the whole input
        (None: this checker reads the whole input, and knows it). ``count``: whether it
        counts in :attr:`~.result.LogResult.records` (the fast path counts its records)."""
        if count:
            self.result.records += 1
        if horizon is not None:
            self.advance(horizon)
        self._arrive(record)

    # -- taking over sessions from the fast path -----------------------------------------
    def known_ids(self) -> set[str]:
        """The sessions this checker follows: open, or ended and still remembered."""
        return set(self._open) | set(self._closed)

    def adopt_closed(self, end: Record, counted: bool) -> None:
        """A session that ended with ``end`` (checked by the fast path); ``counted``: the fast
        path counted it already."""
        if not counted:
            self.result.sessions += 1
            self.result.conforming += 1
            self.result.note_sessions((end.session,))
        self._closed[end.session] = (end, False)

    def adopt_open(self, last: Record, state: State, recent: Sequence[Record],
                   start: float) -> None:
        """A session the fast path checked up to ``last`` (in ``state``), whose latest
        records are ``recent``; nothing of it is waiting in a buffer."""
        session = self.new_session(last)
        session.belief = session.compiled.belief([state])
        session.entered = last.time
        session.last = session.newest = last
        session.recent.extend(recent)
        session.start = session.start_late = start

    def replay(self, sessions: Sequence[Sequence[tuple[Record, float]]]) -> None:
        """The records of sessions the fast path read but did not check, each with the
        input's clock before it, checked as if they had come in their place: each session's
        buffer is simulated apart, then what they leave joins the shared one, in time order
        (on equal times, the shared buffer's entries first, then the sessions' in the order
        given: as if each had been put in its place one after another). One merge for all
        the sessions: thousands of sessions open at the end of the input are handed over at
        once, and putting each in its place in turn took a pass over the buffer for each."""
        saved, newest = self._buffer, self._newest
        pending: list[tuple[float, Record, SessionState]] = []
        try:
            for rows in sessions:
                self._buffer, self._newest = deque(), -1e300
                for record, horizon in rows:
                    self.advance(horizon)
                    self._arrive(record)
                pending.extend(self._buffer)
                newest = max(newest, self._newest)
        finally:
            self._buffer, self._newest = saved, newest
        if pending:
            pending.sort(key=_time_of)  # stable: each session's own order is kept
            self._buffer = deque(heapq.merge(saved, pending, key=_time_of))

    def _arrive(self, record: Record) -> None:
        session = self._open.get(record.session)
        if session is None:
            gone = self.recall_closed(record.session)
            session = self.new_session(record)
            if gone is not None:
                session.after_end = gone
        when = record.time
        newest = session.newest
        if when < newest.time:
            late = when < session.last.time
            self._issue("out-of-order", record.path, record.line, session.id,
                        f"timestamp {format_time(when)} is before that of "
                        f"{newest.path}:{newest.line} ({format_time(newest.time)}), a record "
                        "of the same session read earlier; "
                        + ("a later record was already checked, so this one is not checked "
                           "(widen --reorder-window)" if late else "checked in timestamp order"))
            if late:
                return
        else:
            session.newest = record
        session.pending += 1
        buffer = self._buffer
        if when >= self._newest:
            self._newest = when
            buffer.append((when, record, session))
        else:
            index = len(buffer)
            while index and buffer[index - 1][0] > when:
                index -= 1
            buffer.insert(index, (when, record, session))
        limit = self._newest - self._window
        while buffer and buffer[0][0] < limit:
            _, early, owner = buffer.popleft()
            self._process(early, owner)

    def flush_events(self) -> None:
        """Check everything the buffer holds (the end of the input)."""
        while self._buffer:
            _, record, session = self._buffer.popleft()
            self._process(record, session)

    def _process(self, record: Record, session: SessionState) -> None:
        session.pending -= 1
        res = self._resolve(record.status)
        targets = res.statuses
        if not targets:
            self._unresolved(record, session, res)
            if session.ended or session.after_end is not None:
                self._stay_over(session)
                return
            session.belief = session.compiled.lost
            session.last = record
            session.recent.append(record)
            return
        compiled = session.compiled
        cause = self._cause(record, session, targets) if record.cause is not None else None
        belief = session.belief
        if belief is None or session.ended:  # (a session after its end starts with None)
            first = self._first(record, session, targets, cause)
            if first is None:
                return
            new = first
        elif belief.lost:
            new = compiled.anywhere(targets, cause)
        else:
            last = session.last
            if (record.time == last.time and record.status == last.status
                    and record.cause == last.cause):
                self._issue("duplicate", record.path, record.line, session.id,
                            f"the same record as {last.path}:{last.line}; not checked again")
                return
            plan = belief.plans.get((targets, cause)) or compiled.plan(belief, targets, cause)
            dwell = record.time - session.entered
            deadline = belief.deadline
            if deadline is not None and dwell > deadline + compiled.slack:
                self._too_late(record, session, belief, dwell)
            due = belief.session_deadline
            if (due is not None and session.start_late is not None
                    and record.time > session.start_late + due + compiled.slack):
                self._session_late(record, session, belief, record.time)
            if plan.result is not None:
                plan.count += 1
                new = plan.result
            elif plan.failure == "repeat":
                self._issue("duplicate", record.path, record.line, session.id,
                            f"repeats the status {record.status!r} of {session.last_where} "
                            "without a change; not checked again")
                return
            else:
                new = self._step(record, session, belief, targets, plan, dwell)
        session.belief = new
        session.entered = record.time
        session.late = False
        session.last = record
        session.recent.append(record)
        if new.ended:
            if session.pending:
                session.ended = True
            else:
                self._close(session)

    def _first(self, record: Record, session: SessionState, targets: tuple[str, ...],
               cause: str | None) -> Belief | None:
        """The belief after a session's first record (None: the record is a duplicate of
        the one that ended the session, and is skipped)."""
        compiled = session.compiled
        if session.ended or session.after_end is not None:
            final = session.after_end[0] if session.after_end is not None else session.last
            where = f"{final.path}:{final.line}"
            if (record.time, record.status, record.cause) == (final.time, final.status,
                                                              final.cause):
                self._issue("duplicate", record.path, record.line, session.id,
                            f"the same record as {where}, which ended the session; not checked "
                            "again")
            else:
                self._violation("after-end", record, session,
                                f"the session already ended ({where}); a record after its end "
                                "is not a change the model allows; it is not followed",
                                ("(nothing: the run is over)",))
                if session.after_end is not None and not session.after_end[1]:
                    # the session was counted as conforming when it ended
                    self.result.conforming -= 1
                    self.result.violating += 1
                    session.after_end = (final, True)
            self._stay_over(session)
            return None
        start = compiled.start(targets, cause)
        if start is not None:
            session.start = session.start_late = record.time
            return start
        if self.settings.allow_partial:
            self._issue("partial-start", record.path, record.line, session.id,
                        f"the first record is {record.status!r}, not an entry point; the "
                        "history is taken to start before the records")
        else:
            self._violation("bad-start", record, session,
                            f"the session starts in {record.status!r}, which is not an entry "
                            "point of the model (use --allow-partial if histories may begin "
                            "before the records)", tuple(sorted(compiled.entries)))
        return compiled.anywhere(targets, cause)

    def _stay_over(self, session: SessionState) -> None:
        """A record came after the session's end: the session stays over."""
        if session.after_end is not None:  # a closed session: keep it closed
            if not session.pending:
                self._open.pop(session.id, None)
                self._remember_closed(session.id, session.after_end)
            else:
                self._closed[session.id] = session.after_end
        elif not session.pending:
            self._close(session)

    def _step(self, record: Record, session: SessionState, belief: Belief,
              targets: tuple[str, ...], plan: Plan, dwell: float) -> Belief:
        compiled = session.compiled
        slack = compiled.slack
        if plan.failure is None:
            age = None if session.start is None else record.time - session.start
            fits = tuple(i for i, o in enumerate(plan.options)
                         if o.lower <= dwell + slack
                         and (o.session_lower <= 0 or age is None
                              or o.session_lower <= age + slack))
            if fits:
                for i in fits:
                    compiled.timed[plan.options[i].transition] += 1
                found = plan.fitted.get(fits)
                if found is None:
                    found = compiled.belief(plan.options[i].target for i in fits)
                    plan.fitted[fits] = found
                return found
            first = min(plan.options, key=lambda o: (o.lower, o.session_lower))
            key = (first.source.status, first.target.status, first.target.cause)
            label = target_label(record.status, targets)
            if first.lower > dwell + slack or age is None:
                timer = compiled.timing.minimum_timer.get(key)
                why = f" (timer: {timer.setting})" if timer is not None and timer.setting else ""
                if first.lower == float("inf"):
                    message = (f"{belief.label!r} -> {label} after {seconds_text(dwell)}; only a "
                               f"timer takes this step, and its setting is 'never'{why}")
                else:
                    message = (f"{belief.label!r} -> {label} after {seconds_text(dwell)}; the "
                               f"model takes this step only after {seconds_text(first.lower)} in "
                               f"{belief.label!r}{why}")
            else:
                timer = compiled.timing.session_minimum_timer.get(key)
                why = f" (timer: {timer.setting})" if timer is not None and timer.setting else ""
                message = (f"{belief.label!r} -> {label} when the session is "
                           f"{seconds_text(age)} old; the model takes this step only once it "
                           f"is {seconds_text(first.session_lower)} old{why}")
            self._violation("too-early", record, session, message,
                            compiled.allowed(belief, dwell), belief)
            return plan.resync
        label = target_label(record.status, targets)
        if plan.failure == "not-in-table":
            self._drift(session, belief, targets, record)
            message = f"{belief.label!r} -> {label} is not a change the table lists"
        elif plan.failure == "guard":
            guards = sorted({str(t.guard) for s in belief.states
                             for t in compiled.model.outgoing(s.status)
                             if t.target in targets and t.guard is not None})
            message = (f"{belief.label!r} -> {label} is listed only when "
                       f"{' or '.join(guards)}; here the session is in {belief}")
        else:
            message = (f"{belief.label!r} -> {label}: the model does not enter it with cause "
                       f"{record.cause!r}")
        self._violation("guard" if plan.failure == "cause" else plan.failure or "guard",
                        record, session, message, compiled.allowed(belief, dwell), belief)
        return plan.resync
