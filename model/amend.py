"""Amendment files: reviewed statements that say what the table alone cannot.

An amendment file is TOML. Each statement names its source, and none may contradict the table:
a ``fill`` only fills a cell the table leaves empty, an ``alias`` only names a status that has
no row of its own. The kinds of statement:

``[[alias]]`` ``name``, ``status``
    A name used in cells is another name of the row ``status``.
``[[fill]]`` ``status``, ``column`` (previous|next|description), ``entries``
    Fill a cell that is empty in the table (for example one a scrape lost).
``[[add]]`` ``from``, ``to``
    A step the table's prose describes but no list cell gives.
``[history]`` ``remember``
    The statuses that remember the status to return to (replaces what the guards imply).
``[[cause]]`` ``status``, ``variable``, ``values`` (name -> condition text)
    Names the alternatives behind a status's conditional exits.
``[[reading]]`` ``status``, ``column`` (previous|next), ``text``, ``means``
    How to read a clause of a cell that statusproof does not understand (or reads otherwise
    than meant): ``text`` is the clause as written, ``means`` the same in the cell language.
``[[timer]]`` ``status``, ``to``, ``seconds`` or ``minimum``/``maximum``/``never``, ``cause``,
``setting``, ``clock``
    A timed rule with its figures; ``clock`` says what the time counts from: ``"status"``
    (entering the status, the default) or ``"session"`` (the start of the run).

Every statement needs a non-empty ``source``. This module parses and validates the file;
applying it to a table is :mod:`statusproof.model.interpret`'s job.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from .errors import AmendmentError
from .record import field, record
from .table import Column, SourceSpan

__all__ = [
    "reading_statement",
    "Alias",
    "Fill",
    "Addition",
    "HistoryDecl",
    "CauseDecl",
    "TimerDecl",
    "ReadingDecl",
    "AmendmentSet",
    "load_amendments",
    "parse_amendments",
]


@record
class Alias:
    """An ``[[alias]]``: a name the table uses for a row it names otherwise."""

    name: str
    status: str
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class Fill:
    """A ``[[fill]]``: entries for a cell the table leaves empty."""

    status: str
    column: Column
    entries: tuple[str, ...]
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class Addition:
    """An ``[[add]]``: a step the table does not write, from one status to another."""

    source_status: str
    target: str
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class HistoryDecl:
    """The ``[history]`` table: the statuses that remember the status to return to."""

    remember: tuple[str, ...]
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class CauseDecl:
    """A ``[[cause]]``: the variable that tells a status's exits apart, and its values."""

    status: str
    variable: str
    values: tuple[tuple[str, str], ...]
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class TimerDecl:
    """A ``[[timer]]``: how long a status may last and where its timeout leads."""

    status: str
    target: str
    seconds: int | None
    minimum: int | None
    maximum: int | None
    never: bool
    cause: str | None
    setting: str
    source: str
    span: SourceSpan | None = field(default=None, compare=False)
    clock: str = "status"


@record
class ReadingDecl:
    """A ``[[reading]]``: what a clause the grammar cannot read means."""

    status: str
    column: Column
    text: str
    means: str
    source: str
    span: SourceSpan | None = field(default=None, compare=False)


@record
class AmendmentSet:
    """Everything an amendment file declares, in file order."""

    path: str
    aliases: tuple[Alias, ...] = ()
    fills: tuple[Fill, ...] = ()
    additions: tuple[Addition, ...] = ()
    history: HistoryDecl | None = None
    causes: tuple[CauseDecl, ...] = ()
    timers: tuple[TimerDecl, ...] = ()
    readings: tuple[ReadingDecl, ...] = ()


_KINDS = ("alias", "fill", "add", "history", "cause", "timer", "reading")
#: The keys each kind of statement may have; any other key is a mistake worth reporting.
_KEYS = {
    "alias": {"name", "status", "source"},
    "fill": {"status", "column", "entries", "source"},
    "add": {"from", "to", "source"},
    "history": {"remember", "source"},
    "cause": {"status", "variable", "values", "source"},
    "timer": {"status", "to", "seconds", "minimum", "maximum", "never", "cause", "setting",
              "clock", "source"},
    "reading": {"status", "column", "text", "means", "source"},
}
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: What a timer's time counts from: entering its status, or the start of the run.
TIMER_CLOCKS = ("status", "session")


def _header_lines(text: str) -> dict[str, list[int]]:
    """Line numbers of each ``[[kind]]`` / ``[kind]`` header, in order (tomllib keeps none)."""
    found: dict[str, list[int]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"^\s*\[\[?\s*([A-Za-z_]+)\s*\]\]?\s*(#.*)?$", line)
        if match:
            found.setdefault(match[1], []).append(number)
    return found


def _duration(value: Any, where: str) -> int:
    """Seconds from an int (seconds) or a string like ``"5m"``, ``"14d"``, ``"300s"``."""
    if isinstance(value, bool):
        raise AmendmentError(f"{where}: a duration must be a number of seconds or like '5m'")
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*([smhd])\s*", value)
        if match:
            return int(match[1]) * _UNITS[match[2]]
    raise AmendmentError(f"{where}: {value!r} is not a duration; write seconds or e.g. '5m', '14d'")


def parse_amendments(text: str, path: str) -> AmendmentSet:
    """Parse and validate an amendment file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = re.search(r"line (\d+)", str(e))
        raise AmendmentError(f"{path}:{line[1] if line else 1}: not valid TOML: {e}") from e
    lines = _header_lines(text)
    unknown = sorted(set(data) - set(_KINDS) - {"about", "table"})
    if unknown:
        raise AmendmentError(
            f"{path}:1: unknown amendment kind(s) {', '.join(unknown)}; use {', '.join(_KINDS)}"
        )

    def records(kind: str) -> list[tuple[dict[str, Any], SourceSpan, str]]:
        raw = data.get(kind, [])
        items = raw if isinstance(raw, list) else [raw]
        out = []
        for index, item in enumerate(items):
            numbers = lines.get(kind, [])
            line = numbers[index] if index < len(numbers) else 1
            where = f"{path}:{line}"
            if not isinstance(item, dict):
                raise AmendmentError(f"{where}: [{kind}] must be a table of keys")
            extra = sorted(set(item) - _KEYS[kind])
            if extra:
                raise AmendmentError(
                    f"{where}: unknown key(s) {', '.join(extra)} in this {kind} statement; "
                    f"use {', '.join(sorted(_KEYS[kind]))}")
            source = item.get("source")
            if not isinstance(source, str) or not source.strip():
                raise AmendmentError(f"{where}: this {kind} statement has no 'source'; every "
                                     "amendment must say where its fact comes from")
            out.append((item, SourceSpan(path, line, line), where))
        return out

    def text_field(item: dict[str, Any], key: str, where: str) -> str:
        value = item.get(key)
        if not isinstance(value, str) or not value.strip():
            raise AmendmentError(f"{where}: missing text field '{key}'")
        return value.strip()

    def list_field(item: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
        value = item.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise AmendmentError(f"{where}: '{key}' must be a non-empty list of names")
        return tuple(v.strip() for v in value)

    aliases = tuple(
        Alias(text_field(i, "name", w), text_field(i, "status", w), i["source"], s)
        for i, s, w in records("alias")
    )
    fills = []
    for item, span, where in records("fill"):
        column_name = text_field(item, "column", where).lower()
        columns = {"previous": Column.PREVIOUS, "next": Column.NEXT,
                   "description": Column.DESCRIPTION}
        if column_name not in columns:
            raise AmendmentError(f"{where}: column {column_name!r} cannot be filled; use "
                                 "previous, next or description")
        fills.append(Fill(text_field(item, "status", where), columns[column_name],
                          list_field(item, "entries", where), item["source"], span))
    additions = tuple(
        Addition(text_field(i, "from", w), text_field(i, "to", w), i["source"], s)
        for i, s, w in records("add")
    )
    history = None
    for item, span, where in records("history"):
        if history is not None:
            raise AmendmentError(f"{where}: a second history statement; list every remembering "
                                 "status in one 'remember'")
        history = HistoryDecl(list_field(item, "remember", where), item["source"], span)
    causes = []
    for item, span, where in records("cause"):
        values = item.get("values")
        if not isinstance(values, dict) or not values or not all(
            isinstance(v, str) for v in values.values()
        ):
            raise AmendmentError(f"{where}: 'values' must map each cause name to the condition "
                                 "text it stands for")
        causes.append(CauseDecl(text_field(item, "status", where),
                                text_field(item, "variable", where),
                                tuple((k, v) for k, v in values.items()), item["source"], span))
    timers = []
    for item, span, where in records("timer"):
        seconds = _duration(item["seconds"], where) if "seconds" in item else None
        minimum = _duration(item["minimum"], where) if "minimum" in item else None
        maximum = _duration(item["maximum"], where) if "maximum" in item else None
        if seconds is None and (minimum is None or maximum is None):
            raise AmendmentError(f"{where}: a timer needs 'seconds', or 'minimum' and 'maximum'")
        if minimum is not None and maximum is not None and minimum > maximum:
            raise AmendmentError(f"{where}: minimum {minimum}s is above maximum {maximum}s")
        cause = item.get("cause")
        if cause is not None and not isinstance(cause, str):
            raise AmendmentError(f"{where}: 'cause' must be the name of a cause value")
        never = item.get("never", False)
        if not isinstance(never, bool):
            raise AmendmentError(f"{where}: 'never' must be true or false")
        clock = item.get("clock", "status")
        if clock not in TIMER_CLOCKS:
            raise AmendmentError(f"{where}: 'clock' must be one of {', '.join(TIMER_CLOCKS)}")
        timers.append(TimerDecl(
            text_field(item, "status", where), text_field(item, "to", where), seconds, minimum,
            maximum, never, cause,
            str(item.get("setting", "")), item["source"], span, clock,
        ))
    readings = []
    for item, span, where in records("reading"):
        column_name = text_field(item, "column", where).lower()
        if column_name not in ("previous", "next"):
            raise AmendmentError(f"{where}: a reading is for the 'previous' or the 'next' "
                                 f"column, not {column_name!r}")
        readings.append(ReadingDecl(
            text_field(item, "status", where),
            Column.PREVIOUS if column_name == "previous" else Column.NEXT,
            text_field(item, "text", where), text_field(item, "means", where), item["source"],
            span))
    return AmendmentSet(path, aliases, tuple(fills), additions, history, tuple(causes),
                        tuple(timers), tuple(readings))


def load_amendments(path: str | Path, name: str | None = None) -> AmendmentSet:
    """Read an amendment file; ``name`` is how messages refer to it (default: ``path``)."""
    name = str(path) if name is None else name
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise AmendmentError(f"{name}: cannot read the amendment file: {e}") from e
    return parse_amendments(text, name)


def reading_statement(status: str, column: Column, text: str, means: str) -> str:
    """The ``[[reading]]`` amendment (on one line) that reads ``text`` in ``status``'s
    ``column`` cell as ``means``: what a finding proposes to settle an unread cell."""
    import json  # (TOML's basic strings are JSON's; needed only when a finding proposes one)

    return (f"[[reading]] status = {json.dumps(status)}, column = \"{column.value}\", "
            f"text = {json.dumps(text)}, means = {json.dumps(means)}")
