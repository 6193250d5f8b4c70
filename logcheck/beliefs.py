"""Beliefs and plans: what a session may be in, and what one observed change does to it.

This module owns the value types the compiled model hands the checker: :class:`Edge` (a step
out of a machine state with its timing), :class:`Option` (one way an observed change may be
taken), :class:`Plan` (the outcome of one observed change from a belief, cached) and
:class:`Belief` (the set of machine states a session may be in, interned by
:class:`~.compiled.Compiled`, compared by identity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from statusproof.model.machine import State
from statusproof.model.model import Transition

from .timing import INF

__all__ = ["Edge", "Option", "Plan", "Belief"]


class Edge(NamedTuple):
    """A step out of a state: ``target`` None is a termination; ``lower`` its minimum dwell,
    ``session_lower`` the session age it needs (status and session clock; 0: none)."""

    transition: Transition
    target: State | None
    lower: float
    session_lower: float = 0.0


class Option(NamedTuple):
    """One way an observed change may be taken: from ``source`` by ``transition``."""

    source: State
    transition: Transition
    target: State
    lower: float
    session_lower: float = 0.0


@dataclass(eq=False)
class Plan:
    """The outcome of one observed change (target statuses, cause) from a belief.

    ``options`` are the steps the model allows, timing aside. When all have no minimum
    dwell, ``untimed`` holds and ``result`` is the belief after the change. ``failure`` names
    why no step fits (``repeat``, ``not-in-table``, ``guard``, ``cause``); ``resync`` is the
    belief to carry on from after a violation: the recorded change taken as if it happened.
    """

    options: tuple[Option, ...]
    untimed: bool
    result: Belief | None
    resync: Belief
    failure: str | None
    transitions: frozenset[Transition]
    count: int = 0
    fitted: dict[tuple[int, ...], Belief] = field(default_factory=dict)
    direct: bool | None = None  # see Compiled.direct_gap


@dataclass(eq=False)
class Belief:
    """The states a session may be in; interned by :class:`Compiled` (compare by identity)."""

    states: tuple[State, ...]
    statuses: frozenset[str]
    final: bool  # a run may end here
    ended: bool  # no step leads on: the session is over
    deadline: float | None  # the latest any of its statuses must be left
    least_deadline: float = INF  # the earliest one of its statuses must be left
    session_deadline: float | None = None  # the same, on the session clock
    lost: bool = False  # what the session is in is unknown (after an unknown status)
    plans: dict[tuple[tuple[str, ...], str | None], Plan] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.lost:
            return "(unknown)"
        return " | ".join(sorted(self.statuses))

    def __str__(self) -> str:
        return ", ".join(str(s) for s in self.states) if self.states else self.label

