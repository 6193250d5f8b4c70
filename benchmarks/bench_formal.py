"""Benchmark of the formal checks (z3): history restoration, guards, timeouts.

Run: ``python benchmarks/bench_formal.py [--repeat N] [--sizes 100,1000]``. It prints the
figures and the machine they were measured on; it asserts nothing (speed is never a test).

Measured (CPU time, user + system; whole processes with ``os.wait4``, so each process alone):

- the whole process ``statusproof check`` on the bundled table, with and without the formal
  checks (``--no-formal``), and the cost of importing z3 and of importing the formal checks;
- in-process, each formal check on the bundled table;
- in-process, the formal checks on generated tables of N statuses of which one in five is an
  interruption status that remembers (history-guarded returns to every status that enters it,
  an unguarded exit to the end, sometimes a step on to the next interruption status, which
  keeps the remembered status), plus a status with a cause variable entered by two timers (an
  Admin-style range counting from entering the status, a fixed one counting from the start of
  the run), so that every formal check has work to do.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from statusproof.model import load_model
from statusproof.model.machine import unfold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import process_cpu


def remembering_table(size: int, seed: int = 1) -> tuple[str, str]:
    """A table of ``size`` statuses in the scraped text format, and its amendment file."""
    rng = random.Random(seed)
    pauses = [f"Pause {j}" for j in range(max(1, size // 5))]
    stages = [f"Stage {i}" for i in range(size - len(pauses) - 2)]
    nexts: dict[str, list[str]] = {name: [] for name in stages + pauses}
    entered_from: dict[str, list[str]] = {p: [] for p in pauses}
    for i, stage in enumerate(stages):
        targets = {stages[(i + 1) % len(stages)], rng.choice(stages)}
        for pause in rng.sample(pauses, min(2, len(pauses))):
            targets.add(pause)
            entered_from[pause].append(stage)
        if i % 10 == 0:
            targets.add("Expired")
        nexts[stage] = sorted(targets)
    nexts[stages[-1]].append("Closed")
    for j, pause in enumerate(pauses):
        targets = ["Closed"]
        if j + 1 < len(pauses) and rng.random() < 0.3:
            targets.append(pauses[j + 1])
            # the next interruption restores what this one was entered from, too
            entered_from[pauses[j + 1]].extend(entered_from[pause])
        nexts[pause] = targets
    rows = []
    for i, stage in enumerate(stages):
        rows.append((stage, "none" if i == 0 else "", nexts[stage]))
    for pause in pauses:
        back = sorted(set(entered_from[pause]), key=stages.index)
        cell = list(nexts[pause])
        if back:
            listed = ", ".join(back[:-1]) + (" or " if len(back) > 1 else "") + back[-1]
            cell.append(f"{listed} if the ticket was in {listed} status")
        rows.append((pause, "", cell))
    rows.append(("Expired", "", ["Closed if the deadline passed",
                                 "none if the customer gave up"]))
    rows.append(("Closed", "", ["none"]))
    lines = []
    for name, previous, cell in rows:
        lines += [name, f"| The status {name}.", f"| {previous}" if previous else "|", "|"]
        lines += [f"- {entry}" for entry in cell]
        lines.append("|")
    timed = stages[::10]
    amend = ['[[cause]]', 'status = "Expired"', 'variable = "expiry cause"',
             'values = { deadline = "the deadline passed", gave_up = "the customer gave up" }',
             'source = "generated"', ""]
    for stage in timed:
        amend += ["[[timer]]", f'status = "{stage}"', 'to = "Expired"', 'minimum = "1m"',
                  'maximum = "999m"', "never = true", 'cause = "deadline"',
                  'setting = "deadline (1-999 minutes)"', 'source = "generated"', "",
                  "[[timer]]", f'status = "{stage}"', 'to = "Expired"', 'seconds = "14d"',
                  'cause = "gave_up"', 'setting = "abandoned after two weeks"',
                  'clock = "session"', 'source = "generated"', ""]
    return "\n".join(lines) + "\n", "\n".join(amend)


def _time(action: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = action()
        times.append(time.process_time() - start)
    return min(times), statistics.median(times), result


def _process(args: list[str], repeat: int) -> tuple[float, float]:
    """CPU seconds of the whole process ``args``: best and median of ``repeat`` runs (after
    one that warms the bytecode cache)."""
    process_cpu(args)
    times = [process_cpu(args)[0] for _ in range(repeat)]
    return min(times), statistics.median(times)


def _machine() -> str:
    lines = [f"python {platform.python_version()} on {platform.platform()}",
             f"cpus: {os.cpu_count()}"]
    try:
        import z3
        lines.append(f"z3 {z3.get_version_string()}")
    except ImportError:  # pragma: no cover
        pass
    for command in (["lscpu"], ["free", "-h"]):
        try:
            text = subprocess.run(command, capture_output=True, text=True, check=False).stdout
        except OSError:
            continue
        keep = [line for line in text.splitlines()
                if line.startswith(("Model name", "CPU(s)", "Mem:"))]
        lines += keep
    with contextlib.suppress(OSError):
        lines.append("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="100,1000")
    options = parser.parse_args()
    repeat = options.repeat
    exe = [sys.executable, "-m", "statusproof"]

    print("== whole process, bundled table (best / median of", repeat, "runs)")
    for label, args in (("statusproof check", ["check"]),
                        ("statusproof check --no-formal", ["check", "--no-formal"])):
        best, median = _process(exe + args, repeat)
        print(f"{label:<34} {best:6.3f} s / {median:6.3f} s")
    for label, code in (("python -c pass", "pass"), ("import z3", "import z3"),
                        ("import statusproof.cli", "import statusproof.cli"),
                        ("import statusproof.checks.formal",
                         "import statusproof.checks.formal")):
        best, median = _process([sys.executable, "-c", code], repeat)
        print(f"{label:<34} {best:6.3f} s / {median:6.3f} s")

    from statusproof.checks.formal import formal_checks
    from statusproof.checks.guards import guard_checks
    from statusproof.checks.history import history_checks
    from statusproof.checks.timeouts import timeout_checks

    def parts(model: Any) -> None:
        for label, check in (("history", history_checks), ("guards", guard_checks),
                             ("timeouts", timeout_checks), ("all formal", formal_checks)):
            best, median, found = _time(lambda c=check: c(model), repeat)
            codes: dict[str, int] = {}
            for f in found:
                codes[f.code] = codes.get(f.code, 0) + 1
            shown = ", ".join(f"{k} {v}" for k, v in sorted(codes.items()))
            print(f"  {label:<11} {best:7.3f} s / {median:7.3f} s   {shown}")

    print("\n== in-process, bundled table (best / median)")
    model = load_model()
    print(f"  {len(model.statuses)} statuses, {len(model.transitions)} transitions, "
          f"{unfold(model).number_of_nodes()} machine states")
    parts(model)

    for size in (int(s) for s in options.sizes.split(",") if s):
        text, amend = remembering_table(size)
        with tempfile.TemporaryDirectory() as folder:
            table = Path(folder) / f"generated-{size}.txt"
            table.write_text(text, encoding="utf-8")
            table.with_name(f"generated-{size}.amend.toml").write_text(amend, encoding="utf-8")
            start = time.process_time()
            model = load_model(table)
            loaded = time.process_time() - start
        print(f"\n== in-process, generated table of {size} statuses "
              f"({len(model.remembering)} remember; best / median of {repeat})")
        print(f"  {len(model.transitions)} transitions, {unfold(model).number_of_nodes()} "
              f"machine states; load + interpret {loaded:.3f} s")
        parts(model)

    print("\n== machine")
    print(_machine())


if __name__ == "__main__":
    main()
