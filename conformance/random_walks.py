"""The seeded random extension of the complete suites: walks beyond the extra-state bound.

An m-complete suite catches every faulty implementation with at most n + m states; a fault
behind a counter (history lost from the third reboot on) or any other hidden state that needs
more is outside that domain. :func:`random_words` adds tests as AALpy's random Wp method and
LearnLib's randomised suites do: a state of the minimal model drawn at random, its access word,
then a random walk over the moves of the model (an accepted ``go``, a timer firing, a change of
clock region; now and then any input, refusals included; before the last step, never into a
state from which every walk soon ends), then the identifier of the state reached. The walks
come from ``random.Random(seed)``, so a seed gives the same tests on every machine, and the
seed is recorded in the suite (docs/conformance.md gives the measured chance of catching the
counter fault). Building the deterministic part of the suite is :mod:`.complete`'s job.
"""

from __future__ import annotations

import random

from .fsm import Minimal, Word

__all__ = ["random_words", "ANY_INPUT"]

#: The chance that a step of a walk is any input of the alphabet rather than a move.
ANY_INPUT = 0.125


def random_words(minimal: Minimal, count: int, length: int, seed: int
                 ) -> list[tuple[int, Word]]:
    """``count`` random tests as (start index, word): access word, a walk of ``length``
    steps (shorter when it reaches a state with no move), the reached state's identifier."""
    rng = random.Random(seed)
    cover = minimal.access()
    _, identifiers = minimal.splitting_tree()
    alphabet = minimal.explicit.alphabet_size
    live = _live(minimal)
    tests: list[tuple[int, Word]] = []
    for _ in range(count):
        start, word = cover[rng.randrange(len(cover))]
        state = minimal.run(minimal.classes[minimal.explicit.starts[start][1]], word)
        walk: list[int] = []
        for step in range(length):
            moves = sorted(minimal.moves[state])
            if not moves:
                break
            if step < length - 1:  # keep walking: no way to an end before the last step
                moves = [a for a in moves if minimal.delta(state, a) in live] or moves
            symbol = rng.randrange(alphabet) if rng.random() < ANY_INPUT else \
                moves[rng.randrange(len(moves))]
            walk.append(symbol)
            state = minimal.delta(state, symbol)
        ids = identifiers[state]
        tail = ids[rng.randrange(len(ids))] if ids else ()
        tests.append((start, (*word, *walk, *tail)))
    return tests


def _live(minimal: Minimal) -> set[int]:
    """The states from which a walk can go on for ever (a move to another such state)."""
    live = {c for c in range(minimal.size) if minimal.moves[c]}
    changed = True
    while changed:
        changed = False
        for c in sorted(live):
            if not any(t in live for t in minimal.moves[c].values()):
                live.discard(c)
                changed = True
    return live
