"""Shared value parsers: dates as lists write them, countries, genders, placeholders."""

from __future__ import annotations

import pytest

from sanctionscope.model import FuzzyDate, Kind, Name, NameType, Record, detect_script
from sanctionscope.model.values import clean, country_code, parse_day, parse_fuzzy_date, parse_gender, split_list


@pytest.mark.parametrize(
    ("text", "value", "until", "circa", "precision"),
    [
        ("27 Aug 1953", "1953-08-27", None, False, "day"),
        ("27.08.1953", "1953-08-27", None, False, "day"),
        ("1953-08-27", "1953-08-27", None, False, "day"),
        ("August 27, 1953", "1953-08-27", None, False, "day"),
        ("Aug 1953", "1953-08", None, False, "month"),
        ("1953", "1953", None, False, "year"),
        ("circa 1960", "1960", None, True, "year"),
        ("Approximately 1958", "1958", None, True, "year"),
        ("1950 to 1955", "1950", "1955", False, "range"),
        ("1950 - 1955", "1950", "1955", False, "range"),
    ],
)
def test_fuzzy_dates(text: str, value: str, until: str | None, circa: bool, precision: str) -> None:
    parsed = parse_fuzzy_date(text)
    assert parsed is not None
    assert (parsed.value, parsed.until, parsed.circa, parsed.precision) == (value, until, circa, precision)


@pytest.mark.parametrize("text", ["", "garbage", "31/02/1970", "1955 to 1950", "00.00.0000"])
def test_unreadable_dates_give_none(text: str) -> None:
    assert parse_fuzzy_date(text) is None


def test_month_first_reads_us_dates() -> None:
    assert parse_day("10/22/2025", month_first=True).isoformat() == "2025-10-22"
    assert parse_day("22/10/2025").isoformat() == "2025-10-22"
    assert parse_day("1953") is None  # a listing date needs a day


def test_countries_genders_and_placeholders() -> None:
    assert country_code("Russian Federation") == "ru"
    assert country_code("Iran, Islamic Republic of") == "ir"
    assert country_code("Atlantis") is None
    assert parse_gender("Female") == "female" and parse_gender("x") is None
    assert clean("  -0- ") is None and clean(" A  B ") == "A B"
    assert split_list("a; b;; -0- ;c") == ["a", "b", "c"]


def test_fuzzy_date_rejects_non_iso_values() -> None:
    with pytest.raises(ValueError):
        FuzzyDate("27.08.1953")
    assert list(FuzzyDate("1950", until="1952").years) == [1950, 1951, 1952]


def test_record_round_trip_and_order_insensitive_hash() -> None:
    record = Record(
        "eu_journal",
        "32020R1998#2",
        Kind.PERSON,
        names=[Name("Aleksandr Ivanovich BASTRYKIN"), Name("Александр Иванович БАСТРЫКИН", NameType.ALIAS)],
        birth_dates=[FuzzyDate("1953-08-27")],
        regimes=["EU-HR"],
    )
    record.keep_unparsed("birth_place", "Pskov ??")
    data = record.to_dict()
    again = Record.from_dict(data)
    assert again.to_dict() == data
    assert again.names[1].type is NameType.ALIAS and again.names[1].script == "Cyrl"
    reordered = Record.from_dict({**data, "names": list(reversed(data["names"]))})
    assert reordered.content_hash() == record.content_hash()
    assert record.caption == "Aleksandr Ivanovich BASTRYKIN" and record.id == "eu_journal:32020R1998#2"


def test_detect_script() -> None:
    assert detect_script("Бастрыкин") == "Cyrl"
    assert detect_script("Bastrykin") == "Latn"
    assert detect_script("محمد") == "Arab"
    assert detect_script("123") is None


@pytest.mark.parametrize(
    ("text", "value", "until"),
    [
        ("12. Jul 1960", "1960-07-12", None),
        ("Jul.2005", "2005-07", None),
        ("2015-03-27-04:00", "2015-03-27", None),
        ("Between 1955 and 1958", "1955", "1958"),
        ("1955- 1958", "1955", "1958"),
    ],
)
def test_more_date_shapes_found_in_real_lists(text: str, value: str, until: str | None) -> None:
    parsed = parse_fuzzy_date(text)
    assert parsed is not None and (parsed.value, parsed.until) == (value, until)


def test_placeholders_are_not_countries() -> None:
    assert country_code("na") is None and country_code("-0-") is None
