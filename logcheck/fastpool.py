"""Sharing tasks between a pool of worker processes and the process that coordinates them.

This module owns :class:`Sharing`: ``--jobs N`` runs the tasks of :mod:`.partition` on a pool
of ``N - 1`` spawned processes *and* in the coordinating process itself, which has polars and
the model loaded already: so no spawned process's start-up (Python, polars, the model: about a
second of CPU) lies on the way to the first result, and the one spawned for ``--jobs 2``
starts while the coordinator already reads. The pool is handed the tasks from the front of the
list, one per worker at a time (a task waiting in a worker's queue could not be taken back),
each next one when the worker's last one is done; the coordinator takes them from the back,
until none is left. What the tasks do is :mod:`.partition`'s; the pool is the caller's
(:mod:`.run`), which may start it early (:func:`start_pool`: at the start of the command,
before this process imports polars and loads the model, so that the spawned processes' own
start-up runs beside this one's instead of after it).
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, wait
from typing import Any

__all__ = ["Sharing", "Call", "start_pool", "warm"]

#: A task: a function and its arguments.
Call = tuple[Callable[..., Any], tuple[Any, ...]]


class Sharing:
    """Runs calls on ``workers`` processes of a pool (``submit``: the pool's) and in this
    process (see the module docstring)."""

    def __init__(self, submit: Callable[..., Future[Any]], workers: int) -> None:
        self.submit = submit
        self.workers = workers

    def run(self, calls: Sequence[Call],
            idle: Callable[[list[Future[Any] | None]], None] | None = None
            ) -> list[Future[Any]]:
        """Run every call; their futures, in the order of ``calls``, all done. ``idle``,
        when given, is called once in this process when it has no call left to take while
        the pool's are not all done (with the futures so far, None for a call not yet
        given): work on the results already in, instead of waiting."""
        futures: list[Future[Any] | None] = [None] * len(calls)
        pending = deque(range(len(calls)))
        lock = threading.Lock()
        given: list[Future[Any]] = []

        def give(done: Future[Any] | None = None) -> None:
            # called here first, then from the pool's thread when a worker's task is done;
            # after a failed task the pool is given no more (this process runs the rest)
            with lock:
                if not pending or (done is not None and (done.cancelled()
                                                         or done.exception() is not None)):
                    return
                at = pending.popleft()
                function, arguments = calls[at]
                try:
                    future = self.submit(function, *arguments)
                except Exception:  # a broken pool: this process runs the rest
                    pending.appendleft(at)
                    return
                futures[at] = future
                given.append(future)
            future.add_done_callback(give)

        for _ in range(min(self.workers, len(calls))):
            give()
        while True:
            with lock:
                if not pending:
                    break
                at = pending.pop()
            own: Future[Any] = Future()
            function, arguments = calls[at]
            try:
                own.set_result(function(*arguments))
            except Exception as e:  # given back through the future, as the pool's are
                own.set_exception(e)
            futures[at] = own
        if idle is not None:
            with lock:
                known = list(given)
            if not all(future.done() for future in known):
                idle(list(futures))
        while True:  # the pool's last tasks (no new one is given once none is pending)
            with lock:
                known = list(given)
            wait(known)
            with lock:
                if len(given) == len(known):
                    break
        return [f for f in futures if f is not None]  # every call was given or run here


def _leave() -> None:
    """A spawned process's end, once its pool is shut down and every result sent: at once,
    without the interpreter's teardown of polars and numpy (some 0.15-0.2 s that the
    coordinator, joining the process, would wait for)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def warm() -> int:
    """A spawned process's start-up, run as its first task: what reading a part needs
    (polars, numpy, orjson, the readers, the allocator's settings of
    :mod:`.allocator`), and its end (:func:`_leave`, the first thing the interpreter does
    on leaving, after the pool's worker loop has ended). The model is loaded by the first
    check task, later, as in a pool started without this."""
    import atexit

    from . import fastparts, fastread  # noqa: F401
    from .allocator import keep_freed_memory

    keep_freed_memory()
    atexit.register(_leave)
    return os.getpid()


#: Modules whose threads or state a forked process would not have whole.
_NOT_FORKED = ("polars", "numpy", "pyarrow")


def _context() -> Any:
    """How the pool's processes start: forked where that is safe (Linux, only this thread
    running, and none of :data:`_NOT_FORKED` imported yet, as when the command starts the
    pool first thing), for a forked process starts at once with what this one has imported
    (no interpreter to start and no statusproof modules to import again: it is ready some
    0.1 s sooner); spawned otherwise (polars and numpy start threads that a fork does not
    copy)."""
    import multiprocessing
    import threading

    if (sys.platform.startswith("linux") and threading.active_count() == 1
            and not any(name in sys.modules for name in _NOT_FORKED)
            and "fork" in multiprocessing.get_all_start_methods()):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def start_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes (:func:`_context`), each given :func:`warm` at once,
    so that they start up while the caller goes on: polars with one thread in each (one
    core per process)."""
    os.environ.setdefault("POLARS_MAX_THREADS", "1")
    pool = ProcessPoolExecutor(workers, mp_context=_context())
    for _ in range(workers):
        pool.submit(warm)
    return pool
