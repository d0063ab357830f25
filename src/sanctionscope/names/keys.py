"""Romanization-insensitive keys for name parts.

`token_key` folds the ways national romanizations spell one Cyrillic (or other) sound into
one spelling, so that Alexei / Alexey / Aleksei, Yuriy / Iurii / Jurij, Sergeyevich /
Sergeevich, Semyonov / Semenov, Dzhabrailov / Jabrailov, -skiy / -skyi / -sky agree. The
keys are for comparison and indexing only; they are never shown.

`given_name_key` goes one step further for given names that differ by language, not by
spelling (Aleksandr / Oleksandr / Aliaksandr / Alexander): `given_names.txt` lists them.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

from sanctionscope.names.latin import to_latin

# Order matters: longer clusters first; upper-case letters are internal class markers.
_CLUSTERS = [
    ("shch", "S"), ("tsch", "C"), ("sch", "S"), ("sh", "S"),
    ("tch", "C"), ("ch", "C"),
    ("dzh", "J"), ("dj", "J"), ("zh", "J"),
    ("kh", "h"), ("ph", "f"), ("ck", "k"),
    ("ts", "Z"), ("tz", "Z"),
    ("x", "ks"), ("w", "v"), ("q", "k"), ("c", "k"),
    ("y", "i"), ("ii", "i"),  # Makiyev → makiiev → makiev, as Makiev: before "ie" folds
]  # fmt: skip
#: ie and io for е and ё inside a word (Sergeievich, Semionov) or as the whole word (Ye, E); at the end
#: of a longer word they are another name's ending (Mario and Marie are two names, not one)
_INNER_IE_IO = re.compile(r"i[eo](?=[a-zA-Z])|^i[eo]$")
_NON_LETTERS = re.compile(r"[^a-z]")
#: German/Czech "j" for й (Sergej, Jurij); elsewhere "j" is English for дж (Jabrailov)
_J_AS_Y = re.compile(r"(?<=[aeiouy])j|j$")
_DOUBLES = re.compile(r"(.)\1+")
#: French "ou" for Arabic و: a consonant between vowels (Sahraoui, Sahrawi), else a vowel (Abou, Abu)
_OU_AS_W = re.compile(r"(?<=[aeiou])ou(?=[aeiouy])")
#: Belarusian ў after a vowel is Russian в: Viachaslau / Vyacheslav, Novikau / Novikov, Яўген / Евгений
_AU_AS_AV = re.compile(r"au(?![aeiouy])")


@lru_cache(maxsize=500_000)
def token_key(latin: str) -> str:
    """The comparison key of one lower-case Latin name part ("" when it has no letters)."""
    key = _J_AS_Y.sub("y", _NON_LETTERS.sub("", latin.lower()))
    if "ou" in key:
        key = _OU_AS_W.sub("w", key).replace("ou", "u")
    if "au" in key:
        key = _AU_AS_AV.sub("av", key)
    for cluster, replacement in _CLUSTERS:
        if cluster in key:
            key = key.replace(cluster, replacement)
    if "i" in key:
        key = _INNER_IE_IO.sub("e", key)
    return _DOUBLES.sub(r"\1", key.replace("j", "J"))


def _load_given_names() -> dict[str, str]:
    variants: dict[str, str] = {}
    text = resources.files("sanctionscope.names").joinpath("given_names.txt").read_text("utf-8")
    for line in text.splitlines():
        forms = line.split()
        if not forms or line.startswith("#"):
            continue
        canonical = token_key(forms[0])
        for form in forms:
            variants.setdefault(token_key(form), canonical)
    return variants


GIVEN_NAME_VARIANTS: dict[str, str] = _load_given_names()


def given_name_key(key: str) -> str | None:
    """The canonical key of a known given name in any of its language forms, else None."""
    return GIVEN_NAME_VARIANTS.get(key)


#: a word of a name for `word_keys`: letters and digits; punctuation, spaces and underscores separate words
_WORD = re.compile(r"[^\W_]+")


def word_keys(text: str) -> list[str]:
    """The folded keys of the words of a name in any script (Алишер Усманов: the keys of alisher, usmanov)."""
    return [key for word in _WORD.findall(to_latin(text)) if (key := token_key(word))]
