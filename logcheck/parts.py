"""The parts of an input, for reading it in parallel: byte ranges that start and end at line
breaks (a CSV part after the first is given the file's header line), or ranges of the rows
of a Parquet file (a part's reader decodes the row groups its rows touch); in equal shares
or tapered (:func:`shares`), for ``--jobs`` and ``--engine dask`` (:mod:`.fastparts`,
:mod:`.partition`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from statusproof.model.record import record

from .rawlines import text_start

__all__ = ["plan_parts", "shares", "Part", "PartState"]


@record
class Part:
    """A part of one record file: bytes ``start`` to ``end`` (at line starts) of a text file,
    or ``rows`` of a Parquet file (the first, from 0, and how many); ``header``: a CSV
    file's header line, for a part that does not begin the file; ``last``: the part ends
    the file. Lines (rows) are numbered from 1 within the part."""

    path: Path
    name: str
    file: int
    start: int = 0
    end: int | None = None
    header: str | None = None
    last: bool = True
    rows: tuple[int, int] | None = None


@dataclass
class PartState:
    """What reading a CSV part leaves for the parts after it: its broken quoted fields still
    open at its end (line, column, lines spanned so far), and the first of its lines that
    would close a quoted field open before it."""

    open: list[tuple[int, str, int]] = field(default_factory=list)
    first_close: int | None = None
    lines: int = 0  # the lines (Parquet: rows) of the part


def shares(count: int, tapered: bool) -> list[float]:
    """How ``count`` parts share a file: equal shares, or ``tapered``: each part smaller than
    the one before by a constant ratio, the last an eighth of the first (so that the parts
    handed out last, when the processes' shares are evened out, are the small ones)."""
    if not tapered or count < 3:
        return [1.0] * count
    ratio = 8.0 ** (-1.0 / (count - 1))
    return [ratio**i for i in range(count)]


def _bounds(total: int, weights: Sequence[float]) -> list[int]:
    """Where ``weights`` cut ``total`` (from 0 to ``total``, one bound per weight and the
    end)."""
    whole = sum(weights)
    bounds, sofar = [0], 0.0
    for weight in weights:
        sofar += weight
        bounds.append(round(total * sofar / whole))
    bounds[-1] = total
    return bounds


def _cuts(path: Path, start: int, count: int, tapered: bool = False) -> list[int]:
    """``count - 1`` offsets after line breaks, spread over the file from ``start`` (in
    :func:`shares`)."""
    size = path.stat().st_size
    cuts = [start]
    bounds = _bounds(size - start, shares(count, tapered))
    with path.open("rb") as handle:
        for i in range(1, count):
            at = max(cuts[-1], start + bounds[i])
            handle.seek(at)
            while True:
                data = handle.read(1 << 16)
                if not data:
                    at = size
                    break
                found = data.find(b"\n")
                if found >= 0:
                    at += found + 1
                    break
                at += len(data)
            if at >= size:
                break
            cuts.append(at)
    return cuts


def _csv_header(path: Path, start: int) -> tuple[str, int] | None:
    """A CSV file's header line and where the line after it starts (None: not found in
    the first MiB, or not UTF-8: the file is then read in one part)."""
    with path.open("rb") as handle:
        handle.seek(start)
        data = handle.read(1 << 20)
    at = start
    for raw in data.split(b"\n")[:-1]:
        line = raw.rstrip(b"\r")
        at += len(raw) + 1
        if line.strip():
            try:
                return line.decode("utf-8"), at
            except UnicodeDecodeError:
                return None
    return None


def plan_parts(files: Sequence[str], fmt: str, per_file: int, smallest: int = 1 << 20,
               tapered: bool = False) -> list[Part]:
    """The parts to read: up to ``per_file`` of each file (text files of at least
    ``smallest`` bytes are split), in equal shares or ``tapered`` (:func:`shares`)."""
    parts: list[Part] = []
    for index, name in enumerate(files):
        path = Path(name)
        if fmt == "parquet":
            from .batches import parquet_rows  # polars: only for Parquet

            total = parquet_rows(path)  # None: one part, whose reader says what is wrong
            count = min(per_file, total or 1)
            if total is None or count <= 1:
                parts.append(Part(path, name, index))
                continue
            bounds = _bounds(total, shares(count, tapered))
            for i in range(1, count):  # a row at least in each part
                bounds[i] = max(bounds[i], bounds[i - 1] + 1)
            for i in range(count - 1, 0, -1):
                bounds[i] = min(bounds[i], bounds[i + 1] - 1)
            for i in range(count):
                parts.append(Part(path, name, index, last=i == count - 1,
                                  rows=(bounds[i], bounds[i + 1] - bounds[i])))
            continue
        start, transcoded = text_start(path)
        header = None
        if fmt == "csv" and not transcoded:
            found = _csv_header(path, start)
            if found is None:
                transcoded = True
            else:
                header, body = found
        if transcoded or per_file <= 1 or path.stat().st_size < smallest:
            parts.append(Part(path, name, index))
            continue
        cuts = _cuts(path, start if header is None else body, per_file, tapered)
        if header is not None:
            cuts[0] = 0
        ends = [*cuts[1:], None]
        for i, (begin, end) in enumerate(zip(cuts, ends, strict=True)):
            parts.append(Part(path, name, index, start=begin, end=end,
                              header=header if i else None, last=end is None))
    return parts
