"""Tests of the m-complete suites (W, Wp, H) and of what the suites catch.

Two kinds of evidence:

- the faulty implementations of tests/mutants/mutants.py (missing transition, extra transition,
  wrong history return, history lost through Offline, wrong timeout cause, early timeout,
  merged states) run through the real python adapter: the kill rate of every suite is
  reported (tests/golden/conformance/kill-rates.txt) and every fault must be caught by the
  m-complete suites with m = 1;
- the m-completeness claim itself: hypothesis builds random faulty machines with at most m
  states more than the model (states copied, transitions redirected, statuses changed) and
  every one that is not equivalent to the model must fail the suite.
"""

from __future__ import annotations

from collections import deque
from pathlib import Path

import pytest
from conftest import Golden
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.conformance.adapters import open_adapter
from statusproof.conformance.cases import Suite, SuiteTooLarge
from statusproof.conformance.complete import complete_suite, complete_words, estimate
from statusproof.conformance.fsm import Explicit, Minimal, explore
from statusproof.conformance.generate import COVERAGES, Options, generate
from statusproof.conformance.machine import Machine
from statusproof.conformance.runner import run_case

TESTS = Path(__file__).resolve().parent
HELPDESK = TESTS / "fixtures" / "conformance" / "helpdesk.txt"
MUTANTS = TESTS / "mutants" / "mutants.py"
REQUIRED = ("MissingTransition", "ExtraTransition", "WrongHistoryReturn",
            "HistoryLostThroughOffline", "WrongTimeoutCause", "EarlyTimeout", "MergedStates")
EXTRA = ("RefusalRestartsClock", "SystemTimeoutPerStatus", "OfflineOnRequest",
         "WaitRemainderDropped", "HistoryLostFromThirdReboot")
#: Variants that behave like the reference: no suite may fail them.
EQUIVALENT = ("RefusalIsANoOpRefactored", "TimersSortedByTarget")


@pytest.fixture(scope="module")
def rescue_explicit() -> Explicit:
    from statusproof.model import load_model
    return explore(Machine(load_model()))


@pytest.fixture(scope="module")
def rescue_suites(rescue_explicit: Explicit) -> list[tuple[str, Suite]]:
    model = rescue_explicit.machine.model
    suites = generate(model, COVERAGES, explicit=rescue_explicit)
    named = [(s.name if s.name != "complete" else "complete-h-m1", s) for s in suites]
    # the default complete suite: H, m = 1, long waits, 500 seeded random walks
    named.append(("complete-h-m0", complete_suite(rescue_explicit, "t", "h", 0)))
    named.append(("complete-wp-m1", complete_suite(rescue_explicit, "t", "wp", 1)))
    return named


def killed(adapter_spec: str, suite: Suite) -> str | None:
    """The name of the first test of ``suite`` the implementation fails, or None."""
    with open_adapter(adapter_spec, 5.0) as adapter:
        for case in suite.tests:
            if not run_case(adapter, case).passed:
                return case.name
    return None


def test_kill_rate_per_suite(rescue_suites: list[tuple[str, Suite]], golden: Golden) -> None:
    names = [n for n, _ in rescue_suites]
    width = max(len(m) for m in (*REQUIRED, *EXTRA, *EQUIVALENT))
    lines = ["kill matrix: x = the suite has a failing test for the fault", "",
             " " * width + "  " + "  ".join(names)]
    kills = {name: 0 for name in names}
    matrix: dict[tuple[str, str], str | None] = {}
    for mutant in (*REQUIRED, *EXTRA, *EQUIVALENT):
        row = []
        for name, suite in rescue_suites:
            found = killed(f"python:{MUTANTS}:{mutant}", suite)
            matrix[(mutant, name)] = found
            kills[name] += found is not None and mutant in REQUIRED
            row.append(("x" if found else "-").center(len(name)))
        lines.append(f"{mutant:<{width}}  " + "  ".join(row))
    lines.append("")
    for name, suite in rescue_suites:
        lines.append(f"{name}: {kills[name]}/{len(REQUIRED)} required faults caught "
                     f"({100 * kills[name] // len(REQUIRED)}%), {suite.size} tests, "
                     f"length {suite.length}")
    report = "\n".join(lines) + "\n"
    print(report)
    golden("conformance/kill-rates.txt", report)
    for mutant in REQUIRED:
        for name in ("complete-h-m1", "complete-wp-m1"):
            assert matrix[(mutant, name)], f"{mutant} escaped {name}"
    for mutant in EXTRA:  # the default complete suite catches every fault of the set
        assert matrix[(mutant, "complete-h-m1")], f"{mutant} escaped the default suite"
    for mutant in EQUIVALENT:  # and no suite fails an equivalent variant
        assert not any(matrix[(mutant, name)] for name in names), mutant


@pytest.mark.slow
def test_w_method_with_m1_catches_every_fault(rescue_explicit: Explicit) -> None:
    suite = complete_suite(rescue_explicit, "t", "w", 1, limit=10_000_000)
    for mutant in (*REQUIRED, *EXTRA):
        if mutant == "HistoryLostFromThirdReboot":  # a counter: beyond any m-complete suite
            continue
        assert killed(f"python:{MUTANTS}:{mutant}", suite), f"{mutant} escaped W, m=1"


def test_suite_sizes_on_the_bundled_model(rescue_explicit: Explicit) -> None:
    figures = {}
    for method in ("h", "wp", "w"):
        for m in (0, 1):
            words = complete_words(rescue_explicit, method, m, limit=10**8)
            figures[(method, m)] = len(words)
    assert figures[("h", 1)] <= figures[("wp", 1)] <= figures[("w", 1)]
    assert figures[("h", 0)] <= figures[("wp", 0)] <= figures[("w", 0)]
    assert figures[("h", 1)] == 62511


def test_the_step_limit_stops_an_oversized_suite(rescue_explicit: Explicit) -> None:
    guess = estimate(rescue_explicit, "w", 2)
    assert guess > 10_000_000
    with pytest.raises(SuiteTooLarge, match=r"the W-method \(m=2\) suite would have about "
                                             r"[\d,]+ steps, more than the limit of 2,000,000; "
                                             r"lower --extra-states"):
        complete_suite(rescue_explicit, "t", "w", 2)
    with pytest.raises(SuiteTooLarge, match="more than the limit of 10"):
        generate(rescue_explicit.machine.model, ["complete"], Options("h", 1, 10),
                 explicit=rescue_explicit)


# -- m-completeness against random faulty machines --------------------------------------------
_HELPDESK: Explicit | None = None


def helpdesk() -> Explicit:
    global _HELPDESK
    if _HELPDESK is None:
        from statusproof.model import load_model
        _HELPDESK = explore(Machine(load_model(HELPDESK)))
    return _HELPDESK


class FaultyMachine:
    """An implementation as a complete Moore machine over the abstract symbols."""

    def __init__(self, delta: list[list[int]], status: list[str], starts: list[int]) -> None:
        self.delta, self.status, self.starts = delta, status, starts

    def answers(self, start: int, word: tuple[int, ...]) -> tuple[str, ...]:
        q = self.starts[start]
        out = [self.status[q]]
        for symbol in word:
            q = self.delta[q][symbol]
            out.append(self.status[q])
        return tuple(out)


def spec_answers(minimal: Minimal, explicit: Explicit, start: int,
                 word: tuple[int, ...]) -> tuple[str, ...]:
    c = minimal.classes[explicit.starts[start][1]]
    return (minimal.statuses[c], *minimal.answers(c, word))


def equivalent(minimal: Minimal, explicit: Explicit, faulty: FaultyMachine) -> bool:
    seen = set()
    queue = deque((faulty.starts[s], minimal.classes[q]) for s, (_, q) in
                  enumerate(explicit.starts))
    while queue:
        pair = queue.popleft()
        if pair in seen:
            continue
        seen.add(pair)
        i, c = pair
        if faulty.status[i] != minimal.statuses[c]:
            return False
        for symbol in range(explicit.alphabet_size):
            queue.append((faulty.delta[i][symbol], minimal.delta(c, symbol)))
    return True


@st.composite
def faulty_machines(draw: st.DrawFn, extra: int) -> FaultyMachine:
    explicit = helpdesk()
    minimal = explicit.minimise()
    n, k = minimal.size, explicit.alphabet_size
    delta = [[minimal.delta(c, a) for a in range(k)] for c in range(n)]
    status = list(minimal.statuses)
    statuses = sorted(set(status))
    copies = draw(st.integers(0, extra))
    for _ in range(copies):  # an extra state: a copy of a state, entered instead of it
        original = draw(st.integers(0, n - 1))
        delta.append(list(delta[original]))
        status.append(status[original])
        source = draw(st.integers(0, len(delta) - 2))
        symbol = draw(st.integers(0, k - 1))
        delta[source][symbol] = len(delta) - 1
    size = len(delta)
    for _ in range(draw(st.integers(1, 3))):  # redirected transitions
        source = draw(st.integers(0, size - 1))
        symbol = draw(st.integers(0, k - 1))
        delta[source][symbol] = draw(st.integers(0, size - 1))
    if copies and draw(st.booleans()):  # an extra state that answers another status
        status[-1] = draw(st.sampled_from(statuses))
    starts = [minimal.classes[q] for _, q in explicit.starts]
    return FaultyMachine(delta, status, starts)


@pytest.mark.parametrize("method", ["w", "wp", "h"])
@pytest.mark.parametrize("extra", [0, 1])
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_faulty_machine_within_m_extra_states_fails_the_suite(
        method: str, extra: int, data: st.DataObject) -> None:
    explicit = helpdesk()
    minimal = explicit.minimise()
    faulty = data.draw(faulty_machines(extra))
    if equivalent(minimal, explicit, faulty):
        return
    words = _words(method, extra)
    assert any(faulty.answers(start, word) != spec_answers(minimal, explicit, start, word)
               for start, word in words), "a faulty machine passed the suite"


_WORDS: dict[tuple[str, int], list[tuple[int, tuple[int, ...]]]] = {}


def _words(method: str, extra: int) -> list[tuple[int, tuple[int, ...]]]:
    if (method, extra) not in _WORDS:
        _WORDS[(method, extra)] = complete_words(helpdesk(), method, extra)
    return _WORDS[(method, extra)]


def test_a_fault_behind_an_extra_state_escapes_m0_but_not_m1() -> None:
    """The bound matters. An implementation with one state more than the model: input r,
    refused in state s, moves to a copy of s whose transition on a is wrong. The m=0 suite
    need not try r then a; the m=1 suite must. Search for such a fault the m=0 H suite
    misses, and check that the m=1 suites catch it."""
    explicit = helpdesk()
    minimal = explicit.minimise()
    n, k = minimal.size, explicit.alphabet_size
    base = [[minimal.delta(c, a) for a in range(k)] for c in range(n)]
    starts = [minimal.classes[q] for _, q in explicit.starts]
    m0 = _words("h", 0)
    found = None
    for s in range(n):
        for r in (r for r in range(k) if base[s][r] == s):
            for a in range(k):
                for target in range(n):
                    if target == base[s][a]:
                        continue
                    delta = [list(row) for row in base] + [list(base[s])]
                    delta[s][r] = n
                    delta[n][r] = n
                    delta[n][a] = target
                    faulty = FaultyMachine(delta, [*minimal.statuses, minimal.statuses[s]],
                                           starts)
                    if equivalent(minimal, explicit, faulty):
                        continue
                    if all(faulty.answers(st_, w) == spec_answers(minimal, explicit, st_, w)
                           for st_, w in m0):
                        found = faulty
                        break
                if found:
                    break
            if found:
                break
        if found:
            break
    assert found is not None, "every one-extra-state fault was caught by the m=0 suite"
    for method in ("h", "wp", "w"):
        assert any(found.answers(st_, w) != spec_answers(minimal, explicit, st_, w)
                   for st_, w in _words(method, 1)), f"{method}, m=1 missed the fault"


def test_the_random_extension_is_seeded_and_recorded(tmp_path: Path) -> None:
    from conftest import run_cli
    texts = []
    for seed, folder in ((7, "a"), (7, "b"), (8, "c")):
        code, out, err = run_cli(["traces", "--coverage", "complete", "--extra-states", "0",
                                  "--random-walks", "10", "--walk-length", "12", "--seed",
                                  str(seed), "--bound", "-o", str(tmp_path / folder)])
        assert (code, err) == (0, "")
        assert f"random walks=10, walk length=12, seed={seed}, lower bound=3117" in out
        texts.append((tmp_path / folder / "complete.jsonl").read_text())
    assert texts[0] == texts[1] != texts[2]
    walks = [line for line in texts[0].splitlines() if '"complete-random-' in line]
    assert len(walks) == 10


def test_long_waits_are_inputs_and_can_be_left_out() -> None:
    from statusproof.model import load_model
    model = load_model()
    without = explore(Machine(model, long_waits=0))
    assert (without.size, without.minimise().size, without.alphabet_size) == (206, 79, 21)
    two = explore(Machine(model, long_waits=2))
    assert [str(s) for s in two.machine.alphabet[-2:]] == [
        "wait through 2 time events in one wait", "wait through 3 time events in one wait"]
    machine = two.machine
    fresh = machine.start_state(machine.starts()[0])
    from statusproof.conformance.machine import ACROSS, Input, Symbol
    q = machine.apply(machine.apply(fresh, Input.go("Waiting")).state,
                      Input.go("Reconnecting")).state
    # through the five-minute timer, then on in Offline to a second before two weeks
    assert machine.concrete(q, Symbol(ACROSS, events=2)) == Input.wait(1_209_599)
    assert machine.concrete(q, Symbol(ACROSS, events=3)) == Input.wait(1_209_600)
