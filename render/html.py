"""The HTML report: one self-contained page with the diagram, the findings and their evidence.

This module owns the page: the inline SVG (made by Graphviz from the same
:class:`~statusproof.render.diagram.Diagram`, passed in as text), the legend, the findings
table with links to the statuses they name, witness paths, traces (in the one trace format of
:func:`statusproof.model.trace.format_trace`), the statuses and the transitions. Stylesheet
included (``assets/report.css``); no scripts, fonts, images or anything else from a network.

It does not run the checks or Graphviz: findings, traces and the SVG are arguments. Every text
from the table or a finding is escaped with :func:`html.escape`; the SVG is Graphviz's output
for DOT in which all table text was escaped (:mod:`~statusproof.render.dot`), and it is refused
if it holds a script.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from itertools import groupby
from pathlib import PurePosixPath
from typing import Any

from statusproof import __version__
from statusproof.checks.findings import CATALOGUE, Finding, Severity
from statusproof.model.errors import StatusproofError
from statusproof.model.machine import State
from statusproof.model.model import Model, TerminalKind, Transition
from statusproof.model.table import Column
from statusproof.model.trace import Trace, TraceStep, format_trace

from .diagram import Diagram, LegendItem, Line, Shape

__all__ = ["render_report", "inline_svg", "trace_from_data", "legend_swatch"]

_SEVERITY_TITLE = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _stylesheet() -> str:
    return resources.files("statusproof.render").joinpath("assets", "report.css").read_text(
        encoding="utf-8")


def inline_svg(svg: str) -> str:
    """Graphviz's SVG document made fit to sit inside HTML: the XML declaration, doctype and
    comments dropped. Raises :class:`StatusproofError` if it is not an SVG document or holds
    a script or an event handler (it never should: table text is escaped before layout).

    >>> inline_svg('<?xml version="1.0"?>\\n<!-- x -->\\n<svg width="1pt"><g/></svg>\\n')
    '<svg width="1pt"><g/></svg>'
    """
    start = svg.find("<svg")
    end = svg.rfind("</svg>")
    if start < 0 or end < 0:
        raise StatusproofError("the diagram is not an SVG document (no <svg> element)")
    body = re.sub(r"<!--.*?-->\n?", "", svg[start:end + len("</svg>")], flags=re.DOTALL)
    if re.search(r"<script|<foreignObject|\son[a-z]+\s*=", body, re.IGNORECASE):
        raise StatusproofError("the diagram's SVG holds a script or an event handler; "
                               "refusing to embed it")
    return body


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
    return (head + tail + f'<line x1="{9 if tail else 3}" y1="10" x2="36" y2="10" '
            f'stroke="{stroke}" stroke-width="{width:g}"{dash}/>'
            f'<polygon points="36,6 44,10 36,14" fill="{stroke}"/></svg>')


def trace_from_data(model: Model, data: Mapping[str, Any]) -> Trace | None:
    """A :class:`Trace` rebuilt from :func:`~statusproof.model.trace.trace_to_dict` data, each
    step's transition found in ``model``; None when the data does not fit the model."""
    steps = []
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list):
        return None
    for raw in raw_steps:
        if not isinstance(raw, Mapping):
            return None
        status = raw.get("status")
        state = None if status is None else State(str(status), raw.get("remembered"),
                                                  raw.get("cause"))
        transition: Transition | None = None
        move = raw.get("transition")
        if isinstance(move, Mapping):
            transition = next(
                (t for t in model.transitions
                 if t.source == move.get("source") and t.target == move.get("target")
                 and (str(t.guard) if t.guard else None) == move.get("guard")), None)
            if transition is None:
                return None
        delay = raw.get("delay")
        steps.append(TraceStep(state, transition, delay if isinstance(delay, int) else None,
                               note=str(raw.get("note") or ""),
                               action=str(raw.get("action") or "")))
    return Trace(tuple(steps), str(data.get("title") or ""))


class _Page:
    """One report: the model, findings and anchors, and the HTML pieces built from them."""

    def __init__(self, model: Model, findings: Sequence[Finding], diagram: Diagram):
        self.model = model
        self.findings = sorted(findings, key=lambda f: f.severity.rank)
        self.anchor: dict[str, str] = {}
        for node in diagram.nodes:
            if node.status is not None and node.anchor is not None:
                self.anchor[node.status] = node.anchor
        self.node_id = {n.status: n.id for n in diagram.nodes if n.status is not None}
        self.number = {id(f): i + 1 for i, f in enumerate(self.findings)}

    def status_link(self, name: str) -> str:
        anchor = self.anchor.get(name)
        if anchor is None:
            return f"<span>{_e(name)}</span>"
        return f'<a href="#status-{anchor}">{_e(name)}</a>'

    def path(self, names: Sequence[str]) -> str:
        return '<span class="path">' + " → ".join(self.status_link(n) for n in names) + "</span>"

    def where(self, f: Finding) -> str:
        if f.span is None:
            return "-"
        if f.span.path == self.model.path:
            return f"line {f.span.line}"
        name = PurePosixPath(f.span.path.replace("\\", "/")).name
        return f"{name}:{f.span.line}"

    def evidence(self, f: Finding) -> str:
        parts = []
        if len(f.witness) > 1 or (f.witness and f.witness[0] not in f.statuses):
            parts.append(f"<div>witness: {self.path(f.witness)}</div>")
        for key, value in sorted(f.evidence_dict().items()):
            if key == "trace" and isinstance(value, Mapping):
                trace = trace_from_data(self.model, value)
                text = (format_trace(trace) if trace is not None
                        else json.dumps(value, indent=1, ensure_ascii=False, default=str))
                count = len(value.get("steps") or [])
                parts.append(f"<details><summary>trace ({count} steps)</summary>"
                             f"<pre>{_e(text)}</pre></details>")
                continue
            if value in (None, "", [], {}):
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and all(
                    v in self.anchor for v in value):
                shown = ", ".join(self.status_link(v) for v in value)
            elif isinstance(value, str):
                shown = _e(value)
            else:
                shown = _e(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
            parts.append(f"<div>{_e(key.replace('_', ' '))}: {shown}</div>")
        return "".join(parts)

    def finding_rows(self, findings: Sequence[Finding]) -> str:
        rows = []
        for f in findings:
            info = CATALOGUE.get(f.code)
            title = f' title="{_e(info.title)}"' if info is not None else ""
            statuses = ", ".join(self.status_link(s) for s in f.statuses) or "-"
            number = self.number[id(f)]
            rows.append(
                f'<tr id="finding-{number}"><td class="num">{number}</td>'
                f'<td><span class="badge sev-{f.severity.value}">{f.severity.value}</span></td>'
                f"<td><code{title}>{_e(f.code)}</code></td><td>{statuses}</td>"
                f'<td class="num">{_e(self.where(f))}</td><td>{_e(f.message)}</td>'
                f"<td>{self.evidence(f)}</td></tr>")
        return "\n".join(rows)

    def findings_section(self) -> str:
        head = ("<thead><tr><th>#</th><th>severity</th><th>code</th><th>statuses</th>"
                "<th>where</th><th>message</th><th>evidence</th></tr></thead>")
        out = ['<section id="findings"><h2>Findings</h2>']
        if not self.findings:
            out.append("<p>No findings.</p>")
        for severity, group in groupby(self.findings, key=lambda f: f.severity):
            items = list(group)
            table = (f"<table>{head}<tbody>\n{self.finding_rows(items)}\n</tbody></table>")
            heading = f"{_SEVERITY_TITLE[severity]} ({len(items)})"
            if severity is Severity.INFO:
                out.append(f'<details id="findings-info"><summary>{heading}</summary>'
                           f"{table}</details>")
            else:
                out.append(f'<h3 id="findings-{severity.value}">{heading}</h3>{table}')
        out.append("</section>")
        return "\n".join(out)

    def statuses_section(self) -> str:
        rows = []
        for status in self.model.statuses:
            flags = []
            if status.entry:
                trigger = f": {'; '.join(status.triggers)}" if status.triggers else ""
                flags.append(f"entry point{trigger}")
            if status.terminal is not None:
                flags.append(f"terminal ({status.terminal.value})")
            if not status.defined:
                flags.append("no row")
            if status.remembers:
                flags.append("remembers the status to return to")
            named = [f for f in self.findings if status.name in f.statuses
                     and f.severity is not Severity.INFO]
            links = ", ".join(
                f'<a href="#finding-{self.number[id(f)]}">{_e(f.code)}</a>' for f in named)
            bad = {f.code for f in named if f.severity is Severity.ERROR}
            flag_html = "".join(f'<span class="flag">{_e(x)}</span>' for x in flags) + "".join(
                f'<span class="flag flag-bad">{_e(code)}</span>' for code in sorted(bad))
            anchor = self.anchor.get(status.name, "")
            node = self.node_id.get(status.name)
            where = f"line {status.line}" if status.line is not None else "-"
            if status.span is not None and status.span.path != self.model.path:
                where = "-"
            picture = f' <a href="#node_{node}" title="show in the diagram">◈</a>' if node else ""
            rows.append(
                f'<tr id="status-{anchor}"><td><strong>{_e(status.name)}</strong>{picture}'
                f"</td><td>{flag_html}</td><td class=\"num\">{_e(where)}</td>"
                f"<td>{_e(status.description)}</td><td>{links or '-'}</td></tr>")
        return ('<section id="statuses"><h2>Statuses</h2><table><thead><tr><th>status</th>'
                "<th>kind</th><th>where</th><th>description</th><th>findings</th></tr></thead>"
                "<tbody>\n" + "\n".join(rows) + "\n</tbody></table></section>")

    def transitions_section(self) -> str:
        rows = []
        for t in self.model.transitions:
            columns = " + ".join(c.title for c in (Column.NEXT, Column.PREVIOUS)
                                 if c in t.columns)
            target = self.status_link(t.target) if t.target is not None else "(end of run)"
            lines = ", ".join(str(s.line) for s in t.spans if s.path == self.model.path)
            extra = "added by amendment" if t.amendment else ""
            rows.append(
                f"<tr><td>{self.status_link(t.source)}</td><td>{target}</td>"
                f"<td>{_e(t.guard) if t.guard else ''}</td><td>{_e(columns)}</td>"
                f'<td class="num">{_e(lines or "-")}</td><td>{_e(extra)}</td></tr>')
        return ('<section id="transitions"><h2>Transitions</h2><details><summary>'
                f"{len(self.model.transitions)} transitions</summary><table><thead><tr>"
                "<th>from</th><th>to</th><th>guard</th><th>listed in</th><th>lines</th>"
                "<th></th></tr></thead><tbody>\n" + "\n".join(rows)
                + "\n</tbody></table></details></section>")

    def traces_section(self, highlight: Trace | None) -> str:
        blocks = []
        if highlight is not None:
            title = highlight.title or "highlighted trace"
            blocks.append(f'<h3 id="trace-highlight">{_e(title)} (drawn on the diagram)</h3>'
                          f"<pre>{_e(format_trace(highlight))}</pre>")
        for f in self.findings:
            data = f.evidence_dict().get("trace")
            if not isinstance(data, Mapping):
                continue
            trace = trace_from_data(self.model, data)
            text = (format_trace(trace) if trace is not None
                    else json.dumps(data, indent=1, ensure_ascii=False, default=str))
            number = self.number[id(f)]
            blocks.append(f'<h3><a href="#finding-{number}">finding {number}</a>: '
                          f"<code>{_e(f.code)}</code></h3><pre>{_e(text)}</pre>")
        if not blocks:
            return ""
        return '<section id="traces"><h2>Traces</h2>' + "\n".join(blocks) + "</section>"


def _summary(model: Model, findings: Sequence[Finding]) -> str:
    defined = sum(1 for s in model.statuses if s.defined)
    counts = {s: sum(1 for f in findings if f.severity is s) for s in Severity}
    exits = sum(1 for s in model.statuses if s.terminal is TerminalKind.EXIT)
    badges = "".join(
        (f'<a href="#findings-{s.value}">{badge}</a>' if counts[s] else badge)
        for s in Severity
        for badge in [f'<span class="badge sev-{s.value}">{counts[s]} '
                      f"{_SEVERITY_TITLE[s].lower()}</span>"])
    return (f'<p class="summary">{len(model.statuses)} statuses ({defined} rows, '
            f"{len(model.statuses) - defined} without a row, {exits} of them exits), "
            f"{len(model.transitions)} transitions; entry points: "
            f"{_e(', '.join(model.entries) or 'none')}; terminals: "
            f"{_e(', '.join(model.terminals) or 'none')}.</p>"
            f'<p class="counts">{badges}</p>')


def render_report(model: Model, findings: Sequence[Finding], diagram: Diagram, *,
                  svg: str | None, highlight: Trace | None = None, notice: str = "",
                  dot_source: str = "") -> str:
    """The report page for ``model``: same arguments, same bytes.

    ``diagram`` is the diagram the SVG was made from (it gives the anchors and the legend);
    ``svg`` is Graphviz's SVG of it, or None when it could not be made: then ``notice`` says
    why and ``dot_source`` is shown so the reader still has the diagram's text.
    """
    name = PurePosixPath(model.path.replace("\\", "/")).name or model.path
    how = "with amendments" if model.amendments else "table alone"
    page = _Page(model, findings, diagram)
    legend = "".join(f"<li>{legend_swatch(item)}<span>{_e(item.text)}</span></li>"
                     for item in diagram.legend)
    if svg is not None:
        picture = f'<div class="diagram">{inline_svg(svg)}</div>'
    else:
        picture = f'<p class="notice">{_e(notice or "The diagram could not be drawn.")}</p>'
        if dot_source:
            picture += ("<details><summary>DOT source of the diagram</summary>"
                        f"<pre>{_e(dot_source)}</pre></details>")
    nav = ('<nav><a href="#diagram">Diagram</a><a href="#findings">Findings</a>'
           '<a href="#statuses">Statuses</a>'
           + ('<a href="#traces">Traces</a>' if highlight is not None or any(
               isinstance(f.evidence_dict().get("trace"), Mapping) for f in findings) else "")
           + '<a href="#transitions">Transitions</a></nav>')
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>statusproof report: {_e(name)}</title>",
        f"<style>\n{_stylesheet()}</style>",
        "</head>",
        "<body>",
        f"<header><h1>statusproof report: {_e(name)}</h1>",
        f'<p class="summary">{_e(how)}, reconcile={_e(model.policy)}</p>',
        _summary(model, findings),
        nav,
        "</header>",
        "<main>",
        f'<section id="diagram"><h2>Diagram</h2>{picture}<ul class="legend">{legend}</ul>'
        "</section>",
        page.findings_section(),
        page.traces_section(highlight),
        page.statuses_section(),
        page.transitions_section(),
        "</main>",
        f"<footer>Made by statusproof {_e(__version__)} from {_e(name)}. Status names link "
        "to their rows; ◈ shows a status in the diagram.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"
