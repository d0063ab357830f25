"""Russian and Ukrainian inflection: «Александра Бастрыкина» is Александр Бастрыкин.

`pymorphy3` (with its OpenCorpora and Ukrainian dictionaries, and its guesser for surnames
no dictionary has) proposes the parses of each word; a name's words must agree in gender, so
the forms are chosen together: «Александра Бастрыкина» is a man in the genitive, not the
woman Александра Бастрыкина in the nominative.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from sanctionscope.names.latin import UKRAINIAN_BELARUSIAN_LETTERS

GIVEN, PATRONYMIC, FAMILY, PLACE, ORGANIZATION, WORD, UNKNOWN = (
    "given", "patronymic", "family", "place", "organization", "word", "unknown",
)  # fmt: skip
_ROLE_OF_TAG = {"Name": GIVEN, "Patr": PATRONYMIC, "Surn": FAMILY, "Geox": PLACE, "Orgn": ORGANIZATION}
#: pymorphy has a Ukrainian dictionary, not a Belarusian one
_UKRAINIAN_LETTERS = UKRAINIAN_BELARUSIAN_LETTERS - set("ўЎ")
#: readings less likely than this are not a word's roles
UNLIKELY = 0.05


@dataclass(frozen=True, slots=True)
class WordForm:
    nominative: str  # lower case
    role: str
    gender: str | None  # "masc", "femn", or None when the form serves both
    score: float


@lru_cache(maxsize=4)
def _analyzer(lang: str):  # type: ignore[no-untyped-def]
    import pymorphy3  # loading the dictionaries takes a moment: only when a Cyrillic text comes

    return pymorphy3.MorphAnalyzer(lang=lang)


@lru_cache(maxsize=200_000)
def word_forms(word: str) -> tuple[WordForm, ...]:
    """The readings of one Cyrillic word, name readings first, most likely first."""
    lang = "uk" if _UKRAINIAN_LETTERS & set(word) else "ru"
    forms: dict[tuple[str, str, str | None], WordForm] = {}
    for parse in _analyzer(lang).parse(word.lower()):
        role = next((r for tag, r in _ROLE_OF_TAG.items() if tag in parse.tag), None)
        known = parse.is_known
        if role is None or (role in (PLACE, ORGANIZATION) and not known):
            role = WORD if known else UNKNOWN  # a guessed place is a guess (Симоньян is no town)
        gender = parse.tag.gender if parse.tag.gender in ("masc", "femn") else None
        if role in (GIVEN, PATRONYMIC, FAMILY):
            # a name's normal form is the masculine one (захарова → захаров): inflect it instead,
            # which is the costly part, so not when the word is already a nominative or unlikely
            inflected = None
            if parse.score >= UNLIKELY and not _nominative(parse.tag):
                inflected = parse.inflect({"nomn", "sing"}) or parse.inflect({"nomn"})
            nominative = inflected.word if inflected else parse.word
        else:
            nominative = parse.normal_form
        key = (nominative, role, gender)
        if key in forms:
            previous = forms[key]
            forms[key] = WordForm(nominative, role, gender, previous.score + parse.score)
        else:
            forms[key] = WordForm(nominative, role, gender, parse.score)
    name_roles = (GIVEN, PATRONYMIC, FAMILY)
    return tuple(sorted(forms.values(), key=lambda f: (f.role not in name_roles, -f.score)))


def _nominative(tag) -> bool:  # type: ignore[no-untyped-def]
    return tag.case == "nomn" and tag.number != "plur"


def roles(word: str, least: float = UNLIKELY) -> set[str]:
    """The roles a word can play (given, patronymic, family, place, organization, word, unknown)."""
    return {form.role for form in word_forms(word) if form.score >= least}


def name_in_nominative(words: Sequence[str]) -> list[str]:
    """The words of one person's name in the nominative, agreeing in gender (Cyrillic words only;
    others are returned as they are)."""
    readings = [word_forms(w) if _is_cyrillic(w) and len(w.rstrip(".")) > 1 else () for w in words]
    best_gender, best_weight = None, -1.0
    for gender in ("masc", "femn"):
        weight = sum(best.score for forms in readings if forms and (best := _best(forms, gender)) is not None)
        if weight > best_weight:
            best_gender, best_weight = gender, weight
    out = []
    for word, forms in zip(words, readings, strict=True):
        chosen = _best(forms, best_gender) if forms else None
        out.append(_restore_case(word, chosen.nominative) if chosen else word)
    return out


def _best(forms: Sequence[WordForm], gender: str | None) -> WordForm | None:
    """The likeliest name reading of this gender (a reading without gender fits both)."""
    fitting = [f for f in forms if f.role in (GIVEN, PATRONYMIC, FAMILY) and f.gender in (gender, None)]
    if not fitting:  # a name no dictionary has (Боррелем → Боррель); an ordinary word stays as written (Певчих)
        fitting = [f for f in forms if f.role == UNKNOWN and f.gender in (gender, None)]
    return max(fitting, key=lambda f: f.score, default=None)


def _restore_case(original: str, lower: str) -> str:
    if original.isupper() and len(original) > 1:
        return lower.upper()
    return lower[:1].upper() + lower[1:] if original[:1].isupper() else lower


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)
