"""What the index holds for each result: names analysed once, plus the evidence scoring needs.

An entry stands for one record today; once records are resolved into subjects (the
`resolve` package) an entry stands for a subject and pools the records it joins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import orjson

from sanctionscope.model import FuzzyDate, Record
from sanctionscope.names import AnalyzedName, NamePart, analyze_name
from sanctionscope.names.variants import name_variants
from sanctionscope.sources.registry import feed_rank, jurisdiction_of


@dataclass(slots=True)
class Entry:
    id: str
    caption: str
    kind: str
    referents: list[str]
    names: list[AnalyzedName]
    birth_dates: list[FuzzyDate] = field(default_factory=list)
    countries: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    gender: str | None = None
    sources: set[str] = field(default_factory=set)

    def keys(self) -> set[str]:
        """Every name-part key of every name (with given names as spelled), for the candidate index."""
        return {key for name in self.names for key in name.index_keys}

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            [
                self.id,
                self.caption,
                self.kind,
                self.referents,
                [
                    [n.original, n.kind, n.script, [[p.original, p.text, p.key, p.tag] for p in n.parts]]
                    for n in self.names
                ],
                [[d.value, d.until, d.circa, d.raw] for d in self.birth_dates],
                sorted(self.countries),
                sorted(self.identifiers),
                self.gender,
                sorted(self.sources),
            ]
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> Entry:
        id_, caption, kind, referents, names, dates, countries, identifiers, gender, sources = orjson.loads(data)
        return cls(
            id_,
            caption,
            kind,
            referents,
            [AnalyzedName(o, k, tuple(NamePart(*p) for p in parts), sc) for o, k, sc, parts in names],
            [FuzzyDate(*d) for d in dates],
            set(countries),
            set(identifiers),
            gender,
            set(sources),
        )


class EntryTable(Sequence[Entry]):
    """Entries kept serialized and decoded on first access: a saved index loads in milliseconds."""

    def __init__(self, entries: Iterable[Entry] = ()):
        self._blobs: list[bytes] = [entry.to_bytes() for entry in entries]
        self._decoded: dict[int, Entry] = {}

    def __len__(self) -> int:
        return len(self._blobs)

    def __getitem__(self, position: int) -> Entry:  # type: ignore[override]
        entry = self._decoded.get(position)
        if entry is None:
            entry = self._decoded[position] = Entry.from_bytes(self._blobs[position])
        return entry

    def __iter__(self) -> Iterator[Entry]:
        return (self[i] for i in range(len(self)))

    def __getstate__(self) -> list[bytes]:
        return self._blobs

    def __setstate__(self, blobs: list[bytes]) -> None:
        self._blobs, self._decoded = blobs, {}


def analyze_record_names(record: Record) -> list[AnalyzedName]:
    seen: set[str] = set()
    names: list[AnalyzedName] = []
    for name in record.names:
        for form in name_variants(name.full) if name.full else ():
            if form in seen:
                continue
            seen.add(form)
            if form == name.full:  # the parts a list states belong to the name as it wrote it
                names.append(analyze_name(form, record.kind.value, name.given, name.patronymic, name.family))
            else:
                names.append(analyze_name(form, record.kind.value))
    return names


def entry_from_records(entry_id: str, records: Sequence[Record]) -> Entry:
    """Pool the evidence of records that stand for one person or organization."""
    first = records[0]
    entry = Entry(entry_id, first.caption, first.kind.value, [r.id for r in records], [])
    seen_names: set[str] = set()
    for record in records:
        for name in analyze_record_names(record):
            if name.original not in seen_names:
                seen_names.add(name.original)
                entry.names.append(name)
        entry.birth_dates.extend(record.birth_dates)
        entry.countries.update(record.nationalities, record.citizenships)
        entry.identifiers.update(i.value for i in record.identifiers)
        entry.gender = entry.gender or record.gender
        entry.sources.add(record.source)
    return entry


def entries_from_records(
    records: Iterable[Record],
    subject_of: Mapping[str, str] | None = None,
    captions: Mapping[str, str] | None = None,
) -> list[Entry]:
    """Entries in a stable order (by id): one per subject, when records are resolved (`subject_of`);
    else one per designation.

    Without subjects, a designation published in several feeds of one jurisdiction under the same
    number (an OFAC entry in the SDN list and in trade.gov's list) is still one entry whose
    referents name every feed, and whose id is the first of them.
    """
    subject_of = subject_of or {}
    groups: dict[tuple[str, str], list[Record]] = {}
    for record in sorted(records, key=lambda r: r.id):
        subject = subject_of.get(record.id)
        key = ("subject", subject) if subject else (jurisdiction_of(record.source), record.source_id)
        groups.setdefault(key, []).append(record)
    entries = []
    for (kind, subject), group in groups.items():
        group.sort(key=lambda r: (feed_rank(r.source), r.id))
        entry = entry_from_records(subject if kind == "subject" else group[0].id, group)
        if kind == "subject" and captions and subject in captions:
            entry.caption = captions[subject]
        entries.append(entry)
    entries.sort(key=lambda e: e.id)
    return entries
