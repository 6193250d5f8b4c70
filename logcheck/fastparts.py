"""``--jobs N``: each part's own sessions checked by the process that reads the part.

This module owns the check in processes (:func:`check_in_parts`). It cuts the input into
parts as :mod:`.partition` does (byte ranges that start and end at line breaks, ranges of
Parquet rows, the files of a folder) and runs up to three steps, on the coordinating
process and ``N - 1`` spawned ones (:class:`~.fastpool.Sharing`):

1. **read and check** (:func:`~.guesses.guess_part_task`): each part is read with the fast
   readers and its sessions checked at once, except those *held*, guessed to be in another
   part too (those seen at the part's two ends), whose rows are set aside;
2. the coordinator numbers lines and places and sets the clocks as for a hash split, and
   finds the *spanning* sessions: those whose id (its hash) is in more than one part. A
   part's guess holds when no session it checked is spanning (:func:`~.guesses.guess_holds`):
   its result is then that of its own sessions, a partition of its own (a session's verdicts
   depend only on its own records and the input's clock at each of them). **Checked again**
   (:func:`check_part_task`), from its text, is a part whose guess fails: its sessions in no
   other part are checked, and the spanning sessions' rows set aside;
3. **check the rest** (:func:`~.partition.check_partition_task`): the rows set aside, from
   every part in input order, split by a hash of the session id as they were written
   (:class:`~.partition.ShareSinks`), are one more partition for each process.

Where sessions are long (a session's records more than some 8,000 records apart in a part's
first 65,536: :func:`~.guesses.margin_of`), most sessions would be held and many guesses
fail; then step 1 writes that part down instead (:mod:`.spill`, Arrow IPC in a temporary
folder) and step 2 checks it from its piece, as before the guesses (``margin`` 0: every
part, :func:`spill_part_task`).

Against the hash split of :mod:`.partition` (which :mod:`.daskengine` keeps: on a cluster the
pieces stay on the workers that read them), nothing is split by session while reading, and a
record is read once. Two sessions whose ids share a hash are both spanning, which is safe: any
set of whole sessions is a partition. The merged result is the one of a single process
(:func:`~.result.merge_results`).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from statusproof.model.model import Model

from .fastpool import Call, Sharing
from .guesses import Guess, guess_holds, guess_part_task, rebase
from .idhashes import Members, Repeated
from .partition import (
    ModelSpec,
    PartOut,
    Piece,
    ShareSinks,
    check_partition_task,
    feed_in_batches,
    offsets,
    spans,
    streams,
)
from .parts import plan_parts
from .records import Fields
from .result import CheckSettings, LogResult, merge_results
from .spill import OPTIONAL, spill
from .timersettings import TimerSettings

__all__ = ["check_in_parts", "check_part_task", "spill_part_task", "spanning_hashes",
           "handing_order", "Reread"]


def spanning_hashes(outs: Sequence[PartOut], repeated: Repeated | None = None,
                    given: Sequence[int] = ()) -> Any:
    """The sorted hashes of the session ids found in more than one part (``repeated``: the
    hashes of the parts ``given`` already, :func:`_early_hashes`)."""
    skip = set(given)
    return (repeated or Repeated()).result([out.hashes for i, out in enumerate(outs)
                                            if i not in skip and out.hashes is not None])


def _early_hashes(order: Sequence[int], repeated: Repeated, given: list[int]
                  ) -> Callable[[list[Any]], None]:
    """What this process does when it has read its last part while the pool reads others
    (:meth:`~.fastpool.Sharing.run`'s ``idle``): the hashes of the parts read so far are
    merged (in ``repeated``; their indices in ``given``), so only the last parts' are left
    to merge once all are in."""

    def idle(futures: list[Any]) -> None:
        ready: list[Any] = []
        for at, future in zip(order, futures, strict=True):
            if future is not None and future.done() and future.exception() is None:
                done = future.result()
                hashes = (done.out if isinstance(done, Guess) else done).hashes
                if hashes is not None:
                    ready.append(hashes)
                    given.append(at)
        repeated.add(ready)

    return idle


def spill_part_task(index: int, part: Any, fmt: str, fields: Fields, max_line_bytes: int,
                    block_size: int, folder: str) -> PartOut:
    """Step 1 where sessions are long (see the module docstring): read a part into one
    piece, with the hashes of its session ids."""
    from .batches import PartState
    from .fastread import read_part

    out = PartOut()
    state = PartState()
    spill(read_part(part, fmt, fields, out.problems.append, max_line_bytes, block_size, state),
          out, os.path.join(folder, f"part{index}.arrow"))
    out.open, out.first_close, out.lines = state.open, state.first_close, state.lines
    return out


@dataclass(frozen=True)
class Reread:
    """A part to read again from its text (its malformed lines are already counted)."""

    part: Any
    fmt: str
    fields: Fields
    max_line_bytes: int
    block_size: int


def _frames(source: Reread | Piece, lines: int, places: int, clock: float, file: int
            ) -> Iterator[Any]:
    """A part's records (read again, or its piece) as batches of the whole input
    (:func:`~.fastpath.with_clock`)."""
    import polars as pl

    from .batches import SCHEMA
    from .fastpath import with_clock
    from .fastread import read_part

    columns = list(SCHEMA)
    frames = (read_part(source.part, source.fmt, source.fields, lambda problem: None,
                        source.max_line_bytes, source.block_size)
              if isinstance(source, Reread) else streams(source))
    for frame in frames:
        frame = frame.with_columns(
            file=pl.lit(file, dtype=pl.Int32), line=pl.col("line") + lines,
            **{c: pl.lit(None, dtype=pl.String) for c in OPTIONAL
               if c not in frame.columns}).select(columns)
        framed, clock = with_clock(frame, places, clock)
        places += frame.height
        yield framed


def check_part_task(spec: ModelSpec, settings: CheckSettings, timers: TimerSettings,
                    files: Sequence[str], source: Reread | Piece, lines: int, places: int,
                    clock: float, file: int, spanning: Any, target: str, shares: int = 1
                    ) -> tuple[LogResult, list[Piece | None]]:
    """A part checked from its piece, or read and checked again: the sessions of a part that
    are in no other part; the rows of the others (``spanning``: their hashes) are written to
    files named from ``target``, a piece for each of the last step's ``shares``
    (:class:`~.partition.ShareSinks`)."""
    import polars as pl

    from .fastpath import HASH, FastChecker, with_hashes

    model, names = spec.load()
    checker = FastChecker(model, names, settings, files, timers)
    members = Members(spanning)
    away_rows = ShareSinks(target, shares)

    def own(frames: Iterator[pl.DataFrame]) -> Iterator[pl.DataFrame]:
        """The part's frames without the spanning sessions' rows (set aside)."""
        for frame in frames:
            frame, hashed = with_hashes(frame)  # the bulk check's, too
            away = members.of(hashed)
            if away.any():
                away_rows.add(frame.drop("file", HASH).filter(pl.Series(away)), hashed[away])
                frame = frame.filter(pl.Series(~away))
            yield frame

    try:
        feed_in_batches(checker, own(_frames(source, lines, places, clock, file)))
    finally:
        pieces = away_rows.close()
    if not isinstance(source, Reread) and isinstance(source[0], str):
        os.unlink(source[0])  # read once: removed now, not all at the end
    result = checker.finish()
    result.model = None  # type: ignore[assignment]  # the coordinator has it
    return result, pieces


def handing_order(parts: Sequence[Any]) -> list[int]:
    """The parts' indices in the order they are handed out: :class:`~.fastpool.Sharing`
    gives the pool tasks from the front and takes this process's from the back, so the
    largest parts are put at both ends (alternately) and the smallest in the middle, and
    each process takes them largest first; the last ones, which even out the shares, are
    the small ones (:func:`~.parts.shares`)."""
    def size(at: int) -> int:
        part = parts[at]
        if part.rows is not None:
            return int(part.rows[1])
        end = part.end if part.end is not None else part.path.stat().st_size
        return int(end - part.start)

    ranked = sorted(range(len(parts)), key=lambda at: (-size(at), at))
    return ranked[0::2] + ranked[1::2][::-1]


def check_in_parts(model: Model, spec: ModelSpec, files: Sequence[str], fmt: str,
                   fields: Fields, settings: CheckSettings, timers: TimerSettings,
                   max_line_bytes: int, block_size: int, workers: int, parts_wanted: int,
                   sharing: Sharing, wait: Callable[[Any], Any], margin: int | None = None,
                   told: Callable[[int, int], None] | None = None) -> LogResult:
    """The whole check (see the module docstring); ``workers``: the processes, this one
    included; ``parts_wanted``: about how many parts; ``margin``: the records at each end of
    a part whose sessions are held (:mod:`.guesses`; None: measured in each part,
    :func:`~.guesses.margin_of`; 0: every part written down); ``told``: given how many
    parts were checked again, and of how many."""
    parts = plan_parts(files, fmt, max(1, -(-parts_wanted // max(len(files), 1))),
                       min(block_size, 1 << 20), tapered=True)
    order = handing_order(parts)
    nonce = secrets.token_hex(8)  # the parts' tokens: not a text the input could hold
    with tempfile.TemporaryDirectory(prefix="statusproof-") as folder:
        firsts: list[Call] = [
            (spill_part_task, (at, parts[at], fmt, fields, max_line_bytes, block_size,
                               folder)) if margin == 0 else
            (guess_part_task, (at, parts[at], fmt, fields, max_line_bytes, block_size,
                               folder, spec, settings, timers, list(files),
                               f"\x00{nonce}-{at}\x00", margin, workers)) for at in order]
        done: list[Any] = [None] * len(parts)
        repeated, given = Repeated(), list[int]()
        for at, job in zip(order, sharing.run(firsts, _early_hashes(order, repeated, given)),
                           strict=True):
            done[at] = wait(job)
        # a part guessed, or written down (margin 0, or long sessions measured in it)
        guesses: list[Guess | None] = [d if isinstance(d, Guess) else None for d in done]
        outs: list[PartOut] = [d.out if isinstance(d, Guess) else d for d in done]
        problems, line_offset, place_offset, clock_before = offsets(parts, outs)
        problems.extend(spans(parts, outs, line_offset, fields, settings))
        spanning = spanning_hashes(outs, repeated, given)
        results: list[LogResult] = []
        # each part's rows set aside (a piece for each share of the last step), with the
        # offsets of their lines, places and clocks
        rest: list[tuple[list[Piece | None], int, int, float, int] | None] = [None] * len(parts)
        again: list[int] = []
        written: list[int] = []
        for i, guess in enumerate(guesses):
            if guess is None:  # every part written: checked from its piece
                if outs[i].pieces and outs[i].pieces[0] is not None:
                    written.append(i)
                continue
            found = (rebase(guess.result, guess.token, parts[i].name, line_offset[i])
                     if guess_holds(guess, spanning, clock_before[i]) else None)
            if found is None:
                again.append(i)
                continue
            results.append(found)
            rest[i] = (outs[i].pieces, line_offset[i], place_offset[i], clock_before[i],
                       parts[i].file)
        if told is not None:
            told(len(again), len(parts))
        checked = sorted(written + again, key=order.index)
        calls: list[Call] = [(check_part_task, (
            spec, settings, timers, list(files),
            Reread(parts[i], fmt, fields, max_line_bytes, block_size) if i in again
            else outs[i].pieces[0], line_offset[i], place_offset[i], clock_before[i],
            parts[i].file, spanning, os.path.join(folder, f"spanning{i}"), workers))
            for i in checked]
        for i, job in zip(checked, sharing.run(calls), strict=True):
            result, held = job.result()
            results.append(result)
            rest[i] = (held, 0, 0, -1e300, parts[i].file)
        # the rows set aside, in input order, a share for each process (split by a hash of
        # the id as they were written)
        shares = [[(held[share], lines, places, clock, file)
                   for held, lines, places, clock, file in filter(None, rest)
                   if held[share] is not None] for share in range(workers)]
        last: list[Call] = [(check_partition_task, (spec, settings, timers, list(files),
                                                    pieces)) for pieces in shares if pieces]
        results.extend(job.result() for job in sharing.run(last))
    for result in results:
        result.model = model
    head = LogResult(model, False, settings, problems=problems)
    return merge_results([head, *results], files)
