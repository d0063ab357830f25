"""Finding the links between records: every kind of evidence.

Links from identifiers, cross-references and designations published in several feeds are
set lookups over every record's stored facts: cheap, so they are found again on every resolve.
Name links need a search per record; each record's search results are stored
(`record_links`, `left` the searching record), so that an update searches again only for the
records it changed and for their neighbours, whose results the change may have altered.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

import numpy as np

from sanctionscope.match.engine import Matcher
from sanctionscope.match.query import Query
from sanctionscope.parallel import fork_map
from sanctionscope.resolve.evidence import (
    OTHER_NAME_ALONE,
    PERSON_NAME_WITH_BIRTH_DATE,
    Link,
    birth_dates_agree,
    listing_scope,
    name_link_evidence,
)

#: candidates looked at per record when searching for its namesakes on other lists
NAME_CANDIDATES = 15
#: a list holding more than this share of all entries, and at least `DOMINANT_LEAST` of them (a million
#: FtM persons beside the official lists), is dominant: its records search for namesakes only when
#: another list's search found them (see `searched_when_found`)
DOMINANT_SHARE = 0.5
DOMINANT_LEAST = 50_000
#: the evidence stored for a search result that is not enough to join: a neighbour, searched again
#: when the other record changes
NEIGHBOUR = "neighbour"


def same_designation_links(referents: Sequence[Sequence[str]]) -> list[Link]:
    """Records the index holds as one entry (per entry, its records): one designation in several feeds."""
    return [Link(refs[0], other, "same_designation") for refs in referents for other in refs[1:]]


def cross_reference_links(cross_refs: Mapping[str, Sequence[str]], known: set[str]) -> list[Link]:
    """`cross_refs`: per record, the records it quotes."""
    return [
        Link(referent, ref, "cross_reference")
        for referent, refs in cross_refs.items()
        for ref in refs
        if ref in known and ref != referent
    ]


def identifier_links(identifier_keys: Mapping[str, Iterable[str]]) -> list[Link]:
    """Records of different lists sharing a strong identifier (each pair once, via the first holder)."""
    holders: dict[str, list[str]] = defaultdict(list)
    for referent in sorted(identifier_keys):
        for key in identifier_keys[referent]:
            holders[key].append(referent)
    links: list[Link] = []
    for refs in holders.values():
        if 1 < len(refs) <= 10:  # a number shared by dozens of records is not an identity (a company's register)
            links.extend(Link(refs[0], other, "identifier") for other in refs[1:])
    return links


class ScopeMasks:
    """Per listing scope, which entries of a matcher belong to it (a search never proposes its own list)."""

    def __init__(self, referents: Sequence[Sequence[str]]):
        """`referents`: per entry, its records."""
        self.scopes_of: list[set[str]] = [{listing_scope(ref) for ref in refs} for refs in referents]
        positions: dict[str, list[int]] = defaultdict(list)
        for position, scopes in enumerate(self.scopes_of):
            for scope in scopes:
                positions[scope].append(position)
        self.positions: dict[str, list[int]] = dict(positions)
        self._size = len(referents)
        self._masks: dict[frozenset[str], np.ndarray] = {}

    def excluding(self, scopes: set[str]) -> np.ndarray:
        key = frozenset(scopes)
        mask = self._masks.get(key)
        if mask is None:
            mask = np.zeros(self._size, dtype=bool)
            for scope in scopes:
                mask[self.positions.get(scope, [])] = True
            if len(self._masks) < 64:
                self._masks[key] = mask
        return mask


def dominant_scopes(masks: ScopeMasks) -> set[str]:
    """The listing scopes holding more than `DOMINANT_SHARE` of all entries and at least `DOMINANT_LEAST`."""
    size = len(masks.scopes_of)
    return {scope for scope, positions in masks.positions.items()
            if len(positions) >= DOMINANT_LEAST and len(positions) > DOMINANT_SHARE * size}  # fmt: skip


def searched_when_found(searches: Sequence[Link], dominant: set[str]) -> list[Link]:
    """The searches that count: every search of a record outside the `dominant` lists; a dominant
    list's record's only if another list's search found it.

    A million records of one list cannot each search the others at a search's cost, and need not:
    a record that no other list's record finds among its namesakes has none there either (searches
    are near enough symmetric for that), while one that is found searches too, so that its own view
    (its birth dates, the namesakes it has in the finder's list) judges the link as for anyone else."""
    found = {link.right for link in searches if listing_scope(link.left) not in dominant}
    return [link for link in searches if listing_scope(link.left) not in dominant or link.left in found]


def search_namesakes(matcher: Matcher, masks: ScopeMasks, position: int) -> list[Link]:
    """The entry's namesakes on other lists that the matching engine finds, judged with birth dates:
    links where the evidence is enough, `NEIGHBOUR` rows for the other results."""
    entry = matcher.entries[position]
    if not entry.names:
        return []
    threshold = min(PERSON_NAME_WITH_BIRTH_DATE, OTHER_NAME_ALONE)
    query = Query(names=[name.original for name in entry.names], kind=entry.kind if entry.kind != "unknown" else None)
    scope = masks.scopes_of[position]
    results = matcher.match(query, limit=NAME_CANDIDATES, threshold=threshold, cutoff=threshold,
                            excluded=masks.excluding(scope))  # fmt: skip
    # a name is unambiguous when, in each other list, only one entry carries it this well
    per_scope: dict[str, int] = defaultdict(int)
    for result in results:
        for ref_scope in {listing_scope(ref) for ref in result.entry.referents}:
            per_scope[ref_scope] += 1
    links = []
    for result in results:
        other = result.entry
        if other.id == entry.id or scope & {listing_scope(ref) for ref in other.referents}:
            continue
        unambiguous = all(per_scope[listing_scope(ref)] == 1 for ref in other.referents)
        dates_agree = birth_dates_agree(entry.birth_dates, other.birth_dates)
        evidence = name_link_evidence(entry.kind, result.name.score, dates_agree, unambiguous)
        links.append(Link(entry.referents[0], other.referents[0], evidence or NEIGHBOUR, round(result.name.score, 4)))
    return links


#: searches worth a process pool (below this, starting workers costs more than it saves: forking
#: is cheap, the children share the linker; an update's few thousand searches take seconds)
PARALLEL_FROM = 2_000
#: entries searched per task given to a worker
SEARCH_CHUNK = 1_000


def name_links(
    matcher: Matcher,
    masks: ScopeMasks,
    positions: Sequence[int],
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> list[Link]:
    """Search the namesakes of the entries at `positions`: their links and neighbours, in `positions`
    order. Many searches run on every core (each search is independent of the others)."""
    workers = workers or ((os.cpu_count() or 1) if len(positions) >= PARALLEL_FROM else 1)
    chunks = [positions[i : i + SEARCH_CHUNK] for i in range(0, len(positions), SEARCH_CHUNK)]

    def search_chunk(chunk: Sequence[int]) -> list[Link]:
        return [link for position in chunk for link in search_namesakes(matcher, masks, position)]

    if workers > 1 and not matcher.has_name_table:
        matcher.build_name_table()  # once, before the workers fork, so that they share it
    found: list[Link] = []
    for done, links in enumerate(fork_map(search_chunk, chunks, workers)):
        if progress:
            progress(min((done + 1) * SEARCH_CHUNK, len(positions)), len(positions))
        found.extend(links)
    return found
