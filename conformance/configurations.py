"""Configurations: the values of the timers' settings a test runs under.

A configurable timer (one with ``minimum``/``maximum`` in the amendment file instead of fixed
``seconds``) reads a *setting*; a :class:`Configuration` gives every setting a value (seconds,
or None for "never"), and is part of a test's reset. :func:`default_configurations` picks the
ones suites use when none is given; checking a configuration against the model and stepping
the machine are :mod:`.machine`'s job.
"""

from __future__ import annotations

from collections.abc import Mapping

from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model, Timer
from statusproof.model.record import record

__all__ = ["Configuration", "MachineError", "setting_key", "default_configurations",
           "parse_settings"]


class MachineError(StatusproofError):
    """The model or a configuration cannot be seen as a deterministic machine under test."""


def setting_key(timer: Timer) -> str:
    """The name of the setting a configurable timer reads (its ``setting`` text).

    Timers that share a setting text share one value.
    """
    return timer.setting or f"{timer.status} -> {timer.target}"


@record
class Configuration:
    """Values of the timers' settings for one run: seconds, or None for "never".

    Only configurable timers (those without fixed ``seconds``) read a setting.
    """

    name: str
    settings: tuple[tuple[str, int | None], ...] = ()

    def value(self, key: str) -> int | None:
        for name, seconds in self.settings:
            if name == key:
                return seconds
        raise KeyError(key)

    def as_dict(self) -> dict[str, int | None]:
        return dict(self.settings)


def _bounds(timer: Timer) -> tuple[int, int]:
    low = timer.minimum if timer.minimum is not None else timer.maximum
    high = timer.maximum if timer.maximum is not None else timer.minimum
    if low is None or high is None:
        raise MachineError(f"timer {timer.status} -> {timer.target} ({timer.setting!r}) has "
                           "neither seconds nor a minimum/maximum; give its delay in the "
                           "amendment file")
    return low, high


def default_configurations(model: Model) -> tuple[Configuration, ...]:
    """The configurations suites use when none is given.

    No configurable timer: one configuration, ``fixed``. Otherwise ``minimum`` (every
    setting at its minimum) and, when some setting may be switched off, ``never`` (those
    off, the others at their maximum), else ``maximum``.

    Examples
    --------
    >>> from statusproof.model import load_model
    >>> [c.name for c in default_configurations(load_model())]
    ['minimum', 'never']
    """
    keys: dict[str, list[Timer]] = {}
    for timer in model.timers:
        if timer.seconds is None:
            keys.setdefault(setting_key(timer), []).append(timer)
    if not keys:
        return (Configuration("fixed"),)
    low = tuple((key, min(_bounds(t)[0] for t in ts)) for key, ts in keys.items())
    can_stop = any(t.never for ts in keys.values() for t in ts)
    high = tuple((key, None if any(t.never for t in ts) else max(_bounds(t)[1] for t in ts))
                 for key, ts in keys.items())
    return (Configuration("minimum", low), Configuration("never" if can_stop else "maximum",
                                                         high))


def parse_settings(config: Configuration, given: Mapping[str, int | None]) -> Configuration:
    """``config`` with the values in ``given`` replaced (names must exist)."""
    known = config.as_dict()
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise MachineError(f"unknown setting(s) {unknown}; the settings are {sorted(known)}")
    known.update(given)
    return Configuration(config.name, tuple(known.items()))
