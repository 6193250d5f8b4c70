"""The exceptions statusproof raises for input it cannot use.

One base class, :class:`StatusproofError`; each subclass is one kind of problem. Every message
says where (``file:line``), what is wrong, and how to fix it where there is a fix. The CLI turns
these into exit code 2; nothing else in the package prints or exits.
"""

from __future__ import annotations

__all__ = [
    "StatusproofError",
    "TableFormatError",
    "AmendmentError",
    "UnknownStatusError",
    "SolverUnknownError",
    "InputProblem",
]

from .record import record


@record
class InputProblem:
    """One malformed record: where it is and what is wrong with it."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        if self.line <= 0:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message}"


class StatusproofError(Exception):
    """Base class of every error statusproof reports about its input."""


class TableFormatError(StatusproofError):
    """A table file cannot be read as a status table.

    ``problems`` lists every malformed record found (none is dropped); the message names the
    first few and the count.
    """

    def __init__(self, problems: list[InputProblem] | tuple[InputProblem, ...]) -> None:
        self.problems = tuple(problems)
        shown = [str(p) for p in self.problems[:10]]
        more = len(self.problems) - len(shown)
        if more > 0:
            shown.append(f"... and {more} more problem(s) ({len(self.problems)} in all)")
        elif len(self.problems) > 1:
            shown.append(f"{len(self.problems)} problems in all")
        super().__init__("\n".join(shown))


class AmendmentError(StatusproofError):
    """An amendment file is malformed or contradicts the table it amends."""


class UnknownStatusError(StatusproofError):
    """A name given by the user (in a property, a trace, a map) is not a status of the model."""


class SolverUnknownError(StatusproofError):
    """z3 answered ``unknown``: the property is neither proved nor refuted."""
