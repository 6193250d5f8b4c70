"""JSON-ready data of a check run (the ``statusproof check --format json`` schema)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statusproof.model.model import Model

from .findings import Finding, Severity

__all__ = ["CHECK_SCHEMA", "finding_to_dict", "counts", "check_to_dict"]

CHECK_SCHEMA = "statusproof/check/1"


def finding_to_dict(f: Finding) -> dict[str, Any]:
    return {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "statuses": list(f.statuses),
        "witness": list(f.witness),
        "location": {"file": f.span.path, "line": f.span.line} if f.span else None,
        "evidence": f.evidence_dict(),
    }


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per severity, every severity present."""
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


def check_to_dict(model: Model, findings: Iterable[Finding], raw: bool) -> dict[str, Any]:
    findings = list(findings)
    return {
        "schema": CHECK_SCHEMA,
        "table": model.path,
        "raw": raw,
        "policy": model.policy,
        "summary": {
            "statuses": len(model.statuses),
            "rows": sum(1 for s in model.statuses if s.defined),
            "undefined": sum(1 for s in model.statuses if not s.defined),
            "entry_points": list(model.entries),
            "terminals": list(model.terminals),
            "transitions": len(model.transitions),
            "findings": counts(findings),
        },
        "findings": [finding_to_dict(f) for f in findings],
    }
