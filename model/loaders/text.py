"""Loader for the scraped text format: cells separated by ``|``, one cell after another.

The format is what copying a documentation table out of a web page gives: the Status cell,
then each further cell introduced by a ``|`` at the start of a line, the row closed by a
``|`` on a line of its own, lists as ``- `` items, and lines wrapped anywhere. Because a row
boundary looks just like a cell boundary, rows are counted off four cells at a time; a file
whose cell count is not a multiple of four is rejected with the rows that look misaligned.
"""

from __future__ import annotations

from ..errors import InputProblem, TableFormatError
from ..table import Column, Row, SourceSpan, StatusTable, split_entries

__all__ = ["load_text", "looks_like_text"]

_COLUMNS = (Column.STATUS, Column.DESCRIPTION, Column.PREVIOUS, Column.NEXT)


def looks_like_text(text: str) -> bool:
    """True when ``text`` has ``|`` cell separators at the start of lines."""
    return any(line.startswith("|") for line in text.splitlines()) and not any(
        line.strip().startswith("|") and line.strip().endswith("|") and line.count("|") >= 3
        for line in text.splitlines()
    )


def load_text(text: str, path: str) -> StatusTable:
    """Read a table in the scraped text format.

    Examples
    --------
    >>> t = load_text("Open\\n| New ticket.\\n| none\\n|\\n- Closed\\n|\\n", "t.txt")
    >>> [r.name for r in t.rows], [e.text for e in t.rows[0].next.entries]
    (['Open'], ['Closed'])
    """
    cells: list[tuple[str, int]] = []  # (raw text, line of its first character)
    current: list[str] = []
    start = 1
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("|"):
            cells.append(("\n".join(current), start))
            current = [line[1:]]
            start = number
        else:
            current.append(line)
    tail = "\n".join(current)
    if not cells:
        raise TableFormatError([InputProblem(path, 1, "no table cells found; the scraped text "
                                             "format separates cells with '|' at line starts")])
    if tail.strip():
        problems = [InputProblem(path, start, "text after the last '|' is not a complete cell; "
                                 "end every row with a '|' line")]
        raise TableFormatError(problems)
    if not cells or all(not raw.strip() for raw, _ in cells):
        raise TableFormatError([InputProblem(path, 1, "no table cells found; the scraped text "
                                             "format separates cells with '|' at line starts")])
    problems = []
    if len(cells) % 4:
        # A Status cell is a name on the line after a '|' line; the first group of four whose
        # Status cell follows its '|' on the same line is where the rows went out of step.
        shifted = next((i for i in range(4, len(cells), 4)
                        if cells[i][0].split("\n", 1)[0].strip()), None)
        if shifted is not None:
            text_at = cells[shifted][0].split("\n", 1)[0].strip()
            problems.append(InputProblem(
                path, cells[shifted][1],
                f"row {shifted // 4 + 1} should start here with a status name on its own line, "
                f"but {text_at[:60]!r} follows a '|' like a Description, Previous or Next cell; "
                "a row above has a cell missing or one too many",
            ))
        problems.append(InputProblem(
            path, cells[-1][1],
            f"{len(cells)} cells found, which is not a whole number of 4-cell rows "
            "(Status | Description | Previous status | Next status); a cell is missing or extra",
        ))
    rows: list[Row] = []
    for index in range(0, len(cells) - len(cells) % 4, 4):
        group = cells[index:index + 4]
        made = [split_entries(raw, path, line, column)
                for (raw, line), column in zip(group, _COLUMNS, strict=True)]
        status = made[0]
        if len(status.entries) != 1 or status.raw.lstrip().startswith("- "):
            problems.append(InputProblem(
                path, group[0][1],
                f"row {index // 4 + 1}: the Status cell {status.raw.strip()[:60]!r} is not a "
                "single status name; check that every row has exactly 4 cells",
            ))
            continue
        first = status.span.line if status.span is not None else group[0][1]
        last = max((c.span.end_line for c in made if c.span is not None), default=first)
        rows.append(Row(made[0], made[1], made[2], made[3], SourceSpan(path, first, last)))
    if problems:
        raise TableFormatError(problems)
    return StatusTable(path, "text", tuple(rows))
