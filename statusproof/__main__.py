"""``python -m statusproof``: the same as the ``statusproof`` command."""

from statusproof.cli import entry

entry()
