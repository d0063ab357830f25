"""Finding the links between records: every kind of evidence, from all records ever loaded."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from sanctionscope.index.entries import Entry
from sanctionscope.match.engine import Matcher
from sanctionscope.match.query import Query
from sanctionscope.model import Record
from sanctionscope.resolve.evidence import (
    OTHER_NAME_ALONE,
    PERSON_NAME_WITH_BIRTH_DATE,
    Link,
    birth_dates_agree,
    identifier_keys,
    listing_scope,
    name_link_evidence,
)

#: candidates looked at per record when searching for its namesakes on other lists
NAME_CANDIDATES = 15


def same_designation_links(entries: Sequence[Entry]) -> list[Link]:
    """Records the index already holds as one entry: one designation published in several feeds."""
    return [Link(e.referents[0], other, "same_designation") for e in entries for other in e.referents[1:]]


def cross_reference_links(records: Sequence[Record], known: set[str]) -> list[Link]:
    return [
        Link(record.id, ref, "cross_reference")
        for record in records
        for ref in record.cross_refs
        if ref in known and ref != record.id
    ]


def identifier_links(records: Sequence[Record]) -> list[Link]:
    """Records of different lists sharing a strong identifier (each pair once, via the first holder)."""
    holders: dict[str, list[str]] = defaultdict(list)
    for record in records:
        for key in identifier_keys(record):
            holders[key].append(record.id)
    links = []
    for refs in holders.values():
        if 1 < len(refs) <= 10:  # a number shared by dozens of records is not an identity (a company's register)
            links.extend(Link(refs[0], other, "identifier") for other in refs[1:])
    return links


def name_links(matcher: Matcher, progress: Callable[[int], None] | None = None) -> list[Link]:
    """For each entry, its namesakes on other lists that the matching engine finds, judged with birth dates."""
    links: list[Link] = []
    threshold = min(PERSON_NAME_WITH_BIRTH_DATE, OTHER_NAME_ALONE)
    for position, entry in enumerate(matcher.entries):
        if progress and position % 500 == 0:
            progress(position)
        if not entry.names:
            continue
        query = Query(
            names=[name.original for name in entry.names],
            kind=entry.kind if entry.kind != "unknown" else None,
        )
        scope = {listing_scope(ref) for ref in entry.referents}
        results = matcher.match(query, limit=NAME_CANDIDATES, threshold=threshold, cutoff=threshold)
        # a name is unambiguous when, in each other list, only one entry carries it this well
        per_scope: dict[str, int] = defaultdict(int)
        for result in results:
            for ref_scope in {listing_scope(ref) for ref in result.entry.referents}:
                per_scope[ref_scope] += 1
        for result in results:
            other = result.entry
            if other.id <= entry.id or scope & {listing_scope(ref) for ref in other.referents}:
                continue  # each pair once; never within one list
            unambiguous = all(per_scope[listing_scope(ref)] == 1 for ref in other.referents)
            dates_agree = birth_dates_agree(entry.birth_dates, other.birth_dates)
            evidence = name_link_evidence(entry.kind, result.name.score, dates_agree, unambiguous)
            if evidence:
                links.append(Link(entry.referents[0], other.referents[0], evidence, round(result.name.score, 4)))
    return links
