"""The LogMeIn Rescue session lifecycle as a python-statemachine machine.

Written the way an application would write it with python-statemachine (states, events and
guards; no statusproof import), from the bundled table and its amendments, reading the
Previous and Next columns together. statusproof tests it with no adapter code:

    statusproof conform --adapter statemachine:examples/rescue_statemachine.py:RescueSession

The mapping file beside it (rescue_statemachine.mapping.toml) says which state is which status
and which events the application's scheduler sends when time passes: ``connection_lost``
after five minutes in Rebooting or Reconnecting, ``idle_timeout`` after the Admin-defined
idle time in Waiting or Active, ``two_weeks`` two weeks after the session started.

The session remembers where it was before an interruption (Rebooting, Reconnecting and Offline
keep it) and may go back there only (the guards ``was_incoming``, ``was_outgoing``,
``was_on_hold``). A timeout has a cause: the two Timed out states, one per cause.
"""

from __future__ import annotations

from typing import Any

from statemachine import State, StateMachine

INTERRUPTED = frozenset({"rebooting", "reconnecting", "offline"})


class RescueSession(StateMachine):
    """One Rescue session."""

    new = State(initial=True)  # before the session exists (python-statemachine wants one
    connecting = State()       # initial state; runs start in connecting or invitation)
    invitation = State()
    waiting = State()
    active = State()
    incoming = State()
    outgoing = State()
    on_hold = State()
    collaborating = State()
    rebooting = State()
    reconnecting = State()
    offline = State()
    timed_out_admin = State()
    timed_out_system = State(final=True)
    closed_by_customer = State()
    closed_by_waiting_customer = State(final=True)
    closed_by_technician = State(final=True)
    removed = State(final=True)
    removed_after_timeout = State(final=True)
    aborted = State(final=True)

    # requests and what people do
    open_by_pin = new.to(connecting)
    open_by_invitation = new.to(invitation)
    enqueue = connecting.to(waiting)
    withdraw = connecting.to(removed) | invitation.to(removed) | waiting.to(removed)
    accept = invitation.to(collaborating) | active.to(collaborating) | \
        on_hold.to(collaborating) | rebooting.to(collaborating)
    start = waiting.to(active) | incoming.to(active) | outgoing.to(active) | \
        on_hold.to(active) | collaborating.to(active) | rebooting.to(active) | \
        reconnecting.to(active) | offline.to(active)
    requeue = rebooting.to(waiting) | reconnecting.to(waiting) | offline.to(waiting)
    transfer_in = waiting.to(incoming) | active.to(incoming) | \
        rebooting.to(incoming, cond="was_incoming") | \
        reconnecting.to(incoming, cond="was_incoming") | \
        offline.to(incoming, cond="was_incoming")
    transfer_out = waiting.to(outgoing) | active.to(outgoing) | on_hold.to(outgoing) | \
        rebooting.to(outgoing, cond="was_outgoing") | \
        reconnecting.to(outgoing, cond="was_outgoing") | \
        offline.to(outgoing, cond="was_outgoing")
    hold = active.to(on_hold) | incoming.to(on_hold) | outgoing.to(on_hold) | \
        collaborating.to(on_hold) | rebooting.to(on_hold, cond="was_on_hold") | \
        reconnecting.to(on_hold, cond="was_on_hold") | offline.to(on_hold, cond="was_on_hold")
    reboot = waiting.to(rebooting) | active.to(rebooting) | incoming.to(rebooting) | \
        outgoing.to(rebooting) | on_hold.to(rebooting) | collaborating.to(rebooting)
    lose_connection = waiting.to(reconnecting) | active.to(reconnecting) | \
        incoming.to(reconnecting) | outgoing.to(reconnecting) | on_hold.to(reconnecting)
    drop = active.to(offline)
    customer_closes = active.to(closed_by_customer) | incoming.to(closed_by_customer) | \
        outgoing.to(closed_by_customer) | on_hold.to(closed_by_customer) | \
        collaborating.to(closed_by_customer) | rebooting.to(closed_by_customer) | \
        reconnecting.to(closed_by_customer) | offline.to(closed_by_customer)
    waiting_customer_closes = waiting.to(closed_by_waiting_customer) | \
        active.to(closed_by_waiting_customer) | incoming.to(closed_by_waiting_customer) | \
        outgoing.to(closed_by_waiting_customer)
    technician_closes = active.to(closed_by_technician) | \
        closed_by_customer.to(closed_by_technician) | rebooting.to(closed_by_technician) | \
        offline.to(closed_by_technician) | timed_out_admin.to(closed_by_technician)
    abort = active.to(aborted)
    expire = collaborating.to(removed_after_timeout)
    time_out = on_hold.to(timed_out_admin) | reconnecting.to(timed_out_admin) | \
        offline.to(timed_out_admin)
    time_out_for_good = on_hold.to(timed_out_system) | reconnecting.to(timed_out_system) | \
        offline.to(timed_out_system)

    # sent by the scheduler only (see the mapping file)
    connection_lost = rebooting.to(offline) | reconnecting.to(offline)
    idle_timeout = waiting.to(timed_out_admin) | active.to(timed_out_admin)
    two_weeks = waiting.to(timed_out_system) | active.to(timed_out_system) | \
        incoming.to(timed_out_system) | outgoing.to(timed_out_system)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.remembered: str | None = None
        super().__init__(*args, **kwargs)

    def after_transition(self, source: State, target: State) -> None:
        if target.id in INTERRUPTED:
            if source.id not in INTERRUPTED:
                self.remembered = source.id
        else:
            self.remembered = None

    def was_incoming(self) -> bool:
        return self.remembered == "incoming"

    def was_outgoing(self) -> bool:
        return self.remembered == "outgoing"

    def was_on_hold(self) -> bool:
        return self.remembered == "on_hold"
