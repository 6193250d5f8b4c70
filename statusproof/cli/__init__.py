"""The ``statusproof`` command line: the only code that prints or exits.

Each subcommand is a module of this package with ``add_parser(subparsers)`` and
``run(args, out, err) -> exit code``. Exit codes: 0 nothing of severity error, 1 findings of
severity error (or a failed run), 2 the input cannot be used (a message on stderr, no traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TextIO

from statusproof import __version__
from statusproof.model.errors import StatusproofError

from . import (
    check,
    conform_cmd,
    explain_cmd,
    logs_cmd,
    model_cmd,
    render_cmd,
    report_cmd,
    traces_cmd,
)

__all__ = ["main", "build_parser", "COMMANDS"]

#: The subcommand modules, in the order ``--help`` lists them.
COMMANDS: tuple[ModuleType, ...] = (check, model_cmd, render_cmd, report_cmd, traces_cmd,
                                     conform_cmd, logs_cmd, explain_cmd)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line hint, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="statusproof",
        description="Model checker and conformance tool for documented status tables.",
    )
    parser.add_argument("--version", action="version", version=f"statusproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    for command in COMMANDS:
        command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    parser = build_parser()
    try:
        # argparse prints usage, errors, --help and --version itself: to out and err too
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else EXIT_INPUT
    try:
        code: int = args.run(args, out, err)
    except StatusproofError as e:
        err.write(f"statusproof: {e}\n")
        return EXIT_INPUT
    except KeyboardInterrupt:
        err.write("statusproof: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code
