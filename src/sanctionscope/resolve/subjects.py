"""Reading subjects: members, names, birth dates, and designations per jurisdiction (as of a day).

A designation is one record on one list: its jurisdiction, regime, listing date (as the list
states it, else the first snapshot that has it, with the last one that did not), delisting date
(the first snapshot without it), and the reason the list gives.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa

from sanctionscope.model import Record
from sanctionscope.sources.registry import jurisdiction_of
from sanctionscope.store import queries
from sanctionscope.store import schema as t
from sanctionscope.store.queries import RecordHistory


@dataclass(frozen=True)
class Designation:
    jurisdiction: str
    source: str
    record: str
    regime: str | None
    listed_on: str | None
    listed_on_basis: str  # "stated" or "first_seen"
    absent_before: str | None  # for "first_seen": the latest snapshot that did not have it
    delisted_on: str | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def designation_of(history: RecordHistory) -> Designation:
    record = history.record
    presence = history.presence
    stated = record.listed_on
    return Designation(
        jurisdiction=jurisdiction_of(record.source),
        source=record.source,
        record=record.id,
        regime="; ".join(record.regimes) or None,
        listed_on=stated or presence["first_seen"],
        listed_on_basis="stated" if stated else "first_seen",
        absent_before=None if stated else presence["absent_before"],
        delisted_on=presence["removed_on"],
        reason=record.reason,
    )


@dataclass
class Subject:
    id: str
    caption: str
    kind: str
    histories: list[RecordHistory] = field(default_factory=list)

    @property
    def referents(self) -> list[str]:
        return [h.record.id for h in self.histories]

    @property
    def records(self) -> list[Record]:
        return [h.record for h in self.histories]

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for record in self.records:
            for name in record.names:
                seen.setdefault(name.full, None)
        return list(seen)

    def birth_dates(self) -> list[str]:
        return sorted({d.value for r in self.records for d in r.birth_dates if d.value})

    def designations(self, as_of: date | None = None) -> list[Designation]:
        """Every designation; with `as_of`, those in force that day (listed by then, not yet delisted)."""
        found = []
        for history in self.histories:
            if as_of is not None and not history.on_list(as_of):
                continue
            found.append(designation_of(history))
        return sorted(found, key=lambda d: (d.jurisdiction, d.listed_on or "", d.record))

    def by_jurisdiction(self, as_of: date | None = None) -> dict[str, Designation]:
        """The earliest designation per jurisdiction (in force on `as_of`, if given)."""
        return earliest_per_jurisdiction(self.designations(as_of))


def earliest_per_jurisdiction(designations: list[Designation]) -> dict[str, Designation]:
    """Of these designations, the earliest listed one of each jurisdiction (undated ones last)."""
    first: dict[str, Designation] = {}
    for d in designations:
        if d.jurisdiction not in first or (d.listed_on or "9") < (first[d.jurisdiction].listed_on or "9"):
            first[d.jurisdiction] = d
    return first


#: subjects a book keeps decoded (a server asks for the same few again and again)
SUBJECTS_KEPT = 5_000
#: subjects read per round trip when iterating them all
SUBJECTS_PER_READ = 500


class SubjectBook:
    """The subjects of a database, read when asked for: by id (old ids redirect) or by record.

    Nothing is read up front but the redirects: a subject (its members' newest record versions
    and snapshot dates) is read on first use and kept in a bounded cache, so that a process
    holds what its requests touched, not every record. What needs every subject (counts per
    source, the loaded jurisdictions) is asked of the database as aggregates, once per book; a
    book stands for one data version (make a new one when the data changes).
    """

    def __init__(self, engine: sa.Engine, *, kept: int = SUBJECTS_KEPT):
        self.engine = engine
        self.kept = kept
        with engine.connect() as conn:
            self.redirects: dict[str, str] = dict(conn.execute(sa.select(t.subject_redirects)).all())
        self._cache: OrderedDict[str, Subject | None] = OrderedDict()
        self._lock = threading.Lock()
        self.subject_of = Members(engine)

    def get(self, subject_id: str) -> Subject | None:
        """The subject with this id, or the one it was merged into."""
        return self.current(self.redirects.get(subject_id, subject_id))

    def current(self, subject_id: str) -> Subject | None:
        """The subject with exactly this id (None for the old id of a merged subject)."""
        with self._lock:
            if subject_id in self._cache:
                self._cache.move_to_end(subject_id)
                return self._cache[subject_id]
        found = self._read([subject_id]).get(subject_id)
        with self._lock:
            self._cache[subject_id] = found
            while len(self._cache) > self.kept:
                self._cache.popitem(last=False)
        return found

    def for_record(self, referent: str) -> Subject | None:
        subject_id = self.subject_of.get(referent)
        return self.current(subject_id) if subject_id else None

    def all(self) -> Iterator[Subject]:
        """Every subject, by id, read a few hundred at a time (not kept: for reports and tests)."""
        with self.engine.connect() as conn:
            ids = list(conn.execute(sa.select(t.subjects.c.id).order_by(t.subjects.c.id)).scalars())
        for start in range(0, len(ids), SUBJECTS_PER_READ):
            found = self._read(ids[start : start + SUBJECTS_PER_READ])
            yield from (found[i] for i in ids[start : start + SUBJECTS_PER_READ] if i in found)

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.subjects)).scalar_one()

    @cached_property
    def counts_per_source(self) -> dict[str, int]:
        """Per source, the subjects with a record of it (every record ever loaded, as `histories`)."""
        m, r, v = t.subject_members, t.resolved_records, t.record_versions
        query = (
            sa.select(v.c.source, sa.func.count(sa.distinct(m.c.subject_id)))
            .select_from(m.join(r, r.c.referent == m.c.referent).join(v, v.c.id == r.c.version_id))
            .group_by(v.c.source)
        )
        with self.engine.connect() as conn:
            return dict(sorted((source, count) for source, count in conn.execute(query)))

    def sources(self) -> set[str]:
        """The sources with a record in some subject."""
        return set(self.counts_per_source)

    def _read(self, subject_ids: list[str]) -> dict[str, Subject]:
        """These subjects from the database, with their members' histories (in referent order)."""
        s, m = t.subjects, t.subject_members
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(s.c.id, s.c.caption, s.c.kind).where(s.c.id.in_(subject_ids))).all()
            members = conn.execute(sa.select(m.c.referent, m.c.subject_id).where(m.c.subject_id.in_(subject_ids))).all()
        found = {row.id: Subject(row.id, row.caption, row.kind) for row in rows}
        histories = {h.record.id: h for h in queries.record_histories(self.engine, [r for r, _ in members])}
        for referent, subject_id in sorted(members):
            if referent in histories and subject_id in found:
                found[subject_id].histories.append(histories[referent])
        return found


class Members(Mapping[str, str]):
    """Which subject a record belongs to, one member row at a time (a mapping over the table)."""

    def __init__(self, engine: sa.Engine):
        self.engine = engine

    def __getitem__(self, referent: str) -> str:
        m = t.subject_members
        with self.engine.connect() as conn:
            found = conn.execute(sa.select(m.c.subject_id).where(m.c.referent == referent)).scalar()
        if found is None:
            raise KeyError(referent)
        return found

    def __iter__(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.execute(
                sa.select(t.subject_members.c.referent).order_by(t.subject_members.c.referent)
            ).scalars()

    def __len__(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(t.subject_members)).scalar_one()
