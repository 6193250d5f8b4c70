"""Configuration files: ``[tool.statusproof]`` in ``pyproject.toml``, or ``statusproof.toml``.

This module owns finding, reading and validating a project's configuration; applying it to a
command's options (where the command line always wins) is :func:`apply_config`'s job, called
by the commands. A configuration names the project's tables (each with its amendment file,
reconcile policy, input format and codes to ignore) and the defaults of the checks (reconcile
policy, severity threshold, codes to ignore, the formal-check time limits).

Discovery: ``--config FILE`` when given; otherwise the first of ``statusproof.toml`` and a
``pyproject.toml`` holding ``[tool.statusproof]``, in the current directory or the nearest
parent, stopping at the root of a git checkout. Paths inside a configuration are relative to
the file's directory.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from statusproof.checks.findings import CATALOGUE
from statusproof.model.errors import StatusproofError
from statusproof.model.loaders import FORMATS
from statusproof.model.model import POLICIES
from statusproof.model.names import did_you_mean
from statusproof.model.record import field, record

__all__ = ["ConfigError", "TableConfig", "Config", "find_config", "load_config",
           "SEVERITIES", "CONFIG_FILE"]

CONFIG_FILE = "statusproof.toml"
SEVERITIES = ("error", "warning", "info")

_TOP_KEYS = ("tables", "reconcile", "severity", "ignore", "solver-timeout", "formal-budget",
             "max-witness")
_TABLE_KEYS = ("path", "amendments", "reconcile", "input-format", "ignore", "raw")


class ConfigError(StatusproofError):
    """A configuration file that cannot be used."""


@record
class TableConfig:
    """One table of the project, with how to read and check it."""

    path: Path
    amendments: Path | None = None
    reconcile: str | None = None
    input_format: str | None = None
    ignore: tuple[str, ...] = ()
    raw: bool = False


@record
class Config:
    """A project's configuration (empty when there is no file)."""

    source: Path | None = None
    tables: tuple[TableConfig, ...] = ()
    reconcile: str | None = None
    severity: str | None = None
    ignore: tuple[str, ...] = ()
    solver_timeout: int | None = None
    formal_budget: float | None = None
    max_witness: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def table(self, path: Path) -> TableConfig | None:
        """The configuration of ``path``, when the project lists it."""
        try:
            wanted = path.resolve()
        except OSError:
            return None
        return next((t for t in self.tables if t.path.resolve() == wanted), None)


def _line_of(text: str, key: str) -> int:
    """The first line of ``text`` that sets ``key`` (1 when it cannot be found)."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f"{key} ", f"{key}=", f'"{key}"')):
            return number
    return 1


class _Reader:
    """Validates one configuration file, with ``file:line`` in every message."""

    def __init__(self, path: Path, text: str):
        self.path = path
        self.text = text

    def fail(self, key: str, problem: str) -> ConfigError:
        return ConfigError(f"{self.path}:{_line_of(self.text, key)}: {problem}")

    def check_keys(self, data: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                hint = (did_you_mean(key, allowed, 0.6)
                        or f"; the keys are {', '.join(allowed)}")
                raise self.fail(key, f"unknown key {key!r} in {where}{hint}")

    def choice(self, data: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if value not in choices:
            raise self.fail(key, f"{key} = {value!r} is not one of {', '.join(choices)}")
        return str(value)

    def codes(self, data: Mapping[str, Any], key: str = "ignore") -> tuple[str, ...]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f"{key} must be a list of finding codes, e.g. "
                                 f'{key} = ["column-mismatch"]')
        for code in value:
            if code not in CATALOGUE:
                hint = (did_you_mean(code, CATALOGUE, 0.6)
                        or "; see docs/findings.md for the codes")
                raise self.fail(key, f"{code!r} is not a finding code{hint}")
        return tuple(value)

    def number(self, data: Mapping[str, Any], key: str, integer: bool) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or (integer and not isinstance(value, int)) or value <= 0):
            kind = "a positive whole number" if integer else "a positive number"
            raise self.fail(key, f"{key} must be {kind} (seconds or a count), not {value!r}")
        return float(value)

    def file(self, data: Mapping[str, Any], key: str) -> Path | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"{key} must be a path (a string), relative to {self.path.name}")
        return (self.path.parent / value).resolve()

    def table(self, data: Any) -> TableConfig:
        if not isinstance(data, dict):
            raise self.fail("tables", "each entry of tables must be a table with a 'path' key: "
                                      '[[tool.statusproof.tables]] path = "docs/orders.md"')
        self.check_keys(data, _TABLE_KEYS, "a table entry")
        path = self.file(data, "path")
        if path is None:
            raise self.fail("tables", "a table entry has no 'path'; add path = \"FILE\"")
        raw = data.get("raw", False)
        if not isinstance(raw, bool):
            raise self.fail("raw", "raw must be true or false")
        return TableConfig(path, self.file(data, "amendments"),
                           self.choice(data, "reconcile", POLICIES),
                           self.choice(data, "input-format", tuple(sorted(FORMATS))),
                           self.codes(data), raw)

    def config(self, data: Mapping[str, Any]) -> Config:
        where = "[tool.statusproof]" if self.path.name == "pyproject.toml" else self.path.name
        self.check_keys(data, _TOP_KEYS, where)
        tables = data.get("tables", [])
        if not isinstance(tables, list):
            raise self.fail("tables", "tables must be an array of tables "
                                      "([[tool.statusproof.tables]] in pyproject.toml)")
        timeout = self.number(data, "solver-timeout", integer=True)
        witness = self.number(data, "max-witness", integer=True)
        return Config(
            source=self.path,
            tables=tuple(self.table(t) for t in tables),
            reconcile=self.choice(data, "reconcile", POLICIES),
            severity=self.choice(data, "severity", SEVERITIES),
            ignore=self.codes(data),
            solver_timeout=int(timeout) if timeout is not None else None,
            formal_budget=self.number(data, "formal-budget", integer=False),
            max_witness=int(witness) if witness is not None else None,
        )


def load_config(path: Path) -> Config:
    """Read and validate the configuration in ``path`` (a statusproof.toml or pyproject.toml)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as e:
        raise ConfigError(f"{path}: no such configuration file") from e
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the configuration: {e}") from e
    import tomllib  # (only here: most runs have no configuration, and it costs start-up)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get("statusproof")
        if section is None:
            return Config(source=None)
    else:
        section = data
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.statusproof] must be a table")
    return _Reader(path, text).config(section)


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``: the nearest ``statusproof.toml``, or
    ``pyproject.toml`` with a ``[tool.statusproof]`` table, up to the root of the checkout."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""  # not ours to judge: only a file that names statusproof is used
            if "statusproof" in text:  # (parse only the files that may have our table)
                import tomllib

                try:
                    if "statusproof" in tomllib.loads(text).get("tool", {}):
                        return pyproject
                except tomllib.TOMLDecodeError:
                    pass
        if (folder / ".git").exists():
            return None
    return None
