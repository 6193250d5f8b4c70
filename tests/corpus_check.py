"""Compare statusproof's reading of the corpus (tests/corpus/) with the expectations.

Each ``NAME.expected.toml`` beside a table says the model and the findings its author meant
(format: tests/corpus/README.md). :func:`compare` loads the table, interprets it, runs the
graph and formal checks, and matches what they give against the expectation item by item:
statuses, transitions (with their guards), findings (per code), and the pinned fragments.
:func:`figures` sums the matches into precision and recall per item kind and finding code.
Used by tests/test_corpus.py and scripts/corpus_figures.py.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding
from statusproof.checks.formal import formal_checks
from statusproof.model import load_model
from statusproof.model.model import OTHERWISE, Guard, GuardKind, Model
from statusproof.model.names import split_qualifier
from statusproof.model.tokens import SENTENCE_WORDS, words_of

CORPUS = Path(__file__).resolve().parent / "corpus"

#: The check an ``inconclusive`` finding stands for, in the corpus's words.
CHECK_FAMILY = {
    "guards-exclusive": "guards", "dead-guard": "guards", "guard-gap": "guards",
    "overlapping-guards": "guards", "timeout-exclusive": "timeouts",
    "timeout-overlap": "timeouts", "vacuous-cause": "timeouts", "no-path-to-terminal": "traps",
    "history-proved": "history", "history-violation": "history", "history-lost": "history",
    "no-way-back": "history", "unguarded-return": "history",
    "unreachable-status": "reachability", "reachable-status": "reachability",
}


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[*_`]", "", text).split()).rstrip(".").casefold()


@dataclass
class Match:
    """Matched, reported-only (false positives) and expected-only (misses) items of a kind."""

    matched: Counter[Any] = field(default_factory=Counter)
    extra: Counter[Any] = field(default_factory=Counter)
    missed: Counter[Any] = field(default_factory=Counter)

    def add(self, expected: Iterable[Any], actual: Iterable[Any]) -> None:
        want, got = Counter(expected), Counter(actual)
        both = want & got
        self.matched += both
        self.missed += want - both
        self.extra += got - both


def guard_key(guard: Guard | None) -> tuple[Any, ...] | None:
    if guard is None:
        return None
    if guard.kind is GuardKind.HISTORY:
        if guard.negated:
            return ("otherwise",)
        return ("history", tuple(sorted(guard.values)))
    if guard.values == (OTHERWISE,) or guard.text == OTHERWISE:
        return ("otherwise",)
    return ("condition", _norm(guard.text), guard.negated)


def expected_guard(guard: dict[str, Any] | None) -> tuple[Any, ...] | None:
    if guard is None:
        return None
    if guard["kind"] == "history":
        return ("history", tuple(sorted(guard["values"])))
    if guard["kind"] == "otherwise":
        return ("otherwise",)
    return ("condition", _norm(guard["text"]), bool(guard.get("negated", False)))


def finding_key(f: Finding) -> tuple[Any, ...]:
    if f.code == "inconclusive":
        check = str(f.evidence_dict().get("check", ""))
        return (f.code, CHECK_FAMILY.get(check, check), frozenset(f.statuses[:1]))
    return (f.code, frozenset(f.statuses))


def expected_finding_key(f: dict[str, Any]) -> tuple[Any, ...]:
    if f["code"] == "inconclusive":
        return (f["code"], f.get("check", ""), frozenset(f["statuses"][:1]))
    return (f["code"], frozenset(f["statuses"]))


@dataclass
class Result:
    """One table's comparison."""

    table: str
    model: Model
    findings: list[Finding]
    statuses: Match = field(default_factory=Match)
    transitions: Match = field(default_factory=Match)
    guards: Match = field(default_factory=Match)
    fragments: Match = field(default_factory=Match)
    by_code: dict[str, Match] = field(default_factory=dict)
    names_with_sentence_words: list[str] = field(default_factory=list)


def compare(expected_path: Path) -> Result:
    expected = tomllib.loads(expected_path.read_text(encoding="utf-8"))
    model = load_model(expected_path.parent / expected["table"])
    findings = [*graph_checks(model), *formal_checks(model)]
    result = Result(expected["table"], model, findings)

    result.statuses.add(
        ((s["name"], s.get("defined", True), s.get("entry", False),
          tuple(s.get("triggers", [])), s.get("terminal"), s.get("remembers", False))
         for s in expected.get("status", [])),
        ((s.name, s.defined, s.entry, s.triggers,
          s.terminal.value if s.terminal else None, s.remembers) for s in model.statuses))

    want = [(t["source"], t.get("target"), tuple(sorted(t["columns"])),
             expected_guard(t.get("guard"))) for t in expected.get("transition", [])]
    got = [(t.source, t.target, tuple(sorted(c.value for c in t.columns)), guard_key(t.guard))
           for t in model.transitions]
    result.transitions.add(want, got)
    result.guards.add((w for w in want if w[3] is not None), (g for g in got if g[3] is not None))

    codes = {f["code"] for f in expected.get("finding", [])} | {f.code for f in findings}
    for code in sorted(codes):
        match = result.by_code.setdefault(code, Match())
        match.add((expected_finding_key(f) for f in expected.get("finding", [])
                   if f["code"] == code),
                  (finding_key(f) for f in findings if f.code == code))

    cells: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in model.readings:
        cells.setdefault((r.status, r.column.value), []).extend(
            (f.reading, _norm(f.text)) for f in r.fragments)
    for fragment in expected.get("fragment", []):
        key = (fragment["status"], fragment["column"])
        text = _norm(fragment["text"])
        mine = cells.get(key, [])
        hit = any(reading == fragment["reading"] and (text in got_text or got_text in text)
                  for reading, got_text in mine)
        item = (key, fragment["reading"], text)
        if hit:
            result.fragments.matched[item] += 1
        else:
            result.fragments.missed[item] += 1
    for r in model.readings:  # a new name never carries sentence words (outside a qualifier)
        for f in r.fragments:
            base, _ = split_qualifier(f.text)
            if f.reading == "undefined-status" and any(w in SENTENCE_WORDS
                                                        for w in words_of(base)):
                result.names_with_sentence_words.append(f"{r.status}: {f.text!r}")
    return result


def tables() -> list[Path]:
    return sorted(CORPUS.glob("*.expected.toml"))


def ratio(match: Match) -> tuple[float, float]:
    """(precision, recall) of a match; 1.0 where there is nothing to count."""
    tp = sum(match.matched.values())
    fp = sum(match.extra.values())
    fn = sum(match.missed.values())
    return (tp / (tp + fp) if tp + fp else 1.0, tp / (tp + fn) if tp + fn else 1.0)


def figures(results: list[Result]) -> list[tuple[str, int, int, int, float, float]]:
    """Rows (what, matched, extra, missed, precision, recall) over all tables."""
    totals: dict[str, Match] = {}

    def fold(name: str, match: Match) -> None:
        total = totals.setdefault(name, Match())
        total.matched += match.matched
        total.extra += match.extra
        total.missed += match.missed

    for r in results:
        fold("statuses", r.statuses)
        fold("transitions", r.transitions)
        fold("guards", r.guards)
        fold("fragments (pinned)", r.fragments)
        for code, match in r.by_code.items():
            fold(f"finding {code}", match)
    rows = []
    for name in sorted(totals, key=lambda n: (n.startswith("finding"), n)):
        match = totals[name]
        precision, recall = ratio(match)
        rows.append((name, sum(match.matched.values()), sum(match.extra.values()),
                     sum(match.missed.values()), precision, recall))
    return rows


def format_figures(rows: list[tuple[str, int, int, int, float, float]]) -> str:
    width = max(len(r[0]) for r in rows)
    lines = [f"{'what':<{width}}  matched  extra  missed  precision  recall"]
    for name, tp, fp, fn, precision, recall in rows:
        lines.append(f"{name:<{width}}  {tp:>7}  {fp:>5}  {fn:>6}  {precision:>9.3f}  "
                     f"{recall:>6.3f}")
    return "\n".join(lines)
