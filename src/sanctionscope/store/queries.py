"""Reading the store: sources, snapshots, records as of a date, changes, a record's history."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import itemgetter
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa
import zstandard

from sanctionscope.model import Record
from sanctionscope.sources.registry import jurisdiction_of
from sanctionscope.store import db
from sanctionscope.store import schema as t


@dataclass(frozen=True)
class SnapshotRow:
    id: int
    source: str
    scope: str
    format: str
    published_on: date
    date_basis: str
    record_count: int


def _snapshot_rows(conn: sa.Connection, where: list[Any]) -> list[SnapshotRow]:
    s = t.snapshots
    query = (
        sa.select(s.c.id, s.c.source, s.c.scope, s.c.format, s.c.published_on, s.c.date_basis, s.c.record_count)
        .where(*where)
        .order_by(s.c.source, s.c.scope, s.c.published_on, s.c.id)
    )
    return [SnapshotRow(*row) for row in conn.execute(query)]


def snapshots(engine: sa.Engine, source: str | None = None) -> list[SnapshotRow]:
    """All snapshots, ordered by source, scope and date."""
    with engine.connect() as conn:
        return _snapshot_rows(conn, [t.snapshots.c.source == source] if source else [])


def current_snapshots(engine: sa.Engine, *, source: str | None = None, as_of: date | None = None) -> list[SnapshotRow]:
    """The newest snapshot of each source and scope (published on or before `as_of`, if given)."""
    latest: dict[tuple[str, str], SnapshotRow] = {}
    for row in snapshots(engine, source):
        if as_of is not None and row.published_on > as_of:
            continue
        latest[(row.source, row.scope)] = row  # rows come in date order: the last one wins
    return list(latest.values())


def source_summaries(engine: sa.Engine) -> list[dict[str, Any]]:
    """One entry per loaded source: jurisdiction, number of snapshots, latest date, records in the latest."""
    summaries: dict[str, dict[str, Any]] = {}
    for row in snapshots(engine):
        entry = summaries.setdefault(
            row.source,
            {"source": row.source, "jurisdiction": jurisdiction_of(row.source), "snapshots": 0, "latest": None},
        )
        entry["snapshots"] += 1
        if entry["latest"] is None or row.published_on.isoformat() > entry["latest"]:
            entry["latest"] = row.published_on.isoformat()
    for entry in summaries.values():
        entry["records"] = sum(row.record_count for row in current_snapshots(engine, source=entry["source"]))
    return sorted(summaries.values(), key=lambda e: e["source"])


def iter_records(engine: sa.Engine, snapshot_ids: list[int]) -> Iterator[Record]:
    """The records of the given snapshots."""
    v = t.record_versions
    with engine.connect() as conn:
        for start in range(0, len(snapshot_ids), 500):
            chunk = snapshot_ids[start : start + 500]
            query = (
                sa.select(v.c.data)
                .join(t.snapshot_records, t.snapshot_records.c.version_id == v.c.id)
                .where(t.snapshot_records.c.snapshot_id.in_(chunk))
                .order_by(v.c.source, v.c.record_id)
            )
            for row in conn.execute(query):
                yield Record.from_dict(orjson.loads(row.data))


@dataclass(frozen=True, slots=True)
class VersionRow:
    """A record version without its data: enough to group, caption and find its analysis."""

    version_id: int
    source: str
    source_id: str
    kind: str
    caption: str

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"


def version_rows(engine: sa.Engine, snapshot_ids: list[int] | None = None) -> list[VersionRow]:
    """The record versions of these snapshots (None: the newest version of every record ever loaded)."""
    if snapshot_ids is None:
        return newest_versions_and_spans(engine)[0]
    v, sr = t.record_versions, t.snapshot_records
    found: dict[int, VersionRow] = {}
    with engine.connect() as conn:
        for start in range(0, len(snapshot_ids), 500):
            query = sa.select(v.c.id, v.c.source, v.c.record_id, v.c.kind, v.c.caption).join(sr, sr.c.version_id == v.c.id)
            for row in db.bulk_rows(conn, query.where(sr.c.snapshot_id.in_(snapshot_ids[start : start + 500]))):
                found[row[0]] = VersionRow(*row)
    return sorted(found.values(), key=lambda r: (r.source, r.source_id))


def newest_versions_and_spans(engine: sa.Engine) -> tuple[list[VersionRow], dict[str, tuple[date, date]]]:
    """Every record ever loaded: its newest version (the one of its latest snapshot; by record id),
    and the dates of its first and last snapshot (by "source:id").

    Two plain scans, joined here: the snapshots are few and the memberships millions, so a join
    or a GROUP BY in the database costs more than reading them into arrays."""
    v, sr, s = t.record_versions, t.snapshot_records, t.snapshots
    with engine.connect() as conn:
        snapshot_days = db.bulk_rows(conn, sa.select(s.c.id, s.c.published_on))
        memberships = np.array(db.bulk_rows(conn, sa.select(sr.c.version_id, sr.c.snapshot_id)), dtype=np.int64)
        versions = db.bulk_rows(conn, sa.select(v.c.id, v.c.source, v.c.record_id, v.c.kind, v.c.caption)
                                .order_by(v.c.source, v.c.record_id))  # fmt: skip
    if not len(memberships):
        return [], {}
    # per version, the first and last day it was listed on (days as ordinals, to compare in numpy)
    day_of_snapshot = np.zeros(max(i for i, _ in snapshot_days) + 1, dtype=np.int64)
    for snapshot_id, day in snapshot_days:
        day_of_snapshot[snapshot_id] = _as_date(day).toordinal()
    size = max(int(memberships[:, 0].max()), max(row[0] for row in versions)) + 1
    days = day_of_snapshot[memberships[:, 1]]
    first, last = np.full(size, np.iinfo(np.int64).max), np.full(size, -1)
    np.minimum.at(first, memberships[:, 0], days)
    np.maximum.at(last, memberships[:, 0], days)
    first_day, last_day = first.tolist(), last.tolist()

    as_date = {day: date.fromordinal(day) for day in set(day_of_snapshot[day_of_snapshot > 0].tolist())}
    newest: list[VersionRow] = []
    spans: dict[str, tuple[date, date]] = {}
    for (source, record_id), group in groupby(versions, key=itemgetter(1, 2)):  # a record's versions together
        listed = [row for row in group if last_day[row[0]] >= 0]  # not: in no snapshot (theirs were deleted)
        if len(listed) == 1:
            (row,) = listed
            newest.append(VersionRow(*row))
            spans[f"{source}:{record_id}"] = (as_date[first_day[row[0]]], as_date[last_day[row[0]]])
        elif listed:
            newest.append(VersionRow(*max(listed, key=lambda row: (last_day[row[0]], row[0]))))
            spans[f"{source}:{record_id}"] = (as_date[min(first_day[row[0]] for row in listed)],
                                              as_date[max(last_day[row[0]] for row in listed)])  # fmt: skip
    newest.sort(key=lambda row: (row.source, row.source_id))  # in Python's order, whatever the database's collation
    return newest, spans


def _as_date(value: Any) -> date:
    """SQLite hands dates back as text when SQLAlchemy does not convert them (aggregates, bulk reads)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def current_version_rows(engine: sa.Engine, as_of: date | None = None) -> list[VersionRow]:
    """The record versions of the lists as they stand (newest snapshot per source and scope, up to `as_of`)."""
    return version_rows(engine, [s.id for s in current_snapshots(engine, as_of=as_of)])


def current_records(engine: sa.Engine, *, source: str | None = None, as_of: date | None = None) -> Iterator[Record]:
    """Every record of the lists as they stood (newest snapshot per source and scope, up to `as_of`)."""
    yield from iter_records(engine, [s.id for s in current_snapshots(engine, source=source, as_of=as_of)])


def get_record(engine: sa.Engine, record_ref: str, *, as_of: date | None = None) -> Record | None:
    """The newest version of `source:source_id` present in a snapshot up to `as_of`."""
    source, _, record_id = record_ref.partition(":")
    v, sr, s = t.record_versions, t.snapshot_records, t.snapshots
    query = (
        sa.select(v.c.data)
        .join(sr, sr.c.version_id == v.c.id)
        .join(s, s.c.id == sr.c.snapshot_id)
        .where(v.c.source == source, v.c.record_id == record_id)
        .order_by(s.c.published_on.desc(), s.c.id.desc())
        .limit(1)
    )
    if as_of is not None:
        query = query.where(s.c.published_on <= as_of)
    with engine.connect() as conn:
        data = conn.execute(query).scalar()
    return Record.from_dict(orjson.loads(data)) if data else None


def presence_bounds(present: list[date], scope_dates: list[date]) -> dict[str, str | None]:
    """First seen, absent before, last seen and removed on, from the dates of the snapshots that have
    a record (`present`) among all snapshot dates of its list (`scope_dates`), both sorted."""
    first_seen, last_seen = present[0], present[-1]
    present_set = set(present)
    earlier = [d for d in scope_dates if d < first_seen and d not in present_set]
    later = [d for d in scope_dates if d > last_seen]
    return {
        "first_seen": first_seen.isoformat(),
        "absent_before": earlier[-1].isoformat() if earlier else None,
        "last_seen": last_seen.isoformat(),
        "removed_on": later[0].isoformat() if later else None,
    }


def record_presence(engine: sa.Engine, record_ref: str) -> dict[str, Any]:
    """When a record was on its list, as the snapshots show it.

    `first_seen` is the first snapshot that has it and `absent_before` the latest earlier snapshot
    that did not: a list that states no listing date (OFAC CSV) bounds it between the two.
    `removed_on` is the first snapshot after `last_seen` that no longer has it.
    """
    source, _, record_id = record_ref.partition(":")
    v, sr, s = t.record_versions, t.snapshot_records, t.snapshots
    with engine.connect() as conn:
        present_rows = conn.execute(
            sa.select(s.c.scope, s.c.published_on)
            .join(sr, sr.c.snapshot_id == s.c.id)
            .join(v, v.c.id == sr.c.version_id)
            .where(v.c.source == source, v.c.record_id == record_id)
            .order_by(s.c.published_on)
        ).all()
        if not present_rows:
            return {"record": record_ref, "present": []}
        scope = present_rows[0].scope
        all_dates = sorted(
            {row.published_on for row in _snapshot_rows(conn, [s.c.source == source, s.c.scope == scope])}
        )
    present = sorted({row.published_on for row in present_rows})
    return {"record": record_ref, **presence_bounds(present, all_dates), "present": [d.isoformat() for d in present]}


@dataclass
class RecordHistory:
    """A record as last published, the dates of the snapshots that had it, and those of its list."""

    record: Record
    scope: str
    present: list[date]
    scope_dates: list[date]

    @property
    def presence(self) -> dict[str, str | None]:
        return presence_bounds(self.present, self.scope_dates)

    def on_list(self, day: date) -> bool | None:
        """Whether the record was on its list on `day`: from the snapshots when one is that old, else
        from the date the list states (None: the snapshots start later and the list states no date)."""
        earlier = [d for d in self.scope_dates if d <= day]
        if earlier:
            return earlier[-1] in set(self.present)
        if self.record.listed_on:
            return self.record.listed_on <= day.isoformat()
        return None


def record_histories(engine: sa.Engine, referents: Iterable[str] | None = None) -> list[RecordHistory]:
    """Every record ever loaded (its newest version), with the snapshots that had it; ordered by id.

    With `referents` ("source:record_id"), only those records (and the snapshot dates of their lists).
    """
    v, sr, s = t.record_versions, t.snapshot_records, t.snapshots
    scope_dates: dict[tuple[str, str], set[date]] = {}
    present: dict[tuple[str, str], set[date]] = {}
    scope_of: dict[tuple[str, str], str] = {}
    newest: dict[tuple[str, str], tuple[date, int]] = {}
    wanted = None if referents is None else sorted({tuple(r.partition(":")[::2]) for r in referents})
    with engine.connect() as conn:
        snapshot_query = sa.select(s.c.source, s.c.scope, s.c.published_on)
        if wanted is not None:
            snapshot_query = snapshot_query.where(s.c.source.in_(sorted({source for source, _ in wanted})))
        for row in conn.execute(snapshot_query):
            scope_dates.setdefault((row.source, row.scope), set()).add(row.published_on)
        query = (
            sa.select(v.c.id, v.c.source, v.c.record_id, s.c.scope, s.c.published_on)
            .join(sr, sr.c.version_id == v.c.id)
            .join(s, s.c.id == sr.c.snapshot_id)
        )
        for rows in _in_chunks(conn, query, sa.tuple_(v.c.source, v.c.record_id), wanted):
            for row in rows:
                key = (row.source, row.record_id)
                present.setdefault(key, set()).add(row.published_on)
                scope_of[key] = row.scope
                if key not in newest or row.published_on >= newest[key][0]:
                    newest[key] = (row.published_on, row.id)
        data: dict[int, str] = {}
        version_ids = [version for _day, version in newest.values()]
        for start in range(0, len(version_ids), 500):
            chunk = version_ids[start : start + 500]
            data.update(conn.execute(sa.select(v.c.id, v.c.data).where(v.c.id.in_(chunk))).all())
    histories = []
    for key in sorted(newest):
        scope = scope_of[key]
        histories.append(
            RecordHistory(
                Record.from_dict(orjson.loads(data[newest[key][1]])),
                scope,
                sorted(present[key]),
                sorted(scope_dates[(key[0], scope)]),
            )
        )
    return histories


def _in_chunks(
    conn: sa.Connection, query: sa.Select, column: Any, values: list[Any] | None, size: int = 500
) -> Iterator[sa.Result]:
    """The rows of `query`, all of them (`values` None) or those whose `column` is among `values`,
    asked in chunks (databases limit the parameters of one statement)."""
    if values is None:
        yield conn.execute(query)
        return
    for start in range(0, len(values), size):
        yield conn.execute(query.where(column.in_(values[start : start + size])))


def records_as_of(engine: sa.Engine, day: date) -> list[Record]:
    """The lists as they stood on `day`: each list's snapshot of that day or before; for a list whose
    snapshots all come later, its records whose stated listing date is on or before `day`."""
    records = list(current_records(engine, as_of=day))
    covered = {(s.source, s.scope) for s in current_snapshots(engine, as_of=day)}
    for history in record_histories(engine):
        if (history.record.source, history.scope) in covered:
            continue
        if history.on_list(day):
            records.append(history.record)
    return records


def list_changes(
    engine: sa.Engine,
    *,
    source: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int | None = None,
    records: list[str] | None = None,
    newest_first: bool = False,
) -> list[dict[str, Any]]:
    """Changes in date order (`newest_first`: the reverse, so that `limit` keeps the newest), as JSON-able
    dicts; `records` limits them to these "source:id" records."""
    c = t.changes
    query = sa.select(c.c.source, c.c.scope, c.c.date, c.c.change, c.c.record_id, c.c.caption, c.c.fields)
    if source:
        query = query.where(c.c.source == source)
    if records is not None:
        pairs = [ref.partition(":") for ref in records]
        query = query.where(sa.or_(*(sa.and_(c.c.source == s, c.c.record_id == r) for s, _, r in pairs)))
    if since:
        query = query.where(c.c.date >= since)
    if until:
        query = query.where(c.c.date <= until)
    order = (c.c.date, c.c.source, c.c.change, c.c.record_id)
    query = query.order_by(*(column.desc() for column in order) if newest_first else order)
    if limit:
        query = query.limit(limit)
    out = []
    with engine.connect() as conn:
        for row in conn.execute(query):
            item: dict[str, Any] = {
                "source": row.source,
                "date": row.date.isoformat(),
                "change": row.change,
                "record_id": f"{row.source}:{row.record_id}",
                "caption": row.caption,
            }
            if row.scope:
                item["scope"] = row.scope
            if row.fields:
                item["fields"] = orjson.loads(row.fields)
            out.append(item)
    return out


def snapshot_file_bytes(engine: sa.Engine, snapshot_id: int) -> dict[str, bytes]:
    """The raw files of a snapshot, decompressed: any snapshot can be parsed again."""
    decompressor = zstandard.ZstdDecompressor()
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(t.snapshot_files.c.name, t.snapshot_files.c.data).where(
                t.snapshot_files.c.snapshot_id == snapshot_id
            )
        ).all()
    return {row.name: decompressor.decompress(row.data) for row in rows}
