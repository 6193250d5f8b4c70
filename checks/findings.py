"""Findings: what a check reports, with its evidence, and the catalogue of finding codes.

A :class:`Finding` is plain data: a stable kebab-case ``code``, a severity, a message a person
can act on, the statuses involved, a witness path where one applies, and the table line it
comes from. What grows with the table (a witness path, a long list) may be :class:`Lazy`:
built only when an output shows it, so that a check costs memory linear in the table.
:data:`CATALOGUE` documents every code (the docs' finding catalogue is written from the same
facts). Checks create findings with :func:`finding`, which takes the severity from the
catalogue so that one code always has one severity.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import Enum
from typing import Any

from statusproof.model.record import field, record
from statusproof.model.table import SourceSpan

__all__ = ["Severity", "Finding", "Lazy", "WITNESS_KEYS", "CodeInfo", "CATALOGUE", "CONSEQUENCE",
           "finding", "sort_findings", "consequence_rank", "sort_by_consequence"]


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@record
class CodeInfo:
    """What a finding code means and how to act on it."""

    severity: Severity
    title: str
    meaning: str
    fix: str


class Lazy:
    """Evidence built when it is first shown, then kept: a witness path, a trace, a list.

    Checks wrap what costs more than the finding itself (a path whose length grows with the
    table) in a :class:`Lazy`, so that a check run costs memory linear in the table and only
    the witnesses that are printed are ever built. Two lazy values are equal when what they
    build is.
    """

    __slots__ = ("_build", "_value")

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build: Callable[[], Any] | None = build
        self._value: Any = None

    def get(self) -> Any:
        if self._build is not None:
            self._value = self._build()
            self._build = None
        return self._value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Lazy):
            return bool(self.get() == other.get())
        return NotImplemented

    def __hash__(self) -> int:
        value = self.get()
        return hash(tuple(value) if isinstance(value, list) else value)

    def __repr__(self) -> str:
        return "Lazy(...)" if self._build is not None else f"Lazy({self._value!r})"


#: Evidence keys that hold a witness (a run a person can replay): shown, or left out past the
#: witness cap, with the witness path.
WITNESS_KEYS = frozenset({"trace"})


@record
class Finding:
    """One result of a check, with its evidence.

    ``witness`` is a path of statuses (from an entry point) that shows the finding;
    ``evidence`` holds further structured evidence (a trace, a model, an unsat core) as
    JSON-ready data. A check may give the witness path, or any evidence value, as a
    :class:`Lazy`: it is built when first read, which output does only for what it prints.
    """

    code: str
    severity: Severity
    message: str
    statuses: tuple[str, ...] = ()
    witness_path: tuple[str, ...] | Lazy = ()
    span: SourceSpan | None = None
    evidence: tuple[tuple[str, Any], ...] = field(default=(), compare=False)

    @property
    def line(self) -> int | None:
        return self.span.line if self.span is not None else None

    @property
    def witness(self) -> tuple[str, ...]:
        """The witness path (built now if it was lazy)."""
        path = self.witness_path
        if isinstance(path, Lazy):
            built: tuple[str, ...] = path.get()
            return built
        return path

    @property
    def has_witness(self) -> bool:
        """Whether the finding carries a witness (a path of two statuses or more, a trace or
        lazy evidence), without building it."""
        path = self.witness_path
        return (isinstance(path, Lazy) or len(path) > 1 or any(
            (key in WITNESS_KEYS and value is not None) or isinstance(value, Lazy)
            for key, value in self.evidence))

    def evidence_dict(self, witness: bool = True) -> dict[str, Any]:
        """The evidence, lazy values built; with ``witness`` False, without the witness
        entries (:data:`WITNESS_KEYS` and lazy values), which are then not built."""
        if witness:
            return {key: value.get() if isinstance(value, Lazy) else value
                    for key, value in self.evidence}
        return {key: value for key, value in self.evidence
                if key not in WITNESS_KEYS and not isinstance(value, Lazy)}


CATALOGUE: dict[str, CodeInfo] = {}


def _code(code: str, severity: Severity, title: str, meaning: str, fix: str) -> None:
    CATALOGUE[code] = CodeInfo(severity, title, meaning, fix)


_code("entry-point", Severity.INFO, "Entry point",
      "A status where a run may start: its Previous cell says 'none' or names an external "
      "trigger rather than a status.",
      "Nothing to fix; check that every status meant to start a run is listed.")
_code("no-entry-point", Severity.ERROR, "No entry point",
      "No status has a Previous cell of 'none' or an external trigger, so no run can start.",
      "Write 'none' (or the trigger) in the Previous cell of the status where runs start.")
_code("reachable-status", Severity.INFO, "Reachable status",
      "The status can be reached from an entry point; the witness is a shortest path.",
      "Nothing to fix.")
_code("unreachable-status", Severity.ERROR, "Unreachable status",
      "No path from any entry point reaches this row's status.",
      "List the status in the Next cell of a status that leads to it (or in its own Previous "
      "cell), or mark it as an entry point with 'none'.")
_code("no-incoming", Severity.WARNING, "Nothing leads to this row",
      "The row is not an entry point and no transition in either column enters it.",
      "Fill its Previous cell, or list it in the Next cell of a predecessor.")
_code("undefined-status", Severity.WARNING, "Undefined status",
      "A Previous or Next cell names a status that has no row; it is kept as a status "
      "without a description (an exit when it is a next status).",
      "Add a row for it, fix a misspelt name, or declare it an alias of an existing row in an "
      "amendment file.")
_code("terminal-status", Severity.INFO, "Terminal status",
      "A run may end here: the Next cell says 'none' (documented), 'none if ...' "
      "(conditional), or the status has no row (exit).",
      "Nothing to fix; check the list is what the lifecycle intends.")
_code("no-path-to-terminal", Severity.ERROR, "Trap: no path to a terminal",
      "From this status no terminal status can be reached; a run that gets here never ends.",
      "Give the status (or one it leads to) a next status that leads to a terminal, or 'none'.")
_code("column-mismatch", Severity.WARNING, "Columns disagree",
      "One status lists another as next (or previous) but the other's non-empty cell does not "
      "list it back.",
      "Add the missing status to the cell that lacks it, or remove it from the other one.")
_code("undocumented-link", Severity.INFO, "Link listed in one column only, the other empty",
      "A transition listed in one column, where the matching cell of the other column is "
      "empty (not documented).",
      "Fill the empty cell so that both columns document the transition.")
_code("empty-cell", Severity.INFO, "Empty cell",
      "A Previous or Next cell is empty: not documented (not the same as 'none').",
      "Fill it, or write 'none' if there is really no previous or next status.")
_code("unresolved-reference", Severity.ERROR, "Unresolved reference",
      "A 'See X status.' cell refers to a row that does not exist, or references form a cycle.",
      "Refer to an existing row, or list the statuses in the cell.")
_code("duplicate-status", Severity.ERROR, "Duplicate status",
      "Two rows have the same status name; the second is ignored.",
      "Merge the two rows into one.")
_code("uninterpreted-entry", Severity.WARNING, "Entry not understood",
      "A clause of a Previous or Next cell that the cell language does not read (no status "
      "name, rule or trigger); the model leaves it out and marks what depends on it.",
      "Rewrite the clause as status names, 'none', 'X if <condition>', 'X otherwise' or "
      "'X if it was in X status', or state how to read it with a [[reading]] amendment (the "
      "message gives the statement).")
_code("outside-trigger", Severity.INFO, "Outside trigger",
      "A Previous-cell phrase that names no row and that no Next cell uses as a status: an "
      "event outside the table, so its row is an entry point.",
      "Nothing to fix if it is an event; if it is a status, add a row for it, or declare it "
      "with a [[reading]] amendment (the message gives the statement).")
_code("free-choice", Severity.WARNING, "Free choice between ending and going on",
      "A Next cell says 'none' beside unconditioned next statuses: a run there may end or go "
      "on, and nothing says which.",
      "Give the end or the next statuses their conditions ('none if <condition>'), or "
      "remove the one that does not apply.")
_code("causes-not-tied", Severity.WARNING, "Causes not tied to the exits",
      "A description names several causes (\"either because X or due to Y\") but the exits "
      "of the status do not depend on them: no exit of its Next cell has a condition.",
      "Write each exit with the cause it follows ('X if <cause>', 'none if <cause>').")
_code("inconclusive", Severity.WARNING, "Inconclusive: depends on a cell not understood",
      "A check whose verdict depends on a fragment statusproof could not read (an "
      "uninterpreted entry, or a step only the other column gives): the verdict as read is "
      "kept in the evidence, with the check and the cells it depends on.",
      "Settle the cells named (rewrite them, or add [[reading]] amendments); the check then "
      "gives its verdict.")
_code("guarded-transition", Severity.INFO, "Guarded transition",
      "A transition that is only taken when its guard holds: a history return "
      "(remembered status) or a named condition.",
      "Nothing to fix; the formal checks verify the guards.")
_code("amendment", Severity.INFO, "Amendment applied",
      "A reviewed statement from the amendment file changed the model; its source is given.",
      "Nothing to fix; check the source.")

# -- formal checks (checks/history.py, guards.py, timeouts.py, properties.py) -----------------
_code("history-proved", Severity.INFO, "History restoration proved",
      "Every step from an interruption status (one that remembers, or whose exits read the "
      "remembered status) back to a history target is taken only when the run was in that "
      "target before the interruption, for runs of every length: an inductive invariant "
      "checked by z3 (initiation, consecution, safety), confirmed by an exhaustive search.",
      "Nothing to fix; the evidence gives the invariant.")
_code("history-violation", Severity.ERROR, "History not restored",
      "A step back to a history target can be taken although the run was in another status "
      "before the interruption; the counterexample is a run from an entry point.",
      "Guard the return with the remembered status ('X if the session was in X status'), or "
      "declare which statuses remember in the amendment file.")
_code("history-lost", Severity.ERROR, "Remembered status lost",
      "A run interrupted in a history target reaches an interruption status from which no step "
      "returns to that target (for example a status that should remember but does not).",
      "Make the status remember ([history] remember in the amendment file), or give it the "
      "guarded return the other interruption statuses have.")
_code("unguarded-return", Severity.WARNING, "Unguarded return",
      "An interruption status may step back to a status that can start an interruption "
      "without reading the remembered status: the run may come back there whatever it was in "
      "before.",
      "If the return should restore the status, guard it ('X if the session was in X "
      "status'); otherwise nothing to fix.")
_code("no-way-back", Severity.WARNING, "No way back from an interruption",
      "A run interrupted in a status (not a history target) can reach an interruption status "
      "from which no step returns to it.",
      "Add the return to the Next cell of the interruption status, if the run should resume.")
_code("dead-guard", Severity.WARNING, "Guard never holds",
      "A guarded transition whose source is reachable can never be taken: in no reachable "
      "state does its guard hold (z3: the guard and the reachable values are unsat together).",
      "Check the guard's wording and the amendment file (history, causes); remove the step or "
      "make its condition reachable.")
_code("overlapping-guards", Severity.WARNING, "Overlapping guards",
      "Two guarded exits of a status to different places can both be taken in the same "
      "reachable state: the table does not say which one happens.",
      "Make the conditions exclusive, or state the precedence in the table.")
_code("guard-gap", Severity.ERROR, "Guard gap",
      "In a reachable state of a status that is not terminal, no exit is enabled (every exit "
      "is guarded and no guard holds), or a cause value has no exit: the run is stuck.",
      "Add an exit for the missing case, or an unguarded one.")
_code("guards-exclusive", Severity.INFO, "Guards checked",
      "The guarded exits of a status are pairwise exclusive in every reachable state, each "
      "can be taken, and every reachable state has an exit.",
      "Nothing to fix.")
_code("timeout-overlap", Severity.ERROR, "Exits do not separate the causes",
      "For one value of a status's cause variable (for example 'why the session timed out') "
      "two different exits are possible: the exits do not depend on the cause as the table "
      "says they should.",
      "Write each exit with its condition ('X if <condition>', 'none if <condition>').")
_code("timeout-exclusive", Severity.INFO, "Cause exits exclusive and complete",
      "The exits of a status with a cause variable are pairwise disjoint and cover every "
      "cause value (z3 unsat cores name the table lines).",
      "Nothing to fix.")
_code("vacuous-cause", Severity.WARNING, "Cause that cannot happen",
      "A value of a cause variable is set by no timer that can fire from a reachable status: "
      "the exit that depends on it is never taken.",
      "Check the timers in the amendment file (status, target, cause, figures).")
_code("timeout-coincidence", Severity.WARNING, "Causes can fall due together",
      "Two timers of one status, for different causes, can fall due at the same instant for "
      "some setting; the table gives no precedence, so the next status is not determined. The "
      "witness gives the settings and a timed run.",
      "State which cause wins when both fall due, or make the figures exclude it.")
_code("timeout-no-coincidence", Severity.INFO, "Causes never fall due together",
      "For every setting, the timers of a status for different causes fall due at different "
      "instants (z3 unsat; the core names the figures that exclude it).",
      "Nothing to fix.")
_code("untimed-entry", Severity.INFO, "Entry without a timer",
      "A step into a status that timers enter with a cause has no timer of its own: the model "
      "leaves its cause open.",
      "Add a timer for the step in the amendment file, or check that the table means the step.")
_code("property-holds", Severity.INFO, "Property holds",
      "A property given with --property or --properties holds; the evidence is a witness or "
      "the number of states searched.",
      "Nothing to fix.")
_code("property-violated", Severity.ERROR, "Property violated",
      "A property given with --property or --properties does not hold; the counterexample is "
      "a run from an entry point (a lasso for a response that can be postponed forever).",
      "Fix the table, or the property.")
_code("solver-unknown", Severity.ERROR, "Not settled: z3 answered unknown",
      "z3 answered unknown (time or resource limit): the question is neither proved nor "
      "refuted. Unknown is never a pass.",
      "Rerun with a longer time limit, or report the table.")
_code("check-disagreement", Severity.ERROR, "z3 and the exhaustive search disagree",
      "The z3 encoding and the explicit search of the unfolded machine reached different "
      "verdicts; one of them has a bug.",
      "Report the table to the statusproof maintainers.")
_code("inconclusive", Severity.WARNING, "Inconclusive",
      "A check whose verdict cannot be given: for example the formal budget of the run "
      "(--formal-budget) was spent before the question was settled. It is neither a pass nor "
      "a failure.",
      "Rerun with a larger --formal-budget, or check a smaller part of the table.")


def finding(
    code: str,
    message: str,
    statuses: Iterable[str] = (),
    witness: Iterable[str] | Lazy = (),
    span: SourceSpan | None = None,
    evidence: Mapping[str, Any] | None = None,
) -> Finding:
    """Make a finding whose severity is the catalogue's for ``code``.

    ``witness`` (and any evidence value) may be :class:`Lazy`: built only when shown.
    """
    info = CATALOGUE[code]
    path = witness if isinstance(witness, Lazy) else tuple(witness)
    return Finding(code, info.severity, message, tuple(statuses), path, span,
                   tuple(sorted((evidence or {}).items())))


def sort_findings(findings: Iterable[Finding], order: Mapping[str, int]) -> tuple[Finding, ...]:
    """Deterministic order: severity, then code, then table line, then statuses."""
    last = len(order)

    def key(f: Finding) -> tuple[int, str, int, tuple[int, ...], str]:
        span = f.span
        return (_RANK[f.severity], f.code, (span.line or 0) if span is not None else 0,
                tuple([order.get(s, last) for s in f.statuses]), f.message)
    return tuple(sorted(findings, key=key))


#: Codes in order of consequence, after the errors (which always come first): first the
#: warnings that change what a run can do (a reader must know them before trusting the
#: model), then the table's hygiene; info findings come last. A code not listed here ranks
#: after the listed codes of its severity.
CONSEQUENCE: tuple[str, ...] = (
    # behaviour: the model is incomplete, or runs can do what the table does not intend
    "inconclusive",
    "uninterpreted-entry",
    "no-way-back",
    "timeout-coincidence",
    "unguarded-return",
    "overlapping-guards",
    "free-choice",
    "causes-not-tied",
    "dead-guard",
    "vacuous-cause",
    # hygiene: what the table says unclearly or inconsistently
    "undefined-status",
    "no-incoming",
    "column-mismatch",
)

_POSITION = {code: i for i, code in enumerate(CONSEQUENCE)}


def consequence_rank(f: Finding) -> tuple[int, int]:
    """Where ``f`` stands in the order of consequence: errors, behaviour, hygiene, info."""
    return (f.severity.rank, _POSITION.get(f.code, len(_POSITION)))


def sort_by_consequence(findings: Iterable[Finding],
                        order: Mapping[str, int]) -> tuple[Finding, ...]:
    """Findings ordered by consequence (see :data:`CONSEQUENCE`), then as :func:`sort_findings`.

    The errors come first, then the warnings that change behaviour, then table hygiene, then
    info; within a code, by table line and statuses.
    """
    ranked = sort_findings(findings, order)
    return tuple(sorted(ranked, key=consequence_rank))  # stable: keeps the inner order
