"""The elements of a neutral diagram: nodes, edges, clusters, styles, legend entries.

Plain frozen dataclasses and enums with no output syntax: :mod:`~statusproof.render.diagram`
builds them from a model, and each renderer (:mod:`~statusproof.render.dot`,
:mod:`~statusproof.render.mermaid`, :mod:`~statusproof.render.html`) turns them into its own
format. Which style each role gets is :mod:`~statusproof.render.style`'s business.
"""

from __future__ import annotations

from enum import Enum

from statusproof.model.model import Transition
from statusproof.model.record import record

__all__ = ["Shape", "Line", "Role", "NodeStyle", "EdgeStyle", "EdgeLabel", "Node", "Edge",
           "Cluster", "LegendItem", "Diagram"]


class Shape(Enum):
    """The outline of a node, named for what it means rather than how a format draws it."""

    STATUS = "status"  # a status with a row: rounded box
    NO_ROW = "no-row"  # a status named in a cell but without a row: square box, dashed
    START = "start"  # a filled dot: a run starts here ('none' in a Previous cell)
    TRIGGER = "trigger"  # plain text: an external trigger that starts a run
    HISTORY = "history"  # a circled H: return to the remembered status
    END = "end"  # a bull's eye: the run ends here (a conditional termination)


class Line(Enum):
    SOLID = "solid"
    DASHED = "dashed"
    DOTTED = "dotted"


class Role(Enum):
    """What a node or an edge stands for; each role has one style and one legend entry."""

    # nodes
    STATUS = "status"
    ENTRY = "entry"
    TERMINAL = "terminal"
    NO_ROW = "no-row"
    UNREACHABLE = "unreachable"
    TRAP = "trap"
    ERROR = "error"
    START = "start"
    TRIGGER = "trigger"
    HISTORY = "history"
    END = "end"
    UNREAD = "unread"  # a status with a cell fragment statusproof could not read
    # edges
    STEP = "step"
    NEXT_ONLY = "next-only"
    PREVIOUS_ONLY = "previous-only"
    MISMATCH = "mismatch"
    AMENDMENT = "amendment"
    HISTORY_RETURN = "history-return"
    FRAME = "frame"
    CONDITION = "condition"
    TERMINATION = "termination"
    TIMER = "timer"
    UNREAD_STEP = "unread-step"  # a step that rests on a cell statusproof could not read
    NEGATED = "negated"  # a step taken when a condition does not hold (unless, otherwise)
    # both
    HIGHLIGHT = "highlight"


@record
class NodeStyle:
    """How a node is drawn; colours are ``#rrggbb``."""

    shape: Shape
    fill: str = "#ffffff"
    border: str = "#333333"
    text: str = "#111111"
    line: Line = Line.SOLID
    double: bool = False
    width: float = 1.0


@record
class EdgeStyle:
    """How an edge is drawn; ``width`` is the pen width in points."""

    colour: str = "#4d4d4d"
    line: Line = Line.SOLID
    width: float = 1.0


@record
class EdgeLabel:
    """One line of an edge's label (a guard, a timer, a marker, a step number); ``timer``
    marks a timer's label (drawn attached to its edge by a line)."""

    text: str
    colour: str = "#333333"
    bold: bool = False
    timer: bool = False


@record
class Node:
    """A node: a status, or a pseudo-node (start, trigger, history, end).

    ``name`` is the full text to show (renderers wrap it); ``notes`` are short lines shown
    under it (``no row``, ``unreachable``, trace steps). ``status`` is the model status the
    node stands for, if any; ``cluster`` the id of the cluster holding it.
    """

    id: str
    name: str
    roles: tuple[Role, ...]
    style: NodeStyle
    notes: tuple[str, ...] = ()
    status: str | None = None
    cluster: str | None = None
    anchor: str | None = None


@record
class Edge:
    """An edge between two node ids; several transitions may share one edge.

    ``transitions`` are the model transitions the edge draws (none for start edges and the
    edges into a history pseudo-node); ``steps`` the numbers of the trace steps taking it.
    ``from_cluster`` names a cluster when the edge stands for the same step out of every
    status of that cluster: it is drawn from the cluster's frame (``source`` is then one
    node inside the cluster, for formats that need a node).

    ``head`` is the column agreement of the step ``source -> target`` (:data:`Role.STEP`,
    :data:`Role.NEXT_ONLY`, ...), drawn as the arrowhead. ``tail`` is set when the edge also
    draws the opposite step ``target -> source`` (two statuses are joined by one edge at most):
    it is that step's column agreement, drawn as an arrowhead at ``source``.
    """

    id: str
    source: str
    target: str
    roles: tuple[Role, ...]
    style: EdgeStyle
    labels: tuple[EdgeLabel, ...] = ()
    transitions: tuple[Transition, ...] = ()
    steps: tuple[int, ...] = ()
    from_cluster: str | None = None
    head: Role = Role.STEP
    tail: Role | None = None


@record
class Cluster:
    """A group of nodes drawn inside one frame (the statuses that remember a status)."""

    id: str
    label: str
    nodes: tuple[str, ...]
    fill: str
    border: str


@record
class LegendItem:
    """One legend entry: a sample node or edge style and what it means; an entry about a
    label (``label_colour`` set) shows ``sample`` in that colour."""

    key: str
    text: str
    node: NodeStyle | None = None
    edge: EdgeStyle | None = None
    label_colour: str | None = None
    sample: str = "label"


@record
class Diagram:
    """Everything a renderer needs; ``direction`` is ``TB`` (top to bottom) or ``LR``.

    ``hidden`` are the model's transitions the picture leaves out (steps one column lists and
    the other contradicts, folded away unless asked for); ``notes`` say so in words, for the
    caption. ``ranks`` give each node its reading-order rank (entry points first): renderers
    lay every edge out from the lower rank to the higher one.
    """

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]
    legend: tuple[LegendItem, ...]
    direction: str = "TB"
    hidden: tuple[Transition, ...] = ()
    notes: tuple[str, ...] = ()
    ranks: tuple[tuple[str, int], ...] = ()

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def rank(self, node_id: str) -> int:
        """The reading-order rank of a node (0 for the start nodes); 0 when not ranked."""
        return dict(self.ranks).get(node_id, 0)

    def status_node(self, status: str) -> Node:
        """The node drawn for the model status ``status``; KeyError if there is none."""
        for node in self.nodes:
            if node.status == status:
                return node
        raise KeyError(status)
