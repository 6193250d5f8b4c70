"""Progress bars for long work, on standard error, only when it is a terminal.

This module owns when a bar is shown (standard error is a terminal, and ``STATUSPROOF_PROGRESS``
is not ``0``; ``STATUSPROOF_PROGRESS=1`` forces it) and how (tqdm, imported only then, so that
a run whose standard error is a file or a pipe neither imports it nor writes a byte of it).
A bar is removed when its work is done (``leave=False``): what stays on the terminal is the
command's own output. What the work is and how far it got is the caller's business.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from types import TracebackType
from typing import Any, Protocol, TextIO

__all__ = ["Progress", "progress_wanted", "per_suite", "PROGRESS_ENV"]

#: ``0`` never shows a bar, ``1`` always does (tests); unset: when stderr is a terminal.
PROGRESS_ENV = "STATUSPROOF_PROGRESS"


def progress_wanted(err: TextIO) -> bool:
    """Whether bars go to ``err``."""
    setting = os.environ.get(PROGRESS_ENV, "")
    if setting in ("0", "1"):
        return setting == "1"
    isatty = getattr(err, "isatty", None)
    try:
        return bool(isatty()) if isatty is not None else False
    except (OSError, ValueError):  # a closed or odd stream
        return False


class Progress:
    """One bar: ``total`` units when known (else a count and a rate), ``unit`` their name.

    Used as a context manager; :meth:`update` adds done units, :meth:`describe` changes the
    label. Does nothing at all when bars are not wanted."""

    def __init__(self, err: TextIO, description: str, unit: str,
                 total: int | None = None) -> None:
        self._bar: Any = None
        if progress_wanted(err):
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=description, unit=f" {unit}", file=err,
                             leave=False, dynamic_ncols=True, mininterval=0.2,
                             unit_scale=total is None or total > 10_000)

    @property
    def shown(self) -> bool:
        return self._bar is not None

    def update(self, done: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(done)

    def describe(self, description: str, total: int | None = None) -> None:
        """A new label (and, given, a new total with the count back at 0)."""
        if self._bar is None:
            return
        if total is not None:
            self._bar.reset(total=total)
        self._bar.set_description_str(description)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


class _Named(Protocol):
    @property
    def name(self) -> str: ...


def per_suite(bar: Progress, verb: str) -> Callable[[Any, int], None] | None:
    """A hook ``(suite, n)`` for the conformance runner and exporter: one more test done, the
    label ``verb`` and the suite's name; ``None`` when the bar is not shown (no hook at all)."""
    if not bar.shown:
        return None
    current = ""

    def advance(suite: _Named, done: int) -> None:
        nonlocal current
        if suite.name != current:
            current = suite.name
            bar.describe(f"{verb} {suite.name}")
        bar.update(1)

    return advance
