"""Every kind of bad input of issue 12, each with its input: reported with its line, never a
crash, nothing lost; output paths that cannot be written; settings of the admin time-outs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_cli

HEADER = ("ID|Status|Entry ID|Entry|Technician ID|Technician|Start Time|Waiting Time|"
          "Custom Field 0|Custom Field 1|Custom Field 2|Language|Transferred To|"
          "Transferred Comment|Is Lead Technician|HandingOff")
GOOD = [("a", "2024-05-01T10:00:00Z", "Connecting"), ("a", "2024-05-01T10:00:20Z", "Waiting"),
        ("a", "2024-05-01T10:01:00Z", "Active"),
        ("a", "2024-05-01T10:02:00Z", "Closed by technician")]


def _jsonl(rows: list[tuple[str, str, str]]) -> str:
    return "".join(json.dumps({"session": s, "time": t, "status": x}) + "\n"
                   for s, t, x in rows)


def _csv(rows: list[tuple[str, str, str]]) -> str:
    return "session,time,status\n" + "".join(f"{s},{t},{x}\n" for s, t, x in rows)


def _report(path: Path, *extra: str) -> tuple[int, dict[str, object], str]:
    code, out, err = run_cli(["logs", "-r", path.name, "--format", "json", *extra])
    return code, json.loads(out) if out else {}, err


def _malformed(data: dict[str, object]) -> list[tuple[int, str]]:
    items = data["malformed"]
    assert isinstance(items, list)
    return [(int(m["where"].rsplit(":", 1)[1]), m["message"]) for m in items]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_invalid_utf8_is_a_malformed_line(here: Path, fmt: str) -> None:
    text = (_jsonl if fmt == "jsonl" else _csv)(GOOD).encode()
    lines = text.split(b"\n")
    at = 2 if fmt == "jsonl" else 3  # the third record in both
    lines.insert(at, lines[at].replace(b"Active", b"Activ\xff"))
    (here / f"r.{fmt}").write_bytes(b"\n".join(lines))
    code, data, err = _report(here / f"r.{fmt}")
    assert (code, err) == (0, "")
    assert _malformed(data) == [(at + 1, "not valid UTF-8 (byte 0xff at column "
                                 + ("66" if fmt == "jsonl" else "29")
                                 + "); save the file as UTF-8")]


def test_invalid_utf8_in_snapshots(here: Path) -> None:
    rows = (f"# poll 2024-05-01T10:00:30Z\nOK\n{HEADER}\n"
            "1|Waiting|0||1|T\xe9|5/1/2024 10:00 AM|20||||en|||no|\n"
            "2|Waiting|0||1|T|5/1/2024 10:00 AM|20||||en|||no|\n").encode("latin-1")
    (here / "p.txt").write_bytes(rows)
    code, data, _ = _report(here / "p.txt", "--record-format", "rescue-getsession")
    assert code == 0
    assert _malformed(data) == [(4, "not valid UTF-8 (byte 0xe9 at column 17); save the file "
                                    "as UTF-8")]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(here: Path,
                                                               encoding: str) -> None:
    (here / "r.csv").write_bytes(_csv(GOOD).encode(encoding if encoding != "utf-16-be"
                                                    else "utf-16"))
    code, data, _ = _report(here / "r.csv")
    assert code == 0
    assert data["summary"]["records"] == 4 and data["malformed"] == []  # type: ignore[index]


def test_utf16_without_a_byte_order_mark_says_so(here: Path) -> None:
    (here / "r.jsonl").write_bytes(_jsonl(GOOD).encode("utf-16-le"))
    code, out, err = run_cli(["logs", "-r", "r.jsonl"])
    assert (code, out) == (2, "")
    assert "holds NUL bytes (first at column 2): binary data, or a UTF-16 file without a " \
           "byte order mark; save the file as UTF-8" in err


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_a_utf8_byte_order_mark_is_skipped(here: Path, fmt: str) -> None:
    text = (_jsonl if fmt == "jsonl" else _csv)(GOOD)
    (here / f"r.{fmt}").write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, data, _ = _report(here / f"r.{fmt}")
    assert code == 0 and data["malformed"] == []
    assert data["summary"]["records"] == 4  # type: ignore[index]


def test_deep_nesting_is_a_malformed_line(here: Path) -> None:
    deep = '{"session": "a", "time": 1, "status": ' + "[" * 100_000 + "\n"
    (here / "r.jsonl").write_text(_jsonl(GOOD[:2]) + deep + _jsonl(GOOD[2:]))
    code, data, _ = _report(here / "r.jsonl")
    assert code == 0
    assert _malformed(data) == [(3, "not a JSON object (nested too deeply); write one JSON "
                                    "object per line")]


@pytest.mark.parametrize(("value", "why"), [
    ("-1e300", " (-1e+300 seconds is outside the years 1 to 9999)"),
    ("NaN", " (nan is not a finite number of seconds)"),
    ("Infinity", " (inf is not a finite number of seconds)"),
    ("1e400", " (inf is not a finite number of seconds)"),
    ('"NaN"', ""),
])
def test_non_finite_and_out_of_range_times(here: Path, value: str, why: str) -> None:
    bad = '{"session": "b", "time": ' + value + ', "status": "Connecting"}\n'
    (here / "r.jsonl").write_text(_jsonl(GOOD[:1]) + bad + _jsonl(GOOD[1:]))
    code, data, _ = _report(here / "r.jsonl")
    assert code == 0
    shown = {"-1e300": "-1e+300", "NaN": "nan", "Infinity": "inf", "1e400": "inf",
             '"NaN"': "'NaN'"}[value]
    assert _malformed(data) == [(2, f"'time' is {shown}, not a timestamp{why}; write ISO 8601 "
                                    "(2024-05-01T10:00:00Z) or epoch seconds")]


def test_unterminated_quote_resynchronises_and_a_later_violation_is_caught(here: Path) -> None:
    rows = ["session,time,status", 'x,2024-05-01T09:59:00Z,"Connecting'] + [
        f"{s},{t},{x}" for s, t, x in GOOD] + ["b,2024-05-01T10:03:00Z,Active"]
    (here / "r.csv").write_text("\n".join(rows) + "\n")
    code, data, _ = _report(here / "r.csv")
    assert code == 1  # session b starts in Active: a real violation, not swallowed
    assert [v["where"] for v in data["violations"]] == ["r.csv:7"]  # type: ignore[union-attr]
    assert _malformed(data) == [(2, "the 'status' field opens a quote that is not closed on "
                                    "its line (it runs to the end of the file (6 lines)); a "
                                    "record is one line: close the quote; reading resumed at "
                                    "the next line")]
    assert data["summary"]["records"] == 5  # type: ignore[index]


def test_unterminated_quote_span_to_where_csv_would_close_it(here: Path) -> None:
    rows = ["session,time,status", 'x,2024-05-01T09:59:00Z,"Connecting',
            "y,2024-05-01T09:59:10Z,Connecting", 'z,2024-05-01T09:59:20Z,"Connecting"']
    (here / "r.csv").write_text("\n".join(rows) + "\n")
    _, data, _ = _report(here / "r.csv")
    assert _malformed(data)[0] == (2, "the 'status' field opens a quote that is not closed on "
                                      "its line (csv would run it over 3 lines, to line 4); a "
                                      "record is one line: close the quote; reading resumed "
                                      "at the next line")


def test_over_long_lines_are_malformed_and_skipped(here: Path) -> None:
    long = '{"session": "a", "note": "' + "x" * 5000 + '"}'
    (here / "r.jsonl").write_text(_jsonl(GOOD[:2]) + long + "\n" + _jsonl(GOOD[2:]))
    code, data, _ = _report(here / "r.jsonl", "--max-line-bytes", "1000")
    assert code == 0
    assert _malformed(data) == [(3, "the line is 5,028 bytes long, over the limit of 1,000 "
                                    "(--max-line-bytes); it is skipped")]
    assert data["summary"]["records"] == 4  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_one_huge_line_of_nul_bytes_keeps_memory_bounded(here: Path, fmt: str) -> None:
    path = here / f"huge.{fmt}"
    head = (_jsonl if fmt == "jsonl" else _csv)(GOOD[:2]).encode()
    with path.open("wb") as handle:
        handle.write(head)
        handle.truncate(len(head) + 2**30)  # a sparse gigabyte of NUL bytes on one line
    with path.open("ab") as handle:
        handle.write(b"\n" + (_jsonl if fmt == "jsonl" else
                              lambda rows: "".join(f"{s},{t},{x}\n" for s, t, x in rows))(
            GOOD[2:]).encode())
    # a fresh parent process, whose only child is the check, reads the child's peak memory
    measure = ("import json, resource, subprocess, sys; "
               "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
               "print(json.dumps([done.returncode, done.stdout, done.stderr, "
               "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))")
    outer = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "statusproof",
                            "logs", "-r", str(path), "--format", "json", "--path", "exact"],
                           capture_output=True, text=True, check=True)
    code, stdout, stderr, rss_kib = json.loads(outer.stdout)
    assert code == 0, stderr
    data = json.loads(stdout)
    line = 2 if fmt == "jsonl" else 3
    assert _malformed(data) == [(line + 1, f"the line is {2**30:,} bytes long, over the limit "
                                           "of 4,194,304 (--max-line-bytes); it is skipped")]
    assert data["summary"]["records"] == 4
    assert rss_kib / 1024 < 150  # MiB, for a line of 1 GiB


@pytest.mark.parametrize("args", [
    ["logs", "-r", "r.jsonl", "-o", "blocked/report.txt"],
    ["logs-synth", "--sessions", "3", "-o", "blocked/records.jsonl"],
    ["logs-synth", "--sessions", "3", "-o", "ok.jsonl", "--expected", "blocked/x.json"],
])
def test_output_path_errors_exit_2_with_a_message(here: Path, args: list[str]) -> None:
    (here / "r.jsonl").write_text(_jsonl(GOOD))
    (here / "blocked").write_text("a file where the folder should be\n")
    code, out, err = run_cli(args)
    assert (code, out) == (2, "")
    assert err.startswith("statusproof: cannot write the ")
    assert ": blocked: is not a folder; choose another folder with -o, or remove it" in err
    assert sorted(p.name for p in here.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("args", [
    ["logs", "-r", "r.jsonl", "-o", "new/report.txt"],
    ["logs-synth", "--sessions", "3", "-o", "new/records.jsonl", "--expected", "new/x.json"],
])
def test_output_folders_are_created(here: Path, args: list[str]) -> None:
    (here / "r.jsonl").write_text(_jsonl(GOOD))
    code, _, err = run_cli(args)
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (here / "new").iterdir()) == sorted(
        Path(a).name for a in args if a.startswith("new/"))


def test_logs_synth_writes_csv_by_extension(here: Path) -> None:
    code, out, _ = run_cli(["logs-synth", "--sessions", "3", "-o", "x.csv"])
    assert code == 0 and " as csv to x.csv" in out
    assert (here / "x.csv").read_text().startswith("session,time,status,cause\n")
    code, _, err = run_cli(["logs-synth", "--sessions", "3", "-o", "x.parquet"])
    assert code == 2 and "logs-synth writes jsonl, csv, rescue-getsession" in err


def _polls(rows: list[tuple[str, str, int]]) -> str:
    text = []
    for when, status, waiting in rows:
        text += [f"# poll {when}", "OK", HEADER,
                 f"7|{status}|0||1|T|5/1/2024 10:00 AM|{waiting}||||en|||no|"]
    return "\n".join(text) + "\n"


def test_snapshot_statuses_are_normalised_like_event_records(here: Path) -> None:
    (here / "p.txt").write_text(_polls([("2024-05-01T10:01:00Z", "Active", 30),
                                        ("2024-05-01T10:01:30Z", "ACTIVE", 60),
                                        ("2024-05-01T10:02:00Z", "active ", 90)]))
    code, data, _ = _report(here / "p.txt", "--record-format", "rescue-getsession")
    assert code == 0, data["violations"]
    assert data["summary"]["sessions"] == 1  # type: ignore[index]


def test_a_bad_waiting_time_does_not_make_the_session_look_gone(here: Path) -> None:
    text = _polls([("2024-05-01T10:01:00Z", "Active", 30), ("2024-05-01T10:01:30Z", "Active",
                                                             60),
                   ("2024-05-01T10:02:00Z", "Active", 90)])
    text = text.replace("|60||||", "|soon||||")
    (here / "p.txt").write_text(text)
    code, data, _ = _report(here / "p.txt", "--record-format", "rescue-getsession")
    assert code == 0, data["violations"]
    assert data["summary"]["sessions"] == 1  # type: ignore[index]
    assert _malformed(data) == [(8, "Waiting Time 'soon' is not a number of seconds (0 or "
                                    "more)")]


TIMEOUT = [("t", "2024-05-01T10:00:00Z", "Connecting"), ("t", "2024-05-01T10:00:10Z", "Waiting")]


def _timed_out(after: str) -> list[tuple[str, str, str]]:
    return [*TIMEOUT, ("t", after, "Timed out")]


def test_without_settings_the_report_says_which_timing_checks_were_skipped(here: Path) -> None:
    (here / "r.jsonl").write_text(_jsonl(_timed_out("2024-05-01T10:05:10Z")).replace(
        '"Timed out"}', '"Timed out", "cause": "admin"}'))
    code, out, _ = run_cli(["logs", "-r", "r.jsonl"])
    assert code == 0
    assert ("timing: 'Waiting sessions will time out (1-999 minutes, 0 = never)' not set: its "
            "timed steps are checked only against its range (none before 1m); no deadline is "
            "checked (it may be never); give --setting NAME=VALUE to check early and late "
            "time-outs") in out


@pytest.mark.parametrize(("after", "kind"), [("2024-05-01T10:05:10Z", "too-early"),
                                             ("2024-05-01T10:15:10Z", "too-late"),
                                             ("2024-05-01T10:10:10Z", None)])
def test_a_setting_catches_early_and_late_timeouts(here: Path, after: str,
                                                   kind: str | None) -> None:
    (here / "r.jsonl").write_text(_jsonl(_timed_out(after)).replace(
        '"Timed out"}', '"Timed out", "cause": "admin"}'))
    code, data, _ = _report(here / "r.jsonl", "--setting", "waiting=10m")
    assert [v["kind"] for v in data["violations"]] == ([kind] if kind else [])  # type: ignore
    assert code == (1 if kind else 0)
    assert data["timing"][0].startswith(  # type: ignore[index]
        "'Waiting sessions will time out (1-999 minutes, 0 = never)' = 10m")


def test_settings_per_group_from_a_side_file(here: Path) -> None:
    rows = []
    for sid, group in (("a", "Tier 1"), ("b", "Tier 2")):
        rows += [{"session": sid, "time": "2024-05-01T10:00:00Z", "status": "Connecting",
                  "group": group},
                 {"session": sid, "time": "2024-05-01T10:00:10Z", "status": "Waiting"},
                 {"session": sid, "time": "2024-05-01T10:05:10Z", "status": "Timed out",
                  "cause": "admin"}]
    (here / "r.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (here / "s.toml").write_text('[settings]\nwaiting = "10m"\n[group."Tier 1"]\nwaiting = 300\n')
    code, data, _ = _report(here / "r.jsonl", "--settings", "s.toml", "--group-field", "group")
    assert code == 1
    assert [(v["kind"], v["session"]) for v in data["violations"]] == [  # type: ignore
        ("too-early", "b")]


@pytest.mark.parametrize(("args", "message"), [
    (["--setting", "idle=5m"], "--setting 'idle=5m': no timer setting of the model is called "
                               "'idle'; settings that can be set: 'Waiting sessions"),
    (["--setting", "waiting=1000m"], "--setting 'waiting=1000m': '1000m' is not a value of "
                                     "'Waiting sessions will time out"),
    (["--setting", "waiting"], "--setting 'waiting': write NAME=VALUE"),
])
def test_bad_settings_exit_2(here: Path, args: list[str], message: str) -> None:
    (here / "r.jsonl").write_text(_jsonl(GOOD))
    code, out, err = run_cli(["logs", "-r", "r.jsonl", *args])
    assert (code, out) == (2, "")
    assert err.startswith("statusproof: " + message)
