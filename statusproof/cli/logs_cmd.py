"""``statusproof logs`` and ``statusproof logs-synth``: check recorded logs; generate them.

``logs [TABLE] --records FILE...`` reads event records or polled snapshots (``-``: standard
input), checks each session against the model and writes a report (text, JSON, JUnit XML or
SARIF). Exit 0: no violation; 1: a violation; 2: the input cannot be used (with ``--strict``,
also a malformed line or an unknown status name). ``logs-synth [TABLE]`` writes synthetic
records of a model, optionally with injected faults, and the list of the faults (kind and
line) for tests and benchmarks. Every file this module writes goes through
:mod:`statusproof.output` (atomic, never through a symbolic link; a path that cannot be
written is an input error, exit 2).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO, cast

from statusproof.logcheck.allocator import keep_freed_memory
from statusproof.logcheck.blasthreads import one_blas_thread
from statusproof.logcheck.namemap import default_map, load_map
from statusproof.logcheck.partition import ModelSpec
from statusproof.logcheck.rawlines import DEFAULT_MAX_LINE_BYTES
from statusproof.logcheck.records import FORMATS, RecordFormatError, default_fields
from statusproof.logcheck.report import (
    REPORTS,
    format_junit,
    format_report,
    report_json,
)
from statusproof.logcheck.result import VIOLATION_KINDS, CheckSettings
from statusproof.logcheck.run import (
    EXTENSIONS,
    RunOptions,
    check_files,
    early_pool,
    expand_files,
)
from statusproof.logcheck.synth import (
    EVENT_FAULTS,
    SNAPSHOT_FAULTS,
    SYNTH_FORMATS,
    SynthSettings,
    generate,
)
from statusproof.logcheck.timersettings import load_settings
from statusproof.model.errors import StatusproofError
from statusproof.output import OutputPathError, open_in_folder, write_file

from .progress import Progress
from .tables import (
    STDIN,
    STDIN_NAME,
    TableJob,
    add_table_arguments,
    apply_job,
    load_from_args,
    load_job,
    table_job,
)

__all__ = ["add_parser", "run", "run_synth", "write_text_file"]


def _add_field_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("record fields (defaults depend on --format)")
    group.add_argument("--session-field", metavar="NAME",
                       help="session id key or column (jsonl/csv: session; snapshots: ID)")
    group.add_argument("--time-field", metavar="NAME",
                       help="timestamp key or column (jsonl/csv: time); for snapshots the "
                            "poll-time column used instead of '# poll' lines (Poll Time)")
    group.add_argument("--status-field", metavar="NAME",
                       help="status key or column (jsonl/csv: status; snapshots: Status)")
    group.add_argument("--cause-field", metavar="NAME",
                       help="optional cause attribute (jsonl/csv: cause; snapshots: Cause)")
    group.add_argument("--waiting-field", metavar="NAME",
                       help="snapshots: seconds since the last change (Waiting Time)")
    group.add_argument("--start-field", metavar="NAME",
                       help="snapshots: the session's start time (Start Time)")
    group.add_argument("--delimiter", metavar="CHAR",
                       help="csv: the field separator (default ',')")
    group.add_argument("--group-field", metavar="NAME",
                       help="the group of a session (its first record's), for timer settings "
                            "per group (--settings)")


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "logs", help="check recorded status histories against the model",
        description="Check recorded status histories (event records or polled snapshots) "
                    "against the model of TABLE: every change, the remembered status, the "
                    "timing rules. Exit 0 when no record violates the model, 1 when one does, "
                    "2 when the input cannot be used.")
    add_table_arguments(parser)
    parser.add_argument("-r", "--records", action="extend", nargs="+", required=True,
                        metavar="FILE",
                        help="record files, read in order as one stream (a folder stands for "
                             "its record files, by name; '-': standard input)")
    parser.add_argument("--record-format", choices=FORMATS,
                        help="record format (default: from the extension: .jsonl, .csv, "
                             ".parquet)")
    parser.add_argument("--map", metavar="FILE",
                        help="map from recorded status names to table statuses (TOML or "
                             "'recorded = status' lines; default: the bundled Rescue map for "
                             "the bundled table)")
    parser.add_argument("--strict", action="store_true",
                        help="stop at the first malformed line or unknown status name (exit 2)")
    parser.add_argument("--format", choices=(*REPORTS, "sarif"), default="text",
                        help="report format: text (default), json, junit (one test case per "
                             "session) or sarif (the violations, at their records)")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the report to FILE instead of standard output")
    _add_field_options(parser)
    timing = parser.add_argument_group("time")
    timing.add_argument("--slack", type=float, default=0.0, metavar="SECONDS",
                        help="tolerance on every timing rule and on snapshot change times "
                             "(default 0)")
    timing.add_argument("--reorder-window", type=float, default=60.0, metavar="SECONDS",
                        help="event records up to this much later than the newest one are "
                             "put back in order (default 60)")
    parser.add_argument("--allow-partial", action="store_true",
                        help="sessions may have begun before the records: accept a first "
                             "record that is not an entry point")
    parser.add_argument("--show", type=int, default=20, metavar="N",
                        help="text report: list at most N items per kind (0: all; default 20)")
    parser.add_argument("--search-limit", type=int, default=100_000, metavar="N",
                        help="labels the snapshot gap search may expand per gap "
                             "(default 100000)")
    parser.add_argument("--max-line-bytes", type=int, default=DEFAULT_MAX_LINE_BYTES,
                        metavar="N", help="a longer line is a malformed record, skipped "
                                          "without being held in memory (default "
                                          f"{DEFAULT_MAX_LINE_BYTES})")
    timing.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="the value of a timer setting for every session (NAME: the "
                             "setting's text or its first words; VALUE: seconds or 10m, 1h; "
                             "0: never where allowed); may be repeated")
    timing.add_argument("--settings", metavar="FILE",
                        help="timer settings per group and per session (TOML: [settings], "
                             "[group.\"NAME\"], [session.\"ID\"])")
    scale = parser.add_argument_group("speed and scale")
    scale.add_argument("--path", dest="check_path", choices=("auto", "fast", "exact"),
                       default="auto",
                       help="auto (default): the fast path when polars, pyarrow and orjson are "
                            "installed; fast: require it; exact: the streaming checker alone")
    scale.add_argument("--jobs", type=int, default=1, metavar="N",
                       help="check in N processes, sessions split between them (default 1)")
    scale.add_argument("--engine", choices=("local", "dask"), default="local",
                       help="local (default) or dask: run on a Dask cluster")
    scale.add_argument("--scheduler", metavar="ADDRESS",
                       help="--engine dask: the scheduler of an existing cluster (default: a "
                            "local cluster of --jobs workers)")
    scale.add_argument("--partitions", type=int, metavar="N",
                       help="--jobs: parts (8 a process); --engine dask: partitions (4 a worker)")
    parser.set_defaults(run=run)

    synth: argparse.ArgumentParser = sub.add_parser(
        "logs-synth", help="write synthetic records of a model, with injected faults",
        description="Write realistic synthetic records of a model (random runs with timing), "
                    "optionally with faults of known kinds at known lines. Event fault kinds: "
                    + ", ".join(EVENT_FAULTS) + ". Snapshot fault kinds: "
                    + ", ".join(SNAPSHOT_FAULTS) + ".")
    add_table_arguments(synth)
    synth.add_argument("--sessions", type=int, required=True, metavar="N",
                       help="number of sessions")
    synth.add_argument("--faults", type=int, default=0, metavar="K",
                       help="number of sessions with one injected fault (default 0)")
    synth.add_argument("--kinds", metavar="KIND,...",
                       help="fault kinds to inject, in turn (default: every kind the model "
                            "allows)")
    synth.add_argument("--format", dest="record_format", choices=SYNTH_FORMATS,
                       help="jsonl, csv or rescue-getsession (default: from the extension of "
                            "-o: .csv is csv; otherwise jsonl)")
    synth.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    synth.add_argument("--map", metavar="FILE",
                       help="name map: statuses are written under their recorded names")
    synth.add_argument("--arrival", type=float, default=20.0, metavar="SECONDS",
                       help="mean seconds between session starts (default 20)")
    synth.add_argument("--mean-dwell", type=float, default=90.0, metavar="SECONDS",
                       help="mean seconds a status is held beyond a timer's minimum "
                            "(default 90)")
    synth.add_argument("--poll-interval", type=float, default=30.0, metavar="SECONDS",
                       help="snapshots: seconds between polls (default 30)")
    synth.add_argument("-o", "--output", metavar="FILE",
                       help="write the records to FILE (default: standard output)")
    synth.add_argument("--expected", metavar="FILE",
                       help="write the injected faults (kind, line, session) as JSON")
    synth.set_defaults(run=run_synth)


def write_text_file(path: str, text: str, what: str) -> None:
    """Write ``text`` to ``path`` (atomically, never through a symbolic link); an unwritable
    path is an input error (exit 2)."""
    try:
        write_file(path, text)
    except OutputPathError as e:
        raise StatusproofError(f"cannot write the {what}: {e}") from e


def _record_format(args: argparse.Namespace, files: list[str]) -> str:
    if args.record_format:
        return str(args.record_format)
    found = {EXTENSIONS.get(Path(f).suffix.lower()) for f in files}
    if len(found) == 1 and None not in found:
        return str(found.pop())
    raise StatusproofError("cannot tell the record format from the file names; give "
                           "--record-format " + "|".join(FORMATS))


def _record_files(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The record format and the record files (folders expanded; standard input as
    :data:`STDIN_NAME`)."""
    given = list(args.records)
    if given.count(STDIN) > 1:
        raise StatusproofError("standard input ('-') can be read once; name it once")
    if STDIN in given and args.table == STDIN:
        raise StatusproofError("the table and the records cannot both come from standard "
                               "input ('-'); name one of them as a file")
    named = [f for f in given if f != STDIN]
    if args.record_format:
        fmt = str(args.record_format)
    elif STDIN in given:
        raise StatusproofError("records from standard input ('-'): give --record-format "
                               + "|".join(FORMATS))
    else:
        folders = [f for f in named if Path(f).is_dir()]
        fmt = _record_format(args, expand_files(named, None) if folders else named)
    files: list[str] = []
    for name in given:
        files.extend([STDIN_NAME] if name == STDIN else expand_files([name], fmt))
    return fmt, files


def _spill_stdin(folder: str) -> dict[str, str]:
    """Standard input saved to a file in ``folder`` (the readers read files)."""
    path = Path(folder) / "stdin"
    with path.open("wb") as handle:
        stream = sys.stdin.buffer if sys.stdin is not None else None
        if stream is None:
            raise StatusproofError("'-' reads standard input, but there is none")
        shutil.copyfileobj(stream, handle, 1 << 20)
    return {STDIN_NAME: str(path)}


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    keep_freed_memory()  # the batches' short-lived arrays: no page faults for each
    one_blas_thread()  # numpy's BLAS does nothing here: no threads spinning beside ours
    fmt, files = _record_files(args)
    job = table_job(args)
    apply_job(args, job)  # the table's options resolved (the configuration's), not loaded
    spec = ModelSpec(args.table, args.raw, args.reconcile, args.input_format, args.amendments,
                     args.map)
    # --jobs: the worker processes start up (Python, polars) while this one loads the model
    pool = None if args.table == STDIN else early_pool(
        args.jobs, args.engine, fmt, args.check_path, args.strict, STDIN_NAME in files)
    try:
        return _run(args, out, err, fmt, files, spec, pool, job)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, fmt: str, files: list[str],
         spec: ModelSpec, pool: Any, job: TableJob) -> int:
    model = load_job(job, args)
    names = load_map(args.map, model) if args.map else default_map(model)
    if args.table == STDIN and (args.jobs > 1 or args.engine == "dask"):
        raise StatusproofError("a table from standard input cannot be shared with worker "
                               "processes (--jobs, --engine dask); name the table's file")
    if args.jobs < 1 or (args.partitions is not None and args.partitions < 1):
        raise StatusproofError("--jobs and --partitions must be 1 or more")
    if args.max_line_bytes < 1:
        raise StatusproofError("--max-line-bytes must be 1 or more")
    fields = default_fields(fmt, session=args.session_field, time=args.time_field,
                            status=args.status_field, cause=args.cause_field,
                            waiting=args.waiting_field, start=args.start_field,
                            delimiter=args.delimiter, group=args.group_field)
    settings = CheckSettings(slack=args.slack, reorder_window=args.reorder_window,
                             allow_partial=args.allow_partial, search_limit=args.search_limit,
                             strict=args.strict, keep_sessions=args.format == "junit")
    said: set[str] = set()

    def note(text: str) -> None:
        if text not in said:
            said.add(text)
            err.write(f"statusproof: note: {text}\n")

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="statusproof-stdin-") as folder, \
            Progress(err, "checking records", "records") as bar:
        options = RunOptions(fmt, fields, settings,
                             timers=load_settings(model, args.setting, args.settings),
                             max_line_bytes=args.max_line_bytes, path=args.check_path,
                             jobs=args.jobs, engine=args.engine, scheduler=args.scheduler,
                             partitions=args.partitions, note=note,
                             spec=spec, pool=pool,
                             sources=_spill_stdin(folder) if STDIN_NAME in files else {},
                             progress=bar.update if bar.shown else None)
        result = check_files(model, names, files, options)
    spent = time.perf_counter() - began
    if not result.records and result.problems:
        raise RecordFormatError(f"no record could be read ({len(result.problems)} malformed "
                                f"line(s)); the first: {result.problems[0]}")
    code = 1 if result.failed else 0
    shown = [STDIN_NAME if f == STDIN else f for f in args.records]  # as given
    if args.format == "json":
        text = report_json(result, shown, fmt)
    elif args.format == "junit":
        text = format_junit(result, shown, fmt, spent)
    elif args.format == "sarif":
        from .common import write_json
        from .sarif import logs_run, sarif_log

        buffer = io.StringIO()
        write_json(sarif_log([logs_run(result.violations, VIOLATION_KINDS, code)]), buffer)
        text = buffer.getvalue()
    else:
        text = format_report(result, shown, fmt, args.show or None)
    if args.output:
        write_text_file(args.output, text, "report")
        verdict = "FAIL" if result.failed else "PASS"
        out.write(f"{verdict}: {len(result.violations)} violation(s) in {result.sessions} "
                  f"session(s); report written to {args.output}\n")
    else:
        out.write(text)
    return code


def _synth_format(args: argparse.Namespace) -> str:
    if args.record_format:
        return str(args.record_format)
    if args.output and Path(args.output).suffix.lower() == ".csv":
        return "csv"
    if args.output and EXTENSIONS.get(Path(args.output).suffix.lower(), "jsonl") != "jsonl":
        raise StatusproofError(f"{args.output}: logs-synth writes {', '.join(SYNTH_FORMATS)}; "
                               "name the file .jsonl or .csv, or give --format")
    return "jsonl"


def run_synth(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    names = load_map(args.map, model) if args.map else default_map(model)
    kinds = tuple(k.strip() for k in args.kinds.split(",") if k.strip()) if args.kinds else None
    fmt = _synth_format(args)
    settings = SynthSettings(args.sessions, args.faults, kinds, args.seed,
                             arrival=args.arrival, mean_dwell=args.mean_dwell,
                             poll_interval=args.poll_interval)
    if args.output:
        target = Path(args.output)
        try:
            with open_in_folder(target.parent, target.name) as handle:
                result = generate(model, names, settings, fmt, cast(TextIO, handle))
        except OutputPathError as e:
            raise StatusproofError(f"cannot write the records: {e}") from e
    else:
        buffer = io.StringIO()
        result = generate(model, names, settings, fmt, buffer)
        out.write(buffer.getvalue())
    if args.expected:
        write_text_file(args.expected, json.dumps(result.to_dict(), indent=2) + "\n",
                        "list of expected faults")
    if args.output:
        kinds_seen = sorted({e.kind for e in result.expected})
        out.write(f"wrote {result.records} record(s) on {result.lines} line(s), "
                  f"{result.sessions} session(s)"
                  + (f", {result.polls} poll(s)" if fmt == "rescue-getsession" else "")
                  + f" as {fmt} to {args.output}; {len(result.expected)} fault(s)"
                  + (f" ({', '.join(kinds_seen)})" if kinds_seen else "") + "\n")
    return 0
