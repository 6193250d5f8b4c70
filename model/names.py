"""Status names: normalising, splitting off qualifiers, and resolving a mention to a row.

A status cell may carry a parenthesised qualifier ("Closed (by active customer)"). Other cells
usually mention such a status by its short name ("Closed"). This module decides, generically,
when a mention answers to a row:

1. the mention equals a row's full name (case and spacing ignored), or an alias;
2. a bare mention ("Closed") equals the short name of exactly one qualified row, and no other
   qualified variant of that short name appears anywhere in the table. When the table also
   mentions "Removed from TC queue (after timeout)", the bare "Removed from TC queue" no longer
   answers to the row "Removed from TC queue (after closed by technician)": the family is
   ambiguous, and the bare name stays a status of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .record import record

__all__ = ["normalise", "split_qualifier", "looks_like_name", "did_you_mean", "NameIndex"]

_SPACE = re.compile(r"\s+")
_QUALIFIED = re.compile(r"^(?P<short>.*?\S)\s*\((?P<qualifier>[^()]*)\)\s*$")


def normalise(name: str) -> str:
    """The comparison key of a name: case-folded, single-spaced, no trailing full stop.

    >>> normalise("  Closed  by\\nTechnician. ")
    'closed by technician'
    """
    return _SPACE.sub(" ", name).strip().rstrip(".").strip().casefold()


def did_you_mean(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str:
    """``; did you mean 'X'?`` for the candidate closest to a name that was not found, or
    nothing when none is as close as ``cutoff`` (difflib's similarity ratio)."""
    import difflib  # (only when something is wrong: start-up does not pay for it)
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def split_qualifier(name: str) -> tuple[str, str | None]:
    """Split ``"Short (qualifier)"`` into its parts; a name without one has qualifier None.

    >>> split_qualifier("Closed (by active customer)")
    ('Closed', 'by active customer')
    >>> split_qualifier("Waiting")
    ('Waiting', None)
    """
    match = _QUALIFIED.match(_SPACE.sub(" ", name).strip())
    if match is None:
        return _SPACE.sub(" ", name).strip(), None
    return match["short"], match["qualifier"].strip()


def looks_like_name(text: str, max_words: int = 5) -> bool:
    """True when ``text`` reads as a status name rather than a sentence.

    A name has at most ``max_words`` words outside its qualifier, does not end a sentence,
    and starts with a letter or digit.

    >>> looks_like_name("Removed from TC queue (after timeout)")
    True
    >>> looks_like_name("PIN code generated or channel connection is initiated")
    False
    """
    short, _ = split_qualifier(text)
    stripped = short.strip()
    if not stripped or not stripped[0].isalnum() or stripped.endswith((".", ":", "?", "!")):
        return False
    return len(stripped.split()) <= max_words


@record
class NameIndex:
    """Resolves mentions to row names (see the module docstring for the rules)."""

    full: Mapping[str, str]
    short: Mapping[str, str]
    aliases: Mapping[str, str]

    @classmethod
    def build(
        cls,
        rows: Iterable[str],
        mentions: Iterable[str],
        aliases: Mapping[str, str] | None = None,
    ) -> NameIndex:
        """Index the row names, given every name mentioned anywhere in the table."""
        rows = list(rows)
        full = {normalise(r): r for r in reversed(rows)}  # the first row of a name wins
        families: dict[str, set[str]] = {}
        for name in [*rows, *mentions]:
            short, qualifier = split_qualifier(name)
            if qualifier is not None:
                families.setdefault(normalise(short), set()).add(normalise(qualifier))
        short_index: dict[str, str] = {}
        for row in rows:
            short, qualifier = split_qualifier(row)
            key = normalise(short)
            if qualifier is None or key in full or len(families.get(key, ())) != 1:
                continue
            short_index[key] = row
        alias_index = {normalise(a): target for a, target in (aliases or {}).items()}
        return cls(full, short_index, alias_index)

    def resolve(self, mention: str) -> str | None:
        """The row name ``mention`` answers to, or None when no row has that name."""
        key = normalise(mention)
        if key in self.aliases:
            return self.aliases[key]
        if key in self.full:
            return self.full[key]
        return self.short.get(key)
