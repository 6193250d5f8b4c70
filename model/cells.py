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
``if it was previously X``, ``provided it had been in X or Y``, ``when it came from X`` ...)
or a condition that points back to the statuses listed beside it (``if that was its status
when ...``, ``matching the status it was pended from``: :mod:`statusproof.model.recall`);
a condition that speaks of an earlier status it cannot resolve to names is uninterpreted;
and a phrase in a status position against the grammar of history returns (``the previous
status``, ``reverts to whatever status it had before the pause``; a whole clause naming the
place left, ``Resumes where it left off``, too). Whatever is left is
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
from typing import TYPE_CHECKING

from .grammar import (
    clauses,
    condition_text,
    fragment,
    is_tree,
    mark_condition_commas,
    parse,
    reads_as_name,
    span,
    text_of,
    tokens_of,
    words_outside,
)
from .model import Fragment
from .names import normalise
from .recall import mentions_earlier_status, pronoun_history, relative_return, speaks_of_earlier
from .record import field, record, replace
from .table import Column
from .tokens import (
    KEYWORD_KEYS,
    NEGATIONS,
    SENTENCE_WORDS,
    Lexicon,
    Token,
    merge_ends,
    tokenize,
    words_of,
)

if TYPE_CHECKING:
    from .lalr import Tree

__all__ = ["Target", "Clause", "read_entry", "reference_of"]

@record
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


@record
class Clause:
    """What one clause of an entry says: ``kind`` is ``steps`` (see ``targets``),
    ``reference`` (``reference``: the name referred to), ``trigger`` or ``uninterpreted``."""

    kind: str
    targets: tuple[Target, ...] = ()
    reference: str = ""
    fragments: tuple[Fragment, ...] = field(default=())
    start: int = 0
    end: int = 0


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
        start, end = span(tokens)
        return replace(self._clause(tokens), start=start, end=end)

    def _clause(self, tokens: list[Token]) -> Clause:
        kinds = [t.type for t in tokens]
        if kinds == ["NAME"] or kinds == ["NAME", "PERIOD"]:  # the common case, read at once
            row = self.row(tokens[0])
            return Clause("steps", (Target("row", row),), fragments=(fragment(
                self.entry, tokens[:1], "status", f"the row {row!r}", (row,)),))
        if kinds == ["END"] or kinds == ["END", "PERIOD"]:  # 'none' alone: as end_clause reads it
            return Clause("steps", (Target("end"),),
                          fragments=(self._end_fragment(tokens[:1], tokens[:1]),))
        # each rule can only accept clauses that start (or go on) a certain way: try those
        starts = [start for start, fits in (
            ("end_clause", kinds[0] == "END" or kinds[:2] == ["LPAR", "END"]),
            ("reference", kinds[0] in ("SEE", "SAME", "AS")),
            ("led", kinds[0] in ("OTHERWISE", "COND")),
            ("colon_led", "COLON" in kinds),
            ("listing", True)) if fits]
        place = relative_return(tokens, _LEAD_VERBS) if self.column is Column.NEXT else None
        if place == "guarded":
            return self.prose(tokens, "a return to the place the status was left, with a "
                              "condition or a status beside it: guards the model cannot combine")
        if place == "return":
            shown = [t for t in tokens if t.type != "PERIOD"]
            return Clause("steps", (Target("return"),), fragments=(fragment(
                self.entry, shown, "history",
                "back to the place the status was left: the status held before (the "
                "remembered status)"),))
        for start in starts:
            tree = parse(tokens, start)
            if tree is None:
                continue
            read: Clause | None = getattr(self, f"_{tree.data}")(tree)
            if read is not None:
                return read
        return self.prose(tokens)

    def prose(self, tokens: list[Token],
              reason: str = "matches no rule of the cell language") -> Clause:
        if self.column is Column.PREVIOUS and not self.amended and not any(
                t.type in ("NAME", "STATUSWORD") or t.lower() in _QUANTIFIERS for t in tokens):
            return Clause("trigger", fragments=(fragment(
                self.entry, tokens, "trigger",
                "a Previous entry that names no row: an event outside the table"),))
        return Clause("uninterpreted", fragments=(fragment(self.entry, tokens, "uninterpreted",
                                                         reason),))

    # -- the grammar's rules --------------------------------------------------------------
    def _end_clause(self, tree: Tree) -> Clause | None:
        ends = [t for t in tree.children if isinstance(t, Token) and t.type == "END"]
        remark = next((c for c in tree.children if is_tree(c) and c.data == "remark"),
                      None)
        shown = list(ends)
        guard_tree = next((c for c in tree.children if is_tree(c)
                           and c.data != "remark"), None)
        fragments: list[Fragment] = []
        if remark is not None:
            inside = tokens_of(remark)[1:-1]
            if any(t.type == "NAME" for t in inside) or (
                    inside[0].type != "COND" and any(t.type in ("COND", "OTHERWISE")
                                                     for t in inside)):
                return None
            if inside[0].type == "COND":  # none (if the customer cancels): a condition
                if guard_tree is not None:
                    return None
                guard: tuple[str, str, tuple[str, ...]] | None = self._guard(
                    inside[0], inside[1:], tokens_of(remark), fragments)
            else:
                shown.extend(tokens_of(remark))
                guard = None
        fragments.insert(0, self._end_fragment(ends, shown))
        if remark is None or guard is None:
            guard = self._modifier(guard_tree, fragments)
        if guard is not None and guard[0] in ("unread", "choice"):
            return None
        if guard is not None and self.column is Column.PREVIOUS:
            return None
        return Clause("steps", (Target("end", "", *guard) if guard else Target("end"),),
                      fragments=tuple(fragments))

    def _end_remark(self, tree: Tree) -> Clause | None:
        """``None – the car leaves the fleet``, ``none, as the case is closed``: an end and a
        remark that says nothing a model could use (no row, no condition); a comma remark
        must be a sentence (else it is a list: ``none, Closed``)."""
        ends = [t for t in tree.children if isinstance(t, Token) and t.type == "END"]
        at = len(ends)
        mark = tree.children[at]
        assert isinstance(mark, Token)
        rest = [t for c in tree.children[at + 1:] for t in tokens_of(c) if t.type != "PERIOD"]
        if any(t.type in ("NAME", "COND", "OTHERWISE", "CCOMMA") for t in rest):
            return None
        if mark.type == "COMMA" and not any(w in SENTENCE_WORDS for w in words_outside(rest)):
            return None
        return Clause("steps", (Target("end"),), fragments=(
            self._end_fragment(ends, [*ends, mark, *rest]),))

    def _end_fragment(self, ends: list[Token], shown: list[Token]) -> Fragment:
        why = ("no successor" if self.column is Column.NEXT
               else "no predecessor: the status is an entry point")
        if len(shown) > len(ends) or len(ends) > 1:
            why += "; the words beside it are a remark that changes nothing"
        return fragment(self.entry, shown, "end", why)

    def _reference(self, tree: Tree) -> Clause | None:
        text = _referred(self.entry, tree)
        if text is None:
            return None
        return Clause("reference", reference=text, fragments=(fragment(
            self.entry, tokens_of(tree), "reference",
            f"stands for the {self.column.title} cell of {text!r}"),))

    def _otherwise_first(self, tree: Tree) -> Clause | None:
        lead = [c for c in tree.children if isinstance(c, Token) and c.type != "PERIOD"]
        targets = next(c for c in tree.children if is_tree(c))
        fragments = [fragment(self.entry, lead, "otherwise",
                           "holds when none of the other conditions of the cell holds")]
        return self._steps(targets, ("otherwise", "otherwise", ()), fragments)

    def _cond_first(self, tree: Tree) -> Clause | None:
        keyword = tree.children[0]
        assert isinstance(keyword, Token)
        colon = next(i for i, c in enumerate(tree.children)
                     if isinstance(c, Token) and c.type == "COLON")
        body = [t for c in tree.children[1:colon] for t in tokens_of(c)]
        fragments: list[Fragment] = []
        guard = self._guard(keyword, body, [keyword, *body, *tokens_of(tree.children[colon])],
                            fragments)
        targets = next(c for c in tree.children[colon:] if is_tree(c))
        return self._steps(targets, guard, fragments)

    def _colon_led(self, tree: Tree) -> Clause | None:
        colon = next(i for i, c in enumerate(tree.children)
                     if isinstance(c, Token) and c.type == "COLON")
        body = [t for c in tree.children[:colon] for t in tokens_of(c)]
        if any(t.type == "NAME" for t in body):
            return None  # "Open: ..." is no condition
        text = text_of(self.entry, body)
        fragments = [fragment(self.entry, [*body, tree.children[colon]], "condition",  # type: ignore[list-item]
                           "a condition before a colon")]
        targets = next(c for c in tree.children[colon:] if is_tree(c))
        return self._steps(targets, ("condition", text, ()), fragments)

    def _listing(self, tree: Tree) -> Clause | None:
        targets = tree.children[0]
        assert is_tree(targets)
        fragments: list[Fragment] = []
        modifier = next((c for c in tree.children[1:] if is_tree(c)), None)
        tail: list[Fragment] = []
        guard = self._modifier(modifier, tail)
        return self._steps(targets, guard, fragments, tail)

    # -- pieces -------------------------------------------------------------------------
    def _modifier(self, tree: Tree | None, fragments: list[Fragment]
                  ) -> tuple[str, str, tuple[str, ...]] | None:
        if tree is None:
            return None
        tokens = tokens_of(tree)
        if tree.data == "otherwise":
            fragments.append(fragment(self.entry, tokens, "otherwise",
                                   "holds when none of the other conditions of the cell holds"))
            return ("otherwise", "otherwise", ())
        if tree.data == "choice":
            # "A or B, whichever came before ...": a return to the one held before
            if not speaks_of_earlier(tokens):
                return ("unread", "", ())
            fragments.append(fragment(self.entry, tokens, "history",
                                   "back to whichever of the statuses named was held before"))
            return ("choice", "", ())
        at = next(i for i, t in enumerate(tokens) if t.type == "COND")
        return self._guard(tokens[at], tokens[at + 1:], tokens, fragments)

    def _guard(self, keyword: Token, body: list[Token], shown: list[Token],
               fragments: list[Fragment]) -> tuple[str, str, tuple[str, ...]]:
        words = words_of(str(keyword))
        negated = words[0] in NEGATIONS or "not" in words
        history = parse(body, "hist_cond")
        if history is not None and not negated and words[0] not in ("after", "once"):
            names = next(c for c in history.iter_subtrees() if c.data == "hnames")
            rows = tuple(self.row(part[0]) if part[0].type == "NAME" else
                         text_of(self.entry, part)
                         for part in (tokens_of(c) for c in names.children
                                      if is_tree(c) and c.data == "hname"))
            fragments.append(fragment(self.entry, shown, "history",
                                   "a condition on the status held before: "
                                   + " or ".join(rows), rows))
            return ("history", "", rows)
        if not negated and words[0] not in ("after", "once") and pronoun_history(body):
            # "if that was its status when ...": on the statuses listed beside it
            fragments.append(fragment(self.entry, shown, "history",
                                   "a condition on the status held before: whichever of the "
                                   "statuses listed beside it"))
            return ("choice", "", ())
        if mentions_earlier_status(body):
            return ("unread", "", ())  # speaks of the status held before, names none
        fragments.append(fragment(self.entry, shown, "condition",
                               f"a condition ({' '.join(words)} ...)"
                               + (": the step is taken when it does not hold" if negated else "")))
        return ("unless" if negated else "condition",
                condition_text(self.entry, keyword, body), ())

    def _steps(self, tree: Tree, guard: tuple[str, str, tuple[str, ...]] | None,
               fragments: list[Fragment], tail: Sequence[Fragment] = ()) -> Clause | None:
        if guard is not None and guard[0] == "unread":
            return None
        targets: list[Target] = []
        for node in tree.children:
            if not is_tree(node) or node.data != "target":
                continue
            read = self._target(node, guard, fragments)
            if read is None:
                return None
            targets.extend(read)
        if any(t.guard == "unread" for t in targets):
            return None
        fragments.extend(tail)
        fragments.sort(key=lambda f: f.start)
        if not targets and not any(f.reading == "trigger" for f in fragments):
            return None
        if guard is not None and any(f.reading == "trigger" for f in fragments):
            return None  # "Created automatically when ...": the whole clause is the event
        if self.column is Column.PREVIOUS and any(
                t.kind == "return" or t.guard == "otherwise" for t in targets):
            return None
        if any(t.kind == "return" and t.guard is not None for t in targets):
            return None  # a return under a condition: two guards the model cannot combine
        if any(t.guard == "choice" for t in targets):
            if self.column is Column.PREVIOUS or any(
                    t.kind not in ("row", "undefined") or t.guard not in ("choice", None)
                    for t in targets):
                return None
            names = tuple(t.name for t in targets)
            targets = [replace(t, guard="history", names=names) for t in targets]
        return Clause("steps", tuple(targets), fragments=tuple(fragments))

    def _target(self, node: Tree, guard: tuple[str, str, tuple[str, ...]] | None,
                fragments: list[Fragment]) -> list[Target] | None:
        tokens = tokens_of(node)
        if self.column is Column.NEXT and parse(tokens, "hist_return") is not None:
            fragments.append(fragment(self.entry, tokens, "history",
                                   "back to the status held before (the remembered status)"))
            return [self._make("return", "", guard)]
        paren = next((c for c in node.children if is_tree(c) and c.data == "paren"),
                     None)
        base = tokens[:len(tokens) - len(tokens_of(paren))] if paren is not None else tokens
        named = base[0].type == "NAME" and all(t.type == "STATUSWORD" for t in base[1:])
        own = guard
        if paren is not None and (named or self._paren_is_condition(paren)):
            inside = tokens_of(paren)[1:-1]
            own_fragments: list[Fragment] = []
            if inside[0].type in ("WHATEVER", "DEPENDING", "MATCHING"):  # (whichever came before)
                if not speaks_of_earlier(inside):
                    return None
                own = ("choice", "", ())
                own_fragments.append(fragment(
                    self.entry, tokens_of(paren), "history",
                    "back to whichever of the statuses named was held before"))
            elif inside[0].type == "COND":
                own = self._guard(inside[0], inside[1:], tokens_of(paren), own_fragments)
            else:
                own = ("condition", text_of(self.entry, inside), ())
                own_fragments.append(fragment(self.entry, tokens_of(paren), "condition",
                                           "a condition in parentheses after a status"))
            fragments.extend(own_fragments)
            tokens = base
        if named:
            row = self.row(base[0])
            fragments.append(fragment(self.entry, base, "status", f"the row {row!r}", (row,)))
            return [self._make("row", row, own)]
        if len(tokens) == 1 and tokens[0].type == "END":  # "X or none": an end in a list
            if own is not None and self.column is Column.PREVIOUS:
                return None
            fragments.append(self._end_fragment(tokens, tokens))
            return [self._make("end", "", own)]
        lead = _lead(tokens)
        if not lead and tokens[0].lower() in _FILLERS and len(tokens) > 1:
            lead = 1  # "either Open or Held", "then Closed"
        if lead:
            rest = tokens[lead:]
            if rest[0].type == "NAME" and all(t.type == "STATUSWORD" for t in rest[1:]):
                row = self.row(rest[0])
                fragments.append(fragment(
                    self.entry, tokens, "status",
                    f"the row {row!r} (after the verb {text_of(self.entry, tokens[:lead])!r})",
                    (row,)))
                return [self._make("row", row, own)]
            tokens = rest
        if any(t.type == "NAME" for t in tokens[1:]) or not reads_as_name(self.entry, tokens) \
                or tokens[0].lower() in _QUANTIFIERS:
            return None  # words before a row name, or a sentence: never a new status
        if tokens[0].type == "NAME" and tokens[1].lower() not in _CONTINUATIONS:
            return None  # a row name and more words: a new status only as "X by Y", "X for Y"
        text = text_of(self.entry, tokens)
        if self.column is Column.PREVIOUS and not self.amended and (
                self.next_names is None or normalise(text) not in self.next_names):
            fragments.append(fragment(self.entry, tokens, "trigger",
                                   "names no row and no Next cell leads to it: an event "
                                   "outside the table"))
            return []
        fragments.append(fragment(self.entry, tokens, "undefined-status",
                               "a name no row has: kept as a status without a row"))
        return [self._make("undefined", text, own)]

    def _paren_is_condition(self, paren: Tree) -> bool:
        inside = tokens_of(paren)[1:-1]
        strong = inside[0].type == "COND" and inside[0].lower() not in ("after", "once")
        return strong or any(w in SENTENCE_WORDS - {"after", "once"} for w in words_outside(inside))

    @staticmethod
    def _make(kind: str, name: str, guard: tuple[str, str, tuple[str, ...]] | None) -> Target:
        if guard is None:
            return Target(kind, name)
        return Target(kind, name, guard[0], guard[1], guard[2])


#: Words that may continue a row's name into the name of another status: who did it
#: (``Closed by technician`` beside a row ``Closed``, as in the Rescue table); after a row
#: name, any other word makes a sentence.
_CONTINUATIONS = frozenset({"by"})
#: Words before a list that add nothing to it.
_FILLERS = frozenset({"either", "then", "from"})
#: Words that speak of statuses in general (``Any status``): never an outside event.
_QUANTIFIERS = frozenset({"any", "all", "every", "each", "other"})

#: Verbs of movement that may lead a status (``Moves to X``, ``becomes X``, ``is set to X``).
_LEAD_VERBS = frozenset({
    "move", "moves", "moved", "go", "goes", "went", "change", "changes", "changed", "switch",
    "switches", "switched", "transition", "transitions", "transitioned", "advance", "advances",
    "advanced", "proceed", "proceeds", "proceeded", "return", "returns", "returned", "revert",
    "reverts", "reverted", "pass", "passes", "passed", "progress", "progresses", "progressed",
    "jump", "jumps", "jumped", "become", "becomes", "became", "enter", "enters", "entered",
    "set", "send", "sends", "sent", "fall", "falls", "fell", "mark", "marks", "marked",
    "update", "updates", "updated", "escalate", "escalates", "escalated", "come", "comes",
    "came", "coming", "continue", "continues", "continued", "resume", "resumes", "resumed"
})
#: Words that may stand with a lead verb (``then it is moved back to the X status``).
_LEAD_WORDS = _LEAD_VERBS | frozenset({
    "then", "it", "can", "may", "will", "is", "are", "was", "gets", "get", "back", "directly",
    "automatically", "to", "into", "from", "the", "as", "status"
})


def _lead(tokens: Sequence[Token]) -> int:
    """How many tokens at the start of a target are a verb of movement and its small words
    (0 when there is no such verb or nothing follows it)."""
    at = 0
    while at < len(tokens) and tokens[at].type != "NAME" and tokens[at].lower() in _LEAD_WORDS:
        at += 1
    if at == len(tokens) or not any(t.lower() in _LEAD_VERBS for t in tokens[:at]):
        return 0
    return at


#: Words after a referred name that say where it stands on the page.
_PLACES = frozenset({"above", "below", "earlier", "later", "here"})


def _referred(entry: str, tree: Tree) -> str | None:
    """The name a ``See`` / ``Refer to`` / ``Same as`` / ``As`` entry refers to, when it
    names a row: a row name, a phrase that reads as a name, or one followed by ``status`` or
    ``row`` (``See the X status above``); else None (``See the audit procedure in the
    handbook`` points outside the table). A bare ``As`` needs a row name."""
    name = next(c for c in tree.children if is_tree(c) and c.data == "ref_name")
    tokens = tokens_of(name)
    while len(tokens) > 1 and tokens[-1].lower() in _PLACES:
        tokens = tokens[:-1]
    worded = len(tokens) > 1 and tokens[-1].type == "STATUSWORD"
    if worded:
        tokens = tokens[:-1]
    row = len(tokens) == 1 and tokens[0].type == "NAME"
    keyword = tree.children[0]
    if isinstance(keyword, Token) and keyword.type == "AS" and not row:
        return None
    if not (row or worded or reads_as_name(entry, tokens)):
        return None
    return text_of(entry, tokens)


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
    key = words_of(text)
    row = lexicon.index.get(key)
    if row is not None and key in KEYWORD_KEYS and text.lstrip()[:1] != row[:1]:
        row = None  # 'none' beside a row called 'None': the keyword (see Lexicon.match)
    if row is not None:  # the whole entry is one name (most entries): no need to parse it
        end = len(text.rstrip().rstrip(".").rstrip())
        return [Clause("steps", (Target("row", row),), fragments=(Fragment(
            "status", text[:end], 0, end, f"the row {row!r}", (row,)),), start=0, end=end)]
    tokens, rows = tokenize(text, lexicon)
    tokens = merge_ends(tokens)
    reader = _Reader(text, column, rows, next_names, amended)
    return [reader.clause(mark_condition_commas(clause)) for clause in clauses(tokens)]


def reference_of(text: str, lexicon: Lexicon) -> str | None:
    """The name a ``See X status.`` / ``Refer to X`` / ``Same as X`` / ``As X`` entry refers
    to, or None."""
    if text.lstrip()[:2].casefold() not in _REFERENCE_STARTS:
        return None  # (most entries: no need to tokenise them twice)
    tokens, _ = tokenize(text, lexicon)
    tree = parse(tokens, "reference")
    if tree is None:
        return None
    return _referred(text, tree)


#: The first two letters of every reference keyword (see, refer, please, same, as, identical).
_REFERENCE_STARTS = frozenset({"se", "re", "pl", "sa", "as", "th", "id"})
