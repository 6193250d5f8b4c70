"""Shared test helpers: the seed table, fixture tables, golden files and the CLI runner.

Helpers every test module may use:

``seed`` (fixture)
    Path of the bundled seed table (``statusproof.model.bundled_table()``).
``tables`` (fixture) / :data:`TABLES`
    The folder of fixture tables, ``tests/fixtures/tables/``.
``golden`` (fixture)
    ``golden(name, text)`` compares ``text`` with ``tests/golden/<name>``. On a mismatch the
    test fails with a unified diff; with ``STATUSPROOF_UPDATE_GOLDEN=1`` in the environment the
    file is (re)written instead and the test passes.
:func:`run_cli`
    ``run_cli(args) -> (exit code, stdout, stderr)``: calls ``statusproof.cli.main`` in-process
    with ``StringIO`` streams (no subprocess).
:func:`scraped_text`
    Writes rows in the scraped text format of the seed (``from conftest import scraped_text``).
"""

from __future__ import annotations

import difflib
import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import settings

from statusproof.cli import main
from statusproof.model import bundled_table

# Property tests: no per-example deadline (a loaded CI machine must not turn slowness into a
# failure), and in CI a fixed derandomised search, so that a run is reproducible; locally each
# run explores new examples.
settings.register_profile("dev", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

TESTS = Path(__file__).resolve().parent
TABLES = TESTS / "fixtures" / "tables"
GOLDEN = TESTS / "golden"
UPDATE_ENV = "STATUSPROOF_UPDATE_GOLDEN"

Golden = Callable[[str, str], None]
#: A cell for :func:`scraped_text`: a string goes on the ``|`` line itself (``\n`` wraps it),
#: a list becomes ``- `` items, and ``""`` or ``[]`` an empty cell.
CellText = str | Sequence[str]


def scraped_text(rows: Sequence[tuple[str, CellText, CellText, CellText]]) -> str:
    """Rows (status, description, previous, next) in the scraped text format.

    >>> print(scraped_text([("Open", "New.", "none", ["Closed"])]), end="")
    Open
    | New.
    | none
    |
    - Closed
    |
    """
    lines: list[str] = []
    for number, (status, *cells) in enumerate(rows):
        if number:
            lines.append("|")
        lines.append(status)
        for cell in cells:
            if isinstance(cell, str):
                lines.append(f"| {cell}" if cell else "|")
            else:
                lines.append("|")
                lines.extend(f"- {item}" for item in cell)
    lines.append("|")
    return "\n".join(lines) + "\n"


def run_cli(args: Sequence[str]) -> tuple[int, str, str]:
    """Run ``statusproof ARGS`` in-process; returns (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), out, err)
    return code, out.getvalue(), err.getvalue()


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/golden/<name>`` (see the module docstring)."""
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV) == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"golden file {path} is missing; run with {UPDATE_ENV}=1 to create it")
    expected = path.read_text(encoding="utf-8")
    if text != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(keepends=True), text.splitlines(keepends=True),
            f"golden/{name}", "actual"))
        pytest.fail(f"output differs from golden/{name} (rerun with {UPDATE_ENV}=1 to accept):\n"
                    + diff, pytrace=False)


@pytest.fixture
def golden() -> Golden:
    """``golden(name, text)``: assert ``text`` equals ``tests/golden/<name>``."""
    return check_golden


@pytest.fixture
def seed() -> Path:
    """The bundled seed table (the Rescue session statuses, verbatim)."""
    return bundled_table()


@pytest.fixture
def tables() -> Path:
    """The folder of fixture tables."""
    return TABLES
