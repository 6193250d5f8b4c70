"""The cell language: a grammar (lark, LALR) that reads one Previous or Next entry.

An entry is split into clauses at ``;`` and at full stops between sentences. Each clause is
tokenised over the table's own names (:mod:`statusproof.model.tokens`) and parsed by the
first of these grammar rules that accepts it (an ordered choice of LALR parsers):

``end_clause``
    ``none``, ``n/a``, ``-``, ``no further status``, ``(end)`` ..., with an optional
    condition (``none if <condition>``);
``reference``
    ``See X status.``, ``See the X row``, ``Same as X``, ``As for X``;
``led``
    a condition before a colon (``If payment fails: Failed``, ``On user request: Retrying``)
    or ``Otherwise, D`` / ``else D``;
``listing``
    statuses separated by ``,`` ``;`` ``/`` ``or`` ``and``, each with an optional condition in
    parentheses, and an optional condition (``if``, ``when``, ``unless``, ``once``, ``after``
    ..., a comma before it belongs to it) or ``otherwise`` / ``in all other cases`` /
    ``(default)`` after them.

A condition is then tried against the history grammar (``if the session was in X status``,
``if it was previously X``, ``provided it had been in X or Y``, ``when it came from X`` ...),
and a phrase in a status position against the grammar of history returns (``the previous
status``, ``reverts to whatever status it had before the pause`` ...). Whatever is left is
judged by words: a capitalised phrase of at most five words without sentence words is a name
(an undefined status where no row has it; in a Previous cell, an outside trigger unless some
Next cell uses it as a status); anything else makes its clause a trigger (a Previous clause
that names no row) or *uninterpreted*.

Every fragment of a clause gets exactly one reading with its character span in the entry
(:class:`~statusproof.model.model.Fragment`). This module reads; building the model from the
readings is :mod:`statusproof.model.interpret`'s job.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError
from lark.lexer import Lexer

from .model import Fragment
from .names import normalise
from .table import Column
from .tokens import SENTENCE_WORDS, TERMINALS, Lexicon, tokenize

__all__ = ["Target", "Clause", "read_entry", "reference_of", "GRAMMAR", "MAX_WORDS"]

#: The most words (outside a final qualifier) a phrase may have to read as a status name.
MAX_WORDS = 5

GRAMMAR = r"""
end_clause: END+ modifier? PERIOD?
reference: (SEE | SAME) THE? ref_name STATUSWORD? PERIOD?
ref_name: (NAME | rword)+
led: OTHERWISE (COMMA | CCOMMA)? targets PERIOD?            -> otherwise_first
   | COND nocolon+ COLON targets PERIOD?          -> cond_first
colon_led: nocolon+ COLON targets PERIOD?
listing: targets modifier? PERIOD?

targets: target (sep target)*
sep: COMMA | SEMI | SLASH | OR | AND | COMMA OR | COMMA AND
target: (NAME | word) (NAME | word)* paren?
paren: LPAR inner+ RPAR
modifier: CCOMMA? COND any+                       -> condition
        | CCOMMA? OTHERWISE                       -> otherwise

// a condition after its keyword, read as a history condition when it fits
hist_cond: subject hverb IN? THE? hnames any*
         | subject? CAME FROM THE? hnames any*
         | THE? PREV STATUSWORD WAS THE? hnames any*
         | hnames WAS THE? PREV STATUSWORD any*
subject: IT | THE (WORD | CAPWORD) (WORD | CAPWORD)?
hverb: WAS ADV? | HAD BEEN ADV? | HAD ADV BEEN
hnames: hname (hsep hname)*
hname: NAME | CAPWORD+
hsep: COMMA | OR | AND | SLASH | COMMA OR

// a phrase in a status position, read as a return to the remembered status when it fits
hist_return: lead? THE? PREV STATUSWORD any*
           | lead? THE? STATUSWORD IT hhad any*
           | lead? WHATEVER STATUSWORD IT hhad any*
lead: (GO | BACK | TO | IN)+
hhad: HAD | WAS

word: WORD | CAPWORD | OTHER | END | THE | IT | WAS | HAD | BEEN | IN | FROM | CAME | ADV | PREV
    | WHATEVER | BACK | TO | GO | STATUSWORD
rword: WORD | CAPWORD | OTHER | END | THE | IT | WAS | HAD | BEEN | IN | FROM | CAME | ADV | PREV
     | WHATEVER | BACK | TO | GO
inner: NAME | word | COND | OR | AND | OTHERWISE | SEE | SAME | COMMA | CCOMMA | SEMI | SLASH
     | COLON | PERIOD
nocolon: NAME | word | COND | OR | AND | OTHERWISE | SEE | SAME | COMMA | CCOMMA | SLASH | LPAR
       | RPAR
any: nocolon | COLON | SEMI | PERIOD

%declare CCOMMA """ + " ".join(TERMINALS) + "\n"

_STARTS = ("end_clause", "reference", "led", "colon_led", "listing", "hist_cond", "hist_return")


class _Given(Lexer):
    """Hands the parser the tokens :func:`tokenize` made (the lexicon is the table's)."""

    def __init__(self, conf: object) -> None:
        pass

    def lex(self, data: _Box) -> list[Token]:  # type: ignore[override]
        return data.tokens


@dataclass
class _Box:
    tokens: list[Token]


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", lexer=_Given, start=list(_STARTS))


def _parse(tokens: list[Token], start: str) -> Tree[Token] | None:
    if not tokens:
        return None
    try:
        return _parser().parse(_Box(tokens), start=start)  # type: ignore[arg-type,unused-ignore]
    except LarkError:
        return None


@dataclass(frozen=True)
class Target:
    """One place a clause leads to (or comes from), with its own guard.

    ``kind``: ``row`` (``name`` is the row), ``undefined`` (``name`` is the phrase),
    ``end`` (no successor / no predecessor) or ``return`` (back to the remembered status).
    ``guard``: None, ``condition`` (``text``), ``unless`` (``text`` does not hold),
    ``history`` (``names``: the statuses the remembered status is compared with) or
    ``otherwise``.
    """

    kind: str
    name: str = ""
    guard: str | None = None
    text: str = ""
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Clause:
    """What one clause of an entry says: ``kind`` is ``steps`` (see ``targets``),
    ``reference`` (``reference``: the name referred to), ``trigger`` or ``uninterpreted``."""

    kind: str
    targets: tuple[Target, ...] = ()
    reference: str = ""
    fragments: tuple[Fragment, ...] = field(default=())
    start: int = 0
    end: int = 0


# -- small helpers ------------------------------------------------------------------------------
def _tokens(tree: Tree[Token] | Token) -> list[Token]:
    if isinstance(tree, Token):
        return [tree]
    return [t for t in tree.scan_values(lambda v: isinstance(v, Token))]


def _span(tokens: Sequence[Token]) -> tuple[int, int]:
    return (tokens[0].start_pos or 0, tokens[-1].end_pos or 0)


def _text(entry: str, tokens: Sequence[Token]) -> str:
    start, end = _span(tokens)
    return entry[start:end]


def _frag(entry: str, tokens: Sequence[Token], reading: str, why: str,
          statuses: tuple[str, ...] = ()) -> Fragment:
    start, end = _span(tokens)
    return Fragment(reading, entry[start:end], start, end, why, statuses)


def _condition_text(entry: str, keyword: Token, body: Sequence[Token]) -> str:
    """The condition as the guard keeps it: without its keyword and a final full stop."""
    trimmed = list(body)
    while trimmed and trimmed[-1].type in ("PERIOD", "COLON"):
        trimmed.pop()
    return _text(entry, trimmed) if trimmed else str(keyword)


def _words(tokens: Sequence[Token]) -> list[str]:
    return [t.lower() for t in tokens if t.type not in ("LPAR", "RPAR", "OTHER", "PERIOD")]


def reads_as_name(entry: str, tokens: Sequence[Token]) -> bool:
    """A capitalised phrase of at most :data:`MAX_WORDS` words (outside a final qualifier)
    without sentence words: a name, not a sentence."""
    base = list(tokens)
    if base and base[-1].type == "RPAR" and any(t.type == "LPAR" for t in base):
        opening = max(i for i, t in enumerate(base) if t.type == "LPAR")
        qualifier, base = base[opening + 1:-1], base[:opening]
        if not qualifier or (qualifier[0].type == "COND" and qualifier[0].lower() != "after") \
                or any(w in SENTENCE_WORDS - {"after", "once"} for w in _words(qualifier)):
            return False
    words = _words(base)
    if not base or not words or len(words) > MAX_WORDS:
        return False
    first = str(base[0])
    if not (first[0].isupper() or first[0].isdigit()):
        return False
    return not any(w in SENTENCE_WORDS for w in words)


# -- clauses --------------------------------------------------------------------------------
def _clauses(tokens: list[Token]) -> list[list[Token]]:
    """Split at ``;`` and at a full stop followed by more text, outside parentheses."""
    out: list[list[Token]] = [[]]
    depth = 0
    for i, token in enumerate(tokens):
        depth += token.type == "LPAR"
        depth = max(0, depth - (token.type == "RPAR"))
        split = depth == 0 and (token.type == "SEMI" or (
            token.type == "PERIOD" and i + 1 < len(tokens) and str(tokens[i + 1])[:1].isupper()))
        if split:
            if token.type == "PERIOD":
                out[-1].append(token)
            out.append([])
        else:
            out[-1].append(token)
    return [part for c in out if c for part in _split_otherwise(c)]


def _split_otherwise(tokens: list[Token]) -> list[list[Token]]:
    """``C if <condition>, otherwise D`` and ``C if <condition>, D otherwise``: two clauses."""
    if not any(t.type == "COND" for t in tokens):
        return [tokens]
    depth, commas, seen = 0, [], False
    for i, token in enumerate(tokens):
        depth += token.type == "LPAR"
        depth = max(0, depth - (token.type == "RPAR"))
        seen = seen or token.type == "COND"
        if depth == 0 and token.type == "COMMA" and seen:
            commas.append(i)
    last = [t for t in tokens if t.type != "PERIOD"]
    for i in reversed(commas):
        following = tokens[i + 1:]
        if following and (following[0].type == "OTHERWISE" or last[-1].type == "OTHERWISE"):
            return [tokens[:i], following]
    return [tokens]


def _mark_condition_commas(tokens: list[Token]) -> list[Token]:
    """A comma right before a condition keyword belongs to the condition (``CCOMMA``)."""
    out = list(tokens)
    for i, token in enumerate(out[:-1]):
        if token.type == "COMMA" and out[i + 1].type in ("COND", "OTHERWISE"):
            out[i] = Token("CCOMMA", str(token), start_pos=token.start_pos,
                           end_pos=token.end_pos)
    return out


class _Reader:
    """Reads the clauses of one entry."""

    def __init__(self, entry: str, column: Column, rows: dict[int, str],
                 next_names: Container[str] | None, amended: bool) -> None:
        self.entry = entry
        self.column = column
        self.rows = rows
        self.next_names = next_names
        self.amended = amended

    def row(self, token: Token) -> str:
        return self.rows[token.start_pos or 0]

    def clause(self, tokens: list[Token]) -> Clause:
        start, end = _span(tokens)
        return replace(self._clause(tokens), start=start, end=end)

    def _clause(self, tokens: list[Token]) -> Clause:
        for start in ("end_clause", "reference", "led", "colon_led", "listing"):
            tree = _parse(tokens, start)
            if tree is None:
                continue
            read: Clause | None = getattr(self, f"_{tree.data}")(tree)
            if read is not None:
                return read
        return self.prose(tokens)

    def prose(self, tokens: list[Token],
              reason: str = "matches no rule of the cell language") -> Clause:
        if self.column is Column.PREVIOUS and not self.amended \
                and not any(t.type == "NAME" for t in tokens):
            return Clause("trigger", fragments=(_frag(
                self.entry, tokens, "trigger",
                "a Previous entry that names no row: an event outside the table"),))
        return Clause("uninterpreted", fragments=(_frag(self.entry, tokens, "uninterpreted",
                                                         reason),))

    # -- the grammar's rules --------------------------------------------------------------
    def _end_clause(self, tree: Tree[Token]) -> Clause | None:
        ends = [t for t in tree.children if isinstance(t, Token) and t.type == "END"]
        fragments = [_frag(self.entry, ends, "end", "no successor" if self.column is Column.NEXT
                           else "no predecessor: the status is an entry point")]
        guard = self._modifier(next((c for c in tree.children if isinstance(c, Tree)), None),
                               fragments)
        if guard is not None and self.column is Column.PREVIOUS:
            return None
        return Clause("steps", (Target("end", "", *guard) if guard else Target("end"),),
                      fragments=tuple(fragments))

    def _reference(self, tree: Tree[Token]) -> Clause:
        name = next(c for c in tree.children if isinstance(c, Tree) and c.data == "ref_name")
        text = _text(self.entry, _tokens(name))
        return Clause("reference", reference=text, fragments=(_frag(
            self.entry, _tokens(tree), "reference",
            f"stands for the {self.column.title} cell of {text!r}"),))

    def _otherwise_first(self, tree: Tree[Token]) -> Clause | None:
        lead = [c for c in tree.children if isinstance(c, Token) and c.type != "PERIOD"]
        targets = next(c for c in tree.children if isinstance(c, Tree))
        fragments = [_frag(self.entry, lead, "otherwise",
                           "holds when none of the other conditions of the cell holds")]
        return self._steps(targets, ("otherwise", "otherwise", ()), fragments)

    def _cond_first(self, tree: Tree[Token]) -> Clause | None:
        keyword = tree.children[0]
        assert isinstance(keyword, Token)
        colon = next(i for i, c in enumerate(tree.children)
                     if isinstance(c, Token) and c.type == "COLON")
        body = [t for c in tree.children[1:colon] for t in _tokens(c)]
        fragments: list[Fragment] = []
        guard = self._guard(keyword, body, [keyword, *body, *_tokens(tree.children[colon])],
                            fragments)
        targets = next(c for c in tree.children[colon:] if isinstance(c, Tree))
        return self._steps(targets, guard, fragments)

    def _colon_led(self, tree: Tree[Token]) -> Clause | None:
        colon = next(i for i, c in enumerate(tree.children)
                     if isinstance(c, Token) and c.type == "COLON")
        body = [t for c in tree.children[:colon] for t in _tokens(c)]
        if any(t.type == "NAME" for t in body):
            return None  # "Open: ..." is no condition
        text = _text(self.entry, body)
        fragments = [_frag(self.entry, [*body, tree.children[colon]], "condition",  # type: ignore[list-item]
                           "a condition before a colon")]
        targets = next(c for c in tree.children[colon:] if isinstance(c, Tree))
        return self._steps(targets, ("condition", text, ()), fragments)

    def _listing(self, tree: Tree[Token]) -> Clause | None:
        targets = tree.children[0]
        assert isinstance(targets, Tree)
        fragments: list[Fragment] = []
        modifier = next((c for c in tree.children[1:] if isinstance(c, Tree)), None)
        tail: list[Fragment] = []
        guard = self._modifier(modifier, tail)
        return self._steps(targets, guard, fragments, tail)

    # -- pieces -------------------------------------------------------------------------
    def _modifier(self, tree: Tree[Token] | None, fragments: list[Fragment]
                  ) -> tuple[str, str, tuple[str, ...]] | None:
        if tree is None:
            return None
        tokens = _tokens(tree)
        if tree.data == "otherwise":
            fragments.append(_frag(self.entry, tokens, "otherwise",
                                   "holds when none of the other conditions of the cell holds"))
            return ("otherwise", "otherwise", ())
        at = next(i for i, t in enumerate(tokens) if t.type == "COND")
        return self._guard(tokens[at], tokens[at + 1:], tokens, fragments)

    def _guard(self, keyword: Token, body: list[Token], shown: list[Token],
               fragments: list[Fragment]) -> tuple[str, str, tuple[str, ...]]:
        history = _parse(body, "hist_cond")
        if history is not None and keyword.lower() not in ("unless", "after", "once"):
            names = next(c for c in history.iter_subtrees() if c.data == "hnames")
            rows = tuple(self.row(part[0]) if part[0].type == "NAME" else
                         _text(self.entry, part)
                         for part in (_tokens(c) for c in names.children
                                      if isinstance(c, Tree) and c.data == "hname"))
            fragments.append(_frag(self.entry, shown, "history",
                                   "a condition on the status held before: "
                                   + " or ".join(rows), rows))
            return ("history", "", rows)
        negated = keyword.lower() == "unless"
        fragments.append(_frag(self.entry, shown, "condition",
                               f"a condition ({keyword.lower()} ...)"
                               + (": the step is taken when it does not hold" if negated else "")))
        return ("unless" if negated else "condition",
                _condition_text(self.entry, keyword, body), ())

    def _steps(self, tree: Tree[Token], guard: tuple[str, str, tuple[str, ...]] | None,
               fragments: list[Fragment], tail: Sequence[Fragment] = ()) -> Clause | None:
        targets: list[Target] = []
        for node in tree.children:
            if not isinstance(node, Tree) or node.data != "target":
                continue
            read = self._target(node, guard, fragments)
            if read is None:
                return None
            targets.extend(read)
        fragments.extend(tail)
        fragments.sort(key=lambda f: f.start)
        if not targets and not any(f.reading == "trigger" for f in fragments):
            return None
        if self.column is Column.PREVIOUS and any(
                t.kind == "return" or t.guard == "otherwise" for t in targets):
            return None
        if any(t.kind == "return" and t.guard is not None for t in targets):
            return None  # a return under a condition: two guards the model cannot combine
        return Clause("steps", tuple(targets), fragments=tuple(fragments))

    def _target(self, node: Tree[Token], guard: tuple[str, str, tuple[str, ...]] | None,
                fragments: list[Fragment]) -> list[Target] | None:
        tokens = _tokens(node)
        paren = next((c for c in node.children if isinstance(c, Tree) and c.data == "paren"),
                     None)
        base = tokens[:len(tokens) - len(_tokens(paren))] if paren is not None else tokens
        named = base[0].type == "NAME" and all(t.type == "STATUSWORD" for t in base[1:])
        own = guard
        if paren is not None and (named or self._paren_is_condition(paren)):
            inside = _tokens(paren)[1:-1]
            own_fragments: list[Fragment] = []
            if inside[0].type == "COND":
                own = self._guard(inside[0], inside[1:], _tokens(paren), own_fragments)
            else:
                own = ("condition", _text(self.entry, inside), ())
                own_fragments.append(_frag(self.entry, _tokens(paren), "condition",
                                           "a condition in parentheses after a status"))
            fragments.extend(own_fragments)
            tokens = base
        if named:
            row = self.row(base[0])
            fragments.append(_frag(self.entry, base, "status", f"the row {row!r}", (row,)))
            return [self._make("row", row, own)]
        if self.column is Column.NEXT and _parse(tokens, "hist_return") is not None:
            fragments.append(_frag(self.entry, tokens, "history",
                                   "back to the status held before (the remembered status)"))
            return [self._make("return", "", own)]
        if not reads_as_name(self.entry, tokens):
            return None
        text = _text(self.entry, tokens)
        if self.column is Column.PREVIOUS and not self.amended and (
                self.next_names is None or normalise(text) not in self.next_names):
            fragments.append(_frag(self.entry, tokens, "trigger",
                                   "names no row and no Next cell leads to it: an event "
                                   "outside the table"))
            return []
        fragments.append(_frag(self.entry, tokens, "undefined-status",
                               "a name no row has: kept as a status without a row"))
        return [self._make("undefined", text, own)]

    def _paren_is_condition(self, paren: Tree[Token]) -> bool:
        inside = _tokens(paren)[1:-1]
        strong = inside[0].type == "COND" and inside[0].lower() not in ("after", "once")
        return strong or any(w in SENTENCE_WORDS - {"after", "once"} for w in _words(inside))

    @staticmethod
    def _make(kind: str, name: str, guard: tuple[str, str, tuple[str, ...]] | None) -> Target:
        if guard is None:
            return Target(kind, name)
        return Target(kind, name, guard[0], guard[1], guard[2])


def read_entry(text: str, column: Column, lexicon: Lexicon,
               next_names: Container[str] | None = None, amended: bool = False
               ) -> list[Clause]:
    """The clauses of one Previous or Next entry, each with its fragments.

    ``next_names`` holds the normalised names that Next cells use as undefined statuses (a
    Previous phrase among them is a status, not a trigger); ``amended`` reads the text of a
    reading amendment, where a name is never a trigger.

    >>> from statusproof.model.tokens import Lexicon
    >>> lex = Lexicon.build([(n, n) for n in ("Open", "Held", "Retrying")])
    >>> [c.targets for c in read_entry("Held if it was previously Open", Column.NEXT, lex)]
    [(Target(kind='row', name='Held', guard='history', text='', names=('Open',)),)]
    >>> [f.reading for c in read_entry("Retrying (on user request)", Column.NEXT, lex)
    ...  for f in c.fragments]
    ['status', 'condition']
    """
    tokens, rows = tokenize(text, lexicon)
    reader = _Reader(text, column, rows, next_names, amended)
    return [reader.clause(_mark_condition_commas(clause)) for clause in _clauses(tokens)]


def reference_of(text: str, lexicon: Lexicon) -> str | None:
    """The name a ``See X status.`` / ``Same as X`` entry refers to, or None."""
    tokens, _ = tokenize(text, lexicon)
    tree = _parse(tokens, "reference")
    if tree is None:
        return None
    name = next(c for c in tree.children if isinstance(c, Tree) and c.data == "ref_name")
    return _text(text, _tokens(name))
