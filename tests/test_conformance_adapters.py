"""Tests of the adapters with real processes and real threads: every misbehaviour gets a clear
verdict within the time limit, never a hang, and the next test runs on a fresh process.

The misbehaving implementations are tests/mutants/misbehaving.py (a process speaking the
JSON-lines protocol with one fault at a chosen request) and its in-process classes.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from statusproof.conformance.adapters import (
    AdapterError,
    ExecAdapter,
    Verdict,
    open_adapter,
)
from statusproof.conformance.cases import TestCase, case_from_inputs
from statusproof.conformance.machine import Input, Machine
from statusproof.conformance.runner import STOP_AFTER, run_case, run_suite
from statusproof.model import load_model

TESTS = Path(__file__).resolve().parent
MISBEHAVING = TESTS / "mutants" / "misbehaving.py"
REFERENCE = TESTS.parent / "examples" / "rescue_reference.py"
LIMIT = 0.5  # seconds per answer in these tests
SLACK = 3.0  # what a verdict may take beyond the limit (process start, kill, wait)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def machine() -> Machine:
    return Machine(load_model())


@pytest.fixture(scope="module")
def case(machine: Machine) -> TestCase:
    start = machine.starts()[0]
    return case_from_inputs(machine, "probe", start, [
        Input.go("Waiting"), Input.go("Reconnecting"), Input.wait(299), Input.wait(1),
        Input.go("Waiting")])


def exec_spec(mode: str, marker: Path | None = None) -> str:
    extra = f" {marker}" if marker else ""
    return f"exec:{sys.executable} {MISBEHAVING} {mode}{extra}"


@pytest.mark.parametrize(("mode", "verdict", "step", "message"), [
    ("hang:3", Verdict.TIMEOUT, 2, r"no answer to go Reconnecting within 0\.5s"),
    ("crash:3", Verdict.CRASH, 2, r"the process exited with code 3 before answering go "
                                  r"Reconnecting; stderr: misbehaving: giving up on purpose"),
    ("garbage:2", Verdict.GARBAGE, 1, r"the answer to go Waiting is not JSON: "
                                      r"'I think the session is probably Active'"),
    ("chatty:2", Verdict.EXTRA, 1, r"(a second answer to request 2 came instead of the answer "
                                   r"to go Reconnecting|a second answer to go Waiting)"),
    ("partial:4", Verdict.TIMEOUT, 3, r"no answer to wait 299s within 0\.5s \(it printed "
                                      r"b'\{\"id\": ' without a newline\)"),
    ("wrongid:2", Verdict.GARBAGE, 1, r"the answer to go Waiting \(request 2\) carries id 7"),
    ("error:5", Verdict.ERROR, 4, r"reported an error for wait 1s: database unavailable"),
    ("huge:2", Verdict.GARBAGE, 1, r"the answer to go Waiting is a line longer than 65536"),
    ("deaf", Verdict.TIMEOUT, 0, r"no answer to reset to Connecting within 0\.5s"),
    ("bigid:2", Verdict.GARBAGE, 1, r"the answer to go Waiting is not JSON: '\{\"id\": 7777"),
    ("deep:2", Verdict.GARBAGE, 1, r"the answer to go Waiting is nested too deeply: "
                                   r"'\[\[\[\["),
    ("floatid:2", Verdict.GARBAGE, 1, r"the answer to go Waiting \(request 2\) carries id "
                                      r"2\.0"),
    ("nan:2", Verdict.GARBAGE, 1, r"the answer to go Waiting \(request 2\) carries id NaN"),
    ("badutf8:2", Verdict.GARBAGE, 1, r"the answer to go Waiting is not JSON"),
])
def test_exec_misbehaviour_gets_a_clear_verdict_in_time(
        case: TestCase, mode: str, verdict: Verdict, step: int, message: str) -> None:
    adapter = ExecAdapter(exec_spec(mode), f"{sys.executable} {MISBEHAVING} {mode}", LIMIT)
    adapter._fresh = False  # the first answer gets no start-up allowance here
    began = time.monotonic()
    result = run_case(adapter, case)
    elapsed = time.monotonic() - began
    adapter.close()
    assert result.verdict is verdict, result.explain()
    assert result.step == step
    assert result.message and __import__("re").search(message, result.message), result.message
    assert elapsed < LIMIT + SLACK


def test_exec_restarts_after_a_fault_and_the_next_test_passes(case: TestCase,
                                                              tmp_path: Path) -> None:
    marker = tmp_path / "faulted"
    spec = exec_spec("crash:2", marker)
    with open_adapter(spec, LIMIT) as adapter:
        first = run_case(adapter, case)
        second = run_case(adapter, case)
    assert first.verdict is Verdict.CRASH and marker.exists()
    assert second.passed, second.explain()


def test_exec_a_wrong_answer_keeps_the_process_in_step(machine: Machine, case: TestCase) -> None:
    wrong = TestCase("wrong", case.start, (case.steps[0].__class__(
        Input.go("Waiting"), "Active"), *case.steps[1:]))
    with open_adapter(f"exec:{sys.executable} {REFERENCE}", LIMIT) as adapter:
        failed = run_case(adapter, wrong)
        passed = run_case(adapter, case)
    assert failed.verdict is Verdict.FAIL and failed.step == 1
    assert failed.message == "go Waiting: expected 'Active', answered 'Waiting'"
    assert passed.passed, passed.explain()


def test_exec_output_after_the_last_answer_is_reported(case: TestCase) -> None:
    adapter = open_adapter(exec_spec("trailing"), LIMIT)
    assert run_case(adapter, case).passed
    fault = adapter.finish()
    assert fault is not None and fault.verdict is Verdict.EXTRA
    assert "1 line(s) after the last answer" in fault.message


def test_exec_slow_but_in_time_passes(case: TestCase) -> None:
    with open_adapter(exec_spec("slow"), 1.0) as adapter:
        result = run_case(adapter, case)
    assert result.passed, result.explain()


def test_a_run_stops_when_the_implementation_cannot_even_be_reset(machine: Machine) -> None:
    from statusproof.conformance.generate import generate
    suite = generate(machine.model, ["boundaries"])[0]
    began = time.monotonic()
    with open_adapter(f"exec:{sys.executable} -c 'import sys; sys.exit(4)'", LIMIT) as adapter:
        result = run_suite(adapter, suite)
    assert result.run == len(result.failures) == STOP_AFTER
    assert result.not_run == suite.size - STOP_AFTER
    assert result.stopped.startswith(f"stopped: {STOP_AFTER} tests in a row failed at the "
                                     "reset (crash)")
    assert all("exited with code 4" in r.message for r in result.failures)
    assert time.monotonic() - began < 10


@pytest.mark.parametrize(("spec", "message"), [
    ("exec:", r"give a command after exec:"),
    ("exec:no-such-program-here --flag", r"cannot start 'no-such-program-here'"),
    ("exec:'unterminated", r"cannot split the command"),
    ("python:nomodule", r"write python:MODULE:FACTORY"),
    ("python:no_such_module_xyz:make", r"importing no_such_module_xyz failed: "
                                       r"ModuleNotFoundError"),
    (f"python:{REFERENCE}:Nothing", r"has no callable 'Nothing'"),
    ("python:missing/file.py:make", r"no file missing/file.py"),
    ("ruby:thing", r"use python:MODULE:FACTORY, exec:'COMMAND', statemachine:"),
])
def test_unusable_adapter_specs_are_input_errors(spec: str, message: str) -> None:
    with pytest.raises(AdapterError, match=message):
        open_adapter(spec, 1.0)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(AdapterError, match="more than 0 seconds"):
        open_adapter(f"python:{REFERENCE}:RescueSession", 0)


@pytest.mark.parametrize(("factory", "verdict", "step", "message"), [
    ("Hangs", Verdict.TIMEOUT, 2, r"go\('Reconnecting'\) did not return within 0\.5s"),
    ("Raises", Verdict.CRASH, 3, r"wait\(299\) raised RuntimeError: no clock here \(299s\)"),
    ("AnswersNumbers", Verdict.GARBAGE, 1, r"go\('Waiting'\) returned 42 \(int\), not a "
                                           r"status name"),
])
def test_python_misbehaviour_gets_a_clear_verdict_in_time(
        case: TestCase, factory: str, verdict: Verdict, step: int, message: str) -> None:
    began = time.monotonic()
    with open_adapter(f"python:{MISBEHAVING}:{factory}", LIMIT) as adapter:
        result = run_case(adapter, case)
        assert result.verdict is verdict, result.explain()
        assert result.step == step
        assert __import__("re").search(message, result.message), result.message
        if factory != "Hangs":
            return
        # a fresh object for the next test, although the hung call never returned
        again = run_case(adapter, case)
    assert again.passed, again.explain()
    assert time.monotonic() - began < 2 * LIMIT + SLACK


def _alive(pids: list[int]) -> list[int]:
    import psutil
    left = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                left.append(pid)
        except psutil.NoSuchProcess:
            continue
    return left


@pytest.mark.parametrize(("mode", "verdict"), [("forkhang:2", Verdict.TIMEOUT),
                                               ("daemon:2", Verdict.TIMEOUT)])
def test_no_process_of_the_implementation_outlives_its_verdict(
        case: TestCase, tmp_path: Path, mode: str, verdict: Verdict) -> None:
    """The implementation forks a child that calls setsid() (``daemon``: through a parent
    that exits, so the child is an orphan, holding stdout open) and hangs; after the verdict
    none is left."""
    marker = tmp_path / "marker"
    with open_adapter(exec_spec(mode, marker), LIMIT) as adapter:
        result = run_case(adapter, case)
        pids = [int(p) for p in (tmp_path / "marker.pids").read_text().split()]
        assert result.verdict is verdict, result.explain()
        assert pids and _alive(pids) == []


def test_a_wrong_last_answer_keeps_the_process_and_waits_for_nothing(
        machine: Machine, case: TestCase) -> None:
    """A wrong answer to a test's last input: every answer is in, so the process is kept
    (no restart) and the next test runs on it."""
    last = case.steps[-1]
    wrong = TestCase("wrong-last", case.start,
                     (*case.steps[:-1], last.__class__(last.input, "Active")))
    with open_adapter(f"exec:{sys.executable} {REFERENCE}", 30.0) as adapter:
        assert isinstance(adapter, ExecAdapter)
        failed = run_case(adapter, wrong)
        passed = run_case(adapter, case)
        assert adapter.starts == 1
    assert failed.verdict is Verdict.FAIL and failed.step == len(case.steps)
    assert passed.passed, passed.explain()


def test_an_error_answer_keeps_the_process_in_step(case: TestCase) -> None:
    with open_adapter(exec_spec("error:3"), LIMIT) as adapter:
        assert isinstance(adapter, ExecAdapter)
        first = run_case(adapter, case)
        second = run_case(adapter, case)
        assert adapter.starts == 1
    assert first.verdict is Verdict.ERROR and first.step == 2
    assert second.passed, second.explain()


@pytest.mark.parametrize("mode", ["hang:40", "crash:40", "garbage:40", "error:40"])
def test_a_fault_among_tests_sent_ahead_costs_one_test(machine: Machine, tmp_path: Path,
                                                       mode: str) -> None:
    """The requests of several tests go out ahead; a fault in one of them ends the process
    (except an error answer), the tests planned on it are sent again to the next one, and
    only the faulty test fails."""
    from statusproof.conformance.generate import generate
    suite = generate(machine.model, ["boundaries"])[0]
    with open_adapter(exec_spec(mode, tmp_path / "marker"), LIMIT) as adapter:
        result = run_suite(adapter, suite)
        assert isinstance(adapter, ExecAdapter)
        assert adapter.starts == (1 if mode.startswith("error") else 2)
    assert result.run == suite.size and result.failed == 1, result.failures
    assert result.failures[0].verdict.value == mode.split(":")[0].replace("hang", "timeout")
