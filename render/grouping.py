"""Grouping: which steps a diagram draws once for several statuses, and each step's column mark.

Pure functions over a model (and the steps :mod:`~statusproof.render.folding` left out), used
by :mod:`~statusproof.render.diagram`:

- :func:`column_roles`: how far the two columns agree on a step (both, one column with the
  other cell empty, one column against the other, an amendment);
- :func:`history_routes`: the history returns drawn through one H node;
- :func:`group_exits`: the steps every status of the remembering group takes alike, drawn
  once from the group's frame;
- :func:`family_frames`: families of statuses that take the same plain steps
  (:mod:`~statusproof.render.families`), each drawn as a frame with its shared steps.
"""

from __future__ import annotations

from collections.abc import Collection

from statusproof.model.model import GuardKind, Model, Transition
from statusproof.model.record import record
from statusproof.model.table import Column

from .elements import Role
from .families import find_families
from .folding import is_mismatch
from .layout import SMALL_STATUSES

__all__ = ["column_roles", "history_routes", "group_exits", "family_frames", "FamilyFrame",
           "FAMILY_LIMIT"]

#: Families are looked for in tables of at most this many statuses (drawn with clusters).
FAMILY_LIMIT = SMALL_STATUSES


def column_roles(model: Model, transition: Transition) -> tuple[Role, ...]:
    """The column agreement of a step: both, one column (the other cell empty or missing),
    one column against the other (a mismatch), or an amendment. A step that rests on a cell
    statusproof could not read is never called a mismatch: that cell may list it."""
    if transition.amendment is not None:
        return (Role.AMENDMENT,)
    if transition.columns == frozenset({Column.NEXT}):
        role = Role.NEXT_ONLY
    elif transition.columns == frozenset({Column.PREVIOUS}):
        role = Role.PREVIOUS_ONLY
    else:
        return (Role.STEP,)
    if transition.depends or not is_mismatch(model, transition):
        return (role,)
    return (role, Role.MISMATCH)


def history_routes(model: Model) -> tuple[set[Transition], list[tuple[str, list[Transition]]]]:
    """History returns drawn through H: the transitions, and per target the group.

    A return goes through H only when every remembering status with a return has the same
    one (same target, guard, columns and amendment); any other is drawn from its status.
    """
    remembering = set(model.remembering)
    returns = [t for t in model.transitions
               if t.guard is not None and t.guard.kind is GuardKind.HISTORY
               and t.source in remembering and t.target is not None]
    sources = {t.source for t in returns}
    groups: dict[tuple[str, str, frozenset[Column], str | None, tuple[str, ...]],
                 list[Transition]] = {}
    for t in returns:
        assert t.target is not None and t.guard is not None
        groups.setdefault((t.target, str(t.guard), t.columns, t.amendment, t.depends),
                          []).append(t)
    routed: set[Transition] = set()
    by_target: dict[str, list[Transition]] = {}
    for group in groups.values():
        if {t.source for t in group} == sources:
            routed.update(group)
            target = group[0].target
            assert target is not None
            by_target.setdefault(target, []).extend(group)
    return routed, list(by_target.items())


def group_exits(model: Model, routed: Collection[Transition],
                hidden: Collection[Transition]) -> set[Transition]:
    """Steps every status of the remembering group takes alike: drawn once, from the frame.

    A step out of the group (same target, guard, columns and amendment) that every
    remembering status lists is one edge from the group's frame, as a statechart draws a
    transition of a composite state.
    """
    members = model.remembering
    if len(members) < 2:
        return set()
    inside = set(members)
    groups: dict[tuple[str, str, frozenset[Column], str | None], list[Transition]] = {}
    for t in model.transitions:
        if t.source in inside and t.target is not None and t.target not in inside \
                and t not in routed and t not in hidden and not t.depends:
            key = (t.target, str(t.guard) if t.guard else "", t.columns, t.amendment)
            groups.setdefault(key, []).append(t)
    shared: set[Transition] = set()
    for group in groups.values():
        if {t.source for t in group} == inside:
            shared.update(group)
    return shared


@record
class FamilyFrame:
    """A family: its statuses (table order) and the steps drawn from its frame."""

    members: tuple[str, ...]
    steps: tuple[Transition, ...]


def family_frames(model: Model, routed: Collection[Transition],
                  hidden: Collection[Transition]) -> list[FamilyFrame]:
    """Families of statuses outside the remembering group that take the same plain steps
    (no guard, no timer, no amendment), with the steps each frame draws; none on tables of
    more than :data:`FAMILY_LIMIT` statuses."""
    if len(model.statuses) > FAMILY_LIMIT:
        return []
    timed = {(t.status, t.target) for t in model.timers}

    def plain(t: Transition) -> bool:
        return (t.target is not None and t.guard is None and t.amendment is None
                and not t.depends and t not in routed and t not in hidden
                and (t.source, t.target) not in timed)

    steps: dict[str, set[tuple[str, tuple[Role, ...]]]] = {}
    for t in model.transitions:
        if plain(t):
            assert t.target is not None
            steps.setdefault(t.source, set()).add((t.target, column_roles(model, t)))
    targets = {key: key[0] for keys in steps.values() for key in keys}
    frames = []
    for family in find_families(steps, model.names, model.remembering, targets):
        members, shared = set(family.members), set(family.shared)
        drawn = tuple(t for t in model.transitions if t.source in members and plain(t)
                      and (t.target, column_roles(model, t)) in shared)
        frames.append(FamilyFrame(family.members, drawn))
    return frames
