"""``conform --suite FILE``: a suite file is checked against the model before anything runs.

A wrong expectation, a made-up entry point, a status the model does not know or settings the
model rejects are errors in the suite (file:line, exit code 2, nothing run), never failures
blamed on the implementation; a file that agrees with the model runs, and its failures are
explained from the model's real state. Also here: --fail-fast, --max-failures, the summary with
-o and the replay script's exit code when statusproof cannot be imported.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

ROOT = Path(__file__).resolve().parent.parent
EARLY = "python:tests/mutants/mutants.py:EarlyTimeout"
REFERENCE = "python:examples/rescue_reference.py:RescueSession"


@pytest.fixture(autouse=True)
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


@pytest.fixture(scope="module")
def boundaries(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("suites")
    code, _, err = run_cli(["traces", "--coverage", "boundaries", "-o", str(folder)])
    assert code == 0, err
    return folder / "boundaries.jsonl"


def edit(source: Path, target: Path, line: int, change: object) -> Path:
    lines = source.read_text().splitlines()
    record = json.loads(lines[line - 1])
    change(record)  # type: ignore[operator]
    lines[line - 1] = json.dumps(record)
    target.write_text("\n".join(lines) + "\n")
    return target


def test_a_wrong_expectation_is_an_error_in_the_suite(boundaries: Path, tmp_path: Path) -> None:
    def wrong(record: dict[str, object]) -> None:
        steps = record["steps"]
        assert isinstance(steps, list)
        steps[-1]["expect"] = "Active"
    path = edit(boundaries, tmp_path / "wrong.jsonl", 3, wrong)
    code, out, err = run_cli(["conform", "--adapter", REFERENCE, "--suite", str(path)])
    assert (code, out) == (2, "")
    assert re.match(re.escape(f"statusproof: {path}:3: test boundaries-0003, ")
                    + r"step \d \(wait \d+s\): the answer expected is 'Active', but the "
                    r"model's is '[^']+' \(in the model, waiting \d+s in [^:]+: timer "
                    r"[^(]+ fires \(status clock, \d+s into the session\)\); regenerate the "
                    r"suite with statusproof traces, or correct the line\n$", err), err
    assert "Traceback" not in err


def test_a_made_up_entry_and_status_are_errors_in_the_suite(boundaries: Path,
                                                            tmp_path: Path) -> None:
    def nowhere(record: dict[str, object]) -> None:
        start = record["start"]
        assert isinstance(start, dict)
        start["entry"] = "Nowhere"
    path = edit(boundaries, tmp_path / "nowhere.jsonl", 1, nowhere)

    def unknown(record: dict[str, object]) -> None:
        steps = record["steps"]
        assert isinstance(steps, list)
        steps[0]["input"]["status"] = "Elsewhere"
    edit(path, path, 2, unknown)
    code, out, err = run_cli(["conform", "--adapter", REFERENCE, "--suite", str(path)])
    assert (code, out) == (2, "")
    lines = err.splitlines()
    assert lines[0] == (f"statusproof: {path}:1: test boundaries-0001: 'Nowhere' is not an "
                        "entry point of the model; entry points: Connecting, Invitation; "
                        "regenerate the suite with statusproof traces, or correct the line")
    assert lines[1].startswith(f"{path}:2: test boundaries-0002, step 1 (go Elsewhere): "
                               "'Elsewhere' is not a status of the model")
    assert lines[2] == "2 problems in all"


def test_settings_outside_the_model_are_an_error(boundaries: Path, tmp_path: Path) -> None:
    def settings(record: dict[str, object]) -> None:
        start = record["start"]
        assert isinstance(start, dict)
        key = next(iter(start["settings"]))
        start["settings"][key] = 10**7
    path = edit(boundaries, tmp_path / "settings.jsonl", 1, settings)
    code, _, err = run_cli(["conform", "--adapter", REFERENCE, "--suite", str(path)])
    assert code == 2
    assert f"{path}:1: test boundaries-0001: configuration 'minimum-3': setting " in err
    assert "is outside 60-59940s" in err


def test_a_suite_that_agrees_runs_and_failures_come_from_the_model(boundaries: Path) -> None:
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--suite", str(boundaries)])
    assert code == 1
    assert "FAILED: 50 of 198 tests failed" in out
    assert ("wait 299s: expected 'Rebooting', answered 'Offline' (in the model no timer fires "
            "yet: timer Rebooting -> Offline falls due in 1s (status clock))") in out
    assert "2. Rebooting [remembered=Waiting]  (go Rebooting; line 210)" in out


def test_fail_fast_and_max_failures_stop_the_run(tmp_path: Path) -> None:
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--coverage", "boundaries",
                            "--fail-fast", "--format", "json"])
    assert code == 1
    data = json.loads(out)
    suite = data["suites"][0]
    assert suite["counts"]["fail"] == 1 and suite["not run"] == 198 - 16
    assert suite["stopped"] == "stopped: the limit of failures was reached; 182 test(s) not run"
    code, out, _ = run_cli(["conform", "--adapter", EARLY, "--coverage",
                            "boundaries,statuses", "--max-failures", "3", "-o",
                            str(tmp_path / "report.txt")])
    assert code == 1
    assert re.fullmatch(r"FAILED: 3 of 204 tests failed, 1\d\d not run; report in "
                        + re.escape(str(tmp_path / "report.txt")) + "\n", out), out
    assert (tmp_path / "report.txt").read_text().endswith(out.split(";")[0] + "\n")
    code, _, err = run_cli(["conform", "--adapter", EARLY, "--max-failures", "0"])
    assert code == 2 and "--max-failures must be at least 1, not 0" in err


def test_the_replay_script_exits_3_without_statusproof(tmp_path: Path) -> None:
    code, _, _ = run_cli(["conform", "--adapter", EARLY, "--coverage", "boundaries",
                          "--fail-fast", "--script", str(tmp_path / "replay.py")])
    assert code == 1
    done = subprocess.run([sys.executable, "-I", "-S", str(tmp_path / "replay.py")],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.returncode == 3, done.stderr
    assert done.stderr.startswith("cannot replay: statusproof is not importable (No module "
                                  "named 'statusproof')")
