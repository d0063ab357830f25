"""One comparable Latin form for a name in any script.

Cyrillic gets its own table (Russian, Ukrainian and Belarusian letters, close to the
BGN/PCGN romanization the lists mostly use), after two repairs that official lists need:
stress marks are dropped («Анатóлий») and Latin look-alike letters inside Cyrillic words
(«Диана Игоревнa») are put back into Cyrillic, and the other way round. Every other script
goes through ICU via `normality.ascii_text`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import normality

CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u", "ј": "j", "љ": "lj", "њ": "nj",
    "ђ": "dj", "ћ": "c", "џ": "dz", "ѓ": "g", "ќ": "k", "ѕ": "dz",
}  # fmt: skip

#: Latin letters that look like Cyrillic ones, pairwise (lower and upper case)
LOOKALIKES = {
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "i": "і", "k": "к",
    "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С",
    "T": "Т", "X": "Х", "Y": "У", "I": "І",
}  # fmt: skip
_LATIN_TO_CYRILLIC = str.maketrans(LOOKALIKES)
_CYRILLIC_TO_LATIN_LOOK = str.maketrans({cyr: lat for lat, cyr in LOOKALIKES.items()})

_STRESS_MARKS = dict.fromkeys((0x0300, 0x0301))  # combining grave and acute accents
_WORD_RE = re.compile(r"\w+", re.UNICODE)


def is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u04ff"


def is_basic_latin_letter(char: str) -> bool:
    return "a" <= char <= "z" or "A" <= char <= "Z"


def strip_stress(text: str) -> str:
    """Drop stress marks but keep letters whose diacritics matter (й, ё, ї)."""
    decomposed = unicodedata.normalize("NFD", text).translate(_STRESS_MARKS)
    return unicodedata.normalize("NFC", decomposed)


def repair_lookalikes(word: str) -> str:
    """Make a word that mixes Cyrillic and Latin letters one script, decided by its distinctive letters."""
    has_cyrillic = any(is_cyrillic(c) for c in word)
    has_latin = any(is_basic_latin_letter(c) for c in word)
    if not (has_cyrillic and has_latin):
        return word
    cyrillic_only = sum(1 for c in word if is_cyrillic(c) and c not in _CYRILLIC_TO_LATIN_LOOK)
    latin_only = sum(1 for c in word if is_basic_latin_letter(c) and c not in LOOKALIKES)
    if cyrillic_only == latin_only:
        cyrillic_only = sum(1 for c in word if is_cyrillic(c))
        latin_only = sum(1 for c in word if is_basic_latin_letter(c))
    if cyrillic_only >= latin_only:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word.translate(_CYRILLIC_TO_LATIN_LOOK)


#: letters only Ukrainian and Belarusian have: a name with one is romanized as they do (г is h)
UKRAINIAN_BELARUSIAN_LETTERS = frozenset("іїєґўІЇЄҐЎ")


def _cyrillic_word_to_latin(word: str, g_as_h: bool = False) -> str:
    if g_as_h:
        word = word.replace("г", "h")
    return "".join(CYRILLIC_TO_LATIN.get(c, c) for c in word)


@lru_cache(maxsize=200_000)
def word_to_latin(word: str, g_as_h: bool = False) -> str:
    """Lower-case ASCII form of one word (look-alikes repaired, stress dropped); `g_as_h` for a
    word of a Ukrainian or Belarusian name (Алег Сяргеевіч → Aleh Siarheevich)."""
    word = repair_lookalikes(strip_stress(word)).lower()
    if any(is_cyrillic(c) for c in word):
        word = _cyrillic_word_to_latin(word, g_as_h)
    if word.isascii():
        return word
    return (normality.ascii_text(word) or "").lower()


def to_latin(text: str) -> str:
    """Lower-case ASCII Latin form of a whole text; non-word characters are kept as they are."""
    return _WORD_RE.sub(lambda m: word_to_latin(m.group(0)), strip_stress(text))
