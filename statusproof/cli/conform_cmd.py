"""``statusproof conform``: run conformance suites against an implementation."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.cases import Suite
from statusproof.conformance.export import read_jsonl
from statusproof.conformance.fsm import explore
from statusproof.conformance.generate import generate, parse_coverage
from statusproof.conformance.machine import Machine
from statusproof.conformance.report import format_junit, format_text, run_to_dict
from statusproof.conformance.runner import replay_script, run_suites
from statusproof.model.errors import StatusproofError

from .common import add_table_arguments, load_from_args, write_json
from .traces_cmd import add_suite_arguments, options_from_args

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "conform", help="run conformance suites against an implementation",
        description="Generate the suites from the model (or read exported ones with --suite) "
                    "and run them against an implementation through an adapter. Exit 0 when "
                    "every test passes, 1 when one fails (wrong answer, timeout, crash, garbage, "
                    "too many answers), 2 when the input cannot be used.")
    add_table_arguments(parser)
    parser.add_argument("--adapter", required=True, metavar="SPEC",
                        help="python:MODULE:FACTORY (MODULE a module name or a .py file) or "
                             "exec:'COMMAND' (JSON lines over stdin/stdout)")
    add_suite_arguments(parser, "all")
    parser.add_argument("--suite", action="append", metavar="FILE.jsonl",
                        help="run an exported JSON Lines suite instead of generating "
                             "(repeatable)")
    parser.add_argument("--timeout", type=float, default=5.0, metavar="S",
                        help="seconds an implementation has for each answer (default: 5)")
    parser.add_argument("--format", choices=("text", "json", "junit"), default="text")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE (a one-line summary goes to stdout)")
    parser.add_argument("--script", metavar="FILE",
                        help="write the replayable script of the shortest failure to FILE")
    parser.set_defaults(run=run)


def _write(path: str, text: str) -> None:
    try:
        Path(path).write_text(text, encoding="utf-8", newline="\n")
    except OSError as e:
        raise StatusproofError(f"{path}: cannot write: {e.strerror}") from e


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    coverages = parse_coverage(args.coverage)
    options = options_from_args(args)
    if args.timeout <= 0:
        raise StatusproofError(f"--timeout must be more than 0 seconds, not {args.timeout}")
    model = load_from_args(args)
    explicit = explore(Machine(model))
    suites = []
    for path in args.suite or ():
        suites.append(Suite(Path(path).stem, f"read from {path}", model.path,
                            tuple(read_jsonl(path))))
    with open_adapter(args.adapter, args.timeout) as adapter:  # a bad spec fails here, early
        if not args.suite:
            suites = generate(model, coverages, options, explicit=explicit)
        result = run_suites(adapter, suites, explicit)
    if args.format == "json":
        import io
        buffer = io.StringIO()
        write_json(run_to_dict(result, args.timeout), buffer)
        report = buffer.getvalue()
    elif args.format == "junit":
        report = format_junit(result)
    else:
        report = format_text(result, args.timeout)
    if args.output:
        _write(args.output, report)
        tests = sum(s.suite.size for s in result.suites)
        failed = sum(len(s.failures) for s in result.suites)
        out.write(f"{'PASSED' if result.passed else 'FAILED'}: {tests - failed} of {tests} "
                  f"tests passed; report in {args.output}\n")
    else:
        out.write(report)
    if args.script and result.shrunk is not None:
        _write(args.script, replay_script(result.shrunk, args.adapter, model.path,
                                          args.timeout))
    return 0 if result.passed else 1
