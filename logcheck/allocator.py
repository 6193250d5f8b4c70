"""Keeping freed memory in the process while logs are checked in bulk (glibc's allocator).

The fast path (:mod:`.fastread`, :mod:`.fastpath`) makes, for every batch, a few hundred
numpy arrays of 0.1 to 2 MiB that live for a few operations each. By default glibc serves
each block over 128 KiB (a threshold that grows, at most to the size of the largest block
freed) with a mapping of its own, and gives freed memory at the top of its heap back to the
system once there is more than twice that: so the same pages are given back and taken
again, each time faulted in and zeroed by the kernel. On 1M CSV records that was some 85,000
page faults, and :func:`keep_freed_memory` takes them to some 25,000 (the command's CPU, median
of 5 interleaved runs, 2.26 -> 1.98 s); on 10M records the system time goes from 3.9 to
1.0 s of a 15.9 -> 13.0 s run, for 5 MiB more of peak resident memory (docs/logs.md, "The
allocator").

This is a setting of the whole process, so it is made by the ``logs`` command and in the
processes of ``--jobs`` (:func:`~.fastpool.warm`), not by the library's functions. Where
the C library is not glibc (macOS, musl, Windows), nothing changes.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["keep_freed_memory", "MMAP_THRESHOLD", "TRIM_THRESHOLD"]

#: Blocks up to this size come from the heap (glibc's ``M_MMAP_THRESHOLD``).
MMAP_THRESHOLD = 64 << 20
#: Freed memory kept at the top of the heap (glibc's ``M_TRIM_THRESHOLD``).
TRIM_THRESHOLD = 128 << 20
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h


def keep_freed_memory() -> bool:
    """Set the two thresholds; True when the C library took them (glibc), False when there
    is none that would (then nothing is changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the process's own symbols, the C library's among them (ctypes.util.find_library
        # would run ldconfig: 0.06 s at the start of each command and of each --jobs process)
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False  # not glibc: musl has no mallopt
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
