"""Helpers shared by the subcommands: JSON output; the table arguments (from :mod:`.tables`)."""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any, TextIO

from .tables import add_table_arguments, load_from_args

if TYPE_CHECKING:
    import json

__all__ = ["add_table_arguments", "cycle_collection_paused", "load_from_args", "write_json"]


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Run a table-sized command without Python's cyclic garbage collector.

    Loading, interpreting and checking a table allocate millions of objects that live to the
    end (the table, the model, the findings) and make almost no cyclic garbage: with the
    collector on, its passes over the growing heap took a fifth of ``check``'s CPU on a
    100,000-status chain (6.4 of 31.8 s) and 1.4 of 19.9 s on a 10,000-status generated
    table. What it would have freed is small and bounded by the table: 56,571 objects at the
    end of that chain, 13,534 for that generated table (``docs/benchmarks.md``). Objects
    without cycles are still freed at once by reference counting. The collector's state is
    restored on the way out.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def write_json(data: Any, out: TextIO) -> None:
    """JSON with sorted-free but stable key order (as built), two-space indent, final newline.

    A top-level object is written one member at a time, and a top-level member that is a list
    or an iterator one item at a time, so that a long list of findings is never held as one
    string (nor, given an iterator, as one list). The bytes are those of
    ``json.dumps(data, indent=2, ensure_ascii=False)``.
    """
    if not isinstance(data, dict) or not data or not all(type(k) is str for k in data):
        out.write(_dumps(data))
        out.write("\n")
        return
    out.write("{")
    for number, (key, value) in enumerate(data.items()):
        out.write(("," if number else "") + "\n  " + _dumps(key) + ": ")
        if isinstance(value, list | Iterator):
            _write_items(value, out)
        else:
            out.write(_dumps(value).replace("\n", "\n  "))
    out.write("\n}\n")


def _write_items(items: Iterable[Any], out: TextIO) -> None:
    """A list, a batch of items at a time, indented as inside the top-level object.

    One call of the encoder per batch, not per item, is four times faster on 100,000 small
    findings; the batch grows while its text stays small and shrinks back to one item when
    items are large (long witnesses), so that memory stays bounded by the largest item."""
    iterator = iter(items)
    first = True
    size, written = 1, 0
    while batch := list(islice(iterator, size)):
        # (orjson once a long list is seen: importing it costs more than a short list's text)
        body = _dumps(batch, fast=written >= _FAST_FROM)[1:-2]  # without "[" and "\n]"
        out.write(("[" if first else ",") + body.replace("\n", "\n  "))
        first = False
        written += len(batch)
        size = min(size * 2, 1000) if len(body) < 100_000 else 1
    out.write("[]" if first else "\n  ]")


@cache
def _encoder() -> json.JSONEncoder:
    """The one encoder (json is imported on the first JSON output: text runs never need it)."""
    import json

    return json.JSONEncoder(indent=2, ensure_ascii=False)


@cache
def _orjson() -> Any:
    """The orjson module (imported on the first long list: see :data:`_FAST_FROM`)."""
    import orjson

    return orjson


#: The items :func:`_write_items` writes with the json module before it uses orjson. Importing it
#: (with the dataclasses, inspect, uuid and datetime modules it imports) costs some 35 ms, the
#: json module's time for about 1,500 findings; the bundled table's check has 116.
_FAST_FROM = 511


def _dumps(value: Any, fast: bool = False) -> str:
    """``value`` as ``json.dumps(value, indent=2, ensure_ascii=False)`` writes it.

    orjson writes the same text some twenty times faster (2.2 -> 0.11 s for the 100,000
    findings of a chain), but not for every value: it writes ``1e-05`` as ``0.00001`` and
    ``NaN`` as ``null``, passes an ``Enum`` by its value, refuses integers beyond 64 bits, keys
    that are not strings and lone surrogates. So it is used only for values made of plain
    ``str``, ``int``, ``bool``, ``None``, lists, tuples, dictionaries with text keys, and
    floats that it writes as ``repr`` does (:func:`_plain`); anything else, or anything orjson
    refuses, is written by the json module, exactly as before. Without ``fast``, always the
    json module."""
    if fast:
        orjson = _orjson()
        try:
            if _plain(value, orjson):
                text: str = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
                return text
        except (TypeError, RecursionError):  # orjson's refusals (JSONEncodeError is a
            pass  # TypeError: big integers, surrogates, depth) and depths beyond the walk's
    return _encoder().encode(value)


def _plain(value: Any, orjson: Any) -> bool:
    """Whether orjson writes ``value`` as the json module does (see :func:`_dumps`)."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return True
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or not _plain(item, orjson):
                return False
        return True
    if kind is list or kind is tuple:
        for item in value:  # noqa: SIM110 (a loop: no generator frame per list)
            if not _plain(item, orjson):
                return False
        return True
    if kind is float:
        return bool(float.__repr__(value) == orjson.dumps(value).decode())
    return False
