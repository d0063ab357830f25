"""Canada, Consolidated Special Economic Measures Act (SEMA) list, XML (`<data-set><record>`).

The list has no id column. Entries are numbered per regulation, schedule and item, which is
how Global Affairs Canada and the regulations themselves cite them, so the record id is
"<regime>/<Schedule>/<Item>" (e.g. "Russia/1, Part 2/14", "JVCFOR/1/21"), where <regime>
is the English half of the bilingual Country field, shortened to its acronym when it ends
in one ("Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)" → "JVCFOR").
Entries without a schedule ("N/A" or no element: Zimbabwe, Venezuela, ...) are
"<regime>/<Item>". Two records with the same id raise a SourceError rather than being
renumbered: a renumbered id could not be cited.

Two layouts are read: the 2020 one (Country, LastName, GivenName, Entity, Title,
DateOfBirth, Aliases, Schedule, Item) and the later one that adds ships and listing dates
(EntityOrShip, TitleOrShip, ShipIMONumber, DateOfBirthOrShipBuildDate, DateOfListing).
Aliases are split at commas (2020) and semicolons (2025) and kept as published: for people they are often variants of
one name part ("Andrei" for Andrey), which are not recombined with the other parts; a
one-word alias of a person is a weak alias.
"""

from __future__ import annotations

import re

from lxml import etree

from sanctionscope.model import Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, parse_fuzzy_date
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    UniqueIds,
    XmlRecords,
    append_unique,
    child_text,
    keep_unknown_children,
    reject_non_list,
    require_records,
    set_listed_on,
)

_KNOWN_TAGS = frozenset(
    {
        "Country",
        "LastName",
        "GivenName",
        "Entity",
        "EntityOrShip",
        "Title",
        "TitleOrShip",
        "Aliases",
        "DateOfBirth",
        "DateOfBirthOrShipBuildDate",
        "ShipIMONumber",
        "Schedule",
        "Item",
        "DateOfListing",
    }
)

_ACRONYM_RE = re.compile(r"\(([A-Z]{2,})\)$")
_IMO_RE = re.compile(r"\d{7}")


class CaSemaFormat(Format):
    name = "ca_sema_xml"
    default_source = "ca_sema"

    def claims(self, file: SourceFile) -> bool:
        head = file.head
        return b"<data-set" in head and b"<record" in head and (b"<Country>" in head or b"<Item>" in head)

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the Canadian SEMA list XML")
        ids = UniqueIds(file.label)
        records: list[Record] = []
        for number, element in enumerate(XmlRecords(file, "data-set", frozenset({"record"})), start=1):
            record = sema_record(element, file.label, number)
            where = f"line {element.sourceline}"
            ids.add(record.source_id, where, line=element.sourceline, element=f"<record> #{number}")
            records.append(record)
        require_records(file.label, records, "<record> entries")
        # The file states no date; the loader takes the one in its path.
        return ParsedSnapshot(source=self.default_source, format=self.name, files=[file], records=records)


def regime_of(country: str) -> str:
    """The English half of a bilingual Country field ("Russia / Russie" → "Russia")."""
    return clean(country.split(" / ")[0]) or country


def sema_record_id(regime: str, schedule: str | None, item: str) -> str:
    """ "<regime>/<Schedule>/<Item>", the regime shortened to its trailing acronym if it has one."""
    match = _ACRONYM_RE.search(regime)
    short = match.group(1) if match else regime
    return f"{short}/{schedule}/{item}" if schedule else f"{short}/{item}"


def sema_record(element: etree._Element, label: str, number: int) -> Record:
    """One <record> as a Record."""
    country = child_text(element, "Country")
    item = child_text(element, "Item")
    if country is None or item is None:
        missing = "Country" if country is None else "Item"
        raise SourceError(label, f"<record> #{number} has no {missing}, so it cannot be cited", line=element.sourceline)
    regime = regime_of(country)
    last, given = child_text(element, "LastName"), child_text(element, "GivenName")
    entity = child_text(element, "Entity") or child_text(element, "EntityOrShip")
    imo = child_text(element, "ShipIMONumber")
    kind = _kind(bool(last or given), entity, imo)
    record_id = sema_record_id(regime, child_text(element, "Schedule"), item)
    record = Record(source="ca_sema", source_id=record_id, kind=kind)
    record.regimes.append(regime)

    if last or given:
        full = " ".join(part for part in (given, last) if part)
        record.names.append(Name(full=full, given=given, family=last))
    if entity:
        record.names.append(Name(full=entity))
    # the 2020 list separates aliases with commas, the 2025 one with semicolons
    for alias in re.split(r"[,;]", element.findtext("Aliases") or ""):
        if alias := clean(alias):
            append_unique(record.names, Name(full=alias, type=_alias_type(alias, kind)))

    title = child_text(element, "Title") or child_text(element, "TitleOrShip")
    if title:
        if kind == Kind.VESSEL:
            record.remarks.append(f"Ship: {title}")
        else:
            record.positions.append(title)
    if imo:
        digits = _IMO_RE.search(imo)
        record.identifiers.append(Identifier(type="imo", value=digits.group(0) if digits else imo))
    _add_dates(record, element, kind)
    keep_unknown_children(record, element, _KNOWN_TAGS)
    return record


def _alias_type(alias: str, kind: Kind) -> NameType:
    """A one-word alias of a person ("Andrei", "Motorola") is a weak alias: it cannot identify anyone alone."""
    return NameType.WEAK_ALIAS if kind == Kind.PERSON and " " not in alias else NameType.ALIAS


def _kind(has_person_name: bool, entity: str | None, imo: str | None) -> Kind:
    if imo:
        return Kind.VESSEL
    if has_person_name and not entity:
        return Kind.PERSON
    if entity and not has_person_name:
        return Kind.ORGANIZATION
    return Kind.UNKNOWN


def _add_dates(record: Record, element: etree._Element, kind: Kind) -> None:
    born_tag = "DateOfBirth" if element.find("DateOfBirth") is not None else "DateOfBirthOrShipBuildDate"
    born = child_text(element, born_tag)
    if born and kind == Kind.VESSEL:
        record.remarks.append(f"Ship build date: {born}")
    elif born:
        # "1972-08-10 or 1972-08-11": alternative dates of birth.
        for part in born.split(" or "):
            date = parse_fuzzy_date(part)
            if date is None:
                record.keep_unparsed(born_tag, part.strip())
            else:
                append_unique(record.birth_dates, date)
    set_listed_on(record, child_text(element, "DateOfListing"), "DateOfListing")


FORMAT = CaSemaFormat()
