"""Words of a text with their offsets, and what screening needs to know about each.

A possessive ending ("Navalny's", "Navalny’s") is not part of the name: the token covers
"Navalny" and says it was possessive. An initial keeps its dot ("А."). A token knows whether
it opens a sentence, because there a capital letter says nothing about being a name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
_POSSESSIVE_RE = re.compile(r"(?:['’]s|s['’])$", re.IGNORECASE)
_SENTENCE_END = ".!?…"


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written, without a possessive ending or an initial's dot
    start: int
    end: int  # end of the name part (before "'s"; after an initial's dot)
    sentence_start: bool
    possessive: bool = False
    #: what separates this token from the previous one ("" for the first token)
    gap: str = ""

    @property
    def initial(self) -> bool:
        return len(self.text) == 1 and self.text.isupper()

    @property
    def capitalized(self) -> bool:
        return self.text[:1].isupper()

    @property
    def all_caps(self) -> bool:
        return len(self.text) > 1 and self.text.isupper()

    @property
    def cyrillic(self) -> bool:
        return any("\u0400" <= c <= "\u04ff" for c in self.text)


def tokenize(text: str) -> list[Token]:
    """The words of `text`, in order, with offsets into it."""
    tokens: list[Token] = []
    previous_end = 0
    for found in _WORD_RE.finditer(text):
        word, start, end = found.group(), found.start(), found.end()
        gap = text[previous_end:start]
        possessive = False
        stripped = _POSSESSIVE_RE.sub("", word) if len(word) > 3 else word
        if stripped != word and stripped[:1].isupper():
            possessive, word, end = True, stripped, start + len(stripped)
        if len(word) == 1 and word.isupper() and text[end : end + 1] == ".":
            end += 1  # "А." is an initial; its dot does not end the sentence
        tokens.append(Token(word, start, end, _opens_sentence(tokens, gap), possessive, gap))
        previous_end = found.end() if not (end > found.end()) else end
    return tokens


def _opens_sentence(previous: list[Token], gap: str) -> bool:
    """After the end of a sentence or a line break; an initial's dot was consumed by its token."""
    return not previous or "\n" in gap or any(mark in _SENTENCE_END for mark in gap)


def adjacent(token: Token) -> bool:
    """Whether only spaces separate this token from the previous one."""
    return not token.gap.strip(" \u00a0\t")
