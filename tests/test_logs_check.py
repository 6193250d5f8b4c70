"""The log checker on hand-made records: every violation and issue kind, timing, gaps."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from conftest import Golden, scraped_text

from statusproof.logcheck.checker import LogChecker, check_logs
from statusproof.logcheck.namemap import NameMap, default_map
from statusproof.logcheck.readers import read_records
from statusproof.logcheck.records import Record, default_fields, parse_time
from statusproof.logcheck.report import (
    format_junit,
    format_report,
    report_json,
)
from statusproof.logcheck.result import CheckSettings as Settings
from statusproof.logcheck.result import LogResult
from statusproof.logcheck.timersettings import TimerSettings, timing_notes
from statusproof.model import load_model
from statusproof.model.errors import UnknownStatusError
from statusproof.model.model import Model
from statusproof.model.trace import format_trace

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"
T0 = parse_time("2024-05-01T10:00:00Z")


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


def _check_file(model: Model, name: str, fmt: str, settings: Settings | None = None,
                names: NameMap | None = None) -> LogResult:
    checker = LogChecker(model, names or default_map(model), settings,
                             snapshots=fmt == "rescue-getsession")
    checker.feed_all(read_records([LOGS / name], fmt, default_fields(fmt), checker.problem,
                                  [name]))
    return checker.finish()


def _events(rows: Sequence[tuple[Any, ...]]) -> list[Record]:
    """Records from (session, seconds after T0, status[, cause]) rows, one per line."""
    return [Record("mem", number, row[0], T0 + row[1], row[2],
                   row[3] if len(row) > 3 else None)
            for number, row in enumerate(rows, 1)]


def _found(result: LogResult) -> list[tuple[str, int]]:
    items = [(v.kind, v.line) for v in result.violations]
    items += [(i.kind, i.line) for i in result.issues]
    items += [("malformed", p.line) for p in result.problems]
    return sorted(items, key=lambda kv: (kv[1], kv[0]))


def test_event_fixture_reports_every_kind_at_its_line(rescue: Model) -> None:
    result = _check_file(rescue, "rescue-events.jsonl", "jsonl")
    assert _found(result) == [
        ("guard", 8), ("too-early", 9), ("malformed", 10), ("bad-start", 11),
        ("duplicate", 13), ("out-of-order", 17), ("cut-off", 18), ("not-in-table", 23),
        ("malformed", 24), ("unknown-status", 25), ("too-late", 27), ("unmodelled-status", 28),
        ("cut-off", 33), ("unknown-cause", 33), ("after-end", 35)]
    assert (result.records, result.sessions, result.conforming, result.violating,
            result.cut_off) == (40, 7, 1, 6, 2)
    assert {k: (t.count, t.first) for k, t in result.drift.items()} == {
        ("Collaborating", "Waiting"): (1, "rescue-events.jsonl:23")}
    assert {k: t.count for k, t in result.unmodelled.items()} == {"Transferring": 1}
    assert {k: t.count for k, t in result.unknown.items()} == {"Frozen": 1}


def test_violation_carries_its_records_and_what_was_allowed(rescue: Model) -> None:
    result = _check_file(rescue, "rescue-events.jsonl", "jsonl")
    guard = next(v for v in result.violations if v.kind == "guard")
    assert guard.session == "A1"
    assert [r.line for r in guard.records] == [1, 2, 4, 6, 8]
    assert guard.source == "Rebooting"
    assert guard.message == ("'Rebooting' -> 'Incoming' is listed only when remembered = "
                             "Incoming; here the session is in Rebooting [remembered=Active]")
    assert "Offline (only after 300 s)" in guard.allowed
    assert "Incoming" not in guard.allowed


def test_event_fixture_golden_reports(rescue: Model, golden: Golden) -> None:
    result = _check_file(rescue, "rescue-events.jsonl", "jsonl", Settings(keep_sessions=True))
    result.timing = timing_notes(rescue, TimerSettings())  # as statusproof logs says it
    files = ["rescue-events.jsonl"]
    golden("logs/rescue-events.txt", format_report(result, files, "jsonl", show=None))
    golden("logs/rescue-events.json", report_json(result, files, "jsonl"))
    junit = format_junit(result, files, "jsonl", time=0.25)
    assert 'time="0.250"' in junit or 'time="0.25"' in junit
    golden("logs/rescue-events.junit.xml", re.sub(r'time="[^"]*"', 'time="..."', junit))
    suite = ElementTree.fromstring(junit).find("testsuite")
    assert suite is not None
    assert [c.get("name") for c in suite.iter("testcase")][:2] == ["session A1", "session B2"]
    # G7 passes; C3 and E5 are cut off at the end but failed before: failures, not skipped
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("7", "6", "0")


def test_snapshot_fixture_reports_every_kind_at_its_line(rescue: Model) -> None:
    result = _check_file(rescue, "rescue-polls.txt", "rescue-getsession")
    assert _found(result) == [
        ("unexplained-gap", 19), ("duplicate", 39), ("inconsistent", 41),
        ("unmodelled-status", 52), ("malformed", 53), ("malformed", 60), ("too-late", 77)]
    assert (result.polls, result.sessions, result.conforming, result.violating) == (18, 5, 2, 3)
    assert {k: t.count for k, t in result.drift.items()} == {("Waiting", "Connecting"): 1}


def test_snapshot_gap_is_explained_by_a_replayable_path(rescue: Model) -> None:
    result = _check_file(rescue, "rescue-polls.txt", "rescue-getsession")
    pattern = result.gaps[("Incoming", ("Active",
                                        "Removed from TC queue (after closed by technician)"),
                           False)]
    assert (pattern.count, pattern.first, pattern.session) == (1, "rescue-polls.txt:37", "1001")
    assert format_trace(pattern.trace) == (
        "  Incoming -> Active -> Removed from TC queue (after closed by technician)\n"
        "    0. Incoming  (start; seen at rescue-polls.txt:30)\n"
        "    1. Active  (after 55s; line 83)\n"
        "    2. Removed from TC queue (after closed by technician)  (after 0s; line 12; seen at "
        "rescue-polls.txt:37)\n")


def test_snapshot_fixture_golden_reports(rescue: Model, golden: Golden) -> None:
    result = _check_file(rescue, "rescue-polls.txt", "rescue-getsession")
    result.timing = timing_notes(rescue, TimerSettings())  # as statusproof logs says it
    files = ["rescue-polls.txt"]
    golden("logs/rescue-polls.txt", format_report(result, files, "rescue-getsession",
                                                     show=None))
    golden("logs/rescue-polls.json", report_json(result, files, "rescue-getsession"))


def test_reports_are_deterministic(rescue: Model) -> None:
    first = report_json(_check_file(rescue, "rescue-events.jsonl", "jsonl"), ["x"], "jsonl")
    second = report_json(_check_file(rescue, "rescue-events.jsonl", "jsonl"), ["x"], "jsonl")
    assert first == second
    data = json.loads(first)
    assert data["summary"]["violations_by_kind"]["guard"] == 1
    assert data["coverage"]["seen"] == 17


def test_timing_rules_hold_within_the_slack(rescue: Model) -> None:
    rows = [("s", 0, "Connecting"), ("s", 10, "Waiting"), ("s", 20, "Reconnecting"),
            ("s", 315, "Offline"),              # 295 s: 5 s early
            ("s", 320, "Waiting"), ("s", 330, "Rebooting"),
            ("s", 640, "Active"),               # 310 s in Rebooting: 10 s late
            ("s", 650, "Removed from TC queue (after closed by technician)")]
    strict = check_logs(rescue, _events(rows), default_map(rescue))
    assert [(v.kind, v.line) for v in strict.violations] == [("too-early", 4), ("too-late", 7)]
    assert strict.violations[1].message == (
        "held 'Rebooting' for 310 s; the model leaves 'Rebooting' within 300 s (timer to "
        "Offline: rebooting fails for more than five minutes)")
    relaxed = check_logs(rescue, _events(rows), default_map(rescue), Settings(slack=10))
    assert relaxed.violations == []


def test_cause_attribute_narrows_the_timers(rescue: Model) -> None:
    base = [("s", 0, "Connecting"), ("s", 10, "Waiting"), ("s", 20, "Active")]
    admin = check_logs(rescue, _events([*base, ("s", 200, "Timed out", "admin")]),
                          default_map(rescue))
    assert admin.violations == [] and admin.cut_off == 1  # admin: the technician must close it
    system = check_logs(rescue, _events([*base, ("s", 200, "Timed out", "system")]),
                           default_map(rescue))
    assert [(v.kind, v.line) for v in system.violations] == [("too-early", 4)]
    assert system.violations[0].message == (
        "'Active' -> 'Timed out' when the session is 200 s old; the model takes this step only "
        "once it is 14 d old (timer: system timeout (after two weeks))")


def test_the_system_timeout_counts_from_the_session_start(rescue: Model) -> None:
    day = 86400
    base = [("s", 0, "Connecting"), ("s", 10, "Waiting"), ("s", 10 * day, "Active")]
    # four days in Active, fourteen days since the start: the session clock allows it
    timed_out = check_logs(rescue, _events([*base, ("s", 14 * day, "Timed out",
                                                      "system")]), default_map(rescue))
    assert timed_out.violations == []
    # still in Active a day after the system timeout was due
    stayed = check_logs(rescue, _events([*base, ("s", 15 * day, "On Hold")]),
                           default_map(rescue))
    assert [(v.kind, v.line) for v in stayed.violations] == [("too-late", 4)]
    assert stayed.violations[0].message == (
        "held 'Active' until 2024-05-16T10:00:00Z; the model leaves 'Active' once the session "
        "is 14 d old, at 2024-05-15T10:00:00Z (timer to Timed out: system timeout (after two "
        "weeks))")


def test_out_of_order_beyond_the_window_is_reported_and_not_checked(rescue: Model) -> None:
    records = _events([("s", 0, "Connecting"), ("s", 10, "Waiting"), ("t", 500, "Connecting"),
                       ("s", 5, "Waiting"), ("s", 600, "Active")])
    result = check_logs(rescue, records, default_map(rescue), Settings(reorder_window=60))
    assert [(i.kind, i.line) for i in result.issues] == [("cut-off", 3), ("out-of-order", 4),
                                                        ("cut-off", 5)]
    assert result.issues[1].message == (
        "timestamp 2024-05-01T10:00:05Z is before that of mem:2 (2024-05-01T10:00:10Z), a "
        "record of the same session read earlier; a later record was already checked, so this "
        "one is not checked (widen --reorder-window)")
    assert result.violations == []


def test_records_of_other_sessions_in_between_do_not_matter(rescue: Model) -> None:
    rows = [("a", 0, "Connecting"), ("b", 0, "Invitation"), ("a", 1, "Waiting"),
            ("b", 2, "Collaborating"), ("a", 3, "Closed by waiting customer"),
            ("b", 4, "Removed from TC queue (after timeout)")]
    result = check_logs(rescue, _events(rows), default_map(rescue))
    assert (result.sessions, result.conforming, result.violations, result.issues) == (
        2, 2, [], [])


def test_partial_histories_when_allowed(rescue: Model) -> None:
    records = _events([("s", 0, "Active"), ("s", 10, "On Hold"), ("s", 20, "Active"),
                       ("s", 30, "Closed by technician")])
    plain = check_logs(rescue, records, default_map(rescue))
    assert [(v.kind, v.line) for v in plain.violations] == [("bad-start", 1)]
    allowed = check_logs(rescue, records, default_map(rescue), Settings(allow_partial=True))
    assert allowed.violations == []
    assert [(i.kind, i.line) for i in allowed.issues] == [("partial-start", 1)]


def test_strict_unknown_status_is_an_input_error(rescue: Model) -> None:
    records = _events([("s", 0, "Connecting"), ("s", 1, "Frozen")])
    with pytest.raises(UnknownStatusError, match=r"mem:2: status 'Frozen': not a status of the "
                                                 r"table and not in the map"):
        check_logs(rescue, records, default_map(rescue), Settings(strict=True))


def test_memory_follows_open_sessions_not_records(rescue: Model) -> None:
    checker = LogChecker(rescue, default_map(rescue), Settings(closed_memory=50.0))
    most_open = 0
    for n in range(3000):  # sessions one after another, three records each
        for offset, status in enumerate(("Connecting", "Waiting", "Closed by waiting customer")):
            checker.feed(Record("mem", 3 * n + offset + 1, f"s{n}", T0 + 10 * n + offset,
                                status))
        most_open = max(most_open, len(checker._open))
    result = checker.finish()
    assert result.sessions == 3000 and result.violations == []
    assert most_open <= 10  # the sessions of the reorder window (60 s) only
    assert len(checker._closed) <= 6  # the sessions that ended in the last 50 s


def test_search_limit_is_never_a_pass(rescue: Model) -> None:
    result = _check_file(rescue, "rescue-polls.txt", "rescue-getsession",
                         Settings(search_limit=1))
    undecided = [(v.kind, v.line) for v in result.violations if v.kind == "undecided"]
    assert undecided == [("undecided", 19)]
    assert "raise --search-limit" in result.violations[0].message


@pytest.fixture
def slow_close(tmp_path: Path) -> Model:
    """A table whose sessions can end only an hour after they open."""
    table = tmp_path / "hold.txt"
    table.write_text(scraped_text([("Pending", "Waits.", "none", ["Closed"]),
                                   ("Closed", "Done.", ["Pending"], "none")]))
    (tmp_path / "hold.amend.toml").write_text(
        'table = "hold.txt"\n[[timer]]\nstatus = "Pending"\nto = "Closed"\nseconds = "1h"\n'
        'source = "test"\n')
    return load_model(table)


def _polls(tmp_path: Path, polls: list[tuple[str, list[str]]]) -> Path:
    lines = []
    for when, rows in polls:
        lines += [f"# poll 2024-05-01T{when}Z", "ID|Status|Waiting Time", *rows]
    path = tmp_path / "polls.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_vanished_session_that_cannot_have_ended(tmp_path: Path, slow_close: Model) -> None:
    path = _polls(tmp_path, [("10:00:00", ["1|Pending|10", "2|Pending|3500"]),
                             ("10:05:00", []), ("10:10:00", [])])
    checker = LogChecker(slow_close, NameMap(slow_close), snapshots=True)
    checker.feed_all(read_records([path], "rescue-getsession",
                                  default_fields("rescue-getsession"), checker.problem,
                                  ["polls.txt"]))
    result = checker.finish()
    assert [(v.kind, v.line, v.session) for v in result.violations] == [("vanished", 5, "1")]
    assert result.violations[0].message == (
        "no longer listed in the poll at 2024-05-01T10:05:00Z, but from 'Pending' (seen at "
        "polls.txt:3) no path of the model ends within 310 s")
    gone = result.gaps[("Pending", ("Closed",), True)]  # session 2 had held Pending 3500 s
    assert gone.trace.steps[-1].note == "then no longer listed (polls.txt:5)"


def test_poll_out_of_order_is_reported_and_its_rows_skipped(tmp_path: Path,
                                                            slow_close: Model) -> None:
    path = _polls(tmp_path, [("10:00:00", ["1|Pending|10"]), ("09:59:00", ["1|Closed|0"]),
                             ("10:01:00", ["1|Pending|70"])])
    checker = LogChecker(slow_close, NameMap(slow_close), snapshots=True)
    checker.feed_all(read_records([path], "rescue-getsession",
                                  default_fields("rescue-getsession"), checker.problem,
                                  ["polls.txt"]))
    result = checker.finish()
    assert [(i.kind, i.line) for i in result.issues] == [("out-of-order", 4),
                                                        ("out-of-order", 6), ("cut-off", 9)]
    assert result.violations == []


def test_first_listing_must_be_reachable_from_the_start_time(tmp_path: Path,
                                                             slow_close: Model) -> None:
    path = tmp_path / "polls.txt"
    path.write_text("# poll 2024-05-01T10:10:00Z\nID|Status|Start Time|Waiting Time\n"
                    "1|Closed|5/1/2024 10:00 AM|30\n2|Closed|5/1/2024 9:09 AM|30\n"
                    "3|Pending|5/1/2024 10:20 AM|30\n")
    checker = LogChecker(slow_close, NameMap(slow_close), snapshots=True)
    checker.feed_all(read_records([path], "rescue-getsession",
                                  default_fields("rescue-getsession"), checker.problem,
                                  ["polls.txt"]))
    result = checker.finish()
    assert [(v.kind, v.line, v.session) for v in result.violations] == [
        ("bad-start", 3, "1"), ("inconsistent", 5, "3")]
    assert result.violations[0].message == (
        "first listed in 'Closed', which no path from an entry point reaches within 570 s of "
        "the session's start")
