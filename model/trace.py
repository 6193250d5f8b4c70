"""Traces: runs of the extended machine that a person can replay.

One format serves counterexamples and witnesses (checks), highlighted paths (render) and
conformance test cases (conformance). A :class:`Trace` is a start state and a sequence of
steps; each step names the transition taken, the state reached (status, remembered status,
cause), the time spent before it (``delay``, seconds, when clocks matter) and the table line
behind it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import UnknownStatusError
from .machine import State, initial_states, successors
from .model import Model, Transition
from .names import NameIndex, normalise

__all__ = ["TraceStep", "Trace", "replay", "trace_to_dict", "trace_from_dict", "format_trace"]


@dataclass(frozen=True)
class TraceStep:
    """One step: ``transition`` taken after ``delay`` seconds, reaching ``state``.

    ``state`` None means the run ended by a termination ("none if ..."). The first step of a
    trace has ``transition`` None: it is the start in an entry point. ``action`` names the
    input that caused the step when the trace is a conformance test ("go Waiting",
    "wait 300s: timer ... fired", "reset"); empty otherwise.
    """

    state: State | None
    transition: Transition | None = None
    delay: int | None = None
    note: str = field(default="", compare=False)
    action: str = ""

    @property
    def line(self) -> int | None:
        return self.transition.line if self.transition is not None else None


@dataclass(frozen=True)
class Trace:
    """A run from an entry point; ``title`` says what it shows."""

    steps: tuple[TraceStep, ...]
    title: str = ""

    @property
    def statuses(self) -> tuple[str, ...]:
        return tuple(s.state.status for s in self.steps if s.state is not None)

    @property
    def states(self) -> tuple[State, ...]:
        return tuple(s.state for s in self.steps if s.state is not None)

    @property
    def ended(self) -> bool:
        return bool(self.steps) and self.steps[-1].state is None


def _lookup(model: Model, index: NameIndex, name: str) -> str:
    """The status ``name`` answers to: its full name, or a unique short name (see names)."""
    resolved = index.resolve(name)
    if resolved is None:
        raise UnknownStatusError(f"{name!r} is not a status of the model; statuses: "
                                 + ", ".join(model.names))
    return resolved


def replay(model: Model, statuses: Sequence[str], causes: Iterable[str | None] = (),
           title: str = "") -> Trace:
    """Replay a sequence of status names as a trace of the machine.

    ``causes`` gives, in order, the cause value for each step into a status that has a cause
    variable (the first allowed value is taken when it runs out). The word ``end`` (or
    ``(end)``) as the last name ends the run by an enabled termination. A step the model does
    not allow raises :class:`UnknownStatusError` naming the allowed steps.
    """
    if not statuses:
        raise UnknownStatusError("an empty trace has no entry point")
    pending = list(causes)
    index = NameIndex.build(model.names, ())
    first = _lookup(model, index, statuses[0])
    starts = [s for s in initial_states(model) if s.status == first]
    if not starts:
        raise UnknownStatusError(f"{first!r} is not an entry point; entry points: "
                                 + ", ".join(model.entries))
    state = starts[0]
    if len(starts) > 1 and pending:
        wanted = pending.pop(0)
        state = next((s for s in starts if s.cause == wanted), state)
    steps = [TraceStep(state)]
    for name in statuses[1:]:
        options = list(successors(model, state))
        if normalise(name) in ("end", "(end)"):
            ends = [o for o in options if o.target is None]
            if not ends:
                raise UnknownStatusError(f"the run cannot end in {state}")
            steps.append(TraceStep(None, ends[0].transition))
            break
        target = _lookup(model, index, name)
        matches = [o for o in options if o.target is not None and o.target.status == target]
        if not matches:
            allowed = sorted({o.target.status if o.target else "(end)" for o in options})
            raise UnknownStatusError(
                f"step {state.status} -> {target} is not allowed in state {state}; allowed: "
                + (", ".join(allowed) or "nothing"))
        chosen = matches[0]
        if len(matches) > 1 and pending:
            wanted = pending.pop(0)
            chosen = next((m for m in matches if m.target and m.target.cause == wanted), chosen)
        assert chosen.target is not None
        steps.append(TraceStep(chosen.target, chosen.transition))
        state = chosen.target
    return Trace(tuple(steps), title)


def _step_dict(step: TraceStep) -> dict[str, Any]:
    t = step.transition
    return {
        "status": step.state.status if step.state else None,
        "remembered": step.state.remembered if step.state else None,
        "cause": step.state.cause if step.state else None,
        "delay": step.delay,
        "transition": None if t is None else {
            "source": t.source, "target": t.target,
            "guard": str(t.guard) if t.guard else None,
            "line": t.line,
        },
        "note": step.note,
    } | ({"action": step.action} if step.action else {})


def trace_to_dict(trace: Trace) -> dict[str, Any]:
    """JSON-ready data of a trace."""
    return {"title": trace.title, "ended": trace.ended,
            "steps": [_step_dict(s) for s in trace.steps]}


def format_trace(trace: Trace, indent: str = "  ") -> str:
    """A trace as numbered lines a person can replay by hand.

    Each line: the step number, the state reached (with the remembered status and cause),
    the delay before the step, and the transition's guard and table line.
    """
    lines = [f"{indent}{trace.title}"] if trace.title else []
    for number, step in enumerate(trace.steps):
        state = str(step.state) if step.state is not None else "(end of run)"
        parts = []
        if step.delay is not None:
            parts.append(f"after {step.delay}s")
        if step.action:
            parts.append(step.action)
        if step.transition is None:
            if not step.action:
                parts.append("start")
        else:
            if step.transition.guard is not None:
                parts.append(f"when {step.transition.guard}")
            if step.line is not None:
                parts.append(f"line {step.line}")
        if step.note:
            parts.append(step.note)
        lines.append(f"{indent}{number:>3}. {state}" + (f"  ({'; '.join(parts)})" if parts else ""))
    return "\n".join(lines) + "\n"


def trace_from_dict(model: Model, data: Mapping[str, Any]) -> Trace:
    """The trace that :func:`trace_to_dict` gave ``data`` for, with the model's transitions
    (found by source, target and guard). KeyError if ``data`` names a step the model lacks."""
    transitions = {(t.source, t.target, str(t.guard) if t.guard else None): t
                   for t in model.transitions}
    steps = []
    for step in data["steps"]:
        moved = step["transition"]
        transition = None if moved is None else transitions[
            (moved["source"], moved["target"], moved["guard"])]
        state = None if step["status"] is None else State(step["status"], step["remembered"],
                                                          step["cause"])
        steps.append(TraceStep(state, transition, step["delay"], step.get("note", ""),
                               step.get("action", "")))
    return Trace(tuple(steps), data.get("title", ""))
