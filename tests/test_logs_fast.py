"""The fast path against its oracle, the exact checker: generated records with injected
faults, every report byte-identical (hence the same violations, line for line), across batch
sizes, processes (--jobs), a Dask cluster, and Parquet input."""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.logcheck import run as run_module
from statusproof.logcheck.namemap import NameMap, default_map
from statusproof.logcheck.parts import Part
from statusproof.logcheck.records import default_fields
from statusproof.logcheck.report import report_json
from statusproof.logcheck.result import CheckSettings
from statusproof.logcheck.run import RunOptions, check_files
from statusproof.logcheck.synth import SynthSettings, generate
from statusproof.model import load_model
from statusproof.model.model import Model

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


def _write(folder: Path, model: Model, names: NameMap, fmt: str, synth: SynthSettings,
           name: str = "records") -> Path:
    path = folder / f"{name}.{fmt}"
    with path.open("w", encoding="utf-8") as handle:
        generate(model, names, synth, fmt, handle)
    return path


def _report(model: Model, names: NameMap, files: list[Path], fmt: str, **options: object
            ) -> str:
    shown = [str(f) for f in files]
    result = check_files(model, names, shown, RunOptions(fmt, default_fields(fmt),
                                                         **options))  # type: ignore[arg-type]
    return report_json(result, shown, fmt)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("block", [500, 4000, 1 << 20])
def test_fast_path_report_equals_the_exact_report(tmp_path: Path, rescue: Model, fmt: str,
                                                  block: int) -> None:
    names = default_map(rescue)
    path = _write(tmp_path, rescue, names, fmt, SynthSettings(250, faults=90, seed=block))
    exact = _report(rescue, names, [path], fmt, path="exact")
    fast = _report(rescue, names, [path], fmt, path="fast", block_size=block)
    assert json.loads(exact)["summary"]["violations"] > 40
    assert fast == exact


@given(seed=st.integers(0, 10**6), faults=st.integers(0, 40),
       fmt=st.sampled_from(["jsonl", "csv"]), block=st.sampled_from([300, 2000, 50_000]),
       slack=st.sampled_from([0.0, 20.0]))
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fast_path_equals_exact_for_any_seed(tmp_path: Path, rescue: Model, seed: int,
                                             faults: int, fmt: str, block: int,
                                             slack: float) -> None:
    names = default_map(rescue)
    path = _write(tmp_path, rescue, names, fmt,
                  SynthSettings(60, faults=faults, seed=seed, slack=slack))
    from statusproof.logcheck.result import CheckSettings
    check = CheckSettings(slack=slack)
    assert (_report(rescue, names, [path], fmt, path="fast", block_size=block, settings=check)
            == _report(rescue, names, [path], fmt, path="exact", settings=check))


@pytest.mark.parametrize("block", [2000, 1 << 20])
def test_fast_path_hands_thousands_of_open_sessions_over_as_the_exact_path_reads_them(
        tmp_path: Path, rescue: Model, block: int) -> None:
    """3,000 sessions open at once, round robin, 40 records a second (many on the same
    second), times a few seconds out of order: the input ends with 1,500 sessions open (cut
    off) and a minute of records still waiting in the reorder buffer. The exact checker
    takes them all over at once (one merge of their buffers, the rows grouped by session in
    one pass; each in turn took a minute for 20,000 sessions, docs/logs.md), and the report
    is the exact path's."""
    import random

    steps = ["Connecting", "Waiting", "Active", "Closed by technician"]
    rnd = random.Random(5)
    rows = ["session,time,status,cause"]
    for n in range(10_500):
        slot, step = n % 3000, n // 3000
        second = n // 40 + rnd.choice([0, 0, 0, -1, -3, 2])
        rows.append(f"S{slot}-{step // 4},2024-05-01T10:{second // 60:02d}:{second % 60:02d}Z,"
                    f"{steps[step % 4]},")
    path = tmp_path / "open.csv"
    path.write_text("\n".join(rows) + "\n")
    names = default_map(rescue)
    exact = _report(rescue, names, [path], "csv", path="exact")
    found = json.loads(exact)
    assert sum(i["kind"] == "cut-off" for i in found["issues"]) == 1500
    assert _report(rescue, names, [path], "csv", path="fast", block_size=block) == exact


def test_fast_path_on_another_table_and_across_files(tmp_path: Path) -> None:
    parcel = load_model(LOGS / "parcel.txt")
    names = NameMap(parcel)
    files = [_write(tmp_path, parcel, names, "jsonl", SynthSettings(80, faults=30, seed=s),
                    f"part{s}") for s in (1, 2)]  # the same session ids in both files
    assert (_report(parcel, names, files, "jsonl", path="fast", block_size=700)
            == _report(parcel, names, files, "jsonl", path="exact"))


def test_parquet_input_reports_what_csv_reports(tmp_path: Path, rescue: Model) -> None:
    names = default_map(rescue)
    csv = _write(tmp_path, rescue, names, "csv", SynthSettings(200, faults=60, seed=4,
                                                               kinds=("guard", "too-late",
                                                                      "not-in-table",
                                                                      "bad-start")))
    parquet = tmp_path / "records.parquet"
    pl.read_csv(csv, infer_schema=False).write_parquet(parquet, row_group_size=500)
    found = {}
    for path, fmt, shift in ((csv, "csv", 1), (parquet, "parquet", 0)):
        for way in ("exact", "fast"):
            data = json.loads(_report(rescue, names, [path], fmt, path=way))
            found[(fmt, way)] = sorted((v["kind"], int(v["where"].rsplit(":", 1)[1]) - shift,
                                        v["session"]) for v in data["violations"])
    assert len(found[("csv", "exact")]) == 60
    assert len({tuple(v) for v in found.values()}) == 1


def test_parquet_with_timestamps_and_bad_rows(tmp_path: Path, rescue: Model) -> None:
    from datetime import datetime
    frame = pl.DataFrame({
        "session": ["a", "a", None, "a"],
        "time": [datetime(2024, 5, 1, 10), datetime(2024, 5, 1, 10, 0, 20),
                 datetime(2024, 5, 1, 10, 1), None],
        "status": ["Connecting", "Waiting", "Active", "Active"]})
    path = tmp_path / "r.parquet"
    frame.write_parquet(path)
    names = default_map(rescue)
    for way in ("exact", "fast"):
        data = json.loads(_report(rescue, names, [path], "parquet", path=way))
        assert data["summary"]["records"] == 2
        assert [m["where"] for m in data["malformed"]] == [f"{path}:3", f"{path}:4"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_jobs_report_equals_one_process(tmp_path: Path, rescue: Model, fmt: str) -> None:
    names = default_map(rescue)
    path = _write(tmp_path, rescue, names, fmt, SynthSettings(300, faults=100, seed=8))
    one = _report(rescue, names, [path], fmt, path="exact")
    for jobs, partitions in ((2, 2), (3, 5)):
        assert _report(rescue, names, [path], fmt, jobs=jobs, partitions=partitions,
                       block_size=3000) == one


@pytest.mark.slow
def test_jobs_sessions_spanning_parts_and_ids_used_again(tmp_path: Path, rescue: Model) -> None:
    """--jobs checks each part's own sessions where the part was read: sessions open across
    part ends, ids ended in one part and used again in a later one (within and beyond the
    memory of ended sessions), across two files, every report the one of a single process."""
    names = default_map(rescue)
    rows = ["session,time,status"]
    for n in range(600):
        minute, second = divmod(n, 60)
        stamp = f"2024-05-01T1{minute // 60}:{minute % 60:02d}:{second:02d}Z"
        rows.append(f"s{n},{stamp},Connecting")
        if n >= 4:  # open across the rows between
            rows.append(f"s{n - 4},{stamp},Removed from TC queue")
        if n % 37 == 0:
            rows.append(f"s{n // 2},{stamp},Connecting")  # an id ended before, used again
    rows.insert(700, "broken line")
    first = tmp_path / "a.csv"
    first.write_text("\n".join(rows) + "\n")
    second = tmp_path / "b.csv"
    second.write_text("session,time,status\ns1,2024-05-02T12:00:00Z,Connecting\n"
                      "s599,2024-05-01T10:59:59Z,Active\n")
    options = CheckSettings(closed_memory=120.0)
    one = _report(rescue, names, [first, second], "csv", path="exact", settings=options)
    kinds = {v["kind"] for v in json.loads(one)["violations"]}
    assert {"after-end"} <= kinds, kinds
    for jobs, parts, margin in ((2, 6, None), (3, 9, None), (2, 6, 3), (3, 9, 40), (2, 6, 0)):
        assert _report(rescue, names, [first, second], "csv", jobs=jobs, partitions=parts,
                       block_size=1500, settings=options, margin=margin) == one


def _one_after_another(path: Path, quiet: int | None = None, start: int = 0,
                       header: bool = True) -> Path:
    """400 sessions, one after another (none open across another's records), from ``start``
    seconds after 10:00, with faults of each kind every 50 sessions; ``quiet``: one session
    more, Waiting across all the others, with a record after the ``quiet``-th."""
    rows = ["session,time,status,cause"] if header else []

    def stamp(second: int) -> str:
        return f"2024-05-01T{10 + second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}Z"

    when = start
    if quiet is not None:
        rows.append(f"q,{stamp(0)},Connecting,")
        rows.append(f"q,{stamp(0)},Waiting,")
    for n in range(400):
        steps = {17: ["Connecting", "Waiting", "Active", "Connecting"],  # not in the table
                 29: ["Connecting", "Waiting", "Waiting", "Active", "Closed by technician"],
                 41: ["Connecting", "Waiting", "Activ", "Closed by technician"]}.get(
            n % 50, ["Connecting", "Waiting", "Active", "Closed by technician"])
        for status in steps:
            rows.append(f"s{start}-{n},{stamp(when)},{status},")
            when += 1
        if n % 50 == 33:
            rows.append(f"s{start}-{n},{stamp(when)},Active,")  # after the end
            when += 1
        if n == quiet:
            rows.append(f"q,{stamp(when)},Waiting,")
    if quiet is not None:
        rows.append(f"q,{stamp(when)},Active,")
    with path.open("a") as handle:
        handle.write("\n".join(rows) + "\n")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_jobs_guesses_hold_and_their_reports_name_the_lines_of_the_file(
        tmp_path: Path, rescue: Model, fmt: str) -> None:
    """Sessions one after another: every part's guess holds (no part is read again), and the
    violations and issues found in later parts, checked with the part's own line numbers
    and a token for the file's name, carry the file's name and lines in every field."""
    names = default_map(rescue)
    path = _one_after_another(tmp_path / "records.csv")
    if fmt == "parquet":
        parquet = tmp_path / "records.parquet"
        pl.read_csv(path, infer_schema=False).write_parquet(parquet, row_group_size=100)
        path = parquet
    one = _report(rescue, names, [path], fmt, path="exact")
    found = json.loads(one)
    assert found["summary"]["violations"] == 16
    assert {i["kind"] for i in found["issues"]} == {"cut-off", "duplicate", "unknown-status"}
    notes: list[str] = []
    for jobs, parts in ((2, 4), (3, 7)):
        assert _report(rescue, names, [path], fmt, jobs=jobs, partitions=parts,
                       block_size=1500, margin=8, note=notes.append) == one
    assert notes == []


@pytest.mark.slow
def test_jobs_parts_whose_guess_fails_are_read_again(tmp_path: Path, rescue: Model) -> None:
    """A session quiet across parts (Waiting from the first record to the last, with one
    record in the middle) is in no margin of the part in the middle: that part checked it
    as its own, so it is read and checked again, and the report is still the one of a single
    process."""
    names = default_map(rescue)
    path = _one_after_another(tmp_path / "records.csv", quiet=260)
    one = _report(rescue, names, [path], "csv", path="exact")
    notes: list[str] = []
    assert _report(rescue, names, [path], "csv", jobs=2, partitions=4, block_size=1500,
                   margin=8, note=notes.append) == one
    assert notes == ["--jobs: 1 of 4 parts were read and checked again (their guess of their "
                     "own sessions failed; see docs/logs.md, \"Processes and clusters\")"]


@pytest.mark.slow
def test_jobs_parts_before_the_clock_are_read_again(tmp_path: Path, rescue: Model) -> None:
    """Records whose times go back (the second half of the file an hour earlier than the
    first): a part whose first records are all before the clock of the parts before it
    cannot take its clock as the input's, so it is read again; the report is still the one
    of a single process."""
    names = default_map(rescue)
    path = _one_after_another(tmp_path / "records.csv", start=3600)
    _one_after_another(path, start=0, header=False)
    one = _report(rescue, names, [path], "csv", path="exact")
    assert not any(i["kind"] == "out-of-order" for i in json.loads(one)["issues"])
    notes: list[str] = []
    assert _report(rescue, names, [path], "csv", jobs=2, partitions=6, block_size=1500,
                   margin=8, note=notes.append) == one
    assert len(notes) == 1 and notes[0].startswith("--jobs: ") and " of 6 parts " in notes[0]


@pytest.mark.slow
@given(seed=st.integers(0, 10**6), faults=st.integers(0, 60),
       fmt=st.sampled_from(["jsonl", "csv"]), margin=st.sampled_from([0, 1, 4, 30, 300]),
       parts=st.integers(2, 9), block=st.sampled_from([700, 3000, 1 << 20]))
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_jobs_equal_one_process_whatever_the_margin(tmp_path: Path, rescue: Model, seed: int,
                                                    faults: int, fmt: str, margin: int,
                                                    parts: int, block: int) -> None:
    """Whichever parts' guesses hold or fail (margins from one record up, or none: every
    part written down), the report of --jobs 2 is the one of a single process."""
    names = default_map(rescue)
    path = _write(tmp_path, rescue, names, fmt, SynthSettings(200, faults=faults, seed=seed))
    assert (_report(rescue, names, [path], fmt, jobs=2, partitions=parts, block_size=block,
                    margin=margin)
            == _report(rescue, names, [path], fmt, path="exact"))


def _round_robin(path: Path, sessions: int, records: int) -> Path:
    """Records of ``sessions`` sessions open at once, round robin, four statuses each (so a
    session's span is three times ``sessions`` records), a record every 20 ms."""
    steps = ["Connecting", "Waiting", "Active", "Closed by technician"]
    rows = ["session,time,status,cause"]
    for n in range(records):
        second = n // 50
        rows.append(f"S{n % sessions}-{n // (4 * sessions)},2024-05-01T1{second // 3600}:"
                    f"{second // 60 % 60:02d}:{second % 60:02d}Z,"
                    f"{steps[n // sessions % 4]},")
    path.write_text("\n".join(rows) + "\n")
    return path


def _margin(path: Path) -> int:
    from statusproof.logcheck.guesses import SAMPLE, margin_of

    return margin_of(pl.read_csv(path)["session"].head(SAMPLE).hash().to_numpy())


@pytest.mark.parametrize(("sessions", "margin"), [
    (1, 4096), (100, 4096), (1000, 12_000), (2000, 16_384), (2730, 16_384), (2731, 0)])
def test_margin_is_four_times_the_longest_span_within_bounds(
        tmp_path: Path, sessions: int, margin: int) -> None:
    """The margin measured on an input's first records: four times its longest session
    span, at least LEAST_MARGIN and at most MARGIN, and 0 (every part written down) once
    twice the span is over MARGIN (3 x 2731 = 8193 records)."""
    from statusproof.logcheck.guesses import LEAST_MARGIN, MARGIN

    assert (LEAST_MARGIN, MARGIN) == (4096, 16_384)
    assert _margin(_round_robin(tmp_path / "rr.csv", sessions, 12 * sessions)) == margin


def test_sessions_held_at_a_parts_start_are_those_that_may_have_begun_before() -> None:
    """A session with a record in the part's first rows is held, but one whose first record
    there has a status that begins every session, a lead or more into the part."""
    import numpy as np

    from statusproof.logcheck.guesses import held_at_start

    fresh = np.array([True, False])  # status 0 begins sessions, status 1 does not
    hashes = np.array([40, 10, 30, 10, 20, 50], dtype=np.uint64)
    codes = np.array([0, 1, 0, 0, 1, -1])
    # 40: begins within the lead; 10: first record not a beginning; 30: begins after the
    # lead; 20: not a beginning; 50: an unknown status
    assert held_at_start(hashes, codes, 2, fresh).tolist() == [10, 20, 40, 50]
    assert held_at_start(hashes, codes, 3, fresh).tolist() == [10, 20, 30, 40, 50]


def test_sessions_held_at_a_parts_end_are_those_that_may_go_on_after() -> None:
    """A session with a record in the part's last rows and none checked is held, but one
    whose last record ends it a lead or more before the end."""
    import numpy as np

    from statusproof.logcheck.guesses import held_at_end

    names = {"Open": 0, "Done": 1}
    closing = np.array([False, True])

    def numbers(column: pl.Series) -> np.ndarray:
        return np.array([names.get(v, -1) for v in column.to_list()])

    statuses = ["Open", "Done", "Open", "Open", "Done", "Open", "Done"]
    hashes = np.array([1, 1, 2, 3, 3, 4, 4], dtype=np.uint64)
    window = [(pl.DataFrame({"status": statuses[:3]}), hashes[:3]),
              (pl.DataFrame({"status": statuses[3:]}), hashes[3:])]
    checked = [np.array([2], dtype=np.uint64)]
    # 1: ended 5 rows before the end; 2: checked before; 3: ended 2 rows before the end;
    # 4: ended on the last row
    assert held_at_end(window, 7, 3, numbers, closing, checked).tolist() == [3, 4]
    assert held_at_end(window, 7, 6, numbers, closing, checked).tolist() == [1, 3, 4]
    assert held_at_end(window, 4, 3, numbers, closing, []).tolist() == [3, 4]  # 4 rows


def test_a_part_with_long_sessions_is_written_down_instead_of_guessed(
        tmp_path: Path, rescue: Model) -> None:
    """A part measures its margin on its own first records: with 5,000 sessions open at
    once (a session's records 5,000 apart, its span 15,000 records, over half of MARGIN) the
    guess task writes the part down whole and returns it read; with 100 it guesses."""
    from statusproof.logcheck.guesses import Guess, guess_part_task
    from statusproof.logcheck.partition import ModelSpec, PartOut, streams
    from statusproof.logcheck.parts import plan_parts
    from statusproof.logcheck.timersettings import TimerSettings

    for sessions, guessed in ((5000, False), (100, True)):
        path = _round_robin(tmp_path / f"rr{sessions}.csv", sessions, 40_000)
        part = plan_parts([str(path)], "csv", 2)[1]
        done = guess_part_task(1, part, "csv", default_fields("csv"), 1 << 20, 1 << 20,
                               str(tmp_path), ModelSpec(), CheckSettings(), TimerSettings(),
                               [str(path)], "\x00t\x00", None, 2)
        assert isinstance(done, Guess) is guessed
        if not guessed:
            assert isinstance(done, PartOut) and done.pieces[0] is not None
            rows = pl.concat(list(streams(done.pieces[0])))
            assert rows.height == done.rows == part_rows(path, part)
            assert done.hashes is not None and len(done.hashes) == rows["session"].n_unique()


def part_rows(path: Path, part: Part) -> int:
    """The records of a CSV part (its bytes' lines)."""
    data = path.read_bytes()[part.start:part.end]
    return data.count(b"\n") - (1 if part.start == 0 else 0)


@pytest.mark.slow
def test_jobs_on_long_sessions_write_every_part_down(tmp_path: Path, rescue: Model) -> None:
    """5,000 sessions open at once, round robin: a session's records are 5,000 records
    apart, so the margin each part measures on its first records is larger than the
    default, every part is written down instead of guessed (no part read again), and the
    report is the one of a single process."""
    path = _round_robin(tmp_path / "long.csv", 5000, 120_000)
    assert _margin(path) == 0  # the longest span, 15,000 records, is over half of MARGIN
    names = default_map(rescue)
    one = _report(rescue, names, [path], "csv", path="exact")
    notes: list[str] = []
    assert _report(rescue, names, [path], "csv", jobs=2, partitions=4, block_size=20_000,
                   note=notes.append) == one
    assert notes == []


def test_rebase_puts_the_file_and_its_lines_in_place_of_the_token(rescue: Model) -> None:
    from statusproof.logcheck.guesses import rebase
    from statusproof.logcheck.records import Record
    from statusproof.logcheck.result import Issue, LogResult, Tally, Violation

    token = "\x00abc-1\x00"
    result = LogResult(rescue, False, CheckSettings())
    first = Record(token, 3, "s", 0.0, "Active")
    result.violations.append(Violation("after-end", token, 4, "s", f"after {token}:3",
                                       (first,), (), None, "Active"))
    result.issues.append(Issue("duplicate", token, 5, "s", f"as {token}:4 and {token}:12"))
    result.unknown["Activ"] = Tally(2, f"{token}:7", (1, token, 7))
    moved = rebase(result, token, "b.csv", 100)
    assert moved is not None
    violation, = moved.violations
    assert (violation.where, violation.message) == ("b.csv:104", "after b.csv:103")
    assert violation.records == (Record("b.csv", 103, "s", 0.0, "Active"),)
    assert moved.issues[0].message == "as b.csv:104 and b.csv:112"
    assert moved.unknown["Activ"] == Tally(2, "b.csv:107", (1, "b.csv", 107))
    # a token left anywhere (not followed by a line): the guess is not used
    result.issues.append(Issue("duplicate", token, 6, "s", f"in {token}"))
    assert rebase(result, token, "b.csv", 100) is None


@pytest.mark.slow
def test_jobs_on_parquet_row_groups(tmp_path: Path, rescue: Model) -> None:
    names = default_map(rescue)
    csv = _write(tmp_path, rescue, names, "csv", SynthSettings(300, faults=90, seed=11))
    parquet = tmp_path / "records.parquet"
    pl.read_csv(csv, infer_schema=False).write_parquet(parquet, row_group_size=300)
    one = _report(rescue, names, [parquet], "parquet", path="exact")
    assert _report(rescue, names, [parquet], "parquet", jobs=2, partitions=5) == one
    assert _report(rescue, names, [parquet], "parquet", jobs=2, partitions=5, margin=0) == one


_PART_READ = """
import sys
from pathlib import Path

from statusproof.logcheck.batches import PartState, parquet_batches
from statusproof.logcheck.parts import plan_parts
from statusproof.logcheck.records import default_fields

path = Path(sys.argv[1])
part = plan_parts([str(path)], "parquet", 4)[1]
state = PartState()
frames = list(parquet_batches(part, default_fields("parquet"), print, 1 << 20, 3200, state))
print(part.rows, sum(f.height for f in frames), max(f.height for f in frames),
      frames[0]["line"][0], frames[-1]["line"][-1], state.lines)
print(frames[0]["session"][0], frames[-1]["session"][-1], "pyarrow" in sys.modules)
"""


def test_a_parquet_part_is_planned_and_read_by_polars_without_pyarrow(
        tmp_path: Path, rescue: Model) -> None:
    """A Parquet file is cut into ranges of rows from its metadata, and a part (here from
    the middle of a row group to the middle of another) is read with polars, a batch of rows
    at a time, its lines numbered within the part: pyarrow (some 50 MiB, and slower
    batches) is never imported, as when one process reads a whole file."""
    names = default_map(rescue)
    csv = _write(tmp_path, rescue, names, "csv", SynthSettings(300, faults=0, seed=5))
    frame = pl.read_csv(csv, infer_schema=False)
    parquet = tmp_path / "records.parquet"
    frame.write_parquet(parquet, row_group_size=333)
    script = tmp_path / "part.py"
    script.write_text(_PART_READ)
    done = subprocess.run([sys.executable, str(script), str(parquet)], capture_output=True,
                          text=True, timeout=120, check=True)
    first, after = round(frame.height / 4), round(frame.height / 2)
    count = after - first
    assert first % 333 and after % 333  # the cuts fall inside row groups
    assert done.stdout.splitlines() == [
        f"({first}, {count}) {count} 100 1 {count} {count}",
        f"{frame['session'][first]} {frame['session'][after - 1]} False"], done.stderr


@pytest.mark.slow
def test_parquet_parts_that_pyarrow_reads_are_the_rows_of_the_part(tmp_path: Path,
                                                                    rescue: Model) -> None:
    """A file polars does not read the way the checker needs (here session ids as 16-bit
    integers) is read by pyarrow, part by part: each part's rows are the file's, from the
    middle of a row group on, and the report of --jobs is the report of one process."""
    from statusproof.logcheck.batches import PartState, parquet_batches
    from statusproof.logcheck.parts import plan_parts

    names = default_map(rescue)
    csv = _write(tmp_path, rescue, names, "csv", SynthSettings(300, faults=40, seed=9))
    frame = pl.read_csv(csv, infer_schema=False).filter(pl.col("session").is_not_null())
    frame = frame.with_columns(session=pl.col("session").rank("dense").cast(pl.Int16))
    parquet = tmp_path / "records.parquet"
    frame.write_parquet(parquet, row_group_size=333)
    fields = default_fields("parquet")

    def rows(part: object) -> list[tuple[object, ...]]:
        batches = parquet_batches(part, fields, lambda p: None, 1 << 20, 3200,  # type: ignore[arg-type]
                                  PartState())
        return [row for b in batches for row in b.select("session", "time", "status").rows()]

    whole = plan_parts([str(parquet)], "parquet", 1)
    parts = plan_parts([str(parquet)], "parquet", 5, tapered=True)
    assert len(whole) == 1 and len(parts) == 5
    assert [row for part in parts for row in rows(part)] == rows(whole[0])
    one = _report(rescue, names, [parquet], "parquet", path="exact")
    assert _report(rescue, names, [parquet], "parquet", jobs=2, partitions=5) == one


def test_sharing_runs_tasks_in_the_pool_and_here() -> None:
    """The coordinator takes tasks from the back while the pool's worker takes them from
    the front, one at a time; results in the order of the calls; a task's error is its
    future's."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from statusproof.logcheck.fastpool import Sharing

    def task(number: int) -> tuple[int, str]:
        time.sleep(0.01)
        if number == 7:
            raise ValueError("seven")
        return number, threading.current_thread().name

    with ThreadPoolExecutor(1, thread_name_prefix="pool") as pool:
        futures = Sharing(pool.submit, 1).run([(task, (n,)) for n in range(12)])
    assert all(f.done() for f in futures)
    with pytest.raises(ValueError, match="seven"):
        futures[7].result()
    done = [f.result() for i, f in enumerate(futures) if i != 7]
    assert [number for number, _ in done] == [n for n in range(12) if n != 7]
    where = {name.startswith("pool") for _, name in done}
    assert where == {True, False}  # both the pool and this thread ran some
    assert done[0][1].startswith("pool") and not done[-1][1].startswith("pool")


def test_sharing_calls_idle_while_the_pool_still_works() -> None:
    """With no call left to take and the pool's task not done, ``idle`` is called once, in
    this thread, with the futures so far; never when the pool was given nothing."""
    import threading
    from concurrent.futures import Future, ThreadPoolExecutor

    from statusproof.logcheck.fastpool import Sharing

    release = threading.Event()

    def slow(number: int) -> int:
        release.wait(30)
        return number

    seen: list[list[bool | None]] = []

    def idle(futures: list[Future[int] | None]) -> None:
        seen.append([None if f is None else f.done() for f in futures])
        release.set()

    with ThreadPoolExecutor(1) as pool:
        futures = Sharing(pool.submit, 1).run([(slow, (0,)), (abs, (-1,)), (abs, (-2,))],
                                              idle)
    assert [f.result() for f in futures] == [0, 1, 2]
    assert seen == [[False, True, True]]  # the pool's first call, this thread's two
    seen.clear()
    with ThreadPoolExecutor(1) as pool:  # nothing given to the pool: nothing to wait for
        assert [f.result() for f in Sharing(pool.submit, 0).run([(abs, (-1,))], idle)] == [1]
    assert seen == []


@given(st.lists(st.sets(st.integers(0, 40), max_size=12), max_size=7),
       st.integers(0, 7))
def test_repeated_are_the_hashes_in_several_sets(sets: list[set[int]], cut: int) -> None:
    """Given in two goes (as ``--jobs`` gives the parts read early, then the rest), the
    hashes in more than one set are those a count finds."""
    from collections import Counter

    import numpy as np

    from statusproof.logcheck.idhashes import Repeated

    arrays = [np.array(sorted(values), dtype=np.uint64) for values in sets]
    counts = Counter(value for values in sets for value in values)
    expected = sorted(v for v, n in counts.items() if n > 1)
    repeated = Repeated()
    repeated.add(arrays[:cut])
    assert repeated.result(arrays[cut:]).tolist() == expected
    repeated.add(arrays[cut:])
    assert repeated.result().tolist() == expected


def test_share_sinks_split_rows_by_hash_in_few_streams(tmp_path: Path) -> None:
    """Rows set aside go to the share of their id's hash, in streams of at least
    BATCH_ROWS rows but the last, and read back as written."""
    import numpy as np

    from statusproof.logcheck.partition import BATCH_ROWS, ShareSinks, streams

    frames = [pl.DataFrame({"session": [f"s{i}" for i in range(start, start + 3000)],
                            "line": list(range(start, start + 3000))})
              for start in range(0, 30000, 3000)]
    every = pl.concat(frames)
    share = every["session"].hash().to_numpy() % np.uint64(2)
    for base in (str(tmp_path / "held"), None):  # files, or bytes in memory (Dask)
        sinks = ShareSinks(base, 2)
        for frame in frames:
            sinks.add(frame, frame["session"].hash().to_numpy())
        pieces = sinks.close()
        for number, piece in enumerate(pieces):
            assert piece is not None
            assert isinstance(piece[0], str if base else bytes)
            read = list(streams(piece))
            assert all(f.height >= BATCH_ROWS for f in read[:-1]) and len(read) <= 2
            assert pl.concat(read).equals(every.filter(pl.Series(share == number)))
    assert ShareSinks(str(tmp_path / "none"), 3).close() == [None, None, None]


def test_sharing_runs_everything_here_when_the_pool_refuses() -> None:
    from concurrent.futures import Future

    from statusproof.logcheck.fastpool import Sharing

    def broken(*_: object) -> Future[int]:
        raise RuntimeError("cannot schedule new futures after shutdown")

    futures = Sharing(broken, 2).run([(pow, (2, n)) for n in range(5)])
    assert [f.result() for f in futures] == [1, 2, 4, 8, 16]


def test_spanning_hashes_are_those_of_ids_in_several_parts() -> None:
    import numpy as np

    from statusproof.logcheck.fastparts import spanning_hashes
    from statusproof.logcheck.partition import PartOut

    outs = [PartOut(hashes=np.array(h, dtype=np.uint64))
            for h in ([1, 5, 9], [2, 5, 7], [], [7, 9, 11])]
    assert spanning_hashes(outs).tolist() == [5, 7, 9]
    assert spanning_hashes(outs[:1]).tolist() == []


@given(st.lists(st.lists(st.integers(0, 2**64 - 1), max_size=40), max_size=6))
def test_distinct_and_merged_are_the_sorted_distinct_values(lists: list[list[int]]) -> None:
    """``distinct`` (polars' hash table, then a sort) and ``merged`` (runs merged by the
    stable sort) give what ``np.unique`` gives, with its dtype."""
    import numpy as np

    from statusproof.logcheck.idhashes import distinct, merged

    arrays = [np.array(values, dtype=np.uint64) for values in lists]
    runs = [distinct(array) for array in arrays]
    for array, run in zip(arrays, runs, strict=True):
        assert run.dtype == np.uint64
        assert run.tolist() == np.unique(array).tolist()
    every = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.uint64)
    together = merged(runs)
    assert together.dtype == np.uint64
    assert together.tolist() == np.unique(every).tolist()


@pytest.mark.slow
def test_jobs_finish_broken_quotes_across_parts(tmp_path: Path, rescue: Model) -> None:
    rows = ["session,time,status"]
    for n in range(400):
        rows.append(f"s{n},2024-05-01T10:{n // 60:02d}:{n % 60:02d}Z,Connecting")
    rows[3] = 's2,2024-05-01T10:00:02Z,"Connecting'  # closes at the quote of row 350
    rows[350] = 's349,2024-05-01T10:05:49Z,"Connecting"'
    rows[380] = 's379,2024-05-01T10:06:19Z,"Connecting'  # runs to the end of the file
    path = tmp_path / "q.csv"
    path.write_text("\n".join(rows) + "\n")
    names = default_map(rescue)
    one = _report(rescue, names, [path], "csv", path="exact")
    assert [m["message"][:90] for m in json.loads(one)["malformed"]] == [
        "the 'status' field opens a quote that is not closed on its line (csv would run it "
        "over 348",
        "the 'status' field opens a quote that is not closed on its line (it runs to the end "
        "of the"]
    assert _report(rescue, names, [path], "csv", jobs=2, partitions=3, block_size=2000) == one


@pytest.mark.slow
def test_dask_engine_report_equals_one_process(tmp_path: Path, rescue: Model) -> None:
    """A local Dask cluster of 2 workers (threads, to start quickly) reads a folder."""
    from statusproof.logcheck.daskengine import check_with_dask

    names = default_map(rescue)
    folder = tmp_path / "logs"
    folder.mkdir()
    files = [str(_write(folder, rescue, names, "jsonl", SynthSettings(120, faults=40, seed=s),
                        f"day{s}")) for s in (1, 2, 3)]
    one = _report(rescue, names, [Path(f) for f in files], "jsonl", path="exact")
    options = RunOptions("jsonl", default_fields("jsonl"), jobs=2, engine="dask",
                         block_size=4000)
    result = check_with_dask(rescue, files, options, processes=False)
    result.timing = json.loads(one)["timing"]
    assert report_json(result, files, "jsonl") == one


def test_without_the_fast_libraries_logs_says_so_once(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.jsonl").write_text(
        '{"session": "a", "time": "2024-05-01T10:00:00Z", "status": "Connecting"}\n')
    code, out, err = run_cli(["logs", "-r", "a.jsonl", "a.jsonl"])
    assert (code, err) == (0, "")
    monkeypatch.setattr(run_module, "fast_available", lambda: "polars, orjson")
    code, slow_out, err = run_cli(["logs", "-r", "a.jsonl", "a.jsonl"])
    assert code == 0 and slow_out == out
    assert err == ("statusproof: note: polars, orjson not installed: checking with the exact "
                   "reader alone (slower); pip install 'statusproof[fast]' for the fast path\n")
    code, _, err = run_cli(["logs", "-r", "a.jsonl", "--path", "fast"])
    assert code == 2 and "--path fast needs polars, orjson" in err


def test_fast_path_refuses_snapshots(tmp_path: Path) -> None:
    code, out, err = run_cli(["logs", "-r", str(LOGS / "rescue-polls.txt"), "--record-format",
                              "rescue-getsession", "--path", "fast"])
    assert (code, out) == (2, "")
    assert "--path fast checks event records (jsonl, csv, parquet)" in err


@pytest.mark.slow
def test_cli_jobs_with_another_table_equals_one_process(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers load the table named on the command line, and the report is the same."""
    monkeypatch.chdir(tmp_path)
    parcel = load_model(LOGS / "parcel.txt")
    _write(tmp_path, parcel, NameMap(parcel), "csv", SynthSettings(400, faults=80, seed=2))
    table = str(LOGS / "parcel.txt")
    one = run_cli(["logs", table, "-r", "records.csv", "--format", "json"])
    two = run_cli(["logs", table, "-r", "records.csv", "--format", "json", "--jobs", "2",
                   "--partitions", "3"])
    assert one[0] == 1 and one == two


def test_jobs_on_snapshots_say_they_run_in_one_process(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.txt").write_bytes((LOGS / "rescue-polls.txt").read_bytes())
    code, _, err = run_cli(["logs", "-r", "p.txt", "--record-format", "rescue-getsession",
                            "--jobs", "2"])
    assert code == 1
    assert err == ("statusproof: note: --jobs applies to event records on the fast path; "
                   "checking in one process\n")


def test_strings_that_are_not_utf8_are_malformed_on_every_path(tmp_path: Path,
                                                               rescue: Model) -> None:
    """pyarrow does not check UTF-8 when it reads JSON or Parquet: the readers do."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = default_map(rescue)
    rows = [b'{"session": "a", "time": "2024-05-01T10:00:00Z", "status": "Connecting"}',
            b'{"session": "a\xff", "time": "2024-05-01T10:00:10Z", "status": "Waiting"}',
            b'{"session": "a", "time": "2024-05-01T10:00:20Z", "status": "Waiting"}']
    jsonl = tmp_path / "r.jsonl"
    jsonl.write_bytes(b"\n".join(rows) + b"\n")
    sessions = pa.array([b"a", b"a\xff", b"a"], type=pa.binary()).cast(pa.string(),
                                                                         safe=False)
    table = pa.table({"session": sessions,
                      "time": ["2024-05-01T10:00:00Z", "2024-05-01T10:00:10Z",
                               "2024-05-01T10:00:20Z"],
                      "status": ["Connecting", "Waiting", "Waiting"]})
    parquet = tmp_path / "r.parquet"
    pq.write_table(table, parquet)
    for path, fmt, message in (
            (jsonl, "jsonl", "not valid UTF-8 (byte 0xff at column 15); save the file as UTF-8"),
            (parquet, "parquet", "not valid UTF-8 (column 'session'); write the strings as "
                                 "UTF-8")):
        reports = {way: _report(rescue, names, [path], fmt, path=way)
                   for way in ("exact", "fast")}
        assert reports["exact"] == reports["fast"]
        data = json.loads(reports["fast"])
        assert [m["message"] for m in data["malformed"]] == [message]
        assert data["summary"]["records"] == 2


def _mangle(lines: list[str], seed: int) -> str:
    """CSV lines (header first) rewritten in ways the bulk reader must notice: spaces around
    fields (at a block's edges too), tabs, Unicode white space, names in other cases, CRLF
    ends, blank lines, statuses no table has, causes of every kind."""
    import random

    rnd = random.Random(seed)
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(",")
        if len(cells) < 3:  # a malformed line of the generator: kept as it is
            out.append(line)
            continue
        roll = rnd.random()
        if roll < 0.04:
            cells = [f" {c}" if rnd.random() < 0.5 else f"{c} " for c in cells]
        elif roll < 0.06:
            cells[2] = cells[2].upper() if rnd.random() < 0.5 else f"\t{cells[2].lower()}"
        elif roll < 0.07:
            cells[2] = f"Status{rnd.randrange(10_000)}"  # a new text in every batch
        elif roll < 0.08 and len(cells) > 3:
            cells[3] = rnd.choice(["", "customer", "technician", "unheard-of", " customer"])
        elif roll < 0.09:  # Unicode white space, which str.strip() takes off too
            at = rnd.randrange(len(cells))
            space = rnd.choice(["\u00a0", "\u2003", "\u3000", "\u0085"])
            cells[at] = space + cells[at] if rnd.random() < 0.5 else cells[at] + space
        text = ",".join(cells)
        if rnd.random() < 0.01:
            out.append("")
        out.append(text + ("\r" if rnd.random() < 0.02 else ""))
    return "\n".join(out) + "\n"


@given(seed=st.integers(0, 10**6), block=st.sampled_from([400, 3000, 20_000]))
@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_csv_bulk_reader_notices_what_the_exact_reader_reads_apart(
        tmp_path: Path, rescue: Model, seed: int, block: int) -> None:
    """Spaces next to separators (stripped), blank lines, CR line ends, tabs, names in other
    cases, unknown statuses and causes: the bulk reader and the status and cause numbering
    (an Enum that grows batch by batch) give the exact reader's report."""
    names = default_map(rescue)
    source = _write(tmp_path, rescue, names, "csv", SynthSettings(120, faults=20, seed=seed))
    path = tmp_path / "mangled.csv"
    path.write_text(_mangle(source.read_text().splitlines(), seed), encoding="utf-8")
    assert (_report(rescue, names, [path], "csv", path="fast", block_size=block)
            == _report(rescue, names, [path], "csv", path="exact"))


@pytest.mark.parametrize("space", ["\u00a0", "\u3000", "\u2003", "\u0085", "\u202f"])
def test_csv_bulk_reader_strips_unicode_white_space_as_the_exact_reader_does(
        tmp_path: Path, rescue: Model, space: str) -> None:
    """The exact CSV reader strips every field with str.strip(), which takes any Unicode
    white space off its ends; so must the bulk reader, or " S1" (a no-break space first) is
    another session than "S1" on the fast path only (found in this pass: 2 violations in 2
    sessions on the fast path, a pass in 1 session on the exact one)."""
    names = default_map(rescue)
    path = tmp_path / "spaces.csv"
    path.write_text("session,time,status,cause\n"
                    "S1,2024-05-01T10:00:00Z,Connecting,\n"
                    f"{space}S1,2024-05-01T10:00:10Z,Waiting{space},\n"
                    f"S1,{space}2024-05-01T10:01:10Z,Active,\n"
                    f"S1{space},2024-05-01T10:05:10Z,Closed by waiting customer,{space}\n",
                    encoding="utf-8")
    exact = _report(rescue, names, [path], "csv", path="exact")
    assert json.loads(exact)["summary"]["sessions"] == 1
    assert json.loads(exact)["summary"]["violations"] == 0
    assert _report(rescue, names, [path], "csv", path="fast") == exact


def test_parquet_read_by_polars_then_by_pyarrow_from_a_broken_row(tmp_path: Path,
                                                                  rescue: Model) -> None:
    """Polars reads slices of the file until one holds a string that is not UTF-8; pyarrow
    reads from there on, so every row is read once and the broken one is reported."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = default_map(rescue)
    csv = _write(tmp_path, rescue, names, "csv", SynthSettings(200, faults=30, seed=5))
    frame = pl.read_csv(csv, infer_schema=False)
    broken = frame.height * 2 // 3
    sessions = pa.array([s.encode() + (b"\xff" if i == broken else b"")
                         for i, s in enumerate(frame["session"].to_list())],
                        type=pa.binary()).cast(pa.string(), safe=False)
    table = frame.to_arrow().set_column(0, "session", sessions)
    path = tmp_path / "r.parquet"
    pq.write_table(table, path, row_group_size=150)
    exact = _report(rescue, names, [path], "parquet", path="exact")
    found = {m["where"]: m["message"] for m in json.loads(exact)["malformed"]}
    assert found[f"{path}:{broken + 1}"].startswith("not valid UTF-8 (column 'session')")
    for block in (64 * 40, 64 * 1000, 1 << 20):  # polars slices of 160 rows, 4000, all
        assert _report(rescue, names, [path], "parquet", path="fast", block_size=block) == exact


def test_sessions_whose_hashes_collide_are_told_apart(tmp_path: Path, rescue: Model,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every id hashed alike (and alike in the high bits the grouping sort uses): the fast
    path groups by the ids themselves, and tests remembered ended sessions by id, so the report
    is still the exact one."""
    names = default_map(rescue)
    path = _write(tmp_path, rescue, names, "csv", SynthSettings(150, faults=40, seed=11))
    exact = _report(rescue, names, [path], "csv", path="exact")

    def same(self: pl.Series, *args: object, **kwargs: object) -> pl.Series:
        return pl.Series(self.name, [12345] * len(self), dtype=pl.UInt64)

    monkeypatch.setattr(pl.Series, "hash", same)
    assert _report(rescue, names, [path], "csv", path="fast", block_size=3000) == exact


def test_past_the_enum_limit_names_are_numbered_batch_by_batch(
        tmp_path: Path, rescue: Model, monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for only a few distinct texts, statuses and causes are numbered by the
    per-batch mapping, and the report is the exact one."""
    from statusproof.logcheck import fastcodes

    monkeypatch.setattr(fastcodes, "LIMIT", 3)
    names = default_map(rescue)
    source = _write(tmp_path, rescue, names, "csv", SynthSettings(120, faults=20, seed=3))
    path = tmp_path / "mangled.csv"
    path.write_text(_mangle(source.read_text().splitlines(), 3), encoding="utf-8")
    assert (_report(rescue, names, [path], "csv", path="fast", block_size=2000)
            == _report(rescue, names, [path], "csv", path="exact"))


def test_tapered_parts_cover_the_file_largest_first_and_are_handed_out_from_both_ends(
        tmp_path: Path, rescue: Model) -> None:
    """--jobs cuts a file into parts each smaller than the one before (the last about an
    eighth of the first), and hands them out so that both the pool (from the front) and the
    coordinator (from the back) take them largest first: the small ones even out the end."""
    from statusproof.logcheck.fastparts import handing_order
    from statusproof.logcheck.parts import plan_parts, shares

    assert shares(4, False) == [1.0] * 4 and shares(2, True) == [1.0] * 2
    tapered = shares(9, True)
    assert tapered[0] == 1.0 and tapered[-1] == pytest.approx(1 / 8)
    assert all(a > b for a, b in itertools.pairwise(tapered))
    path = _write(tmp_path, rescue, default_map(rescue), "csv", SynthSettings(3000, seed=4))
    data = path.read_bytes()
    parts = plan_parts([str(path)], "csv", 8, 1, tapered=True)
    assert len(parts) == 8
    ends = [p.end if p.end is not None else len(data) for p in parts]
    assert [p.start for p in parts[1:]] == ends[:-1] and ends[-1] == len(data)
    assert all(data[p.start - 1:p.start] == b"\n" for p in parts[1:])
    sizes = [end - p.start for p, end in zip(parts, ends, strict=True)]
    assert sizes[0] > 4 * sizes[-1] and sizes == sorted(sizes, reverse=True)
    order = handing_order(parts)
    assert order == [0, 2, 4, 6, 7, 5, 3, 1]
    parquet = tmp_path / "records.parquet"
    pl.read_csv(path, infer_schema=False).write_parquet(parquet, row_group_size=1000)
    # Parquet: ranges of rows, one after the other to the file's end, tapered too
    rows = [p.rows for p in plan_parts([str(parquet)], "parquet", 5, tapered=True)]
    assert rows[0] is not None and rows[0][0] == 0
    assert all(a[0] + a[1] == b[0] for a, b in itertools.pairwise(rows))  # type: ignore[index]
    sizes = [r[1] for r in rows]  # type: ignore[index]
    assert sum(sizes) == pl.read_parquet(parquet).height and sizes[0] > 4 * sizes[-1] > 0


def test_early_pool_only_when_the_check_uses_it() -> None:
    """The worker processes of --jobs start when the command starts (before the model is
    loaded here) only for event records from files on the fast path, on this machine."""
    from statusproof.logcheck.fastpool import warm
    from statusproof.logcheck.run import early_pool

    for refused in ((1, "local", "csv", "auto", False, False),
                    (2, "dask", "csv", "auto", False, False),
                    (2, "local", "rescue-getsession", "auto", False, False),
                    (2, "local", "csv", "exact", False, False),
                    (2, "local", "csv", "auto", True, False),
                    (2, "local", "csv", "auto", False, True)):
        assert early_pool(*refused) is None, refused
    pool = early_pool(2, "local", "jsonl", "auto", False, False)
    assert pool is not None
    try:
        assert pool.submit(warm).result() != os.getpid()  # a process of its own
    finally:
        pool.shutdown()


_LEAVING = """
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from statusproof.logcheck.fastpool import start_pool

class Mark:
    def __del__(self, write=open, path=sys.argv[1]):  # builtins may be gone by then
        write(path, "w").close()

def task():
    global kept
    kept = Mark()  # deleted, and the file written, by the interpreter's teardown
    return 1

if __name__ == "__main__":
    warmed = sys.argv[2] == "warm"
    pool = start_pool(1) if warmed else ProcessPoolExecutor(1, mp_context=get_context("spawn"))
    assert pool.submit(task).result() == 1
    processes = list(pool._processes.values())
    pool.shutdown()
    print(*[p.exitcode for p in processes])
"""


@pytest.mark.slow
def test_a_warmed_worker_leaves_without_the_interpreters_teardown(tmp_path: Path) -> None:
    """A worker of --jobs leaves at once when its pool is shut down (its results all sent),
    with exit code 0, skipping the interpreter's teardown (polars' and numpy's, which the
    coordinator would wait for): an object a task left behind is never deleted. A worker of
    a plain pool, the control, deletes it."""
    script = tmp_path / "leaving.py"
    script.write_text(_LEAVING)
    for way, deleted in (("warm", False), ("plain", True)):
        mark = tmp_path / f"deleted-{way}"
        done = subprocess.run([sys.executable, str(script), str(mark), way],
                              capture_output=True, text=True, timeout=120, check=True)
        assert (done.stdout.split(), mark.exists()) == (["0"], deleted), done.stderr


@pytest.mark.slow
def test_cli_jobs_with_the_table_of_the_configuration(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers, started before the table is loaded, load the table the configuration
    names (with its options), and the report is the one of a single process."""
    monkeypatch.chdir(tmp_path)
    parcel = load_model(LOGS / "parcel.txt")
    _write(tmp_path, parcel, NameMap(parcel), "csv", SynthSettings(400, faults=80, seed=3))
    (tmp_path / "statusproof.toml").write_text(
        f'[[tables]]\npath = "{(LOGS / "parcel.txt").as_posix()}"\n', encoding="utf-8")
    one = run_cli(["logs", "-r", "records.csv", "--format", "json"])
    two = run_cli(["logs", "-r", "records.csv", "--format", "json", "--jobs", "2",
                   "--partitions", "5"])
    assert one[0] == 1 and one == two
    assert json.loads(one[1])["table"].endswith("parcel.txt")


@pytest.mark.parametrize("block", [200, 1 << 20])
def test_jsonl_lines_read_as_one_array_mean_what_each_line_means_alone(
        tmp_path: Path, rescue: Model, block: int) -> None:
    """The fast JSON Lines reader parses a block's lines as the items of one array: lines
    that would run into each other there (an object continued on the next line, two objects
    on one line), keys given twice, fields of other types, a missing or empty status, a
    cause left empty, a CR line end, a blank line: the exact reader's report each time."""
    names = default_map(rescue)
    source = _write(tmp_path, rescue, names, "jsonl", SynthSettings(60, seed=5))
    lines = source.read_text().splitlines()
    # three lines that, as items of one array, are three objects: the first two one object,
    # the third two (so the guard against two objects on a line is what tells them apart)
    lines[20:20] = [
        '{"session": "x1", "time": "2024-05-01T10:00:00Z", "status": "Connecting", "n": [{}',
        '{}]}',
        '{"session": "x2", "time": "2024-05-01T10:00:01Z", "status": "Connecting"},'
        '{"session": "x3", "time": "2024-05-01T10:00:02Z", "status": "Connecting"}']
    three = tmp_path / "three.jsonl"
    three.write_text("\n".join(lines) + "\n")
    exact = _report(rescue, names, [three], "jsonl", path="exact")
    where = {m["where"].rsplit(":", 1)[1] for m in json.loads(exact)["malformed"]}
    assert {"21", "22", "23"} <= where
    assert _report(rescue, names, [three], "jsonl", path="fast", block_size=block) == exact
    odd = [
        '{"session": "x4", "time": "2024-05-01T10:00:03Z", "status": "Waiting",',
        '"session": "x5"}',
        '{"session": "x6", "session": "x7", "time": "2024-05-01T10:00:04Z", '
        '"status": "Connecting"}',
        '{"session": 8, "time": "2024-05-01T10:00:05Z", "status": "Connecting"}',
        '{"session": "x9", "time": "2024-05-01T10:00:06Z", "status": ""}',
        '{"session": "x10", "time": "2024-05-01T10:00:07Z", "status": "Connecting", '
        '"cause": ""}\r',
        '{"session": "x11", "time": 1714557608, "status": "Connecting"}',
        '', '[{"session": "x12", "time": "2024-05-01T10:00:09Z", "status": "Connecting"}]',
    ]
    for at, line in enumerate(odd):
        lines.insert(10 + 7 * at, line)
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n")
    exact = _report(rescue, names, [path], "jsonl", path="exact")
    assert len(json.loads(exact)["malformed"]) >= 5
    assert _report(rescue, names, [path], "jsonl", path="fast", block_size=block) == exact


_SHAPED = "2024-05-01T10:00:00Z"


@st.composite
def _stamps(draw: st.DrawFn) -> str:
    """Times near the common shape: a few characters of ``2024-05-01T10:00:00Z`` (or of a
    time at an edge: the year 1, a leap second, the end of a month) replaced, removed or
    added, from digits, the shape's own signs, white space of every kind, signs and letters."""
    text = list(draw(st.sampled_from([_SHAPED, "0001-01-01T00:00:00Z", "2024-06-30T23:59:60Z",
                                      "2023-02-28T23:59:59Z", "9999-12-31T23:59:59Z"])))
    alphabet = st.sampled_from([*"0123456789 +-:TZtz\t.", "\u00a0", "\u3000", "\u0663"])
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.sampled_from(["replace", "remove", "add"]))
        if kind == "add" or at == len(text):
            text.insert(at, draw(alphabet))
        elif kind == "remove":
            del text[at]
        else:
            text[at] = draw(alphabet)
    return "".join(text)


@given(stamps=st.lists(_stamps(), min_size=1, max_size=30))
@settings(max_examples=300, deadline=None)
def test_times_in_bulk_mean_what_parse_time_makes_of_them(stamps: list[str]) -> None:
    """A time read in bulk is the one parse_time reads, and a time parse_time refuses is
    refused: polars' own parser, lenient with spaces and signs in numbers, leap seconds and
    the year 0 (which made "2024-05-01T10:00: 0Z" a good time on the fast path only), gets
    only the texts of the strict common shape."""
    from statusproof.logcheck.batches import with_times
    from statusproof.logcheck.records import parse_time

    frame = pl.DataFrame({"line": list(range(1, len(stamps) + 1))})
    problems: list[object] = []
    out = with_times(frame, pl.Series(stamps, dtype=pl.String), "t", problems.append, "time")
    expected: dict[int, float] = {}
    for line, stamp in enumerate(stamps, 1):
        with contextlib.suppress(ValueError):
            expected[line] = parse_time(stamp)
    assert dict(zip(out["line"].to_list(), out["time"].to_list(), strict=True)) == expected
    assert len(problems) == len(stamps) - len(expected)


def test_a_bad_time_in_parquet_is_told_alike_on_both_paths(tmp_path: Path,
                                                           rescue: Model) -> None:
    """A Parquet string that is not a time: the exact reader's message lacked the hint that
    every other reader (and the fast path's time parser) gives, so the reports differed."""
    names = default_map(rescue)
    path = tmp_path / "times.parquet"
    pl.DataFrame({"session": ["S1", "S1", "S2"],
                  "time": ["2024-05-01T10:00:00Z", "2024-05-01T10:50:4 Z", "yesterday"],
                  "status": ["Connecting", "Waiting", "Connecting"]}).write_parquet(path)
    exact = _report(rescue, names, [path], "parquet", path="exact")
    assert [m["message"] for m in json.loads(exact)["malformed"]] == [
        "'time' is '2024-05-01T10:50:4 Z', not a timestamp; write ISO 8601 "
        "(2024-05-01T10:00:00Z) or epoch seconds",
        "'time' is 'yesterday', not a timestamp; write ISO 8601 (2024-05-01T10:00:00Z) or epoch "
        "seconds"]
    assert _report(rescue, names, [path], "parquet", path="fast") == exact
