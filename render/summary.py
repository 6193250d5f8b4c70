"""The report's summary: what is wrong with the table, in at most seven plain sentences.

:func:`summarise` turns the findings (already in order of consequence,
:func:`statusproof.checks.findings.sort_by_consequence`) into points a product manager or a
documentation writer can act on: one point per finding code of severity error or warning, in
the order the codes first appear, each a sentence built from the findings' statuses and
evidence ("A run interrupted in Collaborating that reaches Offline can never come back to
Collaborating."). A code this module has no sentence for is summed up by its catalogue title
and its first finding's message, so a new check is never left out. Info findings are not
summarised. The sentences say "a run", never a product's word for it.

Plain data out (:class:`SummaryPoint`); the HTML is :mod:`~statusproof.render.report_sections`'s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from statusproof.checks.findings import CATALOGUE, Finding, Severity
from statusproof.model.model import Model

__all__ = ["SummaryPoint", "summarise", "MAX_POINTS"]

#: The most points a summary has (the last one then says how many more kinds follow).
MAX_POINTS = 7


@dataclass(frozen=True)
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
    return (f"{_count(len(group), 'return', 'returns')} from an interruption{example} do not "
            "check where the run was before: a run may come back to a status it was never in.")


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
    "timeout-overlap": _simple("The exits of {names} do not depend on the cause the way the "
                               "table says.", "", ""),
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
    "uninterpreted-entry": _simple("{count} not understood ({names}): what depends on them "
                                   "is not checked.", "cell entry was", "cell entries were"),
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
    for index, f in enumerate(findings):
        if f.severity is not Severity.INFO:
            groups.setdefault(f.code, []).append(index)
    points = []
    for code, indexes in groups.items():
        group = [findings[i] for i in indexes]
        text = _PHRASES.get(code, _fallback)(model, group)
        points.append(SummaryPoint(text, code, group[0].severity, tuple(indexes)))
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
