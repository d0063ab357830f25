"""A matcher put together from the store: entries from the record versions' stored analyses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sqlalchemy as sa

from sanctionscope.index.candidates import CandidateIndex
from sanctionscope.index.entries import EntryTable, entry_blob, group_into_entries
from sanctionscope.index.mentions import MentionBuilder
from sanctionscope.match.engine import Matcher
from sanctionscope.resolve import membership
from sanctionscope.service.analyses import StoredAnalysis, ensure_analyses, read_analyses, read_text_forms
from sanctionscope.store.queries import VersionRow


def sources_and_datasets(group: Sequence[VersionRow], stored: Sequence[StoredAnalysis]) -> set[str]:
    """What selects an entry in /match's dataset filters: its records' sources, and an FtM record's datasets."""
    return {r.source for r in group} | {d for a in stored for d in a.datasets}


def build_matcher(
    engine: sa.Engine,
    rows: Sequence[VersionRow],
    version: str = "",
    *,
    subjects: bool = True,
    analyses: Mapping[int, StoredAnalysis] | None = None,
) -> Matcher:
    """The matcher over these record versions, from their stored analyses (those not given are read,
    and made now where missing): one entry per subject (`subjects`), else one per designation.

    A matcher of subjects (the one saved and screened texts against) also gets what text
    screening searches for (`Matcher.mentions`), from the stored analyses too.
    """
    given: Mapping[int, StoredAnalysis] = analyses or {}
    missing = [r.version_id for r in rows if r.version_id not in given]
    if missing:  # none given, or given ones that lack some (a resolve's: the newest version of each record)
        ensure_analyses(engine, missing)
        given = {**given, **read_analyses(engine, missing)}
    subject_of, captions = membership(engine) if subjects else ({}, {})
    blobs: list[bytes] = []
    keys: list[list[str]] = []
    text_forms = read_text_forms(engine, [r.version_id for r in rows]) if subjects else {}
    mentions = MentionBuilder() if subjects else None
    for position, (entry_id, is_subject, group) in enumerate(group_into_entries(rows, subject_of)):
        stored = [given[r.version_id] for r in group]
        caption = captions.get(entry_id, group[0].caption) if is_subject else group[0].caption
        blobs.append(entry_blob(entry_id, caption, group[0].kind, [r.id for r in group],
                                [a.data for a in stored], sources_and_datasets(group, stored)))  # fmt: skip
        keys.append([key for a in stored for key in a.keys.split()])
        if mentions is not None:
            forms = [text_forms[r.version_id] for r in group]
            mentions.add(position, group[0].kind, (k for f, _ in forms for k in f), (p for _, ps in forms for p in ps))
    matcher = Matcher(EntryTable(blobs=blobs), CandidateIndex.build(keys), version=version)
    if mentions is not None:
        matcher.mentions = mentions.build(matcher.index.key_ids)
    return matcher
