"""Evidence that two records stand for the same person or organization, as small pure functions.

Kinds of evidence, strongest first: an analyst's decision; the same designation published in
several feeds (an OFAC entry number in the SDN list and in trade.gov's list); a cross-reference
(a list quoting another's number); an equal strong identifier (passport, tax or registration
number, IMO number); the matching engine's name agreement together with agreeing birth dates;
name agreement alone where birth dates are unknown and the name is unambiguous.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sanctionscope.match.features import compare_birth_dates
from sanctionscope.model import FuzzyDate
from sanctionscope.sources.registry import numbering_of

#: evidence kinds in the order they are applied (earlier ones win ties)
EVIDENCE_ORDER = ("decision", "same_designation", "cross_reference", "identifier", "name_birth_date", "name")

#: a person's names must agree this well, with birth dates agreeing at least on the year
PERSON_NAME_WITH_BIRTH_DATE = 0.9
#: ... or this well when one side states no birth date (and the name is unambiguous)
PERSON_NAME_ALONE = 0.97
#: organizations, vessels and others have no birth date
OTHER_NAME_ALONE = 0.95
#: birth dates agree when the matching engine's birth-date feature is at least this (same year)
BIRTH_DATES_AGREE = 0.4


@dataclass(frozen=True, slots=True)
class Link:
    left: str
    right: str
    evidence: str
    score: float = 1.0


def listing_scope(referent: str) -> str:
    """The list a record sits in: two entries of one list are two people (the registry's numbering)."""
    return numbering_of(referent)


def most_precise(dates: Iterable[FuzzyDate]) -> list[FuzzyDate]:
    """The exact days among `dates` if there are any (not circa), else all of them: a group that knows
    the day (03-03-1966) is not made compatible with another day by a member that knows only the year."""
    dates = list(dates)
    days = [d for d in dates if d.precision == "day" and not d.circa]
    return days or dates


def birth_dates_conflict(left: Iterable[FuzzyDate], right: Iterable[FuzzyDate]) -> bool:
    """True when both sides state birth dates and none of their most precise ones can be the same day."""
    feature = compare_birth_dates(most_precise(left), most_precise(right))
    return feature is not None and feature.value < 0


def birth_dates_agree(left: Iterable[FuzzyDate], right: Iterable[FuzzyDate]) -> bool | None:
    """True/False when both sides state birth dates; None when either does not."""
    feature = compare_birth_dates(left, right)
    if feature is None:
        return None
    return feature.value >= BIRTH_DATES_AGREE


def name_link_evidence(kind: str, name_score: float, dates_agree: bool | None, unambiguous: bool) -> str | None:
    """Which evidence a name agreement amounts to, or None if it is not enough to join two records."""
    if kind == "person":
        if dates_agree is True and name_score >= PERSON_NAME_WITH_BIRTH_DATE:
            return "name_birth_date"
        if dates_agree is None and name_score >= PERSON_NAME_ALONE and unambiguous:
            return "name"
        return None
    if name_score >= OTHER_NAME_ALONE and unambiguous and dates_agree is not False:
        return "name"
    return None
