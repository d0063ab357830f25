"""UN Security Council Consolidated List, XML (`<CONSOLIDATED_LIST dateGenerated=...>`).

One record per `INDIVIDUALS/INDIVIDUAL` and `ENTITIES/ENTITY`, under the UN reference number
("QDi.042"); the database `DATAID` is kept as an identifier. `dateGenerated` is the
publication day (it changes every day even when the content does not, which is why it is
not part of any record).

Mapping: FIRST..FOURTH_NAME → primary name; NAME_ORIGINAL_SCRIPT → alias (script detected);
INDIVIDUAL_ALIAS/ENTITY_ALIAS by QUALITY (Good, a.k.a. → alias; Low, Bad → weak alias;
f.k.a. → former); UN_LIST_TYPE → regime; LISTED_ON → listed_on; COMMENTS1 → remarks;
TITLE and DESIGNATION → positions; NATIONALITY → nationalities; GENDER (or, when that is
missing, a "Gender: male" in COMMENTS1); addresses, places and dates of birth (EXACT /
APPROXIMATELY / BETWEEN), documents. LAST_DAY_UPDATED and SUBMITTED_BY/ON become remarks.
VERSIONNUM, LIST_TYPE ("UN List") and SORT_KEY* are list bookkeeping and are not kept; any
other unknown element is kept with `keep_unparsed`.

This module also holds the helpers shared by the other formats of its family
(ca_sema, au_dfat, bis_dpl, trade_csl): content guards, streaming XML, id uniqueness.
"""

from __future__ import annotations

import re

from lxml import etree

from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record, detect_script
from sanctionscope.model.values import (
    clean,
    country_code,
    parse_date_prefix,
    parse_day,
    parse_fuzzy_date,
    parse_gender,
    parse_timestamp_day,
)
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    UniqueIds,
    XmlRecords,
    add_country,
    append_unique,
    child_text,
    child_values,
    joined,
    keep_unknown_children,
    reject_non_list,
    require_records,
)

# ---------------------------------------------------------------------------------------------
# The UN format.
# ---------------------------------------------------------------------------------------------

_NAME_TAGS = ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")

_ALIAS_QUALITY = {
    "good": NameType.ALIAS,
    "a.k.a.": NameType.ALIAS,
    "": NameType.ALIAS,
    "low": NameType.WEAK_ALIAS,
    "bad": NameType.WEAK_ALIAS,
    "f.k.a.": NameType.FORMER,
}

_KNOWN_TAGS = frozenset(
    {
        *_NAME_TAGS,
        "DATAID",
        "REFERENCE_NUMBER",
        "UN_LIST_TYPE",
        "LISTED_ON",
        "NAME_ORIGINAL_SCRIPT",
        "COMMENTS1",
        "TITLE",
        "DESIGNATION",
        "NATIONALITY",
        "GENDER",
        "LAST_DAY_UPDATED",
        "SUBMITTED_BY",
        "SUBMITTED_ON",
        "INDIVIDUAL_ALIAS",
        "ENTITY_ALIAS",
        "INDIVIDUAL_ADDRESS",
        "ENTITY_ADDRESS",
        "INDIVIDUAL_DATE_OF_BIRTH",
        "INDIVIDUAL_PLACE_OF_BIRTH",
        "INDIVIDUAL_DOCUMENT",
        # list bookkeeping, not statements about the person or entity:
        "VERSIONNUM",
        "LIST_TYPE",
        "SORT_KEY",
        "SORT_KEY_LAST_MOD",
    }
)

_COMMENT_GENDER_RE = re.compile(r"\bGender:\s*(male|female)\b", re.IGNORECASE)

_PLACE_PARTS = ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")


class UnXmlFormat(Format):
    name = "un_xml"
    default_source = "un_sc"

    def claims(self, file: SourceFile) -> bool:
        return b"<CONSOLIDATED_LIST" in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the UN consolidated list XML")
        stream = XmlRecords(file, "CONSOLIDATED_LIST", frozenset({"INDIVIDUAL", "ENTITY"}))
        ids = UniqueIds(file.label)
        records: list[Record] = []
        for element in stream:
            record = un_record(element, file.label)
            ids.add(record.source_id, f"line {element.sourceline}", line=element.sourceline, element=f"<{element.tag}>")
            records.append(record)
        require_records(file.label, records, "<INDIVIDUAL> or <ENTITY> entries")
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=records,
            published_on=parse_timestamp_day(stream.root_attrib.get("dateGenerated")),
        )


def un_record(element: etree._Element, label: str) -> Record:
    """One INDIVIDUAL or ENTITY element as a Record."""
    reference = child_text(element, "REFERENCE_NUMBER")
    if reference is None:
        raise SourceError(
            label,
            f"<{element.tag}> with DATAID {child_text(element, 'DATAID')} has no REFERENCE_NUMBER",
            line=element.sourceline,
        )
    is_person = element.tag == "INDIVIDUAL"
    record = Record(source="un_sc", source_id=reference, kind=Kind.PERSON if is_person else Kind.ORGANIZATION)
    dataid = child_text(element, "DATAID")
    if dataid:
        record.identifiers.append(Identifier(type="other", value=dataid, note="UN DATAID"))

    primary = joined((element.findtext(tag) for tag in _NAME_TAGS), sep=" ")
    if primary:
        record.names.append(Name(full=primary))
    original = child_text(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        record.names.append(Name(full=original, type=NameType.ALIAS))
    for alias in element.iterfind("INDIVIDUAL_ALIAS" if is_person else "ENTITY_ALIAS"):
        _add_alias(record, alias)

    append_unique(record.regimes, child_text(element, "UN_LIST_TYPE"))
    listed = child_text(element, "LISTED_ON")
    if listed:
        day = parse_day(xsd_date(listed))
        if day is None:
            record.keep_unparsed("LISTED_ON", listed)
        else:
            record.listed_on = day.isoformat()
    append_unique(record.remarks, child_text(element, "COMMENTS1"))
    for position in child_values(element, "TITLE") + child_values(element, "DESIGNATION"):
        append_unique(record.positions, position)
    for nationality in child_values(element, "NATIONALITY"):
        add_country(record, record.nationalities, nationality, "NATIONALITY")
    _set_gender(record, child_text(element, "GENDER"))
    if record.gender is None and (stated := _COMMENT_GENDER_RE.search(child_text(element, "COMMENTS1") or "")):
        # Some entries state the gender only in the comments ("Gender: male."); the comment stays as is.
        record.gender = parse_gender(stated.group(1))
    updated = child_values(element, "LAST_DAY_UPDATED")
    if updated:
        record.remarks.append("Last updated: " + ", ".join(updated))
    for tag, caption in (("SUBMITTED_BY", "Submitted by"), ("SUBMITTED_ON", "Submitted on")):
        if value := child_text(element, tag):
            record.remarks.append(f"{caption}: {value}")

    for address in element.iterfind("INDIVIDUAL_ADDRESS" if is_person else "ENTITY_ADDRESS"):
        _add_address(record, address)
    for birth in element.iterfind("INDIVIDUAL_DATE_OF_BIRTH"):
        _add_birth_date(record, birth)
    for place in element.iterfind("INDIVIDUAL_PLACE_OF_BIRTH"):
        append_unique(record.birth_places, _place_text(place))
    for document in element.iterfind("INDIVIDUAL_DOCUMENT"):
        _add_document(record, document)
    keep_unknown_children(record, element, _KNOWN_TAGS)
    return record


def _set_gender(record: Record, raw: str | None) -> None:
    if raw is None or raw.lower() == "unknown":
        return
    gender = parse_gender(raw)
    if gender is None:
        record.keep_unparsed("GENDER", raw)
    else:
        record.gender = gender


def _add_alias(record: Record, alias: etree._Element) -> None:
    # Birth data stated with an alias (some aliases carry only that) still describes the listed person.
    born = child_text(alias, "DATE_OF_BIRTH")
    if born:
        date = parse_fuzzy_date(xsd_date(born))
        if date is None:
            record.keep_unparsed("DATE_OF_BIRTH", born)
        else:
            append_unique(record.birth_dates, date)
    append_unique(record.birth_places, joined((alias.findtext("CITY_OF_BIRTH"), alias.findtext("COUNTRY_OF_BIRTH"))))
    name = child_text(alias, "ALIAS_NAME")
    note = child_text(alias, "NOTE")
    if name is None:
        if note:
            record.remarks.append(f"Alias: {note}")
        return
    quality = child_text(alias, "QUALITY") or ""
    name_type = _ALIAS_QUALITY.get(quality.lower())
    if name_type is None:
        record.keep_unparsed("QUALITY", quality)
        name_type = NameType.ALIAS
    for part in split_script_gloss(name):
        append_unique(record.names, Name(full=part, type=name_type))
    details = _alias_details(alias)
    if details:
        # Which alias the birth data or note belongs to is itself information: keep it readable.
        record.remarks.append(f"Alias {name}: " + "; ".join(details))


_ORIGINAL_SCRIPT_RE = re.compile(r"^\s*original script:\s*", re.IGNORECASE)
_GLOSS_RE = re.compile(r"^(?P<base>[^()]+?)\s*\((?P<gloss>[^()]+)\)$")


def split_script_gloss(name: str) -> list[str]:
    """Split "حاجى مالك نورزى (Hajji Malik Noorzai; Haji Malek Noorzai)" into the name and its glosses.

    Only when the parenthesis is in another script than the name before it; other
    parentheses ("Al-Qaida (in Iraq)") are part of the name.
    """
    match = _GLOSS_RE.match(name)
    if match is None:
        return [name]
    base, gloss = match.group("base").strip(), match.group("gloss")
    if detect_script(base) == detect_script(gloss):
        return [name]
    return [base, *(c for part in gloss.split(";") if (c := clean(_ORIGINAL_SCRIPT_RE.sub("", part))))]


def _alias_details(alias: etree._Element) -> list[str]:
    """What an alias element says besides the name, as readable text."""
    details = []
    if born := child_text(alias, "DATE_OF_BIRTH"):
        details.append(f"born {born}")
    if place := joined((alias.findtext("CITY_OF_BIRTH"), alias.findtext("COUNTRY_OF_BIRTH"))):
        details.append(f"born in {place}")
    if note := child_text(alias, "NOTE"):
        details.append(note)
    return details


def _place_text(element: etree._Element) -> str | None:
    """STREET, CITY, STATE_PROVINCE, ZIP_CODE, COUNTRY joined, with NOTE in parentheses."""
    text = joined(element.findtext(tag) for tag in _PLACE_PARTS)
    note = child_text(element, "NOTE")
    if note:
        text = f"{text} ({note})" if text else note
    return text


def _add_address(record: Record, element: etree._Element) -> None:
    text = _place_text(element)
    if text is None:
        return
    country_name = child_text(element, "COUNTRY")
    code = country_code(country_name) if country_name else None
    append_unique(record.addresses, Address(full=text, country=code))
    append_unique(record.countries, code)


def _add_birth_date(record: Record, element: etree._Element) -> None:
    fields = {tag: child_text(element, tag) for tag in ("TYPE_OF_DATE", "DATE", "YEAR", "FROM_YEAR", "TO_YEAR", "NOTE")}
    if not any(value for tag, value in fields.items() if tag != "TYPE_OF_DATE"):
        return  # an empty <INDIVIDUAL_DATE_OF_BIRTH> with only a TYPE_OF_DATE
    date = un_birth_date(
        fields["TYPE_OF_DATE"], fields["DATE"], fields["YEAR"], fields["FROM_YEAR"], fields["TO_YEAR"], fields["NOTE"]
    )
    if date is None:
        raw = "; ".join(f"{tag}={value}" for tag, value in fields.items() if value)
        record.keep_unparsed("INDIVIDUAL_DATE_OF_BIRTH", raw)
    else:
        append_unique(record.birth_dates, date)


_XSD_DATE_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:Z|[+-]\d{2}:\d{2})$")


def xsd_date(text: str) -> str:
    """An xs:date without its time zone ("2015-03-27-04:00" → "2015-03-27"); other text unchanged."""
    match = _XSD_DATE_RE.match(text)
    return match.group(1) if match else text


_CIRCA_NOTES = {"approximately", "approx", "circa", "about"}


def un_birth_date(
    type_of_date: str | None,
    day: str | None,
    year: str | None,
    from_year: str | None,
    to_year: str | None,
    note: str | None,
) -> FuzzyDate | None:
    """A UN INDIVIDUAL_DATE_OF_BIRTH as a FuzzyDate, or None if it cannot be read.

    EXACT gives DATE or YEAR; APPROXIMATELY sets circa; BETWEEN gives FROM_YEAR..TO_YEAR.
    A NOTE that is only "Approximately" sets circa; a NOTE like "Sep." next to a YEAR refines
    it to a month; a NOTE alone ("Nov. 1973") is read as the date; other notes stay in `raw`.
    """
    kind = (type_of_date or "").upper()
    circa = kind == "APPROXIMATELY"
    if note and note.lower().strip(" .") in _CIRCA_NOTES:
        circa, note = True, None
    value: str | None = None
    until: str | None = None
    raw: str | None = None
    if from_year and to_year:
        value, until = parse_date_prefix(from_year), parse_date_prefix(to_year)
        if value is None or until is None or until < value:
            return None
    elif day or year:
        value = parse_date_prefix(xsd_date(day or year or ""))
        if value is None:
            return None
    if note:
        if value is None:
            parsed = parse_fuzzy_date(note)
            if parsed is None:
                return None
            return FuzzyDate(parsed.value, parsed.until, circa or parsed.circa, raw=note)
        if until is None and len(value) == 4:
            refined = parse_date_prefix(f"{note} {value}")
            if refined is not None:
                return FuzzyDate(refined, circa=circa, raw=f"{note} {value}")
        raw = f"{raw or value} ({note})"
    if value is None:
        return None
    return FuzzyDate(value, until, circa, raw=raw)


def document_type(label: str | None) -> str:
    """Identifier type for a document caption ("Passport", "Numéro de passeport", "National Identification Number")."""
    text = (label or "").lower()
    if any(word in text for word in ("passport", "passeport", "pasaporte")):
        return "passport"
    if any(word in text for word in ("national identification", "national identity", "identity card", "national id")):
        return "national_id"
    return "other"


def _add_document(record: Record, element: etree._Element) -> None:
    kind = child_text(element, "TYPE_OF_DOCUMENT")
    detail = child_text(element, "TYPE_OF_DOCUMENT2")
    number = child_text(element, "NUMBER")
    country_name = child_text(element, "ISSUING_COUNTRY") or child_text(element, "COUNTRY_OF_ISSUE")
    code = country_code(country_name) if country_name else None
    notes = [detail] if detail and detail.lower() != (kind or "").lower() else []
    if country_name and code is None:
        notes.append(f"issued by {country_name}")
    if issued := child_text(element, "DATE_OF_ISSUE"):
        notes.append(f"issued on {issued}")
    if city := child_text(element, "CITY_OF_ISSUE"):
        notes.append(f"issued in {city}")
    if note := child_text(element, "NOTE"):
        notes.append(note)
    if number is None:
        # A document without a number (e.g. "Passport: expired") is still a statement: keep it as a remark.
        text = joined([kind, *notes], sep="; ")
        if text:
            record.remarks.append(f"Document: {text}")
        return
    identifier_type = document_type(kind) if kind else document_type(detail)
    if identifier_type == "other" and kind:
        notes.insert(0, kind)
    append_unique(
        record.identifiers,
        Identifier(type=identifier_type, value=number, country=code, note="; ".join(notes) or None),
    )


FORMAT = UnXmlFormat()
