"""Property-based tests: random tables in the scraped text format, written, loaded,
interpreted and checked.

Hypothesis draws tables with random Next and Previous lists mixing every rule (names, short
names of qualified rows, undefined names, ``none``, ``See X status.``, history and condition
guards, conditional ends, triggers, empty cells, wrapped lines) and checks what must hold for
every table: nothing but StatusproofError is ever raised, witnesses are real shortest paths from
an entry point, unreachable statuses have none, traps really cannot end, the policies nest, the
loader keeps every entry, and the same input always gives the same JSON.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import networkx as nx
from conftest import scraped_text
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.checks import CATALOGUE, graph_checks
from statusproof.checks.report import check_to_dict
from statusproof.model.errors import StatusproofError, TableFormatError
from statusproof.model.graph import status_graph
from statusproof.model.interpret import interpret
from statusproof.model.loaders import load_table_text
from statusproof.model.model import POLICIES, Model
from statusproof.model.names import normalise
from statusproof.model.record import replace
from statusproof.model.serialize import model_to_dict
from statusproof.model.table import Column

WORDS = ["Open", "Held", "Pending", "Review", "Closed", "Waiting", "Active", "Queued",
         "Paused", "Archived", "Escalated", "Draft"]
QUALIFIERS = ["by agent", "after timeout", "by customer"]

Row = tuple[str, str, list[str], list[str]]
SETTINGS = settings(max_examples=100, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def status_names(draw: st.DrawFn) -> list[str]:
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=7, unique=True))
    names = []
    for word in words:
        second = draw(st.sampled_from(["", "", " Again", " Later"]))
        qualifier = draw(st.sampled_from(["", "", "", *(f" ({q})" for q in QUALIFIERS)]))
        names.append(word + second + qualifier)
    return names


def wrapped(draw: st.DrawFn, entry: str) -> str:
    """Sometimes wrap an entry over two lines, as scraped text does."""
    words = entry.split(" ")
    if len(words) > 2 and draw(st.booleans()):
        cut = draw(st.integers(1, len(words) - 1))
        return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
    return entry


@st.composite
def entries(draw: st.DrawFn, names: list[str], column: Column) -> list[str]:
    mentions = names + [n.split(" (")[0] for n in names if " (" in n]
    name = st.sampled_from(mentions)
    ghost = st.sampled_from(["Ghost", "Limbo", "Nowhere Land"])
    kinds = [
        name, name, name, ghost,
        st.just("none"),
        st.builds("{} if the customer agrees".format, name),
        st.builds(lambda a, b: f"{a} or {b} if the item was in {a} or {b} status before",
                  name, name),
        st.builds(lambda a: f"{a} if it was in {a} status", name),
        st.builds("See {} status.".format, st.one_of(name, ghost)),
    ]
    if column is Column.NEXT:
        kinds.append(st.just("none if the clock runs out"))
        kinds.append(st.just("the item is archived after a very long time"))
    else:
        kinds.append(st.just("The customer writes to the help desk today"))
    items = draw(st.lists(st.one_of(kinds), max_size=4))
    return [wrapped(draw, item) for item in items]


@st.composite
def tables(draw: st.DrawFn) -> list[Row]:
    names = draw(status_names())
    rows: list[Row] = []
    for name in names:
        rows.append((name, draw(st.sampled_from(["", "A status.", "Waits for\nsomething."])),
                     draw(entries(names, Column.PREVIOUS)), draw(entries(names, Column.NEXT))))
    if draw(st.booleans()):  # a duplicate row now and then
        rows.append(draw(st.sampled_from(rows)))
    return rows


def check(text: str, policy: str = "union") -> tuple[Model, tuple[Any, ...]]:
    model = interpret(load_table_text(text, "t.txt", "text"), policy)
    return model, graph_checks(model)


@SETTINGS
@given(tables())
def test_loader_keeps_every_entry(rows: list[Row]) -> None:
    table = load_table_text(scraped_text(rows), "t.txt")
    assert table.format == "text"
    assert [r.name for r in table.rows] == [name for name, *_ in rows]
    for row, (_, description, previous, nexts) in zip(table.rows, rows, strict=True):
        assert [e.text for e in row.previous.entries] == [" ".join(e.split()) for e in previous]
        assert [e.text for e in row.next.entries] == [" ".join(e.split()) for e in nexts]
        assert row.description.text == " ".join(description.split())


@SETTINGS
@given(tables(), st.sampled_from(POLICIES))
def test_checks_hold_their_invariants(rows: list[Row], policy: str) -> None:
    model, checked = check(scraped_text(rows), policy)
    # a verdict made inconclusive by an unread cell keeps what the check said, as read
    findings = [f if f.code != "inconclusive" else
                replace(f, code=f.evidence_dict()["check"]) for f in checked]
    uncertain = any(t.depends for t in model.transitions)
    graph = status_graph(model)
    lines = scraped_text(rows).count("\n")
    for f in checked:
        assert f.severity is CATALOGUE[f.code].severity
        assert f.span is None or (f.span.path == "t.txt" and 1 <= f.span.line <= lines)
        assert all(s in model.names for s in f.statuses)

    reachable = set(model.entries)
    for entry in model.entries:
        reachable |= nx.descendants(graph, entry)
    witnessed = {f.statuses[0]: f.witness for f in findings if f.code == "reachable-status"}
    assert set(witnessed) == reachable
    for status, witness in witnessed.items():
        assert witness[0] in model.entries and witness[-1] == status
        assert all(w in reachable for w in witness)
        for a, b in itertools.pairwise(witness):
            assert any(t.target == b for t in model.outgoing(a))
        shortest = min(nx.shortest_path_length(graph, e, status) for e in model.entries
                       if nx.has_path(graph, e, status))
        # (a witness that would take a step depending on an unread cell is replaced by a
        # path of certain steps, which may be longer)
        assert len(witness) - 1 == shortest or uncertain

    unreachable = {f.statuses[0] for f in findings if f.code == "unreachable-status"}
    assert all(not f.witness for f in findings if f.code == "unreachable-status")
    if model.entries:
        assert unreachable == set(model.names) - reachable
    else:
        assert unreachable == set()
        assert [f.code for f in findings if f.code == "no-entry-point"] == ["no-entry-point"]

    traps = {f.statuses[0] for f in findings if f.code == "no-path-to-terminal"}
    terminals = set(model.terminals)
    for status in model.names:
        can_end = status in terminals or bool(nx.descendants(graph, status) & terminals)
        assert (status in traps) is not can_end


@SETTINGS
@given(tables())
def test_policies_nest(rows: list[Row]) -> None:
    text = scraped_text(rows)
    steps = {}
    for policy in POLICIES:
        model = interpret(load_table_text(text, "t.txt"), policy)
        steps[policy] = {(t.source, t.target, t.guard) for t in model.transitions}
        if policy == "union":
            both = {(t.source, t.target, t.guard) for t in model.transitions
                    if t.columns == frozenset({Column.NEXT, Column.PREVIOUS})}
    for policy in ("next", "previous", "intersection"):
        assert steps[policy] <= steps["union"]
    assert both <= steps["intersection"]
    assert steps["intersection"] <= steps["next"] | steps["previous"]


@SETTINGS
@given(tables())
def test_same_input_same_json(rows: list[Row]) -> None:
    text = scraped_text(rows)
    first, second = check(text), check(text)
    for (model, findings), other in ((first, second), (second, first)):
        assert json.dumps(check_to_dict(model, findings, True)) == json.dumps(
            check_to_dict(other[0], other[1], True))
        assert json.dumps(model_to_dict(model)) == json.dumps(model_to_dict(other[0]))


@SETTINGS
@given(tables())
def test_statuses_are_the_rows_then_the_undefined(rows: list[Row]) -> None:
    model, _ = check(scraped_text(rows))
    first_rows: list[str] = []
    for name, *_ in rows:
        if normalise(name) not in {normalise(n) for n in first_rows}:
            first_rows.append(name)
    defined = [s.name for s in model.statuses if s.defined]
    assert defined == first_rows
    assert len({normalise(n) for n in model.names}) == len(model.names)
    for status in model.statuses:
        if not status.defined:
            assert status.terminal is None or not model.outgoing(status.name)


@st.composite
def damaged(draw: st.DrawFn) -> str:
    """A table text with lines deleted, duplicated, or replaced by junk."""
    lines = scraped_text(draw(tables())).split("\n")
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["delete", "duplicate", "junk", "pipe"]))
        if action == "delete" and len(lines) > 1:
            del lines[where]
        elif action == "duplicate":
            lines.insert(where, lines[where])
        elif action == "junk":
            lines[where] = draw(st.text(max_size=30))
        else:
            lines.insert(where, "|" + draw(st.text(max_size=10)))
    return "\n".join(lines)


@SETTINGS
@given(damaged())
def test_damaged_tables_fail_cleanly(text: str) -> None:
    try:
        table = load_table_text(text, "t.txt")
    except TableFormatError as e:
        assert e.problems
        for problem in e.problems:
            assert problem.path == "t.txt"
            assert str(problem).startswith("t.txt:")
        return
    except StatusproofError:
        raise AssertionError("a loader raised something other than TableFormatError") from None
    model = interpret(table)
    graph_checks(model)
