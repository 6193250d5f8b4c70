"""Conformance: test suites generated from the model, and running them against implementations.

The layer below is :mod:`statusproof.model` (the extended machine, the shared trace format);
nothing here prints or exits (that is the CLI's job). One concept per module:

- :mod:`.machine` — the machine under test: reset, ``go`` and ``wait`` inputs, refusals, timers,
  and the abstract alphabet with clock regions and long waits;
- :mod:`.configurations` — the timers' settings a test runs under;
- :mod:`.fsm` — the unfolded machine, its minimisation, separating and unique words;
- :mod:`.cases` — test cases and suites, streamed or not;
- :mod:`.tour` — status coverage and the optimal (Chinese-postman) transition tour;
- :mod:`.pairs` — transition-pair (1-switch) coverage;
- :mod:`.complete` — m-complete suites (W, Wp streamed; H, SPYH) and their lower bound;
- :mod:`.h_method` — the H method's test tree;
- :mod:`.spyh` — the SPYH method's test tree, shared through proved convergence;
- :mod:`.random_walks` — the seeded random extension of the complete suites;
- :mod:`.refusals` — refusal and timing boundary tests;
- :mod:`.generate` — the ``--coverage`` names and one entry point;
- :mod:`.export` — JSON Lines, ITF, a pytest module;
- :mod:`.suite_file` — suite files read back and checked against the model;
- :mod:`.adapter_base`, :mod:`.adapters` — the adapter interface, verdicts, and the spec;
- :mod:`.python_adapter`, :mod:`.exec_adapter`, :mod:`.processes` — ``python:`` and
  ``exec:`` (and the implementation's process tree);
- :mod:`.library_adapters`, :mod:`.mapping` — ``statemachine:`` and ``transitions:`` with a
  mapping file;
- :mod:`.runner`, :mod:`.explain`, :mod:`.replay` — running, explaining a wrong answer from
  the model's state, shrinking, replayable scripts;
- :mod:`.report` — text, JSON and JUnit XML reports.

See docs/conformance.md.
"""
