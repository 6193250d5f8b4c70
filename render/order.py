"""Reading order: one edge per pair of statuses, and a rank for every node.

Two decisions every renderer shares, taken on the edges :mod:`~statusproof.render.diagram`
built:

- :func:`merge_opposite`: two plain steps between the same two statuses, one each way
  (``A -> B`` and ``B -> A``, neither labelled nor highlighted), become one edge with an
  arrowhead at each end, each end keeping its own column mark; so two statuses are joined by
  one line at most.
- :func:`reading_ranks`: the rank of each node is its breadth-first distance from the start
  nodes over the drawn steps (the entry points come first), terminal statuses that lead
  nowhere are put on the last rank, and nodes no drawn step reaches get a rank next to their
  neighbours. Renderers lay every edge out from the lower rank to the higher one (an arrow
  pointing back up is drawn reversed), so the picture reads from top to bottom.

Nothing here knows a model or an output format.
"""

from __future__ import annotations

from collections.abc import Sequence

from statusproof.model.record import replace

from .elements import Edge, Node, Role, Shape

__all__ = ["merge_opposite", "reading_ranks"]


def _plain(edge: Edge) -> bool:
    return (not edge.labels and not edge.steps and edge.from_cluster is None
            and edge.tail is None and bool(edge.transitions)
            and Role.HISTORY_RETURN not in edge.roles and Role.TERMINATION not in edge.roles)


def merge_opposite(edges: Sequence[Edge]) -> tuple[Edge, ...]:
    """``edges`` with every pair of opposite plain edges merged into the first of the two.

    Two edges merge when both are plain status-to-status steps (no label, no trace step, not
    drawn from a frame) and draw with the same line: the merged edge keeps the first edge's
    id, style and direction, takes the other's transitions, and records its column mark as
    ``tail``. Edge ids stay as they were (the second id is simply gone).
    """
    by_pair = {(e.source, e.target): i for i, e in enumerate(edges) if _plain(e)}
    merged: dict[int, Edge] = {}
    dropped: set[int] = set()
    for index, edge in enumerate(edges):
        if index in dropped or not _plain(edge):
            continue
        other = by_pair.get((edge.target, edge.source))
        if other is None or other <= index:
            continue
        back = edges[other]
        if back.style.line is not edge.style.line:
            continue
        merged[index] = replace(edge, transitions=edge.transitions + back.transitions,
                                tail=back.head)
        dropped.add(other)
    return tuple(merged.get(i, e) for i, e in enumerate(edges) if i not in dropped)


def reading_ranks(nodes: Sequence[Node], edges: Sequence[Edge]) -> dict[str, int]:
    """The reading-order rank of every node (see the module's docstring)."""
    order = {n.id: i for i, n in enumerate(nodes)}
    successors: dict[str, list[str]] = {n.id: [] for n in nodes}
    predecessors: dict[str, list[str]] = {n.id: [] for n in nodes}

    def link(a: str, b: str) -> None:
        if a in successors and b in successors:
            successors[a].append(b)
            predecessors[b].append(a)

    for edge in edges:
        link(edge.source, edge.target)
        if edge.tail is not None:
            link(edge.target, edge.source)
    starts = [n.id for n in nodes if n.style.shape in (Shape.START, Shape.TRIGGER)]
    ranks: dict[str, int] = {}
    frontier = list(starts)
    for start in frontier:
        ranks[start] = 0
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(successors[node], key=order.__getitem__):
                if nxt not in ranks:
                    ranks[nxt] = ranks[node] + 1
                    following.append(nxt)
        frontier = following
    # nodes no drawn step reaches from a start: next to a ranked neighbour, else on top
    pending = [n.id for n in nodes if n.id not in ranks]
    while pending:
        progress = False
        for node in list(pending):
            before = [ranks[p] for p in predecessors[node] if p in ranks]
            after = [ranks[s] for s in successors[node] if s in ranks]
            if before or after:
                ranks[node] = min(before) + 1 if before else max(min(after) - 1, 0)
                pending.remove(node)
                progress = True
        if not progress:
            for node in pending:
                ranks[node] = 0
            break
    # terminal statuses that lead nowhere on the last rank; the end of a run just below its
    # status
    ends = [n.id for n in nodes if n.style.shape is Shape.END]
    sinks = [n.id for n in nodes if Role.TERMINAL in n.roles and not successors[n.id]]
    inner = [r for node, r in ranks.items() if node not in ends]
    if sinks and inner:
        top = max(inner)
        last = top if all(ranks[s] == top for s in sinks) else top + 1
        for node in sinks:
            ranks[node] = last
    for node in ends:
        before = [ranks[p] for p in predecessors[node]]
        if before:
            ranks[node] = max(before) + 1
    return ranks
