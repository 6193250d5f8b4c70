"""Tokens of the cell language: the words of one cell entry, with the table's own names.

This module owns the first step of reading a Previous or Next entry: splitting its text into
tokens, each with its character span in the entry. A :class:`Lexicon` holds the table's row
names, the short names of qualified rows and the aliases; where one of them occurs, the
longest match wins and becomes one ``NAME`` token that carries the row it answers to. Every
other word becomes a keyword token when it is one of the small words the grammar reads
(``if``, ``or``, ``none``, ``otherwise``, ``previous`` ...), or a plain ``WORD``. Several
words may make one keyword (``in all other cases``, ``no further status``, ``n/a``).

The grammar over these tokens is :mod:`statusproof.model.cells`'; this module decides nothing
about what an entry means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lark import Token

from .names import normalise

__all__ = ["Lexicon", "tokenize", "SENTENCE_WORDS", "words_of", "TERMINALS", "KEYWORD_KEYS"]

_RAW = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")

#: Single words the grammar reads, by terminal.
_WORDS: dict[str, str] = {}
for _terminal, _words in {
    "COND": "if when whenever unless once after provided providing",
    "OR": "or",
    "AND": "and",
    "OTHERWISE": "otherwise else",
    "END": "none nothing end final",
    "SEE": "see",
    "STATUSWORD": "status state statuses states row stage",
    "THE": "the this that its their a an",
    "IT": "it they he she",
    "WAS": "was is were",
    "HAD": "had has have held",
    "BEEN": "been",
    "IN": "in at",
    "FROM": "from",
    "CAME": "came come comes coming",
    "ADV": "formerly previously originally before",
    "PREV": "previous former prior preceding earlier original last",
    "WHATEVER": "whatever whichever",
    "BACK": "back",
    "TO": "to",
    "GO": "return returns returned returning revert reverts reverted reverting go goes "
          "going went resume resumes resumed resuming restore restores restored "
          "restoring switch switches switched",
}.items():
    for _word in _words.split():
        _WORDS.setdefault(_word, _terminal)

#: Phrases of several words that make one token (lower case, as raw tokens).
_PHRASES: dict[tuple[str, ...], str] = {
    ("in", "all", "other", "cases"): "OTHERWISE",
    ("in", "any", "other", "case"): "OTHERWISE",
    ("in", "other", "cases"): "OTHERWISE",
    ("in", "every", "other", "case"): "OTHERWISE",
    ("by", "default"): "OTHERWISE",
    ("(", "default", ")"): "OTHERWISE",
    ("(", "otherwise", ")"): "OTHERWISE",
    ("if", "not"): "OTHERWISE",
    ("failing", "that"): "OTHERWISE",
    ("in", "case"): "COND",
    ("as", "soon", "as"): "COND",
    ("only", "if"): "COND",
    ("only", "when"): "COND",
    ("but", "only", "if"): "COND",
    ("if", "and", "when"): "COND",
    ("provided", "that"): "COND",
    ("n", "/", "a"): "END",
    ("n", ".", "a", "."): "END",
    ("n", ".", "a"): "END",
    ("not", "applicable"): "END",
    ("no", "further", "status"): "END",
    ("no", "further", "statuses"): "END",
    ("no", "next", "status"): "END",
    ("no", "previous", "status"): "END",
    ("no", "successor"): "END",
    ("no", "predecessor"): "END",
    ("(", "end", ")"): "END",
    ("(", "final", ")"): "END",
    ("end", "of", "lifecycle"): "END",
    ("same", "as", "for"): "SAME",
    ("same", "as"): "SAME",
    ("as", "for"): "SAME",
    ("and", "/", "or"): "OR",
}
_LONGEST_PHRASE = max(len(p) for p in _PHRASES)
#: Names that are, word for word, a keyword or keyword phrase of the cell language.
KEYWORD_KEYS = frozenset({(w,) for w in _WORDS} | set(_PHRASES))
_PHRASE_FIRST = frozenset(p[0] for p in _PHRASES)

_PUNCT = {",": "COMMA", ";": "SEMI", "/": "SLASH", ":": "COLON", "(": "LPAR", ")": "RPAR",
          ".": "PERIOD"}
_DASHES = {"-", "\u2013", "\u2014"}

#: Every terminal a token may have (the grammar declares them).
TERMINALS: tuple[str, ...] = tuple(sorted(
    {"NAME", "WORD", "CAPWORD", "OTHER", *_WORDS.values(), *_PHRASES.values(), *_PUNCT.values()}))

#: Words that make a phrase a sentence rather than a status name (outside a known name).
SENTENCE_WORDS = frozenset({
    "if", "when", "whenever", "unless", "once", "after", "before", "until", "while", "because",
    "since", "whatever", "whichever", "the", "a", "an", "this", "that", "these", "those", "its",
    "it", "they", "them", "their", "there", "he", "she", "is", "are", "was", "were", "be", "been",
    "being", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "may",
    "might", "shall", "should", "must", "who", "which", "whose", "where", "then", "than",
    "otherwise", "else", "formerly", "previously",
})


@dataclass(frozen=True)
class Lexicon:
    """The table's names as token sequences: row names, short names and aliases.

    ``names`` maps a normalised mention to the row it answers to (see
    :class:`~statusproof.model.names.NameIndex`); matching compares word tokens, case-folded.
    """

    index: Mapping[tuple[str, ...], str]
    first: Mapping[str, tuple[int, ...]]  # first word -> lengths of names starting with it

    @classmethod
    def build(cls, names: Iterable[tuple[str, str]]) -> Lexicon:
        """From ``(mention, row)`` pairs: every spelling that answers to a row."""
        index: dict[tuple[str, ...], str] = {}
        first: dict[str, set[int]] = {}
        for mention, row in names:
            key = words_of(mention)
            if not key:
                continue
            index.setdefault(key, row)
            first.setdefault(key[0], set()).add(len(key))
        return cls(index, {w: tuple(sorted(n, reverse=True)) for w, n in first.items()})

    def match(self, words: list[str], at: int, initial: str = "",
              written: str = "") -> tuple[int, str] | None:
        """The longest name starting at word ``at``: (number of words, row), or None.

        ``initial`` is the first letter as written: a name spelt with a capital is not
        matched by a lower-case word (``placed`` in "Order placed by the buyer" is no
        mention of the row "Placed"), unless ``initial`` is empty (the whole entry is in
        lower case, as some tables write every name). A row whose whole name is a word of
        the cell language (a row called ``None`` or ``End``) is matched only when spelt with
        the row's own first letter (``written``, given whatever the case of the entry): in
        lower case, ``none`` keeps its meaning."""
        for length in self.first.get(words[at], ()):
            if at + length <= len(words):
                key = tuple(words[at:at + length])
                row = self.index.get(key)
                if row is None:
                    continue
                if key in KEYWORD_KEYS and written[:1] != row[:1]:
                    continue
                if not initial or not initial.islower() or not row[:1].isupper():
                    return length, row
        return None


def words_of(text: str) -> tuple[str, ...]:
    """The raw tokens of ``text``, case-folded, without a final full stop.

    >>> words_of("Closed (by active customer).")
    ('closed', '(', 'by', 'active', 'customer', ')')
    """
    found = [m.group().casefold() for m in _RAW.finditer(normalise(text))]
    return tuple(found)


def tokenize(text: str, lexicon: Lexicon) -> tuple[list[Token], dict[int, str]]:
    """The tokens of one entry, each with its span (``start_pos``, ``end_pos``), and the row
    each ``NAME`` token answers to (by its ``start_pos``).

    >>> lex = Lexicon.build([("On Hold", "On Hold"), ("Open", "Open")])
    >>> [(t.type, str(t)) for t in tokenize("On Hold or Open if it was in Open status", lex)[0]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('NAME', 'On Hold'), ('OR', 'or'), ('NAME', 'Open'), ('COND', 'if'), ('IT', 'it'),
     ('WAS', 'was'), ('IN', 'in'), ('NAME', 'Open'), ('STATUSWORD', 'status')]
    """
    raw = [(m.group(), m.start(), m.end()) for m in _RAW.finditer(text)]
    folded = [r[0].casefold() for r in raw]
    lower = not any(c.isupper() for c in text)
    tokens: list[Token] = []
    rows: dict[int, str] = {}
    i = 0
    while i < len(raw):
        named = lexicon.match(folded, i, "" if lower else raw[i][0][:1], raw[i][0][:1])
        phrase = None
        if folded[i] in _PHRASE_FIRST:
            phrase = next(((n, _PHRASES[tuple(folded[i:i + n])])
                           for n in range(min(_LONGEST_PHRASE, len(raw) - i), 0, -1)
                           if tuple(folded[i:i + n]) in _PHRASES), None)
        if named is not None and (phrase is None or named[0] >= phrase[0]):
            length, row = named
            token = _token("NAME", text, raw[i][1], raw[i + length - 1][2])
            rows[raw[i][1]] = row
        elif phrase is not None:
            length = phrase[0]
            token = _token(phrase[1], text, raw[i][1], raw[i + length - 1][2])
        else:
            length = 1
            word = folded[i]
            if word in _PUNCT:
                kind = _PUNCT[word]
            elif word in _DASHES:
                kind = "END" if len(raw) == 1 else "OTHER"
            elif word in _WORDS:
                kind = _WORDS[word]
            elif raw[i][0][0].isupper() or raw[i][0][0].isdigit():
                kind = "CAPWORD"
            elif raw[i][0][0].isalnum() or raw[i][0][0] == "_":
                kind = "WORD"
            else:
                kind = "OTHER"
            token = _token(kind, text, raw[i][1], raw[i][2])
        tokens.append(token)
        i += length
    return tokens, rows


def _token(kind: str, text: str, start: int, end: int) -> Token:
    return Token(kind, text[start:end], start_pos=start, end_pos=end)
