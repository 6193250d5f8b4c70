"""Run suites against an implementation, shrink a failure, and write it as a replayable script.

:func:`run_case` runs one test through an :class:`~statusproof.conformance.adapters.Adapter`:
reset, then each input, comparing every answer with the model's. :func:`run_suites` runs
whole suites (stopping early, with a clear note, when an implementation cannot even be reset
several times in a row). :func:`shrink` takes a failing test and looks for a shorter one that
fails the same way: the failing step with a shortest way to the state before it, then deleting
inputs while the failure remains (the model recomputes the expected answers of every candidate,
so any input sequence is a valid test). :func:`replay_script` prints the result as a short
Python script (:class:`Replay`) that reproduces the failure. Report formats are
:mod:`statusproof.conformance.report`'s job.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TextIO

from statusproof.model.machine import State

from .adapters import Adapter, AdapterFault, Verdict, open_adapter
from .cases import Suite, TestCase, case_from_inputs
from .fsm import Explicit
from .machine import Configuration, Input, Machine, MachineState, Start, Symbol

__all__ = ["CaseResult", "SuiteResult", "RunResult", "Shrunk", "run_case", "run_suites",
           "shrink", "replay_script", "Replay", "STOP_AFTER"]

#: Stop a run after this many tests in a row fail at the reset itself (crash or timeout).
STOP_AFTER = 3


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test. ``step`` is where it went wrong: 0 the reset, k the k-th
    input; ``answers`` are the statuses answered up to there."""

    case: TestCase
    verdict: Verdict
    step: int | None = None
    expected: str | None = None
    actual: str | None = None
    message: str = ""
    answers: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def explain(self) -> str:
        """One paragraph: what failed where, and the test up to there."""
        if self.passed:
            return f"{self.case.name}: pass"
        where = "the reset" if self.step == 0 else f"step {self.step}"
        lines = [f"{self.case.name}: {self.verdict.value} at {where}: {self.message}",
                 f"  {self.case.start}"]
        for number, step in enumerate(self.case.steps[: self.step or 0], 1):
            answer = self.answers[number] if number < len(self.answers) else "?"
            mark = "" if answer == step.expected else f"   <-- answered {answer!r}"
            lines.append(f"  {number:>3}. {step.input} -> expect {step.expected!r}{mark}")
        return "\n".join(lines)


@dataclass(frozen=True)
class SuiteResult:
    suite: Suite
    results: tuple[CaseResult, ...]
    not_run: int = 0
    stopped: str = ""

    @property
    def failures(self) -> tuple[CaseResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def passed(self) -> bool:
        return not self.failures and not self.not_run

    def counts(self) -> dict[str, int]:
        found = {v.value: 0 for v in Verdict}
        for result in self.results:
            found[result.verdict.value] += 1
        return found


@dataclass(frozen=True)
class Shrunk:
    """A failure made as short as the shrinker could: ``result`` is the shorter test's."""

    original: CaseResult
    result: CaseResult
    suite: str
    attempts: int


@dataclass(frozen=True)
class RunResult:
    adapter: str
    table: str
    suites: tuple[SuiteResult, ...]
    shrunk: Shrunk | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.suites) and not self.problems


def _message(step_number: int, case: TestCase, actual: str) -> str:
    step = case.steps[step_number - 1]
    before = case.steps[step_number - 2].expected if step_number > 1 else \
        case.start.state.status
    text = f"{step.input}: expected {step.expected!r}, answered {actual!r}"
    if step.refused:
        return text + f" (the model refuses this step in {before!r})"
    if step.input.kind == "go" and actual == before:
        return text + " (the model allows this step; the implementation refused it)"
    if step.input.kind == "wait":
        if step.timers:
            return text + f" ({'; '.join(step.timers)} in the model)"
        if step.note:
            return text + f" (in the model no timer fires yet: {step.note})"
        return text + " (no timer runs in the model)"
    return text


def run_case(adapter: Adapter, case: TestCase) -> CaseResult:
    """Run one test; the adapter is recovered after a fault."""
    answers: list[str] = []
    expected = [case.start.state.status, *(s.expected for s in case.steps)]
    answering = adapter.exchange(case.start, case.inputs)
    number = 0
    try:
        for number, status in enumerate(answering):
            answers.append(status)
            if status != expected[number]:
                answering.close()
                adapter.settle()
                if number == 0:
                    return CaseResult(case, Verdict.FAIL, 0, expected[0], status,
                                      f"reset to {expected[0]!r} answered {status!r}",
                                      tuple(answers))
                return CaseResult(case, Verdict.FAIL, number, expected[number], status,
                                  _message(number, case, status), tuple(answers))
    except AdapterFault as fault:
        adapter.recover()
        number = max(0, len(answers) - fault.earlier)
        return CaseResult(case, fault.verdict, number, expected[number], None, fault.message,
                          tuple(answers[:number]))
    return CaseResult(case, Verdict.PASS)  # the answers were as expected: not kept


def run_suite(adapter: Adapter, suite: Suite,
              progress: Callable[[int], None] | None = None) -> SuiteResult:
    results: list[CaseResult] = []
    in_a_row = 0
    for number, case in enumerate(suite.tests):
        result = run_case(adapter, case)
        results.append(result)
        if progress is not None:
            progress(number)
        if result.step == 0 and result.verdict in (Verdict.CRASH, Verdict.TIMEOUT,
                                                   Verdict.GARBAGE):
            in_a_row += 1
            if in_a_row >= STOP_AFTER:
                left = len(suite.tests) - len(results)
                return SuiteResult(suite, tuple(results), left, (
                    f"stopped: {STOP_AFTER} tests in a row failed at the reset "
                    f"({result.verdict.value}); {left} test(s) not run"))
        else:
            in_a_row = 0
    return SuiteResult(suite, tuple(results))


def run_suites(adapter: Adapter, suites: Sequence[Suite], explicit: Explicit | None = None,
               shrink_failure: bool = True) -> RunResult:
    """Run every suite; shrink the shortest failure when a model is at hand."""
    results = []
    for suite in suites:
        results.append(run_suite(adapter, suite))
        if results[-1].stopped:
            break
    problems = []
    fault = adapter.finish()
    if fault is not None:
        problems.append(f"{fault.verdict.value}: {fault.message}")
    failures = [(s.suite.name, f) for s in results for f in s.failures]
    shrunk = None
    if failures and explicit is not None and shrink_failure:
        name, first = min(failures, key=lambda item: (len(item[1].case.steps), item[0]))
        shrunk = shrink(adapter, explicit, first, name)
        extra = adapter.finish()
        if extra is not None:
            problems.append(f"{extra.verdict.value}: {extra.message}")
    table = suites[0].table if suites else ""
    return RunResult(adapter.spec, table, tuple(results), shrunk, tuple(problems))


def _same_failure(result: CaseResult, original: CaseResult) -> bool:
    return result.verdict is original.verdict


def shrink(adapter: Adapter, explicit: Explicit, failure: CaseResult, suite: str = "",
           budget: int = 200) -> Shrunk:
    """A shorter test failing like ``failure`` (1-minimal: no single input can go)."""
    machine: Machine = explicit.machine
    case = failure.case
    attempts = 0
    best = failure
    cut = failure.step or 0
    inputs = list(case.inputs[:cut])

    def attempt(candidate: list[Input], begin: Start | None = None) -> CaseResult | None:
        nonlocal attempts
        attempts += 1
        trial = case_from_inputs(machine, f"{case.name}-shrunk", begin or start, candidate)
        result = run_case(adapter, trial)
        if result.passed or not _same_failure(result, failure):
            return None
        return result

    def truncate(result: CaseResult) -> list[Input]:
        return list(result.case.inputs[: result.step or 0])

    start = case.start
    if failure.verdict is not Verdict.TIMEOUT and cut > 1:
        # the failing input straight after a shortest way (from any reset) to a state of the
        # same status as the one before it: that state first, then the others, shortest first
        before = case.steps[cut - 2].state
        failing = case.steps[cut - 1].input
        if before is not None:
            for begin, reach in _shortcuts(explicit, before, failing):
                if attempts >= budget // 4 or len(reach) >= len(inputs):
                    break
                result = attempt(reach, begin)
                if result is not None:
                    best, inputs, start = result, truncate(result), begin
                    break
        size = max(1, len(inputs) // 2)
        while size >= 1 and attempts < budget:
            position = 0
            changed = False
            while position < len(inputs) and attempts < budget:
                candidate = inputs[:position] + inputs[position + size:]
                result = attempt(candidate) if candidate else None
                if result is not None and len(truncate(result)) < len(inputs):
                    best, inputs, changed = result, truncate(result), True
                else:
                    position += size
            if not changed:
                size //= 2
    if best is failure and cut < len(case.steps):
        trial = case_from_inputs(machine, f"{case.name}-shrunk", start, inputs)
        best = CaseResult(trial, failure.verdict, failure.step, failure.expected,
                          failure.actual, failure.message, failure.answers)
    elif best is not failure:
        kept = best.case.steps[: best.step or 0]
        best = CaseResult(TestCase(best.case.name, best.case.start, tuple(kept)), best.verdict,
                          best.step, best.expected, best.actual, best.message, best.answers)
    return Shrunk(failure, best, suite, attempts)


def _shortcuts(explicit: Explicit, before: MachineState, failing: Input
               ) -> list[tuple[Start, list[Input]]]:
    """Ways to give ``failing`` in a state like ``before``: a shortest way to each explicit
    state of the same status, then the input, concretised there the way it was meant (a wait
    that reached or approached the deadline does so again); shortest first, ``before``'s own
    state first among equals."""
    machine = explicit.machine
    own = machine.normalise(before)
    meant: Symbol | None = None
    if failing.kind == "wait":
        meant = next((s for s in machine.alphabet if s.kind != "go"
                      and machine.concrete(before, s) == failing), None)
    found = []
    for q, state in enumerate(explicit.states):
        if state.status != before.status:
            continue
        number, word = explicit.access[q]
        begin = explicit.starts[number][0]
        reach, here = [], machine.start_state(begin)
        for symbol in word:
            item = machine.concrete(here, machine.alphabet[symbol])
            reach.append(item)
            here = machine.apply(here, item).state
        last = failing if meant is None else machine.concrete(here, meant)
        found.append((len(reach), state != own, q, begin, [*reach, last]))
    found.sort(key=lambda item: item[:3])
    return [(begin, inputs) for _, _, _, begin, inputs in found]


def _literal(value: object) -> str:
    return repr(value)


def replay_script(shrunk: Shrunk, adapter: str, table: str, timeout: float = 5.0) -> str:
    """A Python script that replays the shrunk failure against ``adapter``."""
    result = shrunk.result
    case = result.case
    start = case.start
    original = len(shrunk.original.case.steps)
    lines = [
        "#!/usr/bin/env python3",
        '"""Replay a failing conformance trace (written by statusproof conform).',
        "",
        f"Table: {table}",
        f"Test:  {shrunk.suite} {shrunk.original.case.name}, shrunk from {original} steps to "
        f"{len(case.steps)}.",
        f"Fails: {result.verdict.value}: {result.message}",
        "Run:   python3 THIS_FILE  (exit 0 once the implementation passes this trace)",
        '"""',
        "",
        "from statusproof.conformance.runner import Replay",
        "",
        f"replay = Replay({adapter!r}, timeout={timeout!r})",
    ]
    settings = dict(start.configuration.settings)
    args = [_literal(start.state.status)]
    if start.state.cause is not None:
        args.append(f"cause={start.state.cause!r}")
    if settings:
        args.append(f"settings={settings!r}")
    lines.append(f"replay.reset({', '.join(args)})")
    for number, step in enumerate(case.steps, 1):
        if step.input.kind == "wait":
            call = f"replay.wait({step.input.seconds}, expect={step.expected!r})"
        elif step.input.cause is not None:
            call = (f"replay.go({step.input.status!r}, cause={step.input.cause!r}, "
                    f"expect={step.expected!r})")
        else:
            call = f"replay.go({step.input.status!r}, expect={step.expected!r})"
        if number == result.step and result.actual is not None:
            call += f"  # answered {result.actual!r}"
        elif number == result.step:
            call += f"  # {result.verdict.value}"
        lines.append(call)
    lines.append("raise SystemExit(replay.finish())")
    return "\n".join(lines) + "\n"


class Replay:
    """Drive an implementation step by step and stop at the first wrong answer.

    Used by the scripts :func:`replay_script` writes; each call prints one line.
    """

    def __init__(self, adapter: str, timeout: float = 5.0, out: TextIO | None = None) -> None:
        self._adapter = open_adapter(adapter, timeout)
        self._out = sys.stdout if out is None else out
        self._step = 0

    def _check(self, what: str, call: Callable[[], str], expect: str) -> None:
        try:
            answer = call()
        except AdapterFault as fault:
            self._out.write(f"{self._step:>3}. {what}: {fault.verdict.value}: "
                            f"{fault.message}\n")
            self._adapter.close()
            raise SystemExit(1) from None
        if answer != expect:
            self._out.write(f"{self._step:>3}. {what}: expected {expect!r}, answered "
                            f"{answer!r}\nFAILED\n")
            self._adapter.close()
            raise SystemExit(1)
        self._out.write(f"{self._step:>3}. {what}: {answer}\n")
        self._step += 1

    def reset(self, entry: str, cause: str | None = None,
              settings: Mapping[str, int | None] | None = None) -> None:
        start = Start(State(entry, None, cause),
                      Configuration("replay", tuple((settings or {}).items())))
        self._check(f"reset to {entry}", lambda: self._adapter.reset(start), entry)

    def go(self, status: str, cause: str | None = None, *, expect: str) -> None:
        item = Input.go(status, cause)
        self._check(str(item), lambda: self._adapter.send(item), expect)

    def wait(self, seconds: int, *, expect: str) -> None:
        item = Input.wait(seconds)
        self._check(str(item), lambda: self._adapter.send(item), expect)

    def finish(self) -> int:
        fault = self._adapter.finish()
        if fault is not None:
            self._out.write(f"{fault.verdict.value}: {fault.message}\nFAILED\n")
            return 1
        self._out.write("PASSED: every answer as expected\n")
        return 0
