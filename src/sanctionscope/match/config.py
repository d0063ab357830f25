"""The matcher's scoring knobs besides the name alignment's own (`match.names`), named in one place.

As nomenklatura's feature and config tables: each knob is what one piece of evidence scores or
how far it moves the score, with why. `features` and `engine` score with them, `/algorithms`
reports them (`api.algorithms`). A change of any value changes scores: bump `SCORING_VERSION`.

| knob                          | value | what it is                                                        |
|-------------------------------|-------|-------------------------------------------------------------------|
| NAME_WEIGHT                   | 1.0   | the name score's coefficient                                       |
| IDENTIFIER_SCORE              | 1.0   | the score an equal identifier gives (decisive)                    |
| FEATURE_WEIGHTS               |       | how far each feature's value in [-1, 1] moves the name score      |
| BIRTH_DATE                    |       | what each birth-date agreement scores, from same day to conflict  |
| COUNTRY_SHARED / _DISJOINT    | ±0.3  | a shared nationality or country; none in common                   |
| GENDER_CONFLICT               | -1.0  | two different stated genders                                      |
| QUERY_IDENTIFIER_MIN_LENGTH   | 5     | a query's identifier shorter than this is not compared            |
| MIN_IDENTIFIER_LENGTH         | 6     | a record's identifier shorter than this joins no records          |
| TAG_WEIGHTS / UNTAGGED_WEIGHT |       | how much each kind of name part counts in the alignment           |
"""

from __future__ import annotations

from dataclasses import dataclass

from sanctionscope.names import FAMILY, GIVEN, INITIAL, LEGAL_FORM, OTHER, PARTICLE, PATRONYMIC

#: the name score's coefficient: the name is the match, the other evidence moves it
NAME_WEIGHT = 1.0
#: an equal passport, tax or registration number sets the score to this (unless the rest scores more)
IDENTIFIER_SCORE = 1.0
#: how far each kind of evidence (a value in [-1, 1]) moves the name score
FEATURE_WEIGHTS: dict[str, float] = {"birth_date": 0.15, "country": 0.05, "gender": 0.1, "name_frequency": 0.2}


@dataclass(frozen=True, slots=True)
class BirthDateLevels:
    """What a pair of birth dates scores (the `birth_date` feature's value), from agreement to conflict."""

    same_day: float = 1.0
    same_month: float = 0.6  # a month-year date that agrees
    same_year: float = 0.4  # a year-only date that agrees
    within: float = 0.2  # one inside the other's range or circa (±1 year)
    #: the same year, another month or day: a typo is possible, a different person more likely
    same_year_other_day: float = -0.5
    conflict: float = -1.0  # dates that cannot be the same day


BIRTH_DATE = BirthDateLevels()

#: a shared nationality or country is mild support; only disjoint sets are mild evidence against
COUNTRY_SHARED = 0.3
COUNTRY_DISJOINT = -0.3
#: different stated genders are evidence against; equal ones add nothing (most names imply it)
GENDER_CONFLICT = -1.0

#: a query's identifier shorter than this (normalized) is not compared: too easily equal by chance
QUERY_IDENTIFIER_MIN_LENGTH = 5
#: a record's identifier shorter than this joins no records (house numbers, short codes); stricter than a
#: query's, since joining needs no analyst to read it back
MIN_IDENTIFIER_LENGTH = 6

#: how much each kind of part counts; a family name carries identity, a patronymic little
TAG_WEIGHTS: dict[str, float] = {
    FAMILY: 1.0,
    GIVEN: 0.7,
    OTHER: 0.8,
    PATRONYMIC: 0.35,
    INITIAL: 0.25,
    PARTICLE: 0.2,
    LEGAL_FORM: 0.0,
}
#: a part without a tag counts as one of unknown kind
UNTAGGED_WEIGHT = TAG_WEIGHTS[OTHER]
