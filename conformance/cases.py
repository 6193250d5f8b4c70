"""Test cases and suites: what every generator returns and every exporter and runner reads.

A :class:`TestCase` is a reset (:class:`~statusproof.conformance.machine.Start`) and a
sequence of :class:`Step`: a concrete input and the status the model answers. A step also keeps
the model's full state after it (remembered status, cause, clock) and the table lines behind
it, so that a case converts to the shared :class:`~statusproof.model.trace.Trace` format
(:meth:`TestCase.trace`). A :class:`Suite` is named test cases with the figures the generator
proved (``facts``: an optimum, a lower bound, the number of states...). Building cases from
abstract words is :func:`concretise`; the suites themselves are built in the suite modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import overload

from statusproof.model.errors import StatusproofError
from statusproof.model.model import Transition
from statusproof.model.record import field, record
from statusproof.model.trace import Trace, TraceStep

from .machine import Input, Machine, MachineState, Outcome, Start

__all__ = ["Step", "TestCase", "Suite", "Streamed", "concretise", "case_from_inputs",
           "stream_cases",
           "SuiteTooLarge", "DEFAULT_LIMIT", "check_limit", "number_tests", "step_of"]

#: The most steps (inputs plus resets) a generator builds before it stops with an error.
DEFAULT_LIMIT = 2_000_000


class SuiteTooLarge(StatusproofError):
    """A suite would exceed the step limit; the message gives the estimate and the way out."""


def check_limit(name: str, estimate: int, limit: int, advice: str) -> None:
    """Raise :class:`SuiteTooLarge` when ``estimate`` steps exceed ``limit``."""
    if estimate > limit:
        raise SuiteTooLarge(f"the {name} suite would have about {estimate:,} steps, more than "
                            f"the limit of {limit:,}; {advice}, or raise the limit with "
                            "--max-steps")


@record
class Step:
    """One input and the status the model answers; ``state`` is the model state after it.

    ``refused`` marks a ``go`` the model does not allow; ``transitions`` are the model
    transitions taken (an accepted ``go``, or one per timer that fired), ``timers`` says
    which timers fired. Steps read back from an exported file keep only input and answer.
    """

    input: Input
    expected: str
    state: MachineState | None = None
    refused: bool = False
    transitions: tuple[Transition, ...] = ()
    timers: tuple[str, ...] = ()
    note: str = ""


@record
class TestCase:
    """A named test: reset to ``start``, then the ``steps`` in order."""

    name: str
    start: Start
    steps: tuple[Step, ...]

    __test__ = False  # not a pytest class

    @property
    def inputs(self) -> tuple[Input, ...]:
        return tuple(s.input for s in self.steps)

    @property
    def length(self) -> int:
        """Steps plus the reset."""
        return len(self.steps) + 1

    def trace(self, title: str | None = None) -> Trace:
        """The case in the shared trace format: the start, then one step per input."""
        steps = [TraceStep(self.start.state, action="reset")]
        previous = self.start.state
        for step in self.steps:
            state = step.state.state if step.state is not None else previous
            action = str(step.input)
            if step.refused:
                action += ": refused"
            elif step.timers:
                action += ": " + "; ".join(step.timers)
            transition = step.transitions[-1] if step.transitions else None
            steps.append(TraceStep(state, transition, action=action))
            previous = state
        return Trace(tuple(steps), self.name if title is None else title)


class Streamed(Sequence[TestCase]):
    """Tests made one at a time, each time the suite is read: ``make()`` yields them in
    order; ``size`` and ``steps`` are known beforehand. Reading it twice gives the same
    tests; nothing is kept in between, so a suite of any size runs and exports in bounded
    memory. Indexing reads up to the index (meant for tests and small peeks)."""

    def __init__(self, make: Callable[[], Iterator[TestCase]], size: int, steps: int) -> None:
        self._make = make
        self.size = size
        self.steps = steps

    def __iter__(self) -> Iterator[TestCase]:
        count = 0
        for case in self._make():
            count += 1
            yield case
        if count != self.size:  # pragma: no cover - a generator and its count disagree
            raise AssertionError(f"a streamed suite made {count} tests, not {self.size}")

    def __len__(self) -> int:
        return self.size

    @overload
    def __getitem__(self, index: int) -> TestCase: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[TestCase]: ...

    def __getitem__(self, index: int | slice) -> TestCase | Sequence[TestCase]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError(index)
        return next(islice(self._make(), index, None))


@record
class Suite:
    """Named test cases from one generator; ``facts`` are its figures (name, value).

    ``tests`` is a tuple, or :class:`Streamed` for suites made as they are read."""

    name: str
    description: str
    table: str
    tests: Sequence[TestCase]
    facts: tuple[tuple[str, int | str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def size(self) -> int:
        return len(self.tests)

    @property
    def steps(self) -> int:
        """Inputs (``go`` and ``wait``), resets not counted."""
        if isinstance(self.tests, Streamed):
            return self.tests.steps
        return sum(len(t.steps) for t in self.tests)

    @property
    def length(self) -> int:
        """Steps plus resets (one per test)."""
        return self.steps + self.size

    def fact(self, name: str) -> int | str | None:
        for key, value in self.facts:
            if key == name:
                return value
        return None


def step_of(item: Input, outcome: Outcome, machine: Machine | None = None) -> Step:
    """The step an input makes, with the model's answer and what happened.

    With ``machine``, a wait after which a timer is still running notes when it will fire.
    """
    note = ""
    if machine is not None and item.kind == "wait" and not outcome.timers:
        armed = machine.armed(outcome.state)
        if armed is not None:
            remaining, timer = armed
            clock = getattr(timer, "clock", "status")
            note = (f"timer {timer.status} -> {timer.target} falls due in {remaining}s "
                    f"({clock} clock)")
    return Step(item, outcome.status, outcome.state, outcome.refused, outcome.steps,
                tuple(f"timer {t.status} -> {t.target} fired" for t in outcome.timers), note)


def case_from_inputs(machine: Machine, name: str, start: Start,
                     inputs: Iterable[Input]) -> TestCase:
    """A test of concrete inputs, with the model's answers filled in."""
    given = list(inputs)
    outcomes = machine.run(start, given)
    return TestCase(name, start, tuple(step_of(item, outcome, machine) for item, outcome
                                       in zip(given, outcomes, strict=True)))


def concretise(machine: Machine, name: str, start: Start, word: Sequence[int]) -> TestCase:
    """The test an abstract word stands for from ``start`` (waits made concrete)."""
    q = machine.start_state(start)
    inputs = []
    for symbol in word:
        item = machine.concrete(q, machine.alphabet[symbol])
        inputs.append(item)
        q = machine.apply(q, item).state
    return case_from_inputs(machine, name, start, inputs)


def stream_cases(machine: Machine, starts: Sequence[Start],
                 words: Iterator[tuple[int, Sequence[int]]], prefix: str, count: int
                 ) -> Iterator[TestCase]:
    """The tests abstract words stand for, one at a time, named ``prefix-0001``...; the
    model's answers along the prefix a word shares with the one before are reused."""
    width = max(4, len(str(count)))
    previous: tuple[int, list[int], list[Step], list[MachineState]] = (-1, [], [], [])
    for number, (start, word) in enumerate(words, 1):
        last_start, last_word, steps, states = previous
        shared = 0
        if start == last_start:
            limit = min(len(word), len(last_word))
            while shared < limit and word[shared] == last_word[shared]:
                shared += 1
        else:
            states = [machine.start_state(starts[start])]
            steps = []
        del steps[shared:], states[shared + 1:]
        q = states[-1]
        for symbol in word[shared:]:
            item = machine.concrete(q, machine.alphabet[symbol])
            outcome = machine.apply(q, item)
            steps.append(step_of(item, outcome, machine))
            q = outcome.state
            states.append(q)
        yield TestCase(f"{prefix}-{number:0{width}d}", starts[start], tuple(steps))
        previous = (start, list(word), steps, states)


def number_tests(prefix: str, count: int) -> list[str]:
    """Test names ``prefix-0001`` ... wide enough for ``count``."""
    width = max(4, len(str(count)))
    return [f"{prefix}-{i + 1:0{width}d}" for i in range(count)]
