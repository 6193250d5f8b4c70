"""Tests of statusproof.render: the diagram description, DOT, Mermaid and Graphviz.

Golden files live in ``tests/golden/render/`` (``STATUSPROOF_UPDATE_GOLDEN=1`` rewrites them).
Graphviz's real ``dot`` program checks every DOT text the tool writes, including DOT made from
names hypothesis invents. The folding, families, reading order and layout plans are tested in
``test_render_layout.py``, the report and the commands in ``test_render_report.py``, the
report in a real browser in ``test_render_browser.py``.
"""

from __future__ import annotations

import html
import itertools
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_support import (
    HAVE_DOT,
    NASTY,
    SVG_NS,
    TICKETS,
    assert_clean_svg,
    diagram_of,
    drawn_transitions,
    edge_drawing,
    needs_dot,
    parse_page,
    svg_texts,
)

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, Severity
from statusproof.model import load_model
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
from statusproof.model.trace import replay
from statusproof.render.diagram import (
    CAUSE_COLOURS,
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
from statusproof.render.html import render_report
from statusproof.render.layout import PLANS
from statusproof.render.mermaid import mermaid_text, render_mermaid, render_mermaid_markdown

_diagram = diagram_of


# -- the diagram description -------------------------------------------------------------------
def test_doctests() -> None:
    import doctest
    import importlib
    for name in ("text", "diagram", "dot", "mermaid", "graphviz_run", "html", "ids", "folding",
                 "families", "order", "layout", "measure", "svg_safety", "summary",
                 "report_sections", "grouping", "targets", "picture"):
        module = importlib.import_module(f"statusproof.render.{name}")
        assert doctest.testmod(module).failed == 0, name
    from statusproof.cli import render_cmd
    assert doctest.testmod(render_cmd).failed == 0


def test_every_transition_is_drawn_by_exactly_one_edge_or_folded_away() -> None:
    for raw in (False, True):
        model = load_model(raw=raw)
        for show in (False, True):
            diagram = build_diagram(model, graph_checks(model), show_mismatches=show)
            drawn = drawn_transitions(diagram) + list(diagram.hidden)
            assert sorted(map(repr, drawn)) == sorted(map(repr, model.transitions))
            assert show is (not diagram.hidden)


def test_two_statuses_are_joined_by_one_edge_at_most() -> None:
    # with --show column-mismatches, a contradicted step keeps its own dashed line
    for show in (False, True):
        diagram = _diagram(show_mismatches=show)
        pairs = [frozenset((e.source, e.target)) for e in diagram.edges
                 if e.from_cluster is None and (not show or Role.MISMATCH not in e.roles)]
        assert len(pairs) == len(set(pairs))
        both_ways = [e for e in diagram.edges if e.tail is not None]
        assert both_ways, "the bundled table has steps both ways (Active and On Hold)"
        for edge in both_ways:
            ends = {(t.source, t.target) for t in edge.transitions}
            source, target = diagram.node(edge.source).status, diagram.node(edge.target).status
            assert ends == {(source, target), (target, source)}


def test_history_returns_go_through_h_inside_the_group() -> None:
    diagram = _diagram()
    cluster = next(c for c in diagram.clusters if c.id == "cluster_history")
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
    # the remembering group's shared steps are all column mismatches: drawn when asked for
    diagram = _diagram(show_mismatches=True)
    framed = {diagram.node(e.target).name for e in diagram.edges
              if e.from_cluster == "cluster_history"}
    assert framed == {"Active", "Closed (by active customer)", "Waiting"}
    for edge in diagram.edges:
        if edge.from_cluster == "cluster_history":
            assert {t.source for t in edge.transitions} == {"Offline", "Rebooting",
                                                            "Reconnecting"}
    folded = _diagram()
    assert not [e for e in folded.edges if e.from_cluster == "cluster_history"]


def test_a_family_of_statuses_with_the_same_steps_is_one_frame() -> None:
    diagram = _diagram()
    family = next(c for c in diagram.clusters if c.id.startswith("cluster_family"))
    assert [diagram.node(n).name for n in family.nodes] == [
        "Active", "Incoming", "On Hold", "Outgoing"]
    framed = [e for e in diagram.edges if e.from_cluster == family.id]
    assert {diagram.node(e.target).name for e in framed} == {
        "Closed (by active customer)", "Rebooting", "Reconnecting"}
    for edge in framed:  # one edge stands for the step of every member
        assert sorted(t.source for t in edge.transitions) == [
            "Active", "Incoming", "On Hold", "Outgoing"]
    assert not _diagram(frames=False).clusters[1:], "frames=False: no families"
    assert not [e for e in _diagram(frames=False).edges if e.from_cluster]


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
    diagram = _diagram(show_mismatches=True)
    assert edge_drawing(diagram, "Active", "Incoming")[1] is Role.NEXT_ONLY  # other cell empty
    edge, mark = edge_drawing(diagram, "Incoming", "On Hold")  # On Hold lists it, Incoming not
    assert mark is Role.PREVIOUS_ONLY and Role.MISMATCH in edge.roles
    assert edge.style.line is Line.DASHED
    assert edge_drawing(diagram, "Active", "On Hold")[1] is Role.STEP
    added = [e for e in diagram.edges if Role.AMENDMENT in e.roles]
    assert {(diagram.node(e.source).name, diagram.node(e.target).name) for e in added} == {
        ("Connecting", "Removed from TC queue"), ("Waiting", "Removed from TC queue")}
    assert all(e.style.line is Line.DASHED and e.labels[-1].text == "amendment" for e in added)
    mismatch = {e.style.colour for e in diagram.edges if Role.MISMATCH in e.roles
                and Role.NEXT_ONLY in e.roles}
    assert len(mismatch) == 1
    # a one-column step whose other cell is empty is a plain line with a hollow arrowhead
    plain = edge_drawing(diagram, "Waiting", "Incoming")[0]
    assert plain.style.line is Line.SOLID and Role.MISMATCH not in plain.roles


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
    for number, step in enumerate(trace.steps):
        if step.transition is None:
            continue
        edge = next(e for e in diagram.edges if step.transition in e.transitions)
        assert number in edge.steps and Role.HIGHLIGHT in edge.roles
        assert edge.style.width == 3.0
    start = next(e for e in diagram.edges if diagram.node(e.source).style.shape.value
                 == "trigger")
    assert start.steps == (0,)
    into_h = [e.steps for e in diagram.edges if diagram.node(e.target).name == "H"
              and e.steps]
    assert into_h == [(5,)]
    assert diagram.status_node("Incoming").notes == ("steps 2, 5",)
    # a trace that takes a step the columns contradict draws it, folded or not
    trace = replay(model, ["Invitation", "Collaborating", "Rebooting"])
    diagram = build_diagram(model, graph_checks(model), trace)
    assert any(t.source == "Invitation" and t.target == "Collaborating"
               for t in drawn_transitions(diagram))


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
    # table text never reaches a quoted string, except a tooltip: entity-encoded, letters,
    # digits and spaces only
    for key, value in re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', dot):
        pattern = r"(?:[^\x00-\x7f]|[A-Za-z0-9 ]|&#\d+;)*" if key == "tooltip" \
            else r"[A-Za-z0-9_#.,: -]*"
        assert re.fullmatch(pattern, value), (key, value)
    assert '"Start &#34;quoted&#34; &#60;script&#62;' in dot  # the tooltip of a nasty name


def test_mermaid_escaping() -> None:
    assert mermaid_text('a"b:c;d%%e{f}g<h>i|j\\k\nl') == (
        "a#34;b#58;c#59;d#37;#37;e#123;f#125;g#60;h#62;i#124;j#92;k l")
    assert mermaid_text("x" * 300) == "x" * 119 + "#8230;"  # cut, with an encoded "…"
    for show in (False, True):
        text = render_mermaid(_diagram(NASTY, show_mismatches=show))
        for line in text.splitlines():
            assert_mermaid_line(line)
    markdown = render_mermaid_markdown(_diagram(NASTY))
    fence = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert fence + "\n" == render_mermaid(_diagram(NASTY))
    assert "<script" not in markdown and markdown.count("```") == 2


_MERMAID_LINE = re.compile(
    r'%% [^\n]*|flowchart (TB|LR)'
    r'|    ( {4})?st_\w+(\(\(\(|\(\(|\(|\[)"[^"\n]*"(\)\)\)|\)\)|\)|\])'
    r'|    subgraph st_\w+ \["[^"\n]*"\]|    end'
    r'|    st_\w+ [<o]?(--|-\.-|==)[>o](\|"[^"\n]*"\|)? st_\w+'
    r'|    classDef \w+ [\w:#.,\- ]+|    class [\w,]+ \w+|    linkStyle \d+ [\w:#.,\- ]+')


def assert_mermaid_line(line: str) -> None:
    """A line of our Mermaid: a comment, a node, a subgraph, a link or a style; table text
    only inside quotes, entity-encoded, so it can never end them."""
    assert _MERMAID_LINE.fullmatch(line), line


# -- Graphviz ------------------------------------------------------------------------------------
@needs_dot
@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_dot_accepts_every_dot_the_tool_writes(name: str) -> None:
    table, raw = GOLDEN_CASES[name]
    diagram = _diagram(table, raw)
    for legend, links, plan in itertools.product((True, False), (True, False), PLANS):
        if plan != "dot" and legend:
            continue
        rendered = run_dot(render_dot(diagram, legend=legend, links=links,
                                      plan=PLANS[plan]), "svg")
        assert not [w for w in rendered.warnings if "rror" in w], rendered.warnings
        root = assert_clean_svg(rendered.data)
        nodes = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
        assert len(nodes) == len(diagram.nodes) + (1 if legend else 0)
        edges = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "edge"]
        assert len(edges) == len(diagram.edges)
    texts = set(svg_texts(run_dot(render_dot(diagram), "svg").data))
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
    root = assert_clean_svg(rendered.data)
    nodes = [g for g in root.iter(f"{SVG_NS}g") if g.get("class") == "node"]
    assert len(nodes) == len(diagram.nodes) + 1
    texts = set(svg_texts(rendered.data))
    for node in diagram.nodes:
        if node.status is not None:
            shown = [line for line in wrap_text(node.name, NAME_WIDTH) if line.strip()]
            assert set(shown) <= texts, (node.name, shown)
    page = render_report(model, (), diagram, svg=rendered.data.decode())
    assert parse_page(page).tags.count("script") == 1  # ours, and only ours
    for line in render_mermaid(diagram).splitlines():
        assert_mermaid_line(line)
    # node tooltips say the full name (a backslash shown as U+29F5), without markup
    titles = re.findall(r'xlink:title="([^"]*)"', rendered.data.decode())
    for node in diagram.nodes:
        if node.status is not None and clean_text(node.name):
            expected = " - ".join((clean_text(node.name), *node.notes)).replace("\\", "\u29f5")
            assert expected in [html.unescape(t) for t in titles], node.name


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
    # the Mermaid format also writes its fenced .md file
    assert len(outputs[0]) == len(formats.split(",")) + 1 + (3 if HAVE_DOT else 0)
    assert not any(str(tmp_path).encode() in data for data in outputs[0].values())
