"""Benchmark of ``statusproof render`` and ``statusproof report`` on the bundled table.

Run: ``python benchmarks/bench_render.py [--repeat N]``. It prints the figures and the machine
they were measured on; it asserts nothing (speed is never a test). The target is under one
second for rendering the bundled table as a whole process (Python start-up included).

The whole-process figures run the real command line in a fresh interpreter each time, with
Graphviz's real ``dot``; the in-process figures split one render into its stages.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile

from bench_check import best_of, machine  # this folder is on sys.path when run

from statusproof.checks import graph_checks
from statusproof.model import load_model
from statusproof.render.diagram import build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import find_dot, run_dot
from statusproof.render.html import render_report
from statusproof.render.mermaid import render_mermaid


def whole_process(repeat: int, args: list[str]) -> float:
    with tempfile.TemporaryDirectory() as folder:
        command = [sys.executable, "-m", "statusproof", *args, "-o", folder]

        def run() -> None:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            if done.returncode not in (0, 1):
                raise SystemExit(f"{' '.join(command)} failed: {done.stderr}")

        return best_of(repeat, run)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (best is kept)")
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
    for title, command in cases:
        seconds = whole_process(repeat, command)
        print(f"statusproof {title} (bundled table, whole process, best of {repeat}): "
              f"{seconds:.3f} s")
    seconds = best_of(repeat, lambda: subprocess.run(
        [sys.executable, "-c", "import statusproof.cli"], capture_output=True, check=False))
    print(f"  of which Python start-up and imports: {seconds:.3f} s")

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
          f"best of {repeat}):")
    for title, work in stages:
        print(f"  {title}: {best_of(repeat, work) * 1000:.1f} ms")
    sizes = {"DOT": len(dot.encode())}
    if has_dot:
        sizes["SVG"] = len(run_dot(dot, "svg").data)
        sizes["PNG"] = len(run_dot(dot, "png").data)
    print("output sizes: " + ", ".join(f"{k} {v / 1024:.0f} KiB" for k, v in sizes.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
