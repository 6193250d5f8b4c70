"""Benchmark of the complete suites against AALpy's, and of the runner through ``exec:``.

Run: ``python benchmarks/bench_suites.py [--seeds 20] [--budget 3000] [--no-aalpy]``. Prints,
on the same machine and in the same run:

1. the floors: CPU time of ``python -c pass`` and of ``statusproof --help`` (every figure
   below that runs statusproof as a process includes that start-up);
2. the sizes of statusproof's SPYH, H, Wp and W suites (m = 0 and 1; tests and length, steps
   plus resets) and of the default complete suite (SPYH, m = 1, long waits, seeded random
   walks), the lower bound, and AALpy's W and Wp suites on the same minimal machine (AALpy
   installed by this script into its own virtual environment, benchmarks/.venv-aalpy; AALpy
   is not a dependency of statusproof), with the ratios; once with the long waits in the
   alphabet and once without;
3. the peak memory of exporting the W suite with m = 1 (streamed);
4. how often the random walks alone catch the counter fault (history lost from the third
   reboot), over ``--seeds`` seeds, with the default number of walks and with 500;
5. the runner's rate in-process and through ``exec:`` (CPU time of statusproof and of the
   implementation, and wall time), and a one-test failure through ``exec:`` as a whole
   process.

It asserts nothing (speed is never a test) and ends with the machine it ran on. CPU times are
``resource.getrusage`` (user + system, children included where a process runs).
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from bench_conformance import machine_info  # noqa: E402

from statusproof.conformance.adapters import open_adapter  # noqa: E402
from statusproof.conformance.cases import Suite, concretise  # noqa: E402
from statusproof.conformance.complete import (  # noqa: E402
    complete_words,
    lower_bound,
    traversal_length,
)
from statusproof.conformance.fsm import Explicit, explore  # noqa: E402
from statusproof.conformance.generate import DEFAULT_WALKS, Options, generate  # noqa: E402
from statusproof.conformance.machine import Machine  # noqa: E402
from statusproof.conformance.random_walks import random_words  # noqa: E402
from statusproof.conformance.runner import run_case, run_suite  # noqa: E402
from statusproof.model import load_model  # noqa: E402

AALPY_VENV = HERE / ".venv-aalpy"
AALPY = "aalpy==2.0.0"
REFERENCE = ROOT / "examples" / "rescue_reference.py"
MUTANTS = ROOT / "tests" / "mutants" / "mutants.py"


def child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process(argv: list[str]) -> tuple[int, float, float, str]:
    """Run a process: (exit code, CPU seconds with its children, wall seconds, stdout)."""
    before, began = child_cpu(), time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, check=False)
    return done.returncode, child_cpu() - before, time.perf_counter() - began, done.stdout


def floors() -> None:
    print("floors (CPU seconds, best of 3)")
    for name, argv in (("python -c pass", [sys.executable, "-c", "pass"]),
                       ("statusproof --help", [sys.executable, "-m", "statusproof", "--help"])):
        best = min(process(argv)[1] for _ in range(3))
        print(f"  {name:<22} {best:.3f}s")


def aalpy_sizes(explicit: Explicit) -> dict[str, object] | None:
    if not (AALPY_VENV / "bin" / "python").exists():
        print(f"  (installing {AALPY} into {AALPY_VENV})")
        subprocess.run([sys.executable, "-m", "venv", str(AALPY_VENV)], check=True)
        subprocess.run([str(AALPY_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                        AALPY], check=True)
    minimal = explicit.minimise()
    data = {"statuses": minimal.statuses,
            "alphabet": [str(s) for s in explicit.machine.alphabet],
            "moves": [{str(k): v for k, v in m.items()} for m in minimal.moves],
            "starts": [minimal.classes[q] for _, q in explicit.starts], "extra states": 1}
    done = subprocess.run([str(AALPY_VENV / "bin" / "python"), str(HERE / "aalpy_sizes.py")],
                          input=json.dumps(data), capture_output=True, text=True)
    if done.returncode:
        print("  AALpy failed: " + done.stderr.strip().splitlines()[-1])
        return None
    result: dict[str, object] = json.loads(done.stdout)
    return result


def sizes(long_waits: int, use_aalpy: bool) -> None:
    model = load_model()
    explicit = explore(Machine(model, long_waits=long_waits))
    minimal = explicit.minimise()
    print(f"\nsuite sizes, bundled model, long waits {long_waits}: {explicit.size} unfolded "
          f"states, {minimal.size} minimal, {explicit.alphabet_size} inputs, "
          f"{len(explicit.starts)} starts")
    ours: dict[str, int] = {}
    for method in ("spyh", "h", "wp", "w"):
        for m in (0, 1):
            began = own_cpu()
            words = complete_words(explicit, method, m, limit=10**8)
            length = sum(len(w) + 1 for _, w in words)
            ours[f"{method}{m}"] = length
            title = {"spyh": "SPYH", "h": "H", "wp": "Wp", "w": "W"}[method]
            print(f"  statusproof {title:<4} m={m}  {len(words):>8,} tests "
                  f"{length:>11,} length  ({own_cpu() - began:.1f}s CPU)")
    traversal = traversal_length(explicit, 1)
    print(f"  of H m=1: V.I^<=2 alone (no separating word) {traversal:,}, separating words "
          f"{ours['h1'] - traversal:,}")
    suite = generate(model, ["complete"], Options(long_waits=long_waits),
                     explicit=explicit)[0]
    ours["default"] = suite.length
    print(f"  statusproof default complete suite (SPYH m=1 + {suite.fact('random walks')} random "
          f"walks): {suite.size:,} tests, {suite.length:,} length")
    bound = lower_bound(explicit)
    print(f"  lower bound (every input in every minimal state, a shortest tour): {bound:,}; "
          f"default suite / bound = {suite.length / bound:.1f}")
    if not use_aalpy:
        return
    found = aalpy_sizes(explicit)
    if found is None:
        return
    print(f"  AALpy {found['aalpy']} on the same machine plus a reset state "
          f"({found['states']} states, {found['inputs']} inputs):")
    for method in ("wp", "w"):
        figures = found[method]
        assert isinstance(figures, dict)
        print(f"    AALpy {'Wp' if method == 'wp' else 'W':<2} m=1  {figures['tests']:>8,} tests "
              f"{figures['symbols']:>11,} symbols; sendable, prefix-reduced: "
              f"{figures['sendable tests']:,} tests, {figures['sendable symbols']:,} symbols")
    wp = found["wp"]
    assert isinstance(wp, dict)
    ours["traversal"] = traversal
    for name, key in (("default complete", "default"), ("SPYH m=1", "spyh1"), ("H m=1", "h1"),
                      ("Wp m=1", "wp1"),
                      ("V.I^<=2 alone", "traversal")):
        print(f"    statusproof {name} / AALpy Wp: {ours[key] / wp['symbols']:.3f} of its "
              f"symbols, {ours[key] / wp['sendable symbols']:.3f} of the sendable ones")


def w_memory() -> None:
    with tempfile.TemporaryDirectory() as folder:
        argv = ["/usr/bin/time", "-f", "%M", sys.executable, "-m", "statusproof", "traces",
                "--coverage", "complete", "--method", "w", "--max-steps", "10000000", "-o",
                folder]
        before = child_cpu()
        done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT)
        cpu = child_cpu() - before
        size = sum(p.stat().st_size for p in Path(folder).iterdir())
    peak = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "?"
    print(f"\nW m=1 exported as JSON Lines (streamed): exit {done.returncode}, {cpu:.1f}s CPU, "
          f"peak RSS {int(peak) / 1024:,.0f} MB, {size / 1e6:,.0f} MB written"
          if peak.isdigit() else f"\nW m=1 export: exit {done.returncode}, {done.stderr[-200:]}")
    print("  " + done.stdout.splitlines()[0][:100] if done.stdout else "")


def counter_kills(seeds: int, walks: int, length: int) -> None:
    explicit = explore(Machine(load_model()))
    minimal = explicit.minimise()
    caught = 0
    spec = f"python:{MUTANTS}:HistoryLostFromThirdReboot"
    with open_adapter(spec) as adapter:
        for seed in range(1, seeds + 1):
            for start, word in random_words(minimal, walks, length, seed):
                case = concretise(explicit.machine, "walk", explicit.starts[start][0], word)
                if not run_case(adapter, case).passed:
                    caught += 1
                    break
    print(f"\ncounter fault (history lost from the third reboot), {walks} walks of {length}: "
          f"caught with {caught} of {seeds} seeds ({caught / seeds:.0%})")


def rates(budget: int) -> None:
    model = load_model()
    suite = generate(model, ["complete"])[0]
    picked = tuple(itertools.islice(suite.tests, 0, None, 10))[:budget]
    sample = Suite(suite.name, "", suite.table, picked)
    print(f"\nrunner on every tenth test of the default complete suite ({sample.size:,} tests, "
          f"{sample.length:,} length)")
    found = {}
    for name, spec in (("python", f"python:{REFERENCE}:RescueSession"),
                       ("exec", f"exec:{sys.executable} {REFERENCE}")):
        with open_adapter(spec, 30.0) as adapter:
            began, mine, theirs = time.perf_counter(), own_cpu(), child_cpu()
            result = run_suite(adapter, sample)
            assert result.passed
            wall = time.perf_counter() - began
        cpu = own_cpu() - mine + child_cpu() - theirs
        found[name] = (sample.length / cpu, sample.length / wall)
        print(f"  {name:<7} {sample.length / cpu:>9,.0f} steps per CPU second "
              f"({own_cpu() - mine:.2f}s statusproof + {child_cpu() - theirs:.2f}s "
              f"implementation), {sample.length / wall:>9,.0f} per wall second")
    print(f"  exec / python: {found['exec'][0] / found['python'][0]:.2f} (CPU), "
          f"{found['exec'][1] / found['python'][1]:.2f} (wall)")
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([sys.executable, "-m", "statusproof", "traces", "--coverage",
                        "boundaries", "-o", folder], check=True, capture_output=True, cwd=ROOT)
        lines = (Path(folder) / "boundaries.jsonl").read_text().splitlines()
        one = Path(folder) / "one.jsonl"
        one.write_text(next(line for line in lines if '"boundaries-0016"' in line) + "\n")
        argv = [sys.executable, "-m", "statusproof", "conform", "--suite", str(one),
                "--adapter", f"exec:{sys.executable} {MUTANTS} EarlyTimeout"]
        runs = [process(argv) for _ in range(3)]
    code, cpu, wall, _ = min(runs, key=lambda r: r[1])
    print(f"  one failing test through exec: (EarlyTimeout, shrunk, replay script): exit "
          f"{code}, {cpu:.2f}s CPU with the implementation, {wall:.2f}s wall (best of 3)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--budget", type=int, default=3000, help="tests for the rates")
    parser.add_argument("--no-aalpy", action="store_true")
    parser.add_argument("--no-w", action="store_true", help="skip the W m=1 export")
    args = parser.parse_args()
    print("statusproof suite benchmark")
    floors()
    for long_waits in (1, 0):
        sizes(long_waits, not args.no_aalpy)
    if not args.no_w:
        w_memory()
    for walks in (DEFAULT_WALKS, 500):
        counter_kills(args.seeds, walks, 30)
    rates(args.budget)
    print("\nmachine:\n" + machine_info())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
