"""One entry point for the suites: which coverage, built how, from which model.

:func:`generate` turns a model into the requested :class:`~statusproof.conformance.cases.Suite`
list (the CLI's ``--coverage``). Each suite lives in its own module; this one only dispatches
and keeps the list of names (:data:`COVERAGES`) in one place.
"""

from __future__ import annotations

from collections.abc import Sequence

from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model
from statusproof.model.record import record

from .cases import DEFAULT_LIMIT, Suite
from .complete import Extension, complete_suite
from .fsm import Explicit, explore
from .machine import Configuration, Machine
from .pairs import pair_tour
from .refusals import boundary_suite, refusal_suite
from .tour import status_tour, transition_tour

__all__ = ["COVERAGES", "DEFAULT_WALKS", "Options", "generate", "parse_coverage"]

#: Random walks in the complete suite by default (see :mod:`.random_walks`).
DEFAULT_WALKS = 450
_EXTENSION = Extension(DEFAULT_WALKS)

#: The suites, in the order ``all`` generates them.
COVERAGES = ("statuses", "transitions", "pairs", "complete", "refusals", "boundaries")


@record
class Options:
    """How the suites are built: the m-complete method, m, the step limit, the long waits
    in the alphabet and the complete suite's random extension."""

    method: str = "spyh"
    extra_states: int = 1
    limit: int = DEFAULT_LIMIT
    long_waits: int = 1
    extension: Extension = _EXTENSION
    bound: bool = False

    def machine(self, model: Model, configurations: Sequence[Configuration] | None = None
                ) -> Machine:
        """The machine under test these options describe."""
        return Machine(model, configurations, self.long_waits)


def parse_coverage(text: str) -> tuple[str, ...]:
    """``statuses,transitions`` or ``all`` -> the coverage names, in :data:`COVERAGES` order.

    Examples
    --------
    >>> parse_coverage("pairs,statuses")
    ('statuses', 'pairs')
    """
    wanted = {part.strip() for part in text.split(",") if part.strip()}
    if "all" in wanted:
        return COVERAGES
    unknown = sorted(wanted - set(COVERAGES))
    if unknown or not wanted:
        raise StatusproofError(f"unknown coverage {', '.join(unknown) or repr(text)}; use one "
                               f"or more of {', '.join(COVERAGES)} (comma-separated) or all")
    return tuple(c for c in COVERAGES if c in wanted)


def generate(model: Model, coverages: Sequence[str], options: Options = Options(),
             configurations: Sequence[Configuration] | None = None,
             explicit: Explicit | None = None) -> list[Suite]:
    """The suites named by ``coverages`` for ``model``."""
    if explicit is None:
        explicit = explore(options.machine(model, configurations))
    table = model.path
    suites = []
    for coverage in coverages:
        if coverage == "statuses":
            suites.append(status_tour(explicit, table))
        elif coverage == "transitions":
            suites.append(transition_tour(explicit, table, limit=options.limit))
        elif coverage == "pairs":
            suites.append(pair_tour(explicit, table, limit=options.limit))
        elif coverage == "complete":
            suites.append(complete_suite(explicit, table, options.method,
                                         options.extra_states, options.limit,
                                         options.extension, options.bound))
        elif coverage == "refusals":
            suites.append(refusal_suite(explicit, table, limit=options.limit))
        elif coverage == "boundaries":
            suites.append(boundary_suite(explicit, table))
        else:
            raise StatusproofError(f"unknown coverage {coverage!r}; use one of "
                                   + ", ".join(COVERAGES))
    return suites
