"""API keys: created once (the key is shown then and never again), stored as a hash, scoped, revocable."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sanctionscope.store import schema as t

#: what a key may do: read (search, entities, subjects), screen (match, text), admin (update, proposals, decisions)
SCOPES = ("read", "screen", "admin")
KEY_PREFIX = "ss_"


class KeyError_(ValueError):
    """A key that cannot be created or revoked; the message says why."""


@dataclass(frozen=True)
class ApiKey:
    name: str
    scopes: frozenset[str]


def hash_key(key: str) -> str:
    """Keys are 256 random bits, so one round of SHA-256 is enough to keep them unusable if the database leaks."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scopes(text: str) -> list[str]:
    scopes = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not scopes:
        raise KeyError_(f"scopes must be some of {', '.join(SCOPES)} (got {text!r})")
    return sorted(set(scopes), key=SCOPES.index)


def create_key(engine: sa.Engine, name: str, scopes: list[str]) -> str:
    """A new key for `name`; returns the key itself, which is not stored."""
    if not name.strip():
        raise KeyError_("a key needs a name")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if conn.execute(sa.select(t.api_keys.c.id).where(t.api_keys.c.name == name)).first():
            raise KeyError_(f"a key named {name!r} exists (revoke it first)")
        conn.execute(
            t.api_keys.insert(),
            {"name": name, "key_hash": hash_key(key), "scopes": ",".join(scopes), "created_at": datetime.now(UTC)},
        )
    return key


def revoke_key(engine: sa.Engine, name: str) -> None:
    with engine.begin() as conn:
        done = conn.execute(
            t.api_keys.update()
            .where(t.api_keys.c.name == name, t.api_keys.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        if not done.rowcount:
            raise KeyError_(f"no active key named {name!r}")


def list_keys(engine: sa.Engine) -> list[dict[str, Any]]:
    k = t.api_keys
    with engine.connect() as conn:
        rows = conn.execute(sa.select(k.c.name, k.c.scopes, k.c.created_at, k.c.revoked_at).order_by(k.c.name)).all()
    return [
        {
            "name": r.name,
            "scopes": r.scopes.split(","),
            "created_at": r.created_at.isoformat(),
            "revoked_at": r.revoked_at.isoformat() if r.revoked_at else None,
        }
        for r in rows
    ]


def find_key(engine: sa.Engine, key: str) -> ApiKey | None:
    """The active key with this value, or None."""
    k = t.api_keys
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(k.c.name, k.c.scopes).where(k.c.key_hash == hash_key(key), k.c.revoked_at.is_(None))
        ).first()
    return ApiKey(row.name, frozenset(row.scopes.split(","))) if row else None
