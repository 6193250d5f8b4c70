"""Faulty variants of the library examples (examples/rescue_statemachine.py and
examples/rescue_transitions.py), to show the library adapters catch what they should."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _load(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"{name}_for_mutants", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


statemachine_example = _load("rescue_statemachine")
transitions_example = _load("rescue_transitions")


class ForgetfulStateMachine(statemachine_example.RescueSession):  # type: ignore[misc, name-defined]
    """Going Offline forgets where the session was (python-statemachine)."""

    def after_transition(self, source: Any, target: Any) -> None:
        super().after_transition(source, target)
        if target.id == "offline":
            self.remembered = None


class ForgetfulTransitions(transitions_example.RescueSession):  # type: ignore[misc, name-defined]
    """Going Offline forgets where the session was (transitions)."""

    def remember(self, event: Any) -> None:
        super().remember(event)
        if event.transition.dest == "offline":
            self.remembered = None
