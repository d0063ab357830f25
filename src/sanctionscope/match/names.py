"""Name similarity by aligned parts: order-free, patronymic optional, family name weighs most.

Both names arrive analysed (`sanctionscope.names.analyze_name`): latinized parts, each
with a romanization-insensitive key and a tag (given, patronymic, family, initial, other).
Each query part is paired with at most one candidate part, best pairs first; the score
is the weighted share of the two names that the pairs cover.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from sanctionscope.names import FAMILY, GIVEN, INITIAL, LEGAL_FORM, PARTICLE, PATRONYMIC, AnalyzedName, NamePart

#: how much each kind of part counts; a family name carries identity, a patronymic little
TAG_WEIGHTS = {
    "family": 1.0,
    "given": 0.7,
    "other": 0.8,
    "patronymic": 0.35,
    "initial": 0.25,
    "particle": 0.2,
    "legal_form": 0.0,
}

#: a pair of parts below this similarity is no pair at all
MIN_PART_SIMILARITY = 0.75
#: how much of its weight a candidate part that the query lacks counts against the match
CANDIDATE_ONLY_SHARE = 0.75
#: a patronymic may stand for a family or given name only when nearly equal ("Usmanovich" is not "Usmanov")
CROSS_TAG_SIMILARITY = 0.9


@dataclass(frozen=True, slots=True)
class PartPair:
    query: str
    candidate: str
    similarity: float


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
    return key_similarity(a.key, b.key)


@lru_cache(maxsize=1_000_000)
def key_similarity(a: str, b: str) -> float:
    """Edit similarity (a transposition is one edit), squared so that two edits weigh much more than one.

    Below MIN_PART_SIMILARITY, or for short keys one edit apart, parts do not pair at all.
    """
    similarity = OSA.normalized_similarity(a, b)
    if similarity < MIN_PART_SIMILARITY or (min(len(a), len(b)) <= 4 and similarity < 0.8):
        return 0.0
    return similarity * similarity


def _weight(part: NamePart, other: NamePart | None = None) -> float:
    tag = part.tag
    if tag == "other" and other is not None and other.tag in (FAMILY, GIVEN):
        tag = other.tag
    return TAG_WEIGHTS.get(tag, 0.8)


def compare_names(query: AnalyzedName, candidate: AnalyzedName) -> NameScore:
    """Align the parts of two names and score the alignment in [0, 1]."""
    q_parts = [p for p in query.parts if p.tag != LEGAL_FORM]
    c_parts = [p for p in candidate.parts if p.tag != LEGAL_FORM]
    if not q_parts or not c_parts:
        return NameScore(0.0, (), query.original, candidate.original)
    # This loop runs for every candidate name of every query: kept flat on purpose.
    options = []
    for i, qp in enumerate(q_parts):
        for j, cp in enumerate(c_parts):
            if qp.key == cp.key:
                options.append((1.0, i, j))
                continue
            similarity = part_similarity(qp, cp)
            if similarity > 0 and (
                similarity >= CROSS_TAG_SIMILARITY or qp.tag == cp.tag or PATRONYMIC not in (qp.tag, cp.tag)
            ):
                options.append((similarity, i, j))
    options.sort(reverse=True)
    used_q: set[int] = set()
    used_c: set[int] = set()
    pairs: list[PartPair] = []
    matched = possible = 0.0
    for similarity, i, j in options:
        if i in used_q or j in used_c:
            continue
        used_q.add(i)
        used_c.add(j)
        qp, cp = q_parts[i], c_parts[j]
        weight = _weight(qp, cp) + _weight(cp, qp)
        matched += weight * similarity
        possible += weight
        pairs.append(PartPair(qp.original, cp.original, round(similarity, 3)))
    # A query part the candidate lacks counts fully against it; a candidate part the query lacks
    # counts less (queries often omit a patronymic or a second given name), but a surname alone
    # ("Patrushev") must not match a person with a given name.
    if len(used_q) < len(q_parts):
        possible += sum(TAG_WEIGHTS.get(qp.tag, 0.8) for i, qp in enumerate(q_parts) if i not in used_q)
    if len(used_c) < len(c_parts):
        unmatched = sum(TAG_WEIGHTS.get(cp.tag, 0.8) for j, cp in enumerate(c_parts) if j not in used_c)
        possible += CANDIDATE_ONLY_SHARE * unmatched
    score = matched / possible if possible else 0.0
    return NameScore(score, tuple(pairs), query.original, candidate.original)


def score_bound(query: AnalyzedName, present: Callable[[str], bool]) -> float:
    """The most `compare_names` can give `query` against a name whose keys satisfy `present`.

    Each query part present could pair perfectly (weight at most 2); each absent one counts its
    full weight against. Initials and particles have no keys and are assumed present.
    """
    paired = missing = 0.0
    for part in query.parts:
        if part.tag == LEGAL_FORM:
            continue
        if part.tag in (INITIAL, PARTICLE) or not part.key or present(part.key):
            paired += 2.0
        else:
            missing += TAG_WEIGHTS.get(part.tag, 0.8)
    return paired / (paired + missing) if paired else 0.0


def pair_bound(
    query: AnalyzedName, candidate: AnalyzedName, stand_ins: Mapping[str, frozenset[str]], reachable: frozenset[str]
) -> float:
    """The most `compare_names(query, candidate)` can give, from set lookups only.

    A query part can pair only if one of its stand-in keys (itself, or a close misspelling
    found by the index) is among the candidate's keys; a candidate part whose key stands in
    for no query part cannot pair and counts against the match as in `compare_names`.
    """
    paired = missing = 0.0
    for part in query.parts:
        if part.tag == LEGAL_FORM:
            continue
        keys = stand_ins.get(part.key)
        if keys is None or not keys.isdisjoint(candidate.keys):
            paired += 2.0  # initials, particles: assumed to pair
        else:
            missing += TAG_WEIGHTS.get(part.tag, 0.8)
    if not paired:
        return 0.0
    for part in candidate.parts:
        if part.tag not in (LEGAL_FORM, INITIAL, PARTICLE) and part.key and part.key not in reachable:
            missing += CANDIDATE_ONLY_SHARE * TAG_WEIGHTS.get(part.tag, 0.8)
    return paired / (paired + missing)
