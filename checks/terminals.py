"""Terminal statuses, classified, and traps: statuses from which no terminal can be reached."""

from __future__ import annotations

import networkx as nx

from statusproof.model.graph import shortest_witnesses, status_graph
from statusproof.model.model import Model, TerminalKind

from .findings import Finding, finding

__all__ = ["terminal_statuses", "traps"]

_SINK = "\x00end"

_HOW = {
    TerminalKind.DOCUMENTED: "its Next cell says 'none'",
    TerminalKind.EXIT: "it has no row: an exit named as a next status",
    TerminalKind.CONDITIONAL: "its Next cell says 'none if ...': it ends only under a condition",
}


def terminal_statuses(model: Model) -> list[Finding]:
    """One ``terminal-status`` finding per terminal, with its kind (documented, exit,
    conditional) and, for a conditional one, the condition."""
    found = []
    for status in model.statuses:
        if status.terminal is None:
            continue
        conditions = [str(t.guard) for t in model.outgoing(status.name)
                      if t.target is None and t.guard is not None]
        found.append(finding(
            "terminal-status",
            f"{status.name!r} is terminal ({status.terminal.value}): {_HOW[status.terminal]}"
            + (f" [{'; '.join(conditions)}]" if conditions else ""),
            [status.name], (), status.next_span or status.span,
            {"kind": status.terminal.value, "conditions": conditions}))
    return found


def traps(model: Model) -> list[Finding]:
    """``no-path-to-terminal`` for every status from which no terminal can be reached.

    The evidence names the statuses the run is then confined to (what it can still reach) and,
    when the trap is reachable, a shortest path into it.
    """
    graph = status_graph(model)
    # one reverse search from all terminals at once (via a sink no status can be named:
    # loaders reject NUL bytes), not one search per terminal
    ends: nx.DiGraph[str] = nx.DiGraph(graph)
    ends.add_edges_from((terminal, _SINK) for terminal in model.terminals)
    can_end = nx.ancestors(ends, _SINK) if model.terminals else set()
    trapped = graph.subgraph(n for n in model.names if n not in can_end)
    order = {name: i for i, name in enumerate(model.names)}
    witnesses = shortest_witnesses(model)
    found = []
    for status in model.statuses:
        if status.name in can_end:
            continue
        # whatever a trap leads to is a trap too, so the search stays inside the traps
        confined = sorted(nx.descendants(trapped, status.name) | {status.name},
                          key=order.__getitem__)
        found.append(finding(
            "no-path-to-terminal",
            f"no terminal status can be reached from {status.name!r}; a run there stays within "
            f"{{{', '.join(confined)}}}: give one of them a next status that leads to a terminal",
            [status.name], witnesses.get(status.name, ()), status.next_span or status.span,
            {"confined_to": confined}))
    return found
