"""One thread for numpy's BLAS in the processes that check logs in bulk.

numpy's OpenBLAS starts a thread for each core when numpy is imported, and each spins a
while waiting for work. The fast path (:mod:`.fastpath`, :mod:`.fastread`) does no linear
algebra, so those threads only cost: some 0.06 s more CPU to import numpy (0.12-0.18 s
against 0.06-0.08 s on the benchmark machine), and under ``--jobs`` their spinning takes the
cores the worker processes need (docs/logs.md, "Eleventh pass"). Like
:mod:`.allocator`'s, this is a setting of the whole process: the ``logs`` command makes it
before numpy is imported, and the processes of ``--jobs`` and of a local Dask cluster,
started after, inherit it. A value the user set is kept.
"""

from __future__ import annotations

import os

__all__ = ["one_blas_thread", "VARIABLE"]

#: OpenBLAS's setting of its thread count (read when numpy is imported).
VARIABLE = "OPENBLAS_NUM_THREADS"


def one_blas_thread() -> bool:
    """Ask for one OpenBLAS thread, unless the environment names a count; True when this
    process's numpy will take it (numpy is not imported yet)."""
    import sys

    os.environ.setdefault(VARIABLE, "1")
    return "numpy" not in sys.modules
