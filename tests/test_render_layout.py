"""Tests of what makes the picture legible: folding (statusproof.render.folding), families,
reading order, layout plans and their fallback, and the legibility measure itself.

Property-based tests draw random tables whose columns disagree, and check that folding never
changes what the picture says about reachability, that the folded steps are exactly the
column-mismatch findings' steps (less the ones a guard, a timer or a trace keeps), and that
every DOT edge is written down the reading order.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from conftest import run_cli, scraped_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from render_support import TICKETS, diagram_of, needs_dot

from statusproof.checks import graph_checks
from statusproof.checks.columns import column_mismatches
from statusproof.model import load_model
from statusproof.model.interpret import interpret
from statusproof.model.loaders import load_table_text
from statusproof.model.model import Model, Transition
from statusproof.render.diagram import Diagram, Role, build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.elements import Edge, EdgeStyle, Node, NodeStyle, Shape
from statusproof.render.families import MIN_MEMBERS, MIN_TARGETS, find_families
from statusproof.render.folding import fold
from statusproof.render.graphviz_run import GraphvizTimeoutError, find_dot
from statusproof.render.layout import PLANS, cheaper, choose_layout, plan_named
from statusproof.render.measure import crossings, measure_layout, polyline
from statusproof.render.picture import draw_picture

NAMES = ["Open", "Held", "Review", "Closed", "Waiting", "Active", "Queued", "Paused"]


@st.composite
def disagreeing_tables(draw: st.DrawFn) -> Model:
    """A table whose Previous and Next columns are drawn independently (so they disagree),
    with 'none' here and there and a name without a row."""
    names = draw(st.lists(st.sampled_from(NAMES), min_size=3, max_size=8, unique=True))
    targets = [*names, "Gone"]
    rows = []
    for i, name in enumerate(names):
        nexts = draw(st.lists(st.sampled_from(targets), max_size=4, unique=True))
        if not nexts or draw(st.booleans()):
            nexts = [*nexts, "none"]
        previous = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        if i == 0:
            previous = ["none"]
        rows.append((name, f"{name}.", previous, nexts))
    text = scraped_text(rows)
    return interpret(load_table_text(text, "random.txt"))


def _reach(starts: Iterable[str], steps: Iterable[tuple[str, str]]) -> set[str]:
    succ: dict[str, set[str]] = {}
    for a, b in steps:
        succ.setdefault(a, set()).add(b)
    seen = set(starts)
    todo = list(seen)
    while todo:
        for b in succ.get(todo.pop(), ()):
            if b not in seen:
                seen.add(b)
                todo.append(b)
    return seen


def _reachability(model: Model, transitions: Iterable[Transition]) -> tuple[set[str], set[str]]:
    """Statuses reachable from an entry point, and statuses from which a terminal is."""
    steps = [(t.source, t.target) for t in transitions if t.target is not None]
    ends = {s.name for s in model.statuses if s.terminal is not None}
    ends |= {t.source for t in model.transitions if t.target is None}
    forward = _reach(model.entries, steps)
    backward = _reach(ends, [(b, a) for a, b in steps])
    return forward, backward


SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(disagreeing_tables())
def test_folding_never_changes_what_the_picture_says_about_reachability(model: Model) -> None:
    folding = fold(model)
    hidden = set(folding.hidden)
    drawn = [t for t in model.transitions if t not in hidden]
    assert _reachability(model, drawn) == _reachability(model, model.transitions)
    # what is folded is a step the columns contradict, without guard or timer
    mismatch_pairs = {f.statuses for f in column_mismatches(model) if f.code == "column-mismatch"}
    for t in folding.hidden:
        assert (t.source, t.target) in mismatch_pairs and t.guard is None
    diagram = build_diagram(model, graph_checks(model))
    assert set(diagram.hidden) == hidden
    assert sorted(map(repr, [t for e in diagram.edges for t in e.transitions]
                      + list(diagram.hidden))) == sorted(map(repr, model.transitions))


def test_folded_steps_are_the_column_mismatch_findings_steps() -> None:
    for raw in (False, True):
        model = load_model(raw=raw)
        kept_by_timer = {(t.status, t.target) for t in model.timers}
        pairs = {f.statuses for f in column_mismatches(model) if f.code == "column-mismatch"}
        hidden = {(t.source, t.target) for t in fold(model).hidden}
        guarded = {(t.source, t.target) for t in model.transitions if t.guard is not None}
        assert hidden == pairs - kept_by_timer - guarded
    assert len(fold(load_model()).hidden) == 25  # 26 mismatches; Rebooting -> Offline is timed


@SETTINGS
@given(disagreeing_tables())
def test_every_edge_is_written_down_the_reading_order(model: Model) -> None:
    diagram = build_diagram(model, graph_checks(model))
    ranks = dict(diagram.ranks)
    assert set(ranks) == {n.id for n in diagram.nodes}
    for node in diagram.nodes:
        if node.style.shape in (Shape.START, Shape.TRIGGER):
            assert ranks[node.id] == 0
    dot = render_dot(diagram, plan=PLANS["dot"])
    for first, second in re.findall(r'^  "(\w+)" -> "(\w+)"', dot, re.MULTILINE):
        assert ranks[first] <= ranks[second], (first, second)


@SETTINGS
@given(st.dictionaries(st.sampled_from("ABCDEFG"), st.sets(st.sampled_from("uvwxyz"),
                                                            max_size=5), max_size=7))
def test_families_share_what_they_say_they_share(steps: dict[str, set[str]]) -> None:
    order = sorted(steps)
    families = find_families(steps, order)
    seen: set[str] = set()
    for family in families:
        assert len(family.members) >= MIN_MEMBERS and len(family.shared) >= MIN_TARGETS
        assert not seen & set(family.members)
        seen |= set(family.members)
        for member in family.members:
            assert set(family.shared) <= steps[member]
    assert families == find_families(steps, order)  # deterministic


def test_the_bundled_picture_is_legible() -> None:
    diagram = diagram_of()
    assert len(diagram.edges) <= 45
    assert diagram.notes == ("25 steps that one column lists and the other contradicts "
                             "(column-mismatch) not drawn; --show column-mismatches draws "
                             "them",)
    ranks = dict(diagram.ranks)
    entries = [diagram.status_node(s).id for s in ("Connecting", "Invitation")]
    assert {ranks[e] for e in entries} == {1}
    last = max(ranks.values())
    bottom = {diagram.node(n).name for n, r in ranks.items() if r == last}
    assert {"Aborted", "Closed by waiting customer", "Removed from TC queue"} <= bottom


@needs_dot
def test_measure_counts_edges_and_crossings_of_graphvizs_layout() -> None:
    assert crossings([(0, 0), (10, 10)], [(0, 10), (10, 0)]) == 1
    assert crossings([(0, 0), (10, 0)], [(0, 1), (10, 1)]) == 0
    assert len(polyline([[0, 0], [1, 1], [2, 2], [3, 3]])) == 9
    layout = subprocess.run([find_dot(), "-Tjson"], input=b'digraph { layout=neato; '
                            b'a [pos="0,0!"]; b [pos="3,3!"]; c [pos="0,3!"]; d [pos="3,0!"]; '
                            b"a -> b; c -> d }", capture_output=True, check=True).stdout
    measure = measure_layout(layout.decode())
    assert (measure.edges, measure.crossings) == (2, 1)
    bundled = subprocess.run([find_dot(), "-Tjson"], input=render_dot(diagram_of()).encode(),
                             capture_output=True, check=True).stdout
    figures = measure_layout(json.loads(bundled))
    assert figures.edges <= 45 and figures.crossings < 60  # it was 71 edges, 197 crossings


def _diagram_of_size(statuses: int, edges: int) -> Diagram:
    nodes = tuple(Node(f"n{i}", f"S{i}", (Role.STATUS,), NodeStyle(Shape.STATUS),
                       status=f"S{i}") for i in range(statuses))
    links = tuple(Edge(f"e{i}", "n0", "n1", (Role.STEP,), EdgeStyle()) for i in range(edges))
    return Diagram("t", nodes, links, (), ())


def test_layout_plans_by_size() -> None:
    assert choose_layout(_diagram_of_size(18, 39)).name == "dot"
    assert choose_layout(_diagram_of_size(100, 300)).name == "dot"
    assert choose_layout(_diagram_of_size(200, 600)).name == "dot-fast"
    assert choose_layout(_diagram_of_size(1000, 3000)).name == "sfdp"
    assert choose_layout(_diagram_of_size(50, 5000)).name == "sfdp"
    assert [p.name for p in (cheaper(PLANS["dot"]), cheaper(PLANS["dot-fast"]))] == [
        "dot-fast", "sfdp"]
    assert cheaper(PLANS["sfdp"]) is None
    assert plan_named("auto", _diagram_of_size(3, 2)).name == "dot"
    with pytest.raises(ValueError, match="unknown layout 'neato'"):
        plan_named("neato", _diagram_of_size(3, 2))
    sfdp = render_dot(diagram_of(), plan=PLANS["sfdp"])
    assert 'layout="sfdp"' in sfdp and "subgraph" not in sfdp and "ltail" not in sfdp


def _slow_dot(tmp_path: Path) -> str:
    """Graphviz's real dot, behind a wrapper that first sleeps when asked for the dot engine
    (as dot does on a large table), so that the fallback is exercised without timing."""
    wrapper = tmp_path / "slow-dot"
    wrapper.write_text(
        f"#!{sys.executable}\n"
        "import os, sys, time\n"
        "data = sys.stdin.buffer.read()\n"
        "if b'layout=\"dot\"' in data:\n"
        "    time.sleep(120)\n"
        f"r, w = os.pipe()\nos.write(w, data)\nos.close(w)\nos.dup2(r, 0)\n"
        f"os.execv({find_dot()!r}, [{find_dot()!r}, *sys.argv[1:]])\n")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


@needs_dot
@pytest.mark.slow
def test_a_layout_that_does_not_finish_falls_back_to_sfdp(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    model = load_model(TICKETS)
    findings = graph_checks(model)

    def make(frames: bool) -> Diagram:
        return build_diagram(model, findings, frames=frames)

    slow = _slow_dot(tmp_path)
    picture = draw_picture(make, "svg", timeout=8, executable=slow)
    assert picture.plan.name == "sfdp" and b"<svg" in picture.data
    assert picture.notes == ("the dot layout did not finish within 6 s; drawn with sfdp "
                             "instead (Graphviz sfdp, a force-directed overview (a large "
                             "table)).",)
    assert 'layout="sfdp"' in picture.dot_text
    assert not [e for e in picture.diagram.edges if e.from_cluster], "sfdp draws no frames"
    with pytest.raises(GraphvizTimeoutError, match=r"drawn with sfdp instead.*dot did not "
                                                   r"finish within"):
        draw_picture(make, "svg", timeout=0.000001, executable=slow)
    # the command line says what happened, and writes the DOT of what was drawn
    monkeypatch.setenv("STATUSPROOF_DOT", slow)
    code, out, err = run_cli(["render", str(TICKETS), "-o", str(tmp_path / "out"),
                              "--format", "dot,svg", "--no-formal", "--timeout", "8"])
    assert code == 0, err
    assert out.splitlines() == [f"wrote {tmp_path / 'out' / name}"
                                for name in ("tickets.dot", "tickets.svg")]
    assert "note: the dot layout did not finish within 6 s; drawn with sfdp" in err
    assert 'layout="sfdp"' in (tmp_path / "out" / "tickets.dot").read_text()
    assert os.path.getsize(tmp_path / "out" / "tickets.svg") > 1000
