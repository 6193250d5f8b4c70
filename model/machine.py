"""The extended state machine a model implies, and its explicit unfolding.

A state is a status plus the variables the table implies:

- ``remembered``: the status held before an interruption. Entering a remembering status
  (:attr:`Status.remembers`) from one that does not remember stores the status left; moving
  between remembering statuses keeps it (so it survives Reconnecting -> Offline); entering any
  other status clears it. History guards read it.
- ``cause``: for a status with a cause variable (:class:`Cause`), the value chosen on entry
  (e.g. which timeout fired). Condition guards read it.

Clocks are not part of a :class:`State`: timed rules (:class:`Timer`) bound how long a run may
stay, and are handled by the checks and the conformance suites that need them.

The same step relation (:func:`successors`) drives the explicit unfolded graph (networkx,
:func:`unfold`), the z3 encoding, the conformance suites and the history checker, so all of
them agree on what a step is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .model import HISTORY_VARIABLE, GuardKind, Model, TerminalKind, Transition

if TYPE_CHECKING:  # networkx is imported by unfold(), not by the step relation's users
    import networkx as nx

__all__ = ["State", "Step", "initial_states", "successors", "enabled", "is_final", "unfold",
           "remembered_after", "cause_values"]


@dataclass(frozen=True, order=True)
class State:
    """A status with the remembered status and the cause it was entered with."""

    status: str
    remembered: str | None = None
    cause: str | None = None

    def __str__(self) -> str:
        parts = [self.status]
        if self.remembered is not None:
            parts.append(f"{HISTORY_VARIABLE}={self.remembered}")
        if self.cause is not None:
            parts.append(f"cause={self.cause}")
        return parts[0] if len(parts) == 1 else f"{parts[0]} [{', '.join(parts[1:])}]"


@dataclass(frozen=True)
class Step:
    """One step of the machine: ``transition`` taken from ``source`` reaching ``target``.

    ``target`` is None for a termination (the run ends in the source status).
    """

    source: State
    transition: Transition
    target: State | None


def cause_values(model: Model, status: str) -> tuple[str | None, ...]:
    """The values a status's cause may take on entry; (None,) for a status without one."""
    cause = model.cause_of(status)
    if cause is None:
        return (None,)
    return tuple(value for value, _ in cause.values)


def remembered_after(model: Model, source: State, target: str) -> str | None:
    """The remembered status after a step from ``source`` into ``target``."""
    if not model.status(target).remembers:
        return None
    if model.status(source.status).remembers:
        return source.remembered
    return source.status


def enabled(transition: Transition, state: State) -> bool:
    """Whether ``transition``'s guard holds in ``state``."""
    guard = transition.guard
    if guard is None:
        return True
    if guard.kind is GuardKind.HISTORY:
        return guard.holds(state.remembered)
    return guard.holds(state.cause)


def initial_states(model: Model) -> tuple[State, ...]:
    """One state per entry point and cause value (nothing remembered)."""
    return tuple(State(name, None, cause) for name in model.entries
                 for cause in cause_values(model, name))


def successors(model: Model, state: State) -> Iterator[Step]:
    """Every step enabled in ``state``, in the model's transition order."""
    for transition in model.outgoing(state.status):
        if not enabled(transition, state):
            continue
        if transition.target is None:
            yield Step(state, transition, None)
            continue
        remembered = remembered_after(model, state, transition.target)
        for cause in cause_values(model, transition.target):
            yield Step(state, transition, State(transition.target, remembered, cause))


def is_final(model: Model, state: State) -> bool:
    """A run may end in ``state``: its status is terminal, or a termination is enabled."""
    status = model.status(state.status)
    if status.terminal in (TerminalKind.DOCUMENTED, TerminalKind.EXIT):
        return True
    return any(t.target is None and enabled(t, state) for t in model.outgoing(state.status))


def unfold(model: Model) -> nx.MultiDiGraph[State]:
    """The reachable part of the extended machine as a graph of :class:`State` nodes.

    Node data: ``initial``, ``final``. Edge data: ``transition``. Terminations are edges to
    the node ``None`` only in that ``final`` marks the state; they are not drawn as edges.

    The graph is built once per model (memoised in :attr:`Model.derived`, like the status
    graph) and frozen (:func:`networkx.freeze`): every check that searches the machine shares
    it; copy it to change it. Nodes are in breadth-first order from the initial states, and
    each node's edges in the model's transition order.
    """
    import networkx as nx

    cached = model.derived.get("unfolded")
    if isinstance(cached, nx.MultiDiGraph):
        return cached
    initial = initial_states(model)
    order: dict[State, None] = dict.fromkeys(initial)  # discovery order, and the seen set
    frontier = list(order)
    edges: list[tuple[State, State, int, dict[str, Transition]]] = []
    while frontier:
        following = []
        for state in frontier:
            keys: dict[State, int] = {}
            for step in successors(model, state):
                target = step.target
                if target is None:
                    continue
                key = keys[target] = keys.get(target, -1) + 1
                edges.append((state, target, key, {"transition": step.transition}))
                if target not in order:
                    order[target] = None
                    following.append(target)
        frontier = following
    starts = set(initial)
    graph: nx.MultiDiGraph[State] = nx.MultiDiGraph(name=f"unfolded {model.path}")
    graph.add_nodes_from((state, {"initial": state in starts, "final": is_final(model, state)})
                         for state in order)
    graph.add_edges_from(edges)  # type: ignore[arg-type]  # the stubs lack (u, v, key, data)
    nx.freeze(graph)
    model.derived["unfolded"] = graph
    return graph
