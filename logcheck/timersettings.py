"""The values of the administrators' timer settings, for all sessions, per group, per session.

A model's timers may wait for a value an administrator sets (for Rescue, the Admin-defined
time-outs: 1-999 minutes, 0 = never). Without that value the checker accepts any value of the
setting: a timed step no earlier than the setting's minimum, and no deadline when the setting
may be 'never', so a time-out after 5 minutes in a group set to 10 cannot be caught. This module
owns how the values are given and which compiled model each session gets:

- ``--setting NAME=VALUE`` on the command line, for every session: NAME is the setting's text
  in the amendment file, or the first words of it ("waiting" for "Waiting sessions will time
  out (1-999 minutes, 0 = never)"); VALUE is seconds or a duration (``10m``, ``1h``), 0 for
  'never' where the setting allows it;
- a side file (``--settings FILE``, TOML) with a ``[settings]`` table for every session, and
  ``[group."NAME"]`` and ``[session."ID"]`` tables; a session's group is the group field of its
  first record (``--group-field``). A session's own table overrides its group's, which
  overrides the defaults; the command line overrides the file's defaults.

:class:`Profiles` gives each session the :class:`~.compiled.Compiled` of its values (one per
distinct set of values); :func:`timing_notes` says, for the report, what the timing checks
could and could not check.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from statusproof.model.clocks import Clocks, Setting
from statusproof.model.errors import StatusproofError
from statusproof.model.model import Model

from .compiled import Compiled
from .records import Record

__all__ = ["SettingsError", "TimerSettings", "Profiles", "parse_value", "find_setting",
           "load_settings", "timing_notes", "Values"]

#: Setting values by :attr:`Setting.index` (None: never).
Values = dict[int, int | None]
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class SettingsError(StatusproofError):
    """A setting name or value that does not fit the model's timers."""


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _settable(clocks: Clocks) -> list[Setting]:
    return [s for s in clocks.settings if s.fixed is None]


def find_setting(clocks: Clocks, name: str, where: str) -> Setting:
    """The settable setting ``name`` names (its text, or its first words)."""
    wanted = _words(name)
    settable = _settable(clocks)
    found = [s for s in settable if _words(s.text) == wanted] or [
        s for s in settable if wanted and (_words(s.text) + " ").startswith(wanted + " ")]
    names = "; ".join(repr(s.text) for s in settable) or "none"
    if not found:
        raise SettingsError(f"{where}: no timer setting of the model is called {name!r}; "
                            f"settings that can be set: {names}")
    if len(found) > 1:
        raise SettingsError(f"{where}: {name!r} names several settings ("
                            + "; ".join(repr(s.text) for s in found) + "); give more words")
    return found[0]


def parse_value(setting: Setting, value: object, where: str) -> int | None:
    """Seconds (None: never) from a number or a duration text, checked against the setting."""
    seconds: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        seconds = value
    elif isinstance(value, str):
        match = re.fullmatch(r"\s*(\d+)\s*([smhd]?)\s*", value)
        if match:
            seconds = int(match[1]) * _UNITS[match[2] or "s"]
    if seconds is None:
        raise SettingsError(f"{where}: {value!r} is not a duration; write seconds or e.g. "
                            "'10m', '1h' (0 for never)")
    if seconds == 0:
        if setting.never:
            return None
        raise SettingsError(f"{where}: {setting.text!r} cannot be 'never' (0); it is "
                            f"{setting}")
    if not setting.allows(seconds):
        raise SettingsError(f"{where}: {value!r} is not a value of {setting.text!r} ({setting})")
    return seconds


def _table(clocks: Clocks, data: object, where: str) -> Values:
    if not isinstance(data, dict):
        raise SettingsError(f"{where}: expected a table of 'setting = value' entries")
    values: Values = {}
    for name, value in data.items():
        setting = find_setting(clocks, name, where)
        values[setting.index] = parse_value(setting, value, f"{where}: {name}")
    return values


@dataclass
class TimerSettings:
    """Setting values for every session, per group and per session."""

    default: Values = field(default_factory=dict)
    groups: dict[str, Values] = field(default_factory=dict)
    sessions: dict[str, Values] = field(default_factory=dict)
    source: str = ""

    def values_for(self, session: str, group: str | None) -> Values:
        values = dict(self.default)
        if group is not None and group in self.groups:
            values.update(self.groups[group])
        if session in self.sessions:
            values.update(self.sessions[session])
        return values

    @property
    def varies(self) -> bool:
        return bool(self.groups or self.sessions)


def load_settings(model: Model, options: Iterable[str] = (), path: str | None = None
                  ) -> TimerSettings:
    """The settings of ``--setting NAME=VALUE`` options and a ``--settings`` file."""
    clocks = Clocks(model)
    found = TimerSettings(source=path or "")
    if path is not None:
        try:
            data: dict[str, Any] = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as e:
            raise SettingsError(f"{path}: cannot read the settings file: {e.strerror or e}; "
                                "check the path") from e
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
            raise SettingsError(f"{path}: not valid TOML ({e}); write [settings], "
                                "[group.\"NAME\"] and [session.\"ID\"] tables") from e
        extra = sorted(set(data) - {"about", "settings", "group", "session"})
        if extra:
            raise SettingsError(f"{path}: unknown key(s) {', '.join(extra)}; a settings file "
                                "has [settings], [group.\"NAME\"] and [session.\"ID\"] tables")
        found.default = _table(clocks, data.get("settings", {}), f"{path}: [settings]")
        for kind, book in (("group", found.groups), ("session", found.sessions)):
            tables = data.get(kind, {})
            if not isinstance(tables, dict):
                raise SettingsError(f"{path}: [{kind}] must hold tables like "
                                    f"[{kind}.\"NAME\"]")
            for key, table in tables.items():
                book[str(key)] = _table(clocks, table, f"{path}: [{kind}.{key!r}]")
    for option in options:
        name, sep, value = option.partition("=")
        if not sep:
            raise SettingsError(f"--setting {option!r}: write NAME=VALUE, e.g. "
                                "--setting waiting=10m")
        setting = find_setting(clocks, name, f"--setting {option!r}")
        found.default[setting.index] = parse_value(setting, value.strip(),
                                                   f"--setting {option!r}")
    return found


class Profiles:
    """The compiled model of each session's setting values (shared by equal values)."""

    def __init__(self, model: Model, settings: TimerSettings, slack: float,
                 default: Compiled | None = None) -> None:
        self.model = model
        self.settings = settings
        self.slack = slack
        self.default = default or Compiled(model, slack, settings.default)
        self._by_values: dict[tuple[tuple[int, int | None], ...], Compiled] = {
            tuple(sorted(settings.default.items())): self.default}

    def compiled(self, values: Mapping[int, int | None]) -> Compiled:
        key = tuple(sorted(values.items()))
        found = self._by_values.get(key)
        if found is None:
            found = self._by_values[key] = Compiled(self.model, self.slack, values)
        return found

    def __call__(self, record: Record) -> Compiled:
        if not self.settings.varies:
            return self.default
        return self.compiled(self.settings.values_for(record.session, record.group))


def _seconds(value: int | None) -> str:
    if value is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if value % size == 0:
            return f"{value // size}{unit}"
    return f"{value}s"


def timing_notes(model: Model, settings: TimerSettings) -> tuple[str, ...]:
    """What the timing checks check for each settable setting, and what they cannot."""
    clocks = Clocks(model)
    notes = []
    for setting in _settable(clocks):
        per = sorted({kind for kind, book in (("group", settings.groups),
                                              ("session", settings.sessions))
                      if any(setting.index in v for v in book.values())})
        if setting.index in settings.default:
            value = settings.default[setting.index]
            text = (f"{setting.text!r} = {_seconds(value)}"
                    + (f" (per {' and '.join(per)} from {settings.source} where given)"
                       if per else "")
                    + (": its timer never falls due; a step only it makes is a violation"
                       if value is None else
                       ": a step its timer makes before or after that time is a violation"))
        else:
            low = _seconds(setting.minimum)
            text = (f"{setting.text!r} not set"
                    + (f" (set per {' and '.join(per)} from {settings.source} for some "
                       "sessions)" if per else "")
                    + f": its timed steps are checked only against its range (none before "
                    f"{low}); " + ("no deadline is checked (it may be never)" if setting.never
                                   else f"the deadline is its maximum, {_seconds(setting.maximum)}")
                    + "; give --setting NAME=VALUE to check early and late time-outs")
        notes.append(text)
    return tuple(notes)
