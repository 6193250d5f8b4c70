"""``statusproof explain``: how every Previous and Next cell was read, fragment by fragment."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from statusproof.model.reading import reading_to_dict

from .common import add_table_arguments, load_from_args, write_json


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "explain", help="show how every cell was read (text, span, reading, why)",
        description="Show how statusproof read every Previous and Next cell of the table: "
                    "each entry split into fragments, each fragment with its character span, "
                    "its one reading (status, undefined-status, trigger, history, condition, "
                    "otherwise, end, reference, uninterpreted) and why. Confirm the model here "
                    "before trusting the verdicts.")
    add_table_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def format_explain(data: dict[str, Any]) -> str:
    """The reading for people: row by row, cell by cell, one line per fragment."""
    lines = [f"reading of {data['table']} (reconcile={data['policy']})"]
    for row in data["rows"]:
        lines.append("")
        lines.append(f"{row['status']}  (line {row['line']})")
        for column in ("previous", "next"):
            entries = row[column]
            title = "Previous" if column == "previous" else "Next"
            if not entries:
                lines.append(f"  {title}: empty (not documented)")
                continue
            for entry in entries:
                where = (f"{entry['file']}:{entry['line']}" if entry["file"]
                         else f"line {entry['line']}")
                extra = f"; copied from {entry['via']!r}" if entry["via"] else ""
                extra += "; read by an amendment" if entry["amended"] else ""
                lines.append(f"  {title} ({where}{extra}): {entry['text']!r}")
                for f in entry["fragments"]:
                    lines.append(f"    [{f['start']}:{f['end']}] {f['reading']:<16} "
                                 f"{f['text']!r}: {f['why']}")
    tally = ", ".join(f"{count} {name}" for name, count in data["readings"].items() if count)
    lines.append("")
    lines.append(f"fragments: {tally or 'none'}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    data = reading_to_dict(load_from_args(args))
    if args.format == "json":
        write_json(data, out)
    else:
        out.write(format_explain(data))
    return 0
