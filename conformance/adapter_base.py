"""What every adapter is: the :class:`Adapter` interface, the verdicts, the faults.

An adapter is how the runner talks to one implementation under test: ``reset`` into a start,
``send`` one input, or ``exchange`` a whole test, each answer being the status the
implementation reports. Anything that is not a usable answer is an :class:`AdapterFault`
carrying a :class:`Verdict`; a spec that cannot be used at all is an :class:`AdapterError`
(exit code 2). The adapters themselves live in :mod:`.python_adapter`, :mod:`.exec_adapter`
and :mod:`.library_adapters`; choosing one from a spec is :mod:`.adapters`' job, deciding
pass or fail the runner's.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from enum import Enum

from statusproof.model.errors import StatusproofError

from .machine import Input, Start

__all__ = ["Verdict", "AdapterFault", "AdapterError", "Adapter", "MAX_LINE", "STARTUP"]

#: The longest answer line accepted (bytes); a longer one is garbage.
MAX_LINE = 1 << 16
#: Extra time a freshly started process has for its first answer (seconds).
STARTUP = 10.0


class Verdict(Enum):
    """The outcome of one test."""

    PASS = "pass"
    FAIL = "fail"  # a wrong status
    TIMEOUT = "timeout"  # no answer within the time limit
    CRASH = "crash"  # the process exited, or the Python call raised
    GARBAGE = "garbage"  # an answer that is not a well-formed answer
    EXTRA = "too-many-answers"  # more than one answer to one request
    ERROR = "error"  # the implementation answered with an error


class AdapterError(StatusproofError):
    """An adapter spec that cannot be used (bad syntax, no such module or command)."""


class AdapterFault(Exception):
    """The implementation did not give a usable answer; ``verdict`` says how.

    ``earlier`` > 0 says the fault belongs to a request that many before the one being
    answered (a second answer to an earlier request found while reading a later one).
    """

    def __init__(self, verdict: Verdict, message: str, earlier: int = 0) -> None:
        super().__init__(message)
        self.verdict = verdict
        self.message = message
        self.earlier = earlier


class Adapter:
    """One implementation under test. ``reset``/``send`` return the answered status."""

    spec: str
    timeout: float

    def reset(self, start: Start) -> str:
        raise NotImplementedError

    def send(self, item: Input) -> str:
        raise NotImplementedError

    def exchange(self, start: Start, inputs: Sequence[Input]) -> Generator[str, None, None]:
        """The answers to the reset and to each input, in order (raises AdapterFault)."""
        yield self.reset(start)
        for item in inputs:
            yield self.send(item)

    def settle(self) -> None:
        """Called when the runner stops reading an exchange early (a wrong answer)."""

    def recover(self, fault: AdapterFault | None = None) -> None:
        """Make the adapter usable again after ``fault`` (restart what must be restarted)."""

    def finish(self) -> AdapterFault | None:
        """End the run; a problem found on the way out (output after the last answer)."""
        return None

    def close(self) -> None:
        self.finish()

    def __enter__(self) -> Adapter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
