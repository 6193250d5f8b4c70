"""Inline markup in cell text, reduced to the words a reader sees.

This module owns one cleaning step for the loaders whose cells may carry inline markup
(Markdown; the HTML loader decodes entities and drops inline tags itself): HTML entities are
decoded (``In&nbsp;review`` -> ``In review``), emphasis (``*x*``, ``_x_``, ``**x**``,
``__x__``, ``~~x~~``), code spans and links (``[x](url)``, ``<a href=...>x</a>``, other
inline tags) reduce to their text. Line breaks (``<br>``) and list markers are left alone:
they separate entries, which is the loader's business.
"""

from __future__ import annotations

import html
import re

__all__ = ["clean_inline"]

_LINK = re.compile(r"!?\[([^\]]*)\]\((?:[^()\s]+|<[^>]*>)(?:\s+\"[^\"]*\")?\)")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(?<![\w*])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w*])"
                     r"|(?<![\w_])__(?=\S)(.+?)(?<=\S)__(?![\w_])")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\w*])"
                       r"|(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_TAG = re.compile(r"</?(?:a|span|strong|b|em|i|u|code|kbd|mark|small|sup|sub|font)\b[^>]*>",
                  re.IGNORECASE)


_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_PRIVATE = 0xE000  # escaped characters wait in the private use area while markup goes


def clean_inline(text: str) -> str:
    """``text`` without inline markup, entities decoded (a no-break space becomes a space);
    a backslash-escaped character (``\\*``) is kept as the character.

    >>> clean_inline("**In&nbsp;review** or [Closed](#closed), `Draft`, <a href='x'>Done</a>")
    'In review or Closed, Draft, Done'
    >>> clean_inline(r"\\_0\\_ \\&amp;")
    '_0_ &amp;'
    """
    text = _ESCAPE.sub(lambda m: chr(_PRIVATE + ord(m.group(1))), text)
    text = _LINK.sub(r"\1", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    for _ in range(2):  # nested: ***x*** is strong inside emphasis
        text = _STRONG.sub(lambda m: m.group(1) or m.group(2), text)
        text = _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text)
    text = _STRIKE.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    return "".join(chr(ord(c) - _PRIVATE) if _PRIVATE <= ord(c) < _PRIVATE + 128 else c
                   for c in text)
