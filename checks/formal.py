"""The formal checks: everything beyond the graph checks, run in one call.

:func:`formal_checks` runs, on one model, the history checks
(:mod:`~statusproof.checks.history`), the guard analysis (:mod:`~statusproof.checks.guards`),
the timeout checks (:mod:`~statusproof.checks.timeouts`) and the user's properties
(:mod:`~statusproof.checks.properties`), and returns their findings in the catalogue's
deterministic order. Each of those modules asks z3 through :mod:`~statusproof.checks.solver`
only; importing this module therefore imports z3, which the command line does only when the
formal checks run.
"""

from __future__ import annotations

from collections.abc import Sequence

from statusproof.model.model import Model

from .findings import Finding, sort_findings
from .guards import guard_checks
from .history import history_checks
from .inconclusive import settle
from .properties import Property, property_checks
from .solver import DEFAULT_TIMEOUT_MS
from .timeouts import timeout_checks

__all__ = ["formal_checks", "DEFAULT_TIMEOUT_MS"]


def formal_checks(model: Model, properties: Sequence[Property] = (),
                  timeout_ms: int = DEFAULT_TIMEOUT_MS) -> tuple[Finding, ...]:
    """History restoration, guards, timeouts and ``properties``, each verdict with evidence.

    ``timeout_ms`` limits each z3 query; a query z3 cannot settle in time gives a
    ``solver-unknown`` finding (an error), never a pass.
    """
    found = settle(model, [*history_checks(model, timeout_ms), *guard_checks(model, timeout_ms),
                           *timeout_checks(model, timeout_ms),
                           *property_checks(model, properties)])
    return sort_findings(found, {name: i for i, name in enumerate(model.names)})
