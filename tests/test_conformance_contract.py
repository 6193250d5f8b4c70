"""The contract in docs/conformance.md, rule by rule: every ``contract`` block of the page runs.

A block is ``reset ENTRY CONFIGURATION`` then lines ``go STATUS [cause CAUSE] -> ANSWER`` or
``wait SECONDS -> ANSWER`` (``table PATH`` first for a table other than the bundled one). Each
is replayed on the model (:class:`~statusproof.conformance.machine.Machine`), and the blocks on
the bundled table also on the reference implementation and on the python-statemachine and
transitions examples through their adapters. Mutants that break a rule fail its example: the
example is a test of the rule, not a picture of it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.cases import Step, TestCase
from statusproof.conformance.machine import Input, Machine
from statusproof.conformance.runner import run_case
from statusproof.model import load_model

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "conformance.md"
_BLOCK = re.compile(r"^( *)```contract\n(.*?)^\1```", re.MULTILINE | re.DOTALL)
_LINE = re.compile(r"^(?:go (?P<status>.+?)(?: cause (?P<cause>\w+))?|wait (?P<seconds>\d+))"
                   r" -> (?P<answer>.+)$")
IMPLEMENTATIONS = {
    "reference": "python:examples/rescue_reference.py:RescueSession",
    "python-statemachine": "statemachine:examples/rescue_statemachine.py:RescueSession",
    "transitions": "transitions:examples/rescue_transitions.py:RescueSession",
}


def blocks() -> list[tuple[int, str | None, list[tuple[str, str, list[tuple[Input, str]]]]]]:
    """(rule number, table, tests) per block; a test is (entry, configuration, steps)."""
    found = []
    for number, match in enumerate(_BLOCK.finditer(PAGE.read_text(encoding="utf-8")), 1):
        table = None
        tests: list[tuple[str, str, list[tuple[Input, str]]]] = []
        for raw in match.group(2).splitlines():
            line = raw.strip()
            if line.startswith("table "):
                table = line.removeprefix("table ")
            elif line.startswith("reset "):
                entry, _, config = line.removeprefix("reset ").rpartition(" ")
                tests.append((entry, config, []))
            else:
                parsed = _LINE.match(line)
                assert parsed is not None, f"block {number}: cannot read {line!r}"
                item = (Input.wait(int(parsed["seconds"])) if parsed["seconds"] else
                        Input.go(parsed["status"], parsed["cause"]))
                tests[-1][2].append((item, parsed["answer"]))
        found.append((number, table, tests))
    return found


def cases(machine: Machine, tests: list[tuple[str, str, list[tuple[Input, str]]]]
          ) -> list[TestCase]:
    made = []
    for entry, config, steps in tests:
        start = next(s for s in machine.starts()
                     if s.state.status == entry and s.configuration.name == config)
        made.append(TestCase(f"{entry}-{config}", start,
                             tuple(Step(item, answer) for item, answer in steps)))
    return made


BLOCKS = blocks()


def test_the_page_has_an_example_for_every_rule() -> None:
    assert len(BLOCKS) >= 8
    text = PAGE.read_text(encoding="utf-8")
    for phrase in ("An overdue timer fires on entry", "A wait goes on after a timer fires",
                   "A wait may go through several deadlines", "A refusal changes nothing"):
        assert phrase in text


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: f"block{b[0]}")
def test_the_model_gives_every_answer(
        block: tuple[int, str | None, list[tuple[str, str, list[tuple[Input, str]]]]]) -> None:
    _, table, tests = block
    machine = Machine(load_model(ROOT / table if table else None))
    for case in cases(machine, tests):
        outcomes = machine.run(case.start, case.inputs)
        assert [o.status for o in outcomes] == [s.expected for s in case.steps], case.name


@pytest.mark.parametrize("implementation", sorted(IMPLEMENTATIONS))
def test_the_rescue_implementations_keep_every_rule(implementation: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    model = load_model()
    machine = Machine(model)
    spec = IMPLEMENTATIONS[implementation]
    with open_adapter(spec, 5.0, None, model.names) as adapter:
        for number, table, tests in BLOCKS:
            if table is not None:
                continue
            for case in cases(machine, tests):
                result = run_case(adapter, case, machine)
                assert result.passed, f"rule example {number}: {result.explain()}"


@pytest.mark.parametrize(("mutant", "rule"), [
    ("RefusalRestartsClock", "A refusal changes nothing"),
    ("WaitRemainderDropped", "A wait goes on after a timer fires"),
    ("OfflineOnRequest", "Steps only a timer takes"),
    ("HistoryLostThroughOffline", "History"),
    ("EarlyTimeout", "A timer fires when its clock reaches its value"),
])
def test_a_mutant_that_breaks_a_rule_fails_its_example(mutant: str, rule: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = PAGE.read_text(encoding="utf-8")
    position = text.index(f"**{rule}")
    number = text[:position].count("```contract") + 1
    _, _, tests = BLOCKS[number - 1]
    machine = Machine(load_model())
    with open_adapter(f"python:tests/mutants/mutants.py:{mutant}") as adapter:
        results = [run_case(adapter, case, machine) for case in cases(machine, tests)]
    assert not all(r.passed for r in results), f"{mutant} keeps rule {rule!r}"
