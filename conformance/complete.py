"""m-complete suites: the W, Wp, H and SPYH methods over the minimal machine, with a seeded
random extension and a lower bound.

A suite is *m-complete* when every implementation that passes it is equivalent to the model,
provided the implementation, seen through the same inputs, is a deterministic machine with at
most ``n + m`` states (``n``: states of the minimal model, :meth:`Explicit.minimise`) and
answers its status after each input (a Moore machine). The states include the remembered status,
the cause, the configuration and the clock regions, and the inputs include the long waits
(:mod:`.machine`), so a wrong history return, a wrong timeout cause or a wait that drops what
is left of it after a timer is a wrong state or transition, and is caught.

With V a state cover (shortest access words), I the alphabet, W the characterisation set and
``ids[q]`` the identifier of state q (:meth:`Minimal.splitting_tree`):

- W:  V.(empty + I).I^{<=m}.W
- Wp: V.I^{<=m}.W  plus  V.I.I^{<=m} followed by the identifier of the state reached
- H:  V.I^{<=m+1} plus separating words where needed (:mod:`.h_method`)
- SPYH: H's separations, with tests shared between words proved to converge (:mod:`.spyh`;
  the default)

Words that are prefixes of other words are dropped (the longer test checks the same answers).
W and Wp are streamed: their words come in order from a merge of sorted generators, so a suite
of millions of steps runs and exports in bounded memory (:class:`~.cases.Streamed`); H and
SPYH keep a prefix tree of their words (small: its size is the suite's). The size is estimated
first, and a suite over the step limit stops with
:class:`~statusproof.conformance.cases.SuiteTooLarge`.

The *random extension* (:mod:`.random_walks`) appends seeded random walks for faults beyond the
bound (a counter); :func:`lower_bound` gives the length no complete suite can go under.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence

from statusproof.model.record import record

from .cases import DEFAULT_LIMIT, Streamed, Suite, TestCase, check_limit, stream_cases
from .fsm import Explicit, Minimal, Word
from .h_method import Trie, h_method, words_upto
from .random_walks import random_words
from .spyh import Convergence, spyh_method
from .tour import postman

__all__ = ["METHODS", "Extension", "complete_suite", "complete_words", "estimate",
           "lower_bound", "traversal_length"]

METHODS = ("w", "wp", "h", "spyh")


@record
class Extension:
    """The random extension: ``walks`` walks of up to ``length`` moves, from ``seed``."""

    walks: int = 0
    length: int = 30
    seed: int = 1


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


def _cover(explicit: Explicit, minimal: Minimal) -> list[tuple[int, Word]]:
    """The state cover by start; a start whose state another start already reaches gets its
    own empty access word, so that its transitions are tested as well."""
    access = minimal.access()
    cover: list[tuple[int, Word]] = list(access)
    cover.extend((number, ()) for number in range(len(explicit.starts))
                 if (number, ()) not in access)
    return cover


def _prefix_free(words: Iterator[Word]) -> Iterator[Word]:
    """Sorted words without duplicates and without the words that prefix the next one."""
    previous: Word | None = None
    for word in words:
        if previous is not None and word[:len(previous)] != previous:
            yield previous
        previous = word
    if previous is not None:
        yield previous


def _streamed_words(explicit: Explicit, minimal: Minimal, method: str, extra_states: int
                    ) -> Callable[[], Iterator[tuple[int, Word]]]:
    """The W or Wp words, by start, each start's in order (made afresh on every call)."""
    cover = _cover(explicit, minimal)
    words, ids = minimal.splitting_tree()
    alphabet = explicit.alphabet_size
    tails = sorted([(), *words])
    states = {(start, word): minimal.run(minimal.classes[explicit.starts[start][1]], word)
              for start, word in cover}

    def middles(upto: int) -> list[Word]:
        return words_upto(alphabet, upto)

    def joined(head: Word, ends: Sequence[Word]) -> Iterator[Word]:
        return ((*head, *end) for end in ends)

    def generators(start: int) -> list[Iterator[Word]]:
        found: list[Iterator[Word]] = []
        mine = [w for s, w in cover if s == start]
        if method == "w":
            for word in mine:
                for middle in middles(extra_states + 1):
                    found.append(joined((*word, *middle), tails))
            return found
        for word in mine:
            for middle in middles(extra_states):
                found.append(joined((*word, *middle), tails))
            for first in range(alphabet):
                for middle in middles(extra_states):
                    head = (*word, first, *middle)
                    reached = minimal.run(states[(start, word)], (first, *middle))
                    found.append(iter(sorted((*head, *t) for t in ids[reached] or [()])))
        return found

    def make() -> Iterator[tuple[int, Word]]:
        for start in range(len(explicit.starts)):
            for word in _prefix_free(heapq.merge(*generators(start))):
                yield start, word
    return make


def _words_of(explicit: Explicit, method: str, extra_states: int, limit: int
              ) -> tuple[Callable[[], Iterator[tuple[int, Word]]], Minimal]:
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if extra_states < 0:
        raise ValueError("--extra-states must be 0 or more")
    check_limit(f"{method.upper()}-method (m={extra_states})",
                estimate(explicit, method, extra_states), limit,
                "lower --extra-states, use --method h, or choose a smaller table")
    minimal = explicit.minimise()
    if method in ("w", "wp"):
        return _streamed_words(explicit, minimal, method, extra_states), minimal
    trie, roots, _ = _tree(explicit, minimal, method, extra_states)

    def make() -> Iterator[tuple[int, Word]]:
        for number, root in enumerate(roots):
            for word in trie.words(root):
                yield number, word
    return make, minimal


def _tree(explicit: Explicit, minimal: Minimal, method: str, extra_states: int
          ) -> tuple[Trie, list[int], list[int]]:
    """The H or SPYH test tree, its roots (one per start) and, for SPYH, the certificate."""
    cover = _cover(explicit, minimal)
    if method == "spyh":
        graph = Convergence(minimal)
        roots = [graph.root(minimal.classes[state]) for _, state in explicit.starts]
        proof = spyh_method(graph, minimal, roots, cover, explicit.alphabet_size,
                            extra_states)
        return graph, roots, proof
    trie = Trie(minimal)
    roots = [trie.root(minimal.classes[state]) for _, state in explicit.starts]
    h_method(trie, minimal, roots, cover, explicit.alphabet_size, extra_states)
    return trie, roots, []


def spyh_certificate(explicit: Explicit, extra_states: int
                     ) -> tuple[list[tuple[int, Word]], list[tuple[int, Word]]]:
    """The SPYH suite's words and its certificate: the words proved to converge with the
    access word of their state, in the order of the proof (for the checks in the tests)."""
    minimal = explicit.minimise()
    trie, roots, proof = _tree(explicit, minimal, "spyh", extra_states)
    where: dict[int, tuple[int, Word]] = {}
    for number, root in enumerate(roots):
        stack: list[tuple[int, Word]] = [(root, ())]
        while stack:
            node, word = stack.pop()
            where[node] = (number, word)
            stack.extend((child, (*word, symbol))
                         for symbol, child in trie.children[node].items())
    words = [(number, word) for number, root in enumerate(roots)
             for word in trie.words(root)]
    return words, [where[node] for node in proof]


def complete_words(explicit: Explicit, method: str = "h", extra_states: int = 1,
                   limit: int = DEFAULT_LIMIT) -> list[tuple[int, Word]]:
    """The deterministic part's tests as abstract words: (index of the start, symbols)."""
    make, _ = _words_of(explicit, method, extra_states, limit)
    return list(make())


def lower_bound(explicit: Explicit) -> int:
    """The shortest length (steps plus resets) of any suite that gives every input in every
    state of the minimal model, which every m-complete suite must do (a fault on an input
    never given in some state would pass): a Chinese-postman tour over all of them."""
    minimal = explicit.minimise()
    required = [(c, minimal.delta(c, a), (c, a)) for c in range(minimal.size)
                for a in range(explicit.alphabet_size)]
    starts = sorted({minimal.classes[q] for _, q in explicit.starts})
    return postman(required, starts).optimum


def traversal_length(explicit: Explicit, extra_states: int) -> int:
    """The length (steps plus resets) of V.I^{<=m+1} alone, prefixes dropped: the part of the
    H suite that comes before any separating word, which every suite of the H family holds."""
    minimal = explicit.minimise()
    trie = Trie(minimal)
    roots = [trie.root(minimal.classes[state]) for _, state in explicit.starts]
    for start, word in _cover(explicit, minimal):
        node = trie.add(roots[start], word)
        for middle in words_upto(explicit.alphabet_size, extra_states + 1):
            trie.add(node, middle)
    return sum(len(word) + 1 for root in roots for word in trie.words(root))


def complete_suite(explicit: Explicit, table: str, method: str = "h", extra_states: int = 1,
                   limit: int = DEFAULT_LIMIT, extension: Extension = Extension(),
                   bound: bool = False) -> Suite:
    """The ``extra_states``-complete suite built by ``method`` (``w``, ``wp`` or ``h``),
    streamed, followed by the random extension; ``bound`` adds :func:`lower_bound`."""
    make, minimal = _words_of(explicit, method, extra_states, limit)
    size = steps = 0
    for _, word in make():
        size += 1
        steps += len(word)
    walks: list[tuple[int, Word]] = []
    if extension.walks:
        walks = random_words(minimal, extension.walks, extension.length, extension.seed)
    machine = explicit.machine
    starts = [start for start, _ in explicit.starts]
    title = {"w": "W", "wp": "Wp", "h": "H", "spyh": "SPYH"}[method]

    def tests() -> Iterator[TestCase]:
        yield from stream_cases(machine, starts, make(), f"complete-{method}", size)
        yield from stream_cases(machine, starts, iter(walks), "complete-random", len(walks))

    inputs = ", ".join(s.kind for s in machine.alphabet if s.kind != "go")
    domain = (f"deterministic implementations with at most {minimal.size + extra_states} "
              f"states over go and the waits ({inputs})")
    facts: list[tuple[str, int | str]] = [
        ("method", title), ("extra states", extra_states), ("model states", minimal.size),
        ("unfolded states", explicit.size), ("inputs", explicit.alphabet_size),
        ("characterisation words", len(minimal.splitting_tree()[0])),
        ("complete for", domain)]
    if walks:
        facts += [("random walks", len(walks)), ("walk length", extension.length),
                  ("seed", extension.seed)]
    if bound:
        facts.append(("lower bound", lower_bound(explicit)))
    description = (f"{title} method, m={extra_states}: catches every implementation with at "
                   f"most {minimal.size + extra_states} states that differs from the model")
    if walks:
        description += (f"; plus {len(walks)} seeded random walks (seed {extension.seed}) "
                        "for hidden state beyond that")
    total_steps = steps + sum(len(w) for _, w in walks)
    return Suite("complete", description, table,
                 Streamed(tests, size + len(walks), total_steps), tuple(facts),
                 tuple(machine.notes))


def words_by_start(words: Sequence[tuple[int, Word]]) -> dict[int, list[Word]]:
    """Test words grouped by start (for callers that check suites word by word)."""
    grouped: dict[int, list[Word]] = {}
    for start, word in words:
        grouped.setdefault(start, []).append(word)
    return grouped
