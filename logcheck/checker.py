"""Checking recorded status histories against the extended machine of a model.

This module owns the verdicts. It consumes the stream of records (event records, or polled
snapshots and their poll marks) and follows each session through the machine, keeping only
the sessions still open, so memory grows with the number of open sessions and not with the
file. What it reports:

violations (:class:`Violation`, each with ``file:line``, the session, its history so far and
what the model allowed instead)
    ``bad-start``      the first record is not an entry point (snapshots: no path from an
                       entry point reaches it within the time since the session's start);
    ``not-in-table``   a change the table does not list at all (also counted as drift);
    ``guard``          a change the table lists only under a condition that does not hold
                       (the remembered status, or the cause);
    ``too-early``      a change a timer makes, before the timer's figure;
    ``too-late``       a status held longer than its deadline;
    ``unexplained-gap`` (snapshots) no path of the model explains the change between two polls
                       within the elapsed time;
    ``inconsistent``   (snapshots) the row's last change time lies before the previous poll,
                       which showed something else;
    ``vanished``       (snapshots) a session no longer listed that cannot have ended;
    ``after-end``      a record of a session that had already ended;
    ``undecided``      the gap search hit its limit: never taken as a pass.
issues (:class:`Issue`), reported apart from violations
    ``duplicate``, ``out-of-order``, ``cut-off`` (open at the end of the input),
    ``unknown-status``, ``unmodelled-status``, ``unknown-cause``, ``partial-start``.

After a violation the checker takes the recorded change as if it had happened (the
remembered status and cause follow the machine's rules) and goes on, so one fault is
reported once. Event records are checked in timestamp order: a record that arrives out of
order is put back in place while the session's later records are still within the reorder
window. Formats are :mod:`statusproof.logcheck.records`'s, names
:mod:`statusproof.logcheck.namemap`'s, the compiled model and the gap search
:mod:`statusproof.logcheck.compiled`'s; the report is
:mod:`statusproof.logcheck.report`'s.
"""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from statusproof.model.errors import InputProblem, UnknownStatusError
from statusproof.model.model import Model, Transition
from statusproof.model.trace import Trace, TraceStep

from .namemap import Kind, NameMap, Resolution
from .compiled import (
    Belief,
    Compiled,
    Explanation,
    Plan,
    seconds_text,
    witness_delays,
)
from .records import PollMark, Record, format_time

__all__ = [
    "VIOLATION_KINDS",
    "ISSUE_KINDS",
    "Settings",
    "Violation",
    "Issue",
    "GapPattern",
    "Tally",
    "HistoryResult",
    "HistoryChecker",
    "check_history",
]

#: Violation kinds, in the order reports list them.
VIOLATION_KINDS = ("bad-start", "not-in-table", "guard", "too-early", "too-late",
                   "unexplained-gap", "inconsistent", "vanished", "after-end", "undecided")
#: Issue kinds (not violations), in the order reports list them.
ISSUE_KINDS = ("duplicate", "out-of-order", "cut-off", "unknown-status", "unmodelled-status",
               "unknown-cause", "partial-start")


@dataclass(frozen=True)
class Settings:
    """How the checker reads time and history.

    ``slack``: seconds by which a timing rule may be missed (clock skew, poll latency);
    ``reorder_window``: seconds a record may arrive late and still be put back in order;
    ``allow_partial``: sessions may have begun before the records (a first record that is not
    an entry point is accepted and reported as ``partial-start``); ``history``: how many of a
    session's latest records a violation shows; ``search_limit``: labels the gap search may
    expand before it gives up (``undecided``); ``closed_memory``: how many ended sessions are
    remembered to recognise records after their end; ``strict``: an unknown status name is
    an input error (:class:`UnknownStatusError`) instead of a reported issue.
    """

    slack: float = 0.0
    reorder_window: float = 60.0
    allow_partial: bool = False
    history: int = 8
    search_limit: int = 100_000
    closed_memory: int = 4096
    strict: bool = False


@dataclass(frozen=True)
class Violation:
    """A record the model does not allow, with its evidence."""

    kind: str
    path: str
    line: int
    session: str
    message: str
    history: tuple[Record, ...]
    allowed: tuple[str, ...]
    source: str | None
    target: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Issue:
    """A record that is not a violation but is worth knowing (see :data:`ISSUE_KINDS`)."""

    kind: str
    path: str
    line: int
    session: str
    message: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class GapPattern:
    """Gaps between polls explained by the same path: how often, first where, and a trace."""

    source: str
    path: tuple[str, ...]
    ending: bool
    count: int
    first: str
    session: str
    trace: Trace


@dataclass
class Tally:
    """A count with the first place it was seen."""

    count: int
    first: str


@dataclass
class HistoryResult:
    """Everything a run found; :mod:`statusproof.logcheck.report` renders it."""

    model: Model
    snapshots: bool
    settings: Settings
    records: int = 0
    polls: int = 0
    sessions: int = 0
    conforming: int = 0
    violating: int = 0
    cut_off: int = 0
    gaps_explained: int = 0
    violations: list[Violation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    drift: dict[tuple[str, str], Tally] = field(default_factory=dict)
    unmodelled: dict[str, Tally] = field(default_factory=dict)
    unknown: dict[str, Tally] = field(default_factory=dict)
    gaps: dict[tuple[str, tuple[str, ...], bool], GapPattern] = field(default_factory=dict)
    transitions: Counter[Transition] = field(default_factory=Counter)
    statuses: set[str] = field(default_factory=set)

    @property
    def failed(self) -> bool:
        return bool(self.violations)


_NOTHING = Record("", 0, "", -1e300, "")


class _Session:
    """What the checker keeps of an open session: its belief, when it entered it, its last
    record (checked), its newest record (read: out-of-order detection) and a short history."""

    __slots__ = ("after_end", "belief", "ended", "entered", "history", "id", "last",
                 "last_block", "late", "newest", "pending", "start", "start_late", "violated")

    def __init__(self, sid: str, keep: int) -> None:
        self.id = sid
        self.belief: Belief | None = None
        self.entered = 0.0
        self.last = _NOTHING
        self.newest = _NOTHING
        self.pending = 0
        self.ended = False
        self.late = False
        self.violated = False
        self.last_block = -1
        self.after_end: tuple[Record, bool] | None = None
        self.history: deque[Record] = deque(maxlen=keep)
        # when the session started, earliest and latest (session-clock timers); None: unknown
        self.start: float | None = None
        self.start_late: float | None = None

    @property
    def last_where(self) -> str:
        return f"{self.last.path}:{self.last.line}"


class HistoryChecker:
    """Checks a stream of records; call :meth:`feed` per item, then :meth:`finish`.

    ``problem`` is the sink for malformed lines (the readers' ``on_problem``): it records
    them in the result. ``files`` gives the order in which reports list the files (the order
    they were read); files not named come after them, by name.
    """

    def __init__(self, model: Model, names: NameMap, settings: Settings | None = None,
                 snapshots: bool = False, files: Sequence[str] = ()) -> None:
        self.settings = settings or Settings()
        self.files = tuple(files)
        self.compiled = Compiled(model, self.settings.slack)
        self.names = names
        self.result = HistoryResult(model, snapshots, self.settings)
        self._open: dict[str, _Session] = {}
        self._closed: OrderedDict[str, tuple[Record, bool]] = OrderedDict()
        self._resolved: dict[str, Resolution] = {}
        self._wanted: dict[tuple[str, ...], frozenset[str]] = {}
        self._window = self.settings.reorder_window
        self._buffer: deque[tuple[float, Record, _Session]] = deque()
        self._newest = -1e300
        self._timed: Counter[Transition] = Counter()
        self._causes: dict[tuple[tuple[str, ...], str], str | None] = {}
        # snapshots: the poll under way
        self._block = -1
        self._block_time: float | None = None
        self._block_mark: PollMark | None = None
        self._block_failed = False
        self._backwards = False

    # -- input ---------------------------------------------------------------------------
    def problem(self, problem: InputProblem) -> None:
        self.result.problems.append(problem)

    def feed(self, item: Record | PollMark) -> None:
        if isinstance(item, PollMark):
            self._mark(item)
        elif self.result.snapshots:
            self.result.records += 1
            self._row(item)
        else:
            self.result.records += 1
            self._arrive(item)

    def feed_all(self, items: Iterable[Record | PollMark]) -> None:
        """Feed every item (the fast loop for event records)."""
        if self.result.snapshots:
            row, mark = self._row, self._mark
            rows = 0
            for item in items:
                if type(item) is PollMark:
                    mark(item)
                else:
                    rows += 1
                    row(item)  # type: ignore[arg-type]
            self.result.records += rows
            return
        arrive = self._arrive
        count = 0
        for item in items:
            count += 1
            arrive(item)  # type: ignore[arg-type]
        self.result.records += count

    def finish(self) -> HistoryResult:
        """Check what is left (buffered records, open sessions) and return the result."""
        while self._buffer:
            _, record, session = self._buffer.popleft()
            self._process(record, session)
        if self.result.snapshots and self._block_mark is not None:
            self._finish_block()
        for session in list(self._open.values()):
            self._close(session, at_end=True)
        result = self.result
        for belief in self.compiled.beliefs():
            for plan in belief.plans.values():
                if plan.count:
                    for transition in plan.transitions:
                        result.transitions[transition] += plan.count
        result.transitions.update(self._timed)
        order = {name: index for index, name in enumerate(self.files)}
        late = len(order)
        result.violations.sort(key=lambda v: (order.get(v.path, late), v.path, v.line, v.kind))
        result.issues.sort(key=lambda i: (order.get(i.path, late), i.path, i.line, i.kind))
        return result

    # -- reporting helpers ---------------------------------------------------------------
    def _violation(self, kind: str, record: Record, session: _Session, message: str,
                   allowed: tuple[str, ...] = (), source: Belief | None = None) -> None:
        session.violated = True
        history = (*session.history, record)
        self.result.violations.append(Violation(
            kind, record.path, record.line, session.id, message, history, allowed,
            source.label if source is not None else None, record.status))

    def _issue(self, kind: str, path: str, line: int, session: str, message: str) -> None:
        self.result.issues.append(Issue(kind, path, line, session, message))

    def _drift(self, source: Belief, targets: tuple[str, ...], record: Record) -> None:
        where = f"{record.path}:{record.line}"
        for status in sorted(source.statuses):
            for target in targets:
                if self.compiled.pair_listed(status, target):
                    continue
                tally = self.result.drift.get((status, target))
                if tally is None:
                    self.result.drift[(status, target)] = Tally(1, where)
                else:
                    tally.count += 1

    def _unresolved(self, record: Record, session: _Session, res: Resolution) -> None:
        where = f"{record.path}:{record.line}"
        if self.settings.strict and res.kind is Kind.UNKNOWN:
            raise UnknownStatusError(f"{where}: status {record.status!r}: {res.reason} "
                                     "(--strict stops at the first unknown status name)")
        book = self.result.unmodelled if res.kind is Kind.UNMODELLED else self.result.unknown
        tally = book.get(record.status)
        if tally is None:
            book[record.status] = Tally(1, where)
        else:
            tally.count += 1
        kind = "unmodelled-status" if res.kind is Kind.UNMODELLED else "unknown-status"
        self._issue(kind, record.path, record.line, session.id,
                    f"status {record.status!r}: {res.reason}; the session is followed again "
                    "from its next known status")

    def _cause(self, record: Record, session: _Session, targets: tuple[str, ...]) -> str | None:
        raw = record.cause
        if raw is None:
            return None
        key = (targets, raw)
        if key in self._causes:
            value = self._causes[key]
        else:
            compiled = self.compiled
            with_cause = [t for t in targets if compiled.has_cause(t)]
            values = {compiled.cause_value(t, raw) for t in with_cause}
            value = values.pop() if len(values) == 1 else None
            if with_cause and value is None:
                value = ""  # reported, then ignored
            self._causes[key] = value
        if value == "":
            self._issue("unknown-cause", record.path, record.line, session.id,
                        f"cause {raw!r} is not a cause value of {' | '.join(targets)}; the cause "
                        "is ignored")
            return None
        return value

    def _close(self, session: _Session, at_end: bool = False) -> None:
        """The session is over (ended, vanished, or open at the end of the input)."""
        result = self.result
        self._open.pop(session.id, None)
        result.sessions += 1
        if at_end:
            belief = session.belief
            if belief is not None and not belief.final:
                result.cut_off += 1
                state = "an unknown status" if belief.lost else repr(belief.label)
                self._issue("cut-off", session.last.path, session.last.line, session.id,
                            f"the input ends while the session is in {state}, where a run "
                            "cannot end; its history is incomplete")
        if session.violated:
            result.violating += 1
        else:
            result.conforming += 1
        if not at_end:
            closed = self._closed
            closed[session.id] = (session.last, session.violated)
            if len(closed) > self.settings.closed_memory:
                closed.popitem(last=False)

    # -- event records ---------------------------------------------------------------------
    def _arrive(self, record: Record) -> None:
        session = self._open.get(record.session)
        if session is None:
            session = _Session(record.session, self.settings.history)
            self._open[record.session] = session
            gone = self._closed.pop(record.session, None)
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

    def _process(self, record: Record, session: _Session) -> None:
        session.pending -= 1
        res = self._resolved.get(record.status) or self._resolve(record.status)
        targets = res.statuses
        if not targets:
            self._unresolved(record, session, res)
            if session.ended or session.after_end is not None:
                self._stay_over(session)
                return
            session.belief = self.compiled.lost
            session.last = record
            session.history.append(record)
            return
        compiled = self.compiled
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
        session.history.append(record)
        if new.ended:
            self._ended(session)

    def _resolve(self, name: str) -> Resolution:
        res = self.names.resolve(name)
        self._resolved[name] = res
        self.result.statuses.update(res.statuses)
        return res

    def _ended(self, session: _Session) -> None:
        if session.pending:
            session.ended = True
        else:
            self._close(session)

    def _first(self, record: Record, session: _Session, targets: tuple[str, ...],
               cause: str | None) -> Belief | None:
        """The belief after a session's first record (None: the record is a duplicate of
        the one that ended the session, and is skipped)."""
        compiled = self.compiled
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

    def _stay_over(self, session: _Session) -> None:
        """A record came after the session's end: the session stays over."""
        if session.after_end is not None:  # a closed session: keep it closed
            self._closed[session.id] = session.after_end
            if not session.pending:
                self._open.pop(session.id, None)
        elif not session.pending:
            self._close(session)

    def _session_late(self, record: Record, session: _Session, belief: Belief,
                      now: float) -> None:
        """The session-clock deadline: a run leaves its status once the session is that old
        (on entry, when it is older)."""
        if session.late or session.start_late is None or belief.session_deadline is None:
            return
        due = max(session.entered, session.start_late + belief.session_deadline)
        if now <= due + self.compiled.slack:
            return
        session.late = True
        timing = self.compiled.timing
        status = max(belief.statuses, key=lambda s: timing.session_deadline.get(s, 0.0))
        timer = timing.session_deadline_timer.get(status)
        why = f" (timer to {timer.target}: {timer.setting or 'no setting named'})" if timer else ""
        self._violation("too-late", record, session,
                        f"held {belief.label!r} until {format_time(now)}; the model leaves "
                        f"{status!r} once the session is {seconds_text(belief.session_deadline)} "
                        f"old, at {format_time(due)}{why}",
                        (f"a change by {format_time(due)}",), belief)

    def _too_late(self, record: Record, session: _Session, belief: Belief,
                  dwell: float) -> None:
        if session.late:
            return
        session.late = True
        timing = self.compiled.timing
        status = max(belief.statuses, key=lambda s: timing.deadline.get(s, 0.0))
        timer = timing.deadline_timer.get(status)
        why = f" (timer to {timer.target}: {timer.setting or 'no setting named'})" if timer else ""
        deadline = belief.deadline or 0.0
        self._violation("too-late", record, session,
                        f"held {belief.label!r} for {seconds_text(dwell)}; the model leaves "
                        f"{status!r} within {seconds_text(deadline)}{why}",
                        (f"a change within {seconds_text(deadline)}",), belief)

    def _step(self, record: Record, session: _Session, belief: Belief,
              targets: tuple[str, ...], plan: Plan, dwell: float) -> Belief:
        compiled = self.compiled
        slack = compiled.slack
        if plan.failure is None:
            age = None if session.start is None else record.time - session.start
            fits = tuple(i for i, o in enumerate(plan.options)
                         if o.lower <= dwell + slack
                         and (o.session_lower <= 0 or age is None
                              or o.session_lower <= age + slack))
            if fits:
                for i in fits:
                    self._timed[plan.options[i].transition] += 1
                found = plan.fitted.get(fits)
                if found is None:
                    found = compiled.belief(plan.options[i].target for i in fits)
                    plan.fitted[fits] = found
                return found
            first = min(plan.options, key=lambda o: (o.lower, o.session_lower))
            key = (first.source.status, first.target.status, first.target.cause)
            label = _target_label(record.status, targets)
            if first.lower > dwell + slack or age is None:
                timer = compiled.timing.minimum_timer.get(key)
                why = f" (timer: {timer.setting})" if timer is not None and timer.setting else ""
                message = (f"{belief.label!r} -> {label} after {seconds_text(dwell)}; the model "
                           f"takes this step only after {seconds_text(first.lower)} in "
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
        label = _target_label(record.status, targets)
        if plan.failure == "not-in-table":
            self._drift(belief, targets, record)
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

    # -- polled snapshots ------------------------------------------------------------------
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

    def _finish_block(self) -> None:
        if self._block_failed or self._block_mark is None:
            return
        block = self._block
        mark = self._block_mark
        for session in [s for s in self._open.values() if s.last_block < block]:
            self._vanished(session, mark)

    def _row(self, record: Record) -> None:
        if self._backwards:
            self._issue("out-of-order", record.path, record.line, record.session,
                        "listed in a poll that is out of order; not checked")
            return
        session = self._open.get(record.session)
        assert record.waiting is not None
        if session is not None and session.last_block != self._block:
            # the common case first: listed again with no change since the last poll
            belief = session.belief
            last = session.last
            if (record.status == last.status and belief is not None and not belief.lost
                    and abs(record.time - record.waiting - session.entered)
                    <= self.compiled.slack):
                session.last_block = self._block
                session.last = record
                deadline = belief.deadline
                if (deadline is not None and not session.late
                        and record.waiting > deadline + self.compiled.slack):
                    self._too_late(record, session, belief, record.waiting)
                due = belief.session_deadline
                if (due is not None and session.start_late is not None
                        and record.time > session.start_late + due + self.compiled.slack):
                    self._session_late(record, session, belief, record.time)
                return
        if session is None:
            session = _Session(record.session, self.settings.history)
            self._open[record.session] = session
            session.after_end = self._closed.pop(record.session, None)
        elif session.last_block == self._block:
            self._issue("duplicate", record.path, record.line, session.id,
                        f"listed twice in the same poll ({session.last_where}); not checked "
                        "again")
            return
        session.last_block = self._block
        res = self._resolved.get(record.status) or self._resolve(record.status)
        targets = res.statuses
        changed = record.time - record.waiting
        if not targets:
            self._unresolved(record, session, res)
            session.belief = self.compiled.lost
            self._seen(record, session, changed)
            return
        cause = self._cause(record, session, targets) if record.cause is not None else None
        belief = session.belief
        compiled = self.compiled
        slack = compiled.slack
        if belief is None or session.after_end is not None:
            new = self._first_listing(record, session, targets, cause, changed)
        elif belief.lost:
            new = compiled.anywhere(targets, cause)
        elif record.status == session.last.status and abs(changed - session.entered) <= slack:
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

    def _seen(self, record: Record, session: _Session, changed: float) -> None:
        if changed != session.entered or record.status != session.last.status:
            session.history.append(record)
        session.entered = changed
        session.last = record

    def _first_listing(self, record: Record, session: _Session, targets: tuple[str, ...],
                       cause: str | None, changed: float) -> Belief:
        compiled = self.compiled
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

    def _gap(self, record: Record, session: _Session, belief: Belief, targets: tuple[str, ...],
             cause: str | None, changed: float) -> Belief:
        compiled = self.compiled
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
        label = _target_label(record.status, targets)
        if not any(compiled.pair_listed(s, t) for s in belief.statuses for t in targets):
            self._drift(belief, targets, record)
        self._violation("unexplained-gap", record, session,
                        f"no path of the model leads from {belief.label!r} (seen at "
                        f"{session.last_where}) to {label} in "
                        f"{seconds_text(elapsed)}", tuple(sorted(found.reachable)), belief)
        return compiled.plan(belief, targets, cause).resync

    def _undecided(self, record: Record, session: _Session, belief: Belief) -> None:
        self._violation("undecided", record, session,
                        f"the gap search gave up after {self.settings.search_limit} labels; "
                        "the change is not known to be allowed (raise --search-limit)",
                        (), belief)

    def _explained(self, record: Record, session: _Session, belief: Belief | None,
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
        pattern = self.result.gaps.get(key)
        if pattern is not None:
            pattern.count += 1
            return
        delays = witness_delays(low, high, self.compiled.slack, steps)
        where = f"{record.path}:{record.line}"
        first_note = "entry point" if belief is None else f"seen at {session.last_where}"
        trace_steps = [TraceStep(start, None, None, first_note)]
        for step, delay in zip(steps, delays, strict=True):
            trace_steps.append(TraceStep(step.state, step.transition, round(delay)))
        last_note = f"then no longer listed ({where})" if ending else f"seen at {where}"
        trace_steps[-1] = TraceStep(steps[-1].state, steps[-1].transition, round(delays[-1]),
                                    last_note)
        title = (f"{source} -> {' -> '.join(key[1])}" + (" (then gone)" if ending else ""))
        self.result.gaps[key] = GapPattern(source, key[1], ending, 1, where, session.id,
                                           Trace(tuple(trace_steps), title))

    def _vanished(self, session: _Session, mark: PollMark) -> None:
        belief = session.belief
        if belief is None or belief.lost or belief.final:
            self._close(session)
            return
        compiled = self.compiled
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


def _target_label(recorded: str, targets: tuple[str, ...]) -> str:
    """How a message names a recorded status: with the table's name when they differ.

    >>> _target_label("Active", ("Active",))
    "'Active'"
    >>> _target_label("Closed by technician", ("Removed from TC queue",))
    "'Closed by technician' (table: 'Removed from TC queue')"
    """
    if targets == (recorded,):
        return repr(recorded)
    return f"{recorded!r} (table: {' | '.join(repr(t) for t in targets)})"


def check_history(model: Model, items: Iterable[Record | PollMark], names: NameMap,
                  settings: Settings | None = None, snapshots: bool = False,
                  problems: Iterable[InputProblem] = (),
                  files: Sequence[str] = ()) -> HistoryResult:
    """Check a stream of records; ``problems`` are malformed lines found while reading."""
    checker = HistoryChecker(model, names, settings, snapshots, files)
    checker.feed_all(items)
    checker.result.problems.extend(problems)
    return checker.finish()

