"""``statusproof conform``: run conformance suites against an implementation."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.fsm import explore
from statusproof.conformance.generate import generate, parse_coverage
from statusproof.conformance.replay import replay_script
from statusproof.conformance.report import format_junit, format_text, run_to_dict, summary_line
from statusproof.conformance.runner import run_suites
from statusproof.conformance.suite_file import load_suite_files
from statusproof.model.errors import StatusproofError
from statusproof.output import write_file

from .common import add_table_arguments, load_from_args, write_json
from .progress import Progress, per_suite
from .traces_cmd import add_suite_arguments, options_from_args

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "conform", help="run conformance suites against an implementation",
        description="Generate the suites from the model (or read exported ones with --suite) "
                    "and run them against an implementation through an adapter. Exit 0 when "
                    "every test passes, 1 when one fails (wrong answer, timeout, crash, garbage, "
                    "too many answers), 2 when the input cannot be used (a suite file whose "
                    "expectations the model does not share included).")
    add_table_arguments(parser)
    parser.add_argument("--adapter", required=True, metavar="SPEC",
                        help="python:MODULE:FACTORY (MODULE a module name or a .py file), "
                             "exec:'COMMAND' (JSON lines over stdin/stdout), "
                             "statemachine:MODULE:CLASS (python-statemachine) or "
                             "transitions:MODULE:FACTORY (transitions)")
    parser.add_argument("--mapping", metavar="FILE.toml",
                        help="the statemachine:/transitions: adapters' mapping file (default: "
                             "MODULE's file with the suffix .mapping.toml)")
    add_suite_arguments(parser, "all")
    parser.add_argument("--suite", action="append", metavar="FILE.jsonl",
                        help="run an exported JSON Lines suite instead of generating "
                             "(repeatable); every line is checked against the model first")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S",
                        help="seconds an implementation has for each answer (default: 5)")
    parser.add_argument("--fail-fast", action="store_true",
                        help="stop at the first failing test (the same as --max-failures 1)")
    parser.add_argument("--max-failures", type=int, metavar="N",
                        help="stop once N tests have failed; the tests left are not run")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE (a one-line summary goes to stdout)")
    parser.add_argument("--script", metavar="FILE",
                        help="write the replayable script of the shortest failure to FILE")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    coverages = parse_coverage(args.coverage)
    options = options_from_args(args)
    if args.timeout <= 0:
        raise StatusproofError(f"--timeout must be more than 0 seconds, not {args.timeout}")
    limit = 1 if args.fail_fast else args.max_failures
    if limit is not None and limit < 1:
        raise StatusproofError(f"--max-failures must be at least 1, not {limit}")
    model = load_from_args(args)
    if args.suite:
        machine, suites = load_suite_files(model, args.suite,  # checked before anything runs
                                           options.long_waits)
    else:
        machine, suites = options.machine(model), []
    explicit = explore(machine)
    with open_adapter(args.adapter, args.timeout, args.mapping,  # a bad spec fails early
                      model.names) as adapter:
        if not args.suite:
            suites = generate(model, coverages, options, explicit=explicit)
        total = sum(suite.size for suite in suites)
        with Progress(err, "running tests", "tests", total=total) as bar:
            result = run_suites(adapter, suites, explicit, max_failures=limit,
                                keep_names=args.format == "junit",
                                progress=per_suite(bar, "running"))
    if args.format == "json":
        import io
        buffer = io.StringIO()
        write_json(run_to_dict(result, args.timeout, args.mapping), buffer)
        report = buffer.getvalue()
    elif args.format == "junit":
        report = format_junit(result)
    else:
        report = format_text(result, args.timeout, args.mapping)
    if args.output:
        write_file(args.output, report)  # atomic, never through a link; refusal: exit 2
        out.write(f"{summary_line(result)}; report in {args.output}\n")
    else:
        out.write(report)
    if args.script and result.shrunk is not None:
        write_file(args.script, replay_script(result.shrunk, args.adapter, model.path,
                                              args.timeout, args.mapping))
    return 0 if result.passed else 1
