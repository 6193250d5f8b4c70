"""The machine under test made explicit: reachable states, moves, minimisation, separation.

:func:`explore` unfolds a :class:`~statusproof.conformance.machine.Machine` over its abstract
alphabet into an :class:`Explicit` machine: integer states in breadth-first order, and for each
state the *moves* (the symbols that change something: an accepted ``go``, or a wait that
changes the clock region or fires a timer). Every other symbol leaves the state unchanged
(a refusal, or time passing without effect), so the transition function is stored sparsely
and scales to alphabets of thousands of symbols.

The implementation answers its status after each input, so it is a Moore machine: states with
different statuses are told apart by the answer itself. :meth:`Explicit.minimise` merges
equivalent states by Moore partition refinement (rounds kept, so that
:meth:`Minimal.separating` gives a shortest separating sequence for any two states), and
:meth:`Minimal.splitting_tree` gives the characterisation set W and each state's identifier
(the sequences on its path in a splitting tree; any two identifiers share a sequence that
separates their states). The suites (:mod:`statusproof.conformance.complete` and others) are
built on these; this module generates no tests.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from .machine import GO, Machine, MachineState, Start

__all__ = ["Explicit", "Minimal", "explore", "Word"]

#: A sequence of symbol indices.
Word = tuple[int, ...]


@dataclass
class Explicit:
    """The reachable abstract machine: states ``0..n-1`` in breadth-first order.

    ``moves[q]`` maps a symbol index to the state it leads to, for every symbol that is an
    accepted ``go`` or a wait that changes the state; any other symbol leaves ``q`` as it is.
    ``starts`` lists each reset point with its state; ``access[q]`` is a shortest way to
    ``q``: the index of a start and a word.
    """

    machine: Machine
    states: list[MachineState]
    index: dict[MachineState, int]
    moves: list[dict[int, int]]
    starts: list[tuple[Start, int]]
    access: list[tuple[int, Word]]

    @property
    def size(self) -> int:
        return len(self.states)

    @property
    def alphabet_size(self) -> int:
        return len(self.machine.alphabet)

    def status(self, q: int) -> str:
        return self.states[q].status

    def delta(self, q: int, symbol: int) -> int:
        return self.moves[q].get(symbol, q)

    def run(self, q: int, word: Sequence[int]) -> int:
        for symbol in word:
            q = self.moves[q].get(symbol, q)
        return q

    def edges(self) -> list[tuple[int, int, int]]:
        """Every move as (source, symbol, target), sources in order, symbols in order."""
        return [(q, a, t) for q in range(self.size) for a, t in sorted(self.moves[q].items())]

    def is_go(self, symbol: int) -> bool:
        return self.machine.alphabet[symbol].kind == GO

    def minimise(self) -> Minimal:
        """The quotient by Moore equivalence (same answers to every sequence)."""
        classes, rounds = _refine(self.size, [self.status(q) for q in range(self.size)],
                                  self.moves)
        del rounds
        count = max(classes, default=-1) + 1
        representative = [-1] * count
        for q in range(self.size):
            if representative[classes[q]] < 0:
                representative[classes[q]] = q
        moves: list[dict[int, int]] = []
        for c in range(count):
            rep = representative[c]
            moves.append({a: classes[t] for a, t in self.moves[rep].items()
                          if classes[t] != c})
        statuses = [self.status(representative[c]) for c in range(count)]
        return Minimal(self, classes, representative, statuses, moves)


def _refine(size: int, statuses: Sequence[str], moves: Sequence[dict[int, int]]
            ) -> tuple[list[int], list[list[int]]]:
    """Moore partition refinement. Returns the final classes and the classes of each round
    (round 0: by status); class numbers follow the first state of each class."""
    numbering: dict[object, int] = {}
    current = [numbering.setdefault(s, len(numbering)) for s in statuses]
    rounds = [current]
    while True:
        numbering = {}
        following = []
        for q in range(size):
            own = current[q]
            signature = (own, tuple(sorted((a, current[t]) for a, t in moves[q].items()
                                           if current[t] != own)))
            following.append(numbering.setdefault(signature, len(numbering)))
        if len(numbering) == len(set(current)):
            return current, rounds
        current = following
        rounds.append(current)


@dataclass
class Minimal:
    """The minimal machine: one state per class of equivalent explicit states."""

    explicit: Explicit
    classes: list[int]
    representative: list[int]
    statuses: list[str]
    moves: list[dict[int, int]]

    def __post_init__(self) -> None:
        _, self._rounds = _refine(self.size, self.statuses, self.moves)
        self._tree: tuple[list[Word], list[list[Word]]] | None = None
        self._unique: dict[int, Word | None] = {}

    @property
    def size(self) -> int:
        return len(self.statuses)

    def delta(self, c: int, symbol: int) -> int:
        return self.moves[c].get(symbol, c)

    def run(self, c: int, word: Sequence[int]) -> int:
        for symbol in word:
            c = self.moves[c].get(symbol, c)
        return c

    def answers(self, c: int, word: Sequence[int]) -> tuple[str, ...]:
        out = []
        for symbol in word:
            c = self.moves[c].get(symbol, c)
            out.append(self.statuses[c])
        return tuple(out)

    def split_round(self, p: int, q: int) -> int:
        """The length of a shortest sequence separating ``p`` and ``q`` (0: the status)."""
        for k, classes in enumerate(self._rounds):
            if classes[p] != classes[q]:
                return k
        raise ValueError(f"states {p} and {q} are equivalent")

    def separating(self, p: int, q: int) -> Word:
        """A shortest word after which ``p`` and ``q`` answer differently.

        The empty word when their statuses differ (the answer on arrival tells them apart).
        """
        word: list[int] = []
        while True:
            k = self.split_round(p, q)
            if k == 0:
                return tuple(word)
            previous = self._rounds[k - 1]
            for a in sorted(set(self.moves[p]) | set(self.moves[q])):
                p2, q2 = self.delta(p, a), self.delta(q, a)
                if previous[p2] != previous[q2]:
                    word.append(a)
                    p, q = p2, q2
                    break
            else:  # pragma: no cover - the refinement guarantees a splitting symbol
                raise AssertionError("no splitting symbol")

    def splitting_tree(self) -> tuple[list[Word], list[list[Word]]]:
        """The characterisation set W and each state's identifier.

        The root splits by status (the empty word); each inner node splits its states by a
        shortest word that separates two of them. ``W`` is the set of node words (sorted);
        the identifier of a state is the list of words on its path from the root, so any two
        states' identifiers share a word that separates them.
        """
        if self._tree is not None:
            return self._tree
        identifiers: list[list[Word]] = [[] for _ in range(self.size)]
        words: set[Word] = set()
        groups: dict[str, list[int]] = {}
        for c in range(self.size):
            groups.setdefault(self.statuses[c], []).append(c)
        pending = [g for g in groups.values() if len(g) > 1]
        while pending:
            block = pending.pop()
            first = block[0]
            other = min(block[1:], key=lambda c: (self.split_round(first, c), c))
            word = self.separating(first, other)
            words.add(word)
            parts: dict[tuple[str, ...], list[int]] = {}
            for c in block:
                identifiers[c].append(word)
                parts.setdefault(self.answers(c, word), []).append(c)
            pending.extend(p for p in parts.values() if len(p) > 1)
        self._tree = (sorted(words, key=lambda w: (len(w), w)), identifiers)
        return self._tree

    def unique_word(self, p: int, budget: int = 20_000) -> Word | None:
        """A shortest word on which ``p`` answers unlike every other state of its status (a
        UIO sequence), or None when none is found within ``budget`` search nodes.

        Appended after ``p`` and after each of the others, one word tells ``p`` apart from
        all of them at once; the suites offer it among the separating words they choose
        from (:mod:`.complete`)."""
        if p in self._unique:
            return self._unique[p]
        others = frozenset(q for q in range(self.size)
                           if q != p and self.statuses[q] == self.statuses[p])
        found: Word | None = () if not others else None
        if others:
            seen = {(p, others)}
            frontier: deque[tuple[int, frozenset[int], Word]] = deque([(p, others, ())])
            while frontier and found is None and len(seen) < budget:
                here, rest, word = frontier.popleft()
                for a in range(self.explicit.alphabet_size):
                    there = self.delta(here, a)
                    status = self.statuses[there]
                    left = frozenset(t for q in rest
                                     if self.statuses[t := self.delta(q, a)] == status)
                    if there in left:
                        continue  # another state merges with p's: never told apart here
                    if not left:
                        found = (*word, a)
                        break
                    if (there, left) not in seen:
                        seen.add((there, left))
                        frontier.append((there, left, (*word, a)))
        self._unique[p] = found
        return found

    def access(self) -> list[tuple[int, Word]]:
        """A shortest (start index, word) reaching each minimal state, breadth first."""
        explicit = self.explicit
        found: list[tuple[int, Word] | None] = [None] * self.size
        for q in range(explicit.size):
            c = self.classes[q]
            if found[c] is None:
                found[c] = explicit.access[q]
        return [a for a in found if a is not None]


def explore(machine: Machine) -> Explicit:
    """Unfold the reachable states of ``machine`` over its abstract alphabet."""
    alphabet = machine.alphabet
    go_index = {(s.status, s.cause): i for i, s in enumerate(alphabet) if s.kind == GO}
    waits = [i for i, s in enumerate(alphabet) if s.kind != GO]
    states: list[MachineState] = []
    index: dict[MachineState, int] = {}
    access: list[tuple[int, Word]] = []
    starts: list[tuple[Start, int]] = []
    queue: deque[int] = deque()

    def visit(q: MachineState, how: tuple[int, Word]) -> int:
        found = index.get(q)
        if found is None:
            found = index[q] = len(states)
            states.append(q)
            access.append(how)
            queue.append(found)
        return found

    for number, start in enumerate(machine.starts()):
        begin = machine.normalise(machine.start_state(start))
        starts.append((start, visit(begin, (number, ()))))
    moves: list[dict[int, int]] = []
    while queue:
        i = queue.popleft()
        q = states[i]
        row: dict[int, int] = {}
        for key in machine.accepted(q.state):
            outcome = machine.go(q, key[0], key[1])
            if outcome.refused:  # a step only a timer takes
                continue
            symbol = go_index[key]
            row[symbol] = visit(machine.normalise(outcome.state),
                                (access[i][0], (*access[i][1], symbol)))
        for symbol in waits:
            outcome = machine.apply(q, machine.concrete(q, alphabet[symbol]))
            after = machine.normalise(outcome.state)
            if after != q or outcome.steps:
                row[symbol] = visit(after, (access[i][0], (*access[i][1], symbol)))
        moves.append(dict(sorted(row.items())))
    return Explicit(machine, states, index, moves, starts, access)
