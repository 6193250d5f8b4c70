"""``--jobs N``, the first step: each part read and checked at once, on a guess verified after.

This module owns :func:`guess_part_task` and what it gives (:class:`Guess`), and the test of
a guess (:func:`guess_holds`). A part's sessions are those whose ids are in no other part,
which only the reading of every part can tell; waiting for that meant writing each part
down and reading it back (a fifth of the work of a check). Instead, a part is checked as it
is read, on a guess of which of its sessions are its own, and the guess is verified once
every part is read:

- **held** sessions (a guess that they are in another part too) are those with a record
  among the part's first ``margin`` records (sessions that began before the part), but those
  whose first record there comes after the first ``margin / 4`` (the *lead*) and has a
  status that begins every session (:func:`held_at_start`); and those with a record among
  its last ``margin`` and none checked yet (sessions that go on after it; a part's rows are
  checked ``margin`` records behind its reading, so that the last ones are known before they
  are checked), but those whose last record has a status that ends every session and comes
  a lead or more before the part's end (:func:`held_at_end`). Their rows are set aside, as
  :mod:`.fastparts` sets aside the spanning sessions' rows, and checked with the rows of
  every other part's held sessions;
- every other session is **checked** in the part. The guess holds when none of them is in
  another part (by the hashes of the ids, as :func:`~.fastparts.spanning_hashes`), and the
  input's clock before the part is not after the part's own clock at the end of its lead
  (the latest time read in it; every row checked comes after it, so its clock in the part
  is then the clock of the whole input). A part whose guess fails is checked again from its
  text (:func:`~.fastparts.check_part_task`): the report never depends on the guess, only
  the work does. The statuses that begin and end sessions are the model's (in a log the
  machine allows, a session's first record has the first and its last the second): with
  them, the sessions held are about those open at the part's two ends and those begun or
  ended within a lead of them.

What the part cannot know while it is read, its first line number in its file, is filled in
afterwards: the part's checker names its file by a *token*, and :func:`rebase` puts the
file's name and the line numbers of the whole file in place of the token and the part's own
line numbers, in every violation, issue, record and message of the result.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .idhashes import Members, distinct, in_sorted, merged
from .partition import ModelSpec, PartOut, ShareSinks
from .records import Fields
from .result import CheckSettings, GapPattern, Issue, LogResult, Tally, Violation
from .spill import spill
from .timersettings import TimerSettings

__all__ = ["Guess", "guess_part_task", "guess_holds", "rebase", "MARGIN", "LEAST_MARGIN",
           "SAMPLE", "margin_of", "held_at_start", "held_at_end"]

#: The most records at each end of a part whose sessions are held (see the module
#: docstring), and the least: the margin is four times the longest session's span in the
#: part's first :data:`SAMPLE` records (:func:`margin_of`). A session quiet for longer across
#: a part's end makes the guess fail and the part is checked again (docs/logs.md,
#: "Processes and clusters"); each record held costs a second write, read and check.
MARGIN = 16384
LEAST_MARGIN = 4096
#: The records at the start of a part whose sessions' spans give its margin.
SAMPLE = 1 << 16


def margin_of(hashed: Any) -> int:
    """The margin for a part, from the hashes of the session ids of its first records, in
    order (up to :data:`SAMPLE`), by the longest span, in records, from a session's first
    record to its last among them: four times that span, between :data:`LEAST_MARGIN` and
    :data:`MARGIN`; or 0 when twice the span is over :data:`MARGIN`. Where many sessions are
    open at once, a session's records lie far apart and a part's ends would have to hold
    most of them, or the guesses fail and the parts are read twice: 0 says to write the
    part down instead (:mod:`.spill`)."""
    import numpy as np

    if not len(hashed):
        return LEAST_MARGIN
    order = np.argsort(hashed, kind="stable")  # each session's rows together, in order
    ranked = hashed[order]
    starts = np.flatnonzero(np.concatenate(([True], ranked[1:] != ranked[:-1])))
    ends = np.concatenate((starts[1:], [len(ranked)])) - 1
    longest = int((order[ends] - order[starts]).max())
    return 0 if 2 * longest > MARGIN else min(MARGIN, max(LEAST_MARGIN, 4 * longest))


@dataclass
class Guess:
    """What the first step gives for a part: the part's counts, problems and held rows
    (``out``: its piece, and the hashes of all its ids), the result of the sessions it
    checked (in the token's name: :func:`rebase`), the hashes of the held ones (the others
    were checked), and the part's clock after its first ``margin`` rows (the latest time
    read in them)."""

    out: PartOut
    result: LogResult
    held: Any
    head_clock: float
    token: str

    @property
    def rows(self) -> int:
        """The part's records (for a progress bar)."""
        return self.out.rows


def guess_part_task(index: int, part: Any, fmt: str, fields: Fields, max_line_bytes: int,
                    block_size: int, folder: str, spec: ModelSpec, settings: CheckSettings,
                    timers: TimerSettings, files: Sequence[str], token: str,
                    margin: int | None, shares: int = 1) -> Guess | PartOut:
    """Step 1 of ``--jobs``: read a part, check the sessions guessed to be its own, set the
    held ones' rows aside (see the module docstring), in ``shares`` pieces (one for each
    share of the last step: :class:`~.partition.ShareSinks`). ``margin`` None: measured on
    the part's first records (:func:`margin_of`); where that says its sessions are long,
    the part is written down whole instead, and what is returned is the part read
    (:func:`~.spill.spill`, as :func:`~.fastparts.spill_part_task`)."""
    import numpy as np
    import polars as pl

    from .batches import PartState
    from .fastpath import HASH, FastChecker, id_hashes, with_clock, with_hashes
    from .fastread import read_part
    from .partition import BATCH_ROWS

    out = PartOut()
    state = PartState()
    batches: Iterator[pl.DataFrame] = read_part(part, fmt, fields, out.problems.append,
                                                 max_line_bytes, block_size, state)
    if margin is None:
        sample: list[pl.DataFrame] = []
        for batch in batches:
            sample.append(batch)
            if sum(frame.height for frame in sample) >= SAMPLE:
                break
        margin = margin_of(pl.concat([frame["session"] for frame in sample]).head(SAMPLE)
                           .hash().to_numpy()) if sample else LEAST_MARGIN
        batches = itertools.chain(sample, batches)
        if not margin:  # long sessions: the part is written down whole
            spill(batches, out, os.path.join(folder, f"part{index}.arrow"))
            out.open, out.first_close, out.lines = state.open, state.first_close, state.lines
            return out
    model, names = spec.load()
    named = list(files)
    named[part.file] = token  # the part's checker names the file by the token (rebase)
    # the checker keeps the hashes of the ids it checks: those of the part's rows not held
    checker = FastChecker(model, names, settings, named, timers, ids=True)
    held_rows = ShareSinks(os.path.join(folder, f"held{index}"), shares)
    codes, tables = checker.codes, checker.tables
    # the first ``margin`` rows' id hashes and status numbers (the sessions held at the start)
    head: list[Any] = []
    head_codes: list[Any] = []
    held: Members | None = None
    # the rows not yet checked nor held: frame, its hashes
    window: deque[tuple[pl.DataFrame, Any]] = deque()
    set_aside: list[Any] = []  # the distinct hashes of the held rows' ids
    waiting: list[pl.DataFrame] = []
    waiting_rows = 0
    places, clock = 0, -1e300
    margin = max(margin, 1)
    # the first row is held (its clock is not the part's to know), and every session begun
    # in the first ``lead`` rows (a session open before the part has a record there, most
    # likely, even with a fault): the part's clock after them is the guess's
    lead = max(margin // 4, 1)
    head_clock = float("inf")

    def check(frame: pl.DataFrame | None) -> None:
        nonlocal waiting_rows
        if frame is not None and frame.height:
            waiting.append(frame)
            waiting_rows += frame.height
        if waiting and (frame is None or waiting_rows >= BATCH_ROWS):
            checker.feed(waiting[0] if len(waiting) == 1 else pl.concat(waiting))
            waiting.clear()
            waiting_rows = 0

    def release(frame: pl.DataFrame, hashed: Any, away: Any) -> None:
        if away.any():
            held_rows.add(frame.drop("file", HASH).filter(pl.Series(away)), hashed[away])
            set_aside.append(distinct(hashed[away]))
            frame = frame.filter(pl.Series(~away))
        check(frame)

    def held_of(hashed: Any) -> Any:
        return np.ones(len(hashed), dtype=np.bool_) if held is None else held.of(hashed)

    try:
        buffered = 0
        for batch in batches:
            before = clock
            frame, clock = with_clock(batch, places, clock)
            places += batch.height
            frame, hashed = with_hashes(frame)  # the bulk check's, too
            if out.rows < lead <= out.rows + batch.height:
                head_clock = max(before, float(
                    batch["time"][:lead - out.rows].max()))  # type: ignore[arg-type]
            if held is None:
                head.append(hashed[:margin - out.rows])
                head_codes.append(codes.statuses(frame["status"][:margin - out.rows]))
                if out.rows + batch.height >= margin:
                    held = Members(held_at_start(np.concatenate(head),
                                                 np.concatenate(head_codes), lead,
                                                 tables.fresh))
            out.rows += batch.height
            window.append((frame, hashed))
            buffered += frame.height
            while buffered - window[0][0].height >= margin:  # the head is known by now
                frame, hashed = window.popleft()
                buffered -= frame.height
                release(frame, hashed, held_of(hashed))
        # the last rows: a session of the last ``margin`` none of whose rows was checked is
        # held, but one whose last record ends it; the others checked (a session held at the
        # start is held whichever)
        # (the rows waiting to be checked count as checked: no small batch checked for them)
        checked = [*(checker.ids or []), *(distinct(id_hashes(frame)) for frame in waiting)]
        ending = Members(held_at_end(window, margin, lead, codes.statuses, tables.closing,
                                     checked))
        for frame, hashed in window:
            release(frame, hashed, held_of(hashed) | ending.of(hashed))
        check(None)
    finally:
        out.pieces = held_rows.close()
    result = checker.finish()
    result.model = None  # type: ignore[assignment]  # the coordinator has it
    aside = merged(set_aside)
    out.hashes = merged([*(checker.ids or []), aside])  # every row is checked or held
    out.latest = clock
    out.open, out.first_close, out.lines = state.open, state.first_close, state.lines
    return Guess(out, result, aside, head_clock, token)


def held_at_start(hashes: Any, codes: Any, lead: int, fresh: Any) -> Any:
    """The sessions held at a part's start (sorted id hashes): those with a record among its
    first rows (``hashes``, ``codes``: their id hashes and status numbers), but those that
    begin there, after its first ``lead`` rows, with a status that begins every session
    (:attr:`~.fasttables.FastTables.fresh`): in a log the machine allows, such a session has
    no record in the parts before (where it has, as with a reused id, or a fault more than
    ``lead`` rows into the part, the guess fails and the part is read again)."""
    import numpy as np

    ids, first = np.unique(hashes, return_index=True)
    status = codes[first]
    begun = (first >= lead) & (status >= 0) & fresh[np.maximum(status, 0)]
    return ids[~begun]


def held_at_end(window: Any, margin: int, lead: int, numbers: Any, closing: Any,
                checked: Any) -> Any:
    """The sessions held at a part's end (sorted id hashes): those with a record among its
    last ``margin`` rows (the frames and id hashes of ``window``; ``numbers``: a status
    column's numbers) none of whose records was checked (``checked``: the id hashes of each
    batch checked), but those whose last record ends them
    (:attr:`~.fasttables.FastTables.closing`) and comes ``lead`` rows or more before the
    part's end (a record after a session's end, a fault, comes soon after it: nearer the
    end, the session is held)."""
    import numpy as np
    import polars as pl

    if not window:
        return np.zeros(0, dtype=np.uint64)
    last = np.concatenate([hashed for _, hashed in window])[-margin:]
    status = numbers(pl.concat([frame["status"] for frame, _ in window]).tail(len(last)))
    ids, from_end = np.unique(last[::-1], return_index=True)
    final = status[len(last) - 1 - from_end]
    ids = ids[~((from_end >= lead) & (final >= 0) & closing[np.maximum(final, 0)])]
    # a search in each batch's ids for these few (cheaper than merging every batch's)
    before = np.zeros(len(ids), dtype=np.bool_)
    for found in checked:
        before |= in_sorted(ids, found)
    return ids[~before]


def guess_holds(guess: Guess, spanning: Any, clock_before: float) -> bool:
    """Whether the part's guess was right (see the module docstring)."""
    import numpy as np

    if clock_before > guess.head_clock:
        return False
    every = guess.out.hashes
    if not len(spanning) or every is None or not len(every):
        return True
    mine = spanning[in_sorted(spanning, every)]  # the part's spanning sessions
    return bool(np.all(in_sorted(mine, guess.held)))


def rebase(result: LogResult, token: str, name: str, offset: int) -> LogResult | None:
    """``result`` with ``name`` for the token and the lines of the whole file (the part's
    lines plus ``offset``); None if the token is still found anywhere (then the guess is
    not used)."""
    place = re.compile(re.escape(token) + r":(\d+)")

    def text(value: str) -> str:
        return place.sub(lambda m: f"{name}:{int(m.group(1)) + offset}", value)

    def record(r: Any) -> Any:
        return r._replace(path=name, line=r.line + offset) if r.path == token else r

    def tally(item: Tally) -> Tally:
        file, path, line = item.position
        if path != token:
            return item
        return Tally(item.count, f"{name}:{line + offset}", (file, name, line + offset))

    def violation(v: Violation) -> Violation:
        path, line, records = v.path, v.line, v.records
        if path == token:
            path, line, records = name, line + offset, tuple(record(r) for r in records)
        return Violation(v.kind, path, line, v.session, text(v.message), records, v.allowed,
                         v.source, v.target)

    violations = [violation(v) for v in result.violations]
    issues = [Issue(i.kind, name if i.path == token else i.path,
                    i.line + offset if i.path == token else i.line, i.session, text(i.message))
              for i in result.issues]
    gaps = {key: GapPattern(g.source, g.path, g.ending, g.count, text(g.first), g.session,
                            g.trace, (g.position[0], name, g.position[2] + offset)
                            if g.position[1] == token else g.position)
            for key, g in result.gaps.items()}
    rebased = replace(result, violations=violations, issues=issues, gaps=gaps,
                      drift={k: tally(t) for k, t in result.drift.items()},
                      unmodelled={k: tally(t) for k, t in result.unmodelled.items()},
                      unknown={k: tally(t) for k, t in result.unknown.items()})
    texts = [*(v.message for v in violations), *(i.message for i in issues),
             *(r.path for v in violations for r in v.records),
             *(t.first for book in (rebased.drift, rebased.unmodelled, rebased.unknown)
               for t in book.values()), *(g.first for g in gaps.values())]
    return None if any(token in t for t in texts) else rebased

