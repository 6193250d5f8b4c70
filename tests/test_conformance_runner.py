"""Tests of the runner, the shrinker, the replay script, the reports and ``statusproof conform``.

The failing implementation is EarlyTimeout (tests/mutants/mutants.py): Rebooting and
Reconnecting give up after 299 s. Its shrunk failure, the replayable script and the text report
are golden files; the script is run as a real Python process; the JUnit XML is parsed back with
xml.etree.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import Golden, run_cli

from statusproof.conformance.adapters import Verdict, open_adapter
from statusproof.conformance.fsm import Explicit, explore
from statusproof.conformance.generate import generate
from statusproof.conformance.machine import Machine
from statusproof.conformance.report import format_junit, format_text, run_to_dict
from statusproof.conformance.runner import (
    Replay,
    replay_script,
    run_case,
    run_suites,
    shrink,
)
from statusproof.model import load_model

ROOT = Path(__file__).resolve().parent.parent
EARLY = "python:tests/mutants/mutants.py:EarlyTimeout"
REFERENCE = "python:examples/rescue_reference.py:RescueSession"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Adapter specs in these tests are relative to the repository root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def explicit() -> Explicit:
    return explore(Machine(load_model()))


def test_a_long_failure_shrinks_to_the_shortest_trace(explicit: Explicit,
                                                     golden: Golden) -> None:
    suite = generate(explicit.machine.model, ["transitions"], explicit=explicit)[0]
    with open_adapter(EARLY) as adapter:
        failing = next(r for r in (run_case(adapter, c) for c in suite.tests) if not r.passed)
        assert len(failing.case.steps) > 4 and failing.step and failing.step > 3
        shrunk = shrink(adapter, explicit, failing, "transitions")
    result = shrunk.result
    assert result.verdict is Verdict.FAIL
    assert len(result.case.steps) == 3  # reset, go Waiting, go Rebooting/Reconnecting, wait
    assert result.case.steps[-1].input.seconds == 299
    assert result.actual == "Offline"
    script = replay_script(shrunk, EARLY, "<bundled>/rescue-session-statuses.txt")
    golden("conformance/replay-early-timeout.py", script)


@pytest.mark.slow
def test_the_replay_script_reproduces_the_failure(tmp_path: Path) -> None:
    script = (ROOT / "tests" / "golden" / "conformance" / "replay-early-timeout.py").read_text()
    path = tmp_path / "replay.py"
    path.write_text(script)
    done = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines()[-2:] == [
        "  3. wait 299s: expected 'Reconnecting', answered 'Offline'", "FAILED"]
    # against the reference the same trace passes
    path.write_text(script.replace(EARLY, REFERENCE))
    done = subprocess.run([sys.executable, str(path)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.endswith("PASSED: every answer as expected\n")


def test_replay_in_process_stops_at_the_wrong_answer() -> None:
    import io
    out = io.StringIO()
    replay = Replay(EARLY, 5.0, out)
    replay.reset("Connecting")
    replay.go("Waiting", expect="Waiting")
    replay.go("Reconnecting", expect="Reconnecting")
    with pytest.raises(SystemExit) as stop:
        replay.wait(299, expect="Reconnecting")
    assert stop.value.code == 1
    assert out.getvalue().splitlines() == [
        "  0. reset to Connecting: Connecting", "  1. go Waiting: Waiting",
        "  2. go Reconnecting: Reconnecting",
        "  3. wait 299s: expected 'Reconnecting', answered 'Offline'", "FAILED"]


def test_conform_text_report_for_a_failing_implementation(golden: Golden) -> None:
    code, out, err = run_cli(["conform", "--adapter", EARLY, "--coverage", "boundaries"])
    assert (code, err) == (1, "")
    golden("conformance/conform-early-timeout.txt", out)
    assert "FAILED: 50 of 198 tests failed" in out


def test_conform_junit_parses_back(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--coverage",
                            "boundaries,statuses", "--format", "junit", "-o", str(report)])
    assert code == 1
    assert out == f"FAILED: 50 of 204 tests failed; report in {report}\n"
    root = ET.parse(report).getroot()
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("204", "50", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"statuses", "boundaries"}
    boundaries = suites["boundaries"]
    cases = boundaries.findall("testcase")
    assert len(cases) == 198
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == 50
    first = failures[0].find("failure")
    assert first is not None
    assert first.get("message", "").startswith("wait 299s: expected 'Rebooting', answered "
                                               "'Offline'")
    properties = {p.get("name"): p.get("value") for p in boundaries.iter("property")}
    assert properties["adapter"] == EARLY
    assert properties["timed states"] == "66"


def test_conform_json_report(tmp_path: Path) -> None:
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--coverage", "boundaries",
                            "--format", "json", "--script", str(tmp_path / "replay.py")])
    assert code == 1
    data = json.loads(out)
    assert data["schema"] == "statusproof/conform/1" and data["passed"] is False
    suite = data["suites"][0]
    assert suite["counts"]["fail"] == 50 and suite["counts"]["pass"] == 148
    assert len(suite["failures"]) == 50
    assert suite["failures"][0]["inputs"][-1] == {"op": "wait", "seconds": 299}
    assert data["shrunk"]["script"] == (tmp_path / "replay.py").read_text()


@pytest.mark.slow
def test_conform_passes_the_reference_on_every_suite() -> None:
    code, out, err = run_cli(["conform", "--adapter", REFERENCE])
    assert (code, err) == (0, ""), out
    assert out.rstrip().endswith("PASSED: 39329 tests in 6 suite(s)")


def test_conform_runs_an_exported_suite(tmp_path: Path) -> None:
    run_cli(["traces", "--coverage", "boundaries", "-o", str(tmp_path)])
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--suite",
                            str(tmp_path / "boundaries.jsonl")])
    assert code == 1
    assert "FAILED: 50 of 198 tests failed" in out
    assert "shrunk from" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--adapter", "ruby:x"], "use python:MODULE:FACTORY, exec:'COMMAND', statemachine:"),
    (["--adapter", REFERENCE, "--coverage", "everything"], "unknown coverage everything"),
    (["--adapter", REFERENCE, "--timeout", "0"], "--timeout must be more than 0 seconds"),
    (["--adapter", REFERENCE, "--extra-states", "-1"], "--extra-states must be 0 or more"),
    (["--adapter", REFERENCE, "--suite", "nowhere.jsonl"], "cannot read the suite file"),
    (["--adapter", "exec:no-such-program-xyz"], "cannot start 'no-such-program-xyz'"),
])
def test_conform_bad_input_exits_2(args: list[str], message: str) -> None:
    code, out, err = run_cli(["conform", *args])
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_reports_are_deterministic(explicit: Explicit) -> None:
    suites = generate(explicit.machine.model, ["boundaries"], explicit=explicit)
    texts = []
    for _ in range(2):
        with open_adapter(EARLY) as adapter:
            run = run_suites(adapter, suites, explicit)
        texts.append((format_text(run), format_junit(run),
                      json.dumps(run_to_dict(run), sort_keys=True)))
    assert texts[0] == texts[1]


@pytest.mark.slow
def test_conform_as_a_real_process_with_the_exec_adapter() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "statusproof", "conform", "--coverage", "transitions",
         "--adapter", f"exec:{sys.executable} examples/rescue_reference.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("PASSED: 671 tests in 1 suite(s)")
