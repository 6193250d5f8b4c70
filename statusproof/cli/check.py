"""``statusproof check``: load, interpret and check a table; report findings.

The graph checks always run. The formal checks (history restoration, guards, timeouts and the
user's properties, :mod:`statusproof.checks.formal`) run too unless ``--no-formal`` is given;
they import z3 and networkx, so this module imports them only then (and the property checker
only when properties are given): ``check --no-formal`` needs neither library.
"""

from __future__ import annotations

import argparse
from collections import Counter
from typing import TYPE_CHECKING, Any, TextIO

from statusproof.checks import graph_checks
from statusproof.checks.findings import (
    CATALOGUE,
    Finding,
    Severity,
    sort_by_consequence,
    sort_findings,
)
from statusproof.checks.report import DEFAULT_MAX_WITNESS, check_to_dict
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model
from statusproof.model.names import did_you_mean
from statusproof.model.record import record
from statusproof.model.table import SourceSpan

from .common import cycle_collection_paused, write_json
from .config import SEVERITIES, Config
from .tables import TableJob, add_table_arguments, load_job, project_config, table_jobs
from .textout import HYGIENE_SHOWN, TextOptions, format_check

if TYPE_CHECKING:
    from statusproof.checks.properties import Property

#: The property syntax for --help; the same text as :data:`statusproof.checks.properties.SYNTAX`
#: (a test keeps them equal), written here so that a check without properties does not import
#: the property checker (and networkx with it).
#: The schema of ``check --format json`` over several tables: one ``statusproof/check/1``
#: document per table.
CHECK_TABLES_SCHEMA = "statusproof/check-tables/1"

SYNTAX = ("never SET after SET | SET reachable [from SET] | SET always reachable | "
          "after SET eventually SET, where SET is statuses or 'terminal' joined by '|' or 'or'")


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "check", help="check a status table and report findings",
        description="Check status tables: reachability, terminals, traps, column consistency, "
                    "and with z3 history restoration, guards and timeouts, plus the properties "
                    "given. The text report starts with a summary, then lists the findings in "
                    "order of consequence. Exit 0 when no finding is an error, 1 when one is, 2 "
                    "when the input cannot be used (several tables: the worst).")
    add_table_arguments(parser, several=True)
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="text for people (default), json (every finding, the "
                             "statusproof/check/1 schema) or sarif (SARIF 2.1.0, for code "
                             "scanning)")
    shown = parser.add_argument_group("what the text report lists")
    shown.add_argument("--severity", choices=SEVERITIES, default=None,
                       help="the least severity listed (default: warning; the summary counts "
                            "every finding; json and sarif carry every finding)")
    loud = shown.add_mutually_exclusive_group()
    loud.add_argument("--quiet", "-q", action="store_true",
                      help="only the summary and the errors, without witnesses")
    loud.add_argument("--verbose", "-v", action="store_true",
                      help="every finding of the listed severities, with its witness (path "
                           "or run)")
    shown.add_argument("--show", type=_count, default=None, metavar="N",
                       help=f"list at most N findings per code (0: all; default: all, but "
                            f"{HYGIENE_SHOWN} per table-hygiene code unless --severity info "
                            f"or -v)")
    parser.add_argument("--ignore", type=_codes, action="extend", default=[], metavar="CODES",
                        help="finding codes not to report, comma-separated (repeatable); "
                             "ignored findings are counted in the summary")
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


def _codes(text: str) -> list[str]:
    """A comma-separated list of finding codes (for ``--ignore``)."""
    codes = [part.strip() for part in text.split(",") if part.strip()]
    for code in codes:
        if code not in CATALOGUE:
            hint = did_you_mean(code, CATALOGUE, 0.6) or "; see docs/findings.md"
            raise argparse.ArgumentTypeError(f"{code!r} is not a finding code{hint}")
    return codes


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


@record
class Checked:
    """One table's check: its model, its findings (not ignored) and the ignored ones."""

    job: TableJob
    model: Model
    findings: tuple[Finding, ...]
    ignored: tuple[Finding, ...]

    @property
    def exit_code(self) -> int:
        return 1 if any(f.severity is Severity.ERROR for f in self.findings) else 0

    def ignored_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.ignored).items()))


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with cycle_collection_paused():
        return _run(args, out, err)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    jobs = table_jobs(args)
    config = project_config(args)
    checked: list[Checked] = []
    worst = 0
    for job in jobs:
        try:
            checked.append(_check_table(args, job, config))
        except StatusproofError as e:
            if len(jobs) == 1:
                raise
            err.write(f"statusproof: {e}\n")
            worst = 2
    cap = _first(args.max_witness, config.max_witness, DEFAULT_MAX_WITNESS)
    if args.format == "json":
        _write_json(checked, cap, out)
    elif args.format == "sarif":
        from .sarif import check_run, sarif_log
        codes = [c.exit_code for c in checked] + [worst]
        write_json(sarif_log([check_run(
            [(c.findings, c.ignored, _spans(c.model)) for c in checked], max(codes))]), out)
    else:
        severity = Severity(_first(args.severity, config.severity, "warning"))
        options = TextOptions(severity, args.verbose, args.quiet, args.show, cap)
        for number, c in enumerate(checked):
            if number and not args.quiet:
                out.write("\n")
            out.write(format_check(c.model, c.findings, c.job.raw, options,
                                   c.ignored_counts()))
        if len(jobs) > 1:
            failed = sum(1 for c in checked if c.exit_code)
            out.write(("" if args.quiet else "\n") + f"{len(jobs)} tables: "
                      f"{failed} with errors, {len(jobs) - len(checked)} could not be read\n")
    return max([worst, *(c.exit_code for c in checked)])


def _first(*values: Any) -> Any:
    return next(v for v in values if v is not None)


def _spans(model: Model) -> dict[str, SourceSpan]:
    return {s.name: s.span for s in model.statuses if s.span is not None}


def _write_json(checked: list[Checked], cap: int, out: TextIO) -> None:
    def document(c: Checked, stream: bool) -> dict[str, Any]:
        ranked = sort_findings(c.findings, {name: i for i, name in enumerate(c.model.names)})
        data = check_to_dict(c.model, ranked, c.job.raw, cap, stream=stream)
        data["summary"]["ignored"] = c.ignored_counts()
        return data

    if len(checked) == 1:
        write_json(document(checked[0], True), out)
        return
    write_json({"schema": CHECK_TABLES_SCHEMA,
                "tables": [document(c, False) for c in checked]}, out)


def _check_table(args: argparse.Namespace, job: TableJob, config: Config) -> Checked:
    model = load_job(job, args)
    findings = _check(args, model, config)
    ignore = set(job.ignore)
    order = {name: i for i, name in enumerate(model.names)}
    kept = sort_by_consequence((f for f in findings if f.code not in ignore), order)
    ignored = sort_by_consequence((f for f in findings if f.code in ignore), order)
    return Checked(job, model, kept, ignored)


def _check(args: argparse.Namespace, model: Model, config: Config) -> list[Finding]:
    properties = _properties(args, model)
    findings = list(graph_checks(model))
    if args.no_formal:
        if properties:
            from statusproof.checks.properties import property_checks
            findings.extend(property_checks(model, properties))
        return findings
    from statusproof.checks.formal import DEFAULT_BUDGET_S, DEFAULT_TIMEOUT_MS, formal_checks
    if args.solver_timeout is not None and args.solver_timeout <= 0:
        raise StatusproofError("--solver-timeout must be a positive number of seconds")
    seconds = _first(args.solver_timeout, config.solver_timeout, 0)
    timeout = seconds * 1000 if seconds else DEFAULT_TIMEOUT_MS
    budget = _first(args.formal_budget, config.formal_budget, DEFAULT_BUDGET_S)
    findings.extend(formal_checks(model, properties, timeout, budget))
    return findings
