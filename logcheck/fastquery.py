"""The bulk check of one batch of event records: a single polars query.

This module owns :func:`check_query`, the per-record logic of the fast path written as one lazy
polars query (compiled, vectorised; no Python object per record), and the names of the columns
it reads and writes. :mod:`.fastpath` prepares its input (the *keys* of the rows: the records
of the batch, and the rows carried over from earlier batches with what was computed for them)
and acts on its output (coverage, sessions ended, sessions handed to the exact checker, the
rows to carry). The integer tables are :mod:`.fasttables`'.

The input, one row per record, in input order (the carried rows first):

``h``, ``id``
    the session: a hash of its id, and the id;
``t``, ``hz``
    the record's time, and the input's clock before it (the latest time read before it);
``sc``, ``cc``
    the status number (-1: the record needs the exact checker) and cause number (0: none,
    -1: the exact checker decides);
``src``
    the row's place in the input of the query (to fetch its texts afterwards);
``old``, ``o_seq``, ``o_t0``, ``o_state``, ``o_nr``, ``o_cut``, ``o_counted``, ``o_tail``
    a carried row, and what was computed for it before (null for new rows);
``flag``
    a new row that must go to the exact checker whatever it holds (timer settings of its
    own, a session that had ended).

The query groups the rows by session (a stable sort on ``h``, or on ``id`` itself when two ids
share a hash), and computes for every row at once, as the exact checker decides one record at
a time: the remembered status (a forward fill, within the session, of the last status that
does not remember), hence the machine state; whether the record is a valid first record, or a
step the machine allows from the state before (guards, timers on the status and session
clocks, deadlines, in time order, not a repeat, not after an ended state); which sessions hold
a record that is not (``bad``: the whole session goes to the exact checker); which records are
final in the exact checker's sense (``cut``: older than the reorder window), which to count
(``count_now``), which sessions end (``closing``), and which rows to carry (``keep``, with
``tail``: not yet final).
"""

from __future__ import annotations

import polars as pl

from .fasttables import FastTables

__all__ = ["check_query", "KEYS", "OUT"]

#: The columns of the query's input.
KEYS = {"h": pl.UInt64, "id": pl.String, "t": pl.Float64, "hz": pl.Float64, "sc": pl.Int32,
        "cc": pl.Int32, "src": pl.Int32, "old": pl.Boolean, "o_seq": pl.Int64,
        "o_t0": pl.Float64, "o_state": pl.Int32, "o_nr": pl.Int32, "o_cut": pl.Boolean,
        "o_counted": pl.Boolean, "o_tail": pl.Boolean, "flag": pl.Boolean}

#: The columns of its output (rows grouped by session, in input order within each).
OUT = ("i", "src", "h", "sc", "cc", "old", "o_tail", "state", "ps", "seq", "t0", "nr", "cut",
       "counted", "bad", "rl", "collide", "count_now", "closing", "keep", "tail")

_C = pl.col


def check_query(keys: pl.DataFrame, tables: FastTables, slack: float, window: float,
                end_clock: float, by_id: bool = False) -> pl.DataFrame:
    """Check the rows of ``keys`` (see the module docstring); ``end_clock``: the input's
    clock after the batch; ``by_id``: group by the ids themselves (after a hash collision)."""
    n_status = len(tables.statuses) + 1
    width = tables.width
    side = tables.size + 1
    i, t = _C("i"), _C("t")
    key = "id" if by_id else "h"
    q = (keys.lazy().sort(key, maintain_order=True)
         .with_columns(i=pl.int_range(pl.len(), dtype=pl.Int32),
                       start=(_C(key) != _C(key).shift(1)).fill_null(True),
                       rem=pl.lit(tables.remembers).gather(_C("sc") + 1)))
    q = q.with_columns(
        # the first and last row of each session
        rf=pl.when(_C("start")).then(i).otherwise(0).cum_max(),
        rl=pl.when(_C("start").shift(-1).fill_null(True)).then(i).otherwise(None)
        .backward_fill(),
        collide=(_C("h") == _C("h").shift(1)) & (_C("id") != _C("id").shift(1)),
        # the last row before (or at) each that does not remember: its status
        last=pl.when(_C("old") | ~_C("rem")).then(i).otherwise(-1).cum_max(),
        val=pl.when(_C("old")).then(_C("o_nr")).when(_C("rem")).then(-1).otherwise(_C("sc")))
    q = q.with_columns(
        hp=i > _C("rf"),
        first_old=_C("old").gather(_C("rf")),
        nr=pl.when(_C("last") >= _C("rf")).then(_C("val").gather(_C("last").clip(0)))
        .otherwise(-1))
    remembered = pl.when(_C("rem") & _C("hp")).then(_C("nr").shift(1)).otherwise(-1)
    q = q.with_columns(
        state=pl.when(_C("old")).then(_C("o_state"))
        .when((_C("sc") >= 0) & (_C("cc") >= 0))
        .then(pl.lit(tables.state_of).gather((_C("sc") * n_status + remembered + 1) * width
                                             + _C("cc")))
        .otherwise(-1),
        seq=pl.when(_C("old")).then(_C("o_seq"))
        .when(_C("first_old")).then(_C("o_seq").gather(_C("rf")) + (i - _C("rf")))
        .otherwise((i - _C("rf")).cast(pl.Int64)),
        t0=pl.when(_C("first_old")).then(_C("o_t0").gather(_C("rf")))
        .otherwise(t.gather(_C("rf"))),
        pt=pl.when(_C("hp")).then(t.shift(1)).otherwise(float("-inf")),
        dup=_C("hp") & (t == t.shift(1)) & (_C("sc") == _C("sc").shift(1))
        & (_C("cc") == _C("cc").shift(1)))
    q = q.with_columns(ps=pl.when(_C("hp")).then(_C("state").shift(1)).otherwise(-1))
    q = q.with_columns(pair=(_C("ps") + 1) * side + _C("state") + 1, dwell=t - _C("pt"))
    pair, dwell, t0 = _C("pair"), _C("dwell"), _C("t0")
    session_lower = pl.lit(tables.session_lower).gather(pair)
    step_ok = (pl.lit(tables.step_ok).gather(pair) & (t >= _C("pt")) & ~_C("dup")
               & (dwell <= pl.lit(tables.deadline).gather(pair))
               & (t <= pl.max_horizontal(_C("pt"), t0 + pl.lit(tables.session_deadline)
                                         .gather(pair)) + slack)
               & (pl.lit(tables.lower).gather(pair) <= dwell + slack)
               & ((session_lower <= 0) | (session_lower <= t - t0 + slack)))
    first = _C("seq") == 0
    valid = (pl.when(first).then((_C("state") >= 0) & pl.lit(tables.initial)
                                 .gather(_C("state") + 1))
             .otherwise(step_ok))
    q = q.with_columns(
        badrow=~_C("old") & (~valid | _C("flag").fill_null(False)),
        cut=pl.when(_C("old")).then(_C("o_cut"))
        .otherwise(~_C("hp") | (_C("pt") < _C("hz") - window)),
        counted=_C("o_counted").fill_null(False))
    q = q.with_columns(cs=_C("badrow").cast(pl.Int32).cum_sum(),
                       kk=pl.when(_C("cut")).then(i).otherwise(-1).cum_max())
    q = q.with_columns(
        bad=(_C("cs").gather(_C("rl")) - _C("cs").gather(_C("rf"))
             + _C("badrow").gather(_C("rf")).cast(pl.Int32)) > 0,
        # the last final row of the session (a row before the session: none)
        k=_C("kk").gather(_C("rl")))
    q = q.with_columns(
        closing=~_C("bad") & pl.lit(tables.ended_of).gather(_C("state").gather(_C("rl")) + 1)
        & (t.gather(_C("rl")) < end_clock - window))
    q = q.with_columns(
        count_now=~_C("bad") & ~_C("counted") & ((i < _C("k")) | _C("closing")),
        keep=~_C("bad") & ~_C("closing") & (i >= _C("k") - 8),
        tail=i >= _C("k"))
    return q.select(OUT).collect(engine="in-memory")
