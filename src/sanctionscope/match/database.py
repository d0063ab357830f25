"""The matcher of a database: subjects resolved, entries built, the index saved next to the database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from sanctionscope.index import persist
from sanctionscope.index.entries import entries_from_records
from sanctionscope.match.assemble import build_matcher
from sanctionscope.match.engine import Matcher
from sanctionscope.resolve import membership
from sanctionscope.resolve.build import ensure_resolved, resolved_version
from sanctionscope.store import queries


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
    path = persist.index_path(engine)
    if as_of is None and not rebuild:
        saved = Matcher.load_saved(path)
        if saved is not None and saved.version == version:
            saved.path = path
            return saved
    if progress:
        progress("indexing names")
    if as_of is not None:
        subject_of, captions = membership(engine)
        return Matcher(entries_from_records(queries.records_as_of(engine, as_of), subject_of, captions), version=version)
    analyses = resolved.analyses if resolved else None  # read already: every record's, current ones among them
    matcher = build_matcher(engine, queries.current_version_rows(engine), version, analyses=analyses)
    matcher.save(path)
    return matcher


def current_version(engine: sa.Engine, as_of: date | None = None) -> str:
    """The version an index of this database (as of a day) must have to be current."""
    return persist.data_version(engine, as_of, resolved_version(engine) or "")
