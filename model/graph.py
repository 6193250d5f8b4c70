"""networkx views of a model.

:func:`status_graph` gives the status-level graph (one edge per transition, guards as edge
data); checks search it with networkx rather than by hand. The unfolded graph of the extended
machine (status plus remembered status) is in :mod:`statusproof.model.machine`.
"""

from __future__ import annotations

import networkx as nx

from .model import Model

__all__ = ["status_graph", "shortest_witnesses"]


def status_graph(model: Model) -> nx.MultiDiGraph[str]:
    """One node per status, one edge per transition (terminations are left out).

    Node data: ``entry``, ``terminal`` (a :class:`TerminalKind` or None), ``defined``.
    Edge data: ``transition`` (the :class:`Transition`). The graph is built once per model
    and frozen (:func:`networkx.freeze`); copy it to change it.
    """
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


def shortest_witnesses(model: Model, graph: nx.MultiDiGraph[str] | None = None
                       ) -> dict[str, tuple[str, ...]]:
    """For each status reachable from an entry point, a shortest path from one.

    Ties are broken by the order of the entry points and of the statuses in the table, so the
    witness is the same on every run.
    """
    memo = graph is None
    cached = model.derived.get("shortest_witnesses") if memo else None
    if isinstance(cached, dict):
        return dict(cached)
    graph = status_graph(model) if graph is None else graph
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
    if memo:
        model.derived["shortest_witnesses"] = dict(witnesses)
    return witnesses
