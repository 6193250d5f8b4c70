"""The interpreted model: statuses, guarded transitions, and what the table left open.

Everything here is immutable. Every element keeps the table cell it came from (``span``, kept
out of equality). The model records both what each column says (:class:`Link`) and what the
chosen reconciliation policy made of it (:class:`Transition`), so that checks can report
disagreements between the columns. Building a model is :mod:`statusproof.model.interpret`'s job;
graphs over it are in :mod:`statusproof.model.graph`.
"""

from __future__ import annotations

from enum import Enum
from functools import cached_property

from .record import field, record
from .table import Column, SourceSpan

__all__ = [
    "TerminalKind",
    "GuardKind",
    "Guard",
    "Status",
    "Link",
    "Transition",
    "Note",
    "Cause",
    "Timer",
    "Amendment",
    "Fragment",
    "EntryReading",
    "Model",
    "OTHERWISE",
    "POLICIES",
    "HISTORY_VARIABLE",
]

#: Column reconciliation policies, in the order the CLI lists them.
POLICIES = ("union", "next", "previous", "intersection")

#: The name of the variable a history guard reads: the status held before an interruption.
HISTORY_VARIABLE = "remembered"

#: The cause value of "none of the conditions of the cell" (an explicit ``otherwise``, or the
#: case where only a cell's unconditioned exits are possible).
OTHERWISE = "otherwise"


class TerminalKind(Enum):
    """Why a status ends a run."""

    DOCUMENTED = "documented"  # its Next cell says "none"
    EXIT = "exit"  # it has no row: named as a next status only
    CONDITIONAL = "conditional"  # its Next cell says "none if <condition>"


class GuardKind(Enum):
    HISTORY = "history"  # "X if the session was in X status": reads the remembered status
    CONDITION = "condition"  # "X if <condition>": a named condition (a cause)


@record
class Guard:
    """A condition on a transition: ``variable`` is one of ``values``.

    A history guard reads :data:`HISTORY_VARIABLE` and its values are status names; a
    condition guard reads a cause variable (named per status, or by an amendment) whose
    values are the condition texts or the amendment's names for them.
    """

    kind: GuardKind
    variable: str
    values: tuple[str, ...]
    text: str
    span: SourceSpan | None = field(default=None, compare=False)
    #: True for "otherwise" beside history conditions: the variable is none of ``values``.
    negated: bool = False

    def __str__(self) -> str:
        if self.negated:
            if len(self.values) == 1:
                return f"{self.variable} != {self.values[0]}"
            return f"{self.variable} not in {{{', '.join(self.values)}}}"
        if len(self.values) == 1:
            return f"{self.variable} = {self.values[0]}"
        return f"{self.variable} in {{{', '.join(self.values)}}}"

    def holds(self, value: str | None) -> bool:
        """Whether the guard holds when its variable has ``value`` (None: nothing)."""
        return (value in self.values) != self.negated


@record
class Status:
    """One status of the model: a table row, or a name mentioned without a row."""

    name: str
    defined: bool
    description: str = ""
    entry: bool = False
    triggers: tuple[str, ...] = ()
    terminal: TerminalKind | None = None
    remembers: bool = False
    previous_documented: bool = False
    next_documented: bool = False
    span: SourceSpan | None = field(default=None, compare=False)
    previous_span: SourceSpan | None = field(default=None, compare=False)
    next_span: SourceSpan | None = field(default=None, compare=False)
    #: The uninterpreted fragments of its Next / Previous cell ("line N: 'text'"): the cell
    #: may say more than the model knows.
    unread_next: tuple[str, ...] = ()
    unread_previous: tuple[str, ...] = ()

    @property
    def line(self) -> int | None:
        return self.span.line if self.span is not None else None


@record
class Link:
    """What one column says: ``source`` may be followed by ``target`` (one cell entry).

    ``column`` is the column the entry stands in: the source's Next cell or the target's
    Previous cell. ``via`` names the row a "See X status." reference copied the entry from.
    ``amendment`` holds the source of an amendment that added the entry, if any.
    """

    source: str
    target: str
    column: Column
    guard: Guard | None = None
    via: str | None = None
    amendment: str | None = None
    span: SourceSpan | None = field(default=None, compare=False)


@record
class Transition:
    """A step of the model: from ``source`` to ``target`` when ``guard`` holds.

    ``target`` None is a termination ("none if <condition>"): the run ends in ``source``.
    ``columns`` tells which columns list the step; a step listed in one column only is
    what the other column left out.
    """

    source: str
    target: str | None
    guard: Guard | None
    columns: frozenset[Column]
    amendment: str | None = None
    spans: tuple[SourceSpan, ...] = field(default=(), compare=False)
    #: The uninterpreted fragments the step depends on ("the Next cell of 'S', line N:
    #: 'text'"): listed by one column only while the other column's cell is not understood,
    #: or an "otherwise" beside a fragment not understood. Empty: the step is as read.
    depends: tuple[str, ...] = ()

    @property
    def line(self) -> int | None:
        return self.spans[0].line if self.spans else None


@record
class Fragment:
    """One piece of a cell entry with its one reading.

    ``reading`` is one of ``status``, ``undefined-status``, ``trigger``, ``history``,
    ``condition``, ``otherwise``, ``end``, ``reference``, ``uninterpreted``; ``start`` and
    ``end`` are character offsets in the entry's text; ``why`` says what made the reading;
    ``statuses`` the rows it names (for ``status``, ``history``).
    """

    reading: str
    text: str
    start: int
    end: int
    why: str
    statuses: tuple[str, ...] = ()


@record
class EntryReading:
    """How one entry of a Previous or Next cell was read, fragment by fragment.

    ``via`` names the row a "See X status." reference copied the entry from; ``amendment``
    is the source of a reading amendment that says how to read it.
    """

    status: str
    column: Column
    text: str
    fragments: tuple[Fragment, ...]
    span: SourceSpan | None = field(default=None, compare=False)
    via: str | None = None
    amendment: str | None = None


@record
class Note:
    """Something the interpretation could not settle; the checks turn notes into findings."""

    code: str
    message: str
    statuses: tuple[str, ...]
    span: SourceSpan | None = field(default=None, compare=False)
    evidence: tuple[tuple[str, object], ...] = field(default=(), compare=False)


@record
class Cause:
    """A cause variable: the alternatives behind a status's conditional exits.

    ``values`` maps the cause's value names to the condition text of the table each stands for.
    """

    status: str
    variable: str
    values: tuple[tuple[str, str], ...]
    source: str = ""


@record
class Timer:
    """A timed rule: after ``seconds`` in ``status`` the run may move to ``target``.

    ``minimum``/``maximum`` bound a setting an administrator chooses (both None for a fixed
    delay); ``never`` says the setting may switch the rule off. ``cause`` is the value of the
    target's cause variable that this timer sets. ``clock`` is what the time counts from:
    ``"status"`` (entering ``status``) or ``"session"`` (the start of the run).
    """

    status: str
    target: str
    seconds: int | None
    minimum: int | None = None
    maximum: int | None = None
    never: bool = False
    cause: str | None = None
    setting: str = ""
    source: str = ""
    clock: str = "status"


@record
class Amendment:
    """One reviewed statement an amendment file adds to the table, with its source."""

    kind: str
    statement: str
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class Model:
    """An interpreted status table."""

    path: str
    policy: str
    statuses: tuple[Status, ...]
    transitions: tuple[Transition, ...]
    links: tuple[Link, ...]
    notes: tuple[Note, ...] = ()
    causes: tuple[Cause, ...] = ()
    timers: tuple[Timer, ...] = ()
    amendments: tuple[Amendment, ...] = ()
    readings: tuple[EntryReading, ...] = ()

    # Indexes, built once on first use (a frozen dataclass still has an instance __dict__),
    # so that lookups are O(1) and the checks stay near-linear on large tables.
    @cached_property
    def _by_name(self) -> dict[str, Status]:
        index: dict[str, Status] = {}
        for status in self.statuses:
            index.setdefault(status.name, status)
        return index

    @cached_property
    def _outgoing(self) -> dict[str, tuple[Transition, ...]]:
        index: dict[str, list[Transition]] = {}
        for transition in self.transitions:
            index.setdefault(transition.source, []).append(transition)
        return {name: tuple(ts) for name, ts in index.items()}

    @cached_property
    def _incoming(self) -> dict[str, tuple[Transition, ...]]:
        index: dict[str, list[Transition]] = {}
        for transition in self.transitions:
            if transition.target is not None:
                index.setdefault(transition.target, []).append(transition)
        return {name: tuple(ts) for name, ts in index.items()}

    @cached_property
    def derived(self) -> dict[str, object]:
        """A memo for views derived from the model (graphs, witnesses), built on first use.

        Only :mod:`statusproof.model.graph` and :mod:`statusproof.model.machine` (the unfolded
        machine) write here; what they store is read-only.
        """
        return {}

    @cached_property
    def _causes(self) -> dict[str, Cause]:
        index: dict[str, Cause] = {}
        for cause in self.causes:
            index.setdefault(cause.status, cause)
        return index

    def status(self, name: str) -> Status:
        """The status called ``name`` (exact canonical name); KeyError if there is none."""
        return self._by_name[name]

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses)

    @cached_property
    def entries(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses if s.entry)

    @cached_property
    def terminals(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.statuses if s.terminal is not None)

    @cached_property
    def remembering(self) -> tuple[str, ...]:
        """The statuses that remember the status to return to (history statuses)."""
        return tuple(s.name for s in self.statuses if s.remembers)

    def outgoing(self, name: str) -> tuple[Transition, ...]:
        """The transitions out of ``name`` (terminations included), in model order."""
        return self._outgoing.get(name, ())

    def incoming(self, name: str) -> tuple[Transition, ...]:
        """The transitions into ``name``, in model order."""
        return self._incoming.get(name, ())

    def cause_of(self, name: str) -> Cause | None:
        """The cause variable of ``name``, or None when it has none."""
        return self._causes.get(name)
