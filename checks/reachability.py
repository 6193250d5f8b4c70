"""Reachability from the entry points: entry points, shortest witnesses, unreachable statuses,
and rows that nothing leads to. Graph searches are networkx's (via
:func:`statusproof.model.graph.shortest_witnesses`)."""

from __future__ import annotations

from statusproof.model.graph import shortest_witnesses, status_graph
from statusproof.model.model import Model

from .findings import Finding, finding

__all__ = ["entry_points", "reachability", "rows_nothing_leads_to"]


def entry_points(model: Model) -> list[Finding]:
    """One ``entry-point`` finding per entry point, or ``no-entry-point`` when there is none."""
    found = []
    for status in model.statuses:
        if not status.entry:
            continue
        how = ("external trigger: " + "; ".join(repr(t) for t in status.triggers)
               if status.triggers else "its Previous cell says 'none'")
        found.append(finding("entry-point", f"{status.name!r} is an entry point ({how})",
                             [status.name], [status.name], status.previous_span or status.span,
                             {"triggers": list(status.triggers)}))
    if not found:
        found.append(finding(
            "no-entry-point",
            "no status is an entry point: no Previous cell says 'none' or names an external "
            "trigger, so no run can start; write 'none' in the Previous cell of the first status",
        ))
    return found


def reachability(model: Model) -> list[Finding]:
    """``reachable-status`` with a shortest witness for each reachable status, and
    ``unreachable-status`` for every row no path from an entry point reaches."""
    witnesses = shortest_witnesses(model)
    found = []
    for status in model.statuses:
        path = witnesses.get(status.name)
        if path is not None:
            found.append(finding(
                "reachable-status",
                f"{status.name!r} is reachable: " + " -> ".join(path),
                [status.name], path, status.span))
        elif model.entries:
            found.append(finding(
                "unreachable-status",
                f"{status.name!r} cannot be reached from any entry point "
                f"({', '.join(model.entries)}); list it as the next status of a reachable "
                "status, or fill its Previous cell",
                [status.name], (), status.span))
    return found


def rows_nothing_leads_to(model: Model) -> list[Finding]:
    """``no-incoming`` for each row that is no entry point and that no transition enters."""
    graph = status_graph(model)
    found = []
    for status in model.statuses:
        if status.defined and not status.entry and graph.in_degree(status.name) == 0:
            found.append(finding(
                "no-incoming",
                f"nothing leads to {status.name!r}: it is not an entry point, no Next cell lists "
                "it and its Previous cell names no status",
                [status.name], (), status.span))
    return found
