"""``statusproof render``: draw the model as DOT, Mermaid, SVG, PNG and PDF files.

Also holds what ``render`` and ``report`` share: running the checks whose findings the picture
shows (the graph checks, and the formal checks when :mod:`statusproof.checks.formal` is
installed), the drawing options, reading a ``--highlight`` trace
(:func:`statusproof.model.trace.load_trace`), laying the picture out
(:func:`statusproof.render.picture.draw_picture`) and writing files.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, sort_findings
from statusproof.model import BUNDLED_TABLE
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model
from statusproof.model.trace import Trace, load_trace
from statusproof.output import write_in_folder
from statusproof.render.diagram import Diagram, build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import (
    GRAPHVIZ_FORMATS,
    GraphvizMissingError,
    GraphvizTimeoutError,
)
from statusproof.render.layout import PLANS
from statusproof.render.mermaid import render_mermaid, render_mermaid_markdown
from statusproof.render.picture import Picture, diagram_for_plan, draw_picture

from .common import add_table_arguments, load_from_args
from .tables import STDIN, project_config

__all__ = ["add_parser", "run", "collect_findings", "load_highlight", "parse_formats",
           "FORMATS", "DEFAULT_FORMATS", "add_drawing_arguments", "output_stem", "draw",
           "write_file", "report_warnings", "diagram_maker", "findings_of"]

#: Output formats and the file suffix of each (Mermaid also gets a fenced ``.md`` file).
FORMATS = {"dot": ".dot", "mermaid": ".mmd", "svg": ".svg", "png": ".png", "pdf": ".pdf"}

#: ``--highlight``'s reader now lives next to the trace model; kept here under its old name.
load_highlight = load_trace
DEFAULT_FORMATS = ("dot", "mermaid", "svg")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def add_drawing_arguments(parser: argparse.ArgumentParser) -> None:
    """Options ``render`` and ``report`` share."""
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write into (created if missing)")
    parser.add_argument("--highlight", metavar="TRACE",
                        help="draw a trace on the diagram: a file, or statuses separated by "
                             "commas or arrows, e.g. 'Connecting, Waiting, Active'; a status "
                             "may carry a cause, 'Timed out [system]'; 'end' ends the run")
    parser.add_argument("--direction", choices=("TB", "LR"), default="TB",
                        help="top to bottom (default) or left to right")
    parser.add_argument("--no-formal", action="store_true",
                        help="mark the findings of the graph checks only, without the z3 "
                             "checks (faster)")
    parser.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                        help="time Graphviz may take for one picture, fallback included "
                             "(default: 60)")
    parser.add_argument("--show", action="append", choices=("column-mismatches",),
                        default=[], metavar="WHAT",
                        help="also draw what is folded away: 'column-mismatches', the steps "
                             "one column lists and the other contradicts")
    parser.add_argument("--layout", choices=("auto", *PLANS), default="auto",
                        help="Graphviz layout: auto (by size, default), dot, dot-fast, sfdp")


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "render", help="draw the model as a diagram (DOT, Mermaid, SVG, PNG, PDF)",
        description="Draw the model with the checks' findings on it: entry points and "
                    "triggers, terminal statuses, exits without a row, the remembering "
                    "statuses with their history returns, guarded steps, steps listed in one "
                    "column only, unreachable and trap statuses. SVG, PNG and PDF need "
                    "Graphviz's dot program; DOT and Mermaid are written without it. Exit 0 "
                    "when every requested file was written, 1 when a picture could not be "
                    "drawn in time (the others are written), 2 when the input cannot be used "
                    "or Graphviz is missing for a format asked for.")
    add_table_arguments(parser)
    add_drawing_arguments(parser)
    parser.add_argument("--format", metavar="LIST",
                        help="comma-separated formats among " + ",".join(FORMATS)
                             + " (default: " + ",".join(DEFAULT_FORMATS) + "; svg is then "
                             "skipped with a note when Graphviz is missing)")
    parser.add_argument("--name", metavar="STEM",
                        help="file name without suffix (default: the table's file name)")
    parser.add_argument("--no-legend", action="store_true", help="leave the legend out")
    parser.set_defaults(run=run)


def parse_formats(text: str) -> tuple[str, ...]:
    """The formats of a ``--format`` list, in the order of :data:`FORMATS`.

    >>> parse_formats("svg, DOT,mermaid,svg")
    ('dot', 'mermaid', 'svg')
    """
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [w for w in wanted if w not in FORMATS]
    if unknown or not wanted:
        raise StatusproofError(
            f"--format {text!r}: unknown format {', '.join(map(repr, unknown)) or '(none)'}; "
            f"use a comma-separated list of {', '.join(FORMATS)}")
    return tuple(f for f in FORMATS if f in wanted)


def collect_findings(model: Model, formal: bool = True, timeout_s: int | None = None,
                     budget_s: float | None = None) -> tuple[Finding, ...]:
    """The graph checks' findings and, when installed and ``formal``, the formal checks'
    (``timeout_s`` a z3 query's limit and ``budget_s`` the whole run's, None: the defaults)."""
    found = list(graph_checks(model))
    if formal:
        try:
            from statusproof.checks.formal import (  # type: ignore[import-not-found, unused-ignore]
                DEFAULT_BUDGET_S,
                DEFAULT_TIMEOUT_MS,
                formal_checks,
            )
        except ModuleNotFoundError as e:
            if e.name != "statusproof.checks.formal":
                raise
        else:
            found.extend(formal_checks(
                model, (), DEFAULT_TIMEOUT_MS if timeout_s is None else timeout_s * 1000,
                DEFAULT_BUDGET_S if budget_s is None else budget_s))
    return sort_findings(found, {name: i for i, name in enumerate(model.names)})


def findings_of(args: argparse.Namespace, model: Model) -> tuple[tuple[Finding, ...], str]:
    """The findings ``render`` and ``report`` show, with the configuration's time limits and
    without the codes it ignores; and a note saying how many were ignored ("" for none)."""
    config = project_config(args)
    found = collect_findings(model, formal=not args.no_formal, timeout_s=config.solver_timeout,
                             budget_s=config.formal_budget)
    ignore = set(args.job.ignore)
    ignored = Counter(f.code for f in found if f.code in ignore)
    if not ignored:
        return found, ""
    note = (f"{sum(ignored.values())} finding(s) ignored by the configuration: "
            + ", ".join(f"{code} {n}" for code, n in sorted(ignored.items())))
    return tuple(f for f in found if f.code not in ignore), note


def output_stem(args: argparse.Namespace) -> str:
    if getattr(args, "name", None):
        stem = str(args.name)
    elif args.table is None:
        stem = Path(BUNDLED_TABLE).stem
    elif args.table == STDIN:
        stem = "stdin"
    else:
        stem = Path(args.table).stem
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem:
        raise StatusproofError(f"--name {stem!r} is not a file name; give a name without "
                               "folders")
    return stem


def write_file(path: Path, data: str | bytes, out: TextIO) -> None:
    write_in_folder(path.parent, path.name, data)  # atomic; never through a symbolic link
    out.write(f"wrote {path}\n")


def diagram_maker(args: argparse.Namespace, model: Model, findings: tuple[Finding, ...],
                  highlight: Trace | None, show_mismatches: bool | None = None
                  ) -> Callable[[bool], Diagram]:
    """The diagram the options ask for, as a function of ``frames`` (see
    :func:`statusproof.render.picture.diagram_for_plan`)."""
    show = ("column-mismatches" in args.show) if show_mismatches is None else show_mismatches

    def make(frames: bool) -> Diagram:
        return build_diagram(model, findings, highlight, direction=args.direction,
                             show_mismatches=show, frames=frames)
    return make


def draw(make: Callable[[bool], Diagram], fmt: str, args: argparse.Namespace, *,
         legend: bool = True, links: bool = False, layout: str | None = None,
         prefix: str = "") -> Picture:
    """:func:`draw_picture` with the options, and the way out of a timeout in the message."""
    try:
        return draw_picture(make, fmt, layout=layout or args.layout, timeout=args.timeout,
                            legend=legend, links=links, prefix=prefix)
    except GraphvizTimeoutError as e:
        raise GraphvizTimeoutError(f"{e}; allow more time with --timeout SECONDS, or write "
                                   "only --format dot,mermaid and lay it out elsewhere") from e


def report_warnings(picture: Picture, err: TextIO) -> None:
    for note in picture.notes:
        err.write(f"statusproof: note: {note}\n")
    for line in picture.warnings:
        err.write(f"statusproof: dot: {line}\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    explicit = args.format is not None
    formats = parse_formats(args.format) if explicit else DEFAULT_FORMATS
    model = load_from_args(args)
    stem = output_stem(args)
    highlight = load_highlight(model, args.highlight) if args.highlight else None
    findings, ignored = findings_of(args, model)
    if ignored:
        err.write(f"statusproof: note: {ignored}\n")
    make = diagram_maker(args, model, findings, highlight)
    diagram, plan = diagram_for_plan(make, args.layout)
    legend = not args.no_legend
    dot_text = render_dot(diagram, legend=legend, plan=plan)
    pictures: dict[str, Picture] = {}
    status, missing_note = 0, ""
    for fmt in (f for f in formats if f in GRAPHVIZ_FORMATS):
        try:
            picture = draw(make, fmt, args, legend=legend, layout=plan.name)
        except GraphvizMissingError as e:
            missing = [f for f in formats if f in GRAPHVIZ_FORMATS]
            if explicit:
                err.write(f"statusproof: cannot make {', '.join(missing)}: {e}\n")
                return 2
            missing_note = f"statusproof: note: {', '.join(missing)} not made: {e}\n"
            break
        except GraphvizTimeoutError as e:
            err.write(f"statusproof: {fmt} not drawn: {e}\n")
            status = 1
            continue
        report_warnings(picture, err)
        pictures[fmt] = picture
        if picture.plan != plan:  # the fallback drew it: the DOT file says what was drawn
            diagram, plan, dot_text = picture.diagram, picture.plan, picture.dot_text
    folder = Path(args.output)
    if "dot" in formats:
        write_file(folder / f"{stem}.dot", dot_text, out)
    if "mermaid" in formats:
        write_file(folder / f"{stem}.mmd", render_mermaid(diagram), out)
        write_file(folder / f"{stem}.md", render_mermaid_markdown(diagram), out)
    for fmt, picture in pictures.items():
        write_file(folder / f"{stem}.{fmt}", picture.data, out)
    err.write(missing_note)
    return status
