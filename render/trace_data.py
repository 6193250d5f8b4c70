"""Traces carried as evidence: rebuilt from their JSON-ready data for the report.

A finding's ``trace`` evidence is :func:`statusproof.model.trace.trace_to_dict` data;
:func:`trace_from_data` rebuilds the :class:`~statusproof.model.trace.Trace`, finding each
step's transition in the model, or gives None when the data does not fit the model (the report
then shows the data as JSON instead).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statusproof.model.machine import State
from statusproof.model.model import Model, Transition
from statusproof.model.trace import Trace, TraceStep

__all__ = ["trace_from_data"]


def trace_from_data(model: Model, data: Mapping[str, Any]) -> Trace | None:
    """A :class:`Trace` rebuilt from :func:`~statusproof.model.trace.trace_to_dict` data, each
    step's transition found in ``model``; None when the data does not fit the model."""
    steps = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        return None
    for raw in raw_steps:
        if not isinstance(raw, Mapping):
            return None
        status = raw.get("status")
        state = None if status is None else State(str(status), raw.get("remembered"),
                                                  raw.get("cause"))
        transition: Transition | None = None
        move = raw.get("transition")
        if isinstance(move, Mapping):
            transition = next(
                (t for t in model.transitions
                 if t.source == move.get("source") and t.target == move.get("target")
                 and (str(t.guard) if t.guard else None) == move.get("guard")), None)
            if transition is None:
                return None
        delay = raw.get("delay")
        steps.append(TraceStep(state, transition, delay if isinstance(delay, int) else None,
                               note=str(raw.get("note") or ""),
                               action=str(raw.get("action") or "")))
    return Trace(tuple(steps), str(data.get("title") or ""))
