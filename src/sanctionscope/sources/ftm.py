"""FollowTheMoney (FtM) entities: import of line-delimited FtM JSON, export of records as FtM.

FtM is the entity model OpenSanctions publishes its data in (`entities.ftm.json`: one JSON
object per line with `id`, `schema`, `properties` and, from OpenSanctions, `caption`,
`datasets`, `referents`, `target`, `first_seen`, `last_seen`, `last_change`). The
`followthemoney` library defines the schemata and property types; this module uses it for
schema lookup, value validation and, on export, for building every entity.

Import: one `Record` per thing entity (Person, Organization, Company, PublicBody, LegalEntity,
Vessel, Airplane), under the FtM entity id. The file is read in one pass that collects,
then the things are built and the entities that point at them are attached:

- `Sanction` (entity → thing): programId and program → regimes; the earliest listingDate
  (startDate where a sanction states no listingDate) → listed_on; reason → reason (distinct
  reasons joined by newlines); and one remark per sanction with all its other properties
  (authority, country, provisions, status, dates, ...), so which authority listed whom under
  what stays readable.
- `Passport`/`Identification` (holder → thing) → identifiers with country and note.
- `Address` (referenced by a thing's addressEntity) → addresses with the address's country.

References are also resolved through `referents`: OpenSanctions merges source entities and
keeps pointing at the old ids ("addr-...") from other entities.

Thing properties: name → primary names (the entity's caption first, so `Record.caption` is
the FtM caption), alias and abbreviation → alias, weakAlias → weak alias, previousName →
former; firstName/fatherName/lastName become given/patronymic/family of the names in which
they occur as whole words (other part values, and middleName/secondName/motherName/nameSuffix
values that occur in no name, are kept unparsed); birthDate → FuzzyDate (FtM dates are ISO
prefixes); birthPlace and birthCountry → birth places; nationality, citizenship and
country/jurisdiction/mainCountry/flag → country codes; gender; every identifier-typed
property (idNumber, passportNumber, innCode, ogrnCode, taxNumber, registrationNumber,
imoNumber (digits only, as the lists write it), swiftBic, leiCode, ...) → identifiers (see
`identifier_type`); address text;
position and title → positions; notes/summary/description → remarks; program/programId →
regimes; topics and sourceUrl → remarks.

The entity's `datasets` become a remark ("datasets: ..."): they name the publications the
entity was collected from (us_ofac_sdn, gb_fcdo_sanctions...), which is neither a legal
program (regimes) nor an id; `referents` (the source-level FtM ids merged into the entity)
become cross_refs "ftm:<id>", the record id such an entity gets when imported from its own
dataset; `target: false` (a related entity, not itself a target) becomes a remark. Any other
property goes to `keep_unparsed`. Not kept: OpenSanctions' processing bookkeeping
(first_seen, last_seen, last_change, and the properties in `_BOOKKEEPING`), which changes
with every export run and says nothing about the entry.

Relationship entities (Ownership, Family, Directorship, Payment, ...) and things that are not
list entries are not records: they are counted in the snapshot's notes, as are dangling
references and Address entities no record uses. A file states no export date (`last_seen`
is when OpenSanctions last saw an entity, not when the file was written), so
`published_on` is None. Each file is its own scope, named after the file ("zala.entities.ftm.json"
→ "zala"; OpenSanctions' plain "entities.ftm.json" → ""), so that loading two FtM datasets does
not read as one dataset that lost the other's entries.

Export (`export_entities`): per record a Person/Organization (Company when it has identifiers
only companies have)/LegalEntity/Vessel/Airplane entity, its Address entities, and a Sanction
entity (program, listingDate, reason, authority and URL of the source, country of the
jurisdiction) for records that are listings. Values go through the library's property types
(checksums of INN, OGRN, IMO, LEI included); what a schema or type refuses is written to the
entity's notes, never dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import orjson
from followthemoney import EntityProxy, ValueEntity, model, registry
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.util import stringify

from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, parse_fuzzy_date, parse_gender
from sanctionscope.parallel import fork_map, spans
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import UniqueIds, add_country, append_unique, joined, reject_non_list

# ---------------------------------------------------------------------------------------------
# Schemata and property mappings (shared by import and export).
# ---------------------------------------------------------------------------------------------

#: the schemata whose entities are list entries, most specific first (for `kind_of`)
_KIND_OF_SCHEMA: tuple[tuple[str, Kind], ...] = (
    ("Person", Kind.PERSON),
    ("Organization", Kind.ORGANIZATION),
    ("LegalEntity", Kind.UNKNOWN),  # FtM's "person or organization, we don't know"
    ("Vessel", Kind.VESSEL),
    ("Airplane", Kind.AIRCRAFT),
)

SCHEMA_OF_KIND: dict[Kind, str] = {
    Kind.PERSON: "Person",
    Kind.ORGANIZATION: "Organization",
    Kind.UNKNOWN: "LegalEntity",
    Kind.VESSEL: "Vessel",
    Kind.AIRCRAFT: "Airplane",
}

NAME_TYPES: dict[str, NameType] = {
    "name": NameType.PRIMARY,
    "alias": NameType.ALIAS,
    "abbreviation": NameType.ALIAS,
    "weakAlias": NameType.WEAK_ALIAS,
    "previousName": NameType.FORMER,
}

#: name-part properties that map onto `Name` fields
_PART_FIELDS: dict[str, str] = {"lastName": "family", "fatherName": "patronymic", "firstName": "given"}
#: name-part properties without a `Name` field: kept in the full names, or unparsed
_OTHER_PARTS = frozenset({"middleName", "secondName", "motherName", "nameSuffix"})

#: identifier properties with an established sanctionscope type; others get `_snake(name)`
_IDENTIFIER_TYPES: dict[str, str] = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "registrationNumber": "registration",
    "imoNumber": "imo",
    "swiftBic": "swift",
    "leiCode": "lei",
    "vatCode": "vat",
    "socialSecurityNumber": "social_security",
    "licenseNumber": "license",
    "callSign": "call_sign",
    "icaoCode": "icao",
    "uniqueEntityId": "sam_uei",
    "kppCode": "kpp",
    "okpoCode": "okpo",
    "wikidataId": "wikidata",
}

#: sanctionscope identifier types without an FtM property of their own
EXPORT_FALLBACK_PROPS: dict[str, str] = {"other": "idNumber"}

_COUNTRY_PROPS: dict[str, str] = {
    "nationality": "nationalities",
    "citizenship": "citizenships",
    "country": "countries",
    "jurisdiction": "countries",
    "mainCountry": "countries",
    "flag": "countries",
}

_REMARK_PROPS = frozenset({"notes", "summary", "description"})
_POSITION_PROPS = frozenset({"position", "title"})
REGIME_PROPS = ("programId", "program")

#: OpenSanctions processing metadata, rewritten by every export run: never part of a record
_BOOKKEEPING = frozenset({"modifiedAt", "retrievedAt", "indexText"})


def identifier_type(prop_name: str) -> str:
    """The sanctionscope identifier type of an FtM identifier property ("innCode" → "inn")."""
    return _IDENTIFIER_TYPES.get(prop_name) or _snake(prop_name)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def kind_of(schema: Schema) -> Kind | None:
    """The record kind of a schema, or None if its entities are not list entries."""
    for name, kind in _KIND_OF_SCHEMA:
        if schema.is_a(name):
            return kind
    return None


# ---------------------------------------------------------------------------------------------
# The format.
# ---------------------------------------------------------------------------------------------

_SUFFIXES = (".ftm.json", ".ftm.jsonl", ".ijson")


class FtmFormat(Format):
    name = "ftm_json"
    default_source = "ftm"

    def claims(self, file: SourceFile) -> bool:
        if file.name.lower().endswith(_SUFFIXES):
            return True
        # JSON lines whose first object is an FtM entity (only the head is read: the line may be cut)
        first_line = file.head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].strip()
        return first_line.startswith(b"{") and b'"schema"' in first_line and b'"properties"' in first_line

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "FollowTheMoney entities (JSON lines)")
        scope = scope_of(file.name)
        parsed = parse_entities(
            byte_lines(file.data), self.default_source, label=file.label, dataset=scope or self.default_source
        )
        if not parsed.records:
            raise SourceError(
                file.label,
                "the file contains no Person, Organization, LegalEntity, Vessel or Airplane entities"
                + (f" ({'; '.join(parsed.notes)})" if parsed.notes else ""),
            )
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=parsed.records,
            published_on=None,
            scope=scope,
            notes=parsed.notes,
            entities=parsed.entities,
        )


FORMAT = FtmFormat()


def scope_of(file_name: str) -> str:
    """The dataset a file name stands for ("zala.entities.ftm.json" → "zala").

    OpenSanctions names every export "entities.ftm.json": that one is the whole source (scope "").
    """
    stem = file_name.lower()
    for suffix in (*_SUFFIXES, ".json", ".jsonl"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    stem = stem.removesuffix(".entities")
    return "" if stem == "entities" else stem


def byte_lines(data: bytes) -> Iterator[bytes]:
    """The lines of a JSON-lines file without copying it whole (a UTF-8 byte-order mark is dropped)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end < 0:
            end = len(data)
        yield data[start:end]
        start = end + 1


# ---------------------------------------------------------------------------------------------
# Import.
# ---------------------------------------------------------------------------------------------


@dataclass
class ParsedEntities:
    """The records of an FtM entity stream, every entity as published, and notes on what is not a record."""

    records: list[Record]
    notes: list[str] = field(default_factory=list)
    #: every entity of the stream (things and the entities around them), `datasets` filled in
    entities: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Entity:
    """One raw FtM entity with its schema and line number."""

    line: int
    id: str
    schema: Schema
    data: dict[str, Any]

    @property
    def properties(self) -> dict[str, list[str]]:
        return self.data["properties"]


@dataclass
class _Collected:
    """Everything the pass over the lines collected, keyed for attaching."""

    all: list[_Entity] = field(default_factory=list)
    things: list[_Entity] = field(default_factory=list)
    addresses: dict[str, _Entity] = field(default_factory=dict)
    sanctions: list[_Entity] = field(default_factory=list)
    documents: list[_Entity] = field(default_factory=list)
    related: Counter[str] = field(default_factory=Counter)
    #: the ids OpenSanctions merged into an entity (its referents) → the entity's id
    merged_ids: dict[str, str] = field(default_factory=dict)

    def references(self, entity: _Entity, prop: str) -> list[str]:
        """The ids `prop` points at, each resolved to the merged entity that now stands for it."""
        ids = (value.strip() for value in entity.properties.get(prop, []))
        return list(dict.fromkeys(self.merged_ids.get(i, i) for i in ids if i))


def parse_entities(
    lines: Iterable[bytes | str], source: str = "ftm", *, label: str = "<ftm entities>", dataset: str = "ftm"
) -> ParsedEntities:
    """Records from FtM entity JSON, one entity per line (lines numbered from 1 for errors).

    An entity that names no `datasets` belongs to `dataset` (the file's), as yente has it.
    """
    collected = _collect(lines, label)
    for entity in collected.all:
        entity.data["datasets"] = _datasets(entity.data, dataset)
    records: dict[str, Record] = {}
    listing_dates: dict[str, list[str]] = {}
    used_addresses: set[str] = set()
    notes = _Notes()
    built, entities = _convert(collected.all, source)
    for entity, record in zip(collected.things, built, strict=True):
        used_addresses |= _attach_addresses(record, entity, collected, notes)
        records[entity.id] = record
    for sanction in collected.sanctions:
        for target in collected.references(sanction, "entity"):
            if target in records:
                listing_dates.setdefault(target, []).extend(_attach_sanction(records[target], sanction))
            else:
                notes.dangling(sanction, "entity", target)
    for document in collected.documents:
        for holder in collected.references(document, "holder"):
            if holder in records:
                _attach_document(records[holder], document, notes)
            else:
                notes.dangling(document, "holder", holder)
    for target, dates in listing_dates.items():
        _set_listed_on(records[target], dates)
    unused = [entity_id for entity_id in collected.addresses if entity_id not in used_addresses]
    if unused:
        notes.add(f"{len(unused)} Address entities are used by no record (e.g. {', '.join(unused[:3])})")
    return ParsedEntities(list(records.values()), _related_note(collected.related) + notes.lines(), entities)


#: entities worth converting in forked workers (below this, starting them costs more than it saves)
PARALLEL_FROM = 50_000
_CHUNK = 10_000


def _convert(entities: list[_Entity], source: str) -> tuple[list[Record], list[dict[str, Any]]]:
    """The records of the thing entities (before attaching) and every entity as published, in file order.

    A large file is converted on every core: the entities are independent of each other here.
    """

    def convert(span: tuple[int, int]) -> tuple[list[Record], list[dict[str, Any]]]:
        chunk = entities[span[0] : span[1]]
        return [_thing_record(e, source) for e in chunk if kind_of(e.schema) is not None], [_published(e) for e in chunk]

    records: list[Record] = []
    published: list[dict[str, Any]] = []
    workers = None if len(entities) >= PARALLEL_FROM else 1
    for chunk_records, chunk_published in fork_map(convert, spans(len(entities), _CHUNK), workers):
        records.extend(chunk_records)
        published.extend(chunk_published)
    return records, published


def _datasets(data: dict[str, Any], default: str) -> list[str]:
    """The entity's own datasets, else the file's."""
    stated = [d for d in data.get("datasets") or [] if isinstance(d, str) and d.strip()]
    return sorted(set(stated)) or [default]


def _published(entity: _Entity) -> dict[str, Any]:
    """The entity as stored for serving: only the properties its schema defines, each value once.

    This is what followthemoney's ValueEntity keeps, built directly (a million entities pass
    here); an entity carrying statements goes through ValueEntity, which reads them.
    """
    if "statements" in entity.data:
        proxy = ValueEntity(entity.schema, {**entity.data, "properties": _known_properties(entity)})
        data = proxy.to_dict()
        data["datasets"] = sorted(proxy.datasets)
        data["referents"] = sorted(proxy.referents)
    else:
        data = {key: value for key, value in entity.data.items() if key not in _ENVELOPE}
        data["id"] = entity.id
        data["schema"] = entity.schema.name
        data["properties"] = {name: list(dict.fromkeys(values)) for name, values in _known_properties(entity).items()}
        data["referents"] = sorted(set(entity.data.get("referents") or []))
        data["datasets"] = sorted(set(entity.data.get("datasets") or []))
        for stamp in ("caption", "first_seen", "last_seen", "last_change"):
            if entity.data.get(stamp) is not None:
                data[stamp] = entity.data[stamp]
    data["target"] = _is_target(entity)
    return data


#: the entity keys `_published` writes itself (ValueEntity's envelope)
_ENVELOPE = frozenset({"id", "schema", "properties", "caption", "datasets", "referents", "first_seen", "last_seen", "last_change"})


def _known_properties(entity: _Entity) -> dict[str, list[str]]:
    """The properties the entity's schema defines (values as published), bookkeeping left out."""
    return {
        name: values
        for name, values in entity.properties.items()
        if values and name not in _BOOKKEEPING and entity.schema.get(name) is not None
    }


def _is_target(entity: _Entity) -> bool:
    """Whether the publisher calls the entity a target: its `target`, else a risk topic (yente's rule)."""
    stated = entity.data.get("target")
    if isinstance(stated, bool):
        return stated
    return bool(registry.topic.RISKS.intersection(entity.properties.get("topics", [])))


def with_dataset(snapshot: ParsedSnapshot, dataset: str) -> ParsedSnapshot:
    """The snapshot as the one dataset `dataset` (`load --dataset NAME`): its scope and every entity's datasets."""
    snapshot.scope = dataset
    for record in snapshot.records:
        record.datasets = [dataset]
    for entity in snapshot.entities:
        entity["datasets"] = [dataset]
    return snapshot


class _Notes:
    """Snapshot notes; dangling references are grouped per schema and property, with a few examples each."""

    def __init__(self) -> None:
        self._plain: list[str] = []
        self._dangling: dict[str, list[str]] = {}

    def add(self, text: str) -> None:
        self._plain.append(text)

    def dangling(self, entity: _Entity, prop: str, target: str) -> None:
        where = f"{entity.schema.name}.{prop}"
        self._dangling.setdefault(where, []).append(f"{entity.id} (line {entity.line}) → {target}")

    def lines(self) -> list[str]:
        grouped = [
            f"{len(examples)} {where} references to entities not in the file: "
            + "; ".join(examples[:5])
            + (" ..." if len(examples) > 5 else "")
            for where, examples in self._dangling.items()
        ]
        return grouped + self._plain


def _related_note(related: Counter[str]) -> list[str]:
    if not related:
        return []
    counts = ", ".join(f"{count} {schema}" for schema, count in related.most_common())
    return [f"kept {counts} entities as related entities, not records (relationships and other non-entries)"]


def _collect(lines: Iterable[bytes | str], label: str) -> _Collected:
    """Read every line; keep things, addresses, sanctions and documents; count the rest."""
    collected = _Collected()
    ids = UniqueIds(label)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        entity = _entity(raw, label, number)
        ids.add(entity.id, f"line {number}", line=number)
        collected.all.append(entity)
        for referent in entity.data.get("referents") or []:
            if isinstance(referent, str):
                collected.merged_ids.setdefault(referent, entity.id)
        schema = entity.schema
        if kind_of(schema) is not None:
            collected.things.append(entity)
        elif schema.is_a("Address"):
            collected.addresses[entity.id] = entity
        elif schema.is_a("Sanction"):
            collected.sanctions.append(entity)
        elif schema.is_a("Identification"):
            collected.documents.append(entity)
        else:
            collected.related[schema.name] += 1
    return collected


def _entity(raw: bytes | str, label: str, line: int) -> _Entity:
    """One line as an entity; anything that is not an FtM entity object raises SourceError."""
    try:
        data = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if isinstance(raw, bytes):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise SourceError(
                    label, f"not valid UTF-8 (byte {raw[bad.start]:#04x}); wrong encoding or a damaged file", line=line
                ) from None
        raise SourceError(label, f"invalid JSON ({error}): the file is truncated or damaged", line=line) from None
    if not isinstance(data, dict):
        raise SourceError(label, f"expected an entity object, found JSON {type(data).__name__}", line=line)
    entity_id, schema_name, properties = data.get("id"), data.get("schema"), data.get("properties")
    if not isinstance(entity_id, str) or not entity_id.strip():
        raise SourceError(label, "entity without an id", line=line)
    if not isinstance(schema_name, str):
        raise SourceError(label, f"entity {entity_id!r} has no schema", line=line)
    schema = model.get(schema_name)
    if schema is None:
        raise SourceError(label, f"entity {entity_id!r} has an unknown FtM schema {schema_name!r}", line=line)
    if schema.abstract:
        raise SourceError(label, f"entity {entity_id!r} has the abstract schema {schema_name!r}", line=line)
    if properties is None:
        properties = {}
    if not isinstance(properties, dict):
        raise SourceError(label, f"entity {entity_id!r}: 'properties' is not an object", line=line)
    data["properties"] = {name: _value_list(values) for name, values in properties.items()}
    return _Entity(line, entity_id, schema, data)


def _value_list(values: Any) -> list[str]:
    """Property values as a list of strings (FtM writers emit lists; a bare value is accepted)."""
    items = values if isinstance(values, list) else [values]
    texts = (item if isinstance(item, str) else stringify(item) for item in items)
    return [text for text in texts if text is not None]


def _thing_record(entity: _Entity, source: str) -> Record:
    """A thing entity as a Record (addresses, sanctions and documents are attached afterwards)."""
    kind = kind_of(entity.schema)
    assert kind is not None
    record = Record(source=source, source_id=entity.id, kind=kind)
    props = entity.properties
    record.names, leftover_parts = _names(props, _caption(entity))
    for prop_name, part in leftover_parts:
        record.keep_unparsed(prop_name, part)
    for prop_name, values in props.items():
        if prop_name in NAME_TYPES or prop_name in _PART_FIELDS or prop_name in _OTHER_PARTS:
            continue
        if prop_name in _BOOKKEEPING or prop_name == "addressEntity":
            continue
        prop = entity.schema.get(prop_name)
        for raw in values:
            value = clean(raw)
            if value is None:
                continue
            if prop_name == "topics":
                continue  # kept with the published properties (`ftm_properties`)
            if prop is None:
                record.keep_unparsed(prop_name, value)  # a property this FtM version does not know
            else:
                _add_property(record, prop, value)
    _add_context(record, entity)
    return record


def _caption(entity: _Entity) -> str | None:
    """The caption OpenSanctions wrote, else the one FtM computes from the properties."""
    caption = entity.data.get("caption")
    if isinstance(caption, str) and (text := clean(caption)):
        return text  # cleaned like the names, so that it is found among them
    proxy = EntityProxy(entity.schema, {"id": entity.id, "properties": entity.properties}, cleaned=True)
    return proxy.caption if proxy.caption != entity.schema.label else None


def _add_property(record: Record, prop: Property, value: str) -> None:
    """Map one thing property value onto the record (unmapped ones are kept unparsed)."""
    prop_name = prop.name
    if prop_name in REGIME_PROPS:
        append_unique(record.regimes, value)
    elif prop.type == registry.identifier:
        _add_identifier(record, Identifier(type=identifier_type(prop_name), value=_identifier_value(prop_name, value)))
    elif prop_name == "birthDate":
        _add_birth_date(record, value)
    elif prop_name == "birthPlace":
        append_unique(record.birth_places, value)
    elif prop_name == "birthCountry":
        place = registry.country.caption(value) if registry.country.clean(value) else None
        if place is None:
            record.keep_unparsed(prop_name, value)
        else:
            append_unique(record.birth_places, place)
    elif prop_name in _COUNTRY_PROPS:
        add_country(record, getattr(record, _COUNTRY_PROPS[prop_name]), value, prop_name)
    elif prop_name == "gender":
        gender = parse_gender(value)
        if gender is None:
            record.keep_unparsed(prop_name, value)  # FtM also knows "other"
        else:
            record.gender = gender
    elif prop_name == "address":
        _add_address(record, Address(full=value))
    elif prop_name in _POSITION_PROPS:
        append_unique(record.positions, value)
    elif prop_name in _REMARK_PROPS:
        append_unique(record.remarks, value)
    elif prop_name == "sourceUrl":
        append_unique(record.remarks, f"sourceUrl: {value}")
    else:
        record.keep_unparsed(prop_name, value)


_IMO_RE = re.compile(r"^IMO\s*(\d{7})$", re.IGNORECASE)


def _identifier_value(prop_name: str, value: str) -> str:
    """The number as the other parsers keep it: FtM writes IMO numbers "IMO9074729", lists write the digits."""
    if prop_name == "imoNumber" and (match := _IMO_RE.match(value)):
        return match.group(1)
    return value


def _add_context(record: Record, entity: _Entity) -> None:
    """Keep the entity as its publisher states it: schema, properties, datasets, target, dates, referents.

    `first_seen` and `last_change` are kept (they change only when the publisher first saw or
    last changed the entity); `last_seen` is not: it moves with every export run.
    """
    data = entity.data
    record.ftm_schema = entity.schema.name
    record.ftm_properties = _known_properties(entity)
    record.datasets = list(data["datasets"])
    record.target = _is_target(entity)
    for stamp in ("first_seen", "last_change"):
        if isinstance(value := data.get(stamp), str) and value.strip():
            setattr(record, stamp, value.strip())
    for referent in data.get("referents") or []:
        if isinstance(referent, str) and referent.strip() and referent != record.source_id:
            append_unique(record.cross_refs, f"ftm:{referent.strip()}")


def _add_birth_date(record: Record, value: str) -> None:
    date = ftm_fuzzy_date(value)
    if date is None:
        record.keep_unparsed("birthDate", value)
    elif date not in record.birth_dates:
        record.birth_dates.append(date)


@lru_cache(maxsize=1 << 16)  # birth dates repeat across a large file; FuzzyDate is immutable
def ftm_fuzzy_date(text: str) -> FuzzyDate | None:
    """An FtM date (ISO prefix, possibly with a time) as a FuzzyDate; other text via `parse_fuzzy_date`."""
    iso = registry.date.clean(text)
    if iso is not None:
        prefix = iso[:10]
        return FuzzyDate(value=prefix, raw=text if text != prefix else None)
    return parse_fuzzy_date(text)


def _add_identifier(record: Record, identifier: Identifier) -> None:
    """Add an identifier once; a richer statement of the same number (with country or note) wins."""
    for index, known in enumerate(record.identifiers):
        if known.type == identifier.type and known.value == identifier.value:
            if (known.country, known.note) == (None, None):
                record.identifiers[index] = identifier
            return
    record.identifiers.append(identifier)


def _add_address(record: Record, address: Address) -> None:
    """Add an address once per text; the statement with a country wins."""
    key = address.full.casefold()
    for index, known in enumerate(record.addresses):
        if known.full.casefold() == key:
            if known.country is None and address.country is not None:
                record.addresses[index] = address
            return
    record.addresses.append(address)


def _attach_addresses(record: Record, entity: _Entity, collected: _Collected, notes: _Notes) -> set[str]:
    """Add the Address entities the thing refers to; returns the Address ids used."""
    used: set[str] = set()
    for address_id in collected.references(entity, "addressEntity"):
        address = collected.addresses.get(address_id)
        if address is None:
            record.keep_unparsed("addressEntity", address_id)
            notes.dangling(entity, "addressEntity", address_id)
            continue
        used.add(address_id)
        for item in address_of(address.properties):
            _add_address(record, item)
    return used


def address_of(props: dict[str, list[str]]) -> list[Address]:
    """The addresses an FtM Address entity states: each `full` text, else one built from its parts."""
    country = next((c for c in map(registry.country.clean, props.get("country", [])) if c), None)
    texts = [c for full in props.get("full", []) if (c := clean(full))]
    if not texts:
        parts = ("street", "street2", "postOfficeBox", "postalCode", "city", "region", "state")
        built = joined(value for part in parts for value in props.get(part, []))
        texts = [built] if built else []
    return [Address(full=text, country=country) for text in texts]


def _attach_sanction(record: Record, sanction: _Entity) -> list[str]:
    """A Sanction on the record: regimes, reason, a remark with the rest; returns its listing dates."""
    props = sanction.properties
    for prop_name in REGIME_PROPS:
        for value in props.get(prop_name, []):
            append_unique(record.regimes, clean(value))
    for reason in props.get("reason", []):
        _add_reason(record, clean(reason))
    # The Sanction itself (authority, provisions, status, dates...) is kept as published, a related entity.
    # A sanction's listing date; its start date where it states none (the UK and OFAC state only that).
    return props.get("listingDate") or props.get("startDate") or []


def _describe(props: dict[str, list[str]], skip: set[str]) -> str:
    """ "prop: value, value; prop: value" for the properties not in `skip` (bookkeeping never shown)."""
    return "; ".join(
        f"{name}: {', '.join(texts)}"
        for name, values in props.items()
        if name not in skip and name not in _BOOKKEEPING and (texts := [c for v in values if (c := clean(v))])
    )


def _add_reason(record: Record, reason: str | None) -> None:
    if not reason:
        return
    known = record.reason.split("\n") if record.reason else []
    if reason not in known:
        record.reason = "\n".join([*known, reason])


def _set_listed_on(record: Record, stated: list[str]) -> None:
    """listed_on: the earliest full day among the listing dates; partial dates are kept unparsed."""
    days: list[str] = []
    for value in stated:
        iso = registry.date.clean(value)
        if iso is not None and len(iso) >= 10:
            days.append(iso[:10])
        else:
            record.keep_unparsed("listingDate", value)
    if days:
        record.listed_on = min(days)


def _attach_document(record: Record, document: _Entity, notes: _Notes) -> None:
    """A Passport or Identification entity as an identifier of its holder."""
    props = document.properties
    numbers = [c for prop in ("number", "passportNumber") for v in props.get(prop, []) if (c := clean(v))]
    if not numbers:
        notes.add(f"{document.schema.name} {document.id} (line {document.line}) of {record.source_id} states no number")
        return
    kind_text = joined(props.get("type", []))
    id_type = "passport" if document.schema.is_a("Passport") else _document_type(kind_text)
    country = next((c for c in map(registry.country.clean, props.get("country", [])) if c), None)
    note = _describe(props, skip={"holder", "number", "passportNumber", "country"})
    for number in dict.fromkeys(numbers):
        _add_identifier(record, Identifier(type=id_type, value=number, country=country, note=note or None))


def _document_type(text: str | None) -> str:
    """The identifier type an Identification's free-text `type` names."""
    lowered = (text or "").lower()
    for words, id_type in (
        (("passport",), "passport"),
        (("tax", "inn"), "tax_id"),
        (("national", "id card", "identity card"), "national_id"),
        (("registration", "registry"), "registration"),
    ):
        if any(word in lowered for word in words):
            return id_type
    return "other"


# --- names ----------------------------------------------------------------------------------


def _names(props: dict[str, list[str]], caption: str | None) -> tuple[list[Name], list[tuple[str, str]]]:
    """The entity's names with their parts, and the part values that occur in no name."""
    full_names: dict[tuple[str, NameType], None] = {}
    for prop_name, name_type in NAME_TYPES.items():
        for raw in props.get(prop_name, []):
            if text := clean(raw):
                full_names[(text, name_type)] = None
    ordered = list(full_names)
    if caption is not None and (caption, NameType.PRIMARY) in full_names:
        # The FtM caption leads, so that Record.caption is the name OpenSanctions shows.
        ordered.remove((caption, NameType.PRIMARY))
        ordered.insert(0, (caption, NameType.PRIMARY))
    candidates = {
        prop: list(dict.fromkeys(t for raw in props.get(prop, []) if (t := _tokens(raw)))) for prop in _PART_FIELDS
    }
    words = {text: _Words(text) for text, _ in ordered}
    names = [Name(full=text, type=name_type, **_parts(words[text], candidates)) for text, name_type in ordered]
    leftover = [
        (prop, raw)
        for prop in (*_PART_FIELDS, *sorted(_OTHER_PARTS))
        for raw in props.get(prop, [])
        if (tokens := _tokens(raw)) and not any(w.find(tokens) for w in words.values())
    ]
    return names, leftover


_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*")


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(match.group(0).casefold() for match in _TOKEN_RE.finditer(text))


class _Words:
    """The words of a name, casefolded, with where each stands in the text."""

    def __init__(self, text: str):
        self.text = text
        matches = list(_TOKEN_RE.finditer(text))
        self.words = tuple(m.group(0).casefold() for m in matches)
        self.spans = [m.span() for m in matches]

    def find(self, tokens: tuple[str, ...], taken: frozenset[int] = frozenset()) -> list[int]:
        """Word positions where `tokens` occur, avoiding positions already taken."""
        if tokens[0] not in self.words:
            return []  # the usual case, answered without scanning
        width = len(tokens)
        return [
            start
            for start in range(len(self.words) - width + 1)
            if self.words[start : start + width] == tokens and taken.isdisjoint(range(start, start + width))
        ]

    def cut(self, start: int, width: int) -> str:
        """The text of words start..start+width, as the name writes it."""
        return self.text[self.spans[start][0] : self.spans[start + width - 1][1]]


def _parts(words: _Words, candidates: dict[str, list[tuple[str, ...]]]) -> dict[str, str]:
    """given/patronymic/family of one name: the longest part value that occurs in it as whole words.

    Family first, then patronymic, then given, each avoiding words already assigned (FtM often
    gives "Maria Aleksandrovna" as a first name next to the patronymic "Aleksandrovna"). The part
    is cut from the name itself, so it is written as the name writes it. The choice depends only
    on which candidates exist, so exported parts (a subset holding the chosen ones) re-import the same.
    """
    taken: set[int] = set()
    parts: dict[str, str] = {}
    for prop, field_name in _PART_FIELDS.items():
        best: tuple[int, int] | None = None  # (-width, start): longest, then leftmost
        for tokens in candidates[prop]:
            for start in words.find(tokens, frozenset(taken)):
                key = (-len(tokens), start)
                if best is None or key < best:
                    best = key
        if best is not None:
            width, start = -best[0], best[1]
            parts[field_name] = words.cut(start, width)
            taken.update(range(start, start + width))
    return parts
