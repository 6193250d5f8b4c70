"""What each read clause contributes to the model: links, ends, entry points, guards, notes.

This module owns turning the clauses of :mod:`statusproof.model.cells` into the raw material
of a model: :class:`~statusproof.model.model.Link` objects (one per column entry and name),
conditional ends, entry points and their triggers, the conditions of each status's cause,
the statuses with history guards, pending returns to "the previous status", and a note for
every fragment that cannot be read. ``otherwise`` is settled once a whole Next cell is known
(:meth:`LinkBuilder.settle_otherwise`): it holds when none of the cell's other conditions
does. Reconciling the links into transitions is :mod:`statusproof.model.reconcile`'s job.
"""

from __future__ import annotations

from collections.abc import Callable

from .amend import CauseDecl, reading_statement
from .cells import Clause, Target
from .errors import AmendmentError
from .model import HISTORY_VARIABLE, OTHERWISE, Guard, GuardKind, Link, Note
from .names import normalise
from .record import field, record
from .table import Column, Entry, Row, SourceSpan

__all__ = ["LinkBuilder", "OTHERWISE_TEXT"]

#: The condition text of the cause value ``otherwise``.
OTHERWISE_TEXT = "none of the other conditions"


@record(frozen=False)
class _Pending:
    """A step guarded by ``otherwise``, settled when its whole cell is known."""

    source: str
    target: str | None  # None: the run ends
    entry: Entry
    via: str | None


@record(frozen=False)
class LinkBuilder:
    """Collects what the clauses say; ``canonical`` maps a mention to its status name."""

    table_path: str
    canonical: Callable[[str, SourceSpan | None], str]
    decls: dict[str, CauseDecl]
    notes: list[Note]
    links: list[Link] = field(default_factory=list)
    terminations: list[tuple[str, Guard, SourceSpan | None]] = field(default_factory=list)
    documented_none: set[str] = field(default_factory=set)
    entry_points: dict[str, list[str]] = field(default_factory=dict)
    history_sources: set[str] = field(default_factory=set)
    conditions: dict[str, dict[str, str]] = field(default_factory=dict)
    pending_returns: list[tuple[str, str, str | None, SourceSpan | None]] = field(
        default_factory=list)
    unread: dict[tuple[str, Column], list[str]] = field(default_factory=dict)
    otherwise_steps: set[tuple[str, str | None]] = field(default_factory=set)
    negated: set[str] = field(default_factory=set)  # statuses with an "unless" condition
    _siblings: dict[str, list[Guard]] = field(default_factory=dict)
    _pending: list[_Pending] = field(default_factory=list)

    # -- guards ---------------------------------------------------------------------------
    def condition(self, status: str, text: str, span: SourceSpan | None,
                  negated: bool = False) -> Guard:
        """The guard ``cause of status = text`` (a declared cause names the value);
        ``negated``: ``cause of status != text`` ("unless")."""
        decl = self.decls.get(status)
        if decl is None:
            variable, value = f"cause of {status}", text
        else:
            variable = decl.variable
            value = next((k for k, v in decl.values if normalise(v) == normalise(text)), "")
            if not value:
                raise AmendmentError(
                    f"{decl.span}: the cause of {status!r} has no value for the condition "
                    f"{text!r} (table line {span.line if span else '?'}); add it to 'values'")
        self.conditions.setdefault(status, {})[value] = text
        if negated:
            self.negated.add(status)
        return Guard(GuardKind.CONDITION, variable, (value,), text, span, negated)

    def _guard(self, source: str, target: str | None, spec: Target, entry: Entry
               ) -> Guard | None:
        if spec.guard in ("condition", "unless"):
            return self.condition(source, spec.text, entry.span, spec.guard == "unless")
        if spec.guard == "history":
            was = tuple(self.canonical(n, entry.span) for n in spec.names)
            values = (target,) if target in was else was
            return Guard(GuardKind.HISTORY, HISTORY_VARIABLE, values, entry.text, entry.span)
        return None

    # -- clauses --------------------------------------------------------------------------
    def next_clause(self, row: Row, entry: Entry, via: str | None, clause: Clause) -> None:
        if clause.kind != "steps":
            self.uninterpreted(row.name, Column.NEXT, entry, clause)
            return
        for spec in clause.targets:
            if spec.kind == "return":
                text = entry.text[clause.start:clause.end]
                self.pending_returns.append((row.name, text, via, entry.span))
                self.history_sources.add(row.name)
                continue
            target = (None if spec.kind == "end" else spec.name if spec.kind == "row"
                      else self.canonical(spec.name, entry.span))
            if spec.guard == "otherwise":
                self._pending.append(_Pending(row.name, target, entry, via))
                continue
            guard = self._guard(row.name, target, spec, entry)
            if guard is not None:
                self._siblings.setdefault(row.name, []).append(guard)
                if guard.kind is GuardKind.HISTORY:
                    self.history_sources.add(row.name)
            if target is None:
                if guard is None:
                    self.documented_none.add(row.name)
                else:
                    self.terminations.append((row.name, guard, entry.span))
            else:
                self.links.append(Link(row.name, target, Column.NEXT, guard, via, None,
                                       entry.span))

    def previous_clause(self, row: Row, entry: Entry, via: str | None, clause: Clause) -> None:
        if clause.kind == "trigger" or any(f.reading == "trigger" for f in clause.fragments):
            for fragment in clause.fragments:
                if fragment.reading == "trigger":
                    self.entry_points.setdefault(row.name, []).append(fragment.text)
        if clause.kind not in ("steps", "trigger"):
            self.uninterpreted(row.name, Column.PREVIOUS, entry, clause)
            return
        for spec in clause.targets:
            if spec.kind == "end":
                self.entry_points.setdefault(row.name, []).append("none")
                continue
            source = spec.name if spec.kind == "row" else self.canonical(spec.name, entry.span)
            guard = self._guard(source, row.name, spec, entry)
            self.links.append(Link(source, row.name, Column.PREVIOUS, guard, via, None,
                                   entry.span))

    def uninterpreted(self, status: str, column: Column, entry: Entry, clause: Clause,
                      why: str = "") -> None:
        """Note a clause that cannot be read, with the amendment that would settle it."""
        text = entry.text[clause.start:clause.end] if clause.end else entry.text
        reason = why or next((f.why for f in clause.fragments), "not read")
        if clause.kind == "reference":
            reason = "a reference inside a longer entry"
        where = _where(entry.span, self.table_path)
        self.unread.setdefault((status, column), []).append(f"{where}: {text!r}")
        means = "<status> if <condition>" if column is Column.NEXT else "<status>"
        statement = reading_statement(status, column, text, means)
        self.notes.append(Note(
            "uninterpreted-entry",
            f"the {column.title} cell of {status!r} holds {text!r}, which statusproof cannot "
            f"read ({reason}); the model leaves it out and marks what depends on it. Write it "
            "as status names, 'none', 'X if <condition>', 'X otherwise' or 'X if it was in X "
            f"status', or say how to read it in the amendment file: {statement}",
            (status,), entry.span,
            (("column", column.value), ("text", text), ("start", clause.start),
             ("end", clause.end), ("amendment", statement))))

    # -- otherwise ------------------------------------------------------------------------
    def settle_otherwise(self) -> None:
        """Guard every ``otherwise`` step by the negation of its cell's other conditions."""
        for pending in self._pending:
            siblings = self._siblings.get(pending.source, [])
            kinds = {g.kind for g in siblings}
            guard: Guard | None = None
            entry = pending.entry
            if kinds == {GuardKind.CONDITION}:
                guard = self._otherwise_cause(pending.source, entry)
            elif kinds == {GuardKind.HISTORY}:
                values = sorted({v for g in siblings for v in g.values})
                guard = Guard(GuardKind.HISTORY, HISTORY_VARIABLE, tuple(values), entry.text,
                              entry.span, negated=True)
                self.history_sources.add(pending.source)
            elif kinds:
                self.uninterpreted(pending.source, Column.NEXT, entry, Clause("uninterpreted"),
                                   "'otherwise' beside both history conditions and other "
                                   "conditions: the model cannot say what it excludes")
            self.otherwise_steps.add((pending.source, pending.target))
            if pending.target is None:
                if guard is None:
                    self.documented_none.add(pending.source)
                else:
                    self.terminations.append((pending.source, guard, entry.span))
            else:
                self.links.append(Link(pending.source, pending.target, Column.NEXT, guard,
                                       pending.via, None, entry.span))

    def _otherwise_cause(self, status: str, entry: Entry) -> Guard:
        decl = self.decls.get(status)
        if decl is None:
            self.conditions.setdefault(status, {})[OTHERWISE] = OTHERWISE_TEXT
            return Guard(GuardKind.CONDITION, f"cause of {status}", (OTHERWISE,), OTHERWISE,
                         entry.span)
        value = next((k for k, v in decl.values
                      if normalise(v) in (OTHERWISE, normalise(OTHERWISE_TEXT))), "")
        if not value:
            raise AmendmentError(
                f"{decl.span}: the cause of {status!r} has no value for 'otherwise' (table "
                f"line {entry.span.line if entry.span else '?'}); add one whose text is "
                "'otherwise'")
        self.conditions.setdefault(status, {})[value] = OTHERWISE
        return Guard(GuardKind.CONDITION, decl.variable, (value,), OTHERWISE, entry.span)


def _where(span: SourceSpan | None, table_path: str) -> str:
    if span is None:
        return "-"
    return f"line {span.line}" if span.path == table_path else str(span)
