"""JSON Schemas of the JSON outputs (``statusproof/<name>/<version>``), shipped as package data:
``NAME.schema.json``. :func:`schema` loads one by its id."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["SCHEMAS", "schema"]

#: schema id -> file name in this package
SCHEMAS = {
    "statusproof/check/1": "check.schema.json",
    "statusproof/check-tables/1": "check-tables.schema.json",
    "statusproof/model/1": "model.schema.json",
    "statusproof/explain/1": "explain.schema.json",
    "statusproof/conform/1": "conform.schema.json",
    "statusproof/logs/1": "logs.schema.json",
}


def schema(schema_id: str) -> dict[str, Any]:
    """The JSON Schema of output ``schema_id`` (e.g. ``"statusproof/check/1"``)."""
    try:
        name = SCHEMAS[schema_id]
    except KeyError:
        known = ", ".join(SCHEMAS)
        raise KeyError(f"no schema {schema_id!r}; known: {known}") from None
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
