"""How every cell was read: the data of ``statusproof explain`` (and of a report's "Reading").

This module owns one JSON-ready view of a model's :class:`~statusproof.model.model.EntryReading`
list: row by row, the Previous and the Next cell, entry by entry, each fragment with its text,
its character span in the entry, its one reading and why. Printing it is the command line's
job; an HTML report may show the same data.
"""

from __future__ import annotations

from typing import Any

from .model import EntryReading, Model
from .table import Column

__all__ = ["EXPLAIN_SCHEMA", "READINGS", "reading_to_dict"]

EXPLAIN_SCHEMA = "statusproof/explain/1"

#: Every reading a fragment may have, in the order the documentation lists them.
READINGS = ("status", "undefined-status", "trigger", "history", "condition", "otherwise",
            "end", "reference", "uninterpreted")


def _entry(model: Model, reading: EntryReading) -> dict[str, Any]:
    span = reading.span
    return {
        "text": reading.text,
        "file": None if span is None or span.path == model.path else span.path,
        "line": span.line if span else None,
        "via": reading.via,
        "amended": reading.amendment is not None,
        "fragments": [{"text": f.text, "start": f.start, "end": f.end, "reading": f.reading,
                       "why": f.why, "statuses": list(f.statuses)}
                      for f in reading.fragments],
    }


def reading_to_dict(model: Model) -> dict[str, Any]:
    """Every row's Previous and Next cells as read, fragment by fragment; with a tally of
    the readings (how many fragments of each kind)."""
    by_cell: dict[tuple[str, Column], list[EntryReading]] = {}
    for reading in model.readings:
        by_cell.setdefault((reading.status, reading.column), []).append(reading)
    rows = []
    tally = dict.fromkeys(READINGS, 0)
    for status in model.statuses:
        if not status.defined:
            continue
        cells = {}
        for column in (Column.PREVIOUS, Column.NEXT):
            entries = by_cell.get((status.name, column), [])
            for entry in entries:
                for fragment in entry.fragments:
                    tally[fragment.reading] += 1
            cells[column.value] = [_entry(model, e) for e in entries]
        rows.append({"status": status.name, "line": status.line, **cells})
    return {"schema": EXPLAIN_SCHEMA, "table": model.path, "policy": model.policy,
            "readings": tally, "rows": rows}
