"""Recorded status histories: streaming readers for event records and polled snapshots.

This module owns the record formats. It turns files into a stream of :class:`Record` (one
observed status of one session) and, for polled snapshots, :class:`PollMark` (a poll began).
It reads one line at a time and keeps nothing of lines already read, so memory does not grow
with the file.

Formats (:data:`FORMATS`):

``jsonl``
    One JSON object per line, one status change per object: session id, timestamp, status and
    optional attributes (the cause of a status with a cause variable).
``csv``
    The same fields as columns of a CSV file with a header row.
``rescue-getsession``
    Polled snapshots in the shape of the LogMeIn Rescue API's ``getSession`` text output
    (``ID|Status|...|Start Time|Waiting Time|...``): each poll is a header line (optionally
    preceded by ``OK``) and one row per session listed. The poll time comes from a line
    ``# poll <timestamp>`` before the poll, or from a ``Poll Time`` column. Waiting Time is
    the number of seconds since the session's last status change.

Field and column names are configurable (:class:`Fields`). Timestamps are ISO 8601 (a zone
is honoured; a timestamp without one is read as UTC) or a number of seconds since the epoch.

A malformed line is never dropped silently: the reader hands an :class:`InputProblem` (path,
line, what is wrong and how to fix it) to the caller's ``on_problem`` and goes on; with
``strict`` the first problem raises :class:`RecordFormatError`. Mapping recorded status names
to the model is :mod:`statusproof.logcheck.namemap`'s job; checking the histories is
:mod:`statusproof.logcheck.checker`'s.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

from statusproof.model.errors import InputProblem, StatusproofError

__all__ = [
    "FORMATS",
    "Record",
    "PollMark",
    "Fields",
    "default_fields",
    "RecordFormatError",
    "ProblemSink",
    "parse_time",
    "format_time",
    "read_jsonl",
    "read_csv",
    "read_getsession",
    "read_records",
]

#: The record formats, in the order the CLI lists them.
FORMATS = ("jsonl", "csv", "rescue-getsession")

_EPOCH = datetime(1970, 1, 1)
_RESCUE_START = "%m/%d/%Y %I:%M %p"
_POLL_MARK = re.compile(r"^#\s*poll(?:ed)?(?:\s+at)?\s+(?P<time>\S.*?)\s*$", re.IGNORECASE)
_API_WORD = re.compile(r"^[A-Z][A-Z_]+$")


class Record(NamedTuple):
    """One observed status of one session.

    ``time`` is seconds since the epoch (UTC): the time of the change for an event record,
    the poll time for a snapshot. ``waiting`` (snapshots only) is the number of seconds since
    the session's last status change, ``start`` the session's start time if the row gives it
    (Rescue gives it to the minute). ``cause`` is the recorded cause attribute, if any.
    """

    path: str
    line: int
    session: str
    time: float
    status: str
    cause: str | None = None
    waiting: float | None = None
    start: float | None = None


class PollMark(NamedTuple):
    """A poll of a snapshot file began at ``time``; ``failed`` holds the answer of a failed
    poll (for example ``ERROR``), whose rows are missing."""

    path: str
    line: int
    time: float
    failed: str | None = None


@dataclass(frozen=True)
class Fields:
    """Where each piece of a record is: JSON keys or CSV/snapshot column names.

    ``time`` names the timestamp of an event record, or the poll-time column of a snapshot
    file (used when the file has such a column instead of ``# poll`` lines). ``cause`` is
    optional in every format; ``start`` and ``waiting`` are used by snapshots only.
    """

    session: str
    time: str
    status: str
    cause: str = "cause"
    start: str = "Start Time"
    waiting: str = "Waiting Time"
    delimiter: str = ","


_DEFAULTS = {
    "jsonl": Fields("session", "time", "status"),
    "csv": Fields("session", "time", "status"),
    "rescue-getsession": Fields("ID", "Poll Time", "Status", cause="Cause", delimiter="|"),
}


def default_fields(fmt: str, **overrides: str | None) -> Fields:
    """The default field names of ``fmt``, with the given names replaced (None keeps one).

    >>> default_fields("csv", session="ticket").session
    'ticket'
    >>> default_fields("rescue-getsession").waiting
    'Waiting Time'
    """
    if fmt not in _DEFAULTS:
        raise StatusproofError(f"unknown record format {fmt!r}; use one of {', '.join(FORMATS)}")
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(_DEFAULTS[fmt], **given)


class RecordFormatError(StatusproofError):
    """A record file cannot be used (or, with ``strict``, has a malformed line)."""


#: Receives each malformed line; it may raise to stop the run.
ProblemSink = Callable[[InputProblem], None]


def parse_time(value: object) -> float:
    """Seconds since the epoch from an ISO 8601 string or a number; ValueError otherwise.

    A timestamp without a zone is read as UTC.

    >>> parse_time("2024-05-01T10:00:00Z")
    1714557600.0
    >>> parse_time("2024-05-01 10:00:00")
    1714557600.0
    >>> parse_time(1714557600)
    1714557600.0
    """
    if type(value) is str:
        text = value.strip()
        if text.replace(".", "", 1).isdigit():
            return float(text)
        stamp = datetime.fromisoformat(text)
        if stamp.tzinfo is None:
            return (stamp - _EPOCH).total_seconds()
        return stamp.timestamp()
    if isinstance(value, bool):
        raise ValueError("a timestamp cannot be true or false")
    if isinstance(value, int | float):
        return float(value)
    raise ValueError(f"{value!r} is not a timestamp")


def format_time(seconds: float) -> str:
    """A time for people: ISO 8601 in UTC, to the second (with a fraction only if it has one).

    >>> format_time(1714557600.0)
    '2024-05-01T10:00:00Z'
    >>> format_time(1714557600.25)
    '2024-05-01T10:00:00.250000Z'
    """
    stamp = datetime.fromtimestamp(seconds, UTC)
    text = stamp.isoformat(timespec="seconds" if seconds == int(seconds) else "microseconds")
    return text.replace("+00:00", "Z")


_STARTS: dict[str, float] = {}


def _parse_rescue_start(text: str) -> float:
    """A Rescue Start Time (``2/16/2012 9:00 AM``) or an ISO timestamp, in epoch seconds.

    Every poll repeats a session's start time, so results are cached (a bounded cache).
    """
    found = _STARTS.get(text)
    if found is not None:
        return found
    try:
        value = (datetime.strptime(text, _RESCUE_START) - _EPOCH).total_seconds()
    except ValueError:
        value = parse_time(text)
    if len(_STARTS) >= 4096:
        _STARTS.clear()
    _STARTS[text] = value
    return value


def _text(value: Any) -> str | None:
    """A JSON value as a field text: strings and numbers; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _open(path: Path, name: str) -> IO[str]:
    try:
        return path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise RecordFormatError(f"{name}: cannot read the record file: {e.strerror or e}; "
                                "check the path") from e


def read_jsonl(path: Path, fields: Fields, on_problem: ProblemSink,
               name: str | None = None) -> Iterator[Record]:
    """Event records from a JSON Lines file; blank lines are skipped."""
    name = str(path) if name is None else name
    sid, tkey, skey, ckey = fields.session, fields.time, fields.status, fields.cause
    loads = json.loads
    with _open(path, name) as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                item = loads(line)
            except ValueError as e:
                on_problem(InputProblem(name, number, f"not a JSON object ({e}); write one "
                                                      "JSON object per line"))
                continue
            if not isinstance(item, dict):
                on_problem(InputProblem(name, number, "not a JSON object; write one JSON "
                                                      "object per line"))
                continue
            session = _text(item.get(sid))
            status = item.get(skey)
            stamp = item.get(tkey)
            if session is None or not isinstance(status, str) or not status or stamp is None:
                missing = [key for key, ok in ((sid, session is not None),
                                               (tkey, stamp is not None),
                                               (skey, isinstance(status, str) and bool(status)))
                           if not ok]
                on_problem(InputProblem(name, number, f"missing or empty field(s) "
                                        f"{', '.join(map(repr, missing))}; every record needs "
                                        f"{sid!r}, {tkey!r} and {skey!r} (set the names with "
                                        "--session-field, --time-field, --status-field)"))
                continue
            try:
                when = parse_time(stamp)
            except ValueError:
                on_problem(InputProblem(name, number, f"{tkey!r} is {stamp!r}, not a timestamp; "
                                        "write ISO 8601 (2024-05-01T10:00:00Z) or epoch seconds"))
                continue
            cause = item.get(ckey)
            yield Record(name, number, session, when, status,
                         cause if isinstance(cause, str) and cause else None)


def read_csv(path: Path, fields: Fields, on_problem: ProblemSink,
             name: str | None = None) -> Iterator[Record]:
    """Event records from a CSV file whose first row names the columns."""
    name = str(path) if name is None else name
    with _open(path, name) as handle:
        reader = csv.reader(handle, delimiter=fields.delimiter)
        header: list[str] | None = None
        index: dict[str, int] = {}
        previous_end = 0
        for row in reader:
            number = previous_end + 1
            previous_end = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = [cell.strip() for cell in row]
                index = {column: i for i, column in enumerate(header)}
                absent = [c for c in (fields.session, fields.time, fields.status) if c not in index]
                if absent:
                    raise RecordFormatError(
                        f"{name}:{number}: the header has no column(s) "
                        f"{', '.join(map(repr, absent))} (columns: {', '.join(header)}); name "
                        "them with --session-field, --time-field, --status-field")
                si, ti, xi = index[fields.session], index[fields.time], index[fields.status]
                ci = index.get(fields.cause)
                width = len(header)
                continue
            if len(row) != width:
                on_problem(InputProblem(name, number, f"{len(row)} field(s), but the header "
                                        f"has {width}; quote fields that contain "
                                        f"{fields.delimiter!r}"))
                continue
            session, stamp, status = row[si].strip(), row[ti].strip(), row[xi].strip()
            if not session or not stamp or not status:
                on_problem(InputProblem(name, number, "empty session, time or status field; "
                                        "every record needs all three"))
                continue
            try:
                when = parse_time(stamp)
            except ValueError:
                on_problem(InputProblem(name, number, f"{fields.time!r} is {stamp!r}, not a "
                                        "timestamp; write ISO 8601 (2024-05-01T10:00:00Z) or "
                                        "epoch seconds"))
                continue
            cause = row[ci].strip() if ci is not None else ""
            yield Record(name, number, session, when, status, cause or None)
        if header is None:
            on_problem(InputProblem(name, 0, "the file is empty; a CSV record file starts "
                                             "with a header row"))


def _split(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in line.rstrip("\r\n").split(delimiter)]


def read_getsession(path: Path, fields: Fields, on_problem: ProblemSink,
                    name: str | None = None) -> Iterator[Record | PollMark]:
    """Polled snapshots in the shape of Rescue's getSession text output.

    Yields a :class:`PollMark` when a poll begins (a ``# poll`` line, or a new value of the
    poll-time column) and a :class:`Record` per listed session.
    """
    name = str(path) if name is None else name
    delimiter = fields.delimiter
    with _open(path, name) as handle:
        header: list[str] | None = None
        columns: dict[str, int] = {}
        poll_time: float | None = None
        column_poll: float | None = None
        for number, raw in enumerate(handle, 1):
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                match = _POLL_MARK.match(line)
                if match is None:
                    continue  # a comment
                try:
                    poll_time = parse_time(match["time"])
                except ValueError:
                    on_problem(InputProblem(name, number, f"poll time {match['time']!r} is not "
                                            "a timestamp; write '# poll 2024-05-01T10:00:00Z'"))
                    poll_time = None
                    continue
                yield PollMark(name, number, poll_time)
                continue
            if line.startswith("OK") and (len(line) == 2 or line[2] in " \t"):
                line = line[2:].strip()
                if not line:
                    continue
            elif _API_WORD.match(line):
                yield PollMark(name, number, poll_time if poll_time is not None else 0.0, line)
                continue
            cells = _split(line, delimiter)
            if fields.session in cells and fields.status in cells:
                while cells and not cells[-1]:
                    cells.pop()
                header = cells
                columns = {column: i for i, column in enumerate(header)}
                if fields.waiting not in columns:
                    raise RecordFormatError(
                        f"{name}:{number}: the header has no {fields.waiting!r} column; "
                        "snapshots need the seconds since the last status change")
                continue
            if header is None:
                on_problem(InputProblem(name, number, "a row before any header line; each poll "
                                        f"starts with a header naming {fields.session!r} and "
                                        f"{fields.status!r}"))
                continue
            width = len(header)
            if len(cells) < width or any(cells[width:]):
                on_problem(InputProblem(name, number, f"{len(cells)} field(s), but the header "
                                        f"has {width}; a row lists one value per column"))
                continue
            session = cells[columns[fields.session]]
            status = cells[columns[fields.status]]
            waiting_text = cells[columns[fields.waiting]]
            if not session or not status:
                on_problem(InputProblem(name, number, "empty ID or Status field"))
                continue
            try:
                waiting = float(waiting_text)
                if waiting < 0 or waiting != waiting:
                    raise ValueError
            except ValueError:
                on_problem(InputProblem(name, number, f"{fields.waiting} {waiting_text!r} is "
                                        "not a number of seconds (0 or more)"))
                continue
            when = poll_time
            if fields.time in columns:
                try:
                    when = parse_time(cells[columns[fields.time]])
                except ValueError:
                    on_problem(InputProblem(name, number, f"{fields.time} "
                                            f"{cells[columns[fields.time]]!r} is not a "
                                            "timestamp"))
                    continue
                if when != column_poll:
                    column_poll = when
                    yield PollMark(name, number, when)
            if when is None:
                on_problem(InputProblem(name, number, "no poll time for this row; write "
                                        f"'# poll <timestamp>' before each poll or add a "
                                        f"{fields.time!r} column"))
                continue
            start: float | None = None
            if fields.start in columns and cells[columns[fields.start]]:
                try:
                    start = _parse_rescue_start(cells[columns[fields.start]])
                except ValueError:
                    on_problem(InputProblem(name, number, f"{fields.start} "
                                            f"{cells[columns[fields.start]]!r} is not a time "
                                            "like '2/16/2012 9:00 AM'"))
                    continue
            cause = cells[columns[fields.cause]] if fields.cause in columns else ""
            yield Record(name, number, session, when, status, cause or None, waiting, start)


_READERS: dict[str, Callable[..., Iterator[Any]]] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "rescue-getsession": read_getsession,
}


def read_records(paths: Iterable[Path], fmt: str, fields: Fields, on_problem: ProblemSink,
                 names: Iterable[str] | None = None) -> Iterator[Record | PollMark]:
    """The records of several files, one after the other (a session may span files)."""
    if fmt not in _READERS:
        raise RecordFormatError(f"unknown record format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader = _READERS[fmt]
    path_list = list(paths)
    name_list = list(names) if names is not None else [str(p) for p in path_list]
    for path, name in zip(path_list, name_list, strict=True):
        yield from reader(path, fields, on_problem, name)
