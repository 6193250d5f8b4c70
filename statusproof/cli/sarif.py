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
from statusproof.checks.findings import CATALOGUE, Finding, Severity
from statusproof.model import BUNDLED_PREFIX
from statusproof.model.table import SourceSpan

from .textout import code_group

__all__ = ["SARIF_VERSION", "SARIF_SCHEMA_URI", "LEVELS", "sarif_log", "check_run", "rules",
           "fingerprint", "artifact_uri", "logs_run", "VIOLATION_RULES", "TablePart"]

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
            "properties": {"tags": ["statusproof", code_group(code, info.severity)]},
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


#: One table's part of a check run: its findings, the findings ignored by the configuration
#: or ``--ignore`` (written as suppressed results), and each status's row.
TablePart = tuple[Sequence[Finding], Sequence[Finding], Mapping[str, SourceSpan]]


def check_run(tables: Sequence[TablePart], exit_code: int,
              all_rules: bool = True) -> dict[str, Any]:
    """One SARIF ``run`` of ``statusproof check`` over one or more tables' findings.

    Every table's findings are results of the one run (code scanning expects one run per
    tool and category); an ignored finding is a result with a ``suppressions`` entry, so a
    viewer hides it and still counts it.
    """
    everything = [f for findings, ignored, _ in tables for f in (*findings, *ignored)]
    listed = rules(None if all_rules else (f.code for f in everything))
    index = {rule["id"]: i for i, rule in enumerate(listed)}
    seen: Counter[tuple[str, str, tuple[str, ...]]] = Counter()
    results = []
    for findings, ignored, status_spans in tables:
        suppressed = {id(f) for f in ignored}
        for f in (*findings, *ignored):
            key = (f.code, f.span.path if f.span else "", f.statuses)
            result = _result(f, index[f.code], seen[key], status_spans)
            if id(f) in suppressed:
                result["suppressions"] = [{
                    "kind": "external", "status": "accepted",
                    "justification": "ignored by the statusproof configuration or --ignore"}]
            results.append(result)
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
    if any(f.span is not None and f.span.path.startswith(BUNDLED_PREFIX) for f in everything):
        run["originalUriBaseIds"] = {BUNDLED_BASE: {
            "description": {"text": "the table bundled with statusproof (package data)"}}}
    return run


#: The violation kinds of ``statusproof logs`` as SARIF rules: title, meaning, fix.
VIOLATION_RULES: dict[str, tuple[str, str, str]] = {
    "bad-start": ("Session does not start at an entry point",
                  "The first record of a session is not an entry point of the model (for "
                  "snapshots: no path from an entry point reaches the first row in the time "
                  "since the start).",
                  "Check the implementation's start, or pass --allow-partial when the records "
                  "begin in the middle of sessions."),
    "not-in-table": ("Change the table does not list",
                     "A recorded change from one status to another that the table does not "
                     "list at all (drift between the implementation and the documentation).",
                     "Fix the implementation, or document the change in the table."),
    "guard": ("Change whose condition does not hold",
              "A change the table lists only under a condition (the remembered status, the "
              "cause) that does not hold in this session.",
              "Fix the implementation, or the condition in the table."),
    "too-early": ("Timed change before its time",
                  "A change made by a timer happened before the timer's figure.",
                  "Check the timer settings (--setting, --settings) or the implementation."),
    "too-late": ("Status held past its deadline",
                 "A status was held longer than the deadline its timers give.",
                 "Check the timer settings (--setting, --settings) or the implementation."),
    "unexplained-gap": ("Gap between polls no path explains",
                        "No path of the model explains the change seen between two polls in "
                        "the time that passed.",
                        "Poll more often, or check the change against the table."),
    "inconsistent": ("Snapshot contradicts an earlier poll",
                     "A snapshot's change time lies before the previous poll or before the "
                     "session's start.",
                     "Check the snapshot source's clock and change times."),
    "vanished": ("Session gone while it cannot have ended",
                 "A session is no longer listed although its status cannot end a run.",
                 "Check the implementation, or the terminal statuses of the table."),
    "after-end": ("Record after the session ended",
                  "A record of a session that had already ended.",
                  "Check the implementation, or whether session ids are reused."),
    "undecided": ("Gap search undecided",
                  "The gap search reached --search-limit before it could explain the change; "
                  "never a pass.",
                  "Raise --search-limit, or poll more often."),
}


def _violation_rules(kinds: Sequence[str]) -> list[dict[str, Any]]:
    out = []
    for kind in kinds:
        title, meaning, fix = VIOLATION_RULES.get(kind, (kind, kind, ""))
        out.append({
            "id": kind,
            "name": _rule_name(kind),
            "shortDescription": {"text": title},
            "fullDescription": {"text": meaning},
            "help": {"text": f"{meaning} Fix: {fix}",
                     "markdown": f"{meaning}\n\n**Fix:** {fix}\n\nSee the statusproof "
                                 f"recorded-logs page (docs/logs.md)."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["statusproof", "recorded-logs"]},
        })
    return out


def _record_location(path: str, line: int, message: str | None = None
                     ) -> dict[str, Any] | None:
    """The location of a record; None for standard input, which has no URI."""
    if path.startswith("<") and not path.startswith(BUNDLED_PREFIX):
        return None
    uri, base = artifact_uri(path)
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact,
                                                     "region": {"startLine": max(line, 1)}}}
    if message is not None:
        location["message"] = {"text": message}
    return location


def logs_run(violations: Sequence[Any], kinds: Sequence[str], exit_code: int) -> dict[str, Any]:
    """One SARIF ``run`` of ``statusproof logs``: one result per violation, located at its
    record (file and line), with the session's records so far as a code flow.

    ``violations`` are :class:`statusproof.logcheck.result.Violation` values; ``kinds`` the
    violation kinds in the order rules are listed."""
    listed = _violation_rules(kinds)
    index = {rule["id"]: i for i, rule in enumerate(listed)}
    seen: Counter[tuple[str, str, str]] = Counter()
    results = []
    for v in violations:
        key = (v.kind, v.session, PurePosixPath(v.path).name)
        digest = hashlib.sha256("\x1f".join((*key, str(seen[key]))).encode("utf-8"))
        seen[key] += 1
        result: dict[str, Any] = {
            "ruleId": v.kind,
            "ruleIndex": index[v.kind],
            "level": "error",
            "message": {"text": f"session {v.session}: {v.message}"
                                + (f" (allowed instead: {', '.join(v.allowed)})"
                                   if v.allowed else "")},
            "partialFingerprints": {"statusproofViolation/v1": digest.hexdigest()[:32]},
            "properties": {"session": v.session, "from": v.source, "to": v.target,
                           "where": v.where},
        }
        location = _record_location(v.path, v.line)
        if location is not None:
            result["locations"] = [location]
        steps = [step for step in (_record_location(r.path, r.line, r.status)
                                   for r in v.records) if step is not None]
        if steps:
            result["codeFlows"] = [{
                "message": {"text": f"the records of session {v.session} so far"},
                "threadFlows": [{"locations": [{"location": step} for step in steps]}],
            }]
        results.append(result)
    return {
        "tool": {"driver": {"name": "statusproof", "version": __version__,
                            "semanticVersion": __version__, "rules": listed}},
        "invocations": [{"executionSuccessful": exit_code in (0, 1), "exitCode": exit_code}],
        "results": results,
    }


def sarif_log(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A whole SARIF log of ``runs``."""
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": list(runs)}
