"""US Commerce BIS Denied Persons List, tab-separated `dpl.txt`.

Header: Name, Street_Address, City, State, Country, Postal_Code, Effective_Date,
Expiration_Date, Standard_Order, Last_Update, Action, FR_Citation.

The list has no id column. The record id is the party's name as published, white space
collapsed ("AARON ROBERT HENDERSON"): it is printed in the list, so anyone can cite and
check it, and it survives what changes most on this list. Temporary denial orders are
renewed every year or so and BIS then rewrites Effective_Date (MAHAN AIRWAYS: 2019-06-05 in
the 2019 file, 2022-05-13 in the 2022 file); an id that included the date would report
every renewal as a removal plus an addition. All rows with one name are one record:
BIS repeats a party on one row per address ("ABDULAH AL NASSER" has two addresses in
Richardson, TX) and per order ("I. ASH" is named in a 2002 and a 2003 order). Each alias
BIS lists as its own row ("AL NASER AIRLINES", "AL-NASER AIRLINES") stays its own record,
because nothing in the file links them other than a shared address.

Mapping: the earliest Effective_Date → listed_on, and every Effective_Date → a remark (one
per order); address columns → addresses (Country is ISO 3166 alpha-2); FR_Citation (several
citations run together) → one remark per Federal Register citation; Expiration_Date,
Standard_Order, Last_Update, Action → remarks. "X A/K/A Y" in a Name gives Y as an alias.
Kind: see `guess_kind`.

This module also holds the delimited-text helpers that trade_csl shares.
"""

from __future__ import annotations

import re

from sanctionscope.model import Address, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    append_unique,
    decode_utf8,
    guess_kind,
    joined,
    read_table,
    reject_non_list,
    require_records,
)

_AKA_RE = re.compile(r"\s+A/K/A\s+", re.IGNORECASE)


def names_with_aka(name: str) -> list[Name]:
    """ "FUYI SUN A/K/A FRANK SUN" → primary "FUYI SUN" and alias "FRANK SUN"."""
    parts = [c for part in _AKA_RE.split(name) if (c := clean(part))]
    if not parts:
        return []
    return [Name(full=parts[0]), *(Name(full=part, type=NameType.ALIAS) for part in parts[1:])]


def iso_or_raw(text: str | None, *, month_first: bool = True) -> str | None:
    """A US "MM/DD/YYYY" (or ISO) day as YYYY-MM-DD, else the text itself."""
    text = clean(text)
    if text is None:
        return None
    day = parse_day(text, month_first=month_first)
    return day.isoformat() if day else text


# ---------------------------------------------------------------------------------------------
# The DPL format.
# ---------------------------------------------------------------------------------------------

_COLUMNS = (
    "Name",
    "Street_Address",
    "City",
    "State",
    "Country",
    "Postal_Code",
    "Effective_Date",
    "Expiration_Date",
    "Standard_Order",
    "Last_Update",
    "Action",
    "FR_Citation",
)
_FR_CITATION_RE = re.compile(r"\d+\s+F\.?\s?R\.?\s+\d+(?:\s+\d{1,2}/\d{1,2}/\d{2,4})?")
_REMARK_COLUMNS = (
    ("Expiration_Date", "Expiration date"),
    ("Standard_Order", "Standard order"),
    ("Last_Update", "Last update"),
    ("Action", "Action"),
)


class BisDplFormat(Format):
    name = "bis_dpl"
    default_source = "us_bis_dpl"

    def claims(self, file: SourceFile) -> bool:
        first_line = file.head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
        return first_line.replace(b'"', b"").startswith(b"Name\tStreet_Address\t")

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the BIS Denied Persons List (dpl.txt)")
        table = read_table(file.label, decode_utf8(file.label, file.data), "\t", ("Name", "Effective_Date"))
        records: dict[str, Record] = {}
        for line, row in table.rows:
            name = clean(row["Name"])
            if name is None:
                raise SourceError(file.label, "row has no Name", line=line)
            record = records.get(name)
            if record is None:
                record = records[name] = Record(
                    source="us_bis_dpl", source_id=name, kind=guess_kind(name), names=names_with_aka(name)
                )
            _add_row(record, row, table.header)
        require_records(file.label, list(records.values()), "denied persons")
        notes = [f"line {line} repeats the header and was skipped" for line in table.repeated_header_lines]
        # The file states no date; the loader takes the one in its path.
        return ParsedSnapshot(
            source=self.default_source, format=self.name, files=[file], records=list(records.values()), notes=notes
        )


def fr_citations(text: str | None) -> list[str]:
    """The Federal Register citations run together in FR_Citation ("68 F.R. 38290 6/27/03 71 F.R. 38843 7/10/06")."""
    text = clean(text)
    if text is None:
        return []
    found = _FR_CITATION_RE.findall(text)
    return found or [text]


def _add_effective_date(record: Record, text: str | None) -> None:
    """The order's effective date: a remark, and listed_on if it is the earliest of the party's orders."""
    effective = iso_or_raw(text)
    if effective is None:
        return
    append_unique(record.remarks, f"Effective date: {effective}")
    if parse_day(effective) is None:
        record.keep_unparsed("Effective_Date", effective)
    elif record.listed_on is None or effective < record.listed_on:
        record.listed_on = effective


def _add_row(record: Record, row: dict[str, str], header: list[str]) -> None:
    """Add what one row says (an address, citations, dates) to its party's record."""
    country = clean(row.get("Country"))
    code = country_code(country) if country else None
    full = joined(row.get(column) for column in ("Street_Address", "City", "State", "Postal_Code", "Country"))
    if full:
        append_unique(record.addresses, Address(full=full, country=code))
    append_unique(record.countries, code)
    _add_effective_date(record, row.get("Effective_Date"))
    for citation in fr_citations(row.get("FR_Citation")):
        append_unique(record.remarks, f"Federal Register: {citation}")
    for column, caption in _REMARK_COLUMNS:
        value = iso_or_raw(row.get(column)) if column == "Expiration_Date" else clean(row.get(column))
        if value:
            append_unique(record.remarks, f"{caption}: {value}")
    for column in header:
        if column not in _COLUMNS and (value := clean(row.get(column))):
            record.keep_unparsed(column, value)


FORMAT = BisDplFormat()
