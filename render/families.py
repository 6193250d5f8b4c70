"""Families: statuses that take the same steps, drawn as one frame with shared exits.

Many lifecycles let several statuses go to the same places (in the Rescue table, Active,
Incoming, On Hold and Outgoing can each be closed by the customer, reboot or reconnect).
Drawn one line per step, that is a fan of parallel lines; a statechart draws it once, from a
frame around the statuses. :func:`find_families` picks such groups greedily: a family is at
least :data:`MIN_MEMBERS` statuses that all take at least :data:`MIN_TARGETS` steps alike (same
target and same kind of step), chosen to remove the most lines first. Each status belongs to
one family at most, and statuses already framed (the remembering group) are left alone.

The input is plain data (a status's steps as ``(target, kind)`` keys), so this module knows
neither models nor output formats; :mod:`~statusproof.render.diagram` draws what it finds.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from itertools import combinations
from typing import Generic, TypeVar

from statusproof.model.record import record

__all__ = ["Family", "find_families", "MIN_MEMBERS", "MIN_TARGETS"]

#: The fewest statuses a family has, and the fewest steps they must share.
MIN_MEMBERS = 3
MIN_TARGETS = 2


K = TypeVar("K", bound=Hashable)


@record
class Family(Generic[K]):
    """Statuses (``members``, in table order) that all take the steps ``shared``."""

    members: tuple[str, ...]
    shared: tuple[K, ...]


def find_families(steps: Mapping[str, Collection[K]], order: Sequence[str],
                  exclude: Collection[str] = (),
                  target: Mapping[K, str] | None = None) -> list[Family[K]]:
    """Families among ``steps`` (status -> its step keys), deterministic for a given ``order``
    (the statuses in table order; keys are ordered by first appearance in it). ``target``
    names the status a key leads to: a family never shares a step into one of its members.

    >>> steps = {"A": {"X", "Y", "Z"}, "B": {"X", "Y"}, "C": {"X", "Y", "W"}, "D": {"Z"}}
    >>> find_families(steps, ["A", "B", "C", "D"])
    [Family(members=('A', 'B', 'C'), shared=('X', 'Y'))]
    """
    position = {name: i for i, name in enumerate(order)}
    keys: list[K] = []
    seen: set[K] = set()
    for name in order:
        for key in sorted(steps.get(name, ()), key=repr):
            if key not in seen:
                seen.add(key)
                keys.append(key)
    used = set(exclude)
    remaining = {name: set(keys_) for name, keys_ in steps.items() if name not in used}
    families: list[Family[K]] = []
    while True:
        sources: dict[K, frozenset[str]] = {}
        for key in keys:
            members = frozenset(n for n, ks in remaining.items() if key in ks)
            if len(members) >= MIN_MEMBERS:
                sources[key] = members
        candidates: list[frozenset[str]] = []
        for group in sources.values():
            if group not in candidates:
                candidates.append(group)
        for a, b in combinations(list(candidates), 2):
            common = a & b
            if len(common) >= MIN_MEMBERS and common not in candidates:
                candidates.append(common)
        best: tuple[int, frozenset[str], list[K]] | None = None
        for group in candidates:
            shared = [k for k, members in sources.items() if group <= members
                      and (target is None or target.get(k) not in group)]
            saving = (len(group) - 1) * len(shared)
            if len(shared) >= MIN_TARGETS and (best is None or saving > best[0]):
                best = (saving, group, shared)
        if best is None:
            return families
        _, group, shared = best
        chosen = tuple(sorted(group, key=position.__getitem__))
        families.append(Family(chosen, tuple(shared)))
        for name in chosen:
            del remaining[name]
