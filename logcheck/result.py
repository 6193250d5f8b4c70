"""What a check of recorded logs found: violations, issues, tallies, and merging partial results.

This module owns the result types (:class:`Violation`, :class:`Issue`, :class:`Tally`,
:class:`GapPattern`, :class:`LogResult`), the kinds reports list, and :func:`merge_results`,
which combines the results of checks that each saw some of the sessions (``--jobs``, the Dask
engine, the fast path and the exact checker) into the result one check of everything gives.
For that, everything a result keeps is either a sum, a union, or the item of the earliest
*position* in the input (file order, then line): never "whichever was met first", which
depends on how the work was split. Checking is :mod:`.checker`'s job, rendering
:mod:`.report`'s.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from statusproof.model.errors import InputProblem
from statusproof.model.model import Model, Transition
from statusproof.model.record import record
from statusproof.model.trace import Trace

from .records import Record

__all__ = [
    "VIOLATION_KINDS",
    "ISSUE_KINDS",
    "Position",
    "CheckSettings",
    "Violation",
    "Issue",
    "GapPattern",
    "Tally",
    "LogResult",
    "merge_results",
    "tally",
]

#: Violation kinds, in the order reports list them.
VIOLATION_KINDS = ("bad-start", "not-in-table", "guard", "too-early", "too-late",
                   "unexplained-gap", "inconsistent", "vanished", "after-end", "undecided")
#: Issue kinds (not violations), in the order reports list them.
ISSUE_KINDS = ("duplicate", "out-of-order", "cut-off", "unknown-status", "unmodelled-status",
               "unknown-cause", "partial-start")

#: Where something is in the input: (index of the file in the order given, file name, line).
Position = tuple[int, str, int]


@record
class CheckSettings:
    """How the checker reads time and sessions.

    ``slack``: seconds by which a timing rule may be missed (clock skew, poll latency);
    ``reorder_window``: seconds a record may arrive late and still be put back in order;
    ``allow_partial``: sessions may have begun before the records (a first record that is not
    an entry point is accepted and reported as ``partial-start``); ``shown_records``: how many
    of a session's latest records a violation shows; ``search_limit``: labels the gap search
    may expand before it gives up (``undecided``); ``closed_memory``: seconds an ended session
    is remembered, counted on the input's clock (the latest time read), to recognise records
    after its end; ``strict``: an unknown status name is an input error
    (:class:`~statusproof.model.errors.UnknownStatusError`) instead of a reported issue;
    ``keep_sessions``: keep the id of every session counted (for a JUnit report with one test
    case per session; memory grows with the number of sessions).
    """

    slack: float = 0.0
    reorder_window: float = 60.0
    allow_partial: bool = False
    shown_records: int = 8
    search_limit: int = 100_000
    closed_memory: float = 86400.0
    strict: bool = False
    keep_sessions: bool = False


@record
class Violation:
    """A record the model does not allow, with its evidence."""

    kind: str
    path: str
    line: int
    session: str
    message: str
    records: tuple[Record, ...]
    allowed: tuple[str, ...]
    source: str | None
    target: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


@record
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
    position: Position = (0, "", 0)


@dataclass
class Tally:
    """A count with the earliest place (in input order) it was seen."""

    count: int
    first: str
    position: Position = (0, "", 0)


def tally(book: dict[Any, Tally], key: object, position: Position) -> None:
    """Count ``key`` in ``book``, keeping the earliest position."""
    found = book.get(key)
    where = f"{position[1]}:{position[2]}"
    if found is None:
        book[key] = Tally(1, where, position)
        return
    found.count += 1
    if position < found.position:
        found.first, found.position = where, position


@dataclass
class LogResult:
    """Everything a run found; :mod:`.report` renders it."""

    model: Model
    snapshots: bool
    settings: CheckSettings
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
    timing: tuple[str, ...] = ()  # what the timing rules could check, and what not (notes)
    #: the id of every session counted, when ``settings.keep_sessions`` (else None)
    session_ids: list[str] | None = None

    def __post_init__(self) -> None:
        if self.settings.keep_sessions and self.session_ids is None:
            self.session_ids = []

    def note_sessions(self, ids: Iterable[str]) -> None:
        """Keep the ids of sessions just counted, when ``settings.keep_sessions``."""
        if self.session_ids is not None:
            self.session_ids.extend(ids)

    @property
    def failed(self) -> bool:
        return bool(self.violations)

    def sort(self, files: Sequence[str]) -> None:
        """Put violations, issues and malformed lines in input order (file order, line)."""
        order = {name: index for index, name in enumerate(files)}
        late = len(order)
        self.violations.sort(key=lambda v: (order.get(v.path, late), v.path, v.line, v.kind,
                                            v.session))
        self.issues.sort(key=lambda i: (order.get(i.path, late), i.path, i.line, i.kind,
                                        i.session))
        self.problems.sort(key=lambda p: (order.get(p.path, late), p.path, p.line))


def _merge_tallies(into: dict[Any, Tally], other: dict[Any, Tally]) -> None:
    for key, item in other.items():
        found = into.get(key)
        if found is None:
            into[key] = Tally(item.count, item.first, item.position)
            continue
        found.count += item.count
        if item.position < found.position:
            found.first, found.position = item.first, item.position


def merge_results(parts: Iterable[LogResult], files: Sequence[str]) -> LogResult:
    """One result from the results of checks that each saw a disjoint set of sessions (and,
    between them, every malformed line once)."""
    items = list(parts)
    first = items[0]
    merged = LogResult(first.model, first.snapshots, first.settings, timing=first.timing)
    for part in items:
        for name in ("records", "polls", "sessions", "conforming", "violating", "cut_off",
                     "gaps_explained"):
            setattr(merged, name, getattr(merged, name) + getattr(part, name))
        merged.violations.extend(part.violations)
        merged.issues.extend(part.issues)
        merged.problems.extend(part.problems)
        _merge_tallies(merged.drift, part.drift)
        _merge_tallies(merged.unmodelled, part.unmodelled)
        _merge_tallies(merged.unknown, part.unknown)
        for key, gap in part.gaps.items():
            known = merged.gaps.get(key)
            if known is None:
                merged.gaps[key] = GapPattern(gap.source, gap.path, gap.ending, gap.count,
                                              gap.first, gap.session, gap.trace, gap.position)
            else:
                total = known.count + gap.count
                if gap.position < known.position:
                    known = merged.gaps[key] = GapPattern(
                        gap.source, gap.path, gap.ending, total, gap.first, gap.session,
                        gap.trace, gap.position)
                known.count = total
        merged.transitions.update(part.transitions)
        if part.session_ids is not None:
            merged.note_sessions(part.session_ids)
        merged.statuses |= part.statuses
    merged.sort(files)
    return merged
