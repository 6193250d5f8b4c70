"""Records: ``@record`` classes behave as ``@dataclass(frozen=True)`` and cost a fraction to make.

On Python 3.11, ``dataclass(frozen=True)`` compiles six small functions per class (one ``exec``
each) and importing :mod:`dataclasses` brings :mod:`inspect` (with ``ast``, ``dis`` and
``tokenize``); with about 120 classes that was the largest part of starting ``statusproof
check`` that statusproof itself owns (some 60 ms of the quarter-second budget). A record
compiles only its ``__init__`` (it runs once per instance, so it must be as fast as the one
dataclasses writes) and gets the other methods as closures over its field names, with the
behaviour of dataclasses: equality between instances of the same class on the compared fields,
the hash of the same tuple, the same ``repr`` text, ordering by the same tuple (``order=True``),
:class:`FrozenInstanceError` on assignment or deletion unless ``frozen=False`` (a mutable
record, like ``@dataclass``: equal by value, unhashable). A method the class defines itself is
kept. :func:`field`, :func:`fields` and :func:`replace` work as their dataclasses namesakes.

What this module owns: the class mechanics. It does not support what statusproof does not use
(``InitVar``, ``kw_only``, ``slots``); such a class is refused with a message.
``tests/test_record.py`` holds records to ``dataclass(frozen=True)``, ``dataclass(order=True)``
and ``dataclass()`` on generated classes. Python 3.13's dataclasses compile one function per
class, which would make most of this unnecessary there.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter, ge, gt, le, lt
from typing import TYPE_CHECKING, Any, TypeVar, overload

__all__ = ["record", "field", "fields", "replace", "Field", "FrozenInstanceError", "MISSING"]

T = TypeVar("T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: No default given.
MISSING: Any = _Missing()


class FrozenInstanceError(AttributeError):
    """Assignment to, or deletion of, a field of a frozen record."""


class Field:
    """One field of a record, as :func:`field` declares it (defaults: a plain field)."""

    __slots__ = (
        "compare",
        "default",
        "default_factory",
        "hash",
        "init",
        "name",
        "repr",
        "type",
    )

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING,
                 init: bool = True, repr: bool = True, hash: bool | None = None,
                 compare: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init = init
        self.repr = repr
        self.hash = hash
        self.compare = compare

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING, init: bool = True,
          repr: bool = True, hash: bool | None = None, compare: bool = True) -> Any:
    """A field with a default, a default factory, or left out of init, repr, hash or compare."""
    return Field(default, default_factory, init, repr, hash, compare)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in order."""
    try:
        return obj.__record_fields__  # type: ignore[no-any-return]
    except AttributeError:
        raise TypeError("must be called with a record class or instance") from None


def replace(obj: T, /, **changes: Any) -> T:
    """A copy of the record ``obj`` with ``changes`` (field name -> value), made by ``__init__``
    (a dataclass instance is handed to :func:`dataclasses.replace`)."""
    if not hasattr(obj, "__record_fields__"):
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for f in fields(obj):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False, it cannot be "
                                 "specified with replace()")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


def _key(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of ``names``' values (a tuple even for one name, as dataclasses hash)."""
    if len(names) == 1:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    if not names:
        return lambda obj: ()
    return attrgetter(*names)


def _from_dataclasses(spec: Any) -> Field:
    """A ``dataclasses.field()`` (in a module that declares dataclasses too) as a Field."""
    missing = __import__("sys").modules["dataclasses"].MISSING
    return Field(MISSING if spec.default is missing else spec.default,
                 MISSING if spec.default_factory is missing else spec.default_factory,
                 spec.init, spec.repr, spec.hash, spec.compare)


def _collect(cls: type) -> tuple[Field, ...]:
    """The fields of ``cls``: its bases' (in reverse method resolution order), then its own
    annotations in order, each replacing a base field of the same name."""
    collected: dict[str, Field] = {}
    for base in cls.__mro__[-1:0:-1]:
        for f in base.__dict__.get("__record_fields__", ()):
            collected[f.name] = f
    own = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 (inspect costs start-up)
    for name, annotation in own.items():
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if text.startswith(("ClassVar", "typing.ClassVar")):
            continue
        if "InitVar" in text or "KW_ONLY" in text:
            raise TypeError(f"{cls.__qualname__}: a record has no InitVar or KW_ONLY fields")
        default = cls.__dict__.get(name, MISSING)
        spec = (default if isinstance(default, Field) else _from_dataclasses(default)
                if type(default).__module__ == "dataclasses" and type(default).__name__ == "Field"
                else Field(default))
        spec.name, spec.type = name, annotation
        if isinstance(spec.default, list | dict | set):
            raise ValueError(f"{cls.__qualname__}: mutable default {type(spec.default)} for "
                             f"field {name} is not allowed: use default_factory")
        if spec.default is MISSING:
            if name in cls.__dict__:
                delattr(cls, name)  # a field() without a default leaves no class attribute
        else:
            setattr(cls, name, spec.default)
        collected[name] = spec
    return tuple(collected.values())


def _init(cls: type, all_fields: tuple[Field, ...], frozen: bool) -> Any:
    """The ``__init__`` dataclasses would write, compiled in one ``exec`` (its globals are the
    module's, so that its annotations resolve; its helpers are closure variables)."""
    helpers: dict[str, Any] = {"__record_factory": MISSING}
    if frozen:
        helpers["__record_set"] = object.__setattr__
    params: list[str] = []
    body: list[str] = []
    defaulted = False

    def assign(name: str, value: str) -> str:
        return (f"__record_set(self, {name!r}, {value})" if frozen
                else f"self.{name} = {value}")

    for f in all_fields:
        if f.name == "self" or f.name.startswith("__record_"):
            raise TypeError(f"{cls.__qualname__}: a record cannot have a field named {f.name!r}")
        if f.default is not MISSING:
            helpers[f"__record_d_{f.name}"] = f.default
        if f.default_factory is not MISSING:
            helpers[f"__record_f_{f.name}"] = f.default_factory
        if not f.init:
            if f.default is not MISSING:
                body.append(assign(f.name, f"__record_d_{f.name}"))
            elif f.default_factory is not MISSING:
                body.append(assign(f.name, f"__record_f_{f.name}()"))
            continue
        if f.default is not MISSING:
            params.append(f"{f.name}=__record_d_{f.name}")
        elif f.default_factory is not MISSING:
            params.append(f"{f.name}=__record_factory")
        elif defaulted:
            raise TypeError(f"{cls.__qualname__}: non-default argument {f.name!r} follows "
                            "default argument")
        else:
            params.append(f.name)
        defaulted = defaulted or f.default is not MISSING or f.default_factory is not MISSING
        body.append(assign(f.name, f"__record_f_{f.name}() if {f.name} is __record_factory "
                                   f"else {f.name}" if f.default_factory is not MISSING
                           else f.name))
    if hasattr(cls, "__post_init__"):
        body.append("self.__post_init__()")
    source = (f"def __record_make({', '.join(helpers)}):\n"
              f" def __init__(self{''.join(', ' + p for p in params)}):\n"
              + "".join(f"  {line}\n" for line in body or ["pass"])
              + " return __init__\n")
    module = __import__("sys").modules.get(cls.__module__)
    namespace: dict[str, Any] = {}
    exec(source, vars(module) if module is not None else {}, namespace)
    init = namespace["__record_make"](**helpers)
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__annotations__ = {**{f.name: f.type for f in all_fields if f.init}, "return": None}
    return init


def _methods(cls: type, all_fields: tuple[Field, ...], frozen: bool) -> dict[str, Any]:
    names = frozenset(f.name for f in all_fields)
    shown = tuple(f.name for f in all_fields if f.repr)
    compare_key = _key(tuple(f.name for f in all_fields if f.compare))
    hash_key = _key(tuple(f.name for f in all_fields
                          if (f.compare if f.hash is None else f.hash)))
    base: Any = cls

    def __repr__(self: Any) -> str:
        inner = ", ".join([f"{name}={getattr(self, name)!r}" for name in shown])
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compare_key(self) == compare_key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hash_key(self))

    def ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], Any]:
        def method(self: Any, other: Any) -> Any:  # (a bool, or NotImplemented)
            if other.__class__ is self.__class__:
                return compare(compare_key(self), compare_key(other))
            return NotImplemented
        return method

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is base or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        super(base, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is base or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        super(base, self).__delattr__(name)

    made = {"__repr__": __repr__, "__eq__": __eq__, "__hash__": __hash__,
            "__lt__": ordering(lt), "__le__": ordering(le), "__gt__": ordering(gt),
            "__ge__": ordering(ge)}
    if frozen:
        made.update({"__setattr__": __setattr__, "__delattr__": __delattr__})
    return made


def _make(cls: type[T], frozen: bool, order: bool) -> type[T]:
    own = dict(cls.__dict__)
    for base in cls.__mro__[1:-1]:
        if "__record_fields__" in base.__dict__ and base.__dict__["__record_frozen__"] != frozen:
            raise TypeError(f"{cls.__qualname__}: cannot inherit a "
                            f"{'' if frozen else 'non-'}frozen record from a "
                            f"{'non-' if frozen else ''}frozen one")
    if "__slots__" in own:
        raise TypeError(f"{cls.__qualname__}: a record has no __slots__")
    if frozen and ("__setattr__" in own or "__delattr__" in own):
        raise TypeError(f"{cls.__qualname__}: a frozen record cannot define __setattr__ or "
                        "__delattr__")
    all_fields = _collect(cls)
    type.__setattr__(cls, "__record_fields__", all_fields)
    type.__setattr__(cls, "__record_frozen__", frozen)
    if "__match_args__" not in own:
        type.__setattr__(cls, "__match_args__", tuple(f.name for f in all_fields if f.init))
    if "__init__" not in own:
        type.__setattr__(cls, "__init__", _init(cls, all_fields, frozen))
    methods = _methods(cls, all_fields, frozen)
    wanted = ["__repr__", "__eq__"]
    if order:
        for name in ("__lt__", "__le__", "__gt__", "__ge__"):
            if name in own:
                raise TypeError(f"{cls.__qualname__}: an ordered record cannot define {name}")
            wanted.append(name)
    if frozen:
        wanted += ["__setattr__", "__delattr__"]
    for name in wanted:
        if name not in own:
            methods[name].__qualname__ = f"{cls.__qualname__}.{name}"
            type.__setattr__(cls, name, methods[name])
    class_hash = own.get("__hash__", MISSING)
    if class_hash is MISSING or (class_hash is None and "__eq__" in own):
        # as dataclasses: frozen and compared records hash their fields; mutable ones do not
        hashing = methods["__hash__"] if frozen else None
        if hashing is not None:
            hashing.__qualname__ = f"{cls.__qualname__}.__hash__"
        type.__setattr__(cls, "__hash__", hashing)
    return cls


if TYPE_CHECKING:
    from typing_extensions import dataclass_transform

    @overload
    def record(cls: type[T], /) -> type[T]: ...

    @overload
    def record(*, frozen: bool = True, order: bool = False) -> Callable[[type[T]], type[T]]: ...

    @dataclass_transform(frozen_default=True, field_specifiers=(field, Field))
    def record(cls: type[T] | None = None, /, *, frozen: bool = True,
               order: bool = False) -> Any: ...
else:
    def record(cls=None, /, *, frozen=True, order=False):
        """``@record``, or ``@record(frozen=False)`` / ``@record(order=True)``."""
        if cls is None:
            return lambda c: _make(c, frozen, order)
        return _make(cls, frozen, order)
