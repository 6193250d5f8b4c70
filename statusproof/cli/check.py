"""``statusproof check``: load, interpret and check a table; report findings."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import Severity
from statusproof.checks.report import check_to_dict

from .common import add_table_arguments, load_from_args, write_json
from .textout import format_check


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="check a status table and report findings",
        description="Check a status table: reachability, terminals, traps, column consistency. "
                    "Exit 0 when no finding is an error, 1 when one is, 2 when the input "
                    "cannot be used.")
    add_table_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="show witness paths for info findings too")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    findings = graph_checks(model)
    if args.format == "json":
        write_json(check_to_dict(model, findings, args.raw), out)
    else:
        out.write(format_check(model, findings, args.raw, args.verbose))
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0
