"""Readers of recorded histories: JSON Lines, CSV, getSession snapshots; malformed lines."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from statusproof.logcheck.csvrecords import read_csv
from statusproof.logcheck.getsession import read_getsession
from statusproof.logcheck.jsonl import read_jsonl
from statusproof.logcheck.readers import read_records
from statusproof.logcheck.records import (
    PollMark,
    Record,
    RecordFormatError,
    default_fields,
    format_time,
    parse_time,
)
from statusproof.model.errors import InputProblem

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


def _read(reader, path: Path, fmt: str, **fields: str):  # type: ignore[no-untyped-def]
    problems: list[InputProblem] = []
    items = list(reader(path, default_fields(fmt, **fields), problems.append, path.name))
    return items, problems


def test_jsonl_records_and_malformed_lines_are_counted_with_line_numbers() -> None:
    records, problems = _read(read_jsonl, LOGS / "rescue-events.jsonl", "jsonl")
    assert len(records) == 40
    assert records[0] == Record("rescue-events.jsonl", 1, "A1", 1714557600.0, "Connecting")
    assert [(p.line, p.message.split(";")[0]) for p in problems] == [
        (10, "not a JSON object (Expecting value: line 1 column 27 (char 26))"),
        (24, "missing or empty field(s) 'status'"),
    ]
    assert {r.line: r.cause for r in records}[33] == "sleepy"


def test_jsonl_field_names_are_configurable(tmp_path: Path) -> None:
    path = tmp_path / "tickets.jsonl"
    path.write_text('{"ticket": 7, "at": 1714557600, "state": "Open", "why": "mail"}\n'
                    '\n'
                    '{"ticket": 7, "at": "2024-05-01T12:00:00+02:00", "state": "Closed"}\n')
    records, problems = _read(read_jsonl, path, "jsonl", session="ticket", time="at",
                              status="state", cause="why")
    assert problems == []
    assert records == [Record("tickets.jsonl", 1, "7", 1714557600.0, "Open", "mail"),
                       Record("tickets.jsonl", 3, "7", 1714557600.0, "Closed")]


@pytest.mark.parametrize(("line", "message"), [
    ('[1, 2]', "not a JSON object; write one JSON object per line"),
    ('{"session": "a", "time": "yesterday", "status": "Open"}',
     "'time' is 'yesterday', not a timestamp; write ISO 8601 (2024-05-01T10:00:00Z) or epoch "
     "seconds"),
    ('{"session": "a", "time": 5, "status": ""}', "missing or empty field(s) 'status'"),
    ('{"session": true, "time": 5, "status": "Open"}', "missing or empty field(s) 'session'"),
])
def test_jsonl_malformed_line_messages(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"session": "a", "time": 1, "status": "Open"}\n' + line + "\n")
    records, problems = _read(read_jsonl, path, "jsonl")
    assert len(records) == 1
    assert len(problems) == 1
    assert problems[0].line == 2
    assert problems[0].message.startswith(message)


def test_strict_sink_stops_at_the_first_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("oops\n" + '{"session": "a", "time": 1, "status": "Open"}\n')

    def stop(problem: InputProblem) -> None:
        raise RecordFormatError(str(problem))

    with pytest.raises(RecordFormatError, match=r"bad\.jsonl:1: not a JSON object"):
        list(read_jsonl(path, default_fields("jsonl"), stop, "bad.jsonl"))


def test_csv_records_with_quoted_fields_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text('id;when;status;cause\n'
                    '1;2024-05-01T10:00:00Z;Connecting;\n'
                    '1;2024-05-01T10:01:00Z;"Timed out; really";admin\n'
                    '1;2024-05-01T10:02:00Z\n'
                    '1;later;Waiting;\n')
    fields = {"session": "id", "time": "when", "delimiter": ";"}
    records, problems = _read(read_csv, path, "csv", **fields)
    assert [(r.line, r.status, r.cause) for r in records] == [
        (2, "Connecting", None), (3, "Timed out; really", "admin")]
    assert [(p.line, p.message) for p in problems] == [
        (4, "2 field(s), but the header has 4; quote fields that contain ';'"),
        (5, "'when' is 'later', not a timestamp; write ISO 8601 (2024-05-01T10:00:00Z) or epoch "
            "seconds")]


def test_csv_header_without_the_named_columns_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("id,time,state\n1,5,Open\n")
    with pytest.raises(RecordFormatError, match=r"events\.csv:1: the header has no column\(s\) "
                                                r"'session', 'status' \(columns: id, time, "
                                                r"state\); name them with --session-field"):
        _read(read_csv, path, "csv")


def test_empty_csv_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    records, problems = _read(read_csv, path, "csv")
    assert records == []
    assert [str(p) for p in problems] == [
        "empty.csv: the file is empty; a CSV record file starts with a header row"]


def test_getsession_snapshots_polls_and_failures() -> None:
    items, problems = _read(read_getsession, LOGS / "rescue-polls.txt", "rescue-getsession")
    marks = [i for i in items if isinstance(i, PollMark)]
    rows = [i for i in items if isinstance(i, Record)]
    assert len(marks) == 19  # 18 poll lines, and the answer of the one that failed
    assert [m.failed for m in marks if m.failed] == ["ERROR"]
    assert rows[0] == Record("rescue-polls.txt", 8, "1001", parse_time("2024-05-01T10:00:30Z"),
                             "Waiting", None, 20.0, parse_time("2024-05-01T10:00:00Z"))
    assert [(p.line, p.message) for p in problems] == [
        (53, "Waiting Time 'soon' is not a number of seconds (0 or more)")]


def test_getsession_single_line_answer_and_poll_time_column(tmp_path: Path) -> None:
    path = tmp_path / "polls.txt"
    path.write_text(
        "OK ID|Status|Start Time|Waiting Time|Poll Time|\n"
        "7|Waiting|2/16/2012 9:00 AM|13|2012-02-16T09:01:00Z|\n"
        "8|Active|2/16/2012 9:00 PM|3|2012-02-16T09:01:00Z\n"
        "7|Active|2/16/2012 9:00 AM|2|2012-02-16T09:01:30Z\n")
    items, problems = _read(read_getsession, path, "rescue-getsession")
    assert problems == []
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["PollMark", "Record", "Record", "PollMark", "Record"]
    first = items[1]
    assert isinstance(first, Record)
    assert (first.session, first.waiting, format_time(first.start or 0)) == (
        "7", 13.0, "2012-02-16T09:00:00Z")
    evening = items[2]
    assert isinstance(evening, Record) and format_time(evening.start or 0).endswith("21:00:00Z")


@pytest.mark.parametrize(("text", "message"), [
    ("# poll 2024-05-01T10:00:00Z\n7|Active|1\n",
     "a row before any header line; each poll starts with a header naming 'ID' and 'Status'"),
    ("# poll 2024-05-01T10:00:00Z\nID|Status|Waiting Time\n7|Active\n",
     "2 field(s), but the header has 3; a row lists one value per column"),
    ("ID|Status|Waiting Time\n7|Active|5\n",
     "no poll time for this row; write '# poll <timestamp>' before each poll or add a "
     "'Poll Time' column"),
    ("# poll tomorrow\nID|Status|Waiting Time\n",
     "poll time 'tomorrow' is not a timestamp; write '# poll 2024-05-01T10:00:00Z'"),
    ("# poll 2024-05-01T10:00:00Z\nID|Status|Waiting Time|Start Time\n7|Active|5|noon\n",
     "Start Time 'noon' is not a time like '2/16/2012 9:00 AM'"),
])
def test_getsession_malformed_lines(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "polls.txt"
    path.write_text(text)
    _, problems = _read(read_getsession, path, "rescue-getsession")
    assert [p.message for p in problems] == [message]


def test_getsession_header_without_waiting_time_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "polls.txt"
    path.write_text("# poll 2024-05-01T10:00:00Z\nID|Status|Start Time\n")
    with pytest.raises(RecordFormatError, match=r"polls\.txt:2: the header has no 'Waiting "
                                                r"Time' column"):
        _read(read_getsession, path, "rescue-getsession")


def test_files_are_read_as_one_stream(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    first.write_text('{"session": "s", "time": 1, "status": "Open"}\n')
    second.write_text('{"session": "s", "time": 2, "status": "Closed"}\n')
    items = list(read_records([first, second], "jsonl", default_fields("jsonl"),
                              pytest.fail, ["a.jsonl", "b.jsonl"]))
    assert [(i.path, i.line, i.status) for i in items] == [("a.jsonl", 1, "Open"),
                                                           ("b.jsonl", 1, "Closed")]


def test_missing_file_and_unknown_format_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordFormatError, match=r"nope\.jsonl: cannot read the record file"):
        list(read_jsonl(tmp_path / "nope.jsonl", default_fields("jsonl"), pytest.fail,
                        "nope.jsonl"))
    with pytest.raises(RecordFormatError, match="unknown record format 'xml'"):
        list(read_records([], "xml", default_fields("csv"), pytest.fail))


@given(st.integers(min_value=0, max_value=4_000_000_000))
def test_format_time_and_parse_time_round_trip(seconds: int) -> None:
    assert parse_time(format_time(float(seconds))) == seconds


@pytest.mark.parametrize("value", ["", "noon", None, True, [1], "2024-13-01T00:00:00Z"])
def test_parse_time_rejects_what_is_not_a_timestamp(value: object) -> None:
    with pytest.raises(ValueError):
        parse_time(value)
