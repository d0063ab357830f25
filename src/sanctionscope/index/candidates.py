"""Candidate generation: from a query's name-part keys to the few hundred most promising entries.

An inverted index maps each name-part key (romanization-insensitive, see `names.token_key`)
to the entries whose names contain it, weighted by rarity (idf). Typos are caught on the
vocabulary: a query key that is not in the index is compared, through shared character
trigrams, with the keys that are, and the close ones stand in for it (discounted by their
similarity). Only the top entries by summed weight go on to scoring, never the whole list.
Everything is numpy arrays, so a lookup costs microseconds and the index pickles fast.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import OSA

#: minimum edit similarity for a vocabulary key to stand in for a query key
FUZZY_MIN_SIMILARITY = 0.7
#: at most this many vocabulary keys per query key from fuzzy lookup
FUZZY_MAX_KEYS = 12
#: how many query keys' fuzzy expansions are remembered
SIMILAR_CACHE_SIZE = 50_000
#: keys shorter than this are only looked up exactly (too many close neighbours)
FUZZY_MIN_LENGTH = 4


class Candidate(NamedTuple):
    position: int  # in the entry table
    weight: float  # summed idf of the query keys it has


#: the letters keys are written in (`names.token_key` folds clusters into capitals: "ch" → "C"); any other
#: character counts in one last bucket
KEY_LETTERS = "abcdefghijklmnopqrstuvwxyzCSJZ"
_SORTED_LETTERS = np.asarray(sorted(map(ord, KEY_LETTERS)), dtype=np.uint32)
_BUCKET_OF_SORTED = np.asarray([KEY_LETTERS.index(chr(c)) for c in _SORTED_LETTERS.tolist()], dtype=np.int64)
LETTER_BUCKETS = len(KEY_LETTERS) + 1


def letter_counts(keys: Sequence[str]) -> np.ndarray:
    """Per key, how often each of `KEY_LETTERS` (and, in a last bucket, any other character) occurs in it
    (uint8, capped at 255): all keys at once."""
    lengths = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
    codes = np.frombuffer("".join(keys).encode("utf-32-le"), dtype=np.uint32)
    at = np.minimum(np.searchsorted(_SORTED_LETTERS, codes), len(_SORTED_LETTERS) - 1)
    buckets = np.where(_SORTED_LETTERS[at] == codes, _BUCKET_OF_SORTED[at], len(KEY_LETTERS))
    cells = np.repeat(np.arange(len(keys), dtype=np.int64), lengths) * LETTER_BUCKETS + buckets
    counts = np.bincount(cells, minlength=len(keys) * LETTER_BUCKETS).reshape(len(keys), LETTER_BUCKETS)
    return np.minimum(counts, 255).astype(np.uint8)


def bag_distances(counts: np.ndarray, query: np.ndarray) -> np.ndarray:
    """Per row of letter counts, the bag distance to the query's: the larger of the letters one has
    more of and the other more of. An edit changes it by one at most, so it never exceeds the edit
    distance (a transposition changes no count): a cheap test of which keys cannot be close."""
    diff = counts.astype(np.int16) - query.astype(np.int16)
    return np.maximum(np.maximum(diff, 0).sum(axis=1), np.maximum(-diff, 0).sum(axis=1))


def trigrams(key: str) -> set[str]:
    padded = f"^{key}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def plausible_keys(sharing: np.ndarray, key_lengths: np.ndarray, length: int) -> np.ndarray:
    """The key ids (ascending) within two edits of a key of `length` letters by what they share with it:
    `sharing` holds a key id once per trigram it shares. A key of n letters has n padded trigrams and
    each edit destroys at most 3 of them, so two edits leave n - 6; lengths differ by two at most.
    Counted over the ids at hand only (a million-key vocabulary is never swept)."""
    sharing = sharing[np.abs(key_lengths[sharing].astype(np.int32) - length) <= 2]
    ids, counts = np.unique(sharing, return_counts=True)
    return ids[counts >= max(1, length - 6)]


@dataclass
class Postings:
    """Many integer lists in two arrays (values and offsets): compact, and pickled in one piece."""

    values: np.ndarray
    offsets: np.ndarray

    @classmethod
    def from_lists(cls, lists: Iterable[list[int]]) -> Postings:
        chunks = [np.asarray(items, dtype=np.int32) for items in lists]
        offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([len(c) for c in chunks])
        values = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
        return cls(values, offsets)

    def __getitem__(self, position: int) -> np.ndarray:
        return self.values[self.offsets[position] : self.offsets[position + 1]]

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def transposed(self, columns: int) -> Postings:
        """Per value in `range(columns)`, the lists that hold it (ascending): the entries of each key
        become the keys of each entry."""
        lists = np.repeat(np.arange(len(self), dtype=np.int32), np.diff(self.offsets))
        order = np.argsort(self.values, kind="stable")
        offsets = np.zeros(columns + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(self.values, minlength=columns))
        return Postings(lists[order], offsets)

    def words(self, vocabulary: np.ndarray) -> list[list[str]]:
        """Each list with its values as words of `vocabulary` (an object array): key ids to keys."""
        words, offsets = vocabulary[self.values].tolist(), self.offsets.tolist()
        return [words[start:end] for start, end in pairwise(offsets)]


@dataclass
class CandidateIndex:
    """Postings per key, idf weights, and a trigram index over the key vocabulary."""

    size: int
    vocabulary: list[str]
    key_ids: dict[str, int]
    postings: Postings  # per key id: the entries that have it
    idf: np.ndarray  # per key id
    key_lengths: np.ndarray  # per key id
    key_letters: np.ndarray  # per key id, its `letter_counts` (uint8)
    trigram_ids: dict[str, int]
    trigram_keys: Postings  # per trigram id: the key ids that have it

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        del state["key_ids"]
        state.pop("_vocabulary_np", None)
        state.pop("_similar_cache", None)  # rebuilt from the vocabulary: cheaper than pickling a dict
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.key_ids = {key: i for i, key in enumerate(self.vocabulary)}

    def entry_keys(self) -> list[list[str]]:
        """Per entry, the keys it was built with (`build`'s `entry_keys`, ascending), read back."""
        return self.postings.transposed(self.size).words(self.vocabulary_array)

    @property
    def vocabulary_array(self) -> np.ndarray:
        """The vocabulary as a numpy object array, for picking many keys by id at once."""
        array = self.__dict__.get("_vocabulary_np")
        if array is None:
            array = self.__dict__["_vocabulary_np"] = np.asarray(self.vocabulary, dtype=object)
        return array

    @classmethod
    def build(cls, entry_keys: Iterable[Iterable[str]]) -> CandidateIndex:
        """`entry_keys` yields, for each entry in order, the keys of all its names."""
        first_ids: dict[str, int] = {}
        key_column, entry_column = array("i"), array("i")
        size = 0
        for entry, keys in enumerate(entry_keys):
            size = entry + 1
            for key in set(keys):
                key_id = first_ids.get(key)
                if key_id is None:
                    key_id = first_ids[key] = len(first_ids)
                key_column.append(key_id)
                entry_column.append(entry)
        vocabulary = sorted(first_ids)
        renumber = np.empty(len(vocabulary), dtype=np.int32)
        renumber[[first_ids[key] for key in vocabulary]] = np.arange(len(vocabulary), dtype=np.int32)
        key_of = renumber[np.frombuffer(key_column, dtype=np.int32)] if key_column else np.zeros(0, np.int32)
        order = np.argsort(key_of, kind="stable")  # entries stay in ascending order within a key
        counts = np.bincount(key_of, minlength=len(vocabulary))
        offsets = np.zeros(len(vocabulary) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(counts)
        entries = np.frombuffer(entry_column, dtype=np.int32) if entry_column else np.zeros(0, np.int32)
        postings = Postings(entries[order].astype(np.int32), offsets)
        idf = np.log1p(size / np.maximum(counts, 1)).astype(np.float32)
        grams: dict[str, list[int]] = defaultdict(list)
        for key_id, key in enumerate(vocabulary):
            if len(key) >= FUZZY_MIN_LENGTH - 1:
                for gram in trigrams(key):
                    grams[gram].append(key_id)
        return cls(
            size=size,
            vocabulary=vocabulary,
            key_ids={key: i for i, key in enumerate(vocabulary)},
            postings=postings,
            idf=idf,
            key_lengths=np.asarray([len(k) for k in vocabulary], dtype=np.int16),
            key_letters=letter_counts(vocabulary),
            trigram_ids={gram: i for i, gram in enumerate(grams)},
            trigram_keys=Postings.from_lists(grams.values()),
        )

    def to_file(self) -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
        """Arrays and blobs for `persist.save`."""
        arrays = {
            "postings": self.postings.values, "posting_offsets": self.postings.offsets, "idf": self.idf,
            "key_lengths": self.key_lengths, "key_letters": self.key_letters.reshape(-1),
            "trigram_keys": self.trigram_keys.values,
            "trigram_offsets": self.trigram_keys.offsets,
        }  # fmt: skip
        blobs = {"vocabulary": "\n".join(self.vocabulary).encode(), "trigrams": "\n".join(self.trigram_ids).encode()}
        return arrays, blobs

    @classmethod
    def from_file(cls, size: int, arrays: dict[str, np.ndarray], blobs: dict[str, memoryview]) -> CandidateIndex:
        """The index over a memory-mapped file's arrays (only the vocabulary is read into memory)."""
        vocabulary = bytes(blobs["vocabulary"]).decode().split("\n") if size and len(blobs["vocabulary"]) else []
        grams = bytes(blobs["trigrams"]).decode().split("\n") if len(blobs["trigrams"]) else []
        return cls(
            size=size,
            vocabulary=vocabulary,
            key_ids={key: i for i, key in enumerate(vocabulary)},
            postings=Postings(arrays["postings"], arrays["posting_offsets"]),
            idf=arrays["idf"],
            key_lengths=arrays["key_lengths"],
            key_letters=arrays["key_letters"].reshape(-1, LETTER_BUCKETS),
            trigram_ids={gram: i for i, gram in enumerate(grams)},
            trigram_keys=Postings(arrays["trigram_keys"], arrays["trigram_offsets"]),
        )

    def similar_keys(self, key: str) -> list[tuple[int, float]]:
        """Vocabulary key ids close to `key` by edit similarity, with it; the key itself first if present.

        Remembered per key (names repeat: a batch has many Ivans and Mohammeds).
        """
        cache = self.__dict__.setdefault("_similar_cache", {})
        found = cache.get(key)
        if found is None:
            if len(cache) > SIMILAR_CACHE_SIZE:
                cache.clear()
            found = cache[key] = self._find_similar_keys(key)
        return found

    def _find_similar_keys(self, key: str) -> list[tuple[int, float]]:
        found: list[tuple[int, float]] = []
        exact = self.key_ids.get(key)
        if exact is not None:
            found.append((exact, 1.0))
        if len(key) < FUZZY_MIN_LENGTH:
            return found
        query_grams = [self.trigram_keys[self.trigram_ids[g]] for g in trigrams(key) if g in self.trigram_ids]
        if not query_grams:
            return found
        plausible = plausible_keys(np.concatenate(query_grams), self.key_lengths, len(key))
        if exact is not None:
            plausible = plausible[plausible != exact]
        # a key is close enough only within (1 - FUZZY_MIN_SIMILARITY) edits per letter of the longer key
        longest = np.maximum(self.key_lengths[plausible], len(key))
        reach = (1.0 - FUZZY_MIN_SIMILARITY) * longest + 1e-9
        plausible = plausible[bag_distances(self.key_letters[plausible], letter_counts([key])[0]) <= reach]
        if not len(plausible):
            return found
        ids = plausible.tolist()
        for _other, similarity, position in process.extract(
            key,
            self.vocabulary_array[plausible].tolist(),
            scorer=OSA.normalized_similarity,  # a transposition is one edit, as in scoring
            score_cutoff=FUZZY_MIN_SIMILARITY,
            limit=FUZZY_MAX_KEYS,
        ):
            found.append((ids[position], similarity))
        return found

    def expand(self, keys: Iterable[str]) -> dict[str, list[tuple[int, float]]]:
        """Each distinct query key with the vocabulary keys that stand for it."""
        return {key: self.similar_keys(key) for key in dict.fromkeys(keys)}

    def candidates(self, keys: Iterable[str], limit: int = 200) -> list[Candidate]:
        """Entries ranked by the summed idf of the query keys they contain (fuzzy keys discounted)."""
        return self.rank(self.expand(keys), limit)

    def rank(
        self, expanded: dict[str, list[tuple[int, float]]], limit: int, excluded: np.ndarray | None = None
    ) -> list[Candidate]:
        """The `limit` heaviest entries.

        `excluded` (a boolean per entry) leaves entries out before the heaviest are picked. Works on
        the postings touched only (sparse), never on arrays as long as the index.
        """
        touched, weights = [], []
        for similar in expanded.values():
            if not similar:
                continue
            postings = [self.postings[key_id] for key_id, _s in similar]
            if len(similar) == 1:
                entries = postings[0]
                values = np.full(len(entries), self.idf[similar[0][0]] * similar[0][1], dtype=np.float32)
            else:
                entries = np.concatenate(postings)
                per_key = np.asarray([self.idf[k] * s for k, s in similar], dtype=np.float32)
                values = np.repeat(per_key, [len(p) for p in postings])
                # A query key counts once per entry, through its best stand-in.
                order = np.lexsort((-values, entries))
                entries, values = entries[order], values[order]
                first = np.ones(len(entries), dtype=bool)
                first[1:] = entries[1:] != entries[:-1]
                entries, values = entries[first], values[first]
            touched.append(entries)
            weights.append(values)
        if not touched:
            return []
        entries, inverse = np.unique(np.concatenate(touched), return_inverse=True)
        summed = np.bincount(inverse, weights=np.concatenate(weights)).astype(np.float32)
        if excluded is not None:
            keep = ~excluded[entries]
            entries, summed = entries[keep], summed[keep]
        top = np.arange(len(entries))
        if len(top) > limit:
            top = np.argpartition(-summed, limit)[:limit]
        top = top[np.lexsort((entries[top], -summed[top]))]
        return [Candidate(int(entries[i]), float(summed[i])) for i in top]

    def query_weight(self, expanded: dict[str, list[tuple[int, float]]], names: Iterable[Iterable[str]] = ()) -> float:
        """What an entry containing every query key (or its best stand-in) would weigh; with `names` (the
        keys of each query name), what one containing every key of one of them would, the lightest: an
        entry holding all of one name is as good a candidate as one holding all of them."""

        def weight(keys: Iterable[str]) -> float:
            return float(sum(max((self.idf[k] * s for k, s in expanded.get(key, ())), default=0.0)
                             for key in dict.fromkeys(keys)))  # fmt: skip

        per_name = [weight(keys) for keys in names]
        return min(per_name) if per_name else weight(expanded)
