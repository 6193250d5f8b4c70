"""Writing a part down whole: its batches as one piece, with the hashes of its session ids.

Where sessions are long (``--jobs``, :mod:`.fastparts`), a part is not checked as it is
read but written down whole (Arrow IPC, :func:`~.partition.add_stream`) and checked once
every part is read (:func:`~.fastparts.check_part_task`). This module owns that writing, for
:func:`~.fastparts.spill_part_task` and for a guess task that finds long sessions at the
start of its part (:func:`~.guesses.guess_part_task`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .idhashes import distinct, merged
from .partition import PartOut, add_stream

__all__ = ["spill", "OPTIONAL"]

#: The columns a part's piece may leave out when a batch has no value in them.
OPTIONAL = ("cause", "group")


def spill(batches: Iterable[Any], out: PartOut, name: str) -> None:
    """Write ``batches`` (polars frames: a part's, in order) to the file ``name`` as one
    piece; ``out`` is given the rows, the latest time, the piece and the ids' hashes."""
    sizes: list[int] = []
    seen: list[Any] = []
    clock = -1e300
    with open(name, "wb") as sink:
        for batch in batches:
            out.rows += batch.height
            clock = max(clock, float(batch["time"].max()))
            seen.append(distinct(batch["session"].hash().to_numpy()))
            # the file is the part's; a column of nulls is not written
            frame = batch.drop("file", *[c for c in OPTIONAL
                                         if batch[c].null_count() == batch.height])
            add_stream(sink, frame, sizes)
    out.pieces = [(name, tuple(sizes))] if sizes else [None]
    out.hashes = merged(seen)
    out.latest = clock
