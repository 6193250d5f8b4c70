"""Implementations that break the protocol rather than the lifecycle, for the adapter tests.

As a process (exec adapter): ``python3 misbehaving.py MODE[:K] [MARKER]`` speaks the JSON-lines
protocol like the reference implementation, except at its K-th request (counting every
request, resets included; K defaults to 2), where it misbehaves:

``hang``      never answers            ``crash``    exits with code 3, a message on stderr
``garbage``   prints a line of prose    ``chatty``   answers twice
``partial``   prints half an answer     ``wrongid``  answers with another request's id
``error``     answers with an error     ``huge``     prints a line of 100,000 characters
``deaf``      never reads stdin         ``trailing`` prints a line after stdin closes
``slow``      sleeps 0.3 s before each answer (slower, but within the limits)
``bigid``     answers with a 5,000-digit id ``deep``      answers with 30,000 nested lists
``floatid``   answers with the id as 2.0    ``nan``       answers with NaN as its id
``badutf8``   answers with bytes that are not UTF-8
``forkhang``  forks a child that calls setsid() and hangs, then hangs itself
``daemon``    double-forks a setsid() grandchild that hangs, then exits with code 5

The forked processes write their pid to MARKER.pids when MARKER is given (the tests check
that none is left running).

With MARKER, it misbehaves only while the file MARKER does not exist, and creates it when it
does: a restarted process then behaves. In-process (python adapter): the classes below.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "examples" / "rescue_reference.py"
_SPEC = importlib.util.spec_from_file_location("rescue_reference_for_misbehaving", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
reference = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = reference
_SPEC.loader.exec_module(reference)


class Hangs(reference.RescueSession):  # type: ignore[misc, name-defined]
    """Never returns from its second go."""

    calls = 0

    def go(self, target: str, cause: str | None = None) -> str:
        Hangs.calls += 1
        if Hangs.calls == 2:
            time.sleep(3600)
        return str(super().go(target, cause))


class Raises(reference.RescueSession):  # type: ignore[misc, name-defined]
    """Raises on every wait."""

    def wait(self, seconds: int) -> str:
        raise RuntimeError(f"no clock here ({seconds}s)")


class AnswersNumbers(reference.RescueSession):  # type: ignore[misc, name-defined]
    """Returns a number instead of a status from go."""

    def go(self, target: str, cause: str | None = None) -> str:
        return 42  # type: ignore[return-value]


def _escape(marker: str | None, double: bool) -> None:
    """Fork a process that leaves the session (setsid) and hangs; ``double``: through an
    intermediate process that exits at once, so the hanging one is an orphan."""
    pid = os.fork()
    if pid:
        if double:
            os.waitpid(pid, 0)
        return
    os.setsid()
    if double and os.fork():
        os._exit(0)
    if marker is not None:
        with open(marker + ".pids", "a") as pids:
            pids.write(f"{os.getpid()}\n")
    time.sleep(3600)
    os._exit(0)


def _serve(mode: str, when: int, marker: str | None) -> int:
    session = reference.RescueSession()
    active = marker is None or not os.path.exists(marker)
    if mode == "deaf":
        time.sleep(3600)
    out = sys.stdout
    for count, line in enumerate(sys.stdin, 1):
        request = json.loads(line)
        ident = request["id"]
        op = request["op"]
        if op == "reset":
            status = session.reset(request["entry"], request.get("cause"),
                                   request.get("settings"))
        elif op == "go":
            status = session.go(request["status"], request.get("cause"))
        else:
            status = session.wait(int(request["seconds"]))
        answer = json.dumps({"id": ident, "status": status})
        if mode == "slow":
            time.sleep(0.3)
        if active and count == when and mode not in ("slow", "trailing"):
            if marker is not None and mode not in ("forkhang", "daemon"):
                Path(marker).write_text("done\n")
            if mode == "hang":
                time.sleep(3600)
            if mode in ("forkhang", "daemon"):
                _escape(marker, double=mode == "daemon")
                if mode == "forkhang":
                    time.sleep(3600)
                os._exit(5)
            if mode == "crash":
                sys.stderr.write("misbehaving: giving up on purpose\n")
                sys.stderr.flush()
                os._exit(3)
            if mode == "garbage":
                answer = "I think the session is probably Active"
            if mode == "chatty":
                answer = answer + "\n" + answer
            if mode == "partial":
                out.write('{"id": ')
                out.flush()
                time.sleep(3600)
            if mode == "wrongid":
                answer = json.dumps({"id": ident + 5, "status": status})
            if mode == "error":
                answer = json.dumps({"id": ident, "error": "database unavailable"})
            if mode == "huge":
                answer = "x" * 100_000
            if mode == "bigid":
                answer = '{"id": ' + "7" * 5000 + ', "status": "Waiting"}'
            if mode == "deep":
                answer = "[" * 30_000 + "]" * 30_000
            if mode == "floatid":
                answer = json.dumps({"id": float(ident), "status": status})
            if mode == "nan":
                answer = '{"id": NaN, "status": "Waiting"}'
            if mode == "badutf8":
                out.flush()
                sys.stdout.buffer.write(b'{"id": 2, "status": "\xff\xfe"}\n')
                sys.stdout.buffer.flush()
                continue
        out.write(answer + "\n")
        out.flush()
    if mode == "trailing":
        out.write('{"id": 999, "status": "Active"}\n')
        out.flush()
    return 0


if __name__ == "__main__":
    name, _, at = sys.argv[1].partition(":")
    raise SystemExit(_serve(name, int(at or 2), sys.argv[2] if len(sys.argv) > 2 else None))
