"""The record readers by format, and reading several files as one stream.

This module owns the choice of reader (:data:`READERS`, :func:`read_records`) and the exact
reader of Parquet files (:func:`read_parquet`, which needs pyarrow: the ``fast`` extra). In a
Parquet file the columns are named like CSV columns, and the "line" of a record is its row
number (from 1), so reports say ``file.parquet:ROW``. A time column may hold timestamps,
numbers of seconds since the epoch, or ISO 8601 strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from statusproof.model.errors import InputProblem

from .csvrecords import read_csv
from .getsession import read_getsession
from .jsonl import field_text, read_jsonl
from .rawlines import DEFAULT_MAX_LINE_BYTES
from .records import (
    FORMATS,
    Fields,
    PollMark,
    ProblemSink,
    Record,
    RecordFormatError,
    UnreadableRow,
    check_time,
    not_a_time,
    parse_time,
)

__all__ = ["READERS", "read_records", "read_parquet", "parquet_time", "parquet_file",
           "parquet_record", "parquet_columns", "NOT_UTF8"]

_EPOCH = datetime(1970, 1, 1)
_BATCH = 65536


def parquet_file(path: Path, name: str, fields: Fields) -> Any:
    """The opened Parquet file, its columns checked; RecordFormatError when it cannot be."""
    try:
        import pyarrow.parquet as pq
    except ImportError as e:
        raise RecordFormatError(f"{name}: reading Parquet needs pyarrow; install the fast "
                                "extra: pip install 'statusproof[fast]'") from e
    try:
        handle = pq.ParquetFile(str(path))
    except FileNotFoundError as e:
        raise RecordFormatError(f"{name}: no such record file; check the path") from e
    except Exception as e:  # pyarrow raises ArrowInvalid, OSError...
        raise RecordFormatError(f"{name}: not a readable Parquet file ({e}); check the file "
                                "or give --format") from e
    names = handle.schema_arrow.names
    absent = [c for c in (fields.session, fields.time, fields.status) if c not in names]
    if absent:
        raise RecordFormatError(f"{name}: the Parquet file has no column(s) "
                                f"{', '.join(map(repr, absent))} (columns: {', '.join(names)}); "
                                "name them with --session-field, --time-field, --status-field")
    return handle


def parquet_time(value: Any) -> float:
    """Seconds since the epoch from a Parquet cell: a timestamp, a number or a string."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return check_time((value - _EPOCH).total_seconds())
        return check_time(value.astimezone(UTC).timestamp())
    return parse_time(value)


def read_parquet(path: Path, fields: Fields, on_problem: ProblemSink, name: str | None = None,
                 max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Record]:
    """Event records from a Parquet file, a batch of rows at a time."""
    name = str(path) if name is None else name
    handle = parquet_file(path, name, fields)
    names = handle.schema_arrow.names
    wanted = [c for c in (fields.session, fields.time, fields.status, fields.cause,
                          fields.group) if c is not None and c in names]
    row = 0
    for batch in handle.iter_batches(batch_size=_BATCH, columns=wanted):
        data = parquet_columns(batch)
        for i in range(batch.num_rows):
            row += 1
            found = parquet_record(data, i, row, fields, name)
            if type(found) is str:
                on_problem(InputProblem(name, row, found))
            else:
                yield found  # type: ignore[misc]


class _NotUtf8:
    """A Parquet string that is not UTF-8 (pyarrow does not check when reading)."""

    def __repr__(self) -> str:
        return "(not UTF-8)"


NOT_UTF8 = _NotUtf8()


def parquet_columns(batch: Any) -> dict[str, list[Any]]:
    """The columns of a Parquet record batch as lists; a string that is not UTF-8 becomes
    :data:`NOT_UTF8` (its row is then malformed)."""
    import pyarrow as pa

    try:
        batch.validate(full=True)
        return dict(batch.to_pydict())
    except pa.ArrowInvalid:
        pass
    data: dict[str, list[Any]] = {}
    for name, column in zip(batch.schema.names, batch.columns, strict=True):
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            values = []
            for raw in column.cast(pa.binary()).to_pylist():
                try:
                    values.append(None if raw is None else raw.decode("utf-8"))
                except UnicodeDecodeError:
                    values.append(NOT_UTF8)
            data[name] = values
        else:
            data[name] = column.to_pylist()
    return data


def parquet_record(data: dict[str, list[Any]], i: int, row: int, fields: Fields,
                   name: str) -> Record | str:
    """The record of row ``i`` of a batch of Parquet columns, or what is wrong with it."""
    bad = [key for key, column in data.items() if column[i] is NOT_UTF8]
    if bad:
        return (f"not valid UTF-8 (column {', '.join(map(repr, bad))}); write the strings "
                "as UTF-8")
    session, status, stamp = (field_text(data[fields.session][i]), data[fields.status][i],
                              data[fields.time][i])
    if session is None or not isinstance(status, str) or not status or stamp is None:
        return "empty session, time or status field; every record needs all three"
    try:
        when = parquet_time(stamp)
    except (ValueError, OverflowError) as e:
        return not_a_time(fields.time, stamp, e)
    cause = field_text(data[fields.cause][i]) if fields.cause in data else None
    group = (field_text(data[fields.group][i])
             if fields.group is not None and fields.group in data else None)
    return Record(name, row, session, when, status, cause or None, group=group or None)


Reader = Callable[..., Iterator[Any]]
READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "parquet": read_parquet,
    "rescue-getsession": read_getsession,
}


def read_records(paths: Iterable[Path], fmt: str, fields: Fields, on_problem: ProblemSink,
                 names: Iterable[str] | None = None,
                 max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                 ) -> Iterator[Record | PollMark | UnreadableRow]:
    """The records of several files, one after the other (a session may span files)."""
    if fmt not in READERS:
        raise RecordFormatError(f"unknown record format {fmt!r}; use one of {', '.join(FORMATS)}")
    reader = READERS[fmt]
    path_list = list(paths)
    name_list = list(names) if names is not None else [str(p) for p in path_list]
    for path, name in zip(path_list, name_list, strict=True):
        yield from reader(path, fields, on_problem, name, max_line_bytes)
