"""The documented Python API: the examples of docs/api.md run as doctests, the exports are
lazy and complete."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys
from pathlib import Path

import pytest

import statusproof

ROOT = Path(__file__).resolve().parent.parent


def test_the_examples_of_the_api_page_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False,
                              optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10
    assert result.failed == 0


def test_every_exported_name_resolves_and_is_documented() -> None:
    page = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for name in statusproof.__all__:
        assert getattr(statusproof, name) is not None
        if name != "__version__":
            assert f"`{name}`" in page, name
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = statusproof.nope  # type: ignore[attr-defined]


def test_importing_statusproof_stays_cheap() -> None:
    code = ("import sys, statusproof; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('networkx', 'z3', 'lark') or m.startswith('statusproof.')))")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env).stdout
    assert out.strip() == "[]"


def test_the_export_table_and_all_agree() -> None:
    assert set(statusproof.__all__) == {"__version__", *statusproof._EXPORTS}
