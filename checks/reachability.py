"""Reachability from the entry points: entry points, shortest witnesses, unreachable statuses,
and rows that nothing leads to.

The shortest paths come from one search tree per model
(:func:`statusproof.model.graph.path_tree`); each finding carries its witness as a
:class:`~statusproof.checks.findings.Lazy` path, built only when it is shown, and a message
that names at most :data:`SHOWN_STEPS` statuses of it. So the check costs time and memory
linear in the table, even on a chain of 100,000 statuses whose paths alone would be quadratic.
"""

from __future__ import annotations

from collections.abc import Sequence

from statusproof.model.graph import PathTree, path_tree
from statusproof.model.model import Model

from .findings import Finding, Lazy, finding

__all__ = ["entry_points", "reachability", "rows_nothing_leads_to", "lazy_path", "shown_path",
           "listing", "SHOWN_STEPS"]

#: The most statuses of a path a message names; a longer one is shortened in the middle.
SHOWN_STEPS = 12


def listing(names: Sequence[str], limit: int = SHOWN_STEPS) -> str:
    """``names`` joined by commas; past ``limit`` of them, the first ones and how many more
    (so that a message stays short however large the table)."""
    if len(names) <= limit:
        return ", ".join(names)
    return ", ".join(names[:limit - 1]) + f" and {len(names) - limit + 1} more"


def lazy_path(tree: PathTree, name: str) -> Lazy | tuple[str, ...]:
    """The shortest path to ``name`` as a witness: lazy unless it is the entry point alone."""
    if tree.depth[name] == 0:
        return (name,)
    return Lazy(lambda: tree.path(name))


def shown_path(tree: PathTree, name: str) -> str:
    """The shortest path to ``name`` for a message: whole when it has at most
    :data:`SHOWN_STEPS` statuses, else its entry point, ``...`` and its last statuses, with
    the number of steps."""
    steps = tree.depth[name]
    if steps < SHOWN_STEPS:
        return " -> ".join(tree.path(name))
    return (f"{tree.root[name]} -> ... -> " + " -> ".join(tree.tail(name, SHOWN_STEPS - 2))
            + f" ({steps} steps)")


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
    tree = path_tree(model)
    found = []
    for status in model.statuses:
        if tree.reached(status.name):
            found.append(finding(
                "reachable-status",
                f"{status.name!r} is reachable: " + shown_path(tree, status.name),
                [status.name], lazy_path(tree, status.name), status.span))
        elif model.entries:
            found.append(finding(
                "unreachable-status",
                f"{status.name!r} cannot be reached from any entry point "
                f"({listing(model.entries)}); list it as the next status of a reachable "
                "status, or fill its Previous cell",
                [status.name], (), status.span))
    return found


def rows_nothing_leads_to(model: Model) -> list[Finding]:
    """``no-incoming`` for each row that is no entry point and that no transition enters."""
    found = []
    for status in model.statuses:
        if status.defined and not status.entry and not model.incoming(status.name):
            found.append(finding(
                "no-incoming",
                f"nothing leads to {status.name!r}: it is not an entry point, no Next cell lists "
                "it and its Previous cell names no status",
                [status.name], (), status.span))
    return found
