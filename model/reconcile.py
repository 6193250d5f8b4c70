"""From links to transitions: the reconcile policy, history returns, and what is uncertain.

This module owns the steps of interpretation that work on the links both columns give
(:class:`~statusproof.model.model.Link`), once every cell has been read:

- :func:`returns`: a return to "the previous status" becomes one step per status that can be
  remembered there, each guarded by ``remembered = R``;
- :func:`reconcile`: the transitions the policy (:data:`~statusproof.model.model.POLICIES`)
  keeps, each with its guard (a guarded reading in one column is not widened by an unguarded
  one in the other);
- :func:`mark_uncertain`: the transitions that depend on a cell statusproof could not read
  (listed by one column only while the other column's cell has an uninterpreted fragment),
  so that the checks say *inconclusive* rather than a verdict.

Reading the cells is :mod:`statusproof.model.cells`'; the rest of interpretation is
:mod:`statusproof.model.interpret`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .model import HISTORY_VARIABLE, Guard, GuardKind, Link, Status, Transition
from .record import replace
from .table import Column, SourceSpan

__all__ = ["rememberable", "returns", "reconcile", "keep", "mark_uncertain"]


def rememberable(links: Iterable[Link], remembers: set[str]) -> dict[str, set[str]]:
    """For every status, the statuses the remembered status may hold when a run is there:
    a remembering status entered from one that does not remember stores that one; entered
    from a remembering one, it keeps what that one held (a fixpoint over the links)."""
    into: dict[str, set[str]] = {}
    for link in links:
        into.setdefault(link.target, set()).add(link.source)
    held: dict[str, set[str]] = {name: set() for name in into}
    changed = True
    while changed:
        changed = False
        for target, sources in into.items():
            for source in sources:
                new = held.get(source, set()) if source in remembers else {source}
                if not new <= held[target]:
                    held[target] |= new
                    changed = True
    return held


def returns(pending: Iterable[tuple[str, str, str | None, SourceSpan | None]],
            links: list[Link], remembers: set[str], order: Mapping[str, int]) -> list[Link]:
    """The steps of "back to the previous status" entries: ``(status, text, via, span)`` each
    gives one link per status that may be remembered there, guarded by ``remembered = R``."""
    pending = list(pending)
    if not pending:
        return []
    held = rememberable(links, remembers)
    out = []
    for status, text, via, span in pending:
        for target in sorted(held.get(status, set()), key=lambda n: order.get(n, len(order))):
            if target in remembers:
                continue
            guard = Guard(GuardKind.HISTORY, HISTORY_VARIABLE, (target,), text, span)
            out.append(Link(status, target, Column.NEXT, guard, via, None, span))
    return out


def keep(policy: str, columns: frozenset[Column], source: Status, target: Status,
         group: list[Link]) -> bool:
    """Whether ``policy`` keeps a step its columns list as ``columns``."""
    if policy == "union" or any(link.amendment for link in group):
        return True
    if policy == "next":
        return Column.NEXT in columns
    if policy == "previous":
        return Column.PREVIOUS in columns
    if columns == {Column.NEXT, Column.PREVIOUS}:
        return True
    # intersection: a step one column lists is kept when the other column says nothing
    if Column.NEXT in columns:
        return not target.previous_documented
    return not source.next_documented


def reconcile(links: list[Link], terminations: list[tuple[str, Guard, SourceSpan | None]],
              statuses: list[Status], policy: str, table_path: str) -> list[Transition]:
    """The transitions ``policy`` makes of the links, in model order."""
    order = {s.name: i for i, s in enumerate(statuses)}
    by_name = {s.name: s for s in statuses}
    pairs: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        pairs.setdefault((link.source, link.target), []).append(link)
    transitions = []
    for (source, target), group in pairs.items():
        columns = frozenset(link.column for link in group)
        if not keep(policy, columns, by_name[source], by_name[target], group):
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
            key=lambda span: (span.path != table_path, span not in next_spans, span),
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


def mark_uncertain(transitions: list[Transition], statuses: list[Status],
                   otherwise: set[tuple[str, str | None]]) -> list[Transition]:
    """Mark the transitions that depend on an uninterpreted fragment (see the module
    docstring). ``otherwise`` holds (source, target) of the steps guarded by an "otherwise",
    which depend on every fragment of their cell."""
    by_name = {s.name: s for s in statuses}
    out = []
    for t in transitions:
        depends: list[str] = []
        source = by_name[t.source]
        target = by_name[t.target] if t.target is not None else None
        only = t.columns if t.amendment is None else frozenset()
        if only == {Column.PREVIOUS} and source.unread_next:
            depends.extend(f"the Next cell of {source.name!r}, {u}" for u in source.unread_next)
        if only == {Column.NEXT} and target is not None and target.unread_previous:
            depends.extend(f"the Previous cell of {target.name!r}, {u}"
                           for u in target.unread_previous)
        if (t.source, t.target) in otherwise and source.unread_next:
            depends.extend(f"the Next cell of {source.name!r}, {u}" for u in source.unread_next)
        out.append(replace(t, depends=tuple(dict.fromkeys(depends))) if depends else t)
    return out
