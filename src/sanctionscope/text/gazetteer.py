"""Every name form of every listed subject, ready for searching texts.

Persons are found through their family names: each family-name key (romanization- and
inflection-insensitive once the text's words are normalized) points to the listed persons
who bear it, and a mention is then scored against them by the matching engine, so that a
mention's score means what a match score means. Organizations are found whole: their names
(legal forms dropped) are patterns of word keys in one Aho-Corasick automaton, searched over
the text's word keys in one pass.

Both come from the matcher's `MentionIndex`, which a saved index holds (read from the mapped
file: family postings on demand, the patterns once, here); only a matcher built in memory has
its entries analysed for it. What is language, not name analysis, is decided here: a one-word
organization name that is an ordinary word is not searched.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from weakref import WeakKeyDictionary

import ahocorasick

from sanctionscope.index.mentions import MentionIndex, PatternEntries
from sanctionscope.match.engine import Matcher
from sanctionscope.names.text_forms import MIN_FAMILY_KEY, MIN_SINGLE_WORD_ORGANIZATION
from sanctionscope.text.words import is_ordinary_word

__all__ = ["MIN_FAMILY_KEY", "MIN_SINGLE_WORD_ORGANIZATION", "ORGANIZATION_GLUE", "Gazetteer"]

#: words an organization's name may contain in lower case in running text
ORGANIZATION_GLUE = frozenset({"of", "and", "for", "the", "de", "du", "la", "i", "и", "по"})


@dataclass
class Gazetteer:
    mentions: MentionIndex
    #: the candidate index's key ids, which number the family postings
    key_ids: Mapping[str, int]
    organizations: ahocorasick.Automaton | None = None

    @classmethod
    def open(cls, mentions: MentionIndex, key_ids: Mapping[str, int]) -> Gazetteer:
        return cls(mentions, key_ids, _automaton(mentions.organizations))

    def is_family(self, family_key: str) -> bool:
        """Whether some listed person has this family-name key."""
        return len(self.persons_named(family_key)) > 0

    def persons_named(self, family_key: str) -> list[int]:
        """Positions (in the matcher's entry table) of the persons with this family-name key."""
        key_id = self.key_ids.get(family_key)
        return [] if key_id is None else self.mentions.persons_named(key_id).tolist()

    def find_organizations(self, keys: Sequence[str]) -> Iterable[tuple[int, int, tuple[int, ...]]]:
        """(first word, last word + 1, entry positions) of every organization name in a run of word keys."""
        if self.organizations is None or not keys:
            return
        words = [key or "_" for key in keys]
        text = " " + " ".join(words) + " "
        word_ending_at: dict[int, int] = {}  # offset of the space after each word → its number
        offset = 0
        for number, word in enumerate(words):
            offset += 1 + len(word)
            word_ending_at[offset] = number
        for end, (length, positions) in self.organizations.iter(text):
            last = word_ending_at[end]
            yield last - length + 1, last + 1, positions


def _automaton(patterns: Iterable[PatternEntries]) -> ahocorasick.Automaton | None:
    """The searchable patterns in one automaton: each with the entries that bear it."""
    entries: dict[str, set[int]] = {}
    for pattern, positions in patterns:
        if pattern.check is None or not is_ordinary_word(pattern.check):
            entries.setdefault(pattern.words, set()).update(positions)
    if not entries:
        return None
    automaton = ahocorasick.Automaton()
    for words, bearers in entries.items():
        automaton.add_word(f" {words} ", (len(words.split()), tuple(sorted(bearers))))
    automaton.make_automaton()
    return automaton


_gazetteers_lock = threading.Lock()
#: one gazetteer per matcher, for as long as the matcher lives (weak: it goes with its matcher)
_gazetteers: WeakKeyDictionary[Matcher, Gazetteer] = WeakKeyDictionary()


def gazetteer_for(matcher: Matcher) -> Gazetteer:
    """The gazetteer of a matcher, opened once per matcher: from what its index file holds, or for a
    matcher built in memory (a past day's lists) from its entries."""
    with _gazetteers_lock:
        found = _gazetteers.get(matcher)
    if found is None:
        mentions = matcher.mentions or MentionIndex.from_entries(matcher.entries, matcher.index.key_ids)
        found = Gazetteer.open(mentions, matcher.index.key_ids)
        with _gazetteers_lock:
            _gazetteers[matcher] = found
    return found
