"""Start-up: subcommands load lazily, and heavy libraries are imported only where needed.

``statusproof --help`` must not import the subcommands (nor the model, networkx or z3),
``statusproof check --no-formal`` needs neither networkx nor z3, ``check`` needs z3 but not
networkx (the property checker, which uses it, is imported only for ``--properties``), and
``check`` never imports the rendering, conformance or recorded-history code. Speed itself is
measured by ``benchmarks/bench_startup.py``, never here; these tests check what is imported, in
a fresh interpreter each.
"""

from __future__ import annotations

import enum
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.checks import graph_checks
from statusproof.checks.findings import sort_findings
from statusproof.checks.properties import SYNTAX
from statusproof.cli import ALL, COMMANDS, build_parser, command_module, main
from statusproof.cli.check import SYNTAX as CHECK_SYNTAX
from statusproof.cli.common import _dumps, write_json

FORMAL = Path(__file__).resolve().parent / "fixtures" / "formal"

_PROBE = """
import io, sys
from statusproof.cli import main
code = main({args!r}, io.StringIO(), io.StringIO())
modules = sorted(sys.modules)
import json
print(json.dumps([code, modules]))
"""


def imported_by(*args: str) -> tuple[int, set[str]]:
    """Run ``statusproof ARGS`` in a fresh interpreter; its exit code and imported modules."""
    result = subprocess.run([sys.executable, "-c", _PROBE.format(args=list(args))],
                            capture_output=True, text=True, check=True)
    code, modules = json.loads(result.stdout)
    return code, set(modules)


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.split(".")[0] in ("networkx", "z3")}


def test_help_imports_no_subcommand() -> None:
    code, modules = imported_by("--help")
    assert code == 0
    assert not {m for m in modules if m.startswith("statusproof.cli.")}
    assert not {m for m in modules if m.startswith("statusproof.model")}
    assert not _heavy(modules)


def test_check_without_formal_needs_neither_networkx_nor_z3() -> None:
    code, modules = imported_by("check", "--no-formal")
    assert code == 0
    assert not _heavy(modules)
    assert "statusproof.checks.properties" not in modules


def test_check_imports_only_what_it_runs() -> None:
    code, modules = imported_by("check")
    assert code == 0
    assert "z3" in modules  # the formal checks ask z3; they search the machine without networkx
    assert "networkx" not in modules and "statusproof.checks.properties" not in modules
    loaded = {m.split(".")[1] for m in modules if m.startswith("statusproof.")}
    assert not loaded & {"render", "conformance"}
    assert not {m for m in modules if m.startswith("statusproof.cli.")} - {
        "statusproof.cli.check", "statusproof.cli.common", "statusproof.cli.textout",
        "statusproof.cli.tables", "statusproof.cli.config"}
    # the grammar's tables are data (lark made them at build time); the text table needs
    # only its own loader; a name is suggested only after a mistake; records are not
    # dataclasses (which bring inspect, ast and dis: model/record.py)
    assert not {m for m in modules if m.split(".")[0] in ("lark", "difflib", "html",
                                                          "dataclasses", "inspect")}
    assert not {m for m in modules if m.startswith("statusproof.model.loaders.")} - {
        "statusproof.model.loaders.text"}


def test_check_with_properties_imports_the_property_checker() -> None:
    table = str(FORMAL / "ticket-history.txt")
    code, modules = imported_by("check", table, "--properties",
                                str(FORMAL / "ticket-history.properties"))
    assert code in (0, 1)
    assert {"z3", "networkx", "statusproof.checks.properties"} <= modules


def test_a_command_help_imports_its_module_only() -> None:
    code, modules = imported_by("render", "--help")
    assert code == 0
    commands = {m for m in modules if m.startswith("statusproof.cli.") and
                m.endswith(("_cmd", ".check"))}
    assert commands == {"statusproof.cli.render_cmd"}


def test_the_command_table_says_what_the_modules_say() -> None:
    """The one-line helps of the lazy table are those the modules give their parsers."""
    parser = build_parser(ALL)
    action = next(a for a in parser._actions if a.dest == "command")
    helps = {choice.dest: choice.help for choice in action._choices_actions}
    assert helps == {name: text for name, _, text in COMMANDS}
    for name, module, _ in COMMANDS:
        assert command_module(name).__name__ == f"statusproof.cli.{module}"


def test_an_unknown_command_is_refused_with_the_list() -> None:
    out, err = io.StringIO(), io.StringIO()
    from statusproof.cli import main
    assert main(["chek"], out, err) == 2
    assert "invalid choice: 'chek'" in err.getvalue()
    assert "'check', 'model'" in err.getvalue()


def test_the_property_syntax_of_the_help_is_the_checkers() -> None:
    assert CHECK_SYNTAX == SYNTAX


class _Word(enum.StrEnum):
    OPEN = "open"


class _Count(enum.IntEnum):
    ONE = 1


# values where orjson and the json module differ are in: floats below 1e-4, NaN and infinity,
# integers beyond 64 bits, keys that are not text, lone surrogates, enums, tuples
_TEXT = st.text(st.characters(blacklist_categories=()))  # (surrogates too)
_LEAF = (st.none() | st.booleans() | st.integers() | st.integers(2**62, 2**70)
         | st.floats() | st.sampled_from([1e-05, 1e16, -0.0, 1e-300]) | _TEXT
         | st.sampled_from([_Word.OPEN, _Count.ONE]))
_JSON: Any = st.recursive(
    _LEAF, lambda inner: st.lists(inner) | st.lists(inner).map(tuple)
    | st.dictionaries(_TEXT | st.integers() | st.booleans() | st.none(), inner),
    max_leaves=25)


@settings(max_examples=500)
@given(_JSON)
def test_streamed_json_is_the_same_bytes(data: Any) -> None:
    out = io.StringIO()
    try:
        expected = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    except ValueError:  # (json cannot write a dict whose keys collide once made text)
        return
    write_json(data, out)
    assert out.getvalue() == expected
    assert _dumps(data, fast=True) + "\n" == expected  # orjson where it writes the same


def test_a_long_stream_is_the_same_bytes_with_orjson() -> None:
    """Long lists go through orjson (from the 512th item on), odd items through json."""
    items: list[Any] = [{"code": f"c{i}", "witness": [f"S{i}"], "n": i} for i in range(3_000)]
    items[2_000] = {"delay": 1e-05, "nan": float("nan")}
    items[2_500] = {"big": 2**70, "word": _Word.OPEN}
    out = io.StringIO()
    write_json({"head": 1, "findings": iter(items)}, out)
    assert out.getvalue() == json.dumps({"head": 1, "findings": items}, indent=2,
                                        ensure_ascii=False) + "\n"
    assert "orjson" in sys.modules


def test_plain_findings_take_the_fast_encoder() -> None:
    """The JSON of ``check`` is plain (orjson writes it), so its speed is orjson's."""
    from statusproof.checks.report import check_to_dict
    from statusproof.cli.common import _orjson, _plain
    from statusproof.model import load_model

    model = load_model()
    data = check_to_dict(model, sort_findings(graph_checks(model), {}), False, 100)
    assert _plain(data, _orjson())
    assert not _plain({"x": [1, 1e-05]}, _orjson()) and _plain({"x": [1, 0.5]}, _orjson())
    assert not _plain({1: "a"}, _orjson()) and not _plain([_Word.OPEN], _orjson())


@pytest.mark.parametrize("items", [[], [1], [{"a": [1, 2]}, "x"]])
def test_streamed_json_takes_iterators(items: list[Any]) -> None:
    out = io.StringIO()
    write_json({"head": 1, "findings": iter(items)}, out)
    assert out.getvalue() == json.dumps({"head": 1, "findings": items}, indent=2) + "\n"


# -- the process's exit ---------------------------------------------------------------------------
def test_the_process_exit_keeps_output_codes_and_exit_handlers(tmp_path: Path) -> None:
    """``entry`` leaves without the interpreter's teardown: what it printed (more than a pipe
    holds) arrives whole, the exit codes are main's, and an ``atexit`` handler still runs."""
    table = tmp_path / "ring.txt"
    names = [f"Stage {i}" for i in range(300)]
    table.write_text("Status\tDescription\tPrevious status\tNext status\n" + "".join(
        f"{name}\tStep {i}.\t{names[i - 1]}\t{names[(i + 1) % len(names)]}\n"
        for i, name in enumerate(names)), encoding="utf-8")
    expected = io.StringIO()
    code = main(["check", str(table), "--format", "json", "--severity", "info"], expected,
                io.StringIO())
    assert len(expected.getvalue()) > 200_000  # more than a pipe's buffer
    result = subprocess.run([sys.executable, "-m", "statusproof", "check", str(table),
                             "--format", "json", "--severity", "info"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == code
    assert result.stdout == expected.getvalue()
    missing = subprocess.run([sys.executable, "-m", "statusproof", "check",
                              str(tmp_path / "none.txt")], capture_output=True, text=True,
                             check=False)
    assert missing.returncode == 2 and "none.txt" in missing.stderr
    marker = tmp_path / "handler-ran"
    probe = ("import atexit, pathlib, sys\n"
             f"atexit.register(pathlib.Path({str(marker)!r}).write_text, 'yes')\n"
             "sys.argv = ['statusproof', '--version']\n"
             "from statusproof.cli import entry\n"
             "entry()\n")
    ran = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=False)
    assert ran.returncode == 0 and ran.stdout.strip()
    assert marker.read_text() == "yes"
