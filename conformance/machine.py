"""The machine under test: the extended model seen from outside, with time.

This module owns the contract every implementation is held to (docs/conformance.md):

- an implementation starts by a *reset* into an entry point (:class:`Start`: the entry state
  and a :class:`Configuration` of the timers' settings);
- it is then driven by two kinds of :class:`Input`: ``go`` ("go to status T", with the cause
  value when T has a cause variable) and ``wait`` ("let N seconds pass");
- after each input it answers with its status. A ``go`` the model does not allow in the
  current state is refused: the implementation stays exactly where it was.

Time follows the rules of :mod:`statusproof.model.clocks` (the formal checks' timed model):
two clocks run, the *status clock* (seconds since the current status was entered) and the
*session clock* (seconds since the reset); each timer (:class:`~statusproof.model.model.Timer`)
counts on one of them (``Timer.clock``). A timer falls due when its clock reaches its value;
the earliest due timer of the current status fires, possibly several in a row, and a
session timer whose time has passed fires as soon as its status is entered. A step that a
timer takes (its status to its target) is taken *only* by the timer: a ``go`` naming it is
refused.

:class:`Machine` is that contract as a deterministic step function over
:class:`MachineState` (the extended state of :mod:`statusproof.model.machine` plus the
configuration and the two clocks). For test generation it also offers a finite *abstract*
alphabet (:class:`Symbol`): every ``go`` input, and two waits relative to the next deadline,
``before`` (let time pass until one second before the earliest due timer) and ``until`` (until
it fires). Seen through those symbols a state's status clock is in one of two regions, just
entered or one second before the deadline, and its session clock in one of a few regions around
the session timers' values (:meth:`Machine.normalise`);
:func:`~statusproof.conformance.fsm.explore` unfolds the reachable abstract states into an
explicit machine. Which suites are built on it is left to the suite
modules; talking to implementations is :mod:`statusproof.conformance.adapters`' job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from statusproof.model.machine import State, Step, cause_values, initial_states, successors
from statusproof.model.model import Model, Timer, Transition
from statusproof.model.record import field, record

from .configurations import (
    Configuration,
    MachineError,
    _bounds,
    default_configurations,
    parse_settings,
    setting_key,
)

__all__ = [
    "Configuration",
    "Input",
    "Symbol",
    "Start",
    "MachineState",
    "Outcome",
    "Machine",
    "MachineError",
    "setting_key",
    "default_configurations",
    "parse_settings",
]


@record
class Input:
    """A concrete input: ``go`` to ``status`` (with ``cause``) or ``wait`` ``seconds``."""

    kind: str
    status: str | None = None
    cause: str | None = None
    seconds: int | None = None

    @staticmethod
    def go(status: str, cause: str | None = None) -> Input:
        return Input("go", status, cause)

    @staticmethod
    def wait(seconds: int) -> Input:
        return Input("wait", seconds=seconds)

    def __str__(self) -> str:
        if self.kind == "wait":
            return f"wait {self.seconds}s"
        return f"go {self.status}" + (f" (cause={self.cause})" if self.cause is not None else "")


#: The abstract symbols' kinds: a go input, and the clock-relative waits.
GO, BEFORE, UNTIL, ACROSS = "go", "before", "until", "across"


@record
class Symbol:
    """An abstract input: ``go`` (status, cause), ``before``, ``until`` or ``across``
    (``events``: how many time events the wait goes through; see the module doc)."""

    kind: str
    status: str | None = None
    cause: str | None = None
    events: int = 0

    def __str__(self) -> str:
        if self.kind == GO:
            return str(Input.go(self.status or "", self.cause))
        if self.kind == ACROSS:
            return f"wait through {self.events} time events in one wait"
        return "wait until one second before the timer" if self.kind == BEFORE else \
            "wait until the timer fires"


@record
class Start:
    """Where a test starts: a reset into ``state`` (an entry point) with ``configuration``."""

    state: State
    configuration: Configuration

    def __str__(self) -> str:
        return f"reset to {self.state} ({self.configuration.name})"


@record
class MachineState:
    """An extended state, the index of its configuration, the seconds spent in its status
    (``clock``) and since the reset (``age``)."""

    configuration: int
    state: State
    clock: int = 0
    age: int = 0

    @property
    def status(self) -> str:
        return self.state.status


@record
class Outcome:
    """What one input did: the state after it and the model steps behind the change.

    ``refused`` is True for a ``go`` the model does not allow. ``steps`` are the model
    transitions taken (one for an accepted ``go``; one per timer that fired), ``timers`` the
    timers that fired, ``path`` the state after each step.
    """

    state: MachineState
    refused: bool = False
    steps: tuple[Transition, ...] = ()
    timers: tuple[Timer, ...] = field(default=())
    path: tuple[MachineState, ...] = field(default=())

    @property
    def status(self) -> str:
        return self.state.status


@record
class _Armed:
    """A timer that may fire in a state: its value, its clock, and the model step it takes."""

    value: int
    session: bool
    timer: Timer
    step: Step

    def remaining(self, q: MachineState) -> int:
        return self.value - (q.age if self.session else q.clock)


#: The most timers that may fire within one input (a guard against timers firing in a cycle).
_MAX_FIRINGS = 10_000


class Machine:
    """The deterministic machine under test for ``model`` under ``configurations``.

    Examples
    --------
    >>> from statusproof.model import load_model
    >>> machine = Machine(load_model())
    >>> q = machine.start_state(machine.starts()[0])
    >>> q = machine.apply(q, Input.go("Waiting")).state
    >>> q = machine.apply(q, Input.go("Reconnecting")).state
    >>> machine.apply(q, Input.wait(299)).status, machine.apply(q, Input.wait(300)).status
    ('Reconnecting', 'Offline')
    """

    def __init__(self, model: Model, configurations: Sequence[Configuration] | None = None,
                 long_waits: int = 1):
        self.model = model
        if long_waits < 0:
            raise MachineError(f"the number of long waits must be 0 or more, not {long_waits}")
        if not model.entries:
            raise MachineError(
                f"{model.path}: the model has no entry point, and every conformance test "
                "starts from one; write 'none' (or the event that starts a run) in the "
                "Previous cell of the status where runs begin")
        self.configurations = tuple(configurations or default_configurations(model))
        self.notes: list[str] = []
        self._check_configurations()
        self._moves: dict[State, dict[tuple[str, str | None], Step]] = {}
        self._armed: dict[tuple[int, State], tuple[_Armed, ...]] = {}
        #: The steps only a timer takes (as in :func:`statusproof.model.clocks.timed_steps`).
        self.timed = frozenset((t.status, t.target) for t in model.timers)
        delays = [self._delay(t, c) for c in range(len(self.configurations))
                  for t in model.timers]
        #: How long an ``until`` lets pass in a status without a timer: the longest delay.
        self.horizon = max((d for d in delays if d is not None), default=0)
        session = sorted({d for c in range(len(self.configurations)) for t in model.timers
                          if _session(t) and (d := self._delay(t, c)) is not None})
        #: The session clock's region boundaries (see :meth:`normalise`).
        self._critical = sorted({0, *(v - 1 for v in session), *session})
        self._session_max = session[-1] if session else 0
        self.alphabet: tuple[Symbol, ...] = tuple(
            Symbol(GO, s.name, cause) for s in model.statuses
            for cause in cause_values(model, s.name)
        ) + ((Symbol(BEFORE), Symbol(UNTIL),
              *(Symbol(ACROSS, events=2 + k) for k in range(long_waits)))
             if model.timers else ())
        for timer in model.timers:
            if not any(t.target == timer.target for t in model.outgoing(timer.status)):
                self.notes.append(
                    f"timer {timer.status} -> {timer.target} ({setting_key(timer)}) never "
                    f"fires: the model has no transition {timer.status} -> {timer.target}")

    # -- configuration ------------------------------------------------------------------
    def _check_configurations(self) -> None:
        names = [c.name for c in self.configurations]
        if len(set(names)) != len(names):
            raise MachineError("configuration names must differ: " + ", ".join(names))
        wanted = {setting_key(t): t for t in self.model.timers if t.seconds is None}
        for config in self.configurations:
            given = config.as_dict()
            missing = sorted(set(wanted) - set(given))
            unknown = sorted(set(given) - set(wanted))
            if missing or unknown:
                raise MachineError(
                    f"configuration {config.name!r}: "
                    + (f"no value for setting(s) {missing}" if missing else "")
                    + ("; " if missing and unknown else "")
                    + (f"unknown setting(s) {unknown}" if unknown else "")
                    + f"; the model's settings are {sorted(wanted)}")
            for key, seconds in config.settings:
                timer = wanted[key]
                low, high = _bounds(timer)
                if seconds is None and not timer.never:
                    raise MachineError(f"configuration {config.name!r}: setting {key!r} "
                                       "cannot be switched off (the timer has no 'never')")
                if seconds is not None and not low <= seconds <= high:
                    raise MachineError(f"configuration {config.name!r}: setting {key!r} = "
                                       f"{seconds}s is outside {low}-{high}s")
        for timer in self.model.timers:
            if timer.seconds is not None and timer.seconds <= 0:
                raise MachineError(f"timer {timer.status} -> {timer.target}: a delay of "
                                   f"{timer.seconds}s is not a delay; give at least 1 second")
            values = cause_values(self.model, timer.target)
            if timer.cause is None and len(values) > 1:
                raise MachineError(
                    f"timer {timer.status} -> {timer.target}: {timer.target!r} has a cause "
                    f"variable ({', '.join(str(v) for v in values)}); give the timer a "
                    "'cause' in the amendment file")

    def _delay(self, timer: Timer, configuration: int) -> int | None:
        if timer.seconds is not None:
            return timer.seconds
        value = self.configurations[configuration].value(setting_key(timer))
        return None if value is None else max(value, 1)

    # -- the step relation --------------------------------------------------------------
    def _accepted(self, state: State) -> dict[tuple[str, str | None], Step]:
        moves = self._moves.get(state)
        if moves is None:
            moves = {}
            for step in successors(self.model, state):
                if step.target is not None:
                    moves.setdefault((step.target.status, step.target.cause), step)
            self._moves[state] = moves
        return moves

    def accepted(self, state: State) -> tuple[tuple[str, str | None], ...]:
        """The (status, cause) pairs a ``go`` may name in ``state``, in model order."""
        return tuple(self._accepted(state))

    def armed(self, q: MachineState) -> tuple[int, Timer] | None:
        """The timer that falls due first in ``q`` and the seconds until it does (None: no
        timer runs). Ties go to the timer listed first."""
        due = self._due(q)
        return None if due is None else (due.remaining(q), due.timer)

    def _due(self, q: MachineState) -> _Armed | None:
        best: _Armed | None = None
        for armed in self._arm(q.configuration, q.state):
            if best is None or armed.remaining(q) < best.remaining(q):
                best = armed
        return best

    def _arm(self, configuration: int, state: State) -> tuple[_Armed, ...]:
        """The timers that may fire in ``state`` (their step is enabled), in model order."""
        key = (configuration, state)
        found = self._armed.get(key)
        if found is not None:
            return found
        armed = []
        moves = self._accepted(state)
        for timer in self.model.timers:
            if timer.status != state.status:
                continue
            value = self._delay(timer, configuration)
            if value is None:
                continue
            values = cause_values(self.model, timer.target)
            cause = timer.cause if len(values) > 1 else values[0]
            step = moves.get((timer.target, cause))
            if step is not None:
                armed.append(_Armed(value, _session(timer), timer, step))
        self._armed[key] = tuple(armed)
        return self._armed[key]

    def starts(self) -> tuple[Start, ...]:
        """Every reset point: each configuration with each initial state of the model."""
        return tuple(Start(state, config) for config in self.configurations
                     for state in initial_states(self.model))

    def start_state(self, start: Start) -> MachineState:
        try:
            index = self.configurations.index(start.configuration)
        except ValueError:
            raise MachineError(f"configuration {start.configuration.name!r} is not one of "
                               "the machine's") from None
        if start.state not in initial_states(self.model):
            raise MachineError(f"{start.state} is not an entry point of the model; entry "
                               f"points: {', '.join(self.model.entries)}")
        return MachineState(index, start.state, 0)

    def go(self, q: MachineState, status: str, cause: str | None = None) -> Outcome:
        """Go to ``status``: the model's step, or a refusal that leaves ``q`` unchanged.

        A step only a timer takes is refused. Entering a status whose session timer is
        already due fires it at once (the outcome shows both steps)."""
        step = self._accepted(q.state).get((status, cause))
        if step is None or step.target is None or (q.status, status) in self.timed:
            return Outcome(q, refused=True)
        entered = MachineState(q.configuration, step.target, 0, q.age)
        return self._run_timers(entered, 0, [step.transition], [], [entered])

    def wait(self, q: MachineState, seconds: int) -> Outcome:
        """Let ``seconds`` pass: every timer falling due meanwhile fires, in order."""
        if seconds < 0:
            raise MachineError(f"cannot wait {seconds}s: time only moves forward")
        return self._run_timers(q, seconds, [], [], [])

    def _run_timers(self, q: MachineState, left: int, steps: list[Transition],
                    timers: list[Timer], path: list[MachineState]) -> Outcome:
        for _ in range(_MAX_FIRINGS):
            due = self._due(q)
            if due is None or due.remaining(q) > left:
                return Outcome(MachineState(q.configuration, q.state, q.clock + left,
                                            q.age + left), False, tuple(steps), tuple(timers),
                               tuple(path))
            passed = max(0, due.remaining(q))
            left -= passed
            assert due.step.target is not None
            q = MachineState(q.configuration, due.step.target, 0, q.age + passed)
            steps.append(due.step.transition)
            timers.append(due.timer)
            path.append(q)
        raise MachineError(f"more than {_MAX_FIRINGS} timers fire within one input, in "
                           f"{q.state}: timers that fall due at once lead round in a circle; "
                           "check the [[timer]] statements of the amendment file")

    def apply(self, q: MachineState, given: Input) -> Outcome:
        if given.kind == "go":
            if given.status is None:
                raise MachineError("a go input needs a status")
            return self.go(q, given.status, given.cause)
        if given.kind == "wait":
            if given.seconds is None:
                raise MachineError("a wait input needs seconds")
            return self.wait(q, given.seconds)
        raise MachineError(f"unknown input kind {given.kind!r}; use 'go' or 'wait'")

    def run(self, start: Start, inputs: Iterable[Input]) -> list[Outcome]:
        """The outcome of each input of a test from ``start``."""
        q = self.start_state(start)
        outcomes = []
        for given in inputs:
            outcome = self.apply(q, given)
            outcomes.append(outcome)
            q = outcome.state
        return outcomes

    # -- the abstract alphabet ----------------------------------------------------------
    def concrete(self, q: MachineState, symbol: Symbol) -> Input:
        """The concrete input ``symbol`` stands for in ``q``."""
        if symbol.kind == GO:
            assert symbol.status is not None
            return Input.go(symbol.status, symbol.cause)
        if symbol.kind == ACROSS:
            return Input.wait(self.through(q, symbol.events))
        due = self.armed(q)
        if symbol.kind == BEFORE:
            return Input.wait(1 if due is None else max(0, due[0] - 1))
        return Input.wait(self.horizon if due is None else max(0, due[0]))

    def next_event(self, q: MachineState) -> int | None:
        """Seconds until the next *time event* in ``q``: a timer falls due, or the session
        clock enters its next region (None: neither will happen)."""
        due = self.armed(q)
        found = None if due is None else max(0, due[0])
        ahead = [c - q.age for c in self._critical if c > q.age]
        if ahead and (found is None or ahead[0] < found):
            found = ahead[0]
        return found

    def through(self, q: MachineState, events: int) -> int:
        """Seconds of one wait that goes through ``events`` time events from ``q``: past the
        next deadline and on to the ones after it, so that timers fire in a row and what is
        left of the wait after each one counts in the status it leads to. When no event is
        ahead, the wait adds the horizon and stops."""
        total = 0
        for _ in range(events):
            step = self.next_event(q)
            if step is None:
                return total + self.horizon
            total += step
            q = self.wait(q, step).state
        return total

    def normalise(self, q: MachineState) -> MachineState:
        """The representative of ``q``'s abstract state: the status clock kept only while a
        status-clock timer runs, the session clock cut down to the start of its region
        (0, a session timer's value minus one, its value; past the last value, the last)."""
        arms = self._arm(q.configuration, q.state)
        clock = q.clock if any(not a.session for a in arms) else 0
        age = 0
        if self._session_max:
            capped = min(q.age, self._session_max)
            age = max(c for c in self._critical if c <= capped)
        if (clock, age) == (q.clock, q.age):
            return q
        return MachineState(q.configuration, q.state, clock, age)

    def configuration_of(self, q: MachineState) -> Configuration:
        return self.configurations[q.configuration]

    def describe(self, q: MachineState) -> str:
        """A state as people read it: the extended state, clock and configuration."""
        text = str(q.state)
        if q.clock:
            text += f" after {q.clock}s"
        if q.age:
            text += f" (session {q.age}s)"
        if len(self.configurations) > 1:
            text += f" <{self.configurations[q.configuration].name}>"
        return text


def _session(timer: Timer) -> bool:
    return getattr(timer, "clock", "status") == "session"
