"""Benchmark of the conformance suites and the runner.

Run: ``python benchmarks/bench_conformance.py [--sizes 100,1000] [--seeds 3]``. For the
bundled model and generated tables it prints, per suite, the generation time, the number of
tests and the length (inputs plus resets); for the transition tour, the min-cost-flow optimum,
the ratio of the tour to it and the length a random walk needs to cover the same moves; the
size of the m-complete suites (W, Wp, H, m = 0 and 1), or the estimate when a suite is over the
step limit and is not built; and the runner's throughput in steps per second through both
adapters. It asserts nothing (speed is never a test) and ends with the machine it ran on.

The generated tables are benchmarks/bench_check.py's (chains, skips and jumps, history returns,
conditions, undefined exits), with an amendment file adding timers to one status in twenty and
two configurable timers. No hand-written implementation exists for them, so their runner
figures use a model-backed implementation (it steps statusproof's own machine): it measures the
runner and the protocol, not an implementation.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_check import generated_table  # noqa: E402

from statusproof.conformance.adapters import open_adapter  # noqa: E402
from statusproof.conformance.cases import DEFAULT_LIMIT, Suite, SuiteTooLarge  # noqa: E402
from statusproof.conformance.complete import complete_suite, estimate  # noqa: E402
from statusproof.conformance.fsm import Explicit, explore  # noqa: E402
from statusproof.conformance.machine import Machine, MachineState  # noqa: E402
from statusproof.conformance.pairs import pair_tour  # noqa: E402
from statusproof.conformance.refusals import boundary_suite, refusal_suite  # noqa: E402
from statusproof.conformance.runner import run_suite  # noqa: E402
from statusproof.conformance.tour import status_tour, transition_tour  # noqa: E402
from statusproof.model import load_model  # noqa: E402
from statusproof.model.model import Model  # noqa: E402

REFERENCE = HERE.parent / "examples" / "rescue_reference.py"


def generated_model(size: int, folder: Path) -> Path:
    """A generated table of ``size`` statuses with timers, written to ``folder``."""
    table = folder / f"generated-{size}.txt"
    table.write_text(generated_table(size))
    raw = load_model(table, raw=True)
    statements = [f'about = "generated"\ntable = "{table.name}"\n']
    configurable = 0
    for i, status in enumerate(raw.statuses):
        if i % 20 != 3:
            continue
        # (a timer into a status that has a cause variable would need a cause of its own)
        steps = [t for t in raw.outgoing(status.name) if t.target and t.guard is None
                 and raw.cause_of(t.target) is None]
        if not steps:
            continue
        if configurable < 2:
            configurable += 1
            delay = ('minimum = "1m"\nmaximum = "60m"\nnever = true\n'
                     f'setting = "generated setting {configurable}"\n')
        else:
            delay = f'seconds = "{60 * (i % 7 + 1)}s"\n'
        statements.append(f'[[timer]]\nstatus = "{status.name}"\nto = "{steps[0].target}"\n'
                          f'{delay}source = "generated"\n')
    (folder / f"generated-{size}.amend.toml").write_text("\n".join(statements))
    return table


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    began = time.perf_counter()
    result = function()
    return result, time.perf_counter() - began


def random_walk(explicit: Explicit, seed: int, cap: int) -> tuple[int, float]:
    """Steps plus resets a random walk needs to take every move once (uniform choice among
    the moves of the current state; a reset when none is left). Returns (length, covered)."""
    rng = random.Random(seed)
    wanted = {(q, a) for q, a, _ in explicit.edges()}
    seen: set[tuple[int, int]] = set()
    starts = [state for _, state in explicit.starts]
    length = 0
    q = -1
    while len(seen) < len(wanted) and length < cap:
        if q < 0 or not explicit.moves[q]:
            q = rng.choice(starts)
            length += 1
            continue
        symbol = rng.choice(list(explicit.moves[q]))
        seen.add((q, symbol))
        q = explicit.moves[q][symbol]
        length += 1
    return length, len(seen) / max(len(wanted), 1)


class ModelBacked:
    """An implementation that steps statusproof's machine (for runner throughput only)."""

    def __init__(self, table: str | None = None) -> None:
        self.machine = Machine(load_model(table))
        self.state: MachineState | None = None

    def reset(self, entry: str, cause: str | None, settings: Mapping[str, int | None]) -> str:
        start = next(s for s in self.machine.starts() if s.state.status == entry
                     and s.state.cause == cause and s.configuration.as_dict() == dict(settings))
        self.state = self.machine.start_state(start)
        return self.state.status

    def go(self, status: str, cause: str | None) -> str:
        assert self.state is not None
        self.state = self.machine.go(self.state, status, cause).state
        return self.state.status

    def wait(self, seconds: int) -> str:
        assert self.state is not None
        self.state = self.machine.wait(self.state, seconds).state
        return self.state.status


def serve(table: str) -> int:
    """The model-backed implementation over the JSON-lines protocol (``--serve TABLE``)."""
    implementation = ModelBacked(table)
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        if op == "reset":
            status = implementation.reset(request["entry"], request["cause"],
                                          request["settings"])
        elif op == "go":
            status = implementation.go(request["status"], request["cause"])
        else:
            status = implementation.wait(request["seconds"])
        sys.stdout.write(json.dumps({"id": request["id"], "status": status}) + "\n")
        sys.stdout.flush()
    return 0


def throughput(adapter: str, suites: list[Suite], budget: int) -> tuple[int, float]:
    """Steps run and steps per second, running tests until about ``budget`` steps."""
    picked: list[Suite] = []
    steps = 0
    for suite in suites:
        tests = []
        for case in suite.tests:
            if steps >= budget:
                break
            tests.append(case)
            steps += case.length
        picked.append(Suite(suite.name, "", suite.table, tuple(tests)))
    with open_adapter(adapter, 30.0) as implementation:
        began = time.perf_counter()
        for suite in picked:
            result = run_suite(implementation, suite)
            assert result.passed, (adapter, suite.name, result.failures[:1])
        elapsed = time.perf_counter() - began
    return steps, steps / elapsed


def row(name: str, seconds: float, suite: Suite | None, extra: str = "") -> None:
    if suite is None:
        print(f"  {name:<16} {seconds:8.2f}s  {extra}")
        return
    print(f"  {name:<16} {seconds:8.2f}s  {suite.size:>9,} tests  {suite.length:>11,} length"
          + (f"  {extra}" if extra else ""))


def bench_model(label: str, model: Model, seeds: int, limit: int) -> tuple[Explicit, list[Suite]]:
    print(f"\n{label}: {len(model.statuses)} statuses, {len(model.transitions)} transitions, "
          f"{len(model.timers)} timers")
    machine = Machine(model)
    explicit, seconds = timed(lambda: explore(machine))
    print(f"  unfolded machine: {explicit.size:,} states, {len(explicit.edges()):,} moves, "
          f"{explicit.alphabet_size:,} inputs, {len(machine.configurations)} configuration(s)"
          f" ({seconds:.2f}s)")
    minimal, seconds = timed(explicit.minimise)
    print(f"  minimal machine: {minimal.size:,} states ({seconds:.2f}s)")
    suites: list[Suite] = []
    tour, seconds = timed(lambda: transition_tour(explicit, model.path))
    suites.append(tour)
    optimum = tour.fact("optimum")
    assert isinstance(optimum, int)
    walks = [random_walk(explicit, seed, 2000 * optimum) for seed in range(seeds)]
    walk = sum(w for w, _ in walks) / len(walks)
    covered = min(c for _, c in walks)
    row("transitions", seconds, tour,
        f"optimum {optimum:,}, tour/optimum {tour.length / optimum:.3f}, random walk "
        f"{walk:,.0f} ({walk / optimum:.1f}x the optimum"
        + (f"; stopped at the cap with {covered:.2%} of the moves covered" if covered < 1
           else "") + ")")
    statuses, seconds = timed(lambda: status_tour(explicit, model.path))
    row("statuses", seconds, statuses, f"lower bound {statuses.fact('lower bound'):,}")
    suites.append(statuses)
    pairs, seconds = timed(lambda: pair_tour(explicit, model.path, limit))
    row("pairs", seconds, pairs, f"pairs {pairs.fact('pairs'):,}, optimum "
        f"{pairs.fact('optimum'):,}")
    suites.append(pairs)
    try:
        refusals, seconds = timed(lambda: refusal_suite(explicit, model.path, limit))
        row("refusals", seconds, refusals, f"{refusals.fact('refusals'):,} refused inputs")
        suites.append(refusals)
    except SuiteTooLarge as e:
        row("refusals", 0.0, None, f"not built: {e}")
    boundaries, seconds = timed(lambda: boundary_suite(explicit, model.path))
    row("boundaries", seconds, boundaries)
    suites.append(boundaries)
    for method in ("h", "wp", "w"):
        for m in (0, 1):
            name = f"complete {method} m={m}"
            guess = estimate(explicit, method, m)
            if guess > limit:
                row(name, 0.0, None, f"not built: about {guess:,} steps, over the limit "
                                     f"of {limit:,}")
                continue
            suite, seconds = timed(lambda method=method, m=m: complete_suite(  # type: ignore[misc]
                explicit, model.path, method, m, limit))
            row(name, seconds, suite, f"estimate {guess:,}")
            suites.append(suite)
    return explicit, suites


def machine_info() -> str:
    lines = [f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
             f"{os.cpu_count()} CPU(s)"]
    for command in (["lscpu"], ["free", "-h"]):
        try:
            text = subprocess.run(command, capture_output=True, text=True, timeout=10).stdout
        except OSError:
            continue
        keep = [line for line in text.splitlines()
                if line.startswith(("Model name", "CPU(s)", "Mem:"))]
        lines.extend(keep)
    with contextlib.suppress(OSError):
        lines.append(f"load average: {os.getloadavg()[0]:.2f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--seeds", type=int, default=3, help="random walks per model")
    parser.add_argument("--budget", type=int, default=100_000,
                        help="steps per throughput measurement")
    parser.add_argument("--limit", type=int, default=DEFAULT_LIMIT)
    parser.add_argument("--serve", metavar="TABLE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    print("statusproof conformance benchmark")
    runs: list[tuple[str, str | None, list[Suite]]] = []
    _, suites = bench_model("bundled model (Rescue)", load_model(), args.seeds, args.limit)
    runs.append(("bundled", None, suites))
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            table = generated_model(size, Path(folder))
            model = load_model(table)
            _, suites = bench_model(f"generated table, {size} statuses", model, args.seeds,
                                    args.limit)
            runs.append((f"generated {size}", str(table), suites))
        print("\nrunner throughput (steps = inputs plus resets)")
        for label, source, suites in runs:
            picked = [s for s in suites if s.name in ("transitions", "pairs", "complete")]
            if source is None:
                adapters = [("python, reference", f"python:{REFERENCE}:RescueSession"),
                            ("exec, reference", f"exec:{sys.executable} {REFERENCE}")]
            else:
                os.environ["STATUSPROOF_BENCH_TABLE"] = source
                adapters = [("python, model-backed",
                             f"python:{Path(__file__).resolve()}:bench_implementation"),
                            ("exec, model-backed",
                             f"exec:{sys.executable} {Path(__file__).resolve()} --serve "
                             f"{source}")]
            for name, spec in adapters:
                steps, rate = throughput(spec, picked, args.budget)
                print(f"  {label:<16} {name:<22} {rate:>10,.0f} steps/s ({steps:,} steps)")
    print("\nmachine:\n" + machine_info())
    return 0


def bench_implementation() -> ModelBacked:
    """The python-adapter factory for the model-backed implementation."""
    return ModelBacked(os.environ["STATUSPROOF_BENCH_TABLE"])


if __name__ == "__main__":
    raise SystemExit(main())
