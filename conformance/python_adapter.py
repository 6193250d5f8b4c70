"""The ``python:`` adapter: an implementation object in this process, behind a worker thread.

``python:MODULE:FACTORY``: ``MODULE`` is a dotted module name or a ``.py`` file path;
``FACTORY()`` returns an object with ``reset(entry, cause, settings) -> str``,
``go(status, cause) -> str`` and ``wait(seconds) -> str``, each returning the status after the
input. Calls run in a worker thread, so a call that hangs is abandoned after the time limit (a
fresh object is made for the next test), an exception is a ``crash`` and a return value that is
not a string is ``garbage``, never a traceback. Loading a module from a spec is shared with the
library adapters (:func:`load_attribute`).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import os
import sys
import threading
import time
from collections.abc import Callable, Generator, Sequence
from pathlib import Path
from typing import Any

from .adapter_base import Adapter, AdapterError, AdapterFault, Verdict
from .machine import Input, Start

__all__ = ["PythonAdapter", "load_attribute", "load_module"]

class _Job:
    """Calls run one after the other in a worker; ``started`` is when the current one began."""

    def __init__(self, calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
        self.calls = calls
        self.answers: list[Any] = []
        self.error: BaseException | None = None
        self.started = time.monotonic()
        self.done = threading.Event()

    def run(self) -> None:
        for function, args in self.calls:
            self.started = time.monotonic()
            try:
                self.answers.append(function(*args))
            except BaseException as e:
                self.error = e
                break
        self.done.set()

    def wait(self, timeout: float) -> bool:
        """Wait until the job is done; False when one call ran longer than ``timeout``."""
        while not self.done.is_set():
            left = self.started + timeout - time.monotonic()
            if left <= 0:
                return self.done.is_set()
            self.done.wait(left)
        return True


class _Worker(threading.Thread):
    """A daemon thread running one job at a time; abandoned if a call hangs."""

    def __init__(self) -> None:
        super().__init__(daemon=True, name="statusproof-adapter")
        self._jobs: list[_Job | None] = []
        self._ready = threading.Condition()
        self.start()

    def run(self) -> None:
        while True:
            with self._ready:
                while not self._jobs:
                    self._ready.wait()
                job = self._jobs.pop(0)
            if job is None:
                return
            job.run()

    def submit(self, job: _Job) -> _Job:
        with self._ready:
            self._jobs.append(job)
            self._ready.notify()
        return job

    def stop(self) -> None:
        with self._ready:
            self._jobs.append(None)
            self._ready.notify()


def load_attribute(spec: str, target: str, usage: str) -> tuple[Any, Callable[..., Any]]:
    """``MODULE:NAME`` of ``target`` loaded: (the module, the callable NAME).

    ``usage`` is the spec's shape, for the message when ``target`` does not have it."""
    module_name, sep, factory_name = target.rpartition(":")
    if not sep or not module_name or not factory_name:
        raise AdapterError(f"adapter {spec!r}: write {usage} (a module name or a "
                           ".py file, then the name of a class or function)")
    module = load_module(spec, module_name)
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise AdapterError(f"adapter {spec!r}: {module_name} has no callable {factory_name!r}")
    return module, factory


def load_module(spec: str, module_name: str) -> Any:
    """A module by dotted name, or a ``.py`` file by path (AdapterError when it fails)."""
    try:
        if module_name.endswith(".py") or "/" in module_name or os.sep in module_name:
            path = Path(module_name)
            if not path.is_file():
                raise AdapterError(f"adapter {spec!r}: no file {module_name}")
            digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
            unique = f"statusproof_adapter_{path.stem}_{digest}"
            module_spec = importlib.util.spec_from_file_location(unique, path)
            if module_spec is None or module_spec.loader is None:
                raise AdapterError(f"adapter {spec!r}: cannot load {module_name} as Python")
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[unique] = module
            module_spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except AdapterError:
        raise
    except Exception as e:
        raise AdapterError(f"adapter {spec!r}: importing {module_name} failed: "
                           f"{type(e).__name__}: {e}") from e
    return module


class PythonAdapter(Adapter):
    """An implementation in this Python process, called through a worker thread."""

    def __init__(self, spec: str, target: str, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout
        self._factory = load_attribute(spec, target, "python:MODULE:FACTORY")[1]
        self._worker: _Worker | None = None
        self._implementation: Any = None

    def _abandon(self) -> None:
        self._worker = None  # it may never return; it is a daemon thread
        self._implementation = None

    def _run(self, calls: Sequence[tuple[Callable[..., Any], tuple[Any, ...]]]) -> _Job:
        if self._worker is None:
            self._worker = _Worker()
        job = self._worker.submit(_Job(calls))
        if not job.wait(self.timeout):
            self._abandon()
        return job

    def _call(self, what: str, function: Callable[..., Any], *args: Any) -> Any:
        job = self._run([(function, args)])
        if not job.done.is_set():
            raise AdapterFault(Verdict.TIMEOUT, f"{what} did not return within "
                               f"{self.timeout:g}s")
        if job.error is not None:
            self._implementation = None
            raise AdapterFault(Verdict.CRASH, f"{what} raised {type(job.error).__name__}: "
                               f"{job.error}")
        return job.answers[0]

    def _status(self, what: str, result: Any) -> str:
        if not isinstance(result, str):
            raise AdapterFault(Verdict.GARBAGE, f"{what} returned {result!r} "
                               f"({type(result).__name__}), not a status name")
        return result

    def _object(self) -> Any:
        if self._implementation is None:
            self._implementation = self._call("the factory", self._factory)
        return self._implementation

    @staticmethod
    def _what(item: Input) -> str:
        return f"wait({item.seconds})" if item.kind == "wait" else f"go({item.status!r})"

    def _plan(self, target: Any, item: Input) -> tuple[Callable[..., Any], tuple[Any, ...]]:
        if item.kind == "wait":
            return target.wait, (item.seconds,)
        return target.go, (item.status, item.cause)

    def reset(self, start: Start) -> str:
        target = self._object()
        settings = dict(start.configuration.settings)
        return self._status("reset()", self._call("reset()", target.reset, start.state.status,
                                                  start.state.cause, settings))

    def send(self, item: Input) -> str:
        target = self._object()
        function, args = self._plan(target, item)
        return self._status(self._what(item), self._call(self._what(item), function, *args))

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        """Run the whole test in the worker (one hand-over per test, not per step), each
        call under the time limit; then hand out the answers in order."""
        target = self._object()
        calls = [(target.reset, (start.state.status, start.state.cause,
                                 dict(start.configuration.settings)))]
        calls.extend(self._plan(target, item) for item in inputs)
        whats = ["reset()", *(self._what(item) for item in inputs)]
        job = self._run(calls)
        answers = list(job.answers)
        for what, answer in zip(whats, answers, strict=False):
            yield self._status(what, answer)
        if len(answers) < len(calls):
            what = whats[len(answers)]
            if not job.done.is_set():
                raise AdapterFault(Verdict.TIMEOUT, f"{what} did not return within "
                                   f"{self.timeout:g}s")
            self._implementation = None
            error = job.error
            raise AdapterFault(Verdict.CRASH, f"{what} raised {type(error).__name__}: {error}")

    def recover(self, fault: AdapterFault | None = None) -> None:
        self._implementation = None

    def finish(self) -> AdapterFault | None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        return None
