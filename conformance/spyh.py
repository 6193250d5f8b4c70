"""The SPYH method's test tree: H's separations, with tests shared through proved convergence.

SPYH (Soucha and Bogdanov, 2018), after SPY (Simao, Petrenko and Yevtushenko, 2009). The tests
are a prefix tree; beside it, a *convergence graph* groups the tree's nodes that every
implementation passing the suite (with at most n + m states) must bring to the same state. At
first each node is its own class, the state cover's nodes (the *references*, one per state of
the minimal model) pairwise separated. Then every transition (s, x) of the model is confirmed,
one after the other: a node ``u.x`` with ``u`` already in the class of s's reference, and every
word of I^{<=m} after it and after t's reference (t the state x leads to), each node of those
two trees separated from every reference and every node above it in either tree that must be
in another state. Then ``u.x`` is proved to converge with t's reference, and their classes are
merged (and, as the implementation is deterministic, the classes their equal words lead to).
A word is *in the graph* below a class when the tree holds it below any of the class's nodes
in turn; so a word appended to a test that ends in a confirmed class counts for every node of
that class, and a traversal word is placed at the end of any test in that class (no reset, no
way down) rather than starting a test of its own.

:func:`spyh_method` builds the tree and returns, beside it, the *certificate*: the nodes in
the order they were proved to converge, which tests/test_conformance_complete.py checks again,
exhaustively, against the conditions above. Assembling the suite is :mod:`.complete`'s job.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from .fsm import Minimal, Word
from .h_method import Trie

__all__ = ["Convergence", "spyh_method"]

#: How many class pairs the builder inspects to find a separation already in the graph (the
#: check in the tests has no budget; a budget only ever adds a word that was not needed).
_SEARCH_BUDGET = 600


class Convergence(Trie):
    """The test tree with its convergence classes (a union-find over classes, each with its
    successors by symbol, its leaf nodes and its shallowest node)."""

    def __init__(self, minimal: Minimal) -> None:
        super().__init__(minimal)
        self.cls: list[int] = []          # node -> class (not always the representative)
        self.parent: list[int] = []       # class -> union-find parent
        self.succ: list[dict[int, int]] = []
        self.cstate: list[int] = []
        self.leaves: list[set[int]] = []
        self.front: list[int] = []        # class -> its shallowest node

    def find(self, c: int) -> int:
        root = c
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[c] != root:
            self.parent[c], c = root, self.parent[c]
        return root

    def klass(self, node: int) -> int:
        return self.find(self.cls[node])

    def _new_class(self, node: int) -> int:
        c = len(self.parent)
        self.parent.append(c)
        self.succ.append({})
        self.cstate.append(self.state[node])
        self.leaves.append({node})
        self.front.append(node)
        return c

    def root(self, state: int) -> int:
        node = super().root(state)
        self.cls.append(self._new_class(node))
        return node

    def add(self, node: int, word: Sequence[int]) -> int:
        for symbol in word:
            child = self.children[node].get(symbol)
            if child is None:
                here = self.klass(node)
                if not self.children[node]:
                    self.leaves[here].discard(node)
                child = self._node(self.minimal.delta(self.state[node], symbol),
                                   self.depth[node] + 1)
                self.children[node][symbol] = child
                known = self.succ[here].get(symbol)
                if known is None:
                    c = self._new_class(child)
                    self.succ[here][symbol] = c
                else:
                    c = self.find(known)
                    self.leaves[c].add(child)
                    if self.depth[child] < self.depth[self.front[c]]:
                        self.front[c] = child
                self.cls.append(c)
            node = child
        return node

    def next(self, c: int, symbol: int) -> int | None:
        found = self.succ[c].get(symbol)
        return None if found is None else self.find(found)

    def merge(self, a: int, b: int) -> None:
        """Merge class ``a`` into class ``b`` and, by determinism, their successors."""
        pending = [(a, b)]
        while pending:
            x, y = pending.pop()
            x, y = self.find(x), self.find(y)
            if x == y:
                continue
            if self.cstate[x] != self.cstate[y]:  # pragma: no cover - a proof gone wrong
                raise AssertionError("merging classes of different states")
            self.parent[x] = y
            if len(self.leaves[x]) > len(self.leaves[y]):
                self.leaves[x], self.leaves[y] = self.leaves[y], self.leaves[x]
            self.leaves[y] |= self.leaves[x]
            self.leaves[x] = set()
            if self.depth[self.front[x]] < self.depth[self.front[y]]:
                self.front[y] = self.front[x]
            for symbol, c in self.succ[x].items():
                other = self.succ[y].get(symbol)
                if other is None:
                    self.succ[y][symbol] = c
                else:
                    pending.append((c, other))
            self.succ[x] = {}

    def placement(self, c: int, word: Word) -> tuple[int, int, int]:
        """The cheapest way to put ``word`` below class ``c``: (added length, node, how much
        of the word is already there). A leaf of a class on the way is extended; failing
        that, the class's shallowest node starts a new test."""
        best = (1 << 30, -1, 0)
        here: int | None = c
        for position in range(len(word) + 1):
            assert here is not None
            left = len(word) - position
            if left == 0:
                return (0, self.front[here], position)
            if self.leaves[here]:
                leaf = next(iter(self.leaves[here]))
                if left < best[0]:
                    best = (left, leaf, position)
            else:
                front = self.front[here]
                cost = left + self.depth[front] + 1
                if cost < best[0]:
                    best = (cost, front, position)
            here = self.next(here, word[position])
            if here is None:
                break
        return best

    def put(self, c: int, word: Word) -> int:
        """Add ``word`` below class ``c`` where it costs least; the class reached."""
        cost, node, position = self.placement(c, word)
        if cost:
            self.add(node, word[position:])
        here = c
        for symbol in word:
            found = self.next(here, symbol)
            assert found is not None
            here = found
        return here

    def separated(self, a: int, b: int, budget: int = _SEARCH_BUDGET) -> bool:
        """Whether the graph holds a word below both classes on which their states answer
        differently (within ``budget`` pairs; ``budget < 0``: no budget)."""
        statuses = self.minimal.statuses
        if statuses[self.cstate[a]] != statuses[self.cstate[b]]:
            return True
        seen = {(a, b)}
        stack = [(a, b)]
        while stack:
            budget -= 1
            if budget == -1:
                return False
            x, y = stack.pop()
            left, right = self.succ[x], self.succ[y]
            if len(right) < len(left):
                left, right = right, left
            for symbol, c in left.items():
                d = right.get(symbol)
                if d is None:
                    continue
                c, d = self.find(c), self.find(d)
                p, q = self.cstate[c], self.cstate[d]
                if statuses[p] != statuses[q]:
                    return True
                if p != q and (c, d) not in seen:
                    seen.add((c, d))
                    stack.append((c, d))
        return False


def spyh_method(graph: Convergence, minimal: Minimal, roots: list[int],
                cover: list[tuple[int, Word]], alphabet: int, extra_states: int
                ) -> list[int]:
    """Build the SPYH tree in ``graph``; return the certificate: the nodes proved to converge
    with the reference of their state, in order."""
    statuses = minimal.statuses
    answers = functools.lru_cache(maxsize=1 << 16)(minimal.answers)
    reference: dict[int, int] = {}
    duplicates: list[int] = []
    for start, word in cover:
        node = graph.add(roots[start], word)
        if graph.state[node] in reference:
            duplicates.append(node)
        else:
            reference[graph.state[node]] = node
    ref_class = {s: graph.klass(n) for s, n in reference.items()}
    references = sorted(reference)

    def distinguish(c: int, others: list[int]) -> None:
        c = graph.find(c)
        p = graph.cstate[c]
        need = []
        for o in others:
            o = graph.find(o)
            q = graph.cstate[o]
            if o != c and q != p and statuses[q] == statuses[p] \
                    and not graph.separated(c, o):
                need.append(o)
        if not need:
            return
        candidates = [w for w in (minimal.unique_word(p),) if w is not None]
        if len(need) == 1:
            q = graph.cstate[need[0]]
            candidates.append(minimal.separating(p, q))
            candidates.extend(w for w in (minimal.unique_word(q),) if w is not None)
        good = [w for w in candidates
                if all(answers(p, w) != answers(graph.cstate[o], w) for o in need)]
        if good:
            word = min(good, key=lambda w: (graph.placement(c, w)[0]
                                            + sum(graph.placement(o, w)[0] for o in need), w))
            graph.put(c, word)
            for o in need:
                graph.put(o, word)
            return
        for o in need:
            q = graph.cstate[o]
            if graph.separated(c, o):
                continue
            word = minimal.separating(p, q)
            graph.put(c, word)
            graph.put(o, word)

    def verify(c: int, ref: int, depth: int, chain: list[int], origin: tuple[int, Word]
               ) -> None:
        """Separate class ``c`` (reached by ``origin``'s word from its class) and ``ref``
        from the references and ``chain``; then the same for every input below both."""
        is_ref = graph.find(ref) in {graph.find(x) for x in ref_class.values()}
        if depth > 0:  # the words below first: they often separate c already
            below_chain = [*chain, c] + ([] if is_ref else [ref])
            start, word = origin
            for symbol in range(alphabet):
                below = graph.put(graph.find(start), (*word, symbol))
                ref_below = graph.put(graph.find(ref), (symbol,))
                verify(below, ref_below, depth - 1, below_chain, (start, (*word, symbol)))
        own = [graph.find(x) for x in ref_class.values()] + chain
        distinguish(c, own)
        if not is_ref:
            distinguish(ref, own)

    for group in _by_status(references, statuses):
        for i, p in enumerate(group):
            distinguish(ref_class[p], [ref_class[q] for q in group[i + 1:]])
    certificate: list[int] = []

    def confirm(node: int, origin: tuple[int, Word]) -> None:
        target = ref_class[graph.state[node]]
        verify(graph.klass(node), target, extra_states, [], origin)
        certificate.append(node)
        graph.merge(graph.klass(node), target)

    for node in duplicates:
        confirm(node, (graph.klass(node), ()))
    # deepest first (the sum of the access words' lengths), a state's loops before its moves
    order = sorted((-graph.depth[reference[s]] - graph.depth[reference[minimal.delta(s, a)]],
                    minimal.delta(s, a) != s, s, a)
                   for s in references for a in range(alphabet))
    for *_, s, a in order:
        source = graph.find(ref_class[s])
        target = graph.find(ref_class[minimal.delta(s, a)])
        if graph.next(source, a) == target:
            continue
        graph.put(source, (a,))
        confirm(_member_below(graph, source, a), (source, (a,)))
    return certificate


def _member_below(graph: Convergence, source: int, symbol: int) -> int:
    """A tree node ``u.symbol`` with ``u`` in class ``source`` (the shallowest)."""
    target = graph.next(source, symbol)
    assert target is not None
    return graph.front[target]


def _by_status(states: list[int], statuses: list[str]) -> list[list[int]]:
    groups: dict[str, list[int]] = {}
    for s in states:
        groups.setdefault(statuses[s], []).append(s)
    return list(groups.values())

