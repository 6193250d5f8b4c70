"""Checking recorded logs against the model: readers, name maps, checkers, reports.

This package owns everything ``statusproof logs`` and ``statusproof logs-synth`` do with
records of a real system (event records and polled snapshots). It sits on
:mod:`statusproof.model` (the extended machine of :mod:`statusproof.model.machine` is the one
step relation) and leaves printing, files and exit codes to :mod:`statusproof.cli`.
Test suites, adapters and the runner are :mod:`statusproof.conformance`'s.

See docs/logs.md.
"""
