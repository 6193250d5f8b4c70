"""AALpy's W- and Wp-method test suites for a machine statusproof exported: their sizes.

Run by benchmarks/bench_suites.py inside its own virtual environment (benchmarks/.venv-aalpy,
where AALpy is installed; AALpy is not a dependency of statusproof). Reads the minimal machine
as JSON on stdin: ``statuses`` (the answer of each state), ``alphabet`` (symbol names),
``moves`` (per state, symbol index -> target; any other symbol stays) and ``starts`` (the state
each reset leads to). AALpy needs one initial state: a reset state is added (answer
``#reset``), and one input per start (``#start-i``) leads from every state to that start, so the
machine AALpy tests has one state more than statusproof's and an input per start more. Prints
JSON: for each method, the tests and symbols AALpy generates (distinct words, as its cache
runs them), and the same counted only on the words statusproof can send (a start input first
and no other start input), with the words that are prefixes of others dropped.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable

from aalpy.automata import MooreMachine, MooreState
from aalpy.oracles.WpMethodEqOracle import first_phase_it, second_phase_it


def build(data: dict[str, object]) -> tuple[MooreMachine, list[str], list[str]]:
    statuses = data["statuses"]
    alphabet = data["alphabet"]
    moves = data["moves"]
    starts = data["starts"]
    assert isinstance(statuses, list) and isinstance(alphabet, list)
    assert isinstance(moves, list) and isinstance(starts, list)
    resets = [f"#start-{i}" for i in range(len(starts))]
    reset = MooreState("#reset", output="#reset")
    states = [MooreState(f"s{i}", output=status) for i, status in enumerate(statuses)]
    for i, state in enumerate(states):
        row = {int(k): v for k, v in moves[i].items()}
        for a, name in enumerate(alphabet):
            state.transitions[name] = states[row.get(a, i)]
    import os
    everywhere = os.environ.get("RESETS") != "initial"
    for state in (reset, *states):
        for name, target in zip(resets, starts, strict=True):
            if state is reset or everywhere:
                state.transitions[name] = states[target]
            else:
                state.transitions[name] = state
    for name in alphabet:
        reset.transitions[name] = reset
    machine = MooreMachine(reset, [reset, *states])
    machine.compute_prefixes()
    return machine, [*alphabet, *resets], resets


def counts(words: Iterable[tuple[str, ...]], resets: list[str]) -> dict[str, int]:
    distinct = set(words)
    symbols = sum(len(w) for w in distinct)
    reset_set = set(resets)
    sendable = sorted(w for w in distinct if w and w[0] in reset_set
                      and not any(s in reset_set for s in w[1:]))
    kept = [w for i, w in enumerate(sendable)
            if not (i + 1 < len(sendable) and sendable[i + 1][:len(w)] == w)]
    return {"tests": len(distinct), "symbols": symbols,
            "sendable tests": len(kept), "sendable symbols": sum(len(w) for w in kept)}


def main() -> int:
    data = json.load(sys.stdin)
    extra = int(data.get("extra states", 1))
    machine, alphabet, resets = build(data)
    char_set = machine.compute_characterization_set()
    machine.characterization_set = char_set
    states = machine.states
    depth = len(states) + extra + 1 - len(states)
    state_cover = {s.prefix for s in states}
    transition_cover = {(*s.prefix, a) for s in states for a in alphabet}
    difference = transition_cover - state_cover
    wp = list(first_phase_it(alphabet, state_cover, depth, char_set))
    wp += list(second_phase_it(machine, alphabet, difference, depth))
    w_words = []
    for d in range(depth):
        from itertools import product
        for middle in product(alphabet, repeat=d):
            for prefix in sorted(transition_cover):
                for suffix in char_set or [()]:
                    w_words.append(prefix + middle + tuple(suffix))
    from importlib.metadata import version
    print(json.dumps({"aalpy": version("aalpy"), "states": len(states),
                      "inputs": len(alphabet), "characterisation words": len(char_set),
                      "wp": counts(wp, resets), "w": counts(w_words, resets)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
