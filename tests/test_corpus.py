"""The corpus (tests/corpus/): seventeen tables in six-plus domains and four formats, each with
the model and findings its author wrote down before anything interpreted it; and the held-out
corpus (tests/corpus/holdout/): twelve more tables in twelve new domains, written blind after
the grammar of the first pass was finished (its two changed expectations are recorded in
tests/corpus/holdout/CHANGES.md).

statusproof's reading must match every expectation of both: precision and recall 1.0 for the
statuses, the transitions and their guards, the pinned fragments, and every finding code; no
new status name may carry sentence words. (Before the second pass of issue 9 the held-out
figures were statuses 0.823 / 0.872, transitions 0.893 / 0.919, guards 0.904 / 0.846:
docs/interpretation.md, "How well it reads".) The figures are printed (``pytest -s``) and by
``python scripts/corpus_figures.py [tests/corpus/holdout]``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_check import CORPUS, compare, figures, format_figures, tables

PATHS = tables()
HOLDOUT = sorted((CORPUS / "holdout").glob("*.expected.toml"))


def test_the_corpus_is_there() -> None:
    assert len(PATHS) >= 12
    tables = [compare_name for compare_name in (p.read_text().split("table = ")[1].split("\n")[0]
                                                for p in PATHS)]
    assert {Path(t.strip('"')).suffix for t in tables} == {".txt", ".md", ".csv", ".html"}


def test_the_holdout_is_there() -> None:
    assert len(HOLDOUT) == 12
    assert {p.name for p in HOLDOUT}.isdisjoint(p.name for p in PATHS)


@pytest.mark.parametrize("path", PATHS + HOLDOUT,
                         ids=[p.parent.name + "/" + p.name.split(".")[0]
                              for p in PATHS + HOLDOUT])
def test_table_reads_as_its_author_meant(path: Path) -> None:
    result = compare(path)
    problems = []
    kinds = {"status": result.statuses, "transition": result.transitions,
             "fragment": result.fragments,
             **{f"finding {code}": m for code, m in result.by_code.items()}}
    for name, match in kinds.items():
        problems += [f"{name}: reported, not expected: {item}" for item in match.extra.elements()]
        problems += [f"{name}: expected, not reported: {item}" for item in match.missed.elements()]
    problems += [f"a status name with sentence words: {n}"
                 for n in result.names_with_sentence_words]
    assert problems == []


@pytest.mark.parametrize(("name", "paths"), [("corpus", PATHS), ("held-out corpus", HOLDOUT)])
def test_corpus_figures(capsys: pytest.CaptureFixture[str], name: str,
                        paths: list[Path]) -> None:
    rows = figures([compare(path) for path in paths])
    with capsys.disabled():
        print(f"\n{name}: {len(paths)} tables\n{format_figures(rows)}")
    assert all((precision, recall) == (1.0, 1.0) for *_, precision, recall in rows), rows
    kinds = {row[0] for row in rows}
    assert {"statuses", "transitions", "guards", "fragments (pinned)"} <= kinds
