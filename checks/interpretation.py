"""Findings about the table as written: what the interpretation noted (duplicates, unresolved
references, entries it could not read), outside triggers, undefined statuses, guarded
transitions, free choices between ending and going on, causes a description names but the
exits ignore, and the amendments applied."""

from __future__ import annotations

import re

from statusproof.model.amend import reading_statement
from statusproof.model.model import GuardKind, Model, TerminalKind
from statusproof.model.table import Column, SourceSpan
from statusproof.model.tokens import SENTENCE_WORDS, words_of

from .findings import Finding, finding

__all__ = ["interpretation_notes", "undefined_statuses", "guarded_transitions", "amendments",
           "outside_triggers", "free_choices", "causes_not_tied", "named_causes"]


def interpretation_notes(model: Model) -> list[Finding]:
    """The interpreter's notes, each as a finding of the same code."""
    return [finding(note.code, note.message, note.statuses, (), note.span, dict(note.evidence))
            for note in model.notes]


def _where(span: SourceSpan | None, model: Model) -> str:
    if span is None:
        return "-"
    return f"line {span.line}" if span.path == model.path else str(span)


def outside_triggers(model: Model) -> list[Finding]:
    """``outside-trigger`` for every Previous-cell phrase read as an event outside the table."""
    found = []
    for status in model.statuses:
        for trigger in status.triggers:
            words = words_of(trigger)
            name_like = (len(words) <= 5 and trigger[:1].isupper()
                         and not any(w in SENTENCE_WORDS for w in words))
            means = trigger if name_like else "<the status>"
            statement = reading_statement(status.name, Column.PREVIOUS, trigger, means)
            found.append(finding(
                "outside-trigger",
                f"{trigger!r} in the Previous cell of {status.name!r} names no row and no Next "
                f"cell leads to it: read as an event outside the table, so {status.name!r} is "
                "an entry point. If it is a status instead, add a row for it or state "
                f"{statement} (a name in 'means' is always a status)",
                [status.name], (), status.previous_span or status.span,
                {"trigger": trigger, "amendment": statement}))
    return found


def free_choices(model: Model) -> list[Finding]:
    """``free-choice`` where a Next cell says ``none`` beside unconditioned next statuses."""
    found = []
    for status in model.statuses:
        if status.terminal is not TerminalKind.DOCUMENTED:
            continue
        plain = [t for t in model.outgoing(status.name)
                 if t.target is not None and t.guard is None]
        if not plain:
            continue
        cells = [f"{_where(t.spans[0] if t.spans else None, model)}: {t.target!r}"
                 for t in plain]
        found.append(finding(
            "free-choice",
            f"the Next cell of {status.name!r} says 'none' ({_where(status.next_span, model)}) "
            f"beside unconditioned next statuses ({'; '.join(cells)}): a run there may end or "
            "go on, and nothing says which; give them conditions ('none if <condition>', "
            "'X if <condition>') or remove the one that does not apply",
            [status.name], (), status.next_span or status.span,
            {"next": [t.target for t in plain], "cells": cells}))
    return found


_BECAUSE = r"(?:because(?:\s+of)?|due\s+to|owing\s+to|as\s+a\s+result\s+of|caused\s+by)"
_CAUSES = re.compile(
    rf"(?:either\s+)?{_BECAUSE}\s+(?P<first>.+?)\s*,?\s+or\s+(?:{_BECAUSE}\s+)?"
    r"(?P<second>[^.;]+)", re.IGNORECASE | re.DOTALL)


def named_causes(description: str) -> tuple[str, ...]:
    """The causes a description names as alternatives ("either because X or due to Y").

    >>> named_causes("The session timed out either because the Admin-defined timeout was "
    ...              "exceeded or due to system timeout (after two weeks).")
    ('the Admin-defined timeout was exceeded', 'system timeout (after two weeks)')
    """
    match = _CAUSES.search(" ".join(description.split()))
    if match is None:
        return ()
    return (match["first"].strip(), match["second"].strip().rstrip("."))


def causes_not_tied(model: Model) -> list[Finding]:
    """``causes-not-tied`` where a description names several causes and the status's exits
    (two or more different ones) do not depend on any condition."""
    found = []
    for status in model.statuses:
        causes = named_causes(status.description)
        if not causes:
            continue
        exits = model.outgoing(status.name)
        outcomes = {t.target for t in exits}
        if status.terminal is TerminalKind.DOCUMENTED:
            outcomes.add(None)
        tied = any(t.guard is not None and t.guard.kind is GuardKind.CONDITION for t in exits)
        if tied or len(outcomes) < 2:
            continue
        shown = sorted(o or "(end of run)" for o in outcomes)
        found.append(finding(
            "causes-not-tied",
            f"the description of {status.name!r} ({_where(status.span, model)}) names the "
            f"causes {' / '.join(repr(c) for c in causes)}, but its Next cell "
            f"({_where(status.next_span, model)}) ties none of its exits ({', '.join(shown)}) "
            "to them: which exit follows which cause is left open; write each exit with its "
            "cause ('X if <cause>', 'none if <cause>')",
            [status.name], (), status.next_span or status.span,
            {"causes": list(causes), "exits": shown}))
    return found


def undefined_statuses(model: Model) -> list[Finding]:
    """``undefined-status`` for each name mentioned in a cell that has no row."""
    found = []
    for status in model.statuses:
        if status.defined:
            continue
        sources = [t.source for t in model.incoming(status.name)]
        role = (f"named as a next status of {', '.join(repr(s) for s in sources)}; kept as an exit"
                if status.terminal is not None else "named in a Previous cell")
        found.append(finding(
            "undefined-status",
            f"{status.name!r} has no row: {role}; add a row for it or fix the name",
            [status.name, *sources], (), status.span))
    return found


def guarded_transitions(model: Model) -> list[Finding]:
    """``guarded-transition`` for each guarded step or conditional end."""
    found = []
    for transition in model.transitions:
        if transition.guard is None:
            continue
        target = transition.target if transition.target is not None else "(end)"
        found.append(finding(
            "guarded-transition",
            f"{transition.source} -> {target} only when {transition.guard} "
            f"({transition.guard.text!r})",
            [transition.source, *([transition.target] if transition.target else [])], (),
            transition.guard.span,
            {"guard": {"kind": transition.guard.kind.value,
                       "variable": transition.guard.variable,
                       "values": list(transition.guard.values)}}))
    return found


def amendments(model: Model) -> list[Finding]:
    """``amendment`` for each reviewed statement applied from the amendment file."""
    return [finding("amendment", f"{a.kind}: {a.statement} (source: {a.source})", (), (), a.span)
            for a in model.amendments]
