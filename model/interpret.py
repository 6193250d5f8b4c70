"""Interpretation: from a raw :class:`StatusTable` to an immutable :class:`Model`.

This module owns the reading of cell text. The rules, all generic (no status name or domain
word is built in):

- a status answers to its full name and, when unambiguous, to its short name without a
  parenthesised qualifier (:mod:`statusproof.model.names`);
- ``See X status.`` stands for X's cell in the same column; a missing X or a cycle of
  references is noted, and the entry contributes nothing;
- ``none`` in a Previous cell makes the status an entry point; in a Next cell, a terminal;
- a Previous entry that is prose, not a name, is an external trigger: an entry point;
- ``A or B if the <thing> was in A or B status [...]`` gives history returns, A guarded by
  "remembered = A", B likewise; ``X if it was in X status`` the same for one status;
- ``X if <condition>`` and ``none if <condition>`` give a step or an end guarded by a named
  condition, a value of the status's cause variable;
- a name with no row is an undefined status, kept (as an exit when it is a next status);
- an empty cell means "not documented", never "nothing";
- the Previous and Next columns are reconciled by a policy (:data:`POLICIES`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from .amend import AmendmentSet, CauseDecl
from .errors import AmendmentError, StatusproofError
from .model import (
    HISTORY_VARIABLE,
    POLICIES,
    Amendment,
    Cause,
    Guard,
    GuardKind,
    Link,
    Model,
    Note,
    Status,
    TerminalKind,
    Timer,
    Transition,
)
from .names import NameIndex, looks_like_name, normalise
from .table import Cell, Column, Entry, Row, SourceSpan, StatusTable

__all__ = ["interpret", "ParsedEntry", "parse_entry"]

_NONE = re.compile(r"^none\.?$", re.IGNORECASE)
_NONE_IF = re.compile(r"^none\s+if\s+(?P<cond>.+?)\.?$", re.IGNORECASE | re.DOTALL)
_SEE = re.compile(
    r"^see\s+(?:the\s+)?(?P<name>.+?)(?:\s+(?:status|state|row))?\s*\.?$", re.IGNORECASE
)
_HISTORY = re.compile(
    r"^(?P<targets>.+?)\s+if\s+(?:(?:the|this|that|its)\s+[\w'-]+(?:\s+[\w'-]+)?|it)\s+was\s+"
    r"(?:in\s+|at\s+)?(?:the\s+)?(?P<was>.+?)\s+(?:status|state)\b(?P<rest>.*)$",
    re.IGNORECASE | re.DOTALL,
)
_IF = re.compile(r"^(?P<targets>.+?)\s+if\s+(?P<cond>.+?)\.?$", re.IGNORECASE | re.DOTALL)
#: Entries longer than this (characters) are read as prose without trying the rules.
MAX_RULE_LENGTH = 500
_SPLIT = re.compile(r"\s*,\s*(?:or\s+|and\s+)?|\s+or\s+|\s+and\s+|\s*;\s*", re.IGNORECASE)


@dataclass(frozen=True)
class ParsedEntry:
    """What one cell entry says.

    ``kind`` is ``none`` (no predecessor / no successor), ``link`` (names statuses),
    ``trigger`` (prose in a Previous cell: an external trigger) or ``text`` (prose that is
    not understood). ``names`` are the mentions; ``history`` the statuses a history guard
    compares with; ``condition`` the text of a condition guard.
    """

    kind: str
    names: tuple[str, ...] = ()
    history: tuple[str, ...] = ()
    condition: str | None = None


def _mentions(text: str, index: NameIndex) -> tuple[str, ...] | None:
    """The status names ``text`` lists, or None when it is not a list of names."""
    text = text.strip().rstrip(".").strip()
    if index.resolve(text) is not None:
        return (text,)
    parts = [p.strip() for p in _SPLIT.split(text) if p and p.strip()]
    if len(parts) > 1 and all(index.resolve(p) is not None for p in parts):
        return tuple(parts)
    # "Open or Aborted" with a row Open: two statuses (Aborted undefined), not one name
    if (len(parts) > 1 and all(looks_like_name(p) for p in parts)
            and any(index.resolve(p) is not None for p in parts)):
        return tuple(parts)
    if looks_like_name(text):
        return (text,)
    return None


def parse_entry(text: str, column: Column, index: NameIndex) -> ParsedEntry:
    """Parse one entry of a Previous or Next cell (see the module docstring for the rules).

    Examples
    --------
    >>> idx = NameIndex.build(["Open", "Held", "Paused"], [])
    >>> parse_entry("Open or Held if the ticket was in Open or Held status", Column.NEXT, idx)
    ParsedEntry(kind='link', names=('Open', 'Held'), history=('Open', 'Held'), condition=None)
    >>> parse_entry("none if the user gave up", Column.NEXT, idx).condition
    'the user gave up'
    """
    stripped = " ".join(text.split())
    if len(stripped) > MAX_RULE_LENGTH:  # prose; and the rule patterns are slow on long text
        return ParsedEntry("trigger" if column is Column.PREVIOUS else "text")
    if _NONE.match(stripped):
        return ParsedEntry("none")
    match = _NONE_IF.match(stripped)
    if match:
        return ParsedEntry("none", condition=match["cond"].strip())
    match = _HISTORY.match(stripped)
    if match:
        targets = _mentions(match["targets"], index)
        was = _mentions(match["was"], index)
        if targets is not None and was is not None:
            return ParsedEntry("link", targets, history=was)
    match = _IF.match(stripped)
    if match:
        targets = _mentions(match["targets"], index)
        if targets is not None:
            return ParsedEntry("link", targets, condition=match["cond"].strip())
    names = _mentions(stripped, index)
    if names is not None:
        return ParsedEntry("link", names)
    return ParsedEntry("trigger" if column is Column.PREVIOUS else "text")


def _did_you_mean(name: str, candidates: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


class _Interpreter:
    """One interpretation run; holds the working state, produces one Model."""

    def __init__(self, table: StatusTable, policy: str, amendments: AmendmentSet | None):
        if policy not in POLICIES:
            raise StatusproofError(
                f"unknown reconciliation policy {policy!r}; use one of {', '.join(POLICIES)}"
            )
        self.table = table
        self.policy = policy
        self.amend = amendments or AmendmentSet(path="")
        self.notes: list[Note] = []
        self.records: list[Amendment] = []
        self.rows: list[Row] = []
        self.undefined: dict[str, str] = {}  # normalised -> canonical spelling
        self.undefined_span: dict[str, SourceSpan | None] = {}
        self.documented: set[tuple[str, Column]] = set()  # cells not empty once resolved
        self.row_by_name: dict[str, Row] = {}
        self.cycles: set[tuple[Column, frozenset[str]]] = set()  # reference cycles noted

    # -- rows ---------------------------------------------------------------------------
    def _collect_rows(self) -> None:
        seen: dict[str, Row] = {}
        for row in self.table.rows:
            key = normalise(row.name)
            if key in seen:
                first = seen[key]
                self.notes.append(Note(
                    "duplicate-status",
                    f"status {row.name!r} has a second row (first at line {first.status.line}); "
                    "the second row is ignored: merge the two rows into one",
                    (first.name,), row.status.span,
                ))
                continue
            seen[key] = row
            self.rows.append(row)

    def _apply_fills(self) -> None:
        by_name = {normalise(r.name): i for i, r in enumerate(self.rows)}
        for fill in self.amend.fills:
            where = fill.span or SourceSpan(self.amend.path, 1, 1)
            position = by_name.get(normalise(fill.status))
            if position is None:
                raise AmendmentError(
                    f"{where}: fill names {fill.status!r}, which has no row"
                    + _did_you_mean(fill.status, [r.name for r in self.rows])
                )
            row = self.rows[position]
            cell = row.cell(fill.column)
            if not cell.is_empty:
                raise AmendmentError(
                    f"{where}: fill for the {fill.column.title} cell of {row.name!r}: the table "
                    f"already documents it (line {cell.line}); an amendment may only fill an "
                    "empty cell"
                )
            entries = tuple(Entry(text, where) for text in fill.entries)
            new = Cell(fill.column, "\n".join(f"- {t}" for t in fill.entries), entries, where)
            if fill.column is Column.PREVIOUS:
                self.rows[position] = replace(row, previous=new)
            elif fill.column is Column.NEXT:
                self.rows[position] = replace(row, next=new)
            else:
                self.rows[position] = replace(row, description=new)
            self.records.append(Amendment(
                "fill", f"{row.name}: {fill.column.title} = {', '.join(fill.entries)}",
                fill.source, where))

    # -- references ---------------------------------------------------------------------
    def _effective(
        self, row: Row, column: Column, index: NameIndex, stack: tuple[str, ...] = ()
    ) -> list[tuple[Entry, str | None]]:
        """The entries of a cell with every "See X status." replaced by X's entries."""
        out: list[tuple[Entry, str | None]] = []
        for entry in row.cell(column).entries:
            match = _SEE.match(entry.text)
            if match is None:
                out.append((entry, None))
                continue
            target_name = index.resolve(match["name"])
            target = self.row_by_name.get(target_name) if target_name is not None else None
            if target is None:
                if not stack:
                    self.notes.append(Note(
                        "unresolved-reference",
                        f"the {column.title} cell of {row.name!r} says {entry.text!r}, but "
                        "there is no "
                        f"row {match['name']!r}"
                        + _did_you_mean(match["name"], [r.name for r in self.rows])
                        + "; name an existing row or list the statuses",
                        (row.name,), entry.span))
                continue
            path = (*stack, row.name)
            if target.name in path:
                members = path[path.index(target.name):]
                key = (column, frozenset(members))
                if key not in self.cycles:  # one note per cycle, not one per row on it
                    self.cycles.add(key)
                    cycle = " -> ".join((*members, target.name))
                    self.notes.append(Note(
                        "unresolved-reference",
                        f"reference cycle in the {column.title} column: {cycle}; list the "
                        "statuses in one of these cells instead of referring",
                        members, entry.span))
                continue
            copied = self._effective(target, column, index, (*stack, row.name))
            out.extend((e, via or target.name) for e, via in copied)
        return out

    # -- names --------------------------------------------------------------------------
    def _canonical(self, mention: str, index: NameIndex, span: SourceSpan | None) -> str:
        resolved = index.resolve(mention)
        if resolved is not None:
            return resolved
        key = normalise(mention)
        if key not in self.undefined:
            self.undefined[key] = " ".join(mention.split()).rstrip(".")
            self.undefined_span[key] = span
        return self.undefined[key]

    def run(self) -> Model:
        self._collect_rows()
        self._apply_fills()
        self.row_by_name = {r.name: r for r in self.rows}
        mentions = [
            e.text for r in self.rows for c in (r.previous, r.next) for e in c.entries
        ] + [a.status for a in self.amend.aliases]
        aliases: dict[str, str] = {}
        row_names = [r.name for r in self.rows]
        for alias in self.amend.aliases:
            where = alias.span or SourceSpan(self.amend.path, 1, 1)
            probe = NameIndex.build(row_names, mentions)
            target = probe.resolve(alias.status)
            if target is None:
                raise AmendmentError(f"{where}: alias target {alias.status!r} has no row"
                                     + _did_you_mean(alias.status, row_names))
            if probe.resolve(alias.name) is not None:
                raise AmendmentError(f"{where}: {alias.name!r} already names the row "
                                     f"{probe.resolve(alias.name)!r}; an alias may only name a "
                                     "status that has no row")
            aliases[alias.name] = target
            self.records.append(Amendment("alias", f"{alias.name!r} is the row {target!r}",
                                          alias.source, where))
        index = NameIndex.build(row_names, mentions, aliases)
        cause_decls: dict[str, CauseDecl] = {}
        for decl in self.amend.causes:
            name = index.resolve(decl.status)
            where = decl.span or SourceSpan(self.amend.path, 1, 1)
            if name is None:
                raise AmendmentError(f"{where}: cause for {decl.status!r}, which has no row"
                                     + _did_you_mean(decl.status, row_names))
            cause_decls[name] = decl

        links: list[Link] = []
        terminations: list[tuple[str, Guard, SourceSpan | None]] = []
        documented_none: set[str] = set()
        entry_points: dict[str, list[str]] = {}
        history_sources: set[str] = set()
        conditions: dict[str, dict[str, str]] = {}  # status -> value -> text

        def condition_guard(status: str, text: str, span: SourceSpan | None) -> Guard:
            decl = cause_decls.get(status)
            if decl is None:
                variable = f"cause of {status}"
                value = text
            else:
                variable = decl.variable
                value = next((k for k, v in decl.values if normalise(v) == normalise(text)), "")
                if not value:
                    raise AmendmentError(
                        f"{decl.span}: the cause of {status!r} has no value for the condition "
                        f"{text!r} (table line {span.line if span else '?'}); add it to 'values'"
                    )
            conditions.setdefault(status, {})[value] = text
            return Guard(GuardKind.CONDITION, variable, (value,), text, span)

        for row in self.rows:
            next_entries = self._effective(row, Column.NEXT, index)
            previous_entries = self._effective(row, Column.PREVIOUS, index)
            for column, effective in ((Column.NEXT, next_entries),
                                      (Column.PREVIOUS, previous_entries)):
                if effective:
                    self.documented.add((row.name, column))
            for entry, via in next_entries:
                parsed = parse_entry(entry.text, Column.NEXT, index)
                if parsed.kind == "none":
                    if parsed.condition is None:
                        documented_none.add(row.name)
                    else:
                        terminations.append(
                            (row.name, condition_guard(row.name, parsed.condition, entry.span),
                             entry.span))
                elif parsed.kind == "link":
                    for mention in parsed.names:
                        target = self._canonical(mention, index, entry.span)
                        guard = self._guard(row.name, target, parsed, index, entry,
                                            condition_guard)
                        if guard is not None and guard.kind is GuardKind.HISTORY:
                            history_sources.add(row.name)
                        links.append(Link(row.name, target, Column.NEXT, guard, via, None,
                                          entry.span))
                else:
                    self._uninterpreted(row, Column.NEXT, entry)
            for entry, via in previous_entries:
                parsed = parse_entry(entry.text, Column.PREVIOUS, index)
                if parsed.kind == "none":
                    entry_points.setdefault(row.name, []).append("none")
                elif parsed.kind == "trigger":
                    entry_points.setdefault(row.name, []).append(entry.text)
                elif parsed.kind == "link":
                    for mention in parsed.names:
                        source = self._canonical(mention, index, entry.span)
                        guard = None
                        if parsed.condition is not None:
                            guard = condition_guard(source, parsed.condition, entry.span)
                        links.append(Link(source, row.name, Column.PREVIOUS, guard, via, None,
                                          entry.span))
                else:  # pragma: no cover - Previous prose is always a trigger
                    self._uninterpreted(row, Column.PREVIOUS, entry)

        for addition in self.amend.additions:
            where = addition.span or SourceSpan(self.amend.path, 1, 1)
            origin = index.resolve(addition.source_status)
            if origin is None:
                raise AmendmentError(f"{where}: 'from' {addition.source_status!r} has no row"
                                     + _did_you_mean(addition.source_status, row_names))
            target = self._canonical(addition.target, index, where)
            links.append(Link(origin, target, Column.NEXT, None, None, addition.source, where))
            self.records.append(Amendment("add", f"{origin} -> {target}", addition.source, where))

        remembers = set(history_sources)
        if self.amend.history is not None:
            history = self.amend.history
            where = history.span or SourceSpan(self.amend.path, 1, 1)
            remembers = set()
            for name in history.remember:
                resolved = index.resolve(name)
                if resolved is None:
                    raise AmendmentError(f"{where}: history names {name!r}, which has no row"
                                         + _did_you_mean(name, row_names))
                remembers.add(resolved)
            self.records.append(Amendment(
                "history", "remember the status to return to in: " + ", ".join(
                    n for n in row_names if n in remembers), history.source, where))

        statuses = self._statuses(index, links, documented_none, terminations, entry_points,
                                  remembers)
        transitions = self._reconcile(links, terminations, statuses)
        causes = self._causes(conditions, cause_decls)
        timers = self._timers(index, statuses, causes)
        return Model(self.table.path, self.policy, tuple(statuses), tuple(transitions),
                     tuple(links), tuple(self.notes), causes, timers, tuple(self.records))

    def _guard(
        self, source: str, target: str, parsed: ParsedEntry, index: NameIndex, entry: Entry,
        condition_guard: Callable[[str, str, SourceSpan | None], Guard],
    ) -> Guard | None:
        if parsed.history:
            was = tuple(self._canonical(m, index, entry.span) for m in parsed.history)
            values = (target,) if target in was else was
            return Guard(GuardKind.HISTORY, HISTORY_VARIABLE, values, entry.text, entry.span)
        if parsed.condition is not None:
            return condition_guard(source, parsed.condition, entry.span)
        return None

    def _uninterpreted(self, row: Row, column: Column, entry: Entry) -> None:
        self.notes.append(Note(
            "uninterpreted-entry",
            f"the {column.title} cell of {row.name!r} holds {entry.text!r}, which names no status "
            "and is not a rule statusproof reads; write it as a status name, 'none', "
            "'X if <condition>' or 'X if the <thing> was in X status'",
            (row.name,), entry.span))

    def _statuses(
        self,
        index: NameIndex,
        links: list[Link],
        documented_none: set[str],
        terminations: list[tuple[str, Guard, SourceSpan | None]],
        entry_points: dict[str, list[str]],
        remembers: set[str],
    ) -> list[Status]:
        conditional = {source for source, _, _ in terminations}
        statuses = []
        for row in self.rows:
            triggers = tuple(t for t in entry_points.get(row.name, []) if t != "none")
            terminal = None
            if row.name in documented_none:
                terminal = TerminalKind.DOCUMENTED
            elif row.name in conditional:
                terminal = TerminalKind.CONDITIONAL
            statuses.append(Status(
                name=row.name, defined=True, description=row.description.text,
                entry=row.name in entry_points, triggers=triggers, terminal=terminal,
                remembers=row.name in remembers,
                previous_documented=(row.name, Column.PREVIOUS) in self.documented,
                next_documented=(row.name, Column.NEXT) in self.documented,
                span=row.status.span, previous_span=row.previous.span, next_span=row.next.span,
            ))
        sources = {link.source for link in links}
        for key, name in self.undefined.items():
            is_exit = name not in sources
            statuses.append(Status(
                name=name, defined=False, terminal=TerminalKind.EXIT if is_exit else None,
                span=self.undefined_span[key],
            ))
        return statuses

    def _reconcile(
        self,
        links: list[Link],
        terminations: list[tuple[str, Guard, SourceSpan | None]],
        statuses: list[Status],
    ) -> list[Transition]:
        order = {s.name: i for i, s in enumerate(statuses)}
        by_name = {s.name: s for s in statuses}
        pairs: dict[tuple[str, str], list[Link]] = {}
        for link in links:
            pairs.setdefault((link.source, link.target), []).append(link)
        transitions = []
        for (source, target), group in pairs.items():
            columns = frozenset(link.column for link in group)
            if not self._keep(columns, by_name[source], by_name[target], group):
                continue
            guarded = [link for link in group if link.guard is not None]
            unguarded_next = [link for link in group if link.guard is None
                              and (link.column is Column.NEXT or not guarded)]
            guards: list[Guard | None] = []
            for link in guarded:
                if link.guard not in guards:
                    guards.append(link.guard)
            if unguarded_next:
                guards.insert(0, None)
            amendment = next((link.amendment for link in group if link.amendment), None)
            next_spans = {link.span for link in group if link.column is Column.NEXT}
            spans = tuple(sorted(
                {link.span for link in group if link.span is not None},
                key=lambda span: (span.path != self.table.path, span not in next_spans, span),
            ))
            for guard in guards:
                transitions.append(Transition(source, target, guard, columns, amendment, spans))
        for source, guard, span in terminations:
            transitions.append(Transition(source, None, guard, frozenset({Column.NEXT}), None,
                                          (span,) if span else ()))
        transitions.sort(key=lambda t: (order[t.source],
                                        order[t.target] if t.target else len(order),
                                        str(t.guard) if t.guard else ""))
        return transitions

    def _keep(self, columns: frozenset[Column], source: Status, target: Status,
              group: list[Link]) -> bool:
        if self.policy == "union" or any(link.amendment for link in group):
            return True
        if self.policy == "next":
            return Column.NEXT in columns
        if self.policy == "previous":
            return Column.PREVIOUS in columns
        if columns == {Column.NEXT, Column.PREVIOUS}:
            return True
        # intersection: a step one column lists is kept when the other column says nothing
        if Column.NEXT in columns:
            return not target.previous_documented
        return not source.next_documented

    def _causes(self, conditions: dict[str, dict[str, str]],
                decls: dict[str, CauseDecl]) -> tuple[Cause, ...]:
        causes = []
        # a declared cause stands even when no exit of the table depends on it: the formal
        # checks then show that the exits ignore it (timeout-overlap)
        declared_only = [status for status in decls if status not in conditions]
        for status in [*conditions, *declared_only]:
            decl = decls.get(status)
            if decl is None:
                causes.append(Cause(status, f"cause of {status}",
                                    tuple((v, v) for v in conditions[status]), ""))
                continue
            causes.append(Cause(status, decl.variable, decl.values, decl.source))
            unused = " (no exit of the table depends on it)" if status in declared_only else ""
            self.records.append(Amendment(
                "cause",
                f"{status}: {decl.variable} in {{{', '.join(k for k, _ in decl.values)}}}"
                + unused, decl.source, decl.span))
        return tuple(causes)

    def _timers(self, index: NameIndex, statuses: list[Status],
                causes: tuple[Cause, ...]) -> tuple[Timer, ...]:
        known = {normalise(s.name): s.name for s in statuses}
        timers = []
        for decl in self.amend.timers:
            where = decl.span or SourceSpan(self.amend.path, 1, 1)
            names = []
            for name in (decl.status, decl.target):
                resolved = index.resolve(name) or known.get(normalise(name))
                if resolved is None:
                    raise AmendmentError(f"{where}: timer names {name!r}, which is not a status"
                                         + _did_you_mean(name, known.values()))
                names.append(resolved)
            if decl.cause is not None:
                cause = next((c for c in causes if c.status == names[1]), None)
                values = [k for k, _ in cause.values] if cause is not None else []
                if decl.cause not in values:
                    raise AmendmentError(
                        f"{where}: timer cause {decl.cause!r} is not a value of the cause of "
                        f"{names[1]!r}; " + (f"use one of {', '.join(values)}" if values else
                                             f"{names[1]!r} has no conditional exits to choose"))
            timers.append(Timer(names[0], names[1], decl.seconds, decl.minimum, decl.maximum,
                                decl.never, decl.cause, decl.setting, decl.source, decl.clock))
            self.records.append(Amendment("timer", f"{names[0]} -> {names[1]} ({decl.setting})",
                                          decl.source, where))
        return tuple(timers)


def interpret(
    table: StatusTable, policy: str = "union", amendments: AmendmentSet | None = None
) -> Model:
    """Interpret a raw table into a model, reconciling the columns by ``policy``.

    Examples
    --------
    >>> from statusproof.model.loaders.text import load_text
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> model = interpret(load_text(text, "t.txt"))
    >>> model.entries, model.terminals
    (('Open',), ('Closed',))
    """
    return _Interpreter(table, policy, amendments).run()
