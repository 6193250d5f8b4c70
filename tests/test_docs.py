"""The documentation keeps up with the code.

- Every finding code of the catalogue is documented (docs/findings.md, or docs/formal-checks.md
  for the formal checks), and every subcommand appears in some page.
- Every ``console`` block of the foundation's pages is real output: its ``$ statusproof ...``
  commands are run, and each line shown must be a line of what they print (``...`` marks an
  elision). Message lines shown without a command must come from checking the bundled table.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import shlex
from pathlib import Path

import pytest
from conftest import run_cli

import statusproof.checks
from statusproof.checks import CATALOGUE
from statusproof.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
VERIFIED_PAGES = ["getting-started.md", "table-formats.md", "interpretation.md", "findings.md"]
_BLOCK = re.compile(r"^( *)```console\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def all_codes() -> dict[str, object]:
    """The catalogue with every checks module imported (some register codes on import)."""
    for module in pkgutil.iter_modules(statusproof.checks.__path__):
        try:
            importlib.import_module(f"statusproof.checks.{module.name}")
        except ImportError:  # an optional dependency of another engineer's module
            continue
    return dict(CATALOGUE)


def subcommands() -> list[str]:
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(name for action in actions for name in action.choices)


def test_every_finding_code_is_documented() -> None:
    text = "".join((DOCS / name).read_text(encoding="utf-8")
                   for name in ("findings.md", "formal-checks.md") if (DOCS / name).is_file())
    missing = [code for code in all_codes()
               if not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    assert missing == [], f"document these codes in docs/findings.md or formal-checks.md: {missing}"


def test_graph_codes_have_a_section_each() -> None:
    text = (DOCS / "findings.md").read_text(encoding="utf-8")
    graph_codes = [code for code in CATALOGUE if code in text]
    assert len(graph_codes) >= 16
    for code in graph_codes:
        assert f"\n## {code}\n" in text, f"docs/findings.md has no section '## {code}'"


def test_every_subcommand_is_documented() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("*.md")))
    missing = [name for name in subcommands() if f"statusproof {name}" not in text]
    assert "check" in subcommands() and "model" in subcommands()
    assert missing == [], f"document these subcommands under docs/: {missing}"


def console_blocks() -> list[tuple[str, str]]:
    blocks = []
    for name in VERIFIED_PAGES:
        text = (DOCS / name).read_text(encoding="utf-8")
        for match in _BLOCK.finditer(text):
            indent = len(match[1])
            body = "\n".join(line[indent:] for line in match[2].splitlines())
            blocks.append((name, body))
    return blocks


def output_lines(args: list[str]) -> set[str]:
    _, out, err = run_cli(args)
    return {line.strip() for line in (out + err).splitlines()}


@pytest.fixture(scope="module")
def bundled_lines() -> set[str]:
    lines: set[str] = set()
    for args in (["check", "--raw", "--severity", "info"], ["check", "--severity", "info"],
                 ["model"], ["model", "--raw"]):
        lines |= output_lines(args)
    return lines


@pytest.mark.parametrize(("page", "block"), console_blocks(),
                         ids=[f"{p}-{i}" for i, (p, _) in enumerate(console_blocks())])
def test_console_blocks_are_real_output(monkeypatch: pytest.MonkeyPatch,
                                        bundled_lines: set[str], page: str, block: str) -> None:
    monkeypatch.chdir(ROOT)
    actual: set[str] | None = None
    for line in block.splitlines():
        if line.startswith("$ statusproof "):
            actual = output_lines(shlex.split(line)[2:])
            continue
        shown = line.strip()
        if not shown or shown == "...":
            continue
        where = bundled_lines if actual is None else actual
        assert shown in where, f"{page}: this line is not what statusproof prints:\n{line}"
