"""The ``statusproof`` command line: the only code that prints or exits.

Each subcommand is a module of this package with ``add_parser(subparsers)`` and
``run(args, out, err) -> exit code``. Exit codes: 0 nothing of severity error, 1 findings of
severity error (or a failed run), 2 the input cannot be used (a message on stderr, no traceback).

Subcommands load lazily: :data:`COMMANDS` names each one with its module and one-line help, and
a module is imported only when its command runs or its own ``--help`` is asked, so that
``statusproof --help`` and ``statusproof check`` do not pay for importing the others (rendering,
conformance, recorded histories) and the libraries they need.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn, TextIO

from statusproof import __version__

__all__ = ["main", "entry", "build_parser", "COMMANDS", "command_module"]

#: The subcommands, in the order ``--help`` lists them: (name, module of this package, the
#: one-line help its ``add_parser`` gives). A module may define several commands (``logs``
#: and ``logs-synth``); list them next to each other. To add a command, add a line.
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("check", "check", "check a status table and report findings"),
    ("model", "model_cmd", "print the interpreted model (statuses, transitions, guards)"),
    ("render", "render_cmd", "draw the model as a diagram (DOT, Mermaid, SVG, PNG, PDF)"),
    ("report", "report_cmd", "write an HTML report: summary, diagram, findings, evidence"),
    ("traces", "traces_cmd", "generate conformance test suites and export them"),
    ("conform", "conform_cmd", "run conformance suites against an implementation"),
    ("logs", "logs_cmd", "check recorded status histories against the model"),
    ("logs-synth", "logs_cmd", "write synthetic records of a model, with injected faults"),
    ("explain", "explain_cmd", "show how every cell was read (text, span, reading, why)"),
)

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2

#: ``build_parser(ALL)`` loads every subcommand (for tools that read the whole parser).
ALL = "*"


class _Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and a one-line hint, never a traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"{self.prog}: error: {message}\n")


def command_module(name: str) -> ModuleType:
    """The module of subcommand ``name`` (imported now)."""
    module = next(module for command, module, _ in COMMANDS if command == name)
    return importlib.import_module(f"{__name__}.{module}")


def build_parser(command: str | None = ALL) -> argparse.ArgumentParser:
    """The argument parser. Only the module of ``command`` is imported and gives its full
    parser (every module with :data:`ALL`, none with None); the other subcommands are listed
    with their one-line help, enough for ``statusproof --help`` and for argparse to choose."""
    parser = _Parser(
        prog="statusproof",
        description="Model checker and conformance tool for documented status tables.",
        epilog="Shell completion: statusproof --print-completion bash|zsh|tcsh|fish|powershell",
    )
    parser.add_argument("--version", action="version", version=f"statusproof {__version__}")
    if command == ALL:
        import shtab  # shell completion needs every subcommand's options: only then

        shtab.add_argument_to(parser, ["--print-completion"],
                              help="print a shell completion script (bash, zsh, tcsh, fish or "
                                   "powershell)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True
    full = {module for name, module, _ in COMMANDS if command in (ALL, name)}
    added: set[str] = set()
    for name, module, help_text in COMMANDS:
        if module in full:
            if module not in added:
                importlib.import_module(f"{__name__}.{module}").add_parser(sub)
                added.add(module)
        else:
            sub.add_parser(name, help=help_text, add_help=False)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: its first word that is not an option (the top-level
    options, --help and --version, take no value); every one for ``--print-completion``."""
    if any(arg.startswith("--print-completion") for arg in argv):
        return ALL
    return next((arg for arg in argv if not arg.startswith("-")), None)


def entry() -> NoReturn:
    """The process's entry point (the console script and ``python -m statusproof``): run
    :func:`main` and exit with its code, without the interpreter's teardown when nothing needs
    it.

    Tearing the interpreter down (z3's context, every module's objects) costs more CPU than
    checking a small table: about 40 ms of the quarter-second budget. When :func:`main` returns,
    every file statusproof wrote is closed; so the standard streams are flushed, the ``atexit``
    handlers run, and the process ends with :func:`os._exit`. The normal exit is kept when a
    thread other than the main one is alive (it waits for non-daemon threads) or a stream
    cannot be flushed (a closed pipe: Python's own exit reports it).
    """
    code = main()
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    atexit._run_exitfuncs()
    os._exit(code)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None,
         err: TextIO | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    # Start-up allocates many objects that live to the end (modules, classes, the grammar's
    # tables) and makes few cycles: with Python's default thresholds the cyclic collector runs
    # dozens of times while the command's modules are imported (about 20 ms of a 0.3 s check).
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, 20, 100)
    try:
        return _main(argv, out, err)
    finally:
        gc.set_threshold(*thresholds)


def _main(argv: Sequence[str] | None, out: TextIO | None, err: TextIO | None) -> int:
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(_command(argv))
    try:
        # argparse prints usage, errors, --help and --version itself: to out and err too
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as e:
        return int(e.code) if isinstance(e.code, int) else EXIT_INPUT
    # imported here, not at the top: it loads the model package, which --help does not need
    from statusproof.model.errors import StatusproofError
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
