"""One BLAS thread for the processes that check logs (:mod:`statusproof.logcheck.blasthreads`).

Measured by the threads a fresh process has after importing numpy (the kernel's count in
``/proc/self/task``), with and without the setting, and by what the ``logs`` command leaves
in its environment for the processes it starts.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from statusproof.logcheck.blasthreads import VARIABLE

_THREADS = textwrap.dedent("""
    import os, sys
    if sys.argv[1] == "one":
        from statusproof.logcheck.blasthreads import one_blas_thread
        assert one_blas_thread()
    import numpy
    print(len(os.listdir("/proc/self/task")))
""")

_CLI = textwrap.dedent("""
    import io, os, sys
    from statusproof.cli import main
    assert "numpy" not in sys.modules  # the command's setting comes first
    code = main(["logs", "-r", sys.argv[1], "-o", os.devnull], io.StringIO(), io.StringIO())
    # a verdict (0 or 1), not a usage error (2)
    print(code < 2, os.environ.get("OPENBLAS_NUM_THREADS"), "numpy" in sys.modules)
""")


def _run(script: str, *args: str, env: dict[str, str] | None = None) -> str:
    clean = {k: v for k, v in os.environ.items() if k != VARIABLE}
    done = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                          text=True, check=True, timeout=120, env={**clean, **(env or {})})
    return done.stdout.split("\n")[0]


@pytest.mark.skipif(not Path("/proc/self/task").is_dir() or (os.cpu_count() or 1) < 2,
                    reason="counts the threads of a Linux process on two cores or more")
def test_numpy_starts_no_blas_threads_after_the_setting() -> None:
    plain, one = int(_run(_THREADS, "plain")), int(_run(_THREADS, "one"))
    if plain == 1:
        pytest.skip("this numpy's BLAS starts no threads of its own")
    assert one == 1
    assert plain > one


def test_the_logs_command_sets_one_thread_for_what_it_starts(tmp_path: Path) -> None:
    records = tmp_path / "records.jsonl"
    records.write_text('{"session": "s1", "time": "2024-05-01T10:00:00Z", '
                       '"status": "Waiting"}\n', encoding="utf-8")
    assert _run(_CLI, str(records)) == "True 1 True"
    # a count the user set is kept
    assert _run(_CLI, str(records), env={VARIABLE: "3"}) == "True 3 True"
