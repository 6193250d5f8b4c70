"""Tests of the HTML report (statusproof.render.html and its sections), the summary, what a
finding points at, the SVG safety check, and the ``render`` and ``report`` commands.

The report in a real browser (click, filter, toggle) is ``test_render_browser.py``.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from conftest import run_cli
from render_support import NASTY, TICKETS, diagram_of, needs_dot, parse_page

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, Severity, sort_by_consequence
from statusproof.cli.render_cmd import collect_findings
from statusproof.model import bundled_table, display_name, load_model
from statusproof.model.errors import StatusproofError, UnknownStatusError
from statusproof.model.loaders import load_table
from statusproof.model.model import Model
from statusproof.model.trace import format_trace, load_trace, replay, trace_to_dict
from statusproof.render.diagram import Diagram, build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import run_dot
from statusproof.render.html import FULL_PREFIX, FullView, render_report
from statusproof.render.report_sections import reading_section
from statusproof.render.summary import MAX_POINTS, summarise
from statusproof.render.svg_safety import inline_svg
from statusproof.render.targets import cited_lines, finding_targets
from statusproof.render.trace_data import trace_from_data


def _report(table: Path | None = None, svg: bool = True) -> tuple[Model, Diagram, str]:
    model = load_model(table)
    findings = graph_checks(model)
    diagram = build_diagram(model, findings)
    dot = render_dot(diagram, legend=False, links=True)
    picture = run_dot(dot, "svg").data.decode() if svg else None
    return model, diagram, render_report(model, findings, diagram, svg=picture,
                                         notice="" if svg else "no dot", dot_source=dot)


def _bundled_order(model: Model, findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    return sort_by_consequence(findings, {n: i for i, n in enumerate(model.names)})


# -- the page --------------------------------------------------------------------------------
@needs_dot
def test_report_escapes_table_text_and_every_link_resolves() -> None:
    model, diagram, page = _report(NASTY)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for table in (NASTY, None):  # with errors; without (no error table to link to)
        checked = parse_page(_report(table)[2])
        local = [h[1:] for h in checked.hrefs if h.startswith("#")]
        assert local and not [a for a in local if a not in checked.ids]
        assert not [h for h in checked.hrefs if not h.startswith("#")]
    parser = parse_page(page)
    # one script, ours: inline, no source, the asset's text
    assert parser.tags.count("script") == 1 and parser.script_attrs == [{}]
    assert "fetch(" not in parser.scripts[0] and "XMLHttpRequest" not in parser.scripts[0]
    assert "link" not in parser.tags and "img" not in parser.tags
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
    assert html.escape(format_trace(trace)) in page


def test_findings_are_listed_in_order_of_consequence_with_filters() -> None:
    model = load_model(raw=True)
    findings = graph_checks(model)
    _, _, page = _report(None, svg=False)
    page = render_report(model, findings, build_diagram(model, findings), svg=None)
    codes = re.findall(r'<tr id="finding-\d+" class="finding" data-severity="(\w+)" '
                       r'data-code="([\w-]+)"', page)
    assert [c for _, c in codes] == [f.code for f in _bundled_order(model, findings)]
    assert codes[0] == ("error", "unreachable-status")
    severities = [s for s, _ in codes]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)
    # filters: severity boxes (info unchecked), every code, a status search
    assert '<input type="checkbox" name="severity" value="info"> info' in page
    assert '<input type="checkbox" name="severity" value="warning" checked>' in page
    for code in {f.code for f in findings}:
        assert f'<option value="{code}">' in page
    assert 'id="filter-status"' in page


def test_the_summary_says_what_to_fix_first_in_plain_words() -> None:
    model = load_model()
    findings = _bundled_order(model, collect_findings(model))
    points = summarise(model, findings)
    assert [p.text for p in points] == [
        "A run interrupted in Collaborating that reaches Offline can never come back to "
        "Collaborating.",
        "In Active and Waiting, two timeouts (admin and system) can fall due at the same "
        "instant, and the table does not say which one wins.",
        "7 returns from an interruption (e.g. Offline → Waiting) do not check where the run "
        "was before: a run may come back to a status it was never in.",
        "3 statuses are named but never described: Aborted, Removed from TC queue (after "
        "timeout) and Removed from TC queue.",
        "26 steps are listed in one column and contradicted by the other (e.g. Active lists "
        "Closed by waiting customer as next, but the Previous cell of Closed by waiting "
        "customer does not list Active)."]
    for point in points:  # each point sums up findings of its code, in consequence order
        assert {findings[i].code for i in point.findings} == {point.code}
    raw = load_model(raw=True)
    raw_points = summarise(raw, _bundled_order(raw, collect_findings(raw)))
    assert raw_points[0].severity is Severity.ERROR
    assert raw_points[0].text == ("1 status cannot be reached from any entry point: Removed "
                                  "from TC queue (after closed by technician).")


def test_the_summary_has_at_most_seven_points_and_never_drops_a_code() -> None:
    model = load_model()
    findings = tuple(Finding(f"made-up-{i}", Severity.WARNING, f"message {i}", ("Active",))
                     for i in range(10))
    points = summarise(model, findings)
    assert len(points) == MAX_POINTS
    assert points[0].text == "made-up-0: message 0."  # a code without a sentence: its message
    assert points[-1].text.startswith("4 more kinds of finding (4 findings) below:")
    assert sorted(i for p in points for i in p.findings) == list(range(10))
    assert summarise(model, ()) == []


def test_a_finding_points_at_its_witness_and_its_cells() -> None:
    model = load_model()
    findings = _bundled_order(model, collect_findings(model))
    folded = build_diagram(model, findings)
    full = build_diagram(model, findings, show_mismatches=True)
    no_way_back = next(f for f in findings if f.code == "no-way-back")
    # Invitation -> Collaborating -> Rebooting -> Offline: steps the columns contradict
    shown = finding_targets(model, folded, no_way_back)
    assert shown.missing == 2  # Invitation -> Collaborating and Collaborating -> Rebooting
    whole = finding_targets(model, full, no_way_back)
    assert whole.missing == 0 and len(whole.edges) == 4  # the start and three steps
    names = {full.node(n).status for n in whole.nodes}
    assert names == {"Invitation", "Collaborating", "Rebooting", "Offline"}
    drawn = {(t.source, t.target) for e in full.edges if e.id in whole.edges
             for t in e.transitions}
    assert {("Invitation", "Collaborating"), ("Collaborating", "Rebooting"),
            ("Rebooting", "Offline")} <= drawn
    mismatch = next(f for f in findings if f.code == "column-mismatch"
                    and f.statuses == ("Incoming", "On Hold"))
    # On Hold's Previous cell (line 122) lists Incoming; Incoming's Next cell does not
    assert cited_lines(model, mismatch)[0] == 122
    assert model.status("Incoming").next_span is not None
    assert cited_lines(model, mismatch)[1] == model.status("Incoming").next_span.line
    amended = next(f for f in findings if f.code == "column-mismatch"
                   and f.statuses == ("Active", "Closed by waiting customer"))
    assert cited_lines(model, amended) == (17,)  # the other cell is in the amendment file


@needs_dot
def test_report_rows_carry_their_targets_and_cells_exist() -> None:
    model = load_model()
    findings = collect_findings(model)
    folded = build_diagram(model, findings)
    full = build_diagram(model, findings, show_mismatches=True)
    svg = run_dot(render_dot(folded, legend=False, links=True), "svg").data.decode()
    full_svg = run_dot(render_dot(full, legend=False, links=True, prefix=FULL_PREFIX),
                       "svg").data.decode()
    path = bundled_table()
    table = load_table(path, None, display_name(path, True))
    page = render_report(model, findings, folded, svg=svg, full=FullView(full, full_svg),
                         table=table)
    parser = parse_page(page)
    for row in re.finditer(r'<tr id="finding-\d+" class="finding" ([^>]*)>', page):
        attrs = dict(re.findall(r'(data-[\w-]+)="([^"]*)"', row[1]))
        for key in ("data-edges", "data-nodes", "data-full-edges", "data-full-nodes",
                    "data-cells"):
            for ident in attrs[key].split():
                assert ident in parser.ids, (key, ident)
    assert page.count('data-needs-full="1"') >= 1
    assert 'id="show-mismatches"' in page and 'id="view-full"' in page
    cell = model.status("On Hold").previous_span
    assert cell is not None and cell.line == 121  # "- Active" opens it; line 122: "- Incoming"
    assert f'<td id="cell-{cell.line}"><span class="line">{cell.line}</span>Active<br>Incoming' \
        in page


def test_the_reading_section_is_rendered_from_json_ready_data() -> None:
    assert reading_section(None) == "" and reading_section([]) == ""
    section = reading_section([
        {"line": 122, "status": "On Hold", "column": "previous", "text": "Incoming",
         "reading": "Incoming -> On Hold"},
        {"line": None, "status": "<b>", "column": "next", "text": "x",
         "reading": {"guard": "remembered = Incoming"}}])
    assert '<a href="#cell-122">122</a>' in section and "&lt;b&gt;" in section
    assert html.escape('{"guard": "remembered = Incoming"}') in section
    model = load_model(TICKETS)
    page = render_report(model, (), build_diagram(model), svg=None,
                         reading=[{"line": 1, "status": "New", "column": "next",
                                   "text": "Triaged", "reading": "New -> Triaged"}])
    assert '<section id="reading">' in page and 'href="#reading"' in page


def test_inline_svg_refuses_scripts_but_not_text_that_looks_like_one() -> None:
    with pytest.raises(StatusproofError, match=r"report.svg:1: .*<script> element"):
        inline_svg('<svg><script>alert(1)</script></svg>', "report.svg")
    with pytest.raises(StatusproofError, match=r":2: .*event handler \(onload=\)"):
        inline_svg('<svg>\n<g onload="x()"/></svg>', "report.svg")
    with pytest.raises(StatusproofError, match=r"links to a script"):
        inline_svg('<svg xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href='
                   '" javascript:alert(1)"/></svg>')
    with pytest.raises(StatusproofError, match="not an SVG document"):
        inline_svg("<html/>")
    with pytest.raises(StatusproofError, match="not well-formed"):
        inline_svg("<svg><g></svg>")
    # escaped table text that reads like markup is text, and is embedded as it is
    text = '<svg><text>x onerror=alert(1) &lt;script&gt; onload = y</text></svg>'
    assert inline_svg(text) == text


@needs_dot
def test_report_accepts_a_table_whose_names_look_like_event_handlers(tmp_path: Path) -> None:
    table = tmp_path / "handlers.md"
    table.write_text(
        "| Status | Description | Previous status | Next status |\n"
        "|---|---|---|---|\n"
        '| Open onerror=alert(1) | x | none | Closed" onload="y |\n'
        '| Closed" onload="y | <img src=x onerror=alert(1)> | Open onerror=alert(1) | none |\n')
    code, _, err = run_cli(["report", str(table), "-o", str(tmp_path / "r"), "--no-formal"])
    assert code == 0, err
    page = (tmp_path / "r" / "report.html").read_text()
    assert "onerror=alert(1)" in page and "<img" not in page
    assert parse_page(page).tags.count("script") == 1


# -- the commands ------------------------------------------------------------------------------
@needs_dot
def test_render_writes_every_format(tmp_path: Path) -> None:
    code, out, err = run_cli(["render", "-o", str(tmp_path), "--format",
                              "svg,png,pdf,dot,mermaid", "--no-formal"])
    assert code == 0, err
    stem = tmp_path / "rescue-session-statuses"
    assert out.splitlines() == [f"wrote {stem}{s}" for s in (".dot", ".mmd", ".md", ".svg",
                                                             ".png", ".pdf")]
    assert stem.with_suffix(".png").read_bytes().startswith(b"\x89PNG")
    assert stem.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    svg = stem.with_suffix(".svg").read_text()
    assert "&lt;BR/&gt;" not in svg, "tooltips show names, not label markup"
    assert 'xlink:title="Removed from TC queue (after closed by technician)"' in svg
    assert stem.with_suffix(".mmd").read_text().splitlines()[2] == "flowchart TB"
    markdown = stem.with_suffix(".md").read_text()
    assert "```mermaid\n" + stem.with_suffix(".mmd").read_text() + "```" in markdown


@needs_dot
def test_show_column_mismatches_draws_every_step(tmp_path: Path) -> None:
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "dot", "--no-formal",
                            "--show", "column-mismatches", "--name", "all"])
    assert code == 0, err
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--format", "dot", "--no-formal",
                            "--name", "folded"])
    assert code == 0, err
    everything = (tmp_path / "all.dot").read_text()
    folded = (tmp_path / "folded.dot").read_text()
    assert "not drawn" in folded and "not drawn" not in everything
    assert everything.count('" -> "') > folded.count('" -> "')
    code, _, err = run_cli(["render", "-o", str(tmp_path), "--show", "everything"])
    assert code == 2 and "invalid choice: 'everything'" in err


@needs_dot
def test_render_says_how_to_get_past_a_timeout(tmp_path: Path) -> None:
    code, out, err = run_cli(["render", "-o", str(tmp_path), "--format", "svg,dot",
                              "--no-formal", "--timeout", "0.000001"])
    assert code == 1, "a picture not drawn in time is not an input error"
    assert "svg not drawn: the dot layout did not finish within" in err
    assert "drawn with sfdp instead" in err and "allow more time with --timeout SECONDS" in err
    assert out == f"wrote {tmp_path / 'rescue-session-statuses.dot'}\n"
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


def test_load_trace_reads_inline_files_and_json(tmp_path: Path) -> None:
    from statusproof.cli.render_cmd import load_highlight
    assert load_highlight is load_trace  # the old name, kept
    model = load_model()
    inline = load_trace(model, "Connecting → Waiting -> Timed out [system], end")
    assert inline.statuses == ("Connecting", "Waiting", "Timed out") and inline.ended
    trace = replay(model, ["Connecting", "Waiting", "Timed out", "end"], ["system"])
    path = tmp_path / "t.json"
    path.write_text(json.dumps(trace_to_dict(trace)))
    assert load_trace(model, str(path)).steps == trace.steps
    path.write_text("{ not json")
    with pytest.raises(StatusproofError, match=r"t\.json:1: not valid JSON"):
        load_trace(model, str(path))
    with pytest.raises(UnknownStatusError, match=r"the cause of 'Timed out' is one of admin, "
                                                 r"system, not 'sometimes'"):
        load_trace(model, "Connecting, Waiting, Timed out [sometimes]")
    with pytest.raises(StatusproofError, match="no such trace file"):
        load_trace(model, "missing/trace.txt")
    with pytest.raises(StatusproofError, match=r"--trace: the trace names no status"):
        load_trace(model, " , ", option="--trace")


def test_without_dot_render_and_report_still_write_what_they_can(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("STATUSPROOF_DOT", raising=False)
    code, out, err = run_cli(["render", str(TICKETS), "-o", str(tmp_path), "--no-formal"])
    assert code == 0
    assert out == "".join(f"wrote {tmp_path / name}\n"
                          for name in ("tickets.dot", "tickets.mmd", "tickets.md"))
    assert "svg not made" in err and "apt-get install graphviz" in err
    code, _, err = run_cli(["render", str(TICKETS), "-o", str(tmp_path), "--format",
                            "dot,png"])
    assert code == 2 and "cannot make png" in err and "apt-get install graphviz" in err
    # the report is written without its picture: a warning, and the exit code of the findings
    code, out, err = run_cli(["report", str(TICKETS), "-o", str(tmp_path / "r")])
    assert code == 1, "the ticket table has an error finding (an unreachable status)"
    assert "warning:" in err and "apt-get install graphviz" in err
    page = (tmp_path / "r" / "report.html").read_text()
    assert "The diagram could not be drawn" in page and "digraph statusproof" in page
    code, _, err = run_cli(["report", "-o", str(tmp_path / "r2"), "--no-formal"])
    assert code == 0 and "was written without the diagram" in err


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
    assert '<section id="summary"><h2>What to fix first</h2>' in page
    assert 'id="view-full"' in page  # the picture with every step, behind the toggle
    code, _, _ = run_cli(["report", str(NASTY), "-o", str(tmp_path / "n"), "--no-formal"])
    assert code == 1, "error findings: exit 1, the page written all the same"
    assert (tmp_path / "n" / "report.html").is_file()


def test_diagram_of_helper_matches_the_command_defaults() -> None:
    assert len(diagram_of().edges) <= 45
