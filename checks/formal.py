"""The formal checks: everything beyond the graph checks, run in one call.

:func:`formal_checks` runs, on one model, the history checks
(:mod:`~statusproof.checks.history`), the guard analysis (:mod:`~statusproof.checks.guards`),
the timeout checks (:mod:`~statusproof.checks.timeouts`) and the user's properties
(:mod:`~statusproof.checks.properties`), and returns their findings in the catalogue's
deterministic order. Each of those modules asks z3 through :mod:`~statusproof.checks.solver`
only; importing this module therefore imports z3, which the command line does only when the
formal checks run.

The whole run has one **budget** (wall-clock seconds, :func:`statusproof.checks.solver.budget`):
z3 queries share it, a check that has not started when it is spent does not start, and each
question left unsettled for lack of time is an ``inconclusive`` finding (a warning), never a
pass and never ``solver-unknown`` (which says z3 itself could not decide). The user's
properties need no z3 and always run. The budget is checked before and during each query,
between checks, and by the long plain-Python searches as they go
(:func:`statusproof.model.budget.ticker`), so a run overruns it by a few milliseconds at most.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from statusproof.model.model import Model

from . import solver
from .findings import Finding, finding, sort_findings
from .guards import guard_checks
from .history import history_checks
from .inconclusive import settle
from .solver import BUDGET_SPENT, DEFAULT_TIMEOUT_MS
from .timeouts import timeout_checks

if TYPE_CHECKING:  # the property checker (and networkx) is imported only for properties
    from .properties import Property

__all__ = ["formal_checks", "DEFAULT_TIMEOUT_MS", "DEFAULT_BUDGET_S"]

#: The formal budget of one run, in seconds, unless ``--formal-budget`` says otherwise.
DEFAULT_BUDGET_S = 60.0


def _not_settled(f: Finding, seconds: float) -> Finding:
    """A ``solver-unknown`` finding caused by the spent budget, as ``inconclusive``."""
    if f.code != "solver-unknown" or BUDGET_SPENT not in f.message:
        return f
    return finding("inconclusive",
                   f"{f.message}; rerun with a larger --formal-budget",
                   f.statuses, f.witness_path, f.span,
                   {**f.evidence_dict(), "budget_seconds": seconds})


def formal_checks(model: Model, properties: Sequence[Property] = (),
                  timeout_ms: int = DEFAULT_TIMEOUT_MS,
                  budget_s: float | None = DEFAULT_BUDGET_S) -> tuple[Finding, ...]:
    """History restoration, guards, timeouts and ``properties``, each verdict with evidence.

    ``timeout_ms`` limits each z3 query; a query z3 cannot settle in time gives a
    ``solver-unknown`` finding (an error), never a pass. ``budget_s`` limits the whole run
    (None: no limit); what it leaves unsettled gives ``inconclusive`` findings.
    """
    checks: tuple[tuple[str, Callable[[Model, int], list[Finding]]], ...] = (
        ("history restoration", history_checks), ("guards", guard_checks),
        ("timeouts", timeout_checks))
    found: list[Finding] = []
    with solver.budget(budget_s):
        for what, check in checks:
            if solver.budget_spent():
                found.append(finding(
                    "inconclusive",
                    f"the {what} checks did not run: {BUDGET_SPENT} ({budget_s:g} s) before "
                    f"they started; rerun with a larger --formal-budget",
                    (), (), None, {"check": what, "budget_seconds": budget_s}))
                continue
            try:
                found.extend(check(model, timeout_ms))
            except solver.BudgetSpentError as e:  # a query the check itself did not catch
                found.append(finding(
                    "inconclusive", f"the {what} checks were cut short: {e}; rerun with a "
                    "larger --formal-budget", (), (), None,
                    {"check": what, "budget_seconds": budget_s}))
    if budget_s is not None:
        found = [_not_settled(f, budget_s) for f in found]
    if properties:
        from .properties import property_checks

        found.extend(property_checks(model, properties))
    found = settle(model, found)
    return sort_findings(found, {name: i for i, name in enumerate(model.names)})
