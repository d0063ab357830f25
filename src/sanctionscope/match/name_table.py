"""Every entry's name parts as flat arrays, for bounding the scores of many candidates at once.

`Matcher.match` scores candidates in order of the most they can score, and stops once no
remaining one can reach the cutoff or the top results. That bound is `PairBound`'s, per
candidate name; asked in Python of each of a query's ~80 candidates (decoding each entry) it
would cost more than scoring the few that matter. Here the parts are columns (vocabulary key id,
spelled key id, the least the part counts unpaired, an id of its row for the pairing rules),
so `candidate_bounds` works out `PairBound` for every name of every candidate in a few numpy
operations; the rules (`Alignable`) are asked once per distinct part of the batch.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sanctionscope.match import SCORING_VERSION
from sanctionscope.match.names import PartRow, candidate_only_least_weights
from sanctionscope.names import INITIAL, LEGAL_FORM, PARTICLE, token_key

if TYPE_CHECKING:
    from sanctionscope.index.entries import EntryTable
    from sanctionscope.match.names import Alignable, PairBound

#: separates the fields of a part row in the saved blob (it occurs in no name)
_FIELD = "\x1f"
#: what a saved table was built by: its layout, and the scores its least weights come from (a table of
#: another version is not read: an index of the same data is then rebuilt or the table made anew)
TABLE_VERSION = f"names-1:scoring-{SCORING_VERSION}"
#: decoded part rows remembered (candidates of one family of names share their parts)
ROWS_KEPT = 200_000


@dataclass
class NameTable:
    """Per entry its names, per name its scored parts (legal forms aside), per part its columns."""

    name_offsets: np.ndarray  # int64, per entry (and one past): where its names start
    part_offsets: np.ndarray  # int64, per name (and one past): where its parts start
    keys: np.ndarray  # int32, per part: the vocabulary id of its key (-1: not an identifying part)
    spelled: np.ndarray  # int32: of its key as spelled (a given name's class aside), when another; else -1
    least: np.ndarray  # float32: the least it counts against a match when unpaired (rounded down)
    rows: np.ndarray  # int32: which distinct part row it is (`row`)
    row_offsets: np.ndarray  # int64, per distinct row (and one past): where it is in `row_blob`
    row_blob: bytes | memoryview
    _decoded: dict[int, PartRow] = field(default_factory=dict, repr=False)

    ARRAYS = ("name_offsets", "part_offsets", "keys", "spelled", "least", "rows", "row_offsets")

    @classmethod
    def build(cls, entries: EntryTable, key_ids: Mapping[str, int], previous: Previous | None = None) -> NameTable:
        """The table of these entries, with keys numbered as the candidate index numbers them.

        With the `previous` index's entries and table, an entry whose serialized bytes are unchanged
        takes its parts from the previous table (an update changes a few entries of a million): its
        rows keep their ids, and only the parts of new or changed entries are read. (Rows no entry
        uses any more stay in the table until a build from scratch: a new format, or no earlier index.)
        """
        row_ids: dict[tuple[str, ...], int] = {row: i for i, row in enumerate(previous.table.all_rows())} if previous else {}
        if previous is None:
            reused = np.full(len(entries), -1)
        elif previous.reused is not None:
            reused = previous.reused
        else:
            reused = unchanged_positions(entries, previous.entries)
        runs = reused_runs(reused)
        chunks: list[tuple[np.ndarray, ...]] = []
        read = _Chunk()  # entries read here, until a run taken from the previous table
        position = 0
        while position < len(entries):
            run = runs.get(position)
            if run is not None and previous is not None:
                chunks += [read.arrays(), previous.table.slice(int(reused[position]), run)]
                read = _Chunk()
                position += run
                continue
            read.add(entries.name_rows(position), row_ids)
            position += 1
        chunks.append(read.arrays())
        name_counts, part_counts, least, part_rows = (
            np.concatenate([c[i] for c in chunks]) for i in range(4)
        )
        # what a part's key and spelling are depends on its row alone: worked out once per distinct row
        key_of_row, spelled_of_row = array("i"), array("i")
        for _original, text, key, tag in row_ids:
            identifying = bool(key) and tag not in (INITIAL, PARTICLE)
            key_id = key_ids.get(key, -1) if identifying else -1
            spelled_id = key_ids.get(token_key(text), -1) if identifying else -1
            key_of_row.append(key_id)
            spelled_of_row.append(spelled_id if spelled_id != key_id else -1)
        encoded = [_FIELD.join(row).encode() for row in row_ids]
        row_offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        row_offsets[1:] = np.cumsum([len(e) for e in encoded])
        part_rows = part_rows.astype(np.int32)
        no_parts = np.zeros(0, np.int32)
        return cls(
            name_offsets=_offsets(name_counts),
            part_offsets=_offsets(part_counts),
            keys=np.frombuffer(key_of_row, dtype=np.int32)[part_rows] if len(part_rows) else no_parts,
            spelled=np.frombuffer(spelled_of_row, dtype=np.int32)[part_rows] if len(part_rows) else no_parts,
            least=rounded_down(least.astype(np.float64)),
            rows=part_rows,
            row_offsets=row_offsets,
            row_blob=b"".join(encoded),
        )

    def all_rows(self) -> list[PartRow]:
        """Every distinct part row, in id order (read at once, not remembered one by one)."""
        offsets, blob = self.row_offsets.tolist(), self.row_blob
        return [_decode_row(bytes(blob[start:end])) for start, end in pairwise(offsets)]

    def slice(self, first: int, count: int) -> tuple[np.ndarray, ...]:
        """The name counts, part counts, least weights and row ids of `count` entries from `first`."""
        names = self.name_offsets[first : first + count + 1]
        parts = self.part_offsets[names[0] : names[-1] + 1]
        return (np.diff(names), np.diff(parts), self.least[parts[0] : parts[-1]].astype(np.float64),
                self.rows[parts[0] : parts[-1]])  # fmt: skip

    def to_file(self) -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
        """Arrays and blobs for `persist.save` (named apart from the candidate index's)."""
        return {f"names_{a}": getattr(self, a) for a in self.ARRAYS}, {"names_rows": bytes(self.row_blob)}

    @classmethod
    def from_file(
        cls, arrays: Mapping[str, np.ndarray], blobs: Mapping[str, memoryview], version: str
    ) -> NameTable | None:
        """The table over a memory-mapped file's arrays; None if the file has none of `TABLE_VERSION`."""
        if "names_rows" not in blobs or version != TABLE_VERSION:
            return None
        name_offsets, part_offsets, keys, spelled, least, rows, row_offsets = (arrays[f"names_{a}"] for a in cls.ARRAYS)
        return cls(name_offsets, part_offsets, keys, spelled, least, rows, row_offsets, blobs["names_rows"])

    def row(self, row_id: int) -> PartRow:
        """A distinct part row: (original, text, key, tag)."""
        found = self._decoded.get(row_id)
        if found is None:
            if len(self._decoded) >= ROWS_KEPT:
                self._decoded.clear()
            data = bytes(self.row_blob[int(self.row_offsets[row_id]) : int(self.row_offsets[row_id + 1])])
            found = self._decoded[row_id] = _decode_row(data)
        return found


def _decode_row(data: bytes) -> PartRow:
    original, text, key, tag = data.decode().split(_FIELD)
    return original, text, key, tag


class Previous(NamedTuple):
    """What an earlier index had: its entries and their name table; and, when known, per entry of the
    new table the position of the same entry among the earlier ones (-1: new or changed)."""

    entries: EntryTable
    table: NameTable
    reused: np.ndarray | None = None


def unchanged_positions(entries: EntryTable, previous: EntryTable) -> np.ndarray:
    """Per entry, the position of an entry with the same serialized bytes among `previous` (-1: none)."""
    earlier: dict[int, int] = {}
    for position in range(len(previous)):
        earlier.setdefault(hash(previous.blob(position)), position)
    found = np.full(len(entries), -1, dtype=np.int64)
    for position in range(len(entries)):
        blob = entries.blob(position)
        match = earlier.get(hash(blob))
        if match is not None and previous.blob(match) == blob:
            found[position] = match
    return found


def reused_runs(reused: np.ndarray) -> dict[int, int]:
    """Where each run of entries taken from consecutive previous positions starts, and its length."""
    taken = reused >= 0
    starts = taken.copy()
    starts[1:] &= ~(taken[:-1] & (reused[1:] == reused[:-1] + 1))
    first = np.flatnonzero(starts)
    breaks = np.append(np.flatnonzero(starts | ~taken), len(reused))
    ends = breaks[np.searchsorted(breaks, first, side="right")]
    return dict(zip(first.tolist(), (ends - first).tolist(), strict=True))


class _Chunk:
    """Name counts, part counts, least weights and row ids of entries read one by one."""

    def __init__(self) -> None:
        self.name_counts, self.part_counts, self.least, self.rows = array("q"), array("q"), array("d"), array("i")

    def add(self, names: list[list[list[str]]], row_ids: dict[tuple[str, ...], int]) -> None:
        self.name_counts.append(len(names))
        find = row_ids.get
        for parts in names:
            scored = [tuple(p) for p in parts if p[3] != LEGAL_FORM]
            self.part_counts.append(len(scored))
            self.least.extend(candidate_only_least_weights(tuple([p[3] for p in scored])))
            known = [find(row) for row in scored]
            if None in known:  # rows not seen before (most parts are shared with other names)
                self.rows.extend([row_ids.setdefault(row, len(row_ids)) for row in scored])
            else:
                self.rows.extend(known)  # type: ignore[arg-type]  # no None among them

    def arrays(self) -> tuple[np.ndarray, ...]:
        return (np.frombuffer(self.name_counts, dtype=np.int64), np.frombuffer(self.part_counts, dtype=np.int64),
                np.frombuffer(self.least, dtype=np.float64), np.frombuffer(self.rows, dtype=np.int32))  # fmt: skip


def _offsets(counts: np.ndarray) -> np.ndarray:
    offsets = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return offsets


def rounded_down(values: np.ndarray) -> np.ndarray:
    """`values` as float32, never above them: a bound built from them stays a bound."""
    narrow = values.astype(np.float32)
    return np.where(narrow > values, np.nextafter(narrow, np.float32(0)), narrow)


def spans(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every i with starts[k] <= i < ends[k], k by k, and the k of each."""
    counts = ends - starts
    owners = np.repeat(np.arange(len(starts)), counts)
    firsts = np.cumsum(counts) - counts
    return np.arange(int(counts.sum())) - firsts[owners] + starts[owners], owners


def segment_reduce(reduce: np.ufunc, values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """`reduce` (np.bitwise_or, np.maximum) over each run of `counts[k]` consecutive values (0 for an empty run)."""
    found = np.zeros(len(counts), dtype=values.dtype)
    filled = counts > 0
    if filled.any():
        found[filled] = reduce.reduceat(values, (np.cumsum(counts) - counts)[filled])
    return found


class KeyBits:
    """Per vocabulary key id, the query parts it stands in for (as `Alignable` bits)."""

    def __init__(self, stand_ins: Mapping[int, int]):
        self.ids = np.fromiter(sorted(stand_ins), dtype=np.int64, count=len(stand_ins))
        self.bits = np.fromiter((stand_ins[i] for i in self.ids.tolist()), dtype=np.uint64, count=len(stand_ins))

    def __call__(self, key_ids: np.ndarray) -> np.ndarray:
        if not len(self.ids):
            return np.zeros(len(key_ids), dtype=np.uint64)
        at = np.minimum(np.searchsorted(self.ids, key_ids), len(self.ids) - 1)
        return np.where(self.ids[at] == key_ids, self.bits[at], np.uint64(0))


def candidate_bounds(
    table: NameTable, positions: np.ndarray, bounds: Sequence[PairBound], alignable: Alignable, key_bits: KeyBits
) -> np.ndarray:
    """Per entry at `positions`, the most `compare_names` can give any of its names against any query
    name: the largest `PairBound` (`bounds`, one per query name), for all of them at once."""
    if not alignable.fits_in_words:
        return np.ones(len(positions))  # too many query parts for the bits: every candidate may match
    names, name_owners = spans(table.name_offsets[positions], table.name_offsets[positions + 1])
    part_counts = table.part_offsets[names + 1] - table.part_offsets[names]
    parts, part_names = spans(table.part_offsets[names], table.part_offsets[names + 1])
    keys = table.keys[parts]
    standing = key_bits(keys)
    rule = _rule_bits(table, table.rows[parts], part_names, alignable)
    # what each name offers the query: its keys that stand in for query parts, its parts the rules align
    offered = segment_reduce(np.bitwise_or, standing | key_bits(table.spelled[parts]) | rule, part_counts)
    # a candidate part counts against unless its key stands in for a query key or the rules align it
    loose = (keys >= 0) & (standing == 0)
    least = table.least[parts].astype(np.float64)
    best = np.zeros(len(names))
    for bound in bounds:
        mask = np.uint64(bound.name_mask)
        unpaired = loose & ((rule & mask) == 0)
        weights = np.where(unpaired, least, 0.0)
        against = np.bincount(part_names, weights=weights, minlength=len(names)).astype(np.float64, copy=False)
        top = np.zeros(len(names))
        for stand_ins, bit, ceiling, unpaired_least in bound.parts:
            if stand_ins is None:
                top += ceiling
                continue
            paired = (offered & np.uint64(bit)) != 0
            top += np.where(paired, ceiling, 0.0)
            against += np.where(paired, 0.0, unpaired_least)
        with np.errstate(invalid="ignore", divide="ignore"):
            found = np.where(top > 0, top / (top + against), 0.0)
        np.maximum(best, found, out=best)
    return segment_reduce(np.maximum, best, np.bincount(name_owners, minlength=len(positions)))


def _rule_bits(table: NameTable, rows: np.ndarray, part_names: np.ndarray, alignable: Alignable) -> np.ndarray:
    """Per part, the query parts the rules let it align with (`Alignable`), joins of adjacent parts included."""
    distinct, inverse = np.unique(rows, return_inverse=True)
    decoded = [table.row(r) for r in distinct.tolist()]
    bits = np.asarray(alignable.bits_of_rows(decoded), dtype=np.uint64)[inverse]
    adjacent = np.flatnonzero(part_names[1:] == part_names[:-1])  # a part and the next of the same name
    if len(adjacent):
        # pairs as indices into `decoded`: each distinct pair of rows is asked once, and no row read again
        pairs = inverse[adjacent].astype(np.int64) * len(distinct) + inverse[adjacent + 1]
        distinct_pairs, pair_inverse = np.unique(pairs, return_inverse=True)
        firsts, seconds = np.divmod(distinct_pairs, len(distinct))
        pair_bits = alignable.bits_of_adjacent(
            [(decoded[a], decoded[b]) for a, b in zip(firsts.tolist(), seconds.tolist(), strict=True)]
        )
        joined = np.asarray(pair_bits, dtype=np.uint64)[pair_inverse]
        bits[adjacent] |= joined
        bits[adjacent + 1] |= joined
    return bits
