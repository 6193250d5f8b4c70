"""The sections of the HTML report, each a piece of escaped HTML.

:class:`ReportPage` holds what the sections share (the model, the findings in order of
consequence and their numbers, the anchors of the statuses, the diagrams' targets of each
finding) and writes: the summary (:mod:`~statusproof.render.summary`), the findings table
with its filters, traces, the table as written (every cell, with its line), the statuses and
the transitions. :func:`reading_section` writes the reading of every cell from JSON-ready
data. Every text from the table or a finding goes through :func:`html.escape`; the page is
assembled by :mod:`~statusproof.render.html`.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from statusproof.checks.findings import CATALOGUE, Finding, Severity, sort_by_consequence
from statusproof.model.model import Model
from statusproof.model.table import Column, StatusTable
from statusproof.model.trace import format_trace

from .elements import Diagram
from .summary import summarise
from .targets import DiagramIndex, Targets, cited_lines, finding_targets
from .trace_data import trace_from_data

__all__ = ["ReportPage", "reading_section", "esc"]

_SEVERITY_TITLE = {Severity.ERROR: "errors", Severity.WARNING: "warnings", Severity.INFO: "info"}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def reading_section(entries: Sequence[Mapping[str, Any]] | None) -> str:
    """The "Reading" section: how each cell was read, from JSON-ready data (one mapping per
    cell with ``line``, ``status``, ``column``, ``text`` and ``reading``, as an ``explain``
    command gives it). Empty when there is nothing to show. Unknown keys are ignored, and a
    ``reading`` that is not a string is shown as compact JSON.

    >>> reading_section([{"line": 3, "status": "Open", "column": "next", "text": "Closed",
    ...                   "reading": "Open -> Closed"}]).count("<tr>")
    2
    """
    if not entries:
        return ""
    rows = []
    for entry in entries:
        reading = entry.get("reading", "")
        shown = reading if isinstance(reading, str) else json.dumps(
            reading, ensure_ascii=False, sort_keys=True, default=str)
        line = entry.get("line")
        anchor = f' href="#cell-{esc(line)}"' if isinstance(line, int) else ""
        rows.append(f"<tr><td class=\"num\"><a{anchor}>{esc(line if line is not None else '-')}"
                    f"</a></td><td>{esc(entry.get('status', ''))}</td>"
                    f"<td>{esc(entry.get('column', ''))}</td><td>{esc(entry.get('text', ''))}"
                    f"</td><td>{esc(shown)}</td></tr>")
    return ('<section id="reading"><h2>Reading</h2><p>How each cell of the table was read.'
            '</p><table><thead><tr><th>line</th><th>status</th><th>column</th><th>cell</th>'
            "<th>reading</th></tr></thead><tbody>\n" + "\n".join(rows)
            + "\n</tbody></table></section>")


class ReportPage:
    """One report: the model, findings, diagrams and anchors, and the sections built on them.

    ``diagram`` is the picture shown first; ``full`` the picture with every step (when steps
    are folded away in ``diagram``), whose element ids carry ``full_prefix``.
    """

    def __init__(self, model: Model, findings: Sequence[Finding], diagram: Diagram,
                 full: Diagram | None = None, full_prefix: str = "full-",
                 table: StatusTable | None = None):
        self.model = model
        order = {name: i for i, name in enumerate(model.names)}
        self.findings = sort_by_consequence(findings, order)
        self.number = {id(f): i + 1 for i, f in enumerate(self.findings)}
        self.anchor = {n.status: n.anchor for n in diagram.nodes
                       if n.status is not None and n.anchor is not None}
        self.node_id = {n.status: n.id for n in diagram.nodes if n.status is not None}
        self.diagram, self.full, self.full_prefix = diagram, full, full_prefix
        self.index = DiagramIndex(diagram)
        self.full_index = DiagramIndex(full) if full is not None else None
        self.table = table
        self.cell_of: dict[int, int] = {}  # a line of the table -> the first line of its cell
        if table is not None:
            for row in table.rows:
                for column in (Column.STATUS, Column.DESCRIPTION, Column.PREVIOUS, Column.NEXT):
                    span = row.cell(column).span
                    if span is not None:
                        for line in range(span.line, span.end_line + 1):
                            self.cell_of.setdefault(line, span.line)

    # -- links -----------------------------------------------------------------------------
    def status_link(self, name: str) -> str:
        anchor = self.anchor.get(name)
        if anchor is None:
            return f"<span>{esc(name)}</span>"
        return f'<a href="#status-{anchor}">{esc(name)}</a>'

    def path(self, names: Sequence[str]) -> str:
        return '<span class="path">' + " → ".join(self.status_link(n) for n in names) + "</span>"

    def cells(self, f: Finding) -> list[tuple[int, int]]:
        """The lines of the table ``f`` cites, each with the first line of its cell (the
        cell's id); only cells the page shows."""
        found: list[tuple[int, int]] = []
        for line in cited_lines(self.model, f):
            cell = self.cell_of.get(line)
            if cell is not None and all(cell != c for _, c in found):
                found.append((line, cell))
        return found

    def where(self, f: Finding) -> str:
        if f.span is None:
            return "-"
        if f.span.path == self.model.path:
            cell = self.cell_of.get(f.span.line)
            text = f"line {f.span.line}"
            return f'<a href="#cell-{cell}">{text}</a>' if cell is not None else text
        name = PurePosixPath(f.span.path.replace("\\", "/")).name
        return esc(f"{name}:{f.span.line}")

    # -- summary ---------------------------------------------------------------------------
    def summary_section(self) -> str:
        points = summarise(self.model, self.findings)
        if not points:
            items = ['<li class="point">No errors or warnings: every check passed or only '
                     "has information to give.</li>"]
        else:
            items = []
            for point in points:
                first = self.findings[point.findings[0]]
                number = self.number[id(first)]
                refs = [f'<a href="#finding-{number}">finding {number}</a>']
                if len(point.findings) > 1:
                    refs[0] = (f'<a href="#finding-{number}">findings {number}–'
                               f"{number + len(point.findings) - 1}</a>")
                refs += [f'<a href="#cell-{cell}">line {line}</a>'
                         for line, cell in self.cells(first)[:3]]
                refs.append(f'<a href="#diagram" class="show" data-finding="{number}">'
                            "show on the diagram</a>")
                items.append(
                    f'<li class="point" data-finding="{number}" data-code="{esc(point.code)}">'
                    f'<span class="badge sev-{point.severity.value}">'
                    f"{point.severity.value}</span> {esc(point.text)} "
                    f'<span class="refs">{" · ".join(refs)}</span></li>')
        return ('<section id="summary"><h2>What to fix first</h2>'
                '<ol class="points">\n' + "\n".join(items) + "\n</ol></section>")

    # -- findings --------------------------------------------------------------------------
    def targets(self, f: Finding) -> tuple[Targets, Targets | None]:
        folded = finding_targets(self.model, self.index, f)
        full = finding_targets(self.model, self.full_index, f) \
            if self.full_index is not None else None
        return folded, full

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
                             f"<pre>{esc(text)}</pre></details>")
                continue
            if value in (None, "", [], {}):
                continue
            if isinstance(value, list) and all(isinstance(v, str) for v in value) and all(
                    v in self.anchor for v in value):
                shown = ", ".join(self.status_link(v) for v in value)
            elif isinstance(value, str):
                shown = esc(value)
            else:
                shown = esc(json.dumps(value, ensure_ascii=False, sort_keys=True, default=str))
            parts.append(f"<div>{esc(key.replace('_', ' '))}: {shown}</div>")
        return "".join(parts)

    def finding_row(self, f: Finding) -> str:
        info = CATALOGUE.get(f.code)
        title = f' title="{esc(info.title)}"' if info is not None else ""
        statuses = ", ".join(self.status_link(s) for s in f.statuses) or "-"
        number = self.number[id(f)]
        folded, full = self.targets(f)
        data = [f'data-severity="{f.severity.value}"', f'data-code="{esc(f.code)}"',
                f'data-statuses="{esc(chr(10).join(f.statuses))}"',
                f'data-edges="{" ".join("edge_" + e for e in folded.edges)}"',
                f'data-nodes="{" ".join("node_" + n for n in folded.nodes)}"',
                f'data-cells="{" ".join(f"cell-{c}" for _, c in self.cells(f))}"']
        if full is not None:
            prefix = self.full_prefix
            data += [f'data-full-edges="{" ".join(prefix + "edge_" + e for e in full.edges)}"',
                     f'data-full-nodes="{" ".join(prefix + "node_" + n for n in full.nodes)}"']
            if folded.missing and not full.missing:
                data.append('data-needs-full="1"')
        return (f'<tr id="finding-{number}" class="finding" {" ".join(data)}>'
                f'<td class="num">{number}</td>'
                f'<td><span class="badge sev-{f.severity.value}">{f.severity.value}</span></td>'
                f"<td><code{title}>{esc(f.code)}</code></td><td>{statuses}</td>"
                f'<td class="num">{self.where(f)}</td><td>{esc(f.message)}</td>'
                f"<td>{self.evidence(f)}</td></tr>")

    def findings_section(self) -> str:
        counts = {s: sum(1 for f in self.findings if f.severity is s) for s in Severity}
        boxes = "".join(
            f'<label><input type="checkbox" name="severity" value="{s.value}"'
            f'{"" if s is Severity.INFO else " checked"}> {_SEVERITY_TITLE[s]} ({counts[s]})'
            "</label>" for s in Severity)
        codes = sorted({f.code for f in self.findings})
        options = "".join(f'<option value="{esc(c)}">{esc(c)}</option>' for c in codes)
        filters = (f'<div class="filters" id="filters" hidden>{boxes}'
                   '<label>code <select id="filter-code"><option value="">all codes</option>'
                   f"{options}</select></label>"
                   '<label>status <input type="search" id="filter-status" '
                   'placeholder="search by status"></label>'
                   '<span id="filter-count" aria-live="polite"></span></div>')
        head = ("<thead><tr><th>#</th><th>severity</th><th>code</th><th>statuses</th>"
                "<th>where</th><th>message</th><th>evidence</th></tr></thead>")
        if not self.findings:
            return '<section id="findings"><h2>Findings</h2><p>No findings.</p></section>'
        rows = "\n".join(self.finding_row(f) for f in self.findings)
        return ('<section id="findings"><h2>Findings</h2><p class="hint">In order of '
                "consequence: errors, then warnings that change what a run can do, then the "
                "table's hygiene, then information. Click a finding to see its run on the "
                f"diagram and its cells in the table.</p>{filters}"
                f'<table id="findings-table">{head}<tbody>\n{rows}\n</tbody></table></section>')

    # -- the table, statuses, transitions, traces -------------------------------------------
    def table_section(self) -> str:
        if self.table is None:
            return ""
        rows = []
        for row in self.table.rows:
            cells = []
            for column in (Column.STATUS, Column.DESCRIPTION, Column.PREVIOUS, Column.NEXT):
                cell = row.cell(column)
                span = cell.span
                ident = f' id="cell-{span.line}"' if span is not None else ""
                entries = "<br>".join(esc(e.text) for e in cell.entries) or \
                    '<span class="empty">(empty)</span>'
                where = f'<span class="line">{span.line}</span>' if span is not None else ""
                cells.append(f"<td{ident}>{where}{entries}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        return ('<section id="table"><h2>The table as written</h2><details open><summary>'
                f"{len(self.table.rows)} rows, each cell with its first line</summary><table>"
                "<thead><tr><th>Status</th><th>Description</th><th>Previous status</th>"
                "<th>Next status</th></tr></thead><tbody>\n" + "\n".join(rows)
                + "\n</tbody></table></details></section>")
