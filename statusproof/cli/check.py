"""``statusproof check``: load, interpret and check a table; report findings.

The graph checks always run. The formal checks (history restoration, guards, timeouts and the
user's properties, :mod:`statusproof.checks.formal`) run too unless ``--no-formal`` is given;
they import z3, so this module imports them only then.
"""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import Severity, sort_findings
from statusproof.checks.properties import (
    SYNTAX,
    Property,
    load_properties,
    parse_property,
    property_checks,
)
from statusproof.checks.report import check_to_dict
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model

from .common import add_table_arguments, load_from_args, write_json
from .textout import format_check


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="check a status table and report findings",
        description="Check a status table: reachability, terminals, traps, column consistency, "
                    "and with z3 history restoration, guards and timeouts, plus the properties "
                    "given. Exit 0 when no finding is an error, 1 when one is, 2 when the input "
                    "cannot be used.")
    add_table_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--verbose", "-v", action="store_true",
                        help="show witness paths for info findings too")
    parser.add_argument("--property", action="append", default=[], metavar="TEXT",
                        help=f"a property to check (repeatable): {SYNTAX}")
    parser.add_argument("--properties", metavar="FILE",
                        help="a file of properties, one a line ('#' starts a comment)")
    parser.add_argument("--no-formal", action="store_true",
                        help="skip the z3 checks (history, guards, timeouts); properties still "
                             "run")
    parser.add_argument("--solver-timeout", type=int, default=None, metavar="SECONDS",
                        help="time limit of one z3 query (default: 20); a query not settled in "
                             "time is reported as solver-unknown, an error")
    parser.set_defaults(run=run)


def _properties(args: argparse.Namespace, model: Model) -> list[Property]:
    found = [parse_property(text, model) for text in args.property]
    if args.properties:
        found.extend(load_properties(args.properties, model))
    return found


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    properties = _properties(args, model)
    findings = list(graph_checks(model))
    if args.no_formal:
        findings.extend(property_checks(model, properties))
    else:
        from statusproof.checks.formal import DEFAULT_TIMEOUT_MS, formal_checks
        if args.solver_timeout is not None and args.solver_timeout <= 0:
            raise StatusproofError("--solver-timeout must be a positive number of seconds")
        timeout = (DEFAULT_TIMEOUT_MS if args.solver_timeout is None
                   else args.solver_timeout * 1000)
        findings.extend(formal_checks(model, properties, timeout))
    ordered = sort_findings(findings, {name: i for i, name in enumerate(model.names)})
    if args.format == "json":
        write_json(check_to_dict(model, ordered, args.raw), out)
    else:
        out.write(format_check(model, ordered, args.raw, args.verbose))
    return 1 if any(f.severity is Severity.ERROR for f in ordered) else 0
