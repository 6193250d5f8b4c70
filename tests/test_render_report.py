"""Tests of the HTML report (statusproof.render.html and its sections), the summary, what a
finding points at, the SVG safety check, and the ``render`` and ``report`` commands.

The report in a real browser (click, filter, toggle) is ``test_render_browser.py``.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st
from render_support import (
    CORPUS,
    NASTY,
    ORDER_WORDING,
    READINGS,
    TICKETS,
    UNREAD_TABLE,
    diagram_of,
    needs_dot,
    parse_page,
)

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, Severity, sort_by_consequence
from statusproof.cli.render_cmd import collect_findings
from statusproof.model import bundled_table, display_name, load_model
from statusproof.model.errors import StatusproofError, UnknownStatusError
from statusproof.model.loaders import load_table
from statusproof.model.model import Model
from statusproof.model.reading import reading_to_dict
from statusproof.model.table import StatusTable
from statusproof.model.trace import format_trace, load_trace, replay, trace_to_dict
from statusproof.render.diagram import Diagram, build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import run_dot
from statusproof.render.html import FULL_PREFIX, FullView, render_report
from statusproof.render.report_reading import ReadingIndex, reading_html
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
                                         notice="" if svg else "no dot", dot_source=dot,
                                         table=_table(table), reading=reading_to_dict(model))


def _table(table: Path | None) -> StatusTable:
    path = table if table is not None else bundled_table()
    return load_table(path, None, display_name(path, table is None))


def _full_report(table: Path) -> tuple[Model, tuple[Finding, ...], str]:
    """The page the report command writes (formal checks included), without a picture."""
    model = load_model(table)
    findings = _bundled_order(model, collect_findings(model))
    page = render_report(model, findings, build_diagram(model, findings), svg=None,
                         table=_table(table), reading=reading_to_dict(model))
    return model, findings, page


def _row_attrs(page: str, code: str) -> list[dict[str, str]]:
    """The data attributes of the finding rows of ``code``, in page order."""
    rows = re.finditer(rf'<tr id="(finding-\d+)" class="finding" ([^>]*data-code="{code}"'
                       r'[^>]*)>', page)
    return [{"id": r[1], **dict(re.findall(r'(data-[\w-]+)="([^"]*)"', r[2]))} for r in rows]


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


def test_the_summary_speaks_the_findings_of_the_cell_language() -> None:
    model = load_model(ORDER_WORDING)
    points = summarise(model, _bundled_order(model, collect_findings(model)))
    assert [(p.code, p.text) for p in points][:5] == [
        ("timeout-overlap", "In Shipped, Delivered has no condition beside exits that have "
         "one, so it is possible whatever the cause: write 'Delivered otherwise' if it is the "
         "default, or give it its condition."),
        ("inconclusive", "2 verdicts cannot be given because 1 cell was not understood: the "
         "Next cell of Disputed (line 10)."),
        ("uninterpreted-entry", "1 cell entry was not understood: 'the buyer and the seller "
         "settle it between them' (the Next cell of Disputed, line 10). The model leaves it "
         "out: rewrite it in the table, or say how to read it with a [[reading]] amendment."),
        ("free-choice", "In Returned and Cancelled, the Next cell says 'none' beside next "
         "statuses with no condition: a run there may end or go on, and nothing says which."),
        ("causes-not-tied", "The description of Cancelled names 2 causes (the payment failed "
         "/ a stock shortage), but no exit of its Next cell ('none' and Archived) says which "
         "cause it follows.")]
    # one free choice names what the 'none' stands beside; an unread cell's verdicts
    model = load_model(UNREAD_TABLE)
    points = summarise(model, _bundled_order(model, collect_findings(model)))
    assert points[0].text == ("1 verdict cannot be given because 1 cell was not understood: "
                              "the Next cell of Open (line 6).")
    single = Finding("free-choice", Severity.WARNING, "m", ("Returned",),
                     evidence=(("next", ["Refunded"]),))
    assert summarise(model, (single,))[0].text == (
        "In Returned, the Next cell says 'none' beside Refunded with no condition: a run there "
        "may end or go on, and nothing says which.")
    budget = Finding("inconclusive", Severity.WARNING, "the guards checks did not run", (),
                     evidence=(("budget_seconds", 1.0), ("check", "guards")))
    assert summarise(model, (budget,))[0].text == (
        "1 check was not settled within the formal budget: rerun with a larger "
        "--formal-budget.")
    # an outside trigger that reads like a name is worth a point when there is room; a
    # trigger in prose (the bundled table's) is not
    model = load_model(CORPUS / "orders.md")
    points = summarise(model, _bundled_order(model, collect_findings(model)))
    assert (points[-1].code, points[-1].severity) == ("outside-trigger", Severity.INFO)
    assert points[-1].text == ("'Order placed' in the Previous cell of Awaiting payment is "
                               "read as an event outside the table, so Awaiting payment starts "
                               "a run; if it is a status, give it a row.")
    bundled = load_model()
    assert "outside-trigger" not in {p.code for p in summarise(
        bundled, _bundled_order(bundled, collect_findings(bundled)))}


def test_the_new_findings_point_at_their_exits_and_cells() -> None:
    model = load_model(READINGS)
    findings = _bundled_order(model, collect_findings(model))
    diagram = build_diagram(model, findings)

    def drawn(f: Finding) -> set[tuple[str, str | None]]:
        edges = set(finding_targets(model, diagram, f).edges)
        return {(t.source, t.target) for e in diagram.edges if e.id in edges
                for t in e.transitions}

    overlap = next(f for f in findings if f.code == "timeout-overlap")
    # its witness run into Review, and the two exits that overlap
    assert {("Draft", "Review"), ("Review", "Draft"), ("Review", "On hold")} <= drawn(overlap)
    unread = next(f for f in findings if f.code == "uninterpreted-entry")
    assert drawn(unread) == {("Draft", "Archived")}  # the step resting on the clause
    assert cited_lines(model, unread) == (6,)
    held = [f for f in findings if f.code == "inconclusive"]
    assert {f.evidence_dict()["check"] for f in held} == {
        "column-mismatch", "guards-exclusive", "history-proved"}
    mismatch = next(f for f in held if f.evidence_dict()["check"] == "column-mismatch")
    assert drawn(mismatch) == {("Draft", "Archived")}
    assert cited_lines(model, mismatch) == (41, 5, 6)  # its cell, the other, the unread one
    assert all(6 in cited_lines(model, f) for f in held)
    model = load_model(ORDER_WORDING)
    findings = collect_findings(model)
    diagram = build_diagram(model, findings)
    choice = next(f for f in findings if f.code == "free-choice" and f.statuses == ("Returned",))
    assert {(t.source, t.target) for e in diagram.edges
            if e.id in finding_targets(model, diagram, choice).edges
            for t in e.transitions} == {("Returned", "Refunded")}
    trigger = next(f for f in findings if f.code == "outside-trigger")
    start = finding_targets(model, diagram, trigger)
    assert [diagram.node(next(e for e in diagram.edges if e.id == i).source).name
            for i in start.edges] == ["Order placed by the buyer"]


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


def test_the_reading_section_shows_every_fragment_and_links_the_unread_ones() -> None:
    model, findings, page = _full_report(UNREAD_TABLE)
    data = reading_to_dict(model)
    parser = parse_page(page)
    section = page[page.index('<section id="reading">'):]
    section = section[:section.index("</section>")]
    entries = sum(max(1, len(row[c])) for row in data["rows"] for c in ("previous", "next"))
    assert section.count('<tr id="reading-') == entries == 9
    # every entry links to its cell in the table as written, and every link resolves
    for line in re.findall(r'href="#cell-(\d+)"', section):
        assert f"cell-{line}" in parser.ids
    links = parse_page(section).hrefs
    assert links and not [h for h in links if h[1:] not in parser.ids]
    # the uninterpreted clause is marked in its entry and links to its finding ...
    unread = _row_attrs(page, "uninterpreted-entry")
    assert len(unread) == 1 and unread[0]["id"] == "finding-2"
    clause = "the agent may close it when the customer confirms the fix"
    assert (f'<a class="frag r-uninterpreted" href="#finding-2" data-finding="2" '
            f'title="uninterpreted: matches no rule of the cell language">{clause}</a>'
            in section)
    assert '<tr id="reading-3" class="reading-entry unread" data-readings="uninterpreted">' \
        in section and '<a href="#cell-5">Next, line 6</a>' in section
    # ... and back: its finding, and the verdict that depends on it, point at the clause and
    # outline its cell (line 6 is in the cell that starts at line 5)
    assert unread[0]["data-cells"].split() == ["cell-5", "reading-3-1"]
    verdict = _row_attrs(page, "inconclusive")[0]
    assert verdict["data-cells"].split() == ["cell-18", "cell-5", "reading-3-1"]
    assert page.count('<a href="#reading-3-1" class="to-reading">the Next cell of Open '
                      "(line 6)</a>") == 2  # in the two findings' evidence
    assert page.count('<a href="#reading-3-1" class="to-reading">how line 6 was read</a>') \
        == 2  # and in their summary points
    # the step that rests on the unread cell is the inconclusive verdict's witness
    diagram = build_diagram(model, findings)
    closed = next(e for e in diagram.edges if any(
        (t.source, t.target) == ("Open", "Closed") for t in e.transitions))
    assert verdict["data-edges"].split() == [f"edge_{closed.id}"]
    assert unread[0]["data-edges"].split() == [f"edge_{closed.id}"]
    # the filter by reading lists the readings that occur, with their counts
    assert ('<option value="status">status (6)</option><option value="end">end (2)</option>'
            '<option value="uninterpreted">uninterpreted (1)</option>') in section
    # the same data, the same bytes
    assert _full_report(UNREAD_TABLE)[2] == page


def test_the_reading_section_marks_each_fragment_in_its_entry() -> None:
    model, _, page = _full_report(READINGS)
    assert ('<td class="entry"><span class="frag r-status" title="status: the row &#x27;'
            'Published&#x27;">Published</span> <span class="frag r-condition" title="condition:'
            " a condition (unless ...): the step is taken when it does not hold\">unless an "
            "editor objects</span></td>") in page
    assert ('<span class="frag r-history" title="history: a condition on the status held '
            'before: Review">if it was in Review status</span>') in page
    assert '<tr id="reading-12" class="reading-entry" data-readings="otherwise status">' in page
    # the Reading section follows the findings; the page without a reading has none
    assert page.index('id="findings"') < page.index('id="reading"') < page.index('id="table"')
    plain = render_report(model, (), build_diagram(model), svg=None)
    assert 'id="reading"' not in plain and 'href="#reading"' not in plain


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@given(st.lists(st.tuples(_TEXT, st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40),
                                                      st.sampled_from(("status", "condition",
                                                                       "uninterpreted"))),
                                            max_size=4)), min_size=1, max_size=4), _TEXT)
def test_any_reading_data_gives_escaped_text_that_reads_as_written(
        entries: list[tuple[str, list[tuple[int, int, str]]]], status: str) -> None:
    rows = [{"status": status, "line": 1, "previous": [], "next": [
        {"text": text, "file": None, "line": 2 + i, "via": None, "amended": False,
         "fragments": [{"text": text[a:b], "start": a, "end": b, "reading": r, "why": "<why>",
                        "statuses": []} for a, b, r in frags]}
        for i, (text, frags) in enumerate(entries)]}]
    data = {"schema": "statusproof/explain/1", "table": "t.txt", "policy": "union",
            "readings": {"status": 1}, "rows": rows}
    index = ReadingIndex(data)
    section = reading_html(index, status_link=html.escape, cell_of=lambda line: None,
                           finding_of={f"{e.id}-1": 7 for e in index.entries})
    parser = parse_page(section)
    assert not {"script", "img", "iframe"} & set(parser.tags)
    # each entry cell, its markup removed, is the entry's text as written
    cells = re.findall(r'<td class="entry">(.*?)</td>', section, re.DOTALL)
    assert len(cells) == len(entries) + 1  # and the empty Previous cell
    for cell, (text, _) in zip(cells[1:], entries, strict=True):
        assert html.unescape(re.sub(r"<[^>]*>", "", cell)) == text
    # the first fragment of each entry links to the finding given for it
    assert section.count('href="#finding-7"') >= sum(1 for _, frags in entries if frags)


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


@pytest.mark.slow
def test_a_report_with_unread_cells_does_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    pages = []
    for seed in ("0", "977"):
        folder = tmp_path / seed
        done = subprocess.run([sys.executable, "-m", "statusproof", "report", str(READINGS),
                               "-o", str(folder)], capture_output=True, text=True, check=False,
                              env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 1, done.stderr  # the table has error findings
        pages.append((folder / "report.html").read_bytes())
    assert pages[0] == pages[1]
    assert b'<section id="reading">' in pages[0] and b"r-uninterpreted" in pages[0]


def test_diagram_of_helper_matches_the_command_defaults() -> None:
    assert len(diagram_of().edges) <= 45
