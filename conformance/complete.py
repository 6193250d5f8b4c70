"""m-complete suites: the W, Wp and H methods over the minimal machine under test.

A suite is *m-complete* when every implementation that passes it is equivalent to the model,
provided the implementation, seen through the same inputs, is a deterministic machine with at
most ``n + m`` states (``n``: states of the minimal model, :meth:`Explicit.minimise`) and
answers its status after each input (a Moore machine). The states include the remembered status,
the cause and the configuration, so a wrong history return or a wrong timeout cause is a
wrong state, and is caught.

The three methods (Chow's W; Fujiwara et al.'s Wp; Dorofeeva, El-Fakih and Yevtushenko's H),
with V a state cover (shortest access words), I the alphabet, W the characterisation set and
``ids[q]`` the identifier of state q (:meth:`Minimal.splitting_tree`); the empty word is
always in W, as the status answered on arrival separates states of different statuses:

- W:  V.(empty + I).I^{<=m}.W
- Wp: V.I^{<=m}.W  plus  V.I.I^{<=m} followed by the identifier of the state reached
- H:  V.I^{<=m+1}, then, for every two words of it that must reach different implementation
  states (two access words; an access word and an extension; two prefixes of one extension),
  a separating word appended to both unless the suite already separates them.

Words that are prefixes of other words are dropped (the longer test checks the same answers).
The size is estimated first, and a suite over the step limit stops with
:class:`~statusproof.conformance.cases.SuiteTooLarge` rather than running for hours.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import product

from .cases import DEFAULT_LIMIT, Step, Suite, TestCase, check_limit, number_tests, step_of
from .fsm import Explicit, Minimal, Word
from .machine import Machine, MachineState, Start

__all__ = ["METHODS", "complete_suite", "complete_words", "estimate"]

METHODS = ("w", "wp", "h")

#: How many node pairs the H method inspects to find a separation already in the suite.
_SEARCH_BUDGET = 400


class _Trie:
    """Test words by start: a prefix tree whose leaves are the tests."""

    def __init__(self, minimal: Minimal) -> None:
        self.minimal = minimal
        self.children: list[dict[int, int]] = []
        self.state: list[int] = []
        self.roots: list[int] = []

    def _node(self, state: int) -> int:
        self.children.append({})
        self.state.append(state)
        return len(self.state) - 1

    def root(self, state: int) -> int:
        node = self._node(state)
        self.roots.append(node)
        return node

    def add(self, node: int, word: Sequence[int]) -> int:
        for symbol in word:
            child = self.children[node].get(symbol)
            if child is None:
                child = self._node(self.minimal.delta(self.state[node], symbol))
                self.children[node][symbol] = child
            node = child
        return node

    def missing(self, node: int, word: Sequence[int]) -> int:
        """How many nodes adding ``word`` below ``node`` would create."""
        for position, symbol in enumerate(word):
            child = self.children[node].get(symbol)
            if child is None:
                return len(word) - position
            node = child
        return 0

    def words(self, root: int) -> Iterator[Word]:
        """The words of the leaves below ``root``, in symbol order."""
        stack: list[tuple[int, Word]] = [(root, ())]
        while stack:
            node, word = stack.pop()
            children = self.children[node]
            if not children:
                yield word
            for symbol in sorted(children, reverse=True):
                stack.append((children[symbol], (*word, symbol)))

    def tests(self, machine: Machine, root: int, start: Start) -> Iterator[tuple[Step, ...]]:
        """The steps of each leaf's word below ``root``, in word order; the model's answers
        are computed once per node and shared by the tests through it."""
        stack: list[tuple[int, MachineState, tuple[Step, ...]]] = [
            (root, machine.start_state(start), ())]
        while stack:
            node, q, steps = stack.pop()
            children = self.children[node]
            if not children:
                yield steps
                continue
            for symbol in sorted(children, reverse=True):
                item = machine.concrete(q, machine.alphabet[symbol])
                outcome = machine.apply(q, item)
                step = step_of(item, outcome, machine)
                stack.append((children[symbol], outcome.state, (*steps, step)))


def _words(alphabet: int, upto: int) -> list[Word]:
    """Every word of length 0..upto, shortest first."""
    out: list[Word] = []
    for length in range(upto + 1):
        out.extend(product(range(alphabet), repeat=length))
    return out


def estimate(explicit: Explicit, method: str, extra_states: int) -> int:
    """About how many steps (inputs plus resets) the suite will have, before deduplication."""
    minimal = explicit.minimise()
    n, k = minimal.size, explicit.alphabet_size
    words, ids = minimal.splitting_tree()
    access = sum(len(w) for _, w in minimal.access()) / max(n, 1)
    middle = sum(k ** i for i in range(extra_states + 1))
    w_count = len(words) + 1
    w_length = sum(len(w) for w in words) / w_count
    if method == "w":
        tests = n * (1 + k) * middle * w_count
        return int(tests * (access + 2 + extra_states + w_length))
    id_length = sum(len(w) for i in ids for w in i) / max(n, 1)
    if method == "wp":
        return int(n * middle * w_count * (access + 1 + extra_states + w_length)
                   + n * k * middle * (access + 2 + extra_states + id_length))
    return int(n * k ** (extra_states + 1) * (access + 2 + extra_states + id_length))


def _build(explicit: Explicit, method: str, extra_states: int, limit: int
           ) -> tuple[_Trie, list[int], Minimal]:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if extra_states < 0:
        raise ValueError("--extra-states must be 0 or more")
    check_limit(f"{method.upper()}-method (m={extra_states})",
                estimate(explicit, method, extra_states), limit,
                "lower --extra-states, use --method h, or choose a smaller table")
    minimal = explicit.minimise()
    trie = _Trie(minimal)
    access = minimal.access()
    # every start gets a root; a start whose state another start already reaches is given
    # its own access word (the empty word), so that its transitions are tested as well
    roots = [trie.root(minimal.classes[state]) for _, state in explicit.starts]
    cover: list[tuple[int, Word]] = list(access)
    cover.extend((number, ()) for number in range(len(roots)) if (number, ()) not in access)
    words, ids = minimal.splitting_tree()
    alphabet = explicit.alphabet_size
    with_empty = [(), *words]
    if method == "w":
        for start, word in cover:
            for middle in _words(alphabet, extra_states + 1):
                for tail in with_empty:
                    trie.add(roots[start], (*word, *middle, *tail))
    elif method == "wp":
        for start, word in cover:
            for middle in _words(alphabet, extra_states):
                for tail in with_empty:
                    trie.add(roots[start], (*word, *middle, *tail))
            for first in range(alphabet):
                for middle in _words(alphabet, extra_states):
                    node = trie.add(roots[start], (*word, first, *middle))
                    for tail in ids[trie.state[node]]:
                        trie.add(node, tail)
    else:
        _h_method(trie, minimal, roots, cover, alphabet, extra_states)
    return trie, roots, minimal


def complete_words(explicit: Explicit, method: str = "h", extra_states: int = 1,
                   limit: int = DEFAULT_LIMIT) -> list[tuple[int, Word]]:
    """The suite's tests as abstract words: (index of the start, symbol indices)."""
    trie, roots, _ = _build(explicit, method, extra_states, limit)
    return [(number, word) for number, root in enumerate(roots) for word in trie.words(root)]


def complete_suite(explicit: Explicit, table: str, method: str = "h", extra_states: int = 1,
                   limit: int = DEFAULT_LIMIT) -> Suite:
    """The ``extra_states``-complete suite built by ``method`` (``w``, ``wp`` or ``h``)."""
    trie, roots, minimal = _build(explicit, method, extra_states, limit)
    words, _ = minimal.splitting_tree()
    found = [(number, steps) for number, root in enumerate(roots)
             for steps in trie.tests(explicit.machine, root, explicit.starts[number][0])]
    names = number_tests(f"complete-{method}", len(found))
    tests = tuple(TestCase(name, explicit.starts[number][0], steps)
                  for name, (number, steps) in zip(names, found, strict=True))
    title = {"w": "W", "wp": "Wp", "h": "H"}[method]
    return Suite(
        "complete", f"{title} method, m={extra_states}: catches every implementation with at "
        f"most {minimal.size + extra_states} states that differs from the model", table,
        tests,
        (("method", title), ("extra states", extra_states), ("model states", minimal.size),
         ("unfolded states", explicit.size), ("inputs", explicit.alphabet_size),
         ("characterisation words", len(words))),
        tuple(explicit.machine.notes))


def _h_method(trie: _Trie, minimal: Minimal, roots: list[int], cover: list[tuple[int, Word]],
              alphabet: int, extra_states: int) -> None:
    statuses = minimal.statuses
    access_nodes = [trie.add(roots[start], word) for start, word in cover]
    by_status: dict[str, list[int]] = {}
    for node in access_nodes:
        by_status.setdefault(statuses[trie.state[node]], []).append(node)
    for node in access_nodes:
        for word in _words(alphabet, extra_states + 1):
            trie.add(node, word)

    def separate(u: int, v: int) -> None:
        p, q = trie.state[u], trie.state[v]
        if p == q or statuses[p] != statuses[q] or _separated(trie, minimal, u, v):
            return
        candidates = [minimal.separating(p, q)]
        _, ids = minimal.splitting_tree()
        shared = [w for w in ids[p] if w in ids[q]]
        for word in shared:
            if minimal.answers(p, word) != minimal.answers(q, word):
                candidates.append(word)
        best = min(candidates, key=lambda w: (trie.missing(u, w) + trie.missing(v, w), w))
        trie.add(u, best)
        trie.add(v, best)

    # access words pairwise
    for group in by_status.values():
        for i, u in enumerate(group):
            for v in group[i + 1:]:
                separate(u, v)
    # every extension node against the access words and its own ancestors
    for node in access_nodes:
        stack: list[tuple[int, tuple[int, ...]]] = [(node, (node,))]
        while stack:
            current, path = stack.pop()
            if len(path) > extra_states + 2:
                continue
            if len(path) > 1:
                for other in by_status.get(statuses[trie.state[current]], ()):
                    separate(current, other)
                for ancestor in path[:-1]:
                    separate(ancestor, current)
            if len(path) <= extra_states + 1:
                for symbol in range(alphabet):
                    child = trie.children[current].get(symbol)
                    if child is not None:
                        stack.append((child, (*path, child)))


def _separated(trie: _Trie, minimal: Minimal, u: int, v: int) -> bool:
    """Whether the suite already holds a word below both ``u`` and ``v`` on which their
    states answer differently (searched within a budget)."""
    statuses = minimal.statuses
    stack = [(u, v)]
    budget = _SEARCH_BUDGET
    while stack and budget > 0:
        budget -= 1
        a, b = stack.pop()
        left, right = trie.children[a], trie.children[b]
        if len(right) < len(left):
            left, right = right, left
            a, b = b, a
        for symbol, child in left.items():
            other = right.get(symbol)
            if other is None:
                continue
            if statuses[trie.state[child]] != statuses[trie.state[other]]:
                return True
            if trie.state[child] != trie.state[other]:
                stack.append((child, other))
    return False
