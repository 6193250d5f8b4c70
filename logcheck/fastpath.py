"""The fast path: checking event records in bulk, the exact checker as its oracle.

This module owns :class:`FastChecker`. It takes batches of records (polars data frames from
:mod:`.fastread`, each row with its place in the input and the input's clock before it) and
checks, for all rows at once, what the exact streaming checker (:mod:`.checker`) would check
one record at a time, with the integer tables of :mod:`.fasttables`:

- statuses and causes become numbers; the remembered status of each record is a forward
  fill, within its session, of the last status that does not remember; so each record names
  one machine state;
- a session's first record must be an initial state; every later one a step the machine
  allows from the state before (guards, timers on the status and session clocks, deadlines),
  in time order, not a repeat, and not after an ended state.

A session all of whose records pass is *clean*: it cannot give a violation or an issue, so
only its counts and coverage are kept. A session with any record that does not pass (and
every session the fast path cannot follow: an unknown or ambiguous name, a cause left open,
records out of order, timer settings of its own) is handed to the exact checker, which
produces the report lines. The hand-over is exact: the fast path keeps, for each open session,
its records not yet checked in the exact checker's sense (those within the reorder window of
the input's clock) and the eight before them, so the exact checker takes the session over in
the state it would have had (:meth:`~.events.EventSteps.adopt_open`,
:meth:`~.events.EventSteps.replay`). Memory: the open sessions' recent records, the ids of
sessions ended within ``closed_memory``, one batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from statusproof.model.model import Model

from .checker import LogChecker
from .fastcodes import shared_codes
from .idhashes import distinct, in_sorted
from .namemap import NameMap
from .records import Record
from .result import CheckSettings, LogResult, merge_results
from .timersettings import Profiles, TimerSettings

__all__ = ["FastChecker", "with_clock", "with_hashes", "id_hashes", "HASH"]

#: Sessions handed to the exact checker with records to replay: each id, and those records
#: (rows as dicts, in input order).
Replays = list[tuple[str, list[dict[str, Any]]]]

_CLOSED = {"session": pl.String, "time": pl.Float64, "file": pl.Int32, "line": pl.Int64,
           "status": pl.String, "cause": pl.String, "group": pl.String}
_CARRY = {"seq": pl.Int64, "t0": pl.Float64, "state": pl.Int64, "nr": pl.Int64,
          "cut": pl.Boolean, "counted": pl.Boolean, "tail": pl.Boolean}


#: The column of a batch that holds the hashes of its session ids (polars' ``hash``), when
#: its maker has them already (:func:`with_hashes`): the bulk check then does not hash again.
HASH = "idhash"


def with_hashes(frame: pl.DataFrame) -> tuple[pl.DataFrame, Any]:
    """The frame with the hashes of its session ids as the column :data:`HASH`, and those
    hashes (for a maker of batches that needs them itself: ``--jobs``)."""
    hashed = frame["session"].hash().to_numpy()
    return frame.hstack([pl.Series(HASH, hashed)]), hashed


def id_hashes(frame: pl.DataFrame) -> Any:
    """The hashes of a frame's session ids: its column :data:`HASH`, or computed."""
    return (frame[HASH] if HASH in frame.columns else frame["session"].hash()).to_numpy()


def with_clock(batch: pl.DataFrame, first: int, clock: float) -> tuple[pl.DataFrame, float]:
    """The batch with ``gidx`` (place in the input, from ``first``) and ``horizon`` (the
    latest time read before each row, ``clock`` before the batch); and the clock after it."""
    # numpy and hstack: polars' cum_max, shift and clip, and with_columns (a query of the
    # lazy engine), cost some five times more on a batch
    times = batch["time"].to_numpy()
    n = len(times)
    horizon = np.full(n, clock, dtype=np.float64)
    if n > 1:
        np.maximum(np.maximum.accumulate(times[:-1]), clock, out=horizon[1:])
    frame = batch.hstack([pl.Series("gidx", np.arange(first, first + n, dtype=np.int64)),
                          pl.Series("horizon", horizon)])
    return frame, max(clock, float(times.max())) if n else clock


def _rows(frame: pl.DataFrame, where: Any) -> pl.DataFrame:
    """The rows at the (numpy) positions ``where`` (a Series index is the fast way)."""
    return frame[pl.Series(where, dtype=pl.Int64)]


def _take(carry: pl.DataFrame | None, batch: pl.DataFrame, where: Any, columns: list[str]
          ) -> tuple[pl.DataFrame, Any]:
    """The rows at positions ``where`` of the carried rows followed by the batch, of
    ``columns``: the carried ones first, each kind in the order of ``where``; and the order
    of ``where`` they come in (None: its own). Each kind is taken from its own frame, which
    is one piece of memory: a gather from the two put end to end is some four times dearer."""
    kept = carry.height if carry is not None else 0
    old = where < kept
    n_old = int(np.count_nonzero(old))
    if not n_old:
        return _rows(batch[columns], where - kept), None
    assert carry is not None
    if n_old == len(where):
        return _rows(carry[columns], where), None
    order = np.argsort(~old, kind="stable")
    placed = where[order]
    return pl.concat([_rows(carry[columns], placed[:n_old]),
                      _rows(batch[columns], placed[n_old:] - kept)]), order


def _before(values: Any) -> Any:
    """Each row's value of the row before it (the first row: its own; where a session
    begins, the caller does not use it)."""
    shifted = np.empty_like(values)
    shifted[:1] = values[:1]
    shifted[1:] = values[:-1]
    return shifted


class FastChecker:
    """Bulk checking of event records (see the module docstring)."""

    def __init__(self, model: Model, names: NameMap, settings: CheckSettings,
                 files: Sequence[str], timers: TimerSettings | None = None,
                 ids: bool = False) -> None:
        self.timers = timers or TimerSettings()
        self.profiles = Profiles(model, self.timers, settings.slack)
        self.tables, self.codes = shared_codes(self.profiles, names)
        self.exact = LogChecker(model, names, settings, False, files,
                                compiled=self.profiles.default, profile=self.profiles)
        self.result = LogResult(model, False, settings)
        self.files = list(files)
        self.window = settings.reorder_window
        self.slack = self.profiles.default.slack
        self.memory = settings.closed_memory
        self.carry: pl.DataFrame | None = None
        #: sessions that ended cleanly and are remembered (see ``closed_memory``)
        self.closed = pl.DataFrame(schema=_CLOSED)
        #: the hashes of their ids, and their last times (a quick test before the exact one)
        self.closed_hash: Any = np.zeros(0, dtype=np.uint64)
        self.closed_time: Any = np.zeros(0, dtype=np.float64)
        #: the same hashes, sorted (for the membership tests of each batch)
        self.closed_sorted: Any = np.zeros(0, dtype=np.uint64)
        #: the latest time and the number of rows of each slice added to ``closed`` since it
        #: was last filtered (how many rows have expired, at least, without a pass over them)
        self.closed_ages: list[tuple[float, int]] = []
        self.clock = -1e300
        n = len(self.tables.states)
        #: steps counted so far, by (state before) * n + (state after); states seen
        self.pairs: Any = np.zeros(n * n, dtype=np.int64)
        self.seen: Any = np.zeros(n, dtype=np.bool_)
        self.handed = 0
        #: with ``ids``: the distinct hashes of the session ids of each batch fed, sorted
        #: (``--jobs``, :mod:`.guesses`: the bulk check finds them anyway)
        self.ids: list[Any] | None = [] if ids else None

    # -- input ---------------------------------------------------------------------------
    def feed(self, batch: pl.DataFrame) -> None:
        """A batch with ``gidx`` and ``horizon`` (see :func:`with_clock`)."""
        if not batch.height:
            return
        self.result.records += batch.height
        end_clock = max(self.clock, float(batch["horizon"].max()),  # type: ignore[arg-type]
                        float(batch["time"].max()))  # type: ignore[arg-type]
        known = self.exact.known_ids()
        if known:
            mine = batch["session"].is_in(list(known))
            to_exact = batch.filter(mine)
            batch = batch.filter(~mine)
        else:
            to_exact = batch.clear()
        if self.ids is not None and to_exact.height:
            self.ids.append(distinct(id_hashes(to_exact)))
        replays: Replays = []
        merged = [to_exact]
        if batch.height:
            handed, new_rows = self._check(batch, end_clock, replays)
            merged.append(new_rows)
            self.handed += handed
        # most batches hand nothing to the exact checker: no concatenation (a query of the
        # lazy engine) of empty frames then
        rows = [part for part in merged if part.height]
        self._exact_feed(replays, rows[0] if len(rows) == 1 else pl.concat(
            rows or merged, how="diagonal_relaxed"))
        self.clock = end_clock
        self.exact.advance(end_clock)
        self._forget(end_clock)

    def _forget(self, clock: float) -> None:
        # a remembered session past ``closed_memory`` is never recalled (``_recalled`` tests
        # the time), so the table is pruned only once a quarter of it has expired: one filter
        # every few batches instead of one per batch
        if self.closed.height:
            limit = clock - self.memory
            if sum(rows for latest, rows in self.closed_ages if latest < limit) * 4 > len(
                    self.closed_time):
                self._closed_keep(self.closed_time >= limit)

    def _closed_keep(self, keep: Any) -> None:
        self.closed = self.closed.filter(pl.Series(keep))
        self.closed_hash, self.closed_time = self.closed_hash[keep], self.closed_time[keep]
        self.closed_sorted = np.sort(self.closed_hash)
        self.closed_ages = ([(float(self.closed_time.max()), len(self.closed_time))]
                            if len(self.closed_time) else [])

    # -- the bulk check ------------------------------------------------------------------
    def _check(self, batch: pl.DataFrame, end_clock: float,
               replays: Replays) -> tuple[int, pl.DataFrame]:
        """Check the rows of the sessions the fast path follows; returns how many sessions
        were handed over and their rows of this batch (for the exact checker)."""
        tables = self.tables
        carry = self.carry
        kept = carry.height if carry is not None else 0
        if carry is not None and kept:  # the carried columns are null in the new rows
            frame = pl.concat([carry, batch], how="diagonal_relaxed", rechunk=False)
        else:
            frame = batch.with_columns([pl.lit(None, dtype=d).alias(c)
                                        for c, d in _CARRY.items()])
        n = frame.height
        # the rows grouped by session, in input order within each: a sort on the high bits of
        # a hash of the id with the row's place in the low bits (unique keys, so the quick
        # sort is stable: some 40% cheaper than a stable sort of the hashes); on a collision
        # of two ids in the high bits, a sort on the ids themselves
        hashes = id_hashes(frame)
        bits = np.uint64(max(n.bit_length(), 1))
        order = np.argsort((hashes >> bits << bits) | np.arange(n, dtype=np.uint64))
        sorted_hashes = hashes[order]
        high = sorted_hashes >> bits
        starts_mask = np.empty(n, dtype=np.bool_)
        starts_mask[0] = True
        np.not_equal(high[1:], high[:-1], out=starts_mask[1:])
        collided = int(starts_mask.sum()) != frame["session"].n_unique()
        if collided:
            order = frame.with_row_index("i").sort("session", "gidx")["i"].to_numpy()
            ids = frame["session"].gather(order)
            starts_mask = (ids != ids.shift(1)).fill_null(True).to_numpy()
            sorted_hashes = hashes[order]
        if self.ids is not None:  # one hash a session, in order but where two collide
            firsts = sorted_hashes[starts_mask]
            self.ids.append(distinct(firsts) if collided else firsts)
        idx = np.arange(n)
        run_starts = np.flatnonzero(starts_mask)
        run_id = np.cumsum(starts_mask) - 1
        run_first = run_starts[run_id]

        def column(name: str, fill: Any) -> Any:
            """A carried column (the carried rows come first), ``fill`` for new rows."""
            values = np.full(n, fill, dtype=np.asarray(fill).dtype)
            if kept:
                assert carry is not None
                values[:kept] = carry[name].to_numpy()
            return values[order]

        is_new = order >= kept
        time = frame["time"].to_numpy()[order]
        horizon = frame["horizon"].to_numpy()[order]
        seq_old = column("seq", -1)
        base = np.where(is_new[run_first], 0, seq_old[run_first])
        seq = np.where(is_new, base + (idx - run_first), seq_old)
        t0 = np.where(is_new[run_first], time[run_first], column("t0", 0.0)[run_first])
        # status and cause numbers
        scode_in = self.codes.statuses(frame["status"])
        ccode = self.codes.causes(frame["cause"], scode_in)[order]
        scode = scode_in[order]
        known_status = scode >= 0
        remembers = tables.remembers[np.maximum(scode, 0)] & known_status
        # the remembered status: a forward fill of the last status that does not remember
        has = ~is_new | ~remembers
        value = np.where(is_new, np.where(remembers, -1, scode), column("nr", -1))
        last = np.maximum.accumulate(np.where(has, idx, -1))
        fill = np.where(last >= run_first, value[np.maximum(last, 0)], -1)
        has_prev = idx > run_first
        remembered = np.where(remembers & has_prev, _before(fill), -1)
        good = known_status & (ccode >= 0)
        # the tables are indexed flat: a take is some four times cheaper than an index by
        # two or three arrays
        _, rows, width = tables.state_of.shape
        key = np.where(good, (scode * rows + remembered + 1) * width + ccode, 0)
        state = np.where(good, tables.state_of.ravel().take(key), -1)
        state = np.where(is_new, state, column("state", -1))
        # steps (the row before, shifted, not gathered)
        p_state = np.where(has_prev, _before(state), -1)
        p_time = np.where(has_prev, _before(time), -np.inf)
        sp, sq = np.maximum(p_state, 0), np.maximum(state, 0)
        p_status = tables.state_status.take(sp)
        # a repeated record (the exact checker compares the texts; equal numbers are enough
        # to hand the session over)
        dup = has_prev & (time == p_time) & (scode == _before(scode)) & (ccode == _before(ccode))
        dwell = time - p_time
        slack = self.slack
        pair = sp * len(tables.states) + sq
        lower = tables.lower.ravel().take(pair)
        session_lower = tables.session_lower.ravel().take(pair)
        step_ok = ((p_state >= 0) & (state >= 0) & tables.allowed.ravel().take(pair)
                   & ~tables.ended.take(sp)
                   & (time >= p_time) & ~dup
                   & (dwell <= tables.deadline[p_status] + slack)
                   & (time <= np.maximum(p_time, t0 + tables.session_deadline[p_status]) + slack)
                   & (lower <= dwell + slack)
                   & ((session_lower <= 0) | (session_lower <= time - t0 + slack)))
        first = seq == 0
        valid = np.where(first, (state >= 0) & tables.initial[sq], step_ok)
        bad_row = is_new & ~valid
        if self.timers.varies:
            bad_row |= is_new & first & self._varied(frame)[order]
        hits, ends = self._recalled(frame, order, run_starts, is_new, horizon, hashes)
        if hits:
            bad_row |= frame["session"].is_in(list(hits)).to_numpy()[order]
        bad_run = np.add.reduceat(bad_row.astype(np.int64), run_starts) > 0
        bad = bad_run[run_id]
        cut = np.where(is_new, ~has_prev | (p_time < horizon - self.window),
                       column("cut", True))
        handed = (self._hand_over(_rows(frame, order[bad]), hits, ends, replays)
                  if bad_run.any() else frame.clear())
        computed = {"seq": seq, "t0": t0, "state": state, "nr": fill, "cut": cut,
                    "counted": column("counted", False)}
        self._keep(carry, batch, order, computed, ~bad, run_starts, run_id, idx, p_state, time,
                   end_clock, sorted_hashes)
        return int(bad_run.sum()), handed

    def _recalled(self, frame: pl.DataFrame, order: Any, run_starts: Any, is_new: Any,
                  horizon: Any, hashes: Any) -> tuple[set[str], dict[str, Record]]:
        """New sessions whose id is that of a session that ended and is still remembered:
        their records come after its end (the exact checker says what they are)."""
        hits: set[str] = set()
        ends: dict[str, Record] = {}
        if not self.closed.height:
            return hits, ends
        fresh = run_starts[is_new[run_starts]]
        if not len(fresh):
            return hits, ends
        # the hashes of the ids first: most batches have no id of a remembered session
        maybe = in_sorted(hashes[order[fresh]], self.closed_sorted)
        if not maybe.any():
            return hits, ends
        fresh = fresh[maybe]
        starts = pl.DataFrame({"session": frame["session"].gather(order[fresh]),
                               "horizon": horizon[fresh]})
        found = starts.join(self.closed, on="session", how="inner")
        if found.height:
            valid = found.filter(pl.col("time") >= pl.col("horizon") - self.memory)
            for row in valid.iter_rows(named=True):
                hits.add(row["session"])
                ends[row["session"]] = self._record(row)
            self._closed_keep(~self.closed["session"].is_in(found["session"].to_list())
                              .to_numpy())
        return hits, ends

    def _varied(self, frame: pl.DataFrame) -> Any:
        settings = self.timers
        own = frame["session"].is_in(list(settings.sessions)) if settings.sessions else None
        grouped = frame["group"].is_in(list(settings.groups)) if settings.groups else None
        found = np.zeros(frame.height, dtype=np.bool_)
        for part in (own, grouped):
            if part is not None:
                found |= part.fill_null(False).to_numpy()
        return found

    def _record(self, row: dict[str, Any]) -> Record:
        return Record(self.files[row["file"]], row["line"], row["session"], row["time"],
                      row["status"], row["cause"], group=row["group"])

    def _hand_over(self, rows: pl.DataFrame, hits: set[str], ends: dict[str, Record],
                   replays: Replays) -> pl.DataFrame:
        """Hand the sessions of ``rows`` to the exact checker: it adopts what it must know of
        them (their end, or their state and latest records, and the records to replay);
        their rows of this batch are returned."""
        exact = self.exact
        old = rows.filter(rows["tail"].is_not_null())
        # each session's rows, grouped in one pass (a filter per session made the thousands
        # of sessions open at the end of the input a quadratic affair)
        grouped: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]] = {}
        for row in old.iter_rows(named=True):
            history, tail = grouped.setdefault(row["session"], ([], []))
            (tail if row["tail"] else history).append(row)
        for sid in rows["session"].unique(maintain_order=True).to_list():
            if sid in hits:
                exact.adopt_closed(ends[sid], counted=True)
                continue
            if sid not in grouped:
                continue
            history, tail = grouped[sid]
            if history:
                records = [self._record(r) for r in history]
                last = history[-1]
                state = self.tables.states[last["state"]]
                if self.tables.ended[last["state"]]:
                    exact.adopt_closed(records[-1], counted=False)
                else:
                    exact.adopt_open(records[-1], state, records, last["t0"])
            if tail:
                replays.append((sid, tail))
        return rows.filter(rows["tail"].is_null())

    def _keep(self, carry: pl.DataFrame | None, batch: pl.DataFrame, order: Any,
              computed: dict[str, Any], clean: Any, run_starts: Any, run_id: Any, idx: Any,
              p_state: Any, time: Any, end_clock: float, hashes: Any) -> None:
        """Count what is final in the clean sessions, close the ended ones, carry the rest
        (the rows: ``carry`` then ``batch``, in the ``order`` of the arrays)."""
        tables = self.tables
        cut, state, counted = computed["cut"], computed["state"], computed["counted"]
        k = np.maximum.reduceat(np.where(cut, idx, -1), run_starts)[run_id]
        n = len(idx)
        last_of_run = np.append(run_starts[1:] - 1, n - 1)[run_id]
        last_state = state[last_of_run]
        last_time = time[last_of_run]
        closing = clean & tables.ended[np.maximum(last_state, 0)] & (
            last_time < end_clock - self.window)
        count_now = clean & ~counted & ((idx < k) | closing)
        self._count(p_state[count_now], state[count_now], computed["seq"][count_now])
        if closing.any():
            at = closing & (idx == last_of_run)
            ended, placed = _take(carry, batch, order[at], list(_CLOSED))
            self.result.sessions += ended.height
            self.result.note_sessions(ended["session"])
            self.result.conforming += ended.height
            ended_hash, ended_time = hashes[at], last_time[at]
            if placed is not None:
                ended_hash, ended_time = ended_hash[placed], ended_time[placed]
            if self.closed.height and in_sorted(ended_hash, self.closed_sorted).any():
                self._closed_keep(~self.closed["session"].is_in(ended["session"].to_list())
                                  .to_numpy())
            self.closed = pl.concat([self.closed, ended], rechunk=False)
            self.closed_hash = np.concatenate((self.closed_hash, ended_hash))
            self.closed_time = np.concatenate((self.closed_time, ended_time))
            added = np.sort(ended_hash)
            self.closed_sorted = np.insert(self.closed_sorted,
                                           np.searchsorted(self.closed_sorted, added), added)
            self.closed_ages.append((float(ended_time.max()), len(ended_time)))
        keep = clean & ~closing & (idx >= k - 8)
        if not keep.any():
            self.carry = None
            return
        values = {name: array[keep] for name, array in computed.items()}
        values["counted"] = (counted | count_now)[keep]
        values["tail"] = (idx >= k)[keep]
        base, placed = _take(carry, batch, order[keep], batch.columns)
        if placed is not None:  # back in the order of the arrays: a session's rows together
            back = np.empty_like(placed)
            back[placed] = np.arange(len(placed))
            base = _rows(base, back)
        self.carry = base.hstack(pl.DataFrame(values, schema=_CARRY).get_columns())

    def _count(self, p_state: Any, state: Any, seq: Any) -> None:
        n = len(self.tables.states)
        self.seen |= np.bincount(state, minlength=n) > 0
        steps = seq > 0
        if steps.any():
            self.pairs += np.bincount(p_state[steps] * n + state[steps], minlength=n * n)

    def _exact_feed(self, replays: Replays, rows: pl.DataFrame) -> None:
        exact = self.exact
        if replays:
            exact.replay([[(self._record(r), r["horizon"]) for r in tail]
                          for _, tail in replays])
        if rows.height:
            for r in rows.sort("gidx").iter_rows(named=True):
                exact.feed_event(self._record(r), r["horizon"], count=False)

    # -- the end ---------------------------------------------------------------------------
    def finish(self) -> LogResult:
        """Close what is open and return the result of the fast path and the exact checker."""
        carry = self.carry
        if carry is not None and carry.height:
            last = carry.group_by("session", maintain_order=True).last()
            final = self.tables.final[last["state"].to_numpy()]
            done = carry["session"].is_in(last.filter(pl.Series(final))["session"].to_list())
            same = (carry["session"] == carry["session"].shift(1)).fill_null(False).to_numpy()
            states = carry["state"].to_numpy()
            p_state = np.where(same, _before(states), 0)
            todo = (done & ~carry["counted"]).to_numpy()
            seq = np.where(same, carry["seq"].to_numpy(), 0)
            self._count(p_state[todo], states[todo], seq[todo])
            self.result.sessions += int(final.sum())
            self.result.note_sessions(last.filter(pl.Series(final))["session"])
            self.result.conforming += int(final.sum())
            rest = carry.filter(~done)
            if rest.height:
                replays: Replays = []
                self._hand_over(rest, set(), {}, replays)
                self._exact_feed(replays, rest.clear())
            self.carry = None
        result = self.result
        tables = self.tables
        n = len(tables.states)
        for pair in np.flatnonzero(self.pairs).tolist():
            count = int(self.pairs[pair])
            for transition in tables.transitions[(pair // n, pair % n)]:
                result.transitions[transition] += count
        result.statuses.update(tables.statuses[s] for s in
                               set(tables.state_status[np.flatnonzero(self.seen)].tolist()))
        return merge_results([result, self.exact.finish()], self.files)
