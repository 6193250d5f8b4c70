"""Reports of a check of recorded logs: text for people, JSON for tools, JUnit XML for CI.

This module owns the three renderings of a :class:`LogResult` and the derived figures
they share: coverage of the model by the records (documented transitions never seen) and
drift (changes seen that the table does not list, statuses seen that it does not have).
Everything is sorted, and nothing depends on the clock or the machine, so the same input
gives byte-identical reports. Checking is :mod:`.checker`'s job;
writing files and exit codes are the CLI's.
"""

from __future__ import annotations

import json
from typing import Any

from statusproof.junit import JUnitCase, JUnitSuite, write_junit
from statusproof.model.model import Transition
from statusproof.model.trace import format_trace, trace_to_dict

from .records import Record, format_time
from .result import ISSUE_KINDS, VIOLATION_KINDS, Issue, LogResult, Violation

__all__ = ["coverage", "report_to_dict", "report_json", "format_report", "format_junit",
           "REPORTS", "LOGS_SCHEMA"]

#: The schema id of the JSON report.
LOGS_SCHEMA = "statusproof/logs/1"
#: The report formats, in the order the CLI lists them.
REPORTS = ("text", "json", "junit")


def _transition_dict(t: Transition, table: str) -> dict[str, Any]:
    span = t.spans[0] if t.spans else None
    where = None if span is None else (f"line {span.line}" if span.path == table
                                       else f"{span.path}:{span.line}")
    return {"source": t.source, "target": t.target,
            "guard": str(t.guard) if t.guard is not None else None, "where": where}


def coverage(result: LogResult) -> dict[str, Any]:
    """Which documented transitions (terminations aside) and statuses the records show."""
    model = result.model
    documented = [t for t in model.transitions if t.target is not None]
    seen = [t for t in documented if result.transitions.get(t, 0)]
    never = [t for t in documented if not result.transitions.get(t, 0)]
    return {
        "transitions": len(documented),
        "seen": len(seen),
        "never_seen": [_transition_dict(t, model.path) for t in never],
        "counts": [dict(_transition_dict(t, model.path), count=result.transitions[t])
                   for t in seen],
        "statuses": len(model.statuses),
        "statuses_never_seen": [s.name for s in model.statuses
                                if s.name not in result.statuses],
    }


def _record_dict(record: Record, snapshots: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"where": f"{record.path}:{record.line}",
                            "time": format_time(record.time), "status": record.status}
    if record.cause is not None:
        data["cause"] = record.cause
    if snapshots and record.waiting is not None:
        data["waiting"] = record.waiting
    return data


def _violation_dict(v: Violation, snapshots: bool) -> dict[str, Any]:
    return {"kind": v.kind, "where": v.where, "session": v.session, "from": v.source,
            "to": v.target, "message": v.message,
            "records": [_record_dict(r, snapshots) for r in v.records],
            "allowed": list(v.allowed)}


def _issue_dict(i: Issue) -> dict[str, Any]:
    return {"kind": i.kind, "where": i.where, "session": i.session, "message": i.message}


def _by_kind(items: list[Any], kinds: tuple[str, ...]) -> dict[str, int]:
    counts = dict.fromkeys(kinds, 0)
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts


def report_to_dict(result: LogResult, files: list[str], fmt: str) -> dict[str, Any]:
    """JSON-ready data of a check, every list complete and sorted."""
    s = result.settings
    return {
        "schema": LOGS_SCHEMA,
        "tool": "statusproof logs",
        "table": result.model.path,
        "format": fmt,
        "files": files,
        "settings": {"slack": s.slack, "reorder_window": s.reorder_window,
                     "allow_partial": s.allow_partial},
        "timing": list(result.timing),
        "summary": {
            "records": result.records,
            "polls": result.polls if result.snapshots else None,
            "malformed": len(result.problems),
            "sessions": result.sessions,
            "conforming": result.conforming,
            "violating": result.violating,
            "cut_off": result.cut_off,
            "violations": len(result.violations),
            "violations_by_kind": _by_kind(result.violations, VIOLATION_KINDS),
            "issues_by_kind": _by_kind(result.issues, ISSUE_KINDS),
            "gaps_explained": result.gaps_explained if result.snapshots else None,
        },
        "violations": [_violation_dict(v, result.snapshots) for v in result.violations],
        "issues": [_issue_dict(i) for i in result.issues],
        "malformed": [{"where": f"{p.path}:{p.line}", "message": p.message}
                      for p in result.problems],
        "unknown_statuses": [{"name": n, "count": t.count, "first": t.first}
                             for n, t in sorted(result.unknown.items())],
        "drift": {
            "changes": [{"from": a, "to": b, "count": t.count, "first": t.first}
                        for (a, b), t in sorted(result.drift.items())],
            "unmodelled_statuses": [{"name": n, "count": t.count, "first": t.first}
                                    for n, t in sorted(result.unmodelled.items())],
        },
        "gaps": [{"from": g.source, "path": list(g.path), "then_gone": g.ending,
                  "count": g.count, "first": g.first, "session": g.session,
                  "trace": trace_to_dict(g.trace)}
                 for _, g in sorted(result.gaps.items(), key=lambda kv: kv[1].first)],
        "coverage": coverage(result),
    }


def _record_lines(v: Violation, snapshots: bool) -> list[str]:
    lines = []
    for r in v.records:
        extra = f"  (for {r.waiting:g} s)" if snapshots and r.waiting is not None else ""
        cause = f"  cause={r.cause}" if r.cause is not None else ""
        lines.append(f"        {r.path}:{r.line}  {format_time(r.time)}  {r.status}{cause}{extra}")
    return lines


def _listed(items: list[Any], show: int | None) -> tuple[list[Any], int]:
    if show is None or len(items) <= show:
        return items, 0
    return items[:show], len(items) - show


def format_report(result: LogResult, files: list[str], fmt: str,
                  show: int | None = 20) -> str:
    """The report for people. ``show`` caps the items listed per kind (None: all); the
    number left out is always said."""
    snapshots = result.snapshots
    lines = [f"statusproof logs: {len(files)} file(s), format {fmt}, table {result.model.path}"]
    polls = f" in {result.polls} poll(s)" if snapshots else ""
    lines.append(f"records: {result.records}{polls}; malformed lines: {len(result.problems)}")
    lines.append(f"sessions: {result.sessions} checked, {result.conforming} conforming, "
                 f"{result.violating} violating; {result.cut_off} cut off at the end of the "
                 "input")
    lines.extend(f"timing: {note}" for note in result.timing)
    lines.append("")
    lines.append(f"Violations ({len(result.violations)})")
    for kind in VIOLATION_KINDS:
        items = [v for v in result.violations if v.kind == kind]
        if not items:
            continue
        lines.append(f"  {kind} ({len(items)})")
        shown, more = _listed(items, show)
        for v in shown:
            lines.append(f"    {v.where}: session {v.session}: {v.message}")
            lines.append("      records so far:")
            lines.extend(_record_lines(v, snapshots))
            if v.allowed:
                lines.append(f"      allowed instead: {', '.join(v.allowed)}")
        if more:
            lines.append(f"    ... and {more} more (all are in --format json)")
    lines.append("")
    lines.append(f"Issues ({len(result.issues)})")
    for kind in ISSUE_KINDS:
        issues = [i for i in result.issues if i.kind == kind]
        if not issues:
            continue
        lines.append(f"  {kind} ({len(issues)})")
        shown_issues, more = _listed(issues, show)
        for i in shown_issues:
            who = f"session {i.session}: " if i.session else ""
            lines.append(f"    {i.where}: {who}{i.message}")
        if more:
            lines.append(f"    ... and {more} more (all are in --format json)")
    lines.append("")
    lines.append(f"Malformed lines ({len(result.problems)})")
    shown_problems, more = _listed(result.problems, show)
    lines.extend(f"  {p}" for p in shown_problems)
    if more:
        lines.append(f"  ... and {more} more (all are in --format json)")
    if result.unknown:
        lines.append("")
        lines.append(f"Unknown status names ({len(result.unknown)}): map them with --map")
        for name, tally in sorted(result.unknown.items()):
            lines.append(f"  {name!r}: {tally.count} record(s), first at {tally.first}")
    lines.append("")
    lines.append(f"Drift: changes seen that the table does not list ({len(result.drift)})")
    for (a, b), tally in sorted(result.drift.items()):
        lines.append(f"  {a} -> {b}: {tally.count} time(s), first at {tally.first}")
    if result.unmodelled:
        lines.append(f"Drift: statuses seen that the table does not have "
                     f"({len(result.unmodelled)})")
        for name, tally in sorted(result.unmodelled.items()):
            lines.append(f"  {name!r}: {tally.count} record(s), first at {tally.first}")
    if snapshots:
        lines.append("")
        lines.append(f"Gaps between polls explained by unseen steps: {result.gaps_explained} "
                     f"({len(result.gaps)} distinct path(s))")
        patterns = sorted(result.gaps.values(), key=lambda g: g.first)
        shown_gaps, more = _listed(patterns, show)
        for g in shown_gaps:
            lines.append(f"  {g.count} time(s), first at {g.first} (session {g.session}):")
            lines.append(format_trace(g.trace, "    ").rstrip("\n"))
        if more:
            lines.append(f"  ... and {more} more (all are in --format json)")
    cov = coverage(result)
    lines.append("")
    percent = 100 * cov["seen"] // cov["transitions"] if cov["transitions"] else 100
    lines.append(f"Coverage: {cov['seen']} of {cov['transitions']} documented transitions "
                 f"seen ({percent}%); never seen ({len(cov['never_seen'])}):")
    shown_never, more = _listed(cov["never_seen"], show)
    for t in shown_never:
        guard = f"  [{t['guard']}]" if t["guard"] else ""
        where = f"  ({t['where']})" if t["where"] is not None else ""
        lines.append(f"  {t['source']} -> {t['target']}{guard}{where}")
    if more:
        lines.append(f"  ... and {more} more (all are in --format json)")
    if cov["statuses_never_seen"]:
        lines.append(f"Statuses never seen ({len(cov['statuses_never_seen'])}): "
                     + ", ".join(cov["statuses_never_seen"]))
    lines.append("")
    verdict = "FAIL" if result.violations else "PASS"
    lines.append(f"{verdict}: {len(result.violations)} violation(s) in {result.violating} "
                 f"session(s)")
    return "\n".join(lines) + "\n"


def format_junit(result: LogResult, files: list[str], fmt: str,
                 time: float | None = None) -> str:
    """JUnit XML (the shared :func:`statusproof.junit.write_junit`): a suite with one test
    case per session (``tests`` is the number of sessions): a failure for a session with
    violations, skipped for one cut off at the end of the input, passed otherwise; and, when
    the input had problems, a suite ``input`` with an error case for the malformed lines and
    one for the unknown status names. ``time`` is the check's, in seconds.

    Needs the session ids: check with ``CheckSettings(keep_sessions=True)``."""
    if result.session_ids is None:
        raise ValueError("a JUnit report lists every session: check with "
                         "CheckSettings(keep_sessions=True)")
    suite = f"statusproof logs ({fmt})"
    by_session: dict[str, list[Violation]] = {}
    for v in result.violations:
        by_session.setdefault(v.session, []).append(v)
    cut = {i.session: i for i in result.issues if i.kind == "cut-off"}
    cases = []
    seen: dict[str, int] = {}
    for session in sorted(result.session_ids):
        seen[session] = seen.get(session, 0) + 1
        name = f"session {session}" + (f" ({seen[session]})" if seen[session] > 1 else "")
        items = by_session.get(session)
        if items:
            body = "\n".join(f"{v.where}: [{v.kind}] {v.message}"
                             + (f"\nallowed instead: {', '.join(v.allowed)}" if v.allowed
                                else "") for v in items)
            if session in cut:
                body += f"\n{cut[session].where}: cut off at the end of the input"
            cases.append(JUnitCase(name, suite, None, "failure", "violation",
                                   f"{len(items)} violation(s), first: [{items[0].kind}] at "
                                   f"{items[0].where}", body))
        elif session in cut:
            where = cut[session].where
            cases.append(JUnitCase(name, suite, None, "skipped",
                                   message=f"cut off at the end of the input ({where})"))
        else:
            cases.append(JUnitCase(name, suite))
    suites = [JUnitSuite(suite, cases, [("table", result.model.path),
                                        ("files", " ".join(files))], time)]
    problems = []
    for title, entries in (
            ("malformed lines", [f"{p}" for p in result.problems]),
            ("unknown status names", [f"{name!r}: {t.count} record(s), first at {t.first}"
                                      for name, t in sorted(result.unknown.items())])):
        if entries:
            problems.append(JUnitCase(title, "statusproof logs input", None, "error", "input",
                                      f"{len(entries)} {title}", "\n".join(entries)))
    if problems:
        suites.append(JUnitSuite("statusproof logs input", problems))
    return write_junit("statusproof logs", suites, time)


def report_json(result: LogResult, files: list[str], fmt: str) -> str:
    """The JSON report as text (two-space indent, final newline)."""
    return json.dumps(report_to_dict(result, files, fmt), indent=2, ensure_ascii=False) + "\n"
