"""The extended machine as a symbolic transition system, for the solver.

This module owns a small, z3-free language of formulas over integer variables (:class:`Var`,
:class:`Const`, :class:`Eq`, :class:`In`, :class:`And`, ...) and the encoding of a model's
extended machine in it (:class:`Encoding`): one integer variable per part of a
:class:`~statusproof.model.machine.State` (the status, the remembered status, the cause) plus,
for the history checks, the ghost variable ``was`` (the status held before the current
interruption), and one :class:`Rule` per step of the model. The rules say what
:func:`statusproof.model.machine.successors` does, written independently of it, so that the
explicit search (networkx, :func:`~statusproof.model.machine.unfold`) and the solver check two
encodings of the same step relation against each other.

Turning formulas into z3 terms and asking z3 is :mod:`statusproof.checks.solver`'s job (the only
module that imports z3); formulas can also be evaluated here, in plain Python
(:func:`evaluate`), which the tests use to compare the encodings state by state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from statusproof.model.machine import State
from statusproof.model.model import GuardKind, Model, Transition
from statusproof.model.record import field, record

__all__ = [
    "Var", "Const", "Add", "Term", "Eq", "Le", "In", "Divides", "And", "Or", "Not", "Formula",
    "TRUE", "FALSE", "Rule", "Partitioned", "System", "Encoding", "NONE", "STATUS",
    "REMEMBERED", "CAUSE", "WAS", "evaluate", "variables_of", "conjoin", "disjoin", "ne",
]

#: The value of a variable that holds nothing (no remembered status, no cause).
NONE = -1
STATUS, REMEMBERED, CAUSE, WAS = "status", "remembered", "cause", "was"


# -- formulas ---------------------------------------------------------------------------------
@record
class Var:
    """An integer variable; ``primed`` is its value after the step."""

    name: str
    primed: bool = False

    def __str__(self) -> str:
        return self.name + ("'" if self.primed else "")


@record
class Const:
    """An integer constant of a formula."""

    value: int

    def __str__(self) -> str:
        return str(self.value)


@record
class Add:
    """The sum of two terms."""

    left: Term
    right: Term

    def __str__(self) -> str:
        return f"({self.left} + {self.right})"


Term = Var | Const | Add


@record
class Eq:
    """Two terms are equal."""

    left: Term
    right: Term

    def __str__(self) -> str:
        return f"{self.left} = {self.right}"


@record
class Le:
    """``left <= right``."""

    left: Term
    right: Term

    def __str__(self) -> str:
        return f"{self.left} <= {self.right}"


@record
class In:
    """``term`` is one of ``values``."""

    term: Term
    values: tuple[int, ...]

    def __str__(self) -> str:
        return f"{self.term} in {{{', '.join(map(str, self.values))}}}"


@record
class Divides:
    """``term`` is a multiple of ``divisor``."""

    divisor: int
    term: Term

    def __str__(self) -> str:
        return f"{self.divisor} | {self.term}"


@record
class And:
    """All the parts hold (true when there are none)."""

    parts: tuple[Formula, ...]

    def __str__(self) -> str:
        return "true" if not self.parts else "(" + " and ".join(map(str, self.parts)) + ")"


@record
class Or:
    """One of the parts holds (false when there are none)."""

    parts: tuple[Formula, ...]

    def __str__(self) -> str:
        return "false" if not self.parts else "(" + " or ".join(map(str, self.parts)) + ")"


@record
class Not:
    """The part does not hold."""

    part: Formula

    def __str__(self) -> str:
        return f"not {self.part}"


Formula = Eq | Le | In | Divides | And | Or | Not

TRUE: Formula = And(())
FALSE: Formula = Or(())


def conjoin(parts: Iterable[Formula]) -> Formula:
    """The conjunction of ``parts`` (one part stays itself)."""
    items = tuple(parts)
    return items[0] if len(items) == 1 else And(items)


def disjoin(parts: Iterable[Formula]) -> Formula:
    """The disjunction of ``parts`` (one part stays itself)."""
    items = tuple(parts)
    return items[0] if len(items) == 1 else Or(items)


def ne(left: Term, right: Term) -> Formula:
    return Not(Eq(left, right))


def _value(term: Term, now: Mapping[str, int], after: Mapping[str, int]) -> int:
    if isinstance(term, Const):
        return term.value
    if isinstance(term, Var):
        return (after if term.primed else now)[term.name]
    return _value(term.left, now, after) + _value(term.right, now, after)


def evaluate(formula: Formula, now: Mapping[str, int],
             after: Mapping[str, int] | None = None) -> bool:
    """The truth of ``formula`` for the values ``now`` (and ``after`` for primed variables).

    Examples
    --------
    >>> evaluate(And((In(Var("x"), (1, 2)), Le(Var("x"), Var("x", True)))), {"x": 2}, {"x": 5})
    True
    """
    after = {} if after is None else after
    if isinstance(formula, Eq):
        return _value(formula.left, now, after) == _value(formula.right, now, after)
    if isinstance(formula, Le):
        return _value(formula.left, now, after) <= _value(formula.right, now, after)
    if isinstance(formula, In):
        return _value(formula.term, now, after) in formula.values
    if isinstance(formula, Divides):
        return _value(formula.term, now, after) % formula.divisor == 0
    if isinstance(formula, And):
        return all(evaluate(p, now, after) for p in formula.parts)
    if isinstance(formula, Or):
        return any(evaluate(p, now, after) for p in formula.parts)
    return not evaluate(formula.part, now, after)


def _term_vars(term: Term) -> Iterator[Var]:
    if isinstance(term, Var):
        yield term
    elif isinstance(term, Add):
        yield from _term_vars(term.left)
        yield from _term_vars(term.right)


def variables_of(formula: Formula) -> Iterator[Var]:
    """Every variable occurrence in ``formula`` (with repeats)."""
    if isinstance(formula, (Eq, Le)):
        yield from _term_vars(formula.left)
        yield from _term_vars(formula.right)
    elif isinstance(formula, (In, Divides)):
        yield from _term_vars(formula.term)
    elif isinstance(formula, (And, Or)):
        for part in formula.parts:
            yield from variables_of(part)
    else:
        yield from variables_of(formula.part)


# -- transition systems -----------------------------------------------------------------------
@record
class Rule:
    """One step: ``formula`` relates the variables before (unprimed) and after (primed) it.

    ``label`` names the step for people and unsat cores; ``transition`` is the model's
    transition the rule encodes; ``source`` and ``target`` are the values the status variable
    has before and after the step (the solver uses them to split induction checks by status).
    """

    label: str
    formula: Formula
    transition: Transition | None = field(default=None, compare=False)
    source: int | None = None
    target: int | None = None


@record
class Partitioned:
    """A formula by cases of one variable: ``variable = k and parts[k]`` for the listed
    values ``k``; false for every other value."""

    variable: str
    parts: tuple[tuple[int, Formula], ...]

    def part(self, value: int) -> Formula:
        return dict(self.parts).get(value, FALSE)

    def formula(self) -> Formula:
        return disjoin(conjoin((Eq(Var(self.variable), Const(value)), part))
                       for value, part in self.parts) if self.parts else FALSE


@record
class System:
    """Integer variables, the initial states, and the rules (the step relation is their
    disjunction; every rule constrains every primed variable)."""

    variables: tuple[str, ...]
    init: Formula | Partitioned
    rules: tuple[Rule, ...]


class Encoding:
    """The extended machine of ``model`` as a :class:`System`, and the map between
    :class:`~statusproof.model.machine.State` objects and variable values.

    Statuses are numbered in model order, cause values in sorted order of their names;
    :data:`NONE` stands for "nothing". With ``interruption`` given, the ghost variable
    ``was`` is tracked: entering a status of ``interruption`` from one outside it stores the
    status left, moving inside keeps it, leaving clears it.

    Examples
    --------
    >>> from statusproof.model.loaders.text import load_text
    >>> from statusproof.model.interpret import interpret
    >>> text = "Open\\n| New.\\n| none\\n| Closed\\n|\\nClosed\\n| Done.\\n| Open\\n| none\\n|\\n"
    >>> enc = Encoding(interpret(load_text(text, "t.txt")))
    >>> enc.encode(State("Closed"))
    {'status': 1, 'remembered': -1, 'cause': -1}
    >>> [rule.label for rule in enc.system().rules]
    ['Open -> Closed']
    """

    def __init__(self, model: Model, interruption: Iterable[str] | None = None) -> None:
        self.model = model
        self.statuses = model.names
        self.code = {name: index for index, name in enumerate(self.statuses)}
        names = {value for cause in model.causes for value, _ in cause.values}
        names |= {value for t in model.transitions if t.guard is not None
                  and t.guard.kind is GuardKind.CONDITION for value in t.guard.values}
        self.causes = tuple(sorted(names))
        self.cause_code = {name: index for index, name in enumerate(self.causes)}
        self.interruption = None if interruption is None else frozenset(interruption)
        self.variables: tuple[str, ...] = (STATUS, REMEMBERED, CAUSE) + (
            (WAS,) if self.interruption is not None else ())

    # -- values -------------------------------------------------------------------------
    def status_value(self, name: str | None) -> int:
        return NONE if name is None else self.code[name]

    def cause_value(self, name: str | None) -> int:
        return NONE if name is None else self.cause_code[name]

    def encode(self, state: State, was: str | None = None) -> dict[str, int]:
        """The variable values of ``state`` (and of the ghost ``was``, when tracked)."""
        values = {STATUS: self.code[state.status], REMEMBERED: self.status_value(state.remembered),
                  CAUSE: self.cause_value(state.cause)}
        if self.interruption is not None:
            values[WAS] = self.status_value(was)
        return values

    def decode(self, values: Mapping[str, int]) -> tuple[State, str | None]:
        """The state (and ghost value) that ``values`` stand for."""
        def status(value: int) -> str | None:
            return None if value == NONE else self.statuses[value]
        name = status(values[STATUS])
        if name is None:
            raise ValueError("no status in these values")
        cause = values[CAUSE]
        state = State(name, status(values[REMEMBERED]),
                      None if cause == NONE else self.causes[cause])
        return state, status(values[WAS]) if WAS in values else None

    # -- formulas -----------------------------------------------------------------------
    def is_status(self, name: str, primed: bool = False) -> Formula:
        return Eq(Var(STATUS, primed), Const(self.code[name]))

    def state_formula(self, state: State, was: str | None = None,
                      primed: bool = False) -> Formula:
        """The formula that holds exactly in ``state``."""
        return conjoin(Eq(Var(name, primed), Const(value))
                       for name, value in self.encode(state, was).items())

    def guard(self, transition: Transition) -> Formula:
        """The guard of ``transition`` as a formula over the current values."""
        guard = transition.guard
        if guard is None:
            return TRUE
        if guard.kind is GuardKind.HISTORY:
            formula: Formula = In(Var(REMEMBERED), tuple(sorted(
                self.code[v] for v in guard.values if v in self.code)))
        else:
            formula = In(Var(CAUSE), tuple(sorted(self.cause_code[v] for v in guard.values)))
        return Not(formula) if guard.negated else formula

    def enabled(self, transition: Transition) -> Formula:
        """In ``transition``'s source status, with its guard holding."""
        return conjoin((self.is_status(transition.source), self.guard(transition)))

    def _entry_causes(self, name: str) -> tuple[int, ...]:
        cause = self.model.cause_of(name)
        if cause is None:
            return (NONE,)
        return tuple(sorted(self.cause_code[value] for value, _ in cause.values))

    def rule(self, transition: Transition) -> Rule:
        """The rule of one step of the model (``transition.target`` must not be None)."""
        source, target = transition.source, transition.target
        if target is None:
            raise ValueError("a termination is not a step")
        remembers = self.model.status(target).remembers
        remembered: Term = Const(NONE)
        if remembers:
            remembered = (Var(REMEMBERED) if self.model.status(source).remembers
                          else Const(self.code[source]))
        parts = [self.enabled(transition), self.is_status(target, True),
                 Eq(Var(REMEMBERED, True), remembered),
                 In(Var(CAUSE, True), self._entry_causes(target))]
        if self.interruption is not None:
            was: Term = Const(NONE)
            if target in self.interruption:
                was = Var(WAS) if source in self.interruption else Const(self.code[source])
            parts.append(Eq(Var(WAS, True), was))
        guard = f" [{transition.guard}]" if transition.guard is not None else ""
        return Rule(f"{source} -> {target}{guard}", And(tuple(parts)), transition,
                    self.code[source], self.code[target])

    def initial(self) -> Formula:
        """The initial states: an entry point, nothing remembered, any cause it may have."""
        states = []
        for name in self.model.entries:
            parts = [self.is_status(name), Eq(Var(REMEMBERED), Const(NONE)),
                     In(Var(CAUSE), self._entry_causes(name))]
            if self.interruption is not None:
                parts.append(Eq(Var(WAS), Const(NONE)))
            states.append(And(tuple(parts)))
        return disjoin(states) if states else FALSE

    def system(self) -> System:
        """The whole machine: initial states and one rule per step of the model."""
        rules = tuple(self.rule(t) for t in self.model.transitions if t.target is not None)
        return System(self.variables, self.initial(), rules)
