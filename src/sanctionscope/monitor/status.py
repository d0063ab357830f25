"""How the last update went: kept in the store so that `/readyz` and the alert feed can say that a failed
download left the last good data in service (and since when that data is)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from sanctionscope.store import schema as t

LAST_UPDATE_KEY = "last_update"


def save_update_status(engine: sa.Engine, failures: list[str], loaded: int) -> None:
    """Remember the outcome of an update; a successful one keeps when the last failure was."""
    previous = update_status(engine) or {}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    status = {"at": now, "ok": not failures, "failures": failures, "loaded": loaded,
              "last_success": now if not failures else previous.get("last_success")}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(t.state.delete().where(t.state.c.key == LAST_UPDATE_KEY))
        conn.execute(t.state.insert(), {"key": LAST_UPDATE_KEY, "value": orjson.dumps(status).decode()})


def update_status(engine: sa.Engine) -> dict[str, Any] | None:
    """The last update's outcome: {at, ok, failures, loaded, last_success}; None before any update."""
    with engine.connect() as conn:
        value = conn.execute(sa.select(t.state.c.value).where(t.state.c.key == LAST_UPDATE_KEY)).scalar()
    return orjson.loads(value) if value else None
