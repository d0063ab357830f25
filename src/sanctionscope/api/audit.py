"""The audit trail: every screening request, who made it, against which data, and what it returned."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from sanctionscope.store import schema as t

#: SQLite takes one writer at a time, and its busy handler makes the others sleep in growing steps
#: (up to 100 ms); queueing this process's audit writes here keeps a loaded server's p99 low.
_SQLITE_WRITER = threading.Lock()


def record_screening(
    engine: sa.Engine, *, key_name: str | None, endpoint: str, data_version: str, query: Any, results: Any
) -> None:
    one_writer = _SQLITE_WRITER if engine.dialect.name == "sqlite" else nullcontext()
    with one_writer, engine.begin() as conn:
        conn.execute(
            t.audit_log.insert(),
            {
                "at": datetime.now(UTC),
                "key_name": key_name,
                "endpoint": endpoint,
                "data_version": data_version,
                "query": orjson.dumps(query).decode(),
                "results": orjson.dumps(results).decode(),
            },
        )


def audit_entries(engine: sa.Engine, since: datetime | None = None) -> Iterator[dict[str, Any]]:
    """Audit records in time order (from `since`, inclusive), as JSON-able dicts."""
    a = t.audit_log
    query = sa.select(a).order_by(a.c.at, a.c.id)
    if since is not None:
        query = query.where(a.c.at >= since)
    with engine.connect() as conn:
        for row in conn.execute(query):
            yield {
                "id": row.id,
                "at": row.at.isoformat(),
                "key": row.key_name,
                "endpoint": row.endpoint,
                "data_version": row.data_version,
                "query": orjson.loads(row.query),
                "results": orjson.loads(row.results),
            }
