"""Terminal statuses, classified, and traps: statuses from which no terminal can be reached."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from statusproof.model.graph import path_tree
from statusproof.model.model import Model, TerminalKind

from .findings import Finding, Lazy, finding
from .reachability import SHOWN_STEPS, lazy_path

__all__ = ["terminal_statuses", "traps"]

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


def _can_end(model: Model, terminals: Sequence[str]) -> set[str]:
    """The statuses from which a terminal can be reached: one breadth-first search backwards
    from all terminals at once (not one per terminal, and without copying the graph)."""
    found = set(terminals)
    frontier = list(found)
    while frontier:
        following = []
        for name in frontier:
            for transition in model.incoming(name):
                source = transition.source
                if source not in found:
                    found.add(source)
                    following.append(source)
        frontier = following
    return found


def _confined(model: Model, start: str, can_end: set[str], limit: int) -> list[str]:
    """The statuses a run in the trap ``start`` can still reach (``start`` included), in the
    order a breadth-first search finds them, stopping once more than ``limit`` are found."""
    found = {start: None}
    frontier = [start]
    while frontier and len(found) <= limit:
        following = []
        for name in frontier:
            for transition in model.outgoing(name):
                target = transition.target
                # whatever a trap leads to is a trap too, so the search stays inside the traps
                if target is not None and target not in found and target not in can_end:
                    found[target] = None
                    following.append(target)
                    if len(found) > limit:
                        return list(found)
        frontier = following
    return list(found)


def _all_confined(model: Model, start: str, can_end: set[str], order: dict[str, int]
                  ) -> list[str]:
    return sorted(_confined(model, start, can_end, len(order)), key=order.__getitem__)


def traps(model: Model) -> list[Finding]:
    """``no-path-to-terminal`` for every status from which no terminal can be reached.

    The message names the statuses the run is then confined to (what it can still reach; the
    first :data:`~statusproof.checks.reachability.SHOWN_STEPS` when there are more), the
    evidence lists them all and, when the trap is reachable, a shortest path into it (both
    built only when shown, so that a table of many large traps costs linear memory).
    """
    can_end = _can_end(model, model.terminals)
    order = {name: i for i, name in enumerate(model.names)}
    tree = path_tree(model)
    found = []
    for status in model.statuses:
        if status.name in can_end:
            continue
        name = status.name
        near = _confined(model, name, can_end, SHOWN_STEPS)
        if len(near) <= SHOWN_STEPS:
            listed = sorted(near, key=order.__getitem__)
            confined: list[str] | Lazy = listed
            within = ", ".join(listed)
        else:
            confined = Lazy(partial(_all_confined, model, name, can_end, order))
            within = ", ".join(sorted(near[:SHOWN_STEPS], key=order.__getitem__)) + \
                ", and more"
        found.append(finding(
            "no-path-to-terminal",
            f"no terminal status can be reached from {name!r}; a run there stays within "
            f"{{{within}}}: give one of them a next status that leads to a terminal",
            [name], lazy_path(tree, name) if tree.reached(name) else (),
            status.next_span or status.span, {"confined_to": confined}))
    return found
