"""SARIF 2.1.0 logs of findings, for code scanning and other SARIF viewers.

This module owns the mapping from statusproof's findings to the Static Analysis Results
Interchange Format (OASIS SARIF 2.1.0): one *rule* per finding code of the catalogue (its
title, meaning and fix as help text), one *result* per finding, located at the table line
(and column where known) it cites, with a fingerprint that stays the same when lines move,
and the witness run as a *code flow* a viewer can step through. It builds JSON-ready data
only; writing it is the command's job.

Paths: a table given as a relative path is reported as given (relative to the directory the
command ran in, which is what code scanning expects of a repository checkout); an absolute
path inside the current directory is made relative; the bundled table is reported relative to
the base ``STATUSPROOF_BUNDLED``.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from statusproof import __version__
from statusproof.checks.findings import CATALOGUE, CONSEQUENCE, Finding, Severity
from statusproof.model import BUNDLED_PREFIX
from statusproof.model.table import SourceSpan

__all__ = ["SARIF_VERSION", "SARIF_SCHEMA_URI", "LEVELS", "sarif_log", "check_run", "rules",
           "fingerprint", "artifact_uri"]

SARIF_VERSION = "2.1.0"
#: The schema of SARIF 2.1.0 as OASIS publishes it (errata 01, the current text).
SARIF_SCHEMA_URI = ("https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
                    "sarif-schema-2.1.0.json")
#: Severity -> SARIF result level.
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
BUNDLED_BASE = "STATUSPROOF_BUNDLED"
_FINGERPRINT_KEY = "statusproofFinding/v1"


def _rule_name(code: str) -> str:
    """``no-way-back`` -> ``NoWayBack`` (SARIF's ``name`` is an identifier-like word)."""
    return "".join(part.capitalize() for part in code.split("-"))


def _group(code: str, severity: Severity) -> str:
    if severity is Severity.ERROR:
        return "error"
    if severity is Severity.INFO:
        return "info"
    position = CONSEQUENCE.index(code) if code in CONSEQUENCE else len(CONSEQUENCE)
    return "behaviour" if position < CONSEQUENCE.index("undefined-status") else "hygiene"


def rules(codes: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """One ``reportingDescriptor`` per finding code (all of the catalogue by default)."""
    chosen = sorted(CATALOGUE) if codes is None else sorted(set(codes))
    out = []
    for code in chosen:
        info = CATALOGUE[code]
        out.append({
            "id": code,
            "name": _rule_name(code),
            "shortDescription": {"text": info.title},
            "fullDescription": {"text": info.meaning},
            "help": {
                "text": f"{info.meaning} Fix: {info.fix}",
                "markdown": f"{info.meaning}\n\n**Fix:** {info.fix}\n\n"
                            f"See the statusproof finding catalogue (docs/findings.md#{code}).",
            },
            "defaultConfiguration": {"level": LEVELS[info.severity]},
            "properties": {"tags": ["statusproof", _group(code, info.severity)]},
        })
    return out


def artifact_uri(path: str, cwd: str | None = None) -> tuple[str, str | None]:
    """The artifact URI of a file as findings name it, and its base id (or None).

    >>> artifact_uri("<bundled>/rescue-session-statuses.txt")
    ('rescue-session-statuses.txt', 'STATUSPROOF_BUNDLED')
    >>> artifact_uri("docs/tables/orders.md")
    ('docs/tables/orders.md', None)
    """
    if path.startswith(BUNDLED_PREFIX):
        return path[len(BUNDLED_PREFIX):], BUNDLED_BASE
    candidate = Path(path)
    if candidate.is_absolute():
        base = Path(cwd if cwd is not None else os.getcwd())
        try:
            candidate = candidate.relative_to(base)
        except ValueError:
            return candidate.as_uri(), None
    return PurePosixPath(*candidate.parts).as_posix(), None


def _location(span: SourceSpan, column: int | None = None,
              message: str | None = None) -> dict[str, Any]:
    uri, base = artifact_uri(span.path)
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    region: dict[str, Any] = {"startLine": span.line}
    if span.end_line > span.line:
        region["endLine"] = span.end_line
    if column is not None:
        region["startColumn"] = column
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact,
                                                     "region": region}}
    if message is not None:
        location["message"] = {"text": message}
    return location


def fingerprint(f: Finding, occurrence: int) -> str:
    """A fingerprint that does not depend on line numbers, so a finding keeps it when the
    table's lines move: the code, the file's name, the statuses and which occurrence of that
    (code, statuses) pair this is."""
    name = PurePosixPath(f.span.path).name if f.span is not None else ""
    key = "\x1f".join((f.code, name, *f.statuses, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]


def _result(f: Finding, rule_index: int, occurrence: int,
            status_spans: Mapping[str, SourceSpan]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "partialFingerprints": {_FINGERPRINT_KEY: fingerprint(f, occurrence)},
        "properties": {"statuses": list(f.statuses)},
    }
    if f.span is not None:
        column = f.evidence_dict().get("column")
        result["locations"] = [_location(f.span, column if isinstance(column, int) else None)]
    witness = list(f.witness)
    if len(witness) > 1:
        steps = []
        for i, status in enumerate(witness):
            text = status if i == 0 else f"{witness[i - 1]} -> {status}"
            span = status_spans.get(status)
            step: dict[str, Any] = {"location": (_location(span, message=text)
                                                 if span is not None
                                                 else {"message": {"text": text}})}
            steps.append(step)
        result["codeFlows"] = [{
            "message": {"text": "witness: " + " -> ".join(witness)},
            "threadFlows": [{"locations": steps}],
        }]
    return result


def check_run(findings: Sequence[Finding], status_spans: Mapping[str, SourceSpan],
              exit_code: int, all_rules: bool = True) -> dict[str, Any]:
    """One SARIF ``run`` of ``statusproof check`` over one or more tables' findings.

    ``status_spans`` gives each status's row (for the steps of a witness code flow).
    """
    listed = rules(None if all_rules else (f.code for f in findings))
    index = {rule["id"]: i for i, rule in enumerate(listed)}
    seen: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    results = []
    for f in findings:
        key = (f.code, f.span.path if f.span else "", f.statuses)
        results.append(_result(f, index[f.code], seen[key], status_spans))
        seen[key] += 1
    run: dict[str, Any] = {
        "tool": {"driver": {
            "name": "statusproof",
            "version": __version__,
            "semanticVersion": __version__,
            "rules": listed,
        }},
        "invocations": [{"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}],
        "columnKind": "unicodeCodePoints",
        "results": results,
    }
    if any(f.span is not None and f.span.path.startswith(BUNDLED_PREFIX) for f in findings):
        run["originalUriBaseIds"] = {BUNDLED_BASE: {
            "description": {"text": "the table bundled with statusproof (package data)"}}}
    return run


def sarif_log(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A whole SARIF log of ``runs``."""
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": list(runs)}
