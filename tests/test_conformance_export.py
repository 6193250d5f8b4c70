"""Tests of the exported suites: JSON Lines, ITF (read back with the itf-py package) and the
generated pytest module (run with a real pytest against real adapters).

Golden files (tests/golden/conformance/) hold the small suites of the bundled model: the
status tour as JSON Lines, one ITF trace, the generated pytest module and the summary
``statusproof traces`` prints.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import itf_py
import pytest
from conftest import Golden, run_cli

from statusproof.conformance.cases import Suite
from statusproof.conformance.export import (
    SuiteFileError,
    export_suites,
    itf_trace,
    pytest_module,
    read_jsonl,
    write_jsonl,
)
from statusproof.conformance.generate import generate
from statusproof.model import load_model

ROOT = Path(__file__).resolve().parent.parent
HELPDESK = ROOT / "tests" / "fixtures" / "conformance" / "helpdesk.txt"


@pytest.fixture(scope="module")
def small_suites() -> list[Suite]:
    return generate(load_model(), ["statuses", "boundaries", "refusals"])


def test_traces_cli_writes_the_status_tour(tmp_path: Path, golden: Golden) -> None:
    code, out, err = run_cli(["traces", "--coverage", "statuses", "--format", "jsonl",
                              "-o", str(tmp_path)])
    assert (code, err) == (0, "")
    golden("conformance/statuses.jsonl", (tmp_path / "statuses.jsonl").read_text())
    assert out.endswith(f"wrote 1 file(s) to {tmp_path}\n")
    golden("conformance/traces-statuses.txt", out.replace(str(tmp_path), "OUT"))


def test_traces_cli_summary_states_optimum_and_length(tmp_path: Path, golden: Golden) -> None:
    code, out, _ = run_cli(["traces", "--coverage",
                            "statuses,transitions,pairs,refusals,boundaries",
                            "-o", str(tmp_path)])
    assert code == 0
    golden("conformance/traces-summary.txt", out.replace(str(tmp_path), "OUT"))
    assert "transitions: 671 tests, length 4967 (4296 steps + 671 resets); moves=1450, " \
           "states=216, optimum=4967, length=4967" in out


def test_the_same_input_gives_byte_identical_files(tmp_path: Path) -> None:
    for name in ("a", "b"):
        code, _, _ = run_cli(["traces", str(HELPDESK), "--coverage", "all", "--format", "itf",
                              "-o", str(tmp_path / name)])
        assert code == 0
    first = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    second = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.json"))
    assert first == second and first
    for relative in first:
        assert (tmp_path / "a" / relative).read_bytes() == \
            (tmp_path / "b" / relative).read_bytes()


def test_jsonl_reads_back_to_the_same_inputs_and_answers(small_suites: list[Suite],
                                                         tmp_path: Path) -> None:
    for suite in small_suites:
        path = tmp_path / f"{suite.name}.jsonl"
        path.write_text(write_jsonl(suite))
        cases = read_jsonl(path)
        assert [c.name for c in cases] == [c.name for c in suite.tests]
        assert [c.inputs for c in cases] == [c.inputs for c in suite.tests]
        assert [[s.expected for s in c.steps] for c in cases] == \
            [[s.expected for s in c.steps] for c in suite.tests]
        assert [c.start for c in cases] == [c.start for c in suite.tests]


def test_malformed_jsonl_lines_are_all_reported(tmp_path: Path) -> None:
    good = write_jsonl(generate(load_model(), ["statuses"])[0]).splitlines()[0]
    record = json.loads(good)
    record["steps"][0]["input"] = {"op": "wait", "seconds": -3}
    lines = [good, "{not json", json.dumps(record), "", json.dumps([1, 2]),
             json.dumps({**json.loads(good), "start": None})]
    path = tmp_path / "suite.jsonl"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(SuiteFileError) as caught:
        read_jsonl(path)
    message = str(caught.value)
    assert f"{path}:2: not JSON (Expecting property name enclosed in double quotes)" in message
    assert f"{path}:3: step 1: a wait input's 'seconds' must be a whole number >= 0" in message
    assert f"{path}:5: a line must be a JSON object" in message
    assert f"{path}:6: 'start' must be an object with 'entry'" in message
    assert "4 problems in all" in message
    with pytest.raises(Exception, match=r"cannot read the suite file"):
        read_jsonl(tmp_path / "missing.jsonl")


def test_itf_traces_load_with_itf_py(small_suites: list[Suite], tmp_path: Path,
                                     golden: Golden) -> None:
    written = export_suites(small_suites, tmp_path, "itf")
    assert len(written) == sum(s.size for s in small_suites)
    by_name = {c.name: c for s in small_suites for c in s.tests}
    for path in written:
        document = json.loads(path.read_text())
        trace = itf_py.trace_from_json(document)
        case = by_name[path.name.removesuffix(".itf.json")]
        assert trace.vars == ["input", "status", "remembered", "cause", "clock", "refused"]
        assert [s.meta["index"] for s in trace.states] == list(range(len(case.steps) + 1))
        assert all(set(s.values) == set(trace.vars) for s in trace.states)
        assert [s.values["status"] for s in trace.states] == \
            [case.start.state.status, *(step.expected for step in case.steps)]
        assert type(trace.states[0].values["input"]).__name__ == "Reset"
        for state, step in zip(trace.states[1:], case.steps, strict=True):
            decoded = state.values["input"]
            if step.input.kind == "wait":
                assert (type(decoded).__name__, decoded.seconds) == ("Wait", step.input.seconds)
            else:
                assert (type(decoded).__name__, decoded.status) == ("Go", step.input.status)
            assert state.values["refused"] is step.refused
        # what itf-py reads, it writes back identically
        assert [itf_py.state_to_json(s) for s in trace.states] == document["states"]
        assert trace.meta["format"] == "ITF"
    golden("conformance/statuses-0001.itf.json",
           (tmp_path / "statuses" / "statuses-0001.itf.json").read_text())


def test_itf_reset_carries_the_settings(small_suites: list[Suite]) -> None:
    suite = small_suites[0]
    never = next(c for c in suite.tests if c.start.configuration.name == "never") \
        if any(c.start.configuration.name == "never" for c in suite.tests) else None
    document = itf_trace(suite.tests[0], suite)
    settings = itf_py.trace_from_json(document).states[0].values["input"].settings
    assert {k: v.seconds for k, v in settings.items()} == \
        dict(suite.tests[0].start.configuration.settings)
    if never is not None:
        decoded = itf_py.trace_from_json(itf_trace(never, suite)).states[0].values["input"]
        assert {type(v).__name__ for v in decoded.settings.values()} == {"Never"}


def test_pytest_module_golden(small_suites: list[Suite], golden: Golden) -> None:
    golden("conformance/statuses_test.py",
           pytest_module(small_suites[0], "statuses.jsonl",
                         "python:examples/rescue_reference.py:RescueSession"))


@pytest.mark.slow
@pytest.mark.parametrize(("adapter", "code"), [
    ("python:examples/rescue_reference.py:RescueSession", 0),
    (f"exec:{sys.executable} examples/rescue_reference.py", 0),
    ("python:tests/mutants/mutants.py:EarlyTimeout", 1),
])
def test_generated_pytest_module_runs_the_suite(tmp_path: Path, adapter: str,
                                                code: int) -> None:
    exit_code, _, err = run_cli(["traces", "--coverage", "boundaries", "--format", "pytest",
                                 "-o", str(tmp_path), "--adapter", adapter])
    assert exit_code == 0, err
    module = tmp_path / "boundaries_test.py"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), str(module)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == code, done.stdout[-2000:] + done.stderr[-2000:]
    summary = done.stdout.strip().splitlines()[-1]
    assert ("198 passed" if code == 0 else "50 failed, 148 passed") in summary
    if code:
        assert "wait 299s: expected 'Rebooting', answered 'Offline'" in done.stdout


def test_traces_says_where_the_files_are(tmp_path: Path) -> None:
    code, out, err = run_cli(["traces", "--coverage", "statuses,transitions", "--format", "itf",
                              "-o", str(tmp_path / "suites")])
    assert (code, err) == (0, "")
    folders = {p.parent.name: len(list(p.parent.iterdir()))
               for p in (tmp_path / "suites").rglob("*.itf.json")}
    assert sorted(folders) == ["statuses", "transitions"]
    assert out.endswith(f"wrote {folders['statuses']} file(s) to {tmp_path}/suites/statuses\n"
                        f"wrote {folders['transitions']} file(s) to "
                        f"{tmp_path}/suites/transitions\n")
