"""The LogMeIn Rescue session lifecycle as a ``transitions`` machine.

Written the way an application would write it with the transitions library (a model object,
a Machine with states, triggers and conditions; no statusproof import), from the bundled table
and its amendments, reading the Previous and Next columns together. statusproof tests it with
no adapter code:

    statusproof conform --adapter transitions:examples/rescue_transitions.py:RescueSession

The mapping file beside it (rescue_transitions.mapping.toml) names the states' statuses and
the triggers the application's scheduler fires when time passes (``connection_lost``,
``idle_timeout``, ``two_weeks``). The session remembers where it was before an interruption
and may go back there only; a timeout has a cause (two Timed out states).
"""

from __future__ import annotations

from typing import Any

from transitions import EventData, Machine

STATES = ["connecting", "invitation", "waiting", "active", "incoming", "outgoing", "on_hold",
          "collaborating", "rebooting", "reconnecting", "offline", "timed_out_admin",
          "timed_out_system", "closed_by_customer", "closed_by_waiting_customer",
          "closed_by_technician", "removed", "removed_after_timeout", "aborted"]
INTERRUPTED = ["rebooting", "reconnecting", "offline"]

#: trigger -> [(sources, destination, condition)]
TRIGGERS: dict[str, list[tuple[list[str], str, str | None]]] = {
    "enqueue": [(["connecting"], "waiting", None)],
    "withdraw": [(["connecting", "invitation", "waiting"], "removed", None)],
    "accept": [(["invitation", "active", "on_hold", "rebooting"], "collaborating", None)],
    "start": [(["waiting", "incoming", "outgoing", "on_hold", "collaborating", *INTERRUPTED],
               "active", None)],
    "requeue": [(INTERRUPTED, "waiting", None)],
    "transfer_in": [(["waiting", "active"], "incoming", None),
                    (INTERRUPTED, "incoming", "was_incoming")],
    "transfer_out": [(["waiting", "active", "on_hold"], "outgoing", None),
                     (INTERRUPTED, "outgoing", "was_outgoing")],
    "hold": [(["active", "incoming", "outgoing", "collaborating"], "on_hold", None),
             (INTERRUPTED, "on_hold", "was_on_hold")],
    "reboot": [(["waiting", "active", "incoming", "outgoing", "on_hold", "collaborating"],
                "rebooting", None)],
    "lose_connection": [(["waiting", "active", "incoming", "outgoing", "on_hold"],
                         "reconnecting", None)],
    "drop": [(["active"], "offline", None)],
    "customer_closes": [(["active", "incoming", "outgoing", "on_hold", "collaborating",
                          *INTERRUPTED], "closed_by_customer", None)],
    "waiting_customer_closes": [(["waiting", "active", "incoming", "outgoing"],
                                 "closed_by_waiting_customer", None)],
    "technician_closes": [(["active", "closed_by_customer", "rebooting", "offline",
                            "timed_out_admin"], "closed_by_technician", None)],
    "abort": [(["active"], "aborted", None)],
    "expire": [(["collaborating"], "removed_after_timeout", None)],
    "time_out": [(["on_hold", "reconnecting", "offline"], "timed_out_admin", None)],
    "time_out_for_good": [(["on_hold", "reconnecting", "offline"], "timed_out_system", None)],
    # fired by the scheduler only (see the mapping file)
    "connection_lost": [(["rebooting", "reconnecting"], "offline", None)],
    "idle_timeout": [(["waiting", "active"], "timed_out_admin", None)],
    "two_weeks": [(["waiting", "active", "incoming", "outgoing"], "timed_out_system", None)],
}


class RescueSession:
    """One Rescue session: the model of a transitions Machine (``self.machine``)."""

    def __init__(self, initial: str = "connecting") -> None:
        self.remembered: str | None = None
        self.machine = Machine(model=self, states=STATES, initial=initial,
                               auto_transitions=False, send_event=True,
                               after_state_change="remember")
        for trigger, rules in TRIGGERS.items():
            for sources, destination, condition in rules:
                kwargs: dict[str, Any] = {"conditions": condition} if condition else {}
                self.machine.add_transition(trigger, sources, destination, **kwargs)

    def remember(self, event: EventData) -> None:
        source, destination = event.transition.source, event.transition.dest
        if destination in INTERRUPTED:
            if source not in INTERRUPTED:
                self.remembered = source
        else:
            self.remembered = None

    def was_incoming(self, event: EventData) -> bool:
        return self.remembered == "incoming"

    def was_outgoing(self, event: EventData) -> bool:
        return self.remembered == "outgoing"

    def was_on_hold(self, event: EventData) -> bool:
        return self.remembered == "on_hold"
