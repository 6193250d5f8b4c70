"""Times of the one common shape, ``2024-05-01T10:00:00Z``, read in bulk.

This module owns :func:`common_times`: a column of texts that are all of that shape (twenty
ASCII characters, a valid date from the year 1, hours to 23, minutes and seconds to 59)
becomes epoch seconds in a few numpy passes over its bytes, some five times cheaper than
polars' time parser with the shape test :mod:`.batches` puts before it. A column with any
other text gives None, and the caller reads it the general way
(:func:`~.batches.with_times`): so a time read here is one that
:func:`~.records.parse_time` reads too, to the same number of seconds (a property test
holds the two together).

Records in a batch mostly fall on one date, so the date is worked out once for each run of
rows with the same date, and each row adds its time of day.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["common_times"]

Ints = npt.NDArray[np.int64]

#: The width of the shape, where its digits are, and what stands between them.
_WIDTH = 20
_DIGITS = np.array([0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
_MARKS = np.array([4, 7, 10, 13, 16, 19])
_MARK_BYTES = np.frombuffer(b"--T::Z", dtype=np.uint8)
#: The largest hour, minute and second.
_CLOCK_LIMITS = np.array([23, 59, 59], dtype=np.int32)
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_DAYS_BEFORE = np.concatenate(([0], np.cumsum(_MONTH_DAYS)[:-1]))
#: Days from 0001-01-01 to 1970-01-01 (``date(1970, 1, 1).toordinal() - 1``).
_EPOCH_DAY = 719162


def _days(year: Ints, month: Ints, day: Ints) -> Ints | None:
    """Days since 1970-01-01 of each date (proleptic Gregorian); None when one is not a
    date (the year 0, a 13th month, the 30th of February)."""
    if not ((year >= 1) & (month >= 1) & (month <= 12)).all():
        return None
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    before = month - 1
    if not ((day >= 1) & (day <= _MONTH_DAYS[before] + (leap & (before == 1)))).all():
        return None
    past = year - 1
    days: Ints = (past * 365 + past // 4 - past // 100 + past // 400 + _DAYS_BEFORE[before]
                  + (leap & (before >= 2)) + day - 1 - _EPOCH_DAY)
    return days


def common_times(texts: pl.Series) -> npt.NDArray[np.float64] | None:
    """Epoch seconds of each text, when every one is of the common shape; else None."""
    n = len(texts)
    if not n or texts.has_nulls():
        return None
    lengths = texts.str.len_bytes()
    if lengths.min() != _WIDTH or lengths.max() != _WIDTH:
        return None
    joined = texts.str.join("").item().encode()
    grid = np.frombuffer(joined, dtype=np.uint8).reshape(n, _WIDTH)
    if not (grid[:, _MARKS] == _MARK_BYTES).all():
        return None
    digits = grid[:, _DIGITS] - np.uint8(48)  # a byte that is not a digit wraps past 9
    if (digits > 9).any():
        return None
    # century, year in it, month, day, hour, minute, second
    pairs = digits[:, 0::2].astype(np.int32) * 10 + digits[:, 1::2]
    if (pairs[:, 4:] > _CLOCK_LIMITS).any():
        return None
    date = (pairs[:, 0] * 100 + pairs[:, 1]) * 10000 + pairs[:, 2] * 100 + pairs[:, 3]
    change = np.empty(n, dtype=np.bool_)
    change[0] = True
    np.not_equal(date[1:], date[:-1], out=change[1:])
    firsts = np.flatnonzero(change)
    dates = date[firsts].astype(np.int64)
    days = _days(dates // 10000, dates // 100 % 100, dates % 100)
    if days is None:
        return None
    clock = pairs[:, 4] * 3600 + pairs[:, 5] * 60 + pairs[:, 6]
    seconds: npt.NDArray[np.float64] = (
        np.repeat(days, np.diff(np.append(firsts, n))) * 86400.0 + clock)
    return seconds
