"""Reading event records in bulk: batches of columns instead of one record at a time.

This module owns the fast readers of the fast path: each yields polars data frames of records
(columns ``file``, ``line``, ``session``, ``time`` in epoch seconds, ``status``, ``cause``,
``group``), a batch per block of about a MiB (or per Parquet row group), and reports
malformed lines to ``on_problem`` exactly as the exact readers do, because whatever the bulk
parser cannot take is handed to them:

- JSON Lines: orjson reads a block at once, its lines as the items of one array, when each
  line is one object of string fields (no pyarrow: its libraries cost some 50 MiB of resident
  memory); otherwise orjson per line, the fields gathered into columns, and a line orjson
  refuses, or whose fields are not of the plain kinds, goes to :func:`~.jsonl.json_record`;
- CSV: polars reads a block at once when it holds nothing the exact reader would read
  differently (quotes, control characters, blank lines, a row with another number of fields,
  an empty field); otherwise the block goes line by line through
  :class:`~.csvrecords.CsvLines`;
- Parquet: :func:`~.batches.parquet_batches`.

The batch shape, parts of files and times in bulk are :mod:`.batches`'.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import polars as pl

from statusproof.model.errors import InputProblem

from .batches import (
    SCHEMA,
    Part,
    PartState,
    batch_frame,
    frame_of,
    from_records,
    parquet_batches,
    with_times,
)
from .csvrecords import CsvLines, closing_line
from .jsonl import field_text, json_record
from .rawlines import (
    BULK_BLOCK,
    Block,
    LongLine,
    decode_line,
    long_line_message,
    read_blocks,
)
from .records import Fields, ProblemSink, Record, RecordFormatError

__all__ = ["read_batches", "read_part", "Part", "PartState", "SCHEMA", "BLOCK"]

#: Bytes of text per batch (:data:`~.rawlines.BULK_BLOCK`, which says why).
BLOCK = BULK_BLOCK

#: Two JSON objects on one line (a closing brace, a comma, an opening brace).
_TWO_OBJECTS = re.compile(rb"\}[ \t\r]*,[ \t\r]*\{")



def _jsonl(part: Part, fields: Fields, on_problem: ProblemSink, max_line_bytes: int,
           block_size: int, state: PartState) -> Iterator[pl.DataFrame]:
    name, file = part.name, part.file
    sk, tk, xk, ck = fields.session, fields.time, fields.status, fields.cause
    gk = fields.group
    loads = orjson.loads
    for block in read_blocks(part.path, name, max_line_bytes, block_size, part.start,
                             part.end):
        state.lines = (block.number if isinstance(block, LongLine)
                       else block.first + block.lines - 1)
        if isinstance(block, LongLine):
            on_problem(InputProblem(name, block.number,
                                    long_line_message(block.size, max_line_bytes)))
            continue
        bulk = None if block.transcoded else _jsonl_bulk(block, fields, file, name, on_problem)
        if bulk is not None:
            yield bulk
            continue
        lines: list[int] = []
        sessions: list[str] = []
        stamps: list[Any] = []
        statuses: list[str] = []
        causes: list[str | None] = []
        groups: list[str | None] = []
        slow: list[Record] = []
        number = block.first - 1
        parts = block.data.split(b"\n")
        if block.data.endswith(b"\n"):
            parts.pop()
        for raw in parts:
            number += 1
            try:
                item = loads(raw)
            except orjson.JSONDecodeError:
                item = None
            if type(item) is dict:
                session = item.get(sk)
                status = item.get(xk)
                stamp = item.get(tk)
                cause = item.get(ck)
                if (type(session) is str and type(status) is str and status
                        and type(stamp) is str and (cause is None or type(cause) is str)
                        and not block.transcoded):
                    lines.append(number)
                    sessions.append(session)
                    stamps.append(stamp)
                    statuses.append(status)
                    causes.append(cause or None)
                    groups.append(field_text(item.get(gk)) or None if gk is not None else None)
                    continue
            text, problem = decode_line(raw, block.transcoded)
            if text is None:
                on_problem(InputProblem(name, number, problem or "unreadable"))
                continue
            if not text.strip():
                continue
            found = json_record(text, fields, name, number)
            if type(found) is str:
                on_problem(InputProblem(name, number, found))
            else:
                slow.append(found)  # type: ignore[arg-type]
        frame = frame_of({"file": [file] * len(lines), "line": lines, "session": sessions,
                        "time": [None] * len(lines), "status": statuses, "cause": causes,
                        "group": groups})
        frame = with_times(frame, stamps, name, on_problem, tk)
        if slow:
            frame = pl.concat([frame, from_records(slow, file)]).sort("line")
        yield frame


def _jsonl_bulk(block: Block, fields: Fields, file: int, name: str,
                on_problem: ProblemSink) -> pl.DataFrame | None:
    """A block of JSON lines read by orjson in one pass of each kind (the lines parsed, the
    fields gathered, the columns built), or None when the line-by-line reader must read it:
    a line orjson refuses, that is not an object, whose fields are not strings (an empty
    status, a group), is left to it, so a block taken here means what the exact reader makes
    of it. pyarrow's JSON reader, which the earlier passes used, is faster by some 0.3 µs a
    line but costs some 50 MiB of resident memory (its libraries) and 0.3 s to import."""
    data = block.data
    if fields.group is not None or _TWO_OBJECTS.search(data) is not None:
        return None
    try:  # one call: the lines as the items of one array
        items = orjson.loads(b"[" + (data[:-1] if data.endswith(b"\n") else data).replace(
            b"\n", b",") + b"]")
    except orjson.JSONDecodeError:
        return None
    # every item an object, as many as lines, and no line with two objects (the pattern
    # above, tested on the text, strings included): so no line ran into the next, and each
    # line is one object, the one it is alone
    if len(items) != block.lines or set(map(type, items)) != {dict}:
        return None

    def column(key: str) -> pl.Series:  # strict: a value of another type than a string raises
        return pl.Series(list(map(itemgetter(key), items)), dtype=pl.String, strict=True)

    try:  # a missing field raises too
        sessions, stamps, statuses = column(fields.session), column(fields.time), column(
            fields.status)
        causes = pl.Series(list(map(dict.get, items, repeat(fields.cause))), dtype=pl.String,
                           strict=True)
    except (KeyError, TypeError):
        return None
    if (sessions.has_nulls() or stamps.has_nulls() or statuses.has_nulls()
            or (statuses == "").any()):
        return None
    out = batch_frame(file, block.first, sessions, statuses, causes.replace("", None))
    return with_times(out, stamps, name, on_problem, fields.time)


def _csv(part: Part, fields: Fields, on_problem: ProblemSink, max_line_bytes: int,
         block_size: int, state: PartState) -> Iterator[pl.DataFrame]:
    name, file = part.name, part.file
    parser = CsvLines(name, fields, on_problem)
    if part.header is not None:
        parser.take_header(0, part.header)
    delimiter = fields.delimiter.encode()
    simple_ok = len(delimiter) == 1 and delimiter not in b"\"\r\n"
    for block in read_blocks(part.path, name, max_line_bytes, block_size, part.start,
                             part.end):
        state.lines = (block.number if isinstance(block, LongLine)
                       else block.first + block.lines - 1)
        if state.first_close is None and not isinstance(block, LongLine) and (
                b'"' in block.data):
            state.first_close = closing_line(block.data, block.first)
        if isinstance(block, LongLine):
            parser.carry(b"")
            on_problem(InputProblem(name, block.number,
                                    long_line_message(block.size, max_line_bytes)))
            continue
        frame = None
        if parser.header is None and not block.transcoded:
            head, block = _header(block, parser, name, on_problem)
            if head is not None:
                yield head
        if simple_ok and parser.header is not None and not block.transcoded and block.lines:
            frame = _csv_bulk(block, parser, file, fields, on_problem, name)
        if frame is None:
            records = []
            parts = block.data.split(b"\n")
            if block.data.endswith(b"\n"):
                parts.pop()
            for number, raw in enumerate(parts, block.first):
                text, problem = decode_line(raw, block.transcoded)
                if text is None:
                    parser.carry(raw)
                    on_problem(InputProblem(name, number, problem or "unreadable"))
                    continue
                found = parser.record(number, text, raw)
                if found is not None:
                    records.append(found)
            frame = from_records(records, file)
        else:
            parser.carry_block(block.data, block.lines)
        yield frame
    if not part.last:
        state.open = parser.take_open()
        return
    parser.end()
    if parser.header is None:
        on_problem(InputProblem(name, 0, "the file is empty; a CSV record file starts with a "
                                         "header row"))


def _header(block: Block, parser: CsvLines, name: str, on_problem: ProblemSink
            ) -> tuple[pl.DataFrame | None, Block]:
    """Read a block's lines up to the header (the exact way); the rest of the block."""
    data = block.data
    start = 0
    number = block.first
    while parser.header is None and start < len(data):
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        raw = data[start:end]
        text, problem = decode_line(raw)
        if text is None:
            on_problem(InputProblem(name, number, problem or "unreadable"))
        else:
            parser.record(number, text, raw)
        start = end + 1
        number += 1
    rest = data[start:]
    return None, Block(number, rest, block.lines - (number - block.first), block.transcoded)


def _csv_bulk(block: Block, parser: CsvLines, file: int, fields: Fields,
              on_problem: ProblemSink, name: str) -> pl.DataFrame | None:
    """A block read by polars, or None when the exact reader must read it."""
    data = block.data
    width = parser.width
    if b'"' in data or data[:1] in (b"\n", b"\r"):
        return None  # quotes or a blank line: the exact reader
    # masks and counts over the bytes (no positions: finding them, np.flatnonzero, costs
    # several times more than the masks; and bytes.count or a search for two bytes, which
    # falls back to a slow loop on a frequent first byte, more still)
    codes = np.frombuffer(data, dtype=np.uint8)
    newline = codes == 10
    if bool((newline[1:] & newline[:-1]).any()):
        return None  # a blank line
    breaks = int(np.count_nonzero(newline))
    carriage = b"\r" in data
    if carriage and (b"\n\r\n" in data or data.count(b"\r") != data.count(b"\r\n")):
        return None  # a blank line or a lone carriage return
    low = int(np.count_nonzero(codes < 32))
    tabs = data.count(b"\t") if low > breaks else 0
    if low != breaks + (data.count(b"\r") if carriage else 0) + tabs:
        return None  # control characters (which str.strip() and polars treat apart)
    separator = codes == fields.delimiter.encode()[0]
    if int(np.count_nonzero(separator)) != block.lines * (width - 1):
        return None  # a row with another number of fields (polars refuses one with more)
    # whether some field may start or end with white space (then fields are stripped, as the
    # exact reader strips them with str.strip()): a space at either end of the block, or next
    # to a separator or a line break; or any byte that is not ASCII, for str.strip() takes
    # off Unicode white space too (a no-break space, an ideographic space: polars'
    # strip_chars() takes off the same characters, those under 32 aside, which are refused
    # above)
    spaced = (bool(carriage or tabs) or data[:1] == b" " or data.endswith(b" ")
              or not data.isascii())
    if not spaced and b" " in data:
        space = codes == 32
        edge = separator | newline
        spaced = bool((space[1:] & edge[:-1]).any() or (space[:-1] & edge[1:]).any())
    columns = [f"c{i}" for i in range(width)]
    try:
        raw = pl.read_csv(data, has_header=False, new_columns=columns,
                          schema=dict.fromkeys(columns, pl.String), quote_char=None,
                          separator=fields.delimiter)
    except Exception:
        return None
    if raw.height != block.lines:
        return None
    index = parser.index

    def column(name: str | None) -> pl.Series | None:
        """The column of field ``name`` (None: the file has none), stripped, and empty
        then null, where a field may have white space at an end, as the exact reader
        reads it."""
        at = index.get(name) if name is not None else None
        if at is None:
            return None
        value = raw.get_column(f"c{at}")
        return value.str.strip_chars().replace("", None) if spaced else value

    session, stamps, status = column(fields.session), column(fields.time), column(
        fields.status)
    if (session is None or stamps is None or status is None or session.has_nulls()
            or stamps.has_nulls() or status.has_nulls()):
        return None  # an empty session, time or status: the exact reader reports it
    out = batch_frame(file, block.first, session, status, column(fields.cause),
                      column(fields.group))
    # one piece of memory per column (polars reads a block in pieces): a gather from a
    # column in pieces costs several times more
    return with_times(out, stamps, name, on_problem, fields.time).rechunk()


_READERS = {"jsonl": _jsonl, "csv": _csv, "parquet": parquet_batches}


def read_part(part: Part, fmt: str, fields: Fields, on_problem: ProblemSink,
              max_line_bytes: int, block_size: int = BLOCK,
              state: PartState | None = None) -> Iterator[pl.DataFrame]:
    """Batches of the records of one part of a file (see :class:`Part`)."""
    reader = _READERS.get(fmt)
    if reader is None:
        raise RecordFormatError(f"the fast path reads jsonl, csv and parquet, not {fmt!r}")
    for frame in reader(part, fields, on_problem, max_line_bytes, block_size,
                        state or PartState()):
        if frame.height:
            yield frame


def read_batches(paths: Sequence[Path], names: Sequence[str], fmt: str, fields: Fields,
                 on_problem: ProblemSink, max_line_bytes: int, block_size: int = BLOCK
                 ) -> Iterator[pl.DataFrame]:
    """Batches of the records of several files, in order (``file`` is the file's index);
    a batch per ``block_size`` bytes of text (or ``block_size / 32`` Parquet rows)."""
    for file, (path, name) in enumerate(zip(paths, names, strict=True)):
        yield from read_part(Part(path, name, file), fmt, fields, on_problem, max_line_bytes,
                             block_size)
