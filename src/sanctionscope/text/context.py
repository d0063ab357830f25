"""Context of a short mention: the words of its sentence that a listed person's stated positions share.

«Мурашко» alone is any listed Murashko; in "the health minister Murashko" the words "health" and
"minister" meet one bearer's position ("Minister of Health of the Russian Federation").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from sanctionscope.model import Record
from sanctionscope.names.analyze import PARTICLES
from sanctionscope.names.latin import word_to_latin
from sanctionscope.text import morphology

T = TypeVar("T")

_CONTEXT_WORD_RE = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_CONTEXT_STOPWORDS = frozenset(
    ["that", "this", "with", "from", "have", "been", "were", "which", "their", "there", "about", "after", "against", "also", "into", "over", "such", "than", "they", "when", "where", "while", "said", "says", "will", "would", "other", "more", "most", "some", "them", "then", "these", "those", "what", "this"]
)


def settled_by_context(
    text: str, start: int, end: int, bearers: Sequence[T], records_of: Callable[[T], Sequence[Record]]
) -> tuple[T, str] | None:
    """The one bearer whose records' descriptions share words with the sentence around text[start:end]
    (the mention itself left out), and why; None when none or several do. A bearer's records are read
    (`records_of`) only when the sentence has words to compare."""
    sentence, at = sentence_around(text, start, end)
    context = context_words(sentence[:at] + " " + sentence[at + end - start :])
    if not context:
        return None
    shared = [
        (bearer, common) for bearer in bearers if (common := context & context_words(description(records_of(bearer))))
    ]
    if len(shared) != 1:
        return None
    bearer, common = shared[0]
    return bearer, "context: " + ", ".join(sorted(common))


def sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding text[start:end], and where in it that span starts."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i >= 0]
    return text[left : min(rights) if rights else len(text)], start - left


def description(records: Sequence[Record]) -> str:
    """What lists say a person does: positions, the reason for listing, remarks (where some lists put it)."""
    parts = [p for r in records for p in r.positions] + [r.reason or "" for r in records]
    parts += [remark for r in records for remark in r.remarks]
    return " ".join(parts)


def context_words(text: str) -> set[str]:
    """Content words, lemmatized and latinized, cut to a crude stem ("ministers" meets "Minister")."""
    found = set()
    for word in _CONTEXT_WORD_RE.findall(text.lower()):
        if word in _CONTEXT_STOPWORDS or word in PARTICLES:
            continue
        if any("\u0400" <= c <= "\u04ff" for c in word):
            forms = morphology.word_forms(word)
            word = forms[0].nominative if forms else word
        found.add(stem(word_to_latin(word)))
    return found


def stem(latin: str) -> str:
    """A crude stem: English and Russian plural and case endings off, so "ministers" meets "minister"."""
    return latin[:7]
