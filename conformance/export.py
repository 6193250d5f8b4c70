"""Export suites: JSON Lines, ITF traces, and a pytest module; read JSON Lines back.

- JSON Lines (:func:`write_jsonl`): one test per line, ``{"suite", "test", "table",
  "start": {"entry", "cause", "configuration", "settings"}, "steps": [{"input", "expect",
  ...}]}``. :func:`read_jsonl` reads it back (every malformed line is reported with its line
  number; none is skipped).
- ITF (:func:`itf_trace`): the Informal Trace Format of Apalache and Quint, one
  ``.itf.json`` file per test. State 0 is the reset; each further state is one input and the
  model's state after it. Variables: ``input`` (a tagged union ``Reset``/``Go``/``Wait``),
  ``status``, ``remembered`` and ``cause`` (strings, ``""`` for none), ``clock`` (seconds in
  the status) and ``refused``. Integers are written ``{"#bigint": "N"}``; the reset's
  settings are a map from setting name to ``After {seconds}`` or ``Never``.
- pytest (:func:`pytest_module`): a test module that runs each test of a JSON Lines file
  against an adapter named by ``STATUSPROOF_ADAPTER``.

Output is deterministic: keys in a fixed order, no timestamps, no absolute paths. Running
the tests is :mod:`statusproof.conformance.runner`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from statusproof.model.errors import InputProblem, StatusproofError, TableFormatError
from statusproof.model.machine import State
from statusproof.output import open_in_folder

from .cases import Step, Suite, TestCase
from .machine import Configuration, Input, Start

__all__ = ["case_to_dict", "case_from_dict", "write_jsonl", "jsonl_lines", "read_jsonl",
           "itf_trace",
           "pytest_module", "ITF_FORMAT", "SuiteFileError", "export_suites", "FORMATS"]

ITF_FORMAT = "https://apalache-mc.org/docs/adr/015adr-trace.html"
FORMATS = ("jsonl", "itf", "pytest")


class SuiteFileError(TableFormatError):
    """A JSON Lines suite file has malformed lines (every one is listed)."""


def input_to_dict(item: Input) -> dict[str, Any]:
    if item.kind == "wait":
        return {"op": "wait", "seconds": item.seconds}
    return {"op": "go", "status": item.status, "cause": item.cause}


def start_to_dict(start: Start) -> dict[str, Any]:
    return {"entry": start.state.status, "cause": start.state.cause,
            "configuration": start.configuration.name,
            "settings": dict(start.configuration.settings)}


def case_to_dict(case: TestCase, suite: str, table: str) -> dict[str, Any]:
    """One JSON Lines record."""
    steps = []
    for step in case.steps:
        record: dict[str, Any] = {"input": input_to_dict(step.input), "expect": step.expected}
        if step.refused:
            record["refused"] = True
        if step.state is not None:
            record["remembered"] = step.state.state.remembered
            record["cause"] = step.state.state.cause
            record["clock"] = step.state.clock
        lines = [t.line for t in step.transitions if t.line is not None]
        if lines:
            record["lines"] = lines
        if step.timers:
            record["timers"] = list(step.timers)
        steps.append(record)
    return {"suite": suite, "test": case.name, "table": table,
            "start": start_to_dict(case.start), "steps": steps}


def jsonl_lines(suite: Suite) -> Iterator[str]:
    """The suite as JSON Lines, one test per line, made as the tests are."""
    for case in suite.tests:
        yield json.dumps(case_to_dict(case, suite.name, suite.table), ensure_ascii=False) + "\n"


def write_jsonl(suite: Suite) -> str:
    """The suite as JSON Lines text, one test per line."""
    return "".join(jsonl_lines(suite))


def _text(value: Any, what: str, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise ValueError(f"{what} must be a non-empty string" + (" or null" if optional else ""))
    return value


def _input_from(data: Any) -> Input:
    if not isinstance(data, dict):
        raise ValueError("an input must be an object with 'op'")
    op = data.get("op")
    if op == "go":
        status = _text(data.get("status"), "a go input's 'status'")
        assert status is not None
        return Input.go(status, _text(data.get("cause"), "'cause'", optional=True))
    if op == "wait":
        seconds = data.get("seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError("a wait input's 'seconds' must be a whole number >= 0")
        return Input.wait(seconds)
    raise ValueError(f"unknown input op {op!r}; use 'go' or 'wait'")


def case_from_dict(data: Any) -> tuple[str, TestCase]:
    """A JSON Lines record back as (suite name, test); ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    name = _text(data.get("test"), "'test'")
    suite = _text(data.get("suite"), "'suite'")
    start = data.get("start")
    if not isinstance(start, dict):
        raise ValueError("'start' must be an object with 'entry'")
    entry = _text(start.get("entry"), "'start.entry'")
    settings = start.get("settings", {})
    if not isinstance(settings, dict) or not all(
            v is None or (isinstance(v, int) and not isinstance(v, bool))
            for v in settings.values()):
        raise ValueError("'start.settings' must map names to seconds or null")
    configuration = Configuration(str(start.get("configuration") or "given"),
                                  tuple(settings.items()))
    assert entry is not None and name is not None and suite is not None
    begin = Start(State(entry, None, _text(start.get("cause"), "'start.cause'", True)),
                  configuration)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        raise ValueError("'steps' must be a list")
    steps = []
    for number, raw in enumerate(raw_steps, 1):
        if not isinstance(raw, dict):
            raise ValueError(f"step {number} must be an object with 'input' and 'expect'")
        try:
            item = _input_from(raw.get("input"))
            expect = _text(raw.get("expect"), "'expect'")
        except ValueError as e:
            raise ValueError(f"step {number}: {e}") from None
        assert expect is not None
        steps.append(Step(item, expect, refused=bool(raw.get("refused", False))))
    return suite, TestCase(name, begin, tuple(steps))


def read_jsonl(path: str | Path) -> list[TestCase]:
    """The tests of a JSON Lines suite file; every malformed line is reported."""
    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise StatusproofError(f"{where}: cannot read the suite file: {e.strerror}") from e
    cases: list[TestCase] = []
    problems: list[InputProblem] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            _, case = case_from_dict(json.loads(line))
        except json.JSONDecodeError as e:
            problems.append(InputProblem(where, number, f"not JSON ({e.msg}); write one "
                                         "JSON object per line"))
            continue
        except ValueError as e:
            problems.append(InputProblem(where, number, f"{e}; see docs/conformance.md for "
                                         "the record format"))
            continue
        cases.append(case)
    if problems:
        raise SuiteFileError(problems)
    return cases


def _bigint(value: int) -> dict[str, str]:
    return {"#bigint": str(value)}


def _itf_input(item: Input | None, start: Start) -> dict[str, Any]:
    if item is None:
        return {"tag": "Reset", "value": {
            "entry": start.state.status, "cause": start.state.cause or "",
            "configuration": start.configuration.name,
            "settings": {"#map": [[key, {"tag": "Never", "value": "U_OF_UNIT"}
                                   if seconds is None else
                                   {"tag": "After", "value": {"seconds": _bigint(seconds)}}]
                                  for key, seconds in start.configuration.settings]}}}
    if item.kind == "wait":
        return {"tag": "Wait", "value": {"seconds": _bigint(item.seconds or 0)}}
    return {"tag": "Go", "value": {"status": item.status, "cause": item.cause or ""}}


def itf_trace(case: TestCase, suite: Suite) -> dict[str, Any]:
    """One test as an ITF trace (a JSON-ready dict)."""
    states: list[dict[str, Any]] = [{
        "#meta": {"index": 0}, "input": _itf_input(None, case.start),
        "status": case.start.state.status, "remembered": "",
        "cause": case.start.state.cause or "", "clock": _bigint(0), "refused": False}]
    for index, step in enumerate(case.steps, 1):
        model_state = step.state
        states.append({
            "#meta": {"index": index}, "input": _itf_input(step.input, case.start),
            "status": step.expected,
            "remembered": (model_state.state.remembered or "") if model_state else "",
            "cause": (model_state.state.cause or "") if model_state else "",
            "clock": _bigint(model_state.clock if model_state else 0),
            "refused": step.refused})
    return {
        "#meta": {"format": "ITF", "format-description": ITF_FORMAT,
                  "source": suite.table, "description": f"statusproof {suite.name} suite, "
                  f"test {case.name}", "suite": suite.name, "test": case.name,
                  "configuration": case.start.configuration.name},
        "vars": ["input", "status", "remembered", "cause", "clock", "refused"],
        "states": states,
    }


def pytest_module(suite: Suite, data_file: str, adapter: str | None = None,
                  timeout: float = 5.0) -> str:
    """A pytest module running the tests of ``data_file`` (JSON Lines, beside it)."""
    default = repr(adapter or "")
    return f'''"""Conformance suite {suite.name!r} for {suite.table}.

Generated by statusproof traces.

{suite.size} tests, {suite.length} steps (inputs plus resets). Each test resets the
implementation and checks its answer to every input; see docs/conformance.md.

Run against an implementation:

    STATUSPROOF_ADAPTER='python:MODULE:FACTORY' pytest {Path(data_file).stem}_test.py
    STATUSPROOF_ADAPTER="exec:'COMMAND'" pytest {Path(data_file).stem}_test.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.export import read_jsonl
from statusproof.conformance.runner import run_case

CASES = read_jsonl(Path(__file__).with_name({data_file!r}))
ADAPTER = os.environ.get("STATUSPROOF_ADAPTER", {default})
TIMEOUT = float(os.environ.get("STATUSPROOF_TIMEOUT", "{timeout}"))
MAPPING = os.environ.get("STATUSPROOF_MAPPING")  # for statemachine: and transitions:


@pytest.fixture(scope="module")
def adapter():
    if not ADAPTER:
        pytest.fail("set STATUSPROOF_ADAPTER to python:MODULE:FACTORY or exec:'COMMAND'")
    implementation = open_adapter(ADAPTER, TIMEOUT, MAPPING)
    yield implementation
    implementation.close()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_conformance(adapter, case):
    result = run_case(adapter, case)
    assert result.passed, result.explain()
'''


def _counted(lines: Iterable[str], suite: Suite,
             progress: Callable[[Suite, int], None] | None) -> Iterator[str]:
    """``lines`` as they are, telling ``progress`` after each (one line: one test)."""
    for done, line in enumerate(lines, 1):
        yield line
        if progress is not None:
            progress(suite, done)


def export_suites(suites: Sequence[Suite], directory: Path, fmt: str,
                  adapter: str | None = None,
                  progress: Callable[[Suite, int], None] | None = None) -> list[Path]:
    """Write ``suites`` under ``directory`` in ``fmt``; returns the files written, sorted.

    ``progress(suite, n)`` is called after the n-th test of ``suite`` was written."""
    if fmt not in FORMATS:
        raise StatusproofError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    written: list[Path] = []

    def write(name: str, text: str) -> None:
        write_lines(name, [text])

    def write_lines(name: str, lines: Iterable[str]) -> None:
        # atomic, and never through a symbolic link out of the folder (statusproof.output)
        with open_in_folder(directory, name) as handle:
            for line in lines:
                handle.write(line)
        written.append(directory / name)

    for suite in suites:
        if fmt in ("jsonl", "pytest"):
            write_lines(f"{suite.name}.jsonl", _counted(jsonl_lines(suite), suite, progress))
        if fmt == "pytest":
            write(f"{suite.name}_test.py",
                  pytest_module(suite, f"{suite.name}.jsonl", adapter))
        if fmt == "itf":
            for done, case in enumerate(suite.tests, 1):
                write(f"{suite.name}/{case.name}.itf.json",
                      json.dumps(itf_trace(case, suite), indent=1, ensure_ascii=False) + "\n")
                if progress is not None:
                    progress(suite, done)
    return sorted(written)
