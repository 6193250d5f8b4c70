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

from collections import Counter, OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from statusproof.model.model import Model

from .checker import LogChecker
from .fasttables import FastTables
from .namemap import NameMap
from .records import Record
from .result import CheckSettings, LogResult, merge_results
from .timersettings import Profiles, TimerSettings

__all__ = ["FastChecker", "with_clock"]

_CARRY = {"seq": pl.Int64, "t0": pl.Float64, "state": pl.Int64, "nr": pl.Int64,
          "cut": pl.Boolean, "counted": pl.Boolean, "tail": pl.Boolean}


def with_clock(batch: pl.DataFrame, first: int, clock: float) -> tuple[pl.DataFrame, float]:
    """The batch with ``gidx`` (place in the input, from ``first``) and ``horizon`` (the
    latest time read before each row, ``clock`` before the batch); and the clock after it."""
    times = batch["time"]
    before = times.cum_max().shift(1, fill_value=clock)
    horizon = before.clip(lower_bound=clock)
    frame = batch.with_columns(gidx=pl.int_range(first, first + batch.height, dtype=pl.Int64),
                               horizon=horizon)
    return frame, max(clock, float(times.max()))  # type: ignore[arg-type]


class FastChecker:
    """Bulk checking of event records (see the module docstring)."""

    def __init__(self, model: Model, names: NameMap, settings: CheckSettings,
                 files: Sequence[str], timers: TimerSettings | None = None) -> None:
        self.timers = timers or TimerSettings()
        self.profiles = Profiles(model, self.timers, settings.slack)
        self.exact = LogChecker(model, names, settings, False, files,
                                compiled=self.profiles.default, profile=self.profiles)
        self.tables = FastTables(self.profiles.default, names)
        self.result = LogResult(model, False, settings)
        self.files = list(files)
        self.window = settings.reorder_window
        self.slack = self.profiles.default.slack
        self.memory = settings.closed_memory
        self.carry: pl.DataFrame | None = None
        self.closed: OrderedDict[str, tuple[float, int, int, str, str | None, str | None]] = (
            OrderedDict())
        self.clock = -1e300
        self.pairs: Counter[tuple[int, int]] = Counter()
        self.seen: set[int] = set()
        self.handed = 0

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
        replays: list[tuple[str, pl.DataFrame]] = []
        merged = [to_exact]
        if batch.height:
            handed, new_rows = self._check(batch, end_clock, replays)
            merged.append(new_rows)
            self.handed += handed
        self._exact_feed(replays, pl.concat(merged, how="diagonal_relaxed"))
        self.clock = end_clock
        self.exact.advance(end_clock)
        self._forget(end_clock)

    def _forget(self, clock: float) -> None:
        closed = self.closed
        limit = clock - self.memory
        while closed:
            first = next(iter(closed))
            if closed[first][0] >= limit:
                break
            del closed[first]

    # -- the bulk check ------------------------------------------------------------------
    def _check(self, batch: pl.DataFrame, end_clock: float,
               replays: list[tuple[str, pl.DataFrame]]) -> tuple[int, pl.DataFrame]:
        """Check the rows of the sessions the fast path follows; returns how many sessions
        were handed over and their rows of this batch (for the exact checker)."""
        tables = self.tables
        carry = self.carry
        carried = set(carry["session"].unique().to_list()) if carry is not None else set()
        hits: set[str] = set()
        if self.closed:
            fresh = batch.filter(~batch["session"].is_in(list(carried))) if carried else batch
            starts = fresh.group_by("session", maintain_order=True).first()
            for sid, horizon in zip(starts["session"].to_list(), starts["horizon"].to_list(),
                                    strict=True):
                end = self.closed.get(sid)
                if end is None:
                    continue
                if end[0] >= horizon - self.memory:
                    hits.add(sid)
                else:
                    del self.closed[sid]
        frame = batch.with_columns([pl.lit(None, dtype=d).alias(c) for c, d in _CARRY.items()])
        if carry is not None and carry.height:
            frame = pl.concat([carry, frame], how="vertical_relaxed")
        frame = frame.sort("session", "gidx", maintain_order=True)
        n = frame.height
        idx = np.arange(n)
        session = frame["session"]
        starts_mask = (session != session.shift(1)).fill_null(True).to_numpy()
        run_starts = np.flatnonzero(starts_mask)
        run_id = np.cumsum(starts_mask) - 1
        run_first = run_starts[run_id]
        is_new = frame["seq"].is_null().to_numpy()
        time = frame["time"].to_numpy()
        horizon = frame["horizon"].to_numpy()
        seq_old = frame["seq"].fill_null(-1).to_numpy()
        base = np.where(is_new[run_first], 0, seq_old[run_first])
        seq = np.where(is_new, base + (idx - run_first), seq_old)
        t0_old = frame["t0"].fill_null(0.0).to_numpy()
        t0 = np.where(is_new[run_first], time[run_first], t0_old[run_first])
        # status and cause numbers
        unique = frame.select("status", "cause").unique()
        codes: dict[tuple[str, str | None], tuple[int, int]] = {}
        for name, cause in unique.iter_rows():
            code = tables.status_code(name)
            codes[(name, cause)] = (code, tables.cause_code(code, cause))
        keyed = frame.select(key=pl.col("status") + "\x00" + pl.col("cause").fill_null("\x01"))
        mapping = {f"{k[0]}\x00{k[1] if k[1] is not None else chr(1)}": v[0] * 1024 + v[1] + 1
                   for k, v in codes.items()}
        packed = keyed["key"].replace_strict(mapping, return_dtype=pl.Int64).to_numpy()
        scode = np.floor_divide(packed - (packed % 1024), 1024)
        ccode = (packed % 1024) - 1
        scode = np.where(packed < 0, -1, scode)
        known_status = scode >= 0
        safe_status = np.where(known_status, scode, 0)
        remembers = tables.remembers[safe_status] & known_status
        # the remembered status: a forward fill of the last status that does not remember
        nr_old = frame["nr"].fill_null(-1).to_numpy()
        has = ~is_new | ~remembers
        value = np.where(is_new, np.where(remembers, -1, scode), nr_old)
        last = np.maximum.accumulate(np.where(has, idx, -1))
        fill = np.where(last >= run_first, value[np.maximum(last, 0)], -1)
        prev_fill = np.where(idx > run_first, np.concatenate(([-1], fill[:-1])), -1)
        remembered = np.where(remembers, prev_fill, -1)
        good = known_status & (ccode >= 0)
        state_new = np.full(n, -1, dtype=np.int64)
        where = np.flatnonzero(good)
        state_new[where] = tables.state_of[scode[where], remembered[where] + 1, ccode[where]]
        state = np.where(is_new, state_new, frame["state"].fill_null(-1).to_numpy())
        # steps
        has_prev = idx > run_first
        prev = np.concatenate(([0], idx[:-1]))
        p_state = np.where(has_prev, state[prev], -1)
        p_time = np.where(has_prev, time[prev], -np.inf)
        ok_p = p_state >= 0
        sp, sq = np.maximum(p_state, 0), np.maximum(state, 0)
        p_status = tables.state_status[sp]
        same_status = (frame["status"] == frame["status"].shift(1)).fill_null(False)
        same_cause = frame["cause"].eq_missing(frame["cause"].shift(1)).fill_null(False)
        dup = has_prev & same_status.to_numpy() & same_cause.to_numpy() & (time == p_time)
        dwell = time - p_time
        age = time - t0
        slack = self.slack
        lower = tables.lower[sp, sq]
        session_lower = tables.session_lower[sp, sq]
        step_ok = (ok_p & (state >= 0) & tables.allowed[sp, sq] & ~tables.ended[sp]
                   & (time >= p_time) & ~dup
                   & (dwell <= tables.deadline[p_status] + slack)
                   & (time <= np.maximum(p_time, t0 + tables.session_deadline[p_status]) + slack)
                   & (lower <= dwell + slack)
                   & ((session_lower <= 0) | (session_lower <= age + slack)))
        first = seq == 0
        first_ok = (state >= 0) & tables.initial[sq]
        valid = np.where(first, first_ok, step_ok)
        bad_row = is_new & ~valid
        if self.timers.varies:
            bad_row |= is_new & first & self._varied(frame)
        if hits:
            bad_row |= frame["session"].is_in(list(hits)).to_numpy()
        bad_run = np.add.reduceat(bad_row.astype(np.int64), run_starts) > 0
        bad = bad_run[run_id]
        cut_new = ~has_prev | (p_time < horizon - self.window)
        cut = np.where(is_new, cut_new, frame["cut"].fill_null(True).to_numpy())
        frame = frame.with_columns(
            seq=pl.Series(seq), t0=pl.Series(t0), state=pl.Series(state), nr=pl.Series(fill),
            cut=pl.Series(cut), counted=frame["counted"].fill_null(False))
        handed_rows = (self._hand_over(frame.filter(pl.Series(bad)), hits, replays)
                       if bad_run.any() else frame.clear())
        self._keep(frame, ~bad, run_starts, run_id, idx, cut, p_state, state, end_clock)
        return int(bad_run.sum()), handed_rows

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

    def _hand_over(self, rows: pl.DataFrame, hits: set[str],
                   replays: list[tuple[str, pl.DataFrame]]) -> pl.DataFrame:
        """Hand the sessions of ``rows`` to the exact checker: it adopts what it must know of
        them (their end, or their state and latest records, and the records to replay);
        their rows of this batch are returned."""
        exact = self.exact
        old = rows.filter(rows["tail"].is_not_null())
        for sid in rows["session"].unique(maintain_order=True).to_list():
            if sid in hits:
                end = self.closed.pop(sid)
                exact.adopt_closed(Record(self.files[end[1]], end[2], sid, end[0], end[3],
                                          end[4], group=end[5]), counted=True)
                continue
            mine = old.filter(old["session"] == sid) if old.height else old
            if not mine.height:
                continue
            history = mine.filter(~mine["tail"])
            if history.height:
                records = [self._record(r) for r in history.iter_rows(named=True)]
                last = history.row(history.height - 1, named=True)
                state = self.tables.states[last["state"]]
                if self.tables.ended[last["state"]]:
                    exact.adopt_closed(records[-1], counted=False)
                else:
                    exact.adopt_open(records[-1], state, records, last["t0"])
            tail = mine.filter(mine["tail"])
            if tail.height:
                replays.append((sid, tail))
        return rows.filter(rows["tail"].is_null())

    def _keep(self, frame: pl.DataFrame, clean: Any, run_starts: Any, run_id: Any, idx: Any,
              cut: Any, p_state: Any, state: Any, end_clock: float) -> None:
        """Count what is final in the clean sessions, close the ended ones, carry the rest."""
        tables = self.tables
        k = np.maximum.reduceat(np.where(cut, idx, -1), run_starts)[run_id]
        counted = frame["counted"].to_numpy()
        n = frame.height
        last_of_run = np.append(run_starts[1:] - 1, n - 1)[run_id]
        last_state = state[last_of_run]
        last_time = frame["time"].to_numpy()[last_of_run]
        closing = clean & tables.ended[np.maximum(last_state, 0)] & (
            last_time < end_clock - self.window)
        count_now = clean & ~counted & ((idx < k) | closing)
        self._count(p_state[count_now], state[count_now], frame["seq"].to_numpy()[count_now])
        if closing.any():
            ends = frame.filter(pl.Series(closing & (idx == last_of_run)))
            for row in ends.iter_rows(named=True):
                self.result.sessions += 1
                self.result.conforming += 1
                self.closed[row["session"]] = (row["time"], row["file"], row["line"],
                                               row["status"], row["cause"], row["group"])
        keep = clean & ~closing & (idx >= k - 8)
        tail = idx >= k
        kept = frame.with_columns(counted=pl.Series(counted | count_now),
                                  tail=pl.Series(tail)).filter(pl.Series(keep))
        self.carry = kept if kept.height else None

    def _count(self, p_state: Any, state: Any, seq: Any) -> None:
        self.seen.update(self.tables.state_status[state].tolist())
        steps = seq > 0
        if steps.any():
            n = len(self.tables.states)
            pairs, counts = np.unique(p_state[steps] * n + state[steps], return_counts=True)
            for pair, count in zip(pairs.tolist(), counts.tolist(), strict=True):
                self.pairs[(pair // n, pair % n)] += count

    def _exact_feed(self, replays: list[tuple[str, pl.DataFrame]], rows: pl.DataFrame) -> None:
        exact = self.exact
        for _, tail in replays:
            exact.replay([(self._record(r), r["horizon"]) for r in tail.iter_rows(named=True)])
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
            p_state = np.where(same, np.concatenate(([0], states[:-1])), 0)
            todo = (done & ~carry["counted"]).to_numpy()
            seq = np.where(same, carry["seq"].to_numpy(), 0)
            self._count(p_state[todo], states[todo], seq[todo])
            self.result.sessions += int(final.sum())
            self.result.conforming += int(final.sum())
            rest = carry.filter(~done)
            if rest.height:
                replays: list[tuple[str, pl.DataFrame]] = []
                self._hand_over(rest, set(), replays)
                self._exact_feed(replays, rest.clear())
            self.carry = None
        result = self.result
        tables = self.tables
        for (p, q), count in self.pairs.items():
            for transition in tables.transitions[(p, q)]:
                result.transitions[transition] += count
        result.statuses.update(tables.statuses[s] for s in self.seen)
        return merge_results([result, self.exact.finish()], self.files)
