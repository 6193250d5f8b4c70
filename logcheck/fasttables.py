"""The model as integer tables, for checking records in bulk.

This module owns :class:`FastTables`: the compiled model of :mod:`.compiled` (so the machine of
:mod:`statusproof.model.machine`, with its timing) laid out as polars series indexed by
integer codes, so the fast path (:mod:`.fastpath`) can check millions of steps with a few
gathers in one polars query:

- statuses are numbered in model order, and each recorded name that stands for exactly one
  status gets its number (:meth:`FastTables.status_code`; -1 otherwise: the record needs the
  exact checker); each cause value of a status gets a number within it;
- machine states (status, remembered status, cause) are numbered (:attr:`state_of`), with
  whether each is initial, final, or ended (no step leads on);
- for every pair of states (a *pair code*, :meth:`FastTables.pair`, where -1 stands for "no
  state"): whether some enabled step of the machine leads from one to the other and the
  state before can still change (:attr:`step_ok`), the step's minimum dwell and session age
  (:attr:`lower`, :attr:`session_lower`), the deadline on the status clock of the state
  before, slack included (:attr:`deadline`), and the one on the session clock
  (:attr:`session_deadline`), and the documented transitions the step takes (coverage).

Everything is read from :class:`~.compiled.Compiled`, never restated, so the fast path and the
exact checker share one semantics. Deciding what a record means is :mod:`.fastpath`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from statusproof.model.machine import State, unfold
from statusproof.model.model import Transition

from .compiled import INF, Compiled
from .namemap import NameMap

__all__ = ["FastTables"]


@dataclass
class FastTables:
    """See the module docstring."""

    compiled: Compiled
    names: NameMap

    def __post_init__(self) -> None:
        compiled = self.compiled
        model = compiled.model
        self.statuses: tuple[str, ...] = tuple(model.names)
        self.status_index = {name: i for i, name in enumerate(self.statuses)}
        n_status = len(self.statuses)
        remembers = [model.status(s).remembers for s in self.statuses]
        self.causes: list[tuple[str, ...]] = [
            tuple(v for v, _ in c.values) if (c := model.cause_of(s)) is not None else ()
            for s in self.statuses]
        has_cause = [bool(c) for c in self.causes]
        self.any_cause = any(has_cause)
        #: the width of the cause axis of :attr:`state_of` (0: no cause)
        self.width = max((len(c) for c in self.causes), default=0) + 1
        graph = unfold(model)
        states: list[State] = sorted(graph.nodes, key=lambda s: (
            self.status_index[s.status], s.remembered or "", s.cause or ""))
        self.states = states
        n = len(states)
        self.size = n
        #: state number at (status * (statuses + 1) + remembered + 1) * width + cause + 1
        #: (remembered -1 and cause 0: none); -1: no such state
        state_of = [-1] * (n_status * (n_status + 1) * self.width)
        for number, state in enumerate(states):
            status, remembered, cause = self._key(state)
            state_of[(status * (n_status + 1) + remembered) * self.width + cause] = number
        initial = {s for s, first in graph.nodes(data="initial") if first}
        ended = [compiled.belief([s]).ended for s in states]
        self.final = [compiled.is_final(s) for s in states]
        self.ended = ended
        state_status = [self.status_index[s.status] for s in states]
        deadline = [compiled.timing.deadline.get(s, INF) for s in self.statuses]
        session_deadline = [compiled.timing.session_deadline.get(s, INF)
                            for s in self.statuses]
        side = n + 1
        step_ok = [False] * (side * side)
        lower = [0.0] * (side * side)
        session_lower = [0.0] * (side * side)
        #: the documented transitions of each allowed pair of states (coverage)
        self.transitions: dict[tuple[int, int], tuple[Transition, ...]] = {}
        number_of = {state: i for i, state in enumerate(states)}
        for p, state in enumerate(states):
            for edge in compiled.successors(state):
                if edge.target is None:
                    continue
                q = number_of[edge.target]
                at = self.pair(p, q)
                step_ok[at] = not ended[p]
                lower[at] = edge.lower
                session_lower[at] = edge.session_lower
                self.transitions[(p, q)] = (*self.transitions.get((p, q), ()),
                                            edge.transition)
        slack = compiled.slack
        by_source = [INF] + [deadline[state_status[p]] + slack for p in range(n)]
        session_by_source = [INF] + [session_deadline[state_status[p]] for p in range(n)]
        self.remembers = pl.Series("remembers", [False, *remembers], dtype=pl.Boolean)
        self.has_cause = has_cause
        self.state_of = pl.Series("state_of", state_of, dtype=pl.Int32)
        self.initial = pl.Series("initial", [False] + [s in initial for s in states],
                                 dtype=pl.Boolean)
        self.ended_of = pl.Series("ended", [False, *ended], dtype=pl.Boolean)
        self.step_ok = pl.Series("step_ok", step_ok, dtype=pl.Boolean)
        self.lower = pl.Series("lower", lower, dtype=pl.Float64)
        self.session_lower = pl.Series("session_lower", session_lower, dtype=pl.Float64)
        self.deadline = pl.Series("deadline", [by_source[i // side] for i in range(side * side)],
                                  dtype=pl.Float64)
        self.session_deadline = pl.Series(
            "session_deadline", [session_by_source[i // side] for i in range(side * side)],
            dtype=pl.Float64)
        self.state_status = state_status
        self._codes: dict[str, int] = {}
        self._cause_codes: dict[tuple[int, str], int] = {}

    def pair(self, p: int, q: int) -> int:
        """The pair code of states ``p`` and ``q`` (-1: none): (p + 1) * (states + 1) + q + 1."""
        return (p + 1) * (self.size + 1) + q + 1

    def _key(self, state: State) -> tuple[int, int, int]:
        status = self.status_index[state.status]
        remembered = 0 if state.remembered is None else self.status_index[state.remembered] + 1
        cause = 0 if state.cause is None else self.causes[status].index(state.cause) + 1
        return status, remembered, cause

    def status_code(self, recorded: str) -> int:
        """The number of the one status ``recorded`` stands for; -1 when it stands for none
        or several (such records need the exact checker)."""
        found = self._codes.get(recorded)
        if found is None:
            statuses = self.names.resolve(recorded).statuses
            found = self.status_index[statuses[0]] if len(statuses) == 1 else -1
            self._codes[recorded] = found
        return found

    def cause_code(self, status: int, recorded: str | None) -> int:
        """The cause value (number + 1) a record gives a status with a cause variable; 0 for a
        status without one (a recorded cause is then ignored, as the exact checker does); -1
        when the record leaves it open or names no value (the exact checker decides)."""
        if status < 0 or not self.has_cause[status]:
            return 0
        if recorded is None:
            return -1
        key = (status, recorded)
        found = self._cause_codes.get(key)
        if found is None:
            value = self.compiled.cause_value(self.statuses[status], recorded)
            found = -1 if value is None else self.causes[status].index(value) + 1
            self._cause_codes[key] = found
        return found
