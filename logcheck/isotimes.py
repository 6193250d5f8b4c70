"""Times of the one common shape, ``2024-05-01T10:00:00Z``, read in bulk.

This module owns :func:`common_times`: each text of that shape (twenty ASCII characters, a
valid date from the year 1, hours to 23, minutes and seconds to 59) becomes epoch seconds, in
a few numpy passes over the column's bytes; every other text (and a null) is NaN, for the
caller to read the general way (:func:`~.batches.with_times`, through
:func:`~.records.parse_time`). So a time read here is one that ``parse_time`` reads too, to
the same second (a property test holds the two together). Polars' own time parser is not
used: it is more lenient than Python's ``datetime.fromisoformat``, taking leading spaces and
signs in numbers (``2024-05-01T10:00: 0Z``, ``+024-05-01T10:00:00Z``), a leap second and the
year 0, and, with the test of the shape it needs before it, costs some three times the CPU.

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
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

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


def _days(year: Ints, month: Ints, day: Ints) -> tuple[Ints, Bools]:
    """Days since 1970-01-01 of each date (proleptic Gregorian), and whether it is one (not
    the year 0, a 13th month, the 30th of February)."""
    ok = (year >= 1) & (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    before = np.clip(month - 1, 0, 11)
    ok &= (day >= 1) & (day <= _MONTH_DAYS[before] + (leap & (before == 1)))
    past = year - 1
    days: Ints = (past * 365 + past // 4 - past // 100 + past // 400 + _DAYS_BEFORE[before]
                  + (leap & (before >= 2)) + day - 1 - _EPOCH_DAY)
    return days, ok


def _minutes(texts: npt.NDArray[np.uint8]) -> Floats:
    """Epoch seconds of the minutes ``2024-05-01T10:00`` (the rows of ``texts``, 16 bytes
    each); NaN for a row that is not a minute's text."""
    ok = (texts[:, _MARKS] == _MARK_BYTES).all(axis=1)
    # uint8 all through: a byte that is not a digit wraps past 9, and two digits fit
    tens, units = texts[:, _TENS] - _ZERO, texts[:, _UNITS] - _ZERO
    ok &= ((tens <= 9) & (units <= 9)).all(axis=1)
    pairs = (tens * np.uint8(10) + units).astype(np.int64)
    century, year, month, day, hour, minute = pairs.T
    days, dated = _days(century * 100 + year, month, day)
    ok &= dated & (hour <= 23) & (minute <= 59)
    found: Floats = np.where(ok, days * 86400 + hour * 3600 + minute * 60, np.nan)
    return found


def _shaped(texts: pl.Series) -> Floats:
    """:func:`common_times` of texts that are all twenty bytes long."""
    n = len(texts)
    joined = texts.str.join("").cast(pl.Binary).item()
    rows = np.frombuffer(joined, dtype=_ROW)
    # the seconds, in every row: ``:SSZ``
    tail = rows["tail"]
    tens = (tail >> 8 & 0xFF) - np.uint32(ord("0"))  # not a digit: wraps past 9
    units = (tail >> 16 & 0xFF) - np.uint32(ord("0"))
    good = ((tail & _TAIL_MASK) == _TAIL_MARKS) & (tens <= 5) & (units <= 9)
    # the minute, once for each run of rows in the same minute (most rows are in the
    # minute of the row before)
    head, mid = rows["head"], rows["mid"]
    change = np.empty(n, dtype=np.bool_)
    change[0] = True
    change[1:] = (head[1:] != head[:-1]) | (mid[1:] != mid[:-1])
    firsts = np.flatnonzero(change)
    grid = np.frombuffer(joined, dtype=np.uint8).reshape(n, _WIDTH)
    minutes = np.repeat(_minutes(grid[firsts, :16]), np.diff(np.append(firsts, n)))
    seconds: Floats = np.where(good, minutes + (tens * 10 + units), np.nan)
    return seconds


def common_times(texts: pl.Series) -> Floats:
    """Epoch seconds of each text of the common shape; NaN for any other text or a null."""
    seconds = np.full(len(texts), np.nan)
    lengths = texts.str.len_bytes()
    if texts.has_nulls():
        lengths = lengths.fill_null(0)
    fits = lengths.to_numpy() == _WIDTH
    if fits.all() and len(texts):
        return _shaped(texts)
    if fits.any():
        seconds[fits] = _shaped(texts.filter(pl.Series(fits)))
    return seconds
