"""The timing rules of a model, as the log checker reads them from the model's timers.

This module owns :class:`Timing`: a *deadline* per status (the run leaves it when a fixed
timer, or a setting that cannot be switched off, falls due) and a *minimum* per step (a step a
timer makes happens only once the timer can have fallen due), on the status clock and on the
session clock of :mod:`statusproof.model.clocks`. A timer's figure is its fixed seconds; for an
administrator's setting, any value of the setting is accepted (the step's minimum is the
setting's minimum, the deadline its maximum, none when it may be 'never'), unless the value
set is known (``values``, by :class:`~statusproof.model.clocks.Setting` index): then the step
happens exactly when it falls due (minimum and deadline are that value; 'never': the timer
never makes its step and sets no deadline).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from statusproof.model.clocks import Clocks
from statusproof.model.machine import State, cause_values
from statusproof.model.model import Model, Timer
from statusproof.model.record import field, record

__all__ = ["INF", "Timing", "state_key", "seconds_text"]

INF = math.inf


def state_key(state: State) -> tuple[str, str, str]:
    """A sort key for states (their fields may be None)."""
    return (state.status, state.remembered or "", state.cause or "")


def _lower_bound(timer: Timer, value: int | str | None) -> float:
    if value is None:
        return INF  # set to never: this timer never makes its step
    if not isinstance(value, str):
        return float(value)
    if timer.seconds is not None:
        return float(timer.seconds)
    return float(timer.minimum or 0)


def _upper_bound(timer: Timer, value: int | str | None) -> float | None:
    if not isinstance(value, str):
        return None if value is None else float(value)
    if timer.never:
        return None
    if timer.seconds is not None:
        return float(timer.seconds)
    return float(timer.maximum) if timer.maximum is not None else None


@record
class Timing:
    """The timing rules of a model, read from its timers (:class:`Timer`), by clock.

    Status clock (the time since the run entered the status):
    ``deadline[status]``: the most seconds a run stays in ``status`` (absent: no limit);
    ``minimum[(source, target, cause)]``: the fewest seconds in ``source`` before a step into
    ``target`` entered with ``cause`` (a step no timer makes has no minimum: 0).

    Session clock (the time since the run started; for Rescue, the two-week system timeout):
    ``session_deadline[status]``: the session age at which a run in ``status`` must leave it
    (it leaves on entry when it is already older); ``session_minimum[(source, target,
    cause)]``: the session age before which the step is not taken.

    The figure of a timer is its ``seconds``; for an administrator's setting, the step's
    minimum is the setting's ``minimum`` and the deadline its ``maximum`` (none when ``never``
    may switch it off): the checker does not know which value was set, so it accepts any.
    """

    deadline: dict[str, float]
    deadline_timer: dict[str, Timer]
    minimum: dict[tuple[str, str, str | None], float]
    minimum_timer: dict[tuple[str, str, str | None], Timer]
    session_deadline: dict[str, float] = field(default_factory=dict)
    session_deadline_timer: dict[str, Timer] = field(default_factory=dict)
    session_minimum: dict[tuple[str, str, str | None], float] = field(default_factory=dict)
    session_minimum_timer: dict[tuple[str, str, str | None], Timer] = field(
        default_factory=dict)

    @classmethod
    def of(cls, model: Model, values: Mapping[int, int | None] | None = None) -> Timing:
        """The rules of ``model``; ``values``: known setting values (None: never)."""
        clocks = Clocks(model) if values else None
        tables: dict[str, tuple[dict[str, float], dict[str, Timer],
                                dict[tuple[str, str, str | None], float],
                                dict[tuple[str, str, str | None], Timer]]] = {
            "status": ({}, {}, {}, {}), "session": ({}, {}, {}, {})}
        for timer in model.timers:
            deadline, deadline_timer, minimum, minimum_timer = tables[
                "session" if timer.clock == "session" else "status"]
            value: int | str | None = "any"
            if clocks is not None and values is not None:
                value = values.get(clocks.setting_of(timer).index, "any")
            bound = _upper_bound(timer, value)
            if bound is not None and bound < deadline.get(timer.status, INF):
                deadline[timer.status] = bound
                deadline_timer[timer.status] = timer
            for cause in cause_values(model, timer.target):
                if timer.cause is not None and timer.cause != cause:
                    continue
                key = (timer.status, timer.target, cause)
                low = _lower_bound(timer, value)
                if low < minimum.get(key, INF):
                    minimum[key] = low
                    minimum_timer[key] = timer
        return cls(*tables["status"], *tables["session"])

    def lower(self, source: str, target: State) -> float:
        """The status-clock minimum of a step (0: none)."""
        return self.minimum.get((source, target.status, target.cause), 0.0)

    def session_lower(self, source: str, target: State) -> float:
        """The session-clock minimum of a step (0: none)."""
        return self.session_minimum.get((source, target.status, target.cause), 0.0)



def seconds_text(value: float) -> str:
    """Seconds for people: ``300 s``, ``14 d``.

    >>> seconds_text(300), seconds_text(1209600), seconds_text(90)
    ('300 s', '14 d', '90 s')
    """
    if value >= 86400 and value % 86400 == 0:
        return f"{int(value // 86400)} d"
    if value >= 3600 and value % 3600 == 0:
        return f"{int(value // 3600)} h"
    if value == int(value):
        return f"{int(value)} s"
    return f"{value:.3f} s"


