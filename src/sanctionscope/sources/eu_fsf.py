"""EU Financial Sanctions File (FSF), XML `xmlFullSanctionsList_1_1` (`<export generationDate=...>`).

Written from the published schema and checked on a real file (the FSF of 2024-05-13, 4,811
entries). The FSF states almost everything in attributes; this parser also accepts a child
element of the same name wherever it reads an attribute, so a re-serialised file (or a schema
revision that moves a value into an element) reads the same.

One record per `logicalId` (the FSF's own, stable entity id). The real file repeats a
`sanctionEntity` with the same logicalId when one person is listed under two programmes (547:
AFG and TAQA), each repeat with its own `regulation`, names and details: those are merged into
one record holding all of them. The same logicalId twice under the same regulation is a damaged
file and is refused.
Mapping:
  subjectType@code          person → person, enterprise → organization (else unknown, kept)
  nameAlias                 the primary name is the first in English or without a language (the
                            real file often starts with the Bulgarian or Swedish spelling), the
                            others aliases; strong="false" → weak alias; wholeName (or first/middle/
                            last joined) with given (first and middle) and family (last) parts;
                            nameLanguage → lang; function and title → positions; gender → gender;
                            a name's remark ("Not in MT Regulation 2023/1505") → a remark
  designationDate           → listed_on (of repeats, the earliest)
  regulation                programme → regimes; each regulation → a remark (numberTitle, type,
                            publication and entry-into-force dates, URL). In the real file the
                            regulation is the act that last amended the entry (Bastrykin, listed
                            2021-03-02, carries 2023/2722), so its date is no listing date; only
                            when the entity states no designationDate and the act is an original
                            `regulation` (not an amendment) is its publicationDate taken
  unitedNationId            → cross_refs "un_sc:<id>"; euReferenceNumber → identifier (other)
  remark, designationDetails → remarks
  citizenship               countryIso2Code → citizenships; its remark → a remark
  birthdate                 birthdate / year-month-day / yearRangeFrom..To, circa; a calendar
                            other than Gregorian is kept unparsed; city, region, place and country
                            → birth places; its remark ("between 1953 and 1958", a village) → a remark
  identification            identificationTypeCode → identifier type; number (and latinNumber);
                            country; issuer, dates, flags and remark → note
  address                   street, poBox, zipCode, city, region, place, country → address;
                            contactInfo (phone, e-mail...) is kept unparsed (the model has no field)
`regulationSummary`, `regulationLanguage` and the sub-elements' `logicalId`s are bookkeeping and
are not kept; any other unknown element is kept with `keep_unparsed`. `generationDate` is the
publication day.

This module also holds the XML helpers its family shares (gb_fcdo, ch_seco): namespace-blind
streaming, attribute-or-element values, unknown-element keeping.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_date_prefix, parse_gender, parse_timestamp_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    UniqueIds,
    XmlRecords,
    add_birth_date,
    append_unique,
    joined,
    merge_record,
    reject_non_list,
    require_records,
    set_listed_on,
)

# ---------------------------------------------------------------------------------------------
# Helpers shared by the European XML formats (eu_fsf, gb_fcdo, ch_seco).
# ---------------------------------------------------------------------------------------------


def local_name(tag: object) -> str:
    """The tag without its namespace ("{ns}export" → "export"); comments and PIs give ""."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def strip_namespaces(element: etree._Element) -> None:
    """Rename the element and its descendants to their local names, so lookups need no namespace."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = local_name(node.tag)


def default_namespace(head: bytes, root: str) -> str:
    """The `{uri}` prefix of the default namespace the root element declares, or ""."""
    match = re.search(rb"<" + root.encode() + rb"\b[^>]*?\sxmlns\s*=\s*[\"']([^\"']*)[\"']", head)
    return "{" + match.group(1).decode() + "}" if match and match.group(1) else ""


class LocalXml:
    """Streams the record elements of an XML list, handing them out with namespace-free tags.

    `namespace` is the `{uri}` the document must use ("" for none). Wraps `XmlRecords`, which
    reports malformed, truncated or wrongly rooted XML as SourceError.
    """

    def __init__(self, file: SourceFile, root: str, records: frozenset[str], namespace: str = ""):
        self.stream = XmlRecords(file, namespace + root, frozenset(namespace + tag for tag in records))

    @property
    def root_attrib(self) -> dict[str, str]:
        return self.stream.root_attrib

    def __iter__(self) -> Iterator[etree._Element]:
        for element in self.stream:
            strip_namespaces(element)
            yield element


def attr(element: etree._Element, name: str) -> str | None:
    """A cleaned attribute value, else the text of a child element of that name."""
    value = element.get(name)
    if value is None and len(element):
        value = element.findtext(name)
    return clean(value)


def values_of(element: etree._Element) -> dict[str, str]:
    """An element's attributes and the texts of its childless children, cleaned and by local name.

    Empty values are left out; an attribute wins over a child of the same name. One pass over
    the element, for formats (the FSF) that state a dozen values per element.
    """
    found: dict[str, str] = {}
    for child in element:
        if isinstance(child.tag, str) and not len(child) and (value := clean(child.text)):
            found.setdefault(local_name(child.tag), value)
    for key, value in element.attrib.items():
        # most FSF attributes are empty: skip them before the (costlier) cleaning
        if value and (cleaned := clean(value)):
            found[local_name(key) if key[0] == "{" else key] = cleaned
    return found


def text(element: etree._Element, path: str) -> str | None:
    """Cleaned text of the first element at `path`."""
    return clean(element.findtext(path))


def texts(element: etree._Element, path: str) -> list[str]:
    """Cleaned, non-empty texts of every element at `path`."""
    return [value for node in element.iterfind(path) if (value := clean("".join(node.itertext())))]


def describe(element: etree._Element) -> str | None:
    """An element's text and attributes as one readable line ("PHONE: +7 495 (type=work)")."""
    body = clean(" ".join(element.itertext()))
    attributes = ", ".join(f"{local_name(k)}={v}" for k, v in element.attrib.items() if clean(v))
    if attributes:
        return f"{body} ({attributes})" if body else attributes
    return body


def keep_unknown(record: Record, element: etree._Element, known: frozenset[str]) -> None:
    """Keep child elements this parser does not know (text and attributes), so a new field is never lost."""
    for child in element:
        tag = local_name(child.tag)
        if tag and tag not in known and (value := describe(child)):
            record.keep_unparsed(tag, value)


def add_gender(record: Record, raw: str | None, field: str) -> None:
    """Set the gender a list states; keep a value that cannot be read, or that contradicts an earlier one."""
    if not raw:
        return
    gender = parse_gender(raw)
    if gender is None or (record.gender is not None and record.gender != gender):
        record.keep_unparsed(field, raw)
    else:
        record.gender = gender


def day_month_year(year: str | None, month: str | None = None, day: str | None = None) -> str | None:
    """The ISO prefix of a date given in parts, at the precision given ("1953", "1953-08", "1953-08-27")."""
    if not year:
        return None
    if not month or month in ("0", "00"):
        return parse_date_prefix(year)
    if not day or day in ("0", "00"):
        return parse_date_prefix(f"{year}-{int(month):02d}") if month.isdigit() else None
    if not (month.isdigit() and day.isdigit()):
        return None
    return parse_date_prefix(f"{year}-{int(month):02d}-{int(day):02d}")


# ---------------------------------------------------------------------------------------------
# The FSF format.
# ---------------------------------------------------------------------------------------------

NAMESPACE = "http://eu.europa.ec/fpi/fsd/export"
_NS = "{" + NAMESPACE + "}"

_KINDS = {"person": Kind.PERSON, "enterprise": Kind.ORGANIZATION}
_ID_TYPES = {
    "passport": "passport",
    "id": "national_id",
    "fiscalcode": "tax_id",
    "regnumber": "registration",
    "swiftbic": "swift",
    "imo": "imo",
    "ssn": "national_id",
    "other": "other",
}
#: identification attributes that qualify the number, with how a note says them
_ID_DETAILS = (
    ("issuedBy", "issued by"),
    ("issueDate", "issued on"),
    ("issuedDate", "issued on"),
    ("validFrom", "valid from"),
    ("validTo", "valid to"),
    ("nameOnDocument", "name on document:"),
)
_ID_FLAGS = ("diplomatic", "knownExpired", "knownFalse", "reportedLost", "revokedByIssuer")
#: bookkeeping attributes of every sub-element, not statements about the entity
_BOOKKEEPING = frozenset({"logicalId", "regulationLanguage"})
_ADDRESS_PARTS = ("street", "poBox", "zipCode", "city", "region", "place")
_BIRTH_PLACE_PARTS = ("city", "zipCode", "region", "place")
_KNOWN_TAGS = frozenset(
    {
        "remark",
        "regulation",
        "subjectType",
        "nameAlias",
        "citizenship",
        "birthdate",
        "identification",
        "address",
        # the entity attributes, should a file state them as elements:
        "logicalId",
        "designationDetails",
        "designationDate",
        "unitedNationId",
        "euReferenceNumber",
    }
)


class EuFsfFormat(Format):
    name = "eu_fsf_xml"
    default_source = "eu_fsf"

    def claims(self, file: SourceFile) -> bool:
        # The namespace is the FSF's own; the root may carry a prefix ("<fsd:export"), so no "<export" test.
        return NAMESPACE.encode() in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the EU Financial Sanctions File XML")
        stream = LocalXml(file, "export", frozenset({"sanctionEntity"}), namespace=_NS)
        listings = UniqueIds(file.label)
        records: dict[str, Record] = {}
        for element in stream:
            record = fsf_record(element, file.label)
            for regulation in _regulation_keys(element):
                listing = f"{record.source_id} under regulation {regulation}"
                listings.add(listing, f"line {element.sourceline}", line=element.sourceline, element="<sanctionEntity>")
            if record.source_id in records:
                merge_record(records[record.source_id], record)
            else:
                records[record.source_id] = record
        require_records(file.label, list(records.values()), "<sanctionEntity> entries")
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=list(records.values()),
            published_on=parse_timestamp_day(stream.root_attrib.get("generationDate")),
        )


def _regulation_keys(element: etree._Element) -> list[str]:
    """The regulations an entry is listed under, by their id (an entry without one counts as one listing)."""
    keys = [attr(r, "logicalId") or attr(r, "numberTitle") or "?" for r in element.iterfind("regulation")]
    return keys or ["(none)"]


def fsf_record(element: etree._Element, label: str) -> Record:
    """One `sanctionEntity` as a Record."""
    values = values_of(element)
    logical_id = values.get("logicalId")
    if logical_id is None:
        raise SourceError(label, "<sanctionEntity> without a logicalId cannot be cited", line=element.sourceline)
    subject = element.find("subjectType")
    code = attr(subject, "code") if subject is not None else None
    record = Record("eu_fsf", logical_id, _KINDS.get((code or "").lower(), Kind.UNKNOWN))
    if code is not None and code.lower() not in _KINDS:
        record.keep_unparsed("subjectType", code)

    if un_id := values.get("unitedNationId"):
        record.cross_refs.append(f"un_sc:{un_id}")
    if eu_ref := values.get("euReferenceNumber"):
        record.identifiers.append(Identifier("other", eu_ref, note="EU reference number"))
    set_listed_on(record, values.get("designationDate"), "designationDate")
    if details := values.get("designationDetails"):
        record.remarks.append(f"Designation details: {details}")
    for remark in texts(element, "remark"):
        append_unique(record.remarks, remark)
    for regulation in element.iterfind("regulation"):
        _add_regulation(record, values_of(regulation))
    aliases = [values_of(alias) for alias in element.iterfind("nameAlias")]
    primary = _primary_index(aliases)
    for number, (alias, values) in enumerate(zip(element.iterfind("nameAlias"), aliases, strict=True)):
        _add_name(record, values, primary=number == primary)
        _add_remarks(record, alias, values.get("wholeName") or "Name")
    for citizenship in element.iterfind("citizenship"):
        _add_citizenship(record, values_of(citizenship))
        _add_remarks(record, citizenship, "Citizenship")
    for birth in element.iterfind("birthdate"):
        _add_birth(record, values_of(birth))
        _add_remarks(record, birth, "Birth")
    for identification in element.iterfind("identification"):
        _add_identification(record, values_of(identification), texts(identification, "remark"))
    for address in element.iterfind("address"):
        _add_address(record, address)
    keep_unknown(record, element, _KNOWN_TAGS)
    return record


def _primary_index(aliases: list[dict[str, str]]) -> int:
    """Which nameAlias is the primary name: the first in English or in no stated language, else the first."""
    for number, values in enumerate(aliases):
        if values.get("nameLanguage", "EN").upper() == "EN":
            return number
    return 0


def _add_remarks(record: Record, element: etree._Element, about: str) -> None:
    """Keep the remarks of a sub-element (a name, a birth date, a citizenship), saying what they are about."""
    for remark in texts(element, "remark"):
        append_unique(record.remarks, f"{about}: {remark}")


def _add_regulation(record: Record, values: dict[str, str]) -> None:
    append_unique(record.regimes, values.get("programme"))
    published = values.get("publicationDate")
    if record.listed_on is None and values.get("regulationType", "").lower() == "regulation":
        set_listed_on(record, published, "regulation publicationDate")
    details = [
        values.get("regulationType"),
        f"published {published}" if published else None,
        f"in force {day}" if (day := values.get("entryIntoForceDate")) else None,
        values.get("publicationUrl"),
    ]
    title = values.get("numberTitle") or "(no number)"
    append_unique(record.remarks, f"Regulation {title}: " + "; ".join(d for d in details if d))


def _add_name(record: Record, values: dict[str, str], *, primary: bool) -> None:
    first, middle, last = values.get("firstName"), values.get("middleName"), values.get("lastName")
    full = values.get("wholeName") or joined((first, middle, last), sep=" ")
    if full is not None:
        name_type = NameType.PRIMARY if primary else NameType.ALIAS
        if values.get("strong", "").lower() == "false":
            name_type = NameType.WEAK_ALIAS
        language = values.get("nameLanguage")
        given = joined((first, middle), sep=" ")
        name = Name(full, name_type, given=given, family=last, lang=language.lower() if language else None)
        append_unique(record.names, name)
    for field in ("function", "title"):
        append_unique(record.positions, values.get(field))
    add_gender(record, values.get("gender"), "gender")


def _add_citizenship(record: Record, values: dict[str, str]) -> None:
    country = _country(values)
    if country is not None:
        append_unique(record.citizenships, country)
    elif stated := _country_name(values):
        record.keep_unparsed("citizenship", stated)


def _add_birth(record: Record, values: dict[str, str]) -> None:
    calendar = values.get("calendarType")
    if calendar and calendar.upper() not in ("GREGORIAN", "G"):
        # A date in another calendar cannot be placed on ours without converting it: keep it as stated.
        record.keep_unparsed("birthdate", ", ".join(f"{k}={v}" for k, v in values.items() if k not in _BOOKKEEPING))
    else:
        date = fsf_birth_date(values)
        if isinstance(date, FuzzyDate):
            append_unique(record.birth_dates, date)
        elif date:
            add_birth_date(record, date, "birthdate")
    place = joined([*(values.get(part) for part in _BIRTH_PLACE_PARTS), _country_name(values)])
    append_unique(record.birth_places, place)


def fsf_birth_date(values: dict[str, str]) -> FuzzyDate | str | None:
    """The date a `birthdate` element states; its text when the parts cannot be read; None if it states none."""
    circa = values.get("circa", "").lower() == "true"
    start, end = values.get("yearRangeFrom"), values.get("yearRangeTo")
    if start and end:
        value, until = parse_date_prefix(start), parse_date_prefix(end)
        if value and until and value <= until:
            return FuzzyDate(value, until, circa, raw=f"{start}-{end}")
        return f"{start}-{end}"
    full = values.get("birthdate")
    value = parse_date_prefix(full) if full else None
    if value is None:
        value = day_month_year(values.get("year"), values.get("monthOfYear"), values.get("dayOfMonth"))
    if value is None:
        return full or values.get("year")
    return FuzzyDate(value, circa=circa, raw=full if full and full != value else None)


def _country_name(values: dict[str, str]) -> str | None:
    """The country an element names (its description, else its code); "UNKNOWN" and "00" are none."""
    name = values.get("countryDescription")
    if name and name.upper() != "UNKNOWN":
        return name
    code = values.get("countryIso2Code")
    return code if code and code != "00" else None


def _country(values: dict[str, str]) -> str | None:
    """The country code an element states: its ISO code, else the code of its country description."""
    code = values.get("countryIso2Code")
    found = country_code(code) if code and code != "00" else None
    return found or country_code(_country_name(values))


def _add_identification(record: Record, values: dict[str, str], remarks: list[str]) -> None:
    type_code = values.get("identificationTypeCode", "other")
    id_type = _ID_TYPES.get(type_code.lower(), "other")
    notes = [values.get("identificationTypeDescription") or (type_code if id_type == "other" else None)]
    notes += [f"{caption} {value}" for name, caption in _ID_DETAILS if (value := values.get(name))]
    notes += [flag for flag in _ID_FLAGS if values.get(flag, "").lower() == "true"]
    notes += remarks
    note = joined(notes, sep="; ")
    numbers = [number for number in (values.get("number"), values.get("latinNumber")) if number]
    if not numbers and note:
        record.remarks.append(f"Document: {note}")
    country = _country(values)
    for number in numbers:
        append_unique(record.identifiers, Identifier(id_type, number, country=country, note=note))


def _add_address(record: Record, element: etree._Element) -> None:
    values = values_of(element)
    full = joined([*(values.get(part) for part in _ADDRESS_PARTS), _country_name(values)])
    remarks = texts(element, "remark")
    if remarks:
        full = f"{full} ({'; '.join(remarks)})" if full else "; ".join(remarks)
    country = _country(values)
    if full:
        append_unique(record.addresses, Address(full, country=country))
    append_unique(record.countries, country)
    for contact in element.iterfind("contactInfo"):
        contact_values = values_of(contact)
        if value := contact_values.get("value"):
            key = contact_values.get("key")
            record.keep_unparsed("contactInfo", f"{key}: {value}" if key else value)


FORMAT = EuFsfFormat()
