"""Which tables a command reads, and how: the command line over the project configuration.

This module owns the table arguments every command shares (``TABLE``, ``-`` for standard
input, ``--input-format``, ``--reconcile``, ``--raw``, ``--amendments``, ``--config``,
``--no-config``) and resolving them into :class:`TableJob` values: what the command line says
wins, the configuration (:mod:`.config`) fills in the rest, and the defaults come last (the
bundled table, ``union``). Loading a job into a model is :func:`load_job`; reading the
configuration file itself is :mod:`.config`'s job.

A command that takes one table (``model``, ``render``, ...) uses the one given, else the one
table the configuration lists, else the bundled table; a configuration that lists several
tables makes it ask which (exit 2, never a guess). ``check`` takes several
(:func:`table_jobs`): with none given, every table of the configuration.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from statusproof.model import load_model
from statusproof.model.amend import load_amendments
from statusproof.model.errors import StatusproofError
from statusproof.model.interpret import interpret
from statusproof.model.loaders import FORMATS, load_table, load_table_bytes
from statusproof.model.model import POLICIES, Model
from statusproof.model.record import record
from statusproof.model.table import StatusTable

from .config import Config, ConfigError, TableConfig, find_config, load_config

__all__ = ["STDIN", "STDIN_NAME", "TableJob", "add_table_arguments", "add_config_arguments",
           "project_config", "table_jobs", "table_job", "load_job", "load_from_args",
           "load_table_from_args", "read_stdin", "display_path", "apply_job"]

#: The argument that stands for standard input (a table, or record files).
STDIN = "-"
#: How messages and outputs name standard input.
STDIN_NAME = "<stdin>"


@record
class TableJob:
    """One table to read, and how: ``table`` is None for the bundled table, :data:`STDIN`,
    or a path as shown in outputs (as given, or relative to the current folder when the
    configuration names it)."""

    table: str | None = None
    input_format: str | None = None
    reconcile: str = "union"
    raw: bool = False
    amendments: str | None = None
    ignore: tuple[str, ...] = ()


def add_config_arguments(parser: argparse.ArgumentParser) -> None:
    """``--config FILE`` and ``--no-config``."""
    group = parser.add_argument_group("configuration")
    group.add_argument("--config", metavar="FILE",
                       help="the configuration file ([tool.statusproof] in a pyproject.toml, "
                            "or a statusproof.toml); default: the nearest one in this folder "
                            "or its parents, up to the root of the git checkout")
    group.add_argument("--no-config", action="store_true",
                       help="ignore any configuration file")


def add_table_arguments(parser: argparse.ArgumentParser, several: bool = False) -> None:
    """TABLE (several with ``several``) and the options that say how to read and interpret it."""
    if several:
        parser.add_argument("tables", nargs="*", metavar="TABLE",
                            help="status table files ('-': standard input; default: the "
                                 "tables of the configuration, else the bundled Rescue table)")
    else:
        parser.add_argument("table", nargs="?", metavar="TABLE",
                            help="the status table file ('-': standard input; default: the "
                                 "table of the configuration, else the bundled Rescue table)")
    parser.add_argument("--input-format", choices=sorted(FORMATS),
                        help="read TABLE in this format instead of detecting it")
    parser.add_argument("--reconcile", choices=POLICIES, default=None, metavar="POLICY",
                        help="how the Previous and Next columns combine: "
                             + ", ".join(POLICIES) + " (default: union)")
    parser.add_argument("--raw", action="store_true",
                        help="interpret the table alone, without its amendment file")
    parser.add_argument("--amendments", metavar="FILE",
                        help="amendment file (default: TABLE's NAME.amend.toml if it exists)")
    add_config_arguments(parser)


def project_config(args: argparse.Namespace) -> Config:
    """The configuration that applies (read once per command run)."""
    cached = getattr(args, "_project_config", None)
    if isinstance(cached, Config):
        return cached
    given = getattr(args, "config", None)
    if getattr(args, "no_config", False):
        if given:
            raise ConfigError("--config and --no-config contradict each other; give one")
        config = Config()
    else:
        path = Path(given) if given else find_config(Path.cwd())
        config = load_config(path) if path is not None else Config()
    args._project_config = config
    return config


def display_path(path: Path) -> str:
    """How a file the configuration names is shown: relative to the current folder."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _job(args: argparse.Namespace, config: Config, table: str | None,
         listed: TableConfig | None) -> TableJob:
    """The command line's options for ``table``, over the configuration's."""
    if listed is None and table not in (None, STDIN):
        listed = config.table(Path(table))
    amendments = getattr(args, "amendments", None)
    if amendments is None and listed is not None and listed.amendments is not None:
        amendments = display_path(listed.amendments)
    raw = bool(getattr(args, "raw", False)) or (listed is not None and listed.raw)
    if raw and getattr(args, "amendments", None) is None:
        amendments = None  # a table the configuration marks raw: its amendments are not read
    ignore = [*config.ignore, *(listed.ignore if listed is not None else ()),
              *(getattr(args, "ignore", None) or ())]
    return TableJob(
        table=table,
        input_format=getattr(args, "input_format", None) or (
            listed.input_format if listed is not None else None),
        reconcile=getattr(args, "reconcile", None) or (
            listed.reconcile if listed is not None and listed.reconcile else None)
        or config.reconcile or "union",
        raw=raw,
        amendments=amendments,
        ignore=tuple(dict.fromkeys(ignore)),
    )


def table_jobs(args: argparse.Namespace) -> list[TableJob]:
    """The tables a command reads: those given, else the configuration's, else the bundled."""
    config = project_config(args)
    given: list[str | None] = list(getattr(args, "tables", None) or [])
    single = getattr(args, "table", None)
    if single is not None:
        given = [single]
    if given.count(STDIN) > 1:
        raise StatusproofError("standard input ('-') can be read once; name it once")
    if given:
        return [_job(args, config, table, None) for table in given]
    if config.tables:
        return [_job(args, config, display_path(t.path), t) for t in config.tables]
    return [_job(args, config, None, None)]


def table_job(args: argparse.Namespace) -> TableJob:
    """The one table a single-table command reads."""
    jobs = table_jobs(args)
    if len(jobs) > 1:
        config = project_config(args)
        names = ", ".join(str(job.table) for job in jobs)
        raise ConfigError(f"{config.source}: the configuration lists {len(jobs)} tables "
                          f"({names}); name the one to use as TABLE")
    return jobs[0]


def read_stdin() -> bytes:
    """All of standard input, as bytes."""
    stream = sys.stdin
    if stream is None:
        raise StatusproofError("'-' reads standard input, but there is none")
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        data: bytes = buffer.read()
        return data
    return stream.read().encode("utf-8")


def _stdin_table(data: bytes, input_format: str | None) -> StatusTable:
    """A table from standard input, with the checks :func:`load_table` makes of a file."""
    return load_table_bytes(data, STDIN_NAME, input_format, what="standard input",
                            fix="send", empty="pipe a status table into it, or name a file")


def _stdin_data(args: argparse.Namespace) -> bytes:
    data = getattr(args, "_stdin_data", None)
    if not isinstance(data, bytes):
        data = read_stdin()
        args._stdin_data = data
    return data


def load_job(job: TableJob, args: argparse.Namespace | None = None) -> Model:
    """Load and interpret the table of ``job``."""
    if job.table != STDIN:
        return load_model(job.table, raw=job.raw, policy=job.reconcile,
                          input_format=job.input_format, amendments=job.amendments)
    table = _stdin_table(_stdin_data(args if args is not None else argparse.Namespace()),
                         job.input_format)
    if job.raw and job.amendments is not None:
        raise StatusproofError("--raw checks the table alone; do not give an amendment file too")
    amendments = None if job.amendments is None else load_amendments(job.amendments)
    return interpret(table, job.reconcile, amendments)


def apply_job(args: argparse.Namespace, job: TableJob) -> None:
    """Write the resolved ``job`` back into ``args`` (for code that reads ``args.table``)."""
    args.table, args.input_format, args.reconcile = job.table, job.input_format, job.reconcile
    args.raw, args.amendments = job.raw, job.amendments
    args.job = job


def load_from_args(args: argparse.Namespace) -> Model:
    """The model of a single-table command; ``args`` then holds the resolved options."""
    job = table_job(args)
    apply_job(args, job)
    return load_job(job, args)


def load_table_from_args(args: argparse.Namespace) -> StatusTable:
    """The table as loaded (for the report's "table as written"), after :func:`load_from_args`."""
    from statusproof.model import bundled_table, display_name

    if args.table == STDIN:
        return _stdin_table(_stdin_data(args), args.input_format)
    path = bundled_table() if args.table is None else Path(args.table)
    return load_table(path, args.input_format, display_name(path, args.table is None))
