"""Swiss sanctions list (SECO/SESAM), XML (`<swiss-sanctions-list date=...>`).

Implemented from the published schema: no real SESAM file is available here, so the tests use
a synthetic document. One record per `target`, under its `ssid` (SESAM's own id).

Mapping:
  individual/entity/object  → person / organization / vessel or aircraft (object-type)
  identity/name             name-parts in their `order` joined; given-name and further-given-name →
                            given, father-name → patronymic, family-name → family; name-type
                            primary-name → primary (in the main identity; in another identity an
                            alias), alias → alias (quality "low" → weak alias), formerly-known-as →
                            former; the spelling variants of a name's parts in one script, when
                            every part has one, → an alias in that script (partial sets are kept
                            unparsed)
  day-month-year            → birth dates (day and month optional)
  nationality, place-of-birth, address, identification-document
                            → nationalities, birth places, addresses, identifiers; their place
                            (location, area, country iso-code) is inline or a `place-id` reference
                            to a top-level `<place>`, resolved once the whole file is read
  individual@sex            → gender
  justification             → reason; other-information and relations → remarks
  sanctions-set-id          → regimes: the English program-name of the sanctions-program that
                            holds the set (the set's name, e.g. "Annex 8", → a remark)
  modification              the effective-date of the "listed" modification → listed_on; other
                            modifications → remarks. A target whose latest modification is
                            "de-listed" is not on the list any more and is left out (counted in the
                            snapshot notes)
References to a place or sanctions set the file does not define raise SourceError (the file is
inconsistent); unknown elements are kept with `keep_unparsed`. The root's `date` is the
publication day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from lxml import etree

from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_timestamp_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    UniqueIds,
    append_unique,
    joined,
    reject_non_list,
    require_records,
    set_listed_on,
)
from sanctionscope.sources.eu_fsf import (
    LocalXml,
    add_gender,
    attr,
    day_month_year,
    default_namespace,
    describe,
    keep_unknown,
    local_name,
    text,
    texts,
)

_OBJECT_KINDS = {"vessel": Kind.VESSEL, "ship": Kind.VESSEL, "aircraft": Kind.AIRCRAFT}
_SUBJECT_TAGS = ("individual", "entity", "object")
_NAME_TYPES = {
    "primary-name": NameType.PRIMARY,
    "alias": NameType.ALIAS,
    "formerly-known-as": NameType.FORMER,
    "former-name": NameType.FORMER,
}
_GIVEN_PARTS = ("given-name", "further-given-name")
_IDENTITY_TAGS = frozenset(
    {"name", "day-month-year", "nationality", "place-of-birth", "address", "identification-document"}
)
_SUBJECT_KNOWN = frozenset({"identity", "justification", "other-information", "relation"})
_TARGET_KNOWN = frozenset({*_SUBJECT_TAGS, "modification", "sanctions-set-id"})
_ENGLISH = ("eng", "en")


@dataclass(frozen=True)
class Place:
    """A place as SESAM states it: its text (location, area, country) and country code."""

    text: str | None
    country: str | None
    country_name: str | None


#: what a place is for: the record it goes into, and the element's own details (address lines...)
PlaceUse = Callable[[Place], None]


@dataclass
class _Target:
    record: Record
    line: int
    set_ids: list[str]
    #: place-id references with what to do with the place, resolved after the whole file is read
    place_refs: list[tuple[str, PlaceUse]] = field(default_factory=list)
    modifications: list[tuple[str, str | None]] = field(default_factory=list)


class ChSecoFormat(Format):
    name = "ch_seco_xml"
    default_source = "ch_seco"

    def claims(self, file: SourceFile) -> bool:
        return b"<swiss-sanctions-list" in file.head

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the Swiss SESAM sanctions list XML")
        namespace = default_namespace(file.head, "swiss-sanctions-list")
        stream = LocalXml(file, "swiss-sanctions-list", frozenset({"target", "place", "sanctions-program"}), namespace)
        ids = UniqueIds(file.label)
        targets: list[_Target] = []
        places: dict[str, Place] = {}
        programs: dict[str, tuple[str | None, str | None]] = {}
        for element in stream:
            if element.tag == "place":
                if ssid := attr(element, "ssid"):
                    places[ssid] = place_of(element)
            elif element.tag == "sanctions-program":
                programs.update(sanctions_sets(element))
            else:
                target = seco_target(element, file.label)
                ids.add(target.record.source_id, f"line {target.line}", line=target.line, element="<target>")
                targets.append(target)
        records, delisted = _resolve(file.label, targets, places, programs)
        require_records(file.label, records, "listed <target> entries")
        notes = [f"{delisted} target(s) whose latest modification is de-listed were left out"] if delisted else []
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=records,
            published_on=parse_timestamp_day(stream.root_attrib.get("date")),
            notes=notes,
        )


def _resolve(
    label: str,
    targets: list[_Target],
    places: dict[str, Place],
    programs: dict[str, tuple[str | None, str | None]],
) -> tuple[list[Record], int]:
    """Fill in places and regimes now that the whole file is read; drop de-listed targets."""
    records: list[Record] = []
    delisted = 0
    for target in targets:
        for place_id, use in target.place_refs:
            if place_id not in places:
                raise SourceError(
                    label,
                    f"target {target.record.source_id} refers to place {place_id}, which the file does not define",
                    line=target.line,
                )
            use(places[place_id])
        for set_id in target.set_ids:
            if set_id not in programs:
                raise SourceError(
                    label,
                    f"target {target.record.source_id} refers to sanctions set {set_id}, which no sanctions-program defines",
                    line=target.line,
                )
            program, set_name = programs[set_id]
            append_unique(target.record.regimes, program)
            if set_name:
                append_unique(target.record.remarks, f"Sanctions set: {set_name}")
        if target.modifications and target.modifications[-1][0] == "de-listed":
            delisted += 1
            continue
        records.append(target.record)
    return records, delisted


def sanctions_sets(program: etree._Element) -> dict[str, tuple[str | None, str | None]]:
    """The sets of a sanctions-program: set ssid → (the program's English name, the set's English name)."""
    name = _english(program, "program-name") or _english(program, "program-key")
    sets: dict[str, tuple[str | None, str | None]] = {}
    for element in program.iterfind("sanctions-set"):
        ssid = attr(element, "ssid")
        if ssid is None:
            continue
        known = sets.get(ssid, (name, None))[1]
        english = clean(element.text) if element.get("lang") in _ENGLISH else None
        sets[ssid] = (name, english or known or clean(element.text))
    return sets


def _english(element: etree._Element, tag: str) -> str | None:
    """The English text of a multilingual element (lang="eng"), else the first language given."""
    values = [(node.get("lang"), clean(node.text)) for node in element.iterfind(tag)]
    return next((v for lang, v in values if lang in _ENGLISH and v), None) or next((v for _, v in values if v), None)


def place_of(element: etree._Element) -> Place:
    """A `<place>`, or the inline location, area and country of another element."""
    country = element.find("country")
    name = clean(country.text) if country is not None else None
    code_text = country.get("iso-code") if country is not None else None
    code = country_code(code_text) if code_text else None
    code = code or country_code(name)
    return Place(joined((text(element, "location"), text(element, "area"), name)), code, name or code_text)


def seco_target(element: etree._Element, label: str) -> _Target:
    """One `target` as a record, with the references it leaves to resolve."""
    ssid = attr(element, "ssid")
    if ssid is None:
        raise SourceError(label, "<target> without an ssid cannot be cited", line=element.sourceline)
    subject = next((child for child in element if child.tag in _SUBJECT_TAGS), None)
    record = Record("ch_seco", ssid, _kind(subject))
    set_ids = [s for s in (element.get("sanctions-set-id"), *texts(element, "sanctions-set-id")) if s]
    target = _Target(record, element.sourceline or 0, list(dict.fromkeys(s.strip() for s in set_ids)))
    if subject is not None:
        _add_subject(target, subject)
    for modification in element.iterfind("modification"):
        _add_modification(target, modification)
    target.modifications.sort(key=lambda item: item[1] or "")
    keep_unknown(record, element, _TARGET_KNOWN)
    return target


def _kind(subject: etree._Element | None) -> Kind:
    if subject is None:
        return Kind.UNKNOWN
    if subject.tag == "individual":
        return Kind.PERSON
    if subject.tag == "entity":
        return Kind.ORGANIZATION
    return _OBJECT_KINDS.get((subject.get("object-type") or "").lower(), Kind.UNKNOWN)


def _add_subject(target: _Target, subject: etree._Element) -> None:
    record = target.record
    if subject.tag == "object" and record.kind == Kind.UNKNOWN and (object_type := attr(subject, "object-type")):
        record.keep_unparsed("object-type", object_type)
    add_gender(record, attr(subject, "sex"), "sex")
    for number, identity in enumerate(subject.iterfind("identity")):
        # Without a `main` flag, the first identity is the main one.
        main = (identity.get("main") or ("true" if number == 0 else "false")).lower() == "true"
        _add_identity(target, identity, main=main)
    justifications = texts(subject, "justification")
    record.reason = "\n\n".join(justifications) if justifications else None
    for remark in texts(subject, "other-information"):
        append_unique(record.remarks, remark)
    for relation in subject.iterfind("relation"):
        related = f"target {relation.get('target-id')}" if relation.get("target-id") else "another target"
        kind = relation.get("relation-type") or "related"
        note = clean(" ".join(relation.itertext()))
        record.remarks.append(f"Relation ({kind}) to {related}" + (f": {note}" if note else ""))
    keep_unknown(record, subject, _SUBJECT_KNOWN)


def _add_identity(target: _Target, identity: etree._Element, *, main: bool) -> None:
    record = target.record
    for name in identity.iterfind("name"):
        _add_name(record, name, main=main)
    for birth in identity.iterfind("day-month-year"):
        value = day_month_year(attr(birth, "year"), attr(birth, "month"), attr(birth, "day"))
        if value is None:
            record.keep_unparsed("day-month-year", describe(birth) or "")
        else:
            append_unique(record.birth_dates, FuzzyDate(value))
    for element in identity.iterfind("nationality"):
        _with_place(target, element, lambda place: _add_nationality(record, place))
    for element in identity.iterfind("place-of-birth"):
        _with_place(target, element, lambda place: append_unique(record.birth_places, place.text))
    for element in identity.iterfind("address"):
        lines = [text(element, tag) for tag in ("c-o", "address-details", "p-o-box", "zip-code")]
        remark = text(element, "remark")
        _with_place(target, element, partial(_add_address, record, lines, remark))
    for element in identity.iterfind("identification-document"):
        _add_document(target, element)
    keep_unknown(record, identity, _IDENTITY_TAGS)


def _with_place(target: _Target, element: etree._Element, use: PlaceUse) -> None:
    """Apply `use` to the element's place: now if inline, once the file is read if a place-id reference."""
    if place_id := attr(element, "place-id"):
        target.place_refs.append((place_id, use))
    else:
        use(place_of(element))


def _add_nationality(record: Record, place: Place) -> None:
    if place.country:
        append_unique(record.nationalities, place.country)
    elif place.country_name or place.text:
        record.keep_unparsed("nationality", place.country_name or place.text or "")


def _add_address(record: Record, lines: list[str | None], remark: str | None, place: Place) -> None:
    full = joined([*lines, place.text])
    if remark:
        full = f"{full} ({remark})" if full else remark
    if full:
        append_unique(record.addresses, Address(full, country=place.country))
    append_unique(record.countries, place.country)


def _add_document(target: _Target, element: etree._Element) -> None:
    record = target.record
    document_type = attr(element, "document-type") or "other"
    id_type = "passport" if "passport" in document_type else "national_id" if "id" in document_type else "other"
    number = text(element, "number")
    details = [
        document_type if id_type == "other" or document_type != id_type else None,
        f"issued by {issuer}" if (issuer := text(element, "issuer")) else None,
        f"issued on {issued}" if (issued := text(element, "date-of-issue")) else None,
        f"expires {expiry}" if (expiry := text(element, "expiry-date")) else None,
        *texts(element, "remark"),
    ]
    note = joined(details, sep="; ")

    def use(place: Place) -> None:
        if number:
            append_unique(record.identifiers, Identifier(id_type, number, country=place.country, note=note))
        elif note:
            record.remarks.append(f"Document: {note}")

    _with_place(target, element, use)
    keep_unknown(
        record,
        element,
        frozenset({"number", "issuer", "date-of-issue", "expiry-date", "remark", "location", "area", "country"}),
    )


def _add_name(record: Record, element: etree._Element, *, main: bool) -> None:
    name_type_text = attr(element, "name-type") or "alias"
    name_type = _NAME_TYPES.get(name_type_text)
    if name_type is None:
        record.keep_unparsed("name-type", name_type_text)
        name_type = NameType.ALIAS
    if name_type == NameType.PRIMARY and not main:
        name_type = NameType.ALIAS
    if name_type == NameType.ALIAS and (attr(element, "quality") or "").lower() == "low":
        name_type = NameType.WEAK_ALIAS
    parts = sorted(element.iterfind("name-part"), key=_order)
    values = [(part.get("name-part-type") or "", text(part, "value")) for part in parts]
    full = joined((value for _, value in values), sep=" ")
    if full is None:
        return
    append_unique(record.names, Name(full, name_type, **_name_parts(values)))
    _add_spelling_variants(record, parts)


def _order(element: etree._Element) -> int:
    order = element.get("order") or ""
    return int(order) if order.isdigit() else 0


def _name_parts(values: list[tuple[str, str | None]]) -> dict[str, str | None]:
    """given/patronymic/family from typed name-parts; a whole-name sets none of them."""
    given = joined((v for t, v in values if t in _GIVEN_PARTS), sep=" ")
    patronymic = joined((v for t, v in values if t == "father-name"), sep=" ")
    family = joined((v for t, v in values if t == "family-name"), sep=" ")
    return {"given": given, "patronymic": patronymic, "family": family}


def _add_spelling_variants(record: Record, parts: list[etree._Element]) -> None:
    """One alias per script in which every part of the name has a spelling variant; the rest kept unparsed."""
    by_script: dict[str, list[str]] = {}
    for part in parts:
        for variant in part.iterfind("spelling-variant"):
            if value := clean(variant.text):
                by_script.setdefault(variant.get("script") or variant.get("lang") or "", []).append(value)
    for values in by_script.values():
        if len(values) == len(parts):
            append_unique(record.names, Name(" ".join(values), NameType.ALIAS))
        else:
            for value in values:
                record.keep_unparsed("spelling-variant", value)


def _add_modification(target: _Target, element: etree._Element) -> None:
    kind = attr(element, "modification-type") or "modified"
    effective = attr(element, "effective-date") or attr(element, "publication-date") or attr(element, "enactment-date")
    target.modifications.append((kind, effective))
    if kind == "listed":
        set_listed_on(target.record, effective, "modification effective-date")
    else:
        target.record.remarks.append(f"{kind.capitalize()}: effective {effective or 'date not stated'}")
    known = {"modification-type", "effective-date", "publication-date", "enactment-date", "ssid"}
    for name, value in element.attrib.items():
        if local_name(name) not in known and clean(value):
            target.record.keep_unparsed(f"modification {local_name(name)}", value)


FORMAT = ChSecoFormat()
