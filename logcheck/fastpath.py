"""The fast path: checking event records in bulk, the exact checker as its oracle.

This module owns :class:`FastChecker`. It takes batches of records (polars data frames from
:mod:`.fastread`, each row with its place in the input and the input's clock before it),
turns their statuses and causes into numbers (:mod:`.fasttables`), and checks all their rows
at once with one polars query (:mod:`.fastquery`): what the exact streaming checker
(:mod:`.checker`) would check one record at a time.

A session all of whose records pass is *clean*: it cannot give a violation or an issue, so
only its counts and coverage are kept. A session with any record that does not pass (and
every session the fast path cannot follow: an unknown or ambiguous name, a cause left open,
records out of order, timer settings of its own) is handed to the exact checker, which
produces the report lines. The hand-over is exact: the fast path keeps, for each open session,
its records not yet checked in the exact checker's sense (those within the reorder window of
the input's clock) and the eight before them, so the exact checker takes the session over in
the state it would have had (:meth:`~.events.EventSteps.adopt_open`,
:meth:`~.events.EventSteps.replay`). Memory: the open sessions' recent records, the ids of
sessions ended within ``closed_memory``, one batch. No Python object is made per record,
except for the records the exact checker is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import polars as pl

from statusproof.model.model import Model

from .checker import LogChecker
from .fastquery import KEYS, check_query
from .fasttables import FastTables
from .namemap import NameMap
from .records import Record
from .result import CheckSettings, LogResult, merge_results
from .timersettings import Profiles, TimerSettings

__all__ = ["FastChecker", "with_clock"]

#: The columns of a batch (:mod:`.batches`' ``SCHEMA``, with ``gidx`` and ``horizon``).
_SOURCE = ("file", "line", "session", "time", "status", "cause", "group", "gidx", "horizon")
_CLOSED = {"session": pl.String, "h": pl.UInt64, "time": pl.Float64, "file": pl.Int32,
           "line": pl.Int64, "status": pl.String, "cause": pl.String, "group": pl.String}
#: What a carried row keeps besides its source columns.
_CARRIED = ("h", "sc", "cc", "seq", "t0", "state", "nr", "cut", "counted", "tail")
#: How many spellings of statuses (and of causes) get numbers; records with others go to the
#: exact checker (a bound on memory for inputs full of distinct names).
SPELLINGS = 4096


def with_clock(batch: pl.DataFrame, first: int, clock: float) -> tuple[pl.DataFrame, float]:
    """The batch with ``gidx`` (place in the input, from ``first``) and ``horizon`` (the
    latest time read before each row, ``clock`` before the batch); and the clock after it."""
    times = batch["time"]
    horizon = times.cum_max().shift(1, fill_value=clock).clip(lower_bound=clock)
    frame = batch.with_columns(gidx=pl.int_range(first, first + batch.height, dtype=pl.Int64),
                               horizon=horizon)
    return frame, max(clock, float(times.max()))  # type: ignore[arg-type]


class _Spellings:
    """Numbers for recorded spellings, learnt as they come (at most :data:`SPELLINGS`)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.numbers: list[int] = []

    def codes(self, texts: pl.Series, number: Any, unlisted: int) -> pl.Series:
        """The number of each text (``unlisted`` beyond the bound; null stays null), learning
        the new ones with ``number(text)``."""
        found = texts.replace_strict(self.texts, self.numbers, default=-(1 << 30),
                                     return_dtype=pl.Int32)
        new = (found == -(1 << 30)) & texts.is_not_null()
        if new.any():
            fresh = sorted(texts.filter(new).unique().to_list())
            room = SPELLINGS - len(self.texts)
            for text in fresh[:max(room, 0)]:
                self.texts.append(text)
                self.numbers.append(number(text))
            found = texts.replace_strict(self.texts, self.numbers, default=unlisted,
                                         return_dtype=pl.Int32)
        if texts.null_count():  # replace_strict gives a null the default
            found = pl.select(pl.when(texts.is_null()).then(None).otherwise(found)).to_series()
        return found


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
        #: the rows carried to the next batch (source columns and :data:`_CARRIED`)
        self.carry: pl.DataFrame | None = None
        #: sessions that ended cleanly and are remembered (see ``closed_memory``)
        self.closed = pl.DataFrame(schema=_CLOSED)
        self.clock = -1e300
        self.pairs: Counter[tuple[int, int]] = Counter()
        self.seen: set[int] = set()
        self.handed = 0
        self._statuses = _Spellings()
        self._causes = _Spellings()
        self._cause_table: pl.Series | None = None

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
            handed, new_rows = self._check(batch.select(_SOURCE), end_clock, replays)
            merged.append(new_rows)
            self.handed += handed
        self._exact_feed(replays, pl.concat(merged, how="diagonal_relaxed"))
        self.clock = end_clock
        self.exact.advance(end_clock)
        if self.closed.height:
            self.closed = self.closed.filter(pl.col("time") >= end_clock - self.memory)

    # -- numbers -------------------------------------------------------------------------
    def _numbers(self, batch: pl.DataFrame) -> pl.DataFrame:
        """The batch with ``h`` (a hash of the session id), ``sc`` and ``cc`` (status and
        cause numbers)."""
        tables = self.tables
        sc = self._statuses.codes(batch["status"], tables.status_code, -1)
        if tables.any_cause:
            cause = batch["cause"]
            index = (self._causes.codes(cause, lambda _: len(self._causes.texts), -2)
                     if cause.null_count() < len(cause)
                     else pl.Series([None] * len(cause), dtype=pl.Int32))
            table = self._causes_table()
            side = len(self._causes.texts) + 2
            cc = table.gather((sc + 1) * side + index.fill_null(-1) + 1)
        else:
            cc = pl.Series([0] * batch.height, dtype=pl.Int32)
        return batch.with_columns(h=batch["session"].hash(), sc=sc, cc=cc)

    def _causes_table(self) -> pl.Series:
        """Cause numbers at (status + 1) * (spellings + 2) + spelling + 1, where spelling -1
        is no cause and -2 a spelling beyond the bound (the exact checker decides)."""
        texts = self._causes.texts
        side = len(texts) + 2
        table = self._cause_table
        if table is None or len(table) != (len(self.tables.statuses) + 1) * side:
            tables = self.tables
            values = [0] * side
            for status in range(len(tables.statuses)):
                if not tables.has_cause[status]:
                    values.extend([0] * side)
                    continue
                values.extend([-1, -1, *(tables.cause_code(status, text) for text in texts)])
            # spelling -2 (beyond the bound): slot 0 is -1 as well
            table = self._cause_table = pl.Series("cc", values, dtype=pl.Int32)
        return table

    # -- the bulk check ------------------------------------------------------------------
    def _check(self, batch: pl.DataFrame, end_clock: float,
               replays: list[tuple[str, pl.DataFrame]]) -> tuple[int, pl.DataFrame]:
        """Check the rows of the sessions the fast path follows; returns how many sessions
        were handed over and their rows of this batch (for the exact checker)."""
        batch = self._numbers(batch)
        carry = self.carry
        kept = carry.height if carry is not None else 0
        flag = None
        if self.timers.varies:
            flag = self._varied(batch)
        hits, ends = self._recalled(batch)
        if hits:
            hit = batch["session"].is_in(list(hits))
            flag = hit if flag is None else flag | hit
        new = batch.select(
            "h", id="session", t="time", hz="horizon", sc="sc", cc="cc",
            src=pl.int_range(kept, kept + batch.height, dtype=pl.Int32),
            old=pl.lit(False), flag=flag if flag is not None else pl.lit(None, pl.Boolean))
        if carry is not None:
            old = carry.select(
                "h", id="session", t="time", hz="horizon", sc="sc", cc="cc",
                src=pl.int_range(0, kept, dtype=pl.Int32), old=pl.lit(True),
                o_seq="seq", o_t0="t0", o_state="state", o_nr="nr", o_cut="cut",
                o_counted="counted", o_tail="tail")
            keys = pl.concat([old, new], how="diagonal")
        else:
            keys = new
        keys = keys.select([pl.col(c).cast(d) if c in keys.columns else pl.lit(None, d).alias(c)
                            for c, d in KEYS.items()])
        out = check_query(keys, self.tables, self.slack, self.window, end_clock)
        if out["collide"].any():  # two ids with one hash: group by the ids themselves
            out = check_query(keys, self.tables, self.slack, self.window, end_clock, True)
        source = (pl.concat([carry.select(*_SOURCE, "h", "sc", "cc"), batch])
                  if carry is not None else batch)
        handed = 0
        rows = batch.clear()
        if out["bad"].any():
            bad = out.filter("bad")
            handed = bad.filter(pl.col("i") == pl.col("rl")).height
            taken = source[bad["src"]].with_columns(tail=bad["o_tail"], state=bad["state"],
                                                   t0=bad["t0"])
            rows = self._hand_over(taken, hits, ends, replays).select(_SOURCE)
        self._keep(out, source)
        return handed, rows

    def _recalled(self, batch: pl.DataFrame) -> tuple[set[str], dict[str, Record]]:
        """Sessions of the batch whose id is that of a session that ended and is still
        remembered: their records come after its end (the exact checker says what they
        are)."""
        hits: set[str] = set()
        ends: dict[str, Record] = {}
        if not self.closed.height or not batch["h"].is_in(self.closed["h"].implode()).any():
            return hits, ends
        starts = (batch.select("session", "horizon")
                  .unique(subset="session", keep="first", maintain_order=True))
        found = starts.join(self.closed, on="session", how="inner")
        if found.height:
            valid = found.filter(pl.col("time") >= pl.col("horizon") - self.memory)
            for row in valid.iter_rows(named=True):
                hits.add(row["session"])
                ends[row["session"]] = self._record(row)
            self.closed = self.closed.filter(~pl.col("session").is_in(found["session"].implode()))
        return hits, ends

    def _varied(self, batch: pl.DataFrame) -> pl.Series:
        """The records whose session has timer settings of its own (by id or group)."""
        settings = self.timers
        found = pl.Series([False] * batch.height)
        if settings.sessions:
            found = found | batch["session"].is_in(list(settings.sessions)).fill_null(False)
        if settings.groups:
            found = found | batch["group"].is_in(list(settings.groups)).fill_null(False)
        return found

    def _record(self, row: dict[str, Any]) -> Record:
        return Record(self.files[row["file"]], row["line"], row["session"], row["time"],
                      row["status"], row["cause"], group=row["group"])

    def _hand_over(self, rows: pl.DataFrame, hits: set[str], ends: dict[str, Record],
                   replays: list[tuple[str, pl.DataFrame]]) -> pl.DataFrame:
        """Hand the sessions of ``rows`` to the exact checker: it adopts what it must know of
        them (their end, or their state and latest records, and the records to replay);
        their rows of this batch are returned."""
        exact = self.exact
        old = rows.filter(rows["tail"].is_not_null())
        carried = (old.partition_by("session", as_dict=True, maintain_order=True)
                   if old.height else {})
        for sid in rows["session"].unique(maintain_order=True).to_list():
            if sid in hits:
                exact.adopt_closed(ends[sid], counted=True)
                continue
            mine = carried.get((sid,))
            if mine is None:
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

    def _keep(self, out: pl.DataFrame, source: pl.DataFrame) -> None:
        """Count what is final in the clean sessions, close the ended ones, carry the rest."""
        self._count(out.filter("count_now"))
        ending = out.filter(pl.col("closing") & (pl.col("i") == pl.col("rl")))
        if ending.height:
            ended = source[ending["src"]].select(*_CLOSED)
            self.result.sessions += ended.height
            self.result.conforming += ended.height
            closed = self.closed
            if closed.height:
                closed = closed.filter(~pl.col("session").is_in(ended["session"].implode()))
            self.closed = pl.concat([closed, ended])
        keep = out.filter("keep")
        if not keep.height:
            self.carry = None
            return
        counted = keep["counted"] | keep["count_now"]
        self.carry = source[keep["src"]].with_columns(
            keep.select("seq", "t0", "state", "nr", "cut", "tail"), counted=counted)

    def _count(self, rows: pl.DataFrame) -> None:
        """Coverage of the rows counted now (statuses seen, steps taken)."""
        if not rows.height:
            return
        found = rows.group_by("ps", "state", step=pl.col("seq") > 0).len()
        status_of = self.tables.state_status
        for p, q, step, count in found.iter_rows():
            self.seen.add(status_of[q])
            if step:
                self.pairs[(p, q)] += count

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
            final = pl.Series("final", self.tables.final)
            marked = carry.with_columns(
                last=(pl.col("session") != pl.col("session").shift(-1)).fill_null(True),
                same=(pl.col("session") == pl.col("session").shift(1)).fill_null(False),
                ps=pl.col("state").shift(1))
            ends = marked.filter("last").with_columns(done=pl.lit(final).gather(pl.col("state")))
            done_ids = ends.filter("done")["session"]
            done = marked["session"].is_in(done_ids.implode())
            self._count(marked.filter(done & ~marked["counted"]).with_columns(
                ps=pl.when("same").then("ps").otherwise(-1),
                seq=pl.when("same").then("seq").otherwise(0)))
            self.result.sessions += len(done_ids)
            self.result.conforming += len(done_ids)
            rest = carry.filter(~done)
            if rest.height:
                replays: list[tuple[str, pl.DataFrame]] = []
                self._hand_over(rest, set(), {}, replays)
                self._exact_feed(replays, rest.clear())
            self.carry = None
        result = self.result
        tables = self.tables
        for (p, q), count in self.pairs.items():
            for transition in tables.transitions[(p, q)]:
                result.transitions[transition] += count
        result.statuses.update(tables.statuses[s] for s in self.seen)
        return merge_results([result, self.exact.finish()], self.files)
