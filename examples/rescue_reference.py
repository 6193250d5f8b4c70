#!/usr/bin/env python3
"""A reference implementation of the LogMeIn Rescue session lifecycle, in plain Python.

Written by hand from the bundled table (model/data/rescue-session-statuses.txt) and its
reviewed amendments (rescue-session-statuses.amend.toml), reading the Previous and Next
columns together (statusproof's default "union" reconciliation). It does not import
statusproof: it is the kind of code a team would write, and the thing the conformance suites
test. Two ways to run it under ``statusproof conform``:

- in-process: ``--adapter python:examples/rescue_reference.py:RescueSession``
- as a process speaking the JSON-lines protocol on stdin/stdout (docs/conformance.md):
  ``--adapter exec:'python3 examples/rescue_reference.py'``

The session keeps four things besides its status: the status it held before an interruption
(Rebooting, Reconnecting and Offline remember it, and a session returns there), the cause of a
timeout (the Admin-defined timeout, or the two-week system timeout), how long it has been in its
current status, and how old the session is. Rebooting or reconnecting fails after five minutes
in the status (to Offline); the Admin-defined time-outs count idle time in Waiting or Active;
the system timeout counts two weeks from the start of the session. Those steps happen only when
the time comes: a request to go Offline or Timed out from where a timer leads there is refused.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from typing import TextIO

CLOSED_BY_CUSTOMER = "Closed (by active customer)"
CLOSED_BY_TECHNICIAN = "Removed from TC queue (after closed by technician)"
REMOVED = "Removed from TC queue"
REMOVED_AFTER_TIMEOUT = "Removed from TC queue (after timeout)"

ENTRY_POINTS = ("Connecting", "Invitation")

#: Where each status may go next on request, whatever the session remembers (the steps that
#: only a timer takes are in TIMERS, not here).
NEXT: dict[str, tuple[str, ...]] = {
    "Active": (CLOSED_BY_CUSTOMER, CLOSED_BY_TECHNICIAN, "Closed by waiting customer",
               "Collaborating", "Incoming", "Offline", "On Hold", "Outgoing", "Rebooting",
               "Reconnecting", "Aborted"),
    CLOSED_BY_CUSTOMER: (CLOSED_BY_TECHNICIAN,),
    CLOSED_BY_TECHNICIAN: (),
    "Closed by waiting customer": (),
    "Collaborating": ("Active", CLOSED_BY_CUSTOMER, "On Hold", "Rebooting",
                      REMOVED_AFTER_TIMEOUT),
    "Connecting": ("Waiting", REMOVED),
    "Incoming": ("Active", CLOSED_BY_CUSTOMER, "Closed by waiting customer", "On Hold",
                 "Rebooting", "Reconnecting"),
    "Invitation": ("Collaborating", REMOVED),
    "Offline": ("Active", CLOSED_BY_CUSTOMER, CLOSED_BY_TECHNICIAN, "Timed out", "Waiting"),
    "On Hold": ("Active", CLOSED_BY_CUSTOMER, "Collaborating", "Outgoing", "Rebooting",
                "Reconnecting", "Timed out"),
    "Outgoing": ("Active", CLOSED_BY_CUSTOMER, "Closed by waiting customer", "On Hold",
                 "Rebooting", "Reconnecting"),
    "Rebooting": ("Active", CLOSED_BY_CUSTOMER, CLOSED_BY_TECHNICIAN, "Collaborating",
                  "Waiting"),
    "Reconnecting": ("Active", CLOSED_BY_CUSTOMER, "Timed out", "Waiting"),
    "Timed out": (),
    "Waiting": ("Active", "Closed by waiting customer", "Incoming", "Outgoing", "Rebooting",
                "Reconnecting", REMOVED),
    "Aborted": (),
    REMOVED_AFTER_TIMEOUT: (),
    REMOVED: (),
}

#: Statuses that remember where the session was before the interruption.
REMEMBERING = frozenset({"Rebooting", "Reconnecting", "Offline"})
#: The statuses a remembering status returns to, each only if it is the remembered one.
RETURNS = ("Incoming", "On Hold", "Outgoing")

TIMEOUT_CAUSES = ("admin", "system")
WAITING_TIMEOUT = "Waiting sessions will time out (1-999 minutes, 0 = never)"
ACTIVE_TIMEOUT = "Active session idle time-out (1-999 minutes, 0 = never)"
FIVE_MINUTES = 5 * 60
TWO_WEEKS = 14 * 24 * 60 * 60


class RescueSession:
    """One session. ``reset`` starts it; ``go`` and ``wait`` drive it; each returns the
    status afterwards. A step the lifecycle does not allow is refused: nothing changes."""

    def __init__(self) -> None:
        self.status = "Connecting"
        self.remembered: str | None = None
        self.cause: str | None = None
        self.elapsed = 0  # seconds in the current status
        self.age = 0  # seconds since the session started
        self.settings: dict[str, int | None] = {}

    def reset(self, entry: str, cause: str | None = None,
              settings: Mapping[str, int | None] | None = None) -> str:
        if entry not in ENTRY_POINTS:
            raise ValueError(f"{entry!r} is not where a session starts")
        self.status, self.remembered, self.cause, self.elapsed = entry, None, cause, 0
        self.age = 0
        self.settings = dict(settings or {})
        return self.status

    def allowed(self, target: str, cause: str | None) -> bool:
        if target == "Timed out":
            if cause not in TIMEOUT_CAUSES:
                return False
        elif cause is not None:
            return False
        if target in NEXT.get(self.status, ()):
            return True
        if self.status == "Timed out" and target == CLOSED_BY_TECHNICIAN:
            return self.cause == "admin"  # a system timeout ends the session
        if self.status in REMEMBERING and target in RETURNS:
            return self.remembered == target
        return False

    def _enter(self, target: str, cause: str | None) -> None:
        if target in REMEMBERING:
            if self.status not in REMEMBERING:
                self.remembered = self.status
        else:
            self.remembered = None
        self.status, self.cause, self.elapsed = target, cause, 0

    def go(self, target: str, cause: str | None = None) -> str:
        if self.allowed(target, cause):
            self._enter(target, cause)
            self._let_pass(0)  # two weeks may already be over: the timeout comes at once
        return self.status

    def _timers(self) -> list[tuple[int, str, str | None]]:
        """The timers running now: (seconds until due, target, cause), first listed first."""
        timers: list[tuple[int, str, str | None]] = []
        if self.status in ("Rebooting", "Reconnecting"):
            timers.append((FIVE_MINUTES - self.elapsed, "Offline", None))
        if self.status in ("Waiting", "Active"):
            setting = ACTIVE_TIMEOUT if self.status == "Active" else WAITING_TIMEOUT
            idle_limit = self.settings.get(setting)
            if idle_limit is not None:
                timers.append((idle_limit - self.elapsed, "Timed out", "admin"))
        if self.status in ("Active", "Waiting", "Incoming", "Outgoing"):
            timers.append((TWO_WEEKS - self.age, "Timed out", "system"))
        return timers

    def _let_pass(self, seconds: int) -> None:
        while True:
            timers = self._timers()
            if not timers:
                break
            due, target, cause = min(timers, key=lambda timer: timer[0])
            if due > seconds:
                break
            passed = max(0, due)
            seconds -= passed
            self.age += passed
            self._enter(target, cause)
        self.elapsed += seconds
        self.age += seconds

    def wait(self, seconds: int) -> str:
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self._let_pass(seconds)
        return self.status


def answer(session: RescueSession, line: str | bytes) -> str:
    """The answer line (with its newline) to one request line."""
    request = json.loads(line)
    ident = request.get("id")
    try:
        op = request["op"]
        if op == "reset":
            status = session.reset(request["entry"], request.get("cause"),
                                   request.get("settings"))
        elif op == "go":
            status = session.go(request["status"], request.get("cause"))
        elif op == "wait":
            status = session.wait(int(request["seconds"]))
        else:
            raise ValueError(f"unknown op {op!r}")
        reply: dict[str, object] = {"id": ident, "status": status}
    except (KeyError, ValueError) as e:
        reply = {"id": ident, "error": str(e)}
    return json.dumps(reply) + "\n"


def serve(source: TextIO | None = None, sink: TextIO | None = None) -> int:
    """Speak the JSON-lines protocol: one request per line in, one answer per line out.

    On the standard streams it reads what has arrived and answers it all in one write (the
    requests of a test come together); given streams, it answers line by line."""
    session = RescueSession()
    if source is None and sink is None:
        return _serve_descriptors(session, sys.stdin.fileno(), sys.stdout.fileno())
    source = sys.stdin if source is None else source
    sink = sys.stdout if sink is None else sink
    for line in source:
        if line.strip():
            sink.write(answer(session, line))
            sink.flush()
    return 0


def _serve_descriptors(session: RescueSession, reading: int, writing: int) -> int:
    pending = b""
    while True:
        chunk = os.read(reading, 1 << 16)
        if not chunk:
            return 0
        *lines, pending = (pending + chunk).split(b"\n")
        out = "".join(answer(session, line) for line in lines if line.strip()).encode()
        while out:
            out = out[os.write(writing, out):]


if __name__ == "__main__":
    raise SystemExit(serve())
