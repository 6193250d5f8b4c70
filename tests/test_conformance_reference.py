"""The reference implementations pass every suite through both adapters.

examples/rescue_reference.py (hand-written from the bundled table) runs every suite in-process
(python adapter) and as a real process speaking JSON lines (exec adapter): the tours, pairs,
refusals and boundaries, and the m-complete suites by SPYH (the default) and Wp with m = 1 and
W with m = 0;
W with m = 1 (3 million steps, over the default step limit) runs in-process only. A second
domain, the helpdesk fixture table, has its own hand-written implementation
(tests/mutants/helpdesk.py), which passes too, while a faulty variant of it is caught.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.cases import Suite
from statusproof.conformance.complete import complete_suite
from statusproof.conformance.fsm import Explicit, explore
from statusproof.conformance.generate import COVERAGES, generate
from statusproof.conformance.machine import Machine
from statusproof.conformance.runner import run_suites
from statusproof.model import load_model

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "examples" / "rescue_reference.py"
HELPDESK = ROOT / "tests" / "fixtures" / "conformance" / "helpdesk.txt"
TICKETS = ROOT / "tests" / "mutants" / "helpdesk.py"


def every_suite(explicit: Explicit) -> list[Suite]:
    suites = generate(explicit.machine.model, COVERAGES, explicit=explicit)
    suites += [complete_suite(explicit, "t", "wp", 1), complete_suite(explicit, "t", "w", 0)]
    return suites


@pytest.fixture(scope="module")
def rescue() -> tuple[Explicit, list[Suite]]:
    explicit = explore(Machine(load_model()))
    return explicit, every_suite(explicit)


@pytest.mark.slow
@pytest.mark.parametrize("adapter", [
    f"python:{REFERENCE}:RescueSession",
    f"exec:{sys.executable} {REFERENCE}",
], ids=["python", "exec"])
def test_the_rescue_reference_passes_every_suite(rescue: tuple[Explicit, list[Suite]],
                                                 adapter: str) -> None:
    explicit, suites = rescue
    with open_adapter(adapter, 10.0) as implementation:
        result = run_suites(implementation, suites, explicit)
    summary = {(s.suite.name, s.suite.fact("method")): (s.suite.size, len(s.failures))
               for s in result.suites}
    assert result.passed, summary
    assert result.problems == ()
    assert {method for name, method in summary if name == "complete"} == {"SPYH", "Wp", "W"}


@pytest.mark.slow
def test_the_rescue_reference_passes_the_w_suite_with_m1(rescue: tuple[Explicit, list[Suite]]
                                                         ) -> None:
    explicit, _ = rescue
    suite = complete_suite(explicit, "t", "w", 1, limit=10_000_000)
    assert suite.length > 2_000_000
    with open_adapter(f"python:{REFERENCE}:RescueSession", 10.0) as implementation:
        result = run_suites(implementation, [suite], explicit)
    assert result.passed


@pytest.mark.parametrize(("factory", "passes"), [("Ticket", True), ("ForgetfulTicket", False)])
def test_the_helpdesk_implementation_is_judged_by_its_own_table(factory: str,
                                                                passes: bool) -> None:
    explicit = explore(Machine(load_model(HELPDESK)))
    suites = every_suite(explicit)
    with open_adapter(f"python:{TICKETS}:{factory}") as implementation:
        result = run_suites(implementation, suites, explicit)
    assert result.passed is passes
    if not passes:
        caught = {s.suite.name + str(s.suite.fact("method") or "") for s in result.suites
                  if s.failures}
        assert {"completeSPYH", "completeWp", "completeW"} <= caught
        assert result.shrunk is not None
        # paused while waiting on the customer, it forgets where it was: it cannot go back
        assert [str(i) for i in result.shrunk.result.case.inputs] == [
            "go Open", "go Waiting on customer", "go Paused", "go Waiting on customer"]
        assert ("the model takes this step in Paused [remembered=Waiting on customer] "
                "<minimum> (line 34); the implementation refused it"
                in result.shrunk.result.message)
