"""Subjects: the records of all lists that stand for one person or organization, with stable ids."""

from __future__ import annotations

import sqlalchemy as sa

from sanctionscope.store import db
from sanctionscope.store import schema as t


def membership(engine: sa.Engine) -> tuple[dict[str, str], dict[str, str]]:
    """Which subject each record belongs to, and each subject's caption (cheap: two queries)."""
    with engine.connect() as conn:
        subject_of = dict(db.bulk_rows(conn, sa.select(t.subject_members.c.referent, t.subject_members.c.subject_id)))
        captions = dict(db.bulk_rows(conn, sa.select(t.subjects.c.id, t.subjects.c.caption)))
    return subject_of, captions
