"""Fitting the toolchain: configuration applied by the commands, standard input, several
tables, SARIF validated against the official 2.1.0 schema (formats checked too)."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import TABLES, run_cli
from jsonschema import Draft7Validator

from statusproof.checks.findings import CATALOGUE

ROOT = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((ROOT / "tests" / "fixtures" / "sarif" /
                           "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
LOGS = ROOT / "tests" / "fixtures" / "logs"


def sarif_errors(document: Any) -> list[str]:
    """What the official SARIF 2.1.0 schema says is wrong with ``document`` (formats such as
    ``uri`` and ``uri-reference`` checked too). The stored schema keeps the log's own shape
    under ``definitions.Root``."""
    validator = Draft7Validator({"$ref": "#/definitions/Root",
                                 "definitions": SARIF_SCHEMA["definitions"]},
                                format_checker=Draft7Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_the_schema_check_is_not_vacuous() -> None:
    assert sarif_errors({"version": "2.1.0", "runs": []}) == []
    assert sarif_errors({"version": "2.1.0"})  # runs is required
    bad_uri = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [
        {"message": {"text": "m"}, "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": "<stdin>"}}}]}]}]}
    assert any("uri-reference" in e for e in sarif_errors(bad_uri))


def stdin_of(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A documentation repository with two tables and no configuration yet."""
    (tmp_path / ".git").mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    shutil.copy(TABLES / "ticket-lifecycle.txt", docs / "tickets.txt")
    shutil.copy(TABLES / "ticket-trap.txt", docs / "trap.txt")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# -- SARIF -------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["check", "--format", "sarif"],
    ["check", "--raw", "--format", "sarif"],
    ["check", "--format", "sarif", "--ignore", "column-mismatch",
     "--property", "never Waiting after Timed out"],
])
def test_check_sarif_is_valid_and_complete(args: list[str]) -> None:
    code, out, err = run_cli(args)
    assert err == "" and code in (0, 1)
    log = json.loads(out)
    assert sarif_errors(log) == []
    (run,) = log["runs"]
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == sorted(CATALOGUE)
    _, listed, _ = run_cli([*args[:-1], "json"] if args[-1] == "sarif" else
                           [a if a != "sarif" else "json" for a in args])
    data = json.loads(listed)
    kept = [r for r in run["results"] if "suppressions" not in r]
    assert len(kept) == len(data["findings"])  # every severity, info included
    assert sum(1 for r in run["results"] if "suppressions" in r) == sum(
        data["summary"]["ignored"].values())
    assert run["invocations"][0]["exitCode"] == code
    with_lines = [r for r in kept if "locations" in r]
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] >= 1
               for r in with_lines)
    fingerprints = [r["partialFingerprints"]["statusproofFinding/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_of_the_bundled_table_points_at_its_lines() -> None:
    _, out, _ = run_cli(["check", "--format", "sarif"])
    run = json.loads(out)["runs"][0]
    no_way_back = next(r for r in run["results"] if r["ruleId"] == "no-way-back")
    location = no_way_back["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "rescue-session-statuses.txt",
                                            "uriBaseId": "STATUSPROOF_BUNDLED"}
    assert location["region"]["startLine"] == 106
    steps = no_way_back["codeFlows"][0]["threadFlows"][0]["locations"]
    assert steps[0]["location"]["message"]["text"] == "Invitation"
    assert no_way_back["level"] == "warning"


def test_sarif_fingerprints_survive_moved_lines(tmp_path: Path) -> None:
    table = (TABLES / "ticket-lifecycle.txt").read_text(encoding="utf-8")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "t.txt").write_text(table)
    (tmp_path / "b" / "t.txt").write_text("\n\n\n" + table)

    def prints(path: Path) -> list[tuple[str, str, int]]:
        _, out, _ = run_cli(["check", str(path), "--format", "sarif", "--no-formal"])
        results = json.loads(out)["runs"][0]["results"]
        return [(r["ruleId"], r["partialFingerprints"]["statusproofFinding/v1"],
                 r.get("locations", [{}])[0].get("physicalLocation", {}).get(
                     "region", {}).get("startLine", 0)) for r in results]

    before, after = prints(tmp_path / "a" / "t.txt"), prints(tmp_path / "b" / "t.txt")
    assert [(c, f) for c, f, _ in before] == [(c, f) for c, f, _ in after]
    assert [line + 3 for _, _, line in before if line] == [line for _, _, line in after if line]


def test_logs_sarif_is_valid_and_points_at_records(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copy(LOGS / "rescue-events.jsonl", tmp_path / "events.jsonl")
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["logs", "-r", "events.jsonl", "--format", "sarif"])
    assert (code, err) == (1, "")
    log = json.loads(out)
    assert sarif_errors(log) == []
    results = log["runs"][0]["results"]
    _, report, _ = run_cli(["logs", "-r", "events.jsonl", "--format", "json"])
    violations = json.loads(report)["violations"]
    assert [(r["ruleId"], r["properties"]["where"]) for r in results] == [
        (v["kind"], v["where"]) for v in violations]
    first = results[0]["locations"][0]["physicalLocation"]
    assert first["artifactLocation"]["uri"] == "events.jsonl"
    assert f"events.jsonl:{first['region']['startLine']}" == violations[0]["where"]


# -- several tables, standard input -------------------------------------------------------------

def test_several_tables_exit_with_the_worst(project: Path) -> None:
    code, out, err = run_cli(["check", "docs/tickets.txt", "docs/trap.txt", "-q"])
    assert (code, err) == (1, "")
    assert out.count("statusproof check: ") == 2
    assert out.endswith("2 tables: 2 with errors, 0 could not be read\n")
    code, out, err = run_cli(["check", "docs/tickets.txt", "docs/missing.txt", "-q"])
    assert code == 2
    assert "statusproof: docs/missing.txt: no such file; check the path" in err
    assert out.endswith("2 tables: 1 with errors, 1 could not be read\n")


def test_several_tables_in_json_and_sarif(project: Path) -> None:
    _, out, _ = run_cli(["check", "docs/tickets.txt", "docs/trap.txt", "--format", "json"])
    data = json.loads(out)
    assert data["schema"] == "statusproof/check-tables/1"
    assert [t["table"] for t in data["tables"]] == ["docs/tickets.txt", "docs/trap.txt"]
    assert all(t["schema"] == "statusproof/check/1" for t in data["tables"])
    _, out, _ = run_cli(["check", "docs/tickets.txt", "docs/trap.txt", "--format", "sarif"])
    log = json.loads(out)
    assert sarif_errors(log) == [] and len(log["runs"]) == 1
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"] if "locations" in r}
    assert uris == {"docs/tickets.txt", "docs/trap.txt"}


def test_a_table_from_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (TABLES / "ticket-lifecycle.txt").read_bytes()
    stdin_of(monkeypatch, data)
    code, out, err = run_cli(["check", "-", "--format", "json"])
    assert (code, err) == (1, "")
    from_stdin = json.loads(out)
    assert from_stdin["table"] == "<stdin>"
    assert {f["location"]["file"] for f in from_stdin["findings"] if f["location"]} == {
        "<stdin>"}
    _, out, _ = run_cli(["check", str(TABLES / "ticket-lifecycle.txt"), "--format", "json"])
    from_file = json.loads(out)
    assert [f["message"] for f in from_stdin["findings"]] == [
        f["message"] for f in from_file["findings"]]
    stdin_of(monkeypatch, data)
    code, out, _ = run_cli(["model", "-"])
    assert code == 0 and out.startswith("model of <stdin> (reconcile=union)")


@pytest.mark.parametrize(("data", "message"), [
    (b"", "statusproof: <stdin>:1: standard input is empty; pipe a status table into it, or "
          "name a file\n"),
    (b"A|B\x00", "statusproof: <stdin>:1: standard input is binary (it holds NUL bytes), not a "
                 "text table\n"),
])
def test_bad_standard_input_says_so(monkeypatch: pytest.MonkeyPatch, data: bytes,
                                    message: str) -> None:
    stdin_of(monkeypatch, data)
    assert run_cli(["check", "-"]) == (2, "", message)


def test_standard_input_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run_cli(["check", "-", "-"])
    assert code == 2 and "standard input ('-') can be read once" in err


def test_records_from_standard_input(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    stdin_of(monkeypatch, (LOGS / "rescue-events.jsonl").read_bytes())
    code, out, err = run_cli(["logs", "-r", "-", "--record-format", "jsonl", "--format", "json"])
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["files"] == ["<stdin>"]
    assert data["violations"][0]["where"].startswith("<stdin>:")
    shutil.copy(LOGS / "rescue-events.jsonl", tmp_path / "events.jsonl")
    _, by_file, _ = run_cli(["logs", "-r", "events.jsonl", "--format", "json"])
    assert [v["message"].replace("events.jsonl", "<stdin>")
            for v in json.loads(by_file)["violations"]] == [
        v["message"] for v in data["violations"]]
    code, _, err = run_cli(["logs", "-r", "-"])
    assert code == 2 and "give --record-format" in err


# -- configuration ------------------------------------------------------------------------------

def test_check_with_no_table_checks_the_tables_of_the_configuration(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.statusproof]\nignore = ["reachable-status"]\n'
        '[[tool.statusproof.tables]]\npath = "docs/tickets.txt"\nignore = ["undefined-status"]\n'
        '[[tool.statusproof.tables]]\npath = "docs/trap.txt"\n', encoding="utf-8")
    code, out, err = run_cli(["check", "--format", "json"])
    assert (code, err) == (1, "")
    tickets, trap = json.loads(out)["tables"]
    assert tickets["table"] == "docs/tickets.txt" and trap["table"] == "docs/trap.txt"
    assert tickets["summary"]["ignored"] == {"reachable-status": 9, "undefined-status": 1}
    assert "undefined-status" not in {f["code"] for f in tickets["findings"]}
    assert set(trap["summary"]["ignored"]) == {"reachable-status"}
    # from a subfolder, the configuration of the checkout still applies; paths follow
    monkeypatch.chdir(project / "docs")
    code, out, _ = run_cli(["check", "-q"])
    assert "statusproof check: tickets.txt" in out and "statusproof check: trap.txt" in out


def test_the_command_line_wins_over_the_configuration(project: Path) -> None:
    (project / "statusproof.toml").write_text(
        'severity = "error"\nreconcile = "next"\n[[tables]]\npath = "docs/tickets.txt"\n'
        'raw = true\n', encoding="utf-8")
    _, out, _ = run_cli(["check"])
    assert "reconcile=next" in out and "table alone" in out
    assert "Table hygiene" not in out  # severity error from the configuration
    _, out, _ = run_cli(["check", "--severity", "warning", "--reconcile", "union"])
    assert "reconcile=union" in out and "Table hygiene (1)" in out
    _, out, _ = run_cli(["check", "--no-config"])
    assert "<bundled>/rescue-session-statuses.txt" in out
    _, out, _ = run_cli(["model"])  # one table configured: the single-table commands use it
    assert out.startswith("model of docs/tickets.txt (reconcile=next)")


def test_a_single_table_command_asks_which_of_several(project: Path) -> None:
    (project / "statusproof.toml").write_text(
        '[[tables]]\npath = "docs/tickets.txt"\n[[tables]]\npath = "docs/trap.txt"\n',
        encoding="utf-8")
    code, out, err = run_cli(["model"])
    assert (code, out) == (2, "")
    assert err == ("statusproof: statusproof.toml: the configuration lists 2 tables "
                   "(docs/tickets.txt, docs/trap.txt); name the one to use as TABLE\n").replace(
        "statusproof.toml:", f"{project / 'statusproof.toml'}:")
    assert run_cli(["model", "docs/trap.txt"])[0] == 0


def test_config_file_option_and_errors(project: Path) -> None:
    (project / "elsewhere.toml").write_text('severity = "loud"\n', encoding="utf-8")
    code, out, err = run_cli(["check", "--config", "elsewhere.toml"])
    assert (code, out) == (2, "")
    assert err == ("statusproof: elsewhere.toml:1: severity = 'loud' is not one of error, "
                   "warning, info\n")
    code, _, err = run_cli(["check", "--config", "elsewhere.toml", "--no-config"])
    assert code == 2 and "--config and --no-config contradict each other" in err
    code, _, err = run_cli(["check", "--config", "absent.toml"])
    assert code == 2 and "absent.toml: no such configuration file" in err


def test_configured_amendments_and_time_limits(project: Path) -> None:
    shutil.copy(TABLES / "ticket-lifecycle.review.toml", project / "docs" / "review.toml")
    (project / "statusproof.toml").write_text(
        'solver-timeout = 7\nformal-budget = 30\nmax-witness = 1\n'
        '[[tables]]\npath = "docs/tickets.txt"\namendments = "docs/review.toml"\n',
        encoding="utf-8")
    _, out, _ = run_cli(["check", "--format", "json"])
    data = json.loads(out)
    assert data["witnesses"]["max"] == 1
    assert any(f["code"] == "amendment" for f in data["findings"])
    _, out, _ = run_cli(["check", "--format", "json", "--max-witness", "5"])
    assert json.loads(out)["witnesses"]["max"] == 5


def test_ignore_on_the_command_line_is_checked() -> None:
    code, _, err = run_cli(["check", "--ignore", "column-mismatc"])
    assert code == 2
    assert "'column-mismatc' is not a finding code; did you mean 'column-mismatch'?" in err


def test_property_findings_have_no_dash_location() -> None:
    code, out, _ = run_cli(["check", "--severity", "info", "--no-formal", "--property",
                            "Waiting reachable"])
    assert code == 0
    assert "    -:" not in out
    assert "    property holds: Waiting reachable" in out or "Waiting reachable" in out


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_shell_completion_knows_every_command_and_option(shell: str) -> None:
    code, out, err = run_cli(["--print-completion", shell])
    assert (code, err) == (0, "")
    for word in ("check", "logs-synth", "explain", "--severity", "--records", "--print-completion"):
        assert word in out
    code, out, _ = run_cli(["--help"])
    assert code == 0 and "--print-completion bash" in out
