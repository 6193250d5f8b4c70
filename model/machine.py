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

The same step relation (:func:`successors`) drives the explicit unfolded graph
(:func:`machine_graph`, a light :class:`~statusproof.model.stategraph.StateGraph` the formal
checks search, and :func:`unfold`, the same graph in networkx for whoever wants one), the z3
encoding, the conformance suites and the history checker, so all of them agree on what a step
is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .budget import ticker
from .model import HISTORY_VARIABLE, GuardKind, Model, TerminalKind, Transition
from .record import record
from .stategraph import StateGraph

if TYPE_CHECKING:  # networkx is imported by unfold(), not by the step relation's users
    import networkx as nx

__all__ = ["State", "Step", "initial_states", "successors", "enabled", "is_final",
           "machine_graph", "unfold", "remembered_after", "cause_values"]


@record(order=True)
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


@record
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


def machine_graph(model: Model) -> StateGraph[State]:
    """The reachable part of the extended machine as a graph of :class:`State` nodes.

    Nodes are in breadth-first order from the initial states (:attr:`StateGraph.initial`, in
    the order of :func:`initial_states`), and each node's edges in the model's transition
    order; an edge carries its transition. Terminations are not edges (:func:`is_final` says
    where a run may end). The graph is built once per model (memoised in
    :attr:`Model.derived`) and shared by every check that searches the machine: do not change
    it. The search checks the run's time budget (:mod:`statusproof.model.budget`).
    """
    cached = model.derived.get("machine")
    if isinstance(cached, StateGraph):
        return cached
    graph: StateGraph[State] = StateGraph(f"unfolded {model.path}")
    initial = initial_states(model)
    for state in initial:
        graph.add_node(state)
    graph.initial = tuple(dict.fromkeys(initial))
    frontier = list(graph.initial)
    tick = ticker(lambda: f"the unfolding of the machine ({len(graph)} states so far)")
    while frontier:
        following = []
        for state in frontier:
            tick()
            for step in successors(model, state):
                target = step.target
                if target is None:
                    continue
                if target not in graph:
                    following.append(target)
                graph.add_edge(state, target, step.transition)
        frontier = following
    model.derived["machine"] = graph
    return graph


def unfold(model: Model) -> nx.MultiDiGraph[State]:
    """The unfolded machine (:func:`machine_graph`) as a networkx graph.

    Node data: ``initial``, ``final``. Edge data: ``transition``; an edge's key numbers the
    edges between the same two states, in the model's transition order. Terminations are not
    edges; ``final`` marks the states where a run may end. Nodes and edges are in the order of
    :func:`machine_graph`. The graph is built once per model (memoised in
    :attr:`Model.derived`) and frozen (:func:`networkx.freeze`); copy it to change it.
    """
    import networkx as nx

    cached = model.derived.get("unfolded")
    if isinstance(cached, nx.MultiDiGraph):
        return cached
    machine = machine_graph(model)
    starts = set(machine.initial)
    graph: nx.MultiDiGraph[State] = nx.MultiDiGraph(name=machine.name)
    graph.add_nodes_from((state, {"initial": state in starts, "final": is_final(model, state)})
                         for state in machine.nodes)
    edges: list[Any] = [  # Any: the stubs lack the (u, v, key, data) form
        (state, target, key, {"transition": transition})
        for state, out in machine.succ.items() for target, ways in out.items()
        for key, transition in enumerate(ways)]
    graph.add_edges_from(edges)
    nx.freeze(graph)
    model.derived["unfolded"] = graph
    return graph
