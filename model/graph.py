"""networkx views of a model, and its shortest paths.

:func:`status_graph` gives the status-level graph (one edge per transition, guards as edge
data); checks search it with networkx rather than by hand. :func:`path_tree` keeps the
shortest paths from the entry points as one search tree (predecessors), from which a witness
path is built only when it is shown. The unfolded graph of the extended
machine (status plus remembered status) is in :mod:`statusproof.model.machine`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .model import Model
from .record import record

if TYPE_CHECKING:  # networkx is imported where a graph is built: not for path_tree
    import networkx as nx

__all__ = ["status_graph", "PathTree", "path_tree", "shortest_witnesses"]


def status_graph(model: Model) -> nx.MultiDiGraph[str]:
    """One node per status, one edge per transition (terminations are left out).

    Node data: ``entry``, ``terminal`` (a :class:`TerminalKind` or None), ``defined``.
    Edge data: ``transition`` (the :class:`Transition`). The graph is built once per model
    and frozen (:func:`networkx.freeze`); copy it to change it.
    """
    import networkx as nx

    cached = model.derived.get("status_graph")
    if isinstance(cached, nx.MultiDiGraph):
        return cached
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph(name=model.path)
    for status in model.statuses:
        graph.add_node(status.name, entry=status.entry, terminal=status.terminal,
                       defined=status.defined)
    for index, transition in enumerate(model.transitions):
        if transition.target is not None:
            graph.add_edge(transition.source, transition.target, key=index,
                           transition=transition)
    nx.freeze(graph)
    model.derived["status_graph"] = graph
    return graph


@record
class PathTree:
    """Shortest paths from the entry points, kept as a breadth-first search tree.

    ``parent`` maps each reached status to the status it was reached from (None for an entry
    point), ``depth`` to its distance from an entry point and ``root`` to that entry point. A
    path is built only when asked for, so the tree costs memory linear in the table however
    long its paths are.
    """

    parent: dict[str, str | None]
    depth: dict[str, int]
    root: dict[str, str]

    def reached(self, name: str) -> bool:
        return name in self.parent

    def tail(self, name: str, count: int) -> tuple[str, ...]:
        """The last ``count`` statuses of the path to ``name`` (all of it when shorter)."""
        found = [name]
        node: str | None = self.parent[name]
        while node is not None and len(found) < count:
            found.append(node)
            node = self.parent[node]
        return tuple(found[::-1])

    def path(self, name: str) -> tuple[str, ...]:
        """The shortest path from an entry point to ``name`` (which must be reached)."""
        return self.tail(name, self.depth[name] + 1)


def path_tree(model: Model) -> PathTree:
    """The shortest paths from the entry points, built once per model.

    A multi-source breadth-first search: the entry points in table order, each status's
    successors in table order, and the first status to reach another is its parent. So ties go
    to the earlier entry point and the earlier status, and the paths are the same on every run.
    """
    cached = model.derived.get("path_tree")
    if isinstance(cached, PathTree):
        return cached
    order = {name: i for i, name in enumerate(model.names)}
    parent: dict[str, str | None] = {}
    depth: dict[str, int] = {}
    root: dict[str, str] = {}
    frontier: list[str] = []
    for name in model.entries:
        if name not in parent:
            parent[name] = None
            depth[name] = 0
            root[name] = name
            frontier.append(name)
    while frontier:
        following: list[str] = []
        for name in frontier:
            targets = {t.target for t in model.outgoing(name) if t.target is not None}
            for target in sorted(targets, key=order.__getitem__):
                if target not in parent:
                    parent[target] = name
                    depth[target] = depth[name] + 1
                    root[target] = root[name]
                    following.append(target)
        frontier = following
    tree = PathTree(parent, depth, root)
    model.derived["path_tree"] = tree
    return tree


def shortest_witnesses(model: Model, graph: nx.MultiDiGraph[str] | None = None
                       ) -> dict[str, tuple[str, ...]]:
    """For each status reachable from an entry point, a shortest path from one.

    Ties are broken by the order of the entry points and of the statuses in the table, so the
    witness is the same on every run. Every path is built, which costs the sum of their
    lengths: the checks use :func:`path_tree` and build a path only when it is shown.
    """
    if graph is None:
        tree = path_tree(model)
        return {name: tree.path(name) for name in tree.parent}
    import networkx as nx

    order = {name: i for i, name in enumerate(model.names)}
    simple: nx.DiGraph[str] = nx.DiGraph()
    simple.add_nodes_from(model.names)
    simple.add_edges_from(sorted({(u, v) for u, v in graph.edges()},
                                 key=lambda e: (order[e[0]], order[e[1]])))
    witnesses: dict[str, tuple[str, ...]] = {}
    # multi-source BFS, entries in table order: the first entry to reach a status wins ties
    frontier: list[tuple[str, ...]] = [(name,) for name in model.entries]
    for path in frontier:
        witnesses.setdefault(path[-1], path)
    while frontier:
        following = []
        for path in frontier:
            for successor in sorted(simple.successors(path[-1]), key=order.__getitem__):
                if successor not in witnesses:
                    witnesses[successor] = (*path, successor)
                    following.append(witnesses[successor])
        frontier = following
    return witnesses
