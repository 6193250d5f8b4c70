"""Helpers the rendering tests share (``tests/test_render*.py``): fixtures, Graphviz and
Chromium availability, building diagrams, and looking into SVG and HTML.
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from statusproof.checks import graph_checks
from statusproof.model import load_model
from statusproof.model.model import Transition
from statusproof.render.diagram import Diagram, Edge, Role, build_diagram

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "render"
NASTY = FIXTURES / "nasty-names.csv"
TICKETS = FIXTURES / "tickets.txt"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed "
                               "(apt-get install graphviz); CI installs it")
SVG_NS = "{http://www.w3.org/2000/svg}"


def diagram_of(table: Path | None = None, raw: bool = False, **kwargs: object) -> Diagram:
    model = load_model(table, raw=raw)
    return build_diagram(model, graph_checks(model), **kwargs)  # type: ignore[arg-type]


def edge_drawing(diagram: Diagram, source: str, target: str) -> tuple[Edge, Role | None]:
    """The edge that draws the step ``source -> target``, and the column mark at its arrow
    end for that step (the head, or the tail of an edge drawn both ways)."""
    for edge in diagram.edges:
        for t in edge.transitions:
            if (t.source, t.target) == (source, target):
                forward = diagram.node(edge.target).status == target or \
                    diagram.node(edge.source).status != target
                return edge, edge.head if forward or edge.tail is None else edge.tail
    raise KeyError((source, target))


def drawn_transitions(diagram: Diagram) -> list[Transition]:
    return [t for e in diagram.edges for t in e.transitions]


def svg_texts(svg: bytes | str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def assert_clean_svg(svg: bytes | str) -> ET.Element:
    """Well-formed SVG without scripts or event handlers."""
    root = ET.fromstring(svg)
    for element in root.iter():
        assert not element.tag.lower().endswith("script")
        assert not any(name.lower().startswith("on") for name in element.attrib)
    return root


class Collector(HTMLParser):
    """Tags, ids, links, script bodies and text of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.script_attrs: list[dict[str, str | None]] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self._in_script = True
            self.script_attrs.append(dict(attrs))
            self.scripts.append("")
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)
            if key in ("href", "xlink:href") and value:
                self.hrefs.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text.append(data)


def parse_page(page: str) -> Collector:
    parser = Collector()
    parser.feed(page)
    return parser


def chromium() -> str:
    """Debian's Chromium (what the browser tests drive); skip, or fail in CI, without it."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; CI must install Debian's chromium (.ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


#: Chromium flags that work in containers and never reach a network.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync")
