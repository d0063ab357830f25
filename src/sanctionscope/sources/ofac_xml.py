"""OFAC's XML publication (`<sdnList>`): the SDN list (sdn.xml / SDN.XML) and the consolidated
non-SDN list (CONSOLIDATED.XML, often saved under other names).

The namespace differs between the old and new publication services, so elements are matched
by local name. `publshInformation/Publish_Date` (MM/DD/YYYY) is the publication date.

Which list a file is: its name says so when it is `sdn*.xml` or `cons*.xml`; otherwise its size
decides. Programs do not: the consolidated list's SSI entries carry SDN-style program tags
(UKRAINE-EO13662). The consolidated list has held a few hundred entries (443 in 2025) and the
SDN list over 5,000 since 2010, so a file of fewer than 2,000 entries is the consolidated list.
`sanctionscope load --source` overrides this.
"""

from __future__ import annotations

import re

from lxml import etree

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import add_birth_date, add_country, append_unique, reject_non_list, require_records
from sanctionscope.sources.ofac_csv import apply_remarks, identifier_type

_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "vessel": Kind.VESSEL, "aircraft": Kind.AIRCRAFT}
_AKA_TYPES = {"a.k.a.": NameType.ALIAS, "f.k.a.": NameType.FORMER, "n.k.a.": NameType.ALIAS}
#: id "types" that are statements about the listing, not documents: kept as remarks
_LISTING_INFO_RE = re.compile(r"sanctions|directive|date|target type|organization type|caatsa|website|email", re.IGNORECASE)


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if isinstance(child.tag, str) and _local(child) == name]


def _text(element: etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        return clean(child.text)
    return None


def _items(element: etree._Element, list_name: str) -> list[etree._Element]:
    return [item for lst in _children(element, list_name) for item in lst if isinstance(item.tag, str)]


class OfacXmlFormat(Format):
    name = "ofac_xml"
    default_source = "us_ofac_sdn"

    def claims(self, file: SourceFile) -> bool:
        return file.name.lower().endswith(".xml") and b"<sdnList" in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "an OFAC <sdnList> XML file")
        try:
            root = etree.fromstring(
                file.data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
            )
        except etree.XMLSyntaxError as error:
            raise SourceError(
                file.label, f"malformed or truncated XML: {error.msg}", line=error.lineno or None
            ) from None
        if _local(root) != "sdnList":
            raise SourceError(file.label, f"the root element is <{_local(root)}>, expected <sdnList>")
        published = None
        for info in _children(root, "publshInformation"):
            published = parse_day(_text(info, "Publish_Date"), month_first=True)
        records: dict[str, Record] = {}
        for entry in _children(root, "sdnEntry"):
            record = entry_record(entry)
            if record.source_id in records:
                raise SourceError(
                    file.label, f"entry uid {record.source_id} appears more than once", line=entry.sourceline
                )
            records[record.source_id] = record
        result = list(records.values())
        require_records(file.label, result, "<sdnEntry> elements")
        source = list_source(file.name, result)
        for record in result:
            record.source = source
        return ParsedSnapshot(source, self.name, [file], result, published_on=published)


def list_source(file_name: str, records: list[Record]) -> str:
    """us_ofac_sdn or us_ofac_cons: by the file's name where it says, else by content (module doc)."""
    lower = file_name.lower()
    if lower.startswith("sdn"):
        return "us_ofac_sdn"
    if lower.startswith("cons"):
        return "us_ofac_cons"
    return "us_ofac_cons" if len(records) < 2000 else "us_ofac_sdn"


def entry_record(entry: etree._Element) -> Record:
    uid = _text(entry, "uid")
    if uid is None:
        raise SourceError("sdnEntry", "an entry has no <uid>", line=entry.sourceline)
    kind = _KINDS.get((_text(entry, "sdnType") or "").lower(), Kind.ORGANIZATION)
    record = Record("us_ofac_sdn", uid, kind)
    record.names.append(person_name(_text(entry, "firstName"), _text(entry, "lastName"), NameType.PRIMARY))
    if title := _text(entry, "title"):
        record.positions.append(title)
    for program in _items(entry, "programList"):
        if value := clean(program.text):
            append_unique(record.regimes, value)
    for aka in _items(entry, "akaList"):
        name_type = _AKA_TYPES.get((_text(aka, "type") or "").lower(), NameType.ALIAS)
        if (_text(aka, "category") or "").lower() == "weak":
            name_type = NameType.WEAK_ALIAS
        record.names.append(person_name(_text(aka, "firstName"), _text(aka, "lastName"), name_type))
    for item in _items(entry, "idList"):
        add_id(record, item)
    for item in _items(entry, "addressList"):
        parts = [_text(item, k) for k in ("address1", "address2", "address3", "city", "stateOrProvince", "postalCode")]
        country = _text(item, "country")
        full = ", ".join(p for p in [*parts, country] if p)
        if full:
            record.addresses.append(Address(full, country_code(country)))
    for item in _items(entry, "nationalityList"):
        add_country(record, record.nationalities, _text(item, "country"), "nationality")
    for item in _items(entry, "citizenshipList"):
        add_country(record, record.citizenships, _text(item, "country"), "citizenship")
    for item in _items(entry, "dateOfBirthList"):
        add_birth_date(record, _text(item, "dateOfBirth"), "dateOfBirth")
    for item in _items(entry, "placeOfBirthList"):
        append_unique(record.birth_places, _text(item, "placeOfBirth"))
    for vessel in _children(entry, "vesselInfo"):
        for child in vessel:
            if isinstance(child.tag, str) and (value := clean(child.text)):
                if _local(child) == "callSign":
                    record.identifiers.append(Identifier("call_sign", value))
                else:
                    record.keep_unparsed(f"vessel_{_local(child)}", value)
    if remarks := _text(entry, "remarks"):
        apply_remarks(record, remarks)
    return record


def person_name(first: str | None, last: str | None, name_type: NameType) -> Name:
    full = ", ".join(p for p in (last, first) if p) if first and last else (last or first or "")
    return Name(full, name_type, given=first if last else None, family=last if first else None)


def add_id(record: Record, item: etree._Element) -> None:
    label = _text(item, "idType") or ""
    value = _text(item, "idNumber")
    if value is None:
        return
    if _LISTING_INFO_RE.search(label) and not label.lower().startswith("tax"):
        record.remarks.append(f"{label} {value}")
        return
    note = " ".join(p for p in (_text(item, "issueDate"), _text(item, "expirationDate")) if p) or None
    id_type = identifier_type(label)
    record.identifiers.append(
        Identifier(
            id_type, value, country=country_code(_text(item, "idCountry")), note=label if id_type == "other" else note
        )
    )


FORMAT = OfacXmlFormat()
