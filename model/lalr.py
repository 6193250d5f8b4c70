"""Running the cell grammar's LALR tables without lark: the parse trees, the driver, and how
the tables are made.

The tables are made once, at build time, by lark from :data:`statusproof.model.grammar.GRAMMAR`
(:func:`generate`, run by ``python scripts/gen_cell_tables.py``) and kept as plain Python data in
:mod:`statusproof.model.celltables`; reading a table needs only that data and :func:`run`
(about 30 lines), so ``statusproof check`` does not import lark (about 60 ms of start-up: the
import and the loading of its parser). The trees are built as lark builds them (a rule whose
name starts with ``_``, such as the helpers lark makes for ``x+``, is spliced into its parent;
an alias names the tree), so the readers in :mod:`statusproof.model.cells` see lark's trees.
``tests/test_lalr.py`` holds the two to each other: the tables' grammar is the grammar, and
every entry of the corpora gets the same tree from lark and from :func:`run`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from .tokens import Token

__all__ = ["Tree", "run", "generate", "grammar_digest"]

#: a state's actions: a shift (or, for a rule's name, a goto) to a state (>= 0), or a reduction
#: by rule ``-1 - entry``
Table = dict[str, int]
#: a rule: its name (for the goto), the tree it makes (None: its children are spliced into its
#: parent's), its length, and what to do with each child (0 keep, 1 drop, 2 splice)
Rule = tuple[str, str | None, int, tuple[int, ...]]


class Tree:
    """A node of a parse tree: ``data`` (the rule or its alias) and ``children`` (trees and
    tokens), with the two of lark's traversals the readers use."""

    __slots__ = ("children", "data")

    def __init__(self, data: str, children: list[Tree | Token]) -> None:
        self.data = data
        self.children = children

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Tree) and self.data == other.data
                and self.children == other.children)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Tree({self.data!r}, {self.children!r})"

    def iter_subtrees(self) -> Iterator[Tree]:
        """Every subtree, this one included, depth first, each child before its parent."""
        for child in self.children:
            if isinstance(child, Tree):
                yield from child.iter_subtrees()
        yield self

    def scan_values(self, pred: Callable[[Tree | Token], bool]) -> Iterator[Token]:
        """The leaves that satisfy ``pred``, in order."""
        for child in self.children:
            if isinstance(child, Tree):
                yield from child.scan_values(pred)
            elif pred(child):
                yield child


def run(tokens: Sequence[Token], start: int, end: int, states: Sequence[Table],
        rules: Sequence[Rule]) -> Tree | None:
    """Parse ``tokens`` from the state ``start`` (``end``: the state after the whole start rule,
    lark's end state); None when the grammar does not derive them."""
    stack = [start]
    values: list[Any] = []
    for position in range(len(tokens) + 1):
        last = position == len(tokens)
        kind = "$END" if last else tokens[position].type
        while True:
            action = states[stack[-1]].get(kind)
            if action is None:
                return None
            if action >= 0:
                if last:  # pragma: no cover (lark's tables end the start rule instead)
                    return None
                stack.append(action)
                values.append(tokens[position])
                break
            origin, data, length, mask = rules[-1 - action]
            children: list[Any] = []
            if length:
                for value, how in zip(values[-length:], mask, strict=True):
                    if how == 0:
                        children.append(value)
                    elif how == 2:
                        children.extend(value)
                del values[-length:]
                del stack[-length:]
            stack.append(states[stack[-1]][origin])
            values.append(Tree(data, children) if data is not None else children)
            if last and stack[-1] == end:
                return values[-1]  # type: ignore[no-any-return]
    raise AssertionError("unreachable")  # pragma: no cover


def grammar_digest(grammar: str, starts: Sequence[str]) -> str:
    """What the tables were made from (the check that they are not stale)."""
    import hashlib
    return hashlib.sha256("\n".join([grammar, *starts]).encode()).hexdigest()


def generate(grammar: str, starts: Sequence[str]) -> str:
    """The source of :mod:`statusproof.model.celltables`: lark's LALR tables for ``grammar``
    (whose terminals are all declared: the tokens come from our own tokenizer), as data."""
    from lark import Lark
    from lark.grammar import NonTerminal, Terminal
    from lark.lexer import Lexer
    from lark.parsers.lalr_analysis import Shift

    class _Given(Lexer):  # lark wants a lexer; the tables do not depend on it
        def __init__(self, conf: object) -> None:
            pass

        def lex(self, lexer_state: Any, parser_state: Any) -> Any:  # pragma: no cover
            return lexer_state

    lark = Lark(grammar, parser="lalr", lexer=_Given, start=list(starts))
    table = lark.parser.parser.parser.parse_table
    rules: list[Rule] = []
    numbers: dict[Any, int] = {}

    def number(rule: Any) -> int:
        if rule not in numbers:
            options = rule.options
            if options.expand1 or options.keep_all_tokens or options.empty_indices:
                raise ValueError(f"rule {rule}: ?rules, !rules and [] are not supported")
            mask = tuple(1 if isinstance(s, Terminal) and s.filter_out else
                         2 if isinstance(s, NonTerminal) and s.name.startswith("_") else 0
                         for s in rule.expansion)
            name = str(rule.origin.name)
            rules.append((name, None if name.startswith("_") else str(rule.alias or name),
                          len(rule.expansion), mask))
            numbers[rule] = len(rules) - 1
        return numbers[rule]

    # lark numbers its states in an order that changes from run to run: number them in the
    # order a breadth-first walk from the start states (in order) first meets them, so that
    # the same grammar always gives the same file
    order: dict[Any, int] = {}
    queue = [table.start_states[name] for name in starts]
    for state in queue:
        if state in order:
            continue
        order[state] = len(order)
        queue += [arg for _, (action, arg) in sorted(table.states[state].items())
                  if action is Shift]
    assert len(order) == len(table.states)
    states = [{str(kind): order[arg] if action is Shift else -1 - number(arg)
               for kind, (action, arg) in sorted(table.states[state].items())}
              for state in order]
    begin = {name: order[table.start_states[name]] for name in starts}
    end = {name: order[table.end_states[name]] for name in starts}
    lines = ['"""The cell grammar\'s LALR tables, made by lark from '
             ':data:`statusproof.model.grammar.GRAMMAR`.',
             "",
             "Generated by ``python scripts/gen_cell_tables.py``; do not edit. Run by",
             ":func:`statusproof.model.lalr.run`.",
             '"""',
             "",
             "from __future__ import annotations",
             "",
             "# fmt: off",
             "# ruff: noqa: E501",
             f"DIGEST = {grammar_digest(grammar, starts)!r}",
             f"START: dict[str, int] = {begin!r}",
             f"END: dict[str, int] = {end!r}",
             "RULES: tuple[tuple[str, str | None, int, tuple[int, ...]], ...] = ("]
    lines += [f"    {rule!r}," for rule in rules]
    lines += [")", "STATES: tuple[dict[str, int], ...] = ("]
    lines += [f"    {state!r}," for state in states]
    lines += [")", ""]
    return "\n".join(lines)
