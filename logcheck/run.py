"""Running a check of record files: the files, the path (exact or fast) and the engine.

This module owns :class:`RunOptions` (everything a check of files needs besides the model)
and :func:`check_files`, the one entry point the CLI calls: it expands folders into their
record files, and checks them with the exact streaming checker (:mod:`.checker`), the fast
path (:mod:`.fastpath`, when its libraries are installed), ``jobs`` processes
(:mod:`.fastparts`) or a Dask cluster (:mod:`.daskengine`). Every way gives the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statusproof.model.model import Model

from .checker import LogChecker
from .namemap import NameMap
from .rawlines import BULK_BLOCK, DEFAULT_MAX_LINE_BYTES
from .readers import read_records
from .records import Fields, RecordFormatError
from .result import CheckSettings, LogResult
from .timersettings import Profiles, TimerSettings, timing_notes

__all__ = ["RunOptions", "check_files", "expand_files", "EXTENSIONS", "fast_available",
           "early_pool"]

#: File name endings of each record format (folders are read for these).
EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv",
              ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class RunOptions:
    """How to read and check: the format and fields, the checker's settings, the timer
    settings, the path (``auto``, ``fast``, ``exact``), processes and engine."""

    fmt: str
    fields: Fields
    settings: CheckSettings = field(default_factory=CheckSettings)
    timers: TimerSettings = field(default_factory=TimerSettings)
    max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
    path: str = "auto"
    jobs: int = 1
    engine: str = "local"
    scheduler: str | None = None
    partitions: int | None = None
    #: how worker processes load the model and the map (--jobs, --engine dask)
    spec: Any = None
    #: fast path: bytes of text per batch (tests use small ones)
    block_size: int = BULK_BLOCK
    #: receives notes for people (a missing library, a fallback), once each
    note: Callable[[str], None] = field(default=lambda text: None)
    #: where a record file is read from when not from its name (standard input, saved to a
    #: temporary file, is named ``<stdin>``)
    sources: Mapping[str, str] = field(default_factory=dict)
    #: ``--jobs``: records at each end of a part whose sessions are held (None: measured in
    #: each part, :func:`.guesses.margin_of`; 0: every part written down; tests use small
    #: ones)
    margin: int | None = None
    #: receives the number of records read since its last call (a progress bar)
    progress: Callable[[int], None] | None = None
    #: ``--jobs``: the ``jobs - 1`` spawned processes, started early by the caller
    #: (:func:`early_pool`), who shuts them down; None: started and shut down here
    pool: Any = None


def fast_available() -> str | None:
    """None when the fast path's libraries are installed, else what is missing."""
    from importlib.util import find_spec

    # found, not imported: importing pyarrow costs some 50 MiB that a CSV check never needs
    missing = [module for module in ("polars", "orjson", "pyarrow", "numpy")
               if find_spec(module) is None]
    return ", ".join(missing) if missing else None


def expand_files(names: Sequence[str], fmt: str | None) -> list[str]:
    """The record files named, a folder standing for its record files (sorted by name)."""
    found: list[str] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            inside = sorted(str(p) for p in path.iterdir()
                            if p.is_file() and EXTENSIONS.get(p.suffix.lower()) is not None
                            and (fmt is None or EXTENSIONS[p.suffix.lower()] == fmt))
            if not inside:
                raise RecordFormatError(f"{name}: the folder holds no record files "
                                        f"({', '.join(sorted(EXTENSIONS))}); check the path")
            found.extend(inside)
        elif path.is_file():
            found.append(name)
        else:
            raise RecordFormatError(f"{name}: no such record file; check the path")
    return found


def _exact(model: Model, names: NameMap, files: Sequence[str],
           options: RunOptions) -> LogResult:
    snapshots = options.fmt == "rescue-getsession"
    profiles = Profiles(model, options.timers, options.settings.slack)
    checker = LogChecker(model, names, options.settings, snapshots, files,
                         compiled=profiles.default, profile=profiles)
    sink = checker.problem
    if options.settings.strict:
        def sink(problem: object) -> None:
            raise RecordFormatError(f"{problem} (--strict stops at the first malformed line)")
    records = read_records([Path(options.sources.get(f, f)) for f in files], options.fmt,
                           options.fields, sink, files, options.max_line_bytes)
    checker.feed_all(records if options.progress is None
                     else _counted(records, options.progress))
    return checker.finish()


def _counted(items: Iterator[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    """``items``, telling ``progress`` every 4096 of them (and the rest at the end)."""
    count = 0
    for item in items:
        yield item
        count += 1
        if count == 4096:
            progress(count)
            count = 0
    if count:
        progress(count)


def _fast(model: Model, names: NameMap, files: Sequence[str],
          options: RunOptions) -> LogResult:
    from .fastpath import FastChecker, with_clock
    from .fastread import read_batches

    checker = FastChecker(model, names, options.settings, files, options.timers)
    first, clock = 0, -1e300
    for batch in read_batches([Path(options.sources.get(f, f)) for f in files], list(files),
                              options.fmt, options.fields, checker.result.problems.append,
                              options.max_line_bytes, options.block_size):
        if options.progress is not None:
            options.progress(batch.height)
        framed, clock = with_clock(batch, first, clock)
        first += batch.height
        checker.feed(framed)
    return checker.finish()


def _path(asked: str, fmt: str, strict: bool) -> tuple[str, str | None]:
    """``fast`` or ``exact``: what ``--path`` (``asked``) asks and the machine allows, and a
    note for people when the libraries are missing; RecordFormatError when ``--path fast``
    cannot be."""
    events = fmt in ("jsonl", "csv", "parquet")
    if asked == "exact":
        return "exact", None
    missing = fast_available()
    if asked == "fast":
        if missing is not None:
            raise RecordFormatError(f"--path fast needs {missing}; install the fast extra: "
                                    "pip install 'statusproof[fast]'")
        if not events or strict:
            raise RecordFormatError("--path fast checks event records (jsonl, csv, parquet) "
                                    "without --strict; use --path auto or exact")
        return "fast", None
    if missing is not None:
        return "exact", (f"{missing} not installed: checking with the exact reader alone "
                         "(slower); pip install 'statusproof[fast]' for the fast path")
    return ("fast" if events and not strict else "exact"), None


def choose_path(options: RunOptions) -> str:
    """``fast`` or ``exact``: what ``options.path`` asks and the machine allows."""
    path, note = _path(options.path, options.fmt, options.settings.strict)
    if note is not None:
        options.note(note)
    return path


def _in_processes(jobs: int, engine: str, stdin: bool, path: str) -> bool:
    """Whether the check runs in ``--jobs`` processes: event records from files, on the fast
    path, on this machine (what :func:`check_files` decides, and :func:`early_pool` before
    it)."""
    return jobs > 1 and engine == "local" and not stdin and path == "fast"


def early_pool(jobs: int, engine: str, fmt: str, path: str, strict: bool, stdin: bool
               ) -> Any:
    """The ``jobs - 1`` processes of ``--jobs``, started now (:func:`.fastpool.start_pool`)
    when the check will use them (:func:`_in_processes`). Called first thing by the command,
    so that their start-up (Python, polars, the model) runs while this process loads its own;
    None when they will not be used. A ``--path`` that cannot be is said by the check."""
    try:
        chosen, _ = _path(path, fmt, strict)
    except RecordFormatError:
        return None
    if not _in_processes(jobs, engine, stdin, chosen):
        return None
    from .fastpool import start_pool

    return start_pool(jobs - 1)


def _jobs(model: Model, names: NameMap, files: Sequence[str], options: RunOptions
          ) -> LogResult:
    import contextlib

    from .fastparts import check_in_parts
    from .fastpool import Sharing, start_pool
    from .partition import ModelSpec, share_model

    spec = options.spec or ModelSpec()
    share_model(spec, model, names)  # this process checks partitions too

    def told(again: int, parts: int) -> None:
        if again:
            options.note(f"--jobs: {again} of {parts} parts were read and checked again "
                         "(their guess of their own sessions failed; see docs/logs.md, "
                         "\"Processes and clusters\")")
    progress = options.progress

    def wait(job: Any) -> Any:
        done = job.result()
        rows = getattr(done, "rows", None)  # a part read: its records
        if progress is not None and isinstance(rows, int):
            progress(rows)
        return done

    # this process works as one of the ``jobs`` (fastpool), beside jobs - 1 spawned ones
    with contextlib.ExitStack() as stack:
        pool = options.pool
        if pool is None:
            pool = stack.enter_context(start_pool(options.jobs - 1))
        return check_in_parts(model, spec, files, options.fmt, options.fields,
                              options.settings, options.timers, options.max_line_bytes,
                              options.block_size, options.jobs,
                              options.partitions or _parts(files, options),
                              Sharing(pool.submit, options.jobs - 1), wait,
                              options.margin, told)


def _parts(files: Sequence[str], options: RunOptions) -> int:
    """How many parts ``--jobs`` cuts the input into: 8 per process (small parts even out
    the processes' shares), but parts of text of at least 8 MiB (a part has a fixed cost)."""
    most, least = 8 * options.jobs, 2 * options.jobs
    if options.fmt == "parquet":
        return most
    size = sum(Path(f).stat().st_size for f in files if Path(f).is_file())
    return max(least, min(most, size >> 23))


def check_files(model: Model, names: NameMap, files: Sequence[str],
                options: RunOptions) -> LogResult:
    """Check the record ``files`` (already expanded) against ``model``."""
    path = choose_path(options)
    if options.sources and (options.engine == "dask" or options.jobs > 1):
        if options.engine == "dask":
            raise RecordFormatError("records from standard input are checked in this process; "
                                    "--engine dask reads files: name them")
        options.note("records from standard input are checked in one process (--jobs applies "
                     "to files)")
        options.jobs = 1
    if options.engine == "dask":
        if path != "fast":
            raise RecordFormatError("--engine dask checks event records (jsonl, csv, parquet) "
                                    "on the fast path; it needs the fast and dask extras")
        from .daskengine import check_with_dask

        result = check_with_dask(model, files, options)
    elif _in_processes(options.jobs, options.engine, bool(options.sources), path):
        result = _jobs(model, names, files, options)
    elif path == "fast":
        result = _fast(model, names, files, options)
    else:
        if options.jobs > 1:
            options.note("--jobs applies to event records on the fast path; checking in one "
                         "process")
        result = _exact(model, names, files, options)
    result.timing = timing_notes(model, options.timers)
    return result
