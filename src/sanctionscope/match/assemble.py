"""A matcher put together from the store: entries from the record versions' stored analyses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from sanctionscope.index.analysis import StoredAnalysis, ensure_analyses, read_analyses
from sanctionscope.index.candidates import CandidateIndex
from sanctionscope.index.entries import EntryTable, entry_blob, group_into_entries
from sanctionscope.match.engine import Matcher
from sanctionscope.resolve import membership
from sanctionscope.store.queries import VersionRow


def build_matcher(
    engine: sa.Engine,
    rows: Sequence[VersionRow],
    version: str = "",
    *,
    subjects: bool = True,
    analyses: Mapping[int, StoredAnalysis] | None = None,
) -> Matcher:
    """The matcher over these record versions, from their stored analyses (made now where missing,
    unless given): one entry per subject (`subjects`), else one per designation."""
    if analyses is None:
        ensure_analyses(engine, [r.version_id for r in rows])
        analyses = read_analyses(engine, [r.version_id for r in rows])
    subject_of, captions = membership(engine) if subjects else ({}, {})
    blobs: list[bytes] = []
    keys: list[list[str]] = []
    for entry_id, is_subject, group in group_into_entries(rows, subject_of):
        stored = [analyses[r.version_id] for r in group]
        caption = captions.get(entry_id, group[0].caption) if is_subject else group[0].caption
        blobs.append(entry_blob(entry_id, caption, group[0].kind, [r.id for r in group],
                                [a.data for a in stored], (r.source for r in group)))  # fmt: skip
        keys.append([key for a in stored for key in a.keys.split()])
    return Matcher(EntryTable(blobs=blobs), CandidateIndex.build(keys), version=version)
