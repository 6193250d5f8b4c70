"""JUnit XML, the one writer of the reports that CI systems read (``conform``, ``logs``).

This module owns the shape of the XML: ``<testsuites>`` with totals, a ``<testsuite>`` per
:class:`JUnitSuite` (``tests``, ``failures``, ``errors``, ``skipped``, ``time``, properties),
a ``<testcase>`` per :class:`JUnitCase` (``name``, ``classname``, ``time`` when measured) with
at most one ``<failure>``, ``<error>`` or ``<skipped>`` and an optional ``<system-out>``.
What the suites and cases are is the caller's business (:mod:`statusproof.conformance.report`
makes one case per test, :mod:`statusproof.logcheck.report` one per session); this module
depends on nothing else in statusproof, so both layers can use it.

Everything but the ``time`` attributes is deterministic: the same cases give the same bytes.
``time`` is measured by the caller (seconds); tests that compare outputs mask it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from statusproof.model.record import record

__all__ = ["JUnitCase", "JUnitSuite", "write_junit", "OUTCOMES"]

#: What a test case can end with besides passing.
OUTCOMES = ("failure", "error", "skipped")


@record
class JUnitCase:
    """One test case: passed when ``outcome`` is None, else ``failure`` (the implementation
    or the records are wrong), ``error`` (the test could not be judged) or ``skipped``."""

    name: str
    classname: str
    time: float | None = None
    outcome: str | None = None
    kind: str = ""
    message: str = ""
    body: str = ""
    output: str = ""


@record
class JUnitSuite:
    """A suite of cases with its properties (name, value) and its time (seconds)."""

    name: str
    cases: Sequence[JUnitCase]
    properties: Sequence[tuple[str, str]] = ()
    time: float | None = None


def _seconds(value: float) -> str:
    return f"{value:.3f}"


def _totals(cases: Sequence[JUnitCase]) -> dict[str, int]:
    totals = {"tests": len(cases), "failures": 0, "errors": 0, "skipped": 0}
    for case in cases:
        if case.outcome is not None:
            totals["skipped" if case.outcome == "skipped" else f"{case.outcome}s"] += 1
    return totals


def write_junit(name: str, suites: Sequence[JUnitSuite], time: float | None = None) -> str:
    """The JUnit XML document of ``suites`` (UTF-8 text, indented, final newline)."""
    root = ET.Element("testsuites", name=name)
    grand = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        totals = _totals(suite.cases)
        element = ET.SubElement(root, "testsuite", name=suite.name)
        for key, count in totals.items():
            element.set(key, str(count))
        if suite.time is not None:
            element.set("time", _seconds(suite.time))
        if suite.properties:
            properties = ET.SubElement(element, "properties")
            for prop, value in suite.properties:
                ET.SubElement(properties, "property", name=prop, value=value)
        for case in suite.cases:
            if case.outcome is not None and case.outcome not in OUTCOMES:
                raise ValueError(f"unknown JUnit outcome {case.outcome!r}")
            node = ET.SubElement(element, "testcase", name=case.name, classname=case.classname)
            if case.time is not None:
                node.set("time", _seconds(case.time))
            if case.outcome is not None:
                attributes = {"message": case.message}
                if case.outcome != "skipped" and case.kind:
                    attributes["type"] = case.kind
                detail = ET.SubElement(node, case.outcome, attributes)
                if case.body:
                    detail.text = case.body
            if case.output:
                ET.SubElement(node, "system-out").text = case.output
        for key, count in totals.items():
            grand[key] += count
    for key, count in grand.items():
        root.set(key, str(count))
    if time is not None:
        root.set("time", _seconds(time))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"
