"""Reading subjects: members, names, birth dates, and designations per jurisdiction (as of a day).

A designation is one record on one list: its jurisdiction, regime, listing date (as the list
states it, else the first snapshot that has it, with the last one that did not), delisting date
(the first snapshot without it), and the reason the list gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
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
        first: dict[str, Designation] = {}
        for d in self.designations(as_of):
            if d.jurisdiction not in first or (d.listed_on or "9") < (first[d.jurisdiction].listed_on or "9"):
                first[d.jurisdiction] = d
        return first


class SubjectBook:
    """All subjects of a database, read once: look up by id (old ids redirect) or by record."""

    def __init__(self, engine: sa.Engine, histories: Iterable[RecordHistory] | None = None):
        self.engine = engine
        by_ref = {h.record.id: h for h in (histories if histories is not None else queries.record_histories(engine))}
        with engine.connect() as conn:
            rows = conn.execute(sa.select(t.subjects.c.id, t.subjects.c.caption, t.subjects.c.kind)).all()
            members = conn.execute(sa.select(t.subject_members.c.referent, t.subject_members.c.subject_id)).all()
            self.redirects = dict(conn.execute(sa.select(t.subject_redirects)).all())
        self.subjects = {row.id: Subject(row.id, row.caption, row.kind) for row in rows}
        self.subject_of: dict[str, str] = {}
        for referent, subject_id in sorted(members):
            if referent in by_ref and subject_id in self.subjects:
                self.subjects[subject_id].histories.append(by_ref[referent])
                self.subject_of[referent] = subject_id

    def get(self, subject_id: str) -> Subject | None:
        """The subject with this id, or the one it was merged into."""
        subject_id = self.redirects.get(subject_id, subject_id)
        return self.subjects.get(subject_id)

    def for_record(self, referent: str) -> Subject | None:
        subject_id = self.subject_of.get(referent)
        return self.subjects.get(subject_id) if subject_id else None
