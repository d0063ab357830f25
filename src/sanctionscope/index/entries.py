"""What the index holds for each result: names analysed once, plus the evidence scoring needs.

An entry stands for one record today; once records are resolved into subjects (the
`resolve` package) an entry stands for a subject and pools the records it joins.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, Protocol, TypeVar

import orjson

from sanctionscope.match.features import record_identifier_keys
from sanctionscope.model import FuzzyDate, Record
from sanctionscope.names import AnalyzedName, NamePart, analyze_name
from sanctionscope.names.analyze import join_syllables_written_apart, share_marked_parts
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
        head = [self.id, self.caption, self.kind, self.referents]
        evidence = [
            names_to_json(self.names),
            [[d.value, d.until, d.circa, d.raw] for d in self.birth_dates],
            sorted(self.countries),
            sorted(self.identifiers),
            self.gender,
        ]
        return orjson.dumps(head + evidence + [sorted(self.sources)])

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


def names_to_json(names: Iterable[AnalyzedName]) -> list:
    """Analysed names in the layout `Entry.from_bytes` reads."""
    return [[n.original, n.kind, n.script, [[p.original, p.text, p.key, p.tag] for p in n.parts]] for n in names]


def entry_blob(
    entry_id: str, caption: str, kind: str, referents: Sequence[str], evidence: Sequence[bytes], sources: Iterable[str]
) -> bytes:
    """A serialized entry from the stored analyses of its records (`service.analyses`), in `referents` order.

    One record (nearly every entry) is put together from bytes; several are merged as
    `entry_from_records` merges records: names once each, birth dates all, the first gender.
    """
    head = orjson.dumps([entry_id, caption, kind, list(referents)])[:-1]
    tail = orjson.dumps(sorted(set(sources)))
    if len(evidence) == 1:
        return head + b"," + evidence[0][1:-1] + b"," + tail + b"]"
    names: dict[bytes, list] = {}
    dates: list = []
    countries: set[str] = set()
    identifiers: set[str] = set()
    gender = None
    for data in evidence:
        n, d, c, i, g = orjson.loads(data)
        for name in n:
            names.setdefault(orjson.dumps(name), name)  # as analysed (see `entry_from_records`)
        dates.extend(d)
        countries.update(c)
        identifiers.update(i)
        gender = gender or g
    merged = orjson.dumps([list(names.values()), dates, sorted(countries), sorted(identifiers), gender])
    return head + b"," + merged[1:-1] + b"," + tail + b"]"


#: decoded entries an entry table keeps (queries keep asking for the same few)
DECODED_KEPT = 50_000


class EntryTable(Sequence[Entry]):
    """Entries kept serialized and decoded on first access.

    The bytes are either a list of blobs (built in memory) or one buffer with offsets (a
    memory-mapped index file: shared by every process that opens it, read from disk on demand).
    """

    def __init__(self, entries: Iterable[Entry] = (), *, blobs: list[bytes] | None = None):
        self._blobs: list[bytes] | None = blobs if blobs is not None else [entry.to_bytes() for entry in entries]
        self._buffer = memoryview(b"")  # the index file's bytes, when there are no blobs
        self._offsets: Any = None
        self._decoded: dict[int, Entry] = {}

    @classmethod
    def from_buffer(cls, buffer: memoryview, offsets: Any) -> EntryTable:
        table = cls(blobs=[])
        table._blobs, table._buffer, table._offsets = None, buffer, offsets
        return table

    def __len__(self) -> int:
        return len(self._blobs) if self._blobs is not None else len(self._offsets) - 1

    def blob(self, position: int) -> bytes:
        if self._blobs is not None:
            return self._blobs[position]
        return bytes(self._buffer[int(self._offsets[position]) : int(self._offsets[position + 1])])

    def blobs(self) -> Iterator[bytes]:
        return (self.blob(i) for i in range(len(self)))

    def __getitem__(self, position: int) -> Entry:  # type: ignore[override]
        entry = self._decoded.get(position)
        if entry is None:
            if len(self._decoded) >= DECODED_KEPT:
                self._decoded.clear()
            entry = self._decoded[position] = Entry.from_bytes(self.blob(position))
        return entry

    def __iter__(self) -> Iterator[Entry]:
        return (self[i] for i in range(len(self)))

    def name_rows(self, position: int) -> list[list[list[str]]]:
        """Per name of the entry at `position`, its parts as rows (`NamePart`'s fields), read without
        decoding the entry: what the bounds ask of every candidate, most of which are never scored."""
        entry = self._decoded.get(position)
        if entry is not None:
            return [[[p.original, p.text, p.key, p.tag] for p in name.parts] for name in entry.names]
        return [parts for _original, _kind, _script, parts in orjson.loads(self.blob(position))[4]]

    def __getstate__(self) -> list[bytes]:
        return list(self.blobs())

    def __setstate__(self, blobs: list[bytes]) -> None:
        self._blobs, self._buffer, self._offsets, self._decoded = blobs, memoryview(b""), None, {}


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
    if record.kind.value != "person" or len(names) < 2:
        return names
    return share_marked_parts(join_syllables_written_apart(names))


def entry_from_records(entry_id: str, records: Sequence[Record]) -> Entry:
    """Pool the evidence of records that stand for one person or organization."""
    first = records[0]
    entry = Entry(entry_id, first.caption, first.kind.value, [r.id for r in records], [])
    # one name as analysed, not as written: records may tag one writing differently (one has a sibling
    # writing that marks its family name), and what each record's stored analysis says must all be here
    seen_names: set[AnalyzedName] = set()
    for record in records:
        for name in analyze_record_names(record):
            if name not in seen_names:
                seen_names.add(name)
                entry.names.append(name)
        entry.birth_dates.extend(record.birth_dates)
        entry.countries.update(record.nationalities, record.citizenships)
        entry.identifiers.update(record_identifier_keys(record))
        entry.gender = entry.gender or record.gender
        entry.sources.add(record.source)
        entry.sources.update(record.datasets)  # an FtM record's datasets select it as its source does
    return entry


class Listed(Protocol):
    """What grouping needs of a record: its referent, source and the source's own id."""

    @property
    def id(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def source_id(self) -> str: ...


L = TypeVar("L", bound=Listed)


def group_into_entries(
    items: Iterable[L], subject_of: Mapping[str, str] | None = None
) -> list[tuple[str, bool, list[L]]]:
    """(entry id, is a subject, its records in feed order) by entry id: one entry per subject when
    records are resolved (`subject_of`); else one per designation.

    Without subjects, a designation published in several feeds of one jurisdiction under the same
    number (an OFAC entry in the SDN list and in trade.gov's list) is still one entry whose
    referents name every feed, and whose id is the first of them.
    """
    subject_of = subject_of or {}
    groups: dict[tuple[str, str], list[L]] = {}
    for ident, item in sorted(((item.id, item) for item in items), key=itemgetter(0)):
        subject = subject_of.get(ident)
        key = ("subject", subject) if subject else (jurisdiction_of(item.source), item.source_id)
        groups.setdefault(key, []).append(item)
    found = []
    for (kind, subject), group in groups.items():
        if len(group) > 1:
            group.sort(key=lambda r: (feed_rank(r.source), r.id))
        found.append((subject if kind == "subject" else group[0].id, kind == "subject", group))
    found.sort(key=itemgetter(0))
    return found


def entries_from_records(
    records: Iterable[Record],
    subject_of: Mapping[str, str] | None = None,
    captions: Mapping[str, str] | None = None,
) -> list[Entry]:
    """Entries in a stable order (by id), analysing the records' names (see `group_into_entries`)."""
    entries = []
    for entry_id, is_subject, group in group_into_entries(records, subject_of):
        entry = entry_from_records(entry_id, group)
        if is_subject and captions and entry_id in captions:
            entry.caption = captions[entry_id]
        entries.append(entry)
    return entries
