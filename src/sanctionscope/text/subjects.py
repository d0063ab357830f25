"""What a screened text says of a listed subject: its view (who, which lists, in force where) and candidates.

Typed dicts, since they are what `TextReport.to_dict` and the pages hand on as they are.
"""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from sanctionscope.index.entries import Entry
from sanctionscope.match.query import SCHEMA_OF_KIND
from sanctionscope.resolve.subjects import Subject, SubjectBook


class Designation(TypedDict):
    """A subject's earliest listing in force in one jurisdiction."""

    listed_on: str | None
    listed_on_basis: str  # "stated" or "first_seen"
    regime: str | None
    source: str


class SubjectView(TypedDict):
    """A listed subject as a mention names it."""

    id: str
    caption: str
    schema: str
    designations: dict[str, Designation]  # by jurisdiction, in force on the day screened for
    referents: list[str]


class Candidate(SubjectView):
    """A subject a mention may stand for, with its score and whether it is sanctioned (any designation)."""

    score: float
    sanctioned: bool


class SubjectViews:
    """Views of the subjects of a book, as they stood on `as_of` (None: today)."""

    def __init__(self, book: SubjectBook, as_of: date | None = None) -> None:
        self.book = book
        self.as_of = as_of

    def view(self, entry: Entry) -> SubjectView:
        subject = self.book.get(entry.id) or self.book.for_record(entry.referents[0])
        return {
            "id": subject.id if subject else entry.id,
            "caption": entry.caption,
            "schema": SCHEMA_OF_KIND.get(entry.kind, "LegalEntity"),
            "designations": self.designations(subject) if subject else {},
            "referents": entry.referents,
        }

    def designations(self, subject: Subject) -> dict[str, Designation]:
        """In force per jurisdiction (on `as_of`, else now): the earliest listing of each."""
        day = self.as_of or date.today()
        return {
            jurisdiction: {
                "listed_on": d.listed_on,
                "listed_on_basis": d.listed_on_basis,
                "regime": d.regime,
                "source": d.source,
            }
            for jurisdiction, d in sorted(subject.by_jurisdiction(day).items())
        }

    def candidate(self, entry: Entry, score: float) -> Candidate:
        view = self.view(entry)
        return {**view, "score": round(score, 4), "sanctioned": bool(view["designations"])}


def subject_of(candidate: Candidate) -> SubjectView:
    """The candidate's subject, without what it scored."""
    return {"id": candidate["id"], "caption": candidate["caption"], "schema": candidate["schema"],
            "designations": candidate["designations"], "referents": candidate["referents"]}  # fmt: skip
