"""``statusproof model``: print the interpreted model."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from statusproof.model.serialize import model_to_dict

from .common import add_table_arguments, load_from_args, write_json
from .textout import format_model


def add_parser(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "model", help="print the interpreted model (statuses, transitions, guards)",
        description="Print the model statusproof reads from the table: statuses with entry / "
                    "terminal / undefined flags, transitions with guards and source lines.")
    add_table_arguments(parser)
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    model = load_from_args(args)
    if args.format == "json":
        write_json(model_to_dict(model), out)
    else:
        out.write(format_model(model))
    return 0
