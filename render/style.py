"""Styles: the colour, line and shape of every role, how roles combine, and the legend texts.

This module owns the visual language shared by all renderers (documented in
``docs/rendering.md``); it knows nothing of models or output formats.
"""

from __future__ import annotations

from collections.abc import Sequence

from .elements import EdgeStyle, LegendItem, Line, NodeStyle, Role, Shape

__all__ = ["CAUSE_COLOURS", "MAX_NAME", "node_style", "edge_style", "NODE_STYLES", "EDGE_STYLES",
           "EDGE_ROLES", "LEGEND_TEXT", "NOTES", "INK", "AMENDMENT", "HIGHLIGHT", "HISTORY",
           "legend_items"]

# -- palette ----------------------------------------------------------------------------------
# Okabe-Ito colours where a colour carries meaning, so that colour-blind readers can tell them
# apart; every meaning also has a second cue (line pattern, label text or shape).

#: Colours of cause values, in the order a cause lists its values (cycled when longer).
CAUSE_COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#7f6000", "#56b4e9")

INK = "#333333"
_EDGE = "#4d4d4d"
_NEXT_ONLY = "#e69f00"
_PREVIOUS_ONLY = "#3a9ad9"
AMENDMENT = "#009e73"
HIGHLIGHT = "#c2185b"
HISTORY = "#6a3d9a"
_ERROR = "#c62828"

NODE_STYLES: dict[Role, NodeStyle] = {
    Role.STATUS: NodeStyle(Shape.STATUS),
    Role.ENTRY: NodeStyle(Shape.STATUS, fill="#e3f2e1"),
    Role.TERMINAL: NodeStyle(Shape.STATUS, fill="#eeeeee", double=True),
    Role.NO_ROW: NodeStyle(Shape.NO_ROW, line=Line.DASHED),
    Role.UNREACHABLE: NodeStyle(Shape.STATUS, fill="#cfcfcf", border="#8a8a8a",
                                text="#555555"),
    Role.TRAP: NodeStyle(Shape.STATUS, fill="#f8d7da", border=_ERROR, width=2.0),
    Role.ERROR: NodeStyle(Shape.STATUS, border=_ERROR, width=2.0),
    Role.HIGHLIGHT: NodeStyle(Shape.STATUS, border=HIGHLIGHT, width=3.0),
    Role.START: NodeStyle(Shape.START, fill="#111111", border="#111111"),
    Role.TRIGGER: NodeStyle(Shape.TRIGGER, text="#444444"),
    Role.HISTORY: NodeStyle(Shape.HISTORY, fill="#ffffff", border="#6a3d9a", text="#6a3d9a"),
    Role.END: NodeStyle(Shape.END, fill="#111111", border="#111111"),
}

EDGE_STYLES: dict[Role, EdgeStyle] = {
    Role.STEP: EdgeStyle(),
    # one column lists the step, the other cell is empty: the arrowhead says it (hollow)
    Role.NEXT_ONLY: EdgeStyle(),
    Role.PREVIOUS_ONLY: EdgeStyle(),
    # one column lists it and the other contradicts: dashed, in the colour of the column
    Role.MISMATCH: EdgeStyle(_NEXT_ONLY, Line.DASHED, 1.4),
    Role.AMENDMENT: EdgeStyle(AMENDMENT, Line.DASHED, 1.6),
    Role.HISTORY_RETURN: EdgeStyle("#6a3d9a", Line.SOLID, 1.0),
    Role.TERMINATION: EdgeStyle(_EDGE, Line.SOLID, 1.0),
    Role.TIMER: EdgeStyle(_EDGE, Line.DOTTED, 1.0),
    Role.START: EdgeStyle("#111111", Line.SOLID, 1.0),
    Role.HIGHLIGHT: EdgeStyle(HIGHLIGHT, Line.SOLID, 3.0),
}

#: Roles drawn as edges (the legend shows a line for them).
EDGE_ROLES = (Role.STEP, Role.NEXT_ONLY, Role.PREVIOUS_ONLY, Role.MISMATCH, Role.AMENDMENT,
              Role.HISTORY_RETURN, Role.FRAME, Role.TIMER, Role.HIGHLIGHT)

LEGEND_TEXT: dict[Role, str] = {
    Role.ENTRY: "entry point: a run starts here",
    Role.START: "start: the Previous cell says 'none'",
    Role.TRIGGER: "external trigger (prose in a Previous cell)",
    Role.TERMINAL: "terminal status (double border): a run may end here",
    Role.NO_ROW: "no row: named in a cell only (an exit when terminal)",
    Role.END: "end of a run under a condition ('none if ...')",
    Role.HISTORY: "H: return to the status remembered on entering the group",
    Role.UNREACHABLE: "unreachable: no path from an entry point",
    Role.TRAP: "trap: no path to a terminal status",
    Role.ERROR: "status named by an error finding",
    Role.STEP: "step both columns list (Next and Previous): filled arrowhead",
    Role.NEXT_ONLY: "hollow arrowhead: listed in the Next column only (the other cell is "
                    "empty or has no row)",
    Role.PREVIOUS_ONLY: "hollow arrowhead with a ring: listed in the Previous column only",
    Role.MISMATCH: "dashed: one column lists the step, the other contradicts it "
                   "(column-mismatch; orange: Next column, blue: Previous column)",
    Role.AMENDMENT: "added by the amendment file",
    Role.HISTORY_RETURN: "into H: leaves for the remembered status",
    Role.FRAME: "from a frame: a step every status inside the frame takes",
    Role.TIMER: "timer without a listed step",
    Role.HIGHLIGHT: "highlighted trace (numbered steps)",
}

NOTES = {
    Role.NO_ROW: "no row",
    Role.UNREACHABLE: "unreachable",
    Role.TRAP: "trap: no way to a terminal",
}

#: Longest node name shown before it is cut (the full name is in the report's tables).
MAX_NAME = 160


def node_style(roles: Sequence[Role]) -> NodeStyle:
    """Compose the styles of a status node's roles; later roles override earlier ones."""
    base = NODE_STYLES[Role.STATUS]
    shape, fill, border, text = base.shape, base.fill, base.border, base.text
    line, double, width = base.line, base.double, base.width
    for role in roles:
        style = NODE_STYLES[role]
        if role is Role.NO_ROW:
            shape, line = style.shape, style.line
        elif role is Role.TERMINAL:
            double, fill = True, style.fill
        elif role is Role.HIGHLIGHT or role is Role.ERROR:
            border, width = style.border, style.width
        else:
            fill, border, text, width = style.fill, style.border, style.text, style.width
    return NodeStyle(shape, fill, border, text, line, double, width)


def edge_style(roles: Sequence[Role]) -> EdgeStyle:
    """The style of an edge: the line pattern of its column role, the colour of the last."""
    style = EDGE_STYLES[Role.STEP]
    colour, line, width = style.colour, style.line, style.width
    for role in roles:
        if role not in EDGE_STYLES:
            continue
        chosen = EDGE_STYLES[role]
        if role is Role.MISMATCH:
            colour = _PREVIOUS_ONLY if Role.PREVIOUS_ONLY in roles else _NEXT_ONLY
            line, width = chosen.line, chosen.width
        elif role is Role.HIGHLIGHT:
            colour, width = chosen.colour, chosen.width
        else:
            colour, line, width = chosen.colour, chosen.line, chosen.width
    return EdgeStyle(colour, line, width)


def legend_items(roles: Sequence[Role],
                 causes: Sequence[tuple[str, str]]) -> tuple[LegendItem, ...]:
    """The legend of a picture: one item per role it uses (in the order of
    :data:`LEGEND_TEXT`), then one per cause value it colours (``(text, colour)``)."""
    items: list[LegendItem] = []
    for role, text in LEGEND_TEXT.items():
        if role not in roles:
            continue
        if role in EDGE_ROLES:
            items.append(LegendItem(role.value, text, edge=EDGE_STYLES.get(role, EdgeStyle())))
        elif role in (Role.START, Role.TRIGGER, Role.HISTORY, Role.END):
            items.append(LegendItem(role.value, text, node=NODE_STYLES[role]))
        else:
            items.append(LegendItem(role.value, text, node=node_style((Role.STATUS, role))))
    for index, (text, colour) in enumerate(causes):
        items.append(LegendItem(f"cause-{index + 1}", text, edge=EdgeStyle(colour),
                                label_colour=colour))
    return tuple(items)
