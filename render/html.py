"""The HTML report: one self-contained page that explains what is wrong with a table.

This module assembles the page: the header with the facts and counts, the summary of at most
seven points in order of consequence, the diagram (inline SVG made by Graphviz from the same
:class:`~statusproof.render.diagram.Diagram`, passed in as text; with the steps the columns
contradict folded away, and the picture with every step a click away), the legend, the
findings with filters, the reading of every cell, the traces, the table as written, the
statuses and the transitions.
A "Reading" section (how each cell was read, fragment by fragment) is added when its data is
given (:mod:`~statusproof.render.report_reading`).

The page is interactive without a server: an inline script (``assets/report.js``, no network)
highlights a clicked finding's run on the picture and the cells it cites, filters the findings
by severity, code and status, and switches between the two pictures. Without scripts every
section is still there. The stylesheet is inline too (``assets/report.css``); nothing is
fetched. Same arguments, same bytes.

It does not run the checks or Graphviz: findings, traces and the SVG are arguments. Every text
from the table or a finding is escaped; the SVG is checked before it is embedded
(:func:`~statusproof.render.svg_safety.inline_svg`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from statusproof import __version__
from statusproof.checks.findings import Finding, Severity
from statusproof.model.model import Model, TerminalKind
from statusproof.model.record import record
from statusproof.model.table import StatusTable
from statusproof.model.trace import Trace

from .diagram import Diagram
from .report_lists import statuses_section, traces_section, transitions_section
from .report_sections import ReportPage, esc
from .svg_safety import inline_svg
from .swatch import legend_swatch
from .trace_data import trace_from_data

__all__ = ["render_report", "inline_svg", "trace_from_data", "legend_swatch", "FullView",
           "FULL_PREFIX"]

#: The prefix of the element ids of the picture with every step (two SVGs share the page).
FULL_PREFIX = "full-"


@record
class FullView:
    """The picture with every step (nothing folded away): its diagram and SVG (ids prefixed
    with :data:`FULL_PREFIX`), or None with a ``notice`` saying why it is missing."""

    diagram: Diagram
    svg: str | None
    notice: str = ""


def _asset(name: str) -> str:
    return resources.files("statusproof.render").joinpath("assets", name).read_text(
        encoding="utf-8")


def _facts(model: Model, findings: Sequence[Finding]) -> str:
    defined = sum(1 for s in model.statuses if s.defined)
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    exits = sum(1 for s in model.statuses if s.terminal is TerminalKind.EXIT)
    titles = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}
    badges = "".join(
        f'<span class="badge sev-{s.value}">{counts[s]} {titles[s]}</span>' for s in Severity)
    return (f'<p class="summary">{len(model.statuses)} statuses ({defined} rows, '
            f"{len(model.statuses) - defined} without a row, {exits} of them exits), "
            f"{len(model.transitions)} transitions; entry points: "
            f"{esc(', '.join(model.entries) or 'none')}; terminals: "
            f"{esc(', '.join(model.terminals) or 'none')}.</p>"
            f'<p class="counts">{badges}</p>')


def _picture(svg: str | None, notice: str, dot_source: str, name: str) -> str:
    if svg is not None:
        return inline_svg(svg, name)
    out = f'<p class="notice">{esc(notice or "The diagram could not be drawn.")}</p>'
    if dot_source:
        out += ("<details><summary>DOT source of the diagram</summary>"
                f"<pre>{esc(dot_source)}</pre></details>")
    return out


def _diagram_section(diagram: Diagram, svg: str | None, notice: str, dot_source: str,
                     full: FullView | None, warnings: Sequence[str]) -> str:
    legend = "".join(f"<li>{legend_swatch(item)}<span>{esc(item.text)}</span></li>"
                     for item in diagram.legend)
    notes = "".join(f'<p class="caption">{esc(note)}</p>' for note in diagram.notes)
    notes += "".join(f'<p class="notice">{esc(w)}</p>' for w in warnings)
    parts = ['<section id="diagram"><h2>Diagram</h2>']
    controls = ['<div class="controls" id="controls" hidden>']
    if full is not None:
        hidden = len(diagram.hidden)
        controls.append(f'<label><input type="checkbox" id="show-mismatches"> also draw the '
                        f"{hidden} step{'s' if hidden != 1 else ''} one column lists and the "
                        "other contradicts</label>")
    controls.append('<button type="button" id="clear-selection">clear the highlight</button>'
                    '<span id="selection" aria-live="polite"></span></div>')
    parts += ["".join(controls),
              f'<div class="view" id="view-folded">{notes}<div class="diagram">'
              + _picture(svg, notice, dot_source, "report.svg") + "</div></div>"]
    if full is not None:
        parts.append('<details class="view-full" id="view-full"><summary>The picture with '
                     "every step</summary><div class=\"diagram\">"
                     + _picture(full.svg, full.notice, "", "report-full.svg")
                     + "</div></details>")
    parts.append(f'<ul class="legend">{legend}</ul></section>')
    return "\n".join(parts)


def render_report(model: Model, findings: Sequence[Finding], diagram: Diagram, *,
                  svg: str | None, highlight: Trace | None = None, notice: str = "",
                  dot_source: str = "", full: FullView | None = None,
                  table: StatusTable | None = None,
                  reading: Mapping[str, Any] | None = None,
                  warnings: Sequence[str] = ()) -> str:
    """The report page for ``model``: same arguments, same bytes.

    ``diagram`` is the diagram the SVG was made from (it gives the anchors and the legend);
    ``svg`` is Graphviz's SVG of it, or None when it could not be made: then ``notice`` says
    why and ``dot_source`` is shown so the reader still has the diagram's text. ``full`` is
    the picture with every step, when ``diagram`` folds steps away; ``table`` the table as
    loaded (its cells are shown, and findings point at them); ``reading`` the reading of each
    cell (:func:`statusproof.model.reading.reading_to_dict`'s data: the "Reading" section,
    linked with the findings about clauses not read); ``warnings`` are shown above the picture
    (a layout that fell back, a picture that could not be drawn).
    """
    name = PurePosixPath(model.path.replace("\\", "/")).name or model.path
    how = "with amendments" if model.amendments else "table alone"
    page = ReportPage(model, findings, diagram, full.diagram if full else None, FULL_PREFIX,
                      table, reading)
    traces = traces_section(page, highlight)
    nav = "".join(f'<a href="#{target}">{title}</a>' for target, title in (
        ("summary", "Summary"), ("diagram", "Diagram"), ("findings", "Findings"),
        ("reading", "Reading") if page.reading is not None else ("", ""),
        ("traces", "Traces") if traces
        else ("", ""), ("table", "Table") if table is not None else ("", ""),
        ("statuses", "Statuses"), ("transitions", "Transitions")) if target)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>statusproof report: {esc(name)}</title>",
        f"<style>\n{_asset('report.css')}</style>",
        "</head>",
        "<body>",
        f"<header><h1>statusproof report: {esc(name)}</h1>",
        f'<p class="summary">{esc(how)}, reconcile={esc(model.policy)}</p>',
        _facts(model, findings),
        f"<nav>{nav}</nav>",
        "</header>",
        "<main>",
        page.summary_section(),
        _diagram_section(diagram, svg, notice, dot_source, full, warnings),
        page.findings_section(),
        page.reading_section(),
        traces,
        page.table_section(),
        statuses_section(page),
        transitions_section(page),
        "</main>",
        f"<footer>Made by statusproof {esc(__version__)} from {esc(name)}. Status names link "
        "to their rows; ◈ shows a status in the diagram; a finding's line links to its cell "
        "in the table.</footer>",
        f"<script>\n{_asset('report.js')}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
