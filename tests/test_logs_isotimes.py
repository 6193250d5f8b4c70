"""Times of the common shape read from their bytes (:mod:`statusproof.logcheck.isotimes`).

The bulk readers take each time of the shape ``2024-05-01T10:00:00Z`` this way; the contract
is that such a time means, to the second, what
:func:`~statusproof.logcheck.records.parse_time` makes of its text, and that any other text
(among them every text parse_time refuses) is NaN, left to the general way.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.logcheck.batches import with_times
from statusproof.logcheck.isotimes import common_times
from statusproof.logcheck.records import parse_time

_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
_LATEST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def _shaped(moment: datetime) -> str:
    return f"{moment.year:04d}-{moment:%m-%dT%H:%M:%S}Z"


@given(st.lists(st.datetimes(min_value=_EARLIEST.replace(tzinfo=None),
                             max_value=_LATEST.replace(tzinfo=None)), min_size=1, max_size=40))
@settings(max_examples=300, deadline=None)
def test_any_instant_of_the_common_shape_is_read_as_parse_time_reads_it(
        moments: list[datetime]) -> None:
    texts = [_shaped(m.replace(microsecond=0)) for m in moments]
    found = common_times(pl.Series(texts, dtype=pl.String))
    assert found.tolist() == [parse_time(t) for t in texts]


@given(st.datetimes(min_value=datetime(1999, 1, 1), max_value=datetime(2030, 1, 1)),
       st.lists(st.integers(0, 400 * 86400), min_size=1, max_size=60))
@settings(max_examples=200, deadline=None)
def test_runs_of_dates_in_a_column_each_get_their_own_day(start: datetime,
                                                        steps: list[int]) -> None:
    """Rows are dated a run of equal dates at a time: dates that change, go back and come
    again are each read right."""
    texts = [_shaped(start + timedelta(seconds=s)) for s in steps]
    found = common_times(pl.Series(texts, dtype=pl.String))
    assert found.tolist() == [parse_time(t) for t in texts]


_NEAR = st.sampled_from(["2024-05-01T10:00:00Z", "0001-01-01T00:00:00Z",
                         "2024-02-29T23:59:59Z", "2023-02-28T23:59:59Z",
                         "9999-12-31T23:59:59Z", "1900-03-01T00:00:00Z"])
_ALPHABET = st.sampled_from([*"0123456789 +-:TZtz.", "\u00a0", "\u0663", "\u00e9"])


@st.composite
def _near(draw: st.DrawFn) -> str:
    """A text of the shape with some of its characters replaced (the width is kept, so it
    gets past the first test), or one character more or less."""
    text = list(draw(_NEAR))
    for _ in range(draw(st.integers(0, 3))):
        text[draw(st.integers(0, len(text) - 1))] = draw(_ALPHABET)
    if draw(st.integers(0, 9)) == 0:
        text.insert(draw(st.integers(0, len(text))), draw(_ALPHABET))
    return "".join(text)


@given(st.lists(_near(), min_size=1, max_size=20))
@settings(max_examples=500, deadline=None)
def test_a_time_is_read_only_when_parse_time_reads_it_alike(texts: list[str]) -> None:
    found = common_times(pl.Series(texts, dtype=pl.String))
    assert len(found) == len(texts)
    for text, seconds in zip(texts, found.tolist(), strict=True):
        if not np.isnan(seconds):
            assert seconds == parse_time(text)


@pytest.mark.parametrize("odd", [
    "2024-02-30T10:00:00Z",  # no such day
    "2023-02-29T10:00:00Z",  # not a leap year
    "1900-02-29T10:00:00Z",  # a century that is not one
    "0000-01-01T00:00:00Z",  # the year 0
    "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-05-00T00:00:00Z",
    "2024-05-01T24:00:00Z", "2024-05-01T10:60:00Z",
    "2024-06-30T23:59:60Z",  # a leap second
    "2024-05-01T10:00: 0Z", "+024-05-01T10:00:00Z", "2024-05-01 10:00:00Z",
    "2024-05-01T10:00:00z", "2024-05-01T10:0\u0663:00Z", "2024-05-01T10:00:00+0",
    "2024-05-01T10:00:00.5Z", "2024-05-01T10:00Z", "1714557600",
])
def test_a_text_of_another_shape_is_left_to_the_general_way(odd: str) -> None:
    column = pl.Series(["2024-05-01T10:00:00Z", odd, "2024-05-01T10:00:01Z"],
                       dtype=pl.String)
    found = common_times(column).tolist()
    assert found[0] == parse_time("2024-05-01T10:00:00Z")
    assert np.isnan(found[1])
    assert found[2] == parse_time("2024-05-01T10:00:01Z")
    assert np.isnan(common_times(pl.Series([None], dtype=pl.String))).all()
    with_null = common_times(pl.Series([None, "2024-05-01T10:00:00Z"], dtype=pl.String))
    assert np.isnan(with_null[0]) and with_null[1] == parse_time("2024-05-01T10:00:00Z")
    assert len(common_times(pl.Series([], dtype=pl.String))) == 0
    # and the general way reads the column as parse_time reads its texts
    problems: list[object] = []
    frame = with_times(pl.DataFrame({"line": [1, 2, 3]}), column, "t", problems.append, "time")
    expected = {}
    for line, text in enumerate(column.to_list(), 1):
        with contextlib.suppress(ValueError):
            expected[line] = parse_time(text)
    assert dict(zip(frame["line"].to_list(), frame["time"].to_list(), strict=True)) == expected
    assert len(problems) == 3 - len(expected)


def test_the_edges_of_the_years_parse_time_accepts() -> None:
    column = pl.Series(["0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59Z"],
                       dtype=pl.String)
    found = common_times(column)
    assert found.tolist() == [-62135596800.0, 0.0, 253402300799.0]


@pytest.mark.parametrize("leap_day", ["2024-02-29T12:00:00Z", "2000-02-29T00:00:00Z",
                                      "0004-02-29T23:59:59Z"])
def test_a_leap_day_is_read(leap_day: str) -> None:
    found = common_times(pl.Series([leap_day, "2024-03-01T00:00:00Z"], dtype=pl.String))
    assert found.tolist() == [parse_time(leap_day), parse_time("2024-03-01T00:00:00Z")]
