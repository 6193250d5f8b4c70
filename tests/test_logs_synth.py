"""Generated records with injected faults: the checker reports every fault at its line and
nothing else (exact precision and recall), for event records and for polled snapshots."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.logcheck.checker import LogChecker
from statusproof.logcheck.namemap import NameMap, default_map
from statusproof.logcheck.readers import read_records
from statusproof.logcheck.records import default_fields
from statusproof.logcheck.result import CheckSettings as Settings
from statusproof.logcheck.result import LogResult
from statusproof.logcheck.synth import (
    EVENT_FAULTS,
    SNAPSHOT_FAULTS,
    SynthError,
    SynthResult,
    SynthSettings,
    applicable_faults,
    generate,
)
from statusproof.model import load_model
from statusproof.model.model import Model

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
FORMATS = ("jsonl", "csv", "rescue-getsession")


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def parcel() -> Model:
    return load_model(LOGS / "parcel.txt")


def _generate_and_check(tmp: Path, model: Model, names: NameMap, fmt: str,
                        settings: SynthSettings,
                        check: Settings | None = None) -> tuple[SynthResult, LogResult]:
    path = tmp / f"records.{fmt}"
    with path.open("w", encoding="utf-8") as handle:
        made = generate(model, names, settings, fmt, handle)
    checker = LogChecker(model, names, check or Settings(slack=settings.slack),
                             snapshots=fmt == "rescue-getsession")
    checker.feed_all(read_records([path], fmt, default_fields(fmt), checker.problem,
                                  [path.name]))
    return made, checker.finish()


def _expected(made: SynthResult) -> set[tuple[str, int]]:
    return {(e.kind, e.line) for e in made.expected}


def _reported(result: LogResult) -> set[tuple[str, int]]:
    found = {(v.kind, v.line) for v in result.violations}
    found |= {(i.kind, i.line) for i in result.issues}
    found |= {("malformed", p.line) for p in result.problems}
    count = len(result.violations) + len(result.issues) + len(result.problems)
    assert len(found) == count, "two reports at the same line and of the same kind"
    return found


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_injected_fault_and_nothing_else_rescue(tmp_path: Path, rescue: Model, fmt: str,
                                                      seed: int) -> None:
    made, result = _generate_and_check(tmp_path, rescue, default_map(rescue), fmt,
                                       SynthSettings(150, faults=60, seed=seed))
    assert len(made.expected) == 60
    kinds = {e.kind for e in made.expected}
    assert kinds == set(SNAPSHOT_FAULTS if fmt == "rescue-getsession" else EVENT_FAULTS)
    assert _reported(result) == _expected(made)


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_injected_fault_and_nothing_else_other_table(tmp_path: Path, parcel: Model,
                                                           fmt: str) -> None:
    made, result = _generate_and_check(tmp_path, parcel, NameMap(parcel), fmt,
                                       SynthSettings(120, faults=50, seed=11))
    assert len(made.expected) == 50
    assert _reported(result) == _expected(made)


@pytest.mark.parametrize("fmt", ("jsonl", "rescue-getsession"))
def test_faults_clear_the_slack(tmp_path: Path, rescue: Model, fmt: str) -> None:
    made, result = _generate_and_check(tmp_path, rescue, default_map(rescue), fmt,
                                       SynthSettings(100, faults=40, seed=5, slack=20))
    assert _reported(result) == _expected(made)


def test_conforming_records_give_no_report(tmp_path: Path, rescue: Model) -> None:
    made, result = _generate_and_check(tmp_path, rescue, default_map(rescue), "jsonl",
                                       SynthSettings(300, seed=4))
    assert made.expected == []
    assert (result.violations, result.issues, result.problems) == ([], [], [])
    assert result.sessions == result.conforming == 300
    assert result.records == made.records


@pytest.mark.slow
@given(seed=st.integers(min_value=0, max_value=10**6),
       fmt=st.sampled_from(FORMATS), faults=st.integers(min_value=0, max_value=20))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_precision_and_recall_for_any_seed(tmp_path: Path, rescue: Model, seed: int,
                                           fmt: str, faults: int) -> None:
    made, result = _generate_and_check(tmp_path, rescue, default_map(rescue), fmt,
                                       SynthSettings(40, faults=faults, seed=seed))
    assert _reported(result) == _expected(made)


def test_same_seed_same_bytes(rescue: Model) -> None:
    outputs = []
    for _ in range(2):
        buffer = io.StringIO()
        generate(rescue, default_map(rescue), SynthSettings(50, faults=10, seed=9),
                 "rescue-getsession", buffer)
        outputs.append(buffer.getvalue())
    assert outputs[0] == outputs[1]
    other = io.StringIO()
    generate(rescue, default_map(rescue), SynthSettings(50, faults=10, seed=10),
             "rescue-getsession", other)
    assert other.getvalue() != outputs[0]


def test_records_use_the_recorded_names_of_the_map(rescue: Model) -> None:
    buffer = io.StringIO()
    generate(rescue, default_map(rescue), SynthSettings(400, seed=3), "jsonl", buffer)
    text = buffer.getvalue()
    assert '"status": "Closed by technician"' in text
    assert "Removed from TC queue (after closed by technician)" not in text


def test_applicable_faults_follow_the_model(tmp_path: Path, parcel: Model) -> None:
    table = tmp_path / "plain.txt"
    table.write_text("Open\n| New.\n| none\n|\n- Closed\n|\nClosed\n| Done.\n|\n- Open\n"
                     "| none\n|\n")
    plain = load_model(table)
    assert "guard" not in applicable_faults(plain, snapshots=False)
    assert "too-early" not in applicable_faults(plain, snapshots=False)
    assert set(applicable_faults(parcel, snapshots=False)) == set(EVENT_FAULTS)
    with pytest.raises(SynthError, match=r"fault kind 'guard' cannot be injected into .*plain"):
        generate(plain, NameMap(plain), SynthSettings(5, faults=1, kinds=("guard",)), "jsonl",
                 io.StringIO())


@pytest.mark.parametrize(("settings", "message"), [
    (SynthSettings(2, faults=3), r"3 faults need at least as many sessions \(one fault per "
                                 r"session\); got 2"),
    (SynthSettings(5, faults=1, kinds=("cut-off",)), r"fault kind 'cut-off' is not one for "
                                                     r"snapshots; use unexplained-gap, "),
])
def test_generator_input_errors(rescue: Model, settings: SynthSettings, message: str) -> None:
    with pytest.raises(SynthError, match=message):
        generate(rescue, default_map(rescue), settings, "rescue-getsession", io.StringIO())
