"""Phrases that refer back to the status a row held before: tests over tokens.

This module owns three judgements the cell reader (:mod:`statusproof.model.cells`) makes
about a condition or a phrase, each by a general rule over token types, never by a list of
whole phrases:

- :func:`pronoun_history`: a condition whose subject is the row and whose predicate says it
  *was* / *had* / *held* "that status", "its status" or "the same status" (``if that was its
  status when the event was postponed``, ``if it had that status before the hold``): a
  history condition on the statuses listed beside it;
- :func:`speaks_of_earlier`: the words after ``whichever``, ``depending on``, ``matching`` or
  ``the same as`` speak of the status held before (``matching the status it was pended
  from``, ``the same as before the deferral``);
- :func:`relative_return`: a phrase in a status position that names the place the row left
  (``Resumes where it left off``, ``Back to the stage at which the question was asked``): the
  previous status;
- :func:`mentions_earlier_status`: a condition that speaks of the row's earlier status but
  names no status (``if it was previously in a review status``): never a plain condition.

What a reading means for the model is :mod:`statusproof.model.cells`' business; the grammar
(``hist_that``) is :mod:`statusproof.model.grammar`'s.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

from .grammar import is_tree, parse, tokens_of
from .tokens import Token

__all__ = ["pronoun_history", "speaks_of_earlier", "relative_return",
           "mentions_earlier_status"]

#: Verb forms that put the predicate in the past (``is``, ``has`` speak of now).
_PAST = frozenset({"was", "were", "had", "held", "been", "came", "entered", "reached"})
#: Determiners that point back to the statuses listed beside the condition.
_POINTING = frozenset({"that", "this", "its", "their", "those", "these"})
#: Nouns of a place in the lifecycle (``the point where``), beside the status words.
_PLACES = frozenset({"point", "place", "step", "phase"})
#: Relative words that open a clause describing a place (``where``, ``at which``).
_RELATIVE = frozenset({"where", "wherever"})


def _past(tokens: Sequence[Token]) -> bool:
    return any(t.type in ("WAS", "HAD", "BEEN", "CAME") and t.lower() in _PAST for t in tokens)


def pronoun_history(body: list[Token]) -> bool:
    """True when ``body`` (a condition after its keyword) says the row was, had or held the
    status pointed at (``that was its status when ...``, ``it had that status before ...``,
    ``it was in the same status before ...``): a past verb, a subject that is the row or
    ``that``, and ``that`` / ``its`` / ``the same`` before a status word."""
    tree = parse(body, "hist_that")
    if tree is None:
        return False
    subject = next(c for c in tree.children if is_tree(c) and c.data == "hsubj")
    verb = next(c for c in tree.children if is_tree(c) and c.data == "tverb")
    pointed = next(c for c in tree.children if is_tree(c) and c.data == "hthat")
    said = tokens_of(subject)
    if len(said) == 1 and said[0].type == "THE" and said[0].lower() not in _POINTING:
        return False  # "the was ...": no subject
    if not _past(tokens_of(verb)):
        return False
    determiner, *between = tokens_of(pointed)[:-1]
    if between:  # "the same status", "that same status"
        return [t.lower() for t in between] == ["same"]
    return determiner.lower() in _POINTING


def speaks_of_earlier(tokens: Sequence[Token]) -> bool:
    """True when the words speak of a time before (``before``, ``previously``, ``came``,
    ``earlier``) or of a status in the past (``the status it was pended from``, ``the
    status it had``)."""
    if any(t.type in ("ADV", "PREV", "CAME") for t in tokens):
        return True
    at = next((i for i, t in enumerate(tokens) if t.type == "STATUSWORD"), None)
    return at is not None and _past(tokens[at + 1:])


def relative_return(tokens: list[Token], lead_verbs: Container[str]) -> str | None:
    """``return`` when a whole clause is a return named by the place the row left: optional
    verbs of movement (``Resumes``, ``Back to``, ``Goes back to``), an optional ``the stage``
    / ``the point``, then ``where`` or ``at which`` / ``in which`` and a clause with its own
    subject (``it left off``, ``the question was asked``), with no status name and no
    condition in it; ``guarded`` when such a return goes on with a status name or a
    condition (a return under a condition, which the model cannot combine); else None."""
    words = [t for t in tokens if t.type != "PERIOD"]
    at = 0
    while at < len(words) and (words[at].type in ("GO", "BACK", "TO")
                               or words[at].lower() in lead_verbs):
        at += 1
    if at + 1 < len(words) and words[at].type == "THE" and words[at].lower() == "the" and (
            words[at + 1].type == "STATUSWORD" or words[at + 1].lower() in _PLACES):
        at += 2
    if at < len(words) and words[at].type == "COND" and words[at].lower() in _RELATIVE:
        at += 1
    elif at + 1 < len(words) and words[at].type == "IN" and words[at + 1].lower() == "which":
        at += 2
    else:
        return None
    rest = words[at:]
    if len(rest) < 2 or rest[0].type not in ("IT", "THE"):
        return None
    if any(t.type in ("NAME", "COND", "OTHERWISE", "SEMI", "COLON", "DEPENDING")
           for t in rest):
        return "guarded"
    return "return"


def mentions_earlier_status(body: Sequence[Token]) -> bool:
    """True when a condition speaks of a status held before without naming one it can be
    resolved to: a status word beside ``previous`` / ``prior`` / ``earlier``, beside an
    adverb of earlier time (``previously``, ``formerly``, ``already``, ``before``), or in
    the past (``if its status was approved then``)."""
    words = [t for t in body if t.type != "PERIOD"]
    if not any(t.type == "STATUSWORD" for t in words):
        return False
    return any(t.type in ("PREV", "ADV") for t in words) or _past(words)
