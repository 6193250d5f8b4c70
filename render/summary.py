"""The report's summary: what is wrong with the table, in at most seven plain sentences.

:func:`summarise` turns the findings (already in order of consequence,
:func:`statusproof.checks.findings.sort_by_consequence`) into points a product manager or a
documentation writer can act on: one point per finding code of severity error or warning, in
the order the codes first appear, each a sentence built from the findings' statuses and
evidence ("A run interrupted in Collaborating that reaches Offline can never come back to
Collaborating."). A code this module has no sentence for is summed up by its catalogue title
and its first finding's message, so a new check is never left out. Info findings are not
summarised, with one exception when there is room: an outside trigger whose wording reads like
a status name (the author may have meant a status; ``outside-trigger``). The sentences say "a
run", never a product's word for it, and say what to write where the finding knows it (the
``D otherwise`` of an unconditioned exit beside conditional ones).

Plain data out (:class:`SummaryPoint`); the HTML is :mod:`~statusproof.render.report_sections`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from statusproof.checks.findings import CATALOGUE, Finding, Severity
from statusproof.model.model import Model
from statusproof.model.record import record

from .unread import UnreadCell, cells_of, unread_cells

__all__ = ["SummaryPoint", "summarise", "MAX_POINTS"]

#: The most points a summary has (the last one then says how many more kinds follow).
MAX_POINTS = 7


@record
class SummaryPoint:
    """One sentence, the finding code and severity behind it, and the positions (0-based, in
    the findings given) of the findings it sums up."""

    text: str
    code: str
    severity: Severity
    findings: tuple[int, ...]


def _names(names: Sequence[str], limit: int = 4) -> str:
    """``A``, ``A and B``, ``A, B and C``, ``A, B, C, D and 3 more``."""
    unique = list(dict.fromkeys(names))
    if len(unique) > limit:
        return ", ".join(unique[:limit]) + f" and {len(unique) - limit} more"
    if len(unique) > 1:
        return ", ".join(unique[:-1]) + " and " + unique[-1]
    return unique[0] if unique else "some statuses"


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _first_status(group: Sequence[Finding]) -> list[str]:
    return [f.statuses[0] for f in group if f.statuses]


def _more(group: Sequence[Finding]) -> str:
    return f" ({_count(len(group) - 1, 'more like it', 'more like it')})" if len(group) > 1 \
        else ""


def _no_way_back(model: Model, group: Sequence[Finding]) -> str:
    f = group[0]
    remembered = str(f.evidence_dict().get("remembered") or (f.statuses[-1] if f.statuses
                                                             else "a status"))
    reached = next((s for s in f.statuses if s != remembered), "an interruption")
    return (f"A run interrupted in {remembered} that reaches {reached} can never come back "
            f"to {remembered}{_more(group)}.")


def _coincidence(model: Model, group: Sequence[Finding]) -> str:
    where = _names(_first_status(group))
    causes: list[str] = []
    for f in group:
        if len(f.statuses) >= 2:
            causes += [t.cause for t in model.timers if t.status == f.statuses[0]
                       and t.target == f.statuses[1] and t.cause and t.cause not in causes]
    which = f" ({' and '.join(causes)})" if causes else ""
    return (f"In {where}, two timeouts{which} can fall due at the same instant, and the table "
            "does not say which one wins.")


def _unguarded(model: Model, group: Sequence[Finding]) -> str:
    f = group[0]
    example = f" (e.g. {f.statuses[0]} → {f.statuses[1]})" if len(f.statuses) >= 2 else ""
    verb = "does" if len(group) == 1 else "do"
    return (f"{_count(len(group), 'return', 'returns')} from an interruption{example} {verb} "
            "not check where the run was before: a run may come back to a status it was never "
            "in.")


def _mismatch(model: Model, group: Sequence[Finding]) -> str:
    f = group[0]
    example = ""
    if len(f.statuses) == 2:
        a, b = f.statuses
        if f.evidence_dict().get("listed_in") == "previous":
            example = (f" (e.g. {b} lists {a} as previous, but the Next cell of {a} does not "
                       f"list {b})")
        else:
            example = (f" (e.g. {a} lists {b} as next, but the Previous cell of {b} does not "
                       f"list {a})")
    return (f"{_count(len(group), 'step is', 'steps are')} listed in one column and "
            f"contradicted by the other{example}.")


def _quoted(text: str, limit: int = 60) -> str:
    return "'" + (text if len(text) <= limit else text[:limit - 1].rstrip() + "…") + "'"


def _were(n: int, one: str, many: str) -> str:
    return f"{_count(n, one, many)} {'was' if n == 1 else 'were'}"


def _inconclusive(model: Model, group: Sequence[Finding]) -> str:
    """Verdicts held back: because cells were not understood, or because the formal budget
    was spent (or for another reason the finding gives)."""
    unread = unread_cells(model)
    cells: list[UnreadCell] = []
    held, budget, other = 0, 0, []
    for f in group:
        found = cells_of(model, unread, f)
        if found:
            held += 1
            cells.extend(c for c in found if c not in cells)
        elif "budget_seconds" in f.evidence_dict():
            budget += 1
        else:
            other.append(f)
    parts = []
    if held:
        titles = [c.title for c in cells]
        shown = _names(titles, 3) if len(titles) > 1 else titles[0]
        parts.append(f"{_count(held, 'verdict', 'verdicts')} cannot be given because "
                     f"{_were(len(cells), 'cell', 'cells')} not understood: {shown}.")
    if budget:
        parts.append(f"{_count(budget, 'check', 'checks')} {'was' if budget == 1 else 'were'} "
                     "not settled within the formal budget: rerun with a larger "
                     "--formal-budget.")
    if other:
        parts.append(f"{_count(len(other), 'verdict', 'verdicts')} cannot be given: "
                     f"{other[0].message}{_more(other)}.")
    return " ".join(parts)


def _uninterpreted(model: Model, group: Sequence[Finding]) -> str:
    shown = []
    for f in group[:3]:
        text = f.evidence_dict().get("text")
        cells = cells_of(model, unread_cells(model), f)
        where = (f" (the {cells[0].column.value.capitalize()} cell of {cells[0].status}, "
                 f"{cells[0].place})" if cells else "")
        shown.append(f"{_quoted(str(text))}{where}" if isinstance(text, str) else f.message)
    if len(group) > 3:
        shown.append(f"{len(group) - 3} more")
    them = "it" if len(group) == 1 else "them"
    return (f"{_were(len(group), 'cell entry', 'cell entries')} not understood: "
            f"{_names(shown, 4)}. The model leaves {them} out: rewrite {them} in the "
            f"table, or say how to read {them} with a [[reading]] amendment.")


def _free_choice(model: Model, group: Sequence[Finding]) -> str:
    if len(group) == 1:
        f = group[0]
        following = [str(n) for n in f.evidence_dict().get("next") or []]
        beside = _names(following) if following else "other next statuses"
        where = f.statuses[0] if f.statuses else "a status"
        return (f"In {where}, the Next cell says 'none' beside {beside} with no condition: a "
                "run there may end or go on, and nothing says which.")
    return (f"In {_names(_first_status(group))}, the Next cell says 'none' beside next "
            "statuses with no condition: a run there may end or go on, and nothing says "
            "which.")


def _causes_not_tied(model: Model, group: Sequence[Finding]) -> str:
    if len(group) == 1:
        f = group[0]
        evidence = f.evidence_dict()
        causes = [str(c) for c in evidence.get("causes") or []]
        exits = ["'none'" if e == "(end of run)" else str(e)
                 for e in evidence.get("exits") or []]
        where = f.statuses[0] if f.statuses else "a status"
        return (f"The description of {where} names {len(causes)} causes "
                f"({' / '.join(causes)}), but no exit of its Next cell "
                f"({_names(exits)}) says which cause it follows.")
    return (f"The descriptions of {_names(_first_status(group))} name several causes, but "
            "no exit of their Next cells says which cause it follows.")


def _overlap(model: Model, group: Sequence[Finding]) -> str:
    """Exits that do not separate the causes; when one of them has no condition, what to
    write ('D otherwise')."""
    advice: list[str] = []
    plain_seen: list[tuple[str, str]] = []
    others: list[str] = []
    for f in group:
        where = f.statuses[0] if f.statuses else "a status"
        unconditioned = [str(o) for o in f.evidence_dict().get("unconditioned") or []]
        outcomes = list(f.statuses[1:])
        if len(outcomes) < 2:
            outcomes.append("(end of run)")
        plain = next((o for o in outcomes if o in unconditioned), None)
        if plain is None:
            if where not in others:
                others.append(where)
            continue
        if (where, plain) in plain_seen:
            continue
        plain_seen.append((where, plain))
        write = "none otherwise" if plain == "(end of run)" else f"{plain} otherwise"
        shown = "the end ('none')" if plain == "(end of run)" else plain
        advice.append(f"in {where}, {shown} has no condition beside exits that have one, so "
                      f"it is possible whatever the cause: write '{write}' if it is the "
                      "default, or give it its condition")
    parts = []
    if advice:
        first = advice[0][0].upper() + advice[0][1:]
        rest = f" ({_count(len(advice) - 1, 'more like it', 'more like it')})" \
            if len(advice) > 1 else ""
        parts.append(f"{first}{rest}.")
    if others:
        parts.append(f"In {_names(others)}, two exits are possible for the same cause: the "
                     "exits do not separate the causes; write each exit with its condition.")
    return " ".join(parts)


def _trigger_like_a_name(f: Finding) -> bool:
    """An ``outside-trigger`` whose wording reads like a status name: its amendment would
    read it as that name (a prose event would need a made-up one)."""
    evidence = f.evidence_dict()
    trigger, amendment = evidence.get("trigger"), evidence.get("amendment")
    return isinstance(trigger, str) and isinstance(amendment, str) and \
        amendment.endswith(f"means = {json.dumps(trigger)}")


def _triggers(model: Model, group: Sequence[Finding]) -> str:
    shown = [f"{_quoted(str(f.evidence_dict().get('trigger')))} for {f.statuses[0]}"
             for f in group[:3] if f.statuses]
    if len(group) > 3:
        shown.append(f"{len(group) - 3} more")
    if len(group) == 1 and group[0].statuses:
        f = group[0]
        return (f"{_quoted(str(f.evidence_dict().get('trigger')))} in the Previous cell of "
                f"{f.statuses[0]} is read as an event outside the table, so "
                f"{f.statuses[0]} starts a run; if it is a status, give it a row.")
    return (f"{len(group)} Previous cells name an event outside the table that reads like a "
            f"status name ({_names(shown, 4)}): each starts a run; if one is a status, give it "
            "a row.")


def _simple(template: str, one: str, many: str) -> Callable[[Model, Sequence[Finding]], str]:
    def phrase(model: Model, group: Sequence[Finding]) -> str:
        return template.format(count=_count(len(group), one, many),
                               names=_names(_first_status(group)))
    return phrase


_PHRASES: dict[str, Callable[[Model, Sequence[Finding]], str]] = {
    "no-entry-point": _simple("No status starts a run: no Previous cell says 'none' or names "
                              "a trigger.", "", ""),
    "unreachable-status": _simple("{count} cannot be reached from any entry point: {names}.",
                                  "status", "statuses"),
    "no-path-to-terminal": _simple("A run that reaches {names} can never end: no way leads "
                                   "from there to a terminal status.", "", ""),
    "history-violation": _simple("A return from an interruption can go back to a status the "
                                 "run was not in before ({names}).", "", ""),
    "history-lost": _simple("A run interrupted in a status loses it on the way ({names}): "
                            "no step returns there.", "", ""),
    "guard-gap": _simple("In {names}, a run can get stuck: in some state no exit is "
                         "enabled.", "", ""),
    "timeout-overlap": _overlap,
    "solver-unknown": _simple("{count} not settled (z3 answered unknown): the checks that "
                              "depend on them are inconclusive.", "question was",
                              "questions were"),
    "unresolved-reference": _simple("{count} point nowhere: {names}.",
                                    "'See X status.' reference", "'See X status.' references"),
    "duplicate-status": _simple("{count} two rows: {names}.", "status has", "statuses have"),
    "no-way-back": _no_way_back,
    "timeout-coincidence": _coincidence,
    "unguarded-return": _unguarded,
    "overlapping-guards": _simple("In {names}, two exits can both be taken in the same state, "
                                  "and the table does not say which one happens.", "", ""),
    "dead-guard": _simple("{count} never be taken, as the condition never holds "
                          "({names}).", "guarded step can", "guarded steps can"),
    "vacuous-cause": _simple("{count} never happen ({names}): the exits that depend on it "
                             "are never taken.", "cause value can", "cause values can"),
    "uninterpreted-entry": _uninterpreted,
    "inconclusive": _inconclusive,
    "free-choice": _free_choice,
    "causes-not-tied": _causes_not_tied,
    "undefined-status": _simple("{count} named but never described: {names}.",
                                "status is", "statuses are"),
    "no-incoming": _simple("{count} not entered by any step: {names}.", "row is",
                           "rows are"),
    "column-mismatch": _mismatch,
}


def _fallback(model: Model, group: Sequence[Finding]) -> str:
    info = CATALOGUE.get(group[0].code)
    title = info.title if info is not None else group[0].code
    return f"{title}: {group[0].message}{_more(group)}."


def summarise(model: Model, findings: Sequence[Finding],
              limit: int = MAX_POINTS) -> list[SummaryPoint]:
    """At most ``limit`` points for ``findings`` (in order of consequence), one per code of
    severity error or warning; when there are more codes, the last point counts them."""
    groups: dict[str, list[int]] = {}
    triggers: list[int] = []
    for index, f in enumerate(findings):
        if f.severity is not Severity.INFO:
            groups.setdefault(f.code, []).append(index)
        elif f.code == "outside-trigger" and _trigger_like_a_name(f):
            triggers.append(index)
    points = []
    for code, indexes in groups.items():
        group = [findings[i] for i in indexes]
        text = _PHRASES.get(code, _fallback)(model, group)
        points.append(SummaryPoint(text, code, group[0].severity, tuple(indexes)))
    if triggers and len(points) < limit:  # information: only when there is room
        group = [findings[i] for i in triggers]
        points.append(SummaryPoint(_triggers(model, group), "outside-trigger", Severity.INFO,
                                   tuple(triggers)))
    if len(points) > limit:
        rest = points[limit - 1:]
        count = sum(len(p.findings) for p in rest)
        last = SummaryPoint(
            f"{_count(len(rest), 'more kind', 'more kinds')} of finding "
            f"({_count(count, 'finding', 'findings')}) below: "
            + ", ".join(p.code for p in rest) + ".",
            rest[0].code, rest[0].severity, tuple(i for p in rest for i in p.findings))
        points = [*points[:limit - 1], last]
    return points
