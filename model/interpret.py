"""Interpretation: from a raw :class:`StatusTable` to an immutable :class:`Model`.

This module owns building the model from what the cells say. The rules, all generic (no
status name or domain word is built in):

- every Previous and Next entry is read by the cell grammar (:mod:`statusproof.model.cells`),
  over the table's own names (:mod:`statusproof.model.names`), into clauses and fragments;
- ``See X status.`` (``Same as X``) stands for X's cell in the same column; a missing X or a
  cycle of references is noted, and the entry contributes nothing;
- ``none`` in a Previous cell, or an outside trigger, makes the status an entry point;
  ``none`` in a Next cell makes it terminal;
- a history condition guards its steps by the remembered status; a return to "the previous
  status" becomes one guarded step per status that can be remembered there
  (:mod:`statusproof.model.reconcile`);
- ``X if <condition>`` and ``none if <condition>`` give a step or an end guarded by a value of
  the status's cause variable; ``X otherwise`` is guarded by the value ``otherwise`` (none of
  the cell's conditions), or, beside history conditions, by the remembered status being none
  of theirs; an unconditioned step beside conditional ones is always possible;
- a name with no row is an undefined status, kept (as an exit when it is a next status);
- an empty cell means "not documented", never "nothing"; a fragment that cannot be read is
  noted where it stands, and the steps that depend on it are marked;
- the Previous and Next columns are reconciled by a policy (:data:`POLICIES`).
"""

from __future__ import annotations

from .amend import AmendmentSet, CauseDecl, ReadingDecl
from .causes import build_causes, build_timers
from .cells import Clause, read_entry, reference_of
from .errors import AmendmentError, StatusproofError
from .links import LinkBuilder
from .model import (
    POLICIES,
    Amendment,
    EntryReading,
    Fragment,
    Link,
    Model,
    Note,
    Status,
    TerminalKind,
)
from .names import NameIndex, did_you_mean, normalise, split_qualifier
from .reconcile import mark_uncertain, reconcile, returns
from .record import replace
from .table import Cell, Column, Entry, Row, SourceSpan, StatusTable
from .tokens import SENTENCE_WORDS, Lexicon, words_of

__all__ = ["interpret"]

def _qualifier_is_a_name(text: str) -> bool:
    """Whether a mention's final parenthesis qualifies a name (``(after timeout)``) rather
    than holding a condition (``(if the customer did not reply)``): only qualifiers make a
    family of variants ambiguous."""
    if ")" not in text:
        return True
    _, qualifier = split_qualifier(text)
    if qualifier is None:
        return True
    words = words_of(qualifier)
    strong = {"if", "when", "whenever", "unless", "provided", "providing"}
    return bool(words) and words[0] not in strong and not any(
        w in SENTENCE_WORDS - {"after", "once"} for w in words)


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
        self.readings: list[EntryReading] = []
        self.used_readings: set[ReadingDecl] = set()
        #: Clauses read per (entry text, column): an entry text that repeats (``none``,
        #: ``Closed``) is read once per table. Within one table the reading of a text in a
        #: column never depends on where it stands (the lexicon and the Next cells' names
        #: are the table's), so the cache changes no reading.
        self.read_cache: dict[tuple[str, Column], list[Clause]] = {}

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
                    + did_you_mean(fill.status, [r.name for r in self.rows])
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
        self, row: Row, column: Column, index: NameIndex, lexicon: Lexicon,
        stack: tuple[str, ...] = ()
    ) -> list[tuple[Entry, str | None]]:
        """The entries of a cell with every "See X status." replaced by X's entries."""
        out: list[tuple[Entry, str | None]] = []
        for entry in row.cell(column).entries:
            referred = reference_of(entry.text, lexicon)
            if referred is None:
                out.append((entry, None))
                continue
            if not stack:
                resolved = index.resolve(referred)
                self.readings.append(EntryReading(row.name, column, entry.text, (Fragment(
                    "reference", entry.text, 0, len(entry.text),
                    f"stands for the {column.title} cell of {referred!r}"
                    + ("" if resolved is not None else ", which has no row"),
                    (resolved,) if resolved is not None else ()),), entry.span))
            target_name = index.resolve(referred)
            target = self.row_by_name.get(target_name) if target_name is not None else None
            if target is None:
                if not stack:
                    self.notes.append(Note(
                        "unresolved-reference",
                        f"the {column.title} cell of {row.name!r} says {entry.text!r}, but "
                        "there is no "
                        f"row {referred!r}"
                        + did_you_mean(referred, [r.name for r in self.rows])
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
            copied = self._effective(target, column, index, lexicon, (*stack, row.name))
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

    def _names(self) -> tuple[NameIndex, Lexicon]:
        self.row_by_name = {r.name: r for r in self.rows}
        mentions = [e.text for r in self.rows for c in (r.previous, r.next) for e in c.entries
                    if _qualifier_is_a_name(e.text)] + [a.status for a in self.amend.aliases]
        aliases: dict[str, str] = {}
        row_names = [r.name for r in self.rows]
        for alias in self.amend.aliases:
            where = alias.span or SourceSpan(self.amend.path, 1, 1)
            probe = NameIndex.build(row_names, mentions)
            target = probe.resolve(alias.status)
            if target is None:
                raise AmendmentError(f"{where}: alias target {alias.status!r} has no row"
                                     + did_you_mean(alias.status, row_names))
            if probe.resolve(alias.name) is not None:
                raise AmendmentError(f"{where}: {alias.name!r} already names the row "
                                     f"{probe.resolve(alias.name)!r}; an alias may only name a "
                                     "status that has no row")
            aliases[alias.name] = target
            self.records.append(Amendment("alias", f"{alias.name!r} is the row {target!r}",
                                          alias.source, where))
        index = NameIndex.build(row_names, mentions, aliases)
        spellings = [*((k, v) for k, v in index.full.items()),
                     *((k, v) for k, v in index.short.items()),
                     *((k, v) for k, v in index.aliases.items())]
        return index, Lexicon.build(spellings)

    # -- reading ------------------------------------------------------------------------
    def _read(self, row: Row, column: Column, index: NameIndex, lexicon: Lexicon,
              next_names: set[str] | None) -> list[tuple[Entry, str | None, list[Clause]]]:
        out = []
        effective = self._effective(row, column, index, lexicon)
        if effective:
            self.documented.add((row.name, column))
        for entry, via in effective:
            clauses = self.read_cache.get((entry.text, column))
            if clauses is None:
                clauses = read_entry(entry.text, column, lexicon, next_names)
                self.read_cache[(entry.text, column)] = clauses
            amended: list[Clause] = []
            for clause in clauses:
                decl = self._reading_for(row.name, column, entry.text[clause.start:clause.end])
                if decl is None:
                    amended.append(clause)
                    continue
                means = read_entry(decl.means, column, lexicon, next_names, amended=True)
                if any(c.kind == "uninterpreted" for c in means):
                    raise AmendmentError(f"{decl.span}: the reading {decl.means!r} is not "
                                         "in the cell language either; write status names, "
                                         "'none', 'X if <condition>' or 'X otherwise'")
                for read in means:
                    amended.append(replace(read, start=clause.start, end=clause.end,
                                           fragments=tuple(
                        Fragment(f.reading, f.text, clause.start, clause.end,
                                 f"{f.why} (as the amendment {decl.span} reads "
                                 f"{entry.text[clause.start:clause.end]!r})", f.statuses)
                        for f in read.fragments)))
            out.append((entry, via, amended))
            self.readings.append(EntryReading(
                row.name, column, entry.text,
                tuple(f for c in amended for f in c.fragments), entry.span, via,
                "amended" if amended != clauses else None))
        return out

    def _reading_for(self, status: str, column: Column, text: str) -> ReadingDecl | None:
        for decl in self.amend.readings:
            if decl.column is column and normalise(decl.status) == normalise(status) \
                    and normalise(decl.text) == normalise(text):
                if decl not in self.used_readings:
                    self.used_readings.add(decl)
                    self.records.append(Amendment(
                        "reading", f"{status}: the {column.title} clause {decl.text!r} reads "
                        f"{decl.means!r}", decl.source, decl.span))
                return decl
        return None

    def run(self) -> Model:
        self._collect_rows()
        self._apply_fills()
        index, lexicon = self._names()
        row_names = [r.name for r in self.rows]
        cause_decls: dict[str, CauseDecl] = {}
        for decl in self.amend.causes:
            name = index.resolve(decl.status)
            where = decl.span or SourceSpan(self.amend.path, 1, 1)
            if name is None:
                raise AmendmentError(f"{where}: cause for {decl.status!r}, which has no row"
                                     + did_you_mean(decl.status, row_names))
            cause_decls[name] = decl
        for reading in self.amend.readings:
            if index.resolve(reading.status) is None:
                raise AmendmentError(f"{reading.span}: reading for {reading.status!r}, which "
                                     "has no row" + did_you_mean(reading.status, row_names))

        next_read = {row.name: self._read(row, Column.NEXT, index, lexicon, None)
                     for row in self.rows}
        next_names = {normalise(t.name) for read in next_read.values() for _, _, clauses in read
                      for c in clauses for t in c.targets if t.kind == "undefined"}
        previous_read = {row.name: self._read(row, Column.PREVIOUS, index, lexicon, next_names)
                         for row in self.rows}
        unused = [d for d in self.amend.readings if d not in self.used_readings]
        if unused:
            first = unused[0]
            raise AmendmentError(f"{first.span}: no clause of the {first.column.title} cell of "
                                 f"{first.status!r} reads {first.text!r}; copy the clause as "
                                 "the table writes it ('statusproof explain' lists them)")

        build = LinkBuilder(self.table.path,
                            lambda mention, span: self._canonical(mention, index, span),
                            cause_decls, self.notes)
        for row in self.rows:
            for entry, via, clauses in next_read[row.name]:
                for clause in clauses:
                    build.next_clause(row, entry, via, clause)
            for entry, via, clauses in previous_read[row.name]:
                for clause in clauses:
                    build.previous_clause(row, entry, via, clause)
        build.settle_otherwise()

        for addition in self.amend.additions:
            where = addition.span or SourceSpan(self.amend.path, 1, 1)
            origin = index.resolve(addition.source_status)
            if origin is None:
                raise AmendmentError(f"{where}: 'from' {addition.source_status!r} has no row"
                                     + did_you_mean(addition.source_status, row_names))
            target = self._canonical(addition.target, index, where)
            build.links.append(Link(origin, target, Column.NEXT, None, None, addition.source,
                                    where))
            self.records.append(Amendment("add", f"{origin} -> {target}", addition.source, where))

        remembers = set(build.history_sources)
        if self.amend.history is not None:
            history = self.amend.history
            where = history.span or SourceSpan(self.amend.path, 1, 1)
            remembers = set()
            for name in history.remember:
                resolved = index.resolve(name)
                if resolved is None:
                    raise AmendmentError(f"{where}: history names {name!r}, which has no row"
                                         + did_you_mean(name, row_names))
                remembers.add(resolved)
            self.records.append(Amendment(
                "history", "remember the status to return to in: " + ", ".join(
                    n for n in row_names if n in remembers), history.source, where))
        order = {name: i for i, name in enumerate([*row_names, *self.undefined.values()])}
        build.links.extend(returns(build.pending_returns, build.links, remembers, order))

        statuses = self._statuses(build, remembers)
        transitions = reconcile(build.links, build.terminations, statuses, self.policy,
                                self.table.path)
        transitions = mark_uncertain(transitions, statuses, build.otherwise_steps)
        causes = build_causes(build.conditions, cause_decls, transitions, statuses,
                              build.negated, self.records)
        timers = build_timers(self.amend, index, statuses, causes, self.records)
        return Model(self.table.path, self.policy, tuple(statuses), tuple(transitions),
                     tuple(build.links), tuple(self.notes), causes, timers,
                     tuple(self.records), tuple(self.readings))

    def _statuses(self, build: LinkBuilder, remembers: set[str]) -> list[Status]:
        conditional = {source for source, _, _ in build.terminations}
        statuses = []
        for row in self.rows:
            triggers = tuple(t for t in build.entry_points.get(row.name, []) if t != "none")
            terminal = None
            if row.name in build.documented_none:
                terminal = TerminalKind.DOCUMENTED
            elif row.name in conditional:
                terminal = TerminalKind.CONDITIONAL
            statuses.append(Status(
                name=row.name, defined=True, description=row.description.text,
                entry=row.name in build.entry_points, triggers=triggers, terminal=terminal,
                remembers=row.name in remembers,
                previous_documented=(row.name, Column.PREVIOUS) in self.documented,
                next_documented=(row.name, Column.NEXT) in self.documented,
                span=row.status.span, previous_span=row.previous.span, next_span=row.next.span,
                unread_next=tuple(build.unread.get((row.name, Column.NEXT), ())),
                unread_previous=tuple(build.unread.get((row.name, Column.PREVIOUS), ())),
            ))
        sources = {link.source for link in build.links}
        for key, name in self.undefined.items():
            is_exit = name not in sources
            statuses.append(Status(
                name=name, defined=False, terminal=TerminalKind.EXIT if is_exit else None,
                span=self.undefined_span[key],
            ))
        return statuses


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
