"""Benchmark: does ``statusproof check`` hold at any size? The scale targets of issue 14.

Run: ``python benchmarks/bench_scale.py [--repeat N] [--quick] [--only KINDS] [--baseline
PYTHON]`` (``--baseline``: the same tables checked by another installation in the same run).
Each figure is one whole process (``python -m statusproof check TABLE --format json``, output
thrown away): its CPU time (user + system, from ``os.wait4``, so of that process alone) and
its peak resident memory (``ru_maxrss``), beside floors measured in the same run: ``python -c
pass``, and reading the same table with statusproof's loader alone (no interpretation, no
checks; with the cyclic garbage collector off, as ``check`` runs). It prints the figures, the
targets and the machine; it asserts nothing (speed is never a test).

The tables:

- ``generated N``: :func:`bench_check.generated_table` (history returns, named conditions,
  conditional ends, ``See X status.`` references, undefined exits, a Previous column that
  forgets 5% of the steps); the whole check, formal checks included;
- ``chain N``: N statuses in one line, each with its Previous and Next cell (the case whose
  witnesses used to grow with the square of N); with ``--no-formal``;
- ``ring N``: N statuses in a circle with history returns and conditional ends (every status
  is a trap when nothing ends the run); the whole check;
- ``timed N``: :func:`bench_formal.remembering_table` (one status in five remembers, timers
  with two causes from an amendment file): the heaviest formal work, shown for reference.
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
from bench_formal import remembering_table

#: (label, table kind, size, extra arguments, CPU target in seconds, memory target in MiB)
TARGETS: tuple[tuple[str, str, int, tuple[str, ...], float | None, float | None], ...] = (
    ("generated 1,000, whole check", "generated", 1_000, (), 2.0, None),
    ("generated 10,000, whole check", "generated", 10_000, (), 20.0, 1024.0),
    ("chain 100,000, --no-formal", "chain", 100_000, ("--no-formal",), 30.0, 1024.0),
    ("ring 2,000, whole check", "ring", 2_000, (), None, None),
    ("ring 10,000, whole check", "ring", 10_000, (), None, None),
    ("timed 1,000, whole check", "timed", 1_000, (), None, None),
)


def chain_table(size: int) -> str:
    """``size`` statuses in one line: S0 (an entry point) -> S1 -> ... (the last ends)."""
    lines: list[str] = []
    for i in range(size):
        if i:
            lines.append("|")
        lines += [f"S{i}", f"| Step {i} of the chain.", "| none" if i == 0 else f"| S{i - 1}",
                  "| none" if i == size - 1 else f"| S{i + 1}"]
    lines.append("|")
    return "\n".join(lines) + "\n"


def ring_table(size: int) -> str:
    """``size`` statuses in a circle; every tenth returns to the one before it when the item
    was there (a history return), every seventeenth may end (a conditional end)."""
    lines: list[str] = []
    for i in range(size):
        if i:
            lines.append("|")
        nexts = [f"S{(i + 1) % size}"]
        if i % 10 == 5:
            nexts.append(f"S{i - 1} if the item was in S{i - 1} status")
        if i % 17 == 3:
            nexts.append("none if the customer withdraws")
        lines += [f"S{i}", f"| Step {i} of the ring.", "| none" if i == 0 else f"| S{i - 1}",
                  "|", *(f"- {entry}" for entry in nexts)]
    lines.append("|")
    return "\n".join(lines) + "\n"


def write_table(folder: Path, kind: str, size: int) -> Path:
    path = folder / f"{kind}-{size}.txt"
    if kind == "generated":
        path.write_text(generated_table(size), encoding="utf-8")
    elif kind == "chain":
        path.write_text(chain_table(size), encoding="utf-8")
    elif kind == "ring":
        path.write_text(ring_table(size), encoding="utf-8")
    else:
        text, amend = remembering_table(size)
        path.write_text(text, encoding="utf-8")
        path.with_name(f"{kind}-{size}.amend.toml").write_text(amend, encoding="utf-8")
    return path


def measure(command: list[str], cwd: str | None = None) -> tuple[float, float, int]:
    """Run ``command``; its CPU seconds (user + system), peak RSS in MiB and exit code."""
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=ENVIRONMENT, cwd=cwd) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.stderr is not None:
            error = proc.stderr.read().decode(errors="replace").strip()
            if error:
                print(f"    stderr: {error[:300]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def best(command: list[str], repeat: int, cwd: str | None = None) -> tuple[float, float, int]:
    runs = [measure(command, cwd) for _ in range(repeat)]
    return min(r[0] for r in runs), min(r[1] for r in runs), runs[-1][2]


def verdict(value: float, target: float | None) -> str:
    if target is None:
        return ""
    return " (target {:g}: {})".format(target, "met" if value <= target else "MISSED")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs per figure (best is kept)")
    parser.add_argument("--quick", action="store_true",
                        help="tables a tenth of the size (for a try, not for the figures)")
    parser.add_argument("--baseline", metavar="PYTHON",
                        help="also run PYTHON -m statusproof check on each table: another "
                             "installation, e.g. an earlier version, in the same run")
    parser.add_argument("--only", metavar="KINDS",
                        help="only these tables, e.g. generated,ring (default: all)")
    args = parser.parse_args(argv)
    python = sys.executable
    print(f"machine: {machine()}")
    cpu, rss, _ = best([python, "-c", "pass"], max(3, args.repeat))
    print(f"floor: python -c pass: {cpu:.3f} s CPU, {rss:.0f} MiB")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for label, kind, size, extra, cpu_target, rss_target in TARGETS:
            if args.only and kind not in args.only.split(","):
                continue
            if args.quick:
                size //= 10
                label += " (quick: a tenth)"
                cpu_target = rss_target = None
            table = write_table(folder, kind, size)
            load = [python, "-c", "import gc, sys; gc.disable(); "
                    "from statusproof.model.loaders import load_table; load_table(sys.argv[1])",
                    str(table)]
            floor_cpu, floor_rss, _ = best(load, args.repeat)
            # a budget no run reaches: the figure is the whole work, not what a loaded machine
            # lets the default 60 s budget (wall clock) finish
            command = [python, "-m", "statusproof", "check", str(table), "--format", "json",
                       "--formal-budget", "3600", *extra]
            cpu, rss, code = best(command, args.repeat)
            print(f"{label}: {cpu:.2f} s CPU{verdict(cpu, cpu_target)}, {rss:.0f} MiB peak"
                  f"{verdict(rss, rss_target)}, exit {code}; floor: loading the table alone "
                  f"{floor_cpu:.2f} s, {floor_rss:.0f} MiB "
                  f"({table.stat().st_size / 1e6:.1f} MB)")
            if args.baseline:  # from /, where this repository's statusproof/ cannot shadow it
                cpu, rss, code = best([args.baseline, *command[1:]], args.repeat, "/")
                print(f"  baseline: {cpu:.2f} s CPU, {rss:.0f} MiB peak, exit {code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
