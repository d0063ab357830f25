"""UK Sanctions List, XML as the FCDO publishes it (`UK-Sanctions-List.xml`, `<Designations>`).

Implemented from the published format: no real FCDO file is available here, so the tests use
a synthetic document. One record per `Designation`, under its `UniqueID` ("RUS0001"), the
reference the FCDO and OFSI notices cite.

Mapping:
  Names/Name                Name1..Name6 joined; for individuals Name1..Name5 are the given part,
                            Name6 the family part. NameType "Primary Name" → primary, "Primary
                            Name Variation" and "Alias" → alias, an alias whose AliasStrength says
                            "low" → weak alias
  NonLatinNames             NameNonLatinScript → alias (script detected)
  IndividualEntityShip      Individual → person, Entity → organization, Ship → vessel
  RegimeName                → regimes; DateDesignated → listed_on; UKStatementofReasons → reason
  UNReferenceNumber         → cross_refs "un_sc:<ref>"; OFSIGroupID → identifier (other)
  OtherInformation, SanctionsImposed, DesignationSource, LastUpdated → remarks
  Addresses/Address         AddressLine1..6, AddressPostalCode, AddressCountry → address
  IndividualDetails         DOBs (dd/mm/yyyy, "dd"/"mm"/"00" for unknown parts), Nationalities,
                            PassportDetails, NationalIdentifierDetails, Positions,
                            BirthDetails/Location (TownOfBirth, CountryOfBirth), Genders
  EntityDetails             BusinessRegistrationNumbers → identifiers (registration); types of
                            entity, parent companies, subsidiaries → remarks
  ShipDetails               IMONumbers → identifiers (imo); the ship's other details → remarks
Phone numbers, e-mail and web addresses are kept unparsed (the model has no field for them);
so is every element this parser does not know. SanctionsImposedIndicators repeats
SanctionsImposed as flags and is not kept twice.

The publication date is the `DateGenerated` element (or attribute of the root), when present.
"""

from __future__ import annotations

import re

from lxml import etree

from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_fuzzy_date, parse_timestamp_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    UniqueIds,
    add_country,
    append_unique,
    joined,
    reject_non_list,
    require_records,
    set_listed_on,
)
from sanctionscope.sources.eu_fsf import (
    LocalXml,
    add_gender,
    day_month_year,
    default_namespace,
    describe,
    keep_unknown,
    text,
    texts,
    values_of,
)

_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "ship": Kind.VESSEL}
_NAME_TYPES = {
    "primary name": NameType.PRIMARY,
    "primary name variation": NameType.ALIAS,
    "alias": NameType.ALIAS,
}
_DATE_TAGS = ("DateGenerated", "dateGenerated", "DateOfPublication")
_KNOWN_TAGS = frozenset(
    {
        "UniqueID",
        "OFSIGroupID",
        "UNReferenceNumber",
        "Names",
        "NonLatinNames",
        "RegimeName",
        "IndividualEntityShip",
        "DesignationSource",
        "SanctionsImposed",
        # the same as SanctionsImposed, as one true/false flag per measure:
        "SanctionsImposedIndicators",
        "OtherInformation",
        "UKStatementofReasons",
        "Addresses",
        "PhoneNumbers",
        "EmailAddresses",
        "WebsiteAddresses",
        "DateDesignated",
        "LastUpdated",
        "IndividualDetails",
        "EntityDetails",
        "ShipDetails",
    }
)
_REMARK_TAGS = (
    ("OtherInformation", None),
    ("SanctionsImposed", "Sanctions imposed"),
    ("DesignationSource", "Designation source"),
    ("LastUpdated", "Last updated"),
)
_NAME_TAGS = frozenset({*(f"Name{n}" for n in range(1, 7)), "NameType", "AliasStrength"})
_NON_LATIN_TAGS = frozenset({"NameNonLatinScript", "NonLatinScriptType", "NonLatinScriptLanguage"})
#: NonLatinScriptLanguage → ISO 639-1 (the languages of the list's non-Latin names)
_LANGUAGES = {
    "russian": "ru",
    "belarusian": "be",
    "ukrainian": "uk",
    "arabic": "ar",
    "persian": "fa",
    "farsi": "fa",
    "chinese": "zh",
    "korean": "ko",
    "japanese": "ja",
    "burmese": "my",
    "georgian": "ka",
    "armenian": "hy",
    "hebrew": "he",
    "pashto": "ps",
    "urdu": "ur",
    "greek": "el",
    "thai": "th",
    "kazakh": "kk",
    "bulgarian": "bg",
    "turkish": "tr",
    "serbian": "sr",
    "bosnian": "bs",
    "romanian": "ro",
    "spanish": "es",
}
#: "24/10/1966", "00/00/1980" (year only), "09/1962" (OFSI writes some month-year dates without a day)
_UK_DATE_RE = re.compile(r"^(?:(\d{1,2}|dd|00)/)?(\d{1,2}|mm|00)/(\d{4})$", re.IGNORECASE)


class GbFcdoFormat(Format):
    name = "gb_fcdo_xml"
    default_source = "gb_fcdo"

    def claims(self, file: SourceFile) -> bool:
        return b"<Designations" in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the UK Sanctions List XML")
        namespace = default_namespace(file.head, "Designations")
        stream = LocalXml(file, "Designations", frozenset({"Designation", *_DATE_TAGS}), namespace)
        ids = UniqueIds(file.label)
        records: list[Record] = []
        generated: str | None = None
        for element in stream:
            if element.tag != "Designation":
                generated = generated or clean(element.text)
                continue
            record = fcdo_record(element, file.label)
            ids.add(record.source_id, f"line {element.sourceline}", line=element.sourceline, element="<Designation>")
            records.append(record)
        require_records(file.label, records, "<Designation> entries")
        generated = generated or next((v for t in _DATE_TAGS if (v := stream.root_attrib.get(t))), None)
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=records,
            published_on=parse_timestamp_day(generated),
        )


def fcdo_record(element: etree._Element, label: str) -> Record:
    """One `Designation` as a Record."""
    values = values_of(element)
    unique_id = values.get("UniqueID")
    if unique_id is None:
        raise SourceError(label, "<Designation> without a UniqueID cannot be cited", line=element.sourceline)
    kind_text = values.get("IndividualEntityShip")
    record = Record("gb_fcdo", unique_id, _KINDS.get((kind_text or "").lower(), Kind.UNKNOWN))
    if kind_text and kind_text.lower() not in _KINDS:
        record.keep_unparsed("IndividualEntityShip", kind_text)

    for name in element.iterfind("Names/Name"):
        _add_name(record, values_of(name))
    for non_latin in element.iterfind("NonLatinNames/NonLatinName"):
        _add_non_latin_name(record, values_of(non_latin))

    append_unique(record.regimes, values.get("RegimeName"))
    set_listed_on(record, values.get("DateDesignated"), "DateDesignated")
    record.reason = values.get("UKStatementofReasons")
    if un_ref := values.get("UNReferenceNumber"):
        record.cross_refs.append(f"un_sc:{un_ref}")
    if group := values.get("OFSIGroupID"):
        record.identifiers.append(Identifier("other", group, note="OFSI group ID"))
    for tag, caption in _REMARK_TAGS:
        if value := values.get(tag):
            record.remarks.append(f"{caption}: {value}" if caption else value)

    for address in element.iterfind("Addresses/Address"):
        _add_address(record, address)
    for tag in ("PhoneNumbers", "EmailAddresses", "WebsiteAddresses"):
        for value in texts(element, f"{tag}/*"):
            record.keep_unparsed(tag, value)
    for individual in element.iterfind("IndividualDetails/Individual"):
        _add_individual(record, individual)
    for entity in element.iterfind("EntityDetails/Entity"):
        _add_entity(record, entity)
    for ship in element.iterfind("ShipDetails/Ship"):
        _add_ship(record, ship)
    keep_unknown(record, element, _KNOWN_TAGS)
    return record


def _add_name(record: Record, values: dict[str, str]) -> None:
    parts = [values.get(f"Name{n}") for n in range(1, 7)]
    type_text = values.get("NameType", "")
    name_type = _NAME_TYPES.get(type_text.lower())
    if name_type is None:
        record.keep_unparsed("NameType", type_text)
        name_type = NameType.ALIAS
    if name_type == NameType.ALIAS and "low" in values.get("AliasStrength", "").lower():
        name_type = NameType.WEAK_ALIAS
    for key, value in values.items():
        if key not in _NAME_TAGS:
            record.keep_unparsed(f"Name {key}", value)
    full = joined(parts, sep=" ")
    if full is None:
        return
    given = family = None
    if record.kind == Kind.PERSON:
        given, family = joined(parts[:5], sep=" "), parts[5]
    append_unique(record.names, Name(full, name_type, given=given, family=family))


def _add_non_latin_name(record: Record, values: dict[str, str]) -> None:
    """A name in its own script; its script type is detected from the text, its language kept as a code."""
    add_non_latin_name(record, values.get("NameNonLatinScript"), values.get("NonLatinScriptLanguage"))
    for key, value in values.items():
        if key not in _NON_LATIN_TAGS:
            record.keep_unparsed(f"NonLatinName {key}", value)


def add_non_latin_name(record: Record, full: str | None, language: str | None) -> None:
    """Add a name in its own script as an alias (script detected), its language as a code; keep a language we cannot code."""
    lang = uk_language(language) if language else None
    if language and lang is None:
        record.keep_unparsed("NonLatinScriptLanguage", f"{language}: {full}" if full else language)
    if full:
        append_unique(record.names, Name(full, NameType.ALIAS, lang=lang))


def uk_language(text: str) -> str | None:
    """The ISO 639-1 code of a language as the UK lists name it ("Russian", "Persian/Farsi"), else None."""
    for part in text.lower().split("/"):
        if code := _LANGUAGES.get(part.strip()):
            return code
    return None


def _add_address(record: Record, element: etree._Element) -> None:
    country_name = text(element, "AddressCountry")
    lines = [text(element, f"AddressLine{n}") for n in range(1, 7)]
    full = joined([*lines, text(element, "AddressPostalCode"), country_name])
    code = country_code(country_name)
    if country_name and code is None:
        record.keep_unparsed("AddressCountry", country_name)
    if full:
        append_unique(record.addresses, Address(full, country=code))
    append_unique(record.countries, code)


def uk_birth_date(raw: str) -> FuzzyDate | None:
    """A DOB as the UK list writes it: "24/10/1966", with "dd"/"mm" (or "00") for an unknown day or month."""
    match = _UK_DATE_RE.match(raw.strip())
    if match is None:
        return parse_fuzzy_date(raw)
    day, month, year = match.groups()
    value = day_month_year(year, month if month.isdigit() else None, day if day and day.isdigit() else None)
    return FuzzyDate(value, raw=raw) if value else None


_INDIVIDUAL_TAGS = frozenset(
    {"DOBs", "Nationalities", "PassportDetails", "NationalIdentifierDetails", "Positions", "BirthDetails", "Genders"}
)


def _add_individual(record: Record, individual: etree._Element) -> None:
    for raw in texts(individual, "DOBs/DOB"):
        date = uk_birth_date(raw)
        if date is None:
            record.keep_unparsed("DOB", raw)
        else:
            append_unique(record.birth_dates, date)
    for nationality in texts(individual, "Nationalities/Nationality"):
        add_country(record, record.nationalities, nationality, "Nationality")
    for detail in individual.iterfind("PassportDetails/PassportDetail"):
        _add_document(record, detail, "passport", "PassportNumber", "PassportAdditionalInformation")
    for detail in individual.iterfind("NationalIdentifierDetails/NationalIdentifierDetail"):
        _add_document(
            record, detail, "national_id", "NationalIdentifierNumber", "NationalIdentifierAdditionalInformation"
        )
    for position in texts(individual, "Positions/Position"):
        append_unique(record.positions, position)
    for location in individual.iterfind("BirthDetails/Location"):
        append_unique(record.birth_places, joined(texts(location, "*")))
    for raw in texts(individual, "Genders/Gender"):
        add_gender(record, raw, "Gender")
    keep_unknown(record, individual, _INDIVIDUAL_TAGS)


def _add_document(record: Record, detail: etree._Element, id_type: str, number_tag: str, info_tag: str) -> None:
    number, info = text(detail, number_tag), text(detail, info_tag)
    if number:
        append_unique(record.identifiers, Identifier(id_type, number, note=info))
    elif info:
        record.remarks.append(f"{id_type.replace('_', ' ').capitalize()}: {info}")
    keep_unknown(record, detail, frozenset({number_tag, info_tag}))


def _add_entity(record: Record, entity: etree._Element) -> None:
    for number in texts(entity, "BusinessRegistrationNumbers/BusinessRegistrationNumber"):
        append_unique(record.identifiers, Identifier("registration", number))
    _details_as_remarks(record, entity, frozenset({"BusinessRegistrationNumbers"}))


def _add_ship(record: Record, ship: etree._Element) -> None:
    for number in texts(ship, "IMONumbers/IMONumber"):
        digits = re.search(r"\d{7}", number)
        append_unique(record.identifiers, Identifier("imo", digits.group(0) if digits else number))
    _details_as_remarks(record, ship, frozenset({"IMONumbers"}))


def _details_as_remarks(record: Record, element: etree._Element, skip: frozenset[str]) -> None:
    """Entity and ship details the model has no field for (type, parents, flags, tonnage) as readable remarks."""
    for child in element:
        if not isinstance(child.tag, str) or child.tag in skip:
            continue
        values = [value for item in child if (value := describe(item))] if len(child) else [describe(child)]
        values = [value for value in values if value]
        if values:
            record.remarks.append(f"{_caption(child.tag)}: {'; '.join(values)}")


def _caption(tag: str) -> str:
    """A readable caption for a tag: TypeOfEntities → "Type of entities"."""
    words = re.findall(r"[A-Z]+(?=[A-Z][a-z]|$)|[A-Z]?[a-z]+|\d+", tag)
    return " ".join(words).capitalize() if words else tag


FORMAT = GbFcdoFormat()
