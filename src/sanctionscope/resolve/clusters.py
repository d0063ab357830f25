"""Grouping records into subjects: union-find over links, with guards against over-merging.

Two groups are never joined when that would put two entries of one list that were on it at the
same time into one subject (a list does not name a person twice; it may number them anew, as
Canada did between 2020 and 2025), when their birth dates conflict, or when an analyst
said that records of the two are different people. An analyst's "same", one designation in
two feeds and a cross-reference override the first two guards, never an analyst's "different".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sanctionscope.model import FuzzyDate
from sanctionscope.resolve.evidence import EVIDENCE_ORDER, Link, birth_dates_conflict, listing_scope

#: evidence that two records are one entry, which the guards do not second-guess
FORCING_EVIDENCE = ("decision", "same_designation", "cross_reference")


#: when a record was on its list: the first and the last snapshot that had it
Span = tuple[date, date]
ALWAYS: Span = (date.min, date.max)


@dataclass
class Group:
    members: list[str]
    scopes: dict[str, list[Span]]  # per list: when each member of it was on it
    birth_dates: list[FuzzyDate]
    evidence: dict[str, str] = field(default_factory=dict)  # member -> how it joined


def listed_together(a: dict[str, list[Span]], b: dict[str, list[Span]]) -> bool:
    """Whether some list had a member of each group on it at the same time."""
    return any(
        first <= other_last and other_first <= last
        for scope in a.keys() & b.keys()
        for first, last in a[scope]
        for other_first, other_last in b[scope]
    )


class Clusters:
    def __init__(
        self,
        referents: Iterable[str],
        birth_dates: Mapping[str, list[FuzzyDate]],
        spans: Mapping[str, Span] | None = None,
    ):
        """`spans`: when each record was on its list (unknown: always, so two entries of a list never join)."""
        self.parent: dict[str, str] = {}
        self.groups: dict[str, Group] = {}
        spans = spans or {}
        for ref in referents:
            self.parent[ref] = ref
            scopes = {listing_scope(ref): [spans.get(ref, ALWAYS)]}
            self.groups[ref] = Group([ref], scopes, list(birth_dates.get(ref, [])), {ref: "self"})
        self.different: dict[str, set[str]] = {}
        self.refused: list[tuple[Link, str]] = []

    def find(self, ref: str) -> str:
        root = ref
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[ref] != root:  # path compression
            self.parent[ref], ref = root, self.parent[ref]
        return root

    def forbid(self, left: str, right: str) -> None:
        """An analyst's "different": the groups of these two records are never joined."""
        self.different.setdefault(left, set()).add(right)
        self.different.setdefault(right, set()).add(left)

    def _forbidden(self, a: Group, b: Group) -> bool:
        b_members = set(b.members)
        return any(not self.different.get(m, set()).isdisjoint(b_members) for m in a.members if m in self.different)

    def why_not(self, a: Group, b: Group, forced: bool) -> str | None:
        """Why two groups cannot be joined, or None."""
        if self._forbidden(a, b):
            return "an analyst decided they are different"
        if forced:
            return None
        if listed_together(a.scopes, b.scopes):
            return "both are entries of one list"
        if birth_dates_conflict(a.birth_dates, b.birth_dates):
            return "birth dates conflict"
        return None

    def join(self, link: Link) -> bool:
        left, right = self.find(link.left), self.find(link.right)
        if left == right:
            return False
        a, b = self.groups[left], self.groups[right]
        reason = self.why_not(a, b, forced=link.evidence in FORCING_EVIDENCE)
        if reason:
            self.refused.append((link, reason))
            return False
        if len(a.members) < len(b.members):
            left, right, a, b = right, left, b, a
        self.parent[right] = left
        a.members.extend(b.members)
        for scope, spans in b.scopes.items():
            a.scopes.setdefault(scope, []).extend(spans)
        a.birth_dates.extend(b.birth_dates)
        for member, how in b.evidence.items():
            a.evidence[member] = link.evidence if how == "self" else how
        del self.groups[right]
        return True

    def apply(self, links: Iterable[Link]) -> dict[str, int]:
        """Apply links strongest evidence first (then best score); returns the joins per kind of evidence."""
        rank = {kind: i for i, kind in enumerate(EVIDENCE_ORDER)}
        joined: dict[str, int] = {}
        for link in sorted(links, key=lambda k: (rank.get(k.evidence, 99), -k.score, k.left, k.right)):
            if self.join(link):
                joined[link.evidence] = joined.get(link.evidence, 0) + 1
        return joined

    def result(self) -> list[Group]:
        return [self.groups[root] for root in sorted(self.groups)]
