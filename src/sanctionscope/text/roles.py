"""Words of a text and their roles: what each word may be in a name (given, family, …), the rules that say so.

A word's role comes from its own evidence first (dictionary readings, the list of English given
names, whether a list has it as a family name), then from its neighbours (`WordReader.settle`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sanctionscope.names.analyze import PARTICLES, PATRONYMIC_RE, part_key
from sanctionscope.names.keys import given_name_key, token_key
from sanctionscope.names.latin import word_to_latin
from sanctionscope.text import morphology
from sanctionscope.text.gazetteer import ORGANIZATION_GLUE
from sanctionscope.text.tokens import Token, adjacent
from sanctionscope.text.words import (
    LOCATIVE_PREPOSITIONS,
    ORGANIZATION_HEADS,
    TITLE_WORDS,
    english_given_names,
    is_place,
)


class Role(StrEnum):
    """What a word of running text may be in a person's name; NONE (falsy) for a word that is in none."""

    NONE = ""
    GIVEN = "G"
    INITIAL = "I"
    PATRONYMIC = "P"
    FAMILY = "F"  # a family name some list has
    SURNAME = "S"  # a word that reads as a family name no list has
    TITLE = "X"  # a capitalized word that is no name: a title, a place, an organization's head word
    PARTICLE = "p"  # van, bin, фон: inside a name


@dataclass
class Word:
    """A token with what screening knows about it."""

    token: Token
    keys: frozenset[str]  # name keys of its readings (inflection undone)
    role: Role
    nominative_key: str  # the key of its likeliest reading, for organization names
    place: bool = False
    #: what a dictionary says the word can be (morphology's roles; Cyrillic words only)
    readings: frozenset[str] = frozenset()


class WordReader:
    """Reads tokens into words with their roles; `listed_family` says whether some list has a family name key."""

    def __init__(self, listed_family: Callable[[frozenset[str]], bool]):
        self._listed_family = listed_family
        self._given = english_given_names()

    def word(self, token: Token) -> Word:
        """The token as a word: its name keys, its readings and its role."""
        text = token.text
        if token.initial:
            key = token_key(word_to_latin(text.lower()))
            return Word(token, frozenset({key}), Role.INITIAL, key)
        lower = text.lower()
        if not token.capitalized and lower not in ORGANIZATION_GLUE:
            # a lower-case word is not a name, nor inside one, unless it is a particle (van, bin, фон)
            latin = word_to_latin(lower)
            if latin in PARTICLES:
                return Word(token, frozenset({latin}), Role.PARTICLE, latin)
            return Word(token, frozenset(), Role.NONE, "")
        if token.cyrillic and token.capitalized:
            forms = morphology.word_forms(text)
            readings = [f for f in forms if f.score >= morphology.UNLIKELY] or list(forms[:1])
            nominative_key = part_key(word_to_latin(readings[0].nominative)) if readings else ""
            keys = {part_key(word_to_latin(lower))} | {part_key(word_to_latin(f.nominative)) for f in readings}
            roles = {f.role for f in readings}
        else:
            nominative_key = part_key(word_to_latin(lower))
            keys = {nominative_key}
            roles = set()
        keys.discard("")
        role = self._role(token, lower, frozenset(keys), roles)
        place = token.capitalized and is_place_word(token, roles)
        return Word(token, frozenset(keys), role, nominative_key, place, frozenset(roles))

    def _role(self, token: Token, lower: str, keys: frozenset[str], roles: set[str]) -> Role:
        if word_to_latin(lower) in PARTICLES:
            return Role.PARTICLE
        if not token.capitalized:
            return Role.NONE
        if lower in TITLE_WORDS or lower in ORGANIZATION_HEADS:
            return Role.TITLE
        if is_place_word(token, roles) and lower not in self._given:
            return Role.TITLE
        if token.cyrillic:
            if morphology.PATRONYMIC in roles and not (morphology.FAMILY in roles and self._listed_family(keys)):
                return Role.PATRONYMIC
            if morphology.GIVEN in roles and morphology.FAMILY not in roles:
                return Role.GIVEN
        elif len(lower) > 6 and PATRONYMIC_RE.search(word_to_latin(lower)) and not self._listed_family(keys):
            return Role.PATRONYMIC
        elif lower in self._given or any(given_name_key(k) for k in keys):
            return Role.GIVEN
        if self._listed_family(keys):
            return Role.FAMILY
        if token.cyrillic:
            if morphology.GIVEN in roles:
                return Role.GIVEN
            if roles & {morphology.FAMILY, morphology.UNKNOWN}:
                return Role.SURNAME
            return Role.TITLE if not token.all_caps else Role.SURNAME
        return Role.SURNAME

    @staticmethod
    def settle(words: list[Word]) -> None:
        """Roles that a Cyrillic word's neighbours decide, where its dictionary readings alone do not."""
        for i, word in enumerate(words):
            token = word.token
            if not (token.cyrillic and token.capitalized) or token.all_caps:
                continue
            before = words[i - 1] if i and continues(token) else None
            after = words[i + 1] if i + 1 < len(words) and continues(words[i + 1].token) else None
            after_is_family = after is not None and after.role in (Role.FAMILY, Role.SURNAME)
            before_is_given = before is not None and before.role == Role.GIVEN
            if before and before.token.text.lower() in LOCATIVE_PREPOSITIONS and morphology.PLACE in word.readings:
                word.role, word.place = Role.TITLE, True  # «в Королёве»: the town, not Mr Korolev
            elif word.role == Role.FAMILY and morphology.PATRONYMIC in word.readings and before_is_given and after_is_family:
                word.role = Role.PATRONYMIC  # «Рустам Абрамович Мурадов»; but «Роман Абрамович» keeps his name
            elif word.role in (Role.FAMILY, Role.SURNAME) and after_is_family and not before_is_given and (
                morphology.GIVEN in word.readings or word.readings == {morphology.UNKNOWN}
            ):
                word.role = Role.GIVEN  # «Герман Греф», «Жозеп Боррель»
            elif word.role == Role.TITLE and before_is_given and not word.place and could_be_family(word):
                word.role = Role.SURNAME  # «Мария Певчих»: after a given name, a capitalized word is her name


def is_place_word(token: Token, roles: set[str]) -> bool:
    """A capitalized word that names a place (a Cyrillic one by its readings)."""
    if token.cyrillic:
        return morphology.PLACE in roles and not roles & {morphology.GIVEN, morphology.FAMILY}
    return len(token.text) > 2 and is_place(token.text)


def continues(token: Token) -> bool:
    """Whether a token continues the phrase of the one before it (same sentence, only spaces between)."""
    return not token.sentence_start and adjacent(token)


def case_differs(left: Word, right: Word) -> bool:
    """Two Cyrillic words of which one is inflected and the other is not: not one name."""
    if not (left.token.cyrillic and right.token.cyrillic):
        return False
    return inflected(left) != inflected(right)


def inflected(word: Word) -> bool:
    """A Cyrillic word that is not in its nominative form."""
    forms = morphology.word_forms(word.token.text)
    return bool(forms) and forms[0].nominative != word.token.text.lower()


def could_be_family(word: Word) -> bool:
    """A capitalized Cyrillic word that no dictionary calls a place or an organization."""
    return word.token.text.lower() not in TITLE_WORDS | ORGANIZATION_HEADS and not word.readings & {
        morphology.PLACE, morphology.ORGANIZATION
    }
