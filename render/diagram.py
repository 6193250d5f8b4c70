"""The neutral diagram description: what a picture of a model shows, in no output syntax.

This module owns the decisions every renderer shares: which nodes and edges there are, how
they are grouped, what each is labelled and which semantic roles they carry (entry, terminal,
no row, unreachable, trap, one-column step, amendment, history return, frame step, condition,
highlighted trace step), plus the legend. :func:`build_diagram` turns a
:class:`~statusproof.model.model.Model`, the findings the checks produced (passed in: this
module never runs checks) and optionally a :class:`~statusproof.model.trace.Trace` into one
frozen :class:`~statusproof.render.elements.Diagram`.

The element types are in :mod:`~statusproof.render.elements` (re-exported here), the style of
each role in :mod:`~statusproof.render.style`, text shaping in :mod:`~statusproof.render.text`.
Writing DOT, Mermaid or HTML is left to :mod:`~statusproof.render.dot`,
:mod:`~statusproof.render.mermaid` and :mod:`~statusproof.render.html`; running Graphviz is
:mod:`~statusproof.render.graphviz_run`'s job.

Everything is built in model order (statuses, then transitions as the model sorts them), never
from set or dict iteration over unordered data, so the same model always gives the same
diagram.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import PurePosixPath

from statusproof.checks.findings import Finding, Severity
from statusproof.model.model import GuardKind, Model, Status, Transition
from statusproof.model.record import replace
from statusproof.model.trace import Trace

from .elements import (
    Cluster,
    Diagram,
    Edge,
    EdgeLabel,
    EdgeStyle,
    LegendItem,
    Line,
    Node,
    NodeStyle,
    Role,
    Shape,
)
from .folding import fold, hidden_note
from .grouping import column_roles, family_frames, group_exits, history_routes
from .ids import Ids
from .order import merge_opposite, reading_ranks
from .style import (
    AMENDMENT,
    CAUSE_COLOURS,
    HIGHLIGHT,
    HISTORY,
    INK,
    MAX_NAME,
    NEGATED,
    NODE_STYLES,
    NOTES,
    edge_style,
    legend_items,
    node_style,
)
from .text import clean_text, format_seconds, timer_text, wrap_text
from .unread import label_roles, unread_label

__all__ = [
    "Shape",
    "Line",
    "Role",
    "NodeStyle",
    "EdgeStyle",
    "EdgeLabel",
    "Node",
    "Edge",
    "Cluster",
    "LegendItem",
    "Diagram",
    "build_diagram",
    "clean_text",
    "wrap_text",
    "format_seconds",
    "CAUSE_COLOURS",
]


# -- building ---------------------------------------------------------------------------------
#: The label of a family's frame (:mod:`~statusproof.render.families`).
FAMILY_LABEL = "every status here takes the steps drawn from this frame"

#: The roles that say how far the columns agree on a step: drawn as the arrowhead.
_HEADS = (Role.AMENDMENT, Role.NEXT_ONLY, Role.PREVIOUS_ONLY)


def _steps_label(steps: Sequence[int]) -> EdgeLabel:
    word = "step" if len(steps) == 1 else "steps"
    return EdgeLabel(f"{word} {', '.join(str(s) for s in steps)}", HIGHLIGHT, True)


class _Builder:
    """One diagram build; holds the working state."""

    def __init__(self, model: Model, findings: Sequence[Finding], trace: Trace | None,
                 show_mismatches: bool = False):
        self.model = model
        self.ids = Ids()
        self.names = set(model.names)
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.used_roles: list[Role] = []
        self.used_causes: list[tuple[str, str]] = []  # (legend text, colour)
        self.status_id: dict[str, str] = {}
        self.marks = self._marks(findings)
        # trace: step numbers per transition, per status, and for the start / the end
        self.trace = trace
        self.step_of: dict[Transition, list[int]] = {}
        self.visits: dict[str, list[int]] = {}
        if trace is not None:
            for number, step in enumerate(trace.steps):
                if step.transition is not None:
                    self.step_of.setdefault(step.transition, []).append(number)
                if step.state is not None:
                    self.visits.setdefault(step.state.status, []).append(number)
        self.folding = fold(model, show_mismatches=show_mismatches, traced=self.step_of)
        self.hidden = set(self.folding.hidden)
        self.framed: dict[Transition, str] = {}  # steps drawn from a frame: the cluster id
        self.family_of: dict[str, str] = {}  # status -> the id of its family's frame

    def _marks(self, findings: Sequence[Finding]) -> dict[str, list[Role]]:
        marks: dict[str, list[Role]] = {}
        for f in findings:
            if f.code == "unreachable-status":
                role = Role.UNREACHABLE
            elif f.code == "no-path-to-terminal":
                role = Role.TRAP
            elif f.severity is Severity.ERROR:
                role = Role.ERROR
            else:
                continue
            for name in f.statuses:
                if name in self.names and role not in marks.setdefault(name, []):
                    marks[name].append(role)
        return marks

    def use(self, roles: Iterable[Role]) -> None:
        for role in roles:
            if role not in self.used_roles:
                self.used_roles.append(role)

    def cause_colour(self, status: str, value: str) -> str:
        cause = self.model.cause_of(status)
        if cause is None:
            return INK
        values = [v for v, _ in cause.values]
        if value not in values:
            return INK
        colour = CAUSE_COLOURS[values.index(value) % len(CAUSE_COLOURS)]
        meaning = dict(cause.values)[value]
        text = f"{cause.variable} = {value}" + (f": {meaning}" if meaning != value else "")
        if (text, colour) not in self.used_causes:
            self.used_causes.append((text, colour))
        return colour

    def add_edge(self, source: str, target: str, roles: Sequence[Role],
                 labels: Sequence[EdgeLabel] = (), transitions: Sequence[Transition] = (),
                 steps: Sequence[int] = (), from_cluster: str | None = None) -> None:
        roles = list(roles)
        labels = list(labels)
        if steps:
            roles.append(Role.HIGHLIGHT)
            labels.append(_steps_label(sorted(set(steps))))
        self.use(r for r in roles if r is not Role.START)  # the legend shows the start node
        head = next((r for r in roles if r in _HEADS), Role.STEP)
        self.edges.append(Edge(f"e{len(self.edges) + 1}", source, target, tuple(roles),
                               edge_style(roles), tuple(labels), tuple(transitions),
                               tuple(sorted(set(steps))), from_cluster, head))
        if from_cluster is not None:
            self.use((Role.FRAME,))

    def guard_label(self, transition: Transition) -> EdgeLabel | None:
        guard = transition.guard
        if guard is None:
            return None
        if guard.negated:  # "unless X", "otherwise" beside history conditions: never X's colour
            return EdgeLabel(str(guard), NEGATED)
        if guard.kind is GuardKind.CONDITION and len(guard.values) == 1:
            colour = self.cause_colour(transition.source, guard.values[0])
            return EdgeLabel(str(guard), colour)
        return EdgeLabel(str(guard), HISTORY if guard.kind is GuardKind.HISTORY else INK)

    def timer_labels(self, source: str, target: str, named: bool = False) -> list[EdgeLabel]:
        """The timers of the step ``source -> target``; ``named`` prefixes the source."""
        labels = []
        for timer in self.model.timers:
            if timer.status == source and timer.target == target:
                colour = self.cause_colour(target, timer.cause) if timer.cause else INK
                text = timer_text(timer)
                labels.append(EdgeLabel(f"{source}: {text}" if named else text, colour,
                                        timer=True))
        return labels

    # -- nodes ----------------------------------------------------------------------------
    def status_nodes(self, cluster_id: str | None) -> None:
        remembering = set(self.model.remembering)
        for status in self.model.statuses:
            node_id = self.ids.new(status.name)
            self.status_id[status.name] = node_id
            roles = self._status_roles(status)
            self.use(r for r in roles if r is not Role.STATUS)
            notes = [NOTES[r] for r in roles if r in NOTES]
            steps = self.visits.get(status.name, [])
            if steps:
                notes.append(_steps_label(steps).text)
            name = status.name if len(status.name) <= MAX_NAME else status.name[:MAX_NAME] + "…"
            self.nodes.append(Node(
                node_id, name, roles, node_style(roles), tuple(notes), status.name,
                cluster_id if status.name in remembering else self.family_of.get(status.name),
                node_id))

    def _status_roles(self, status: Status) -> tuple[Role, ...]:
        roles = [Role.STATUS]
        if status.entry:
            roles.append(Role.ENTRY)
        if status.terminal is not None:
            roles.append(Role.TERMINAL)
        if not status.defined:
            roles.append(Role.NO_ROW)
        if status.unread_next or status.unread_previous:
            roles.append(Role.UNREAD)
        roles.extend(self.marks.get(status.name, []))
        if status.name in self.visits:
            roles.append(Role.HIGHLIGHT)
        return tuple(roles)

    def entry_nodes(self) -> None:
        first = self.trace.steps[0].state if self.trace and self.trace.steps else None
        for status in self.model.statuses:
            if not status.entry:
                continue
            target = self.status_id[status.name]
            steps = [0] if first is not None and first.status == status.name else []
            if status.triggers:
                for trigger in status.triggers:
                    node_id = self.ids.new(f"trigger {status.name}")
                    roles = (Role.TRIGGER,)
                    self.use(roles)
                    self.nodes.append(Node(node_id, trigger, roles, NODE_STYLES[Role.TRIGGER]))
                    self.add_edge(node_id, target, (Role.START,), steps=steps)
                    steps = []
            else:
                node_id = self.ids.new(f"start {status.name}")
                roles = (Role.START,)
                self.use(roles)
                self.nodes.append(Node(node_id, "", roles, NODE_STYLES[Role.START]))
                self.add_edge(node_id, target, (Role.START,), steps=steps)

    # -- edges ----------------------------------------------------------------------------
    def frames(self, cluster_id: str | None, routed: set[Transition]) -> list[Cluster]:
        """Which steps are drawn from a frame (``self.framed``), and the family frames: the
        remembering group's shared steps, then families (:func:`family_frames`)."""
        if cluster_id is not None:
            self.framed.update((t, cluster_id)
                               for t in group_exits(self.model, routed, self.hidden))
        clusters = []
        for number, family in enumerate(family_frames(self.model, routed, self.hidden), 1):
            family_id = f"cluster_family_{number}"
            self.family_of.update((name, family_id) for name in family.members)
            self.framed.update((t, family_id) for t in family.steps)
            clusters.append(Cluster(family_id, FAMILY_LABEL, (), "#f3f6fa", "#7a8ca5"))
        return clusters

    def transition_edges(self, history_id: str | None, routed: set[Transition],
                         returns: list[tuple[str, list[Transition]]]) -> None:
        groups: dict[tuple[str, ...], list[Transition]] = {}
        for t in self.model.transitions:
            if t in routed or t in self.hidden:
                continue
            if t in self.framed:
                assert t.target is not None
                key: tuple[str, ...] = ("frame", self.framed[t], t.target,
                                        str(t.guard) if t.guard else "",
                                        "+".join(sorted(c.value for c in t.columns)),
                                        t.amendment or "")
            elif t.target is None:
                key = ("end", t.source)
            else:
                key = ("pair", t.source, t.target)
            groups.setdefault(key, []).append(t)
        for key, group in groups.items():
            steps = [n for t in group for n in self.step_of.get(t, [])]
            if key[0] == "end":
                self.end_edge(key[1], group, steps)
                continue
            source, target = group[0].source, group[0].target
            assert target is not None
            roles = [*column_roles(self.model, group[0]), *label_roles(group)]
            labels = [label for t in group if (label := self.guard_label(t)) is not None]
            if key[0] == "frame":
                labels = labels[:1]
            if group[0].amendment is not None:
                labels.append(EdgeLabel("amendment", AMENDMENT))
            if (unread := unread_label(group)) is not None:
                labels.append(unread)
            for t in group:
                labels.extend(self.timer_labels(t.source, target, key[0] == "frame"))
            self.add_edge(self.status_id[source], self.status_id[target], roles, labels, group,
                          steps, key[1] if key[0] == "frame" else None)
        # timers whose step no cell lists: drawn dotted, never dropped
        drawn = {(t.source, t.target) for t in self.model.transitions}
        for timer in self.model.timers:
            pair = (timer.status, timer.target)
            if pair in drawn or timer.status not in self.status_id \
                    or timer.target not in self.status_id:
                continue
            drawn.add(pair)
            self.add_edge(self.status_id[timer.status], self.status_id[timer.target],
                          (Role.TIMER,), self.timer_labels(timer.status, timer.target))
        if history_id is None:
            return
        for source in self.model.names:
            group = [t for t in self.model.transitions if t in routed and t.source == source]
            if group:
                steps = [n for t in group for n in self.step_of.get(t, [])]
                self.add_edge(self.status_id[source], history_id, (Role.HISTORY_RETURN,),
                              steps=steps)
        for target, group in returns:
            label = self.guard_label(group[0])
            labels = [x for x in (label, unread_label(group)) if x is not None]
            steps = [n for t in group for n in self.step_of.get(t, [])]
            self.add_edge(history_id, self.status_id[target],
                          (Role.HISTORY, *column_roles(self.model, group[0]),
                           *label_roles(group)), labels, group, steps)

    def end_edge(self, source: str, group: list[Transition], steps: list[int]) -> None:
        """The edge of a termination ("none if ...") into the status's end pseudo-node."""
        end_id = self.ids.new(f"end {source}")
        self.use((Role.END,))
        self.nodes.append(Node(end_id, "", (Role.END,), NODE_STYLES[Role.END]))
        labels = [label for t in group if (label := self.guard_label(t)) is not None]
        if (unread := unread_label(group)) is not None:
            labels.append(unread)
        self.add_edge(self.status_id[source], end_id, (Role.TERMINATION, *label_roles(group)),
                      labels, group, steps)


def _title(model: Model) -> str:
    name = PurePosixPath(model.path.replace("\\", "/")).name or model.path
    how = "with amendments" if model.amendments else "table alone"
    return f"{name} ({how}, reconcile={model.policy})"


def build_diagram(model: Model, findings: Sequence[Finding] = (), trace: Trace | None = None,
                  *, title: str | None = None, direction: str = "TB",
                  show_mismatches: bool = False, frames: bool = True) -> Diagram:
    """The diagram of ``model``, with ``findings`` marked and ``trace`` highlighted.

    Findings are taken as given (run the checks first): ``unreachable-status`` and
    ``no-path-to-terminal`` mark their statuses as unreachable or trap, any other error
    finding outlines its statuses in red. The title names the table file (never a folder).
    Steps one column lists and the other contradicts are folded away unless
    ``show_mismatches`` (see :mod:`~statusproof.render.folding`); two statuses are joined by
    one edge at most, and every node gets its reading-order rank
    (:mod:`~statusproof.render.order`). ``frames=False`` draws every step from its own status
    (no step from a frame, no families): for layouts that draw no clusters.

    Examples
    --------
    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> diagram = build_diagram(interpret(load_text(text, "tickets.txt")))
    >>> [(n.id, [r.value for r in n.roles]) for n in diagram.nodes]
    [('Open', ['status', 'entry']), ('Closed', ['status', 'terminal']), ('start_Open', ['start'])]
    >>> [(e.source, e.target) for e in diagram.edges]
    [('start_Open', 'Open'), ('Open', 'Closed')]
    """
    if direction not in ("TB", "LR"):
        raise ValueError(f"direction must be TB or LR, not {direction!r}")
    builder = _Builder(model, findings, trace, show_mismatches)
    cluster_id = "cluster_history" if model.remembering else None
    routed, returns = history_routes(model)
    families = builder.frames(cluster_id, routed) if frames else []
    builder.status_nodes(cluster_id)
    builder.entry_nodes()
    history_id = None
    if cluster_id is not None and routed:
        history_id = builder.ids.new("history")
        builder.use((Role.HISTORY,))
        builder.nodes.append(Node(history_id, "H", (Role.HISTORY,), NODE_STYLES[Role.HISTORY],
                                  cluster=cluster_id))
    builder.transition_edges(history_id, routed, returns)
    clusters: list[Cluster] = []
    if cluster_id is not None:
        members = tuple(n.id for n in builder.nodes if n.cluster == cluster_id)
        clusters.append(Cluster(cluster_id, "remember the status to return to", members,
                                "#fdf6e3", "#b58900"))
    for family in families:
        members = tuple(n.id for n in builder.nodes if n.cluster == family.id)
        clusters.append(replace(family, nodes=members))
    edges = merge_opposite(builder.edges)
    ranks = reading_ranks(builder.nodes, edges)
    note = hidden_note(len(builder.folding.hidden))
    legend = legend_items(builder.used_roles, builder.used_causes)
    return Diagram(title if title is not None else _title(model), tuple(builder.nodes),
                   edges, tuple(clusters), legend, direction,
                   builder.folding.hidden, (note,) if note else (),
                   tuple((n.id, ranks[n.id]) for n in builder.nodes))
