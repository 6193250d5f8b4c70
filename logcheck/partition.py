"""Checking in parallel: parts of the input read apart, sessions split into partitions.

This module owns what reading a part of the input (:func:`~.parts.plan_parts`) gives
(:class:`PartOut`, its pieces as Arrow IPC streams: :data:`Piece`, :func:`streams`), the
numbering of lines, places and clocks across parts (:func:`offsets`), the broken CSV quotes
that cross parts (:func:`spans`), and the split by a hash of the session id that
``--engine dask`` runs (:mod:`.daskengine`; ``--jobs`` checks each part's own sessions where
it was read instead: :mod:`.fastparts`). The hash split is two kinds of task:

1. **read** (:func:`read_part_task`): one part of one file is read with the fast readers, and
   its records are split by a hash of the session id into ``partitions`` pieces, each row with
   its place in the part and the part's own clock (the latest time read before it in the
   part). What the part cannot know (its first line number, its first record's place in the
   whole input, the clock before it) is fixed afterwards from the other parts' counts.
2. **check** (:func:`check_partition_task`): one partition, its pieces in input order, is
   checked by the fast path (:mod:`.fastpath`) with each row's place and clock in the whole
   input, so its verdicts are those of one check of everything.

The coordinator (:func:`check_partitioned`) plans the parts, fixes line numbers and clocks,
reports malformed lines (and finishes the spans of broken CSV quotes that cross parts), and
merges the partitions' results (:func:`~.result.merge_results`): the report is byte-identical
to the report of one process.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from statusproof.model import load_model
from statusproof.model.errors import InputProblem
from statusproof.model.model import Model
from statusproof.model.record import record

from .namemap import NameMap, default_map, load_map
from .parts import plan_parts
from .records import Fields
from .result import CheckSettings, LogResult, merge_results
from .timersettings import TimerSettings

__all__ = ["ModelSpec", "PartOut", "Piece", "ShareSinks", "share_model", "read_part_task",
           "check_partition_task", "check_partitioned", "offsets", "spans", "streams",
           "piece_frames", "add_stream"]


@record
class ModelSpec:
    """How a worker loads the model and the name map (the command line's options)."""

    table: str | None = None
    raw: bool = False
    policy: str = "union"
    input_format: str | None = None
    amendments: str | None = None
    map: str | None = None

    def load(self) -> tuple[Model, NameMap]:
        found = _LOADED.get(self)
        if found is None:
            model = load_model(self.table, raw=self.raw, policy=self.policy,
                               input_format=self.input_format, amendments=self.amendments)
            names = load_map(self.map, model) if self.map else default_map(model)
            found = _LOADED[self] = (model, names)
        return found


_LOADED: dict[ModelSpec, tuple[Model, NameMap]] = {}
#: A partition's piece of a part: a file's path (or the bytes) of Arrow IPC streams, one
#: after the other, and the size of each.
Piece = tuple[str | bytes, tuple[int, ...]]


def share_model(spec: ModelSpec, model: Model, names: NameMap) -> None:
    """The model and map this process loaded for ``spec`` (the coordinator's, when it checks
    partitions too): not loaded again."""
    _LOADED.setdefault(spec, (model, names))

BATCH_ROWS = 16384


def add_stream(sink: Any, frame: Any, sizes: list[int]) -> None:
    """Append ``frame`` to a piece: an Arrow IPC stream of polars' own layout (string views:
    no conversion of the texts either way, and no pyarrow), uncompressed, written to ``sink``,
    its size added to ``sizes`` (:data:`Piece`)."""
    import polars as pl

    before = sink.tell()
    frame.write_ipc_stream(sink, compression="uncompressed",
                           compat_level=pl.CompatLevel.newest())
    sizes.append(sink.tell() - before)


class ShareSinks:
    """Rows split by a hash of the session id into ``shares`` pieces: files named ``base``
    and the share's number (opened when first written), or, with no ``base``, bytes in
    memory (a Dask worker keeps its pieces). So each share's check reads its own rows only.
    A share's rows are written in streams of at least :data:`BATCH_ROWS` rows (but the
    last): a part sets aside a few rows of many batches, and each stream read back costs
    some 0.3 ms whatever it holds."""

    def __init__(self, base: str | None, shares: int) -> None:
        self.base = base
        self.shares = max(shares, 1)
        self.sinks: list[Any] = [None] * self.shares
        self.sizes: list[list[int]] = [[] for _ in range(self.shares)]
        self.waiting: list[list[Any]] = [[] for _ in range(self.shares)]

    def add(self, frame: Any, hashed: Any) -> None:
        """Append ``frame`` (a batch's rows, without the file column), ``hashed``: the
        hashes of its rows' session ids."""
        import numpy as np
        import polars as pl

        numbers = (hashed % np.uint64(self.shares)).astype(np.intp)
        for number in np.unique(numbers).tolist():
            waiting = self.waiting[number]
            waiting.append(frame if self.shares == 1 else
                           frame.filter(pl.Series(numbers == number)))
            if sum(piece.height for piece in waiting) >= BATCH_ROWS:
                self._write(number)

    def _write(self, number: int) -> None:
        import polars as pl

        frames = self.waiting[number]
        if not frames:
            return
        sink = self.sinks[number]
        if sink is None:
            sink = self.sinks[number] = io.BytesIO() if self.base is None else open(  # noqa: SIM115
                f"{self.base}-{number}.arrow", "wb")
        add_stream(sink, frames[0] if len(frames) == 1 else pl.concat(frames), self.sizes[number])
        self.waiting[number] = []

    def close(self) -> list[Piece | None]:
        """Write what waits and close the files; the pieces, one for each share (None: no
        row)."""
        try:
            for number in range(self.shares):
                self._write(number)
        finally:
            for sink in self.sinks:
                if sink is not None and self.base is not None:
                    sink.close()
        return [None if sink is None else
                (sink.getvalue() if self.base is None else sink.name, tuple(sizes))
                for sink, sizes in zip(self.sinks, self.sizes, strict=True)]


@dataclass
class PartOut:
    """What reading one part gave: its counts, its malformed lines (numbered within the
    part), what a CSV part leaves open, and its pieces (one per partition: :data:`Piece`;
    None for an empty one)."""

    rows: int = 0
    lines: int = 0
    latest: float = -1e300
    problems: list[InputProblem] = field(default_factory=list)
    open: list[tuple[int, str, int]] = field(default_factory=list)
    first_close: int | None = None
    pieces: list[Piece | None] = field(default_factory=list)
    #: the hashes of the part's session ids, each once, sorted (:mod:`.fastparts`)
    hashes: Any = None


def read_part_task(index: int, part: Any, fmt: str, fields: Fields, max_line_bytes: int,
                   block_size: int, partitions: int) -> PartOut:
    """Task 1: read a part and split its rows by session (see the module docstring); the
    pieces stay in the worker's memory until a check task asks for them."""
    from .batches import PartState
    from .fastpath import with_clock
    from .fastread import read_part

    out = PartOut()
    state = PartState()
    # each partition's piece is streams of the part's rows without the file column (the
    # part's file, put back by the check), kept in memory
    sinks = ShareSinks(None, partitions)
    clock = -1e300
    for batch in read_part(part, fmt, fields, out.problems.append, max_line_bytes,
                           block_size, state):
        frame, clock = with_clock(batch.drop("file"), out.rows, clock)
        out.rows += batch.height
        sinks.add(frame, frame["session"].hash().to_numpy())
    out.pieces = sinks.close()
    out.latest = clock
    out.open, out.first_close, out.lines = state.open, state.first_close, state.lines
    return out


def streams(piece: Piece) -> Iterator[Any]:
    """The frames of a piece, one stream at a time (read, not mapped: the pages of a mapped
    piece count in the worker's resident set)."""
    import polars as pl

    data, sizes = piece
    if isinstance(data, bytes):
        at = 0
        for size in sizes:
            yield pl.read_ipc_stream(io.BytesIO(data[at:at + size]))
            at += size
        return
    with open(data, "rb") as handle:
        for size in sizes:
            yield pl.read_ipc_stream(io.BytesIO(handle.read(size)))


def piece_frames(piece: Piece, lines: int, places: int, clock: float, file: int
                 ) -> Iterator[Any]:
    """The frames of a piece with the lines, places and clocks of the whole input (``lines``,
    ``places``: the part's first line and place, less one; ``clock``: the input's clock
    before the part; ``file``: the part's file)."""
    import polars as pl

    from .batches import SCHEMA

    columns = [*SCHEMA, "gidx", "horizon"]
    for frame in streams(piece):
        yield frame.with_columns(
            file=pl.lit(file, dtype=pl.Int32), line=pl.col("line") + lines,
            gidx=pl.col("gidx") + places,
            horizon=pl.max_horizontal(pl.col("horizon"), pl.lit(clock))).select(columns)


def feed_in_batches(checker: Any, frames: Iterable[Any]) -> None:
    """Give ``frames`` (polars frames) to ``checker`` (a ``FastChecker``) in batches of at
    least :data:`BATCH_ROWS` rows: the bulk check works best on large batches."""
    import polars as pl

    waiting: list[pl.DataFrame] = []
    count = 0
    for frame in frames:
        waiting.append(frame)
        count += frame.height
        if count >= BATCH_ROWS:
            checker.feed(pl.concat(waiting))
            waiting, count = [], 0
    if waiting:
        checker.feed(pl.concat(waiting))


def check_partition_task(spec: ModelSpec, settings: CheckSettings, timers: TimerSettings,
                         files: Sequence[str], pieces: Sequence[tuple[Piece, int, int,
                                                                      float, int]],
                         share: tuple[int, int] = (0, 1)) -> LogResult:
    """Task 2: check one partition; ``pieces``: (piece, line offset, place offset, clock
    before the part, file index), in input order; ``share``: (r, k), only the sessions whose
    id's hash is r modulo k."""
    import numpy as np
    import polars as pl

    from .fastpath import FastChecker

    model, names = spec.load()
    checker = FastChecker(model, names, settings, files, timers)
    frames = (frame for piece, lines, places, clock, file in pieces
              for frame in piece_frames(piece, lines, places, clock, file))
    if share[1] > 1:
        frames = (frame.filter(pl.Series(frame["session"].hash().to_numpy()
                                         % np.uint64(share[1]) == share[0]))
                  for frame in frames)
    feed_in_batches(checker, frames)
    result = checker.finish()
    result.model = None  # type: ignore[assignment]  # the coordinator has it
    return result


def part_meta(out: PartOut) -> PartOut:
    """The counts of a part without its pieces (which piece is empty: None)."""
    return PartOut(out.rows, out.lines, out.latest, out.problems, out.open, out.first_close,
                   [None if piece is None else (b"", ()) for piece in out.pieces])


def pick_piece(out: PartOut, number: int) -> Piece | None:
    """One partition's piece of a part (run where the part is, on a cluster)."""
    return out.pieces[number]


Submit = Callable[..., Any]


def check_partitioned(model: Model, spec: ModelSpec, files: Sequence[str], fmt: str,
                      fields: Fields, settings: CheckSettings, timers: TimerSettings,
                      max_line_bytes: int, block_size: int, workers: int, partitions: int,
                      submit: Submit, wait: Callable[[Any], Any]) -> LogResult:
    """The whole check through ``submit`` (a Dask client's) and ``wait``: the pieces stay on
    the workers that read them (the coordinator receives the parts' counts, and each check
    task the pieces of its partition)."""
    parts = plan_parts(files, fmt, max(1, -(-2 * workers // max(len(files), 1))),
                       min(block_size, 1 << 20))
    jobs = [submit(read_part_task, index, part, fmt, fields, max_line_bytes, block_size,
                   partitions) for index, part in enumerate(parts)]
    outs: list[PartOut] = [wait(submit(part_meta, job)) for job in jobs]
    problems, line_offset, place_offset, clock_before = offsets(parts, outs)
    problems.extend(spans(parts, outs, line_offset, fields, settings))
    checks = []
    for number in range(partitions):
        pieces = [(submit(pick_piece, jobs[i], number), line_offset[i], place_offset[i],
                   clock_before[i], parts[i].file)
                  for i, out in enumerate(outs) if out.pieces and out.pieces[number] is not None]
        checks.append(submit(check_partition_task, spec, settings, timers, list(files), pieces))
    results = [wait(job) for job in checks]
    for result in results:
        result.model = model
    head = LogResult(model, False, settings, problems=problems)
    return merge_results([head, *results], files)


def offsets(parts: Sequence[Any], outs: Sequence[PartOut]
            ) -> tuple[list[InputProblem], list[int], list[int], list[float]]:
    """The parts' malformed lines numbered in their files, and for each part its first line
    number (less one) in its file, its first record's place in the input, and the input's
    clock before it."""
    problems: list[InputProblem] = []
    line_offset, place_offset, clock_before = [], [], []
    places, clock = 0, -1e300
    previous_file = -1
    lines = 0
    for part, out in zip(parts, outs, strict=True):
        if part.file != previous_file:
            lines, previous_file = 0, part.file
        line_offset.append(lines)
        place_offset.append(places)
        clock_before.append(clock)
        problems.extend(InputProblem(p.path, p.line + lines if p.line else 0, p.message)
                        for p in out.problems)
        lines += out.lines
        places += out.rows
        clock = max(clock, out.latest)
    return problems, line_offset, place_offset, clock_before


def spans(parts: Sequence[Any], outs: Sequence[PartOut], line_offset: Sequence[int],
           fields: Fields, settings: CheckSettings) -> list[InputProblem]:
    """Broken CSV quotes open at the end of a part: where they close, in the parts after."""
    from .csvrecords import CsvLines

    found: list[InputProblem] = []
    for i, out in enumerate(outs):
        for line, column, span in out.open:
            name = parts[i].name
            reporter = CsvLines(name, fields, found.append)
            at, total = i + 1, span
            while at < len(parts) and parts[at].file == parts[i].file:
                nxt = outs[at]
                if nxt.first_close is not None:
                    total += nxt.first_close
                    reporter.report_span(line + line_offset[i], column,
                                         f"csv would run it over {total} lines, to line "
                                         f"{line + line_offset[i] + total - 1}")
                    break
                total += nxt.lines
                at += 1
            else:
                reporter.report_span(line + line_offset[i], column,
                                     f"it runs to the end of the file ({total} lines)")
    return found
