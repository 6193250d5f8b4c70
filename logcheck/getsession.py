"""Reading polled snapshots in the shape of the LogMeIn Rescue API's ``getSession`` output.

This module owns the snapshot format: each poll is a header line (optionally preceded by
``OK``) and one row per session listed (``ID|Status|...|Start Time|Waiting Time|...``). The
poll time comes from a line ``# poll <timestamp>`` before the poll, or from a poll-time column;
Waiting Time is the number of seconds since the session's last status change. It yields a
:class:`~.records.PollMark` when a poll begins and a :class:`~.records.Record` per listed
session; a row that cannot be read but names its session also yields an
:class:`~.records.UnreadableRow` (the session was listed, so it has not ended). Comparing
statuses ("ACTIVE" and "Active") is the checker's job.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from statusproof.model.errors import InputProblem

from .rawlines import DEFAULT_MAX_LINE_BYTES, read_lines
from .records import (
    Fields,
    PollMark,
    ProblemSink,
    Record,
    RecordFormatError,
    UnreadableRow,
    check_time,
    parse_time,
    shown,
)

__all__ = ["read_getsession"]

_EPOCH = datetime(1970, 1, 1)
_RESCUE_START = "%m/%d/%Y %I:%M %p"
_POLL_MARK = re.compile(r"^#\s*poll(?:ed)?(?:\s+at)?\s+(?P<time>\S.*?)\s*$", re.IGNORECASE)
_API_WORD = re.compile(r"^[A-Z][A-Z_]+$")
_STARTS: dict[str, float] = {}


def _parse_rescue_start(text: str) -> float:
    """A Rescue Start Time (``2/16/2012 9:00 AM``) or an ISO timestamp, in epoch seconds.

    Every poll repeats a session's start time, so results are cached (a bounded cache).
    """
    found = _STARTS.get(text)
    if found is not None:
        return found
    try:
        value = check_time((datetime.strptime(text, _RESCUE_START) - _EPOCH).total_seconds())
    except ValueError:
        value = parse_time(text)
    if len(_STARTS) >= 4096:
        _STARTS.clear()
    _STARTS[text] = value
    return value


def _split(line: str, delimiter: str) -> list[str]:
    return [cell.strip() for cell in line.split(delimiter)]


def read_getsession(path: Path, fields: Fields, on_problem: ProblemSink,
                    name: str | None = None, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES
                    ) -> Iterator[Record | PollMark | UnreadableRow]:
    """Polled snapshots (see the module docstring)."""
    name = str(path) if name is None else name
    delimiter = fields.delimiter
    header: list[str] | None = None
    columns: dict[str, int] = {}
    poll_time: float | None = None
    column_poll: float | None = None
    for item in read_lines(path, name, max_line_bytes):
        number = item.number
        if item.text is None:
            on_problem(InputProblem(name, number, item.problem or "unreadable"))
            continue
        line = item.text.strip()
        if not line:
            continue
        if line.startswith("#"):
            match = _POLL_MARK.match(line)
            if match is None:
                continue  # a comment
            try:
                poll_time = parse_time(match["time"])
            except ValueError:
                on_problem(InputProblem(name, number, f"poll time {shown(match['time'])} is "
                                        "not a timestamp; write '# poll 2024-05-01T10:00:00Z'"))
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
        sid_index = columns[fields.session]
        session = cells[sid_index] if sid_index < len(cells) else ""

        def bad(message: str, sid: str = session, at: int = number) -> UnreadableRow | None:
            on_problem(InputProblem(name, at, message))
            return UnreadableRow(name, at, sid) if sid else None

        if len(cells) < width or any(cells[width:]):
            marker = bad(f"{len(cells)} field(s), but the header has {width}; a row lists one "
                         "value per column")
            if marker is not None:
                yield marker
            continue
        status = cells[columns[fields.status]]
        waiting_text = cells[columns[fields.waiting]]
        if not session or not status:
            marker = bad("empty ID or Status field")
            if marker is not None:
                yield marker
            continue
        try:
            waiting = float(waiting_text)
            if waiting < 0 or not math.isfinite(waiting):
                raise ValueError
        except ValueError:
            marker = bad(f"{fields.waiting} {shown(waiting_text)} is not a number of seconds "
                         "(0 or more)")
            if marker is not None:
                yield marker
            continue
        when = poll_time
        if fields.time in columns:
            try:
                when = parse_time(cells[columns[fields.time]])
            except ValueError:
                marker = bad(f"{fields.time} {shown(cells[columns[fields.time]])} is not a "
                             "timestamp")
                if marker is not None:
                    yield marker
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
                marker = bad(f"{fields.start} {shown(cells[columns[fields.start]])} is not a "
                             "time like '2/16/2012 9:00 AM'")
                if marker is not None:
                    yield marker
                continue
        cause = cells[columns[fields.cause]] if fields.cause in columns else ""
        group = (cells[columns[fields.group]] if fields.group is not None
                 and fields.group in columns else "")
        yield Record(name, number, session, when, status, cause or None, waiting, start,
                     group or None)
