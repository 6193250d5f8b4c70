"""Adapters: which one a spec names, and the names every caller imports.

``python:MODULE:FACTORY`` (:mod:`.python_adapter`), ``exec:COMMAND`` (:mod:`.exec_adapter`),
``statemachine:MODULE:CLASS`` and ``transitions:MODULE:FACTORY`` (:mod:`.library_adapters`,
with a mapping file). :func:`open_adapter` parses the spec and opens the adapter; the
interface, the verdicts and the faults are :mod:`.adapter_base`'s.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from .adapter_base import MAX_LINE, Adapter, AdapterError, AdapterFault, Verdict
from .exec_adapter import ExecAdapter
from .python_adapter import PythonAdapter

__all__ = ["Verdict", "AdapterFault", "AdapterError", "Adapter", "PythonAdapter",
           "ExecAdapter", "open_adapter", "MAX_LINE", "KINDS"]

#: The adapter kinds, as written before the first colon of a spec.
KINDS = ("python", "exec", "statemachine", "transitions")


def open_adapter(spec: str, timeout: float = 5.0, mapping: str | Path | None = None,
                 statuses: Collection[str] = ()) -> Adapter:
    """The adapter a spec names; ``mapping`` is the library adapters' mapping file and
    ``statuses`` the model's (a library state named like one maps to it)."""
    if timeout <= 0:
        raise AdapterError(f"--timeout must be more than 0 seconds, not {timeout}")
    kind, _, rest = spec.partition(":")
    if kind == "python":
        return PythonAdapter(spec, rest, timeout)
    if kind == "exec":
        return ExecAdapter(spec, rest, timeout)
    if kind in ("statemachine", "transitions"):
        from .library_adapters import open_library_adapter
        return open_library_adapter(kind, spec, rest, timeout, mapping, statuses)
    raise AdapterError(f"adapter {spec!r}: use python:MODULE:FACTORY, exec:'COMMAND', "
                       "statemachine:MODULE:CLASS or transitions:MODULE:FACTORY")
