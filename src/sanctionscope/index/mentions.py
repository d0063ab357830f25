"""What text screening searches for, per entry of a matcher, kept in the index file next to the rest.

Persons are found in a text by family name: per key of the candidate index's vocabulary, the
positions of the person entries with it as a family name (`families`, two arrays read from the
mapped file on demand). Organizations are found by their whole names: each pattern with the
entries that bear it (`organizations`, a few tens of thousands, read when a gazetteer opens).
Both come from the stored analyses (`names.text_forms`), so that opening a gazetteer never
decodes an entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import orjson

from sanctionscope.index.candidates import Postings
from sanctionscope.index.entries import Entry
from sanctionscope.names.text_forms import OrganizationPattern, family_keys, organization_patterns

#: an organization pattern and the entry positions that bear it
PatternEntries = tuple[OrganizationPattern, list[int]]


@dataclass
class MentionIndex:
    families: Postings  # per vocabulary key id: the person entries with that family-name key
    organizations: list[PatternEntries]

    def persons_named(self, key_id: int) -> np.ndarray:
        return self.families[key_id]

    def to_file(self) -> tuple[dict[str, np.ndarray], dict[str, bytes]]:
        """Arrays and blobs for `persist.save`."""
        arrays = {"family_postings": self.families.values, "family_offsets": self.families.offsets}
        blobs = {"organization_patterns": orjson.dumps([[*p, entries] for p, entries in self.organizations])}
        return arrays, blobs

    @classmethod
    def from_file(cls, arrays: Mapping[str, np.ndarray], blobs: Mapping[str, memoryview]) -> MentionIndex | None:
        """The mentions of a mapped index file (None if it has none: a file from an older layout)."""
        if "family_offsets" not in arrays or "organization_patterns" not in blobs:
            return None
        patterns = [(OrganizationPattern(w, c), e) for w, c, e in orjson.loads(bytes(blobs["organization_patterns"]))]
        return cls(Postings(arrays["family_postings"], arrays["family_offsets"]), patterns)

    def forms_of_entries(self, size: int, vocabulary: np.ndarray) -> list[tuple[list[str], list[OrganizationPattern]]]:
        """Per entry position (of `size`), its family keys (as words of the `vocabulary` object array) and its
        organization patterns: what `MentionBuilder.add` kept of them, read back for entries that did not change."""
        families = self.families.transposed(size).words(vocabulary)
        forms: list[tuple[list[str], list[OrganizationPattern]]] = [(keys, []) for keys in families]
        for pattern, positions in self.organizations:
            for position in positions:
                forms[position][1].append(pattern)
        return forms

    @classmethod
    def from_entries(cls, entries: Sequence[Entry], key_ids: Mapping[str, int]) -> MentionIndex:
        """Analysed from decoded entries: for a matcher built in memory (a past day's lists, tests)."""
        builder = MentionBuilder()
        for position, entry in enumerate(entries):
            builder.add(position, entry.kind, family_keys(entry.names), organization_patterns(entry.names))
        return builder.build(key_ids)


@dataclass
class MentionBuilder:
    """Collects each entry's text forms in entry order, then lays them out by vocabulary key id."""

    _families: dict[str, list[int]] = field(default_factory=dict)
    _patterns: dict[OrganizationPattern, list[int]] = field(default_factory=dict)

    def add(self, position: int, kind: str, families: Iterable[str], patterns: Iterable[OrganizationPattern]) -> None:
        """An entry's forms: family keys count for a person, patterns for an organization (as its kind says)."""
        if kind == "person":
            for key in set(families):
                self._families.setdefault(key, []).append(position)
        elif kind == "organization":
            for pattern in dict.fromkeys(patterns):
                self._patterns.setdefault(pattern, []).append(position)

    def build(self, key_ids: Mapping[str, int]) -> MentionIndex:
        # every family key is a key of the entry's names, hence of the vocabulary; any other is not searchable
        pairs = [
            (key_ids[key], position) for key, found in self._families.items() if key in key_ids for position in found
        ]
        ids = np.fromiter((k for k, _ in pairs), dtype=np.int64, count=len(pairs))
        positions = np.fromiter((p for _, p in pairs), dtype=np.int32, count=len(pairs))
        order = np.lexsort((positions, ids))
        offsets = np.zeros(len(key_ids) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(ids, minlength=len(key_ids)))
        return MentionIndex(Postings(positions[order], offsets), sorted(self._patterns.items()))
