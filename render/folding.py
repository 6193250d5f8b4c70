"""Folding: which of a model's transitions a picture draws, and which it leaves out.

A table whose two columns disagree lists many steps in one column only while the other
column's cell, filled in, does not list them back (the ``column-mismatch`` finding). Drawn as
lines, they cross the whole picture and hide the lifecycle, so by default they are folded
away: not drawn, counted, and named in the caption. Everything else is always drawn:

- steps both columns list, amendments, guarded steps (history returns, conditions), steps a
  timer takes, terminations, and steps listed in one column where the other cell is empty or
  does not exist (``undocumented-link``, statuses without a row);
- steps that rest on a cell statusproof could not read (``Transition.depends``): that cell may
  list them, so they are not known to be mismatches (the check says ``inconclusive``);
- a folded step that a highlighted trace takes;
- folded steps the picture needs so that it tells the truth about reachability: when folding
  would make a status look unreachable from the entry points, or look like a trap (no way to
  a terminal status), the fewest folded steps that restore the path are drawn again.

``show_mismatches=True`` (``--show column-mismatches``) draws them all. This module decides
and explains; :mod:`~statusproof.render.diagram` draws what it keeps. A step is a mismatch by
the rule of :func:`statusproof.checks.columns.column_mismatches` (a test keeps the two equal).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Collection, Iterable, Mapping

from statusproof.model.model import Model, Transition
from statusproof.model.record import record
from statusproof.model.table import Column

__all__ = ["Folding", "fold", "is_mismatch", "hidden_note"]


def is_mismatch(model: Model, transition: Transition) -> bool:
    """Whether ``transition`` is listed in one column while the other column's cell is filled
    in and does not list it (the ``column-mismatch`` finding's rule)."""
    if transition.target is None or transition.amendment is not None \
            or len(transition.columns) != 1:
        return False
    (column,) = transition.columns
    try:
        if column is Column.NEXT:
            other = model.status(transition.target)
            return other.defined and other.previous_documented
        other = model.status(transition.source)
        return other.defined and other.next_documented
    except KeyError:  # a step naming no status of the model has no other cell to compare
        return False


@record
class Folding:
    """The outcome: ``hidden`` transitions are not drawn; ``restored`` are mismatches drawn
    all the same (a trace takes them, or the picture needs them for reachability)."""

    hidden: tuple[Transition, ...]
    restored: tuple[Transition, ...]
    mismatches: tuple[Transition, ...]


def _foldable(model: Model, transition: Transition, timed: Collection[tuple[str, str]]) -> bool:
    return (transition.guard is None and not transition.depends
            and is_mismatch(model, transition)
            and (transition.source, transition.target or "") not in timed)


def _cheapest_paths(starts: Iterable[str], edges: Mapping[str, list[tuple[str, Transition]]],
                    hidden: set[Transition]) -> dict[str, tuple[int, list[Transition]]]:
    """0-1 breadth-first search: for each status, the fewest hidden steps on a path to it
    from ``starts``, and those steps. Deterministic: ``edges`` lists steps in model order."""
    best: dict[str, tuple[int, list[Transition]]] = {}
    queue: deque[tuple[str, int, list[Transition]]] = deque()
    for start in starts:
        if start not in best:
            best[start] = (0, [])
            queue.append((start, 0, []))
    while queue:
        node, cost, path = queue.popleft()
        if best[node][0] < cost:
            continue
        for following, transition in edges.get(node, []):
            step = 1 if transition in hidden else 0
            total = cost + step
            if following not in best or total < best[following][0]:
                route = [*path, transition] if step else path
                best[following] = (total, route)
                if step:
                    queue.append((following, total, route))
                else:
                    queue.appendleft((following, total, route))
    return best


def _restore(model: Model, hidden: set[Transition], forward: bool) -> list[Transition]:
    """Hidden steps to draw again so that what reaches (or, backwards, is reached from) the
    entry points (terminals) in the model does so in the picture too."""
    edges: dict[str, list[tuple[str, Transition]]] = {}
    for t in model.transitions:
        if t.target is None:
            continue
        if forward:
            edges.setdefault(t.source, []).append((t.target, t))
        else:
            edges.setdefault(t.target, []).append((t.source, t))
    if forward:
        starts: list[str] = list(model.entries)
    else:
        ending = {t.source for t in model.transitions if t.target is None}
        starts = [s.name for s in model.statuses if s.terminal is not None or s.name in ending]
    best = _cheapest_paths(starts, edges, hidden)
    # the union of the hidden steps on a shortest-path tree: every status the model reaches
    # gets a path in the picture (one search; each route extends its predecessor's)
    restored: list[Transition] = []
    for name in model.names:
        if name in best:
            for t in best[name][1]:
                if t in hidden:
                    hidden.discard(t)
                    restored.append(t)
    return restored


def fold(model: Model, *, show_mismatches: bool = False,
         traced: Collection[Transition] = ()) -> Folding:
    """Which transitions of ``model`` the picture leaves out (see the module's docstring).

    ``traced`` are the transitions a highlighted trace takes: always drawn.

    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = ("Open\\n| New.\\n| none\\n| Closed\\n- Done\\n|\\nDone\\n| Finished.\\n| Open\\n"
    ...         "| Closed\\n|\\nClosed\\n| Over.\\n| Done\\n| none\\n|\\n")
    >>> model = interpret(load_text(text, "t.txt"))
    >>> [(t.source, t.target) for t in fold(model).hidden]
    [('Open', 'Closed')]
    >>> fold(model, show_mismatches=True).hidden
    ()
    """
    timed = {(t.status, t.target) for t in model.timers}
    mismatches = tuple(t for t in model.transitions if is_mismatch(model, t))
    if show_mismatches:
        return Folding((), (), mismatches)
    traced_set = set(traced)
    hidden = {t for t in mismatches if _foldable(model, t, timed) and t not in traced_set}
    restored = _restore(model, hidden, forward=True) + _restore(model, hidden, forward=False)
    order = {t: i for i, t in enumerate(model.transitions)}
    return Folding(tuple(sorted(hidden, key=order.__getitem__)),
                   tuple(sorted(set(restored), key=order.__getitem__)), mismatches)


def hidden_note(count: int) -> str:
    """The caption line that says how many steps are folded away (empty when none)."""
    if not count:
        return ""
    steps = "step" if count == 1 else "steps"
    return (f"{count} {steps} that one column lists and the other contradicts "
            "(column-mismatch) not drawn; --show column-mismatches draws them")
