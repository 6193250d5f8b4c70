"""The H method's test tree: traversal words, then separating words where the suite needs them.

H (Dorofeeva, El-Fakih and Yevtushenko): V.I^{<=m+1}, then, for every two words of it that must
reach different implementation states (two access words; an access word and an extension; two
prefixes of one extension), a separating word appended to both, unless the suite already
separates them. The words are kept in a prefix tree (:class:`Trie`) whose leaves are the tests.
The separating words are placed in two passes. First every extension, deepest first, gets one
word that tells its state from all the states it must be told from (the state's unique word,
:meth:`~statusproof.conformance.fsm.Minimal.unique_word`, or an input and the word chosen for
that child when it does the same for less), appended to it and to those access words: a deepest
extension is the end of a test, so one word there extends the test instead of starting one test
per separating word. Then every pair is checked, and a pair not yet separated gets, among a
shortest separating word, the states' unique words, the words already chosen for them and their
shared identifier words, the one that adds the least length (a new test costs its reset and its
way down). Assembling the suite is :mod:`.complete`'s job.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from itertools import islice, product

from .cases import Step, step_of
from .fsm import Minimal, Word
from .machine import Machine, MachineState, Start

__all__ = ["Trie", "h_method", "words_upto"]

#: How many node pairs the H method inspects to find a separation already in the suite.
_SEARCH_BUDGET = 400
#: How many of the words already below a node are tried as its identifying word.
_PATHS_TRIED = 8


def words_upto(alphabet: int, upto: int) -> list[Word]:
    """Every word of length 0..upto, shortest first."""
    out: list[Word] = []
    for length in range(upto + 1):
        out.extend(product(range(alphabet), repeat=length))
    return out


class Trie:
    """Test words by start: a prefix tree whose leaves are the tests."""

    def __init__(self, minimal: Minimal) -> None:
        self.minimal = minimal
        self.children: list[dict[int, int]] = []
        self.state: list[int] = []
        self.depth: list[int] = []
        self.roots: list[int] = []

    def _node(self, state: int, depth: int) -> int:
        self.children.append({})
        self.state.append(state)
        self.depth.append(depth)
        return len(self.state) - 1

    def root(self, state: int) -> int:
        node = self._node(state, 0)
        self.roots.append(node)
        return node

    def add(self, node: int, word: Sequence[int]) -> int:
        for symbol in word:
            child = self.children[node].get(symbol)
            if child is None:
                child = self._node(self.minimal.delta(self.state[node], symbol),
                                   self.depth[node] + 1)
                self.children[node][symbol] = child
            node = child
        return node

    def cost(self, node: int, word: Sequence[int]) -> int:
        """What adding ``word`` below ``node`` adds to the suite's length: the new inputs,
        plus a reset and the way down when it starts a new test rather than extending one."""
        for position, symbol in enumerate(word):
            child = self.children[node].get(symbol)
            if child is None:
                left = len(word) - position
                return left if not self.children[node] else left + self.depth[node] + 1
            node = child
        return 0

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


def h_method(trie: Trie, minimal: Minimal, roots: list[int], cover: list[tuple[int, Word]],
             alphabet: int, extra_states: int) -> None:
    statuses = minimal.statuses
    access_nodes = [trie.add(roots[start], word) for start, word in cover]
    by_status: dict[str, list[int]] = {}
    for node in access_nodes:
        by_status.setdefault(statuses[trie.state[node]], []).append(node)
    for node in access_nodes:
        for word in words_upto(alphabet, extra_states + 1):
            trie.add(node, word)
    extensions = _extensions(trie, access_nodes, alphabet, extra_states)
    chosen: dict[int, Word] = {}
    answers = functools.lru_cache(maxsize=1 << 16)(minimal.answers)
    # identification first, deepest nodes first: a leaf of the traversal set is extended by one
    # word that tells its state from every other state of its status (no new test), and that
    # word is appended to the access nodes it must be told from (shared by all their visitors)
    for node, path in sorted(extensions, key=lambda item: -trie.depth[item[0]]):
        _identify(trie, minimal, answers, by_status, chosen, node, path)

    def separate(u: int, v: int) -> None:
        p, q = trie.state[u], trie.state[v]
        if p == q or statuses[p] != statuses[q] or _separated(trie, minimal, u, v):
            return
        candidates = [minimal.separating(p, q)]
        candidates.extend(w for w in (minimal.unique_word(p), minimal.unique_word(q),
                                      chosen.get(u), chosen.get(v))
                          if w is not None and answers(p, w) != answers(q, w))
        _, ids = minimal.splitting_tree()
        shared = [w for w in ids[p] if w in ids[q]]
        for word in shared:
            if answers(p, word) != answers(q, word):
                candidates.append(word)
        best = min(candidates, key=lambda w: (trie.cost(u, w) + trie.cost(v, w), w))
        trie.add(u, best)
        trie.add(v, best)

    # access words pairwise
    for group in by_status.values():
        for i, u in enumerate(group):
            for v in group[i + 1:]:
                separate(u, v)
    # every extension node against the access words and its own ancestors
    for current, path in extensions:
        for other in by_status.get(statuses[trie.state[current]], ()):
            separate(current, other)
        for ancestor in path[:-1]:
            separate(ancestor, current)


def _extensions(trie: Trie, access_nodes: list[int], alphabet: int, extra_states: int
                ) -> list[tuple[int, tuple[int, ...]]]:
    """Every node of V.I^{1..m+1} with its path from its access node (the access node
    first), access node by access node, depth first in symbol order."""
    found: list[tuple[int, tuple[int, ...]]] = []
    for node in access_nodes:
        stack: list[tuple[int, tuple[int, ...]]] = [(node, (node,))]
        while stack:
            current, path = stack.pop()
            if len(path) > extra_states + 2:
                continue
            if len(path) > 1:
                found.append((current, path))
            if len(path) <= extra_states + 1:
                for symbol in reversed(range(alphabet)):
                    child = trie.children[current].get(symbol)
                    if child is not None:
                        stack.append((child, (*path, child)))
    return found


def _identify(trie: Trie, minimal: Minimal, answers: Callable[[int, Word], tuple[str, ...]],
              by_status: dict[str, list[int]], chosen: dict[int, Word], node: int,
              path: tuple[int, ...]) -> None:
    """Append to ``node`` one word that separates its state from every access node and
    ancestor of its status in another state, and append it to those nodes as well.

    The word is the state's unique word or, when cheaper and it separates too, a symbol
    followed by the word already chosen for that child, or one of the first words already
    below ``node`` (either costs nothing below ``node``)."""
    statuses = minimal.statuses
    state = trie.state[node]
    status = statuses[state]
    others = [u for u in by_status.get(status, ()) if trie.state[u] != state]
    others.extend(a for a in path[:-1]
                  if statuses[trie.state[a]] == status and trie.state[a] != state)
    if not others:
        return
    candidates: list[Word] = []
    unique = minimal.unique_word(state)
    if unique is not None:
        candidates.append(unique)
    for symbol, child in sorted(trie.children[node].items()):
        if child in chosen:
            candidates.append((symbol, *chosen[child]))
    candidates.extend(islice(trie.words(node), _PATHS_TRIED))
    best: tuple[int, Word] | None = None
    for word in candidates:
        mine = answers(state, word)
        if any(answers(trie.state[u], word) == mine for u in others):
            continue
        cost = trie.cost(node, word) + sum(trie.cost(u, word) for u in set(others))
        if best is None or (cost, word) < best:
            best = (cost, word)
    if best is None:
        return
    word = best[1]
    chosen[node] = word
    trie.add(node, word)
    for u in others:
        trie.add(u, word)


def _separated(trie: Trie, minimal: Minimal, u: int, v: int) -> bool:
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
