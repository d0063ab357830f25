"""A name as comparable parts: latinized, keyed, and tagged given / patronymic / family.

Tags come from, in order: the structured parts a list states (given, patronymic, family);
the way the name is written ("BASTRYKIN, Alexander Ivanovich": before the comma is the
family name; "Aleksandr Ivanovich BASTRYKIN": the upper-case word is); Slavic patronymic
endings and the position they imply (Бастрыкин Александр Иванович is family-first);
known given names. What none of these settles stays "other".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rigour.names import extract_org_types, remove_person_prefixes

from sanctionscope.model import detect_script
from sanctionscope.names.keys import given_name_key, token_key
from sanctionscope.names.latin import UKRAINIAN_BELARUSIAN_LETTERS, repair_lookalikes, strip_stress, word_to_latin

GIVEN = "given"
PATRONYMIC = "patronymic"
FAMILY = "family"
INITIAL = "initial"
PARTICLE = "particle"
LEGAL_FORM = "legal_form"
OTHER = "other"

#: Russian, Ukrainian, Belarusian and Turkic patronymic endings (on latinized text)
PATRONYMIC_RE = re.compile(
    r"(ovich|evich|ovitch|evitch|ovych|evych|avich|yich|ich|ovna|evna|ivna|yivna|ichna|ogly|oglu|kyzy|qizi)$"
)
#: the Arabic article as lists romanize it; written apart (al-Assad) or onto the name (Elhassan)
ARABIC_ARTICLES = frozenset({"al", "el", "ul"})
PARTICLES = ARABIC_ARTICLES | {
    "bin", "ibn", "bint", "ben", "ould", "van", "von", "der", "de", "la", "le", "di", "da", "dos"
}  # fmt: skip
#: religious and honorific titles the lists write inside names ("NOORZAI, Mullah Ahmed Shah"), which
#: rigour's person prefixes (Mr, Dr, General …) do not cover: they say little about who is named
TITLES = frozenset(
    {"mullah", "mulla", "maulvi", "mawlawi", "maulavi", "mawlavi", "moulvi", "molvi", "qari", "haji", "hajji",
     "alhaji", "sheikh", "shaikh", "sheik", "shaykh", "mufti"}
)  # fmt: skip
PARTICLES_AND_TITLES = PARTICLES | TITLES
#: "servant of", the first word of an Arabic compound given name (Abd al-Rahman, Abdul Karim, عبد الله):
#: it says which name follows, not who the person is
ABD_PREFIXES = frozenset({"abd", "abdul", "abdel", "abdal", "abdol", "abdur", "abdu", "abdou", "abdoul", "bd"})

_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*\.?|,", re.UNICODE)


@dataclass(frozen=True, slots=True)
class NamePart:
    original: str  # as written in the name
    text: str  # lower-case Latin
    key: str  # romanization-insensitive comparison key (see keys.py)
    tag: str


@dataclass(frozen=True, slots=True)
class AnalyzedName:
    original: str
    kind: str
    parts: tuple[NamePart, ...]
    script: str | None
    #: keys of the parts that identify (legal forms, particles and initials do not)
    keys: frozenset[str] = field(init=False)
    #: ... and those parts' keys as spelled where a given-name class replaced them (andrew: "andrev"
    #: besides "andrei"), so that a misspelling ("Anrew") has a close key to be found by
    index_keys: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        identifying = [p for p in self.parts if p.tag not in (LEGAL_FORM, PARTICLE, INITIAL) and p.key]
        keys = frozenset(p.key for p in identifying)
        object.__setattr__(self, "keys", keys)
        spelled = {token_key(p.text) for p in identifying} - {""}
        # most names add nothing: they share the one set (the index holds every name of every list)
        object.__setattr__(self, "index_keys", keys | spelled if spelled - keys else keys)

    @property
    def latin(self) -> str:
        return " ".join(part.text for part in self.parts)


def patronymic_stem_key(latin: str) -> str:
    """The father's given name inside a patronymic, as a key (Iosifovich and Josephovich: one class)."""
    key = token_key(PATRONYMIC_RE.sub("", latin))
    return given_name_key(key) or key


def part_key(latin: str) -> str:
    key = token_key(latin)
    return given_name_key(key) or key


#: two short syllables joined by a hyphen: one Korean or Chinese given name (Il-chun, Wen-Fu, Jong-un)
_SYLLABLE_PAIR = re.compile(r"\b([^\W\d_]{1,4})-(?=[^\W\d_]{1,4}\b)")
#: ... unless the first is an article or a kinship word (Al-Ali, Abu-Ali)
_NOT_SYLLABLES = PARTICLES | {"abu", "abd", "umm", "um", "bint"}


def _join_syllables(match: re.Match[str]) -> str:
    first = match.group(1)
    return first + " " if first.lower() in _NOT_SYLLABLES else first


def _tokens(name: str) -> list[str]:
    """Words (an initial keeps its dot: "A.") and commas; "A.I." gives two initials."""
    if "-" in name:
        name = _SYLLABLE_PAIR.sub(_join_syllables, name).replace("-", " ")
    return _TOKEN_RE.findall(name.replace(".", ". "))


def _letters(latin: str) -> str:
    return "".join(c for c in latin if c.isalpha())


def _is_initial(word: str) -> bool:
    letters = word.rstrip(".")
    return len(letters) == 1 and letters.isalpha()


def _is_upper_word(word: str) -> bool:
    letters = [c for c in word if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)


def _tag_person(
    words: list[str], latins: list[str], comma_at: int | None, structured: dict[str, set[str]]
) -> list[str]:
    n = len(words)
    tags = [""] * n
    for i, latin in enumerate(latins):
        if _is_initial(words[i]):
            tags[i] = INITIAL
        elif (
            _letters(latin) in PARTICLES_AND_TITLES
            and n > 2
            or _letters(latin) in ABD_PREFIXES
            and i < n - 1
            and comma_at != i + 1
        ):
            tags[i] = PARTICLE
        else:
            for tag in (FAMILY, PATRONYMIC, GIVEN):
                if latin in structured.get(tag, ()):
                    # lists often put the patronymic into the given names ("Alexander Ivanovich")
                    is_patronymic = tag == GIVEN and i > 0 and n >= 3 and PATRONYMIC_RE.search(latin)
                    tags[i] = PATRONYMIC if is_patronymic else tag
                    break
    if all(tags):
        return tags
    open_positions = [i for i in range(n) if not tags[i]]
    if comma_at is not None and 0 < comma_at < n:
        for i in open_positions:
            tags[i] = FAMILY if i < comma_at else ""
    elif any(_is_upper_word(words[i]) for i in open_positions) and not all(_is_upper_word(w) for w in words):
        for i in open_positions:
            if _is_upper_word(words[i]):
                tags[i] = FAMILY
    open_positions = [i for i in range(n) if not tags[i]]
    words_count = sum(1 for t in tags if t not in (INITIAL, PARTICLE))
    for i in open_positions:
        # A patronymic needs a given name before it; with two words "Abramovich" is a surname.
        if words_count >= 3 and i > 0 and PATRONYMIC_RE.search(latins[i]):
            tags[i] = PATRONYMIC
    patronymics = [i for i in range(n) if tags[i] == PATRONYMIC]
    if len(patronymics) > 1 and patronymics[-1] == n - 1:
        tags[n - 1] = FAMILY  # Roman Arkadyevich Abramovich: a -vich surname after the patronymic
        patronymics.pop()
    if patronymics and comma_at is None:
        p = patronymics[0]
        if p > 0 and not tags[p - 1]:
            tags[p - 1] = GIVEN
        if p == n - 1 and p >= 2 and not tags[0]:
            tags[0] = FAMILY  # official Russian order: Бастрыкин Александр Иванович
    for i in range(n):
        if tags[i]:
            continue
        if (comma_at is not None and i >= comma_at) or given_name_key(token_key(latins[i])):
            tags[i] = GIVEN
    open_positions = [i for i in range(n) if not tags[i]]
    if len(open_positions) == 1 and FAMILY not in tags:
        tags[open_positions[0]] = FAMILY
    elif FAMILY not in tags and GIVEN in tags and open_positions:
        tags[open_positions[-1]] = FAMILY
    elif FAMILY not in tags and PATRONYMIC not in tags and tags.count(GIVEN) >= 2:
        last_given = max(i for i in range(n) if tags[i] == GIVEN)
        tags[last_given] = OTHER  # "Sergei Roman": either could be the surname
    return [t or OTHER for t in tags]


def _tag_organization(latin_text: str, latins: list[str]) -> list[str]:
    legal_words: set[str] = set()
    for found, _compare in extract_org_types(latin_text):
        legal_words.update(found.lower().split())
    if legal_words and all(latin in legal_words for latin in latins):
        legal_words = set()  # a name made only of legal-form words ("Joint Stock Company") keeps them
    return [LEGAL_FORM if latin in legal_words else OTHER for latin in latins]


@lru_cache(maxsize=100_000)
def _analyze(name: str, kind: str, given: tuple[str, ...], patronymic: tuple[str, ...], family: tuple[str, ...]):
    text = strip_stress(name)
    text = remove_person_prefixes(text) if kind == "person" else text
    tokens = _tokens(text) or _tokens(name)
    comma_at = None
    words: list[str] = []
    for token in tokens:
        if token == ",":
            if comma_at is None and words:
                comma_at = len(words)
            continue
        words.append(token)
    g_as_h = any(UKRAINIAN_BELARUSIAN_LETTERS.intersection(repair_lookalikes(w)) for w in words)
    latins = [word_to_latin(w.rstrip("."), g_as_h) for w in words]
    keep = [i for i, latin in enumerate(latins) if latin]
    words, latins = [words[i] for i in keep], [latins[i] for i in keep]
    if kind == "person":
        structured = {
            GIVEN: {word_to_latin(w) for v in given for w in _tokens(v)},
            PATRONYMIC: {word_to_latin(w) for v in patronymic for w in _tokens(v)},
            FAMILY: {word_to_latin(w) for v in family for w in _tokens(v)},
        }
        tags = _tag_person(words, latins, comma_at, structured)
    else:
        tags = _tag_organization(" ".join(latins), latins)
    parts = tuple(
        NamePart(word, latin, token_key(latin) if tag == INITIAL else part_key(latin), tag)
        for word, latin, tag in zip(words, latins, tags, strict=True)
    )
    return AnalyzedName(name, kind, parts, detect_script(name))


def analyze_name(
    name: str,
    kind: str = "person",
    given: str | Sequence[str] | None = None,
    patronymic: str | Sequence[str] | None = None,
    family: str | Sequence[str] | None = None,
) -> AnalyzedName:
    """Latinize, key and tag the parts of one name; `given`/`patronymic`/`family` are what a list states."""
    return _analyze(
        name,
        kind if kind in ("person", "organization", "vessel", "aircraft") else "unknown",
        _as_tuple(given),
        _as_tuple(patronymic),
        _as_tuple(family),
    )


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if not value:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


#: a syllable of a given name written apart from the next ("Song Qian Jie"): a short word
SYLLABLE_LETTERS = 6


def join_syllables_written_apart(names: Sequence[AnalyzedName]) -> list[AnalyzedName]:
    """One person's names, with two adjacent short parts joined where another of its names writes them as one
    part ("Song Qian Jie" beside "SONG Qianjie": the given name is Qianjie, no middle name Qian): else a
    query of "Jie Song" would find a given name and a family name of it paired, and only a middle name left out."""
    # Only Latin writings count: a Han or Hangul name is written without spaces (孙平 is Sun Ping, one word)
    part_keys = [{p.key for p in name.parts} if name.script == "Latn" else set() for name in names]
    out: list[AnalyzedName] = []
    for index, name in enumerate(names):
        if name.script != "Latn" or any(len(p.text) > SYLLABLE_LETTERS for p in name.parts):
            out.append(name)  # a name of syllables has only short parts ("Mati Ur-Rehman Ali Muhammad" is none)
            continue
        others = set().union(*(keys for i, keys in enumerate(part_keys) if i != index))
        parts = list(name.parts)
        position = 0
        while position + 1 < len(parts):
            first, second = parts[position], parts[position + 1]
            joined = first.text + second.text
            if (
                first.tag not in (INITIAL, PARTICLE) and second.tag not in (INITIAL, PARTICLE)
                and len(first.text) <= SYLLABLE_LETTERS and len(second.text) <= SYLLABLE_LETTERS
                and part_key(joined) in others
            ):  # fmt: skip
                parts[position : position + 2] = [NamePart(first.original + second.original.lower(), joined,
                                                           part_key(joined), first.tag)]  # fmt: skip
            position += 1
        out.append(
            name if len(parts) == len(name.parts) else AnalyzedName(name.original, name.kind, tuple(parts), name.script)
        )
    return out


def share_marked_parts(names: Sequence[AnalyzedName]) -> list[AnalyzedName]:
    """One person's names, where a name whose parts are untagged ("Mustafa Mahmut Cetin") takes the tags of
    another writing of the same parts that marks them ("Mustafa Mahmut ÇETIN": a family name in capitals),
    so that the rules that read tags (a first given name left out, a first family name missing) hold
    for every writing of a name, not only the one a list wrote with capitals or a comma."""
    marked: dict[frozenset[str], dict[str, str]] = {}
    for name in names:
        tags = {p.key: p.tag for p in name.parts if p.key}
        if len(tags) == len([p for p in name.parts if p.key]) and FAMILY in tags.values():
            marked.setdefault(frozenset(tags), tags)
    if not marked:
        return list(names)
    out: list[AnalyzedName] = []
    for name in names:
        keys = [p.key for p in name.parts if p.key]
        shared = (
            marked.get(frozenset(keys))
            if FAMILY not in {p.tag for p in name.parts} and len(set(keys)) == len(keys)
            else None
        )
        if shared is None or any(p.tag not in (OTHER, shared.get(p.key)) for p in name.parts if p.key):
            out.append(name)
            continue
        parts = tuple(NamePart(p.original, p.text, p.key, shared[p.key]) if p.key else p for p in name.parts)
        out.append(AnalyzedName(name.original, name.kind, parts, name.script))
    return out
