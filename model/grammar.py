"""The grammar of the cell language (LALR) and the token-level helpers of reading.

This module owns :data:`GRAMMAR` and :func:`parse` (one LALR table per start rule, tried in
order by :mod:`statusproof.model.cells`; the tables are lark's, made at build time and run by
:mod:`statusproof.model.lalr`), and small helpers over tokens: spans and
texts, the clause split (at ``;``, between sentences, before ``otherwise``), the comma that
belongs to a condition, and whether a phrase reads as a status name. What a parse means is
:mod:`statusproof.model.cells`' business; the tokens are :mod:`statusproof.model.tokens`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeGuard

from .lalr import Tree, run
from .model import Fragment
from .tokens import QUOTES, SENTENCE_WORDS, TERMINALS, Token

__all__ = ["GRAMMAR", "STARTS", "MAX_WORDS", "Tree", "parse", "is_tree", "tokens_of", "span",
           "text_of", "fragment", "condition_text", "reads_as_name", "clauses",
           "mark_condition_commas", "words_outside"]

#: The most words (outside a final qualifier) a phrase may have to read as a status name.
MAX_WORDS = 5

GRAMMAR = r"""
end_clause: END+ remark? modifier? PERIOD?
          | END+ (DASH | COMMA) nocolon+ PERIOD?   -> end_remark
remark: LPAR inner+ RPAR
reference: (SEE | SAME | AS) THE? ref_name PERIOD?
ref_name: (NAME | word)+
led: OTHERWISE (COMMA | CCOMMA | COLON)? targets PERIOD?    -> otherwise_first
   | COND nocolon+ COLON targets PERIOD?          -> cond_first
colon_led: nocolon+ COLON targets PERIOD?
listing: targets modifier? PERIOD?

targets: target (sep target)*
sep: COMMA | SEMI | SLASH | OR | AND | COMMA OR | COMMA AND
target: (NAME | word) (NAME | word)* paren?
paren: LPAR inner+ RPAR
modifier: CCOMMA? COND any+                       -> condition
        | CCOMMA? OTHERWISE                       -> otherwise
        | CCOMMA WHATEVER any+                    -> choice
        | CCOMMA? DEPENDING any+                  -> choice
        | CCOMMA? MATCHING any+                   -> choice
        | CCOMMA SAME any+                        -> choice

// a condition after its keyword, read as a history condition when it fits
hist_cond: subject hverb IN? THE? hnames any*
         | ADV IN? THE? hnames any*
         | subject? CAME FROM THE? hnames any*
         | THE? PREV STATUSWORD WAS THE? hnames any*
         | hnames WAS THE? PREV STATUSWORD any*
subject: IT | THE (WORD | CAPWORD) (WORD | CAPWORD)? | THE STATUSWORD
hverb: WAS ADV? | HAD BEEN ADV? | HAD ADV BEEN
hnames: hname (hsep hname)*
hname: NAME | CAPWORD+
hsep: COMMA | OR | AND | SLASH | COMMA OR

// a condition that says the row was, had or held the status pointed at ("that status")
hist_that: hsubj tverb IN? hthat any*
hsubj: IT | THE | THE (WORD | CAPWORD) (WORD | CAPWORD)?
tverb: WAS ADV? | ADV? HAD ADV? | HAD BEEN ADV? | HAD ADV BEEN
hthat: THE WORD? STATUSWORD

// a phrase in a status position, read as a return to the remembered status when it fits
hist_return: lead? THE? PREV WORD? STATUSWORD any*
           | lead? THE? STATUSWORD holder? (hhad | ADV | CAME) any*
           | lead? WHATEVER STATUSWORD holder? (hhad | ADV | CAME) any*
holder: IT | THE (WORD | CAPWORD)
lead: (GO | BACK | TO | IN)+
hhad: HAD | WAS

word: WORD | CAPWORD | OTHER | END | THE | IT | WAS | HAD | BEEN | IN | FROM | CAME | ADV | PREV
    | WHATEVER | BACK | TO | GO | STATUSWORD | AS
rword: WORD | CAPWORD | OTHER | END | THE | IT | WAS | HAD | BEEN | IN | FROM | CAME | ADV | PREV
     | WHATEVER | BACK | TO | GO | AS
inner: NAME | word | COND | OR | AND | OTHERWISE | SEE | SAME | COMMA | CCOMMA | SEMI | SLASH
     | COLON | PERIOD | DASH | DEPENDING | MATCHING
nocolon: NAME | word | COND | OR | AND | OTHERWISE | SEE | SAME | COMMA | CCOMMA | SLASH | LPAR
       | RPAR | DASH | DEPENDING | MATCHING
any: nocolon | COLON | SEMI | PERIOD

%declare CCOMMA """ + " ".join(TERMINALS) + "\n"

#: the start rules, tried in order by :mod:`statusproof.model.cells`
STARTS = ("end_clause", "reference", "led", "colon_led", "listing", "hist_cond", "hist_that",
          "hist_return")


def parse(tokens: list[Token], start: str) -> Tree | None:
    """The parse tree of ``tokens`` from the rule ``start``, or None."""
    if not tokens:
        return None
    from . import celltables as t
    return run(tokens, t.START[start], t.END[start], t.STATES, t.RULES)


def is_tree(node: Tree | Token) -> TypeGuard[Tree]:
    """True for a node of a parse tree, False for a token."""
    return isinstance(node, Tree)


# -- small helpers ------------------------------------------------------------------------------
def tokens_of(tree: Tree | Token) -> list[Token]:
    if isinstance(tree, Token):
        return [tree]
    return [t for t in tree.scan_values(lambda v: isinstance(v, Token))]


def span(tokens: Sequence[Token]) -> tuple[int, int]:
    return (tokens[0].start_pos or 0, tokens[-1].end_pos or 0)


def text_of(entry: str, tokens: Sequence[Token]) -> str:
    start, end = span(tokens)
    return entry[start:end]


def fragment(entry: str, tokens: Sequence[Token], reading: str, why: str,
          statuses: tuple[str, ...] = ()) -> Fragment:
    start, end = span(tokens)
    if end < len(entry) and entry[end] in QUOTES and sum(c in QUOTES for c in entry[start:end]) % 2:
        end += 1  # the closing quote of a quoted name ("See 'Closed'")
    return Fragment(reading, entry[start:end], start, end, why, statuses)


def condition_text(entry: str, keyword: Token, body: Sequence[Token]) -> str:
    """The condition as the guard keeps it: without its keyword and a final full stop."""
    trimmed = list(body)
    while trimmed and trimmed[-1].type in ("PERIOD", "COLON"):
        trimmed.pop()
    return text_of(entry, trimmed) if trimmed else str(keyword)


def words_outside(tokens: Sequence[Token]) -> list[str]:
    return [t.lower() for t in tokens if t.type not in ("LPAR", "RPAR", "OTHER", "PERIOD")]


def reads_as_name(entry: str, tokens: Sequence[Token]) -> bool:
    """A capitalised phrase of at most :data:`MAX_WORDS` words (outside a final qualifier)
    without sentence words: a name, not a sentence."""
    base = list(tokens)
    if base and base[-1].type == "RPAR" and any(t.type == "LPAR" for t in base):
        opening = max(i for i, t in enumerate(base) if t.type == "LPAR")
        qualifier, base = base[opening + 1:-1], base[:opening]
        if not qualifier or (qualifier[0].type == "COND"
                             and qualifier[0].lower() not in ("after", "once")) \
                or any(w in SENTENCE_WORDS - {"after", "once"} for w in words_outside(qualifier)):
            return False
    words = words_outside(base)
    if not base or not words or len(words) > MAX_WORDS:
        return False
    first = str(base[0])
    if not (first[0].isupper() or first[0].isdigit()):
        return False
    return not any(w in SENTENCE_WORDS for w in words)


# -- clauses --------------------------------------------------------------------------------
def clauses(tokens: list[Token]) -> list[list[Token]]:
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
    """``C if <condition>, otherwise D``, ``C if <condition>, D otherwise`` and ``C if
    <condition>, D if <condition>``: two clauses."""
    if not any(t.type == "COND" for t in tokens):
        return _split_or_else(tokens)
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
    for i in commas:  # "C if <condition>, D if <condition>": two clauses
        following = tokens[i + 1:]
        if following and following[0].type in ("OR", "AND"):
            following = following[1:]
        keyword = max(k for k in range(i) if tokens[k].type == "COND")
        body = tokens[keyword + 1:i]
        if body and body[-1].type in ("NAME", "CAPWORD") and parse(body, "hist_cond"):
            continue  # "if it was in A, B or C when ...": a list of names goes on
        if len(following) > 2 and following[0].type in ("NAME", "CAPWORD") \
                and following[1].type in ("COND", "OTHERWISE"):
            return [tokens[:i], *_split_otherwise(following)]
    return [tokens]


def _split_or_else(tokens: list[Token]) -> list[list[Token]]:
    """``C, or else D`` / ``C; otherwise D`` with no condition: two clauses (the second an
    explicit default)."""
    for i, token in enumerate(tokens[:-2]):
        if token.type == "COMMA" and tokens[i + 1].type == "OTHERWISE" \
                and tokens[i + 2].type not in ("PERIOD", "COMMA"):
            return [tokens[:i], tokens[i + 1:]]
    return [tokens]


def mark_condition_commas(tokens: list[Token]) -> list[Token]:
    """A comma, a dash or a colon right before a condition keyword (or ``otherwise``, ``whichever``,
    ``depending on``, ``matching``, ``the same as``) belongs to the condition (``CCOMMA``)."""
    out = list(tokens)
    for i, token in enumerate(out[:-1]):
        if token.type in ("COMMA", "DASH", "COLON") and out[i + 1].type in _LEADS_A_CONDITION:
            out[i] = Token("CCOMMA", str(token), start_pos=token.start_pos,
                           end_pos=token.end_pos)
    return out


_LEADS_A_CONDITION = frozenset({"COND", "OTHERWISE", "WHATEVER", "DEPENDING", "MATCHING", "SAME"})
