"""Column consistency: do the Previous and Next columns tell the same story?

Every link a column lists is compared with the other column, whatever the reconciliation
policy: ``column-mismatch`` where the other cell is documented but lacks the link,
``undocumented-link`` where the other cell is empty, and ``empty-cell`` for each empty cell.
"""

from __future__ import annotations

from statusproof.model.model import Link, Model
from statusproof.model.table import Column

from .findings import Finding, finding

__all__ = ["column_mismatches", "empty_cells"]


def column_mismatches(model: Model) -> list[Finding]:
    """Links listed by one column only (amendment additions count as Next entries)."""
    by_pair: dict[tuple[str, str], dict[Column, Link]] = {}
    for link in model.links:
        by_pair.setdefault((link.source, link.target), {}).setdefault(link.column, link)
    statuses = {s.name: s for s in model.statuses}
    found = []
    for (source, target), columns in by_pair.items():
        if len(columns) == 2:
            continue
        (column, link), = columns.items()
        if column is Column.NEXT:
            other = statuses[target]
            documented = other.previous_documented
            where = f"the Previous cell of {target!r}"
            said = f"{source!r} lists {target!r} as a next status"
            other_span = other.previous_span
            missing = source
        else:
            other = statuses[source]
            documented = other.next_documented
            where = f"the Next cell of {source!r}"
            said = f"{target!r} lists {source!r} as a previous status"
            other_span = other.next_span
            missing = target
        if not other.defined:
            continue  # an undefined status has no cells: undefined-status covers it
        origin = f" (amendment: {link.amendment})" if link.amendment else ""
        if link.via:  # the entry stands in another row's cell, copied by "See X status."
            origin += f" (copied from the cell of {link.via!r} by a See reference)"
        line = ""
        if other_span is not None:  # a filled cell lives in the amendment file
            line = (f" (line {other_span.line})" if other_span.path == model.path
                    else f" ({other_span})")
        evidence = {"listed_in": column.value, "other_cell_line": other_span.line
                    if other_span else None}
        if documented:
            found.append(finding(
                "column-mismatch",
                f"{said}{origin}, but {where}{line} does not list {missing!r}; add it there, "
                "or remove it from this cell",
                [source, target], (), link.span, evidence))
        else:
            found.append(finding(
                "undocumented-link",
                f"{said}{origin}; {where} is empty (not documented)",
                [source, target], (), link.span, evidence))
    return found


def empty_cells(model: Model) -> list[Finding]:
    """``empty-cell`` for each row whose Previous or Next cell is empty."""
    found = []
    for status in model.statuses:
        if not status.defined:
            continue
        for documented, title, span in ((status.previous_documented, "Previous",
                                         status.previous_span),
                                        (status.next_documented, "Next", status.next_span)):
            if not documented:
                found.append(finding(
                    "empty-cell",
                    f"the {title} cell of {status.name!r} is empty: not documented "
                    "(write 'none' if "
                    f"there is no {title.lower()} status)",
                    [status.name], (), span or status.span, {"column": title.lower()}))
    return found
