"""Where a finding points: its witness on a diagram, and the table cells it cites.

The report lets a reader click a finding and see it: the statuses it names and the steps of
its witness run highlighted on the picture, and the cells of the table it is about outlined.
:func:`finding_targets` works that out for one finding and one
:class:`~statusproof.render.elements.Diagram`:

- the witness run is the finding's ``trace`` evidence (a run of the machine) when it has one,
  else its ``witness`` path of statuses, else, for a finding about two statuses (a column
  mismatch), the step between them; each step is found among the transitions the diagram's
  edges draw (an edge drawing several transitions is highlighted whole), and the start of the
  run among the start edges;
- the exits a finding is about are added: the two exits that overlap (``timeout-overlap``),
  the exits beside a free ``none`` (``free-choice``) or not tied to the causes
  (``causes-not-tied``), the trigger's start edge (``outside-trigger``), and the steps that
  rest on a cell not read (``uninterpreted-entry``, ``inconclusive``);
- the cells are the finding's own table line and, for a step one column lists, the cell of
  the other column that does not list it back (found in the model, with its file, so a cell
  of an amendment file is never mistaken for a line of the table), and the cells not read
  that it is about.

An ``inconclusive`` finding points at what its verdict as read points at (its check's
witness), and at the cells it depends on (:mod:`~statusproof.render.unread`).

``missing`` counts the steps of the witness the diagram does not draw (folded away): the
report then shows the picture with every step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import pairwise
from typing import Any

from statusproof.checks.findings import Finding
from statusproof.model.model import Model, Transition
from statusproof.model.record import record
from statusproof.model.table import SourceSpan

from .elements import Diagram, Shape
from .unread import cells_of, inner, resting_on, unread_cells

__all__ = ["Targets", "DiagramIndex", "finding_targets", "cited_lines"]


@record
class Targets:
    """Node ids, edge ids and the witness steps a diagram does not draw."""

    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    missing: int


Step = tuple[str | None, Transition | None]


def _trace_steps(model: Model, data: Mapping[str, Any]) -> list[Step]:
    """(status, transition taken into it) for each step of trace data; transition None for the
    start; unknown transitions are skipped."""
    by_key: dict[tuple[object, object, object], Transition] = {
        (t.source, t.target, str(t.guard) if t.guard else None): t for t in model.transitions}
    steps: list[Step] = []
    for raw in data.get("steps") or []:
        if not isinstance(raw, Mapping):
            continue
        move = raw.get("transition")
        transition = None
        if isinstance(move, Mapping):
            transition = by_key.get((move.get("source"), move.get("target"), move.get("guard")))
            if transition is None:
                continue
        status = raw.get("status")
        steps.append((str(status) if status is not None else None, transition))
    return steps


def _path_steps(model: Model, path: Sequence[str]) -> list[Step]:
    steps: list[Step] = [(path[0], None)] if path else []
    for source, target in pairwise(path):
        found = next((t for t in model.outgoing(source) if t.target == target), None)
        steps.append((target, found))
    return steps


class DiagramIndex:
    """A diagram's nodes by status, edges by transition and start edges by entry node: built
    once, looked up for every finding."""

    def __init__(self, diagram: Diagram):
        self.node_of = {n.status: n.id for n in diagram.nodes if n.status is not None}
        self.edge_of: dict[Transition, str] = {}
        for edge in diagram.edges:
            for t in edge.transitions:
                self.edge_of.setdefault(t, edge.id)
        starts = {n.id for n in diagram.nodes if n.style.shape in (Shape.START, Shape.TRIGGER)}
        self.start_of = {e.target: e.id for e in diagram.edges if e.source in starts}


def _exits(model: Model, finding: Finding) -> list[Step]:
    """The exits a finding is about (see the module's docstring), as steps."""
    evidence = finding.evidence_dict()
    source = finding.statuses[0] if finding.statuses else None
    if source is None:
        return []
    if finding.code == "timeout-overlap":
        targets = list(finding.statuses[1:])
    elif finding.code == "free-choice":
        targets = [str(t) for t in evidence.get("next") or []]
    elif finding.code == "causes-not-tied":
        targets = [str(t) for t in evidence.get("exits") or []]
    else:
        return []
    return [(t.target, t) for t in model.outgoing(source) if t.target in targets]


def finding_targets(model: Model, diagram: Diagram | DiagramIndex,
                    finding: Finding) -> Targets:
    """What ``finding`` points at on ``diagram`` (see the module's docstring); give a
    :class:`DiagramIndex` when asking for many findings."""
    index = diagram if isinstance(diagram, DiagramIndex) else DiagramIndex(diagram)
    node_of, edge_of, start_of = index.node_of, index.edge_of, index.start_of
    view = inner(finding)
    trace = view.evidence_dict().get("trace")
    if isinstance(trace, Mapping):
        steps = _trace_steps(model, trace)
    elif view.witness:
        steps = _path_steps(model, view.witness)
    elif len(view.statuses) == 2:
        steps = [(s, t) for s, t in _path_steps(model, view.statuses) if t is not None]
    else:
        steps = []
    steps += _exits(model, view)
    unread = cells_of(model, unread_cells(model), finding) \
        if finding.code in ("uninterpreted-entry", "inconclusive") else []
    steps += [(t.target, t) for t in resting_on(model, unread)]
    nodes: list[str] = []
    edges: list[str] = []
    missing = 0
    for status, transition in steps:
        if status is not None and status in node_of and node_of[status] not in nodes:
            nodes.append(node_of[status])
        if transition is None:
            start = node_of.get(status or "")
            if start is not None and start in start_of and start_of[start] not in edges:
                edges.append(start_of[start])
            continue
        drawn = edge_of.get(transition)
        if drawn is None:
            missing += 1
        elif drawn not in edges:
            edges.append(drawn)
    for name in (*finding.statuses, *(c.status for c in unread)):
        if name in node_of and node_of[name] not in nodes:
            nodes.append(node_of[name])
    if finding.code == "outside-trigger" and finding.statuses:
        start = start_of.get(node_of.get(finding.statuses[0], ""))
        if start is not None and start not in edges:
            edges.append(start)
    return Targets(tuple(nodes), tuple(edges), missing)


def _other_cell(model: Model, finding: Finding) -> SourceSpan | None:
    """The cell of the other column that a one-column step's finding is about."""
    listed = finding.evidence_dict().get("listed_in")
    if len(finding.statuses) != 2 or listed not in ("next", "previous"):
        return None
    source, target = finding.statuses
    try:
        if listed == "next":
            return model.status(target).previous_span
        return model.status(source).next_span
    except KeyError:
        return None


def cited_lines(model: Model, finding: Finding) -> tuple[int, ...]:
    """The lines of the table file (``model.path``) whose cells ``finding`` cites: its own,
    the other column's cell of a one-column step, the cells not read it is about."""
    lines: list[int] = []
    for span in (finding.span, _other_cell(model, inner(finding))):
        if span is not None and span.path == model.path and span.line not in lines:
            lines.append(span.line)
    if finding.code in ("uninterpreted-entry", "inconclusive"):
        for cell in cells_of(model, unread_cells(model), finding):
            if cell.line is not None and cell.line not in lines:
                lines.append(cell.line)
    return tuple(lines)
