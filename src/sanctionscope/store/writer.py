"""Writing snapshots: one transaction per snapshot, identical bytes load once, changes kept current."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import orjson
import sqlalchemy as sa
import zstandard

from sanctionscope.model import Record, content_hash
from sanctionscope.parallel import fork_map, spans
from sanctionscope.sources.base import SourceError
from sanctionscope.sources.detect import DatedSnapshot
from sanctionscope.store import schema as t
from sanctionscope.store.diff import diff_fields
from sanctionscope.store.ftm_graph import save_entities


@dataclass(frozen=True)
class SaveResult:
    source: str
    scope: str
    published_on: str
    status: str  # "loaded" or "unchanged" (these exact bytes were loaded before)
    snapshot_id: int
    records: int
    added: int = 0
    removed: int = 0
    amended: int = 0


def bundle_hash(files: list[tuple[str, bytes]]) -> str:
    """sha256 over the bundle's files (names and bytes), independent of the order they were found in."""
    digest = hashlib.sha256()
    for name, data in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def save_snapshot(engine: sa.Engine, dated: DatedSnapshot) -> SaveResult:
    """Store a parsed snapshot and the changes it makes, all in one transaction.

    On any error nothing is written: the previous snapshot stays the current one.
    """
    parsed = dated.parsed
    _check_unique_ids(parsed.records, parsed.files[0].label if parsed.files else parsed.source)
    bytes_hash = bundle_hash([(f.name, f.data) for f in parsed.files])
    with engine.begin() as conn:
        existing = conn.execute(
            sa.select(t.snapshots.c.id, t.snapshots.c.record_count, t.snapshots.c.published_on).where(
                t.snapshots.c.source == parsed.source,
                t.snapshots.c.scope == parsed.scope,
                t.snapshots.c.content_hash == bytes_hash,
            )
        ).first()
        if existing is not None:
            return SaveResult(
                parsed.source,
                parsed.scope,
                existing.published_on.isoformat(),
                "unchanged",
                existing.id,
                existing.record_count,
            )
        records = parsed.records
        stored = _stored_forms(records)
        hashes = [digest for digest, _ in stored]
        snapshot_id = conn.execute(
            sa.insert(t.snapshots).returning(t.snapshots.c.id),
            {
                "source": parsed.source,
                "scope": parsed.scope,
                "format": parsed.format,
                "published_on": dated.published_on,
                "date_basis": dated.date_basis,
                "content_hash": bytes_hash,
                "records_hash": hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest(),
                "record_count": len(records),
                "loaded_at": datetime.now(UTC),
                "files": orjson.dumps(
                    [
                        {"name": f.name, "size": len(f.data), "sha256": hashlib.sha256(f.data).hexdigest()}
                        for f in parsed.files
                    ]
                ).decode(),
                "notes": orjson.dumps(parsed.notes).decode(),
                "partial_fields": orjson.dumps(sorted(parsed.partial_fields)).decode(),
            },
        ).scalar_one()
        _save_files(conn, snapshot_id, parsed.files)
        version_ids = _save_versions(conn, parsed.source, records, stored)
        if version_ids:
            conn.execute(
                sa.insert(t.snapshot_records), [{"snapshot_id": snapshot_id, "version_id": v} for v in version_ids]
            )
        if parsed.entities:
            save_entities(conn, snapshot_id, parsed.entities)
        counts = refresh_changes_around(conn, parsed.source, parsed.scope, snapshot_id)
    return SaveResult(
        parsed.source,
        parsed.scope,
        dated.published_on.isoformat(),
        "loaded",
        snapshot_id,
        len(records),
        counts["added"],
        counts["removed"],
        counts["amended"],
    )


def _check_unique_ids(records: list[Record], label: str) -> None:
    counts = Counter(record.source_id for record in records)
    duplicates = [rid for rid, n in counts.items() if n > 1]
    if duplicates:
        shown = ", ".join(duplicates[:5])
        raise SourceError(label, f"{len(duplicates)} record id(s) occur more than once: {shown}")


#: official lists compress well at a high level; a file of hundreds of MB (a bulk FtM export) at a fast one
_COMPRESSOR = zstandard.ZstdCompressor(level=10)
_FAST_COMPRESSOR = zstandard.ZstdCompressor(level=3)
_LARGE_FILE = 32 << 20


def _compressed(data: bytes) -> bytes:
    return (_FAST_COMPRESSOR if len(data) > _LARGE_FILE else _COMPRESSOR).compress(data)


def _save_files(conn: sa.Connection, snapshot_id: int, files) -> None:  # type: ignore[no-untyped-def]
    conn.execute(
        sa.insert(t.snapshot_files),
        [
            {
                "snapshot_id": snapshot_id,
                "name": f.name,
                "sha256": hashlib.sha256(f.data).hexdigest(),
                "size": len(f.data),
                "data": _compressed(f.data),
            }
            for f in files
        ],
    )


#: records worth serializing in forked workers (below this, starting them costs more than it saves)
PARALLEL_FROM = 50_000
_CHUNK = 10_000


def _stored_forms(records: list[Record]) -> list[tuple[str, str]]:
    """Each record's content hash and JSON, on every core for a large snapshot."""

    def serialize(span: tuple[int, int]) -> list[tuple[str, str]]:
        forms = []
        for record in records[span[0] : span[1]]:
            data = record.to_dict()
            forms.append((content_hash(data), orjson.dumps(data).decode()))
        return forms

    workers = None if len(records) >= PARALLEL_FROM else 1
    return [form for chunk in fork_map(serialize, spans(len(records), _CHUNK), workers) for form in chunk]


def _save_versions(conn: sa.Connection, source: str, records: list[Record], stored: list[tuple[str, str]]) -> list[int]:
    """Ids of the record versions of this snapshot, inserting the versions not stored before."""
    known = {
        (row.record_id, row.hash): row.id
        for row in conn.execute(
            sa.select(t.record_versions.c.id, t.record_versions.c.record_id, t.record_versions.c.hash).where(
                t.record_versions.c.source == source
            )
        )
    }
    new_rows = [
        {
            "source": source,
            "record_id": record.source_id,
            "hash": digest,
            "kind": record.kind.value,
            "caption": record.caption,
            "data": data,
        }
        for record, (digest, data) in zip(records, stored, strict=True)
        if (record.source_id, digest) not in known
    ]
    for start in range(0, len(new_rows), 5000):
        chunk = new_rows[start : start + 5000]
        result = conn.execute(
            sa.insert(t.record_versions).returning(
                t.record_versions.c.id,
                t.record_versions.c.record_id,
                t.record_versions.c.hash,
                sort_by_parameter_order=True,
            ),
            chunk,
        )
        for row in result:
            known[(row.record_id, row.hash)] = row.id
    return [known[(record.source_id, digest)] for record, (digest, _) in zip(records, stored, strict=True)]


def _ordered_snapshot_ids(conn: sa.Connection, source: str, scope: str) -> list[int]:
    return list(
        conn.execute(
            sa.select(t.snapshots.c.id)
            .where(t.snapshots.c.source == source, t.snapshots.c.scope == scope)
            .order_by(t.snapshots.c.published_on, t.snapshots.c.id)
        ).scalars()
    )


def refresh_changes_around(conn: sa.Connection, source: str, scope: str, snapshot_id: int) -> Counter[str]:
    """Recompute the changes into `snapshot_id` and into the snapshot after it.

    A snapshot loaded out of date order lands between two others, so both pairs change.
    Returns the counts of the changes that `snapshot_id` itself brings.
    """
    order = _ordered_snapshot_ids(conn, source, scope)
    position = order.index(snapshot_id)
    counts: Counter[str] = Counter()
    for index in (position, position + 1):
        if index >= len(order):
            continue
        current = order[index]
        conn.execute(sa.delete(t.changes).where(t.changes.c.snapshot_id == current))
        if index == 0:
            continue
        pair_counts = _write_changes(conn, source, scope, order[index - 1], current)
        if current == snapshot_id:
            counts = pair_counts
    return counts


def _members(conn: sa.Connection, snapshot_id: int) -> dict[str, tuple[str, int, str]]:
    """record_id → (hash, version id, caption) for one snapshot."""
    v = t.record_versions
    query = (
        sa.select(v.c.record_id, v.c.hash, v.c.id, v.c.caption)
        .join(t.snapshot_records, t.snapshot_records.c.version_id == v.c.id)
        .where(t.snapshot_records.c.snapshot_id == snapshot_id)
    )
    return {row.record_id: (row.hash, row.id, row.caption) for row in conn.execute(query)}


def _partial_fields(conn: sa.Connection, *snapshot_ids: int) -> set[str]:
    rows = conn.execute(sa.select(t.snapshots.c.partial_fields).where(t.snapshots.c.id.in_(snapshot_ids))).scalars()
    return {name for row in rows for name in orjson.loads(row)}


def _write_changes(conn: sa.Connection, source: str, scope: str, previous_id: int, current_id: int) -> Counter[str]:
    before, after = _members(conn, previous_id), _members(conn, current_id)
    date = conn.execute(sa.select(t.snapshots.c.published_on).where(t.snapshots.c.id == current_id)).scalar_one()
    ignored = _partial_fields(conn, previous_id, current_id)
    base = {
        "source": source,
        "scope": scope,
        "snapshot_id": current_id,
        "previous_snapshot_id": previous_id,
        "date": date,
    }
    rows: list[dict] = []
    for record_id in sorted(after.keys() - before.keys()):
        rows.append({**base, "change": "added", "record_id": record_id, "caption": after[record_id][2], "fields": None})
    for record_id in sorted(before.keys() - after.keys()):
        rows.append(
            {**base, "change": "removed", "record_id": record_id, "caption": before[record_id][2], "fields": None}
        )
    amended = sorted(rid for rid in after.keys() & before.keys() if after[rid][0] != before[rid][0])
    if amended:
        data = _version_data(conn, [before[r][1] for r in amended] + [after[r][1] for r in amended])
        for record_id in amended:
            fields = diff_fields(data[before[record_id][1]], data[after[record_id][1]], ignore=ignored)
            if not fields:
                continue  # differs only in what one of the two snapshots states in part
            rows.append(
                {
                    **base,
                    "change": "amended",
                    "record_id": record_id,
                    "caption": after[record_id][2],
                    "fields": orjson.dumps(fields).decode(),
                }
            )
    for start in range(0, len(rows), 5000):
        conn.execute(sa.insert(t.changes), rows[start : start + 5000])
    return Counter(row["change"] for row in rows)


def _version_data(conn: sa.Connection, version_ids: list[int]) -> dict[int, dict]:
    out: dict[int, dict] = {}
    for start in range(0, len(version_ids), 900):
        chunk = version_ids[start : start + 900]
        for row in conn.execute(
            sa.select(t.record_versions.c.id, t.record_versions.c.data).where(t.record_versions.c.id.in_(chunk))
        ):
            out[row.id] = orjson.loads(row.data)
    return out
