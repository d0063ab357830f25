"""One mapping of sanctionscope's data to FollowTheMoney entities, built on followthemoney's `ValueEntity`.

Used by the FtM export (`export.export_entities`) and by the HTTP API's entities (`api/entities.py`):

- `record_entity(record) -> ValueEntity`: a record's thing. A record imported from FtM
  (`record.ftm_schema` set) is its publisher's entity, unchanged: the publisher's id ("NK-…"),
  schema ("Company" stays Company), properties as published (topics included), datasets,
  referents, `target`, `first_seen` and `last_change`. A record of an official list is built
  from its fields: id `entity_id(record)` ("us-ofac-sdn-21186"), the kind's schema (Company
  for an organization with identifiers only companies have), every value validated by its
  property type (what a schema or type refuses goes to the notes, never dropped), topics
  ["sanction"] and target for a listing, datasets [its source].
- `listing_entities(record, thing) -> list[ValueEntity]`: what an official list states about a
  record as FtM states it in entities of their own: one Address entity per address (linked by
  the thing's `addressEntity`) and a Sanction entity for a listing (program, listing date,
  reason, authority, source URL, country of the jurisdiction). An FtM record gets none: its
  publisher's own Sanction, Address, Ownership... entities are stored as published
  (`store/ftm_graph.py`).
- `subject_entity(subject) -> ValueEntity`: a subject's records' things merged into one entity
  (`ValueEntity.merge`: the most specific common schema, every value, the earliest first_seen,
  the latest last_change), under `public_id(subject)`, with every other id it answers to
  (`entity_aliases`) as referents.
- `entity_json(entity) -> dict`: the entity as yente sends it (id, caption, schema,
  properties, datasets, referents, target, first_seen, last_seen, last_change).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from followthemoney import ValueEntity, model, registry
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema
from followthemoney.util import make_entity_id, sanitize_text
from rigour.territories import get_territory

from sanctionscope.model import Address, FuzzyDate, Identifier, Record
from sanctionscope.resolve.subjects import Subject
from sanctionscope.sources.common import joined
from sanctionscope.sources.ftm import EXPORT_FALLBACK_PROPS, NAME_TYPES, REGIME_PROPS, SCHEMA_OF_KIND, identifier_type
from sanctionscope.sources.registry import SOURCES, jurisdiction_of

#: the topic OpenSanctions gives a sanctioned entity
SANCTION_TOPIC = "sanction"


def _known(values: Iterable[str | None]) -> Iterator[str]:
    """The dates that are known, for the earliest or latest of them."""
    return (value for value in values if value is not None)


def record_entity(record: Record) -> ValueEntity:
    """The record's thing: the publisher's own entity for an FtM record, else built from the record's fields."""
    if record.ftm_schema is not None:
        return _published_thing(record)
    thing = _thing_proxy(record)
    thing._caption = record.caption  # FtM would pick its own among the names
    thing.datasets = {record.source}
    if is_listing(record):
        thing.add("topics", SANCTION_TOPIC)
    return thing


def is_target(record: Record) -> bool:
    """Whether the record is a target: as its FtM publisher says, else whether it is a sanctions listing."""
    return record.target if record.target is not None else is_listing(record)


def listing_entities(record: Record, thing: ValueEntity) -> list[ValueEntity]:
    """The Address entities and, for a listing, the Sanction entity of an official list's record (none for FtM)."""
    if record.ftm_schema is not None:
        return []
    related = _address_proxies(record, thing)
    if is_listing(record):
        related.append(_sanction_proxy(record, thing))
    for entity in related:
        entity.datasets = {record.source}
    return related


def public_id(subject: Subject) -> str:
    """The id a subject is served under: its first FtM record's publisher id ("NK-…"), else the subject id."""
    for record in subject.records:
        if record.ftm_schema is not None:
            return record.source_id
    return subject.id


def entity_aliases(subject: Subject) -> list[str]:
    """Every id the subject answers to: subject id, record ids, publisher ids, FtM referents, things' ids."""
    aliases: dict[str, None] = {subject.id: None}
    for record in subject.records:
        aliases[record.id] = None
        aliases[thing_id(record)] = None
        for ref in record.cross_refs:
            if ref.startswith("ftm:"):
                aliases[ref.removeprefix("ftm:")] = None
    return list(aliases)


def thing_id(record: Record) -> str:
    """The FtM id of the record's thing: the publisher's for an FtM record, else `entity_id`."""
    return record.source_id if record.ftm_schema is not None else entity_id(record)


def subject_entity(subject: Subject) -> ValueEntity:
    """The subject as one entity: its records' things merged, under its public id, with its aliases as referents."""
    things = [record_entity(record) for record in subject.records]
    if not things:
        raise ValueError(f"subject {subject.id} has no records")
    merged = things[0]
    for other in things[1:]:
        _merge(merged, other)
    merged.id = public_id(subject)
    merged._caption = subject.caption
    merged.referents = {alias for alias in entity_aliases(subject) if alias != merged.id} | merged.referents
    merged.referents.discard(merged.id)
    # a record's dates: its publisher's where it states them (FtM), else its snapshots' (first and last
    # seen, and the last day it was added or removed)
    histories = subject.histories
    merged.first_seen = min(_known(h.record.first_seen or h.presence["first_seen"] for h in histories), default=None)
    merged.last_seen = max(_known(h.presence["last_seen"] for h in histories), default=None)
    merged.last_change = max(
        _known(h.record.last_change or h.presence["removed_on"] or h.presence["first_seen"] for h in histories),
        default=None,
    )
    return merged


def _merge(base: ValueEntity, other: ValueEntity) -> None:
    """Merge another record's thing in; where the schemata cannot merge (Person and Company), the base's schema stays."""
    try:
        base.merge(other)
    except InvalidData:
        for prop, values in other.properties.items():
            if base.schema.get(prop) is not None:
                base.add(prop, values, cleaned=True, quiet=True)
        base.datasets |= other.datasets
        base.referents |= other.referents


def caption_of(entity: ValueEntity) -> str:
    """The caption the publisher or sanctionscope gave, else the one FtM picks among the names."""
    return entity._caption or entity.caption


def entity_json(entity: ValueEntity, *, target: bool) -> dict[str, Any]:
    """The entity as yente sends it: id, caption, schema, properties, datasets, referents, target, dates."""
    return {
        "id": entity.id,
        "caption": caption_of(entity),
        "schema": entity.schema.name,
        "properties": {prop: list(values) for prop, values in entity.properties.items()},
        "datasets": sorted(entity.datasets),
        "referents": sorted(entity.referents),
        "target": target,
        "first_seen": entity.first_seen,
        "last_seen": entity.last_seen,
        "last_change": entity.last_change,
    }


def published_entity(data: dict[str, Any]) -> ValueEntity:
    """A stored FtM entity dict (as imported) as a ValueEntity."""
    return ValueEntity(model[data["schema"]], dict(data))


def _published_thing(record: Record) -> ValueEntity:
    assert record.ftm_schema is not None
    thing = ValueEntity(
        model[record.ftm_schema],
        {
            "id": record.source_id,
            "properties": {prop: list(values) for prop, values in record.ftm_properties.items()},
            "caption": record.caption,
            "datasets": record.datasets,
            "referents": [ref.removeprefix("ftm:") for ref in record.cross_refs if ref.startswith("ftm:")],
            "first_seen": record.first_seen,
            "last_change": record.last_change,
        },
    )
    return thing


def is_listing(record: Record) -> bool:
    """Whether the record is a sanctions listing: an official list's entry, or one stating a program or listing.

    Records imported from generic FtM data (party donations...) are not sanctions, and an FtM
    record is one only if its publisher gives it a sanction topic.
    """
    if record.ftm_schema is not None:
        return SANCTION_TOPIC in record.ftm_properties.get("topics", [])
    return bool(record.regimes or record.listed_on or record.reason) or jurisdiction_of(record.source) != "xx"


def _new(schema: Schema) -> ValueEntity:
    return ValueEntity(schema, {})


def entity_id(record: Record) -> str:
    """A deterministic, valid FtM id for a record: "<source>-<source id>", hashed where it had to be cut."""
    source = _slug(record.source)
    slug = _slug(record.source_id)
    if slug == record.source_id and len(source) + len(slug) < 150:
        return f"{source}-{slug}"
    # The id needed changes ("32020R1998#2"): a hash keeps distinct ids distinct.
    return f"{source}-{slug[:100]}-{_digest(record.id)[:12]}"


def _digest(*parts: str | None) -> str:
    """FtM's SHA-1 entity-id hash of the parts (at least one part is non-empty)."""
    digest = make_entity_id(*parts)
    if digest is None:
        raise ValueError("nothing to hash")
    return digest


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z.-]+", "-", text).strip(".-") or "x"


def _put(proxy: ValueEntity, prop_name: str, value: str | None, label: str, fallback: str = "notes") -> None:
    """Add a value through the library's validation; if the schema or the type refuses it, note it."""
    if value is None or value == "":
        return
    prop = proxy.schema.get(prop_name)
    text = sanitize_text(value)  # what `add` does first (drops soft hyphens and other invisible characters)
    # unsafe_add cleans with the property's format (INN, OGRN, IMO, LEI checksums...) and says what it kept
    if prop is None or prop.stub or not text or proxy.unsafe_add(prop, text) is None:
        proxy.add(fallback, f"{label}: {value}")


def _export_schema(record: Record) -> Schema:
    """The kind's schema; Company for an organization with identifiers only companies have (kppCode, imoNumber...)."""
    schema = model.get(SCHEMA_OF_KIND[record.kind])
    assert schema is not None
    if schema.name == "Organization":
        company = model["Company"]
        needs_company = any(
            _identifier_prop(schema, i.type) is None and _identifier_prop(company, i.type) is not None
            for i in record.identifiers
        )
        return company if needs_company else schema
    return schema


def _thing_proxy(record: Record) -> ValueEntity:
    proxy = _new(_export_schema(record))
    proxy.id = entity_id(record)
    _put_names(proxy, record)
    for date in record.birth_dates:
        for value in _ftm_dates(date):
            _put(proxy, "birthDate", value, "Date of birth")
        if date.circa or date.until:
            proxy.add("notes", f"Date of birth: {date.raw or date.value}")
    for place in record.birth_places:
        _put(proxy, "birthPlace", place, "Place of birth")
    for prop_name, values in (
        ("nationality", record.nationalities),
        ("citizenship", record.citizenships),
        ("country", record.countries),
    ):
        for code in values:
            _put(proxy, prop_name, code, prop_name)
    if record.gender:
        _put(proxy, "gender", record.gender, "Gender")
    for identifier in record.identifiers:
        _put_identifier(proxy, identifier)
    for address in record.addresses:
        _put(proxy, "address", address.full, "Address")
        if proxy.schema.get("addressEntity") is not None:
            proxy.add("addressEntity", _address_id(proxy, address))
    for position in record.positions:
        _put(proxy, "position", position, "Position")
    for remark in record.remarks:
        _put(proxy, "notes", remark, "Remark")
    for ref in record.cross_refs:
        if not ref.startswith("ftm:"):
            proxy.add("notes", f"Cross-reference: {ref}")
    for field_name, values in record.unparsed.items():
        for value in values:
            proxy.add("notes", f"{field_name}: {value}")
    return proxy


def _put_names(proxy: ValueEntity, record: Record) -> None:
    export_props = {name_type: prop for prop, name_type in NAME_TYPES.items() if prop != "abbreviation"}
    for name in record.names:
        _put(proxy, export_props[name.type], name.full, name.type.value)
        for prop_name, part in (("firstName", name.given), ("fatherName", name.patronymic), ("lastName", name.family)):
            if part and proxy.schema.get(prop_name) is not None:
                proxy.add(prop_name, part)


def _ftm_dates(date: FuzzyDate) -> list[str]:
    """FtM date values for a FuzzyDate: the date, or each year of a range (FtM has no ranges)."""
    if date.value is None:
        return []
    if date.until is None:
        return [date.value]
    return [str(year) for year in date.years]


def _put_identifier(proxy: ValueEntity, identifier: Identifier) -> None:
    prop_name = _identifier_prop(proxy.schema, identifier.type)
    label = f"{identifier.type} {identifier.value}"
    if prop_name is None:
        proxy.add("notes", f"Identifier {label}")
        return
    _put(proxy, prop_name, identifier.value, f"Identifier {identifier.type}")
    details = joined([identifier.country, identifier.note], sep="; ")
    if details:
        proxy.add("notes", f"Identifier {label}: {details}")


def _identifier_prop(schema: Schema, id_type: str) -> str | None:
    """The FtM property of an identifier type on this schema (the inverse of `identifier_type`)."""
    for prop in schema.properties.values():
        if (prop.type == registry.identifier and not prop.stub and prop.name not in REGIME_PROPS
                and identifier_type(prop.name) == id_type):
            return prop.name
    fallback = EXPORT_FALLBACK_PROPS.get(id_type)
    return fallback if fallback is not None and schema.get(fallback) is not None else None


def _address_id(thing: ValueEntity, address: Address) -> str:
    return f"{thing.id}-addr-{_digest(address.full, address.country)[:16]}"


def _address_proxies(record: Record, thing: ValueEntity) -> list[ValueEntity]:
    """Address entities (with country), the ones the thing points at through addressEntity."""
    if thing.schema.get("addressEntity") is None:
        return []
    proxies = []
    for address in record.addresses:
        proxy = _new(model["Address"])
        proxy.id = _address_id(thing, address)
        proxy.add("full", address.full)
        if address.country:
            _put(proxy, "country", address.country, "Country", fallback="summary")
        proxies.append(proxy)
    return proxies


def _sanction_proxy(record: Record, thing: ValueEntity) -> ValueEntity:
    """The record's listing as a Sanction entity."""
    jurisdiction = jurisdiction_of(record.source)
    proxy = _new(model["Sanction"])
    proxy.id = f"{thing.id}-sanction"
    proxy.add("entity", thing.id)
    info = SOURCES.get(record.source)
    if info is not None and info.jurisdiction != "xx":
        proxy.add("authority", info.publisher)
        proxy.add("sourceUrl", list(info.urls))
    territory = get_territory(jurisdiction)
    if territory is not None and territory.is_country:
        proxy.add("country", jurisdiction)
    for regime in record.regimes:
        _put(proxy, "program", regime, "Program", fallback="summary")
    _put(proxy, "listingDate", record.listed_on, "Listed on", fallback="summary")
    _put(proxy, "reason", record.reason, "Reason", fallback="summary")
    for ref in record.cross_refs:
        if ref.startswith("un_sc:"):
            _put(proxy, "unscId", ref.removeprefix("un_sc:"), "UN reference", fallback="summary")
    return proxy
