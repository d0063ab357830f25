"""Every name form of every listed subject, ready for searching texts.

Persons are found through their family names: each family-name key (romanization- and
inflection-insensitive once the text's words are normalized) points to the listed persons
who bear it, and a mention is then scored against them by the matching engine, so that a
mention's score means what a match score means. Organizations are found whole: their names
(legal forms dropped) are patterns of word keys in one Aho-Corasick automaton, searched over
the text's word keys in one pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import ahocorasick

from sanctionscope.index.entries import Entry
from sanctionscope.text.words import is_ordinary_word
from sanctionscope.names.analyze import FAMILY, LEGAL_FORM, OTHER, PARTICLE, AnalyzedName

#: family names shorter than this are too often ordinary words or fragments to search for alone
MIN_FAMILY_KEY = 4
#: a one-word organization name must be at least this long to be searched for
MIN_SINGLE_WORD_ORGANIZATION = 6
#: words an organization's name may contain in lower case in running text
ORGANIZATION_GLUE = frozenset({"of", "and", "for", "the", "de", "du", "la", "i", "и", "по"})


@dataclass
class Gazetteer:
    #: family-name key → positions (in the matcher's entry table) of the persons who bear it
    families: dict[str, list[int]] = field(default_factory=dict)
    organizations: ahocorasick.Automaton | None = None

    @classmethod
    def build(cls, entries: Sequence[Entry]) -> Gazetteer:
        families: dict[str, set[int]] = defaultdict(set)
        automaton = ahocorasick.Automaton()
        patterns: dict[str, set[int]] = defaultdict(set)
        for position, entry in enumerate(entries):
            if entry.kind == "person":
                for key in _family_keys(entry.names):
                    families[key].add(position)
            elif entry.kind == "organization":
                for name in entry.names:
                    pattern = organization_pattern(name)
                    if pattern:
                        patterns[pattern].add(position)
        for pattern, positions in patterns.items():
            automaton.add_word(f" {pattern} ", (len(pattern.split()), tuple(sorted(positions))))
        if patterns:
            automaton.make_automaton()
        return cls(
            {key: sorted(found) for key, found in families.items()},
            automaton if patterns else None,
        )

    def persons_named(self, family_key: str) -> list[int]:
        return self.families.get(family_key, [])

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


def _family_keys(names: Iterable[AnalyzedName]) -> set[str]:
    """Family-name keys of a person's names; a name with no part known to be the family name
    offers its unsettled parts (an alias "Sergei Roman" may be either way round)."""
    keys = set()
    for name in names:
        tags = [p.tag for p in name.parts]
        wanted = (FAMILY,) if FAMILY in tags else (OTHER,)
        keys.update(p.key for p in name.parts if p.tag in wanted and len(p.key) >= MIN_FAMILY_KEY)
    return keys


def organization_pattern(name: AnalyzedName) -> str | None:
    """The word keys of an organization's name without legal forms, or None if too weak to search."""
    if any(c.isdigit() for c in name.original):
        return None  # "2904977 CANADA, INC.": numbers are the name, and they are not searched
    keys = [p.key for p in name.parts if p.tag not in (LEGAL_FORM, PARTICLE) and p.key]
    if not keys:
        return None
    if len(keys) == 1:
        word = name.parts[0].text if len(name.parts) == 1 else keys[0]
        if len(keys[0]) < MIN_SINGLE_WORD_ORGANIZATION or is_ordinary_word(word):
            return None
    return " ".join(keys)
