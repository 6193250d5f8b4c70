"""docs/conformance.md shows real output: its ``$ statusproof ...`` examples are run again here
and every line the page shows must be printed (``...`` marks an elision); the protocol
transcript is replayed through a real shell; the doctests of the conformance modules pass."""

from __future__ import annotations

import doctest
import importlib
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "conformance.md"
_BLOCK = re.compile(r"^( *)```console\n(.*?)^\1```", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, list[str]]]:
    found = []
    for match in _BLOCK.finditer(PAGE.read_text(encoding="utf-8")):
        indent = match.group(1)
        lines = [line[len(indent):] for line in match.group(2).splitlines()]
        command, shown = [], []
        for line in lines:
            if line.startswith("$ ") or (command and command[-1].endswith("\\")):
                command.append(line.removeprefix("$ "))
            else:
                shown.append(line)
        found.append((" ".join(c.rstrip("\\").strip() for c in command), shown))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("command,shown", [b for b in blocks()
                                           if b[0].startswith("statusproof ")],
                         ids=lambda value: value[:60] if isinstance(value, str) else "")
def test_statusproof_examples_print_what_the_page_shows(
        command: str, shown: list[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    args = [a.replace("/tmp/", f"{tmp_path}/") for a in shlex.split(command)[1:]]
    _, out, err = run_cli(args)
    printed = (out + err).replace(f"{tmp_path}/", "/tmp/").splitlines()
    for line in shown:
        if line.strip() in ("", "...") or line.strip().startswith("... and"):
            continue
        assert line in printed, f"{command!r} no longer prints {line!r}"


def test_the_protocol_transcript_is_real() -> None:
    command, shown = next(b for b in blocks() if b[0].startswith("printf"))
    done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.splitlines() == [line for line in shown if line.strip()]


@pytest.mark.parametrize("name", ["machine", "tour", "generate"])
def test_doctests(name: str) -> None:
    module = importlib.import_module(f"statusproof.conformance.{name}")
    assert doctest.testmod(module).failed == 0
