"""Legibility measured on Graphviz's own layout: how many edges are drawn, how often they cross.

:func:`measure_layout` reads the JSON Graphviz writes for a laid-out graph (``dot -Tjson``,
xdot drawing operations) and counts the edges and their crossings: every drawn edge's
B-spline is flattened into a polyline (:data:`SAMPLES` points per cubic piece) and every
pair of edges is tested segment by segment for proper intersections. Where two edges share
an end node, meeting inside that node's box (plus :data:`MARGIN` points) is not a crossing.

This is a measuring tool for benchmarks and tests; nothing in the pictures depends on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from itertools import combinations, pairwise
from typing import Any

from statusproof.model.record import record

__all__ = ["LayoutMeasure", "measure_layout", "polyline", "crossings"]

SAMPLES = 8
MARGIN = 6.0
Point = tuple[float, float]
Box = tuple[float, float, float, float]


@record
class LayoutMeasure:
    """Edges drawn and the crossings between them, with the picture's size in points."""

    edges: int
    crossings: int
    width: float
    height: float


def _bezier(p0: Point, p1: Point, p2: Point, p3: Point, samples: int) -> list[Point]:
    out = []
    for i in range(1, samples + 1):
        t = i / samples
        u = 1 - t
        out.append((u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
                    + t * t * t * p3[0],
                    u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
                    + t * t * t * p3[1]))
    return out


def polyline(points: Sequence[Sequence[float]], samples: int = SAMPLES) -> list[Point]:
    """The polyline of a piecewise cubic Bezier given as ``3k + 1`` control points (a plain
    polyline when the count does not fit)."""
    pts = [(float(p[0]), float(p[1])) for p in points]
    if len(pts) < 4 or (len(pts) - 1) % 3:
        return pts
    out = [pts[0]]
    for i in range(0, len(pts) - 1, 3):
        out.extend(_bezier(pts[i], pts[i + 1], pts[i + 2], pts[i + 3], samples))
    return out


def _orient(a: Point, b: Point, c: Point) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _cross_point(a: Point, b: Point, c: Point, d: Point) -> Point | None:
    """The point where segments ab and cd properly cross, else None."""
    d1, d2 = _orient(c, d, a), _orient(c, d, b)
    d3, d4 = _orient(a, b, c), _orient(a, b, d)
    if d1 * d2 < 0 and d3 * d4 < 0:
        t = d1 / (d1 - d2)
        return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
    return None


def _inside(point: Point, box: Box) -> bool:
    return box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3]


def crossings(first: Sequence[Point], second: Sequence[Point],
              exempt: Sequence[Box] = ()) -> int:
    """How many times two polylines properly cross, outside the ``exempt`` boxes.

    >>> crossings([(0, 0), (10, 10)], [(0, 10), (10, 0)])
    1
    >>> crossings([(0, 0), (10, 10)], [(0, 10), (10, 0)], [(4, 4, 6, 6)])
    0
    """
    count = 0
    boxes = [((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])), a, b)
             for a, b in pairwise(second)]
    for a, b in pairwise(first):
        lo_x, hi_x = min(a[0], b[0]), max(a[0], b[0])
        lo_y, hi_y = min(a[1], b[1]), max(a[1], b[1])
        for box, c, d in boxes:
            if box[2] < lo_x or box[0] > hi_x or box[3] < lo_y or box[1] > hi_y:
                continue
            point = _cross_point(a, b, c, d)
            if point is not None and not any(_inside(point, e) for e in exempt):
                count += 1
    return count


def _node_boxes(objects: Sequence[Mapping[str, Any]]) -> dict[int, Box]:
    boxes = {}
    for obj in objects:
        if "pos" not in obj or "width" not in obj:
            continue
        x, y = (float(v) for v in str(obj["pos"]).split(",")[:2])
        half_w = float(obj["width"]) * 72 / 2 + MARGIN
        half_h = float(obj["height"]) * 72 / 2 + MARGIN
        boxes[int(obj["_gvid"])] = (x - half_w, y - half_h, x + half_w, y + half_h)
    return boxes


def measure_layout(layout_json: str | Mapping[str, Any]) -> LayoutMeasure:
    """Edges and crossings of a layout written by Graphviz's ``-Tjson``."""
    data = json.loads(layout_json) if isinstance(layout_json, str) else layout_json
    boxes = _node_boxes(data.get("objects", []))
    drawn: list[tuple[int, int, list[Point]]] = []
    for edge in data.get("edges", []):
        lines: list[Point] = []
        for op in edge.get("_draw_", []):
            if op.get("op") == "b":
                lines.extend(polyline(op["points"]))
            elif op.get("op") == "L":
                lines.extend((float(p[0]), float(p[1])) for p in op["points"])
        if lines:
            drawn.append((int(edge["tail"]), int(edge["head"]), lines))
    count = 0
    for (t1, h1, line1), (t2, h2, line2) in combinations(drawn, 2):
        shared = {t1, h1} & {t2, h2}
        count += crossings(line1, line2, [boxes[n] for n in shared if n in boxes])
    bb = [float(v) for v in str(data.get("bb", "0,0,0,0")).split(",")]
    return LayoutMeasure(len(drawn), count, bb[2] - bb[0], bb[3] - bb[1])
