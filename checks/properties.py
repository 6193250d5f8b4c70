"""User properties: a small language, its parser, and its checker.

The forms (keywords in any case; a status is named as in the table, by its full name or a
unique short name, and may be quoted with ``"..."`` or ``'...'``; a *set* is one or more
statuses or ``terminal`` joined by ``|``, ``or`` or ``,``, optionally in parentheses):

``never SET after SET``
    Invariant: no run visits a status of the first set after (strictly later than) a status
    of the second. Counterexample: a run that does.
``SET reachable``
    Some run from an entry point reaches the set. Witness: a shortest such run.
``SET reachable from SET``
    From every reachable state in the second set, the first set can still be reached.
    Counterexample: a run into a state of the second set from which it cannot.
``SET always reachable`` (also ``a terminal is always reachable``)
    From every reachable state, the set can be reached.
``after SET [,] eventually SET``
    Response: every run through the first set later meets the second (or is in it already).
    Counterexample: a run that ends, gets stuck, or loops forever (a lasso) without meeting it.

``terminal`` (also ``a terminal``, ``end``) stands for the states where a run may end.
Properties are checked on the unfolded machine (:func:`statusproof.model.machine.unfold`),
which is finite, so every answer is exact for runs of every length. Parse errors raise
:class:`PropertyError` with the column; unknown statuses :class:`UnknownStatusError` with a
did-you-mean.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import networkx as nx

from statusproof.model.errors import StatusproofError, UnknownStatusError
from statusproof.model.machine import State, enabled, is_final, unfold
from statusproof.model.model import Model, Transition
from statusproof.model.names import NameIndex, did_you_mean, normalise
from statusproof.model.record import record
from statusproof.model.trace import Trace, TraceStep

from .findings import Finding, finding
from .witness import Search, first_transition, lazy_run, make_trace

__all__ = ["PropertyError", "Target", "Property", "parse_property", "load_properties",
           "check_property", "property_checks", "SYNTAX"]

SYNTAX = ("never SET after SET | SET reachable [from SET] | SET always reachable | "
          "after SET eventually SET, where SET is statuses or 'terminal' joined by '|' or 'or'")

_TERMINAL = {"terminal", "a terminal", "terminals", "end", "the end", "a terminal status"}
_TOKEN = re.compile(r"\"[^\"]*\"?|'[^']*'?|[()|,]|[^\s()|,\"']+")


class PropertyError(StatusproofError):
    """A property cannot be parsed: where, the column, what is wrong, and the syntax."""


@record
class _Tok:
    text: str
    column: int  # 1-based
    depth: int

    @property
    def end(self) -> int:
        return self.column + len(self.text)

    def word(self) -> str:
        return self.text.lower() if self.depth == 0 and self.text[0] not in "\"'" else ""


@record
class Target:
    """A set of states: the ``statuses`` named, and the final states when ``terminal``."""

    statuses: frozenset[str]
    terminal: bool
    text: str

    def holds(self, model: Model, state: State) -> bool:
        return state.status in self.statuses or (self.terminal and is_final(model, state))


@record
class Property:
    """A parsed property: ``kind`` is never-after, reachable, reachable-from,
    always-reachable or response; ``where`` says where it was given."""

    kind: str
    first: Target
    second: Target | None
    text: str
    where: str


def _fail(where: str, text: str, column: int, message: str) -> PropertyError:
    pointer = " " * (column - 1) + "^"
    return PropertyError(f"{where}: column {column}: {message}; property syntax: {SYNTAX}\n"
                         f"  {text}\n  {pointer}")


def _tokens(text: str, where: str) -> list[_Tok]:
    tokens, depth = [], 0
    for match in _TOKEN.finditer(text):
        value = match[0]
        if value[0] in "\"'" and (len(value) == 1 or value[-1] != value[0]):
            raise _fail(where, text, match.start() + 1, "this quote is not closed")
        if value == ")":
            depth -= 1
            if depth < 0:
                raise _fail(where, text, match.start() + 1, "')' without '('")
        tokens.append(_Tok(value, match.start() + 1, depth))
        if value == "(":
            depth += 1
    if depth > 0:
        raise _fail(where, text, len(text) + 1, "'(' is not closed")
    return tokens


def _target(model: Model, index: NameIndex, tokens: Sequence[_Tok], text: str, where: str,
            column: int) -> Target:
    if not tokens:
        raise _fail(where, text, column, "a set of statuses is missing here")
    if tokens[0].text == "(" and tokens[-1].text == ")" and tokens[0].depth == tokens[-1].depth \
            and all(t.depth > tokens[0].depth for t in tokens[1:-1]):
        inner = text[tokens[0].end - 1:tokens[-1].column - 1]
        if index.resolve(inner) is None:
            tokens = [_Tok(t.text, t.column, t.depth - 1) for t in tokens[1:-1]]
            if not tokens:
                raise _fail(where, text, column + 1, "empty parentheses")
    items: list[list[_Tok]] = [[]]
    separators: list[_Tok] = []
    for token in tokens:
        if token.depth == 0 and (token.text in ("|", ",") or token.word() == "or"):
            items.append([])
            separators.append(token)
        else:
            items[-1].append(token)
    statuses: set[str] = set()
    terminal = False
    for number, item in enumerate(items):
        if not item:
            near = separators[min(number, len(separators) - 1)] if separators else None
            raise _fail(where, text, near.column if near else column,
                        "a status is missing between separators")
        raw = text[item[0].column - 1:item[-1].end - 1]
        name = raw[1:-1] if len(item) == 1 and raw[0] in "\"'" else raw
        if normalise(name) in _TERMINAL and raw[0] not in "\"'":
            terminal = True
            continue
        resolved = index.resolve(name)
        if resolved is None:
            hint = (did_you_mean(name, model.names, 0.6)
                    or f"; statuses: {', '.join(model.names)}")
            raise UnknownStatusError(f"{where}: column {item[0].column}: {name!r} is not a "
                                     f"status of the model{hint}")
        statuses.add(resolved)
    shown = text[tokens[0].column - 1:tokens[-1].end - 1]
    return Target(frozenset(statuses), terminal, shown)


def _split(model: Model, index: NameIndex, tokens: Sequence[_Tok], keyword: str, text: str,
           where: str, missing: str) -> tuple[Target, Target, _Tok]:
    """Split at an occurrence of ``keyword`` such that both sides are sets (the first that
    works; names may contain the keyword)."""
    candidates = [i for i, t in enumerate(tokens) if t.word() == keyword]
    if not candidates:
        column = tokens[-1].end if tokens else len(text) + 1
        raise _fail(where, text, column, missing)
    error: StatusproofError | None = None
    for i in candidates:
        left = [t for t in tokens[:i] if not (t.text == "," and t is tokens[i - 1])]
        try:
            first = _target(model, index, left, text, where, tokens[0].column if tokens
                            else 1)
            second = _target(model, index, tokens[i + 1:], text, where, tokens[i].end + 1)
        except StatusproofError as e:
            error = error or e
            continue
        return first, second, tokens[i]
    assert error is not None
    raise error


def parse_property(text: str, model: Model, where: str = "--property") -> Property:
    """Parse one property against ``model`` (see the module docstring for the forms).

    Examples
    --------
    >>> from statusproof.model import load_model
    >>> p = parse_property("after Rebooting, eventually Active or a terminal", load_model())
    >>> p.kind, sorted(p.first.statuses), sorted(p.second.statuses), p.second.terminal
    ('response', ['Rebooting'], ['Active'], True)
    """
    text = text.strip()
    index = NameIndex.build(model.names, ())
    tokens = _tokens(text, where)
    if not tokens:
        raise _fail(where, text, 1, "the property is empty")
    head = tokens[0].word()
    if head == "never":
        first, second, _ = _split(model, index, tokens[1:], "after", text, where,
                                  "expected 'after SET' after 'never SET'")
        return Property("never-after", first, second, text, where)
    if head == "after":
        rest = tokens[1:]
        cause, effect, _ = _split(model, index, rest, "eventually", text, where,
                                  "expected 'eventually SET' after 'after SET'")
        return Property("response", cause, effect, text, where)
    marks = [i for i, t in enumerate(tokens) if t.word() == "reachable"]
    if not marks:
        raise _fail(where, text, tokens[0].column,
                    "a property starts with 'never' or 'after', or says 'reachable'")
    at = marks[-1]
    before, after = list(tokens[:at]), list(tokens[at + 1:])
    if before and before[-1].word() == "always":
        before.pop()
        if before and before[-1].word() == "is":
            before.pop()
        if after:
            raise _fail(where, text, after[0].column, "nothing may follow 'always reachable'")
        target = _target(model, index, before, text, where, tokens[0].column)
        return Property("always-reachable", target, None, text, where)
    target = _target(model, index, before, text, where, tokens[0].column)
    if not after:
        return Property("reachable", target, None, text, where)
    if after[0].word() != "from":
        raise _fail(where, text, after[0].column, "expected 'from SET' or the end after "
                    "'reachable'")
    origin = _target(model, index, after[1:], text, where, after[0].end + 1)
    return Property("reachable-from", target, origin, text, where)


def load_properties(path: str | Path, model: Model) -> list[Property]:
    """The properties of a file: one a line; blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise PropertyError(f"{path}: cannot read the properties file: {e}") from e
    found = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0] if not line.lstrip().startswith(("\"", "'")) else line
        if text.strip():
            found.append(parse_property(text, model, f"{path}:{number}"))
    return found


# -- checking -----------------------------------------------------------------------------------
class _Space:
    """The unfolded machine and a search tree over it."""

    def __init__(self, model: Model) -> None:
        self.model = model
        self.graph = unfold(model)
        initial = [s for s, first in self.graph.nodes(data="initial") if first]
        self.search: Search[State] = Search(self.graph, initial)
        self.states = list(self.search.order)

    def trace(self, state: State, title: str) -> Trace:
        return make_trace(self.graph, self.search.path(state), lambda s: s, title)


def _first(node: tuple[State, bool]) -> State:
    return node[0]


def _extend(space: _Space, trace: Trace, path: Sequence[State], note: str = "") -> Trace:
    steps = list(trace.steps)
    for source, target in pairwise(path):
        steps.append(TraceStep(target, first_transition(space.graph, source, target)))
    if note:
        last = steps[-1]
        steps[-1] = TraceStep(last.state, last.transition, last.delay, note)
    return Trace(tuple(steps), trace.title)


def _end_of(space: _Space, trace: Trace) -> Trace:
    """Append how the run ends in its last state (a termination step, or a note)."""
    last = trace.steps[-1].state
    assert last is not None
    ends = [t for t in space.model.outgoing(last.status) if t.target is None and enabled(t, last)]
    if ends:
        return Trace((*trace.steps, TraceStep(None, ends[0])), trace.title)
    note = ("a terminal: the run ends here" if is_final(space.model, last)
            else "no step is possible: the run is stuck here")
    return _extend(space, trace, [last], note)


def _verdict(prop: Property, holds: bool, message: str, evidence: dict[str, Any],
             run: Callable[[], Trace] | None = None) -> Finding:
    """The finding of a property; ``run`` makes its witness or counterexample, which is
    built only when an output shows it."""
    data: dict[str, Any] = {"property": prop.text, "given": prop.where, "kind": prop.kind,
                            **evidence}
    path: Any = ()
    if run is not None:
        path, data["trace"] = lazy_run(run)
    return finding("property-holds" if holds else "property-violated",
                   f"{prop.text!r} {'holds' if holds else 'does not hold'}: {message}",
                   sorted(prop.first.statuses | (prop.second.statuses if prop.second else
                                                 frozenset())),
                   path, None, data)


def _never_after(space: _Space, prop: Property) -> Finding:
    assert prop.second is not None
    model, x, y = space.model, prop.first, prop.second
    product: nx.MultiDiGraph[tuple[State, bool]] = nx.MultiDiGraph()
    initial = [(s, False) for s in space.search.order if space.search.parent[s] is None]
    product.add_nodes_from(initial)
    frontier, seen = list(initial), set(initial)
    while frontier:
        following = []
        for node in frontier:
            state, after = node
            transition: Transition
            for _, target, transition in space.graph.out_edges(state, data="transition"):
                child = (target, after or y.holds(model, state))
                product.add_edge(node, child, transition=transition)
                if child not in seen:
                    seen.add(child)
                    following.append(child)
        frontier = following
    search: Search[tuple[State, bool]] = Search(product, initial)
    bad = search.first(n for n in search.order if n[1] and x.holds(model, n[0]))
    if bad is None:
        return _verdict(prop, True, f"no run reaches {x.text} after {y.text} "
                        f"({len(search.order)} states with the 'after' flag searched)",
                        {"states": len(search.order)})
    return _verdict(prop, False, f"a run reaches {bad[0].status} after {y.text}",
                    {"states": len(search.order)},
                    partial(make_trace, product, search.path(bad), _first,
                            f"counterexample: {x.text} after {y.text}"))


def _can_reach(space: _Space, target: Target) -> set[State]:
    """The states from which a state of ``target`` can be reached (those included)."""
    goals = [s for s in space.states if target.holds(space.model, s)]
    if not goals:
        return set()
    return set(nx.multi_source_dijkstra_path_length(space.graph.reverse(copy=False), goals))


def _reachable(space: _Space, prop: Property) -> Finding:
    goal = space.search.first(s for s in space.states if prop.first.holds(space.model, s))
    if goal is None:
        return _verdict(prop, False, f"no run from an entry point reaches {prop.first.text} "
                        f"({len(space.states)} states searched)", {"states": len(space.states)})
    return _verdict(prop, True, f"a run reaches {goal.status}", {"states": len(space.states)},
                    partial(space.trace, goal, f"witness: a run reaching {goal.status}"))


def _reachable_from(space: _Space, prop: Property, origins: Iterable[State],
                    origin_text: str) -> Finding:
    can = _can_reach(space, prop.first)
    origins = list(origins)
    stuck = space.search.first(s for s in origins if s not in can)
    evidence = {"states": len(space.states), "from_states": len(origins)}
    if stuck is not None:
        return _verdict(prop, False, f"from {stuck} no run reaches {prop.first.text}",
                        evidence, partial(space.trace, stuck, f"counterexample: from {stuck} "
                                                              f"no run reaches {prop.first.text}"))
    if not origins:
        return _verdict(prop, True, f"vacuously: no run reaches {origin_text}", evidence)
    start = origins[0]

    def run() -> Trace:
        goals = [s for s in space.states if prop.first.holds(space.model, s)]
        onward = nx.multi_source_dijkstra_path(space.graph.reverse(copy=False), goals)
        path = list(reversed(onward[start]))
        return _extend(space, space.trace(start, f"witness: from {start} to "
                                                 f"{prop.first.text}"), path)
    return _verdict(prop, True, f"all {len(origins)} reachable state(s) of {origin_text} can "
                    f"reach {prop.first.text}", evidence, run)


def _response(space: _Space, prop: Property) -> Finding:
    assert prop.second is not None
    model, cause, effect = space.model, prop.first, prop.second
    outside = [s for s in space.states if not effect.holds(model, s)]
    sub = space.graph.subgraph(outside)
    ends = {s for s in outside if is_final(model, s) or space.graph.out_degree(s) == 0}
    cyclic = {s for component in nx.strongly_connected_components(sub)
              for s in component if len(component) > 1 or sub.has_edge(s, s)}
    sink = ("\x00sink",)
    escape: nx.DiGraph[Any] = nx.DiGraph(sub)
    escape.add_edges_from((s, sink) for s in ends | cyclic)
    failing = nx.ancestors(escape, sink) if ends or cyclic else set()
    starts = [s for s in space.states if cause.holds(model, s)]
    bad = space.search.first(s for s in starts if s in failing)
    evidence = {"states": len(space.states), "from_states": len(starts)}
    if bad is None:
        if not starts:
            return _verdict(prop, True, f"vacuously: no run reaches {cause.text}", evidence)
        return _verdict(prop, True, f"every run through {cause.text} meets {effect.text} "
                        f"({len(starts)} state(s) of {cause.text}, {len(space.states)} states "
                        "searched)", evidence)
    paths = nx.single_source_shortest_path(sub, bad)
    order = space.search.order
    targets = [s for s in paths if s in ends or s in cyclic]
    end = min(targets, key=lambda s: (len(paths[s]), order[s]))

    def run() -> Trace:
        trace = space.trace(bad, f"counterexample: after {bad.status}, never {effect.text}")
        trace = _extend(space, trace, paths[end])
        if end in ends:
            return _end_of(space, trace)
        component = next(c for c in nx.strongly_connected_components(sub) if end in c)
        inner = sub.subgraph(component)
        loop = min((nx.shortest_path(inner, s, end) for s in inner.successors(end)),
                   key=lambda p: (len(p), [order[s] for s in p]))
        back = len(trace.steps) - 1
        return _extend(space, trace, [end, *loop], f"loop: back to step {back}")
    if end in ends:
        how = "ends" if is_final(model, end) else "gets stuck"
        return _verdict(prop, False, f"a run through {bad.status} {how} in {end.status} "
                        f"without meeting {effect.text}", evidence, run)
    return _verdict(prop, False, f"a run through {bad.status} can loop forever without "
                    f"meeting {effect.text} (lasso)", evidence, run)


def check_property(model: Model, prop: Property, space: _Space | None = None) -> Finding:
    """Answer one property with a witness or a counterexample."""
    space = _Space(model) if space is None else space
    if prop.kind == "never-after":
        return _never_after(space, prop)
    if prop.kind == "reachable":
        return _reachable(space, prop)
    if prop.kind == "reachable-from":
        assert prop.second is not None
        origins = [s for s in space.states if prop.second.holds(model, s)]
        return _reachable_from(space, prop, origins, prop.second.text)
    if prop.kind == "always-reachable":
        return _reachable_from(space, prop, space.states, "the model")
    return _response(space, prop)


def property_checks(model: Model, properties: Sequence[Property]) -> list[Finding]:
    """Answer every property (the unfolded machine is built once)."""
    if not properties:
        return []
    space = _Space(model)
    return [check_property(model, p, space) for p in properties]
