"""Timeout exclusivity: causes, the exits that depend on them, and the timers that set them.

A status with a cause variable (:class:`~statusproof.model.model.Cause`, for example why a
session timed out) should leave by exactly one exit for each cause value. For every such status
this module checks, with z3 and with the evidence mapped back to table lines:

- the exits are pairwise **disjoint** (two exits to different places never both hold for one
  cause value: z3 unsat, the unsat core names the two conditions) -- else ``timeout-overlap``;
- the exits **cover** every cause value (z3: no cause value falsifies them all; the core names
  the conditions) -- else ``guard-gap``;
- no cause value is **vacuous**: when timers set the cause, some timer setting each value can
  really fire from a reachable status (z3 finds settings and instants; a timed run replays
  them) -- else ``vacuous-cause``;
- whether two timers of one status, for different causes, can **fall due at the same instant**
  for some setting (``timeout-coincidence`` with the settings and a timed run, or
  ``timeout-no-coincidence`` with the unsat core).

The timed semantics (clocks, settings, what "falls due" means) is
:mod:`statusproof.model.clocks`'. Steps into a timed status that no timer takes are reported as
``untimed-entry``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import partial
from itertools import combinations
from typing import Any

from statusproof.model.clocks import Clocks, Setting, describe_value
from statusproof.model.errors import SolverUnknownError
from statusproof.model.machine import State, machine_graph, successors
from statusproof.model.model import GuardKind, Model, TerminalKind, Timer, Transition
from statusproof.model.record import record
from statusproof.model.table import SourceSpan
from statusproof.model.trace import Trace, TraceStep

from . import solver
from .findings import Finding, finding
from .system import (
    Add,
    Const,
    Eq,
    Formula,
    In,
    Le,
    Not,
    Var,
    conjoin,
    disjoin,
    evaluate,
)
from .system import (
    Divides as DividesBy,
)
from .witness import Search, lazy_run, make_trace, trace_evidence

__all__ = ["timeout_checks", "Exit", "cause_exits"]

_CAUSE = "cause"
_ENTERED = "entered"
_INSTANT = "instant"


@record
class Exit:
    """One way out of a status: to ``target`` (None: the run ends) when ``values`` (cause
    values; None: any) hold. ``label`` is the table cell it comes from, for people."""

    target: str | None
    values: tuple[str, ...] | None
    label: str
    line: int | None
    transition: Transition | None
    negated: bool = False

    @property
    def outcome(self) -> str:
        return self.target if self.target is not None else "(end of run)"


def _line(span: SourceSpan | None, model: Model) -> str:
    if span is None:
        return "-"
    return f"line {span.line}" if span.path == model.path else f"{span.path}:{span.line}"


def cause_exits(model: Model, status: str) -> list[Exit]:
    """The exits of ``status`` as the cause sees them: each transition out of it (a history
    guard counts as "may hold") and, for a documented terminal, the end of the run."""
    exits = []
    for transition in model.outgoing(status):
        guard = transition.guard
        values = (guard.values if guard is not None and guard.kind is GuardKind.CONDITION
                  else None)
        span = guard.span if guard is not None and guard.span is not None else (
            transition.spans[0] if transition.spans else None)
        text = guard.text if guard is not None else (transition.target or "none")
        exits.append(Exit(transition.target, values, f"{_line(span, model)}: {text!r}",
                          span.line if span else None, transition,
                          guard is not None and guard.negated and values is not None))
    entry = model.status(status)
    if entry.terminal is TerminalKind.DOCUMENTED:
        exits.append(Exit(None, None, f"{_line(entry.next_span, model)}: 'none'",
                          entry.next_span.line if entry.next_span else None, None))
    return exits


def _amendment_label(model: Model, kind: str, prefix: str, fallback: str) -> str:
    for amendment in model.amendments:
        if amendment.kind == kind and amendment.statement.startswith(prefix):
            return f"{_line(amendment.span, model)}: {amendment.statement}"
    return fallback


# -- exclusivity --------------------------------------------------------------------------------
def _exclusivity(model: Model, status: str, timeout_ms: int, search: Search[State],
                 entered: dict[tuple[str, str | None], State]
                 ) -> tuple[list[Finding], dict[str, Any]]:
    cause = model.cause_of(status)
    assert cause is not None
    values = [v for v, _ in cause.values]
    code = {v: i for i, v in enumerate(values)}
    # Every exit counts: an exit that does not read the cause is possible whatever its value
    # (an unconditioned step beside conditional ones is always enabled).
    exits = cause_exits(model, status)
    declared = bool(cause.source)
    domain = (_amendment_label(model, "cause", f"{status}:",
                               f"the conditions of {status!r}'s Next cell") +
              f" ({cause.variable} is one of {', '.join(values)})",
              In(Var(_CAUSE), tuple(range(len(values)))))

    def holds(exit: Exit) -> Formula:
        if exit.values is None:
            return In(Var(_CAUSE), tuple(range(len(values))))
        chosen = [code[v] for v in exit.values if v in code]
        if exit.negated:
            chosen = [i for i in range(len(values)) if i not in chosen]
        return In(Var(_CAUSE), tuple(sorted(chosen)))

    what = f"the exits of {status!r}"
    overlaps, disjoint = [], []
    for a, b in combinations(exits, 2):
        if a.outcome == b.outcome:
            continue
        answer = solver.check([domain, (a.label, holds(a)), (b.label, holds(b))],
                              f"{what}: overlap of {a.label} and {b.label}", timeout_ms,
                              least_in={_CAUSE: range(len(values))})
        if answer.sat:
            overlaps.append((a, b, values[answer.values()[_CAUSE]]))
        else:
            disjoint.append({"exits": [a.label, b.label], "unsat_core": list(answer.core)})
    cover = solver.check([domain, *((f"not {e.label}", Not(holds(e))) for e in exits)],
                         f"{what}: cover", timeout_ms, least_in={_CAUSE: range(len(values))})
    by_value = {v: list(dict.fromkeys(e.outcome for e in exits
                                      if evaluate(holds(e), {_CAUSE: code[v]})))
                for v in values}
    evidence: dict[str, Any] = {
        "variable": cause.variable, "values": values, "declared": declared,
        "exits": {v: by_value[v] for v in values},
        "unconditioned": [e.outcome for e in exits if e.values is None],
        "disjoint": disjoint,
        "complete": None if cover.sat else {"unsat_core": list(cover.core)},
    }
    found = []
    status_span = model.status(status).next_span or model.status(status).span
    for a, b, value in overlaps:
        into = entered.get((status, value))
        path, trace = lazy_run(partial(
            _into, search, into, f"witness: {status} entered with {cause.variable} = "
                                 f"{value}; both {a.outcome} and {b.outcome} are possible")
        ) if into is not None else ((), None)
        plain = [e for e in (a, b) if e.values is None]
        hint = (f"; {plain[0].outcome} has no condition, so it is possible whatever the cause "
                f"(write '{plain[0].outcome} otherwise' if it is the default)" if plain else "")
        found.append(finding(
            "timeout-overlap",
            f"{status}: for {cause.variable} = {value} both {a.outcome} ({a.label}) and "
            f"{b.outcome} ({b.label}) are possible; the exits do not separate the causes{hint}",
            [status] + [e.target for e in (a, b) if e.target is not None], path,
            status_span, {**evidence, "witness": {cause.variable: value},
                          "overlap": [a.label, b.label],
                          **({"trace": trace} if trace is not None else {})}))
    if cover.sat:
        value = values[cover.values()[_CAUSE]]
        found.append(finding(
            "guard-gap",
            f"{status}: no exit is possible when {cause.variable} = {value}: the run is stuck "
            f"there (z3 witness; the exits are {'; '.join(e.label for e in exits) or 'none'})",
            [status], (), status_span, {**evidence, "witness": {cause.variable: value}}))
    return found, evidence


def _into(search: Search[State], state: State, title: str) -> Trace:
    """A shortest run from an entry point into ``state``."""
    return make_trace(search.graph, search.path(state), lambda s: s, title)


# -- timers ---------------------------------------------------------------------------------
def _setting_vars(setting: Setting) -> tuple[Var, Var]:
    return Var(f"setting {setting.index}"), Var(f"never {setting.index}")


def _timer_label(model: Model, timer: Timer) -> str:
    return _amendment_label(model, "timer", f"{timer.status} -> {timer.target} ({timer.setting})",
                            f"timer {timer.status} -> {timer.target} ({timer.setting})")


def _domain(setting: Setting) -> Formula:
    value, never = _setting_vars(setting)
    if setting.fixed is not None:
        return conjoin((Eq(value, Const(setting.fixed)), Eq(never, Const(0))))
    assert setting.minimum is not None and setting.maximum is not None
    return conjoin((Le(Const(setting.minimum), value), Le(value, Const(setting.maximum)),
                    DividesBy(setting.step, value),
                    In(never, (0, 1) if setting.never else (0,))))


def _due_at(timer: Timer, setting: Setting) -> Formula:
    """The timer falls due at the instant (session time)."""
    value, never = _setting_vars(setting)
    entered, instant = Var(_ENTERED), Var(_INSTANT)
    if timer.clock == "session":
        due: Formula = disjoin((conjoin((Le(entered, value), Eq(instant, value))),
                                conjoin((Le(Add(value, Const(1)), entered),
                                         Eq(instant, entered)))))
    else:
        due = Eq(instant, Add(entered, value))
    return conjoin((Eq(never, Const(0)), due))


def _not_before(timer: Timer, setting: Setting) -> Formula:
    """The timer does not fall due before the instant."""
    value, never = _setting_vars(setting)
    entered, instant = Var(_ENTERED), Var(_INSTANT)
    if timer.clock == "session":
        later: Formula = disjoin((Le(instant, value), Le(instant, entered)))
    else:
        later = Le(instant, Add(entered, value))
    return disjoin((Eq(never, Const(1)), later))


@record
class _Timing:
    """What z3 answered about one timed status: sat with the least settings, or a core."""

    sat: bool
    values: dict[int, int | None]
    entered: int
    instant: int
    core: tuple[str, ...]


def _timing(model: Model, clocks: Clocks, status: str, firing: Sequence[Timer], latest: float,
            what: str, timeout_ms: int) -> _Timing:
    """Can ``firing`` all fall due at one instant, in a run that is in ``status`` then?"""
    mine = clocks.timers_of(status)
    used = {clocks.setting_of(t).index: clocks.setting_of(t) for t in mine}
    assertions: list[tuple[str, Formula]] = [
        (f"a run enters {status} at a session age of 0s or more", Le(Const(0), Var(_ENTERED)))]
    if not math.isinf(latest):
        assertions.append((f"no run enters {status} later than {int(latest)}s (the latest "
                           "entry over all runs)", Le(Var(_ENTERED), Const(int(latest)))))
    for index in sorted(used):
        setting = used[index]
        timer = next(t for t in mine if clocks.setting_of(t).index == index)
        assertions.append((f"{_timer_label(model, timer)}: {setting}", _domain(setting)))
    for timer in firing:
        counting = ("the start of the run" if timer.clock == "session"
                    else f"entering {timer.status}")
        assertions.append((f"{timer.status} -> {timer.target} ({timer.setting}, counting from "
                           f"{counting}) falls due then", _due_at(timer, clocks.setting_of(timer))))
    for timer in mine:
        if timer not in firing:
            assertions.append((f"{timer.status} -> {timer.target} ({timer.setting}) does not "
                               "fall due earlier", _not_before(timer, clocks.setting_of(timer))))
    # the least settings of the firing timers, then the earliest entry (each setting's domain
    # and the entry's "0s or more" above are the lower bounds)
    least = {_setting_vars(setting)[0].name: setting.least
             for setting in (clocks.setting_of(t) for t in firing)}
    answer = solver.check(assertions, what, timeout_ms=timeout_ms,
                          least_from={**least, _ENTERED: 0})
    if not answer.sat:
        return _Timing(False, {}, 0, 0, answer.core)
    got = answer.values()
    values: dict[int, int | None] = {}
    for index in used:
        value, never = _setting_vars(used[index])
        values[index] = None if got.get(never.name, 0) else got.get(value.name)
    return _Timing(True, values, got[_ENTERED], got[_INSTANT], ())


def _timed_witness(model: Model, clocks: Clocks, status: str, timing: _Timing, timer: Timer,
                   title: str, note: str) -> Trace | None:
    """A timed run: into ``status`` at the entry age, then ``timer``'s step at the instant."""
    values = clocks.values_with(timing.values)
    run = clocks.run_entering(status, timing.entered, values, title)
    if run is None or run.steps[-1].state is None:
        return None
    last = run.steps[-1].state
    step = next((s for s in successors(model, last) if s.target is not None
                 and s.target.status == timer.target
                 and (timer.cause is None or s.target.cause == timer.cause)), None)
    if step is None:
        return None
    last_step = TraceStep(step.target, step.transition, timing.instant - timing.entered, note)
    trace = Trace((*run.steps, last_step), title)
    return trace if clocks.check_run(trace, values) is None else None


def _settings_text(clocks: Clocks, timers: Sequence[Timer], timing: _Timing) -> str:
    parts = []
    for timer in timers:
        setting = clocks.setting_of(timer)
        value = timing.values.get(setting.index)
        parts.append(f"{timer.setting or setting} = {describe_value(value)}")
    return "; ".join(parts)


def _timer_findings(model: Model, clocks: Clocks, status: str, evidence: dict[str, Any],
                    reachable: set[str], latest: dict[str, float],
                    timeout_ms: int) -> list[Finding]:
    cause = model.cause_of(status)
    into = [t for t in model.timers if t.target == status]
    found = []
    span = model.status(status).span
    timed_sources = {t.status for t in into}
    for transition in model.incoming(status) if timed_sources else ():
        if transition.source in reachable and transition.source not in timed_sources:
            found.append(finding(
                "untimed-entry",
                f"{transition.source} -> {status} has no timer, while timers enter {status} "
                f"from {', '.join(sorted(timed_sources, key=model.names.index))}: the model "
                f"leaves the cause open for this step",
                [transition.source, status], (),
                transition.spans[0] if transition.spans else None))
    if cause is None or not any(t.cause for t in into):
        return found
    happens: dict[str, Any] = {}
    for value, _ in cause.values:
        setters = [t for t in into if t.cause == value and t.status in reachable]
        witness = None
        cores = []
        for timer in setters:
            timing = _timing(model, clocks, timer.status, [timer],
                             latest.get(timer.status, math.inf),
                             f"whether {timer.status} -> {status} ({value}) can fire",
                             timeout_ms)
            if not timing.sat:
                cores.append({"timer": _timer_label(model, timer), "unsat_core": list(timing.core)})
                continue
            witness = _timed_witness(
                model, clocks, timer.status, timing, timer,
                f"witness: {cause.variable} = {value}",
                f"{timer.setting or 'timer'} falls due")
            happens[value] = {"timer": _timer_label(model, timer),
                              "settings": _settings_text(clocks, [timer], timing),
                              "entered": timing.entered, "instant": timing.instant,
                              "trace": trace_evidence(witness) if witness else None}
            break
        if value in happens:
            continue
        reason = ("no timer from a reachable status sets it" if not setters else
                  "no timer that sets it can fire before another timer of its status")
        found.append(finding(
            "vacuous-cause",
            f"{status}: {cause.variable} = {value} can never happen: {reason}; the exits that "
            f"depend on it are never taken",
            [status], (), span, {"value": value, "timers": [_timer_label(model, t)
                                                            for t in setters],
                                 "unsat_cores": cores}))
    evidence["causes_happen"] = happens

    outcome = evidence.get("exits", {})
    for source in model.names:
        mine = [t for t in into if t.status == source and t.cause is not None]
        if source not in reachable:
            continue
        for first, second in combinations(mine, 2):
            if (first.target, first.cause) == (second.target, second.cause):
                continue
            timing = _timing(model, clocks, source, [first, second],
                             latest.get(source, math.inf),
                             f"whether {first.cause} and {second.cause} fall due together "
                             f"in {source}", timeout_ms)
            pair = f"{first.cause} ({first.setting}) and {second.cause} ({second.setting})"
            step = next((t for t in model.outgoing(source) if t.target == first.target), None)
            step_span = step.spans[0] if step is not None and step.spans else span
            if not timing.sat:
                found.append(finding(
                    "timeout-no-coincidence",
                    f"in {source}, the timers for {pair} never fall due at the same instant, "
                    f"whatever the settings (z3 unsat: {'; '.join(timing.core)})",
                    [source, status], (), step_span,
                    {"timers": [_timer_label(model, first), _timer_label(model, second)],
                     "unsat_core": list(timing.core)}))
                continue
            trace = _timed_witness(model, clocks, source, timing, first,
                                   f"witness: {first.cause} and {second.cause} fall due at "
                                   f"{describe_value(timing.instant)}",
                                   f"{first.cause} and {second.cause} both fall due")
            settings_text = _settings_text(clocks, [first, second], timing)
            results = "; ".join(f"{v} leads to {', '.join(outcome.get(v, []))}"
                                for v in (first.cause, second.cause) if v in outcome)
            if trace is None:
                found.append(finding(
                    "solver-unknown",
                    f"in {source}, whether {pair} can fall due together is not settled: z3 "
                    f"finds settings ({settings_text}; entering at "
                    f"{timing.entered}s) but no run entering {source} then was found",
                    [source, status], (), step_span, {"check": "timeout coincidence"}))
                continue
            found.append(finding(
                "timeout-coincidence",
                f"in {source}, the timers for {pair} can fall due at the same instant: with "
                f"{settings_text}, a run that enters {source} at session age "
                f"{describe_value(timing.entered)} reaches both at "
                f"{describe_value(timing.instant)}; the table gives no precedence "
                f"({results})",
                [source, status], trace.statuses, step_span,
                {"trace": trace_evidence(trace), "settings": settings_text,
                 "entered": timing.entered, "instant": timing.instant,
                 "timers": [_timer_label(model, first), _timer_label(model, second)]}))
    return found


def timeout_checks(model: Model, timeout_ms: int = solver.DEFAULT_TIMEOUT_MS) -> list[Finding]:
    """Exclusivity, completeness, vacuity and coincidence for every status with a cause
    variable (see the module docstring)."""
    graph = machine_graph(model)
    search: Search[State] = Search(graph, graph.initial)
    reachable = {state.status for state in graph.nodes}
    entered: dict[tuple[str, str | None], State] = {}  # the first state of each status, cause
    for state in search.order:
        entered.setdefault((state.status, state.cause), state)
    clocks = Clocks(model)
    latest = clocks.latest_entry()
    found: list[Finding] = []
    for cause in model.causes:
        status = cause.status
        try:
            problems, evidence = _exclusivity(model, status, timeout_ms, search, entered)
            timed = _timer_findings(model, clocks, status, evidence, reachable, latest,
                                    timeout_ms)
        except SolverUnknownError as e:
            found.append(finding("solver-unknown", f"the exits of {status} are not settled: {e}",
                                 [status], (), model.status(status).span,
                                 {"check": "timeout exclusivity"}))
            continue
        found.extend(problems)
        found.extend(timed)
        if not problems:
            mapping = "; ".join(f"{v} -> {', '.join(evidence['exits'][v])}"
                                for v in evidence["values"])
            found.append(finding(
                "timeout-exclusive",
                f"the exits of {status} are exclusive and complete for {cause.variable}: "
                f"{mapping} (z3: {len(evidence['disjoint'])} pair(s) of exits unsat together, "
                f"and no value escapes them all)",
                [status], (), model.status(status).next_span or model.status(status).span,
                evidence))
    return found
