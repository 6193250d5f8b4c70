"""JSON-ready data of a check run (the ``statusproof check --format json`` schema).

Witnesses (paths, traces, lazy evidence) are written for the first ``max_witness`` findings
that carry one, in the order given (errors first), and left out for the rest, without being
built: their ``witness`` is empty, their evidence has no witness entries, and
``"witness_omitted": true`` says so. The output says the cap and how many were shown and left
out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from statusproof.model.model import Model

from .findings import Finding, Severity

__all__ = ["CHECK_SCHEMA", "DEFAULT_MAX_WITNESS", "finding_to_dict", "counts", "check_to_dict",
           "witness_plan"]

CHECK_SCHEMA = "statusproof/check/1"

#: How many findings show their witness unless ``--max-witness`` says otherwise.
DEFAULT_MAX_WITNESS = 100


def finding_to_dict(f: Finding, witness: bool = True) -> dict[str, Any]:
    """One finding; with ``witness`` False its witness path is empty, its evidence has no
    witness entries (nothing lazy is built) and ``witness_omitted`` is true."""
    data: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity.value,
        "message": f.message,
        "statuses": list(f.statuses),
        "witness": list(f.witness) if witness else [],
        "location": {"file": f.span.path, "line": f.span.line} if f.span else None,
        "evidence": f.evidence_dict(witness),
    }
    if not witness:
        data["witness_omitted"] = True
    return data


def counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Number of findings per severity, every severity present."""
    out = {s.value: 0 for s in Severity}
    for f in findings:
        out[f.severity.value] += 1
    return out


def witness_plan(findings: Iterable[Finding], max_witness: int | None
                 ) -> tuple[list[bool], int, int]:
    """Which findings show their witness: the first ``max_witness`` that carry one (all when
    None), and every finding that carries none. Returns the flags, how many witnesses are
    shown and how many are left out."""
    flags, shown, omitted = [], 0, 0
    for f in findings:
        if not f.has_witness:
            flags.append(True)
        elif max_witness is None or shown < max_witness:
            flags.append(True)
            shown += 1
        else:
            flags.append(False)
            omitted += 1
    return flags, shown, omitted


def check_to_dict(model: Model, findings: Iterable[Finding], raw: bool,
                  max_witness: int | None = DEFAULT_MAX_WITNESS,
                  stream: bool = False) -> dict[str, Any]:
    """The JSON-ready document of a check run. With ``stream``, its ``findings`` is an
    iterator that makes each finding's data when it is reached (for a writer that writes
    them one by one), so that they are never all held at once."""
    findings = list(findings)
    flags, shown, omitted = witness_plan(findings, max_witness)
    items = (finding_to_dict(f, flag) for f, flag in zip(findings, flags, strict=True))
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
        "witnesses": {"max": max_witness, "shown": shown, "omitted": omitted},
        "findings": items if stream else list(items),
    }
