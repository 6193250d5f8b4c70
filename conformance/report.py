"""Reports of a conformance run: text for people, JSON for tools, JUnit XML for CI.

All three are deterministic (no times, no dates, no absolute paths): the same run gives the
same bytes. Failures are listed with the inputs up to the wrong answer; the shortest failure,
shrunk, is shown as a trace (the shared :func:`~statusproof.model.trace.format_trace` format)
and as a replayable script (:func:`~statusproof.conformance.runner.replay_script`). Running is
:mod:`statusproof.conformance.runner`'s job; printing and files are the CLI's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

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


def format_junit(run: RunResult) -> str:
    """JUnit XML: one ``testsuite`` per suite, one ``testcase`` per test."""
    root = ET.Element("testsuites", name="statusproof conform")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for result in run.suites:
        counts = result.counts()
        failures = counts[Verdict.FAIL.value]
        errors = result.failed - failures
        element = ET.SubElement(root, "testsuite", name=result.suite.name,
                                tests=str(result.suite.size), failures=str(failures),
                                errors=str(errors), skipped=str(result.not_run))
        properties = ET.SubElement(element, "properties")
        ET.SubElement(properties, "property", name="table", value=run.table)
        ET.SubElement(properties, "property", name="adapter", value=run.adapter)
        for key, value in result.suite.facts:
            ET.SubElement(properties, "property", name=key, value=str(value))
        failed = {r.case.name: r for r in result.failures}
        for name in result.names:
            case = ET.SubElement(element, "testcase", name=name,
                                 classname=f"statusproof.{result.suite.name}")
            case_result = failed.get(name)
            if case_result is None:
                continue
            if case_result.verdict is Verdict.FAIL:
                node = ET.SubElement(case, "failure", type="fail",
                                     message=case_result.message)
                node.text = case_result.explain()
            else:
                node = ET.SubElement(case, "error", type=case_result.verdict.value,
                                     message=case_result.message)
                node.text = case_result.explain()
        if result.not_run:
            for skipped in list(result.suite.tests)[len(result.names):]:
                case = ET.SubElement(element, "testcase", name=skipped.name,
                                     classname=f"statusproof.{result.suite.name}")
                ET.SubElement(case, "skipped", message=result.stopped)
        totals["tests"] += result.suite.size
        totals["failures"] += failures
        totals["errors"] += errors
        totals["skipped"] += result.not_run
    for key, value in totals.items():
        root.set(key, str(value))
    if run.problems:
        element = ET.SubElement(root, "testsuite", name="run", tests="1", failures="0",
                                errors="1", skipped="0")
        case = ET.SubElement(element, "testcase", name="finish", classname="statusproof.run")
        node = ET.SubElement(case, "error", type="run", message=run.problems[0])
        node.text = "\n".join(run.problems)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
