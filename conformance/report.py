"""Reports of a conformance run: text for people, JSON for tools, JUnit XML for CI.

All three are deterministic (no dates, no absolute paths; the JUnit ``time`` attributes
aside): the same run gives the same bytes. Failures are listed with the inputs up to the wrong
answer; the shortest failure, shrunk, is shown as a trace (the shared
:func:`~statusproof.model.trace.format_trace` format) and as a replayable script
(:func:`~statusproof.conformance.runner.replay_script`). Running is
:mod:`statusproof.conformance.runner`'s job; printing and files are the CLI's.
"""

from __future__ import annotations

from typing import Any

from statusproof.junit import JUnitCase, JUnitSuite, write_junit
from statusproof.model.trace import format_trace

from .adapters import Verdict
from .export import input_to_dict, start_to_dict
from .replay import replay_script
from .runner import CaseResult, RunResult

__all__ = ["format_text", "run_to_dict", "format_junit", "summary_line", "RUN_SCHEMA", "SHOWN"]

RUN_SCHEMA = "statusproof/conform/1"
#: Failures listed per suite in the text report (the JSON and JUnit reports list all).
SHOWN = 5


def format_text(run: RunResult, timeout: float = 5.0, mapping: str | None = None) -> str:
    lines = [f"statusproof conform: {run.table}", f"adapter: {run.adapter}", ""]
    width = max((len(s.suite.name) for s in run.suites), default=8)
    for result in run.suites:
        counts = result.counts()
        parts = [f"{counts[v.value]} {v.value}" for v in Verdict if counts[v.value]]
        if result.not_run:
            parts.append(f"{result.not_run} not run")
        lines.append(f"  {result.suite.name:<{width}}  {result.suite.size:>6} tests "
                     f"{result.suite.steps:>8} steps  " + ", ".join(parts))
    for result in run.suites:
        if result.stopped:
            lines.append(f"  {result.suite.name}: {result.stopped}")
    for problem in run.problems:
        lines.append(f"  run: {problem}")
    failing = [r for r in run.suites if not r.passed]
    for result in failing:
        if not result.failures:
            continue
        lines.append("")
        lines.append(f"{result.suite.name}: {result.failed} failing test(s)")
        for failure in result.failures[:SHOWN]:
            lines.append(_indent(failure.explain()))
        if result.failed > SHOWN:
            lines.append(f"  ... and {result.failed - SHOWN} more (see --format json)")
    if run.shrunk is not None:
        shrunk = run.shrunk
        lines.append("")
        lines.append(f"shortest failure, shrunk from {len(shrunk.original.case.steps)} to "
                     f"{len(shrunk.result.case.steps)} steps ({shrunk.suite} "
                     f"{shrunk.original.case.name}, {shrunk.attempts} reruns): "
                     f"{shrunk.result.verdict.value}: {shrunk.result.message}")
        lines.append(format_trace(shrunk.result.case.trace(
            f"{shrunk.original.case.name} shrunk "
            f"[{shrunk.result.case.start.configuration.name}]")).rstrip("\n"))
        lines.append("replay script:")
        lines.append(_indent(replay_script(shrunk, run.adapter, run.table, timeout, mapping)
                             .rstrip("\n")))
    lines.append("")
    lines.append(summary_line(run))
    return "\n".join(lines) + "\n"


def summary_line(run: RunResult) -> str:
    """The verdict of the whole run in one line (the text report's last line)."""
    total = sum(r.suite.size for r in run.suites)
    failed = sum(r.failed for r in run.suites)
    not_run = sum(r.not_run for r in run.suites)
    if run.passed:
        return f"PASSED: {total} tests in {len(run.suites)} suite(s)"
    return (f"FAILED: {failed} of {total} tests failed"
            + (f", {not_run} not run" if not_run else "")
            + (f"; {len(run.problems)} run problem(s)" if run.problems else ""))


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line if line else line for line in text.split("\n"))


def _failure_dict(result: CaseResult) -> dict[str, Any]:
    case = result.case
    return {
        "test": case.name, "verdict": result.verdict.value, "step": result.step,
        "expected": result.expected, "actual": result.actual, "message": result.message,
        "start": start_to_dict(case.start),
        "inputs": [input_to_dict(s.input) for s in case.steps[: result.step or 0]],
        "answers": list(result.answers),
    }


def run_to_dict(run: RunResult, timeout: float = 5.0, mapping: str | None = None
                ) -> dict[str, Any]:
    """The run as JSON-ready data (schema :data:`RUN_SCHEMA`)."""
    shrunk = None
    if run.shrunk is not None:
        shrunk = {"suite": run.shrunk.suite, "test": run.shrunk.original.case.name,
                  "original steps": len(run.shrunk.original.case.steps),
                  "reruns": run.shrunk.attempts,
                  **_failure_dict(run.shrunk.result),
                  "script": replay_script(run.shrunk, run.adapter, run.table, timeout,
                                            mapping)}
    return {
        "schema": RUN_SCHEMA,
        "table": run.table,
        "adapter": run.adapter,
        "passed": run.passed,
        "suites": [{
            "name": r.suite.name, "description": r.suite.description,
            "tests": r.suite.size, "steps": r.suite.steps, "length": r.suite.length,
            "facts": {k: v for k, v in r.suite.facts},
            "counts": r.counts(), "not run": r.not_run, "stopped": r.stopped or None,
            "failures": [_failure_dict(f) for f in r.failures],
            "failures not listed": r.failed - len(r.failures),
        } for r in run.suites],
        "problems": list(run.problems),
        "shrunk": shrunk,
    }


def format_junit(run: RunResult, time: float | None = None) -> str:
    """JUnit XML (the shared :func:`statusproof.junit.write_junit`): one ``testsuite`` per
    suite, one ``testcase`` per test with the seconds it took; ``time`` is the whole run's."""
    suites = []
    for result in run.suites:
        classname = f"statusproof.{result.suite.name}"
        properties = [("table", run.table), ("adapter", run.adapter),
                      *((key, str(value)) for key, value in result.suite.facts)]
        failed = {r.case.name: r for r in result.failures}
        cases = []
        times = result.times or (None,) * len(result.names)
        for name, seconds in zip(result.names, times, strict=True):
            found = failed.get(name)
            if found is None:
                cases.append(JUnitCase(name, classname, seconds))
                continue
            outcome = "failure" if found.verdict is Verdict.FAIL else "error"
            kind = "fail" if found.verdict is Verdict.FAIL else found.verdict.value
            cases.append(JUnitCase(name, classname, seconds, outcome, kind, found.message,
                                   found.explain()))
        if result.not_run:
            for skipped in list(result.suite.tests)[len(result.names):]:
                cases.append(JUnitCase(skipped.name, classname, None, "skipped",
                                       message=result.stopped))
        spent = sum(result.times) if result.times else None
        suites.append(JUnitSuite(result.suite.name, cases, properties, spent))
    if run.problems:
        suites.append(JUnitSuite("run", [JUnitCase(
            "finish", "statusproof.run", None, "error", "run", run.problems[0],
            "\n".join(run.problems))]))
    return write_junit("statusproof conform", suites, time)
