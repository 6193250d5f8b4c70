"""Times of the one common shape, ``2024-05-01T10:00:00Z``, read in bulk.

This module owns :func:`common_times`: a column of texts that are all of that shape (twenty
ASCII characters, a valid date from the year 1, hours to 23, minutes and seconds to 59)
becomes epoch seconds in a few numpy passes over its bytes, about a third of the CPU of
polars' time parser with the shape test :mod:`.batches` puts before it. A column with any
other text gives None, and the caller reads it the general way
(:func:`~.batches.with_times`): so a time read here is one that
:func:`~.records.parse_time` reads too, to the same number of seconds (a property test
holds the two together).

Records in a batch mostly fall in the minute of the record before, so the text of the minute
(``2024-05-01T10:00``) is worked out once for each run of rows in the same minute, and each
row adds its seconds.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = ["common_times"]

Ints = npt.NDArray[np.int64]

#: A text of the shape as three words: ``2024-05-`` ``01T10:00`` ``:00Z``.
_ROW = np.dtype([("head", "<u8"), ("mid", "<u8"), ("tail", "<u4")])
_WIDTH = _ROW.itemsize
#: ``:`` and ``Z`` around the seconds, in the last word (little-endian).
_TAIL_MASK, _TAIL_MARKS = np.uint32(0xFF0000FF), np.uint32(ord(":") | ord("Z") << 24)
#: Where the marks of the minute's text (``2024-05-01T10:00``) are, and what they are.
_MARKS = np.array([4, 7, 10, 13])
_MARK_BYTES = np.frombuffer(b"--T:", dtype=np.uint8)
#: The tens and the units of century, year in it, month, day, hour, minute.
_TENS = np.array([0, 2, 5, 8, 11, 14])
_UNITS = _TENS + 1
_ZERO = np.uint8(ord("0"))
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


def _minutes(texts: npt.NDArray[np.uint8]) -> Ints | None:
    """Epoch seconds of the minutes ``2024-05-01T10:00`` (the rows of ``texts``, 16 bytes
    each); None when one is not a minute's text."""
    if not (texts[:, _MARKS] == _MARK_BYTES).all():
        return None
    # uint8 all through: a byte that is not a digit wraps past 9, and two digits fit
    tens, units = texts[:, _TENS] - _ZERO, texts[:, _UNITS] - _ZERO
    if (tens > 9).any() or (units > 9).any():
        return None
    pairs = (tens * np.uint8(10) + units).astype(np.int64)
    century, year, month, day, hour, minute = pairs.T
    if (hour > 23).any() or (minute > 59).any():
        return None
    days = _days(century * 100 + year, month, day)
    if days is None:
        return None
    found: Ints = days * 86400 + hour * 3600 + minute * 60
    return found


def common_times(texts: pl.Series) -> npt.NDArray[np.float64] | None:
    """Epoch seconds of each text, when every one is of the common shape; else None."""
    n = len(texts)
    if not n or texts.has_nulls():
        return None
    lengths = texts.str.len_bytes()
    if lengths.min() != _WIDTH or lengths.max() != _WIDTH:
        return None
    joined = texts.str.join("").cast(pl.Binary).item()
    rows = np.frombuffer(joined, dtype=_ROW)
    # the seconds, in every row: ``:SSZ``
    tail = rows["tail"]
    if not ((tail & _TAIL_MASK) == _TAIL_MARKS).all():
        return None
    tens = (tail >> 8 & 0xFF) - np.uint32(ord("0"))  # not a digit: wraps past 9
    units = (tail >> 16 & 0xFF) - np.uint32(ord("0"))
    if (tens > 5).any() or (units > 9).any():
        return None
    # the minute, once for each run of rows in the same minute (most rows are in the
    # minute of the row before)
    head, mid = rows["head"], rows["mid"]
    change = np.empty(n, dtype=np.bool_)
    change[0] = True
    change[1:] = (head[1:] != head[:-1]) | (mid[1:] != mid[:-1])
    firsts = np.flatnonzero(change)
    grid = np.frombuffer(joined, dtype=np.uint8).reshape(n, _WIDTH)
    minutes = _minutes(grid[firsts, :16])
    if minutes is None:
        return None
    seconds: npt.NDArray[np.float64] = (
        np.repeat(minutes, np.diff(np.append(firsts, n))) + (tens * 10 + units)
    ).astype(np.float64)
    return seconds
