"""A matcher put together from the store: entries from the record versions' stored analyses.

An update changes a few entries of a million. Each entry has a fingerprint of what it is made
from (its id, caption and record versions, and the analysing code); given the matcher it
replaces, an entry whose fingerprint is found there again is taken from it (bytes, keys, text
forms, name parts) and only the others are read from the store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

import numpy as np
import sqlalchemy as sa

from sanctionscope.index import persist
from sanctionscope.index.candidates import CandidateIndex
from sanctionscope.index.entries import EntryTable, entry_blob, group_into_entries
from sanctionscope.index.mentions import MentionBuilder
from sanctionscope.match.engine import Matcher
from sanctionscope.names.text_forms import OrganizationPattern
from sanctionscope.resolve import membership
from sanctionscope.service.analyses import StoredAnalysis, ensure_analyses, read_analyses, read_text_forms
from sanctionscope.store.queries import VersionRow


def sources_and_datasets(group: Sequence[VersionRow], stored: Sequence[StoredAnalysis]) -> set[str]:
    """What selects an entry in /match's dataset filters: its records' sources, and an FtM record's datasets."""
    return {r.source for r in group} | {d for a in stored for d in a.datasets}


def entry_fingerprint(prefix: str, entry_id: str, caption: str, group: Sequence[VersionRow]) -> int:
    """A 64-bit digest of what an entry is made of: `prefix` (the analysing code and index format),
    its id and caption, and its records' versions in order (a version id names its record too)."""
    text = "\x1f".join([prefix, entry_id, caption, *[str(r.version_id) for r in group]])
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little", signed=True)


def found_again(fingerprints: np.ndarray, previous: np.ndarray | None) -> np.ndarray:
    """Per fingerprint, the position of the same one among `previous` (-1: not there)."""
    if previous is None or not len(previous) or not len(fingerprints):
        return np.full(len(fingerprints), -1, dtype=np.int64)
    order = np.argsort(previous, kind="stable")
    ordered = previous[order]
    at = np.minimum(np.searchsorted(ordered, fingerprints), len(order) - 1)
    return np.where(ordered[at] == fingerprints, order[at], -1).astype(np.int64)


def build_matcher(
    engine: sa.Engine,
    rows: Sequence[VersionRow],
    version: str = "",
    *,
    subjects: bool = True,
    analyses: Mapping[int, StoredAnalysis] | None = None,
    previous: Matcher | None = None,
) -> Matcher:
    """The matcher over these record versions, from their stored analyses (those not given are read,
    and made now where missing): one entry per subject (`subjects`), else one per designation.

    A matcher of subjects (the one saved and screened texts against) also gets what text
    screening searches for (`Matcher.mentions`), from the stored analyses too. The entries a
    `previous` matcher (of the same kind) holds unchanged are taken from it, name table included.
    """
    subject_of, captions = membership(engine) if subjects else ({}, {})
    groups = group_into_entries(rows, subject_of)
    entry_captions = [captions.get(entry_id, group[0].caption) if is_subject else group[0].caption
                      for entry_id, is_subject, group in groups]  # fmt: skip
    prefix = persist.format_version()
    fingerprints = np.fromiter(
        (entry_fingerprint(prefix, entry_id, caption, group)
         for (entry_id, _s, group), caption in zip(groups, entry_captions, strict=True)),
        dtype=np.int64, count=len(groups),
    )  # fmt: skip
    mentions = MentionBuilder() if subjects else None
    reused = found_again(fingerprints, previous.fingerprints if previous is not None else None)
    if previous is None or (mentions is not None and previous.mentions is None):
        reused[:] = -1  # nothing to take, or not all of what an entry needs
    taken = previous is not None and bool((reused >= 0).any())
    old_keys = previous.index.entry_keys() if taken and previous is not None else []
    old_forms = (
        previous.mentions.forms_of_entries(len(previous.entries), previous.index.vocabulary_array)
        if taken and previous is not None and previous.mentions is not None and mentions is not None
        else []
    )

    wanted = [r.version_id for (_e, _s, group), old in zip(groups, reused.tolist(), strict=True) if old < 0 for r in group]
    given: Mapping[int, StoredAnalysis] = analyses or {}
    missing = [vid for vid in wanted if vid not in given]
    if missing:
        ensure_analyses(engine, missing)
        given = {**given, **read_analyses(engine, missing)}
    text_forms = read_text_forms(engine, wanted) if subjects else {}

    blobs: list[bytes] = []
    keys: list[list[str]] = []
    for position, ((entry_id, _is_subject, group), caption, old) in enumerate(
        zip(groups, entry_captions, reused.tolist(), strict=True)
    ):
        if old >= 0 and previous is not None:
            blobs.append(previous.entries.blob(old))
            keys.append(old_keys[old])
            if mentions is not None:
                families, patterns = old_forms[old]
                mentions.add(position, group[0].kind, families, patterns)
            continue
        stored = [given[r.version_id] for r in group]
        blobs.append(entry_blob(entry_id, caption, group[0].kind, [r.id for r in group],
                                [a.data for a in stored], sources_and_datasets(group, stored)))  # fmt: skip
        keys.append([key for a in stored for key in a.keys.split()])
        if mentions is not None:
            forms = [text_forms[r.version_id] for r in group]
            families = [k for f, _ in forms for k in f]
            found: list[OrganizationPattern] = [p for _, ps in forms for p in ps]
            mentions.add(position, group[0].kind, families, found)
    matcher = Matcher(EntryTable(blobs=blobs), CandidateIndex.build(keys), version=version)
    matcher.fingerprints = fingerprints
    if mentions is not None:
        matcher.mentions = mentions.build(matcher.index.key_ids)
    if previous is not None:
        matcher.build_name_table(previous, reused)
    return matcher
