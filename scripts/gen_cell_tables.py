"""Make model/celltables.py, the cell grammar's LALR tables, from model/grammar.py's GRAMMAR.

Run after changing the grammar: ``python scripts/gen_cell_tables.py`` (lark must be installed:
it is in the ``test`` extra). ``tests/test_lalr.py`` fails while the tables are stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from statusproof.model.grammar import GRAMMAR, STARTS
from statusproof.model.lalr import generate


def main() -> int:
    target = Path(__file__).resolve().parent.parent / "model" / "celltables.py"
    target.write_text(generate(GRAMMAR, STARTS), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
