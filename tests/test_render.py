"""Tests of statusproof.render: the diagram description, DOT, Mermaid, Graphviz, the HTML report
and the ``render`` / ``report`` commands.

Golden files live in ``tests/golden/render/`` (``STATUSPROOF_UPDATE_GOLDEN=1`` rewrites them).
Graphviz's real ``dot`` program checks every DOT text the tool writes, including DOT made from
names hypothesis invents; headless Chromium (marked slow) checks the report as a browser shows
it.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import Golden, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, Severity
from statusproof.model import load_model
from statusproof.model.errors import StatusproofError, UnknownStatusError
from statusproof.model.model import (
    Cause,
    Guard,
    GuardKind,
    Model,
    Status,
    TerminalKind,
    Transition,
)
from statusproof.model.table import Column
from statusproof.model.trace import format_trace, replay, trace_to_dict
from statusproof.render.diagram import (
    CAUSE_COLOURS,
    Diagram,
    Line,
    Role,
    build_diagram,
    clean_text,
    wrap_text,
)
from statusproof.render.dot import NAME_WIDTH, html_label_text, quote, render_dot
from statusproof.render.graphviz_run import (
    GraphvizError,
    GraphvizMissingError,
    find_dot,
    run_dot,
)
from statusproof.render.html import inline_svg, render_report, trace_from_data
from statusproof.render.mermaid import mermaid_text, render_mermaid

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "render"
NASTY = FIXTURES / "nasty-names.csv"
TICKETS = FIXTURES / "tickets.txt"
HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz's dot is not installed "
                               "(apt-get install graphviz); CI installs it")
SVG_NS = "{http://www.w3.org/2000/svg}"


def _diagram(table: Path | None = None, raw: bool = False, **kwargs: object) -> Diagram:
    model = load_model(table, raw=raw)
    return build_diagram(model, graph_checks(model), **kwargs)  # type: ignore[arg-type]


def _svg_texts(svg: bytes | str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG_NS}text")]


def _assert_clean_svg(svg: bytes | str) -> ET.Element:
    """Well-formed SVG without scripts or event handlers."""
    root = ET.fromstring(svg)
    for element in root.iter():
        assert not element.tag.lower().endswith("script")
        assert not any(name.lower().startswith("on") for name in element.attrib)
    return root


# -- the diagram description -------------------------------------------------------------------
def test_doctests() -> None:
    import doctest
    import importlib
    for name in ("text", "diagram", "dot", "mermaid", "graphviz_run", "html"):
        module = importlib.import_module(f"statusproof.render.{name}")
        assert doctest.testmod(module).failed == 0, name
    from statusproof.cli import render_cmd
    assert doctest.testmod(render_cmd).failed == 0


def test_every_transition_is_drawn_by_exactly_one_edge() -> None:
    for raw in (False, True):
        model = load_model(raw=raw)
        diagram = build_diagram(model, graph_checks(model))
        drawn = [t for e in diagram.edges for t in e.transitions]
        assert sorted(map(repr, drawn)) == sorted(map(repr, model.transitions))


def test_history_returns_go_through_h_inside_the_group() -> None:
    diagram = _diagram()
    (cluster,) = diagram.clusters
    history = next(n for n in diagram.nodes if Role.HISTORY in n.roles)
    assert history.cluster == cluster.id and history.name == "H"
    members = {diagram.status_node(s).id for s in ("Offline", "Rebooting", "Reconnecting")}
    assert set(cluster.nodes) == members | {history.id}
    into = {e.source for e in diagram.edges if e.target == history.id}
    assert into == members
    out = {diagram.node(e.target).name: [label.text for label in e.labels]
           for e in diagram.edges if e.source == history.id}
    assert out == {"Incoming": ["remembered = Incoming"], "On Hold": ["remembered = On Hold"],
                   "Outgoing": ["remembered = Outgoing"]}


def test_steps_every_group_member_lists_are_drawn_from_the_frame() -> None:
    diagram = _diagram()
    framed = {diagram.node(e.target).name for e in diagram.edges if e.from_cluster}
    assert framed == {"Active", "Closed (by active customer)", "Waiting"}
    for edge in diagram.edges:
        if edge.from_cluster:
            assert {t.source for t in edge.transitions} == {"Offline", "Rebooting",
                                                            "Reconnecting"}


def test_node_roles_and_styles() -> None:
    diagram = _diagram(raw=True)
    def roles(name: str) -> tuple[Role, ...]:
        return diagram.status_node(name).roles
    assert Role.ENTRY in roles("Connecting") and Role.ENTRY in roles("Invitation")
    assert diagram.status_node("Timed out").style.double
    aborted = diagram.status_node("Aborted")
    assert Role.NO_ROW in aborted.roles and aborted.style.double
    assert aborted.style.line is Line.DASHED and "no row" in aborted.notes
    unreachable = diagram.status_node("Removed from TC queue (after closed by technician)")
    assert Role.UNREACHABLE in unreachable.roles and "unreachable" in unreachable.notes
    trigger = next(n for n in diagram.nodes if Role.TRIGGER in n.roles)
    assert trigger.name == "PIN code generated or channel connection is initiated"
    assert any(e.source == trigger.id and e.target == diagram.status_node("Connecting").id
               for e in diagram.edges)
    start = next(n for n in diagram.nodes if Role.START in n.roles)
    assert any(e.source == start.id and e.target == diagram.status_node("Invitation").id
               for e in diagram.edges)


def test_trap_and_error_marks_come_from_the_findings_passed_in() -> None:
    model = load_model(NASTY)
    plain = build_diagram(model)  # no findings: nothing marked
    assert not any(Role.TRAP in n.roles or Role.UNREACHABLE in n.roles for n in plain.nodes)
    marked = build_diagram(model, graph_checks(model))
    assert Role.TRAP in marked.status_node("Trap %% {init} ; x").roles
    assert Role.UNREACHABLE in marked.status_node("Orphan <!-- x --> 'single'").roles
    other = Finding("history-violation", Severity.ERROR, "made up for the test",
                    ("Über-Prüfung – 漢字 ☃ 🚀",))
    flagged = build_diagram(model, (other,))
    node = flagged.status_node("Über-Prüfung – 漢字 ☃ 🚀")
    assert Role.ERROR in node.roles and node.style.border == "#c62828"


def test_one_column_and_amendment_edges() -> None:
    diagram = _diagram()
    def edge(source: str, target: str) -> tuple[Role, ...]:
        s, t = diagram.status_node(source).id, diagram.status_node(target).id
        return next(e for e in diagram.edges if e.source == s and e.target == t).roles
    assert Role.NEXT_ONLY in edge("Active", "Incoming")
    assert Role.PREVIOUS_ONLY in edge("Incoming", "On Hold")
    assert Role.STEP in edge("Active", "On Hold")
    added = [e for e in diagram.edges if Role.AMENDMENT in e.roles]
    assert {(diagram.node(e.source).name, diagram.node(e.target).name) for e in added} == {
        ("Connecting", "Removed from TC queue"), ("Waiting", "Removed from TC queue")}
    assert all(e.style.line is Line.DASHED and e.labels[-1].text == "amendment" for e in added)
    styles = {e.style for e in diagram.edges if Role.NEXT_ONLY in e.roles}
    assert len({s.colour for s in styles}) == 1 and all(s.line is Line.DASHED for s in styles)


def test_the_two_timeout_causes_have_their_own_colours() -> None:
    diagram = _diagram()
    timed_out = diagram.status_node("Timed out").id
    exits = {label.text: label.colour for e in diagram.edges if e.source == timed_out
             for label in e.labels}
    assert exits == {"timeout cause = admin": CAUSE_COLOURS[0],
                     "timeout cause = system": CAUSE_COLOURS[1]}
    into = [label for e in diagram.edges if e.target == timed_out for label in e.labels]
    assert {label.colour for label in into if label.text.startswith("admin")} == {
        CAUSE_COLOURS[0]}
    assert {label.colour for label in into if label.text.startswith("system")} == {
        CAUSE_COLOURS[1]}
    legend = {item.text: item.label_colour for item in diagram.legend if item.label_colour}
    assert legend == {
        "timeout cause = admin: the Admin-defined timeout exceeded": CAUSE_COLOURS[0],
        "timeout cause = system: there is a system timeout": CAUSE_COLOURS[1]}


def test_highlight_numbers_the_steps_of_a_trace() -> None:
    model = load_model()
    trace = replay(model, ["Connecting", "Waiting", "Incoming", "Reconnecting", "Offline",
                           "Incoming", "Timed out", "end"], ["system"])
    diagram = build_diagram(model, graph_checks(model), trace)
    lit = {(diagram.node(e.source).name, diagram.node(e.target).name): e.steps
           for e in diagram.edges if Role.HIGHLIGHT in e.roles}
    assert lit == {
        ("PIN code generated or channel connection is initiated", "Connecting"): (0,),
        ("Connecting", "Waiting"): (1,), ("Waiting", "Incoming"): (2,),
        ("Incoming", "Reconnecting"): (3,), ("Reconnecting", "Offline"): (4,),
        ("Offline", "H"): (5,), ("H", "Incoming"): (5,), ("Incoming", "Timed out"): (6,),
        ("Timed out", ""): (7,)}
    assert diagram.status_node("Incoming").notes == ("steps 2, 5",)
    assert all(e.style.width == 3.0 for e in diagram.edges if e.steps)


def test_legend_lists_only_what_the_picture_uses() -> None:
    tickets = {item.key for item in _diagram(TICKETS).legend}
    assert "amendment" not in tickets and "previous-only" not in tickets
    assert {"entry", "trigger", "terminal", "no-row", "unreachable", "history", "end",
            "frame", "next-only"} <= tickets
    assert "start" not in tickets  # the only entry point has a trigger, not 'none'
    assert "amendment" in {item.key for item in _diagram().legend}


def test_text_helpers() -> None:
    assert clean_text("a\x00b\u202ec\ud800d\n\te") == "a b\ufffdc\ufffdd e"
    assert wrap_text("", 10) == ("",)
    lines = wrap_text("word " * 100, 20, 3)
    assert len(lines) == 3 and lines[-1].endswith("…") and all(len(x) <= 20 for x in lines)
    with pytest.raises(ValueError, match="direction must be TB or LR"):
        build_diagram(load_model(TICKETS), direction="RL")


# -- DOT and Mermaid: goldens, escaping ---------------------------------------------------------
GOLDEN_CASES = {
    "rescue": (None, False),
    "rescue-raw": (None, True),
    "tickets": (TICKETS, False),
    "nasty-names": (NASTY, False),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_dot_and_mermaid_goldens(name: str, golden: Golden) -> None:
    table, raw = GOLDEN_CASES[name]
    diagram = _diagram(table, raw)
    golden(f"render/{name}.dot", render_dot(diagram))
    golden(f"render/{name}.mmd", render_mermaid(diagram))


def test_highlight_golden(golden: Golden) -> None:
    model = load_model(TICKETS)
    trace = replay(model, ["New", "Triaged", "In progress", "Paused", "Escalated",
                           "In progress", "Resolved", "end"],
                   ["the customer does not answer"])
    golden("render/tickets-highlight.dot",
           render_dot(build_diagram(model, graph_checks(model), trace), legend=False,
                      links=True))


def test_dot_escaping() -> None:
    assert html_label_text('<b>"x" & \'y\' \\N') == (
        "&lt;b&gt;&quot;x&quot; &amp; &#x27;y&#x27; \\\\N")
    with pytest.raises(ValueError, match="not a safe DOT value"):
        quote('x" ]; evil [label="y')
    dot = render_dot(_diagram(NASTY))
    assert "<script" not in dot and "&lt;/script&gt;" in dot
    # table text never reaches a quoted string
    for value in re.findall(r'"((?:[^"\\]|\\.)*)"', dot):
        assert re.fullmatch(r"[A-Za-z0-9_#.,: -]*", value), value


def test_mermaid_escaping() -> None:
    assert mermaid_text('a"b:c;d%%e{f}g<h>i|j\\k\nl') == (
        "a#34;b#58;c#59;d#37;#37;e#123;f#125;g#60;h#62;i#124;j#92;k l")
    assert mermaid_text("x" * 300) == "x" * 119 + "#8230;"  # cut, with an encoded "…"
    text = render_mermaid(_diagram(NASTY))
    for line in text.splitlines()[1:]:
        assert re.fullmatch(
            r'stateDiagram-v2|    direction (TB|LR)'
            r'|    ( {4})?state "[^"]*" as st_\w+( \{)?|    \}'
            r'|    (\[\*\]|st_\w+) --> (\[\*\]|st_\w+)( : [^"\n]*)?'
            r'|    classDef \w+ [^\s]+|    class [\w,]+ \w+', line), line


# -- Graphviz ------------------------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_dot_accepts_every_dot_the_tool_writes(name: str) -> None:
    table, raw = GOLDEN_CASES[name]
    diagram = _diagram(table, raw)
    for legend in (True, False):
        for links in (True, False):
            rendered = run_dot(render_dot(diagram, legend=legend, links=links), "svg")
            assert not [w for w in rendered.warnings if "rror" in w], rendered.warnings
            root = _assert_clean_svg(rendered.data)
            nodes = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
            assert len(nodes) == len(diagram.nodes) + (1 if legend else 0)
    texts = set(_svg_texts(run_dot(render_dot(diagram), "svg").data))
    for node in diagram.nodes:
        if node.status is not None:
            assert set(wrap_text(node.name, NAME_WIDTH)) <= texts, node.name


_NASTY_CHARS = st.sampled_from([*'"\'{}<>|\\&;%#:[]()=\n\t\x00\x1b\u202e\u00a0', "&amp;", "\\N",
                                 "\\G", "]]>", "-->", "<!--", "漢", "🚀", "é"])
_NAME = st.lists(st.one_of(_NASTY_CHARS, st.characters(exclude_categories=("Cs",))),
                 min_size=1, max_size=40).map("".join)
_LONG_NAME = st.text(min_size=200, max_size=700)


@st.composite
def _models(draw: st.DrawFn) -> Model:
    names = draw(st.lists(st.one_of(_NAME, _LONG_NAME), min_size=2, max_size=5,
                          unique=True))
    trigger = draw(st.one_of(st.just(""), _NAME))
    guard_text = draw(_NAME)
    remembering = draw(st.booleans())
    statuses = [Status(names[0], True, "d", entry=True, triggers=(trigger,) if trigger else ())]
    for i, name in enumerate(names[1:], start=1):
        statuses.append(Status(name, i % 2 == 1,
                               terminal=TerminalKind.EXIT if i == len(names) - 1 else None,
                               remembers=remembering and 0 < i < len(names) - 1))
    both = frozenset({Column.NEXT, Column.PREVIOUS})
    transitions = [Transition(a, b, None, both if i % 2 else frozenset({Column.NEXT}))
                   for i, (a, b) in enumerate(itertools.pairwise(names))]
    cause = Cause(names[0], f"cause of {names[0]}", ((guard_text, guard_text), ("other", "o")))
    transitions.append(Transition(names[0], None, Guard(GuardKind.CONDITION, cause.variable,
                                                        (guard_text,), guard_text), both))
    if remembering and len(names) > 2:
        transitions.append(Transition(names[1], names[0], Guard(
            GuardKind.HISTORY, "remembered", (names[0],), guard_text), both))
    return Model(path=f"{names[0][:30]}.txt", policy="union", statuses=tuple(statuses),
                 transitions=tuple(transitions), links=(), causes=(cause,))


@needs_dot
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_models())
def test_any_names_give_dot_that_graphviz_accepts_and_cannot_inject(model: Model) -> None:
    diagram = build_diagram(model)
    rendered = run_dot(render_dot(diagram), "svg")
    root = _assert_clean_svg(rendered.data)
    nodes = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
    assert len(nodes) == len(diagram.nodes) + 1
    texts = set(_svg_texts(rendered.data))
    for node in diagram.nodes:
        if node.status is not None:
            shown = [line for line in wrap_text(node.name, NAME_WIDTH) if line.strip()]
            assert set(shown) <= texts, (node.name, shown)
    page = render_report(model, (), diagram, svg=rendered.data.decode())
    assert _tags(page).count("script") == 0
    mermaid = render_mermaid(diagram)
    for line in mermaid.splitlines():
        if line.strip().startswith("state "):
            assert re.fullmatch(r' *state "[^"\n]*" as st_\w+( \{)?', line), line
        else:
            assert '"' not in line, line


def test_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("STATUSPROOF_DOT", raising=False)
    with pytest.raises(GraphvizMissingError, match=r"dot program was not found.*apt-get "
                                                   r"install graphviz"):
        find_dot()
    monkeypatch.setenv("STATUSPROOF_DOT", "no-such-dot")
    with pytest.raises(GraphvizMissingError, match=r"'no-such-dot' \(from \$STATUSPROOF_DOT\)"):
        run_dot("digraph { a }", "svg")


@needs_dot
def test_dot_failures_and_timeouts_are_errors() -> None:
    with pytest.raises(GraphvizError, match=r"dot failed making svg: .*syntax error"):
        run_dot("digraph { a -> }", "svg")
    with pytest.raises(GraphvizError, match="did not finish within"):
        run_dot(render_dot(_diagram()), "svg", timeout=1e-6)
    with pytest.raises(GraphvizError, match="unknown Graphviz output format 'gif'"):
        run_dot("digraph { a }", "gif")


@needs_dot
@pytest.mark.slow
def test_png_pdf_and_svg_are_byte_identical_across_runs() -> None:
    dot = render_dot(_diagram())
    first = {fmt: run_dot(dot, fmt).data for fmt in ("svg", "png", "pdf")}
    time.sleep(1.1)  # a PDF made a second later carries another creation date
    second = {fmt: run_dot(dot, fmt).data for fmt in ("svg", "png", "pdf")}
    assert first == second
    assert first["png"].startswith(b"\x89PNG") and first["pdf"].startswith(b"%PDF")
    assert b"Generated by graphviz" not in first["svg"]


@pytest.mark.slow
def test_output_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    formats = "dot,mermaid" + (",svg" if HAVE_DOT else "")
    outputs = []
    for seed in ("0", "4242"):
        folder = tmp_path / seed
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "statusproof", "render", "-o", str(folder),
                               "--format", formats, "--no-formal"],
                              capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        if HAVE_DOT:
            done = subprocess.run([sys.executable, "-m", "statusproof", "report", "-o",
                                   str(folder), "--no-formal", "--highlight",
                                   "Connecting, Waiting, Incoming, Reconnecting, Offline, "
                                   "Incoming"],
                                  capture_output=True, text=True, env=env, check=False)
            assert done.returncode == 0, done.stderr
        outputs.append({p.name: p.read_bytes() for p in sorted(folder.iterdir())})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == len(formats.split(",")) + (3 if HAVE_DOT else 0)
    assert not any(str(tmp_path).encode() in data for data in outputs[0].values())


# -- HTML report ----------------------------------------------------------------------------------
class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        for key, value in attrs:
            if key == "id" and value:
                self.ids.add(value)
            if key in ("href", "xlink:href") and value:
                self.hrefs.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _tags(page: str) -> list[str]:
    parser = _Collector()
    parser.feed(page)
    return parser.tags


def _report(table: Path | None = None, svg: bool = True) -> tuple[Model, Diagram, str]:
    model = load_model(table)
    findings = graph_checks(model)
    diagram = build_diagram(model, findings)
    dot = render_dot(diagram, legend=False, links=True)
    picture = run_dot(dot, "svg").data.decode() if svg else None
    return model, diagram, render_report(model, findings, diagram, svg=picture,
                                         notice="" if svg else "no dot", dot_source=dot)


@needs_dot
def test_report_escapes_table_text_and_every_link_resolves() -> None:
    model, diagram, page = _report(NASTY)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for table in (NASTY, None):  # with errors; without (no error table to link to)
        checked = _Collector()
        checked.feed(_report(table)[2])
        local = [h[1:] for h in checked.hrefs if h.startswith("#")]
        assert local and not [a for a in local if a not in checked.ids]
        assert not [h for h in checked.hrefs if not h.startswith("#")]
    parser = _Collector()
    parser.feed(page)
    assert "script" not in parser.tags and "link" not in parser.tags and "img" not in parser.tags
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no network resources"
    text = "".join(parser.text)
    for status in model.statuses:
        assert status.name in text
    # the findings table links each finding to its statuses, and back
    trap = diagram.status_node("Trap %% {init} ; x").anchor
    assert f'href="#status-{trap}"' in page and f'id="status-{trap}"' in page


def test_report_without_a_picture_says_why_and_shows_the_dot() -> None:
    _, _, page = _report(TICKETS, svg=False)
    assert '<p class="notice">no dot</p>' in page and "<svg" not in page.split("<ul")[0]
    assert "DOT source of the diagram" in page and "digraph statusproof" in page


def test_inline_svg_refuses_scripts() -> None:
    with pytest.raises(StatusproofError, match="holds a script"):
        inline_svg('<svg><script>alert(1)</script></svg>')
    with pytest.raises(StatusproofError, match="holds a script"):
        inline_svg('<svg><g onload="x()"/></svg>')
    with pytest.raises(StatusproofError, match="not an SVG document"):
        inline_svg("<html/>")


def test_traces_in_evidence_are_shown_in_the_shared_format() -> None:
    model = load_model()
    trace = replay(model, ["Connecting", "Waiting", "Rebooting", "Offline", "Waiting"],
                   title="a return the history guard does not cover")
    data = trace_to_dict(trace)
    rebuilt = trace_from_data(model, data)
    assert rebuilt is not None and format_trace(rebuilt) == format_trace(trace)
    assert trace_from_data(model, {"steps": [{"status": "Waiting", "transition": {
        "source": "Nowhere", "target": "Waiting", "guard": None}}]}) is None
    made_up = Finding("no-path-to-terminal", Severity.ERROR, "made up for the test",
                      ("Offline",), evidence=(("trace", data),))
    diagram = build_diagram(model, (made_up,))
    page = render_report(model, (made_up,), diagram, svg=None, notice="n")
    assert '<section id="traces">' in page
    import html as html_module
    assert html_module.escape(format_trace(trace)) in page


# -- the commands ----------------------------------------------------------------------------------
@needs_dot
def test_render_writes_every_format(tmp_path: Path) -> None:
    code, out, err = run_cli(["render", "-o", str(tmp_path), "--format",
                              "svg,png,pdf,dot,mermaid", "--no-formal"])
    assert code == 0, err
    stem = tmp_path / "rescue-session-statuses"
    assert out.splitlines() == [f"wrote {stem}{s}" for s in (".dot", ".mmd", ".svg", ".png",
                                                             ".pdf")]
    assert stem.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    assert stem.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    _assert_clean_svg(stem.with_suffix(".svg").read_bytes())
    assert stem.with_suffix(".mmd").read_text().splitlines()[1] == "stateDiagram-v2"


@needs_dot
def test_render_says_how_to_get_past_a_timeout(tmp_path: Path) -> None:
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "svg", "--no-formal",
                            "--timeout", "0.000001"])
    assert code == 2
    assert "dot did not finish within 1e-06 s making svg" in err
    assert "allow more time with --timeout SECONDS" in err
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--timeout", "0"])
    assert code == 2 and "'0' is not a number of seconds above 0" in err


def test_render_rejects_bad_formats_and_traces(tmp_path: Path) -> None:
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "svg,gif"])
    assert code == 2 and "unknown format 'gif'" in err and "Traceback" not in err
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "dot",
                            "--highlight", "Connecting, Waiting, Rebooting, Connecting"])
    assert code == 2
    assert re.search(r"step 4 \('Connecting'\) of the trace is not possible: step Rebooting "
                     r"-> Connecting is not allowed", err), err
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "dot",
                            "--highlight", "Connecting, Waiting, Timed out, end"])
    assert code == 2 and "'Timed out [system]'" in err
    trace_file = tmp_path / "trace.txt"
    trace_file.write_text("# a comment\nConnecting\nWaiting\n\nActive\nInvitation\n")
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "dot",
                            "--highlight", str(trace_file)])
    assert code == 2 and f"{trace_file}:6: step 4 ('Invitation')" in err
    assert not (tmp_path / "rescue-session-statuses.dot").exists()


def test_load_highlight_reads_inline_files_and_json(tmp_path: Path) -> None:
    from statusproof.cli.render_cmd import load_highlight
    model = load_model()
    inline = load_highlight(model, "Connecting → Waiting -> Timed out [system], end")
    assert inline.statuses == ("Connecting", "Waiting", "Timed out") and inline.ended
    trace = replay(model, ["Connecting", "Waiting", "Timed out", "end"], ["system"])
    path = tmp_path / "t.json"
    import json
    path.write_text(json.dumps(trace_to_dict(trace)))
    assert load_highlight(model, str(path)).steps == trace.steps
    path.write_text("{ not json")
    with pytest.raises(StatusproofError, match=r"t\.json:1: not valid JSON"):
        load_highlight(model, str(path))
    with pytest.raises(UnknownStatusError, match=r"the cause of 'Timed out' is one of admin, "
                                                 r"system, not 'sometimes'"):
        load_highlight(model, "Connecting, Waiting, Timed out [sometimes]")
    with pytest.raises(StatusproofError, match="no such trace file"):
        load_highlight(model, "missing/trace.txt")


def test_without_dot_render_still_writes_dot_and_mermaid(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("STATUSPROOF_DOT", raising=False)
    code, out, err = run_cli(["render", str(TICKETS), "-o", str(tmp_path), "--no-formal"])
    assert code == 0
    assert out == f"wrote {tmp_path / 'tickets.dot'}\nwrote {tmp_path / 'tickets.mmd'}\n"
    assert (tmp_path / "tickets.dot").is_file() and (tmp_path / "tickets.mmd").is_file()
    assert "svg not made" in err and "apt-get install graphviz" in err
    code, _, err = run_cli(["render", str(TICKETS), "-o", str(tmp_path), "--format",
                            "dot,png"])
    assert code == 2 and "cannot make png" in err and "apt-get install graphviz" in err
    code, _, err = run_cli(["report", str(TICKETS), "-o", str(tmp_path / "r")])
    assert code == 2 and "apt-get install graphviz" in err
    page = (tmp_path / "r" / "report.html").read_text()
    assert "The diagram could not be drawn" in page and "digraph statusproof" in page


@needs_dot
def test_report_command_writes_the_page_and_what_it_embeds(tmp_path: Path) -> None:
    code, out, err = run_cli(["report", "-o", str(tmp_path), "--no-formal",
                              "--highlight", "Connecting, Waiting, Active"])
    assert code == 0, err
    assert {p.name for p in tmp_path.iterdir()} == {"report.html", "report.dot", "report.svg"}
    page = (tmp_path / "report.html").read_text()
    svg = (tmp_path / "report.svg").read_text()
    assert inline_svg(svg) in page
    assert "trace Connecting → Waiting → Active (drawn on the diagram)" in page
    assert out.endswith("findings: 0 error(s), 29 warning(s), 68 info\n")


# -- headless Chromium ----------------------------------------------------------------------------
def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed; CI must install Debian's chromium (.ci/run)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


@needs_dot
@pytest.mark.slow
def test_report_in_headless_chromium_shows_the_diagram_and_the_findings(tmp_path: Path) -> None:
    browser = _chromium()
    code, _, err = run_cli(["report", "-o", str(tmp_path), "--no-formal"])
    assert code == 0, err
    url = (tmp_path / "report.html").resolve().as_uri()
    with tempfile.TemporaryDirectory() as profile:
        base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}"]
        dom = subprocess.run([*base, "--dump-dom", url], capture_output=True, text=True,
                             timeout=120, check=False).stdout
        shot = tmp_path / "report.png"
        subprocess.run([*base, "--window-size=1400,1600", f"--screenshot={shot}", url],
                       capture_output=True, timeout=120, check=False)
    assert "<svg" in dom, "the browser did not keep the inline diagram"
    svg = dom[dom.index("<svg"):dom.index("</svg>")]
    model = load_model()
    texts = set(re.findall(r"<text[^>]*>([^<]*)</text>", svg))
    for name in ("Connecting", "Waiting", "Active", "Timed out", "Offline", "H"):
        assert name in texts, name
    findings = graph_checks(model)
    assert len(re.findall(r'<tr id="finding-\d+"', dom)) == len(findings)
    assert "column-mismatch" in dom and 'id="findings-warning"' in dom
    assert shot.is_file() and shot.read_bytes().startswith(b"\x89PNG")
    assert shot.stat().st_size > 50_000, "the screenshot looks empty"
