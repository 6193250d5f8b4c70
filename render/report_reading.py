"""The report's "Reading" section: how every cell was read, fragment by fragment.

The data are :func:`statusproof.model.reading.reading_to_dict`'s (what ``statusproof explain
--format json`` prints): row by row, the Previous and the Next cell, entry by entry, each
fragment with its text, span, reading and why. :class:`ReadingIndex` numbers the entries and
fragments (``reading-N`` and ``reading-N-K``, in page order, so the same data give the same
ids) and finds the element of each clause statusproof could not read by the name findings
and transitions give it (:class:`~statusproof.render.unread.UnreadCell`). :func:`reading_html`
writes the section: each entry with its fragments marked in its text (an uninterpreted one
is a link to its ``uninterpreted-entry`` finding), the list of fragments with reading and
why, a link to the cell in "the table as written", and a filter by reading (``report.js``).

Every text is escaped; the page is assembled by :mod:`~statusproof.render.html`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from statusproof.model.record import record

__all__ = ["ReadingIndex", "ReadingEntry", "reading_html", "unread_ids"]

_TITLE = {"previous": "Previous", "next": "Next"}


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


@record
class ReadingEntry:
    """One entry of a cell as read, with the id of its table row in the section."""

    id: str
    status: str
    column: str  # "previous" or "next"
    data: Mapping[str, Any] | None  # None: the cell is empty

    @property
    def fragments(self) -> list[Mapping[str, Any]]:
        frags = self.data.get("fragments") if self.data is not None else None
        return [f for f in frags if isinstance(f, Mapping)] if isinstance(frags, list) else []

    def where(self) -> str:
        """``line N`` (or ``file:N``), as the names of unread clauses say it."""
        data = self.data or {}
        line, file = data.get("line"), data.get("file")
        return f"{file}:{line}" if file else f"line {line}"


class ReadingIndex:
    """The entries of a reading, numbered, and the element of each unread clause."""

    def __init__(self, data: Mapping[str, Any]):
        self.data = data
        self.entries: list[ReadingEntry] = []
        #: the name of an unread clause (``the Next cell of 'S', line N: 'text'``) -> the id
        #: of its fragment (or of its entry, when no fragment of it is uninterpreted)
        self.by_name: dict[str, str] = {}
        rows = data.get("rows")
        for row in rows if isinstance(rows, list) else []:
            if not isinstance(row, Mapping):
                continue
            status = str(row.get("status", ""))
            for column in ("previous", "next"):
                cell = row.get(column)
                entries = [e for e in cell if isinstance(e, Mapping)] \
                    if isinstance(cell, list) else []
                if not entries:
                    self.entries.append(ReadingEntry(f"reading-{len(self.entries) + 1}",
                                                     status, column, None))
                for entry in entries:
                    self._add(ReadingEntry(f"reading-{len(self.entries) + 1}", status,
                                           column, entry))

    def _add(self, entry: ReadingEntry) -> None:
        self.entries.append(entry)
        prefix = f"the {_TITLE[entry.column]} cell of {entry.status!r}, {entry.where()}: "
        for number, fragment in enumerate(entry.fragments, 1):
            if fragment.get("reading") == "uninterpreted":
                self.by_name.setdefault(f"{prefix}{str(fragment.get('text', ''))!r}",
                                        f"{entry.id}-{number}")
        text = entry.data.get("text", "") if entry.data is not None else ""
        self.by_name.setdefault(f"{prefix}{str(text)!r}", entry.id)

    def tally(self) -> list[tuple[str, int]]:
        """(reading, number of fragments) for every reading that occurs, in the order the
        data list them."""
        tally = self.data.get("readings")
        if not isinstance(tally, Mapping):
            return []
        return [(str(k), int(v)) for k, v in tally.items() if isinstance(v, int) and v]


def _marked(entry: ReadingEntry, finding_of: Mapping[str, int]) -> str:
    """The entry's text with each fragment's span marked (an uninterpreted fragment links to
    its finding)."""
    text = str((entry.data or {}).get("text", ""))
    out, at = [], 0
    spans = []
    for number, fragment in enumerate(entry.fragments, 1):
        start, end = fragment.get("start"), fragment.get("end")
        if isinstance(start, int) and isinstance(end, int) and at <= start < end <= len(text):
            spans.append((start, end, number, fragment))
            at = end
    at = 0
    for start, end, number, fragment in spans:
        out.append(_esc(text[at:start]))
        reading = str(fragment.get("reading", ""))
        title = f"{reading}: {fragment.get('why', '')}"
        body = _esc(text[start:end])
        ident = f"{entry.id}-{number}"
        if ident in finding_of:
            out.append(f'<a class="frag r-{_esc(reading)}" href="#finding-{finding_of[ident]}" '
                       f'data-finding="{finding_of[ident]}" title="{_esc(title)}">{body}</a>')
        else:
            out.append(f'<span class="frag r-{_esc(reading)}" title="{_esc(title)}">{body}'
                       "</span>")
        at = end
    out.append(_esc(text[at:]))
    return "".join(out)


def _fragments(entry: ReadingEntry, finding_of: Mapping[str, int]) -> str:
    items = []
    for number, fragment in enumerate(entry.fragments, 1):
        reading = str(fragment.get("reading", ""))
        ident = f"{entry.id}-{number}"
        link = (f' <a href="#finding-{finding_of[ident]}" data-finding="{finding_of[ident]}">'
                f"finding {finding_of[ident]}</a>" if ident in finding_of else "")
        items.append(
            f'<li id="{ident}" class="frag-item r-{_esc(reading)}" data-reading="{_esc(reading)}">'
            f'<span class="tag r-{_esc(reading)}">{_esc(reading)}</span> '
            f"<code>[{_esc(fragment.get('start'))}:{_esc(fragment.get('end'))}]</code> "
            f"<q>{_esc(fragment.get('text', ''))}</q>: {_esc(fragment.get('why', ''))}{link}"
            "</li>")
    return '<ul class="frags">' + "".join(items) + "</ul>"


def _cell(entry: ReadingEntry, cell_of: Callable[[int], int | None]) -> str:
    data = entry.data or {}
    line, file = data.get("line"), data.get("file")
    title = _TITLE[entry.column]
    if entry.data is None:
        return f"{title}"
    place = f"{file}:{line}" if file else f"line {line}"
    cell = cell_of(line) if isinstance(line, int) and not file else None
    shown = (f'<a href="#cell-{cell}">{_esc(title)}, {_esc(place)}</a>' if cell is not None
             else f"{_esc(title)}, {_esc(place)}")
    if data.get("via"):
        shown += f'<span class="note">copied from {_esc(data["via"])}</span>'
    if data.get("amended"):
        shown += '<span class="note">read by an amendment</span>'
    return shown


def reading_html(index: ReadingIndex, *, status_link: Callable[[str], str],
                 cell_of: Callable[[int], int | None],
                 finding_of: Mapping[str, int]) -> str:
    """The "Reading" section. ``status_link`` writes a link to a status's row,
    ``cell_of`` gives the id line of the cell holding a table line (None when the page does
    not show it), ``finding_of`` maps the id of an unread fragment (or entry) to the number of
    its ``uninterpreted-entry`` finding."""
    rows = []
    for entry in index.entries:
        readings = sorted({str(f.get("reading", "")) for f in entry.fragments})
        if entry.data is None:
            text = '<span class="empty">(empty: not documented)</span>'
            frags = ""
        else:
            text = _marked(entry, finding_of)
            frags = _fragments(entry, finding_of)
        unread = " unread" if "uninterpreted" in readings else ""
        target = f' data-finding="{finding_of[entry.id]}"' if entry.id in finding_of else ""
        rows.append(
            f'<tr id="{entry.id}" class="reading-entry{unread}" '
            f'data-readings="{_esc(" ".join(readings))}"{target}>'
            f"<td>{status_link(entry.status)}</td><td>{_cell(entry, cell_of)}</td>"
            f'<td class="entry">{text}</td><td>{frags}</td></tr>')
    tally = index.tally()
    total = sum(n for _, n in tally)
    counts = ", ".join(
        f'<span class="tag r-{_esc(r)}">{n} {_esc(r)}</span>' for r, n in tally) or "none"
    options = "".join(f'<option value="{_esc(r)}">{_esc(r)} ({n})</option>' for r, n in tally)
    filters = ('<div class="filters" id="reading-filters" hidden><label>show the entries with '
               f'<select id="filter-reading"><option value="">any reading</option>{options}'
               '</select></label><span id="reading-count" aria-live="polite"></span></div>')
    return ('<section id="reading"><h2>Reading</h2><p class="hint">How statusproof read '
            "every Previous and Next cell, fragment by fragment (as <code>statusproof explain"
            "</code> shows it): confirm the model here before trusting the verdicts. A "
            "fragment it could not read is marked and links to its finding; each cell links "
            f'to the table as written.</p><p class="tally">{total} fragments: {counts}</p>'
            f'{filters}<table id="reading-table"><thead><tr><th>status</th><th>cell</th>'
            "<th>entry as written, fragments marked</th><th>fragments: reading and why</th>"
            "</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table></section>")


def unread_ids(index: ReadingIndex, names: Sequence[str]) -> list[str]:
    """The element ids of the unread clauses ``names`` (those the section shows)."""
    return [index.by_name[n] for n in names if n in index.by_name]
