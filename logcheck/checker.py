"""Checking recorded logs against the extended machine of a model: the exact streaming checker.

This module owns :class:`LogChecker`, which consumes the stream of records (event records, or
polled snapshots and their poll marks) and follows each session through the machine, keeping
only the sessions still open, so memory grows with the number of open sessions and not with
the input. What it reports:

violations (:class:`~.result.Violation`, each with ``file:line``, the session, its latest
records and what the model allowed instead)
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
issues (:class:`~.result.Issue`), reported apart from violations
    ``duplicate``, ``out-of-order``, ``cut-off`` (open at the end of the input),
    ``unknown-status``, ``unmodelled-status``, ``unknown-cause``, ``partial-start``.

After a violation the checker takes the recorded change as if it had happened (the
remembered status and cause follow the machine's rules) and goes on, so one fault is
reported once. What each record means is :mod:`.events`' and :mod:`.snapshots`'; formats are
the readers' (:mod:`.readers`), names :mod:`.namemap`'s, the compiled model and the gap search
:mod:`.compiled`'s and :mod:`.gapsearch`'s; the report is :mod:`.report`'s. The fast path
(:mod:`.fastpath`) hands this checker only the sessions that need an explanation.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence

from statusproof.model.errors import InputProblem
from statusproof.model.model import Model

from .compiled import Compiled
from .events import EventSteps
from .namemap import NameMap
from .records import PollMark, Record, UnreadableRow
from .result import CheckSettings, LogResult
from .snapshots import SnapshotSteps
from .verdicts import ProfileChooser

__all__ = ["LogChecker", "check_logs", "Item"]

#: What the readers yield.
Item = Record | PollMark | UnreadableRow


class LogChecker(EventSteps, SnapshotSteps):
    """Checks a stream of records; call :meth:`feed` per item (or :meth:`feed_all`), then
    :meth:`finish`.

    ``problem`` is the sink for malformed lines (the readers' ``on_problem``): it records
    them in the result. ``files`` gives the order in which reports list the files (the order
    they were read); files not named come after them, by name. ``profile`` chooses the
    compiled model (the timer settings) of a session from its first record; by default every
    session uses ``compiled`` (or the model compiled with the settings' slack).
    """

    def __init__(self, model: Model, names: NameMap, settings: CheckSettings | None = None,
                 snapshots: bool = False, files: Sequence[str] = (),
                 compiled: Compiled | None = None,
                 profile: ProfileChooser | None = None) -> None:
        super().__init__(model, names, settings, snapshots, files, compiled, profile)
        self._buffer = deque()
        # snapshots: the poll under way
        self._block = -1
        self._block_time = None
        self._block_mark = None
        self._block_failed = False
        self._backwards = False

    def feed(self, item: Item) -> None:
        if type(item) is PollMark:
            self._mark(item)
        elif type(item) is UnreadableRow:
            self._unreadable(item)
        elif self.result.snapshots:
            self.result.records += 1
            self._row(item)  # type: ignore[arg-type]
        else:
            self.result.records += 1
            self._arrive(item)  # type: ignore[arg-type]

    def feed_all(self, items: Iterable[Item]) -> None:
        """Feed every item (the fast loop for event records)."""
        if self.result.snapshots:
            for item in items:
                self.feed(item)
            return
        arrive = self._arrive
        count = 0
        for item in items:
            if type(item) is Record:
                count += 1
                arrive(item)
        self.result.records += count

    def finish(self) -> LogResult:
        """Check what is left (buffered records, open sessions) and return the result."""
        self.flush_events()
        if self.result.snapshots and self._block_mark is not None:
            self._finish_block()
        for session in sorted(self._open.values(), key=lambda s: s.id):
            self._close(session, at_end=True)
        result = self.result
        for compiled in self._compileds:
            for belief in compiled.beliefs():
                for plan in belief.plans.values():
                    if plan.count:
                        for transition in plan.transitions:
                            result.transitions[transition] += plan.count
            result.transitions.update(compiled.timed)
        result.sort(self.files)
        return result


def check_logs(model: Model, items: Iterable[Item], names: NameMap,
               settings: CheckSettings | None = None, snapshots: bool = False,
               problems: Iterable[InputProblem] = (),
               files: Sequence[str] = ()) -> LogResult:
    """Check a stream of records; ``problems`` are malformed lines found while reading."""
    checker = LogChecker(model, names, settings, snapshots, files)
    checker.feed_all(items)
    checker.result.problems.extend(problems)
    return checker.finish()
