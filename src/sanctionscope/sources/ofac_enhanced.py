"""OFAC's enhanced XML (`<sanctionsData>`), bare or zipped (SDN_ENHANCED.ZIP, CONS_ENHANCED.ZIP).

Entities carry their names in every published script (translations with name parts),
their lists (`sanctionsLists`: "SDN List" or the non-SDN lists), programs, identity documents,
addresses and "features" (birth dates, places, nationality, gender; and listing information
such as directives, which become remarks). `publicationInfo/dataAsOf` is the publication date.
The record id is the entity id, the same number as the legacy formats' uid / ent_num.
"""

from __future__ import annotations

import io
import zipfile

from lxml import etree

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_gender, parse_timestamp_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import add_birth_date, add_country, append_unique, reject_non_list, require_records
from sanctionscope.sources.ofac_csv import identifier_type
from sanctionscope.sources.ofac_xml import _children, _local, _text

_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "vessel": Kind.VESSEL, "aircraft": Kind.AIRCRAFT}
_ALIAS_TYPES = {"a.k.a.": NameType.ALIAS, "f.k.a.": NameType.FORMER, "n.k.a.": NameType.ALIAS}
_PART_TAGS = {"last name": "family", "first name": "given", "middle name": "given", "patronymic": "patronymic"}


class OfacEnhancedFormat(Format):
    name = "ofac_enhanced_xml"
    default_source = "us_ofac_cons"

    def claims(self, file: SourceFile) -> bool:
        lower = file.name.lower()
        if lower.endswith(".zip"):
            return "enhanced" in lower
        return lower.endswith(".xml") and b"<sanctionsData" in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        data = unzip_member(file) if file.name.lower().endswith(".zip") else file.data
        reject_non_list(file.label, data, "OFAC enhanced XML")
        try:
            root = etree.fromstring(
                data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
            )
        except etree.XMLSyntaxError as error:
            raise SourceError(
                file.label, f"malformed or truncated XML: {error.msg}", line=error.lineno or None
            ) from None
        if _local(root) != "sanctionsData":
            raise SourceError(file.label, f"the root element is <{_local(root)}>, expected <sanctionsData>")
        published = None
        source = "us_ofac_cons"
        for info in _children(root, "publicationInfo"):
            published = parse_timestamp_day(_text(info, "dataAsOf"))
            # the lists this export was filtered to: "SDN List" makes it the SDN publication
            filtered = {clean(item.text) for item in info.iter() if _local(item) == "sanctionsList"}
            if "SDN List" in filtered:
                source = "us_ofac_sdn"
        records: dict[str, Record] = {}
        for entities in _children(root, "entities"):
            for entity in _children(entities, "entity"):
                record = entity_record(entity)
                if record.source_id in records:
                    raise SourceError(
                        file.label, f"entity {record.source_id} appears more than once", line=entity.sourceline
                    )
                records[record.source_id] = record
        result = list(records.values())
        require_records(file.label, result, "<entity> elements")
        for record in result:
            record.source = source
        return ParsedSnapshot(source, self.name, [file], result, published_on=published)


def unzip_member(file: SourceFile) -> bytes:
    """The enhanced XML inside a zip; a corrupt zip or one without an XML member is an error."""
    try:
        with zipfile.ZipFile(io.BytesIO(file.data)) as archive:
            members = [n for n in archive.namelist() if n.lower().endswith(".xml")]
            if not members:
                raise SourceError(file.label, f"the zip holds no XML file (it has: {', '.join(archive.namelist())})")
            return archive.read(members[0])
    except zipfile.BadZipFile as error:
        raise SourceError(file.label, f"not a readable zip archive ({error})") from None


def entity_record(entity: etree._Element) -> Record:
    entity_id = entity.get("id")
    if not entity_id:
        raise SourceError("entity", "an <entity> has no id", line=entity.sourceline)
    kind = Kind.ORGANIZATION
    for info in _children(entity, "generalInfo"):
        kind = _KINDS.get((_text(info, "entityType") or "").lower(), Kind.ORGANIZATION)
    record = Record("us_ofac_cons", entity_id, kind)
    for lists in _children(entity, "sanctionsLists"):
        for item in lists:
            if isinstance(item.tag, str) and (value := clean(item.text)):
                since = item.get("datePublished")
                record.remarks.append(f"on {value} since {since}" if since else f"on {value}")
    for programs in _children(entity, "sanctionsPrograms"):
        for item in programs:
            if isinstance(item.tag, str):
                append_unique(record.regimes, clean(item.text))
    for names in _children(entity, "names"):
        for name in _children(names, "name"):
            add_names(record, name)
    for documents in _children(entity, "identityDocuments"):
        for document in _children(documents, "identityDocument"):
            if number := _text(document, "documentNumber"):
                label = _text(document, "type") or ""
                id_type = identifier_type(label)
                record.identifiers.append(
                    Identifier(
                        id_type,
                        number,
                        country_code(_text(document, "issuingCountry")),
                        label if id_type == "other" else None,
                    )
                )
    for addresses in _children(entity, "addresses"):
        for address in _children(addresses, "address"):
            add_address(record, address)
    for features in _children(entity, "features"):
        for feature in _children(features, "feature"):
            add_feature(record, feature)
    return record


def add_names(record: Record, name: etree._Element) -> None:
    primary = (_text(name, "isPrimary") or "").lower() == "true"
    name_type = (
        NameType.PRIMARY if primary else _ALIAS_TYPES.get((_text(name, "aliasType") or "").lower(), NameType.ALIAS)
    )
    if (_text(name, "isLowQuality") or "").lower() == "true":
        name_type = NameType.WEAK_ALIAS
    for translations in _children(name, "translations"):
        for index, translation in enumerate(_children(translations, "translation")):
            full = _text(translation, "formattedFullName")
            if not full:
                continue
            parts: dict[str, list[str]] = {}
            for name_parts in _children(translation, "nameParts"):
                for part in _children(name_parts, "namePart"):
                    tag = _PART_TAGS.get((_text(part, "type") or "").lower())
                    if tag and (value := _text(part, "value")):
                        parts.setdefault(tag, []).append(value)
            # other scripts of a primary name are aliases of it
            this_type = name_type if index == 0 or name_type != NameType.PRIMARY else NameType.ALIAS
            record.names.append(
                Name(
                    full,
                    this_type,
                    given=" ".join(parts["given"]) if "given" in parts else None,
                    patronymic=" ".join(parts["patronymic"]) if "patronymic" in parts else None,
                    family=" ".join(parts["family"]) if "family" in parts else None,
                )
            )


def add_address(record: Record, address: etree._Element) -> None:
    country = _text(address, "country")
    values = [
        value
        for translations in _children(address, "translations")
        for translation in _children(translations, "translation")[:1]
        for parts in _children(translation, "addressParts")
        for part in _children(parts, "addressPart")
        if (value := _text(part, "value"))
    ]
    full = ", ".join([*values, *([country] if country else [])])
    if full:
        record.addresses.append(Address(full, country_code(country)))


def add_feature(record: Record, feature: etree._Element) -> None:
    kind = (_text(feature, "type") or "").strip()
    value = _text(feature, "value")
    if value is None:
        return
    lower = kind.lower()
    if lower == "birthdate":
        add_birth_date(record, value, "Birthdate")
    elif lower == "place of birth":
        append_unique(record.birth_places, value)
    elif lower in ("nationality country", "nationality"):
        add_country(record, record.nationalities, value, kind)
    elif lower == "citizenship country":
        add_country(record, record.citizenships, value, kind)
    elif lower == "gender":
        record.gender = parse_gender(value) or record.gender
    elif lower == "swift/bic":
        record.identifiers.append(Identifier("swift", value))
    elif lower == "isin":
        record.identifiers.append(Identifier("isin", value))
    else:
        record.remarks.append(f"{kind} {value}")


FORMAT = OfacEnhancedFormat()
