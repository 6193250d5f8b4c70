"""Cause variables and timers: the alternatives behind conditional exits, and timed rules.

This module owns two steps at the end of interpretation: building each status's cause
variable from the conditions its exits read (or from a ``[[cause]]`` amendment), including the
value ``otherwise`` for "none of the conditions" where the table makes that case real, and
checking the ``[[timer]]`` amendments against the model's statuses and causes.
"""

from __future__ import annotations

from .amend import AmendmentSet, CauseDecl
from .errors import AmendmentError
from .links import OTHERWISE_TEXT
from .model import (
    OTHERWISE,
    Amendment,
    Cause,
    GuardKind,
    Status,
    TerminalKind,
    Timer,
    Transition,
)
from .names import NameIndex, did_you_mean, normalise
from .table import SourceSpan

__all__ = ["build_causes", "build_timers"]


def build_causes(conditions: dict[str, dict[str, str]], decls: dict[str, CauseDecl],
                 transitions: list[Transition], statuses: list[Status], negated: set[str],
                 records: list[Amendment]) -> tuple[Cause, ...]:
    """The cause variables: one per status with conditions (its values are the conditions,
    and ``otherwise`` when an exit does not read the cause or one says "unless"), or as an
    amendment declares it."""
    causes = []
    documented = {s.name for s in statuses if s.terminal is TerminalKind.DOCUMENTED}
    # the statuses with an exit that does not read the cause: there the case "none of the
    # conditions" is real ("unless <condition>" holds exactly then too)
    loose = {t.source for t in transitions
             if t.guard is None or t.guard.kind is not GuardKind.CONDITION}
    for status, values in conditions.items():
        if status not in decls and OTHERWISE not in values and (
                status in documented or status in negated or status in loose):
            values[OTHERWISE] = OTHERWISE_TEXT
    # a declared cause stands even when no exit of the table depends on it: the formal
    # checks then show that the exits ignore it (timeout-overlap)
    declared_only = [status for status in decls if status not in conditions]
    for status in [*conditions, *declared_only]:
        decl = decls.get(status)
        if decl is None:
            causes.append(Cause(status, f"cause of {status}",
                                tuple(conditions[status].items()), ""))
            continue
        causes.append(Cause(status, decl.variable, decl.values, decl.source))
        unused = " (no exit of the table depends on it)" if status in declared_only else ""
        records.append(Amendment(
            "cause",
            f"{status}: {decl.variable} in {{{', '.join(k for k, _ in decl.values)}}}"
            + unused, decl.source, decl.span))
    return tuple(causes)

def build_timers(amend: AmendmentSet, index: NameIndex, statuses: list[Status],
                 causes: tuple[Cause, ...], records: list[Amendment]) -> tuple[Timer, ...]:
    """The timers of the amendment file, their statuses and causes checked."""
    known = {normalise(s.name): s.name for s in statuses}
    timers = []
    for decl in amend.timers:
        where = decl.span or SourceSpan(amend.path, 1, 1)
        names = []
        for name in (decl.status, decl.target):
            resolved = index.resolve(name) or known.get(normalise(name))
            if resolved is None:
                raise AmendmentError(f"{where}: timer names {name!r}, which is not a status"
                                     + did_you_mean(name, known.values()))
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
        records.append(Amendment("timer", f"{names[0]} -> {names[1]} ({decl.setting})",
                                      decl.source, where))
    return tuple(timers)
