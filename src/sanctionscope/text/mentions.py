"""What screening a text reports: each mention (a person's or organization's name in the text) and the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rapidfuzz.distance import Levenshtein

from sanctionscope.text.gazetteer import MIN_FAMILY_KEY
from sanctionscope.text.subjects import Candidate, SubjectView


@dataclass
class Mention:
    text: str
    start: int
    end: int
    kind: str  # "person" or "organization"
    name: str  # the name as it was looked up (in the nominative)
    score: float = 0.0
    subject: SubjectView | None = None
    sanctioned: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    found_by: list[str] = field(default_factory=list)
    #: the number of the fuller mention this one was resolved to
    refers_to: int | None = None
    #: why the subject was chosen when the name alone did not settle it
    settled_by: str | None = None
    family_keys: frozenset[str] = frozenset()
    full: bool = False  # a given name (or initial) with a family name

    @property
    def ambiguous(self) -> bool:
        return self.subject is None and len(self.candidates) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "name": self.name,
            "subject": self.subject,
            "score": round(self.score, 4),
            "sanctioned": self.sanctioned,
            "ambiguous": self.ambiguous,
            "candidates": self.candidates,
            "found_by": self.found_by,
            "refers_to": self.refers_to,
            "settled_by": self.settled_by,
        }


@dataclass
class TextReport:
    text: str
    mentions: list[Mention]
    as_of: date | None = None

    def subjects(self) -> list[dict[str, Any]]:
        """One entry per distinct listed subject, with the numbers of its mentions."""
        found: dict[str, dict[str, Any]] = {}
        for number, mention in enumerate(self.mentions):
            if mention.subject is None:
                continue
            item = found.setdefault(
                mention.subject["id"], {**mention.subject, "sanctioned": False, "score": 0.0, "mentions": []}
            )
            item["mentions"].append(number)
            item["sanctioned"] = item["sanctioned"] or mention.sanctioned
            item["score"] = max(item["score"], round(mention.score, 4))
        return sorted(found.values(), key=lambda s: (not s["sanctioned"], -s["score"], s["caption"]))

    def unlisted(self) -> list[dict[str, Any]]:
        """Persons mentioned who are on no list: one entry per family name (its spellings joined),
        with every spelling of the full name and the numbers of all mentions."""
        people: dict[frozenset[str] | str, dict[str, Any]] = {}
        for number, mention in enumerate(self.mentions):
            if mention.kind != "person" or mention.subject is not None or mention.candidates:
                continue
            head = self.mentions[mention.refers_to] if mention.refers_to is not None else mention
            group = next((key for key in people if isinstance(key, frozenset) and same_family(key, head.family_keys)),
                         head.family_keys or head.name)  # fmt: skip
            person = people.setdefault(group, {"name": head.name, "names": [], "mentions": []})
            if head.name not in person["names"]:
                person["names"].append(head.name)
            person["mentions"].append(number)
        return list(people.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "mentions": [m.to_dict() for m in self.mentions],
            "subjects": self.subjects(),
            "unlisted": self.unlisted(),
        }


def same_family(left: frozenset[str], right: frozenset[str]) -> bool:
    """Family-name keys that agree, allowing a spelling variant (Kiriyenko / Kirienko)."""
    if left & right:
        return True
    return any(len(a) >= MIN_FAMILY_KEY and Levenshtein.normalized_similarity(a, b) >= 0.85 for a in left for b in right)
