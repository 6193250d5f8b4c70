"""``--jobs N``: each part's own sessions checked by the process that takes the part.

This module owns the check in processes (:func:`check_in_parts`). It cuts the input into
parts as :mod:`.partition` does (byte ranges that start and end at line breaks, groups of
Parquet row groups, the files of a folder) and runs three steps, on the coordinating process
and ``N - 1`` spawned ones (:class:`~.fastpool.Sharing`):

1. **read** (:func:`~.partition.read_part_task`, one partition): each part is read with the
   fast readers into one piece (Arrow IPC streams in a temporary folder, a batch each), with
   the hashes of its session ids;
2. **check a part** (:func:`check_part_task`): the coordinator numbers lines and places and
   sets the clocks as for a hash split, and finds the *spanning* sessions: those whose id (its
   hash) is in more than one part. Each part's other sessions are all in that part, so the
   part is checked as a partition of its own (a session's verdicts depend only on its own
   records and the input's clock at each of them): the rows stay where they were read, and
   only the spanning sessions' rows (the sessions open where a part ends, an id used again
   in a later part) are set aside;
3. **check the spanning sessions** (:func:`~.partition.check_partition_task`): their rows,
   from every part in input order, are one more partition.

Against the hash split of :mod:`.partition` (which :mod:`.daskengine` keeps: on a cluster the
pieces stay on the workers that read them), nothing is split by session while reading, and
a piece is written and read back whole: the split costs a write and a read of each record
instead of a hash split's filter, conversion and transfer. Two sessions whose ids share a
hash are both spanning, which is safe: any set of whole sessions is a partition. The merged
result is the one of a single process (:func:`~.result.merge_results`).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from statusproof.model.model import Model

from .fastpool import Call, Sharing
from .partition import (
    ModelSpec,
    PartOut,
    Piece,
    check_partition_task,
    feed_in_batches,
    offsets,
    spans,
    streams,
)
from .parts import plan_parts
from .records import Fields
from .result import CheckSettings, LogResult, merge_results
from .timersettings import TimerSettings

__all__ = ["check_in_parts", "spill_part_task", "check_part_task", "spanning_hashes",
           "handing_order"]


def _distinct(values: Any) -> Any:
    """The distinct values of an integer array, sorted (a sort and a comparison: cheaper
    than ``np.unique``'s hash table on these)."""
    import numpy as np

    ranked = np.sort(values)
    if len(ranked) < 2:
        return ranked
    keep = np.empty(len(ranked), dtype=np.bool_)
    keep[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=keep[1:])
    return ranked[keep]


def spanning_hashes(outs: Sequence[PartOut]) -> Any:
    """The sorted hashes of the session ids found in more than one part."""
    import numpy as np

    found = [out.hashes for out in outs if out.hashes is not None and len(out.hashes)]
    if len(found) < 2:
        return np.zeros(0, dtype=np.uint64)
    ranked = np.sort(np.concatenate(found))  # each part gave each hash once
    return _distinct(ranked[1:][ranked[1:] == ranked[:-1]])


#: The low bits of a hash that index the table of spanning sessions (a MiB of flags).
_LOW = (1 << 20) - 1

#: The columns a part's piece may leave out when a batch has no value in them.
_OPTIONAL = ("cause", "group")


def spill_part_task(index: int, part: Any, fmt: str, fields: Fields, max_line_bytes: int,
                    block_size: int, folder: str) -> PartOut:
    """Step 1: read a part into one piece, with the hashes of its session ids."""
    import numpy as np
    import polars as pl

    from .batches import PartState
    from .fastread import read_part

    out = PartOut()
    state = PartState()
    sizes: list[int] = []
    seen: list[Any] = []
    clock = -1e300
    newest = pl.CompatLevel.newest()
    name = os.path.join(folder, f"part{index}.arrow")
    with open(name, "wb") as sink:
        for batch in read_part(part, fmt, fields, out.problems.append, max_line_bytes,
                               block_size, state):
            out.rows += batch.height
            clock = max(clock, float(batch["time"].max()))  # type: ignore[arg-type]
            seen.append(_distinct(batch["session"].hash().to_numpy()))
            # the file is the part's; a column of nulls is not written (what is written and
            # read back is the cost of this split)
            frame = batch.drop("file", *[c for c in _OPTIONAL
                                         if batch[c].null_count() == batch.height])
            before = sink.tell()
            frame.write_ipc_stream(sink, compression="uncompressed", compat_level=newest)
            sizes.append(sink.tell() - before)
    out.pieces = [(name, tuple(sizes))] if sizes else [None]
    out.hashes = _distinct(np.concatenate(seen)) if seen else np.zeros(0, np.uint64)
    out.latest = clock
    out.open, out.first_close, out.lines = state.open, state.first_close, state.lines
    return out


def _frames(piece: Piece, lines: int, places: int, clock: float, file: int) -> Iterator[Any]:
    """A part's piece as batches of the whole input (:func:`~.fastpath.with_clock`)."""
    import polars as pl

    from .batches import SCHEMA
    from .fastpath import with_clock

    columns = list(SCHEMA)
    for frame in streams(piece):
        frame = frame.with_columns(
            file=pl.lit(file, dtype=pl.Int32), line=pl.col("line") + lines,
            **{c: pl.lit(None, dtype=pl.String) for c in _OPTIONAL
               if c not in frame.columns}).select(columns)
        framed, clock = with_clock(frame, places, clock)
        places += frame.height
        yield framed


def check_part_task(spec: ModelSpec, settings: CheckSettings, timers: TimerSettings,
                    files: Sequence[str], piece: Piece, lines: int, places: int,
                    clock: float, file: int, spanning: Any, target: str
                    ) -> tuple[LogResult, Piece | None]:
    """Step 2: check the sessions of a part that are in no other part; the rows of the
    others (``spanning``: their hashes) are written to ``target``, as a piece."""
    import numpy as np
    import polars as pl

    from .fastpath import FastChecker

    model, names = spec.load()
    checker = FastChecker(model, names, settings, files, timers)
    sink: io.BufferedWriter | None = None
    sizes: list[int] = []
    newest = pl.CompatLevel.newest()
    table = np.zeros(int(_LOW) + 1, dtype=np.bool_)
    table[(spanning & _LOW).astype(np.intp)] = True
    with contextlib.ExitStack() as opened:

        def own(frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
            """The part's frames without the spanning sessions' rows (written to target)."""
            nonlocal sink
            for frame in frames:
                if not len(spanning):
                    yield frame
                    continue
                hashed = frame["session"].hash().to_numpy()
                # a table of the hashes' low bits first (most batches hold no spanning
                # session), then a binary search for the rows it lets through
                maybe = np.flatnonzero(table[(hashed & _LOW).astype(np.intp)])
                found = np.minimum(np.searchsorted(spanning, hashed[maybe]),
                                   len(spanning) - 1)
                away = np.zeros(len(hashed), dtype=np.bool_)
                away[maybe[spanning[found] == hashed[maybe]]] = True
                if away.any():
                    if sink is None:
                        sink = opened.enter_context(open(target, "wb"))
                    before = sink.tell()
                    frame.drop("file").filter(pl.Series(away)).write_ipc_stream(
                        sink, compression="uncompressed", compat_level=newest)
                    sizes.append(sink.tell() - before)
                    frame = frame.filter(pl.Series(~away))
                yield frame

        feed_in_batches(checker, own(_frames(piece, lines, places, clock, file)))
    if isinstance(piece[0], str):  # read once: removed now, not all at the end
        os.unlink(piece[0])
    result = checker.finish()
    result.model = None  # type: ignore[assignment]  # the coordinator has it
    return result, (target, tuple(sizes)) if sink is not None else None


def handing_order(parts: Sequence[Any]) -> list[int]:
    """The parts' indices in the order they are handed out: :class:`~.fastpool.Sharing`
    gives the pool tasks from the front and takes this process's from the back, so the
    largest parts are put at both ends (alternately) and the smallest in the middle, and
    each process takes them largest first; the last ones, which even out the shares, are
    the small ones (:func:`~.parts.shares`)."""
    def size(at: int) -> int:
        part = parts[at]
        if part.row_groups is not None:
            return len(part.row_groups)
        end = part.end if part.end is not None else part.path.stat().st_size
        return int(end - part.start)

    ranked = sorted(range(len(parts)), key=lambda at: (-size(at), at))
    return ranked[0::2] + ranked[1::2][::-1]


def check_in_parts(model: Model, spec: ModelSpec, files: Sequence[str], fmt: str,
                   fields: Fields, settings: CheckSettings, timers: TimerSettings,
                   max_line_bytes: int, block_size: int, workers: int, parts_wanted: int,
                   sharing: Sharing, wait: Callable[[Any], Any]) -> LogResult:
    """The whole check (see the module docstring); ``workers``: the processes, this one
    included; ``parts_wanted``: about how many parts."""
    parts = plan_parts(files, fmt, max(1, -(-parts_wanted // max(len(files), 1))),
                       min(block_size, 1 << 20), tapered=True)
    order = handing_order(parts)
    with tempfile.TemporaryDirectory(prefix="statusproof-") as folder:
        outs: list[PartOut] = [None] * len(parts)  # type: ignore[list-item]
        for at, job in zip(order, sharing.run(
                [(spill_part_task, (at, parts[at], fmt, fields, max_line_bytes, block_size,
                                    folder)) for at in order]), strict=True):
            outs[at] = wait(job)
        problems, line_offset, place_offset, clock_before = offsets(parts, outs)
        problems.extend(spans(parts, outs, line_offset, fields, settings))
        spanning = spanning_hashes(outs)
        calls: list[Call] = []
        called: list[int] = []  # the file of each part checked
        for i in order:
            out = outs[i]
            piece = out.pieces[0] if out.pieces else None
            if piece is not None:
                calls.append((check_part_task, (
                    spec, settings, timers, list(files), piece, line_offset[i],
                    place_offset[i], clock_before[i], parts[i].file, spanning,
                    os.path.join(folder, f"spanning{i}.arrow"))))
                called.append(parts[i].file)
        checked = [job.result() for job in sharing.run(calls)]
        results = [result for result, _ in checked]
        # the spanning sessions' rows, in input order
        rest = [(piece, 0, 0, -1e300, file) for _, (_, piece), file in
                sorted(zip(order, checked, called, strict=True), key=lambda c: c[0])
                if piece is not None]
        if rest:
            results.append(check_partition_task(spec, settings, timers, list(files), rest))
    for result in results:
        result.model = model
    head = LogResult(model, False, settings, problems=problems)
    return merge_results([head, *results], files)
