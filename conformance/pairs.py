"""Transition-pair (1-switch) coverage: every two consecutive moves, as a shortest tour.

A pair is a move into a state followed by a move out of it; a move out of an entry state right
after the reset counts as a pair with the reset. The pairs are the edges of the line graph of
the unfolded machine (one node per move), so the shortest suite is the Chinese-postman tour of
the line graph (:func:`statusproof.conformance.tour.postman`), where a reset costs one reset
plus the first move. Checking the answers is left to the runner.
"""

from __future__ import annotations

from .cases import Suite, check_limit, concretise, number_tests
from .fsm import Explicit
from .tour import postman

__all__ = ["pair_tour"]


def pair_tour(explicit: Explicit, table: str, limit: int | None = None) -> Suite:
    """Every pair of consecutive moves of the unfolded machine, in a shortest tour."""
    edges = explicit.edges()
    leaving: dict[int, list[int]] = {}
    for number, (q, _, _) in enumerate(edges):
        leaving.setdefault(q, []).append(number)
    pairs = [(first, second, second) for first, (_, _, t) in enumerate(edges)
             for second in leaving.get(t, ())]
    start_states = {state for _, state in explicit.starts}
    openings = [number for number, (q, _, _) in enumerate(edges) if q in start_states]
    if limit is not None:
        check_limit("pairs", 3 * len(pairs) + 2 * len(openings), limit,
                    "use --coverage transitions on a table this size")
    tour = postman(pairs, openings, reset_cost=2, resets=openings)
    start_of = {state: number for number, (_, state) in enumerate(explicit.starts)}
    names = number_tests("pairs", len(tour.walks))
    tests = []
    for name, (begin, walk) in zip(names, tour.walks, strict=True):
        q, _, _ = edges[begin]
        word = [edges[begin][1], *(edges[e][1] for e in walk)]
        tests.append(concretise(explicit.machine, name, explicit.starts[start_of[q]][0], word))
    suite = Suite("pairs", "every two consecutive moves of the unfolded machine (1-switch), "
                  "as a shortest tour with resets", table, tuple(tests),
                  (("pairs", len(pairs)), ("openings", len(openings)),
                   ("optimum", tour.optimum), ("length", tour.length)),
                  tuple(explicit.machine.notes))
    if suite.length != tour.optimum:  # pragma: no cover - the flow and the circuit agree
        raise AssertionError(f"pair tour length {suite.length} differs from {tour.optimum}")
    return suite
