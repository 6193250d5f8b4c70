"""The fast path against the exact one on records with odd fields, in the three formats.

The other differential tests draw records from the generator, whose fields are well formed;
these draw the fields the readers must agree on one by one: white space of every kind around
ids, statuses and causes (which the CSV readers strip and the others keep), names in other
cases, times near the common shape (spaces, signs, tabs, other digits, a missing zone, a
space for the ``T``, epoch seconds) and records out of order; and timed steps around the
values of timer settings (command line, a side file's groups and sessions). The odd-fields
test failed on two of the bugs fixed with it (Unicode white space in CSV, polars' lenient
time parser); the settings test fails when the fast path does not hand the sessions with
settings of their own to the exact checker.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.logcheck.namemap import default_map
from statusproof.logcheck.records import default_fields
from statusproof.logcheck.report import report_json
from statusproof.logcheck.run import RunOptions, check_files
from statusproof.model import load_model

_MODEL = load_model()
_NAMES = default_map(_MODEL)
_SPACES = ["", " ", "\t", "\u00a0", "\u3000", "\u2003"]
_FLOW = ["Connecting", "Waiting", "Active", "Closed by waiting customer"]
_ODD = ["ACTIVE", "active ", " Waiting", "Activ", "On Hold", "Timed out", "Rebooting",
        "Closed (by active customer)"]


@st.composite
def _time(draw: st.DrawFn, at: int) -> str:
    text = f"2024-05-01T{10 + at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}Z"
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return str(1714557600 + at)
    if kind == 1:
        return text.replace("T", " ")
    if kind == 2:
        return text[:-1]
    if kind == 3:
        where = draw(st.integers(0, len(text) - 1))
        odd = draw(st.sampled_from([" ", "+", "-", "\t", "0", "x", "\u00a0", "\u0663"]))
        return text[:where] + odd + text[where + 1:]
    return text


@st.composite
def _records(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    rows = []
    for sid in range(draw(st.integers(1, 12))):
        at = draw(st.integers(0, 3000))
        for k in range(draw(st.integers(1, 5))):
            at += draw(st.integers(0, 400))
            session = f"S{sid}"
            if draw(st.integers(0, 9)) == 0:
                session = draw(st.sampled_from(_SPACES)) + session + draw(
                    st.sampled_from(_SPACES))
            status = _FLOW[min(k, 3)] if draw(st.integers(0, 3)) else draw(
                st.sampled_from(_ODD))
            if draw(st.integers(0, 19)) == 0:
                status = draw(st.sampled_from(_SPACES)) + status
            cause = draw(st.sampled_from(["", "", "customer", "technician", " customer",
                                          "\u00a0technician"]))
            rows.append((session, draw(_time(at)), status, cause))
    if draw(st.booleans()):
        rows = draw(st.permutations(rows))
    return rows


def _report(file: Path, fmt: str, **options: object) -> str:
    result = check_files(_MODEL, _NAMES, [str(file)], RunOptions(
        fmt, default_fields(fmt), **options))  # type: ignore[arg-type]
    return report_json(result, [str(file)], fmt)


@given(rows=_records(), block=st.sampled_from([200, 1000, 1 << 20]))
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fast_path_reads_odd_fields_as_the_exact_path(tmp_path: Path,
                                                      rows: list[tuple[str, str, str, str]],
                                                      block: int) -> None:
    csv_path = tmp_path / "r.csv"
    csv_path.write_text("session,time,status,cause\n" + "".join(
        ",".join(row) + "\n" for row in rows), encoding="utf-8")
    jsonl_path = tmp_path / "r.jsonl"
    jsonl_path.write_text("".join(json.dumps(
        {"session": s, "time": t, "status": x, **({"cause": c} if c else {})},
        ensure_ascii=False) + "\n" for s, t, x, c in rows), encoding="utf-8")
    parquet_path = tmp_path / "r.parquet"
    pl.DataFrame({"session": [r[0] for r in rows], "time": [r[1] for r in rows],
                  "status": [r[2] for r in rows], "cause": [r[3] or None for r in rows]},
                 schema={"session": pl.String, "time": pl.String, "status": pl.String,
                         "cause": pl.String}).write_parquet(parquet_path)
    for path, fmt in ((csv_path, "csv"), (jsonl_path, "jsonl"), (parquet_path, "parquet")):
        assert (_report(path, fmt, path="fast", block_size=block)
                == _report(path, fmt, path="exact")), fmt


_SETTINGS = """[settings]
waiting = "10m"
[group."T1"]
waiting = 300
"active session idle" = 0
[session."S3"]
waiting = "15m"
"""


@st.composite
def _timed(draw: st.DrawFn) -> list[tuple[str, str, str, str]]:
    """Sessions whose timed steps fall just before, at and after the settings' values, some
    in a group with values of its own, one with values of its own."""
    rows = []
    for sid in range(draw(st.integers(1, 10))):
        at = draw(st.integers(0, 3000))
        group = draw(st.sampled_from(["", "T1", "T2"]))
        path = draw(st.sampled_from([
            ["Connecting", "Waiting", "Timed out"],
            ["Connecting", "Waiting", "Active", "Timed out"],
            ["Connecting", "Waiting", "Closed by waiting customer"]]))
        for k, status in enumerate(path):
            at += draw(st.sampled_from([5, 60, 299, 300, 301, 599, 600, 601, 899, 900, 901,
                                        4000]))
            text = f"2024-05-01T{10 + at // 3600:02d}:{at // 60 % 60:02d}:{at % 60:02d}Z"
            rows.append((f"S{sid}", text, status, group if k == 0 else ""))
    return rows


@given(rows=_timed(), options=st.sampled_from([[], ["waiting=10m"],
                                              ["waiting=5m", "active session idle=0"]]),
       side=st.booleans(), slack=st.sampled_from([0.0, 20.0]),
       block=st.sampled_from([300, 1 << 20]))
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_fast_path_times_with_settings_as_the_exact_path(
        tmp_path: Path, rows: list[tuple[str, str, str, str]], options: list[str],
        side: bool, slack: float, block: int) -> None:
    """Timer settings from the command line, a side file's groups and sessions (whose
    sessions the fast path hands to the exact checker), and slack: one report on both paths,
    too-early and too-late steps included."""
    from statusproof.logcheck.result import CheckSettings
    from statusproof.logcheck.timersettings import load_settings

    side_file = tmp_path / "settings.toml"
    side_file.write_text(_SETTINGS, encoding="utf-8")
    timers = load_settings(_MODEL, options, str(side_file) if side else None)
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("session,time,status,group\n" + "".join(
        ",".join(row) + "\n" for row in rows), encoding="utf-8")
    jsonl_path = tmp_path / "t.jsonl"
    jsonl_path.write_text("".join(json.dumps(
        {"session": s, "time": t, "status": x, **({"group": g} if g else {})}) + "\n"
        for s, t, x, g in rows), encoding="utf-8")
    for path, fmt in ((csv_path, "csv"), (jsonl_path, "jsonl")):
        fields = default_fields(fmt, group="group")
        reports = [report_json(check_files(_MODEL, _NAMES, [str(path)], RunOptions(
            fmt, fields, CheckSettings(slack=slack), timers=timers, path=way,
            block_size=block)), [str(path)], fmt) for way in ("fast", "exact")]
        assert reports[0] == reports[1], fmt
