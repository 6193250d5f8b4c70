"""``statusproof report``: one self-contained HTML page that explains the table's findings.

Writes ``DIR/report.html`` and, beside it, the DOT and SVG of the picture it shows first
(``report.dot``, ``report.svg``). The page itself is made by
:func:`statusproof.render.html.render_report`: a summary in order of consequence, the picture
(steps the columns contradict folded away, and the picture with every step behind a toggle),
the findings, the table as written, the statuses and the transitions.

A picture that cannot be drawn (Graphviz missing, or not finished in time even by the
fallback layout) is a warning on the page and on standard error, never an input error: the
exit code follows the findings (0 none of severity error, 1 some) whenever the page was
written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from statusproof.checks.findings import Severity
from statusproof.checks.report import counts
from statusproof.model.reading import reading_to_dict
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import GraphvizError
from statusproof.render.html import FULL_PREFIX, FullView, render_report
from statusproof.render.picture import diagram_for_plan

from .common import add_table_arguments, load_from_args
from .render_cmd import (
    add_drawing_arguments,
    diagram_maker,
    draw,
    findings_of,
    load_highlight,
    report_warnings,
    write_file,
)
from .tables import load_table_from_args

__all__ = ["add_parser", "run", "REPORT_NAME"]

REPORT_NAME = "report"


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "report", help="write an HTML report: summary, diagram, findings, evidence",
        description="Check the table and write DIR/report.html: a summary of what to fix "
                    "first, the diagram (inline SVG) with the findings drawn on it, the "
                    "findings (click one to see its run on the diagram and its cells in the "
                    "table; filter by severity, code and status), the table as written, "
                    "witness paths and traces. The page needs no network. report.dot and "
                    "report.svg are written beside it. Exit 0 when no finding is an error, 1 "
                    "when one is (a picture that could not be drawn is a warning on the "
                    "page), 2 when the input cannot be used.")
    add_table_arguments(parser)
    add_drawing_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    table = load_table_from_args(args)
    highlight = load_highlight(model, args.highlight) if args.highlight else None
    findings, ignored = findings_of(args, model)
    make = diagram_maker(args, model, findings, highlight)
    diagram, plan = diagram_for_plan(make, args.layout)
    dot_text = render_dot(diagram, legend=False, links=True, plan=plan)
    svg: str | None = None
    notice = ""
    warnings: list[str] = [ignored] if ignored else []
    try:
        picture = draw(make, "svg", args, legend=False, links=True)
    except GraphvizError as e:
        notice = f"The diagram could not be drawn: {e}"
        err.write(f"statusproof: warning: {e}\n")
    else:
        report_warnings(picture, err)
        warnings.extend(picture.notes)
        diagram, dot_text = picture.diagram, picture.dot_text
        svg = picture.data.decode("utf-8")
    full: FullView | None = None
    if diagram.hidden:
        make_full = diagram_maker(args, model, findings, highlight, show_mismatches=True)
        if svg is None:
            full = FullView(make_full(True), None, notice)
        else:
            try:
                whole = draw(make_full, "svg", args, legend=False, links=True,
                             prefix=FULL_PREFIX)
            except GraphvizError as e:
                full = FullView(make_full(True), None,
                                f"The picture with every step could not be drawn: {e}")
                err.write(f"statusproof: warning: {e}\n")
            else:
                report_warnings(whole, err)
                full = FullView(whole.diagram, whole.data.decode("utf-8"))
    folder = Path(args.output)
    write_file(folder / f"{REPORT_NAME}.dot", dot_text, out)
    if svg is not None:
        write_file(folder / f"{REPORT_NAME}.svg", svg, out)
    page = render_report(model, findings, diagram, svg=svg, highlight=highlight,
                         notice=notice, dot_source=dot_text, full=full, table=table,
                         reading=reading_to_dict(model), warnings=warnings)
    write_file(folder / f"{REPORT_NAME}.html", page, out)
    tally = counts(findings)
    out.write(f"{len(findings)} findings: {tally['error']} error(s), {tally['warning']} "
              f"warning(s), {tally['info']} info\n")
    if svg is None:
        err.write(f"statusproof: warning: {folder / (REPORT_NAME + '.html')} was written "
                  "without the diagram\n")
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0
