"""JSON-ready dictionaries of a model (the ``statusproof model --format json`` schema).

Plain data only: lists and dicts of strings, numbers, booleans and None, keys in a fixed
order, so the same model always gives the same JSON text.
"""

from __future__ import annotations

from typing import Any

from .machine import State
from .model import Guard, Model, Transition

__all__ = ["MODEL_SCHEMA", "model_to_dict", "guard_to_dict", "transition_to_dict",
           "state_to_dict"]

MODEL_SCHEMA = "statusproof/model/1"


def guard_to_dict(guard: Guard | None) -> dict[str, Any] | None:
    if guard is None:
        return None
    return {"kind": guard.kind.value, "variable": guard.variable, "values": list(guard.values),
            "text": guard.text, "line": guard.span.line if guard.span else None,
            **({"negated": True} if guard.negated else {})}


def transition_to_dict(transition: Transition) -> dict[str, Any]:
    return {
        "source": transition.source,
        "target": transition.target,
        "guard": guard_to_dict(transition.guard),
        "columns": sorted(c.value for c in transition.columns),
        "amendment": transition.amendment,
        "locations": [{"file": s.path, "line": s.line} for s in transition.spans],
        **({"depends": list(transition.depends)} if transition.depends else {}),
    }


def state_to_dict(state: State) -> dict[str, Any]:
    return {"status": state.status, "remembered": state.remembered, "cause": state.cause}


def model_to_dict(model: Model) -> dict[str, Any]:
    """The whole interpreted model as JSON-ready data."""
    return {
        "schema": MODEL_SCHEMA,
        "table": model.path,
        "policy": model.policy,
        "statuses": [
            {
                "name": s.name,
                "defined": s.defined,
                "entry": s.entry,
                "triggers": list(s.triggers),
                "terminal": s.terminal.value if s.terminal else None,
                "remembers": s.remembers,
                "previous_documented": s.previous_documented,
                "next_documented": s.next_documented,
                "description": s.description,
                "line": s.line,
                **({"unread_next": list(s.unread_next)} if s.unread_next else {}),
                **({"unread_previous": list(s.unread_previous)} if s.unread_previous else {}),
            }
            for s in model.statuses
        ],
        "transitions": [transition_to_dict(t) for t in model.transitions],
        "causes": [{"status": c.status, "variable": c.variable,
                    "values": {k: v for k, v in c.values}, "source": c.source}
                   for c in model.causes],
        "timers": [{"status": t.status, "target": t.target, "seconds": t.seconds,
                    "minimum": t.minimum, "maximum": t.maximum, "never": t.never,
                    "cause": t.cause, "setting": t.setting, "source": t.source}
                   for t in model.timers],
        "amendments": [{"kind": a.kind, "statement": a.statement, "source": a.source,
                        "line": a.span.line if a.span else None} for a in model.amendments],
    }
