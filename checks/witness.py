"""Shortest witnesses in graphs of machine states, and traces made from them.

The formal checks search explicit graphs of states: the unfolded machine
(:func:`statusproof.model.machine.machine_graph`) and its product with the history checks'
ghost variable (:class:`~statusproof.model.stategraph.StateGraph`; the property checker
searches the same machine in networkx). This module owns the one breadth-first search tree
they all use for witnesses (:class:`Search`: a breadth-first search from every initial node at
once, following each node's successors in the graph's insertion order, so the first-found path
to a node is a shortest one and ties go to the model's order), the conversion of a path into a
:class:`~statusproof.model.trace.Trace` and into finding evidence, and :func:`lazy_run`, which
gives a check the witness path and the trace evidence of a finding as
:class:`~statusproof.checks.findings.Lazy` values, built only if an output shows them. What a
witness shows is the business of the check that asks for it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from statusproof.model.budget import ticker
from statusproof.model.machine import State
from statusproof.model.model import Transition
from statusproof.model.stategraph import StateGraph
from statusproof.model.trace import Trace, TraceStep, trace_to_dict

from .findings import Lazy

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Search", "make_trace", "trace_evidence", "first_transition", "lazy_run"]

N = TypeVar("N", bound=Hashable)


def first_transition(graph: StateGraph[Any] | nx.MultiDiGraph[Any], source: Any,
                     target: Any) -> Transition:
    """The transition of the first edge from ``source`` to ``target`` (model order)."""
    if isinstance(graph, StateGraph):
        return graph.first_transition(source, target)
    edges: Any = graph.get_edge_data(source, target)
    transition: Transition = edges[min(edges)]["transition"]
    return transition


class Search(Generic[N]):
    """The breadth-first search tree of ``graph`` from ``initial`` (in that order).

    ``order`` numbers the nodes reached in the order they were found, which is by distance
    from the initial nodes; ``path(node)`` is a shortest path to ``node``.
    """

    def __init__(self, graph: StateGraph[N] | nx.MultiDiGraph[N], initial: Sequence[N]
                 ) -> None:
        self.graph = graph
        self.parent: dict[N, N | None] = {}
        self.order: dict[N, int] = {}
        frontier: list[N] = []
        for node in initial:
            if node not in self.order:
                self.parent[node] = None
                self.order[node] = len(self.order)
                frontier.append(node)
        tick = ticker(lambda: f"a search for witnesses ({len(self.order)} states so far)")
        while frontier:
            following: list[N] = []
            for source in frontier:
                tick()
                for target in graph.successors(source):
                    if target not in self.order:
                        self.parent[target] = source
                        self.order[target] = len(self.order)
                        following.append(target)
            frontier = following

    def reached(self, node: N) -> bool:
        return node in self.order

    def path(self, node: N) -> list[N]:
        """A shortest path from an initial node to ``node`` (which must be reached)."""
        path = [node]
        parent = self.parent[node]
        while parent is not None:
            path.append(parent)
            parent = self.parent[parent]
        return path[::-1]

    def first(self, nodes: Iterable[N]) -> N | None:
        """Of ``nodes``, the one found first (closest to an initial node), if any."""
        found = [n for n in nodes if n in self.order]
        return min(found, key=self.order.__getitem__) if found else None


def make_trace(
    graph: StateGraph[Any] | nx.MultiDiGraph[Any],
    path: Sequence[Any],
    state_of: Callable[[Any], State],
    title: str,
    note_of: Callable[[Any], str] | None = None,
    final: tuple[Transition, State | None, str] | None = None,
) -> Trace:
    """The trace along ``path`` (nodes of ``graph``); ``final`` appends one more step
    (transition, state reached or None for the end of the run, note)."""
    def note(node: Any) -> str:
        return note_of(node) if note_of is not None else ""

    steps = [TraceStep(state_of(path[0]), None, note=note(path[0]))]
    for source, target in pairwise(path):
        steps.append(TraceStep(state_of(target), first_transition(graph, source, target),
                               note=note(target)))
    if final is not None:
        transition, state, text = final
        steps.append(TraceStep(state, transition, note=text))
    return Trace(tuple(steps), title)


def trace_evidence(trace: Trace) -> dict[str, Any]:
    """The ``trace`` entry of a finding's evidence (JSON-ready)."""
    return trace_to_dict(trace)


def lazy_run(build: Callable[[], Trace]) -> tuple[Lazy, Lazy]:
    """The witness path and the ``trace`` evidence of a finding whose run ``build`` makes,
    as two lazy values that build the run once, when the first of them is shown."""
    run = Lazy(build)
    return Lazy(lambda: run.get().statuses), Lazy(lambda: trace_evidence(run.get()))
