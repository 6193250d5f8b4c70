"""``statusproof report``: one self-contained HTML page with the diagram and the findings.

Writes ``DIR/report.html`` and, beside it, the DOT and SVG it embeds (``report.dot``,
``report.svg``). The page itself is made by :func:`statusproof.render.html.render_report`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from statusproof.checks.report import counts
from statusproof.render.diagram import build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import GraphvizError
from statusproof.render.html import render_report

from .common import add_table_arguments, load_from_args
from .render_cmd import (
    add_drawing_arguments,
    collect_findings,
    draw,
    load_highlight,
    report_warnings,
    write_file,
)

__all__ = ["add_parser", "run", "REPORT_NAME"]

REPORT_NAME = "report"


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report", help="write an HTML report: diagram, findings, evidence",
        description="Check the table and write DIR/report.html: the diagram (inline SVG) with "
                    "the findings drawn on it, the findings table linked to the statuses, "
                    "witness paths and traces. The page needs no network. report.dot and "
                    "report.svg are written beside it. Exit 0 when the report is complete, 2 "
                    "when the input cannot be used or the diagram could not be drawn "
                    "(Graphviz's dot missing: the page is still written, without it).")
    add_table_arguments(parser)
    add_drawing_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    highlight = load_highlight(model, args.highlight) if args.highlight else None
    findings = collect_findings(model, formal=not args.no_formal)
    diagram = build_diagram(model, findings, highlight, direction=args.direction)
    dot_text = render_dot(diagram, legend=False, links=True)
    folder = Path(args.output)
    write_file(folder / f"{REPORT_NAME}.dot", dot_text, out)
    svg: str | None = None
    notice = ""
    try:
        rendered = draw(dot_text, "svg", args.timeout)
    except GraphvizError as e:
        notice = f"The diagram could not be drawn: {e}"
        err.write(f"statusproof: {e}\n")
    else:
        report_warnings(rendered, err)
        write_file(folder / f"{REPORT_NAME}.svg", rendered.data, out)
        svg = rendered.data.decode("utf-8")
    page = render_report(model, findings, diagram, svg=svg, highlight=highlight,
                         notice=notice, dot_source=dot_text)
    write_file(folder / f"{REPORT_NAME}.html", page, out)
    tally = counts(findings)
    out.write(f"{len(findings)} findings: {tally['error']} error(s), {tally['warning']} "
              f"warning(s), {tally['info']} info\n")
    if svg is None:
        err.write(f"statusproof: {folder / (REPORT_NAME + '.html')} was written without the "
                  "diagram\n")
        return 2
    return 0
