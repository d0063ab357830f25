"""Non-name evidence for a match: birth dates, countries, identifiers, kinds (small pure functions).

Each function compares what the query says with what a record says and returns a
`Feature`: a name, a value in [-1, 1] (negative: evidence against) and a short
human reason an analyst can read back.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rigour.ids import IdentifierFormat, get_identifier_format
from rigour.territories import territories_intersect

from sanctionscope.match.config import (
    BIRTH_DATE,
    COUNTRY_DISJOINT,
    COUNTRY_SHARED,
    GENDER_CONFLICT,
    IDENTIFIER_SCORE,
    MIN_IDENTIFIER_LENGTH,
    QUERY_IDENTIFIER_MIN_LENGTH,
)
from sanctionscope.model import FuzzyDate, Kind, Record


@dataclass(frozen=True, slots=True)
class Feature:
    name: str
    value: float
    detail: str


def compare_birth_dates(query: Iterable[FuzzyDate], record: Iterable[FuzzyDate]) -> Feature | None:
    """Equal day, same month or year, or a conflict. None when either side states no date.

    A year-only or circa date agrees with any day in that year (circa: ±1 year); only dates
    that cannot be the same day conflict.
    """
    query, record = list(query), list(record)
    if not query or not record:
        return None
    best: Feature | None = None
    for q in query:
        for r in record:
            feature = _compare_date_pair(q, r)
            if best is None or feature.value > best.value:
                best = feature
    return best


def _compare_date_pair(q: FuzzyDate, r: FuzzyDate) -> Feature:
    if q.value is None or r.value is None:
        return Feature("birth_date", 0.0, "unknown")
    shared = min(len(q.value), len(r.value))
    if q.until is None and r.until is None and q.value[:shared] == r.value[:shared]:
        if shared == 10:
            return Feature("birth_date", BIRTH_DATE.same_day, f"same day {r.value}")
        if shared == 7:
            return Feature("birth_date", BIRTH_DATE.same_month, f"same month {r.value[:7]}")
        return Feature("birth_date", BIRTH_DATE.same_year, f"same year {r.value[:4]}")
    slack = 1 if (q.circa or r.circa) else 0
    q_years, r_years = q.years, r.years
    if q_years.start - slack <= r_years.stop - 1 and r_years.start - slack <= q_years.stop - 1:
        if q.until or r.until or slack:
            return Feature("birth_date", BIRTH_DATE.within, f"{q.raw or q.value} within {r.raw or r.value}")
        return Feature("birth_date", BIRTH_DATE.same_year_other_day, f"{q.value} differs from {r.value} in the same year")
    return Feature("birth_date", BIRTH_DATE.conflict, f"{q.value} vs {r.raw or r.value}")


def compare_countries(query: Iterable[str], record: Iterable[str]) -> Feature | None:
    """Shared nationality/country: mild support; only disjoint sets are mild evidence against.

    Shared as `rigour.territories` knows territories: a part and its whole (Crimea and Ukraine,
    Scotland and the United Kingdom) and a territory and a state that claims it are shared.
    """
    query_set, record_set = set(query), set(record)
    if not query_set or not record_set:
        return None
    shared = (query_set & record_set) | territories_intersect(query_set, record_set)
    if shared:
        return Feature("country", COUNTRY_SHARED, f"shared {', '.join(sorted(shared))}")
    return Feature("country", COUNTRY_DISJOINT, f"{', '.join(sorted(query_set))} vs {', '.join(sorted(record_set))}")


_ID_CLEAN_RE = re.compile(r"[^0-9A-Z]")


def _format(name: str) -> type[IdentifierFormat]:
    found = get_identifier_format(name)
    if found is None:
        raise LookupError(f"rigour.ids has no identifier format {name!r}")
    return found


#: identifier types whose format `rigour.ids` knows: checked (checksum, shape) and written canonically
ID_FORMATS: dict[str, type[IdentifierFormat]] = {
    id_type: _format(name)
    for id_type, name in {"imo": "imo", "inn": "inn", "ogrn": "ogrn", "swift": "bic", "bic": "bic", "isin": "isin",
                          "lei": "lei", "iban": "iban"}.items()
}
#: formats whose canonical form is compared too: an IMO number is written with and without "IMO". (A
#: BIC's canonical form drops the branch code, which names another office: it is only validated.)
_COMPARED_FORMATS = {"imo": ID_FORMATS["imo"]}


def normalize_identifier(value: str) -> str:
    """Upper-case letters and digits only: "12 34-567" and "1234567" are the same number."""
    return _ID_CLEAN_RE.sub("", value.upper())


def identifier_keys(value: str, id_type: str | None = None) -> set[str]:
    """The forms an identifier is compared in: its letters and digits, and, if it is a valid IMO number
    (`rigour.ids`), its canonical form: "9187629" typed as an IMO number is also "IMO9187629", as is the
    query "IMO 9187629". A value without a type (a query's) is tried as one."""
    if id_type is None:
        formats = tuple(_COMPARED_FORMATS.values())
    else:
        formats = (_COMPARED_FORMATS[id_type],) if id_type in _COMPARED_FORMATS else ()
    keys = {normalize_identifier(value)} | {canonical for f in formats if (canonical := f.normalize(value))}
    keys.discard("")
    return keys


def record_identifier_keys(record: Record) -> set[str]:
    """Every identifier of a record, in every form it is compared in (`identifier_keys`)."""
    return {key for identifier in record.identifiers for key in identifier_keys(identifier.value, identifier.type)}


def compare_identifiers(query: Iterable[str], record: Iterable[str]) -> Feature | None:
    """An equal identifier (passport, tax number, IMO...) of at least `QUERY_IDENTIFIER_MIN_LENGTH` characters
    is decisive. `record` holds a record's identifier keys (`record_identifier_keys`)."""
    query_set = {key for value in query for key in identifier_keys(value) if len(key) >= QUERY_IDENTIFIER_MIN_LENGTH}
    if not query_set:
        return None
    shared = query_set.intersection(record)
    if shared:
        return Feature("identifier", IDENTIFIER_SCORE, f"equal identifier {min(shared)}")
    return None


#: kinds that can stand for one another (an "organization" query may be a listed company or body)
_COMPATIBLE_KINDS = {
    (Kind.PERSON, Kind.PERSON),
    (Kind.ORGANIZATION, Kind.ORGANIZATION),
    (Kind.VESSEL, Kind.VESSEL),
    (Kind.AIRCRAFT, Kind.AIRCRAFT),
    (Kind.ORGANIZATION, Kind.VESSEL),
    (Kind.VESSEL, Kind.ORGANIZATION),
}


def kinds_compatible(query_kind: str | None, record_kind: str) -> bool:
    """Whether a query of `query_kind` may match a record of `record_kind` (unknown matches anything)."""
    if query_kind in (None, Kind.UNKNOWN, "any") or record_kind == Kind.UNKNOWN:
        return True
    return (query_kind, record_kind) in _COMPATIBLE_KINDS


def compare_genders(query: str | None, record: str | None) -> Feature | None:
    """Different stated genders are evidence against; equal ones add nothing (most names imply it)."""
    if not query or not record or query == record:
        return None
    return Feature("gender", GENDER_CONFLICT, f"{query} vs {record}")


#: identifier types that name one person or organization (not e.g. a phone number or a vessel flag)
STRONG_IDENTIFIER_TYPES = re.compile(r"passport|national|tax|inn|ogrn|registration|imo|swift|bic|lei|ssn|id", re.IGNORECASE)


def strong_identifier_keys(record: Record) -> set[str]:
    """Normalized identifiers of a record that name one person or organization (for joining records):
    one valid in its `rigour.ids` format (an INN's checksum, a BIC's shape), or a long enough number
    of a type that names one."""
    keys = set()
    for identifier in record.identifiers:
        id_format = ID_FORMATS.get(identifier.type or "")
        if id_format is not None and id_format.is_valid(identifier.value):
            keys |= identifier_keys(identifier.value, identifier.type)
            continue
        if identifier.type and not STRONG_IDENTIFIER_TYPES.search(identifier.type):
            continue
        value = normalize_identifier(identifier.value)
        if len(value) >= MIN_IDENTIFIER_LENGTH and any(c.isdigit() for c in value):
            keys.add(value)
    return keys


#: a name that this many entries or fewer would share by chance (see `compare_name_frequency`) is rare enough
RARE_ENOUGH = 1.0
#: ... and one that many times this many share counts fully against: log10 of the span from rare to common (ten
#: namesakes: with 1.5, a near miss of a name five or six entries carry, "Albrahim" / "Abrahim", still confirmed)
COMMON_SPAN = 1.0


@dataclass(frozen=True, slots=True)
class AlignedPart:
    """What `compare_name_frequency` knows of one aligned pair of name parts."""

    text: str  # as the candidate writes it
    carriers: int  # entries with a part that would align as well: the key's, or a near miss's neighbourhood
    exact: bool  # the same key on both sides (else a near miss)
    #: entries that carry the query's own spelling of a near miss: at `ESTABLISHED` or more it is a name in
    #: its own right ("Hamad" / "Ahmad"), so the near miss is two names, not a typo of one
    query_carriers: int = 0


#: a near miss whose query spelling this many entries carry is between two names (see `AlignedPart`)
ESTABLISHED = 3


def chance_namesakes(parts: Sequence[AlignedPart], size: int) -> float:
    """How many of `size` entries would share the aligned parts by chance, if parts were drawn
    independently: `size` times the product of each part's share of entries."""
    if not parts or size <= 0:
        return float(size)
    expected = float(size)
    for part in parts:
        if not part.exact and part.query_carriers >= ESTABLISHED:
            continue  # two names: any entry with the other one aligns as well, so it singles no one out
        expected *= min(1.0, max(part.carriers, 1) / size)
    return expected


def compare_name_frequency(parts: Sequence[AlignedPart], size: int) -> Feature | None:
    """A name match is weak evidence when many entries share the name: in a haystack of `size`
    entries, a frequent given name with a frequent family name ("Andrey IVANOV"), or a near miss
    between two names of a crowded neighbourhood ("Rasel" / "Rasem" next to AHMAD), is expected
    on several entries by chance; a rare one on none. None when the name is rare enough.

    The value falls from 0 (about `RARE_ENOUGH` namesakes expected) to -1 (`COMMON_SPAN` orders of
    magnitude more), on the log scale of the expected number of chance namesakes.
    """
    expected = chance_namesakes(parts, size)
    if expected <= RARE_ENOUGH:
        return None
    value = -min(1.0, math.log10(expected / RARE_ENOUGH) / COMMON_SPAN)
    carried = ", ".join(_carried(part) for part in parts)
    return Feature(
        "name_frequency",
        round(value, 3),
        f"a common name: {carried or 'no part that singles anyone out'} of {size:,} entries;"
        f" about {expected:,.1f} would share it by chance",
    )


def _carried(part: AlignedPart) -> str:
    """How `compare_name_frequency` explains one aligned part."""
    if part.exact:
        return f"{part.text} on {part.carriers:,}"
    if part.query_carriers >= ESTABLISHED:
        return f"{part.text} only near another name ({part.query_carriers:,} entries have the query's)"
    return f"{part.text} near spellings on {part.carriers:,}"
