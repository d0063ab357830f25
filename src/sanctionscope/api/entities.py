"""Subjects as FollowTheMoney-style entities, the shape yente clients read."""

from __future__ import annotations

from typing import Any

from sanctionscope.match.query import SCHEMA_OF_KIND
from sanctionscope.resolve.subjects import Subject
from sanctionscope.sources.registry import jurisdiction_of

#: identifier types as lists name them → FollowTheMoney properties
IDENTIFIER_PROPERTIES = {"passport": "passportNumber", "tax_id": "taxNumber", "registration": "registrationNumber",
                         "imo": "imoNumber", "swift": "swiftBic", "lei": "leiCode"}  # fmt: skip


def _add(properties: dict[str, list[str]], name: str, value: str | None) -> None:
    if value and value not in properties.setdefault(name, []):
        properties[name].append(value)


def subject_properties(subject: Subject) -> dict[str, list[str]]:
    properties: dict[str, list[str]] = {}
    for record in subject.records:
        for name in record.names:
            _add(properties, "name" if name.type in ("primary", None) else "alias", name.full)
        for birth in record.birth_dates:
            _add(properties, "birthDate", birth.value)
        for place in record.birth_places:
            _add(properties, "birthPlace", place)
        for country in record.nationalities:
            _add(properties, "nationality", country)
        for country in record.citizenships:
            _add(properties, "citizenship", country)
        for country in record.countries:
            _add(properties, "country", country)
        _add(properties, "gender", record.gender)
        for identifier in record.identifiers:
            _add(properties, IDENTIFIER_PROPERTIES.get(identifier.type or "", "idNumber"), identifier.value)
        for position in record.positions:
            _add(properties, "position", position)
        for regime in record.regimes:
            _add(properties, "program", regime)
        _add(properties, "notes", record.reason)
    properties["topics"] = ["sanction"]
    if "name" not in properties and "alias" in properties:
        properties["name"] = [properties["alias"].pop(0)]  # every entity has a name
    return properties


def subject_entity(subject: Subject) -> dict[str, Any]:
    """The subject as an entity: id, caption, schema, properties, datasets, referents, dates."""
    first_seen = min((h.presence["first_seen"] for h in subject.histories), default=None)
    last_seen = max((h.presence["last_seen"] for h in subject.histories), default=None)
    changes = [h.presence["first_seen"] for h in subject.histories] + [
        h.presence["removed_on"] for h in subject.histories if h.presence["removed_on"]
    ]
    return {
        "id": subject.id,
        "caption": subject.caption,
        "schema": SCHEMA_OF_KIND.get(subject.kind, "LegalEntity"),
        "properties": subject_properties(subject),
        "datasets": sorted({h.record.source for h in subject.histories}),
        "jurisdictions": sorted({jurisdiction_of(h.record.source) for h in subject.histories}),
        "referents": subject.referents,
        "target": True,
        "first_seen": first_seen,
        "last_seen": last_seen,
        "last_change": max(changes, default=None),
    }
