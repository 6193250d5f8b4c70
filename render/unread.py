"""What the report knows about the cells statusproof could not read, per finding.

A fragment the cell language does not read gives an ``uninterpreted-entry`` finding; every
verdict that depends on it becomes ``inconclusive``, naming the cells in its ``depends_on``
evidence; a transition that rests on it names them in ``Transition.depends``. All three name
a cell the same way: ``the Next cell of 'Open', line 6: 'the agent may close it ...'``, where
the part after the status (``line 6: '...'``) is one of the status's ``unread_next`` or
``unread_previous`` entries. This module turns those names back into :class:`UnreadCell`
values, looked up in the model (never guessed from the wording), so that the report can link
an unread clause, the findings about it, the steps resting on it and its cell in the table.

:func:`inner` gives the finding an ``inconclusive`` verdict wraps (the check as read, with its
own evidence), so that its witness run can be shown. :func:`unread_label` and
:func:`label_roles` give a diagram's edge its "?" label and the roles its labels show. Plain
data; no output syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from statusproof.checks.findings import Finding
from statusproof.model.model import Model, Transition
from statusproof.model.record import record, replace
from statusproof.model.table import Column, SourceSpan

from .elements import EdgeLabel, Role
from .style import UNREAD

__all__ = ["UnreadCell", "unread_cells", "cells_of", "cell_of_text", "resting_on", "inner",
           "where", "unread_label", "label_roles"]

_TITLE = {Column.NEXT: "Next", Column.PREVIOUS: "Previous"}


def where(span: SourceSpan | None, table_path: str) -> str:
    """``line N`` in the table file, ``path:N`` in another file (an amendment file)."""
    if span is None:
        return "-"
    return f"line {span.line}" if span.path == table_path else str(span)


@record
class UnreadCell:
    """One unread clause: its status, column and ``label`` (``line 6: 'text'``, as the
    model's ``unread_next`` / ``unread_previous`` hold it); ``line`` is its line in the table
    file (None when it is in another file)."""

    status: str
    column: Column
    label: str
    line: int | None

    @property
    def name(self) -> str:
        """How findings and transitions name it: ``the Next cell of 'Open', line 6: '...'``."""
        return f"the {_TITLE[self.column]} cell of {self.status!r}, {self.label}"

    @property
    def title(self) -> str:
        """For people: ``the Next cell of Open (line 6)``."""
        return f"the {_TITLE[self.column]} cell of {self.status} ({self.place})"

    @property
    def place(self) -> str:
        """``line 6`` (or ``file:N`` in another file)."""
        return self.label.split(": ", 1)[0]


def unread_cells(model: Model) -> list[UnreadCell]:
    """Every unread clause of the model, row by row (Previous before Next)."""
    out = []
    for status in model.statuses:
        for column, labels in ((Column.PREVIOUS, status.unread_previous),
                               (Column.NEXT, status.unread_next)):
            for label in labels:
                head = label.split(": ", 1)[0]
                line = int(head[5:]) if head.startswith("line ") and head[5:].isdigit() \
                    else None
                out.append(UnreadCell(status.name, column, label, line))
    return out


def cell_of_text(cells: Sequence[UnreadCell], text: str) -> UnreadCell | None:
    """The unread clause a ``depends`` text names, or None."""
    return next((c for c in cells if c.name == text), None)


def inner(finding: Finding) -> Finding:
    """The verdict an ``inconclusive`` finding holds back (its check, message and evidence
    as read); any other finding as it is."""
    if finding.code != "inconclusive":
        return finding
    evidence = finding.evidence_dict()
    check, wrapped = evidence.get("check"), evidence.get("evidence")
    if not isinstance(check, str) or not isinstance(wrapped, Mapping):
        return finding
    return replace(finding, code=check, message=str(evidence.get("verdict", finding.message)),
                   evidence=tuple(sorted(wrapped.items())))


def cells_of(model: Model, cells: Sequence[UnreadCell], finding: Finding) -> list[UnreadCell]:
    """The unread clauses ``finding`` is about: an ``uninterpreted-entry`` finding's own
    clause, the clauses an ``inconclusive`` verdict depends on; none for other findings."""
    evidence = finding.evidence_dict()
    if finding.code == "uninterpreted-entry" and finding.statuses:
        column = evidence.get("column")
        text = evidence.get("text")
        if column not in ("next", "previous") or not isinstance(text, str):
            return []
        label = f"{where(finding.span, model.path)}: {text!r}"
        found = next((c for c in cells if c.status == finding.statuses[0]
                      and c.column.value == column and c.label == label), None)
        return [found] if found is not None else []
    if finding.code == "inconclusive":
        names = evidence.get("depends_on")
        if not isinstance(names, list):
            return []
        out = []
        for name in names:
            found = cell_of_text(cells, str(name))
            if found is not None and found not in out:
                out.append(found)
        return out
    return []


def resting_on(model: Model, unread: Iterable[UnreadCell]) -> list[Transition]:
    """The transitions that rest on any of ``unread`` (model order)."""
    names = {c.name for c in unread}
    return [t for t in model.transitions if names.intersection(t.depends)]


#: Where an unread fragment is, in a ``Transition.depends`` text ("the Next cell of 'S',
#: line 6: 'text'" or "..., amend.toml:3: 'text'").
_UNREAD_AT = re.compile(r", (line \d+|[^\s,]+:\d+): ['\"]")


def unread_label(transitions: Iterable[Transition]) -> EdgeLabel | None:
    """The "?" label of steps that rest on a cell statusproof could not read (None when
    none does): which lines they rest on.

    >>> t = Transition("Open", "Closed", None, frozenset(),
    ...                depends=("the Next cell of 'Open', line 6: 'the agent may close it'",))
    >>> unread_label([t]).text
    '? rests on line 6, not read'
    """
    places: list[str] = []
    for t in transitions:
        for text in t.depends:
            found = _UNREAD_AT.search(text)
            place = found[1] if found else "a cell"
            if place not in places:
                places.append(place)
    if not places:
        return None
    if all(p.startswith("line ") for p in places) and len(places) > 1:
        places = ["lines " + ", ".join(p[5:] for p in places)]
    return EdgeLabel(f"? rests on {', '.join(places)}, not read", UNREAD, True)


def label_roles(transitions: Sequence[Transition]) -> list[Role]:
    """The roles an edge's labels show: a negated guard, a step resting on an unread cell."""
    roles = []
    if any(t.guard is not None and t.guard.negated for t in transitions):
        roles.append(Role.NEGATED)
    if any(t.depends for t in transitions):
        roles.append(Role.UNREAD_STEP)
    return roles
