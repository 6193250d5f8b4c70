"""Benchmark of ``statusproof render`` and ``statusproof report``: the bundled table, and
generated tables of 100 and 1,000 statuses.

Run: ``python benchmarks/bench_render.py [--repeat N] [--sizes 100,1000]``. It prints the
figures and the machine they were measured on; it asserts nothing (speed is never a test).
Targets: under one second for rendering the bundled table as a whole process (Python start-up
included); ``render --format svg`` of a generated table of 100 statuses within 10 s, of 1,000
statuses within 60 s.

The whole-process figures run the real command line in a fresh interpreter each time, with
Graphviz's real programs. For the generated tables each run is measured by CPU time (user +
system of the process and all its children, Graphviz included) and peak resident memory (of
the largest process), beside floors measured in the same run: ``python -c pass``, importing
the command line, and ``dot -Tsvg`` of a two-node graph. The in-process figures split one
render of the bundled table into its stages.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_check import generated_table, machine  # this folder is on sys.path when run

from statusproof.checks import graph_checks
from statusproof.model import load_model
from statusproof.render.diagram import build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import find_dot, run_dot
from statusproof.render.html import render_report
from statusproof.render.mermaid import render_mermaid


def cpu_best_of(repeat: int, work: Callable[[], object]) -> float:
    """The least CPU time (user + system, of this process and the children it waited for) of
    ``repeat`` runs of ``work``, in seconds."""
    times = []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.process_time()
        work()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        times.append(time.process_time() - start + children)
    return min(times)


def whole_process(repeat: int, args: list[str]) -> tuple[float, float]:
    """Least CPU seconds and its run's peak RSS (MiB) of ``statusproof ARGS -o TMP``."""
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "statusproof", *args, "-o", folder]
        runs = [measured(command) for _ in range(repeat)]
    for run in runs:
        if run["code"] not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {run['err']}")
    best = min(runs, key=lambda r: float(r["cpu"]))  # type: ignore[arg-type]
    return float(best["cpu"]), int(best["rss_kib"]) / 1024  # type: ignore[arg-type, call-overload]


#: Runs a command and prints the CPU time (user + system) and peak RSS of it and its children.
_MEASURE = """
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "rss_kib": usage.ru_maxrss,
                  "code": done.returncode, "out": done.stdout, "err": done.stderr[-2000:]}))
"""


def measured(command: list[str]) -> dict[str, object]:
    """CPU seconds and peak RSS of ``command`` and its children, from a fresh wrapper process
    (so the figures are this command's alone)."""
    done = subprocess.run([sys.executable, "-c", _MEASURE, *command], capture_output=True,
                          text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def large_tables(sizes: list[int], repeat: int) -> None:
    """``render --format svg`` on generated tables: CPU time and peak RSS, with floors."""
    floors: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as folder:
        tiny = Path(folder) / "tiny.dot"
        tiny.write_text("digraph { a -> b }\n")
        if shutil.which("dot"):
            floors["dot -Tsvg of a two-node graph"] = ["dot", "-Tsvg", str(tiny)]
        for title, command in floors.items():
            runs = [measured(command) for _ in range(repeat)]
            best = min(runs, key=lambda r: float(r["cpu"]))  # type: ignore[arg-type]
            print(f"floor: {title}: {float(best['cpu']):.3f} s CPU, "  # type: ignore[arg-type]
                  f"{int(best['rss_kib']) / 1024:.0f} MiB peak RSS")  # type: ignore[call-overload]
        for size in sizes:
            table = Path(folder) / f"generated-{size}.txt"
            table.write_text(generated_table(size), encoding="utf-8")
            for extra in (["--no-formal"], []):
                out = Path(folder) / f"out-{size}-{len(extra)}"
                command = [sys.executable, "-m", "statusproof", "render", str(table), "-o",
                           str(out), "--format", "svg,dot", *extra]
                runs = [measured(command) for _ in range(max(1, min(repeat, 3)))]
                best = min(runs, key=lambda r: float(r["cpu"]))  # type: ignore[arg-type]
                dot_text = (out / f"generated-{size}.dot").read_text(encoding="utf-8") \
                    if (out / f"generated-{size}.dot").is_file() else ""
                layout = re.search(r'layout="(\w+)"', dot_text)
                edges = dot_text.count('" -> "')
                what = "with formal checks" if not extra else "--no-formal"
                print(f"render --format svg, generated table of {size} statuses ({what}): "
                      f"{float(best['cpu']):.2f} s CPU (process and children), "  # type: ignore[arg-type]
                      f"{int(best['rss_kib']) / 1024:.0f} MiB peak RSS, exit "  # type: ignore[call-overload]
                      f"{best['code']}, layout {layout[1] if layout else '?'}, {edges} edges, "
                      f"best of {len(runs)}")
                if best["code"] not in (0, 1):
                    print(f"  stderr: {best['err']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
    parser.add_argument("--sizes", default="100,1000",
                        help="generated table sizes for the large-table figures ('' skips)")
    args = parser.parse_args(argv)
    repeat = args.repeat

    print(f"machine: {machine()}")
    has_dot = shutil.which("dot") is not None
    if has_dot:
        version = subprocess.run([find_dot(), "-V"], capture_output=True, text=True,
                                 check=False).stderr.strip()
        print(f"graphviz: {version}")
    else:
        print("graphviz: dot not found; SVG, PNG and PDF figures are skipped")
    formats = "dot,mermaid,svg" if has_dot else "dot,mermaid"
    cases = [
        (f"render --format {formats} --no-formal", ["render", "--format", formats,
                                                     "--no-formal"]),
        (f"render --format {formats} (with formal checks if installed)",
         ["render", "--format", formats]),
    ]
    if has_dot:
        cases += [
            ("render --format svg,png,pdf,dot,mermaid --no-formal",
             ["render", "--format", "svg,png,pdf,dot,mermaid", "--no-formal"]),
            ("report --no-formal", ["report", "--no-formal"]),
            ("report (with formal checks if installed)", ["report"]),
        ]
    print("CPU time is user + system of the process and its children (Graphviz included); "
          "the least of the runs, with that run's peak RSS")
    for command, title in ((["-c", "pass"], "python -c pass"),
                           (["-c", "import statusproof.cli"], "import statusproof.cli")):
        runs = [measured([sys.executable, *command]) for _ in range(repeat)]
        best = min(float(r["cpu"]) for r in runs)  # type: ignore[arg-type]
        print(f"floor: {title}: {best:.3f} s CPU")
    for title, command in cases:
        seconds, rss = whole_process(repeat, command)
        print(f"statusproof {title} (bundled table, whole process, best of {repeat}): "
              f"{seconds:.3f} s CPU, {rss:.0f} MiB peak RSS")

    model = load_model()
    findings = graph_checks(model)
    diagram = build_diagram(model, findings)
    dot = render_dot(diagram)
    stages = [
        ("load + interpret", lambda: load_model()),
        ("graph checks", lambda: graph_checks(model)),
        ("build diagram", lambda: build_diagram(model, findings)),
        ("DOT text", lambda: render_dot(diagram)),
        ("Mermaid text", lambda: render_mermaid(diagram)),
    ]
    if has_dot:
        svg = run_dot(dot, "svg").data.decode()
        stages += [(f"dot -T{fmt}", lambda fmt=fmt: run_dot(dot, fmt))  # type: ignore[misc]
                   for fmt in ("svg", "png", "pdf")]
        stages.append(("HTML report page", lambda: render_report(
            model, findings, diagram, svg=svg)))
    print(f"in-process stages ({len(model.statuses)} statuses, {len(model.transitions)} "
          f"transitions, {len(diagram.nodes)} nodes, {len(diagram.edges)} edges, "
          f"CPU time, best of {repeat}):")
    for title, work in stages:
        print(f"  {title}: {cpu_best_of(repeat, work) * 1000:.1f} ms")
    sizes = {"DOT": len(dot.encode())}
    if has_dot:
        sizes["SVG"] = len(run_dot(dot, "svg").data)
        sizes["PNG"] = len(run_dot(dot, "png").data)
    print("output sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))
    if args.sizes and has_dot:
        large_tables([int(size) for size in args.sizes.split(",") if size.strip()], repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
