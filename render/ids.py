"""Identifiers of diagram nodes: derived from status names, safe in every output syntax.

Ids match ``[A-Za-z][A-Za-z0-9_]*``, so DOT, Mermaid, SVG and HTML can use them without
escaping, and no table text reaches an output through an id. They are handed out in call
order, so the same model always gets the same ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = ["Ids", "slug"]


def slug(text: str) -> str:
    """An identifier-safe form of ``text`` (ASCII letters, digits, ``_``; at most 40 chars).

    >>> slug("Closed (by active customer)"), slug("Über-Prüfung"), slug("42")
    ('Closed_by_active_customer', 'Uber_Prufung', 's_42')
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    result = re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")[:40].rstrip("_")
    if not result or not result[0].isalpha():
        result = "s_" + result
    return result.rstrip("_")


class Ids:
    """Hands out unique identifier-safe ids in call order (case-insensitively unique)."""

    def __init__(self, reserved: Iterable[str] = ("legend",)) -> None:
        self.used: set[str] = {name.casefold() for name in reserved}

    def new(self, text: str) -> str:
        base = slug(text)
        candidate, number = base, 1
        while candidate.casefold() in self.used:
            number += 1
            candidate = f"{base}_{number}"
        self.used.add(candidate.casefold())
        return candidate
