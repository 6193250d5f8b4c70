"""The model as integer tables, for checking records in bulk.

This module owns :class:`FastTables`: the compiled model of :mod:`.compiled` (so the machine of
:mod:`statusproof.model.machine`, with its timing) laid out as numpy arrays indexed by integer
codes, so the fast path (:mod:`.fastpath`) can check millions of steps at once:

- statuses are numbered in model order, and each recorded name that stands for exactly one
  status gets its number (:meth:`FastTables.status_code`; -1 otherwise: the record needs the
  exact checker); each cause value of a status gets a number within it;
- machine states (status, remembered status, cause) are numbered (:attr:`state_of`), with
  whether each is initial, final, or ended (no step leads on);
- for every pair of states: whether some enabled step of the machine leads from one to the
  other (:attr:`allowed`), the step's minimum dwell and session age (:attr:`lower`,
  :attr:`session_lower`) and the documented transitions it takes (coverage);
- per status: the deadline on the status clock and on the session clock (INF: none).

Everything is read from :class:`~.compiled.Compiled`, never restated, so the fast path and the
exact checker share one semantics. Deciding what a record means is :mod:`.fastpath`'s job.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from statusproof.model.machine import State, machine_graph
from statusproof.model.model import Transition

from .compiled import INF, Compiled
from .namemap import NameMap

__all__ = ["FastTables"]

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]


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
        self.remembers: Bools = np.array([model.status(s).remembers for s in self.statuses],
                                         dtype=np.bool_)
        self.causes: list[tuple[str, ...]] = [
            tuple(v for v, _ in c.values) if (c := model.cause_of(s)) is not None else ()
            for s in self.statuses]
        self.has_cause: Bools = np.array([bool(c) for c in self.causes], dtype=np.bool_)
        width = max((len(c) for c in self.causes), default=0) + 1
        graph = machine_graph(model)  # (the light graph: no networkx in the log checker)
        states: list[State] = sorted(graph.nodes, key=lambda s: (
            self.status_index[s.status], s.remembered or "", s.cause or ""))
        self.states = states
        n = len(states)
        #: state number by (status, remembered + 1 (0: none), cause + 1 (0: none)); -1: none
        self.state_of: Ints = np.full((n_status, n_status + 1, width), -1, dtype=np.int64)
        for number, state in enumerate(states):
            self.state_of[self._key(state)] = number
        initial = set(graph.initial)
        self.initial: Bools = np.array([s in initial for s in states], dtype=np.bool_)
        self.final: Bools = np.array([compiled.is_final(s) for s in states], dtype=np.bool_)
        self.ended: Bools = np.array([compiled.belief([s]).ended for s in states],
                                     dtype=np.bool_)
        self.allowed: Bools = np.zeros((n, n), dtype=np.bool_)
        self.lower: Floats = np.zeros((n, n), dtype=np.float64)
        self.session_lower: Floats = np.zeros((n, n), dtype=np.float64)
        #: the documented transitions of each allowed pair (coverage)
        self.transitions: dict[tuple[int, int], tuple[Transition, ...]] = {}
        number_of = {state: i for i, state in enumerate(states)}
        for p, state in enumerate(states):
            for edge in compiled.successors(state):
                if edge.target is None:
                    continue
                q = number_of[edge.target]
                self.allowed[p, q] = True
                self.lower[p, q] = edge.lower
                self.session_lower[p, q] = edge.session_lower
                self.transitions[(p, q)] = (*self.transitions.get((p, q), ()),
                                            edge.transition)
        timing = compiled.timing
        self.deadline: Floats = np.array([timing.deadline.get(s, INF) for s in self.statuses])
        self.session_deadline: Floats = np.array(
            [timing.session_deadline.get(s, INF) for s in self.statuses])
        self.state_status: Ints = np.array([self.status_index[s.status] for s in states],
                                           dtype=np.int64)
        # by status number: a record of it begins its session in any log the machine allows
        # (a status of initial states that no step enters), and one ends its session (every
        # state of the status has ended): what ``--jobs`` guesses a part's sessions by
        # (:mod:`.guesses`)
        entered: Bools = np.any(self.allowed, axis=0)
        self.fresh: Bools = np.zeros(n_status, dtype=np.bool_)
        self.closing: Bools = np.zeros(n_status, dtype=np.bool_)
        for status in range(n_status):
            mine = self.state_status == status
            if mine.any():
                self.fresh[status] = bool(self.initial[mine].all() and not entered[mine].any())
                self.closing[status] = bool(self.ended[mine].all())
        self._codes: dict[str, int] = {}
        self._cause_codes: dict[tuple[int, str], int] = {}

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
