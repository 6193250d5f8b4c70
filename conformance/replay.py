"""A failing trace as a script anyone can run again: :func:`replay_script` and :class:`Replay`.

The script a failed run writes (``conform --script FILE``) imports :class:`Replay`, drives the
same adapter step by step and exits with a code that says what happened: 0 every answer as
expected (the implementation was fixed), 1 still failing, 3 statusproof itself cannot be
imported (so that "still failing" is never confused with "could not run"). Running suites and
shrinking is :mod:`.runner`'s job.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TextIO

from statusproof.model.machine import State

from .adapter_base import AdapterFault
from .machine import Configuration, Input, Start

if TYPE_CHECKING:
    from .runner import Shrunk

__all__ = ["replay_script", "Replay", "EXIT_PASSED", "EXIT_FAILED", "EXIT_UNAVAILABLE"]

#: The replay script's exit codes.
EXIT_PASSED, EXIT_FAILED, EXIT_UNAVAILABLE = 0, 1, 3


def _literal(value: object) -> str:
    return repr(value)


def replay_script(shrunk: Shrunk, adapter: str, table: str, timeout: float = 5.0,
                  mapping: str | None = None) -> str:
    """A Python script that replays the shrunk failure against ``adapter``."""
    result = shrunk.result
    case = result.case
    start = case.start
    original = len(shrunk.original.case.steps)
    lines = [
        "#!/usr/bin/env python3",
        '"""Replay a failing conformance trace (written by statusproof conform).',
        "",
        f"Table: {table}",
        f"Test:  {shrunk.suite} {shrunk.original.case.name}, shrunk from {original} steps to "
        f"{len(case.steps)}.",
        f"Fails: {result.verdict.value}: {result.message}",
        "Run:   python3 THIS_FILE  (exit 0 once the implementation passes this trace, 1 while",
        "       it fails, 3 when statusproof cannot be imported)",
        '"""',
        "",
        "try:",
        "    from statusproof.conformance.runner import Replay",
        "except ImportError as error:",
        "    import sys",
        "    sys.stderr.write(f\"cannot replay: statusproof is not importable ({error}); \"",
        "                     \"install it, or activate its virtual environment\\n\")",
        f"    raise SystemExit({EXIT_UNAVAILABLE}) from None",
        "",
        f"replay = Replay({adapter!r}, timeout={timeout!r}"
        + (f", mapping={mapping!r}" if mapping else "") + ")",
    ]
    settings = dict(start.configuration.settings)
    args = [_literal(start.state.status)]
    if start.state.cause is not None:
        args.append(f"cause={start.state.cause!r}")
    if settings:
        args.append(f"settings={settings!r}")
    lines.append(f"replay.reset({', '.join(args)})")
    for number, step in enumerate(case.steps, 1):
        if step.input.kind == "wait":
            call = f"replay.wait({step.input.seconds}, expect={step.expected!r})"
        elif step.input.cause is not None:
            call = (f"replay.go({step.input.status!r}, cause={step.input.cause!r}, "
                    f"expect={step.expected!r})")
        else:
            call = f"replay.go({step.input.status!r}, expect={step.expected!r})"
        if number == result.step and result.actual is not None:
            call += f"  # answered {result.actual!r}"
        elif number == result.step:
            call += f"  # {result.verdict.value}"
        lines.append(call)
    lines.append("raise SystemExit(replay.finish())")
    return "\n".join(lines) + "\n"


class Replay:
    """Drive an implementation step by step and stop at the first wrong answer.

    Used by the scripts :func:`replay_script` writes; each call prints one line.
    """

    def __init__(self, adapter: str, timeout: float = 5.0, out: TextIO | None = None,
                 mapping: str | None = None) -> None:
        from .adapters import open_adapter
        self._adapter = open_adapter(adapter, timeout, mapping)
        self._out = sys.stdout if out is None else out
        self._step = 0

    def _check(self, what: str, call: Callable[[], str], expect: str) -> None:
        try:
            answer = call()
        except AdapterFault as fault:
            self._out.write(f"{self._step:>3}. {what}: {fault.verdict.value}: "
                            f"{fault.message}\n")
            self._adapter.close()
            raise SystemExit(EXIT_FAILED) from None
        if answer != expect:
            self._out.write(f"{self._step:>3}. {what}: expected {expect!r}, answered "
                            f"{answer!r}\nFAILED\n")
            self._adapter.close()
            raise SystemExit(EXIT_FAILED)
        self._out.write(f"{self._step:>3}. {what}: {answer}\n")
        self._step += 1

    def reset(self, entry: str, cause: str | None = None,
              settings: Mapping[str, int | None] | None = None) -> None:
        start = Start(State(entry, None, cause),
                      Configuration("replay", tuple((settings or {}).items())))
        self._check(f"reset to {entry}", lambda: self._adapter.reset(start), entry)

    def go(self, status: str, cause: str | None = None, *, expect: str) -> None:
        item = Input.go(status, cause)
        self._check(str(item), lambda: self._adapter.send(item), expect)

    def wait(self, seconds: int, *, expect: str) -> None:
        item = Input.wait(seconds)
        self._check(str(item), lambda: self._adapter.send(item), expect)

    def finish(self) -> int:
        fault = self._adapter.finish()
        if fault is not None:
            self._out.write(f"{fault.verdict.value}: {fault.message}\nFAILED\n")
            return EXIT_FAILED
        self._out.write("PASSED: every answer as expected\n")
        return EXIT_PASSED
