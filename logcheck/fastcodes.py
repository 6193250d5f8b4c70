"""Recorded statuses and causes as numbers, a batch at a time.

This module owns :class:`Codes`: it turns a batch's status column, and its cause column, into
the numbers of :class:`~.fasttables.FastTables` (a status number, -1 for a name that stands
for no status or several; a cause value number, 0 for a status without a cause variable, -1
for a cause left open or unknown). Each distinct recorded text is resolved once, by the
tables (so by the name map and the compiled model); the texts seen so far are kept as a polars
``Enum``, so a batch is numbered by one cast and a numpy lookup (some 30 ns a record, against
some 120 for a per-batch ``replace_strict`` mapping), and only texts not seen before are
resolved. Past :data:`LIMIT` distinct texts (a column of free text) the codes are the
per-batch mapping's, so memory stays bounded. What a number means is :mod:`.fasttables`'.
A process keeps the last tables and codes it made (:func:`shared_codes`), for the next
checker of the same model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import polars as pl

from .fasttables import FastTables

if TYPE_CHECKING:
    from statusproof.model.model import Model

    from .namemap import NameMap
    from .timersettings import Profiles, TimerSettings

__all__ = ["Codes", "LIMIT", "shared_codes"]

Ints = npt.NDArray[np.int64]
#: Places in a list of texts: the Enum's unsigned physical integers (8, 16 or 32 bits).
Indexes = npt.NDArray[np.unsignedinteger[Any]]

#: The most distinct recorded texts (statuses, causes) kept as an Enum.
LIMIT = 4096


class _Known:
    """Distinct texts seen so far, as an Enum (index = place in ``texts``)."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.enum = pl.Enum([])

    def indexes(self, column: pl.Series) -> tuple[Indexes, list[str]] | None:
        """Each row's index in ``texts`` (len(texts) for a null); the texts new in this
        batch (already added); None past :data:`LIMIT`."""
        cast = column.cast(self.enum, strict=False)
        added: list[str] = []
        if cast.null_count() > column.null_count():
            added = column.filter(cast.is_null() & column.is_not_null()).unique(
                maintain_order=True).to_list()
            if len(self.texts) + len(added) > LIMIT:
                return None
            self.texts.extend(added)
            self.enum = pl.Enum(self.texts)
            cast = column.cast(self.enum)
        physical = cast.to_physical()
        if physical.null_count():
            physical = physical.fill_null(len(self.texts))
        # the unsigned physical integers index as they are (no copy to int64)
        found: Indexes = physical.to_numpy()
        return found, added


class Codes:
    """See the module docstring."""

    def __init__(self, tables: FastTables) -> None:
        self.tables = tables
        self._statuses = _Known()
        self._status_of: Ints = np.full(1, -1, dtype=np.int64)  # the last: a null
        self._causes = _Known()
        n_status = len(tables.statuses)
        # by (status, cause text index); the last column: no cause given
        self._cause_of: Ints = np.array(
            [[tables.cause_code(s, None)] for s in range(n_status)], dtype=np.int64
        ).reshape(n_status, 1)

    def statuses(self, column: pl.Series) -> Ints:
        """The status number of each row's recorded status."""
        tables = self.tables
        found = self._statuses.indexes(column)
        if found is None:
            names = column.drop_nulls().unique().to_list()
            return column.replace_strict({name: tables.status_code(name) for name in names},
                                         default=-1, return_dtype=pl.Int64
                                         ).fill_null(-1).to_numpy()
        index, added = found
        if added:
            self._status_of = np.concatenate(
                (self._status_of[:-1], [tables.status_code(name) for name in added], [-1])
            ).astype(np.int64)
        return self._status_of[index]

    def causes(self, column: pl.Series, status: Ints) -> Ints:
        """The cause value number of each row (``status``: the rows' status numbers). Only
        the rows of a status with a cause variable are looked at (in a Rescue log, a few in
        a hundred): 0 for the others."""
        tables = self.tables
        codes = np.zeros(len(status), dtype=np.int64)
        where = np.flatnonzero(tables.has_cause[np.maximum(status, 0)] & (status >= 0))
        if not len(where):
            return codes
        picked, picked_status = column.gather(pl.Series(where, dtype=pl.Int64)), status[where]
        found = self._causes.indexes(picked)
        if found is None:
            codes[where] = [tables.cause_code(int(s), text) for s, text in
                            zip(picked_status.tolist(), picked.to_list(), strict=True)]
            return codes
        index, added = found
        if added:
            n_status = len(tables.statuses)
            extra = np.array([[tables.cause_code(s, text) for text in added]
                              for s in range(n_status)], dtype=np.int64)
            self._cause_of = np.concatenate(
                (self._cause_of[:, :-1], extra, self._cause_of[:, -1:]), axis=1)
        codes[where] = self._cause_of[picked_status, index]
        return codes


#: The last :func:`shared_codes` made: model, map, timer settings, slack, and what was made.
_LAST: list[tuple[Model, NameMap, TimerSettings, float, FastTables, Codes]] = []


def shared_codes(profiles: Profiles, names: NameMap) -> tuple[FastTables, Codes]:
    """The integer tables and the codes of recorded texts for the default profile of
    ``profiles`` and a map: made once, and kept for the next checker of the same model, map,
    timer settings and slack (a process of ``--jobs`` makes a checker for each part it
    reads: some 3 ms each to build the tables and learn the recorded texts again). They
    depend on nothing else (the codes learn each recorded text once, whichever checker met
    it first); the compiled profiles do not travel, for the exact checker counts its steps
    in them."""
    model, timers, slack = profiles.model, profiles.settings, profiles.slack
    for known_model, known_names, known_timers, known_slack, tables, codes in _LAST:
        if (known_model is model and known_names is names and known_timers == timers
                and known_slack == slack):
            return tables, codes
    tables = FastTables(profiles.default, names)
    codes = Codes(tables)
    _LAST[:] = [(model, names, timers, slack, tables, codes)]
    return tables, codes
