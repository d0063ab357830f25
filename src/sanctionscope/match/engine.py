"""The matcher: a query (name plus whatever else is known) in, ranked entries with reasons out.

For each query the candidate index proposes the entries that share the rarest name-part
keys (or close misspellings of them); only those are scored. The score is the best name
alignment over all name pairs, moved up or down by birth date, country and gender, and
set to 1 by an equal identifier.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sanctionscope.index import persist
from sanctionscope.index.candidates import Candidate, CandidateIndex
from sanctionscope.index.entries import Entry, EntryTable, entries_from_records
from sanctionscope.index.mentions import MentionIndex
from sanctionscope.match import DEFAULT_THRESHOLD
from sanctionscope.match.config import FEATURE_WEIGHTS, IDENTIFIER_SCORE
from sanctionscope.match.features import (
    AlignedPart,
    Feature,
    compare_birth_dates,
    compare_countries,
    compare_genders,
    compare_identifiers,
    compare_name_frequency,
    kinds_compatible,
)
from sanctionscope.match.name_table import TABLE_VERSION, KeyBits, NameTable, Previous, candidate_bounds
from sanctionscope.match.names import Alignable, NameScore, PairBound, compare_names, scored_parts
from sanctionscope.match.query import SCHEMA_OF_KIND, Query
from sanctionscope.model import Record
from sanctionscope.names import PARTICLE, AnalyzedName, analyze_name
from sanctionscope.names.analyze import ABD_PREFIXES, ARABIC_ARTICLES, part_key
from sanctionscope.names.variants import name_variants

#: results scoring below this are not returned at all (yente's "cutoff"); lets scoring skip hopeless candidates
DEFAULT_CUTOFF = 0.65
#: entries are scored only if their candidate weight reaches this share of the best candidate's
CANDIDATE_CUTOFF = 0.3
#: ... and this share of what an entry with every query key would weigh (rare keys carry a match)
COVERAGE_CUTOFF = 0.4


@dataclass(frozen=True)
class Result:
    entry: Entry
    score: float
    match: bool
    name: NameScore
    features: tuple[Feature, ...]

    @property
    def schema(self) -> str:
        return SCHEMA_OF_KIND.get(self.entry.kind, "LegalEntity")

    def explanation(self) -> dict[str, Any]:
        return {
            "name": {
                "score": round(self.name.score, 3),
                "query": self.name.query_name,
                "candidate": self.name.candidate_name,
                "aligned": [
                    {"query": p.query, "candidate": p.candidate, "similarity": p.similarity} for p in self.name.pairs
                ],
            },
            "features": {f.name: {"value": f.value, "detail": f.detail} for f in self.features},
        }

    def to_dict(self, explain: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.entry.id,
            "caption": self.entry.caption,
            "schema": self.schema,
            "score": round(self.score, 4),
            "match": self.match,
            "referents": self.entry.referents,
        }
        if explain:
            data["explanation"] = self.explanation()
        return data


#: the stand-in weight of a key reached by one edit of a part's spelling
ONE_EDIT_SIMILARITY = 0.85
#: parts shorter than this are not repaired by one edit (too many other names are one edit away)
ONE_EDIT_MIN_LENGTH = 5


#: Arabic articles and kinship words that lists write apart or together with the name that follows
#: ("El Hassan" / "Elhassan", "Abdul Rahman" / "Abdulrahman"): longest first
JOINED_PREFIXES = tuple(
    sorted(ARABIC_ARTICLES | ABD_PREFIXES | {"bin", "ibn", "ben", "abu", "abou"}, key=len, reverse=True)
)
#: ... the name left after the prefix must be at least this long
JOINED_REST_MIN_LENGTH = 3


def _other_writings(name: AnalyzedName, position: int) -> list[str]:
    """Keys of the part at `position` with a prefix written apart ("Elhassan": hasan) or together
    with the particle before it ("El Hassan": elhasan)."""
    text = name.parts[position].text
    keys: list[str] = []
    for prefix in JOINED_PREFIXES:
        if text.startswith(prefix) and len(text) - len(prefix) >= JOINED_REST_MIN_LENGTH:
            keys.append(part_key(text[len(prefix) :]))
            break
    if position and name.parts[position - 1].tag == PARTICLE:
        keys.append(part_key(name.parts[position - 1].text + text))
    return keys


def one_edit_keys(text: str) -> set[str]:
    """Keys of a part's spelling with one letter dropped or two neighbouring letters swapped."""
    variants = {text[:i] + text[i + 1 :] for i in range(len(text))}
    variants.update(text[:i] + text[i + 1] + text[i] + text[i + 2 :] for i in range(len(text) - 1))
    variants.discard(text)
    return {part_key(v) for v in variants} - {""}


def analyze_query_names(query: Query) -> list[AnalyzedName]:
    kind = query.kind if query.kind and query.kind != "unknown" else "person"
    return [analyze_name(form, kind) for name in query.names if name and name.strip() for form in name_variants(name)]


@dataclass
class PreparedQuery:
    """A query analysed once, with what the index found for its keys."""

    query: Query
    names: list[AnalyzedName]
    #: per query key: the vocabulary keys that stand in for it (itself, close misspellings)
    stand_ins: dict[str, frozenset[str]]
    #: every stand-in key of every query key
    reachable: frozenset[str]
    #: query keys that no list contains (not even a close misspelling of them)
    unlisted: frozenset[str] = frozenset()
    #: query keys that lists contain as they are
    listed: frozenset[str] = frozenset()
    #: per query key, the vocabulary ids of its stand-ins (as `stand_ins`, numbered by the index)
    stand_in_ids: dict[str, list[int]] = field(default_factory=dict)
    #: how many entries carry a key (None: name frequency is not weighed), and how many entries there are
    carriers: Callable[[str], int] | None = None
    size: int = 0
    #: per query name, the most it can score against a candidate name
    bounds: list[PairBound] = field(init=False)
    #: which candidate parts may align with which query parts, by the rules of the score
    alignable: Alignable = field(init=False)
    #: per vocabulary key id, the query parts it stands in for (as `alignable`'s bits)
    key_bits: KeyBits = field(init=False)

    def __post_init__(self) -> None:
        self.alignable = Alignable(self.names, self.listed)
        self.bounds = [
            PairBound(n, self.stand_ins, self.reachable, self.unlisted, self.listed, (self.alignable, position))
            for position, n in enumerate(self.names)
        ]
        standing: dict[int, int] = {}
        if self.alignable.fits_in_words:  # else `candidate_bounds` bounds nothing and reads no bits
            for name, bits in zip(self.names, self.alignable.name_bits, strict=True):
                for part, bit in zip(scored_parts(name), bits, strict=True):
                    for key_id in self.stand_in_ids.get(part.key, ()):
                        standing[key_id] = standing.get(key_id, 0) | bit
        self.key_bits = KeyBits(standing)


def score_entry(
    prepared: PreparedQuery,
    entry: Entry,
    threshold: float,
    floor: float = 0.0,
    memo: dict[tuple[int, str], NameScore] | None = None,
) -> Result:
    """Best name alignment over all name pairs, then the other evidence.

    Name pairs that cannot reach `floor` (by `PairBound`) are not aligned at all. `memo`
    remembers alignments within one query: lists repeat each other's names.
    """
    query = prepared.query
    best = NameScore(0.0, (), "", "")
    for c in entry.names:
        if prepared.reachable.isdisjoint(c.index_keys):
            continue
        for position, q in enumerate(prepared.names):
            least = max(floor, best.score)
            if prepared.bounds[position](c, least) < least:
                continue
            memo_key = (position, c.original)
            scored = memo.get(memo_key) if memo is not None else None
            if scored is None:
                scored = compare_names(q, c, prepared.unlisted, prepared.listed)
                if memo is not None:
                    memo[memo_key] = scored
            if scored.score > best.score:
                best = scored
    features = [
        f
        for f in (
            compare_identifiers(query.identifiers, entry.identifiers),
            compare_birth_dates(query.birth_dates, entry.birth_dates),
            compare_countries(query.countries, entry.countries),
            compare_genders(query.gender, entry.gender),
        )
        if f is not None
    ]
    if not any(f.name == "identifier" or (f.name == "birth_date" and f.value > 0) for f in features):
        # only a name supports the match: how common the name is says how much that is worth
        parts = aligned_parts(prepared, best) if prepared.carriers and best.score < 1.0 else None
        frequency = compare_name_frequency(parts, prepared.size) if parts else None
        features += [frequency] if frequency else []
    if any(f.name == "identifier" for f in features):
        score = IDENTIFIER_SCORE
    else:
        score = best.score + sum(FEATURE_WEIGHTS.get(f.name, 0.0) * f.value for f in features)
    score = min(1.0, max(0.0, score))
    return Result(entry, score, score >= threshold, best, tuple(features))


def aligned_parts(prepared: PreparedQuery, name: NameScore) -> list[AlignedPart] | None:
    """The aligned pairs of `name` with the entries that carry them (`compare_name_frequency`): a pair
    of equal keys, those that carry the key; a near miss, those that carry any key the index found
    close to the query's part (its neighbourhood: many near spellings make a near miss likely by chance).
    None when an initial or a joined spelling is aligned: how many entries share those the index does
    not count (and the rules of initials already keep such names from confirming much)."""
    assert prepared.carriers is not None
    carriers, parts = prepared.carriers, []
    for pair in name.pairs:
        if not pair.query_key or not pair.candidate_key:
            return None
        exact = pair.query_key == pair.candidate_key
        found = carriers(pair.candidate_key)
        if exact:
            parts.append(AlignedPart(pair.candidate, found, True))
        else:
            found = max(found, sum(map(carriers, prepared.stand_ins.get(pair.query_key, ()))))
            parts.append(AlignedPart(pair.candidate, found, False, carriers(pair.query_key)))
    return parts


class Matcher:
    """Entries plus their candidate index; build once (or load), then `match` many queries."""

    def __init__(self, entries: Sequence[Entry], index: CandidateIndex | None = None, version: str = ""):
        self.entries = entries if isinstance(entries, EntryTable) else EntryTable(entries)
        self.index = index or CandidateIndex.build(entry.keys() for entry in entries)
        self.version = version
        #: where this index is saved (None: in memory only), for worker processes to load it
        self.path: Path | None = None
        #: what text screening searches for, saved with the index (None: found from the entries when needed)
        self.mentions: MentionIndex | None = None
        #: per entry, a fingerprint of what it was built from (`service.assemble`): an update takes the
        #: entries whose fingerprint it finds again from this matcher (None: not known, none are taken)
        self.fingerprints: np.ndarray | None = None
        self._name_table: NameTable | None = None

    @property
    def name_table(self) -> NameTable:
        """The entries' name parts as arrays, for the bounds (built on first use when not loaded)."""
        if self._name_table is None:
            self.build_name_table()
        assert self._name_table is not None
        return self._name_table

    @property
    def has_name_table(self) -> bool:
        """Whether the name table is built or loaded (not to be built on first use)."""
        return self._name_table is not None

    def build_name_table(self, previous: Matcher | None = None, reused: np.ndarray | None = None) -> None:
        """Build the name table, taking the parts of unchanged entries from a `previous` matcher's (if it
        has a table of this version: one is never built just to be read). `reused`: per entry, the
        position of the same entry in `previous` (-1: none), when known; else found by their bytes."""
        if previous is not None and previous.has_name_table:
            earlier: Previous | None = Previous(previous.entries, previous.name_table, reused)
        else:
            earlier = None
        self._name_table = NameTable.build(self.entries, self.index.key_ids, earlier)

    @classmethod
    def from_records(cls, records: Iterable[Record], version: str = "") -> Matcher:
        return cls(entries_from_records(records), version=version)

    @classmethod
    def load_saved(cls, path: Path) -> Matcher | None:
        """The index saved at `path` (whatever data it is of), memory-mapped; None if there is none, or
        it is of another format (written by another release: it is then rebuilt)."""
        saved = persist.open_index(path)
        if saved is None or saved.meta.get("format") != persist.INDEX_FORMAT_VERSION:
            return None
        entries = EntryTable.from_buffer(saved.blobs["entries"], saved.arrays["entry_offsets"])
        matcher = cls(entries, CandidateIndex.from_file(len(entries), saved.arrays, saved.blobs), saved.version)
        matcher.path = path
        matcher.mentions = MentionIndex.from_file(saved.arrays, saved.blobs)
        matcher._name_table = NameTable.from_file(saved.arrays, saved.blobs, saved.meta.get("name_table", ""))
        matcher.fingerprints = saved.arrays.get("entry_fingerprints")
        return matcher

    def save(self, path: Path) -> None:
        """Write the entries and the index to one file that `load_saved` maps (atomically replaced)."""
        arrays, blobs = self.index.to_file()
        table_arrays, table_blobs = self.name_table.to_file()
        arrays.update(table_arrays)
        blobs.update(table_blobs)
        sizes = np.fromiter((len(b) for b in self.entries.blobs()), dtype=np.int64, count=len(self.entries))
        offsets = np.zeros(len(self.entries) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(sizes)
        blobs["entries"] = b"".join(self.entries.blobs())
        if self.fingerprints is not None:
            arrays["entry_fingerprints"] = self.fingerprints
        if self.mentions is not None:
            mention_arrays, mention_blobs = self.mentions.to_file()
            arrays.update(mention_arrays)
            blobs.update(mention_blobs)
        persist.save(path, self.version, {**arrays, "entry_offsets": offsets}, blobs,
                     {"format": persist.INDEX_FORMAT_VERSION, "name_table": TABLE_VERSION})  # fmt: skip
        self.path = path

    def candidate_entries(self, query: Query, limit: int = 50) -> list[Entry]:
        """The entries the index proposes for `query`, best first (what gets scored)."""
        names = analyze_query_names(query)
        return [self.entries[c.position] for c in self._candidates(self._expand(names), limit, names=names)]

    def _expand(self, names: list[AnalyzedName]) -> dict[str, list[tuple[int, float]]]:
        """Each query key with the vocabulary keys that stand in for it.

        A part whose key is on no list may be a typo that broke one of the letter clusters keys fold
        ("Bazmhenov" for Bazhenov, "TKAHC" for Tkach, "Kargiov" for Karginov): its spelling with
        one letter dropped or two neighbours swapped is keyed again and looked up exactly. An
        article or "Abd" may be written together with the name that follows or apart ("Elhassan" /
        "El Hassan", "Abdulrahman" / "Abdul Rahman"): the other way of writing it stands in too.
        """
        expanded = self.index.expand(key for name in names for key in name.keys)
        key_ids = self.index.key_ids
        for name in names:
            for position, part in enumerate(name.parts):
                similar = expanded.get(part.key)
                if similar is None:
                    continue
                found: dict[int, float] = {}
                if part.key not in key_ids and len(part.text) >= ONE_EDIT_MIN_LENGTH:
                    repaired = (key_ids[k] for k in one_edit_keys(part.text) if k in key_ids)
                    found.update(dict.fromkeys(repaired, ONE_EDIT_SIMILARITY))
                for written in _other_writings(name, position):
                    if written in key_ids:
                        found[key_ids[written]] = ONE_EDIT_SIMILARITY
                if found:
                    found.update((k, s) for k, s in similar if s > found.get(k, 0.0))
                    expanded[part.key] = sorted(found.items(), key=lambda item: -item[1])
        return expanded

    def _candidates(
        self, expanded: dict[str, list[tuple[int, float]]], limit: int, excluded: np.ndarray | None = None,
        names: Sequence[AnalyzedName] = (),
    ) -> list[Candidate]:  # fmt: skip
        """The entries worth scoring: of the heaviest, those near the best that cover enough of one
        query name (`names`; an entry with all of one alias is a candidate however many others the query has)."""
        found = self.index.rank(expanded, limit, excluded)
        if not found:
            return []
        coverage = self.index.query_weight(expanded, [name.keys for name in names])
        cutoff = max(found[0].weight * CANDIDATE_CUTOFF, coverage * COVERAGE_CUTOFF)
        return [c for c in found if c.weight >= cutoff]

    def prepare(self, query: Query) -> tuple[PreparedQuery, dict[str, list[tuple[int, float]]]]:
        """The query analysed, with what the index has for its keys; and each key's stand-ins by id."""
        names = analyze_query_names(query)
        expanded = self._expand(names)
        vocabulary = self.index.vocabulary
        stand_ins = {key: frozenset(vocabulary[k] for k, _s in similar) for key, similar in expanded.items()}
        unlisted = frozenset(key for key, similar in expanded.items() if not similar)
        listed = frozenset(key for key in expanded if key in self.index.key_ids)
        reachable = frozenset().union(*stand_ins.values())
        stand_in_ids = {key: [k for k, _s in similar] for key, similar in expanded.items()}
        prepared = PreparedQuery(
            query, names, stand_ins, reachable, unlisted, listed, stand_in_ids, self.carriers, self.index.size
        )
        return prepared, expanded

    def carriers(self, key: str) -> int:
        """How many entries have a name with this key."""
        key_id = self.index.key_ids.get(key)
        offsets = self.index.postings.offsets
        return 0 if key_id is None else int(offsets[key_id + 1] - offsets[key_id])

    def candidate_bounds(self, prepared: PreparedQuery, positions: np.ndarray) -> np.ndarray:
        """Per entry at `positions`, the most its names can score against the query's (name evidence alone)."""
        return candidate_bounds(self.name_table, positions, prepared.bounds, prepared.alignable, prepared.key_bits)

    def match(
        self,
        query: Query,
        *,
        limit: int = 5,
        threshold: float = DEFAULT_THRESHOLD,
        sources: set[str] | None = None,
        candidates: int = 200,
        cutoff: float = DEFAULT_CUTOFF,
        excluded: np.ndarray | None = None,
    ) -> list[Result]:
        """The best `limit` entries scoring at least `cutoff`, highest score first.

        `sources`: only entries from these sources (an empty set: none); `excluded`: a boolean per
        entry, the entries never to propose (e.g. those of the querying record's own list).

        Candidates are scored in order of the most they could score (`PairBound` of their names,
        for all of them at once: `candidate_bounds`); scoring stops once no remaining candidate can
        reach the cutoff or enter the top `limit`.
        """
        prepared, expanded = self.prepare(query)
        boost = _largest_feature_boost(query)
        found = self._candidates(expanded, candidates, excluded, prepared.names)
        positions = np.fromiter((c.position for c in found), dtype=np.int64, count=len(found))
        bounds = self.candidate_bounds(prepared, positions) + boost
        ranked = sorted(zip(bounds.tolist(), (c.weight for c in found), positions.tolist(), strict=True),
                        key=lambda item: (-item[0], -item[1], item[2]))  # fmt: skip
        results: list[Result] = []
        memo: dict[tuple[int, str], NameScore] = {}
        best_scores: list[float] = []  # a min-heap of the top `limit` scores so far
        for bound, _weight, position in ranked:
            if bound < cutoff or (len(best_scores) >= limit and bound < best_scores[0]):
                break
            entry = self.entries[position]
            if sources is not None and not (entry.sources & sources):
                continue
            if not kinds_compatible(query.kind, entry.kind):
                continue
            floor = max(cutoff, best_scores[0] if len(best_scores) >= limit else 0.0) - boost
            result = score_entry(prepared, entry, threshold, floor, memo)
            results.append(result)
            if len(best_scores) < limit:
                heapq.heappush(best_scores, result.score)
            elif result.score > best_scores[0]:
                heapq.heapreplace(best_scores, result.score)
        results = [r for r in results if r.score >= cutoff]
        results.sort(key=lambda r: (-r.score, r.entry.id))
        return results[:limit]


def _largest_feature_boost(query: Query) -> float:
    """The most the non-name evidence a query states can add to a name score."""
    if query.identifiers:
        return IDENTIFIER_SCORE  # an equal identifier decides on its own
    boost = FEATURE_WEIGHTS["birth_date"] if query.birth_dates else 0.0
    return boost + (FEATURE_WEIGHTS["country"] if query.countries else 0.0)
