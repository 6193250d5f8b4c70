"""The JSON Schemas shipped in ``statusproof/schemas/``, checked against real outputs of every
command that writes JSON (check, several tables, model, explain, conform, logs)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import TABLES, run_cli
from jsonschema import Draft202012Validator

from statusproof.schemas import SCHEMAS, schema

ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "tests" / "fixtures" / "logs"
REFERENCE = ROOT / "examples" / "rescue_reference.py"


def errors(document: Any) -> list[str]:
    """What the schema named by the document's own ``schema`` says is wrong with it."""
    definition = schema(document["schema"])
    Draft202012Validator.check_schema(definition)
    validator = Draft202012Validator(definition,
                                     format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document)]


def test_every_schema_id_the_code_writes_has_a_schema() -> None:
    from statusproof.checks.report import CHECK_SCHEMA
    from statusproof.cli.check import CHECK_TABLES_SCHEMA
    from statusproof.conformance.report import RUN_SCHEMA
    from statusproof.logcheck.report import LOGS_SCHEMA
    from statusproof.model.reading import EXPLAIN_SCHEMA
    from statusproof.model.serialize import MODEL_SCHEMA
    written = {CHECK_SCHEMA, CHECK_TABLES_SCHEMA, RUN_SCHEMA, LOGS_SCHEMA, EXPLAIN_SCHEMA,
               MODEL_SCHEMA}
    assert written == set(SCHEMAS)
    for schema_id in SCHEMAS:
        assert schema(schema_id)["$id"] == schema_id
    with pytest.raises(KeyError, match="no schema 'statusproof/nope/1'"):
        schema("statusproof/nope/1")


@pytest.mark.parametrize("args", [
    ["check", "--format", "json"],
    ["check", "--raw", "--format", "json"],
    ["check", str(TABLES / "ticket-lifecycle.txt"), "--format", "json"],
    ["check", str(TABLES / "ticket-lifecycle.txt"), str(TABLES / "ticket-trap.txt"),
     "--format", "json", "--no-formal"],
    ["model", "--format", "json"],
    ["model", str(TABLES / "ticket-lifecycle.txt"), "--format", "json"],
    ["explain", "--format", "json"],
])
def test_table_outputs_follow_their_schema(args: list[str]) -> None:
    code, out, err = run_cli(args)
    assert code in (0, 1), err
    document = json.loads(out)
    assert document["schema"] in SCHEMAS
    assert errors(document) == []


def test_the_schemas_are_not_vacuous() -> None:
    _, out, _ = run_cli(["check", "--raw", "--format", "json"])
    document = json.loads(out)
    document["findings"][0]["severity"] = "fatal"
    del document["summary"]["transitions"]
    found = errors(document)
    assert any("'fatal' is not one of" in e for e in found)
    assert any("'transitions' is a required property" in e for e in found)
    _, out, _ = run_cli(["check", str(TABLES / "ticket-lifecycle.txt"),
                         str(TABLES / "ticket-trap.txt"), "--format", "json", "--no-formal"])
    several = json.loads(out)
    several["tables"][1]["findings"][0]["location"] = {"file": "x"}
    assert any("'line' is a required property" in e for e in errors(several))


def test_conform_results_follow_their_schema(tmp_path: Path) -> None:
    report = tmp_path / "conform.json"
    code, _, err = run_cli(["conform", "--adapter", f"python:{REFERENCE}:RescueSession",
                            "--coverage", "statuses", "--format", "json", "-o", str(report)])
    assert code == 0, err
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["schema"] == "statusproof/conform/1" and document["passed"] is True
    assert errors(document) == []


@pytest.mark.parametrize("name, record_format", [
    ("rescue-events.jsonl", "jsonl"), ("rescue-polls.txt", "rescue-getsession")])
def test_logs_results_follow_their_schema(tmp_path: Path, name: str,
                                          record_format: str) -> None:
    shutil.copy(LOGS / name, tmp_path / name)
    code, out, err = run_cli(["logs", "-r", str(tmp_path / name), "--record-format",
                              record_format, "--format", "json"])
    assert code == 1, err
    document = json.loads(out)
    assert document["violations"]
    assert errors(document) == []
