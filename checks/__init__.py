"""Checks: pure functions from a :class:`~statusproof.model.model.Model` to findings.

Nothing here prints, exits or keeps state. :func:`graph_checks` runs the graph checks (this
package's networkx searches); the formal checks (z3) live behind
:mod:`statusproof.checks.solver`. Each finding carries its evidence; see
:mod:`statusproof.checks.findings` for the schema and the catalogue of codes.
"""

from __future__ import annotations

from collections.abc import Callable

from statusproof.model.model import Model

from .columns import column_mismatches, empty_cells
from .findings import CATALOGUE, Finding, Severity, finding, sort_findings
from .inconclusive import settle
from .interpretation import (
    amendments,
    causes_not_tied,
    free_choices,
    guarded_transitions,
    interpretation_notes,
    outside_triggers,
    undefined_statuses,
)
from .reachability import entry_points, reachability, rows_nothing_leads_to
from .terminals import terminal_statuses, traps

__all__ = ["GRAPH_CHECKS", "graph_checks", "Finding", "Severity", "CATALOGUE", "finding",
           "sort_findings"]

Check = Callable[[Model], list[Finding]]

#: The graph checks, in the order they run.
GRAPH_CHECKS: tuple[Check, ...] = (
    interpretation_notes,
    amendments,
    entry_points,
    reachability,
    rows_nothing_leads_to,
    undefined_statuses,
    terminal_statuses,
    traps,
    column_mismatches,
    empty_cells,
    guarded_transitions,
    outside_triggers,
    free_choices,
    causes_not_tied,
)


def graph_checks(model: Model) -> tuple[Finding, ...]:
    """Run every graph check; findings in a deterministic order."""
    found = settle(model, [f for check in GRAPH_CHECKS for f in check(model)])
    return sort_findings(found, {name: i for i, name in enumerate(model.names)})
