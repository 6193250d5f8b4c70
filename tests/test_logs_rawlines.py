"""Blocks of complete lines (:mod:`statusproof.logcheck.rawlines`), numbered as the file is.

The line breaks of a block are counted by numpy once it is loaded (large blocks) and by
``bytes.count`` otherwise; both must number every line as splitting the whole file does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy  # noqa: F401  (loaded: the blocks' breaks are counted by numpy)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusproof.logcheck.rawlines import Block, _breaks, read_blocks


@given(st.binary(max_size=300_000))
@settings(max_examples=60, deadline=None)
def test_breaks_are_counted_alike_either_way(data: bytes) -> None:
    assert "numpy" in sys.modules
    assert _breaks(data) == data.count(b"\n")
    padded = data + b"\n" * (70_000 - len(data)) if len(data) < 70_000 else data
    assert _breaks(padded) == padded.count(b"\n")


@given(lines=st.lists(st.binary(max_size=40_000).map(lambda b: b.replace(b"\n", b"")),
                      min_size=1, max_size=40),
       block=st.sampled_from([100, 70_000, 1 << 20]), last_break=st.booleans())
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_blocks_number_every_line_as_the_file_is_split(tmp_path: Path, lines: list[bytes],
                                                       block: int, last_break: bool) -> None:
    text = b"\n".join(lines) + (b"\n" if last_break else b"")
    path = tmp_path / "lines.txt"
    path.write_bytes(text)
    numbered: list[tuple[int, bytes]] = []
    for item in read_blocks(path, "lines.txt", block_size=block):
        assert type(item) is Block
        parts = item.data.split(b"\n")
        if item.data.endswith(b"\n"):
            parts.pop()
        assert len(parts) == item.lines
        numbered.extend(enumerate(parts, item.first))
    expected = text.split(b"\n")
    if expected[-1] == b"":  # what follows the last break is no line (an empty file: none)
        expected.pop()
    assert numbered == list(enumerate(expected, 1))
