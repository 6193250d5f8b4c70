"""A hand-written implementation of the helpdesk fixture table (tests/fixtures/conformance/),
a second domain for the conformance tests, and one faulty variant.

``python:tests/mutants/helpdesk.py:Ticket`` passes every suite; ``...:ForgetfulTicket`` sends a
paused ticket back to Open even when it was waiting on the customer.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Steps on request; Waiting on customer -> Expired and Paused -> Expired only by the timers.
NEXT = {
    "New": ("Open", "Spam"),
    "Open": ("Waiting on customer", "Paused", "Solved"),
    "Waiting on customer": ("Open", "Paused"),
    "Paused": (),
    "Expired": (),
    "Solved": (),
    "Spam": (),
}
WEEK = 7 * 86400


class Ticket:
    def __init__(self) -> None:
        self.status, self.before, self.cause, self.clock = "New", None, None, 0
        self.pause_limit: int | None = None

    def reset(self, entry: str, cause: str | None,
              settings: Mapping[str, int | None]) -> str:
        self.status, self.before, self.cause, self.clock = entry, None, cause, 0
        self.pause_limit = settings.get("pause limit")
        return self.status

    def allowed(self, target: str, cause: str | None) -> bool:
        if (target == "Expired") != (cause is not None):
            return False
        if cause is not None and cause not in ("silence", "retention"):
            return False
        if self.status == "Paused" and target in ("Open", "Waiting on customer"):
            return self.before == target
        if self.status == "Expired" and target == "Solved":
            return self.cause == "silence"
        return target in NEXT.get(self.status, ())

    def enter(self, target: str, cause: str | None) -> None:
        self.before = self.status if target == "Paused" else None
        self.status, self.cause, self.clock = target, cause, 0

    def go(self, target: str, cause: str | None = None) -> str:
        if self.allowed(target, cause):
            self.enter(target, cause)
        return self.status

    def deadline(self) -> tuple[int, str] | None:
        if self.status == "Waiting on customer":
            return WEEK, "silence"
        if self.status == "Paused" and self.pause_limit is not None:
            return self.pause_limit, "retention"
        return None

    def wait(self, seconds: int) -> str:
        while True:
            due = self.deadline()
            if due is None:
                self.clock = 0
                return self.status
            if self.clock + seconds < due[0]:
                self.clock += seconds
                return self.status
            seconds -= due[0] - self.clock
            self.enter("Expired", due[1])


class ForgetfulTicket(Ticket):
    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status == "Paused" and target in ("Open", "Waiting on customer"):
            return target == "Open"
        return super().allowed(target, cause)
