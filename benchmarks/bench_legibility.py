"""Legibility of the bundled diagram, measured on Graphviz's own layout: edges drawn, edge
crossings and the picture's size.

Run: ``python benchmarks/bench_legibility.py [--dot FILE ...]``. For the bundled table (with
its amendments, formal checks included, as ``statusproof render`` draws it), the same with
``--show column-mismatches``, and the table alone (``--raw``), it writes the DOT text, lays it
out with Graphviz (``dot -Tjson``, the engine the DOT names) and counts, with
:func:`statusproof.render.measure.measure_layout`, the edges drawn and the points where two of
them cross. ``--dot FILE`` measures DOT files made elsewhere (for example by an older
statusproof, to compare). It asserts nothing; the figures and the machine are printed.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from bench_check import machine  # this folder is on sys.path when run

from statusproof.cli.render_cmd import collect_findings
from statusproof.model import load_model
from statusproof.render.diagram import build_diagram
from statusproof.render.dot import render_dot
from statusproof.render.graphviz_run import find_dot
from statusproof.render.layout import choose_layout
from statusproof.render.measure import LayoutMeasure, measure_layout


def lay_out(dot_text: str) -> LayoutMeasure:
    done = subprocess.run([find_dot(), "-Tjson"], input=dot_text.encode(), capture_output=True,
                          check=True, timeout=300)
    return measure_layout(done.stdout.decode())


def show(title: str, measure: LayoutMeasure, extra: str = "") -> None:
    print(f"{title}: {measure.edges} edges drawn, {measure.crossings} crossings, "
          f"{measure.width:.0f} x {measure.height:.0f} pt{extra}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", nargs="*", default=[], metavar="FILE",
                        help="also measure these DOT files")
    args = parser.parse_args(argv)
    print(f"machine: {machine()}")
    version = subprocess.run([find_dot(), "-V"], capture_output=True, text=True,
                             check=False).stderr.strip()
    print(f"graphviz: {version}")
    for title, raw, show_mismatches in (
            ("bundled table, with amendments (the default picture)", False, False),
            ("bundled table, --show column-mismatches", False, True),
            ("bundled table alone (--raw)", True, False)):
        model = load_model(raw=raw)
        findings = collect_findings(model)
        diagram = build_diagram(model, findings, show_mismatches=show_mismatches)
        plan = choose_layout(diagram)
        measure = lay_out(render_dot(diagram, plan=plan))
        folded = f"; {len(diagram.hidden)} steps folded away" if diagram.hidden else ""
        show(title, measure, f" (layout {plan.name}; {len(model.transitions)} transitions"
                             f"{folded})")
    for name in args.dot:
        show(name, lay_out(Path(name).read_text(encoding="utf-8")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
