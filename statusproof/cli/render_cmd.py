"""``statusproof render``: draw the model as DOT, Mermaid, SVG, PNG and PDF files.

Also holds what ``render`` and ``report`` share: running the checks whose findings the picture
shows (the graph checks, and the formal checks when :mod:`statusproof.checks.formal` is
installed), reading a ``--highlight`` trace, and writing files.
"""

from __future__ import annotations

import argparse
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import Finding, sort_findings
from statusproof.model import BUNDLED_TABLE
from statusproof.model.errors import StatusproofError, UnknownStatusError
from statusproof.model.model import Model
from statusproof.model.names import NameIndex, normalise
from statusproof.model.trace import Trace, replay
from statusproof.output import write_in_folder
from statusproof.render.diagram import build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import (
    GRAPHVIZ_FORMATS,
    GraphvizMissingError,
    GraphvizTimeoutError,
    Rendered,
    run_dot,
)
from statusproof.render.mermaid import render_mermaid

from .common import add_table_arguments, load_from_args

__all__ = ["add_parser", "run", "collect_findings", "load_highlight", "parse_formats",
           "FORMATS", "DEFAULT_FORMATS", "add_drawing_arguments", "output_stem", "draw",
           "write_file", "report_warnings"]

#: Output formats and the file suffix of each.
FORMATS = {"dot": ".dot", "mermaid": ".mmd", "svg": ".svg", "png": ".png", "pdf": ".pdf"}
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
                        help="time Graphviz's dot may take for one picture (default: 60)")


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "render", help="draw the model as a diagram (DOT, Mermaid, SVG, PNG, PDF)",
        description="Draw the model with the checks' findings on it: entry points and "
                    "triggers, terminal statuses, exits without a row, the remembering "
                    "statuses with their history returns, guarded steps, steps listed in one "
                    "column only, unreachable and trap statuses. SVG, PNG and PDF need "
                    "Graphviz's dot program; DOT and Mermaid are written without it. Exit 0 "
                    "when every requested file was written, 2 when one could not be.")
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


def collect_findings(model: Model, formal: bool = True) -> tuple[Finding, ...]:
    """The graph checks' findings and, when installed and ``formal``, the formal checks'."""
    found = list(graph_checks(model))
    if formal:
        try:
            from statusproof.checks.formal import (  # type: ignore[import-not-found, unused-ignore]
                formal_checks,
            )
        except ModuleNotFoundError as e:
            if e.name != "statusproof.checks.formal":
                raise
        else:
            found.extend(formal_checks(model))
    return sort_findings(found, {name: i for i, name in enumerate(model.names)})


@dataclass(frozen=True)
class _Item:
    name: str
    cause: str | None
    line: int


_SPLIT = re.compile(r"\s*(?:->|→|,|\n)\s*")
_CAUSE = re.compile(r"^(?P<name>.*?)\s*\[\s*(?:cause\s*=\s*)?(?P<cause>[^\[\]]+?)\s*\]$")


def _items(text: str, model: Model) -> list[_Item]:
    known = {normalise(n) for n in model.names} | {"end", "(end)"}
    items = []
    for number, line in enumerate(text.splitlines() or [""], start=1):
        if line.lstrip().startswith("#"):
            continue
        for part in _SPLIT.split(line):
            part = part.strip()
            if not part:
                continue
            match = _CAUSE.match(part)
            if normalise(part) not in known and match is not None:
                items.append(_Item(match["name"], match["cause"], number))
            else:
                items.append(_Item(part, None, number))
    return items


def _json_items(data: Any, where: str) -> list[_Item]:
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise StatusproofError(f"{where}: a JSON trace needs a list 'steps' of objects with "
                               "'status' (the trace_to_dict format of statusproof)")
    return [_Item(str(s["status"]) if s.get("status") is not None else "end",
                  s.get("cause"), 1) for s in steps]


def _replay(model: Model, items: list[_Item], title: str) -> Trace:
    """Replay the items; each step into a status whose cause has several values takes the
    item's cause (None: the first value), in the order :func:`replay` asks for them."""
    causes: list[str | None] = []
    index = NameIndex.build(model.names, ())
    for item in items:
        target = index.resolve(item.name)
        cause = model.cause_of(target) if target is not None else None
        if item.cause is not None and target is not None:
            values = [v for v, _ in cause.values] if cause is not None else []
            if item.cause not in values:
                raise UnknownStatusError(
                    f"{target!r} [{item.cause}]: "
                    + (f"the cause of {target!r} is one of {', '.join(values)}" if values
                       else f"{target!r} has no cause to choose")
                    + f", not {item.cause!r}")
        if cause is not None and len(cause.values) > 1:
            causes.append(item.cause)
    return replay(model, [item.name for item in items], causes, title)


def load_highlight(model: Model, spec: str) -> Trace:
    """The trace ``--highlight`` names: a file (statuses one per line or separated by commas
    or arrows, or a JSON trace) or the statuses themselves; replayed on ``model``.

    A trace the model does not allow raises :class:`UnknownStatusError` naming the step (and
    the file line) and the steps that are allowed there.
    """
    path = Path(spec)
    where = "--highlight"
    if path.is_file():
        where = spec
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise StatusproofError(f"{spec}: cannot read the trace file: {e}") from e
        if text.lstrip().startswith("{"):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as e:
                raise StatusproofError(f"{spec}:{e.lineno}: not valid JSON ({e.msg}); write "
                                       "a JSON trace or one status per line") from e
            items = _json_items(data, spec)
        else:
            items = _items(text, model)
        title = f"trace {path.name}"
    else:
        if path.suffix.lower() in (".txt", ".json", ".trace") or "/" in spec:
            raise StatusproofError(f"--highlight {spec!r}: no such trace file; give a file or "
                                   "the statuses separated by commas, e.g. 'A, B, C'")
        items = _items(spec, model)
        title = "trace " + " → ".join(item.name for item in items)
    if not items:
        raise StatusproofError(f"{where}: the trace names no status; list the statuses from "
                               "an entry point, separated by commas or arrows")
    index = NameIndex.build(model.names, ())
    try:
        return _replay(model, items, title)
    except UnknownStatusError as e:
        # find the first step that does not replay, to say where it is
        for end in range(1, len(items) + 1):
            try:
                _replay(model, items[:end], title)
            except UnknownStatusError:
                item = items[end - 1]
                at = f"{where}:{item.line}" if where != "--highlight" else where
                hint = ""
                before = index.resolve(items[end - 2].name) if end > 1 else None
                cause = model.cause_of(before) if before is not None else None
                if cause is not None and items[end - 2].cause is None:
                    hint = (f"; {before!r} has a cause, chosen in brackets: "
                            + ", ".join(f"'{before} [{v}]'" for v, _ in cause.values))
                raise UnknownStatusError(
                    f"{at}: step {end} ({item.name!r}) of the trace is not possible: {e}"
                    f"{hint}; fix the trace, or check the model with 'statusproof model'"
                ) from e
        raise


def output_stem(args: argparse.Namespace) -> str:
    if getattr(args, "name", None):
        stem = str(args.name)
    elif args.table is None:
        stem = Path(BUNDLED_TABLE).stem
    else:
        stem = Path(args.table).stem
    if not stem or stem in (".", "..") or "/" in stem or "\\" in stem:
        raise StatusproofError(f"--name {stem!r} is not a file name; give a name without "
                               "folders")
    return stem


def write_file(path: Path, data: str | bytes, out: TextIO) -> None:
    write_in_folder(path.parent, path.name, data)  # atomic; never through a symbolic link
    out.write(f"wrote {path}\n")


def draw(dot_text: str, fmt: str, timeout: float) -> Rendered:
    """:func:`run_dot`, with the command line's way out of a timeout in the message."""
    try:
        return run_dot(dot_text, fmt, timeout=timeout)
    except GraphvizTimeoutError as e:
        raise GraphvizTimeoutError(f"{e}; allow more time with --timeout SECONDS, or write "
                                   "only --format dot,mermaid and lay it out elsewhere") from e


def report_warnings(rendered: Rendered, err: TextIO) -> None:
    for line in rendered.warnings:
        err.write(f"statusproof: dot: {line}\n")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    explicit = args.format is not None
    formats = parse_formats(args.format) if explicit else DEFAULT_FORMATS
    model = load_from_args(args)
    stem = output_stem(args)
    highlight = load_highlight(model, args.highlight) if args.highlight else None
    findings = collect_findings(model, formal=not args.no_formal)
    diagram = build_diagram(model, findings, highlight, direction=args.direction)
    dot_text = render_dot(diagram, legend=not args.no_legend)
    folder = Path(args.output)
    if "dot" in formats:
        write_file(folder / f"{stem}.dot", dot_text, out)
    if "mermaid" in formats:
        write_file(folder / f"{stem}.mmd", render_mermaid(diagram), out)
    for fmt in (f for f in formats if f in GRAPHVIZ_FORMATS):
        try:
            rendered = draw(dot_text, fmt, args.timeout)
        except GraphvizMissingError as e:
            missing = [f for f in formats if f in GRAPHVIZ_FORMATS]
            if explicit:
                err.write(f"statusproof: cannot make {', '.join(missing)}: {e}\n")
                return 2
            err.write(f"statusproof: note: {', '.join(missing)} not made: {e}\n")
            return 0
        report_warnings(rendered, err)
        write_file(folder / f"{stem}.{fmt}", rendered.data, out)
    return 0
