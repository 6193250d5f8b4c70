"""Conformance: test suites generated from the model, and running them against implementations.

The layer below is :mod:`statusproof.model` (the extended machine, the shared trace format);
nothing here prints or exits (that is the CLI's job). One concept per module:

- :mod:`.machine` — the machine under test: reset, ``go`` and ``wait`` inputs, refusals, timers,
  configurations, and the abstract alphabet with clock regions;
- :mod:`.fsm` — the unfolded machine, its minimisation and separating words;
- :mod:`.cases` — test cases and suites;
- :mod:`.tour` — status coverage and the optimal (Chinese-postman) transition tour;
- :mod:`.pairs` — transition-pair (1-switch) coverage;
- :mod:`.complete` — m-complete suites (W, Wp, H);
- :mod:`.refusals` — refusal and timing boundary tests;
- :mod:`.generate` — the ``--coverage`` names and one entry point;
- :mod:`.export` — JSON Lines, ITF, a pytest module;
- :mod:`.adapters` — ``python:`` and ``exec:`` adapters with per-answer time limits;
- :mod:`.runner` — running, shrinking, replayable scripts;
- :mod:`.report` — text, JSON and JUnit XML reports.

See docs/conformance.md.
"""
