"""Coverage: which governments designated the targets of a proposal list, since when, and who is missing.

Each target is resolved to a subject with the matching engine (name, and birth date when the
list gives one); a doubtful resolution is flagged for review rather than silently taken. The
designations come from the subject's records on every list, as of a day if asked.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher
from sanctionscope.match.query import QueryError, build_query
from sanctionscope.resolve.subjects import Designation, Subject, SubjectBook
from sanctionscope.sources.registry import jurisdiction_of, ordered_jurisdictions
from sanctionscope.track.proposals import Target

#: a resolution scoring less than this above the threshold is flagged as weak
WEAK_MARGIN = 0.08
#: a second subject scoring within this of the first makes the resolution ambiguous
AMBIGUITY_MARGIN = 0.05


@dataclass
class TargetCoverage:
    target: Target
    subject: Subject | None
    score: float | None
    review: str | None
    candidates: list[dict[str, Any]]
    designations: dict[str, Designation | None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.target.name,
            "birth_date": self.target.birth_date,
            "role": self.target.role,
            "subject_id": self.subject.id if self.subject else None,
            "caption": self.subject.caption if self.subject else None,
            "score": round(self.score, 4) if self.score is not None else None,
            "review": self.review,
            "candidates": self.candidates,
            "designations": {
                jurisdiction: None
                if d is None
                else {
                    "listed_on": d.listed_on,
                    "listed_on_basis": d.listed_on_basis,
                    "absent_before": d.absent_before,
                    "delisted_on": d.delisted_on,
                    "regime": d.regime,
                    "source": d.source,
                    "record": d.record,
                }
                for jurisdiction, d in self.designations.items()
            },
        }


@dataclass
class CoverageReport:
    proposal: str
    as_of: date | None
    jurisdictions: list[str]
    targets: list[TargetCoverage] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        return {j: sum(1 for t in self.targets if t.designations.get(j)) for j in self.jurisdictions}

    def to_dict(self) -> dict[str, Any]:
        return {
            "proposal": self.proposal,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "jurisdictions": self.jurisdictions,
            "targets": [t.to_dict() for t in self.targets],
            "totals": self.totals,
        }

    def timeline(self) -> dict[str, list[tuple[str, int]]]:
        """Per jurisdiction, (date, targets designated by then) at each date the count grew."""
        series: dict[str, list[tuple[str, int]]] = {}
        for jurisdiction in self.jurisdictions:
            days = sorted(d.listed_on for t in self.targets if (d := t.designations.get(jurisdiction)) and d.listed_on)
            series[jurisdiction] = [(day, count) for count, day in enumerate(days, start=1)]
        return series


def resolve_target(target: Target, matcher: Matcher, book: SubjectBook, threshold: float) -> tuple:
    """The subject a target stands for (or None), its score, why a human should look, and the candidates."""
    try:
        query = build_query(
            [target.name], schema="Person", birth_dates=[target.birth_date] if target.birth_date else ()
        )
    except QueryError as error:  # stored before targets were checked: say so rather than fail the report
        return None, None, f"cannot resolve: {error}", []
    results = matcher.match(query, limit=3, threshold=threshold)
    candidates = [{"subject_id": r.entry.id, "caption": r.entry.caption, "score": round(r.score, 4)} for r in results]
    if not results or not results[0].match:
        near = results[0].score if results else None
        review = f"no match; closest {results[0].entry.caption} ({near:.2f})" if results else None
        return None, near, review, candidates
    best = results[0]
    review = None
    if len(results) > 1 and results[1].match and best.score - results[1].score < AMBIGUITY_MARGIN:
        review = f"ambiguous: also {results[1].entry.caption} ({results[1].score:.2f})"
    elif best.score < threshold + WEAK_MARGIN:
        review = f"weak match ({best.score:.2f})"
    return book.get(best.entry.id), best.score, review, candidates


def coverage(
    name: str,
    targets: list[Target],
    matcher: Matcher,
    book: SubjectBook,
    *,
    as_of: date | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> CoverageReport:
    rows = []
    present: set[str] = set()
    for target in targets:
        subject, score, review, candidates = resolve_target(target, matcher, book, threshold)
        designations = subject.by_jurisdiction(as_of) if subject else {}
        present.update(designations)
        rows.append(TargetCoverage(target, subject, score, review, candidates, dict(designations)))
    jurisdictions = ordered_jurisdictions(present | loaded_jurisdictions(book))
    for row in rows:
        row.designations = {j: row.designations.get(j) for j in jurisdictions}
    return CoverageReport(name, as_of, jurisdictions, rows)


def loaded_jurisdictions(book: SubjectBook) -> set[str]:
    """Every jurisdiction with a list in the database: a gap in one of them is a real gap."""
    return {jurisdiction_of(source) for source in book.sources()}


def to_csv(report: CoverageReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "subject_id", "score", "review", *report.jurisdictions])
    for t in report.targets:
        cells = [(d.listed_on or "listed") if (d := t.designations.get(j)) else "" for j in report.jurisdictions]
        writer.writerow([t.target.name, t.subject.id if t.subject else "", f"{t.score:.3f}" if t.score else "",
                         t.review or "", *cells])  # fmt: skip
    writer.writerow(["total", "", "", "", *(report.totals[j] for j in report.jurisdictions)])
    return out.getvalue()


def to_markdown(report: CoverageReport) -> str:
    header = ["target", *report.jurisdictions]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for t in report.targets:
        cells = [marked_date(d) if (d := t.designations.get(j)) else "—" for j in report.jurisdictions]
        label = t.target.name + (f" ({t.subject.caption})" if t.subject else " (no subject)")
        lines.append("| " + " | ".join([label, *cells]) + " |")
    lines.append("| **total** | " + " | ".join(str(report.totals[j]) for j in report.jurisdictions) + " |")
    return "\n".join(lines) + "\n"


def marked_date(designation: Designation) -> str:
    """A listing date for people: "≤ date" when only a snapshot bounds it."""
    day = designation.listed_on or "listed"
    return f"≤ {day}" if designation.listed_on_basis == "first_seen" else day
