"""``statusproof check``: load, interpret and check a table; report findings.

The graph checks always run. The formal checks (history restoration, guards, timeouts and the
user's properties, :mod:`statusproof.checks.formal`) run too unless ``--no-formal`` is given;
they import z3 and networkx, so this module imports them only then (and the property checker
only when properties are given): ``check --no-formal`` needs neither library.
"""

from __future__ import annotations

import argparse
import gc
from typing import TYPE_CHECKING, Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import Severity, sort_findings
from statusproof.checks.report import DEFAULT_MAX_WITNESS, check_to_dict
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model

from .common import add_table_arguments, load_from_args, write_json
from .textout import format_check

if TYPE_CHECKING:
    from statusproof.checks.properties import Property

#: The property syntax for --help; the same text as :data:`statusproof.checks.properties.SYNTAX`
#: (a test keeps them equal), written here so that a check without properties does not import
#: the property checker (and networkx with it).
SYNTAX = ("never SET after SET | SET reachable [from SET] | SET always reachable | "
          "after SET eventually SET, where SET is statuses or 'terminal' joined by '|' or 'or'")


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
    parser.add_argument("--formal-budget", type=_seconds, default=None, metavar="SECONDS",
                        help="time limit of all the formal checks together (default: 60); what "
                             "is not settled in time is reported as inconclusive, a warning")
    parser.add_argument("--max-witness", type=_count, default=None, metavar="N",
                        help="show the witnesses (paths, runs) of the first N findings that "
                             "have one, the others without (default: 100); the output says "
                             "how many were left out")
    parser.set_defaults(run=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds above 0")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


def _properties(args: argparse.Namespace, model: Model) -> list[Property]:
    if not args.property and not args.properties:
        return []
    from statusproof.checks.properties import load_properties, parse_property
    found = [parse_property(text, model) for text in args.property]
    if args.properties:
        found.extend(load_properties(args.properties, model))
    return found


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    # Checking allocates many objects that live until the end (the table, the model, the
    # findings) and few cycles: with Python's default thresholds the cyclic garbage collector
    # scans the growing heap again and again (about 40% of the time on a 100,000-status
    # table). Collect less often, and not the model at all once it is built.
    thresholds = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        model = load_from_args(args)
        gc.freeze()
        try:
            return _check(args, model, out)
        finally:
            gc.unfreeze()
    finally:
        gc.set_threshold(*thresholds)


def _check(args: argparse.Namespace, model: Model, out: TextIO) -> int:
    properties = _properties(args, model)
    findings = list(graph_checks(model))
    if args.no_formal:
        if properties:
            from statusproof.checks.properties import property_checks
            findings.extend(property_checks(model, properties))
    else:
        from statusproof.checks.formal import DEFAULT_BUDGET_S, DEFAULT_TIMEOUT_MS, formal_checks
        if args.solver_timeout is not None and args.solver_timeout <= 0:
            raise StatusproofError("--solver-timeout must be a positive number of seconds")
        timeout = (DEFAULT_TIMEOUT_MS if args.solver_timeout is None
                   else args.solver_timeout * 1000)
        budget = DEFAULT_BUDGET_S if args.formal_budget is None else args.formal_budget
        findings.extend(formal_checks(model, properties, timeout, budget))
    ordered = sort_findings(findings, {name: i for i, name in enumerate(model.names)})
    cap = DEFAULT_MAX_WITNESS if args.max_witness is None else args.max_witness
    if args.format == "json":
        write_json(check_to_dict(model, ordered, args.raw, cap, stream=True), out)
    else:
        out.write(format_check(model, ordered, args.raw, args.verbose, cap))
    return 1 if any(f.severity is Severity.ERROR for f in ordered) else 0
