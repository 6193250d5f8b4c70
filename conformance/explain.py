"""Why an answer is wrong, in the model's own terms: every statement computed from its state.

:func:`explain_answer` says, for one input of a test, what the model does in the state the test
had reached (the state is replayed on :class:`~statusproof.conformance.machine.Machine`, never
taken from a file or guessed from the statuses): whether it refuses a ``go`` (and why: no such
step, or a step only a timer takes), which table line an accepted step comes from and whether
entering the status fires an overdue timer at once, which timers a wait fires, or when the next
one falls due. Running tests is :mod:`.runner`'s job.
"""

from __future__ import annotations

from statusproof.model.model import Transition

from .cases import TestCase
from .machine import Input, Machine, MachineState, Outcome

__all__ = ["explain_answer", "state_before"]


def state_before(machine: Machine, case: TestCase, step_number: int) -> MachineState:
    """The model state in which input ``step_number`` (1-based) of ``case`` is given,
    replayed from the start."""
    q = machine.start_state(case.start)
    for item in case.inputs[: step_number - 1]:
        q = machine.apply(q, item).state
    return q


def _line(transition: Transition) -> str:
    return f"line {transition.line}" if transition.line is not None else "an amendment"


def _fired(outcome: Outcome) -> str:
    parts = []
    fired_into = outcome.path[len(outcome.path) - len(outcome.timers):]
    for timer, state in zip(outcome.timers, fired_into, strict=True):
        parts.append(f"timer {timer.status} -> {timer.target} fires "
                     f"({getattr(timer, 'clock', 'status')} clock, {state.age}s into the "
                     "session)")
    return "; ".join(parts)


def explain_answer(machine: Machine, before: MachineState, item: Input, actual: str) -> str:
    """What the model does with ``item`` in ``before``, said against the ``actual`` answer."""
    outcome = machine.apply(before, item)
    where = machine.describe(before)
    if item.kind == "go":
        assert item.status is not None
        if outcome.refused:
            if (before.status, item.status) in machine.timed and \
                    (item.status, item.cause) in machine.accepted(before.state):
                return (f"the model refuses this step in {where}: only a timer goes from "
                        f"{before.status!r} to {item.status!r}")
            return f"the model refuses this step in {where}"
        taken = f"the model takes this step in {where} ({_line(outcome.steps[0])})"
        if outcome.timers:
            taken += ", and entering it " + _fired(outcome) + " at once"
        if actual == before.status:
            return taken + "; the implementation refused it"
        return taken
    if outcome.timers:
        return f"in the model, waiting {item.seconds}s in {where}: " + _fired(outcome)
    armed = machine.armed(outcome.state)
    if armed is None:
        return f"in the model no timer runs in {where}"
    remaining, timer = armed
    return (f"in the model no timer fires yet: timer {timer.status} -> {timer.target} falls "
            f"due in {remaining}s ({getattr(timer, 'clock', 'status')} clock)")
