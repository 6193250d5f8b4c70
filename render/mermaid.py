"""Mermaid ``stateDiagram-v2`` text of a :class:`~statusproof.render.diagram.Diagram`.

This module owns the Mermaid syntax and its escaping; what is drawn is decided by
:mod:`~statusproof.render.diagram`. Mermaid draws fewer line styles than Graphviz, so roles
that DOT shows by a line pattern (a step listed in one column only, an amendment) are written
into the transition's label here, and node roles become ``classDef`` classes.

Escaping: state ids are the diagram's generated ids (``[A-Za-z][A-Za-z0-9_]*``) with an
``st_`` prefix, so no table text can collide with a Mermaid keyword. Every text from a table
goes through :func:`mermaid_text`: letters, digits, spaces and a few plain punctuation marks
stay, every other character is written as a Mermaid entity code (``#34;`` for ``"``), which
Mermaid decodes only after parsing. So quotes, colons, semicolons, ``%%``, braces, angle
brackets, ``|``, backslashes and line breaks cannot end a label or start a statement.
"""

from __future__ import annotations

from .diagram import Diagram, Edge, Node, Role, Shape, clean_text

__all__ = ["render_mermaid", "mermaid_text", "MAX_LABEL"]

#: Longest label text written (the rest is cut with "…"): Mermaid has no wrapping of its own.
MAX_LABEL = 120
_PLAIN = frozenset(" .,()-_'/=+?!")

#: Node roles that become classes, in the order the classes are written.
_CLASSES = (Role.ENTRY, Role.TERMINAL, Role.NO_ROW, Role.UNREACHABLE, Role.TRAP, Role.ERROR,
            Role.HISTORY, Role.HIGHLIGHT)
_MARKERS = {
    Role.NEXT_ONLY: "Next column only",
    Role.PREVIOUS_ONLY: "Previous column only",
    Role.TIMER: "timer only",
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


def _label(edge: Edge) -> str:
    parts = [mermaid_text(label.text) for label in edge.labels]
    for role, marker in _MARKERS.items():
        if role in edge.roles:
            parts.append(marker)
    if edge.from_cluster is not None:
        parts.append("every status of the group")
    return " : " + "<br/>".join(parts) if parts else ""


def _state(node: Node) -> str:
    if node.style.shape is Shape.HISTORY:
        return f'state "H" as {_sid(node.id)}'
    lines = [mermaid_text(node.name)] + [mermaid_text(note) for note in node.notes]
    return f'state "{" - ".join(lines)}" as {_sid(node.id)}'


def render_mermaid(diagram: Diagram) -> str:
    """The Mermaid ``stateDiagram-v2`` text of ``diagram``; same diagram, same text.

    Entry points start from ``[*]`` (labelled with an external trigger), terminal statuses
    and conditional ends lead to ``[*]``; the remembering group is a composite state.

    Examples
    --------
    >>> from statusproof.render.diagram import build_diagram
    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> print(render_mermaid(build_diagram(interpret(load_text(text, "t.txt")))))
    %% statusproof diagram of t.txt (table alone, reconcile=union)
    stateDiagram-v2
        direction TB
        state "Open" as st_Open
        state "Closed" as st_Closed
        [*] --> st_Open
        st_Open --> st_Closed
        st_Closed --> [*]
        classDef entry fill:#e3f2e1
        classDef terminal fill:#eeeeee,stroke-width:3px
        class st_Open entry
        class st_Closed terminal
    <BLANKLINE>
    """
    nodes = {node.id: node for node in diagram.nodes}
    pseudo = {n.id for n in diagram.nodes if n.style.shape in (Shape.START, Shape.TRIGGER,
                                                                Shape.END)}
    out = [f"%% statusproof diagram of {mermaid_text(diagram.title, 400)}",
           "stateDiagram-v2", f"    direction {diagram.direction}"]
    in_cluster = {node_id for c in diagram.clusters for node_id in c.nodes}
    for node in diagram.nodes:
        if node.id not in pseudo and node.id not in in_cluster:
            out.append(f"    {_state(node)}")
    for cluster in diagram.clusters:
        out.append(f'    state "{mermaid_text(cluster.label)}" as {_sid(cluster.id)} {{')
        out.extend(f"        {_state(nodes[node_id])}" for node_id in cluster.nodes)
        out.append("    }")
    for edge in diagram.edges:
        source = nodes[edge.source]
        if source.style.shape is Shape.TRIGGER:
            out.append(f"    [*] --> {_sid(edge.target)} : {mermaid_text(source.name)}")
            continue
        if source.style.shape is Shape.START:
            out.append(f"    [*] --> {_sid(edge.target)}")
            continue
        tail = _sid(edge.from_cluster) if edge.from_cluster is not None else _sid(edge.source)
        head = "[*]" if edge.target in pseudo else _sid(edge.target)
        out.append(f"    {tail} --> {head}{_label(edge)}")
    for node in diagram.nodes:
        ends = any(e.source == node.id and e.target in pseudo for e in diagram.edges)
        if Role.TERMINAL in node.roles and not ends:
            out.append(f"    {_sid(node.id)} --> [*]")
    classes: list[tuple[Role, list[Node]]] = []
    for role in _CLASSES:
        members = [n for n in diagram.nodes if role in n.roles and n.id not in pseudo]
        if members:
            classes.append((role, members))
    for role, _ in classes:
        out.append(f"    classDef {role.value.replace('-', '')} {_class_style(role, diagram)}")
    for role, members in classes:
        out.append(f"    class {','.join(_sid(n.id) for n in members)} "
                   f"{role.value.replace('-', '')}")
    return "\n".join(out) + "\n"
