"""Refusal tests and timing boundary tests.

Refusals: from every reachable state of the unfolded machine (status, remembered status,
cause, configuration, clock region), every ``go`` the model does not allow, one after the
other; each must be answered with the unchanged status. A refusal that changes something the
status does not show (a lost remembered status, a restarted clock) is caught by the state's
identifier appended at the end (:meth:`Minimal.splitting_tree`), and, where a timer runs, by
letting it fire (it must fire when it would have without the refusals).

Boundaries: for every reachable state in which a timer runs, entered afresh, three tests around
the deadline ``d``: wait ``d - 1`` then 1 more second (still there, then moved), wait ``d``
(moved: a timer fires when the time spent reaches its delay), and wait ``d + 1``. An early or
late timeout, or one with the wrong target or cause, fails one of them.
"""

from __future__ import annotations

from .cases import Suite, TestCase, case_from_inputs, check_limit, concretise, number_tests
from .fsm import Explicit
from .machine import UNTIL, Input

__all__ = ["refusal_suite", "boundary_suite"]


def refusal_suite(explicit: Explicit, table: str, limit: int | None = None) -> Suite:
    """Every forbidden ``go`` from every reachable state, with the state checked after."""
    machine = explicit.machine
    go_symbols = [i for i, s in enumerate(machine.alphabet) if s.kind == "go"]
    until = next((i for i, s in enumerate(machine.alphabet) if s.kind == UNTIL), -1)
    minimal = explicit.minimise()
    _, identifiers = minimal.splitting_tree()
    if limit is not None:
        average = sum(len(w) for _, w in explicit.access) / max(explicit.size, 1)
        check_limit("refusals", int(explicit.size * (len(go_symbols) + average + 2)), limit,
                    "choose a smaller table")
    plans: list[tuple[int, tuple[int, ...]]] = []
    refused_count = 0
    for q in range(explicit.size):
        refused = tuple(a for a in go_symbols if a not in explicit.moves[q])
        if not refused:
            continue
        refused_count += len(refused)
        start, word = explicit.access[q]
        tails = list(identifiers[minimal.classes[q]]) or [()]
        if machine.armed(explicit.states[q]) is not None:
            tails.append((until,))  # the refusals must not have touched the clock
        for tail in tails:
            plans.append((start, (*word, *refused, *tail)))
    names = number_tests("refusals", len(plans))
    tests = tuple(concretise(machine, name, explicit.starts[start][0], word)
                  for name, (start, word) in zip(names, plans, strict=True))
    return Suite("refusals", "every go the model forbids, from every reachable state; the "
                 "state checked after", table, tests,
                 (("states", explicit.size), ("refusals", refused_count)),
                 tuple(machine.notes))


def boundary_suite(explicit: Explicit, table: str) -> Suite:
    """Just before, at and just after every timer's deadline, from every timed state."""
    machine = explicit.machine
    plans: list[tuple[int, tuple[int, ...], tuple[Input, ...]]] = []
    for q in range(explicit.size):
        state = explicit.states[q]
        armed = machine.armed(state)
        if armed is None or state.clock != 0:
            continue
        delay = armed[0]
        start, word = explicit.access[q]
        for seconds in ((delay - 1, 1), (delay,), (delay + 1,)):
            plans.append((start, word, tuple(Input.wait(w) for w in seconds if w > 0)))
    names = number_tests("boundaries", len(plans))
    tests: list[TestCase] = []
    for name, (start, word, waits) in zip(names, plans, strict=True):
        reach = concretise(machine, name, explicit.starts[start][0], word)
        tests.append(case_from_inputs(machine, name, reach.start, (*reach.inputs, *waits)))
    timed = len(plans) // 3
    return Suite("boundaries", "just before, at and just after every timer's deadline, from "
                 "every state where a timer runs", table, tuple(tests),
                 (("timed states", timed),), tuple(machine.notes))
