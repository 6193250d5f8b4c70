"""The time budget of a run: one deadline shared by every long computation that asks for it.

:func:`budget` sets a deadline (wall-clock seconds, like z3's own time limits) for a block;
z3 queries (:mod:`statusproof.checks.solver`) get at most the time left, and the long
plain-Python searches (unfolding the machine, the history checks' product search, the searches
for witnesses) call a :func:`ticker` as they go, which raises :class:`BudgetSpentError` once the
deadline has passed, so that a run overruns its budget by a few milliseconds at most. Outside a
:func:`budget` block nothing is limited and a ticker costs one call. What a spent budget means
for a verdict (``inconclusive``, never a pass) is decided by the checks that catch the error.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .errors import SolverUnknownError

__all__ = ["BudgetSpentError", "BUDGET_SPENT", "budget", "budget_spent", "deadline",
           "check_budget", "ticker"]

#: What a :class:`BudgetSpentError` says first (the checks put it in their messages).
BUDGET_SPENT = "the formal budget was spent"


class BudgetSpentError(SolverUnknownError):
    """The budget of the run was spent before a question was settled (as with z3's unknown),
    because the run ran out of time, not because the question could not be answered."""


#: The deadline of the current block (a :func:`time.monotonic` instant) and its length in
#: seconds, or None when there is no budget; set by :func:`budget`.
_DEADLINE: list[tuple[float, float] | None] = [None]


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Within the block, every computation that asks shares one budget of ``seconds``
    (None: no budget)."""
    previous = _DEADLINE[0]
    _DEADLINE[0] = None if seconds is None else (time.monotonic() + seconds, seconds)
    try:
        yield
    finally:
        _DEADLINE[0] = previous


def deadline() -> tuple[float, float] | None:
    """The current deadline (instant, length in seconds), or None."""
    return _DEADLINE[0]


def budget_spent() -> bool:
    """Whether the current budget (if any) is spent."""
    current = _DEADLINE[0]
    return current is not None and time.monotonic() >= current[0]


def check_budget(what: str) -> None:
    """Raise :class:`BudgetSpentError` (saying it happened during ``what``) if the budget is
    spent."""
    current = _DEADLINE[0]
    if current is not None and time.monotonic() >= current[0]:
        raise BudgetSpentError(f"{BUDGET_SPENT} ({current[1]:g} s) during {what}")


def ticker(what: str | Callable[[], str], every: int = 256) -> Callable[[], None]:
    """A function to call once per unit of work (a node searched): every ``every`` calls it
    checks the budget, and raises :class:`BudgetSpentError` when it is spent. ``what`` names
    the work for the message (a function, to say how far it got when it is cut short)."""
    current = _DEADLINE[0]
    if current is None:
        return _nothing
    end, seconds = current
    count = [0]

    def tick() -> None:
        count[0] += 1
        if count[0] % every == 0 and time.monotonic() >= end:
            said = what() if callable(what) else what
            raise BudgetSpentError(f"{BUDGET_SPENT} ({seconds:g} s) during {said}")
    return tick


def _nothing() -> None:
    return None
