"""The report's lists: the statuses, the transitions and the traces.

Functions over a :class:`~statusproof.render.report_sections.ReportPage` (its model, findings
and anchors); every text is escaped with :func:`~statusproof.render.report_sections.esc`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from statusproof.checks.findings import Severity
from statusproof.model.table import Column
from statusproof.model.trace import Trace, format_trace

from .report_sections import ReportPage, esc
from .trace_data import trace_from_data

__all__ = ["statuses_section", "transitions_section", "traces_section"]


def statuses_section(self: ReportPage) -> str:
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
            f'<a href="#finding-{self.number[id(f)]}">{esc(f.code)}</a>' for f in named)
        bad = {f.code for f in named if f.severity is Severity.ERROR}
        flag_html = "".join(f'<span class="flag">{esc(x)}</span>' for x in flags) + "".join(
            f'<span class="flag flag-bad">{esc(code)}</span>' for code in sorted(bad))
        anchor = self.anchor.get(status.name, "")
        node = self.node_id.get(status.name)
        where = f"line {status.line}" if status.line is not None else "-"
        if status.span is not None and status.span.path != self.model.path:
            where = "-"
        picture = f' <a href="#node_{node}" title="show in the diagram">◈</a>' if node else ""
        nodes = f"node_{node} {self.full_prefix}node_{node}" if node else ""
        rows.append(
            f'<tr id="status-{anchor}" class="status" data-name="{esc(status.name)}" '
            f'data-nodes="{nodes}"><td><strong>{esc(status.name)}</strong>{picture}'
            f"</td><td>{flag_html}</td><td class=\"num\">{esc(where)}</td>"
            f"<td>{esc(status.description)}</td><td>{links or '-'}</td></tr>")
    return ('<section id="statuses"><h2>Statuses</h2><table><thead><tr><th>status</th>'
            "<th>kind</th><th>where</th><th>description</th><th>findings</th></tr></thead>"
            "<tbody>\n" + "\n".join(rows) + "\n</tbody></table></section>")

def transitions_section(self: ReportPage) -> str:
    rows = []
    for t in self.model.transitions:
        columns = " + ".join(c.title for c in (Column.NEXT, Column.PREVIOUS)
                             if c in t.columns)
        target = self.status_link(t.target) if t.target is not None else "(end of run)"
        lines = ", ".join(str(s.line) for s in t.spans if s.path == self.model.path)
        extra = "added by amendment" if t.amendment else ""
        rows.append(
            f"<tr><td>{self.status_link(t.source)}</td><td>{target}</td>"
            f"<td>{esc(t.guard) if t.guard else ''}</td><td>{esc(columns)}</td>"
            f'<td class="num">{esc(lines or "-")}</td><td>{esc(extra)}</td></tr>')
    return ('<section id="transitions"><h2>Transitions</h2><details><summary>'
            f"{len(self.model.transitions)} transitions</summary><table><thead><tr>"
            "<th>from</th><th>to</th><th>guard</th><th>listed in</th><th>lines</th>"
            "<th></th></tr></thead><tbody>\n" + "\n".join(rows)
            + "\n</tbody></table></details></section>")

def traces_section(self: ReportPage, highlight: Trace | None) -> str:
    blocks = []
    if highlight is not None:
        title = highlight.title or "highlighted trace"
        blocks.append(f'<h3 id="trace-highlight">{esc(title)} (drawn on the diagram)</h3>'
                      f"<pre>{esc(format_trace(highlight))}</pre>")
    for f in self.findings:
        data = f.evidence_dict().get("trace")
        if not isinstance(data, Mapping):
            continue
        trace = trace_from_data(self.model, data)
        text = (format_trace(trace) if trace is not None
                else json.dumps(data, indent=1, ensure_ascii=False, default=str))
        number = self.number[id(f)]
        blocks.append(f'<h3><a href="#finding-{number}">finding {number}</a>: '
                      f"<code>{esc(f.code)}</code></h3><pre>{esc(text)}</pre>")
    if not blocks:
        return ""
    return '<section id="traces"><h2>Traces</h2>' + "\n".join(blocks) + "</section>"
