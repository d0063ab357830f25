"""Parsing of the value types that list files share: dates, countries, genders, whitespace.

Small pure functions; every parser (and a query's builder) uses these instead of its own variants, so one
fix serves every source. A value that cannot be parsed returns None: the caller
keeps the raw text with `Record.keep_unparsed`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import lru_cache

from rigour.territories import lookup_territory

from sanctionscope.model import FuzzyDate

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january", "janvier", "enero"),
            ("feb", "february", "fevrier", "février", "febrero"),
            ("mar", "march", "mars", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "junio"),
            ("jul", "july", "juillet", "julio"),
            ("aug", "august", "aout", "août", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "decembre", "décembre", "diciembre"),
        ],
        start=1,
    )
    for name in names
}

_CIRCA_RE = re.compile(r"^(circa|ca\.?|c\.|approximately|approx\.?|about|around)\s*", re.IGNORECASE)
_RANGE_RE = re.compile(r"^(?:between\s+)?(.+?)\s*(?:\bto\b|\band\b|–|—|\s?-\s|\.\.)\s*(.+)$", re.IGNORECASE)
# ISO dates, also with a time or an xs:date time zone ("2015-03-27-04:00")
_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T.*|[+-]\d{2}:\d{2}|Z)?$")
_DMY_RE = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_MDY_SLASH_RE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_YMD_SLASH_RE = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$")
_TEXT_DATE_RE = re.compile(r"^(?:(\d{1,2})\.?\s+)?([A-Za-zéû]+)\.?,?\s*(\d{4})$")
_TEXT_DATE_MDY_RE = re.compile(r"^([A-Za-zéû]+)\.?\s+(\d{1,2}),?\s+(\d{4})$")
_YEAR_RE = re.compile(r"^(\d{4})$")


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    """ISO prefix for a valid (partial) date, else None."""
    if not 1000 <= year <= 2999:
        return None
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def parse_date_prefix(text: str, *, month_first: bool = False) -> str | None:
    """One date in any of the list formats ("27 Aug 1953", "27.08.1953", "1953-08-27", "Aug 1953", "1953").

    Returns the ISO prefix at the precision the text has. `month_first` reads "08/27/1953" the US way.
    """
    text = text.strip().rstrip(".").strip()
    if not text:
        return None
    if m := _ISO_RE.match(text):
        return _iso(int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None)
    if month_first and (m := _MDY_SLASH_RE.match(text)):
        return _iso(int(m.group(3)), int(m.group(1)), int(m.group(2)))
    if m := _DMY_RE.match(text):
        return _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := _YMD_SLASH_RE.match(text):
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if m := _TEXT_DATE_RE.match(text):
        month = _MONTHS.get(m.group(2).lower())
        if month is not None:
            return _iso(int(m.group(3)), month, int(m.group(1)) if m.group(1) else None)
    if m := _TEXT_DATE_MDY_RE.match(text):
        month = _MONTHS.get(m.group(1).lower())
        if month is not None:
            return _iso(int(m.group(3)), month, int(m.group(2)))
    return None


def parse_fuzzy_date(text: str | None, *, month_first: bool = False) -> FuzzyDate | None:
    """A birth date as lists write it, with "circa" and ranges ("1950 to 1955"). None if unreadable."""
    if text is None:
        return None
    raw = " ".join(text.split())
    if not raw:
        return None
    body = raw
    circa = False
    if m := _CIRCA_RE.match(body):
        circa = True
        body = body[m.end() :]
    value = parse_date_prefix(body, month_first=month_first)
    until = None
    if value is None and (m := _RANGE_RE.match(body)):
        value = parse_date_prefix(m.group(1), month_first=month_first)
        until = parse_date_prefix(m.group(2), month_first=month_first)
        if value is None or until is None or until < value:
            return None
    if value is None:
        return None
    keep_raw = raw if (raw != value or circa or until) else None
    return FuzzyDate(value=value, until=until, circa=circa, raw=keep_raw)


def parse_day(text: str | None, *, month_first: bool = False) -> date | None:
    """A full calendar day (listing dates, publication dates), else None."""
    if not text:
        return None
    prefix = parse_date_prefix(text, month_first=month_first)
    if prefix is None or len(prefix) != 10:
        return None
    return date.fromisoformat(prefix)


def parse_timestamp_day(text: str | None) -> date | None:
    """The day of an ISO timestamp ("2026-02-27T10:00:03.123-05:00")."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.strip()).date()
    except ValueError:
        return parse_day(text.strip()[:10])


@lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """ISO-like lower-case territory code for a country name or code ("Russia" → "ru"), else None."""
    cleaned = clean(text)
    if cleaned is None:
        return None
    cleaned = cleaned.strip(" .,;")
    if not cleaned:
        return None
    territory = lookup_territory(cleaned)
    return territory.code if territory is not None else None


_GENDERS = {
    "male": "male",
    "m": "male",
    "man": "male",
    "female": "female",
    "f": "female",
    "woman": "female",
}


def parse_gender(text: str | None) -> str | None:
    if not text:
        return None
    return _GENDERS.get(text.strip().lower())


def clean(text: str | None) -> str | None:
    """Collapse white space; empty and placeholder values ("-0-", "N/A", "na") become None."""
    if text is None:
        return None
    text = " ".join(text.split())
    if text in ("", "-0-", "-0", "N/A", "n/a", "na", "NA", "None", "null"):
        return None
    return text


def split_list(text: str | None, separators: str = ";") -> list[str]:
    """Split a delimited cell into clean, non-empty items."""
    if not text:
        return []
    items = re.split("[" + re.escape(separators) + "]", text)
    return [c for item in items if (c := clean(item))]
