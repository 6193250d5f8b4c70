"""Recorded logs: what one record is, where its fields are, and how times are read.

This module owns the types the readers hand the checker: :class:`Record` (one observed status
of one session), :class:`PollMark` (a poll of a snapshot file began) and
:class:`UnreadableRow` (a snapshot row that could not be read, but shows its session was
listed); :class:`Fields` (where each piece of a record is, per format); and the reading and
writing of times (:func:`parse_time`, :func:`format_time`). A time must be finite and between
the years 1 and 9999 (what ISO 8601 can write); anything else is a malformed record.

Reading files is left to :mod:`.rawlines` (lines, encodings, limits) and the readers of each
format (:mod:`.jsonl`, :mod:`.csvrecords`, :mod:`.getsession`, :mod:`.readers`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import NamedTuple

from statusproof.model.errors import InputProblem, StatusproofError
from statusproof.model.record import record, replace

__all__ = [
    "FORMATS",
    "Record",
    "PollMark",
    "UnreadableRow",
    "Fields",
    "default_fields",
    "RecordFormatError",
    "ProblemSink",
    "parse_time",
    "format_time",
    "TIME_RANGE",
    "check_time",
    "shown",
    "TimeRangeError",
    "why",
    "not_a_time",
]

#: The record formats, in the order the CLI lists them.
FORMATS = ("jsonl", "csv", "parquet", "rescue-getsession")

_EPOCH = datetime(1970, 1, 1)
#: The times a record may carry, in seconds since the epoch: 0001-01-01 to 9999-12-31.
TIME_RANGE = (-62135596800.0, 253402300799.0)


class Record(NamedTuple):
    """One observed status of one session.

    ``time`` is seconds since the epoch (UTC): the time of the change for an event record,
    the poll time for a snapshot. ``waiting`` (snapshots only) is the number of seconds since
    the session's last status change, ``start`` the session's start time if the row gives it
    (Rescue gives it to the minute). ``cause`` is the recorded cause attribute, if any;
    ``group`` the value of the group field (timer settings per group), if read.
    """

    path: str
    line: int
    session: str
    time: float
    status: str
    cause: str | None = None
    waiting: float | None = None
    start: float | None = None
    group: str | None = None


class PollMark(NamedTuple):
    """A poll of a snapshot file began at ``time``; ``failed`` holds the answer of a failed
    poll (for example ``ERROR``), whose rows are missing."""

    path: str
    line: int
    time: float
    failed: str | None = None


class UnreadableRow(NamedTuple):
    """A snapshot row whose session id could be read but not the rest (it is reported as a
    malformed line): the session was listed in the poll, so it has not ended."""

    path: str
    line: int
    session: str


@record
class Fields:
    """Where each piece of a record is: JSON keys or CSV/Parquet/snapshot column names.

    ``time`` names the timestamp of an event record, or the poll-time column of a snapshot
    file (used when the file has such a column instead of ``# poll`` lines). ``cause`` is
    optional in every format; ``start`` and ``waiting`` are used by snapshots only; ``group``
    (timer settings per group) is read only when named.
    """

    session: str
    time: str
    status: str
    cause: str = "cause"
    start: str = "Start Time"
    waiting: str = "Waiting Time"
    delimiter: str = ","
    group: str | None = None


_DEFAULTS = {
    "jsonl": Fields("session", "time", "status"),
    "csv": Fields("session", "time", "status"),
    "parquet": Fields("session", "time", "status"),
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


class TimeRangeError(ValueError):
    """A number that cannot be a time: not finite, or outside the years 1 to 9999."""


def why(error: Exception) -> str:
    """The reason to add to a message about a bad time: only for a number out of range."""
    return f" ({error})" if isinstance(error, TimeRangeError) else ""


def not_a_time(field: str, stamp: object, error: Exception) -> str:
    """The message of a record whose time is not one: the same from every event reader, on
    the exact path and the fast one (the report is the same on both)."""
    return (f"{field!r} is {shown(stamp)}, not a timestamp{why(error)}; write ISO 8601 "
            "(2024-05-01T10:00:00Z) or epoch seconds")


def check_time(value: float) -> float:
    """``value`` if it is a time a record may carry (see :data:`TIME_RANGE`); else
    :class:`TimeRangeError` saying why."""
    if not math.isfinite(value):
        raise TimeRangeError(f"{value!r} is not a finite number of seconds")
    if not TIME_RANGE[0] <= value <= TIME_RANGE[1]:
        raise TimeRangeError(f"{value!r} seconds is outside the years 1 to 9999")
    return value


def parse_time(value: object) -> float:
    """Seconds since the epoch from an ISO 8601 string or a number; ValueError otherwise.

    A timestamp without a zone is read as UTC; NaN, infinities and times outside the years
    1 to 9999 are refused.

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
            return check_time(float(text))
        stamp = datetime.fromisoformat(text)
        if stamp.tzinfo is None:
            return check_time((stamp - _EPOCH).total_seconds())
        return check_time(stamp.timestamp())
    if isinstance(value, bool):
        raise ValueError("a timestamp cannot be true or false")
    if isinstance(value, int | float):
        try:
            return check_time(float(value))
        except OverflowError as e:
            raise TimeRangeError(f"{shown(value)} is too large to be a time") from e
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


def shown(value: object, limit: int = 60) -> str:
    """``repr(value)`` for a message, cut to about ``limit`` characters.

    >>> shown("x" * 100, 10)
    "'xxxxxxxxx... (102 characters)"
    """
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit - 1]}... ({len(text)} characters)"
