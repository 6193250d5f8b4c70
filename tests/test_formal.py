"""The formal checks (z3): history restoration, guards, timeouts, and the agreement of the z3
encoding with the explicit search.

The bundled Rescue model and the variant tables of tests/fixtures/formal/ (history guards
stripped; Offline forgetting the remembered status; both exits of Timed out unconditional; a
ticket lifecycle with its own history and expiry wording) are checked end to end; Hypothesis
draws random tables with history guards and remembering statuses and asserts that the
exhaustive search, the induction proof and an independent bounded search by z3 agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import pairwise, product
from pathlib import Path
from typing import Any

import pytest
from conftest import GOLDEN, Golden, run_cli, scraped_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.checks import solver
from statusproof.checks.findings import CATALOGUE, Finding, Severity
from statusproof.checks.formal import formal_checks
from statusproof.checks.guards import guard_checks
from statusproof.checks.history import (
    explore,
    history_checks,
    history_spec,
    prove_restoration,
    restoration_bad,
)
from statusproof.checks.system import (
    CAUSE,
    NONE,
    REMEMBERED,
    STATUS,
    Encoding,
    In,
    Var,
    evaluate,
    ne,
)
from statusproof.checks.timeouts import timeout_checks
from statusproof.model import load_model
from statusproof.model.amend import AmendmentSet, HistoryDecl
from statusproof.model.clocks import Clocks
from statusproof.model.errors import SolverUnknownError
from statusproof.model.interpret import interpret
from statusproof.model.loaders.text import load_text
from statusproof.model.machine import State, successors, unfold
from statusproof.model.model import Model
from statusproof.model.trace import Trace, trace_from_dict

FORMAL = Path(__file__).resolve().parent / "fixtures" / "formal"
UNGUARDED = FORMAL / "rescue-unguarded.txt"
FORGETS = FORMAL / "rescue-offline-forgets.txt"
UNCONDITIONAL = FORMAL / "rescue-timeout-unconditional.txt"
TICKET = FORMAL / "ticket-history.txt"
ALL_TABLES = [None, UNGUARDED, FORGETS, UNCONDITIONAL, TICKET]


@pytest.fixture(scope="module")
def rescue() -> Model:
    return load_model()


@pytest.fixture(scope="module")
def rescue_findings(rescue: Model) -> tuple[Finding, ...]:
    return formal_checks(rescue)


def of(findings: Any, code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def trace_of(model: Model, f: Finding) -> Trace:
    return trace_from_dict(model, f.evidence_dict()["trace"])


def steps(trace: Trace) -> list[str]:
    return [str(step.state) if step.state else "(end)" for step in trace.steps]


# -- the bundled model ------------------------------------------------------------------------
def test_bundled_history_is_proved_for_every_run_length(
        rescue_findings: tuple[Finding, ...]) -> None:
    [proved] = of(rescue_findings, "history-proved")
    evidence = proved.evidence_dict()
    assert evidence["interruption"] == ["Offline", "Rebooting", "Reconnecting"]
    assert evidence["targets"] == ["Incoming", "On Hold", "Outgoing"]
    assert evidence["z3"] == {"initiation": "unsat", "consecution": "unsat",
                              "safety": "unsat", "steps": 77}
    assert evidence["explicit"]["violations"] == 0
    # the invariant relates the remembered status to the status before the interruption
    assert evidence["invariant"][1:] == [
        "Offline, Rebooting: remembered in {Active, Collaborating, Incoming, On Hold, Outgoing, "
        "Waiting} and cause = none and was in {Active, Collaborating, Incoming, On Hold, "
        "Outgoing, Waiting} and remembered = was",
        "Reconnecting: remembered in {Active, Incoming, On Hold, Outgoing, Waiting} and cause = "
        "none and was in {Active, Incoming, On Hold, Outgoing, Waiting} and remembered = was",
        "Timed out: remembered = none and cause in {admin, system} and was = none"]
    assert evidence["invariant"][0].endswith(": remembered = none and cause = none and was = "
                                             "none")
    assert not of(rescue_findings, "history-violation")


def test_bundled_unguarded_returns_are_listed(rescue: Model,
                                              rescue_findings: tuple[Finding, ...]) -> None:
    returns = of(rescue_findings, "unguarded-return")
    assert sorted(tuple(f.statuses) for f in returns) == [
        ("Offline", "Active"), ("Offline", "Waiting"), ("Rebooting", "Active"),
        ("Rebooting", "Collaborating"), ("Rebooting", "Waiting"), ("Reconnecting", "Active"),
        ("Reconnecting", "Waiting")]
    assert all(f.severity is Severity.WARNING for f in returns)
    [active] = [f for f in returns if f.statuses == ("Rebooting", "Active")]
    assert steps(trace_of(rescue, active)) == [
        "Invitation", "Collaborating", "Rebooting [remembered=Collaborating]", "Active"]
    assert "may come back Active whatever it was in before" in active.message


def test_bundled_collaborating_has_no_way_back_from_offline(
        rescue_findings: tuple[Finding, ...]) -> None:
    [lost] = of(rescue_findings, "no-way-back")
    assert lost.statuses == ("Offline", "Collaborating")
    assert lost.severity is Severity.WARNING


def test_bundled_guards(rescue_findings: tuple[Finding, ...]) -> None:
    checked = of(rescue_findings, "guards-exclusive")
    assert [f.statuses[0] for f in checked] == ["Offline", "Rebooting", "Reconnecting",
                                                "Timed out"]
    for code in ("dead-guard", "overlapping-guards", "guard-gap"):
        assert not of(rescue_findings, code)


def test_bundled_timeout_exclusivity_with_unsat_cores(
        rescue_findings: tuple[Finding, ...]) -> None:
    [exclusive] = of(rescue_findings, "timeout-exclusive")
    evidence = exclusive.evidence_dict()
    assert evidence["exits"] == {"admin": ["Removed from TC queue (after closed by technician)"],
                                 "system": ["(end of run)"]}
    assert evidence["disjoint"] == [{
        "exits": ["line 193: 'the Admin-defined timeout exceeded'",
                  "line 195: 'there is a system timeout'"],
        "unsat_core": ["line 193: 'the Admin-defined timeout exceeded'",
                       "line 195: 'there is a system timeout'"]}]
    core = evidence["complete"]["unsat_core"]
    assert core[1:] == ["not line 193: 'the Admin-defined timeout exceeded'",
                        "not line 195: 'there is a system timeout'"]
    assert core[0].startswith("<bundled>/rescue-session-statuses.amend.toml:")
    # both causes can really happen: each with the settings and a timed run
    happens = evidence["causes_happen"]
    assert happens["admin"]["settings"] == (
        "Waiting sessions will time out (1-999 minutes, 0 = never) = 60s (1m)")
    assert happens["system"]["settings"] == "system timeout (after two weeks) = 1209600s (14d)"
    assert not of(rescue_findings, "vacuous-cause")


def test_bundled_coincidence_witness(rescue: Model,
                                     rescue_findings: tuple[Finding, ...]) -> None:
    found = {f.statuses[0]: f for f in of(rescue_findings, "timeout-coincidence")}
    assert sorted(found) == ["Active", "Waiting"]
    active = found["Active"]
    evidence = active.evidence_dict()
    assert (evidence["entered"], evidence["instant"]) == (1209540, 1209600)
    assert evidence["settings"] == ("Active session idle time-out (1-999 minutes, 0 = never) "
                                    "= 60s (1m); system timeout (after two weeks) = 1209600s "
                                    "(14d)")
    trace = trace_of(rescue, active)
    assert steps(trace) == ["Connecting", "Waiting", "Active", "Timed out [cause=admin]"]
    assert [s.delay for s in trace.steps] == [None, 1209540, 0, 60]
    # the witness keeps the clock rules with the settings z3 chose
    clocks = Clocks(rescue)
    values = clocks.permissive_values()
    for setting in clocks.settings:
        if setting.text.startswith("Active session idle"):
            values[setting.index] = 60
    assert clocks.check_run(trace, values) is None
    values_short = dict(values)
    for setting in clocks.settings:
        if setting.text.startswith("system timeout"):
            values_short[setting.index] = 1209599
    assert clocks.check_run(trace, values_short) is not None


def test_bundled_untimed_entries(rescue_findings: tuple[Finding, ...]) -> None:
    assert sorted(f.statuses[0] for f in of(rescue_findings, "untimed-entry")) == [
        "Offline", "On Hold", "Reconnecting"]


def test_bundled_formal_checks_raise_no_error(rescue_findings: tuple[Finding, ...]) -> None:
    assert [f for f in rescue_findings if f.severity is Severity.ERROR] == []
    assert all(f.code in CATALOGUE for f in rescue_findings)


# -- variants -----------------------------------------------------------------------------------
def test_stripped_guards_give_a_counterexample() -> None:
    model = load_model(UNGUARDED)
    found = history_checks(model)
    assert not of(found, "history-proved")
    by_step = {f.statuses: f for f in of(found, "history-violation")}
    rebooting = by_step[("Rebooting", "Incoming")]
    assert rebooting.severity is Severity.ERROR
    assert "a run that was in Active comes back Incoming" in rebooting.message
    assert steps(trace_of(model, rebooting)) == [
        "Connecting", "Waiting", "Active", "Rebooting [remembered=Active]", "Incoming"]
    # every return from an interruption is a violation, each with its trace
    assert len(by_step) == 16


def test_offline_forgetting_is_caught() -> None:
    model = load_model(FORGETS)
    assert model.remembering == ("Rebooting", "Reconnecting")
    found = formal_checks(model)
    lost = of(found, "history-lost")
    assert sorted(f.statuses for f in lost) == [
        ("Offline", "Incoming"), ("Offline", "On Hold"), ("Offline", "Outgoing")]
    assert all("Offline does not remember it" in f.message for f in lost)
    trace = trace_of(model, lost[0])
    assert trace.steps[-1].note.startswith("before the interruption: ")
    dead = of(found, "dead-guard")
    assert sorted(f.statuses for f in dead) == [
        ("Offline", "Incoming"), ("Offline", "On Hold"), ("Offline", "Outgoing")]
    assert all("remembered in {none}" in f.message for f in dead)


def test_unconditional_timeout_exits_are_caught() -> None:
    model = load_model(UNCONDITIONAL)
    found = timeout_checks(model)
    [overlap] = of(found, "timeout-overlap")
    assert overlap.severity is Severity.ERROR
    assert overlap.statuses[0] == "Timed out"
    assert overlap.evidence_dict()["witness"] == {"timeout cause": "admin"}
    assert not of(found, "timeout-exclusive")


def test_ticket_table_with_its_own_wording() -> None:
    model = load_model(TICKET)
    found = formal_checks(model)
    [violation] = of(found, "history-violation")
    assert violation.statuses == ("Escalated", "Open")
    assert steps(trace_of(model, violation)) == [
        "New", "Open", "In progress", "Escalated [remembered=In progress]", "Open"]
    [exclusive] = of(found, "timeout-exclusive")
    assert exclusive.evidence_dict()["exits"] == {"sla": ["Closed"], "silence": ["(end of run)"]}
    [apart] = of(found, "timeout-no-coincidence")
    assert apart.statuses == ("In progress", "Expired")
    core = apart.evidence_dict()["unsat_core"]
    assert any("SLA deadline (1-72 hours): 3600-259200s" in label for label in core)
    assert any("no answer for 30 days = 2592000s" in label for label in core)


# -- agreement of the two encodings -------------------------------------------------------
@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.stem if t else "bundled")
def test_z3_rules_are_the_machine_steps(table: Path | None) -> None:
    """Every rule of the encoding, evaluated on every reachable state, allows exactly the
    successors the machine gives, and every path the search finds replays in z3."""
    model = load_model(table)
    encoding = Encoding(model)
    system = encoding.system()
    graph = unfold(model)
    values = [NONE, *range(len(encoding.statuses))]
    causes = [NONE, *range(len(encoding.causes))]
    for state in graph.nodes:
        now = encoding.encode(state)
        expected = {encoding.decode(encoding.encode(step.target))[0]
                    for step in successors(model, state) if step.target is not None}
        allowed = set()
        for rule in system.rules:
            if rule.target is None:
                continue
            for remembered, cause in product(values, causes):
                after = {STATUS: rule.target, REMEMBERED: remembered, CAUSE: cause}
                if evaluate(rule.formula, now, after):
                    allowed.add(encoding.decode(after)[0])
        assert allowed == expected, state
    initial = [s for s, first in graph.nodes(data="initial") if first]
    for state in list(graph.nodes)[:40]:
        path = _path(graph, initial, state)
        labels = [next(r.label for r in system.rules
                       if r.transition == graph.get_edge_data(a, b)[0]["transition"])
                  for a, b in pairwise(path)]
        assert solver.check_path(system, [encoding.encode(s) for s in path], labels)
        if len(path) > 1:  # a wrong state on the path is rejected
            broken = [encoding.encode(s) for s in path]
            broken[-1] = {**broken[-1], REMEMBERED: len(encoding.statuses) + 5}
            assert not solver.check_path(system, broken, labels)


def _path(graph: Any, initial: list[State], state: State) -> list[State]:
    import networkx as nx
    paths = nx.multi_source_dijkstra_path(graph, initial)
    return list(paths[state])


def _agreement(model: Model) -> tuple[bool, bool, bool]:
    """(explicit search finds a violation, the proof succeeds, bounded z3 search finds one)."""
    spec = history_spec(model)
    assert spec is not None
    hg = explore(model, spec)
    found = history_checks(model)
    explicit = bool(of(found, "history-violation"))
    assert not of(found, "check-disagreement")
    verdict = prove_restoration(model, spec, hg)
    encoding = Encoding(model, spec.interruption)
    bad = restoration_bad(encoding, model, spec)
    # a shortest counterexample is no longer than the longest shortest path of the search
    depth = max(len(hg.search.path(node)) for node in hg.search.order)
    path = solver.bounded_search(encoding.system(), bad.formula(), depth, "restoration")
    return explicit, verdict.proved, path is not None


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.stem if t else "bundled")
def test_explicit_search_and_z3_agree(table: Path | None) -> None:
    model = load_model(table)
    explicit, proved, bounded = _agreement(model)
    assert explicit == bounded == (not proved)
    assert explicit == (table in (UNGUARDED, TICKET))


NAMES = ["Open", "Held", "Paused", "Working", "Review", "Queued"]


@st.composite
def history_tables(draw: st.DrawFn) -> tuple[str, tuple[str, ...] | None]:
    """A table with random steps, history guards and (sometimes) a remembering set."""
    count = draw(st.integers(3, 6))
    names = NAMES[:count]
    rows = []
    for index, name in enumerate(names):
        nexts = draw(st.lists(st.sampled_from(names), max_size=3, unique=True))
        entries: list[str] = list(nexts)
        if draw(st.booleans()):
            was = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
            listed = " or ".join(was)
            entries.append(f"{listed} if the ticket was in {listed} status")
        if draw(st.booleans()):
            entries.append("Done")
        rows.append((name, "A status.", "none" if index == 0 else "", entries))
    rows.append(("Done", "The end.", "", ["none"]))
    remember = draw(st.one_of(st.none(), st.lists(st.sampled_from(names), min_size=1,
                                                  max_size=3, unique=True).map(tuple)))
    return scraped_text(rows), remember


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history_tables())
def test_generated_tables_agree(case: tuple[str, tuple[str, ...] | None]) -> None:
    text, remember = case
    amendments = None if remember is None else AmendmentSet(
        path="test.amend.toml", history=HistoryDecl(remember, "test"))
    model = interpret(load_text(text, "generated.txt"), "union", amendments)
    if history_spec(model) is None:
        return
    explicit, proved, bounded = _agreement(model)
    assert explicit == bounded == (not proved)


# -- the solver layer ---------------------------------------------------------------------------
def test_unknown_is_never_a_pass() -> None:
    """A real unknown: the pigeonhole problem (11 pigeons, 10 holes) is hard for z3, and with
    a short time limit it answers unknown, which raises."""
    holes = 10
    pigeons = [(f"pigeon {i}", In(Var(f"p{i}"), tuple(range(holes)))) for i in range(holes + 1)]
    apart = [(f"pigeons {i} and {j} apart", ne(Var(f"p{i}"), Var(f"p{j}")))
             for i in range(holes + 1) for j in range(i + 1, holes + 1)]
    with pytest.raises(SolverUnknownError, match=r"z3 answered unknown for pigeons .*; the "
                                                 r"question is not settled"):
        solver.check(pigeons + apart, "pigeons", timeout_ms=100)


@pytest.mark.parametrize("check", ["history", "guards", "timeouts"])
def test_solver_unknown_becomes_a_finding(rescue: Model, monkeypatch: pytest.MonkeyPatch,
                                          check: str) -> None:
    """With z3's work capped (a deterministic resource limit), z3 answers unknown: each check
    reports solver-unknown (an error), never a pass."""
    monkeypatch.setattr(solver, "RESOURCE_LIMIT", 1)
    run = {"history": history_checks, "guards": guard_checks, "timeouts": timeout_checks}[check]
    found = run(rescue)
    unsettled = of(found, "solver-unknown")
    assert unsettled and all(f.severity is Severity.ERROR for f in unsettled)
    assert all("z3 answered unknown" in f.message for f in unsettled)
    assert not of(found, "history-proved") and not of(found, "timeout-exclusive")
    # only Timed out's guards needed no z3 query (its cause exits are timeouts.py's)
    assert [f.statuses for f in of(found, "guards-exclusive")] in ([], [("Timed out",)])


# -- the command line ---------------------------------------------------------------------------
def test_check_exit_codes() -> None:
    assert run_cli(["check"])[0] == 0
    assert run_cli(["check", str(UNGUARDED)])[0] == 1
    assert run_cli(["check", str(FORGETS)])[0] == 1
    assert run_cli(["check", str(UNCONDITIONAL)])[0] == 1
    code, out, err = run_cli(["check", str(UNGUARDED), "--no-formal"])
    assert (code, err) == (0, "")
    assert "history-violation" not in out


def test_check_prints_counterexample_traces() -> None:
    code, out, _ = run_cli(["check", str(UNGUARDED)])
    assert code == 1
    assert ("    line 152: Rebooting -> Incoming can be taken when the run was not in Incoming "
            "before the interruption") in out
    assert ("      counterexample: back to Incoming though the run was in Active before the "
            "interruption\n"
            "        0. Connecting  (start)\n"
            "        1. Waiting  (line 75)\n"
            "        2. Active  (line 199)\n"
            "        3. Rebooting [remembered=Active]  (line 20)\n"
            "        4. Incoming  (line 152; not restored: the run was in Active before)\n"
            ) in out


def test_check_json_carries_the_traces() -> None:
    code, out, _ = run_cli(["check", str(UNGUARDED), "--format", "json"])
    assert code == 1
    data = json.loads(out)
    violations = [f for f in data["findings"] if f["code"] == "history-violation"]
    assert len(violations) == 16
    trace = violations[0]["evidence"]["trace"]
    assert trace["steps"][0]["transition"] is None
    assert {"status", "remembered", "cause", "delay", "transition", "note"} <= set(
        trace["steps"][-1])


@pytest.mark.parametrize(("name", "args", "exit_code"), [
    ("formal/check-unguarded.txt", ["check", "rescue-unguarded.txt"], 1),
    ("formal/check-offline-forgets.txt", ["check", "rescue-offline-forgets.txt"], 1),
    ("formal/check-ticket.txt", ["check", "ticket-history.txt", "--properties",
                                 "ticket-history.properties"], 1),
    ("formal/check-ticket.json", ["check", "ticket-history.txt", "--format", "json"], 1),
])
def test_formal_golden(golden: Golden, monkeypatch: pytest.MonkeyPatch, name: str,
                       args: list[str], exit_code: int) -> None:
    monkeypatch.chdir(FORMAL)
    code, out, err = run_cli(args)
    assert (code, err) == (exit_code, "")
    golden(name, out)


def test_check_is_deterministic() -> None:
    first = run_cli(["check", "--format", "json"])
    assert first == run_cli(["check", "--format", "json"])
    assert str(GOLDEN.parent.parent) not in first[1]


def test_solver_timeout_option() -> None:
    code, _, err = run_cli(["check", "--solver-timeout", "0"])
    assert code == 2
    assert "--solver-timeout must be a positive number of seconds" in err


@pytest.mark.slow
def test_check_as_a_real_process() -> None:
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "statusproof", "check", str(UNGUARDED)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert "history-violation (16)" in result.stdout


Check = Callable[[Model], list[Finding]]


@pytest.mark.parametrize("check", [history_checks, guard_checks, timeout_checks])
def test_checks_are_pure_and_repeatable(rescue: Model, check: Check) -> None:
    assert check(rescue) == check(rescue)


@pytest.mark.parametrize("name", ["statusproof.checks.system", "statusproof.checks.solver",
                                  "statusproof.checks.properties", "statusproof.model.clocks"])
def test_doctests(name: str) -> None:
    import doctest
    import importlib
    assert doctest.testmod(importlib.import_module(name)).failed == 0


def _doc_blocks() -> list[str]:
    import re
    text = (Path(__file__).resolve().parent.parent / "docs" / "formal-checks.md").read_text(
        encoding="utf-8")
    return [m[1] for m in re.finditer(r"^```console\n(.*?)^```", text, re.MULTILINE | re.DOTALL)]


@pytest.mark.parametrize("block", _doc_blocks(), ids=lambda b: b.split("\n")[0][:60])
def test_docs_console_blocks_are_real_output(monkeypatch: pytest.MonkeyPatch,
                                             block: str) -> None:
    """Every line a console block of docs/formal-checks.md shows is printed by its command."""
    import shlex
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    printed: set[str] | None = None
    for line in block.splitlines():
        if line.startswith("$ statusproof "):
            _, out, err = run_cli(shlex.split(line)[2:])
            printed = {shown.strip() for shown in (out + err).splitlines()}
            continue
        if line.strip() in ("", "..."):
            continue
        assert printed is not None, "a console block starts with its command"
        assert line.strip() in printed, f"not what statusproof prints:\n{line}"
