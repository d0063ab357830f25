"""The matcher of a database: subjects resolved, entries built, the index saved next to the database."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from sanctionscope.index import persist
from sanctionscope.index.entries import entries_from_records
from sanctionscope.match.engine import Matcher
from sanctionscope.resolve import membership
from sanctionscope.resolve.build import ensure_resolved, resolved_version
from sanctionscope.service.assemble import build_matcher
from sanctionscope.store import db, queries


def open_matcher(
    engine: sa.Engine,
    *,
    as_of: date | None = None,
    rebuild: bool = False,
    progress: Callable[[str], None] | None = None,
) -> Matcher:
    """The matcher of the lists in the database (as they stood on `as_of`): one entry per subject.

    Subjects are resolved first if the data changed. The index of today's lists is saved next to
    the database and reused while current; one for a past day is built in memory.
    """
    resolved = ensure_resolved(engine, progress=progress)
    version = current_version(engine, as_of)
    path = index_path(engine)
    saved = Matcher.load_saved(path) if as_of is None else None
    if saved is not None and saved.version == version and not rebuild:
        saved.path = path
        return saved
    if progress:
        progress("indexing names")
    if as_of is not None:
        subject_of, captions = membership(engine)
        return Matcher(entries_from_records(queries.records_as_of(engine, as_of), subject_of, captions), version=version)
    analyses = resolved.analyses if resolved else None  # read already (all of them in a full resolve)
    # an earlier index lends the entries that did not change (bytes, keys, name parts, text forms)
    matcher = build_matcher(engine, queries.current_version_rows(engine), version, analyses=analyses, previous=saved)
    matcher.save(path)
    return matcher


def current_version(engine: sa.Engine, as_of: date | None = None) -> str:
    """The version an index of this database (as of a day) must have to be current."""
    return data_version(engine, as_of, resolved_version(engine) or "")


def data_version(engine: sa.Engine, as_of: date | None = None, subjects: str = "") -> str:
    """Names the data an index was built from: the current snapshots (as of a day), the subjects'
    version, and the index format and analyses (`persist.format_version`)."""
    ids = sorted(s.id for s in queries.current_snapshots(engine, as_of=as_of))
    digest = hashlib.sha1(f"{persist.format_version()}:{as_of}:{ids}:{subjects}".encode()).hexdigest()
    return digest[:16]


def index_path(engine: sa.Engine) -> Path:
    """Where the index of today's subjects is saved: `<database file>.index` for SQLite."""
    return db.sidecar_path(engine, ".index")
