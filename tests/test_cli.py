"""The command line: golden outputs on the seed, the facts the foundation issue asks for,
exit codes, options, and one real run of the installed program."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, TABLES, Golden, run_cli

from statusproof import __version__
from statusproof.cli import COMMANDS
from statusproof.model.model import POLICIES

SEED_NAME = "<bundled>/rescue-session-statuses.txt"
ROOT = Path(__file__).resolve().parent.parent


def check_json(*args: str) -> dict[str, Any]:
    code, out, err = run_cli(["check", "--format", "json", *args])
    assert err == ""
    data: dict[str, Any] = json.loads(out)
    data["exit"] = code
    return data


def findings(data: dict[str, Any], code: str) -> list[dict[str, Any]]:
    return [f for f in data["findings"] if f["code"] == code]


# -- golden outputs -------------------------------------------------------------------------

GOLDENS = [
    ("check-raw.txt", ["check", "--raw"], 1),
    ("check-raw.json", ["check", "--raw", "--format", "json"], 1),
    ("check.txt", ["check"], 0),
    ("check.json", ["check", "--format", "json"], 0),
    ("check-info.txt", ["check", "--severity", "info"], 0),
    ("check-verbose.txt", ["check", "-v"], 0),
    ("check-raw-quiet.txt", ["check", "--raw", "-q"], 1),
    ("check-errors.txt", ["check", "--raw", "--severity", "error"], 1),
    ("check-ignore.txt", ["check", "--ignore", "column-mismatch,unguarded-return"], 0),
    ("model-raw.txt", ["model", "--raw"], 0),
    ("model-raw.json", ["model", "--raw", "--format", "json"], 0),
    ("model.txt", ["model"], 0),
    ("model.json", ["model", "--format", "json"], 0),
]


@pytest.mark.parametrize(("name", "args", "exit_code"), GOLDENS, ids=[g[0] for g in GOLDENS])
def test_seed_golden(golden: Golden, name: str, args: list[str], exit_code: int) -> None:
    code, out, err = run_cli(args)
    assert (code, err) == (exit_code, "")
    golden(f"cli/{name}", out)
    assert str(ROOT) not in out  # no absolute paths: the same on every machine


TICKET_GOLDENS = [
    ("ticket-check.txt", ["check", "ticket-lifecycle.txt"], 1),
    ("ticket-check-amended.txt",
     ["check", "ticket-lifecycle.txt", "--amendments", "ticket-lifecycle.review.toml"], 1),
    ("ticket-model.txt", ["model", "ticket-lifecycle.txt"], 0),
    ("ticket-trap-check.json", ["check", "ticket-trap.txt", "--format", "json"], 1),
]


@pytest.mark.parametrize(("name", "args", "exit_code"), TICKET_GOLDENS,
                         ids=[g[0] for g in TICKET_GOLDENS])
def test_ticket_golden(golden: Golden, monkeypatch: pytest.MonkeyPatch, name: str,
                       args: list[str], exit_code: int) -> None:
    monkeypatch.chdir(TABLES)
    code, out, err = run_cli(args)
    assert (code, err) == (exit_code, "")
    golden(f"cli/{name}", out)


def test_output_is_deterministic() -> None:
    for args in (["check", "--raw", "--format", "json"], ["model", "--format", "json"]):
        assert run_cli(args) == run_cli(args)


# -- the facts the foundation issue names (statusproof check --raw on the seed) --------------

@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return check_json("--raw")


def test_raw_seed_entry_points(raw: dict[str, Any]) -> None:
    assert raw["summary"]["entry_points"] == ["Connecting", "Invitation"]
    assert [(f["statuses"], f["location"]["line"]) for f in findings(raw, "entry-point")] == [
        (["Connecting"], 73), (["Invitation"], 94)]


def test_raw_seed_undefined_statuses(raw: dict[str, Any]) -> None:
    undefined = {f["statuses"][0]: f["location"]["line"]
                 for f in findings(raw, "undefined-status")}
    assert undefined == {"Closed by technician": 12, "Aborted": 19,
                         "Removed from TC queue (after timeout)": 67,
                         "Removed from TC queue": 97}


def test_raw_seed_on_hold_previous_cell(raw: dict[str, Any]) -> None:
    """On Hold's Previous cell lists Incoming and Outgoing; their Next cells lack On Hold."""
    listed = [(f["statuses"], f["location"]["line"], f["evidence"])
              for f in findings(raw, "column-mismatch") if f["statuses"][1] == "On Hold"]
    assert listed == [
        (["Incoming", "On Hold"], 122, {"listed_in": "previous", "other_cell_line": 83}),
        (["Outgoing", "On Hold"], 123, {"listed_in": "previous", "other_cell_line": 142}),
    ]


def test_raw_seed_guarded_returns(raw: dict[str, Any]) -> None:
    returns = [(f["statuses"], f["location"]["line"], f["evidence"]["guard"]["values"])
               for f in findings(raw, "guarded-transition")
               if f["evidence"]["guard"]["kind"] == "history"]
    assert returns == [
        (["Offline", "Incoming"], 107, ["Incoming"]),
        (["Offline", "Outgoing"], 107, ["Outgoing"]),
        (["Offline", "On Hold"], 110, ["On Hold"]),
        (["Rebooting", "Incoming"], 154, ["Incoming"]),
        (["Rebooting", "Outgoing"], 154, ["Outgoing"]),
        (["Rebooting", "On Hold"], 156, ["On Hold"]),
        (["Reconnecting", "Incoming"], 175, ["Incoming"]),
        (["Reconnecting", "Outgoing"], 175, ["Outgoing"]),
        (["Reconnecting", "On Hold"], 177, ["On Hold"]),
    ]


def test_raw_seed_timed_out_conditional_exits(raw: dict[str, Any]) -> None:
    exits = [(f["statuses"], f["location"]["line"], f["message"])
             for f in findings(raw, "guarded-transition") if f["statuses"][0] == "Timed out"]
    assert exits == [
        (["Timed out", "Closed by technician"], 193,
         "Timed out -> Closed by technician only when cause of Timed out = the Admin-defined "
         "timeout exceeded ('the Admin-defined timeout exceeded')"),
        (["Timed out"], 195,
         "Timed out -> (end) only when cause of Timed out = there is a system timeout "
         "('there is a system timeout')"),
    ]
    (terminal,) = [f for f in findings(raw, "terminal-status") if f["statuses"] == ["Timed out"]]
    assert terminal["evidence"]["kind"] == "conditional"


def test_raw_seed_every_finding_names_a_seed_line(raw: dict[str, Any]) -> None:
    assert raw["exit"] == 1
    assert raw["summary"]["findings"] == {"error": 1, "warning": 30, "info": 72}
    for f in raw["findings"]:
        assert f["location"]["file"] == SEED_NAME
        assert 1 <= f["location"]["line"] <= 211


def test_raw_seed_only_error_is_the_merged_row(raw: dict[str, Any]) -> None:
    errors = [(f["code"], f["statuses"], f["location"]["line"]) for f in raw["findings"]
              if f["severity"] == "error"]
    assert errors == [("unreachable-status",
                       ["Removed from TC queue (after closed by technician)"], 35)]


def test_amended_seed_has_no_errors() -> None:
    data = check_json()
    assert data["exit"] == 0
    assert data["raw"] is False
    assert data["summary"]["findings"]["error"] == 0
    assert len(findings(data, "amendment")) == 17


# -- options and exit codes -------------------------------------------------------------------

@pytest.mark.parametrize("policy", POLICIES)
def test_reconcile_option(monkeypatch: pytest.MonkeyPatch, policy: str) -> None:
    monkeypatch.chdir(TABLES)
    data = check_json("ticket-columns.txt", "--reconcile", policy)
    assert data["policy"] == policy
    assert data["summary"]["transitions"] == {"union": 5, "next": 3, "previous": 3,
                                              "intersection": 2}[policy]
    code, out, _ = run_cli(["model", "ticket-columns.txt", "--reconcile", policy])
    assert code == 0 and f"(reconcile={policy})" in out


def test_rescue_policies_differ() -> None:
    counts = {p: check_json("--raw", "--reconcile", p)["summary"]["transitions"]
              for p in POLICIES}
    assert counts["union"] > counts["next"] > counts["intersection"]
    assert counts["union"] > counts["previous"]


def test_input_format_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(TABLES)
    # 1: Resolved's unconditioned exit overlaps its conditional one (timeout-overlap)
    assert run_cli(["check", "--input-format", "text", "ticket-lifecycle.txt"])[0] == 1
    code, _, err = run_cli(["check", "--input-format", "csv", "ticket-lifecycle.txt"])
    assert code == 2
    assert err.startswith("statusproof: ticket-lifecycle.txt:")
    assert "Traceback" not in err


@pytest.mark.parametrize(("args", "match"), [
    (["check", "--raw", "--amendments", "x.toml"],
     "statusproof: --raw checks the table alone; do not give an amendment file too\n"),
    (["check", "--reconcile", "both"], "argument --reconcile: invalid choice: 'both'"),
    (["check", "--input-format", "xml"], "argument --input-format: invalid choice: 'xml'"),
    (["check", "--format", "yaml"], "argument --format: invalid choice: 'yaml'"),
    (["model", "--format", "dot"], "argument --format: invalid choice: 'dot'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: COMMAND"),
    (["check", "no/such/table.txt"], "statusproof: no/such/table.txt: no such file; check the "
                                     "path\n"),
])
def test_usage_errors_exit_2(args: list[str], match: str) -> None:
    code, out, err = run_cli(args)
    assert code == 2
    assert out == ""
    assert match in err
    assert "Traceback" not in err


def test_amendment_error_exit_2(tmp_path: Path) -> None:
    amend = tmp_path / "a.toml"
    amend.write_text("[[add]]\nfrom = 'Nowhere'\nto = 'Open'\nsource = 's'\n")
    code, out, err = run_cli(["check", str(TABLES / "ticket-lifecycle.txt"),
                              "--amendments", str(amend)])
    assert (code, out) == (2, "")
    assert err == f"statusproof: {amend}:1: 'from' 'Nowhere' has no row\n"


def test_version_and_help() -> None:
    code, out, _ = run_cli(["--version"])
    assert (code, out) == (0, f"statusproof {__version__}\n")
    code, out, _ = run_cli(["--help"])
    assert code == 0
    for name, _, help_text in COMMANDS:
        assert name in out and help_text in out


def test_default_amendments_beside_a_table(tmp_path: Path) -> None:
    table = tmp_path / "t.txt"
    table.write_text((TABLES / "ticket-lifecycle.txt").read_text())
    (tmp_path / "t.amend.toml").write_text((TABLES / "ticket-lifecycle.review.toml").read_text())
    code, out, _ = run_cli(["check", str(table)])
    assert code == 1 and "(with amendments, reconcile=union)" in out
    code, out, _ = run_cli(["check", str(table), "--raw"])
    assert code == 1 and "(table alone, reconcile=union)" in out


# -- real processes ---------------------------------------------------------------------------

@pytest.mark.slow
def test_real_process_python_m() -> None:
    """``python -m statusproof check --raw`` as a real process, from a neutral directory."""
    result = subprocess.run([sys.executable, "-m", "statusproof", "check", "--raw"],
                            capture_output=True, text=True, cwd=Path("/"), timeout=120,
                            env={**os.environ, "PYTHONIOENCODING": "utf-8"}, check=False)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout == (GOLDEN / "cli" / "check-raw.txt").read_text(encoding="utf-8")


@pytest.mark.slow
def test_real_process_console_script(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "statusproof"
    if not script.exists():
        pytest.skip(f"no console script at {script}")
    bad = tmp_path / "junk.txt"
    bad.write_bytes(b"\x00\x01binary")
    result = subprocess.run([str(script), "check", str(bad)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (f"statusproof: {bad}:1: the file is binary (it holds NUL bytes), "
                             "not a text table\n")
    result = subprocess.run([str(script), "model", "--format", "json"], capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0
    assert result.stdout == (GOLDEN / "cli" / "model.json").read_text(encoding="utf-8")
