"""The z3 layer: the only module of statusproof that imports z3.

It translates the formulas and transition systems of :mod:`statusproof.checks.system` into z3
terms, asks z3, and hands back plain Python answers: a model (a dict of integer values) or an
unsat core (the labels of the assertions z3 needed), the outcome of an induction check (with
the counterexample to whichever of its three obligations fails), or a path. Every query has a
time limit; when z3 answers ``unknown`` (time limit, resource limit, incompleteness) this module
raises :class:`~statusproof.model.errors.SolverUnknownError`: an unknown answer is never a pass.
A run may also share one budget between all its queries (:func:`budget`, kept in
:mod:`statusproof.model.budget`): a query gets at most the time left, and one asked after the
budget is spent raises :class:`BudgetSpentError`.

Formulas reach z3 as SMT-LIB text, parsed in one call per batch (building large terms through
z3's Python API costs far more than solving them here). What to ask, and what the answers mean
for a table, is left to the check modules (:mod:`~statusproof.checks.history`,
:mod:`~statusproof.checks.guards`, :mod:`~statusproof.checks.timeouts`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import z3

from statusproof.model.budget import BUDGET_SPENT, BudgetSpentError, budget, budget_spent
from statusproof.model.budget import deadline as current_deadline
from statusproof.model.errors import SolverUnknownError
from statusproof.model.record import record

from .system import (
    STATUS,
    Add,
    And,
    Const,
    Divides,
    Eq,
    Formula,
    In,
    Le,
    Not,
    Or,
    Partitioned,
    Rule,
    System,
    Term,
    Var,
    evaluate,
)

__all__ = ["DEFAULT_TIMEOUT_MS", "RESOURCE_LIMIT", "BudgetSpentError", "BUDGET_SPENT", "budget",
           "budget_spent", "Answer", "Induction", "check",
           "check_induction", "check_path", "bounded_search", "z3_version"]

#: The time limit of one query, in milliseconds.
DEFAULT_TIMEOUT_MS = 20_000

#: A cap on z3's work per query (z3's ``rlimit``: deterministic, unlike time), or None for the
#: time limit alone. Reaching it makes z3 answer unknown, as a timeout does.
RESOURCE_LIMIT: int | None = None

_CONTEXT: list[z3.Context] = []


def z3_version() -> str:
    return str(z3.get_version_string())


def _context() -> z3.Context:
    """One z3 context for every query (making one costs more than most queries here)."""
    if not _CONTEXT:
        _CONTEXT.append(z3.Context())
    return _CONTEXT[0]


def _solver(timeout_ms: int) -> Any:
    # the plain SMT solver: the default one sets up its tactics on every first check, which
    # costs more than the small queries asked here
    solver = z3.SimpleSolver(ctx=_context())
    solver.set("timeout", timeout_ms)
    if RESOURCE_LIMIT is not None:
        solver.set("rlimit", RESOURCE_LIMIT)
    return solver


# -- the whole run's budget ---------------------------------------------------------------------
# (kept in statusproof.model.budget, which the plain-Python searches check too; re-exported
# here for the checks)
def _decide(solver: Any, what: str, timeout_ms: int) -> bool:
    """True for sat, False for unsat; unknown raises (:class:`BudgetSpentError` when the
    run's budget cut the query short or was spent before it)."""
    deadline = current_deadline()
    capped = False
    if deadline is not None:
        left_ms = int((deadline[0] - time.monotonic()) * 1000)
        if left_ms <= 0:
            raise BudgetSpentError(f"{BUDGET_SPENT} ({deadline[1]:g} s) before z3 was asked "
                                   f"{what}")
        capped = left_ms < timeout_ms
        solver.set("timeout", min(left_ms, timeout_ms))
    answer = solver.check()
    if answer == z3.sat:
        return True
    if answer == z3.unsat:
        return False
    if capped and deadline is not None and time.monotonic() >= deadline[0] - 0.05:
        raise BudgetSpentError(f"{BUDGET_SPENT} ({deadline[1]:g} s) while z3 was asked {what}")
    raise SolverUnknownError(f"z3 answered unknown for {what} "
                             f"({solver.reason_unknown()}); the question is not settled")


# -- translation ------------------------------------------------------------------------------
def _name(name: str, suffix: str) -> str:
    return "|" + (name + suffix).replace("|", "/").replace("\\", "/") + "|"


def _term(term: Term, now: str, after: str | None, names: set[str]) -> str:
    if isinstance(term, Const):
        return str(term.value) if term.value >= 0 else f"(- {-term.value})"
    if isinstance(term, Var):
        if term.primed and after is None:
            raise ValueError(f"primed variable {term} outside a step")
        name = _name(term.name, after if term.primed and after is not None else now)
        names.add(name)
        return name
    if isinstance(term, Add):
        return f"(+ {_term(term.left, now, after, names)} {_term(term.right, now, after, names)})"
    raise TypeError(term)  # pragma: no cover


def _smt(formula: Formula, now: str, after: str | None, names: set[str]) -> str:
    """``formula`` as SMT-LIB text; variables get the suffix ``now`` (``after`` if primed)."""
    if isinstance(formula, Eq):
        return f"(= {_term(formula.left, now, after, names)} " \
               f"{_term(formula.right, now, after, names)})"
    if isinstance(formula, Le):
        return f"(<= {_term(formula.left, now, after, names)} " \
               f"{_term(formula.right, now, after, names)})"
    if isinstance(formula, In):
        term = _term(formula.term, now, after, names)
        if not formula.values:
            return "false"
        options = " ".join(f"(= {term} {_term(Const(v), now, after, names)})"
                           for v in formula.values)
        return f"(or {options})" if len(formula.values) > 1 else options
    if isinstance(formula, Divides):
        return f"(= (mod {_term(formula.term, now, after, names)} {formula.divisor}) 0)"
    if isinstance(formula, And):
        if not formula.parts:
            return "true"
        return "(and " + " ".join(_smt(p, now, after, names) for p in formula.parts) + ")"
    if isinstance(formula, Or):
        if not formula.parts:
            return "false"
        return "(or " + " ".join(_smt(p, now, after, names) for p in formula.parts) + ")"
    if isinstance(formula, Not):
        return f"(not {_smt(formula.part, now, after, names)})"
    raise TypeError(formula)  # pragma: no cover


class _Batch:
    """Formulas to translate together: add them, then :meth:`parse` once."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self.names: set[str] = set()

    def text(self, formula: Formula, now: str = "", after: str | None = None) -> str:
        """The SMT-LIB text of ``formula`` (its variables are declared with the batch)."""
        return _smt(formula, now, after, self.names)

    def add(self, formula: Formula | str, now: str = "", after: str | None = None) -> int:
        """Add a formula (or SMT-LIB text from :meth:`text`); its index in :meth:`parse`."""
        self.texts.append(formula if isinstance(formula, str) else self.text(formula, now,
                                                                             after))
        return len(self.texts) - 1

    def parse(self, declare: Sequence[str] = ()) -> tuple[list[Any], dict[str, Any]]:
        """The z3 terms of the formulas (in order) and the z3 constants by quoted name."""
        names = sorted(self.names | set(declare))
        script = "".join(f"(declare-const {n} Int)" for n in names)
        script += "".join(f"(assert {t})" for t in self.texts)
        terms = list(z3.parse_smt2_string(script, ctx=_context()))
        constants = {n: z3.Int(n[1:-1], _context()) for n in names}
        return terms, constants


def _values(model: Any, constants: Mapping[str, Any], variables: Sequence[str],
            suffix: str = "") -> dict[str, int]:
    out = {}
    for variable in variables:
        const = constants[_name(variable, suffix)]
        out[variable] = model.eval(const, model_completion=True).as_long()
    return out


# -- plain queries ----------------------------------------------------------------------------
@record
class Answer:
    """The answer to :func:`check`: ``sat`` with a ``model``, or unsat with a ``core``
    (the labels of the assertions that cannot hold together)."""

    sat: bool
    model: tuple[tuple[str, int], ...] = ()
    core: tuple[str, ...] = ()

    def values(self) -> dict[str, int]:
        return dict(self.model)


def check(assertions: Sequence[tuple[str, Formula]], what: str,
          timeout_ms: int = DEFAULT_TIMEOUT_MS,
          least_in: Mapping[str, Sequence[int]] | None = None,
          least_from: Mapping[str, int] | None = None) -> Answer:
    """Can all ``assertions`` (label, formula) hold together?

    Sat gives a model of every variable mentioned. ``least_in`` makes it the model with the
    least values of some variables, in order, for variables whose values the assertions keep
    among a few known ones (name -> those values): z3 is asked, value by value from the least,
    whether the assertions hold with it. ``least_from`` does the same for variables with a
    lower bound that every model keeps (name -> that bound), by bisection between the bound and
    the value of the model found, after asking for the bound itself and for one below the value
    found (most often one of them settles it). Both give the least values z3's optimiser would,
    for a fraction of its cost (several milliseconds even on a small query). Unsat gives the
    labels of an unsat core, in the order of ``assertions``. ``what`` says what is asked, for the
    message when z3 answers unknown.

    Examples
    --------
    >>> check([("x is 1 or 2", In(Var("x"), (1, 2))), ("x above 1", Le(Const(2), Var("x")))],
    ...       "an example").values()
    {'x': 2}
    >>> check([("x is 1", Eq(Var("x"), Const(1))), ("x is 2", Eq(Var("x"), Const(2)))],
    ...       "an example").core
    ('x is 1', 'x is 2')
    >>> check([("x from 3", Le(Const(3), Var("x"))), ("y at least x + 5",
    ...        Le(Add(Var("x"), Const(5)), Var("y")))], "an example",
    ...       least_from={"x": 3, "y": 0}).values()
    {'x': 3, 'y': 8}
    """
    batch = _Batch()
    for _, formula in assertions:
        batch.add(formula)
    terms, constants = batch.parse()
    variables = sorted(n[1:-1] for n in constants)
    solver = _solver(timeout_ms)
    flags = [z3.Bool(f"assertion {i}", _context()) for i in range(len(terms))]
    for term, flag in zip(terms, flags, strict=True):
        solver.assert_and_track(term, flag)
    if _decide(solver, what, timeout_ms):
        found = _values(solver.model(), constants, variables)
        for name, candidates in (least_in or {}).items():
            const = constants[_name(name, "")]
            for value in sorted(v for v in candidates if v < found[name]):
                solver.push()
                solver.add(const == value)
                if _decide(solver, what, timeout_ms):
                    found = _values(solver.model(), constants, variables)
                    solver.pop()
                    break
                solver.pop()
            solver.add(const == found[name])  # the next variable is least with this one fixed
        for name, low in (least_from or {}).items():
            const = constants[_name(name, "")]
            high = found[name]
            probe = low  # the bound first, then just below the value found: often the least
            asked = 0
            while low < high:
                solver.push()
                solver.add(const <= probe)
                if _decide(solver, what, timeout_ms):
                    found = _values(solver.model(), constants, variables)
                    high = found[name]
                else:
                    low = probe + 1
                solver.pop()
                asked += 1
                probe = high - 1 if asked == 1 else (low + high) // 2
            solver.add(const == high)  # (found keeps it: the model of the last sat answer)
        return Answer(True, tuple(found.items()))
    core = {flag.get_id() for flag in solver.unsat_core()}  # (printing them costs more)
    return Answer(False, (), tuple(label for (label, _), flag in zip(assertions, flags,
                                                                      strict=True)
                                   if flag.get_id() in core))


# -- induction --------------------------------------------------------------------------------
@record
class Induction:
    """The three obligations of an inductive invariant ``inv`` for a system and a set of bad
    states: initiation (every initial state satisfies ``inv``), consecution (every step from a
    state satisfying ``inv`` reaches one that does), safety (no state satisfying ``inv`` is
    bad). Each field is None when z3 proved the obligation (unsat), else the counterexample
    z3 found: a state, or (state, rule label, next state) for consecution.
    """

    initiation: dict[str, int] | None
    consecution: tuple[dict[str, int], str, dict[str, int]] | None
    safety: dict[str, int] | None
    queries: int = 0

    @property
    def inductive(self) -> bool:
        return self.initiation is None and self.consecution is None

    @property
    def proved(self) -> bool:
        return self.inductive and self.safety is None


def _cases(formula: Formula | Partitioned) -> dict[int | None, Formula]:
    if isinstance(formula, Partitioned):
        return dict(formula.parts)
    return {None: formula}


def check_induction(system: System, invariant: Formula | Partitioned,
                    bad: Formula | Partitioned, what: str,
                    timeout_ms: int = DEFAULT_TIMEOUT_MS) -> Induction:
    """Check ``invariant`` by induction: initiation, consecution and safety against ``bad``.

    With ``invariant`` (and ``bad``) :class:`~statusproof.checks.system.Partitioned` by the
    status, the obligations are split by status: consecution is one query per source status
    (its invariant part, its rules, and the parts of the statuses they lead to), safety one per
    status with bad states. This is the same logical content as one query over the whole
    formulas, and it keeps each query small on large tables. The counterexample to consecution
    names the rule (found by evaluating the rules on z3's model).
    """
    variables = system.variables
    inv = _cases(invariant)
    split = isinstance(invariant, Partitioned) and all(
        r.source is not None and r.target is not None for r in system.rules)
    whole = invariant.formula() if isinstance(invariant, Partitioned) else invariant
    batch = _Batch()
    declared = [_name(v, s) for v in variables for s in ("", "'")]
    status_now, status_after = _name(STATUS, ""), _name(STATUS, "'")
    whole_now = batch.text(whole)
    init = batch.text(system.init.formula() if isinstance(system.init, Partitioned)
                      else system.init)
    queries: list[tuple[str, str, list[Rule]]] = [  # (what, SMT-LIB text, rules)
        ("initiation", f"(and {init} (not {whole_now}))", [])]

    by_source: dict[int | None, list[Rule]] = defaultdict(list)
    for rule in system.rules:
        by_source[rule.source if split else None].append(rule)
    rule_text = {id(rule): batch.text(rule.formula, "", "'") for rule in system.rules}
    if split:
        part_now = {k: batch.text(f) for k, f in inv.items()}
        part_after: dict[int, str] = {}
        for source in sorted(k for k in by_source if k is not None):
            if source not in part_now:
                continue  # no invariant state has this status: its rules never fire
            group = by_source[source]
            escapes = []
            for target in sorted({r.target for r in group if r.target is not None}):
                if target not in inv:
                    escapes.append(f"(= {status_after} {target})")
                    continue
                if target not in part_after:
                    part_after[target] = batch.text(inv[target], "'", "'")
                escapes.append(f"(and (= {status_after} {target}) (not {part_after[target]}))")
            rules = " ".join(rule_text[id(r)] for r in group)
            queries.append((f"consecution from status {source}",
                            f"(and (= {status_now} {source}) {part_now[source]} (or {rules} "
                            f"false) (or {' '.join(escapes)} false))", group))
    else:
        whole_after = batch.text(whole, "'", "'")
        rules = " ".join(rule_text[id(r)] for r in system.rules)
        queries.append(("consecution", f"(and {whole_now} (or {rules} false) "
                                       f"(not {whole_after}))", list(system.rules)))
    for key, formula in _cases(bad).items():
        if split and key is not None:
            if key not in inv:
                continue  # no invariant state has this status
            queries.append(("safety", f"(and (= {status_now} {key}) {batch.text(inv[key])} "
                                      f"{batch.text(formula)})", []))
        else:
            queries.append(("safety", f"(and {whole_now} {batch.text(formula)})", []))
    for _, text, _ in queries:
        batch.add(text)
    terms, constants = batch.parse(declared)

    initiation = None
    consecution = None
    safety = None
    solver = _solver(timeout_ms)
    for (label, _, group), term in zip(queries, terms, strict=True):
        if label.startswith("consecution") and consecution is not None:
            continue
        if label == "safety" and safety is not None:
            continue
        solver.push()
        solver.add(term)
        found = _decide(solver, f"{what}: {label}", timeout_ms)
        model = solver.model() if found else None
        solver.pop()
        if model is None:
            continue
        before = _values(model, constants, variables)
        if label == "initiation":
            initiation = before
        elif label == "safety":
            safety = before
        else:
            after = _values(model, constants, variables, "'")
            rule = next((r for r in group if evaluate(r.formula, before, after)), group[0])
            consecution = (before, rule.label, after)
    return Induction(initiation, consecution, safety, len(queries))


# -- paths ------------------------------------------------------------------------------------
def check_path(system: System, states: Sequence[Mapping[str, int]], labels: Sequence[str],
               end: Formula | None = None, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> bool:
    """Is ``states`` a run of ``system`` (initial state first, state ``i + 1`` reached from
    state ``i`` by the rule labelled ``labels[i]``), whose last state satisfies ``end``?"""
    if len(labels) != len(states) - 1 or not states:
        return False
    rules = {rule.label: rule for rule in system.rules}
    if any(label not in rules for label in labels):
        return False
    batch = _Batch()
    for index, values in enumerate(states):
        for name in system.variables:
            batch.add(Eq(Var(name), Const(values[name])), f"@{index}")
    init = system.init.formula() if isinstance(system.init, Partitioned) else system.init
    batch.add(init, "@0")
    for index, label in enumerate(labels):
        batch.add(rules[label].formula, f"@{index}", f"@{index + 1}")
    if end is not None:
        batch.add(end, f"@{len(states) - 1}")
    terms, _ = batch.parse()
    solver = _solver(timeout_ms)
    solver.add(*terms)
    return _decide(solver, "the check of a path", timeout_ms)


def bounded_search(system: System, bad: Formula, depth: int, what: str,
                   timeout_ms: int = DEFAULT_TIMEOUT_MS) -> list[dict[str, int]] | None:
    """Bounded model checking: a shortest run of at most ``depth`` steps that ends in a bad
    state (its states, in order), or None when there is none that short.

    This searches by unrolling the step relation, independently of the explicit search and of
    any invariant; the tests use it to cross-check both.
    """
    batch = _Batch()
    init = system.init.formula() if isinstance(system.init, Partitioned) else system.init
    batch.add(init, "@0")
    for length in range(depth + 1):
        batch.add(bad, f"@{length}")
        if length < depth:
            batch.add(Or(tuple(rule.formula for rule in system.rules)), f"@{length}",
                      f"@{length + 1}")
    declared = [_name(v, f"@{i}") for v in system.variables for i in range(depth + 1)]
    terms, constants = batch.parse(declared)
    solver = _solver(timeout_ms)
    solver.add(terms[0])
    for length in range(depth + 1):
        bad_term = terms[1 + 2 * length]
        solver.push()
        solver.add(bad_term)
        if _decide(solver, f"{what} (runs of {length} steps)", timeout_ms):
            model = solver.model()
            return [_values(model, constants, system.variables, f"@{i}")
                    for i in range(length + 1)]
        solver.pop()
        if length < depth:
            solver.add(terms[2 + 2 * length])
    return None
