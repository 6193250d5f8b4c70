"""An experiment, not part of statusproof: ``--jobs 2`` as a *relay*, measured.

docs/logs.md ("Figures", eighth pass) weighs two ways to check in parallel without the split
``logcheck/fastparts.py`` had then (each record written and read back; since the ninth pass
each part is checked as it is read, on a guess verified afterwards). This script measures the
first: the parts of a CSV file are read side by side by two processes and held in memory, and
the fast path's checker (``FastChecker``) is pickled and handed from one process to the other
in input order, each part checked with the state the part before it left. The checks run one
after another; the reading of the next part runs beside them.

It prints the wall time, each process's CPU, the CPU of the hand-offs, and the counts of the
result (records, sessions, conforming, violations), to compare with ``statusproof logs`` on
the same file. It reads only CSV files without malformed lines (it reports no problems) and
uses the bundled model.

Usage: ``python benchmarks/relay_experiment.py FILE.csv [--parts 16]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import pickle
import time
from multiprocessing.connection import Connection
from typing import Any


def _setup(file: str, parts: int) -> tuple[Any, Any, Any, list[Any]]:
    from statusproof.logcheck.allocator import keep_freed_memory
    from statusproof.logcheck.partition import ModelSpec
    from statusproof.logcheck.parts import plan_parts
    from statusproof.logcheck.records import default_fields

    keep_freed_memory()
    model, names = ModelSpec().load()
    return model, names, default_fields("csv"), plan_parts([file], "csv", parts)


def _read(part: Any, fields: Any) -> tuple[list[Any], int, int]:
    """A part's batches, its lines and its records."""
    from statusproof.logcheck.batches import PartState
    from statusproof.logcheck.fastread import read_part
    from statusproof.logcheck.rawlines import BULK_BLOCK, DEFAULT_MAX_LINE_BYTES

    state = PartState()
    frames = list(read_part(part, "csv", fields, lambda problem: None,
                            DEFAULT_MAX_LINE_BYTES, BULK_BLOCK, state))
    return frames, state.lines, sum(frame.height for frame in frames)


def _check(checker: Any, frames: list[Any], lines: int, places: int, clock: float) -> float:
    """Feed a part's batches with the lines, places and clock of the whole input."""
    import polars as pl

    from statusproof.logcheck.fastpath import with_clock

    for frame in frames:
        framed, clock = with_clock(frame.with_columns(line=pl.col("line") + lines), places,
                                   clock)
        places += frame.height
        checker.feed(framed)
    return clock


def _worker(conn: Connection, file: str, parts: int) -> None:
    """The second process: reads the parts it is told to, checks them when handed the
    checker, hands it back."""
    _, _, fields, planned = _setup(file, parts)
    held: dict[int, tuple[list[Any], int, int]] = {}
    while True:
        message = conn.recv()
        if message[0] == "read":
            at = message[1]
            held[at] = _read(planned[at], fields)
            conn.send(("read", at, held[at][1], held[at][2]))
        elif message[0] == "check":
            _, at, blob, lines, places, clock = message
            start = time.process_time()
            checker = pickle.loads(blob)
            spent = time.process_time() - start
            clock = _check(checker, held.pop(at)[0], lines, places, clock)
            start = time.process_time()
            blob = pickle.dumps(checker, protocol=5)
            conn.send(("checked", at, blob, clock, spent + time.process_time() - start))
        else:
            conn.send(("cpu", time.process_time()))
            return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--parts", type=int, default=16)
    args = parser.parse_args()
    os.environ["POLARS_MAX_THREADS"] = "1"  # one core per process, as --jobs
    started = time.perf_counter()
    here, there = multiprocessing.get_context("spawn").Pipe()
    other = multiprocessing.get_context("spawn").Process(
        target=_worker, args=(there, args.file, args.parts))
    other.start()
    model, names, fields, planned = _setup(args.file, args.parts)
    from statusproof.logcheck.fastpath import FastChecker
    from statusproof.logcheck.result import CheckSettings
    from statusproof.logcheck.timersettings import TimerSettings

    checker = FastChecker(model, names, CheckSettings(), [args.file], TimerSettings())
    counts: dict[int, tuple[int, int]] = {}  # lines and records of each part read
    handoffs = 0.0

    def receive() -> tuple[Any, ...]:
        """The other process's next message but the counts of a part read."""
        while True:
            message: tuple[Any, ...] = here.recv()
            if message[0] != "read":
                return message
            counts[message[1]] = (message[2], message[3])

    # even parts here, odd parts there; each process reads its next part while the other
    # checks
    here.send(("read", 1))
    mine = {0: _read(planned[0], fields)}
    counts[0] = mine[0][1:]
    lines = places = 0
    clock = -1e300
    total = len(planned)
    for at in range(0, total, 2):
        if at:
            _, _, blob, clock, cost = receive()
            start = time.process_time()
            checker = pickle.loads(blob)
            handoffs += cost + time.process_time() - start
        clock = _check(checker, mine.pop(at)[0], lines, places, clock)
        lines, places = lines + counts[at][0], places + counts[at][1]
        if at + 1 < total:
            while at + 1 not in counts:  # the other process's next message: that read
                message = here.recv()
                counts[message[1]] = (message[2], message[3])
            start = time.process_time()
            blob = pickle.dumps(checker, protocol=5)
            handoffs += time.process_time() - start
            here.send(("check", at + 1, blob, lines, places, clock))
            lines, places = lines + counts[at + 1][0], places + counts[at + 1][1]
            if at + 3 < total:
                here.send(("read", at + 3))
            if at + 2 < total:
                mine[at + 2] = _read(planned[at + 2], fields)
                counts[at + 2] = mine[at + 2][1:]
    if total % 2 == 0:
        _, _, blob, clock, cost = receive()
        handoffs += cost
        checker = pickle.loads(blob)
    result = checker.finish()
    here.send(("stop",))
    other_cpu = receive()[1]
    other.join()
    print(f"relay of {total} parts: {time.perf_counter() - started:.2f} s wall; CPU "
          f"{time.process_time():.2f} s here, {other_cpu:.2f} s in the other process, "
          f"{handoffs:.2f} s of it the hand-offs; records {result.records:,}, sessions "
          f"{result.sessions:,}, conforming {result.conforming:,}, violations "
          f"{len(result.violations):,}")


if __name__ == "__main__":
    main()
