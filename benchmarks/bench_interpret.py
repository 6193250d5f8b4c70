"""Benchmark of interpretation: reading every cell of a table into a model.

Run: ``python benchmarks/bench_interpret.py [--repeat N] [--quick] [--baseline DIR]``.

Each figure is one whole process (the bytecode cache warm): it loads a table with
statusproof's loader, then interprets it (``statusproof.model.interpret``, the cell grammar
and everything after it), with the garbage collector thresholds ``statusproof check`` sets.
It prints the CPU time (user + system, ``time.process_time``) of the interpretation alone,
the CPU time and peak resident memory (``ru_maxrss``) of the whole process from ``os.wait4``,
and beside them, measured in the same run, the floors: ``python -c pass`` and the same process
that only loads the table. ``--baseline DIR`` measures another source tree too (a checkout of
the repository, e.g. ``git archive COMMIT | tar -x -C DIR``), the two taking turns so that a
change in the machine's load hits both alike. It asserts nothing (speed is never a test).

The tables: ``generated N`` (:func:`bench_check.generated_table`: lists, references, history
returns, conditions, conditional ends, undefined exits) and ``chain N`` (N statuses in one
line, :func:`bench_scale.chain_table`).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import ENVIRONMENT, generated_table, machine
from bench_scale import chain_table

TABLES = (("generated", 1_000), ("generated", 10_000), ("chain", 100_000))

#: The measured program: load, then interpret; prints the CPU seconds of each step.
PROGRAM = """
import gc, sys, time
gc.set_threshold(100_000, 50, 100)
from statusproof.model.loaders import load_table
start = time.process_time()
table = load_table(sys.argv[1])
loaded = time.process_time()
if sys.argv[2] == "interpret":
    from statusproof.model.interpret import interpret
    interpret(table)
print(loaded - start, time.process_time() - loaded)
"""

_PACKAGES = ("model", "checks", "render", "conformance", "logcheck")


def stage(tree: Path, into: Path) -> Path:
    """A folder importable as ``statusproof`` from the source tree ``tree`` (the layout
    pyproject.toml maps: ``model/`` is ``statusproof.model`` ...)."""
    package = into / "statusproof"
    package.mkdir(parents=True)
    for item in (tree / "statusproof").iterdir():
        (package / item.name).symlink_to(item)
    for part in _PACKAGES:
        (package / part).symlink_to(tree / part)
    return into


def run(python: str, table: Path, what: str, path: Path | None) -> tuple[float, float, float]:
    """(interpretation CPU s, whole-process CPU s, peak RSS MiB) of one process."""
    env = dict(ENVIRONMENT)
    if path is not None:
        env["PYTHONPATH"] = str(path)
    with subprocess.Popen([python, "-c", PROGRAM, str(table), what], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, cwd=tempfile.gettempdir()) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        out = proc.stdout.read().decode() if proc.stdout else ""
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"the measured process failed: {err.strip()[-500:]}")
    _, interpreting = (float(x) for x in out.split())
    return interpreting, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best is kept)")
    parser.add_argument("--quick", action="store_true", help="tables a tenth of the size")
    parser.add_argument("--baseline", type=Path, help="another source tree to measure beside")
    args = parser.parse_args(argv)
    python = sys.executable
    print(f"machine: {machine()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        trees: list[tuple[str, Path | None]] = [("this tree", None)]
        if args.baseline is not None:
            trees.insert(0, ("baseline", stage(args.baseline.resolve(), folder / "baseline")))
        floor = min(run_pass(python) for _ in range(max(3, args.repeat)))
        print(f"floor: python -c pass: {floor[0]:.3f} s CPU, {floor[1]:.0f} MiB")
        print(f"{'table':<18} {'tree':<10} {'interpret':>10} {'process':>9} {'peak RSS':>9}"
              f" {'floor: load only':>18}")
        for kind, size in TABLES:
            size = size // 10 if args.quick else size
            table = folder / f"{kind}-{size}.txt"
            table.write_text(generated_table(size) if kind == "generated" else chain_table(size),
                             encoding="utf-8")
            runs: dict[str, list[tuple[float, float, float]]] = {}
            loads: dict[str, list[tuple[float, float, float]]] = {}
            for _ in range(args.repeat):  # the trees take turns
                for label, path in trees:
                    runs.setdefault(label, []).append(run(python, table, "interpret", path))
                    loads.setdefault(label, []).append(run(python, table, "load", path))
            for label, _ in trees:
                best = min(runs[label])
                process = min(r[1] for r in runs[label])
                rss = min(r[2] for r in runs[label])
                load = min(r[1] for r in loads[label])
                load_rss = min(r[2] for r in loads[label])
                print(f"{kind + ' ' + format(size, ','):<18} {label:<10} {best[0]:>8.2f} s "
                      f"{process:>7.2f} s {rss:>6.0f} MiB {load:>8.2f} s, {load_rss:.0f} MiB")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def run_pass(python: str) -> tuple[float, float]:
    with subprocess.Popen([python, "-c", "pass"], env=ENVIRONMENT) as proc:
        _, _, usage = os.wait4(proc.pid, 0)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


if __name__ == "__main__":
    raise SystemExit(main())
