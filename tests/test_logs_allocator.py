"""The allocator's settings for checking logs in bulk (:mod:`statusproof.logcheck.allocator`).

What they are for is measured by the page faults of a pattern like a batch's (numpy arrays of
2 MiB made and freed a few at a time), each way in a fresh process: the count is the
kernel's, the same from run to run, not a time.
"""

from __future__ import annotations

import platform
import subprocess
import sys
import textwrap

import pytest

from statusproof.logcheck.allocator import keep_freed_memory

_GLIBC = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"

_PATTERN = textwrap.dedent("""
    import resource, sys
    import numpy as np
    if sys.argv[1] == "keep":
        from statusproof.logcheck.allocator import keep_freed_memory
        assert keep_freed_memory()
    base = np.arange(1 << 18, dtype=np.int64)  # 2 MiB
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(30):
        a = base + 1
        b = a * 2
        c = b - a
        del a, b, c
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
""")


def _faults(how: str) -> int:
    done = subprocess.run([sys.executable, "-c", _PATTERN, how], capture_output=True,
                          text=True, check=True, timeout=120)
    return int(done.stdout)


@pytest.mark.skipif(not _GLIBC, reason="the settings are glibc's")
def test_freed_blocks_are_kept_instead_of_faulted_in_again() -> None:
    plain, kept = _faults("plain"), _faults("keep")
    # 90 blocks of 512 pages: tens of thousands of faults by default, a few pages' worth kept
    assert plain > 20_000
    assert kept * 10 < plain


@pytest.mark.skipif(not _GLIBC, reason="the settings are glibc's")
def test_the_settings_are_taken_on_glibc() -> None:
    assert keep_freed_memory() is True


@pytest.mark.skipif(_GLIBC, reason="elsewhere than glibc nothing is set")
def test_nothing_is_set_elsewhere() -> None:
    assert keep_freed_memory() is False
