"""Embedding Graphviz's SVG in the report, safely.

:func:`inline_svg` makes Graphviz's SVG document fit to sit inside HTML (the XML declaration,
doctype and comments dropped) after checking it as XML: it is parsed (expat), and every
element and attribute is looked at, never the text. A document holding a script, a foreign
object, an embedded frame, an event-handler attribute (``onload=``, ``onerror=``) or a
``javascript:`` link is refused with the line of the SVG where it stands. Table text is
escaped before layout (:mod:`~statusproof.render.dot`), so a label that *says*
``onerror=alert(1)`` is text inside a ``<text>`` element, and is embedded as the text it is.
"""

from __future__ import annotations

import re
from xml.parsers import expat

from statusproof.model.errors import StatusproofError

__all__ = ["inline_svg", "FORBIDDEN_ELEMENTS"]

#: Elements an embedded picture must not hold (compared without namespace, any case).
FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "object", "embed",
                                "handler", "listener"})
_LINK_ATTRIBUTES = frozenset({"href", "xlink:href", "src", "action", "formaction"})


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1].lower()


def _check(document: str, name: str) -> None:
    parser = expat.ParserCreate()
    problem: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if problem:
            return
        line = parser.CurrentLineNumber
        if _local(tag) in FORBIDDEN_ELEMENTS:
            problem.append(f"{name}:{line}: the diagram's SVG holds a <{tag}> element")
            return
        for key, value in attrs.items():
            bare = key.lower()
            if bare.rsplit(":", 1)[-1].startswith("on"):
                problem.append(f"{name}:{line}: the diagram's SVG holds an event handler "
                               f"({key}=)")
                return
            if bare in _LINK_ATTRIBUTES and re.sub(r"[\s\x00-\x1f]", "", value).lower() \
                    .startswith(("javascript:", "data:", "vbscript:")):
                problem.append(f"{name}:{line}: the diagram's SVG links to a script ({key}=)")
                return

    parser.StartElementHandler = start
    try:
        parser.Parse(document, True)
    except expat.ExpatError as e:
        raise StatusproofError(f"{name}:{e.lineno}: the diagram is not well-formed SVG "
                               f"({expat.ErrorString(e.code)}); refusing to embed it") from e
    if problem:
        raise StatusproofError(problem[0] + "; refusing to embed it (the table's text is "
                               "escaped before layout, so this comes from elsewhere: check the "
                               "Graphviz program used, STATUSPROOF_DOT)")


def inline_svg(svg: str, name: str = "the diagram") -> str:
    """Graphviz's SVG document made fit to sit inside HTML: the XML declaration, doctype and
    comments dropped. Raises :class:`StatusproofError` (naming ``name`` and the line) if it
    is not an SVG document or holds a script or an event handler.

    >>> inline_svg('<?xml version="1.0"?>\\n<!-- x -->\\n<svg width="1pt"><g/></svg>\\n')
    '<svg width="1pt"><g/></svg>'
    >>> inline_svg('<svg><text>onerror=alert(1)</text></svg>')
    '<svg><text>onerror=alert(1)</text></svg>'
    """
    start = svg.find("<svg")
    end = svg.rfind("</svg>")
    if start < 0 or end < 0:
        raise StatusproofError(f"{name}: the diagram is not an SVG document (no <svg> "
                               "element)")
    _check(svg, name)
    return re.sub(r"<!--.*?-->\n?", "", svg[start:end + len("</svg>")], flags=re.DOTALL)
