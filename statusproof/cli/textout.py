"""Text output for people: the check report (a summary, then findings in order of
consequence, grouped by code, with table lines) and the model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import groupby

from statusproof.checks.findings import CONSEQUENCE, Finding, Severity
from statusproof.checks.reachability import listing
from statusproof.checks.report import counts
from statusproof.model.model import Model
from statusproof.model.record import record
from statusproof.model.trace import format_trace, trace_from_dict

__all__ = ["format_check", "format_model", "TextOptions", "consequence_group", "code_group",
           "GROUPS", "HYGIENE_SHOWN"]

#: The groups findings are listed in, in order of consequence, with their headings.
GROUPS = (("error", "Errors"), ("behaviour", "Warnings that change behaviour"),
          ("hygiene", "Table hygiene"), ("info", "Info"))
#: Findings listed per table-hygiene code by default (``--show`` changes it).
HYGIENE_SHOWN = 5
_FIRST_HYGIENE = CONSEQUENCE.index("undefined-status")


def code_group(code: str, severity: Severity) -> str:
    """``error``, ``behaviour`` (warnings that change what a run can do), ``hygiene`` (what
    the table says unclearly or inconsistently) or ``info``; see
    :data:`~statusproof.checks.findings.CONSEQUENCE`."""
    if severity is Severity.ERROR:
        return "error"
    if severity is Severity.INFO:
        return "info"
    position = CONSEQUENCE.index(code) if code in CONSEQUENCE else len(CONSEQUENCE)
    return "behaviour" if position < _FIRST_HYGIENE else "hygiene"


def consequence_group(f: Finding) -> str:
    """The group of a finding (:func:`code_group`)."""
    return code_group(f.code, f.severity)


@record
class TextOptions:
    """What the text report of ``check`` lists.

    ``severity``: the least severity listed (the summary counts every finding); ``verbose``:
    list every finding of the listed severities, with witnesses; ``quiet``: the summary and
    the errors only, without witnesses; ``show``: at most this many findings per code (0 or
    None with ``show_set``: all); by default table-hygiene codes list their first
    :data:`HYGIENE_SHOWN` unless ``severity`` is info or ``verbose``; ``max_witness``: the
    witness cap."""

    severity: Severity = Severity.WARNING
    verbose: bool = False
    quiet: bool = False
    show: int | None = None
    max_witness: int | None = None


def _where(f: Finding, table: str) -> str | None:
    if f.span is None:
        return None
    if f.span.path == table:
        return f"line {f.span.line}"
    return f"{f.span.path}:{f.span.line}"


def _trace(f: Finding) -> bool:
    return any(key == "trace" and value is not None for key, value in f.evidence)


def _tally_line(tally: Mapping[str, int]) -> str:
    return f"{tally['error']} error(s), {tally['warning']} warning(s), {tally['info']} info"


def _codes(items: Sequence[Finding]) -> str:
    return ", ".join(f"{code} {len(list(group))}"
                     for code, group in groupby(items, key=lambda f: f.code))


def _header(model: Model, raw: bool) -> list[str]:
    defined = sum(1 for s in model.statuses if s.defined)
    basis = "table alone" if raw else "with amendments" if model.amendments else "no amendments"
    return [
        f"statusproof check: {model.path} ({basis}, reconcile={model.policy})",
        f"{len(model.statuses)} statuses ({defined} rows, {len(model.statuses) - defined} "
        f"undefined), {len(model.transitions)} transitions; entry points: "
        f"{listing(model.entries, 50) or 'none'}; terminals: "
        f"{listing(model.terminals, 50) or 'none'}",
    ]


def _cap(group: str, options: TextOptions) -> int | None:
    if options.show is not None:
        return options.show or None
    if options.verbose or options.severity is Severity.INFO or group != "hygiene":
        return None
    return HYGIENE_SHOWN


class _Witnesses:
    """Prints witnesses under their findings, up to the cap, and counts those left out."""

    def __init__(self, model: Model, cap: int | None):
        self.model, self.cap, self.shown, self.omitted = model, cap, 0, 0

    def lines(self, f: Finding) -> list[str]:
        traced = _trace(f)
        if not (traced or f.has_witness):
            return []
        if self.cap is not None and self.shown >= self.cap:
            self.omitted += 1
            return []
        if traced:  # a counterexample or witness run: printed so it can be replayed
            self.shown += 1
            trace = f.evidence_dict()["trace"]
            return [format_trace(trace_from_dict(self.model, trace), "      ").rstrip()]
        if len(f.witness) > 1:
            self.shown += 1
            if " -> ".join(f.witness) not in f.message:
                return [f"      witness: {' -> '.join(f.witness)}"]
        return []


def format_check(model: Model, findings: Sequence[Finding], raw: bool,
                 options: TextOptions | None = None,
                 ignored: Mapping[str, int] | None = None) -> str:
    """The report of ``statusproof check``: the model in two lines, a summary, then the
    findings in order of consequence (errors, warnings that change behaviour, table hygiene,
    info), grouped by code, each with its table line.

    ``findings`` come in the order of
    :func:`~statusproof.checks.findings.sort_by_consequence`. ``ignored`` counts the
    findings left out by ``ignore`` (per code): the summary says so."""
    options = options or TextOptions()
    lines = _header(model, raw)[:1 if options.quiet else 2]
    tally = counts(findings)
    grouped = {name: [f for f in findings if consequence_group(f) == name]
               for name, _ in GROUPS}
    listed = {name for name, _ in GROUPS
              if grouped[name] and (name == "error" or not options.quiet)
              and Severity(_severity(name)).rank <= options.severity.rank}
    lines.append(f"summary: {_tally_line(tally)}")
    if not options.quiet:
        for name, title in GROUPS[:3]:
            if grouped[name]:
                lines.append(f"  {title.lower()} ({len(grouped[name])}): "
                             f"{_codes(grouped[name])}")
        hidden = [f"{len(grouped[name])} {title.lower()}" for name, title in GROUPS
                  if grouped[name] and name not in listed]
        if hidden:
            lines.append(f"  not listed: {', '.join(hidden)} (--severity "
                         f"{'info' if grouped['info'] else 'warning'} lists them)")
    if ignored:
        lines.append(f"  ignored ({sum(ignored.values())}): "
                     + ", ".join(f"{code} {n}" for code, n in sorted(ignored.items()))
                     + " (ignore in the configuration, or --ignore)")
    witnesses = _Witnesses(model, options.max_witness)
    for name, title in GROUPS:
        if name not in listed:
            continue
        items = grouped[name]
        if not options.quiet:
            lines.append("")
        lines.append(f"{title} ({len(items)})")
        cap = _cap(name, options)
        for code, by_code in groupby(items, key=lambda f: f.code):
            same = list(by_code)
            lines.append(f"  {code} ({len(same)})")
            for f in same[:cap]:
                where = _where(f, model.path)
                lines.append(f"    {where}: {f.message}" if where else f"    {f.message}")
                if options.verbose or (name == "error" and not options.quiet):
                    lines.extend(witnesses.lines(f))
            if cap is not None and len(same) > cap:
                lines.append(f"    ... and {len(same) - cap} more {code} (--show 0 lists "
                             "them all)")
    if options.quiet:
        return "\n".join(lines) + "\n"
    lines.append("")
    lines.append(_tally_line(tally))
    if witnesses.omitted:
        lines.append(f"witnesses shown for the first {options.max_witness} findings that have "
                     f"one; {witnesses.omitted} more left out (--max-witness N shows more)")
    return "\n".join(lines) + "\n"


def _severity(group: str) -> str:
    return {"error": "error", "behaviour": "warning", "hygiene": "warning"}.get(group, "info")


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
