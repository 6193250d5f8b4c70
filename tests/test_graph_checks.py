"""Graph checks: every finding code they produce, with its evidence and table line.

Each code is shown on a small table that produces it (fixture files under
tests/fixtures/tables/ and inline tables), then the catalogue is checked against what the
checks can emit.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import networkx as nx
import pytest
from conftest import TABLES, scraped_text

from statusproof.checks import CATALOGUE, GRAPH_CHECKS, Finding, Severity, graph_checks
from statusproof.checks.findings import finding, sort_findings
from statusproof.checks.report import CHECK_SCHEMA, check_to_dict, counts
from statusproof.model import load_model
from statusproof.model.graph import shortest_witnesses, status_graph
from statusproof.model.interpret import interpret
from statusproof.model.loaders.text import load_text
from statusproof.model.model import Model

TICKET = TABLES / "ticket-lifecycle.txt"
TRAP = TABLES / "ticket-trap.txt"
COLUMNS_TABLE = TABLES / "ticket-columns.txt"
REVIEW = TABLES / "ticket-lifecycle.review.toml"


def model_of(rows: list[tuple[str, str | list[str], str | list[str], str | list[str]]]
             ) -> Model:
    return interpret(load_text(scraped_text(rows), "t.txt"))


def by_code(findings: tuple[Finding, ...], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def summary(findings: list[Finding]) -> list[tuple[tuple[str, ...], int | None]]:
    return [(f.statuses, f.line) for f in findings]


def test_every_graph_check_is_a_pure_function_of_the_model() -> None:
    model = load_model(TICKET)
    for check in GRAPH_CHECKS:
        assert check(model) == check(model)
    assert graph_checks(model) == graph_checks(load_model(TICKET))


def test_severity_always_comes_from_the_catalogue() -> None:
    for path in (TICKET, TRAP, COLUMNS_TABLE):
        for f in graph_checks(load_model(path)):
            assert f.severity is CATALOGUE[f.code].severity
    assert finding("empty-cell", "m").severity is Severity.INFO
    with pytest.raises(KeyError):
        finding("no-such-code", "m")


def test_entry_points() -> None:
    found = by_code(graph_checks(load_model(TICKET)), "entry-point")
    assert summary(found) == [(("New",), 4)]
    assert found[0].message == ("'New' is an entry point (external trigger: 'Customer sends an "
                                "email or fills in the support form')")
    assert found[0].evidence_dict() == {
        "triggers": ["Customer sends an email or fills in the support form"]}


def test_no_entry_point() -> None:
    model = model_of([("Open", "o", ["Closed"], ["Closed"]), ("Closed", "c", ["Open"], "none")])
    findings = graph_checks(model)
    (none,) = by_code(findings, "no-entry-point")
    assert none.severity is Severity.ERROR
    assert none.span is None
    assert "no status is an entry point" in none.message
    # without an entry point nothing is called unreachable: the cause is reported once
    assert by_code(findings, "unreachable-status") == []
    assert by_code(findings, "reachable-status") == []


def test_reachable_statuses_carry_a_shortest_witness() -> None:
    model = load_model(TICKET)
    found = {f.statuses[0]: f for f in by_code(graph_checks(model), "reachable-status")}
    assert set(found) == set(model.names)
    assert found["Expired"].witness == ("New", "Open", "Pending", "Expired")
    assert found["Expired"].message == "'Expired' is reachable: New -> Open -> Pending -> Expired"
    assert found["Expired"].line == 77
    graph = status_graph(model)
    for name, f in found.items():
        assert f.witness[0] in model.entries
        assert f.witness[-1] == name
        assert all(graph.has_edge(a, b) for a, b in itertools.pairwise(f.witness))
        assert len(f.witness) - 1 == min(
            nx.shortest_path_length(graph, entry, name) for entry in model.entries
            if nx.has_path(graph, entry, name))


def test_unreachable_and_no_incoming() -> None:
    findings = graph_checks(load_model(TRAP))
    (unreachable,) = by_code(findings, "unreachable-status")
    assert summary([unreachable]) == [(("Lost",), 28)]
    assert unreachable.witness == ()
    assert unreachable.severity is Severity.ERROR
    assert "'Lost' cannot be reached from any entry point (Open)" in unreachable.message
    assert summary(by_code(findings, "no-incoming")) == [(("Lost",), 28)]


def test_no_incoming_is_not_reported_for_a_row_entered_from_an_unreachable_one() -> None:
    model = model_of([
        ("Open", "o", "none", ["Closed"]),
        ("Closed", "c", ["Open"], "none"),
        ("Lost", "l", "", ["Gone"]),
        ("Gone", "g", ["Lost"], "none"),
    ])
    findings = graph_checks(model)
    assert [f.statuses for f in by_code(findings, "no-incoming")] == [("Lost",)]
    assert [f.statuses for f in by_code(findings, "unreachable-status")] == [("Lost",),
                                                                            ("Gone",)]


def test_traps() -> None:
    findings = graph_checks(load_model(TRAP))
    traps = by_code(findings, "no-path-to-terminal")
    assert summary(traps) == [(("Waiting",), 14), (("Looping",), 19)]
    waiting, looping = traps
    assert waiting.witness == ("Open", "Waiting")
    assert looping.witness == ("Open", "Waiting", "Looping")
    assert waiting.evidence_dict() == {"confined_to": ["Waiting", "Looping"]}
    assert waiting.message == (
        "no terminal status can be reached from 'Waiting'; a run there stays within "
        "{Waiting, Looping}: give one of them a next status that leads to a terminal")


def test_an_undocumented_next_cell_is_a_trap_too() -> None:
    model = model_of([("Open", "o", "none", ["Held"]), ("Held", "h", ["Open"], "")])
    assert [f.statuses for f in by_code(graph_checks(model), "no-path-to-terminal")] == [
        ("Open",), ("Held",)]


def test_terminal_kinds() -> None:
    found = by_code(graph_checks(load_model(TICKET)), "terminal-status")
    assert [(f.statuses[0], f.evidence_dict()["kind"], f.line) for f in found] == [
        ("Spam", "exit", 8),
        ("Closed (after resolution)", "documented", 75),
        ("Expired", "conditional", 84),
    ]
    expired = found[2]
    assert expired.evidence_dict()["conditions"] == [
        "cause of Expired = the retention policy deleted it"]
    assert expired.message.endswith("[cause of Expired = the retention policy deleted it]")


def test_undefined_statuses() -> None:
    model = model_of([
        ("Open", "o", ["Imported"], ["Spam", "Closed"]),
        ("Closed", "c", ["Open"], "none"),
        ("Held", "h", "none", ["Spam", "Imported"]),
    ])
    found = by_code(graph_checks(model), "undefined-status")
    assert summary(found) == [(("Imported", "Held"), 4), (("Spam", "Open", "Held"), 6)]
    assert found[1].message == ("'Spam' has no row: named as a next status of 'Open', 'Held'; "
                                "kept as an exit; add a row for it or fix the name")
    assert "named in a Previous cell" in found[0].message


def test_column_mismatch_both_directions_and_undocumented_links() -> None:
    findings = graph_checks(load_model(COLUMNS_TABLE))
    mismatches = by_code(findings, "column-mismatch")
    assert [(f.statuses, f.line, f.evidence_dict()) for f in mismatches] == [
        (("Draft", "Archived"), 7, {"listed_in": "next", "other_cell_line": 26}),
        (("Draft", "Rejected"), 21, {"listed_in": "previous", "other_cell_line": 5}),
        (("Review", "Archived"), 26, {"listed_in": "previous", "other_cell_line": 12}),
    ]
    assert mismatches[0].message == (
        "'Draft' lists 'Archived' as a next status, but the Previous cell of 'Archived' "
        "(line 26) does not list 'Draft'; add it there, or remove it from this cell")
    assert mismatches[1].message.startswith(
        "'Rejected' lists 'Draft' as a previous status, but the Next cell of 'Draft' (line 5)")
    (undocumented,) = by_code(findings, "undocumented-link")
    assert (undocumented.statuses, undocumented.line) == (("Draft", "Published"), 6)
    assert undocumented.message == ("'Draft' lists 'Published' as a next status; the Previous "
                                    "cell of 'Published' is empty (not documented)")
    (empty,) = by_code(findings, "empty-cell")
    assert (empty.statuses, empty.line, empty.evidence_dict()) == (
        ("Published",), 16, {"column": "previous"})


def test_a_filled_cell_is_located_in_the_amendment_file(tmp_path: Path) -> None:
    amend = tmp_path / "a.toml"
    amend.write_text('[[fill]]\nstatus = "Published"\ncolumn = "previous"\n'
                     'entries = ["Review"]\nsource = "editor"\n')
    findings = graph_checks(load_model(COLUMNS_TABLE, amendments=amend))
    messages = [f.message for f in by_code(findings, "column-mismatch")]
    assert (f"'Draft' lists 'Published' as a next status, but the Previous cell of 'Published' "
            f"({amend}:1) does not list 'Draft'; add it there, or remove it from this cell"
            in messages)


def test_interpretation_notes_become_findings() -> None:
    model = model_of([
        ("Open", "o", "none", "See Hold status."),
        ("Held", "h", "See Paused status.", ["Open", "the ticket is archived after a year"]),
        ("Paused", "p", "See Held status.", "none"),
        ("Open", "again", "none", "none"),
    ])
    findings = graph_checks(model)
    assert [(f.code, f.statuses, f.line) for f in findings
            if f.code in ("unresolved-reference", "duplicate-status", "uninterpreted-entry")] == [
        ("duplicate-status", ("Open",), 18),
        ("unresolved-reference", ("Open",), 4),
        ("unresolved-reference", ("Held", "Paused"), 15),
        ("uninterpreted-entry", ("Held",), 11),
    ]


def test_guarded_transitions() -> None:
    found = by_code(graph_checks(load_model(TICKET)), "guarded-transition")
    assert [(f.statuses, f.line) for f in found] == [
        (("On Hold", "Open"), 43), (("On Hold", "Pending"), 43), (("On Hold", "Escalated"), 46),
        (("Resolved", "Open"), 66), (("Expired", "Closed (after resolution)"), 84),
        (("Expired",), 86),
    ]
    assert found[0].message == ("On Hold -> Open only when remembered = Open ('Open or Pending "
                                "if the ticket was in Open or Pending status before it was put "
                                "on hold')")
    assert found[0].evidence_dict() == {
        "guard": {"kind": "history", "variable": "remembered", "values": ["Open"]}}
    assert found[5].message.startswith("Expired -> (end) only when")


def test_amendment_findings_name_their_source() -> None:
    found = by_code(graph_checks(load_model(TICKET, amendments=REVIEW)), "amendment")
    assert len(found) == 6
    assert all(f.span is not None and f.span.path == str(REVIEW) for f in found)
    assert found[0].message == ("alias: 'Spam' is the row 'Closed (after resolution)' (source: "
                                "Support handbook: spam tickets are closed at once)")


def test_graph_checks_produce_every_graph_code() -> None:
    """Every catalogue code the graph checks own is produced by one of the fixture tables."""
    seen: set[str] = set()
    for path, amend in ((TICKET, None), (TICKET, REVIEW), (TRAP, None), (COLUMNS_TABLE, None)):
        seen |= {f.code for f in graph_checks(load_model(path, amendments=amend))}
    seen |= {f.code for f in graph_checks(model_of([
        ("Open", "o", ["Closed"], "See Hold status."),
        ("Closed", "c", ["Open"], ["prose is not a status name here at all"]),
        ("Open", "dup", "none", "none")]))}
    graph_codes = {"entry-point", "no-entry-point", "reachable-status", "unreachable-status",
                   "no-incoming", "undefined-status", "terminal-status", "no-path-to-terminal",
                   "column-mismatch", "undocumented-link", "empty-cell", "unresolved-reference",
                   "duplicate-status", "uninterpreted-entry", "guarded-transition", "amendment",
                   "outside-trigger", "free-choice", "inconclusive"}
    assert graph_codes <= set(CATALOGUE)
    assert seen == graph_codes


def test_sorting_is_by_severity_code_line() -> None:
    findings = graph_checks(load_model(TRAP))
    keys = [(f.severity.rank, f.code, f.line or 0) for f in findings]
    assert keys == sorted(keys)
    assert sort_findings(reversed(findings), {n: i for i, n in enumerate(
        load_model(TRAP).names)}) == findings


def test_check_report_schema() -> None:
    model = load_model(TRAP)
    findings = graph_checks(model)
    data = check_to_dict(model, findings, raw=True)
    assert data["schema"] == CHECK_SCHEMA == "statusproof/check/1"
    assert list(data) == ["schema", "table", "raw", "policy", "summary", "witnesses",
                          "findings"]
    with_path = [f for f in data["findings"] if len(f["witness"]) > 1]
    assert data["witnesses"] == {"max": 100, "shown": len(with_path), "omitted": 0}
    assert len(with_path) == 5
    # capped: the first two findings with a witness keep it, the others say null
    capped = check_to_dict(model, findings, raw=True, max_witness=2)
    assert capped["witnesses"] == {"max": 2, "shown": 2, "omitted": 3}
    kept = [f["witness"] for f in capped["findings"] if "witness_omitted" in f or
            len(f["witness"]) > 1]
    assert kept == [with_path[0]["witness"], with_path[1]["witness"], [], [], []]
    omitted = [f for f in capped["findings"] if "witness_omitted" in f]
    assert [f["witness_omitted"] for f in omitted] == [True] * 3
    assert list(omitted[0]) == ["code", "severity", "message", "statuses", "witness",
                                "location", "evidence", "witness_omitted"]
    assert all(f["evidence"] == {} for f in omitted if f["code"] == "no-path-to-terminal")
    assert data["summary"] == {
        "statuses": 5, "rows": 5, "undefined": 0, "entry_points": ["Open"],
        "terminals": ["Closed"], "transitions": 5,
        "findings": {"error": 3, "warning": 1, "info": 7},
    }
    assert counts(findings) == data["summary"]["findings"]
    first = data["findings"][0]
    assert list(first) == ["code", "severity", "message", "statuses", "witness", "location",
                           "evidence"]
    assert first["location"] == {"file": str(TRAP), "line": 14}


def test_shortest_witnesses_break_ties_by_table_order() -> None:
    model = model_of([
        ("Start", "s", "none", ["Left", "Right"]),
        ("Right", "r", ["Start"], ["End"]),
        ("Left", "l", ["Start"], ["End"]),
        ("End", "e", ["Left", "Right"], "none"),
    ])
    assert shortest_witnesses(model)["End"] == ("Start", "Right", "End")
