"""Loaders: every supported table format read into the same :class:`StatusTable`.

This package owns reading files: decoding, detecting the format by content, and turning each
format's cells into :class:`~statusproof.model.table.Cell` objects with line numbers. It does
not interpret cell text; that is :mod:`statusproof.model.interpret`'s job.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import InputProblem, TableFormatError
from ..table import StatusTable
from .csvtable import load_csv, looks_like_csv
from .html import load_html, looks_like_html
from .markdown import load_markdown, looks_like_markdown
from .text import load_text, looks_like_text

__all__ = ["FORMATS", "load_table", "load_table_bytes", "load_table_text", "detect_format"]

Loader = Callable[[str, str], StatusTable]

#: Format name -> loader; the order is the order auto-detection tries them in.
FORMATS: dict[str, Loader] = {
    "html": load_html,
    "markdown": load_markdown,
    "text": load_text,
    "csv": load_csv,
}
_DETECTORS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("html", looks_like_html),
    ("markdown", looks_like_markdown),
    ("text", looks_like_text),
    ("csv", looks_like_csv),
)


def detect_format(text: str) -> str | None:
    """Name the format ``text`` is written in, judged by content, or None."""
    for name, looks in _DETECTORS:
        if looks(text):
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
    try:
        loader = FORMATS[input_format]
    except KeyError:
        raise TableFormatError([InputProblem(
            path, 1, f"unknown input format {input_format!r}; use one of {', '.join(FORMATS)}"
        )]) from None
    return loader(text, path)


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
