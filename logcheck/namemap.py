"""Name maps: from the status strings a system records to the statuses of the model.

This module owns the map file format and the resolution of a recorded name. A recorded name
resolves, in this order:

1. by the map file: to one status, to a list of statuses ("one of these": the record does not
   say which), or to an empty list (the system has this status but the table does not: it is
   *unmodelled*, and reported as drift);
2. automatically, when it names exactly one status of the model: the same name with case,
   spacing and a final full stop ignored, or the same words once a parenthesised qualifier's
   brackets are dropped ("Closed by active customer" for "Closed (by active customer)");
3. otherwise it is *unknown*: reported, never guessed.

Map files are TOML::

    about = "what the map is for"
    [status]
    "Closed by technician" = "Removed from TC queue (after closed by technician)"
    "Closed by customer" = ["Closed (by active customer)", "Closed by waiting customer"]
    "Transferring" = []

or plain lines ``recorded = table status`` (``#`` starts a comment; several statuses are
separated by ``|``; nothing after ``=`` means unmodelled). Every status a map names must be a
status of the model; a mistake is reported with its line and the closest names.

The bundled map for the Rescue getSession status strings (package data of
:mod:`statusproof.model`) is the default for the bundled Rescue table. Reading records is
:mod:`statusproof.logcheck.records`'s job; checking them is
:mod:`statusproof.logcheck.checker`'s.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from pathlib import Path

from statusproof.model import BUNDLED_PREFIX, BUNDLED_TABLE, display_name
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model
from statusproof.model.names import did_you_mean, normalise
from statusproof.model.record import record

__all__ = [
    "MapError",
    "Resolution",
    "Kind",
    "NameMap",
    "parse_map",
    "load_map",
    "bundled_map",
    "default_map",
    "BUNDLED_MAP",
]

#: The bundled map's file name (in ``statusproof.model``'s data folder).
BUNDLED_MAP = "rescue-getsession.map.toml"

_BRACKETS = re.compile(r"[()\[\]]")


class MapError(StatusproofError):
    """A map file is malformed or names a status the model does not have."""


class Kind(Enum):
    """How a recorded name was resolved."""

    MAPPED = "mapped"  # by the map file
    AUTOMATIC = "automatic"  # it names a status of the model
    UNMODELLED = "unmodelled"  # the map says the table has no such status
    UNKNOWN = "unknown"  # neither the map nor the model knows it


@record
class Resolution:
    """What a recorded name stands for: ``statuses`` (empty unless mapped or automatic)."""

    name: str
    kind: Kind
    statuses: tuple[str, ...] = ()
    reason: str = ""

    @property
    def known(self) -> bool:
        return bool(self.statuses)


def _loose(name: str) -> str:
    """The comparison key with brackets dropped: 'Closed (by x)' and 'Closed by x' agree."""
    return normalise(_BRACKETS.sub(" ", name))


@dataclass
class NameMap:
    """Resolves recorded names against a model (results are cached per name)."""

    model: Model
    entries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""
    _cache: dict[str, Resolution] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._exact = {normalise(n): n for n in self.model.names}
        loose: dict[str, list[str]] = {}
        for name in self.model.names:
            loose.setdefault(_loose(name), []).append(name)
        self._loose = loose
        self._mapped = {normalise(k): v for k, v in self.entries.items()}

    def resolve(self, recorded: str) -> Resolution:
        """The resolution of ``recorded`` (see the module docstring for the order).

        >>> from statusproof.model import load_model
        >>> names = NameMap(load_model())
        >>> names.resolve("Closed by active customer").statuses
        ('Closed (by active customer)',)
        >>> names.resolve("Frozen").kind
        <Kind.UNKNOWN: 'unknown'>
        """
        cached = self._cache.get(recorded)
        if cached is not None:
            return cached
        result = self._resolve(recorded)
        self._cache[recorded] = result
        return result

    def _resolve(self, recorded: str) -> Resolution:
        key = normalise(recorded)
        if key in self._mapped:
            targets = self._mapped[key]
            if not targets:
                return Resolution(recorded, Kind.UNMODELLED, (),
                                  f"the map ({self.source}) says the table has no such status")
            return Resolution(recorded, Kind.MAPPED, targets, f"map {self.source}")
        if key in self._exact:
            return Resolution(recorded, Kind.AUTOMATIC, (self._exact[key],), "same name")
        candidates = self._loose.get(_loose(recorded), [])
        if len(candidates) == 1:
            return Resolution(recorded, Kind.AUTOMATIC, (candidates[0],),
                              "same words without brackets")
        if len(candidates) > 1:
            return Resolution(recorded, Kind.UNKNOWN, (),
                              "matches several statuses (" + ", ".join(candidates)
                              + "); say which in a map file (--map)")
        hint = did_you_mean(recorded, self.model.names)
        return Resolution(recorded, Kind.UNKNOWN, (),
                          f"not a status of the table and not in the map{hint} "
                          "(map it with --map)")

    def recorded_name(self, status: str) -> str:
        """The name to record ``status`` under: a map entry that stands for it alone, else its
        own name (used by the record generator)."""
        for recorded, targets in sorted(self.entries.items()):
            if targets == (status,):
                return recorded
        return status


def _line_of(text: str, key: str) -> int:
    """The 1-based line where ``key`` appears first as a key, or 1."""
    pattern = re.compile(r'^\s*(?:"' + re.escape(key) + r'"|' + re.escape(key) + r")\s*=",
                         re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _check_target(model: Model, name: str, where: str) -> str:
    index = {normalise(n): n for n in model.names}
    resolved = index.get(normalise(name))
    if resolved is not None:
        return resolved
    hint = did_you_mean(name, model.names, 0.6) or "; statuses: " + ", ".join(model.names)
    raise MapError(f"{where}: {name!r} is not a status of the table {model.path}{hint}")


def _parse_toml(text: str, path: str, model: Model) -> dict[str, tuple[str, ...]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise MapError(f"{path}: not valid TOML ({e}); write 'recorded = \"status\"' entries "
                       "under [status]") from e
    extra = sorted(set(data) - {"about", "table", "status"})
    if extra:
        raise MapError(f"{path}: unknown key(s) {', '.join(extra)}; a map file has 'about', "
                       "'table' and a [status] table")
    table = data.get("status", {})
    if not isinstance(table, dict):
        raise MapError(f"{path}: 'status' must be a table of 'recorded = \"status\"' entries")
    entries: dict[str, tuple[str, ...]] = {}
    for recorded, value in table.items():
        where = f"{path}:{_line_of(text, recorded)}"
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise MapError(f"{where}: the entry for {recorded!r} must be a status name or a list "
                           "of status names ([] when the table has no such status)")
        entries[recorded] = tuple(_check_target(model, v, where) for v in values)
    return entries


def _parse_lines(text: str, path: str, model: Model) -> dict[str, tuple[str, ...]]:
    entries: dict[str, tuple[str, ...]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        where = f"{path}:{number}"
        if "=" not in line:
            raise MapError(f"{where}: expected 'recorded name = table status'; got {line!r}")
        recorded, _, value = (part.strip() for part in line.partition("="))
        if not recorded:
            raise MapError(f"{where}: the recorded name before '=' is empty")
        targets = [v.strip() for v in value.split("|") if v.strip()]
        entries[recorded] = tuple(_check_target(model, v, where) for v in targets)
    return entries


def parse_map(text: str, path: str, model: Model, toml: bool | None = None) -> NameMap:
    """A name map from text; TOML when ``toml`` (by default: when ``path`` ends in .toml).

    >>> from statusproof.model import load_model
    >>> names = parse_map("Busy = Active\\nGone =\\n", "m.map", load_model())
    >>> names.resolve("busy").statuses, names.resolve("Gone").kind.value
    (('Active',), 'unmodelled')
    """
    use_toml = path.endswith(".toml") if toml is None else toml
    entries = _parse_toml(text, path, model) if use_toml else _parse_lines(text, path, model)
    return NameMap(model, entries, path)


def load_map(path: str | Path, model: Model, name: str | None = None) -> NameMap:
    """Read a map file (TOML if it ends in ``.toml``, else ``recorded = status`` lines)."""
    path = Path(path)
    shown = str(path) if name is None else name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise MapError(f"{shown}: cannot read the map file: {e.strerror or e}") from e
    return parse_map(text, shown, model, path.suffix == ".toml")


def bundled_map() -> Path:
    """The bundled map of Rescue's getSession status strings."""
    return Path(str(resources.files("statusproof.model").joinpath("data", BUNDLED_MAP)))


def default_map(model: Model) -> NameMap:
    """The map used when none is given: the bundled Rescue map for the bundled Rescue table,
    else no entries (names resolve automatically or are reported unknown)."""
    if model.path == BUNDLED_PREFIX + BUNDLED_TABLE:
        path = bundled_map()
        return load_map(path, model, display_name(path, True))
    return NameMap(model, {}, "no map")
