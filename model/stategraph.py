"""A light explicit graph of machine states, and the breadth-first searches the checks need.

The formal checks search explicit graphs of states: the unfolded machine
(:func:`statusproof.model.machine.machine_graph`), its product with the history checks' ghost
variable, the untimed steps of the clocks. :class:`StateGraph` holds such a graph as plain
dictionaries, in the same order as networkx' ``MultiDiGraph`` would (nodes in the order they
were added; each node's out-edges grouped by target, targets in the order of their first
edge, parallel edges in the order they were added), so that every search over it finds the
same paths as the same search over the networkx graph. It exists because importing networkx
costs more than a whole ``statusproof check`` of a small table, and adding an edge to a
``MultiDiGraph`` costs several times more than to these dictionaries; the status-level graph
and the property checker keep networkx (:mod:`statusproof.model.graph`,
:mod:`statusproof.checks.properties`), and :func:`statusproof.model.machine.unfold` still gives
the unfolded machine as a networkx graph to whoever wants one.

Searches (all breadth-first, so a first-found path is a shortest one and ties go to the order
of the nodes and edges): :func:`bfs_parents` (a search tree from several sources),
:func:`bfs_distances` and :func:`ancestors` over any adjacency mapping.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Generic, Protocol, TypeVar

from .model import Transition

__all__ = ["StateGraph", "Adjacency", "bfs_parents", "bfs_distances", "ancestors", "path_to"]

N = TypeVar("N", bound=Hashable)
K = TypeVar("K")


class Adjacency(Protocol[K]):
    """Each node's successors by node: a mapping, or a list indexed by node numbers."""

    def __getitem__(self, node: K, /) -> Iterable[K]: ...


class StateGraph(Generic[N]):
    """A directed multigraph whose edges carry a :class:`Transition` (see the module
    docstring for its order). ``initial`` lists the nodes where runs start, in order."""

    __slots__ = ("initial", "name", "succ")

    def __init__(self, name: str = "") -> None:
        self.succ: dict[N, dict[N, list[Transition]]] = {}
        self.initial: tuple[N, ...] = ()
        self.name = name

    def add_node(self, node: N) -> None:
        if node not in self.succ:
            self.succ[node] = {}

    def add_edge(self, source: N, target: N, transition: Transition) -> None:
        """Add an edge (and its nodes, source first, if they are new)."""
        out = self.succ.get(source)
        if out is None:
            out = self.succ[source] = {}
        if target not in self.succ:
            self.succ[target] = {}
        ways = out.get(target)
        if ways is None:
            out[target] = [transition]
        else:
            ways.append(transition)

    def __contains__(self, node: object) -> bool:
        return node in self.succ

    def __len__(self) -> int:
        return len(self.succ)

    @property
    def nodes(self) -> Iterable[N]:
        """The nodes, in the order they were added."""
        return self.succ.keys()

    def number_of_nodes(self) -> int:
        return len(self.succ)

    def number_of_edges(self) -> int:
        return sum(len(ways) for out in self.succ.values() for ways in out.values())

    def successors(self, node: N) -> Iterable[N]:
        """The targets of ``node``'s edges, each once, in the order of their first edge."""
        return self.succ[node].keys()

    def out_edges(self, node: N) -> Iterator[tuple[N, Transition]]:
        """``node``'s edges as (target, transition), grouped by target (see the module
        docstring)."""
        for target, ways in self.succ[node].items():
            for transition in ways:
                yield target, transition

    def first_transition(self, source: N, target: N) -> Transition:
        """The transition of the first edge from ``source`` to ``target``."""
        return self.succ[source][target][0]


def bfs_parents(adjacency: Adjacency[N], sources: Iterable[N],
                tick: Callable[[], None] | None = None) -> dict[N, N | None]:
    """The breadth-first search tree from ``sources`` (in order): each reached node's parent
    (None for a source), in the order the nodes were reached. Successors are followed in the
    adjacency's order, so the tree's paths are those networkx' ``multi_source_dijkstra_path``
    (unit weights) and ``single_source_shortest_path`` give. ``tick`` is called once per node
    taken from the queue (to check a time budget)."""
    parent: dict[N, N | None] = {}
    queue: deque[N] = deque()
    for source in sources:
        if source not in parent:
            parent[source] = None
            queue.append(source)
    while queue:
        node = queue.popleft()
        if tick is not None:
            tick()
        for target in adjacency[node]:
            if target not in parent:
                parent[target] = node
                queue.append(target)
    return parent


def bfs_distances(adjacency: Adjacency[N], sources: Iterable[N]) -> dict[N, int]:
    """The number of edges from the nearest of ``sources`` to every node reached."""
    distance: dict[N, int] = {}
    queue: deque[N] = deque()
    for source in sources:
        if source not in distance:
            distance[source] = 0
            queue.append(source)
    while queue:
        node = queue.popleft()
        step = distance[node] + 1
        for target in adjacency[node]:
            if target not in distance:
                distance[target] = step
                queue.append(target)
    return distance


def ancestors(successors: Mapping[N, Iterable[N]], goals: Iterable[N]) -> set[N]:
    """The nodes from which a node of ``goals`` can be reached by at least one edge (as
    networkx' ``ancestors`` of a single goal: a goal is included only when it is on a cycle
    back to a goal or reaches another goal)."""
    predecessors: dict[N, list[N]] = {}
    for source, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, []).append(source)
    found: set[N] = set()
    queue: deque[N] = deque(goals)
    while queue:
        node = queue.popleft()
        for source in predecessors.get(node, ()):
            if source not in found:
                found.add(source)
                queue.append(source)
    return found


def path_to(parent: Mapping[N, N | None], node: N) -> list[N]:
    """The path from a source of the search tree ``parent`` to ``node`` (which it reached)."""
    path = [node]
    step = parent[node]
    while step is not None:
        path.append(step)
        step = parent[step]
    return path[::-1]
