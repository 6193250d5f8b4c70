"""Batches of records: the columns the fast path works on, Parquet batches, times in bulk.

This module owns the shape of a batch (:data:`SCHEMA`: ``file``, ``line``, ``session``,
``time`` in epoch seconds, ``status``, ``cause``, ``group``; what a part of a file is,
:class:`~.parts.Part`, is :mod:`.parts`', which needs no polars), the batches of Parquet
row groups, and the parsing of times in bulk: a time of the common shape
``2024-05-01T10:00:00Z`` is read from its bytes (:mod:`.isotimes`), any other goes through
:func:`~.records.parse_time`, so a time means the same on both paths. The text readers are
:mod:`.fastread`'s.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from statusproof.model.errors import InputProblem

from .isotimes import common_times
from .parts import Part, PartState
from .readers import parquet_columns, parquet_file, parquet_record
from .records import Fields, ProblemSink, Record, not_a_time, parse_time

__all__ = ["SCHEMA", "Part", "PartState", "frame_of", "from_records", "batch_frame",
           "with_times", "set_column", "parquet_batches", "parquet_rows"]

#: The columns of a batch.
SCHEMA = {"file": pl.Int32, "line": pl.Int64, "session": pl.String, "time": pl.Float64,
          "status": pl.String, "cause": pl.String, "group": pl.String}


def frame_of(columns: dict[str, list[Any]]) -> pl.DataFrame:
    return pl.DataFrame(columns, schema=SCHEMA)


def from_records(records: Sequence[Record], file: int) -> pl.DataFrame:
    return frame_of({"file": [file] * len(records), "line": [r.line for r in records],
                   "session": [r.session for r in records], "time": [r.time for r in records],
                   "status": [r.status for r in records], "cause": [r.cause for r in records],
                   "group": [r.group for r in records]})


def batch_frame(file: int, first: int, session: pl.Series, status: pl.Series,
                cause: pl.Series | None = None, group: pl.Series | None = None
                ) -> pl.DataFrame:
    """A batch (:data:`SCHEMA`) of the bulk readers' columns (None: a column of nulls), its
    lines numbered from ``first`` and its ``time`` null (:func:`with_times` and
    :func:`set_column` fill it in)."""
    n = len(session)

    def nulls(name: str, dtype: Any) -> pl.Series:
        return pl.Series(name, [None], dtype=dtype).new_from_index(0, n)

    return pl.DataFrame([
        pl.Series("file", np.full(n, file, dtype=np.int32)),
        pl.Series("line", np.arange(first, first + n, dtype=np.int64)),
        session.alias("session"), nulls("time", pl.Float64), status.alias("status"),
        nulls("cause", pl.String) if cause is None else cause.alias("cause"),
        nulls("group", pl.String) if group is None else group.alias("group")])


def set_column(frame: pl.DataFrame, values: pl.Series) -> pl.DataFrame:
    """``frame`` with ``values`` in place of its column of that name (or added): eagerly,
    where ``with_columns`` runs a query of the lazy engine (some 100 µs a call)."""
    if values.name not in frame.columns:
        return frame.hstack([values])
    out = frame.clone()  # shallow: the columns are shared
    out.replace_column(frame.get_column_index(values.name), values)
    return out


def with_times(frame: pl.DataFrame, stamps: pl.Series | list[Any], name: str,
           on_problem: ProblemSink, column: str) -> pl.DataFrame:
    """Fill the ``time`` column from raw stamps (texts); rows whose time is bad are dropped
    and reported as the exact readers report them."""
    texts = stamps if isinstance(stamps, pl.Series) else pl.Series(stamps, dtype=pl.String)
    seconds = common_times(texts)
    missing = np.flatnonzero(np.isnan(seconds))
    if not len(missing):
        return set_column(frame, pl.Series("time", seconds))
    values = seconds.tolist()
    keep = [True] * len(values)
    lines = frame["line"].to_list()
    raw = stamps.to_list() if isinstance(stamps, pl.Series) else stamps
    for i in missing.tolist():
        try:
            values[i] = parse_time(raw[i])
        except ValueError as e:
            keep[i] = False
            on_problem(InputProblem(name, lines[i], not_a_time(column, raw[i], e)))
    frame = set_column(frame, pl.Series("time", values, dtype=pl.Float64))
    return frame.filter(pl.Series(keep))




def parquet_batches(part: Part, fields: Fields, on_problem: ProblemSink, max_line_bytes: int,
                    block_size: int, state: PartState) -> Iterator[pl.DataFrame]:
    """Batches of ``block_size / 32`` rows of a Parquet file (or part): read by polars when
    the file's columns are of the plain kinds (strings, integers, floats, timestamps), which
    keeps pyarrow (some 50 MiB) out of memory; by pyarrow otherwise, from the first rows
    polars cannot read (a broken string, a type it reads another way), so that every row is
    read, and reported, as the exact reader does."""
    rows = max(1, block_size // 32)
    done = 0
    for frame, first in _polars_parquet(part, fields, rows, state):
        if frame is None:
            done = first
            break
        yield _parquet_batch(frame, first + 1, part.file, fields, on_problem, part.name)
    else:
        return
    yield from _arrow_parquet(part, fields, on_problem, rows, state, done)


#: The column types polars reads as pyarrow does (their batches are the same frames).
_PLAIN_TYPES = (pl.String, pl.Int64, pl.Int32, pl.UInt64, pl.UInt32, pl.Float64)


def parquet_rows(path: Path) -> int | None:
    """The rows of a Parquet file, from its metadata (polars: no pyarrow in memory); None
    when polars cannot tell (pyarrow's reader then says why, as the exact reader does)."""
    try:
        return int(pl.scan_parquet(path).select(pl.len()).collect().item())
    except Exception:
        return None


def _polars_parquet(part: Part, fields: Fields, rows: int, state: PartState
                    ) -> Iterator[tuple[pl.DataFrame | None, int]]:
    """Frames of ``rows`` rows and the number of rows before each; (None, rows read) when
    pyarrow must read the rest (from the start, when the columns are not all plain)."""
    try:
        schema = pl.read_parquet_schema(part.path)
    except Exception:
        yield None, 0  # not readable: pyarrow's reader says why, as the exact reader does
        return
    wanted = [c for c in dict.fromkeys((fields.session, fields.time, fields.status,
                                        fields.cause, fields.group))
              if c is not None and c in schema]
    if (any(c not in schema for c in (fields.session, fields.time, fields.status))
            or not all(schema[c] in _PLAIN_TYPES or isinstance(schema[c], pl.Datetime)
                       for c in wanted)):
        yield None, 0
        return
    first, count = part.rows if part.rows is not None else (0, parquet_rows(part.path))
    if count is None:
        yield None, 0
        return
    scan = pl.scan_parquet(part.path, low_memory=True).select(wanted)
    # a batch's slice at a time (each slice decodes the row groups it touches): memory stays
    # bounded by the slice, not the file. (Slices of two or four batches took some 5% less
    # CPU in all and 15-30 MiB more; polars' streaming ``collect_batches`` reads ahead without
    # bound: 690 MiB for a file of row groups of 1Mi rows.)
    for start in range(0, count, rows):
        try:
            chunk = scan.slice(first + start, min(rows, count - start)).collect()
        except Exception:
            yield None, start
            return
        state.lines = start + chunk.height
        yield chunk, start


def _arrow_parquet(part: Part, fields: Fields, on_problem: ProblemSink, rows: int,
                   state: PartState, skip: int) -> Iterator[pl.DataFrame]:
    """Batches read by pyarrow, the first ``skip`` rows (of the part) left out (polars read
    them)."""
    name, file = part.name, part.file
    handle = parquet_file(part.path, name, fields)
    names = handle.schema_arrow.names
    wanted = [c for c in (fields.session, fields.time, fields.status, fields.cause,
                          fields.group) if c is not None and c in names]
    groups, before, count = _row_groups(handle.metadata, part.rows)
    row = -before  # the part's rows read (below 0: rows of its first group before it)
    for batch in handle.iter_batches(batch_size=rows, columns=wanted, row_groups=groups):
        begin = row
        row += batch.num_rows
        low, high = max(begin, skip), row if count is None else min(row, count)
        if high <= low:
            if count is not None and begin >= count:
                break
            continue
        if low > begin or high < row:
            batch = batch.slice(low - begin, high - low)
        first = low + 1
        state.lines = high
        try:
            batch.validate(full=True)
        except Exception:
            yield _rows_of(parquet_columns(batch), first, file, fields, on_problem, name)
            continue
        frame = pl.from_arrow(batch)
        assert isinstance(frame, pl.DataFrame)
        yield _parquet_batch(frame, first, file, fields, on_problem, name)


def _row_groups(metadata: Any, rows: tuple[int, int] | None
                ) -> tuple[list[int] | None, int, int | None]:
    """The row groups that hold ``rows`` (None: all of them), the rows of the first one
    before them, and how many rows (None: all)."""
    if rows is None:
        return None, 0, None
    first, count = rows
    groups: list[int] = []
    before = start = 0
    for group in range(metadata.num_row_groups):
        size = metadata.row_group(group).num_rows
        if start + size > first and start < first + count:
            if not groups:
                before = first - start
            groups.append(group)
        start += size
    return groups, before, count


def _rows_of(values: dict[str, list[Any]], first: int, file: int, fields: Fields,
             on_problem: ProblemSink, name: str) -> pl.DataFrame:
    """The records of a batch of Parquet columns, converted one row at a time."""
    records = []
    height = len(next(iter(values.values()))) if values else 0
    for i, line in enumerate(range(first, first + height)):
        found = parquet_record(values, i, line, fields, name)
        if type(found) is str:
            on_problem(InputProblem(name, line, found))
        else:
            records.append(found)
    return from_records(records, file)  # type: ignore[arg-type]


def _parquet_batch(frame: pl.DataFrame, first: int, file: int, fields: Fields,
                   on_problem: ProblemSink, name: str, plain: bool = True) -> pl.DataFrame:
    session, status, time = frame[fields.session], frame[fields.status], frame[fields.time]
    plain = plain and (session.dtype in (pl.String, pl.Int64, pl.Int32, pl.UInt64, pl.UInt32)
             and status.dtype == pl.String
             and (time.dtype in (pl.String, pl.Float64, pl.Int64)
                  or isinstance(time.dtype, pl.Datetime))
             and session.null_count() == 0 and status.null_count() == 0
             and time.null_count() == 0 and not (status == "").any())
    cause = frame[fields.cause] if fields.cause in frame.columns else None
    group = (frame[fields.group] if fields.group is not None and fields.group in frame.columns
             else None)
    plain = plain and all(c is None or c.dtype in (pl.String, pl.Null) for c in (cause, group))
    if not plain:
        return _rows_of(frame.to_dict(as_series=False), first, file, fields, on_problem, name)
    out = batch_frame(file, first, session.cast(pl.String), status,
                      *[None if c is None else c.cast(pl.String).replace("", None)
                        for c in (cause, group)])
    if isinstance(time.dtype, pl.Datetime):
        zone = time.dtype.time_zone
        moment = time if zone is not None else time.dt.replace_time_zone("UTC")
        seconds = moment.dt.timestamp("us").cast(pl.Float64) / 1e6
        bad = (seconds < -62135596800.0) | (seconds > 253402300799.0)
        if bad.any():
            return _parquet_batch(frame, first, file, fields, on_problem, name, plain=False)
        return set_column(out, seconds.alias("time"))
    if time.dtype in (pl.Float64, pl.Int64):
        seconds = time.cast(pl.Float64)
        if (~seconds.is_finite() | (seconds < -62135596800.0)
                | (seconds > 253402300799.0)).any():
            return _parquet_batch(frame, first, file, fields, on_problem, name, plain=False)
        return set_column(out, seconds.alias("time"))
    return with_times(out, time, name, on_problem, fields.time)


