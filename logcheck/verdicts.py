"""The state the log checker keeps per session, and how it records verdicts.

This module owns :class:`SessionState` (what is kept of an open session) and
:class:`CheckerBase`: the checker's state and the helpers every kind of record shares, namely
reporting a violation, an issue, drift or an unknown name, resolving a recorded name and
cause, the timing deadlines (``too-late``), and closing a session. What a record means is
decided by :mod:`.events` (event records) and :mod:`.snapshots` (polled snapshots);
:mod:`.checker` puts them together.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Sequence

from statusproof.model.errors import InputProblem, UnknownStatusError
from statusproof.model.model import Model
from statusproof.model.names import normalise

from .compiled import Belief, Compiled, seconds_text
from .namemap import Kind, NameMap, Resolution
from .records import Record, format_time
from .result import CheckSettings, Issue, LogResult, Position, Violation, tally

__all__ = ["SessionState", "CheckerBase", "NOTHING", "target_label"]

NOTHING = Record("", 0, "", -1e300, "")


class SessionState:
    """What the checker keeps of an open session: its belief, when it entered it, its last
    record (checked), its newest record (read: out-of-order detection), its latest records
    (shown with a violation), and the compiled model of its timer settings."""

    __slots__ = ("after_end", "belief", "compiled", "ended", "entered", "id", "last",
                 "last_block", "late", "newest", "pending", "recent", "start", "start_late",
                 "violated")

    def __init__(self, sid: str, keep: int, compiled: Compiled) -> None:
        self.id = sid
        self.compiled = compiled
        self.belief: Belief | None = None
        self.entered = 0.0
        self.last = NOTHING
        self.newest = NOTHING
        self.pending = 0
        self.ended = False
        self.late = False
        self.violated = False
        self.last_block = -1
        self.after_end: tuple[Record, bool] | None = None
        self.recent: deque[Record] = deque(maxlen=keep)
        # when the session started, earliest and latest (session-clock timers); None: unknown
        self.start: float | None = None
        self.start_late: float | None = None

    @property
    def last_where(self) -> str:
        return f"{self.last.path}:{self.last.line}"


#: Chooses the compiled model (timer settings) of a session from its first record.
ProfileChooser = Callable[[Record], Compiled]


class CheckerBase:
    """The checker's state and shared helpers (see the module docstring)."""

    def __init__(self, model: Model, names: NameMap, settings: CheckSettings | None = None,
                 snapshots: bool = False, files: Sequence[str] = (),
                 compiled: Compiled | None = None,
                 profile: ProfileChooser | None = None) -> None:
        self.settings = settings or CheckSettings()
        self.files = tuple(files)
        self._order = {name: index for index, name in enumerate(self.files)}
        self.compiled = compiled or Compiled(model, self.settings.slack)
        self._profile = profile
        self._compileds: list[Compiled] = [self.compiled]
        self.names = names
        self.result = LogResult(model, snapshots, self.settings)
        self._open: dict[str, SessionState] = {}
        self._closed: OrderedDict[str, tuple[Record, bool]] = OrderedDict()
        self._resolved: dict[str, Resolution] = {}
        self._keys: dict[str, tuple[str, ...] | str] = {}
        self._wanted: dict[tuple[str, ...], frozenset[str]] = {}
        self._window = self.settings.reorder_window
        self._newest = -1e300
        self._causes: dict[tuple[int, tuple[str, ...], str], str | None] = {}
        #: called with a session id when the checker forgets it entirely
        self.on_forget: Callable[[str], None] | None = None

    # -- places ----------------------------------------------------------------------------
    def position(self, path: str, line: int) -> Position:
        return (self._order.get(path, len(self._order)), path, line)

    def problem(self, problem: InputProblem) -> None:
        self.result.problems.append(problem)

    def new_session(self, record: Record) -> SessionState:
        compiled = self.compiled if self._profile is None else self._profile(record)
        if compiled is not self.compiled and all(c is not compiled for c in self._compileds):
            self._compileds.append(compiled)
        session = SessionState(record.session, self.settings.shown_records, compiled)
        self._open[record.session] = session
        return session

    def recall_closed(self, sid: str) -> tuple[Record, bool] | None:
        """The end of a session that ended and is still remembered (see ``closed_memory``)."""
        gone = self._closed.pop(sid, None)
        if gone is not None and gone[0].time < self._newest - self.settings.closed_memory:
            if self.on_forget is not None:
                self.on_forget(sid)
            return None
        return gone

    # -- reporting helpers -----------------------------------------------------------------
    def _violation(self, kind: str, record: Record, session: SessionState, message: str,
                   allowed: tuple[str, ...] = (), source: Belief | None = None) -> None:
        session.violated = True
        records = (*session.recent, record)
        self.result.violations.append(Violation(
            kind, record.path, record.line, session.id, message, records, allowed,
            source.label if source is not None else None, record.status))

    def _issue(self, kind: str, path: str, line: int, session: str, message: str) -> None:
        self.result.issues.append(Issue(kind, path, line, session, message))

    def _drift(self, session: SessionState, source: Belief, targets: tuple[str, ...],
               record: Record) -> None:
        position = self.position(record.path, record.line)
        for status in sorted(source.statuses):
            for target in targets:
                if not session.compiled.pair_listed(status, target):
                    tally(self.result.drift, (status, target), position)

    def _unresolved(self, record: Record, session: SessionState, res: Resolution) -> None:
        where = f"{record.path}:{record.line}"
        if self.settings.strict and res.kind is Kind.UNKNOWN:
            raise UnknownStatusError(f"{where}: status {record.status!r}: {res.reason} "
                                     "(--strict stops at the first unknown status name)")
        book = self.result.unmodelled if res.kind is Kind.UNMODELLED else self.result.unknown
        tally(book, record.status, self.position(record.path, record.line))
        kind = "unmodelled-status" if res.kind is Kind.UNMODELLED else "unknown-status"
        self._issue(kind, record.path, record.line, session.id,
                    f"status {record.status!r}: {res.reason}; the session is followed again "
                    "from its next known status")

    def _resolve(self, name: str) -> Resolution:
        found = self._resolved.get(name)
        if found is not None:
            return found
        res = self.names.resolve(name)
        self._resolved[name] = res
        self.result.statuses.update(res.statuses)
        return res

    def status_key(self, name: str) -> tuple[str, ...] | str:
        """What a recorded name stands for, to compare two records: the statuses it resolves
        to, or (unknown) the name without case and spacing ("ACTIVE" and "active " agree)."""
        key = self._keys.get(name)
        if key is None:
            res = self.names.resolve(name)
            key = self._keys[name] = res.statuses or normalise(name)
        return key

    def _cause(self, record: Record, session: SessionState,
               targets: tuple[str, ...]) -> str | None:
        raw = record.cause
        if raw is None:
            return None
        compiled = session.compiled
        key = (id(compiled), targets, raw)
        if key in self._causes:
            value = self._causes[key]
        else:
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

    def _close(self, session: SessionState, at_end: bool = False) -> None:
        """The session is over (ended, vanished, or open at the end of the input)."""
        result = self.result
        self._open.pop(session.id, None)
        result.sessions += 1
        result.note_sessions((session.id,))
        if at_end:
            belief = session.belief
            if belief is not None and not belief.final:
                result.cut_off += 1
                state = "an unknown status" if belief.lost else repr(belief.label)
                self._issue("cut-off", session.last.path, session.last.line, session.id,
                            f"the input ends while the session is in {state}, where a run "
                            "cannot end; its records are incomplete")
        if session.violated:
            result.violating += 1
        else:
            result.conforming += 1
        if not at_end:
            self._remember_closed(session.id, (session.last, session.violated))
        elif self.on_forget is not None:
            self.on_forget(session.id)

    def _remember_closed(self, sid: str, end: tuple[Record, bool]) -> None:
        closed = self._closed
        closed[sid] = end
        limit = self._newest - self.settings.closed_memory
        while closed:
            first = next(iter(closed))
            if closed[first][0].time >= limit:
                break
            del closed[first]
            if self.on_forget is not None:
                self.on_forget(first)

    def _session_late(self, record: Record, session: SessionState, belief: Belief,
                      now: float) -> None:
        """The session-clock deadline: a run leaves its status once the session is that old
        (on entry, when it is older)."""
        if session.late or session.start_late is None or belief.session_deadline is None:
            return
        due = max(session.entered, session.start_late + belief.session_deadline)
        compiled = session.compiled
        if now <= due + compiled.slack:
            return
        session.late = True
        timing = compiled.timing
        status = max(belief.statuses, key=lambda s: timing.session_deadline.get(s, 0.0))
        timer = timing.session_deadline_timer.get(status)
        why = f" (timer to {timer.target}: {timer.setting or 'no setting named'})" if timer else ""
        self._violation("too-late", record, session,
                        f"held {belief.label!r} until {format_time(now)}; the model leaves "
                        f"{status!r} once the session is {seconds_text(belief.session_deadline)} "
                        f"old, at {format_time(due)}{why}",
                        (f"a change by {format_time(due)}",), belief)

    def _too_late(self, record: Record, session: SessionState, belief: Belief,
                  dwell: float) -> None:
        if session.late:
            return
        session.late = True
        timing = session.compiled.timing
        status = max(belief.statuses, key=lambda s: timing.deadline.get(s, 0.0))
        timer = timing.deadline_timer.get(status)
        why = f" (timer to {timer.target}: {timer.setting or 'no setting named'})" if timer else ""
        deadline = belief.deadline or 0.0
        self._violation("too-late", record, session,
                        f"held {belief.label!r} for {seconds_text(dwell)}; the model leaves "
                        f"{status!r} within {seconds_text(deadline)}{why}",
                        (f"a change within {seconds_text(deadline)}",), belief)


def target_label(recorded: str, targets: tuple[str, ...]) -> str:
    """How a message names a recorded status: with the table's name when they differ.

    >>> target_label("Active", ("Active",))
    "'Active'"
    >>> target_label("Closed by technician", ("Removed from TC queue",))
    "'Closed by technician' (table: 'Removed from TC queue')"
    """
    if targets == (recorded,):
        return repr(recorded)
    return f"{recorded!r} (table: {' | '.join(repr(t) for t in targets)})"
