"""The cell grammar's tables, run without lark, against lark itself.

model/celltables.py is made by lark at build time (scripts/gen_cell_tables.py) and run by
model/lalr.py. Here: the file is what lark makes of today's grammar (not stale, byte for
byte), and every token sequence the interpreter parses on the corpora, plus random ones, gets
the same tree (or the same refusal) from both.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from statusproof.model import celltables, grammar
from statusproof.model.grammar import GRAMMAR, STARTS, parse
from statusproof.model.interpret import interpret
from statusproof.model.lalr import Tree, generate, grammar_digest
from statusproof.model.loaders import load_table
from statusproof.model.tokens import TERMINALS, Token

ROOT = Path(__file__).resolve().parent
CORPORA = [ROOT / "corpus", ROOT / "corpus" / "holdout", ROOT / "corpus" / "holdout2",
           ROOT / "fixtures"]
BUNDLED = ROOT.parent / "model" / "data" / "rescue-session-statuses.txt"


@cache
def _lark() -> Any:
    from lark import Lark
    from lark.lexer import Lexer

    class Given(Lexer):
        def __init__(self, conf: object) -> None:
            pass

        def lex(self, data: Any) -> Any:
            return iter(data)

    return Lark(GRAMMAR, parser="lalr", lexer=Given, start=list(STARTS))


def _by_lark(tokens: list[Token], start: str) -> Tree | None:
    from lark import Tree as LarkTree
    from lark.exceptions import LarkError

    def convert(node: Any) -> Any:
        if isinstance(node, LarkTree):
            return Tree(str(node.data), [convert(c) for c in node.children])
        return node

    try:
        return convert(_lark().parse(tokens, start=start))  # type: ignore[no-any-return]
    except LarkError:
        return None


def _same(a: Any, b: Any) -> bool:
    """Equal trees whose leaves are the very same tokens (type and place)."""
    if isinstance(a, Tree) or isinstance(b, Tree):
        return (isinstance(a, Tree) and isinstance(b, Tree) and a.data == b.data
                and len(a.children) == len(b.children)
                and all(_same(x, y) for x, y in zip(a.children, b.children, strict=True)))
    return a is b


def test_the_tables_are_what_lark_makes_of_the_grammar_today() -> None:
    assert grammar_digest(GRAMMAR, STARTS) == celltables.DIGEST, \
        "the grammar changed: run python scripts/gen_cell_tables.py"
    path = Path(celltables.__file__)
    assert path.read_text(encoding="utf-8") == generate(GRAMMAR, STARTS)


_KINDS = st.sampled_from(sorted(TERMINALS))


@cache
def _corpus_parses() -> tuple[tuple[tuple[Token, ...], str], ...]:
    """Every (tokens, start rule) the interpreter parses on the bundled table and the corpora."""
    import statusproof.model.cells as cells
    import statusproof.model.recall as recall
    seen: list[tuple[tuple[Token, ...], str]] = []

    def recording(tokens: list[Token], start: str) -> Tree | None:
        seen.append((tuple(tokens), start))
        return parse(tokens, start)

    modules = [m for m in (grammar, cells, recall) if getattr(m, "parse", None) is parse]
    paths = [BUNDLED, *sorted(p for folder in CORPORA if folder.is_dir()
                              for p in folder.iterdir()
                              if p.suffix in (".txt", ".md", ".csv", ".html"))]
    try:
        for module in modules:
            module.parse = recording  # type: ignore[attr-defined]
        for path in paths:
            try:
                interpret(load_table(str(path)))
            except Exception:
                continue
    finally:
        for module in modules:
            module.parse = parse  # type: ignore[attr-defined]
    return tuple(seen)


def test_every_parse_on_the_corpora_is_lark_s() -> None:
    seen = _corpus_parses()
    assert len(seen) > 1000  # the corpora do go through the parser
    trees = 0
    for tokens, start in seen:
        ours, theirs = parse(list(tokens), start), _by_lark(list(tokens), start)
        assert _same(ours, theirs), (start, [(t.type, str(t)) for t in tokens])
        trees += ours is not None
    assert trees > 300  # and many of them parse


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_edited_corpus_sequences_get_lark_s_answer(data: st.DataObject) -> None:
    # one parse of the corpora with a token dropped, doubled or replaced: near the grammar,
    # where a driver's mistakes would show
    tokens, start = data.draw(st.sampled_from(_corpus_parses()))
    edited = list(tokens)
    at = data.draw(st.integers(0, len(edited) - 1))
    how = data.draw(st.sampled_from(["drop", "double", "replace", "none"]))
    if how == "drop" and len(edited) > 1:
        del edited[at]
    elif how == "double":
        edited.insert(at, edited[at])
    elif how == "replace":
        kind = data.draw(_KINDS)
        edited[at] = Token(kind, kind.lower(), at, end_pos=at + 1)
    start = data.draw(st.sampled_from([start, *STARTS]))
    assert _same(parse(edited, start), _by_lark(edited, start))



@settings(max_examples=400, deadline=None)
@given(st.lists(_KINDS, min_size=1, max_size=12), st.sampled_from(STARTS))
def test_random_token_sequences_get_lark_s_answer(kinds: list[str], start: str) -> None:
    tokens = [Token(kind, kind.lower(), i, end_pos=i + 1) for i, kind in enumerate(kinds)]
    assert _same(parse(tokens, start), _by_lark(tokens, start))
