"""No verdict on a guess: findings that depend on a cell statusproof could not read.

A cell fragment the interpretation could not read (``uninterpreted-entry``) leaves the model
uncertain in two ways: the status's exits may be more than the model has (its Next cell may
say more: an *open* status), and some transitions exist only because the other column lists
them while the cell that should confirm them is not understood (``Transition.depends``).

:func:`settle` goes over the findings of any check and replaces every verdict that such
uncertainty could change by an ``inconclusive`` finding that names the check, the verdict it
would have given and the cells it depends on:

- a claim that something cannot happen (unreachable, no path to a terminal, history proved,
  guards exclusive, exits exclusive and complete, a dead guard, a gap, no way back, a
  property that holds) when an open status could make it happen;
- a claim that something happens, shown by a run, when the run takes an uncertain step (a
  reachability witness is replaced by a certain one when there is one);
- a column disagreement where the cell that lacks the step is not understood.

Everything else is kept as it is. Checks stay pure; this module is applied to their results
(:func:`statusproof.checks.graph_checks`, :func:`statusproof.checks.formal.formal_checks`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from statusproof.model.model import GuardKind, Model, Transition

from .findings import Finding, finding

__all__ = ["settle", "uncertain"]

#: Claims that something cannot happen: inconclusive when an open status is reachable.
_ABSENCE = {"unreachable-status", "history-proved", "property-holds", "no-incoming"}
#: Verdicts about one status's exits and reachable states.
_EXITS = {"guards-exclusive", "dead-guard", "guard-gap", "timeout-exclusive", "causes-not-tied",
          "timeout-overlap"}


def uncertain(model: Model) -> bool:
    """Whether anything in the model depends on a fragment statusproof could not read."""
    return any(s.unread_next or s.unread_previous for s in model.statuses) or any(
        t.depends for t in model.transitions)


def _reachable(model: Model, certain_only: bool) -> dict[str, tuple[str, ...]]:
    """A shortest path from an entry point to each reachable status (model order breaks
    ties), over all transitions or over those that depend on nothing unread."""
    order = {name: i for i, name in enumerate(model.names)}
    paths: dict[str, tuple[str, ...]] = {name: (name,) for name in model.entries}
    frontier = list(model.entries)
    while frontier:
        following = []
        for name in frontier:
            targets = sorted({t.target for t in model.outgoing(name)
                              if t.target is not None and not (certain_only and t.depends)},
                             key=order.__getitem__)
            for target in targets:
                if target not in paths:
                    paths[target] = (*paths[name], target)
                    following.append(target)
        frontier = following
    return paths


def _cells(model: Model, names: Iterable[str]) -> list[str]:
    out: list[str] = []
    for name in names:
        status = model.status(name)
        out.extend(f"the Next cell of {name!r}, {u}" for u in status.unread_next)
    return out


def _trace_steps(evidence: dict[str, Any]) -> list[tuple[str | None, str | None, str | None]]:
    """The steps (source, target, guard text) of the run in ``evidence["trace"]``."""
    trace = evidence.get("trace")
    if not isinstance(trace, dict):
        return []
    out = []
    for step in trace.get("steps", []):
        t = step.get("transition")
        if isinstance(t, dict):
            out.append((t.get("source"), t.get("target"), t.get("guard")))
    return out


class _Uncertainty:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.open = [s.name for s in model.statuses if s.unread_next]
        self.all_paths = _reachable(model, False)
        self.certain_paths = _reachable(model, True)
        self.open_reachable = [n for n in self.open if n in self.all_paths]
        self.uncertain_steps: dict[tuple[str, str | None], Transition] = {
            (t.source, t.target): t for t in model.transitions if t.depends}

    def of_path(self, path: Sequence[str]) -> list[str]:
        """What the status path ``path`` depends on (its steps, all of one kind)."""
        out: list[str] = []
        for source, target in pairwise(path):
            ways = [t for t in self.model.outgoing(source) if t.target == target]
            if ways and all(t.depends for t in ways):
                out.extend(d for t in ways for d in t.depends)
        return out

    def of_trace(self, evidence: dict[str, Any]) -> list[str]:
        out: list[str] = []
        for source, target, guard in _trace_steps(evidence):
            if source is None:
                continue
            ways = [t for t in self.model.outgoing(source) if t.target == target
                    and (str(t.guard) if t.guard else None) == guard]
            out.extend(d for t in ways for d in t.depends)
        return out

    def of_exits(self, name: str) -> list[str]:
        """What the exits and reachable states of ``name`` depend on."""
        status = self.model.status(name)
        out = [f"the Next cell of {name!r}, {u}" for u in status.unread_next]
        out.extend(d for t in self.model.outgoing(name) for d in t.depends)
        reads_history = any(t.guard is not None and t.guard.kind is GuardKind.HISTORY
                            for t in self.model.outgoing(name))
        if reads_history:
            out.extend(_cells(self.model, [n for n in self.open_reachable if n != name]))
        return out

    def depends(self, f: Finding) -> list[str]:
        evidence = f.evidence_dict()
        code = f.code
        if code in _ABSENCE:
            found = _cells(self.model, self.open_reachable)
            if code in ("unreachable-status", "no-incoming") and f.statuses:
                status = self.model.status(f.statuses[0])  # its own Previous cell may say
                found.extend(f"the Previous cell of {status.name!r}, {u}"
                             for u in status.unread_previous)
            if code in ("history-proved", "property-holds"):
                found.extend(d for t in self.model.transitions if t.source in self.all_paths
                             for d in t.depends)
            return found
        if code == "reachable-status" and f.statuses:
            if f.statuses[0] not in self.certain_paths:
                return self.of_path(f.witness)
            return []
        if code == "no-path-to-terminal":
            confined = evidence.get("confined_to", [])
            return _cells(self.model, [n for n in confined if n in self.open])
        if code in ("column-mismatch", "undocumented-link") and len(f.statuses) == 2:
            source, target = f.statuses
            if evidence.get("listed_in") == "next":
                return [f"the Previous cell of {target!r}, {u}"
                        for u in self.model.status(target).unread_previous]
            return [f"the Next cell of {source!r}, {u}"
                    for u in self.model.status(source).unread_next]
        if code in _EXITS and f.statuses:
            found = self.of_exits(f.statuses[0])
            if code == "timeout-overlap":  # an overlap of steps as read stays an overlap
                found = [d for d in found if not d.startswith("the Next cell")]
            return found + self.of_trace(evidence)
        if code in ("history-lost", "no-way-back"):
            return _cells(self.model, self.open_reachable) + self.of_trace(evidence)
        if code == "no-entry-point":
            return [f"the Previous cell of {s.name!r}, {u}" for s in self.model.statuses
                    for u in s.unread_previous]
        return self.of_trace(evidence)


def settle(model: Model, findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with every verdict that depends on an unread fragment made
    ``inconclusive`` (see the module docstring)."""
    items = list(findings)
    if not uncertain(model):
        return items
    state = _Uncertainty(model)
    out = []
    for f in items:
        if f.code in ("inconclusive", "uninterpreted-entry"):
            out.append(f)
            continue
        depends = list(dict.fromkeys(state.depends(f)))
        if not depends:
            if f.code == "reachable-status" and f.statuses and state.of_path(f.witness):
                path = state.certain_paths[f.statuses[0]]
                f = finding(f.code, f"{f.statuses[0]!r} is reachable: " + " -> ".join(path),
                            f.statuses, path, f.span, f.evidence_dict())
            out.append(f)
            continue
        out.append(finding(
            "inconclusive",
            f"{f.code}: inconclusive, as it depends on what statusproof could not read "
            f"({'; '.join(depends)}). As read, the check says: {f.message}",
            f.statuses, f.witness, f.span,
            {"check": f.code, "verdict": f.message, "depends_on": depends,
             "evidence": f.evidence_dict()}))
    return out
