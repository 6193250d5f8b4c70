"""Findings about the table as written: what the interpretation noted (duplicates, unresolved
references, entries it could not read), undefined statuses, guarded transitions, and the
amendments applied."""

from __future__ import annotations

from statusproof.model.model import Model

from .findings import Finding, finding

__all__ = ["interpretation_notes", "undefined_statuses", "guarded_transitions", "amendments"]


def interpretation_notes(model: Model) -> list[Finding]:
    """The interpreter's notes, each as a finding of the same code."""
    return [finding(note.code, note.message, note.statuses, (), note.span)
            for note in model.notes]


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
