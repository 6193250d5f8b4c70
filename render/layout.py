"""Layout plans: which Graphviz engine draws a diagram, with which options, by its size.

Graphviz's ``dot`` draws a lifecycle best (ranks in reading order, frames as clusters), but
its cost grows fast with the number of steps. Written in reading order (every edge from the
lower rank to the higher, :mod:`~statusproof.render.order`), a generated table of 100 statuses
takes ``dot`` 0.3 s of CPU (it took 46 s when edges were written in table order: long back
edges became 15,000 virtual nodes), 200 statuses 7 s, 1,000 statuses more than 200 s. So the
plan depends on the size:

- ``dot`` (up to :data:`SMALL_STATUSES` statuses and :data:`SMALL_EDGES` edges): full
  quality, frames drawn as clusters;
- ``dot-fast`` (up to :data:`MEDIUM_STATUSES` statuses and :data:`MEDIUM_EDGES` edges):
  ``dot`` with bounded searches (network simplex and crossing minimisation limited, straight
  polyline edges);
- ``sfdp`` (anything larger): a force-directed overview with overlap removal and straight
  lines, which Graphviz lays out in seconds even for thousands of steps; frames are not drawn
  as boxes (their members keep their styles), labels stay.

A plan is plain data: :mod:`~statusproof.render.dot` writes it into the DOT text (the ``layout``
graph attribute chooses the engine, so running ``dot`` needs no extra argument), and the
command line can ask for a given plan (``--layout``) or fall back to a cheaper one when the
first did not finish in time.
"""

from __future__ import annotations

from statusproof.model.record import record

from .elements import Diagram

__all__ = ["LayoutPlan", "PLANS", "choose_layout", "plan_named", "cheaper",
           "SMALL_STATUSES", "SMALL_EDGES", "MEDIUM_STATUSES", "MEDIUM_EDGES"]

SMALL_STATUSES, SMALL_EDGES = 120, 400
MEDIUM_STATUSES, MEDIUM_EDGES = 500, 1600


@record
class LayoutPlan:
    """How to lay a diagram out: ``name`` of the plan, the Graphviz ``engine``, the graph
    attributes to add, and whether clusters (frames) are drawn."""

    name: str
    engine: str
    attrs: tuple[tuple[str, str], ...]
    clusters: bool
    description: str


PLANS = {
    "dot": LayoutPlan("dot", "dot", (), True, "Graphviz dot, ranks in reading order"),
    "dot-fast": LayoutPlan(
        "dot-fast", "dot",
        (("nslimit", "2"), ("nslimit1", "2"), ("mclimit", "0.3"), ("searchsize", "20"),
         ("splines", "polyline"), ("remincross", "false")),
        True, "Graphviz dot with bounded searches (a medium-sized table)"),
    "sfdp": LayoutPlan(
        "sfdp", "sfdp",
        (("overlap", "prism"), ("splines", "false"), ("outputorder", "edgesfirst"),
         ("K", "1.2"), ("repulsiveforce", "1.5")),
        False, "Graphviz sfdp, a force-directed overview (a large table)"),
}


def _size(diagram: Diagram) -> tuple[int, int]:
    statuses = sum(1 for n in diagram.nodes if n.status is not None)
    return statuses, len(diagram.edges)


def choose_layout(diagram: Diagram) -> LayoutPlan:
    """The plan for ``diagram`` by its number of statuses and edges.

    >>> from statusproof.render.elements import Diagram
    >>> choose_layout(Diagram("t", (), (), (), ())).name
    'dot'
    """
    statuses, edges = _size(diagram)
    if statuses <= SMALL_STATUSES and edges <= SMALL_EDGES:
        return PLANS["dot"]
    if statuses <= MEDIUM_STATUSES and edges <= MEDIUM_EDGES:
        return PLANS["dot-fast"]
    return PLANS["sfdp"]


def plan_named(name: str, diagram: Diagram) -> LayoutPlan:
    """The plan ``name`` (``auto`` chooses by size); ValueError for an unknown name."""
    if name == "auto":
        return choose_layout(diagram)
    if name not in PLANS:
        raise ValueError(f"unknown layout {name!r}; use auto, {', '.join(PLANS)}")
    return PLANS[name]


def cheaper(plan: LayoutPlan) -> LayoutPlan | None:
    """The next cheaper plan after ``plan``, or None when it is the cheapest."""
    names = list(PLANS)
    index = names.index(plan.name)
    return PLANS[names[index + 1]] if index + 1 < len(names) else None

