"""Mermaid ``flowchart`` text of a :class:`~statusproof.render.diagram.Diagram`, and the same
fenced in a Markdown file that GitHub renders.

This module owns the Mermaid syntax and its escaping; what is drawn (the folding of
column-mismatch steps, one edge per pair of statuses, frames and families) is decided by
:mod:`~statusproof.render.diagram`, the same as for DOT. A flowchart rather than a state
diagram, because it can draw what the picture needs: an edge with an arrowhead at each end
(``<-->``), a mark at an edge's end (``--o``: the step is listed in one column only), dotted
and thick lines, per-edge colours (``linkStyle``), and edges from a frame (a ``subgraph``).

Escaping: node ids are the diagram's generated ids (``[A-Za-z][A-Za-z0-9_]*``) with an ``st_``
prefix, so no table text can collide with a Mermaid keyword (``end``, ``subgraph``) or start an
edge mark (``o``, ``x``). Every text from a table goes through :func:`mermaid_text`: letters,
digits, spaces and a few plain punctuation marks stay, every other character is written as a
Mermaid entity code (``#34;`` for ``"``), which Mermaid decodes only after parsing. So quotes,
colons, semicolons, ``%%``, brackets, braces, ``|``, backslashes and line breaks cannot end a
label or start a statement.
"""

from __future__ import annotations

from .diagram import Diagram, Edge, Line, Node, Role, Shape, clean_text

__all__ = ["render_mermaid", "render_mermaid_markdown", "mermaid_text", "markdown_text",
           "MAX_LABEL",
           "MERMAID_MAX_EDGES"]

#: Mermaid refuses to draw more links than this by default (its ``maxEdges`` setting).
MERMAID_MAX_EDGES = 500

#: Longest label text written (the rest is cut with "…"): Mermaid has no wrapping of its own.
MAX_LABEL = 120
_PLAIN = frozenset(" .,()-_'/=+?!")

#: Node roles that become classes, in the order the classes are written.
_CLASSES = (Role.ENTRY, Role.TERMINAL, Role.NO_ROW, Role.UNREACHABLE, Role.TRAP, Role.ERROR,
            Role.HIGHLIGHT)
_PSEUDO_CLASSES = {Shape.START: "start", Shape.TRIGGER: "trigger", Shape.HISTORY: "history",
                   Shape.END: "endpoint"}
_PSEUDO_STYLES = {
    "start": "fill:#111111,stroke:#111111",
    "trigger": "fill:none,stroke:none,color:#444444,font-style:italic",
    "history": "fill:#ffffff,stroke:#6a3d9a,color:#6a3d9a,font-weight:bold",
    "endpoint": "fill:#111111,stroke:#111111",
}


def mermaid_text(text: str, limit: int = MAX_LABEL) -> str:
    """``text`` safe inside a Mermaid label: cleaned, cut to ``limit``, and every character
    that is not a letter, digit, space or plain punctuation written as ``#<code>;``.

    >>> mermaid_text('Closed "by" {x}: a|b')
    'Closed #34;by#34; #123;x#125;#58; a#124;b'
    >>> mermaid_text("Überprüfung läuft")
    'Überprüfung läuft'
    """
    cleaned = clean_text(text)
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return "".join(c if c.isalnum() or c in _PLAIN else f"#{ord(c)};" for c in cleaned)


def _sid(node_id: str) -> str:
    return f"st_{node_id}"


def _class_style(role: Role, diagram: Diagram) -> str:
    """The CSS of a role's class: only the properties that role sets, so that a status
    with several roles (a terminal without a row) shows each of them."""
    item = next((i for i in diagram.legend if i.key == role.value), None)
    if item is None or item.node is None:
        colour = item.edge.colour if item is not None and item.edge is not None else "#c2185b"
        return f"stroke:{colour},stroke-width:3px"
    style = item.node
    if role is Role.ENTRY:
        return f"fill:{style.fill}"
    if role is Role.TERMINAL:
        return f"fill:{style.fill},stroke-width:3px"
    if role is Role.NO_ROW:
        return "stroke-dasharray:5 3"
    if role in (Role.TRAP, Role.ERROR):
        return f"fill:{style.fill},stroke:{style.border},stroke-width:2px"
    return f"fill:{style.fill},stroke:{style.border},color:{style.text}"


def _node(node: Node) -> str:
    shape = node.style.shape
    if shape is Shape.HISTORY:
        return f'{_sid(node.id)}(("H"))'
    if shape is Shape.START:
        return f'{_sid(node.id)}((" "))'
    if shape is Shape.END:
        return f'{_sid(node.id)}(((" ")))'
    text = " - ".join([mermaid_text(node.name)] + [mermaid_text(n) for n in node.notes])
    if shape is Shape.TRIGGER:
        return f'{_sid(node.id)}["{text}"]'
    if shape is Shape.NO_ROW:
        return f'{_sid(node.id)}["{text}"]'
    return f'{_sid(node.id)}("{text}")'


def _one_column(role: Role | None) -> bool:
    return role in (Role.NEXT_ONLY, Role.PREVIOUS_ONLY)


def _arrow(edge: Edge, end: str, start: str = "") -> str:
    """A Mermaid link: solid ``--``, dotted ``-.-`` or thick ``==`` (the highlighted trace),
    ending in ``>`` (arrowhead) or ``o`` (one column only), optionally marked at the start."""
    if Role.HIGHLIGHT in edge.roles:
        return f"{start}=={end}"
    if edge.style.line is Line.SOLID:
        return f"{start}--{end}"
    return f"{start}-.-{end}"


def _links(edge: Edge) -> list[tuple[str, str, str, bool]]:
    """The Mermaid links of an edge: (tail, arrow, head, is the opposite direction). An edge
    drawn both ways is one link with a mark at each end when both ends carry the same mark
    (``<-->``, ``o--o``), else two links."""
    tail = edge.from_cluster if edge.from_cluster is not None else edge.source
    end = "o" if _one_column(edge.head) else ">"
    if edge.tail is None:
        return [(tail, _arrow(edge, end), edge.target, False)]
    if _one_column(edge.tail) == _one_column(edge.head):
        return [(tail, _arrow(edge, end, "o" if end == "o" else "<"), edge.target, False)]
    back = "o" if _one_column(edge.tail) else ">"
    return [(tail, _arrow(edge, end), edge.target, False),
            (edge.target, _arrow(edge, back), edge.source, True)]


def _label(edge: Edge) -> str:
    parts = [mermaid_text(label.text) for label in edge.labels]
    if Role.MISMATCH in edge.roles:
        column = "Previous" if Role.PREVIOUS_ONLY in edge.roles else "Next"
        parts.append(f"{column} column only, the other contradicts")
    if Role.TIMER in edge.roles:
        parts.append("timer only")
    return f'|"{"<br/>".join(parts)}"|' if parts else ""


def render_mermaid(diagram: Diagram) -> str:
    """The Mermaid ``flowchart`` text of ``diagram``; same diagram, same text.

    Statuses are rounded boxes (square for a status without a row), the start of a run a
    small filled circle (an external trigger its text), the end of a run under a condition a
    double circle, H a circle; frames are subgraphs; a step's end marked ``o`` is listed in
    one column only; dotted lines are steps the columns contradict, amendments and timers;
    thick lines the highlighted trace. Colours come from ``classDef`` and ``linkStyle``.

    Examples
    --------
    >>> from statusproof.render.diagram import build_diagram
    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> print(render_mermaid(build_diagram(interpret(load_text(text, "t.txt")))))
    %% statusproof diagram of t.txt (table alone, reconcile=union)
    flowchart TB
        st_start_Open((" "))
        st_Open("Open")
        st_Closed("Closed")
        st_start_Open --> st_Open
        st_Open --> st_Closed
        classDef entry fill:#e3f2e1
        classDef terminal fill:#eeeeee,stroke-width:3px
        classDef start fill:#111111,stroke:#111111
        class st_Open entry
        class st_Closed terminal
        class st_start_Open start
        linkStyle 0 stroke:#111111
    <BLANKLINE>
    """
    out = [f"%% statusproof diagram of {mermaid_text(diagram.title, 400)}"]
    out.extend(f"%% {mermaid_text(note, 400)}" for note in diagram.notes)
    out.append(f"flowchart {diagram.direction}")
    in_cluster = {node_id for c in diagram.clusters for node_id in c.nodes}
    nodes = {n.id: n for n in diagram.nodes}
    # in reading order (stable): Mermaid's layout breaks cycles in the order it meets nodes
    ranks = dict(diagram.ranks)
    ordered = sorted(diagram.nodes, key=lambda n: ranks.get(n.id, 0))
    for node in ordered:
        if node.id not in in_cluster:
            out.append(f"    {_node(node)}")
    for cluster in diagram.clusters:
        out.append(f'    subgraph {_sid(cluster.id)} ["{mermaid_text(cluster.label)}"]')
        out.extend(f"        {_node(nodes[node_id])}" for node_id in cluster.nodes)
        out.append("    end")
    styles: list[tuple[int, str]] = []
    count = 0
    for edge in sorted(diagram.edges, key=lambda e: ranks.get(e.source, 0)):
        label = _label(edge)
        for tail, arrow, head, back in _links(edge):
            out.append(f"    {_sid(tail)} {arrow}{label if not back else ''} {_sid(head)}")
            style = edge.style
            css = f"stroke:{style.colour}"
            if style.line is not Line.SOLID:
                css += ",stroke-dasharray:5 3" if style.line is Line.DASHED else \
                    ",stroke-dasharray:1 3"
            if style.width != 1.0:
                css += f",stroke-width:{style.width:g}px"
            if css != "stroke:#4d4d4d":
                styles.append((count, css))
            count += 1
    classes: list[tuple[str, str, list[Node]]] = []
    for role in _CLASSES:
        members = [n for n in diagram.nodes if role in n.roles]
        if members:
            classes.append((role.value.replace("-", ""), _class_style(role, diagram), members))
    for shape, name in _PSEUDO_CLASSES.items():
        members = [n for n in diagram.nodes if n.style.shape is shape]
        if members:
            classes.append((name, _PSEUDO_STYLES[name], members))
    for name, css, _ in classes:
        out.append(f"    classDef {name} {css}")
    for name, _, members in classes:
        out.append(f"    class {','.join(_sid(n.id) for n in members)} {name}")
    out.extend(f"    linkStyle {index} {css}" for index, css in styles)
    return "\n".join(out) + "\n"


_MARKDOWN_SPECIAL = frozenset("\\`*_[]<>&#|~!{}$")


def markdown_text(text: str) -> str:
    """``text`` as plain Markdown text: cleaned, every character Markdown could read as markup
    escaped with a backslash (CommonMark allows it before any ASCII punctuation).

    >>> markdown_text("a <b> *c* [d](e) #f")
    'a \\\\<b\\\\> \\\\*c\\\\* \\\\[d\\\\](e) \\\\#f'
    """
    return "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in clean_text(text))


def render_mermaid_markdown(diagram: Diagram) -> str:
    """A Markdown file with the Mermaid diagram in a fenced ``mermaid`` block (GitHub and
    most Markdown viewers draw it), its caption, and a key to the marks.

    >>> from statusproof.render.elements import Diagram
    >>> print(render_mermaid_markdown(Diagram("t.txt", (), (), (), ())).splitlines()[0])
    # t.txt
    """
    text = render_mermaid(diagram)
    links = sum(1 for line in text.splitlines()
                if line.startswith("    st_") and ("--" in line or "==" in line))
    notes = [markdown_text(note) for note in diagram.notes]
    if links > MERMAID_MAX_EDGES:
        notes.append(f"This diagram has {links} links; Mermaid draws at most "
                     f"{MERMAID_MAX_EDGES} by default (its maxEdges setting), so a viewer such "
                     "as GitHub may refuse to draw it: use the SVG that statusproof render "
                     "writes.")
    lines = [f"# {markdown_text(diagram.title)}", ""]
    lines.extend(notes)
    if notes:
        lines.append("")
    lines += ["```mermaid", text.rstrip("\n"), "```", "",
              "Key: a rounded box is a status with a row, a square box a status named without "
              "a row; a thick border marks a terminal status. A link ending in a small circle "
              "is a step listed in one column only (the other cell empty); `<-->` joins two "
              "statuses that step to each other; a dotted link is a step one column lists and the "
              "other contradicts (orange: Next column, blue: Previous column), an amendment "
              "(green) or a timer only; a link from a frame is a step every status in the "
              "frame takes; H returns to the status remembered on entering its frame. Made "
              "by statusproof.", ""]
    return "\n".join(lines)
