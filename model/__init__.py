"""The model layer: table text -> loaders -> raw table -> interpretation -> immutable model.

:func:`load_model` is the whole pipeline; the bundled table (the LogMeIn Rescue session
statuses, verbatim) and its reviewed amendment file are the default input.
"""

from __future__ import annotations

from pathlib import Path

from .amend import AmendmentSet, load_amendments
from .errors import StatusproofError
from .interpret import interpret
from .loaders import load_table
from .model import Model

__all__ = ["BUNDLED_TABLE", "BUNDLED_PREFIX", "display_name", "bundled_table",
           "bundled_amendments", "default_amendments", "load_model"]

BUNDLED_TABLE = "rescue-session-statuses.txt"
#: How messages and outputs name the bundled files, the same on every machine.
BUNDLED_PREFIX = "<bundled>/"
_AMEND_SUFFIX = ".amend.toml"


def bundled_table() -> Path:
    """The path of the bundled table (package data, installed beside this module; not
    through importlib.resources, whose import costs more than a small check)."""
    return Path(__file__).resolve().with_name("data") / BUNDLED_TABLE


def bundled_amendments() -> Path:
    """The path of the bundled table's reviewed amendment file."""
    return bundled_table().with_name(Path(BUNDLED_TABLE).stem + _AMEND_SUFFIX)


def default_amendments(table: Path) -> Path | None:
    """The amendment file that sits beside ``table`` (``NAME.amend.toml``), if any."""
    candidate = table.with_name(table.stem + _AMEND_SUFFIX)
    return candidate if candidate.is_file() else None


def display_name(path: Path, bundled: bool) -> str:
    """How a file is named in messages: as given, or ``<bundled>/NAME`` for package data."""
    return BUNDLED_PREFIX + path.name if bundled else str(path)


def load_model(
    table: str | Path | None = None,
    *,
    raw: bool = False,
    policy: str = "union",
    input_format: str | None = None,
    amendments: str | Path | None = None,
) -> Model:
    """Load and interpret a table (the bundled one when ``table`` is None).

    The amendment file is ``amendments`` when given, else the ``NAME.amend.toml`` beside the
    table; ``raw`` ignores amendments and interprets the table alone.
    """
    path = bundled_table() if table is None else Path(table)
    loaded = load_table(path, input_format, display_name(path, table is None))
    amendment_set: AmendmentSet | None = None
    if not raw:
        amend_path = Path(amendments) if amendments is not None else default_amendments(path)
        if amend_path is not None:
            bundled = table is None and amendments is None
            amendment_set = load_amendments(amend_path, display_name(amend_path, bundled))
    elif amendments is not None:
        raise StatusproofError("--raw checks the table alone; do not give an amendment file too")
    return interpret(loaded, policy, amendment_set)
