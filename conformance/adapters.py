"""Adapters: how the runner talks to an implementation, with a time limit on every answer.

Two kinds, named by an adapter spec:

``python:MODULE:FACTORY``
    ``MODULE`` is a dotted module name or a ``.py`` file path; ``FACTORY()`` returns an object
    with ``reset(entry, cause, settings) -> str``, ``go(status, cause) -> str`` and
    ``wait(seconds) -> str``, each returning the status after the input. Calls run in a
    worker thread, so a call that hangs is abandoned after the time limit (a fresh object is
    made for the next test) and an exception is a crash, not a traceback.
``exec:COMMAND``
    ``COMMAND`` (split like a shell would, not run by one) is started once and spoken to in
    JSON Lines over stdin/stdout (docs/conformance.md): each request is one line with an
    ``id`` and an ``op`` (``reset``, ``go``, ``wait``); each answer one line echoing the
    ``id`` with the ``status``. A process that does not answer in time is killed (its whole
    process group), one that exits is a crash (with the end of its stderr), a line that is not
    a well-formed answer is garbage, and a second answer to one request is too many answers.
    After any of these the process is restarted for the next test. Closing stdin ends the
    run; output after the last answer is reported.

Every problem is an :class:`AdapterFault` with a :class:`Verdict`; a spec that cannot be
used at all is an :class:`AdapterError` (exit code 2). Deciding pass or fail is the runner's
job.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import os
import select
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Sequence
from enum import Enum
from pathlib import Path
from typing import IO, Any

from statusproof.model.errors import StatusproofError

from .machine import Input, Start

__all__ = ["Verdict", "AdapterFault", "AdapterError", "Adapter", "PythonAdapter",
           "ExecAdapter", "open_adapter", "MAX_LINE"]

#: The longest answer line accepted (bytes); a longer one is garbage.
MAX_LINE = 1 << 16
#: Extra time a freshly started process has for its first answer (seconds).
STARTUP = 10.0


class Verdict(Enum):
    """The outcome of one test."""

    PASS = "pass"
    FAIL = "fail"  # a wrong status
    TIMEOUT = "timeout"  # no answer within the time limit
    CRASH = "crash"  # the process exited, or the Python call raised
    GARBAGE = "garbage"  # an answer that is not a well-formed answer
    EXTRA = "too-many-answers"  # more than one answer to one request
    ERROR = "error"  # the implementation answered with an error


class AdapterError(StatusproofError):
    """An adapter spec that cannot be used (bad syntax, no such module or command)."""


class AdapterFault(Exception):
    """The implementation did not give a usable answer; ``verdict`` says how.

    ``earlier`` > 0 says the fault belongs to a request that many before the one being
    answered (a second answer to an earlier request found while reading a later one).
    """

    def __init__(self, verdict: Verdict, message: str, earlier: int = 0) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message
        self.earlier = earlier


class Adapter:
    """One implementation under test. ``reset``/``send`` return the answered status."""

    spec: str
    timeout: float

    def reset(self, start: Start) -> str:
        raise NotImplementedError

    def send(self, item: Input) -> str:
        raise NotImplementedError

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        """The answers to the reset and to each input, in order (raises AdapterFault)."""
        yield self.reset(start)
        for item in inputs:
            yield self.send(item)

    def settle(self) -> None:
        """Called when the runner stops reading an exchange early (a wrong answer)."""

    def recover(self) -> None:
        """Make the adapter usable again after a fault (restart what must be restarted)."""

    def finish(self) -> AdapterFault | None:
        """End the run; a problem found on the way out (output after the last answer)."""
        return None

    def close(self) -> None:
        self.finish()

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_adapter(spec: str, timeout: float = 5.0) -> Adapter:
    """The adapter a spec names: ``python:MODULE:FACTORY`` or ``exec:COMMAND``."""
    if timeout <= 0:
        raise AdapterError(f"--timeout must be more than 0 seconds, not {timeout}")
    kind, _, rest = spec.partition(":")
    if kind == "python":
        return PythonAdapter(spec, rest, timeout)
    if kind == "exec":
        return ExecAdapter(spec, rest, timeout)
    raise AdapterError(f"adapter {spec!r}: use python:MODULE:FACTORY or exec:'COMMAND'")


# -- python: ------------------------------------------------------------------------------
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


def _load_factory(spec: str, target: str) -> Callable[[], Any]:
    module_name, sep, factory_name = target.rpartition(":")
    if not sep or not module_name or not factory_name:
        raise AdapterError(f"adapter {spec!r}: write python:MODULE:FACTORY (a module name or a "
                           ".py file, then the name of a class or function)")
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
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise AdapterError(f"adapter {spec!r}: {module_name} has no callable {factory_name!r}")
    return factory  # type: ignore[no-any-return]


class PythonAdapter(Adapter):
    """An implementation in this Python process, called through a worker thread."""

    def __init__(self, spec: str, target: str, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout
        self._factory = _load_factory(spec, target)
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

    def recover(self) -> None:
        self._implementation = None

    def finish(self) -> AdapterFault | None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None
        return None


# -- exec: --------------------------------------------------------------------------------
class ExecAdapter(Adapter):
    """An implementation in a child process speaking JSON Lines over stdin/stdout."""

    def __init__(self, spec: str, command: str, timeout: float,
                 cwd: str | Path | None = None) -> None:
        self.spec = spec
        self.timeout = timeout
        try:
            self.argv = shlex.split(command)
        except ValueError as e:
            raise AdapterError(f"adapter {spec!r}: cannot split the command: {e}") from e
        if not self.argv:
            raise AdapterError(f"adapter {spec!r}: give a command after exec:")
        self.cwd = cwd
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._buffer = bytearray()
        self._unsent = bytearray()
        self._next_id = 0
        self._last = 0
        self._fresh = False
        self._spawn()  # a command that cannot start is bad input, found at once

    # process handling
    def _spawn(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while it runs
        try:
            self._process = subprocess.Popen(
                self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                cwd=self.cwd, start_new_session=True, bufsize=0)
        except OSError as e:
            self._stderr.close()
            self._stderr = None
            raise AdapterError(f"adapter {self.spec!r}: cannot start {self.argv[0]!r}: "
                               f"{e.strerror or e}") from e
        assert self._process.stdin is not None
        os.set_blocking(self._process.stdin.fileno(), False)
        self._buffer = bytearray()
        self._unsent = bytearray()
        self._last = 0
        self._fresh = True

    def _kill(self) -> None:
        process = self._process
        if process is None:
            return
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._process = None

    def _stderr_tail(self, lines: int = 5) -> str:
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0, os.SEEK_END)
            size = self._stderr.tell()
            self._stderr.seek(max(0, size - 4000))
            text = self._stderr.read().decode("utf-8", "replace")
        except OSError:
            return ""
        tail = [line for line in text.splitlines() if line.strip()][-lines:]
        return ("; stderr: " + " | ".join(tail)) if tail else ""

    def _exit_fault(self, when: str) -> AdapterFault:
        process = self._process
        code: int | None = None
        if process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = process.wait(timeout=1)
        if code is None:
            how = "closed its output"
        elif code < 0:
            how = f"was killed by signal {-code}"
        else:
            how = f"exited with code {code}"
        return AdapterFault(Verdict.CRASH, f"the process {how} {when}{self._stderr_tail()}")

    # I/O with deadlines: one loop writes pending requests and reads answers
    def _pump_line(self, deadline: float, what: str) -> bytes:
        """The next answer line, writing queued requests while waiting for it."""
        process = self._process
        assert process is not None and process.stdout is not None and process.stdin is not None
        out_fd, in_fd = process.stdout.fileno(), process.stdin.fileno()
        while True:
            newline = self._buffer.find(b"\n", 0, MAX_LINE + 1)
            if newline >= 0:
                line = bytes(self._buffer[:newline])
                del self._buffer[:newline + 1]
                return line
            if len(self._buffer) > MAX_LINE:
                raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} is a line longer "
                                   f"than {MAX_LINE} bytes")
            left = deadline - time.monotonic()
            if left <= 0:
                raise AdapterFault(Verdict.TIMEOUT, f"no answer to {what} within "
                                   f"{self.timeout:g}s" + (
                                       f" (it printed {bytes(self._buffer[:60])!r} without a "
                                       "newline)" if self._buffer else ""))
            writing = [in_fd] if self._unsent else []
            readable, writable, _ = select.select([out_fd], writing, [], left)
            if writable:
                try:
                    written = os.write(in_fd, self._unsent[:65536])
                    del self._unsent[:written]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    self._unsent.clear()  # it stopped reading; its exit shows on stdout
            if readable:
                data = os.read(out_fd, 65536)
                if not data:
                    raise self._exit_fault(f"before answering {what}")
                self._buffer.extend(data)

    def _pending_line(self) -> bytes | None:
        """A complete line already sent (without waiting), if any."""
        process = self._process
        assert process is not None and process.stdout is not None
        fd = process.stdout.fileno()
        while b"\n" not in self._buffer and len(self._buffer) <= MAX_LINE:
            ready, _, _ = select.select([fd], [], [], 0)
            if not ready:
                break
            data = os.read(fd, 65536)
            if not data:
                break
            self._buffer.extend(data)
        newline = self._buffer.find(b"\n")
        return bytes(self._buffer[:newline]) if newline >= 0 else None

    def _queue(self, payload: dict[str, Any]) -> int:
        self._next_id += 1
        line = json.dumps({"id": self._next_id, **payload}, ensure_ascii=False) + "\n"
        self._unsent.extend(line.encode())
        return self._next_id

    def _receive(self, ident: int, what: str) -> str:
        allowance = self.timeout + (STARTUP if self._fresh else 0.0)
        self._fresh = False
        line = self._pump_line(time.monotonic() + allowance, what)
        return self._answer(line, ident, what)

    def _check_quiet(self, what: str) -> None:
        extra = self._pending_line()
        if extra is not None and extra.strip():
            raise AdapterFault(Verdict.EXTRA, f"a second answer to {what}: {_shorten(extra)}")

    def _answer(self, line: bytes, ident: int, what: str) -> str:
        try:
            data = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} is not JSON: "
                               f"{_shorten(line)}") from None
        if not isinstance(data, dict):
            raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} is not a JSON object: "
                               f"{_shorten(line)}")
        answered = data.get("id")
        if isinstance(answered, int) and not isinstance(answered, bool) and answered < ident:
            raise AdapterFault(Verdict.EXTRA, f"a second answer to request {answered} came "
                               f"instead of the answer to {what}: {_shorten(line)}",
                               earlier=ident - answered)
        if answered != ident:
            raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} (request {ident}) "
                               f"carries id {answered!r}: {_shorten(line)}")
        if "error" in data:
            raise AdapterFault(Verdict.ERROR, f"the implementation reported an error for "
                               f"{what}: {data['error']}")
        status = data.get("status")
        if not isinstance(status, str) or not status:
            raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} has no 'status' "
                               f"string: {_shorten(line)}")
        return status

    @staticmethod
    def _reset_payload(start: Start) -> dict[str, Any]:
        return {"op": "reset", "entry": start.state.status, "cause": start.state.cause,
                "settings": dict(start.configuration.settings)}

    @staticmethod
    def _payload(item: Input) -> dict[str, Any]:
        if item.kind == "wait":
            return {"op": "wait", "seconds": item.seconds}
        return {"op": "go", "status": item.status, "cause": item.cause}

    def _single(self, payload: dict[str, Any], what: str) -> str:
        if self._process is None:
            self._spawn()
        ident = self._queue(payload)
        status = self._receive(ident, what)
        self._check_quiet(what)
        return status

    def reset(self, start: Start) -> str:
        return self._single(self._reset_payload(start), f"reset to {start.state.status}")

    def send(self, item: Input) -> str:
        return self._single(self._payload(item), str(item))

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        """Send the reset and every input at once, then read the answers in order; each
        answer must come within the time limit of the one before."""
        if self._process is None:
            self._spawn()
        first = self._queue(self._reset_payload(start))
        for item in inputs:
            self._queue(self._payload(item))
        self._last = self._next_id
        whats = [f"reset to {start.state.status}", *(str(item) for item in inputs)]
        for offset, what in enumerate(whats):
            status = self._receive(first + offset, what)
            if offset == len(whats) - 1:
                self._check_quiet(what)
            yield status
        self._last = 0

    def settle(self) -> None:
        """Read and drop the answers still due from an exchange the runner left early."""
        if self._process is None or not self._last:
            return
        try:
            while True:
                line = self._pump_line(time.monotonic() + self.timeout, "a dropped request")
                data = json.loads(line.decode("utf-8"))
                if not isinstance(data, dict) or data.get("id") == self._last:
                    break
        except (AdapterFault, ValueError):
            self._kill()
        self._last = 0

    def recover(self) -> None:
        self._kill()

    def finish(self) -> AdapterFault | None:
        """Close stdin, let the process exit, and report anything it printed after its last
        answer."""
        process = self._process
        if process is None:
            return None
        self.settle()
        process = self._process
        if process is None:
            return None
        fault: AdapterFault | None = None
        assert process.stdin is not None and process.stdout is not None
        with contextlib.suppress(OSError):
            process.stdin.close()
        deadline = time.monotonic() + self.timeout
        fd = process.stdout.fileno()
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                break
            data = os.read(fd, 65536)
            if not data:
                break
            self._buffer.extend(data)
            if len(self._buffer) > MAX_LINE:
                break
        leftover = [line for line in bytes(self._buffer).splitlines() if line.strip()]
        if leftover:
            fault = AdapterFault(Verdict.EXTRA, f"{len(leftover)} line(s) after the last "
                                 f"answer: {_shorten(leftover[0])}")
        self._kill()
        return fault


def _shorten(line: bytes, width: int = 80) -> str:
    text = line.decode("utf-8", "replace")
    return repr(text if len(text) <= width else text[:width] + "...")
