"""Zero-glue adapters for state machines written with python-statemachine or transitions.

``statemachine:MODULE:CLASS`` names a ``statemachine.StateMachine`` subclass;
``transitions:MODULE:FACTORY`` a callable returning a ``transitions.Machine`` or an object
whose ``machine`` attribute is one (the object being its model). No adapter code is written:
a small TOML *mapping file* (:mod:`.mapping`) says which library state is which status of the
table, and which events the application's scheduler sends when time passes.

The contract (docs/conformance.md) is met like this, in-process, through a worker thread as
the ``python:`` adapter does (a call that hangs is a timeout, an exception a crash):

- **reset**: a new machine is made in the state mapped to the entry status;
- **go T**: the events that lead from the current state to a state mapped to T (and the
  cause) are tried in name order, timer events excepted (only a timer sends those); the first
  one the machine takes and that lands in T counts (an event whose transitions may lead
  elsewhere is tried on a copy first). None: the step is refused and nothing changes;
- **wait N**: the adapter keeps the two clocks of the contract and, when a timer of the
  current state falls due (the earliest first, ties in file order), sends its event; what is
  left of the wait goes on in the state reached. A timer whose event the machine refuses does
  not fire again until the state changes.

What is tested is therefore the library machine: its states, its events, its guards (history
included) and where each timer's event leads. The clocks, and the delays the mapping file
states, are the adapter's: a fault in them is the mapping's, not the implementation's.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Generator, Sequence
from pathlib import Path
from typing import Any

from .adapter_base import AdapterError, AdapterFault, Verdict
from .machine import Input, Start
from .mapping import Mapping, TimerMap, load_mapping
from .python_adapter import PythonAdapter, load_attribute

__all__ = ["open_library_adapter", "LibraryAdapter"]


class _Backend:
    """What a library offers: make a machine in a state, read its state, list and send
    events."""

    def make(self, state: str) -> Any:
        raise NotImplementedError

    def state(self, machine: Any) -> str:
        raise NotImplementedError

    def events(self, machine: Any) -> dict[str, set[str]]:
        """The events from the current state and the states each may lead to."""
        raise NotImplementedError

    def send(self, machine: Any, event: str) -> bool:
        """Send ``event``; False when the machine does not take it (nothing changed)."""
        raise NotImplementedError

    def states(self) -> set[str]:
        raise NotImplementedError


class _StateMachineBackend(_Backend):
    def __init__(self, spec: str, target: str) -> None:
        _, factory = load_attribute(spec, target, "statemachine:MODULE:CLASS")
        try:
            from statemachine import StateMachine
            from statemachine.exceptions import TransitionNotAllowed
        except ImportError as e:  # pragma: no cover - a test dependency
            raise AdapterError(f"adapter {spec!r}: python-statemachine is not installed "
                               "(pip install python-statemachine)") from e
        if not (isinstance(factory, type) and issubclass(factory, StateMachine)):
            raise AdapterError(f"adapter {spec!r}: {target.rpartition(':')[2]} is not a "
                               "statemachine.StateMachine subclass")
        self.cls = factory
        self.refused = TransitionNotAllowed
        self.by_id = {s.id: s for s in factory.states}

    def make(self, state: str) -> Any:
        return self.cls(start_value=self.by_id[state].value)

    def state(self, machine: Any) -> str:
        value = machine.current_state_value
        return str(self.cls.states_map[value].id)

    def events(self, machine: Any) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for transition in self.by_id[self.state(machine)].transitions:
            names = getattr(transition, "events", None) or [transition.event]
            for name in names:
                found.setdefault(str(name), set()).add(transition.target.id)
        return found

    def send(self, machine: Any, event: str) -> bool:
        try:
            machine.send(event)
        except self.refused:
            return False
        return True

    def states(self) -> set[str]:
        return set(self.by_id)


class _TransitionsBackend(_Backend):
    def __init__(self, spec: str, target: str) -> None:
        _, self.factory = load_attribute(spec, target, "transitions:MODULE:FACTORY")
        try:
            from transitions import Machine, MachineError
        except ImportError as e:  # pragma: no cover - a test dependency
            raise AdapterError(f"adapter {spec!r}: transitions is not installed "
                               "(pip install transitions)") from e
        self.machine_class = Machine
        self.refused = MachineError
        try:
            probe = self._machine(self.factory())
        except AdapterError:
            raise
        except Exception as e:
            raise AdapterError(f"adapter {spec!r}: calling the factory failed: "
                               f"{type(e).__name__}: {e}") from e
        self.spec = spec
        self.names = set(probe.states)

    def _machine(self, made: Any) -> Any:
        machine = made if isinstance(made, self.machine_class) else getattr(made, "machine",
                                                                            None)
        if not isinstance(machine, self.machine_class):
            raise AdapterError("the factory must return a transitions.Machine or an object "
                               "with one in its 'machine' attribute")
        return machine

    def make(self, state: str) -> Any:
        made = self.factory()
        machine = self._machine(made)
        model = machine.models[0] if made is machine else made
        machine.set_state(state, model=model)
        return (machine, model)

    def state(self, machine: Any) -> str:
        return str(machine[1].state)

    def events(self, machine: Any) -> dict[str, set[str]]:
        here = self.state(machine)
        found: dict[str, set[str]] = {}
        for name, event in machine[0].events.items():
            for transition in event.transitions.get(here, ()):
                found.setdefault(str(name), set()).add(str(transition.dest or here))
        return found

    def send(self, machine: Any, event: str) -> bool:
        try:
            return bool(machine[1].trigger(event))
        except self.refused:
            return False

    def states(self) -> set[str]:
        return set(self.names)


class _Session:
    """One run: the library machine, the two clocks and the timers spent in this state."""

    def __init__(self, backend: _Backend, mapping: Mapping, entry: str,
                 settings: dict[str, int | None]) -> None:
        self.backend, self.mapping, self.settings = backend, mapping, settings
        self.machine = backend.make(entry)
        self.clock = self.age = 0
        self.spent: set[int] = set()

    def status(self) -> str:
        state = self.backend.state(self.machine)
        mapped = self.mapping.states.get(state)
        if mapped is None:
            raise _Unmapped(state)
        return mapped[0]

    def _entered(self) -> None:
        self.clock = 0
        self.spent = set()

    def go(self, status: str, cause: str | None) -> str:
        wanted = self.mapping.targets(status, cause)
        for event, targets in sorted(self.backend.events(self.machine).items()):
            if event in self.mapping.timer_events or not targets & wanted:
                continue
            before = copy.deepcopy(self.machine) if targets - wanted else None
            if not self.backend.send(self.machine, event):
                continue
            if self.backend.state(self.machine) in wanted:
                self._entered()
                self._pass(0)  # a timer already due fires at once
                return self.status()
            self.machine = before  # it went elsewhere: as if it had not been sent
        return self.status()

    def _due(self) -> tuple[int, int, TimerMap] | None:
        state = self.backend.state(self.machine)
        best: tuple[int, int, TimerMap] | None = None
        for number, timer in enumerate(self.mapping.timers):
            if state not in timer.states or number in self.spent:
                continue
            delay = timer.delay(self.settings)
            if delay is None:
                continue
            left = delay - (self.age if timer.clock == "session" else self.clock)
            if best is None or left < best[0]:
                best = (left, number, timer)
        return best

    def _pass(self, seconds: int) -> None:
        for _ in range(10_000):
            due = self._due()
            if due is None or due[0] > seconds:
                break
            passed = max(0, due[0])
            seconds -= passed
            self.clock += passed
            self.age += passed
            if self.backend.send(self.machine, due[2].event):
                self._entered()  # a state entered (again) restarts its clock
            else:
                self.spent.add(due[1])
        self.clock += seconds
        self.age += seconds

    def wait(self, seconds: int) -> str:
        self._pass(seconds)
        return self.status()


class _Unmapped(Exception):
    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


class LibraryAdapter(PythonAdapter):
    """A library state machine driven through the contract (see the module doc)."""

    def __init__(self, spec: str, backend: _Backend, mapping: Mapping, timeout: float) -> None:
        self.spec = spec
        self.timeout = timeout
        self.backend = backend
        self.mapping = mapping
        self._factory = lambda: None
        self._worker = None
        self._implementation = None

    def _object(self) -> Any:
        return self

    def _session_call(self, function: Any, *args: Any) -> str:
        try:
            return str(function(*args))
        except _Unmapped as e:
            return f"\0unmapped:{e.state}"

    def reset(self, start: Start) -> str:
        return self._checked("reset()", self._call("reset()", self._reset, start))

    def _reset(self, start: Start) -> str:
        entries = self.mapping.targets(start.state.status, start.state.cause)
        if not entries:
            raise AdapterError(f"the mapping has no state for the entry {start.state.status!r}")
        self._session = _Session(self.backend, self.mapping, sorted(entries)[0],
                                 dict(start.configuration.settings))
        return self._session_call(self._session.status)

    def _go(self, status: str, cause: str | None) -> str:
        return self._session_call(self._session.go, status, cause)

    def _wait(self, seconds: int) -> str:
        return self._session_call(self._session.wait, seconds)

    def _checked(self, what: str, answer: Any) -> str:
        text = self._status(what, answer)
        if text.startswith("\0unmapped:"):
            raise AdapterFault(Verdict.GARBAGE, f"after {what} the machine is in state "
                               f"{text[10:]!r}, which the mapping file maps to no status")
        return text

    def send(self, item: Input) -> str:
        function, args = self._plan(self, item)
        return self._checked(self._what(item), self._call(self._what(item), function, *args))

    def _plan(self, target: Any, item: Input) -> tuple[Any, tuple[Any, ...]]:
        if item.kind == "wait":
            return self._wait, (item.seconds,)
        return self._go, (item.status, item.cause)

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        calls: list[tuple[Any, tuple[Any, ...]]] = [(self._reset, (start,))]
        calls.extend(self._plan(self, item) for item in inputs)
        whats = ["reset()", *(self._what(item) for item in inputs)]
        job = self._run(calls)
        for what, answer in zip(whats, job.answers, strict=False):
            yield self._checked(what, answer)
        if len(job.answers) < len(calls):
            what = whats[len(job.answers)]
            if not job.done.is_set():
                raise AdapterFault(Verdict.TIMEOUT, f"{what} did not return within "
                                   f"{self.timeout:g}s")
            error = job.error
            raise AdapterFault(Verdict.CRASH, f"{what} raised {type(error).__name__}: {error}")

    def recover(self, fault: AdapterFault | None = None) -> None:
        self._worker = None if fault is not None and fault.verdict is Verdict.TIMEOUT \
            else self._worker


def open_library_adapter(kind: str, spec: str, target: str, timeout: float,
                         mapping: str | Path | None, statuses: Collection[str] = ()
                         ) -> LibraryAdapter:
    """The ``statemachine:`` or ``transitions:`` adapter, with its mapping file."""
    backend: _Backend = (_StateMachineBackend(spec, target) if kind == "statemachine"
                         else _TransitionsBackend(spec, target))
    module = target.rpartition(":")[0]
    default = Path(module).with_suffix(".mapping.toml") if module.endswith(".py") else None
    path = Path(mapping) if mapping is not None else default
    if path is None:
        raise AdapterError(f"adapter {spec!r}: give the mapping file with --mapping FILE.toml "
                           "(MODULE is a module name, so there is no file beside it to use)")
    known = set(statuses) if statuses else None
    return LibraryAdapter(spec, backend, load_mapping(path, backend.states(), known), timeout)
