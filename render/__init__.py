"""Rendering: diagrams of a checked model and the HTML report.

The model, the checks' findings and optionally a trace become one neutral diagram description
(:mod:`.diagram`, built of :mod:`.elements` styled by :mod:`.style`); small renderers turn it
into Graphviz DOT (:mod:`.dot`), Mermaid (:mod:`.mermaid`) and the HTML report (:mod:`.html`);
:mod:`.graphviz_run` runs Graphviz's ``dot`` for SVG, PNG and PDF. Nothing here runs checks,
prints or exits: the CLI passes findings in and writes the files.
"""
