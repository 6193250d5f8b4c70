"""Benchmark of ``statusproof check``: the bundled table as a whole process, and load +
interpret + graph checks in-process on generated tables of growing size.

Run: ``python benchmarks/bench_check.py [--repeat N] [--sizes 1000,10000]``. It prints the
figures and the machine they were measured on; it asserts nothing (speed is never a test).
Every figure is CPU time (user + system), never wall time: a whole process is measured with
``os.wait4`` (that process alone, bytecode cache warm), in-process work with
``time.process_time``.

The generated tables use the scraped text format and every rule the interpreter knows, so
the figures cover the real code paths: list cells with wrapped lines, ``See X status.``
references, history returns, conditions and conditional ends, undefined exits, and Previous
cells that mostly (not always) agree with the Next cells.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from statusproof.checks import graph_checks
from statusproof.model.interpret import interpret
from statusproof.model.loaders import load_table


def generated_table(size: int, seed: int = 1) -> str:
    """A table of ``size`` rows in the scraped text format (deterministic for a seed)."""
    rng = random.Random(seed)
    name = [f"Stage {i}" for i in range(size)]
    nexts: list[list[str]] = [[] for _ in range(size)]
    previous: list[list[str]] = [[] for _ in range(size)]
    for i in range(size - 3):
        # a chain, a short skip and one jump anywhere: runs of every length, and a shortest
        # witness of logarithmic depth, as in a real lifecycle (whose witnesses are short)
        for j in sorted({i + 1, i + 2, rng.randrange(size)}):
            if j == i:
                continue
            nexts[i].append(name[j])
            if rng.random() < 0.95:  # now and then the Previous column forgets one
                previous[j].append(name[i])
    for i in range(size - 3, size):
        nexts[i] = ["none"]
    lines: list[str] = []
    for i in range(size):
        if i:
            lines.append("|")
        lines.append(name[i])
        lines.append(f"| Stage {i} of the generated lifecycle; the work item waits here until"
                     "\nsomeone moves it on.")
        if i == 0:
            lines.append("| none")
        elif i % 97 == 0 and i > 1:
            lines.append(f"| See {name[i - 1]} status.")
        else:
            lines.append("|")
            lines.extend(f"- {p}" for p in previous[i])
        lines.append("|")
        entries = list(nexts[i])
        if i % 31 == 5 and len(entries) > 1:
            entries[0] = (f"{entries[0]} or {entries[1]} if the item was in {entries[0]} or"
                          f"\n{entries[1]} status before")
            del entries[1]
        if i % 43 == 7:
            entries.append(f"Stage {i + 1} if the reviewer approves")
        if i % 53 == 11:
            entries.append("none if the customer withdraws")
        if i % 61 == 13:
            entries.append(f"Dropped {i}")
        for entry in entries:
            first, _, rest = entry.partition(" ")
            lines.append(f"- {first}\n{rest}" if rest and i % 7 == 0 else f"- {entry}")
    lines.append("|")
    return "\n".join(lines) + "\n"


#: The environment of measured processes: this one, allowed to write (and so to use) bytecode
#: caches; with ``PYTHONDONTWRITEBYTECODE`` set every run would compile the sources again.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def process_cpu(command: list[str], cwd: str | None = None) -> tuple[float, float, int]:
    """Run ``command`` (output thrown away): the CPU seconds (user + system) and the peak
    resident memory in MiB of that process alone (``os.wait4``), and its exit code."""
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                          env=ENVIRONMENT, cwd=cwd) as proc:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def best_of(repeat: int, work: Callable[[], object]) -> float:
    """The least CPU time (this process) of ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return min(times)


def best_process(repeat: int, command: list[str]) -> float:
    """The least CPU time of ``repeat`` runs of the process ``command``, in seconds."""
    process_cpu(command)  # warm the bytecode cache
    return min(process_cpu(command)[0] for _ in range(repeat))


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    load = ""
    if hasattr(os, "getloadavg"):  # other work on the machine skews the figures
        load = ", load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} CPU(s), {cpu}, {memory} RAM, Python "
            f"{platform.python_version()} on {platform.system()} {platform.release()}{load}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
    parser.add_argument("--sizes", default="1000,10000",
                        help="generated table sizes, comma-separated")
    args = parser.parse_args(argv)

    print(f"machine: {machine()}")
    seconds = best_process(args.repeat, [sys.executable, "-m", "statusproof", "check"])
    print(f"statusproof check (bundled table, whole process, CPU, best of {args.repeat}): "
          f"{seconds:.3f} s")
    seconds = best_process(args.repeat, [sys.executable, "-c", "pass"])
    print(f"  floor: python -c pass: {seconds:.3f} s")

    import tempfile
    previous: tuple[int, float, float] | None = None
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(s) for s in args.sizes.split(",")):
            path = Path(folder) / f"generated-{size}.txt"
            path.write_text(generated_table(size), encoding="utf-8")
            stages: dict[str, float] = {}

            def run(path: Path = path, stages: dict[str, float] = stages) -> None:
                start = time.process_time()
                table = load_table(path)
                loaded = time.process_time()
                model = interpret(table)
                interpreted = time.process_time()
                findings = graph_checks(model)
                checked = time.process_time()
                stages.update(load=loaded - start, interpret=interpreted - loaded,
                              checks=checked - interpreted, findings=len(findings),
                              transitions=len(model.transitions))

            total = best_of(args.repeat, run)
            gc.collect()
            gc.disable()  # the same work without the cyclic garbage collector's passes
            try:
                no_gc = best_of(args.repeat, run)
            finally:
                gc.enable()
            growth = ""
            if previous is not None:
                growth = (f"; x{total / previous[1]:.1f} time (x{no_gc / previous[2]:.1f} without "
                          f"GC) for x{size / previous[0]:.0f} rows")
            print(f"load + interpret + graph checks, {size} statuses "
                  f"({path.stat().st_size / 1e6:.1f} MB, {int(stages['transitions'])} "
                  f"transitions, {int(stages['findings'])} findings): {total:.3f} s "
                  f"({total / size * 1e6:.0f} us per status), {no_gc:.3f} s with the garbage "
                  f"collector off ({no_gc / size * 1e6:.0f} us per status) "
                  f"(last run: load {stages['load']:.3f} s, interpret "
                  f"{stages['interpret']:.3f} s, checks {stages['checks']:.3f} s){growth}")
            previous = (size, total, no_gc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
