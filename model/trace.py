"""Traces: runs of the extended machine that a person can replay.

One format serves counterexamples and witnesses (checks), highlighted paths (render) and
conformance test cases (conformance). A :class:`Trace` is a start state and a sequence of
steps; each step names the transition taken, the state reached (status, remembered status,
cause), the time spent before it (``delay``, seconds, when clocks matter) and the table line
behind it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import StatusproofError, UnknownStatusError
from .machine import State, initial_states, successors
from .model import Model, Transition
from .names import NameIndex, normalise
from .record import field, record

__all__ = ["TraceStep", "Trace", "replay", "trace_to_dict", "trace_from_dict", "format_trace",
           "parse_trace_text", "load_trace"]


@record
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


@record
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


# -- traces written by people: '--highlight' and trace files ------------------------------
@record
class _Item:
    """One status of a trace a person wrote (its cause, if given, and its line)."""

    name: str
    cause: str | None
    line: int


_SPLIT = re.compile(r"\s*(?:->|→|,|\n)\s*")
_CAUSE = re.compile(r"^(?P<name>.*?)\s*\[\s*(?:cause\s*=\s*)?(?P<cause>[^\[\]]+?)\s*\]$")


def _items(text: str, model: Model) -> list[_Item]:
    known = {normalise(n) for n in model.names} | {"end", "(end)"}
    items = []
    for number, line in enumerate(text.splitlines() or [""], start=1):
        if line.lstrip().startswith("#"):
            continue
        for part in _SPLIT.split(line):
            part = part.strip()
            if not part:
                continue
            match = _CAUSE.match(part)
            if normalise(part) not in known and match is not None:
                items.append(_Item(match["name"], match["cause"], number))
            else:
                items.append(_Item(part, None, number))
    return items


def _json_items(data: Any, where: str) -> list[_Item]:
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise StatusproofError(f"{where}: a JSON trace needs a list 'steps' of objects with "
                               "'status' (the trace_to_dict format of statusproof)")
    return [_Item(str(s["status"]) if s.get("status") is not None else "end",
                  s.get("cause"), 1) for s in steps]


def _replay(model: Model, items: list[_Item], title: str) -> Trace:
    """Replay the items; each step into a status whose cause has several values takes the
    item's cause (None: the first value), in the order :func:`replay` asks for them."""
    causes: list[str | None] = []
    index = NameIndex.build(model.names, ())
    for item in items:
        target = index.resolve(item.name)
        cause = model.cause_of(target) if target is not None else None
        if item.cause is not None and target is not None:
            values = [v for v, _ in cause.values] if cause is not None else []
            if item.cause not in values:
                raise UnknownStatusError(
                    f"{target!r} [{item.cause}]: "
                    + (f"the cause of {target!r} is one of {', '.join(values)}" if values
                       else f"{target!r} has no cause to choose")
                    + f", not {item.cause!r}")
        if cause is not None and len(cause.values) > 1:
            causes.append(item.cause)
    return replay(model, [item.name for item in items], causes, title)


def parse_trace_text(model: Model, text: str, title: str = "", where: str = "trace",
                     lines: bool = False) -> Trace:
    """A trace written by a person, replayed on ``model``: statuses separated by commas,
    arrows (``->``, ``→``) or line breaks; ``#`` starts a comment line; a status may carry
    its cause in brackets (``Timed out [system]``); ``end`` ends the run by a conditional end.

    ``where`` names the text in messages (an option or a file); ``lines`` adds the line
    number of the failing step (for a file). A step the model does not allow raises
    :class:`UnknownStatusError` naming the step and the steps allowed there.

    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> parse_trace_text(interpret(load_text(text, "t.txt")), "Open -> Closed").statuses
    ('Open', 'Closed')
    """
    return _replay_items(model, _items(text, model), title or _title(_items(text, model)),
                         where, lines)


def _title(items: list[_Item]) -> str:
    return "trace " + " → ".join(item.name for item in items)


def load_trace(model: Model, spec: str, option: str = "--highlight") -> Trace:
    """The trace ``spec`` names (the value of a command-line ``option``): a file (statuses
    one per line or separated by commas or arrows, or a JSON trace in the format of
    :func:`trace_to_dict`) or the statuses themselves (:func:`parse_trace_text`); replayed on
    ``model``.

    A trace the model does not allow raises :class:`UnknownStatusError` naming the step (and
    the file line) and the steps that are allowed there.
    """
    path = Path(spec)
    if not path.is_file():
        if path.suffix.lower() in (".txt", ".json", ".trace") or "/" in spec:
            raise StatusproofError(f"{option} {spec!r}: no such trace file; give a file or "
                                   "the statuses separated by commas, e.g. 'A, B, C'")
        return parse_trace_text(model, spec, where=option)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise StatusproofError(f"{spec}: cannot read the trace file: {e}") from e
    if not text.lstrip().startswith("{"):
        return parse_trace_text(model, text, f"trace {path.name}", spec, lines=True)
    import json  # (only for a JSON trace file)

    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise StatusproofError(f"{spec}:{e.lineno}: not valid JSON ({e.msg}); write "
                               "a JSON trace or one status per line") from e
    return _replay_items(model, _json_items(data, spec), f"trace {path.name}", spec, True)


def _replay_items(model: Model, items: list[_Item], title: str, where: str,
                  lines: bool) -> Trace:
    """Replay ``items``; on failure, find the first step that does not replay, to say where
    it is."""
    if not items:
        raise StatusproofError(f"{where}: the trace names no status; list the statuses from "
                               "an entry point, separated by commas or arrows")
    index = NameIndex.build(model.names, ())
    try:
        return _replay(model, items, title)
    except UnknownStatusError as e:
        for end in range(1, len(items) + 1):
            try:
                _replay(model, items[:end], title)
            except UnknownStatusError:
                item = items[end - 1]
                at = f"{where}:{item.line}" if lines else where
                hint = ""
                before = index.resolve(items[end - 2].name) if end > 1 else None
                cause = model.cause_of(before) if before is not None else None
                if cause is not None and items[end - 2].cause is None:
                    hint = (f"; {before!r} has a cause, chosen in brackets: "
                            + ", ".join(f"'{before} [{v}]'" for v, _ in cause.values))
                raise UnknownStatusError(
                    f"{at}: step {end} ({item.name!r}) of the trace is not possible: {e}"
                    f"{hint}; fix the trace, or check the model with 'statusproof model'"
                ) from e
        raise
