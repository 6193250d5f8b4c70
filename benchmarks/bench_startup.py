"""Benchmark: how long ``statusproof check`` takes as a whole process, beside its floors.

Run: ``python benchmarks/bench_startup.py [--repeat N]``. Every figure is the CPU time (user +
system, from ``os.wait4``: that process alone) of a fresh process, best and median of N runs,
the commands taking turns so that a change in the machine's load hits them all alike. The
floors: ``python -c pass`` (starting Python), ``python -c "import z3"`` (the one library the
formal checks of ``check`` need: they search the machine without networkx, which only the
property checker imports), and for comparison ``import networkx, z3`` (the floor issue 14
names). It prints the figures, the targets of issue 14 (``check`` at most 0.25 s, ``--help``
at most 0.1 s) and the machine; it asserts nothing.

The bytecode cache is warm: each command runs once before the measured runs, with
``PYTHONDONTWRITEBYTECODE`` removed from the environment (with it set, every run compiles
statusproof's sources again, which costs about 0.3 s).

``statusproof ...`` runs the installation's console script (the ``statusproof`` beside the
interpreter, what users type), or ``python -m statusproof`` where there is none; the row
``python -m statusproof check`` shows what ``-m`` adds (``runpy`` and the module search).

``--python PYTHON`` measures another installation, e.g. a virtual environment with the wheel
installed (``pip install dist/statusproof-*.whl``): what users run. Its commands run from ``/``,
so this repository's ``statusproof/`` folder cannot shadow the installed package. This
checkout's own environment is an editable install, whose import hook is loaded by every
Python it starts (``python -c pass`` included).
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import machine, process_cpu

#: (label, arguments after the Python executable, target in CPU seconds); arguments that
#: start with SCRIPT run the console script instead
SCRIPT = "<statusproof>"
COMMANDS: tuple[tuple[str, tuple[str, ...], float | None], ...] = (
    ("python -c pass", ("-c", "pass"), None),
    ('python -c "import networkx, z3"', ("-c", "import networkx, z3"), None),
    ('python -c "import networkx"', ("-c", "import networkx"), None),
    ('python -c "import z3"', ("-c", "import z3"), None),
    ("statusproof --help", (SCRIPT, "--help"), 0.1),
    ("statusproof check --help", (SCRIPT, "check", "--help"), None),
    ("statusproof check", (SCRIPT, "check"), 0.25),
    ("python -m statusproof check", ("-m", "statusproof", "check"), None),
    ("statusproof check --no-formal", (SCRIPT, "check", "--no-formal"), None),
    ("statusproof check --format json", (SCRIPT, "check", "--format", "json"), None),
)


def command_line(python: str, arguments: tuple[str, ...]) -> list[str]:
    """``python ARGUMENTS``, or the console script beside ``python`` for SCRIPT ones."""
    if arguments[:1] != (SCRIPT,):
        return [python, *arguments]
    script = Path(python).parent / "statusproof"
    if script.is_file():
        return [str(script), *arguments[1:]]
    return [python, "-m", "statusproof", *arguments[1:]]


def cpu_of(command: list[str], cwd: str | None = None) -> float:
    """CPU seconds (user + system) of one run of ``command``."""
    return process_cpu(command, cwd)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="runs of each command")
    parser.add_argument("--baseline", metavar="PYTHON",
                        help="also measure statusproof check and --help of PYTHON's "
                             "installation (e.g. an earlier version) in the same run")
    parser.add_argument("--python", metavar="PYTHON", default=sys.executable,
                        help="the interpreter of the installation to measure (default: this "
                             "one)")
    args = parser.parse_args(argv)
    python = args.python
    listed = list(COMMANDS)
    cwd: list[str | None] = [None if python == sys.executable else "/"] * len(listed)
    if args.baseline:
        for label, arguments in (("baseline: statusproof --help", ("--help",)),
                                 ("baseline: statusproof check", ("check",))):
            listed.append((label, (SCRIPT, *arguments), None))
            cwd.append("/")  # not this repository, whose statusproof/ would shadow it
    commands = [command_line(python, arguments) for _, arguments, _ in listed]
    if args.baseline:
        commands[-2:] = [command_line(args.baseline, arguments) for _, arguments, _ in
                         listed[-2:]]
    for command, folder in zip(commands, cwd, strict=True):  # warm the bytecode cache
        cpu_of(command, folder)
    times: list[list[float]] = [[] for _ in listed]
    for _ in range(args.repeat):
        for index, (command, folder) in enumerate(zip(commands, cwd, strict=True)):
            times[index].append(cpu_of(command, folder))
    print(f"machine: {machine()}")
    shown = " ".join(commands[listed.index(COMMANDS[6])][:-1])
    print(f"python: {python}; statusproof: {shown}")
    print(f"CPU seconds of the whole process, best / median of {args.repeat}:")
    floor = min(times[0])
    libraries = min(times[[label for label, _, _ in listed].index('python -c "import z3"')])
    for (label, _, target), runs in zip(listed, times, strict=True):
        best = min(runs)
        note = ""
        if target is not None:
            note = f"  target {target:g} s: {'met' if best <= target else 'MISSED'}"
        print(f"  {label:<36} {best:6.3f} / {statistics.median(runs):6.3f}"
              f"  (+{best - floor:.3f} over python, {best - libraries:+.3f} over import "
              f"z3){note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
