"""Loaders: every supported table format read into the same :class:`StatusTable`.

This package owns reading files: decoding, detecting the format by content, and turning each
format's cells into :class:`~statusproof.model.table.Cell` objects with line numbers. It does
not interpret cell text; that is :mod:`statusproof.model.interpret`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import InputProblem, TableFormatError
from ..table import StatusTable

__all__ = ["FORMATS", "load_table", "load_table_bytes", "load_table_text", "detect_format"]

#: Format name -> (module, loader, detector); the order is the order auto-detection tries them
#: in. A format's module is imported only when a table may be in it (start-up).
_MODULES: dict[str, tuple[str, str, str]] = {
    "html": ("html", "load_html", "looks_like_html"),
    "markdown": ("markdown", "load_markdown", "looks_like_markdown"),
    "text": ("text", "load_text", "looks_like_text"),
    "csv": ("csvtable", "load_csv", "looks_like_csv"),
}
FORMATS: tuple[str, ...] = tuple(_MODULES)
#: what a table in the format cannot lack (a ``<table`` tag; a ``---|`` delimiter row): a text
#: without it is not in the format, and its loader need not be imported to say so
_NEEDS: dict[str, Callable[[str], object]] = {
    "html": re.compile(r"<table[\s>/]", re.IGNORECASE).search,
    "markdown": re.compile(r"-[ \t:]*\|").search,
}


def _part(name: str, which: int) -> Callable[..., Any]:
    module, *functions = _MODULES[name]
    found: Callable[..., Any] = getattr(import_module(f"{__name__}.{module}"),
                                           functions[which])
    return found


def detect_format(text: str) -> str | None:
    """Name the format ``text`` is written in, judged by content, or None."""
    for name in FORMATS:
        needs = _NEEDS.get(name)
        if (needs is None or needs(text)) and _part(name, 1)(text):
            return name
    return None


def load_table_text(text: str, path: str, input_format: str | None = None) -> StatusTable:
    """Load a table from text; ``input_format`` forces a format, else it is detected."""
    if input_format is None:
        input_format = detect_format(text)
        if input_format is None:
            raise TableFormatError([InputProblem(
                path, 1,
                "cannot tell the table format: no '|' cells, HTML <table> or CSV header found; "
                f"use --input-format with one of {', '.join(FORMATS)}",
            )])
    if input_format not in _MODULES:
        raise TableFormatError([InputProblem(
            path, 1, f"unknown input format {input_format!r}; use one of {', '.join(FORMATS)}"
        )])
    table: StatusTable = _part(input_format, 0)(text, path)
    return table


def load_table(
    path: str | Path, input_format: str | None = None, name: str | None = None
) -> StatusTable:
    """Read a table file: decode it as UTF-8 and load it in its (detected) format.

    ``name`` is how messages and source spans refer to the file (default: ``path``).
    """
    name = str(path) if name is None else name
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise TableFormatError([InputProblem(name, 0, "no such file; check the path")]) from None
    except IsADirectoryError:
        raise TableFormatError(
            [InputProblem(name, 0, "is a directory, not a table file")]) from None
    except OSError as e:
        raise TableFormatError([InputProblem(name, 0, f"cannot be read: {e.strerror}")]) from e
    return load_table_bytes(data, name, input_format)


def load_table_bytes(data: bytes, name: str, input_format: str | None = None,
                     what: str = "the file", fix: str = "save",
                     empty: str = "a status table needs at least one row") -> StatusTable:
    """Load a table from the bytes of a file (or of standard input): refuse empty, binary
    and non-UTF-8 data with its line, decode (a BOM dropped), unify line ends, load.

    ``what`` names the source in messages (``the file``, ``standard input``), ``fix`` the
    verb of the remedy for bad bytes (``save``, ``send``) and ``empty`` what to do when there
    is nothing."""
    if not data.strip():
        raise TableFormatError([InputProblem(name, 1, f"{what} is empty; {empty}")])
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise TableFormatError([InputProblem(name, line, f"{what} is binary (it holds NUL "
                                             "bytes), not a text table")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise TableFormatError([InputProblem(
            name, line, f"byte {e.start} is not UTF-8; {fix} the table as UTF-8 text")]) from e
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return load_table_text(text, name, input_format)
