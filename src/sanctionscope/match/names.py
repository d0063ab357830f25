"""Name similarity by aligned parts: order-free, patronymic optional, family name weighs most.

Both names arrive analysed (`sanctionscope.names.analyze_name`): latinized parts, each
with a romanization-insensitive key and a tag (given, patronymic, family, initial, other).
Each query part is paired with at most one candidate part, best pairs first; the score
is the weighted share of the two names that the pairs cover.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial, reduce
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

from sanctionscope.match.config import TAG_WEIGHTS, UNTAGGED_WEIGHT
from sanctionscope.names import FAMILY, GIVEN, INITIAL, LEGAL_FORM, OTHER, PARTICLE, PATRONYMIC, AnalyzedName, NamePart
from sanctionscope.names.analyze import ABD_PREFIXES, ARABIC_ARTICLES, patronymic_stem_key

#: how much of its weight a candidate part that the query lacks counts against the match: queries
#: often leave out a second given name or a patronymic, seldom the family name
CANDIDATE_ONLY_SHARE = 0.75
CANDIDATE_ONLY_SHARES = {FAMILY: 1.0}
#: ... except the second part of a two-part family name whose first part pairs: the maternal surname
#: that the usual short form of a Spanish name leaves out ("Samuel CÁCERES" for "Samuel CÁCERES MENDOZA"),
#: counted as an omitted second given name (the first surname alone, "Carlos SERRANO" for "ÁLVAREZ
#: SERRANO, Carlos", is no usual short form and still counts in full)
SECOND_SURNAME_SHARE = CANDIDATE_ONLY_SHARE
#: a listed name that is one word and initials ("A. Kabir", «عماري س») agrees with many people: it can
#: suggest a query with that word and those first letters ("Amara Kabir"), not confirm it
ONE_WORD_AND_INITIALS_CEILING = 0.78
#: a person's name of one word against another of one word ("Patrushev" / "Petrushev", "Kabir" / "A. Kabir"):
#: a family name alone names a family, not a person, so it too can suggest a match, not confirm it
ONE_WORD_CEILING = ONE_WORD_AND_INITIALS_CEILING
#: a query of a candidate's later given name and family name that leaves out its first given name ("Mahmut ÇETIN"
#: / "Mustafa Mahmut ÇETIN"; "Omar HADI" / "HADI, Sadik Omar", where Omar is the father's name) names as well
#: anyone of that family with that second or father's name: it can suggest a match, not confirm it
SKIPPED_FIRST_NAME_CEILING = ONE_WORD_AND_INITIALS_CEILING
#: a near miss of a query part that is itself a listed name counts this share of its similarity
LISTED_NEAR_MISS_FACTOR = 0.6
#: two adjacent parts written as one ("AlArabi") pair when the joined spelling is at most one edit away
JOINED_SIMILARITY = 0.85
#: an unpaired part between two paired ones (a middle name one side omits) counts this share of its weight
MIDDLE_SHARE = 0.4
#: two unpaired middle names this alike (edit similarity) are one misspelt name, not two names
MIDDLE_ALIKE = 0.5
#: a query's patronymic that the candidate lacks counts this share of its weight: lists often
#: leave patronymics out, and one on no list says little (it is only the father's given name)
QUERY_PATRONYMIC_SHARE = 0.5
#: two patronymics that do not pair are two fathers: each counts this many times its weight ...
PATRONYMIC_CONFLICT_FACTOR = 2.0
#: ... unless the fathers' names are this alike (edit similarity of their keys: Yevgen / Iaugen)
PATRONYMIC_ALIKE = 0.6
#: an unpaired query part that appears on no list at all counts this many times its weight
UNLISTED_PART_FACTOR = 1.5
#: a patronymic may stand for a family or given name only when at most one edit away (a typo can hide the
#: ending that marks a patronymic: "Sergeevihc"); "Usmanovich" and "Usmanov" are three edits apart
CROSS_TAG_SIMILARITY = 0.85


@dataclass(frozen=True, slots=True)
class PartPair:
    query: str
    candidate: str
    similarity: float
    #: the parts' keys (empty for an initial or parts written joined: they say how common a name is no better)
    query_key: str = ""
    candidate_key: str = ""


@dataclass(frozen=True, slots=True)
class NameScore:
    score: float
    pairs: tuple[PartPair, ...]
    query_name: str
    candidate_name: str


def _initial_agrees(initial: NamePart, other: NamePart) -> bool:
    return other.text.startswith(initial.text) or other.key.startswith(initial.key)


def part_similarity(a: NamePart, b: NamePart) -> float:
    """1.0 for equal keys; 0.9 for an initial that fits; else a penalised edit similarity of the keys."""
    if a.key == b.key:
        return 1.0
    if a.tag == INITIAL or b.tag == INITIAL:
        if a.tag == b.tag:
            return 0.0
        initial, other = (a, b) if a.tag == INITIAL else (b, a)
        return 0.9 if _initial_agrees(initial, other) else 0.0
    if a.tag == PATRONYMIC == b.tag and patronymic_stem_key(a.text) == patronymic_stem_key(b.text):
        return 1.0  # Iosifovich / Josephovich: one father's name in two languages
    if spelt_apart(a, b):
        return 0.0
    # Keys fold romanizations together, which can also fold a typo further away ("dents" → "denZ"
    # is two edits from "denis"): the spelling as written gets its own chance.
    return max(key_similarity(a.key, b.key), key_similarity(a.text, b.text))


def spelt_apart(a: NamePart, b: NamePart) -> bool:
    """Neither the keys nor the spellings of two parts are within `key_similarity`'s reach: then
    `part_similarity` is 0 unless the keys are equal, one is an initial, or both are patronymics."""
    return out_of_reach(a.key, b.key) and out_of_reach(a.text, b.text)


def out_of_reach(a: str, b: str) -> bool:
    """More than `MAX_EDITS` edits apart: `key_similarity` sees no likeness at all (cheap: no cache)."""
    return abs(len(a) - len(b)) > MAX_EDITS or OSA.distance(a, b, score_cutoff=MAX_EDITS) > MAX_EDITS


#: an Arabic article written together with the name ("Elhassan") or dropped ("Hassan" for al-Hassan)
ARTICLE_SIMILARITY = 0.95


def with_article(longer: str, shorter: str) -> bool:
    """`longer` is `shorter` with an Arabic article written onto it: Elhassan / Hassan, Alhabbo / Habbo."""
    return (
        len(longer) == len(shorter) + 2
        and len(shorter) >= 4  # Elisa is not Isa
        and longer.endswith(shorter)
        and longer[:2] in ARABIC_ARTICLES
    )


@lru_cache(maxsize=100_000)
def one_name_two_spellings(a: str, b: str) -> bool:
    """Keys that romanizations, not people, set apart: vowels (Jabir / Jaber), an article (Elhassan / Hassan)."""
    return vowel_variant(a, b) or with_article(a, b) or with_article(b, a)


@lru_cache(maxsize=100_000)
def fathers_differ(a: str, b: str) -> bool:
    """Two patronymics (as written, Latin) name two different fathers: Ivanovich / Petrovich."""
    stem_a, stem_b = patronymic_stem_key(a), patronymic_stem_key(b)
    return stem_a != stem_b and OSA.normalized_similarity(stem_a, stem_b) < PATRONYMIC_ALIKE


#: taken off an edit similarity when the first letters differ
FIRST_LETTER_PENALTY = 0.25
#: taken off when one name is the other with a feminine "-a" (Francisco / Francisca, Ivanov / Ivanova)
GENDER_ENDING_PENALTY = 0.15
#: (edits, shortest length that may have them, similarity): a typo budget by length
EDIT_BUDGET = ((1, 5, 0.85), (2, 8, 0.6), (3, 12, 0.5))
#: the same for spellings that differ only in vowels (Jabir / Jaber, Osman / Usman, Rassalai / Rossolai)
VOWEL_BUDGET = ((1, 4, 0.85), (2, 6, 0.7))
#: spellings more edits apart than this are not alike at all (an article written on is two edits)
MAX_EDITS = max(edits for edits, _shortest, _similarity in EDIT_BUDGET + VOWEL_BUDGET)
#: an article written onto a name (`with_article`) is two edits, and the longer spelling has six letters or more
ARTICLE_BUDGET = (2, 6, ARTICLE_SIMILARITY)


def edits_within_reach(length: int) -> int:
    """The most edits at which `key_similarity` still sees a likeness, when the longer spelling has
    `length` letters (a budget grants its edits only from its shortest length)."""
    budgets = (*EDIT_BUDGET, *VOWEL_BUDGET, ARTICLE_BUDGET)
    return max((edits for edits, shortest, _similarity in budgets if length >= shortest), default=0)


#: `edits_within_reach` by length, for lengths up to the longest whose reach still grows
REACH_BY_LENGTH = np.asarray([edits_within_reach(n) for n in range(max(s for _e, s, _x in EDIT_BUDGET) + 1)])
_VOWELS = str.maketrans("", "", "aeiou")


def consonants(key: str) -> str:
    """A key without its vowels ("y" is folded into "i" in keys)."""
    return key.translate(_VOWELS)


def gendered_pair(a: str, b: str) -> bool:
    """One spelling is the other with a feminine "-a" (Aleksandr / Aleksandra, Francisco / Francisca)."""
    if a[-1:] == b[-1:] or "a" not in (a[-1:], b[-1:]):
        return False
    feminine, other = (a, b) if a.endswith("a") else (b, a)
    return feminine[:-1] == other or (len(feminine) == len(other) and feminine[:-1] == other[:-1])


def other_syllable(a: str, b: str) -> bool:
    """Words of one vowel that differ in it: another syllable, another name (Chang / Ching, Wang / Weng)."""
    if len(a) != len(b) or len(a) - len(consonants(a)) != 1 or len(b) - len(consonants(b)) != 1:
        return False
    return sum(x != y for x, y in zip(a, b)) == 1 and consonants(a) == consonants(b)  # not Hwang / Hwnag


def vowel_variant(a: str, b: str) -> bool:
    """Two spellings of one name in two romanizations: the same consonants, at most two vowels apart,
    and not a masculine and a feminine form."""
    return (
        consonants(a) == consonants(b)
        and OSA.distance(a, b, score_cutoff=2) <= 2
        and not gendered_pair(a, b)
        and min(len(a), len(b)) >= 4
    )


@lru_cache(maxsize=1_000_000)
def key_similarity(a: str, b: str) -> float:
    """Similarity of two spellings from their edit distance (a transposition is one edit) and length.

    One edit costs 15 % in a part of five letters or more; two edits, 40 % from eight letters;
    three, 50 % from twelve. Anything else is no pair at all ("Ivan" and "Ivas" are not one name).
    Vowels alone are what romanizations disagree on most (Jabir / Jaber, Habbo / Hebo): one vowel
    edit costs 15 % from four letters, two cost 30 % from six, and a differing first vowel costs
    nothing extra; two edits that change consonants are mostly another name (Schreiber /
    Schneider). An Arabic article written onto the name (Elhassan / Hassan) costs 5 %.
    """
    if a == b:
        return 1.0
    if out_of_reach(a, b):
        return 0.0
    if with_article(a, b) or with_article(b, a):
        return ARTICLE_SIMILARITY
    length = max(len(a), len(b))  # "Iqbl" for "Iqbal": the name's own length counts
    distance = OSA.distance(a, b, score_cutoff=MAX_EDITS)
    if distance == 1 and other_syllable(a, b):
        return 0.0
    if distance <= 2 and vowel_variant(a, b):
        for edits, shortest, similarity in VOWEL_BUDGET:
            if distance <= edits:
                return similarity if length >= shortest else 0.0
    for edits, shortest, similarity in EDIT_BUDGET:
        if distance <= edits:
            if length < shortest:
                return 0.0
            # a misspelt first letter is rare (the ways to write a first sound are folded into the
            # keys already): Markovski and Harkovski are two names
            if a[:1] != b[:1]:
                similarity -= FIRST_LETTER_PENALTY
            return similarity - GENDER_ENDING_PENALTY if gendered_pair(a, b) else similarity
    return 0.0


def _weight(part: NamePart, other: NamePart | None = None) -> float:
    tag = part.tag
    if tag == "other" and other is not None and other.tag in (FAMILY, GIVEN):
        tag = other.tag
    return TAG_WEIGHTS.get(tag, UNTAGGED_WEIGHT)


def _joined(singles: list[NamePart], doubles: list[NamePart], used_singles: set[int], used_doubles: set[int]):
    """(single, (first, second)) for unpaired parts on one side equal to two adjacent unpaired parts
    on the other written together."""
    used_singles, used_doubles = set(used_singles), set(used_doubles)
    for i, part in enumerate(singles):
        if i in used_singles:
            continue
        for j in range(len(doubles) - 1):
            if j in used_doubles or j + 1 in used_doubles:
                continue
            if joins(part, doubles[j], doubles[j + 1]):
                used_singles.add(i)
                used_doubles.update((j, j + 1))
                yield i, (j, j + 1)
                break


def _between(used: set[int], parts: list[NamePart]) -> range:
    """Positions between the first and the last paired part that is a name (not a particle: in
    "Abdu Tamer HASSAN", "Tamer" is the given name, not a middle one)."""
    named = [i for i in used if parts[i].tag != PARTICLE]
    return range(min(named) + 1, max(named)) if len(named) >= 2 else range(0)


def pair_similarity(qp: NamePart, cp: NamePart, listed: frozenset[str] = frozenset()) -> float:
    """How well a query part and a candidate part pair in `compare_names`; 0.0: they cannot pair at all.

    The one test of pairing: the score aligns by it and the bounds (`PairBound`)
    ask it whether a part can pair, so the two cannot disagree.
    """
    if qp.key == cp.key:
        return 1.0
    similarity = part_similarity(qp, cp)
    if (
        similarity < 1.0
        and qp.key in listed
        and INITIAL not in (qp.tag, cp.tag)
        and not one_name_two_spellings(qp.key, cp.key)  # Jabir and Jaber are both listed, and one name
    ):
        similarity *= LISTED_NEAR_MISS_FACTOR
    if similarity > 0 and (
        similarity >= CROSS_TAG_SIMILARITY or qp.tag == cp.tag or PATRONYMIC not in (qp.tag, cp.tag)
    ):
        return similarity
    return 0.0


def joins(single: NamePart, first: NamePart, second: NamePart) -> bool:
    """`single` is `first` and `second` written as one part ("AlArabi" / "Al-Arabi", "Abdulrahman" / "Abdul Rahman")."""
    length = len(single.key)
    return (
        length >= 4
        and abs(len(first.key) + len(second.key) - length) <= MAX_EDITS  # cheap: most pairs are far apart
        and key_similarity(first.key + second.key, single.key) >= JOINED_SIMILARITY
    )


def query_only_weight(part: NamePart, unlisted: frozenset[str], middle: bool) -> float:
    """What a query part that pairs with nothing counts against the match (`middle`: between two paired parts)."""
    if part.tag == PARTICLE and part.text in ABD_PREFIXES:
        weight = TAG_WEIGHTS[GIVEN]  # "Abdul" that pairs with nothing: the query's given name is missing
    elif part.tag == PATRONYMIC:
        weight = TAG_WEIGHTS[PATRONYMIC] * QUERY_PATRONYMIC_SHARE
    else:
        weight = TAG_WEIGHTS.get(part.tag, UNTAGGED_WEIGHT) * (UNLISTED_PART_FACTOR if part.key in unlisted else 1.0)
    return weight * MIDDLE_SHARE if middle else weight


def candidate_only_weight(part: NamePart, middle: bool, second_surname: bool = False) -> float:
    """What a candidate part that no query part pairs with counts against the match (`second_surname`:
    it is the second part of a two-part family name whose first part pairs)."""
    if middle:
        share = MIDDLE_SHARE
    elif second_surname:
        share = SECOND_SURNAME_SHARE
    else:
        share = CANDIDATE_ONLY_SHARES.get(part.tag, CANDIDATE_ONLY_SHARE)
    return TAG_WEIGHTS.get(part.tag, UNTAGGED_WEIGHT) * share


def second_surname(parts: Sequence[NamePart], j: int) -> bool:
    """Whether part `j` is the second of a family name of two parts (either side of it no third)."""
    return (
        0 < j
        and parts[j].tag == FAMILY
        and parts[j - 1].tag == FAMILY
        and (j < 2 or parts[j - 2].tag != FAMILY)
        and (j + 1 >= len(parts) or parts[j + 1].tag != FAMILY)
    )


def least_weight(weigh: Callable[[bool], float], position: int, count: int) -> float:
    """The least an unpaired part at `position` of `count` can count: an inner part may be a middle name."""
    return min(weigh(False), weigh(True)) if 0 < position < count - 1 else weigh(False)


def compare_names(
    query: AnalyzedName,
    candidate: AnalyzedName,
    unlisted: frozenset[str] = frozenset(),
    listed: frozenset[str] = frozenset(),
) -> NameScore:
    """Align the parts of two names and score the alignment in [0, 1].

    `unlisted`: keys of query parts that no list contains at all; left unpaired, such a part is
    strong evidence of another person and counts `UNLISTED_PART_FACTOR` times its weight.
    `listed`: keys of query parts that lists contain as they are: such a part is a name in its own
    right, so its near-miss with another name ("Hanan" and "Hasan") is less likely a typo.
    """
    q_parts, c_parts = scored_parts(query), scored_parts(candidate)
    if not q_parts or not c_parts:
        return NameScore(0.0, (), query.original, candidate.original)
    # This loop runs for every candidate name of every query: kept flat on purpose.
    options = []
    for i, qp in enumerate(q_parts):
        for j, cp in enumerate(c_parts):
            similarity = 1.0 if qp.key == cp.key else pair_similarity(qp, cp, listed)
            if similarity > 0:
                options.append((similarity, i, j))
    options.sort(key=lambda option: (-option[0], option[1], option[2]))  # ties: in reading order
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[PartPair] = []
    matched = possible = 0.0
    full_pairs = initial_stand_ins = 0
    for similarity, i, j in options:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        qp, cp = q_parts[i], c_parts[j]
        if cp.tag == INITIAL and qp.tag != INITIAL:
            # The list gives only an initial: it confirms the query's first letter, not its name.
            weight = 2 * TAG_WEIGHTS[INITIAL]
            possible += _weight(qp) - TAG_WEIGHTS[INITIAL]
            initial_stand_ins += 1
        else:
            weight = _weight(qp, cp) + _weight(cp, qp)
            full_pairs += INITIAL not in (qp.tag, cp.tag)
        matched += weight * similarity
        possible += weight
        keyed = INITIAL not in (qp.tag, cp.tag)
        pairs.append(
            PartPair(qp.original, cp.original, round(similarity, 3), qp.key if keyed else "", cp.key if keyed else "")
        )
    # "AlArabi" and "Al-Arabi", "Abdulrahman" and "Abdul Rahman": one part on one side is two on the other.
    joined: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    q_left, c_left = len(q_parts) - len(used_q), len(c_parts) - len(used_c)
    if q_left and c_left and q_left + c_left >= 3:  # one part on one side, two on the other
        joined += [((i,), js) for i, js in _joined(q_parts, c_parts, used_q, used_c)]
        joined += [(is_, (j,)) for j, is_ in _joined(c_parts, q_parts, used_c, used_q)]
    for q_indices, c_indices in joined:
        if used_q & set(q_indices) or used_c & set(c_indices):
            continue
        weight = max(_weight(q_parts[i]) for i in q_indices) + max(_weight(c_parts[j]) for j in c_indices)
        matched += weight
        possible += weight
        used_q.update(q_indices)
        used_c.update(c_indices)
        query_text = " ".join(q_parts[i].original for i in q_indices)
        pairs.append(PartPair(query_text, " ".join(c_parts[j].original for j in c_indices), 1.0))
    # A query part the candidate lacks counts fully against it (a patronymic half); a candidate part
    # the query lacks counts less (queries often omit a patronymic or a second given name), but a
    # surname alone ("Patrushev") must not match a person with a given name.
    # Parts between two paired ones are middle names (a father's and grandfather's names in
    # "OTHMAN AHMED OTHMAN AL-GHAMDI" against "AL-GHAMDI, Othman"): one list writes them, the other not.
    # When both sides have one there, they are two different middle names, not an omission
    # ("M Carmen Medina", "Marco Antonio MEDINA"), unless they are alike (a badly misspelt one).
    q_middle = [i for i in _between(used_q, q_parts) if i not in used_q]
    c_middle = [j for j in _between(used_c, c_parts) if j not in used_c]
    if q_middle and c_middle and not any(
        OSA.normalized_similarity(q_parts[i].text, c_parts[j].text) >= MIDDLE_ALIKE for i in q_middle for j in c_middle
    ):
        q_middle = c_middle = []
    q_unpaired = [i for i in range(len(q_parts)) if i not in used_q]
    c_unpaired = [j for j in range(len(c_parts)) if j not in used_c]
    if q_unpaired:
        possible += sum(query_only_weight(q_parts[i], unlisted, i in q_middle) for i in q_unpaired)
    if c_unpaired:
        possible += sum(
            candidate_only_weight(c_parts[j], j in c_middle, j - 1 in used_c and second_surname(c_parts, j))
            for j in c_unpaired
        )
        if any(
            fathers_differ(q_parts[i].text, c_parts[j].text)
            for i in q_unpaired if q_parts[i].tag == PATRONYMIC
            for j in c_unpaired if c_parts[j].tag == PATRONYMIC
        ):  # fmt: skip
            possible += 2 * TAG_WEIGHTS[PATRONYMIC] * PATRONYMIC_CONFLICT_FACTOR
    score = matched / possible if possible else 0.0
    if initial_stand_ins and full_pairs + len(joined) <= 1:
        score = min(score, ONE_WORD_AND_INITIALS_CEILING)
    if one_word_person(query) and one_word_person(candidate):
        score = min(score, ONE_WORD_CEILING)
    if full_pairs + len(joined) <= 2 and skips_first_given_name(c_parts, used_c):
        score = min(score, SKIPPED_FIRST_NAME_CEILING)
    return NameScore(score, tuple(pairs), query.original, candidate.original)


def skips_first_given_name(c_parts: Sequence[NamePart], paired: set[int]) -> bool:
    """The candidate's first given name is among its unpaired parts while a later given name is paired: only in a
    name whose family name is marked (by capitals, a comma or the list's fields), where given names keep their order."""
    if not any(part.tag == FAMILY for part in c_parts):
        return False
    given = [j for j, part in enumerate(c_parts) if part.tag in (GIVEN, OTHER) and part.key]
    return len(given) >= 2 and given[0] not in paired and any(j in paired for j in given[1:])


def one_word_person(name: AnalyzedName) -> bool:
    """A person's name of one identifying word (particles, initials and legal forms aside): "Patrushev", "A. Kabir"."""
    words = [p for p in name.parts if p.tag not in (LEGAL_FORM, PARTICLE, INITIAL) and p.key]
    return name.kind == "person" and len(words) == 1  # "Hilal HILAL" is two words


#: the most a candidate part adds to a pair's weight (`_weight`: a family name)
CANDIDATE_WEIGHT_CEILING = max(TAG_WEIGHTS.values())


def pair_weight_ceiling(part: NamePart) -> float:
    """The most a pair with this query part adds to the matched weight, and the least it adds to the
    possible one: the part's own weight (an untagged "other" part takes a family name's from its
    partner) plus a family name's. A join of two query parts with one candidate part adds less than
    the two parts' ceilings together."""
    own = CANDIDATE_WEIGHT_CEILING if part.tag == OTHER else TAG_WEIGHTS.get(part.tag, UNTAGGED_WEIGHT)
    return own + CANDIDATE_WEIGHT_CEILING


def scored_parts(name: AnalyzedName) -> list[NamePart]:
    """The parts `compare_names` aligns: legal forms are set aside."""
    return [p for p in name.parts if p.tag != LEGAL_FORM]


def alignment_bound(top: float, against: float) -> float:
    """The most `compare_names` can give when the pairs add at most `top` to the matched weight (the
    `pair_weight_ceiling`s of the query parts that may pair) and unpaired parts count at least `against`."""
    return top / (top + against) if top else 0.0


#: a name part as entries serialize it: `NamePart`'s fields (original, text, key, tag)
PartRow = tuple[str, str, str, str]


class PartSet(NamedTuple):
    """The distinct scored parts of a candidate's names, and its distinct adjacent pairs: all that
    `Alignable` asks the rules about (lists repeat a person's name parts across aliases and scripts)."""

    #: per distinct part, what the rules read of it: (key, text, tag)
    parts: tuple[tuple[str, str, str], ...]
    #: per distinct pair of adjacent parts, their keys (what `joins` reads of them)
    adjacent: tuple[tuple[str, str], ...]
    #: the parts as rows, in `parts` order, and the pairs, in `adjacent` order: made `NamePart`s only
    #: where a rule is asked (most candidates' parts are remembered from earlier ones, or out of reach)
    part_rows: tuple[PartRow, ...]
    adjacent_rows: tuple[tuple[PartRow, PartRow], ...]


def part_set(names: Iterable[AnalyzedName]) -> PartSet:
    """The `PartSet` of a candidate with these names."""
    return part_set_of_rows([(p.original, p.text, p.key, p.tag) for p in name.parts] for name in names)


def part_set_of_rows(names: Iterable[Iterable[Sequence[str]]]) -> PartSet:
    """The `PartSet` of a candidate whose names have these parts, as rows: read straight from a
    serialized entry (`Entry.to_bytes`), without decoding the entry."""
    parts: dict[tuple[str, str, str], PartRow] = {}
    adjacent: dict[tuple[str, str], tuple[PartRow, PartRow]] = {}
    for rows in names:
        scored: list[PartRow] = [(r[0], r[1], r[2], r[3]) for r in rows if r[3] != LEGAL_FORM]
        for row in scored:
            parts.setdefault((row[2], row[1], row[3]), row)
        for first, second in pairwise(scored):
            adjacent.setdefault((first[2], second[2]), (first, second))
    return PartSet(tuple(parts), tuple(adjacent), tuple(parts.values()), tuple(adjacent.values()))


def within_reach(queries: Sequence[str], choices: Sequence[str]) -> np.ndarray:
    """Whether each query (row) and choice (column) are near enough for `key_similarity` to see a
    likeness (`edits_within_reach`): all pairs at once in compiled code."""
    if not queries or not choices:
        return np.zeros((len(queries), len(choices)), dtype=bool)
    distances = process.cdist(queries, choices, scorer=OSA.distance, score_cutoff=MAX_EDITS, dtype=np.int32, workers=1)
    longest = np.maximum.outer(
        np.fromiter(map(len, queries), dtype=np.int64, count=len(queries)),
        np.fromiter(map(len, choices), dtype=np.int64, count=len(choices)),
    )
    return distances <= REACH_BY_LENGTH[np.minimum(longest, len(REACH_BY_LENGTH) - 1)]


def _or(values: Iterable[int]) -> int:
    """All the bits set in any of `values`."""
    return reduce(operator.or_, values, 0)


def columns(mask: np.ndarray) -> dict[int, list[int]]:
    """Per column of a boolean matrix, the rows set in it (columns with none are left out)."""
    found: dict[int, list[int]] = {}
    for i, j in zip(*np.nonzero(mask)):
        found.setdefault(int(j), []).append(int(i))
    return found


class Alignable:
    """Which parts of a candidate name `compare_names` may align with which parts of the query's names.

    A part may align when it pairs by `pair_similarity`, or is written as two adjacent parts of the
    other name, or is one of two adjacent parts written as one of the other's (`joins`): the same rules
    the score aligns by. The query's scored parts are numbered across its names (bit k: the k-th);
    answers are remembered per candidate part and per pair of adjacent parts, for one query, and
    worked out for many parts at once (`learn`): every rule but those of initials and patronymics
    needs two spellings at most `MAX_EDITS` edits apart, which one batch of edit distances tells.
    """

    __slots__ = (
        "_adjacent",
        "_adjacent_keys",
        "_keys",
        "_listed",
        "_names",
        "_parts",
        "_query_adjacent",
        "_query_parts",
        "_query_tags",
        "_texts",
        "name_bits",
    )  # fmt: skip

    def __init__(self, names: Sequence[AnalyzedName], listed: frozenset[str] = frozenset()):
        #: (bit, part) per scored part of the query's names
        self._query_parts: list[tuple[int, NamePart]] = []
        self._query_adjacent: list[tuple[int, NamePart, NamePart]] = []
        #: per query name, the bits of its scored parts
        self.name_bits: list[list[int]] = []
        for name in names:
            parts = scored_parts(name)
            bits = [1 << (len(self._query_parts) + i) for i in range(len(parts))]
            self._query_parts += zip(bits, parts)
            self._query_adjacent += [(bits[i] | bits[i + 1], parts[i], parts[i + 1]) for i in range(len(parts) - 1)]
            self.name_bits.append(bits)
        self._listed = listed
        self._query_tags = np.asarray([part.tag for _bit, part in self._query_parts], dtype=object)
        self._keys = [part.key for _bit, part in self._query_parts]
        self._texts = [part.text for _bit, part in self._query_parts]
        self._adjacent_keys = [first.key + second.key for _both, first, second in self._query_adjacent]
        self._parts: dict[tuple[str, str, str], int] = {}
        self._adjacent: dict[tuple[str, str], int] = {}
        self._names: dict[int, tuple[AnalyzedName, int, tuple[int, ...]]] = {}

    def of(self, candidate: AnalyzedName) -> tuple[int, tuple[int, ...]]:
        """(the query parts that may align with a part of `candidate`; per scored part of `candidate`, the
        query parts it may align with), as bits."""
        found = self._names.get(id(candidate))
        if found is None or found[0] is not candidate:  # the name is kept, so its id is not reused
            c_parts = scored_parts(candidate)
            part_keys = [(part.key, part.text, part.tag) for part in c_parts]
            adjacent_keys = [(first.key, second.key) for first, second in pairwise(c_parts)]
            try:
                per_part, joined = [self._parts[k] for k in part_keys], [self._adjacent[k] for k in adjacent_keys]
            except KeyError:  # not learnt yet (a name outside the batch `Matcher.match` learns)
                self.learn([part_set([candidate])])
                per_part, joined = [self._parts[k] for k in part_keys], [self._adjacent[k] for k in adjacent_keys]
            for k, bits in enumerate(joined):
                if bits:
                    per_part[k] |= bits
                    per_part[k + 1] |= bits
            found = self._names[id(candidate)] = (candidate, _or(per_part), tuple(per_part))
        return found[1], found[2]

    @property
    def fits_in_words(self) -> bool:
        """Whether the bits of the query's parts fit in one 64-bit word (what `candidate_bounds` computes with)."""
        return len(self._query_parts) <= 64

    def bits_of_rows(self, rows: Sequence[PartRow]) -> list[int]:
        """Per candidate part (as a row), the query parts it may align with by itself (joins aside)."""
        keys = [(key, text, tag) for _original, text, key, tag in rows]
        if any(k not in self._parts for k in keys):
            self.learn([PartSet(tuple(keys), (), tuple(rows), ())])
        return [self._parts[k] for k in keys]

    def bits_of_adjacent(self, pairs: Sequence[tuple[PartRow, PartRow]]) -> list[int]:
        """Per pair of adjacent candidate parts (as rows), the query parts they may align with written as one."""
        keys = [(first[2], second[2]) for first, second in pairs]
        if any(k not in self._adjacent for k in keys):
            self.learn([PartSet((), tuple(keys), (), tuple(pairs))])
        return [self._adjacent[k] for k in keys]

    def learn(self, sets: Iterable[PartSet]) -> None:
        """Work out and remember the answers for the parts and pairs of adjacent parts of these sets.

        The rules are asked only of the pairs that may pair: parts whose keys or spellings are within
        reach of each other (`spelt_apart`, `edits_within_reach`), an initial with anything, two
        patronymics (their stems); and a part with two adjacent parts written together within reach
        of it (`joins`). Every other answer is "none" without a word of Python per pair.
        """
        memo, memo_adjacent = self._parts, self._adjacent
        new: dict[tuple[str, str, str], PartRow] = {}
        pairs: dict[tuple[str, str], tuple[PartRow, PartRow]] = {}
        for found in sets:
            new.update(zip(found.parts, found.part_rows))
            pairs.update(zip(found.adjacent, found.adjacent_rows))
        if memo:
            new = {k: part for k, part in new.items() if k not in memo}
        if memo_adjacent:
            pairs = {k: pair for k, pair in pairs.items() if k not in memo_adjacent}
        if new:
            memo_keys, c_rows = list(new), list(new.values())
            keys = [key for key, _text, _tag in memo_keys]
            asked = within_reach(self._keys, keys) | within_reach(self._texts, [text for _k, text, _t in memo_keys])
            c_tags = np.asarray([tag for _k, _text, tag in memo_keys], dtype=object)
            asked[self._query_tags == INITIAL, :] = True
            asked[:, c_tags == INITIAL] = True
            asked[np.ix_(self._query_tags == PATRONYMIC, c_tags == PATRONYMIC)] = True
            memo.update(dict.fromkeys(memo_keys, 0))
            for j, rows in columns(asked).items():
                cp = NamePart(*c_rows[j])
                memo[memo_keys[j]] |= sum(bit for bit, qp in map(self._query_parts.__getitem__, rows)
                                          if pair_similarity(qp, cp, self._listed))  # fmt: skip
            for j, rows in columns(within_reach(self._adjacent_keys, keys)).items():
                cp = NamePart(*c_rows[j])
                for both, first, second in map(self._query_adjacent.__getitem__, rows):
                    if joins(cp, first, second):
                        memo[memo_keys[j]] |= both
        if pairs:
            pair_keys = list(pairs)
            memo_adjacent.update(dict.fromkeys(pair_keys, 0))
            for j, rows in columns(within_reach(self._keys, [first + second for first, second in pair_keys])).items():
                first, second = (NamePart(*row) for row in pairs[pair_keys[j]])
                memo_adjacent[pair_keys[j]] = sum(
                    bit for bit, qp in map(self._query_parts.__getitem__, rows) if joins(qp, first, second)
                )


class PairBound:
    """The most `compare_names(query, candidate)` can give, mostly from set lookups.

    A query part one of whose stand-in keys (itself, or a close misspelling found by the index)
    is among the candidate's keys, and a candidate part whose key stands in for a query part,
    are assumed to pair. Any other part is asked the rules (`Alignable`: "Abba" pairs with
    "Abbas" by its spelling, though the index finds no key of it); one that cannot align counts
    the least it can against the match (`query_only_weight`, `candidate_only_weight`).
    What depends on the query alone is worked out once, when the bound is made; `alignable`
    (with this name's position among its names) may be shared by the bounds of one query's names.
    """

    __slots__ = ("_alignable", "_reachable", "name_mask", "parts")

    def __init__(
        self,
        query: AnalyzedName,
        stand_ins: Mapping[str, frozenset[str]],
        reachable: frozenset[str],
        unlisted: frozenset[str] = frozenset(),
        listed: frozenset[str] = frozenset(),
        alignable: tuple[Alignable, int] | None = None,
    ):
        self._alignable, position = alignable or (Alignable([query], listed), 0)
        q_parts = scored_parts(query)
        bits = self._alignable.name_bits[position]
        #: per query part: its stand-in keys (None: always pairs), its bit, the most it adds paired and
        #: the least it counts unpaired
        self.parts = [
            (
                stand_ins.get(part.key),
                bit,
                pair_weight_ceiling(part),
                least_weight(partial(query_only_weight, part, unlisted), i, len(q_parts)),
            )
            for i, (part, bit) in enumerate(zip(q_parts, bits, strict=True))
        ]
        #: the bits of this name's parts
        self.name_mask = sum(bits)
        self._reachable = reachable

    def __call__(self, candidate: AnalyzedName, floor: float = 0.0) -> float:
        """The bound; or, once the query's parts alone keep it below `floor`, 0.0."""
        aligned: tuple[int, tuple[int, ...]] | None = None  # asked of the rules only when needed
        top, against = 0.0, 0.0
        candidate_keys = candidate.index_keys
        for keys, bit, ceiling, least in self.parts:
            if keys is None or not keys.isdisjoint(candidate_keys):
                top += ceiling
                continue
            aligned = aligned or self._alignable.of(candidate)
            if aligned[0] & bit:
                top += ceiling
            else:
                against += least
        if not top or alignment_bound(top, against) < floor:
            return 0.0
        reachable = self._reachable
        for j, key, least in candidate_only_weights(candidate):
            if key not in reachable:
                aligned = aligned or self._alignable.of(candidate)
                if not aligned[1][j] & self.name_mask:
                    against += least
        return alignment_bound(top, against)


def candidate_only_weights(candidate: AnalyzedName) -> tuple[tuple[int, str, float], ...]:
    """(position among the scored parts, key, the least it counts against when it aligns with no query
    part) per identifying part."""
    c_parts = scored_parts(candidate)
    least = candidate_only_least_weights(tuple(part.tag for part in c_parts))
    return tuple(
        (j, part.key, least[j]) for j, part in enumerate(c_parts) if part.tag not in (INITIAL, PARTICLE) and part.key
    )


@lru_cache(maxsize=10_000)
def candidate_only_least_weights(tags: tuple[str, ...]) -> tuple[float, ...]:
    """Per scored part of a name with these tags, the least it counts against when it aligns with no
    query part (an inner part may be a middle name; a second surname counts less): the tags alone say."""
    c_parts = [NamePart("", "", "", tag) for tag in tags]
    return tuple(
        least_weight(partial(candidate_only_weight, part, second_surname=second_surname(c_parts, j)), j, len(c_parts))
        for j, part in enumerate(c_parts)
    )
