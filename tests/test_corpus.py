"""The corpus (tests/corpus/): seventeen tables in six-plus domains and four formats, each with
the model and findings its author wrote down before anything interpreted it.

statusproof's reading must match every expectation: precision and recall 1.0 for the
statuses, the transitions and their guards, the pinned fragments, and every finding code; no
new status name may carry sentence words. The figures are printed (``pytest -s``) and by
``python scripts/corpus_figures.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_check import compare, figures, format_figures, tables

PATHS = tables()


def test_the_corpus_is_there() -> None:
    assert len(PATHS) >= 12
    tables = [compare_name for compare_name in (p.read_text().split("table = ")[1].split("\n")[0]
                                                for p in PATHS)]
    assert {Path(t.strip('"')).suffix for t in tables} == {".txt", ".md", ".csv", ".html"}


@pytest.mark.parametrize("path", PATHS, ids=[p.name.split(".")[0] for p in PATHS])
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


def test_corpus_figures(capsys: pytest.CaptureFixture[str]) -> None:
    rows = figures([compare(path) for path in PATHS])
    with capsys.disabled():
        print(f"\ncorpus: {len(PATHS)} tables\n{format_figures(rows)}")
    assert all((precision, recall) == (1.0, 1.0) for *_, precision, recall in rows), rows
