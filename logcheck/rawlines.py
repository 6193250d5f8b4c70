"""Reading record files as lines, whatever their encoding and whatever one line holds.

This module owns the bytes of a record file: it reads blocks of at most a few MiB, so memory
stays bounded whatever the file or one line holds, and turns them into numbered lines.

- A UTF-8 byte order mark (as spreadsheets write it) is skipped; a UTF-16 or UTF-32 file,
  recognised by its byte order mark, is decoded (a broken character in it is a malformed
  line, not a crash).
- A line longer than ``max_line_bytes`` (:data:`DEFAULT_MAX_LINE_BYTES` by default) is
  skipped without being held in memory and reported (:class:`LongLine`) with its length.
- A line that is not valid UTF-8, or holds NUL bytes (a UTF-16 file without a byte order
  mark, or binary data), is reported as malformed with where the bad byte is.

The format readers (:mod:`.jsonl`, :mod:`.csvrecords`, :mod:`.getsession`) and the fast path
(:mod:`.fastread`) read through :func:`read_blocks` or :func:`read_lines`; what a line means
is theirs to say.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from .records import RecordFormatError

__all__ = ["DEFAULT_MAX_LINE_BYTES", "BULK_BLOCK", "Block", "LongLine", "Line", "read_blocks",
           "read_lines", "decode_line", "long_line_message", "text_start"]

#: Lines longer than this (in bytes, without the line break) are malformed.
DEFAULT_MAX_LINE_BYTES = 4 * 1024 * 1024
_BLOCK = 1 << 20
#: Bytes of text per batch of the fast path (:mod:`.fastread`; ``--jobs`` and the Dask
#: engine read their parts so too): a batch has a fixed cost (some dozens of calls into
#: polars and numpy), which 2 MiB spreads over some 45,000 records of 45 bytes (1M CSV
#: records: 12% less CPU than 1 MiB blocks, for some 20 MiB more of peak memory;
#: docs/logs.md). Here, where :mod:`.run` can name it without importing polars.
BULK_BLOCK = 2 << 20
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
         (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


class Block(NamedTuple):
    """Complete lines ``first``, ``first + 1``, ... in ``data`` (UTF-8
    unless decoded from UTF-16/32: ``transcoded``); ``lines`` of them; each ends with ``\\n`` but
    perhaps the last line of the file."""

    first: int
    data: bytes
    lines: int
    transcoded: bool = False


class LongLine(NamedTuple):
    """Line ``number`` has ``size`` bytes, more than the limit: skipped."""

    number: int
    size: int


class Line(NamedTuple):
    """A numbered line: its ``text`` (None when it cannot be read, then ``problem`` says why)
    and its ``raw`` bytes (without the line break)."""

    number: int
    text: str | None
    raw: bytes
    problem: str | None = None


class _Transcoder:
    """A binary stream of UTF-8 from a UTF-16 or UTF-32 one (broken characters become
    U+FFFD, which :func:`decode_line` reports)."""

    def __init__(self, handle: IO[bytes], encoding: str, prefix: bytes) -> None:
        self._handle = handle
        self._prefix = prefix
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")

    def read(self, size: int) -> bytes:
        while True:
            raw = self._handle.read(size)
            if self._prefix:
                raw, self._prefix = self._prefix + raw, b""
            text = self._decoder.decode(raw, final=not raw)
            if text or not raw:
                return text.encode("utf-8")


def _open(path: Path, name: str) -> IO[bytes]:
    try:
        return path.open("rb")
    except IsADirectoryError as e:
        raise RecordFormatError(f"{name}: is a folder, not a record file; name the files (or "
                                "use --engine dask, which reads folders)") from e
    except OSError as e:
        raise RecordFormatError(f"{name}: cannot read the record file: {e.strerror or e}; "
                                "check the path") from e


def read_blocks(path: Path, name: str, max_line_bytes: int = DEFAULT_MAX_LINE_BYTES,
                block_size: int = _BLOCK, start: int = 0, end: int | None = None
                ) -> Iterator[Block | LongLine]:
    """The file as blocks of complete lines, and the lines over the limit; with ``start``
    and ``end``, the bytes from ``start`` (the start of a line, after the byte order mark)
    to ``end`` (after a line break), lines numbered from 1 there."""
    size = max(1, min(block_size, max_line_bytes))
    with _open(path, name) as raw:
        if start or end is not None:
            raw.seek(start)
            yield from _blocks(_Range(raw, (end if end is not None else 1 << 62) - start),
                               b"", False, size, max_line_bytes)
            return
        head = raw.read(4)
        handle: IO[bytes] | _Transcoder = raw
        transcoded = False
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                handle = _Transcoder(raw, encoding, head[len(bom):])
                transcoded = True
                carry = b""
                break
        else:
            carry = head[3:] if head.startswith(codecs.BOM_UTF8) else head
        yield from _blocks(handle, carry, transcoded, size, max_line_bytes)


def text_start(path: Path) -> tuple[int, bool]:
    """Where the text of a file starts (after a UTF-8 byte order mark), and whether it is
    UTF-16 or UTF-32 (such a file is not split)."""
    with path.open("rb") as handle:
        head = handle.read(4)
    if any(head.startswith(bom) for bom, _ in _BOMS):
        return 0, True
    return (3 if head.startswith(codecs.BOM_UTF8) else 0), False


class _Range:
    """At most ``left`` bytes of a stream."""

    def __init__(self, handle: IO[bytes], left: int) -> None:
        self._handle, self._left = handle, left

    def read(self, size: int) -> bytes:
        data = self._handle.read(min(size, self._left)) if self._left > 0 else b""
        self._left -= len(data)
        return data


def _breaks(data: bytes) -> int:
    """How many line breaks ``data`` holds. ``bytes.count`` takes a byte at a time for a
    one-byte needle (some 1.8 ms for a 2 MiB block, 4% of the fast path's CPU); numpy's mask
    and count take a tenth of that, so they are used once the fast path has loaded numpy
    (the exact path does not need it)."""
    numpy = sys.modules.get("numpy")
    if numpy is None or len(data) < 1 << 16:
        return data.count(b"\n")
    return int(numpy.count_nonzero(numpy.frombuffer(data, dtype=numpy.uint8) == 10))


def _blocks(handle: IO[bytes] | _Transcoder | _Range, carry: bytes, transcoded: bool,
            size: int, max_line_bytes: int) -> Iterator[Block | LongLine]:
    number = 1
    skipping = 0
    while True:
        chunk = handle.read(size)
        if not chunk:
            break
        if skipping:
            cut = chunk.find(b"\n")
            if cut < 0:
                skipping += len(chunk)
                continue
            yield LongLine(number, skipping + cut)
            number += 1
            skipping = 0
            chunk = chunk[cut + 1:]
        data = carry + chunk if carry else chunk
        end = data.rfind(b"\n")
        if end < 0:
            carry = data
            if len(carry) > max_line_bytes:
                skipping, carry = len(carry), b""
            continue
        first = data.find(b"\n")
        if first > max_line_bytes:  # the line carried over is too long
            yield LongLine(number, first)
            number += 1
            data = data[first + 1:]
            end -= first + 1
        complete, carry = data[:end + 1], data[end + 1:]
        if len(carry) > max_line_bytes:
            skipping, carry = len(carry), b""
        if complete:
            count = _breaks(complete)
            yield Block(number, complete, count, transcoded)
            number += count
    if skipping:
        yield LongLine(number, skipping)
    elif carry:  # the last line, without its break; or, in a file of a few bytes, all of it
        yield Block(number, carry, _breaks(carry) + (not carry.endswith(b"\n")), transcoded)


def long_line_message(size: int, limit: int) -> str:
    return (f"the line is {size:,} bytes long, over the limit of {limit:,} (--max-line-bytes); "
            "it is skipped")


def decode_line(raw: bytes, transcoded: bool = False) -> tuple[str | None, str | None]:
    """The text of a line (a final ``\\r`` dropped), or None and what is wrong with it."""
    if raw.endswith(b"\r"):
        raw = raw[:-1]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        return None, (f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at column {e.start + 1}); "
                      "save the file as UTF-8")
    if "\x00" in text:
        return None, (f"holds NUL bytes (first at column {text.index(chr(0)) + 1}): binary "
                      "data, or a UTF-16 file without a byte order mark; save the file as UTF-8")
    if transcoded and "\ufffd" in text:
        return None, (f"not valid UTF-16/UTF-32 (a broken character at column "
                      f"{text.index(chr(0xfffd)) + 1}); save the file as UTF-8")
    return text, None


def read_lines(path: Path, name: str,
               max_line_bytes: int = DEFAULT_MAX_LINE_BYTES) -> Iterator[Line]:
    """Every line of the file, numbered from 1; unreadable ones carry a ``problem``."""
    for item in read_blocks(path, name, max_line_bytes):
        if type(item) is LongLine:
            yield Line(item.number, None, b"", long_line_message(item.size, max_line_bytes))
            continue
        assert type(item) is Block
        parts = item.data.split(b"\n")
        if item.data.endswith(b"\n"):
            parts.pop()
        for number, raw in enumerate(parts, item.first):
            text, problem = decode_line(raw, item.transcoded)
            yield Line(number, text, raw, problem)
