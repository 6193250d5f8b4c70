"""Text shaping for labels: cleaning unsafe code points, wrapping, durations.

Only shaping: escaping for an output syntax is each renderer's job.
"""

from __future__ import annotations

import textwrap
import unicodedata

from statusproof.model.model import Timer

__all__ = ["clean_text", "wrap_text", "format_seconds", "timer_text"]

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def clean_text(text: str) -> str:
    """``text`` with whitespace runs made one space and unsafe code points made visible.

    Control characters become spaces; surrogates, U+FFFE, U+FFFF and bidirectional overrides
    (which could make a label read differently from what it says) become U+FFFD. Nothing
    else changes, so non-ASCII names stay as they are.

    >>> clean_text("Closed\\n  by\\ttechnician")
    'Closed by technician'
    >>> clean_text("a\\u202eb")
    'a\\ufffdb'
    """
    out = []
    for char in text:
        code = ord(char)
        category = unicodedata.category(char)
        if category == "Cc" or char.isspace():
            out.append(" ")
        elif category == "Cs" or code in (0xFFFE, 0xFFFF) or code in _BIDI:
            out.append("\ufffd")
        else:
            out.append(char)
    return " ".join("".join(out).split())


def wrap_text(text: str, width: int, max_lines: int = 6) -> tuple[str, ...]:
    """Cleaned ``text`` broken into lines of at most ``width`` characters.

    Long words are broken; more than ``max_lines`` lines are cut, the last ending in "…".

    >>> wrap_text("Removed from TC queue (after closed by technician)", 22)
    ('Removed from TC queue', '(after closed by', 'technician)')
    >>> wrap_text("x" * 10, 4, 2)
    ('xxxx', 'xxx…')
    """
    cleaned = clean_text(text)
    if not cleaned:
        return ("",)
    # textwrap may leave a space at the end of a line after breaking a long word
    lines = [line.strip() for line in textwrap.wrap(cleaned, width, break_long_words=True,
                                                    break_on_hyphens=False)]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(width - 1, 1)] + "…"
    return tuple(lines)


def format_seconds(seconds: int) -> str:
    """A duration in the largest whole unit.

    >>> format_seconds(300), format_seconds(1209600), format_seconds(90)
    ('5 min', '2 weeks', '90 s')
    """
    for size, unit in ((604800, "week"), (86400, "day"), (3600, "h"), (60, "min")):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            if unit in ("week", "day"):
                return f"{count} {unit}{'s' if count != 1 else ''}"
            return f"{count} {unit}"
    return f"{seconds} s"


def timer_text(timer: Timer) -> str:
    """A timer in a few words: ``admin: after 1–999 min or never``, ``after 5 min``."""
    if timer.seconds is not None:
        when = format_seconds(timer.seconds)
    elif timer.minimum is not None and timer.maximum is not None:
        low, high = timer.minimum, timer.maximum
        if low % 60 == 0 and high % 60 == 0:
            when = f"{low // 60}–{high // 60} min"
        else:
            when = f"{low}–{high} s"
    else:
        when = "a set time"
    if timer.never:
        when += " or never"
    return f"{timer.cause}: after {when}" if timer.cause else f"after {when}"
