"""The ``exec:`` adapter: an implementation in a child process speaking JSON Lines.

``exec:COMMAND`` (split like a shell would, not run by one) is started once and spoken to over
stdin/stdout (docs/conformance.md): each request is one line with an ``id`` and an ``op``
(``reset``, ``go``, ``wait``); each answer one line echoing the ``id`` with the ``status``. The
requests of a test are written at once and the answers read as they come, each within the time
limit of the one before. Every answer that is not a well-formed reply is a verdict, never an
exception of the runner: no answer in time (``timeout``), an exit (``crash``, with the end of
stderr), a line that is not a JSON object with the request's integer ``id`` and a ``status``
string, whatever it holds (huge numbers, deep nesting, bad UTF-8, over-long lines:
``garbage``), a second answer (``too-many-answers``), ``{"error": ...}`` (``error``).

The process keeps running between tests while it stays in step: after a wrong status or an
``error`` answer, the answers still due are read and dropped (none is waited for once the last
one is in); after any other fault the whole process tree is ended (:mod:`.processes`) and a
new process is started for the next test. Closing stdin ends the run; output after the last
answer is reported.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import shlex
import subprocess
import tempfile
import time
from collections import deque
from collections.abc import Generator, Sequence
from pathlib import Path
from typing import IO, Any

from .adapter_base import MAX_LINE, STARTUP, Adapter, AdapterError, AdapterFault, Verdict
from .machine import Input, Start
from .processes import end_tree, spawn

__all__ = ["ExecAdapter", "parse_answer"]


#: The usual answer, ``{"id": N, "status": "S"}`` with no escapes: read without a JSON parse.
_PLAIN = re.compile(rb'\{\s*"id"\s*:\s*([1-9][0-9]{0,17})\s*,'
                    rb'\s*"status"\s*:\s*"([^"\\\x00-\x1f]+)"\s*\}\s*')


def parse_answer(line: bytes, ident: int, what: str) -> str:
    """The status in answer ``line`` to request ``ident``; AdapterFault when it is not a
    well-formed answer (any JSON problem, a non-integer or wrong id, no status string)."""
    plain = _PLAIN.fullmatch(line)
    if plain is not None and int(plain.group(1)) == ident:
        try:
            return plain.group(2).decode("utf-8")
        except UnicodeDecodeError:
            pass  # the full check below says what is wrong
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError, MemoryError) as e:
        reason = "nested too deeply" if isinstance(e, RecursionError) else "not JSON"
        raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} is {reason}: "
                           f"{_shorten(line)}") from None
    if not isinstance(data, dict):
        raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} is not a JSON object: "
                           f"{_shorten(line)}")
    answered = data.get("id")
    if isinstance(answered, int) and not isinstance(answered, bool) and answered < ident:
        raise AdapterFault(Verdict.EXTRA, f"a second answer to request {answered} came "
                           f"instead of the answer to {what}: {_shorten(line)}",
                           earlier=ident - answered)
    if not isinstance(answered, int) or isinstance(answered, bool) or answered != ident:
        raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} (request {ident}) "
                           f"carries id {_shorten_value(answered)}: {_shorten(line)}")
    if "error" in data:
        error = data["error"]
        text = error[:200] if isinstance(error, str) else _shorten_value(error, 200)
        raise AdapterFault(Verdict.ERROR, f"the implementation reported an error for "
                           f"{what}: {text}")
    status = data.get("status")
    if not isinstance(status, str) or not status:
        raise AdapterFault(Verdict.GARBAGE, f"the answer to {what} has no 'status' "
                           f"string: {_shorten(line)}")
    return status


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
        self._mark = ""
        self._stderr: IO[bytes] | None = None
        self._buffer = bytearray()
        self._unsent = bytearray()
        self._next_id = 0
        self._last = 0  # the last request of the exchange under way
        self._answered = 0  # the last request answered
        self._fresh = False
        self._encoded: dict[Input, bytes] = {}
        #: Tests whose requests went out ahead (:meth:`plan`): start, inputs, first id.
        self._planned: deque[tuple[Start, tuple[Input, ...], int]] = deque()
        #: How many processes were started (the first one included).
        self.starts = 0
        self._spawn()  # a command that cannot start is bad input, found at once

    # -- the process ------------------------------------------------------------------------
    def _spawn(self) -> None:
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 - kept open while it runs
        try:
            self._process, self._mark = spawn(self.argv, self._stderr, self.cwd)
        except OSError as e:
            self._stderr.close()
            self._stderr = None
            raise AdapterError(f"adapter {self.spec!r}: cannot start {self.argv[0]!r}: "
                               f"{e.strerror or e}") from e
        assert self._process.stdin is not None
        os.set_blocking(self._process.stdin.fileno(), False)
        self._buffer = bytearray()
        self._unsent = bytearray()
        self._last = self._answered = self._next_id  # ids go on across processes
        self._planned = deque()
        self._fresh = True
        self.starts += 1

    def _kill(self) -> None:
        process = self._process
        if process is None:
            return
        self._planned.clear()  # their requests went to this process
        end_tree(process, self._mark)
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

    # -- I/O with deadlines: one loop writes pending requests and reads answers -------------
    def _pump_line(self, deadline: float, what: str | Input) -> bytes:
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
            if self._unsent:
                try:
                    written = os.write(in_fd, self._unsent)
                    del self._unsent[:written]
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError):
                    self._unsent.clear()  # it stopped reading; its exit shows on stdout
            writing = [in_fd] if self._unsent else []
            readable, _, _ = select.select([out_fd], writing, [], left)
            if readable:
                data = os.read(out_fd, 1 << 20)
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

    def _queue_input(self, item: Input) -> int:
        """Queue ``item``: its JSON after the id is made once per distinct input."""
        rest = self._encoded.get(item)
        if rest is None:
            rest = json.dumps(self._payload(item), ensure_ascii=False)[1:].encode()
            self._encoded[item] = rest
        self._next_id += 1
        self._unsent += b'{"id": %d, ' % self._next_id
        self._unsent += rest
        self._unsent += b"\n"
        return self._next_id

    def _receive(self, ident: int, what: str | Input) -> str:
        """The answer to request ``ident`` (``what`` names it in a fault; an input is
        only made text when a fault needs it)."""
        allowance = self.timeout + (STARTUP if self._fresh else 0.0)
        self._fresh = False
        line = self._pump_line(time.monotonic() + allowance, what)
        self._answered = ident  # a line came for it, whatever it holds
        plain = _PLAIN.fullmatch(line)
        if plain is not None and int(plain.group(1)) == ident:
            with contextlib.suppress(UnicodeDecodeError):
                return plain.group(2).decode("utf-8")
        return parse_answer(line, ident, str(what))

    def _check_quiet(self, what: str) -> None:
        extra = self._pending_line()
        if extra is None or not extra.strip():
            return
        if self._planned:  # the next test's first answer may be in already
            plain = _PLAIN.fullmatch(extra)
            if plain is not None and int(plain.group(1)) == self._last + 1:
                return
        raise AdapterFault(Verdict.EXTRA, f"a second answer to {what}: {_shorten(extra)}")

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
        self._last = ident
        status = self._receive(ident, what)
        self._check_quiet(what)
        return status

    def reset(self, start: Start) -> str:
        return self._single(self._reset_payload(start), f"reset to {start.state.status}")

    def send(self, item: Input) -> str:
        return self._single(self._payload(item), str(item))

    def plan(self, start: Start, inputs: Sequence[Input]) -> None:
        """Send the requests of a test that comes later, so that the implementation answers
        several tests per exchange of data (the runner plans a few tests ahead)."""
        if self._process is None:
            self._spawn()
        first = self._queue(self._reset_payload(start))
        for item in inputs:
            self._queue_input(item)
        self._planned.append((start, tuple(inputs), first))

    def planned(self) -> int:
        """How many planned tests are still ahead (a new process forgets them)."""
        return len(self._planned)

    def _drop_plans(self) -> None:
        """Read and drop every answer still due, planned tests' included."""
        self._planned.clear()
        self._last = self._next_id
        self.settle()

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        """Send the reset and every input at once (unless :meth:`plan` did), then read the
        answers in order; each answer must come within the time limit of the one before."""
        head = self._planned[0] if self._planned else None
        if head is not None and head[2] == self._answered + 1 and head[0] == start \
                and head[1] == tuple(inputs):
            self._planned.popleft()
            first = head[2]
        else:
            if self._planned or self._next_id != self._answered:
                self._drop_plans()
            if self._process is None:
                self._spawn()
            first = self._queue(self._reset_payload(start))
            for item in inputs:
                self._queue_input(item)
        self._last = first + len(inputs)
        status = self._receive(first, f"reset to {start.state.status}")
        if not inputs:
            self._check_quiet(f"reset to {start.state.status}")
        yield status
        last = len(inputs) - 1
        for offset, item in enumerate(inputs):
            status = self._receive(first + 1 + offset, item)
            if offset == last:
                self._check_quiet(str(item))
            yield status

    def settle(self) -> None:
        """Read and drop the answers still due from an exchange the runner left early
        (nothing is waited for when every answer is in); a fault on the way ends the
        process, unless it is an ``error`` answer, which is in step."""
        while self._process is not None and self._answered < self._last:
            try:
                line = self._pump_line(time.monotonic() + self.timeout, "a dropped request")
                parse_answer(line, self._answered + 1, "a dropped request")
            except AdapterFault as fault:
                if fault.verdict is not Verdict.ERROR:
                    self._kill()
                    return
            self._answered += 1

    def recover(self, fault: AdapterFault | None = None) -> None:
        if fault is not None and fault.verdict is Verdict.ERROR and self._process is not None:
            self.settle()  # it answered in step: keep it running
            return
        self._kill()

    def finish(self) -> AdapterFault | None:
        """Close stdin, let the process exit, and report anything it printed after its last
        answer; then end whatever is left of its process tree."""
        process = self._process
        if process is None:
            return None
        self._drop_plans()
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
    text = line[: width * 4].decode("utf-8", "replace")
    return repr(text if len(text) <= width and len(line) <= width * 4 else text[:width] + "...")


def _shorten_value(value: object, width: int = 40) -> str:
    """A short repr of a decoded JSON value (numbers of any size included)."""
    if isinstance(value, int) and not isinstance(value, bool):
        digits = value.bit_length() * 0.302
        if digits > width:
            return f"a number of about {int(digits):,} digits"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= width else text[:width] + "..."
