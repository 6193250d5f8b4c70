"""Tests of the tours: the Chinese-postman transition tour, transition pairs, status coverage.

The issue's acceptance criteria on the bundled model: the transition tour's length equals the
min-cost-flow optimum, and every transition of the unfolded machine appears in the suite. The
optimum itself is checked independently: on random small graphs, hypothesis compares
:func:`postman` with a brute-force shortest search over (position, covered edges).
"""

from __future__ import annotations

import heapq
import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.conformance.fsm import Explicit, explore
from statusproof.conformance.machine import Machine
from statusproof.conformance.pairs import pair_tour
from statusproof.conformance.tour import postman, status_tour, transition_tour
from statusproof.model import load_model
from statusproof.model.machine import unfold

HELPDESK = Path(__file__).resolve().parent / "fixtures" / "conformance" / "helpdesk.txt"


@pytest.fixture(scope="module")
def explicit() -> Explicit:
    return explore(Machine(load_model()))


def step_moves(explicit: Explicit, case: object) -> list[set[tuple[int, int, int]]]:
    """The (source, symbol, target) moves each step of a test takes, replayed on the explicit
    machine (two symbols may stand for one concrete wait, as a long wait may be the same wait
    as until: both are taken); every concrete state reached must be the one planned."""
    machine = explicit.machine
    found = []
    concrete = machine.start_state(case.start)  # type: ignore[attr-defined]
    q = explicit.index[machine.normalise(concrete)]
    for step in case.steps:  # type: ignore[attr-defined]
        symbols = [a for a, s in enumerate(machine.alphabet)
                   if machine.concrete(concrete, s) == step.input]
        target = explicit.delta(q, symbols[0])
        found.append({(q, a, target) for a in symbols if a in explicit.moves[q]})
        assert step.state is not None
        assert explicit.states[target] == machine.normalise(step.state)
        concrete, q = step.state, target
    return found


def moves_taken(explicit: Explicit, tests: object) -> list[tuple[int, int, int]]:
    """Every move the tests take (see :func:`step_moves`)."""
    return [move for case in tests for moves in step_moves(explicit, case)  # type: ignore[attr-defined]
            for move in sorted(moves)]


def test_transition_tour_length_is_the_min_cost_flow_optimum(explicit: Explicit) -> None:
    suite = transition_tour(explicit, "t")
    assert suite.length == suite.fact("optimum") == 4967
    assert suite.fact("moves") == len(explicit.edges()) == 1450


def test_transition_tour_covers_every_move_and_every_unfolded_transition(
        explicit: Explicit) -> None:
    suite = transition_tour(explicit, "t")
    taken = set(moves_taken(explicit, suite.tests))
    assert taken == set(explicit.edges())
    # every transition of model.machine.unfold() appears as a step of the suite
    seen = set()
    machine = explicit.machine
    for case in suite.tests:
        previous = case.start.state
        for outcome in machine.run(case.start, case.inputs):
            for transition, after in zip(outcome.steps, outcome.path, strict=True):
                seen.add((previous, after.state, transition))
                previous = after.state
    model = machine.model
    graph = unfold(model)
    # a step only a timer takes happens only with the cause one of its timers sets
    wanted = {(u, v, data["transition"]) for u, v, data in graph.edges(data=True)
              if (u.status, v.status) not in machine.timed
              or any(t.status == u.status and t.target == v.status
                     and t.cause in (None, v.cause) for t in model.timers)}
    assert len(wanted) == 166
    assert wanted <= seen
    # and every timer firing and clock-region change
    waits = {(q, a, t) for q, a, t in explicit.edges() if not explicit.is_go(a)}
    assert waits <= taken


def test_transition_tour_is_deterministic(explicit: Explicit) -> None:
    first = transition_tour(explicit, "t")
    second = transition_tour(explore(Machine(load_model())), "t")
    assert [c.inputs for c in first.tests] == [c.inputs for c in second.tests]


def test_pair_tour_covers_every_pair_at_the_optimum(explicit: Explicit) -> None:
    suite = pair_tour(explicit, "t")
    assert suite.length == suite.fact("optimum")
    edges = explicit.edges()
    index = {e: i for i, e in enumerate(edges)}
    seen_pairs = set()
    seen_openings = set()
    for case in suite.tests:
        # the moves of each step (two symbols may stand for one wait: both are taken)
        per_step = [{index[m] for m in moves} for moves in step_moves(explicit, case)]
        assert all(per_step)  # a pair tour only takes moves
        seen_openings.update(per_step[0])
        for first, second in itertools.pairwise(per_step):
            seen_pairs.update(itertools.product(first, second))
    wanted = {(i, j) for i, (_, _, t) in enumerate(edges)
              for j, (q, _, _) in enumerate(edges) if q == t}
    assert wanted <= seen_pairs
    assert len(wanted) == suite.fact("pairs")
    starts = {state for _, state in explicit.starts}
    assert {i for i, (q, _, _) in enumerate(edges) if q in starts} <= seen_openings


@pytest.mark.parametrize("table", [None, HELPDESK], ids=["rescue", "helpdesk"])
def test_status_tour_visits_every_reachable_status(table: Path | None) -> None:
    explicit = explore(Machine(load_model(table)))
    suite = status_tour(explicit, "t")
    seen = {case.start.state.status for case in suite.tests}
    seen |= {step.expected for case in suite.tests for step in case.steps}
    assert seen == {explicit.status(q) for q in range(explicit.size)}
    bound = suite.fact("lower bound")
    assert isinstance(bound, int) and suite.length >= bound
    assert suite.fact("optimal") == ("yes" if suite.length == bound else "unknown")


def test_helpdesk_status_tour_figures() -> None:
    suite = status_tour(explore(Machine(load_model(HELPDESK))), "t")
    assert (suite.length, suite.fact("lower bound"), suite.fact("optimal")) == (10, 8, "unknown")


# -- the optimum, checked by brute force ------------------------------------------------------
def brute_force(edges: list[tuple[int, int]], starts: list[int], reset_cost: int) -> int:
    """The least total cost of tests (reset, then steps) covering every edge: Dijkstra over
    (position or None between tests, covered edges)."""
    full = (1 << len(edges)) - 1
    best = {(None, 0): 0}
    queue: list[tuple[int, int, int, int]] = [(0, 0, -1, 0)]  # cost, tiebreak, position, mask
    counter = 0
    while queue:
        cost, _, position, mask = heapq.heappop(queue)
        here = None if position < 0 else position
        if best.get((here, mask), 1 << 60) < cost:
            continue
        if mask == full and here is not None:
            return cost
        options: list[tuple[int | None, int, int]] = []
        if here is None:
            options += [(s, mask, reset_cost) for s in starts]
        else:
            options.append((None, mask, 0))
            options += [(v, mask | (1 << i), 1) for i, (u, v) in enumerate(edges) if u == here]
        for node, new_mask, step in options:
            key = (node, new_mask)
            if cost + step < best.get(key, 1 << 60):
                best[key] = cost + step
                counter += 1
                heapq.heappush(queue, (cost + step, counter, -1 if node is None else node,
                                       new_mask))
    raise AssertionError("not coverable")


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[list[tuple[int, int]], list[int]]:
    nodes = draw(st.integers(2, 5))
    starts = sorted(draw(st.sets(st.integers(0, nodes - 1), min_size=1, max_size=2)))
    edges = draw(st.lists(st.tuples(st.integers(0, nodes - 1), st.integers(0, nodes - 1)),
                          min_size=1, max_size=7, unique=True))
    # keep the edges whose source can be reached from a start
    reach = set(starts)
    changed = True
    while changed:
        changed = False
        for u, v in edges:
            if u in reach and v not in reach:
                reach.add(v)
                changed = True
    kept = [e for e in edges if e[0] in reach]
    if not kept:
        kept = [(starts[0], starts[0])]
    return kept, starts


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_graphs(), st.integers(0, 3))
def test_postman_optimum_equals_brute_force(graph: tuple[list[tuple[int, int]], list[int]],
                                            reset_cost: int) -> None:
    edges, starts = graph
    tour = postman([(u, v, i) for i, (u, v) in enumerate(edges)], starts, reset_cost)
    assert tour.length == tour.optimum == brute_force(edges, starts, reset_cost)
    covered = set()
    for begin, labels in tour.walks:
        assert begin in starts
        position = begin
        for label in labels:
            u, v = edges[label]
            assert u == position
            position = v
            covered.add(label)
    assert covered == set(range(len(edges)))


def test_postman_refuses_edges_no_start_reaches() -> None:
    with pytest.raises(ValueError, match="cannot be reached from any start"):
        postman([("a", "b", 0), ("x", "y", 1)], ["a"])
    with pytest.raises(ValueError, match="not a start"):
        postman([("a", "b", 0)], ["a"], resets=["b"])
