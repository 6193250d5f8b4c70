"""Statuses and causes as numbers, a batch at a time (:mod:`statusproof.logcheck.fastcodes`).

Both ways of numbering a batch (the texts kept as an Enum, and the per-batch mapping past
:data:`~statusproof.logcheck.fastcodes.LIMIT` distinct texts) must give, row by row, the
numbers the tables give each text alone; batches are numbered one after another, so texts
met in an earlier batch must keep their numbers.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.logcheck import fastcodes
from statusproof.logcheck.fastcodes import Codes
from statusproof.logcheck.fasttables import FastTables
from statusproof.logcheck.namemap import default_map
from statusproof.logcheck.timersettings import Profiles, TimerSettings
from statusproof.model import load_model

_MODEL = load_model()
_TABLES = FastTables(Profiles(_MODEL, TimerSettings(), 0.0).default, default_map(_MODEL))
_STATUSES = [*_MODEL.names, "timed out", "ACTIVE", "Closed", "nothing", ""]
_CAUSES = ["system", "admin", "System", "the customer", "", None]


@st.composite
def _batch(draw: st.DrawFn) -> tuple[list[str | None], list[str | None]]:
    size = draw(st.integers(1, 25))
    statuses = draw(st.lists(st.sampled_from([*_STATUSES, None]), min_size=size,
                             max_size=size))
    causes = draw(st.lists(st.sampled_from(_CAUSES), min_size=size, max_size=size))
    return statuses, causes


def _expected(statuses: list[str | None], causes: list[str | None]) -> tuple[list[int],
                                                                          list[int]]:
    status = [-1 if s is None else _TABLES.status_code(s) for s in statuses]
    return status, [_TABLES.cause_code(s, c) for s, c in zip(status, causes, strict=True)]


@pytest.mark.parametrize("limit", [fastcodes.LIMIT, 3, 0])
@given(batches=st.lists(_batch(), min_size=1, max_size=4))
@settings(max_examples=150, deadline=None)
def test_each_row_gets_the_numbers_of_its_texts(
        limit: int, batches: list[tuple[list[str | None], list[str | None]]]) -> None:
    saved = fastcodes.LIMIT
    fastcodes.LIMIT = limit  # the Enum way, both ways, and the per-batch mapping alone
    try:
        codes = Codes(_TABLES)
        for statuses, causes in batches:
            status = codes.statuses(pl.Series(statuses, dtype=pl.String))
            cause = codes.causes(pl.Series(causes, dtype=pl.String), status)
            assert (status.tolist(), cause.tolist()) == _expected(statuses, causes)
            assert status.dtype == cause.dtype == np.int64
    finally:
        fastcodes.LIMIT = saved
