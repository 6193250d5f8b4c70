"""Faulty implementations of the Rescue session lifecycle: one fault each.

Each class changes one thing in the hand-written reference (examples/rescue_reference.py);
the conformance tests run every suite against each and report which suites catch it (the
kill rate). Load one through the python adapter, e.g.
``python:tests/mutants/mutants.py:EarlyTimeout``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "examples" / "rescue_reference.py"
_SPEC = importlib.util.spec_from_file_location("rescue_reference_for_mutants", _PATH)
assert _SPEC is not None and _SPEC.loader is not None
reference = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = reference
_SPEC.loader.exec_module(reference)

RescueSession = reference.RescueSession


class MissingTransition(RescueSession):
    """Waiting -> Reconnecting is refused (a step the table allows is missing)."""

    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status == "Waiting" and target == "Reconnecting":
            return False
        return super().allowed(target, cause)


class ExtraTransition(RescueSession):
    """Incoming -> Outgoing is accepted (a step the table does not list)."""

    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status == "Incoming" and target == "Outgoing" and cause is None:
            return True
        return super().allowed(target, cause)


class WrongHistoryReturn(RescueSession):
    """A session that was Outgoing before the interruption returns to Incoming instead."""

    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status in reference.REMEMBERING and target in ("Incoming", "Outgoing"):
            swapped = {"Incoming": "Outgoing", "Outgoing": "Incoming"}
            return self.remembered == swapped[target] or (
                self.remembered == target == "Incoming")
        return super().allowed(target, cause)


class HistoryLostThroughOffline(RescueSession):
    """Going Offline forgets where the session was: no return to Incoming/Outgoing/On Hold."""

    def _enter(self, target: str, cause: str | None) -> None:
        super()._enter(target, cause)
        if target == "Offline":
            self.remembered = None


class WrongTimeoutCause(RescueSession):
    """The two-week system timeout is recorded as the Admin-defined one."""

    def _timers(self) -> list[tuple[int, str, str | None]]:
        return [(due, target, "admin" if cause == "system" else cause)
                for due, target, cause in super()._timers()]


class EarlyTimeout(RescueSession):
    """Rebooting and Reconnecting give up one second early (after 299 s, not 300 s)."""

    def _timers(self) -> list[tuple[int, str, str | None]]:
        return [(due - 1 if target == "Offline" else due, target, cause)
                for due, target, cause in super()._timers()]


class MergedStates(RescueSession):
    """Incoming and Outgoing are remembered as one "transferring" state: an interrupted
    transfer may return to either."""

    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status in reference.REMEMBERING and target in ("Incoming", "Outgoing"):
            return self.remembered in ("Incoming", "Outgoing")
        return super().allowed(target, cause)


class RefusalRestartsClock(RescueSession):
    """A refused step restarts the current status's timers (not in the issue's list)."""

    def go(self, target: str, cause: str | None = None) -> str:
        if not self.allowed(target, cause):
            self.elapsed = 0
        return super().go(target, cause)


class SystemTimeoutPerStatus(RescueSession):
    """The two-week system timeout counts from entering the status, not from the session's
    start (not in the issue's list)."""

    def _timers(self) -> list[tuple[int, str, str | None]]:
        return [(reference.TWO_WEEKS - self.elapsed if cause == "system" else due, target,
                 cause) for due, target, cause in super()._timers()]


class OfflineOnRequest(RescueSession):
    """Goes Offline from Reconnecting when asked, although only the five-minute timer
    takes that step (not in the issue's list)."""

    def allowed(self, target: str, cause: str | None) -> bool:
        if self.status == "Reconnecting" and target == "Offline" and cause is None:
            return True
        return super().allowed(target, cause)


class WaitRemainderDropped(RescueSession):
    """A wait that fires a timer drops the rest of the wait: the new status is entered, but
    no more time passes, on the status clock or the session clock."""

    def _let_pass(self, seconds: int) -> None:
        due = min((timer[0] for timer in self._timers()), default=None)
        if due is not None and due <= seconds:
            seconds = max(0, due)  # the first timer fires; the remainder is lost
        super()._let_pass(seconds)


class HistoryLostFromThirdReboot(RescueSession):
    """From the third reboot of a session on, Rebooting forgets where the session was: a
    counter, hidden state no bound on extra states covers."""

    def reset(self, entry: str, cause: str | None = None,
              settings: dict[str, int | None] | None = None) -> str:
        self.reboots = 0
        return str(super().reset(entry, cause, settings))

    def _enter(self, target: str, cause: str | None) -> None:
        if target == "Rebooting" and self.status != "Rebooting":
            self.reboots = getattr(self, "reboots", 0) + 1
        super()._enter(target, cause)
        if target == "Rebooting" and self.reboots >= 3:
            self.remembered = None


class RefusalIsANoOpRefactored(RescueSession):
    """Equivalent to the reference: refusals decided by a precomputed table (must pass)."""

    def allowed(self, target: str, cause: str | None) -> bool:
        verdict = super().allowed(target, cause)
        return bool(verdict)


class TimersSortedByTarget(RescueSession):
    """Equivalent to the reference: the running timers listed in another order (ties cannot
    happen between them on this table, so nothing observable changes; must pass)."""

    def _timers(self) -> list[tuple[int, str, str | None]]:
        return sorted(super()._timers(), key=lambda timer: (timer[0], timer[2] or ""))


#: The faults the issue names, in its order.
REQUIRED = (MissingTransition, ExtraTransition, WrongHistoryReturn, HistoryLostThroughOffline,
            WrongTimeoutCause, EarlyTimeout, MergedStates)
ALL = (*REQUIRED, RefusalRestartsClock, SystemTimeoutPerStatus, OfflineOnRequest,
       WaitRemainderDropped, HistoryLostFromThirdReboot)
#: Variants that behave exactly like the reference: every suite must pass them.
EQUIVALENT = (RefusalIsANoOpRefactored, TimersSortedByTarget)


if __name__ == "__main__":  # python3 tests/mutants/mutants.py NAME: the protocol on stdin/stdout
    _mutant = globals()[sys.argv[1]]
    reference.RescueSession = _mutant
    raise SystemExit(reference.serve())
