"""Legend swatches of the HTML report: a small SVG picture of each legend item's style.

Only statusproof's own colours and shapes go into a swatch (a colour that is not ``#rrggbb``
becomes black), so no table text reaches these pictures.
"""

from __future__ import annotations

import re

from .elements import LegendItem, Line, Shape

__all__ = ["legend_swatch"]

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def legend_swatch(item: LegendItem) -> str:
    """A small SVG picture of a legend item's style (only statusproof's own colours)."""
    def colour(value: str) -> str:
        return value if _COLOUR.match(value) else "#000000"

    head = ('<svg width="46" height="20" viewBox="0 0 46 20" aria-hidden="true" '
            'xmlns="http://www.w3.org/2000/svg">')
    if item.node is not None:
        node = item.node
        fill, border = colour(node.fill), colour(node.border)
        if node.shape is Shape.START:
            return head + f'<circle cx="23" cy="10" r="5" fill="{fill}"/></svg>'
        if node.shape is Shape.END:
            return (head + f'<circle cx="23" cy="10" r="7" fill="none" stroke="{border}"/>'
                    f'<circle cx="23" cy="10" r="4" fill="{fill}"/></svg>')
        if node.shape is Shape.TRIGGER:
            return (head + f'<text x="23" y="14" font-size="11" font-style="italic" '
                    f'text-anchor="middle" fill="{colour(node.text)}">text</text></svg>')
        if node.shape is Shape.HISTORY:
            return (head + f'<circle cx="23" cy="10" r="8" fill="{fill}" stroke="{border}" '
                    f'stroke-width="1.5"/><text x="23" y="14" font-size="10" font-weight="bold"'
                    f' text-anchor="middle" fill="{colour(node.text)}">H</text></svg>')
        radius = 5 if node.shape is Shape.STATUS else 0
        dash = ' stroke-dasharray="4 2"' if node.line is Line.DASHED else ""
        width = max(node.width, 1.0)
        shapes = (f'<rect x="5" y="3" width="36" height="14" rx="{radius}" fill="{fill}" '
                  f'stroke="{border}" stroke-width="{width:g}"{dash}/>')
        if node.double:
            shapes = (f'<rect x="2" y="1" width="42" height="18" rx="{radius + 2}" '
                      f'fill="none" stroke="{border}"{dash}/>' + shapes)
        return head + shapes + "</svg>"
    edge = item.edge
    stroke = colour(edge.colour) if edge is not None else "#4d4d4d"
    if item.label_colour is not None:
        return (head + f'<text x="23" y="14" font-size="11" text-anchor="middle" '
                f'fill="{colour(item.label_colour)}">label</text></svg>')
    dash = ""
    if edge is not None and edge.line is Line.DASHED:
        dash = ' stroke-dasharray="5 3"'
    elif edge is not None and edge.line is Line.DOTTED:
        dash = ' stroke-dasharray="1 2"'
    width = edge.width if edge is not None else 1.0
    tail = ('<circle cx="6" cy="10" r="3" fill="#ffffff" stroke="' + stroke + '"/>'
            if item.key == "frame" else "")
    arrow = f'<polygon points="36,6 44,10 36,14" fill="{stroke}"/>'
    if item.key in ("next-only", "previous-only", "mismatch"):  # hollow: one column only
        arrow = f'<polygon points="36,6 44,10 36,14" fill="#ffffff" stroke="{stroke}"/>'
    if item.key == "previous-only":  # with a ring behind it
        arrow += f'<circle cx="32" cy="10" r="3" fill="#ffffff" stroke="{stroke}"/>'
    line_end = 29 if item.key == "previous-only" else 36
    return (head + tail + f'<line x1="{9 if tail else 3}" y1="10" x2="{line_end}" y2="10" '
            f'stroke="{stroke}" stroke-width="{width:g}"{dash}/>{arrow}</svg>')
