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

from .names import normalise
from .record import record

__all__ = ["Token", "Lexicon", "tokenize", "SENTENCE_WORDS", "words_of", "TERMINALS",
           "KEYWORD_KEYS", "DASHES", "QUOTES", "merge_ends", "NEGATIONS"]

class Token(str):
    """One token: its text, its terminal (``type``) and its span in the entry.

    The parser (lark, imported only when an entry needs it: see
    :mod:`statusproof.model.grammar`) takes these as they are; they carry the attributes it
    reads (``type`` and the positions), so that reading a table whose entries are all plain
    names never imports lark."""

    type: str
    start_pos: int | None
    end_pos: int | None
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None

    def __new__(cls, type: str, value: str, start_pos: int | None = None,
                line: int | None = None, column: int | None = None,
                end_line: int | None = None, end_column: int | None = None,
                end_pos: int | None = None) -> Token:
        self = super().__new__(cls, value)
        self.type = type
        self.start_pos = start_pos
        self.end_pos = end_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        return self

    @property
    def value(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {str(self)!r})"


#: A word (with its apostrophes and inner hyphens: ``Won't``, ``Pre-arbitration``) or one
#: other character.
_RAW = re.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")

#: Single words the grammar reads, by terminal.
_WORDS: dict[str, str] = {}
for _terminal, _words in {
    "COND": "if when whenever unless once after within provided providing upon should where",
    "OR": "or",
    "AND": "and",
    "OTHERWISE": "otherwise else",
    "END": "none nothing end ends final terminal initial",
    "SEE": "see",
    "STATUSWORD": "status state statuses states row stage",
    "THE": "the this that its their a an",
    "IT": "it they he she",
    "WAS": "was is were",
    "HAD": "had has have held",
    "BEEN": "been",
    "IN": "in at",
    "FROM": "from",
    "CAME": "came come comes coming entered reached",
    "ADV": "formerly previously originally before already",
    "MATCHING": "matching",
    "PREV": "previous former prior preceding earlier original last",
    "WHATEVER": "whatever whichever",
    "BACK": "back",
    "TO": "to",
    "AS": "as",
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
    ("or", "else"): "OTHERWISE",
    ("if", "none", "of", "the", "above"): "OTHERWISE",
    ("if", "none", "of", "these"): "OTHERWISE",
    ("in", "all", "remaining", "cases"): "OTHERWISE",
    ("in", "the", "other", "cases"): "OTHERWISE",
    ("in", "all", "others", "cases"): "OTHERWISE",
    ("for", "all", "other", "cases"): "OTHERWISE",
    ("failing", "that"): "OTHERWISE",
    ("in", "case"): "COND",
    ("in", "case", "of"): "COND",
    ("as", "soon", "as"): "COND",
    ("only", "if"): "COND",
    ("only", "when"): "COND",
    ("but", "only", "if"): "COND",
    ("if", "and", "when"): "COND",
    ("provided", "that"): "COND",
    ("in", "the", "event", "that"): "COND",
    ("in", "the", "event", "of"): "COND",
    ("on", "condition", "that"): "COND",
    ("as", "long", "as"): "COND",
    ("so", "long", "as"): "COND",
    ("if", "and", "only", "if"): "COND",
    ("except", "when"): "COND",
    ("except", "if"): "COND",
    ("except", "where"): "COND",
    ("except", "in", "case"): "COND",
    ("but", "not", "if"): "COND",
    ("but", "not", "when"): "COND",
    ("depending", "on"): "DEPENDING",
    ("depending", "upon"): "DEPENDING",
    ("according", "to"): "DEPENDING",
    ("corresponding", "to"): "MATCHING",
    ("in", "line", "with"): "MATCHING",
    ("based", "on"): "DEPENDING",
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
    ("no", "further"): "END",
    ("no", "more"): "END",
    ("entry", "point"): "END",
    ("starting", "point"): "END",
    ("refer", "to"): "SEE",
    ("see", "also"): "SEE",
    ("please", "see"): "SEE",
    ("please", "refer", "to"): "SEE",
    ("same", "as", "for"): "SAME",
    ("the", "same", "as", "for"): "SAME",
    ("the", "same", "as"): "SAME",
    ("as", "with"): "SAME",
    ("as", "described", "for"): "SAME",
    ("as", "described", "under"): "SAME",
    ("as", "described", "in"): "SAME",
    ("as", "in"): "SAME",
    ("identical", "to"): "SAME",
    ("same", "as"): "SAME",
    ("as", "for"): "SAME",
    ("and", "/", "or"): "OR",
}
# "if neither applies", "if none of the above apply", "if none of these holds": a condition
# that only says the other conditions do not hold is the default, never a condition of its
# own. The verb must follow at once: "if neither the buyer nor the seller objects" stays a
# condition.
for _subject in (("neither",), ("neither", "of", "these"), ("neither", "of", "the", "above"),
                 ("none", "of", "the", "above"), ("none", "of", "these"),
                 ("none", "of", "them")):
    for _verb in ("applies", "apply", "holds", "hold"):
        _PHRASES[("if", *_subject, _verb)] = "OTHERWISE"
_LONGEST_PHRASE = max(len(p) for p in _PHRASES)
#: Names that are, word for word, a keyword or keyword phrase of the cell language.
KEYWORD_KEYS = frozenset({(w,) for w in _WORDS} | set(_PHRASES))
_PHRASE_FIRST = frozenset(p[0] for p in _PHRASES)

_PUNCT = {",": "COMMA", ";": "SEMI", "/": "SLASH", ":": "COLON", "(": "LPAR", ")": "RPAR",
          ".": "PERIOD"}
#: Quotation marks: never part of a name (an apostrophe inside a word is part of the word).
QUOTES = frozenset({'"', "'", "\u2018", "\u2019", "\u201c", "\u201d", "\u201e", "\u00ab",
                    "\u00bb", "`"})
#: Dashes: alone, an end (``-``); between words, a separator like a comma (a hyphen inside
#: a word is part of it).
DASHES = frozenset({"-", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212"})

#: Every terminal a token may have (the grammar declares them).
TERMINALS: tuple[str, ...] = tuple(sorted(
    {"NAME", "WORD", "CAPWORD", "OTHER", "DASH", *_WORDS.values(), *_PHRASES.values(),
     *_PUNCT.values()}))

#: First words of a condition keyword that negate it (``unless``, ``except when``; and any
#: keyword with ``not``: ``but not if``).
NEGATIONS = frozenset({"unless", "except"})

#: Words that make a phrase a sentence rather than a status name (outside a known name).
SENTENCE_WORDS = frozenset({
    "if", "when", "whenever", "unless", "once", "after", "before", "until", "while", "because",
    "since", "whatever", "whichever", "the", "a", "an", "this", "that", "these", "those", "its",
    "it", "they", "them", "their", "there", "he", "she", "is", "are", "was", "were", "be", "been",
    "being", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "may",
    "might", "shall", "should", "must", "who", "which", "whose", "where", "then", "than",
    "otherwise", "else", "formerly", "previously", "upon", "except", "please", "depending",
    "within", "any", "every", "each", "already", "matching",
})


@record
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
    folded = text.casefold()
    if _PLAIN.fullmatch(folded):  # words and spaces only (most names): the words as split
        return tuple(folded.rstrip().rstrip(".").split())
    found = [m.group().casefold() for m in _RAW.finditer(normalise(text))]
    return tuple(found)


#: Text made of word characters and white space only, with at most full stops at its end:
#: its raw tokens are its white-space separated words (a fast path of :func:`words_of`).
_PLAIN = re.compile(r"[\w\s]*\.*\s*")


def tokenize(text: str, lexicon: Lexicon) -> tuple[list[Token], dict[int, str]]:
    """The tokens of one entry, each with its span (``start_pos``, ``end_pos``), and the row
    each ``NAME`` token answers to (by its ``start_pos``).

    >>> lex = Lexicon.build([("On Hold", "On Hold"), ("Open", "Open")])
    >>> [(t.type, str(t)) for t in tokenize("On Hold or Open if it was in Open status", lex)[0]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('NAME', 'On Hold'), ('OR', 'or'), ('NAME', 'Open'), ('COND', 'if'), ('IT', 'it'),
     ('WAS', 'was'), ('IN', 'in'), ('NAME', 'Open'), ('STATUSWORD', 'status')]
    """
    raw = [(m.group(), m.start(), m.end()) for m in _RAW.finditer(text)
           if m.group() not in QUOTES]  # quotes around a name are not part of it
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
            elif word in DASHES:
                kind = "END" if not tokens else "DASH"  # a dash first: no status
            elif word in _WORDS:
                kind = _WORDS[word]
            elif word == "on" and tokens and tokens[-1].type == "NAME":
                kind = "COND"  # "Retrying on failure": on, right after a status name
            elif raw[i][0][0].isupper() or raw[i][0][0].isdigit():
                kind = "CAPWORD"
            elif raw[i][0][0].isalnum() or raw[i][0][0] == "_":
                kind = "WORD"
            else:
                kind = "OTHER"
            token = _token(kind, text, raw[i][1], raw[i][2])
        if tokens and tokens[-1].type == "OTHERWISE" and tokens[-1].lower() == "if not" \
                and token.type not in _AFTER_IF_NOT:
            tokens[-1] = _token("COND", text, tokens[-1].start_pos or 0, tokens[-1].end_pos or 0)
        tokens.append(token)
        i += length
    return tokens, rows


#: What may follow "if not" when it means "otherwise" ("If not, X"; "X if not"); before
#: anything else it is a negated condition ("X if not resolved in time").
_AFTER_IF_NOT = frozenset({"COMMA", "COLON", "PERIOD", "SEMI", "NAME", "RPAR", "DASH"})


#: Words that may stand beside an end word in a phrase that still means only "no successor"
#: (or "no predecessor"): ``Final status``, ``This is a final status.``, ``Nothing further``,
#: ``end of the lifecycle``, ``(terminal status)``, ``None (initial status)``.
END_COMPANIONS = frozenset({
    "this", "that", "it", "is", "was", "a", "an", "the", "its", "status", "state", "stage",
    "step", "statuses", "states", "of", "lifecycle", "life", "cycle", "workflow", "process",
    "here", "there", "no", "further", "more", "next", "previous", "first", "last", "one",
    "point", "reached", "ends", "change", "changes", "transition", "transitions", "action",
    "actions", "steps", "possible", "allowed", "are", "be",
})
#: Tokens that bound a phrase in a name position (a clause, or a list item).
_BEFORE = frozenset({"COMMA", "SEMI", "SLASH", "OR", "AND", "COLON", "PERIOD", "DASH",
                     "OTHERWISE", "LPAR"})
_AFTER = frozenset({"COMMA", "SEMI", "SLASH", "OR", "AND", "COLON", "PERIOD", "DASH", "COND",
                    "OTHERWISE", "RPAR", "LPAR", "DEPENDING"})


def merge_ends(tokens: list[Token]) -> list[Token]:
    """Every phrase made only of end words and their companions, with at least one end word
    (``Final status``, ``This is a final status``, ``Nothing further``), standing where a name
    stands (between separators), becomes one ``END`` token; so does such a phrase in
    parentheses (``(none)``, ``(terminal status)``).

    >>> lex = Lexicon.build([])
    >>> [(t.type, str(t)) for t in merge_ends(tokenize("This is a final status.", lex)[0])]
    [('END', 'This is a final status'), ('PERIOD', '.')]
    """
    if not any(t.type == "END" or t.lower() == "no" for t in tokens):
        return tokens
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        j = i
        if i == 0 or tokens[i - 1].type in _BEFORE:
            while j < len(tokens) and (tokens[j].type == "END"
                                       or tokens[j].lower() in END_COMPANIONS):
                j += 1
        run = tokens[i:j]
        core = any(t.type == "END" for t in run) or (len(run) > 1 and run[0].lower() == "no")
        if not core or (j < len(tokens)
                                                      and tokens[j].type not in _AFTER):
            out.append(tokens[i])
            i += 1
            continue
        first, last = run[0], run[-1]
        if out and out[-1].type == "LPAR" and j < len(tokens) and tokens[j].type == "RPAR":
            first, last = out.pop(), tokens[j]  # (none), (terminal status)
            run = [first, *run, last]
            j += 1
        out.append(Token("END", " ".join(str(t) for t in run), start_pos=first.start_pos,
                         end_pos=last.end_pos))
        i = j
    return out


def _token(kind: str, text: str, start: int, end: int) -> Token:
    return Token(kind, text[start:end], start_pos=start, end_pos=end)
