"""Text output for people: findings grouped by severity and code, with table lines."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from statusproof.checks.findings import Finding, Severity
from statusproof.checks.reachability import listing
from statusproof.checks.report import counts
from statusproof.model.model import Model
from statusproof.model.trace import format_trace, trace_from_dict

__all__ = ["format_check", "format_model"]

_HEADINGS = {Severity.ERROR: "Errors", Severity.WARNING: "Warnings", Severity.INFO: "Info"}


def _where(f: Finding, table: str) -> str:
    if f.span is None:
        return "-"
    if f.span.path == table:
        return f"line {f.span.line}"
    return f"{f.span.path}:{f.span.line}"


def _trace(f: Finding) -> bool:
    return any(key == "trace" and value is not None for key, value in f.evidence)


def format_check(model: Model, findings: Sequence[Finding], raw: bool,
                 verbose: bool = False, max_witness: int | None = None) -> str:
    """The report of ``statusproof check``. Info findings are listed too; with
    ``verbose`` False, witness paths are shown only for non-info findings (traces always).
    Past ``max_witness`` findings whose witness is shown (None: no cap), the others are listed
    without it, unbuilt, and the last line says how many were left out."""
    lines = []
    defined = sum(1 for s in model.statuses if s.defined)
    basis = "table alone" if raw else "with amendments" if model.amendments else "no amendments"
    lines.append(f"statusproof check: {model.path} ({basis}, reconcile={model.policy})")
    lines.append(
        f"{len(model.statuses)} statuses ({defined} rows, {len(model.statuses) - defined} "
        f"undefined), {len(model.transitions)} transitions; entry points: "
        f"{listing(model.entries, 50) or 'none'}; terminals: "
        f"{listing(model.terminals, 50) or 'none'}"
    )
    shown = omitted = 0
    for severity, group in groupby(findings, key=lambda f: f.severity):
        items = list(group)
        lines.append("")
        lines.append(f"{_HEADINGS[severity]} ({len(items)})")
        for code, by_code in groupby(items, key=lambda f: f.code):
            listed = list(by_code)
            lines.append(f"  {code} ({len(listed)})")
            for f in listed:
                lines.append(f"    {_where(f, model.path)}: {f.message}")
                traced = _trace(f)
                wanted = traced or ((verbose or severity is not Severity.INFO) and f.has_witness)
                if not wanted:
                    continue
                if max_witness is not None and shown >= max_witness:
                    omitted += 1
                    continue
                if traced:  # a counterexample or witness run: printed so it can be replayed
                    shown += 1
                    trace = f.evidence_dict()["trace"]
                    lines.append(format_trace(trace_from_dict(model, trace), "      ").rstrip())
                    continue
                if len(f.witness) > 1:
                    shown += 1
                    if " -> ".join(f.witness) not in f.message:
                        lines.append(f"      witness: {' -> '.join(f.witness)}")
    tally = counts(findings)
    lines.append("")
    lines.append(f"{tally['error']} error(s), {tally['warning']} warning(s), "
                 f"{tally['info']} info")
    if omitted:
        lines.append(f"witnesses shown for the first {max_witness} findings that have one; "
                     f"{omitted} more left out (--max-witness N shows more)")
    return "\n".join(lines) + "\n"


def format_model(model: Model) -> str:
    """The interpreted model for people: statuses with flags, transitions with guards."""
    lines = [f"model of {model.path} (reconcile={model.policy})", "", "statuses:"]
    width = max((len(s.name) for s in model.statuses), default=0)
    for s in model.statuses:
        flags = []
        if s.entry:
            flags.append("entry" + (f" (trigger: {'; '.join(s.triggers)})" if s.triggers else ""))
        if s.terminal is not None:
            flags.append(f"terminal:{s.terminal.value}")
        if not s.defined:
            flags.append("undefined")
        if s.remembers:
            flags.append("remembers")
        if s.unread_next or s.unread_previous:
            flags.append("not-all-read")
        where = "-" if s.span is None else (
            f"line {s.line}" if s.span.path == model.path else str(s.span))
        lines.append(f"  {s.name:<{width}}  {where:<9} {' '.join(flags)}".rstrip())
    lines.append("")
    lines.append("transitions:")
    for t in model.transitions:
        target = t.target if t.target is not None else "(end)"
        guard = f"  [{t.guard}]" if t.guard is not None else ""
        cols = "+".join(sorted(c.value for c in t.columns))
        where = ",".join(str(s.line) for s in t.spans if s.path == model.path)
        extra = "  (amendment)" if t.amendment else ""
        if t.depends:
            extra += f"  (depends on what is not read: {'; '.join(t.depends)})"
        lines.append(f"  {t.source} -> {target}{guard}  ({cols}; line {where or '-'}){extra}")
    if model.causes:
        lines.append("")
        lines.append("causes:")
        for c in model.causes:
            values = ", ".join(f"{k} = {v!r}" for k, v in c.values)
            lines.append(f"  {c.status}: {c.variable} in {{{values}}}")
    if model.timers:
        lines.append("")
        lines.append("timers:")
        for timer in model.timers:
            if timer.seconds is not None:
                when = f"after {timer.seconds}s"
            else:
                when = f"after {timer.minimum}-{timer.maximum}s" + (" or never" if timer.never
                                                                    else "")
            cause = f" [cause={timer.cause}]" if timer.cause else ""
            lines.append(f"  {timer.status} -> {timer.target} {when}{cause}")
    return "\n".join(lines) + "\n"
