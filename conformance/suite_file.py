"""A suite read from a JSON Lines file, checked against the model before anything runs.

``conform --suite FILE`` runs tests somebody else wrote or exported, perhaps from another
version of the table. :func:`load_suite_files` reads every line (streamed, never the whole file
at once) and replays it on the model: the start must be an entry point of the model with
settings the model accepts, every ``go`` must name a status of the model, and every expected
answer (and the ``refused``, ``remembered``, ``cause`` and ``clock`` a line states) must be
what the model gives. Each mismatch is an error in the suite, reported with its line
(:class:`~statusproof.conformance.export.SuiteFileError`, exit code 2), so that no failure is
ever blamed on an implementation for an expectation the model does not share. The tests that
run are then rebuilt from the model, file line by file line, so their steps carry the model's
real states: explanations and shrinking use them. Parsing one record is
:mod:`.export`'s job.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from statusproof.model.errors import InputProblem, StatusproofError
from statusproof.model.machine import initial_states
from statusproof.model.model import Model

from .cases import Streamed, Suite, TestCase, case_from_inputs
from .explain import explain_answer
from .export import SuiteFileError, case_from_dict
from .machine import Configuration, Machine, MachineError, Start, default_configurations

__all__ = ["load_suite_files"]

_FIX = "regenerate the suite with statusproof traces, or correct the line"


def _records(path: Path) -> Iterator[tuple[int, Any | None, str]]:
    """(line number, parsed JSON or None, problem) for every non-blank line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as e:
        raise StatusproofError(f"{path}: cannot read the suite file: {e.strerror}") from e
    with handle:
        try:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    yield number, json.loads(line), ""
                except (ValueError, RecursionError) as e:
                    reason = e.msg if isinstance(e, json.JSONDecodeError) else str(e)[:80]
                    yield number, None, (f"not JSON ({reason}); write one JSON object per "
                                         "line")
        except UnicodeDecodeError as e:
            raise StatusproofError(f"{path}: not UTF-8 text ({e.reason}); save the suite "
                                   "as UTF-8") from e


def _settings_of(case: TestCase) -> tuple[tuple[str, int | None], ...]:
    return tuple(sorted(case.start.configuration.settings))


class _Reader:
    """Reads suite files against one model, collecting the configurations they use."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.configurations = list(default_configurations(model))
        self.by_settings = {tuple(sorted(c.settings)): c for c in self.configurations}
        self.entries = {(s.status, s.cause) for s in initial_states(model)}
        self.statuses = set(model.names)

    def configuration(self, case: TestCase) -> Configuration:
        """The model configuration with the test's settings (a new one is checked)."""
        key = _settings_of(case)
        found = self.by_settings.get(key)
        if found is not None:
            return found
        given = case.start.configuration
        names = {c.name for c in self.configurations}
        name = given.name if given.name not in names else f"{given.name}-{len(names) + 1}"
        config = Configuration(name, tuple(given.settings))
        Machine(self.model, [config])  # raises MachineError with what is wrong
        self.configurations.append(config)
        self.by_settings[key] = config
        return config

    def parse(self, data: Any) -> tuple[TestCase, Start]:
        """The test of a record and its start in the model (ValueError: what is wrong)."""
        _, case = case_from_dict(data)
        state = case.start.state
        if (state.status, state.cause) not in self.entries:
            entries = ", ".join(sorted({s for s, _ in self.entries}))
            raise ValueError(f"test {case.name}: {state.status!r}"
                             + (f" with cause {state.cause!r}" if state.cause else "")
                             + f" is not an entry point of the model; entry points: {entries}")
        for number, step in enumerate(case.steps, 1):
            if step.input.kind == "go" and step.input.status not in self.statuses:
                raise ValueError(f"test {case.name}, step {number} ({step.input}): "
                                 f"{step.input.status!r} is not a status of the model")
        try:
            config = self.configuration(case)
        except MachineError as e:
            raise ValueError(f"test {case.name}: {e}") from None
        return case, Start(state, config)


def _check(machine: Machine, case: TestCase, start: Start, raw: Sequence[Any]) -> str:
    """The first disagreement between the test's expectations and the model, or ""."""
    q = machine.start_state(start)
    for number, (step, record) in enumerate(zip(case.steps, raw, strict=True), 1):
        outcome = machine.apply(q, step.input)
        said: list[tuple[str, object, object]] = [("answer", step.expected, outcome.status)]
        if "refused" in record:
            said.append(("refused", bool(record["refused"]), outcome.refused))
        if "remembered" in record:
            said.append(("remembered", record["remembered"], outcome.state.state.remembered))
        if "cause" in record:
            said.append(("cause", record["cause"], outcome.state.state.cause))
        if "clock" in record:
            said.append(("clock", record["clock"], outcome.state.clock))
        for what, expected, model in said:
            if expected != model:
                why = explain_answer(machine, q, step.input, str(expected))
                return (f"test {case.name}, step {number} ({step.input}): the {what} "
                        f"expected is {expected!r}, but the model's is {model!r} ({why})")
        q = outcome.state
    return ""


def load_suite_files(model: Model, paths: Sequence[str | Path], long_waits: int = 1
                     ) -> tuple[Machine, list[Suite]]:
    """The machine the suites run on and the suites (streamed from their files).

    Every line of every file is checked first; any problem raises SuiteFileError listing
    all of them (file:line: what is wrong; how to fix it)."""
    reader = _Reader(model)
    problems: list[InputProblem] = []
    counted: list[tuple[Path, int, int]] = []
    parsed: list[tuple[Path, int, TestCase, Start, Sequence[Any]]] = []
    for given in paths:
        path = Path(given)
        size = steps = 0
        for number, data, problem in _records(path):
            if problem:
                problems.append(InputProblem(str(path), number, problem))
                continue
            try:
                case, start = reader.parse(data)
            except ValueError as e:
                problems.append(InputProblem(str(path), number, f"{e}; {_FIX}"))
                continue
            size += 1
            steps += len(case.steps)
            assert isinstance(data, dict)  # case_from_dict checked it
            parsed.append((path, number, case, start, data["steps"]))
            if len(parsed) > 2000:
                _flush(parsed, reader, problems)
        counted.append((path, size, steps))
    _flush(parsed, reader, problems)
    if problems:
        raise SuiteFileError(problems)
    machine = Machine(model, reader.configurations, long_waits)
    suites = [Suite(path.stem, f"read from {path}; every expected answer checked against the "
                    "model", model.path, Streamed(_maker(reader, machine, path), size, steps))
              for path, size, steps in counted]
    return machine, suites


def _flush(parsed: list[tuple[Path, int, TestCase, Start, Sequence[Any]]], reader: _Reader,
           problems: list[InputProblem]) -> Machine:
    """Check the parsed tests on a machine with every configuration seen so far."""
    machine = Machine(reader.model, reader.configurations)
    for path, number, case, start, raw in parsed:
        problem = _check(machine, case, start, raw)
        if problem:
            problems.append(InputProblem(str(path), number, f"{problem}; {_FIX}"))
    parsed.clear()
    return machine


def _maker(reader: _Reader, machine: Machine, path: Path) -> Any:
    def make() -> Iterator[TestCase]:
        for _, data, _ in _records(path):
            case, start = reader.parse(data)
            yield case_from_inputs(machine, case.name, start, case.inputs)
    return make
