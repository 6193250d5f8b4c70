"""The mapping file of the library adapters: library states to statuses, timers to events.

A TOML file (docs/conformance.md, "Library adapters"):

.. code-block:: toml

    [states]                      # library state -> status (a cause where the status has one)
    waiting = "Waiting"
    timed_out_admin = { status = "Timed out", cause = "admin" }

    [[timer]]                     # what the application's scheduler does
    states = ["reconnecting"]     # in these library states,
    event = "give_up"             # send this event
    seconds = 300                 # after this long (or: setting = "NAME", read from the reset)
    clock = "status"              # counted since the state was entered ("session": since reset)

A library state not under ``[states]`` maps to the status whose name, lowercased with every run
of other characters made one ``_``, is the state's name (``on_hold`` is ``On Hold``) -- so a
machine whose states are named like the table needs no ``[states]`` at all; a state that maps
to no status is reported (verdict ``garbage``) when the machine enters it. Every problem is
reported as ``FILE: what is wrong; how to fix it`` (an adapter error, exit code 2). Driving the
machine is :mod:`.library_adapters`' job.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping as MappingType
from collections.abc import Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statusproof.model.record import record

from .adapter_base import AdapterError

__all__ = ["Mapping", "TimerMap", "load_mapping", "plain_name"]


def plain_name(name: str) -> str:
    """``On Hold`` -> ``on_hold``: lowercase, each run of other characters one ``_``."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


@record
class TimerMap:
    """One timer of the scheduler: in ``states``, send ``event`` after the delay."""

    states: frozenset[str]
    event: str
    seconds: int | None = None
    setting: str | None = None
    clock: str = "status"

    def delay(self, settings: MappingType[str, int | None]) -> int | None:
        """Seconds until it falls due (None: switched off by its setting)."""
        if self.seconds is not None:
            return self.seconds
        assert self.setting is not None
        return settings.get(self.setting)


@dataclass
class Mapping:
    """Library states to (status, cause), and the timers."""

    states: dict[str, tuple[str, str | None]]
    timers: tuple[TimerMap, ...] = ()
    timer_events: frozenset[str] = field(default=frozenset())
    _named: dict[str, set[str]] = field(default_factory=dict)

    def targets(self, status: str, cause: str | None) -> set[str]:
        """The library states mapped to ``status`` with ``cause``."""
        found = self._named.get(f"{status}\0{cause}")
        if found is None:
            found = {state for state, (s, c) in self.states.items()
                     if s == status and c == cause}
            self._named[f"{status}\0{cause}"] = found
        return found


def _fail(path: Path, message: str) -> AdapterError:
    return AdapterError(f"{path}: {message}")


def load_mapping(path: Path, library_states: Set[str], statuses: Set[str] | None = None
                 ) -> Mapping:
    """Read and check ``path`` against the library's states."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise _fail(path, f"cannot read the mapping file: {e.strerror}; give it with "
                          "--mapping FILE.toml") from e
    except tomllib.TOMLDecodeError as e:
        raise _fail(path, f"not TOML: {e}") from e
    unknown = sorted(set(data) - {"states", "timer", "about"})
    if unknown:
        raise _fail(path, f"unknown section(s) {unknown}; use [states] and [[timer]]")
    states: dict[str, tuple[str, str | None]] = {}
    given = data.get("states", {})
    if not isinstance(given, dict):
        raise _fail(path, "[states] must be a table of STATE = \"Status\"")
    for state, target in given.items():
        if state not in library_states:
            raise _fail(path, f"[states]: {state!r} is not a state of the machine; its states "
                              f"are {', '.join(sorted(library_states))}")
        states[state] = _target(path, state, target)
    by_plain = {plain_name(s): s for s in statuses or ()}
    for state in library_states - set(states):
        if statuses is None:
            states[state] = (state, None)  # no model at hand: the state's own name
        elif plain_name(state) in by_plain:
            states[state] = (by_plain[plain_name(state)], None)
    timers = tuple(_timer(path, number, raw, library_states)
                   for number, raw in enumerate(_list(path, data.get("timer", [])), 1))
    return Mapping(states, timers, frozenset(t.event for t in timers))


def _list(path: Path, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(path, "timers are written [[timer]], one table each")
    return value


def _target(path: Path, state: str, target: Any) -> tuple[str, str | None]:
    if isinstance(target, str) and target:
        return target, None
    if isinstance(target, dict) and isinstance(target.get("status"), str) and \
            isinstance(target.get("cause", ""), str) and set(target) <= {"status", "cause"}:
        return target["status"], target.get("cause")
    raise _fail(path, f"[states]: {state} must be \"Status\" or {{ status = \"Status\", "
                      "cause = \"cause\" }")


def _timer(path: Path, number: int, raw: Any, library_states: Set[str]) -> TimerMap:
    where = f"timer {number}"
    if not isinstance(raw, dict):
        raise _fail(path, f"{where} must be a table")
    unknown = sorted(set(raw) - {"states", "event", "seconds", "setting", "clock", "source"})
    if unknown:
        raise _fail(path, f"{where}: unknown key(s) {unknown}; use states, event, seconds or "
                          "setting, clock")
    states = raw.get("states")
    if isinstance(states, str):
        states = [states]
    if not isinstance(states, list) or not states or \
            not all(isinstance(s, str) for s in states):
        raise _fail(path, f"{where}: 'states' must list the library states it runs in")
    missing = sorted(set(states) - set(library_states))
    if missing:
        raise _fail(path, f"{where}: {missing} not states of the machine")
    event = raw.get("event")
    if not isinstance(event, str) or not event:
        raise _fail(path, f"{where}: give the 'event' the scheduler sends")
    seconds, setting = raw.get("seconds"), raw.get("setting")
    if (seconds is None) == (setting is None):
        raise _fail(path, f"{where}: give either 'seconds' or 'setting' (the name of a "
                          "setting of the reset)")
    if seconds is not None and (not isinstance(seconds, int) or isinstance(seconds, bool)
                                or seconds < 1):
        raise _fail(path, f"{where}: 'seconds' must be a whole number of at least 1")
    if setting is not None and not isinstance(setting, str):
        raise _fail(path, f"{where}: 'setting' must be the name of a setting")
    clock = raw.get("clock", "status")
    if clock not in ("status", "session"):
        raise _fail(path, f"{where}: 'clock' must be \"status\" or \"session\"")
    return TimerMap(frozenset(states), event, seconds, setting, clock)
