"""Status names: normalising, qualifiers, and the short-name / ambiguous-family rules."""

from __future__ import annotations

import doctest

import pytest

import statusproof.model.names as names_module
from statusproof.model.names import NameIndex, looks_like_name, normalise, split_qualifier


def test_doctests() -> None:
    assert doctest.testmod(names_module).failed == 0


@pytest.mark.parametrize(("raw", "key"), [
    ("Closed", "closed"),
    ("  On   Hold. ", "on hold"),
    ("Closed by\ntechnician", "closed by technician"),
    ("STRASSE", "strasse"),
    ("Straße", "strasse"),  # casefold, not lower
])
def test_normalise(raw: str, key: str) -> None:
    assert normalise(raw) == key


@pytest.mark.parametrize(("name", "parts"), [
    ("Closed (by active customer)", ("Closed", "by active customer")),
    ("Removed from TC queue (after timeout)", ("Removed from TC queue", "after timeout")),
    ("Closed(by agent)", ("Closed", "by agent")),
    ("Waiting", ("Waiting", None)),
    ("(Draft)", ("(Draft)", None)),  # nothing before the brackets: not a qualifier
    ("A (x) (y)", ("A (x)", "y")),  # only the last bracket is the qualifier
])
def test_split_qualifier(name: str, parts: tuple[str, str | None]) -> None:
    assert split_qualifier(name) == parts


@pytest.mark.parametrize(("text", "expected"), [
    ("Closed by waiting customer", True),
    ("Removed from TC queue (after closed by technician)", True),
    ("PIN code generated or channel connection is initiated", False),
    ("Customer sends an email or fills in the support form", False),
    ("The session ended.", False),
    ("- Open", False),
    ("", False),
])
def test_looks_like_name(text: str, expected: bool) -> None:
    assert looks_like_name(text) is expected


def test_full_name_and_unique_short_name_resolve() -> None:
    index = NameIndex.build(["Open", "Closed (after resolution)"], ["Closed", "open"])
    assert index.resolve("open") == "Open"
    assert index.resolve("Closed (after resolution)") == "Closed (after resolution)"
    assert index.resolve("closed") == "Closed (after resolution)"
    assert index.resolve("Closed.") == "Closed (after resolution)"
    assert index.resolve("Archived") is None


def test_ambiguous_family_keeps_the_bare_name_apart() -> None:
    """Another qualified variant mentioned anywhere makes the bare name a status of its own."""
    rows = ["Queued", "Removed (after close)"]
    alone = NameIndex.build(rows, ["Removed"])
    assert alone.resolve("Removed") == "Removed (after close)"
    family = NameIndex.build(rows, ["Removed", "Removed (after timeout)"])
    assert family.resolve("Removed") is None
    assert family.resolve("Removed (after close)") == "Removed (after close)"


def test_two_qualified_rows_make_the_short_name_ambiguous() -> None:
    index = NameIndex.build(["Closed (by customer)", "Closed (by agent)"], ["Closed"])
    assert index.resolve("Closed") is None


def test_a_row_with_the_bare_name_wins() -> None:
    index = NameIndex.build(["Done", "Done (by agent)"], ["Done"])
    assert index.resolve("Done") == "Done"
    assert index.resolve("Done (by agent)") == "Done (by agent)"


def test_aliases_come_first_and_first_duplicate_row_wins() -> None:
    index = NameIndex.build(["Open", "open", "Gone (for good)"], [],
                            {"Shut by agent": "Gone (for good)"})
    assert index.resolve("shut BY agent") == "Gone (for good)"
    assert index.resolve("OPEN") == "Open"
