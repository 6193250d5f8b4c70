"""Immutable records: ``@record`` is ``@dataclass(frozen=True)``, made in a fraction of the time.

On Python 3.11, ``dataclass(frozen=True)`` compiles six small functions per class (``__init__``,
``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``), one ``exec`` each;
with the hundred-odd records of statusproof that was the largest single cost of starting
``statusproof check``. ``record`` lets :mod:`dataclasses` collect the fields (so ``fields``,
``replace``, ``asdict`` and ``__match_args__`` work as for any dataclass), compiles only the
``__init__`` (it runs once per instance, so it should be as fast as the one dataclasses would
write), and gives the other five methods as closures over the field names, with the same
behaviour: equality between instances of the same class on the compared fields, the hash of the
same tuple, the same ``repr`` text, and :class:`dataclasses.FrozenInstanceError` on assignment
or deletion. A class that defines one of these methods itself keeps its own, as with dataclasses.

``tests/test_record.py`` holds ``record`` to ``dataclass(frozen=True)`` on generated classes.
What it does not support (``InitVar``, ``kw_only``, ``order``, ``slots``) is refused, so a class
that needs them says ``@dataclass(frozen=True, ...)`` instead.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

__all__ = ["record"]

T = TypeVar("T")


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of ``names``' values (a tuple even for one name, as dataclasses hash)."""
    if len(names) == 1:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


def _init(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> Any:
    """The ``__init__`` dataclasses would write for a frozen class, compiled in one ``exec``."""
    names: dict[str, Any] = {"__record_set": object.__setattr__,
                             "__record_factory": dataclasses.MISSING}
    params: list[str] = []
    body: list[str] = []
    defaulted = False
    for f in fields:
        if f.name == "self" or f.name.startswith("__record_"):
            raise TypeError(f"{cls.__qualname__}: a record cannot have a field named {f.name!r}")
        has_default = f.default is not dataclasses.MISSING
        has_factory = f.default_factory is not dataclasses.MISSING
        if has_default:
            names[f"__record_d_{f.name}"] = f.default
        if has_factory:
            names[f"__record_f_{f.name}"] = f.default_factory
        if not f.init:
            if has_default:
                body.append(f"__record_set(self, {f.name!r}, __record_d_{f.name})")
            elif has_factory:
                body.append(f"__record_set(self, {f.name!r}, __record_f_{f.name}())")
            continue
        if has_default:
            params.append(f"{f.name}=__record_d_{f.name}")
        elif has_factory:
            params.append(f"{f.name}=__record_factory")
        elif defaulted:
            raise TypeError(f"{cls.__qualname__}: non-default argument {f.name!r} follows "
                            "default argument")
        else:
            params.append(f.name)
        defaulted = defaulted or has_default or has_factory
        value = (f"__record_f_{f.name}() if {f.name} is __record_factory else {f.name}"
                 if has_factory else f.name)
        body.append(f"__record_set(self, {f.name!r}, {value})")
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = (f"def __init__(self{''.join(', ' + p for p in params)}):\n"
              + "".join(f" {line}\n" for line in body or ["pass"]))
    exec(source, names)  # the text is made above from the field names alone
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**{f.name: f.type for f in fields if f.init}, "return": None}
    return init


def _methods(cls: type, fields: tuple[dataclasses.Field[Any], ...]) -> dict[str, Any]:
    all_names = frozenset(f.name for f in fields)
    base: Any = cls
    shown = tuple(f.name for f in fields if f.repr)
    compare_key = _key(tuple(f.name for f in fields if f.compare))
    hash_key = _key(tuple(f.name for f in fields
                          if (f.compare if f.hash is None else f.hash)))

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(compare_key(self) == compare_key(other))
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hash_key(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in all_names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(base, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in all_names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(base, self).__delattr__(name)

    return {"__repr__": __repr__, "__eq__": __eq__, "__hash__": __hash__,
            "__setattr__": __setattr__, "__delattr__": __delattr__}


def _record(cls: type[T]) -> type[T]:
    if "__setattr__" in cls.__dict__ or "__delattr__" in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: a record cannot define __setattr__ or "
                        "__delattr__")
    own = dict(cls.__dict__)
    documented = bool(cls.__doc__)
    dataclasses.dataclass(cls, init=False, repr=False, eq=False)
    every = tuple(cls.__dict__["__dataclass_fields__"].values())
    if any("InitVar" in str(f.type) for f in every):
        raise TypeError(f"{cls.__qualname__}: InitVar fields need @dataclass(frozen=True)")
    if any(f.kw_only is True for f in every):
        raise TypeError(f"{cls.__qualname__}: kw_only fields need @dataclass(frozen=True)")
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if "__init__" not in own:
        type.__setattr__(cls, "__init__", _init(cls, fields))
    methods = _methods(cls, fields)
    for name in ("__repr__", "__eq__", "__setattr__", "__delattr__"):
        if name not in own:
            methods[name].__qualname__ = f"{cls.__qualname__}.{name}"
            type.__setattr__(cls, name, methods[name])
    class_hash = own.get("__hash__", dataclasses.MISSING)
    if class_hash is dataclasses.MISSING or (class_hash is None and "__eq__" in own):
        methods["__hash__"].__qualname__ = f"{cls.__qualname__}.__hash__"
        type.__setattr__(cls, "__hash__", methods["__hash__"])
    if not documented:  # dataclasses wrote the signature of the __init__ it did not make
        import inspect

        type.__setattr__(cls, "__doc__", cls.__name__ + str(inspect.signature(cls)).replace(
            " -> None", ""))
    return cls


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
    def record(cls: type[T]) -> type[T]: ...
else:
    record = _record
