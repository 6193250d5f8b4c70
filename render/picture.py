"""Pictures that always come: lay a diagram out by its layout plan, and fall back when a plan
does not finish in time.

:func:`draw_picture` writes the DOT of a diagram for the chosen plan
(:mod:`~statusproof.render.layout`), runs Graphviz (:mod:`~statusproof.render.graphviz_run`),
and when the plan does not finish within its share of the time allowed (three quarters of it,
when a cheaper plan is left), draws it again with ``sfdp``, the force-directed overview
Graphviz lays out fastest, and says so in :attr:`Picture.notes`. Only when that fails too is
there no picture, and :class:`~statusproof.render.graphviz_run.GraphvizTimeoutError` says so.
Printing and files are the command line's job.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from statusproof.model.record import record

from .dot import render_dot
from .elements import Diagram
from .graphviz_run import GraphvizTimeoutError, run_dot
from .layout import PLANS, LayoutPlan, plan_named

__all__ = ["Picture", "draw_picture", "diagram_for_plan", "FIRST_SHARE"]

#: The share of the time allowed that a plan gets when a cheaper one is left to fall back on.
FIRST_SHARE = 0.75


@record
class Picture:
    """What Graphviz drew, from which diagram, DOT text and plan; ``warnings`` are Graphviz's
    own, ``notes`` say what the fallback did."""

    data: bytes
    diagram: Diagram
    dot_text: str
    plan: LayoutPlan
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def diagram_for_plan(make: Callable[[bool], Diagram], layout: str) -> tuple[Diagram, LayoutPlan]:
    """The diagram (``make(frames)``) and the plan ``layout`` names for it; a plan that draws
    no frames gets a diagram drawn without steps from frames."""
    diagram = make(True)
    plan = plan_named(layout, diagram)
    if not plan.clusters and any(e.from_cluster is not None for e in diagram.edges):
        diagram = make(False)
    return diagram, plan


def draw_picture(make: Callable[[bool], Diagram], fmt: str, *, layout: str = "auto",
                 timeout: float = 60.0, legend: bool = True, links: bool = False,
                 prefix: str = "", executable: str | None = None) -> Picture:
    """Lay out and draw the diagram ``make`` builds (``make(frames)``, see
    :func:`diagram_for_plan`) as ``fmt`` (svg, png or pdf) within ``timeout`` seconds in all;
    ``legend``, ``links`` and ``prefix`` are :func:`~statusproof.render.dot.render_dot`'s.

    Raises :class:`~statusproof.render.graphviz_run.GraphvizMissingError` without Graphviz,
    :class:`~statusproof.render.graphviz_run.GraphvizError` when it fails, and
    :class:`~statusproof.render.graphviz_run.GraphvizTimeoutError` when no plan finished.
    """
    diagram, plan = diagram_for_plan(make, layout)
    started = time.monotonic()
    notes: list[str] = []
    fallback = PLANS["sfdp"] if plan.name != "sfdp" else None
    while True:
        share = timeout * FIRST_SHARE if fallback is not None else \
            max(timeout - (time.monotonic() - started), 0.001)
        dot_text = render_dot(diagram, legend=legend, links=links, plan=plan, prefix=prefix)
        try:
            rendered = run_dot(dot_text, fmt, timeout=share, executable=executable)
        except GraphvizTimeoutError as e:
            if fallback is None:
                raise GraphvizTimeoutError(" ".join([*notes, str(e)])) from e
            notes.append(f"the {plan.name} layout did not finish within {share:g} s; "
                         f"drawn with {fallback.name} instead ({fallback.description}).")
            diagram, plan = diagram_for_plan(make, fallback.name)
            fallback = None
            continue
        return Picture(rendered.data, diagram, dot_text, plan, rendered.warnings, tuple(notes))
