"""statusproof: a formal model checker and conformance tool for documented status tables.

The package is layered; data flows one way:

- :mod:`statusproof.model`: table text -> loaders -> raw table -> interpretation -> model;
- :mod:`statusproof.checks`: pure functions from a model to findings with evidence;
- :mod:`statusproof.render` and :mod:`statusproof.conformance`: diagrams, traces, runs;
- :mod:`statusproof.cli`: the only code that prints or exits.
"""

__version__ = "0.1.0"
