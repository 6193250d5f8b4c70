"""statusproof: a formal model checker and conformance tool for documented status tables.

The package is layered; data flows one way:

- :mod:`statusproof.model`: table text -> loaders -> raw table -> interpretation -> model;
- :mod:`statusproof.checks`: pure functions from a model to findings with evidence;
- :mod:`statusproof.render` and :mod:`statusproof.conformance`: diagrams, traces, runs;
- :mod:`statusproof.cli`: the only code that prints or exits.

The public Python API (``docs/api.md``) is exported from here lazily: ``import statusproof``
imports nothing else, and a name is imported from its module the first time it is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS = {
    "load_model": "statusproof.model",
    "bundled_table": "statusproof.model",
    "Model": "statusproof.model.model",
    "StatusproofError": "statusproof.model.errors",
    "graph_checks": "statusproof.checks",
    "formal_checks": "statusproof.checks.formal",
    "Finding": "statusproof.checks.findings",
    "Severity": "statusproof.checks.findings",
    "CATALOGUE": "statusproof.checks.findings",
    "sort_by_consequence": "statusproof.checks.findings",
    "check_to_dict": "statusproof.checks.report",
    "build_diagram": "statusproof.render.diagram",
    "render_dot": "statusproof.render.dot",
    "render_mermaid": "statusproof.render.mermaid",
    "run_dot": "statusproof.render.graphviz_run",
    "generate": "statusproof.conformance.generate",
    "Options": "statusproof.conformance.generate",
    "Suite": "statusproof.conformance.cases",
    "export_suites": "statusproof.conformance.export",
}

__all__ = [
    "__version__",
    "load_model", "bundled_table", "Model", "StatusproofError", "graph_checks", "formal_checks",
    "Finding", "Severity", "CATALOGUE", "sort_by_consequence", "check_to_dict", "build_diagram",
    "render_dot", "render_mermaid", "run_dot", "generate", "Options", "Suite", "export_suites",
]

if TYPE_CHECKING:
    from statusproof.checks import graph_checks
    from statusproof.checks.findings import CATALOGUE, Finding, Severity, sort_by_consequence
    from statusproof.checks.formal import formal_checks
    from statusproof.checks.report import check_to_dict
    from statusproof.conformance.cases import Suite
    from statusproof.conformance.export import export_suites
    from statusproof.conformance.generate import Options, generate
    from statusproof.model import bundled_table, load_model
    from statusproof.model.errors import StatusproofError
    from statusproof.model.model import Model
    from statusproof.render.diagram import build_diagram
    from statusproof.render.dot import render_dot
    from statusproof.render.graphviz_run import run_dot
    from statusproof.render.mermaid import render_mermaid


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'statusproof' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
