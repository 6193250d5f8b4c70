"""Run suites against an implementation and shrink the shortest failure.

:func:`run_case` runs one test through an :class:`~statusproof.conformance.adapters.Adapter`:
reset, then each input, comparing every answer with the model's; a wrong answer is explained
from the model's real state (:mod:`.explain`). :func:`run_suites` runs whole suites, test by
test as they are generated (a passing test leaves nothing behind but its name when asked), and
stops early, with a clear note, when an implementation cannot even be reset several times in a
row or when ``max_failures`` tests have failed. :func:`shrink` takes a failing test and looks
for a shorter one that fails the same way: the failing step with a shortest way to the state
before it, then deleting inputs while the failure remains (the model recomputes the expected
answers of every candidate, so any input sequence is a valid test). The replayable script is
:mod:`.replay`'s, the report formats :mod:`.report`'s.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from statusproof.model.record import record

from .adapter_base import Adapter, AdapterFault, Verdict
from .cases import Suite, TestCase, case_from_inputs
from .explain import explain_answer, state_before
from .fsm import Explicit
from .machine import Input, Machine, MachineState, Start, Symbol
from .replay import Replay, replay_script

__all__ = ["CaseResult", "SuiteResult", "RunResult", "Shrunk", "run_case", "run_suite",
           "run_suites", "shrink", "replay_script", "Replay", "STOP_AFTER", "KEPT"]

#: Stop a run after this many tests in a row fail at the reset itself (crash or timeout).
STOP_AFTER = 3
#: Failures kept in full per suite (the others are counted; the shortest is always kept).
KEPT = 1000
#: Tests whose requests go out ahead through an adapter that can plan (``exec:``).
AHEAD = 64


@record
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


@record
class SuiteResult:
    """What running one suite gave: the count per verdict, the failures (the first
    :data:`KEPT` in full), the names of the tests run when asked for (with the seconds each
    took), and why it stopped."""

    suite: Suite
    failures: tuple[CaseResult, ...]
    verdicts: tuple[tuple[str, int], ...]
    not_run: int = 0
    stopped: str = ""
    names: tuple[str, ...] = ()
    times: tuple[float, ...] = ()

    @property
    def run(self) -> int:
        return sum(count for _, count in self.verdicts)

    @property
    def failed(self) -> int:
        return self.run - self.counts()[Verdict.PASS.value]

    @property
    def passed(self) -> bool:
        return not self.failed and not self.not_run

    def counts(self) -> dict[str, int]:
        found = {v.value: 0 for v in Verdict}
        found.update(self.verdicts)
        return found


@record
class Shrunk:
    """A failure made as short as the shrinker could: ``result`` is the shorter test's."""

    original: CaseResult
    result: CaseResult
    suite: str
    attempts: int


@record
class RunResult:
    adapter: str
    table: str
    suites: tuple[SuiteResult, ...]
    shrunk: Shrunk | None = None
    problems: tuple[str, ...] = field(default=())

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.suites) and not self.problems


def _message(step_number: int, case: TestCase, actual: str, machine: Machine | None) -> str:
    step = case.steps[step_number - 1]
    text = f"{step.input}: expected {step.expected!r}, answered {actual!r}"
    if machine is None:
        return text
    before = state_before(machine, case, step_number)
    return text + f" ({explain_answer(machine, before, step.input, actual)})"


def run_case(adapter: Adapter, case: TestCase, machine: Machine | None = None) -> CaseResult:
    """Run one test; the adapter is recovered after a fault. With ``machine`` (the model the
    test was built from), a wrong answer is explained from the model's state."""
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
                                  _message(number, case, status, machine), tuple(answers))
    except AdapterFault as fault:
        adapter.recover(fault)
        number = max(0, len(answers) - fault.earlier)
        return CaseResult(case, fault.verdict, number, expected[number], None, fault.message,
                          tuple(answers[:number]))
    return CaseResult(case, Verdict.PASS)  # the answers were as expected: not kept


@dataclass
class _Budget:
    """Failures still allowed in the whole run (None: no limit) and the shortest one."""

    left: int | None = None
    shortest: tuple[int, str, CaseResult] | None = None

    def note(self, suite: str, result: CaseResult) -> None:
        if self.left is not None:
            self.left -= 1
        key = len(result.case.steps)
        if self.shortest is None or key < self.shortest[0]:
            self.shortest = (key, suite, result)

    @property
    def spent(self) -> bool:
        return self.left is not None and self.left <= 0


def run_suite(adapter: Adapter, suite: Suite, machine: Machine | None = None,
              budget: _Budget | None = None, keep_names: bool = False,
              progress: Callable[[int], None] | None = None) -> SuiteResult:
    """Run the tests of ``suite`` in order (see :func:`run_suites` for ``budget``)."""
    budget = _Budget() if budget is None else budget
    failures: list[CaseResult] = []
    verdicts: dict[str, int] = {}
    names: list[str] = []
    times: list[float] = []
    in_a_row = 0
    run = 0
    stopped = ""
    plan = getattr(adapter, "plan", None)
    planned = getattr(adapter, "planned", None)
    window: deque[TestCase] = deque()
    source = iter(suite.tests)
    while True:
        if plan is not None and planned is not None and planned() < len(window):
            for ahead in list(window)[planned():]:  # a new process forgot them
                plan(ahead.start, ahead.inputs)
        while len(window) < (AHEAD if plan is not None else 1):
            upcoming = next(source, None)
            if upcoming is None:
                break
            window.append(upcoming)
            if plan is not None:
                plan(upcoming.start, upcoming.inputs)
        if not window:
            break
        case = window.popleft()
        if budget.spent:
            stopped = "stopped: the limit of failures was reached"
            break
        began = time.perf_counter()
        result = run_case(adapter, case, machine)
        run += 1
        verdicts[result.verdict.value] = verdicts.get(result.verdict.value, 0) + 1
        if keep_names:
            names.append(case.name)
            times.append(time.perf_counter() - began)
        if progress is not None:
            progress(run)
        if result.passed:
            in_a_row = 0
            continue
        budget.note(suite.name, result)
        if len(failures) < KEPT or keep_names:
            failures.append(result)
        if result.step == 0 and result.verdict in (Verdict.CRASH, Verdict.TIMEOUT,
                                                   Verdict.GARBAGE):
            in_a_row += 1
            if in_a_row >= STOP_AFTER:
                stopped = (f"stopped: {STOP_AFTER} tests in a row failed at the reset "
                           f"({result.verdict.value})")
                break
        else:
            in_a_row = 0
    left = suite.size - run
    if stopped and left:
        stopped += f"; {left} test(s) not run"
    elif not left:
        stopped = ""
    return SuiteResult(suite, tuple(failures), tuple(sorted(verdicts.items())), left, stopped,
                       tuple(names), tuple(times))


def _progress_of(progress: Callable[[Suite, int], None], suite: Suite
                 ) -> Callable[[int], None]:
    return lambda n: progress(suite, n)


def run_suites(adapter: Adapter, suites: Sequence[Suite], explicit: Explicit | None = None,
               shrink_failure: bool = True, max_failures: int | None = None,
               keep_names: bool = False,
               progress: Callable[[Suite, int], None] | None = None) -> RunResult:
    """Run every suite; shrink the shortest failure when a model is at hand.

    ``max_failures`` stops the run once that many tests have failed (``1``: fail fast); the
    tests left are reported as not run. ``keep_names`` keeps the name of every test run and
    the time it took (the JUnit report lists them). ``progress(suite, n)`` is called after
    the n-th test of ``suite`` ran."""
    machine = explicit.machine if explicit is not None else None
    budget = _Budget(max_failures)
    results: list[SuiteResult] = []
    for suite in suites:
        if results and (results[-1].stopped.startswith(f"stopped: {STOP_AFTER}")
                        or budget.spent):
            results.append(SuiteResult(suite, (), (), suite.size,
                                       "not run: the run stopped before this suite"))
            continue
        step = None if progress is None else _progress_of(progress, suite)
        results.append(run_suite(adapter, suite, machine, budget, keep_names, step))
    problems = []
    shrunk = None
    if budget.shortest is not None and explicit is not None and shrink_failure:
        _, name, first = budget.shortest
        shrunk = shrink(adapter, explicit, first, name)  # on the process still running
    fault = adapter.finish()
    if fault is not None:
        problems.append(f"{fault.verdict.value}: {fault.message}")
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
        result = run_case(adapter, trial, machine)
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
