"""The process tree of an implementation under test: start it marked, end all of it.

An implementation run through ``exec:`` may start processes of its own, and some leave its
process group or session (``setsid()``, a double fork). :func:`spawn` starts the command in
a new session with a mark in its environment (:data:`MARK`, a value unique to this start),
which every descendant inherits; :func:`end_tree` kills the command, every descendant
``psutil`` still finds below it, and every process of this user that carries the mark, then
waits for them, so that after a verdict nothing of the implementation is left running. A
descendant that both leaves the session and clears its environment after its parent exited
is beyond this; docs/conformance.md says so. Talking to the process is
:mod:`.exec_adapter`'s job.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

import psutil

__all__ = ["MARK", "spawn", "end_tree", "marked"]

#: The environment variable that marks every process of one implementation start.
MARK = "STATUSPROOF_CONFORM_RUN"
_COUNTER = itertools.count(1)


def spawn(argv: Sequence[str], stderr: IO[bytes], cwd: str | Path | None = None
          ) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``argv`` with pipes on stdin and stdout, in a session of its own, marked.

    Returns the process and its mark. Raises OSError when it cannot start."""
    mark = f"{os.getpid()}-{next(_COUNTER)}-{time.time():.3f}"
    env = dict(os.environ)
    env[MARK] = mark
    process = subprocess.Popen(list(argv), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=stderr, cwd=cwd, start_new_session=True, bufsize=0,
                               env=env)
    return process, mark


def marked(mark: str) -> list[psutil.Process]:
    """The processes of this user, started since ``mark`` was made, whose environment
    carries ``mark`` (only those started since are read: reading an environment costs)."""
    found = []
    uid = os.getuid()
    since = float(mark.rsplit("-", 1)[1]) - 1.0
    for process in psutil.process_iter(["create_time"]):
        try:
            if process.info["create_time"] < since or process.pid == os.getpid():
                continue
            if process.uids().real != uid:
                continue
            if process.environ().get(MARK) == mark:
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def end_tree(process: subprocess.Popen[bytes], mark: str, grace: float = 5.0) -> None:
    """Kill ``process``, its descendants and every process carrying ``mark``; reap them."""
    victims: dict[int, psutil.Process] = {}
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(process.pid)
        victims[root.pid] = root
        for child in root.children(recursive=True):
            victims[child.pid] = child
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    for found in marked(mark):
        victims.setdefault(found.pid, found)
    for victim in victims.values():
        with contextlib.suppress(psutil.Error):
            victim.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=grace)
    others = [v for v in victims.values() if v.pid != process.pid]
    with contextlib.suppress(psutil.Error):
        psutil.wait_procs(others, timeout=grace)
