"""``@record`` behaves as ``@dataclass(frozen=True)`` (``order=True``, mutable): generated
classes, side by side."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.model import record as records
from statusproof.model.record import FrozenInstanceError, field, fields, record, replace

NAMES = st.sampled_from(["a", "b", "name", "line", "items", "x1", "value", "span"])


@st.composite
def specs(draw: Any) -> list[tuple[str, str, bool, bool]]:
    """Fields as (name, kind, compare, repr); kind: plain, default or factory (after plain)."""
    names = draw(st.lists(NAMES, unique=True, max_size=5))
    plain = draw(st.integers(0, len(names)))
    out = []
    for i, name in enumerate(names):
        kind = "plain" if i < plain else draw(st.sampled_from(["default", "factory"]))
        out.append((name, kind, draw(st.booleans()), draw(st.booleans())))
    return out


def _make(deco: Any, spec: list[tuple[str, str, bool, bool]], declare: Any = field) -> type:
    namespace: dict[str, Any] = {"__annotations__": {}, "__doc__": "A generated record.",
                                 "__module__": __name__}
    for name, kind, compare, shown in spec:
        namespace["__annotations__"][name] = "Any"
        if kind == "default":
            namespace[name] = declare(default=(name, 0), compare=compare, repr=shown)
        elif kind == "factory":
            namespace[name] = declare(default_factory=list, compare=compare, repr=shown)
        else:
            namespace[name] = declare(compare=compare, repr=shown)
    return deco(type("Rec", (), namespace))  # type: ignore[no-any-return]


def _outcome(action: Any) -> Any:
    try:
        return ("value", action())
    except Exception as e:  # the same exception type and text is what must match
        return ("raised", type(e).__name__, str(e))


OPTIONS = st.sampled_from([{}, {"order": True}, {"frozen": False}])


@settings(max_examples=200, deadline=None)
@given(specs(), st.lists(st.integers(0, 2), min_size=10, max_size=10), OPTIONS, st.booleans())
def test_record_matches_dataclass(spec: list[tuple[str, str, bool, bool]], values: list[int],
                                  options: dict[str, bool], dataclass_fields: bool) -> None:
    frozen = _make(dataclasses.dataclass(frozen=options.get("frozen", True),
                                         order=options.get("order", False)), spec,
                   dataclasses.field)
    # a record takes statusproof's field() or, in a module that declares dataclasses too,
    # dataclasses.field()
    mine = _make(record(**options), spec, dataclasses.field if dataclass_fields else field)
    plain = [name for name, kind, _, _ in spec if kind == "plain"]
    args = values[:len(plain)]
    other_args = values[len(plain):2 * len(plain)]
    a, b = frozen(*args), mine(*args)
    a2, b2 = frozen(*other_args), mine(*other_args)
    assert repr(a) == repr(b)
    assert _outcome(lambda: hash(a)) == _outcome(lambda: hash(b))
    assert _outcome(lambda: hash(a2)) == _outcome(lambda: hash(b2))
    assert (a == a2) == (b == b2)
    assert (a == a) and (b == b) and b != a and b.__eq__(a) is NotImplemented
    assert [f.name for f in fields(mine)] == [f.name for f in dataclasses.fields(frozen)]
    assert mine.__match_args__ == frozen.__match_args__
    assert list(inspect.signature(mine).parameters) == list(
        inspect.signature(frozen).parameters)
    if options.get("order"):
        for op in ("__lt__", "__le__", "__gt__", "__ge__"):
            assert getattr(b, op)(b2) == getattr(a, op)(a2)
            assert getattr(b, op)(a) is NotImplemented
    else:
        assert _outcome(lambda: b < b2) == _outcome(lambda: a < a2)
    if plain:
        changed = replace(b, **{plain[0]: 7})
        assert repr(changed) == repr(dataclasses.replace(a, **{plain[0]: 7}))
        assert _outcome(lambda: mine()) == _outcome(lambda: frozen())
    for name, *_ in spec:  # (last: on a mutable class these change b and a alike)
        assert _outcome(lambda n=name: setattr(b, n, 1)) == _outcome(
            lambda n=name: setattr(a, n, 1))
        assert _outcome(lambda n=name: delattr(b, n)) == _outcome(
            lambda n=name: delattr(a, n))
    assert _outcome(lambda: setattr(b, "other", 1)) == _outcome(lambda: setattr(a, "other", 1))


@record
class Point:
    """A module-level record, so that pickle can find it."""

    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list, hash=False)

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("x must not be negative")


@record
class Labelled(Point):
    """A record that extends another."""

    label: str = ""


def test_record_copies_pickles_and_inherits() -> None:
    p = Labelled(1, 2, ["t"], "here")
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p and copy.copy(p) == p
    assert repr(p) == "Labelled(x=1, y=2, tags=['t'], label='here')"
    assert p != Point(1, 2, ["t"]) and Point(1) == Point(1, 0, [])
    assert Point(1).tags is not Point(1).tags  # a fresh list each time, as dataclasses do
    with pytest.raises(ValueError, match="must not be negative"):
        Labelled(-1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'label'"):
        p.label = "else"  # type: ignore[misc]
    assert {p, copy.copy(p)} == {p}


def test_record_refuses_what_it_does_not_support() -> None:
    with pytest.raises(TypeError, match="cannot define __setattr__"):
        record(type("Bad", (), {"__setattr__": lambda self, n, v: None, "__annotations__": {}}))
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        record(type("Bad", (), {"__annotations__": {"a": "int", "b": "int"}, "a": 1}))
    with pytest.raises(TypeError, match="has no InitVar or KW_ONLY fields"):
        record(type("Bad", (), {"__annotations__": {"a": "dataclasses.InitVar[int]"}}))
    with pytest.raises(ValueError, match="mutable default <class 'list'> for field a"):
        record(type("Bad", (), {"__annotations__": {"a": "list[int]"}, "a": []}))
    with pytest.raises(TypeError, match="cannot inherit a non-frozen record from a frozen"):
        record(frozen=False)(type("Bad", (Point,), {"__annotations__": {}}))
    with pytest.raises(TypeError, match="a record has no __slots__"):
        record(type("Bad", (), {"__annotations__": {"a": "int"}, "__slots__": ("a",)}))
    with pytest.raises(TypeError, match="must be called with a record"):
        fields(3)


def test_replace_hands_dataclasses_to_dataclasses() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int

    assert replace(Plain(1), a=2) == Plain(2)


def test_check_does_not_import_dataclasses_for_records() -> None:
    assert "dataclasses" not in records.__dict__  # (start-up: dataclasses brings inspect)
