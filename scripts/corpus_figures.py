"""Print the corpus figures: precision and recall of statusproof's reading of tests/corpus/.

Usage: python scripts/corpus_figures.py [--details] [FOLDER]
FOLDER is the corpus folder (default: tests/corpus; the held-out corpus is
tests/corpus/holdout). With --details, every mismatch (what the tool reported that the
expectation does not list,
and what the expectation lists that the tool missed) is printed per table.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from corpus_check import compare, figures, format_figures, tables


def main() -> int:
    folders = [a for a in sys.argv[1:] if not a.startswith("--")]
    paths = (sorted(Path(folders[0]).glob("*.expected.toml")) if folders else tables())
    results = [compare(path) for path in paths]
    print(f"{len(results)} tables")
    print(format_figures(figures(results)))
    if "--details" in sys.argv:
        for r in results:
            kinds = {"statuses": r.statuses, "transitions": r.transitions,
                     "fragments": r.fragments, **{f"finding {c}": m for c, m in
                                                   r.by_code.items()}}
            for name, match in kinds.items():
                for item in sorted(map(str, match.extra.elements())):
                    print(f"{r.table}: {name}: reported, not expected: {item}")
                for item in sorted(map(str, match.missed.elements())):
                    print(f"{r.table}: {name}: expected, not reported: {item}")
            for name in r.names_with_sentence_words:
                print(f"{r.table}: a name with sentence words: {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
