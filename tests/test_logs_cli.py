"""``statusproof logs`` and ``statusproof logs-synth`` through the command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Golden, run_cli

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding copies of the log fixtures (reports name files as given)."""
    for item in LOGS.iterdir():
        shutil.copy(item, tmp_path / item.name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_logs_text_report_and_exit_code_1_on_violations(here: Path, golden: Golden) -> None:
    code, out, err = run_cli(["logs", "-r", "rescue-events.jsonl", "--show", "0"])
    assert (code, err) == (1, "")
    golden("logs/rescue-events.txt", out)


def test_logs_json_and_junit_reports_to_a_file(here: Path, golden: Golden) -> None:
    code, out, err = run_cli(["logs", "-r", "rescue-events.jsonl", "--format", "json", "-o",
                              "report.json"])
    assert (code, err) == (1, "")
    assert out == "FAIL: 6 violation(s) in 7 session(s); report written to report.json\n"
    golden("logs/rescue-events.json", (here / "report.json").read_text())
    code, out, _ = run_cli(["logs", "-r", "rescue-events.jsonl", "--format", "junit"])
    golden("logs/rescue-events.junit.xml", mask_times(out))
    assert 'tests="7"' in out  # one test case per session


def mask_times(xml: str) -> str:
    """JUnit XML with its measured ``time`` attributes masked (the rest is deterministic)."""
    return re.sub(r' time="\d+\.\d{3}"', ' time="..."', xml)


def test_logs_snapshots(here: Path, golden: Golden) -> None:
    code, out, _ = run_cli(["logs", "-r", "rescue-polls.txt", "--record-format",
                            "rescue-getsession", "--show", "0"])
    assert code == 1
    golden("logs/rescue-polls.txt", out)


def test_logs_exit_0_on_conforming_records_of_another_table(here: Path) -> None:
    (here / "parcel.jsonl").write_text(
        '{"session": "p1", "time": "2024-05-01T08:00:00Z", "status": "REG"}\n'
        '{"session": "p1", "time": "2024-05-01T09:00:00Z", "status": "in transit"}\n'
        '{"session": "p1", "time": "2024-05-01T10:00:00Z", "status": "Out for delivery"}\n'
        '{"session": "p1", "time": "2024-05-01T10:20:00Z", "status": "Delivered"}\n')
    (here / "parcel.map").write_text("REG = Registered\n")
    code, out, err = run_cli(["logs", "parcel.txt", "-r", "parcel.jsonl", "--map",
                              "parcel.map"])
    assert (code, err) == (0, "")
    assert "sessions: 1 checked, 1 conforming, 0 violating" in out
    assert out.endswith("PASS: 0 violation(s) in 0 session(s)\n")


def test_logs_csv_with_other_column_names(here: Path) -> None:
    (here / "parcel.csv").write_text("ref,at,state\np1,2024-05-01T08:00:00Z,Registered\n"
                                     "p1,2024-05-01T08:10:00Z,Delivered\n")
    code, out, _ = run_cli(["logs", "parcel.txt", "-r", "parcel.csv", "--session-field",
                            "ref", "--time-field", "at", "--status-field", "state"])
    assert code == 1
    assert ("parcel.csv:3: session p1: 'Registered' -> 'Delivered' is not a change the table "
            "lists") in out


@pytest.mark.parametrize(("args", "message"), [
    (["logs", "-r", "missing.jsonl"], "statusproof: missing.jsonl: no such record file; check the "
                                "path\n"),
    (["logs", "-r", "rescue-polls.txt"], "statusproof: cannot tell the record format from the file "
                                   "names; give --record-format "
                                   "jsonl|csv|parquet|rescue-getsession\n"),
    (["logs", "-r", "rescue-events.jsonl", "--strict"],
     "statusproof: rescue-events.jsonl:10: not a JSON object (Expecting value: line 1 column 27 "
     "(char 26)); write one JSON object per line (--strict stops at the first malformed "
     "line)\n"),
    (["logs", "-r", "rescue-events.jsonl", "--map", "bad.map"],
     "statusproof: bad.map:1: 'Activ' is not a status of the table "
     "<bundled>/rescue-session-statuses.txt; did you mean 'Active'?\n"),
])
def test_logs_bad_input_exit_2_without_traceback(here: Path, args: list[str],
                                                 message: str) -> None:
    (here / "bad.map").write_text("Busy = Activ\n")
    code, out, err = run_cli(args)
    assert (code, out, err) == (2, "", message)


def test_logs_nothing_readable_is_bad_input(here: Path) -> None:
    (here / "x.jsonl").write_text("one\ntwo\n")
    code, out, err = run_cli(["logs", "-r", "x.jsonl"])
    assert (code, out) == (2, "")
    assert err.startswith("statusproof: no record could be read (2 malformed line(s)); the "
                          "first: x.jsonl:1: not a JSON object")


def test_logs_strict_unknown_status_name(here: Path) -> None:
    (here / "x.jsonl").write_text('{"session": "a", "time": 1, "status": "Connecting"}\n'
                                  '{"session": "a", "time": 2, "status": "Frozen"}\n')
    code, _, err = run_cli(["logs", "-r", "x.jsonl", "--strict"])
    assert code == 2
    assert err.startswith("statusproof: x.jsonl:2: status 'Frozen': not a status of the table")


def test_logs_synth_writes_records_and_the_expected_faults(here: Path) -> None:
    code, out, err = run_cli(["logs-synth", "--sessions", "40", "--faults", "12", "--seed",
                              "3", "--format", "csv", "-o", "synth.csv", "--expected",
                              "faults.json"])
    assert (code, err) == (0, "")
    assert out.startswith("wrote ") and out.rstrip().endswith(")")
    expected = json.loads((here / "faults.json").read_text())
    assert len(expected["expected"]) == 12
    code, report, _ = run_cli(["logs", "-r", "synth.csv", "--format", "json"])
    assert code == 1
    data = json.loads(report)
    found = {(v["kind"], int(v["where"].rsplit(":", 1)[1])) for v in data["violations"]}
    found |= {(i["kind"], int(i["where"].rsplit(":", 1)[1])) for i in data["issues"]}
    found |= {("malformed", int(m["where"].rsplit(":", 1)[1])) for m in data["malformed"]}
    assert found == {(e["kind"], e["line"]) for e in expected["expected"]}


def test_logs_synth_to_standard_output_is_deterministic() -> None:
    first = run_cli(["logs-synth", "--sessions", "5", "--seed", "1"])
    second = run_cli(["logs-synth", "--sessions", "5", "--seed", "1"])
    assert first == second and first[0] == 0
    assert first[1].count("\n") >= 5


def test_logs_synth_bad_kind(here: Path) -> None:
    code, out, err = run_cli(["logs-synth", "--sessions", "5", "--faults", "1", "--kinds",
                              "zombie"])
    assert (code, out) == (2, "")
    assert err.startswith("statusproof: fault kind 'zombie' is not one for event records; use "
                          "not-in-table, guard, ")


@pytest.mark.slow
def test_logs_as_a_real_subprocess(here: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "statusproof", "logs", "-r", "rescue-polls.txt",
                           "--record-format", "rescue-getsession", "--format", "junit"],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert done.stdout.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert done.stderr == ""


def test_logs_several_files_are_one_stream_reported_in_the_order_given(here: Path) -> None:
    (here / "z.jsonl").write_text(
        '{"session": "s", "time": "2024-05-01T10:00:00Z", "status": "Connecting"}\n'
        '{"session": "t", "time": "2024-05-01T10:00:05Z", "status": "Active"}\n')
    (here / "a.jsonl").write_text(
        '{"session": "s", "time": "2024-05-01T10:01:00Z", "status": "Active"}\n')
    code, out, _ = run_cli(["logs", "-r", "z.jsonl", "a.jsonl", "--format", "json"])
    data = json.loads(out)
    assert code == 1
    assert [(v["kind"], v["where"]) for v in data["violations"]] == [
        ("bad-start", "z.jsonl:2"), ("not-in-table", "a.jsonl:1")]
    assert data["summary"]["sessions"] == 2


def _blocks(text: str, fence: str) -> list[str]:
    parts = text.split(f"```{fence}\n")[1:]
    return [part.split("```", 1)[0] for part in parts]


def test_the_worked_examples_of_the_docs_are_real_output(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "logs.md").read_text()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sessions.jsonl").write_text(_blocks(docs, "json")[0])
    texts = _blocks(docs, "text")
    polls = next(t for t in texts if t.startswith("# poll"))
    (tmp_path / "polls.txt").write_text(polls)
    code, out, _ = run_cli(["logs", "-r", "sessions.jsonl", "--show", "3"])
    assert code == 1 and out in texts
    code, out, _ = run_cli(["logs", "-r", "polls.txt", "--record-format", "rescue-getsession",
                            "--show", "2"])
    assert code == 1 and out in texts
