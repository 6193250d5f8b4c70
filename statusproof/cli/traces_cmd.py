"""``statusproof traces``: generate conformance suites from a table and export them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from statusproof.conformance.cases import DEFAULT_LIMIT, Suite
from statusproof.conformance.complete import METHODS, Extension
from statusproof.conformance.export import FORMATS, export_suites
from statusproof.conformance.generate import (
    COVERAGES,
    DEFAULT_WALKS,
    Options,
    generate,
    parse_coverage,
)

from .common import add_table_arguments, load_from_args
from .progress import Progress, per_suite

__all__ = ["add_parser", "run", "add_suite_arguments", "format_summary"]


def add_suite_arguments(parser: argparse.ArgumentParser, default: str) -> None:
    """--coverage, --method, --extra-states, --max-steps (shared with conform)."""
    parser.add_argument("--coverage", default=default, metavar="SUITES",
                        help="comma-separated suites: " + ", ".join(COVERAGES)
                             + f", or all (default: {default})")
    parser.add_argument("--method", choices=METHODS, default="spyh",
                        help="how the complete suite is built (default: spyh)")
    parser.add_argument("--extra-states", type=int, default=1, metavar="M",
                        help="the complete suite catches every wrong implementation with at "
                             "most M states more than the model (default: 1)")
    parser.add_argument("--max-steps", type=int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"stop with an error rather than build a suite of more than N "
                             f"steps (default: {DEFAULT_LIMIT:,})")
    parser.add_argument("--long-waits", type=int, default=1, metavar="K",
                        help="inputs that wait through 2..K+1 time events in one wait (timers "
                             "firing in a row, the rest of a wait after a timer); 0: none "
                             "(default: 1)")
    parser.add_argument("--random-walks", type=int, default=DEFAULT_WALKS, metavar="N",
                        help="seeded random walks appended to the complete suite, for hidden "
                             f"state beyond --extra-states (default: {DEFAULT_WALKS}; 0: none)")
    parser.add_argument("--walk-length", type=int, default=30, metavar="L",
                        help="moves per random walk (default: 30)")
    parser.add_argument("--seed", type=int, default=1, metavar="S",
                        help="seed of the random walks, recorded in the suite (default: 1)")
    parser.add_argument("--bound", action="store_true",
                        help="also compute the complete suite's lower bound (a shortest tour "
                             "of every input in every state of the minimal model)")


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "traces", help="generate conformance test suites and export them",
        description="Generate conformance suites from the model (status and transition tours, "
                    "transition pairs, m-complete W/Wp/H suites, refusals, timing boundaries) "
                    "and write them as JSON Lines, ITF traces or a pytest module. Prints each "
                    "suite's size and length (and the tour optimum).")
    add_table_arguments(parser)
    add_suite_arguments(parser, "transitions")
    parser.add_argument("--format", choices=FORMATS, default="jsonl",
                        help="jsonl: one test per line; itf: one .itf.json per test; pytest: a "
                             "test module and its .jsonl data (default: jsonl)")
    parser.add_argument("-o", "--output", required=True, metavar="DIR",
                        help="folder to write the suites into")
    parser.add_argument("--adapter", metavar="SPEC",
                        help="default adapter written into a pytest module "
                             "(STATUSPROOF_ADAPTER overrides it)")
    parser.set_defaults(run=run)


def options_from_args(args: argparse.Namespace) -> Options:
    from statusproof.model.errors import StatusproofError
    if args.extra_states < 0:
        raise StatusproofError(f"--extra-states must be 0 or more, not {args.extra_states}")
    if args.max_steps < 1:
        raise StatusproofError(f"--max-steps must be at least 1, not {args.max_steps}")
    for name in ("long_waits", "random_walks"):
        if getattr(args, name) < 0:
            raise StatusproofError(f"--{name.replace('_', '-')} must be 0 or more, not "
                                   f"{getattr(args, name)}")
    if args.walk_length < 1:
        raise StatusproofError(f"--walk-length must be at least 1, not {args.walk_length}")
    return Options(args.method, args.extra_states, args.max_steps, args.long_waits,
                   Extension(args.random_walks, args.walk_length, args.seed), args.bound)


def format_summary(suites: list[Suite]) -> str:
    lines = []
    for suite in suites:
        facts = ", ".join(f"{k}={v}" for k, v in suite.facts)
        lines.append(f"{suite.name}: {suite.size} tests, length {suite.length} "
                     f"({suite.steps} steps + {suite.size} resets); {facts}")
        lines.extend(f"  note: {note}" for note in suite.notes)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    coverages = parse_coverage(args.coverage)
    options = options_from_args(args)
    model = load_from_args(args)
    suites = generate(model, coverages, options)
    directory = Path(args.output)
    with Progress(err, "writing tests", "tests", total=sum(s.size for s in suites)) as bar:
        written = export_suites(suites, directory, args.format, args.adapter,
                                progress=per_suite(bar, "writing"))
    out.write(format_summary(suites))
    out.write(format_written(written, directory, args.output))
    return 0


def format_written(written: list[Path], directory: Path, shown: str) -> str:
    """Where the files really are: one line per folder (``shown`` names ``directory`` as the
    user wrote it; an ITF export puts each suite's traces in a folder of its own)."""
    counts: dict[str, int] = {}
    for path in written:
        try:
            folder = path.parent.relative_to(directory)
        except ValueError:
            folder = path.parent
        key = shown if str(folder) == "." else str(Path(shown) / folder)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return f"wrote 0 file(s) to {shown}\n"
    return "".join(f"wrote {n} file(s) to {folder}\n" for folder, n in sorted(counts.items()))
