"""Reading event records from JSON Lines: one JSON object per line.

This module owns what a JSON line must hold: the session id (a string or a number), the
timestamp and the status (a non-empty string), optionally the cause and the group (strings).
It parses with orjson when it is installed and with the standard library otherwise; whenever
orjson refuses a line (or is absent), the standard library decides and words the message, so
the verdicts and messages are the same either way. A line nested too deeply, holding NaN or
an infinite time, or a string that is not valid Unicode is a malformed record, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from statusproof.model.errors import InputProblem

from .rawlines import DEFAULT_MAX_LINE_BYTES, read_lines
from .records import Fields, ProblemSink, Record, not_a_time, parse_time

try:  # pragma: no cover - depends on the environment
    import orjson

    _FAST: Callable[[str | bytes], Any] | None = orjson.loads
except ImportError:  # pragma: no cover
    _FAST = None

__all__ = ["read_jsonl", "json_record", "field_text", "HAVE_ORJSON"]

HAVE_ORJSON = _FAST is not None


def field_text(value: Any) -> str | None:
    """A JSON value as a field text: strings and numbers; None for anything else (and for a
    string that is not valid Unicode, such as a lone surrogate escape)."""
    if isinstance(value, str):
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return None
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _load(text: str) -> tuple[Any, str | None]:
    if _FAST is not None:
        try:
            return _FAST(text), None
        except ValueError:
            pass
    try:
        return json.loads(text), None
    except RecursionError:
        return None, "nested too deeply"
    except ValueError as e:
        return None, str(e)


def json_record(text: str, fields: Fields, name: str, number: int) -> Record | str:
    """The record of one JSON line, or what is wrong with it."""
    item, error = _load(text)
    if error is not None:
        return f"not a JSON object ({error}); write one JSON object per line"
    if not isinstance(item, dict):
        return "not a JSON object; write one JSON object per line"
    sid, tkey, skey = fields.session, fields.time, fields.status
    session = field_text(item.get(sid))
    status = item.get(skey)
    stamp = item.get(tkey)
    good_status = isinstance(status, str) and bool(status) and field_text(status) is not None
    if session is None or not good_status or stamp is None:
        missing = [key for key, ok in ((sid, session is not None), (tkey, stamp is not None),
                                       (skey, good_status)) if not ok]
        return (f"missing or empty field(s) {', '.join(map(repr, missing))}; every record "
                f"needs {sid!r}, {tkey!r} and {skey!r} (set the names with --session-field, "
                "--time-field, --status-field)")
    try:
        when = parse_time(stamp)
    except ValueError as e:
        return not_a_time(tkey, stamp, e)
    cause = field_text(item.get(fields.cause))
    group = field_text(item.get(fields.group)) if fields.group is not None else None
    assert isinstance(status, str)
    return Record(name, number, session, when, status, cause or None, group=group or None)


def read_jsonl(path: Path, fields: Fields, on_problem: ProblemSink, name: str | None = None,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """Event records from a JSON Lines file; blank lines are skipped."""
    name = str(path) if name is None else name
    for line in read_lines(path, name, max_line_bytes):
        if line.text is None:
            on_problem(InputProblem(name, line.number, line.problem or "unreadable"))
            continue
        if not line.text.strip():
            continue
        found = json_record(line.text, fields, name, line.number)
        if type(found) is str:
            on_problem(InputProblem(name, line.number, found))
        else:
            yield found  # type: ignore[misc]
