"""Queries: what a user knows about a person or organization, from arguments, table rows or yente entities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sanctionscope.model import FuzzyDate
from sanctionscope.sources.values import country_code, parse_fuzzy_date, parse_gender

SCHEMA_OF_KIND = {"person": "Person", "organization": "Organization", "vessel": "Vessel", "aircraft": "Airplane"}
KIND_OF_SCHEMA = {schema.lower(): kind for kind, schema in SCHEMA_OF_KIND.items()} | {
    "company": "organization",
    "publicbody": "organization",
    "legalentity": "unknown",
    "thing": "unknown",
    "any": "unknown",
}

#: FollowTheMoney properties that carry identifiers a query may state
IDENTIFIER_PROPERTIES = (
    "idNumber",
    "passportNumber",
    "taxNumber",
    "registrationNumber",
    "innCode",
    "ogrnCode",
    "leiCode",
    "swiftBic",
    "imoNumber",
    "vatCode",
)
COUNTRY_PROPERTIES = ("nationality", "citizenship", "country", "jurisdiction")


class QueryError(ValueError):
    """A query that cannot be understood; the message names the field."""


@dataclass(frozen=True)
class Query:
    """What the user knows: names (any script), and optionally kind, birth dates, countries, identifiers."""

    names: Sequence[str]
    kind: str | None = None
    birth_dates: Sequence[FuzzyDate] = ()
    countries: Sequence[str] = ()
    identifiers: Sequence[str] = ()
    gender: str | None = None


def kind_of_schema(schema: str | None) -> str | None:
    """ "Person" → "person"; None for no schema; QueryError for one sanctionscope does not know."""
    if not schema:
        return None
    kind = KIND_OF_SCHEMA.get(schema.strip().lower())
    if kind is None:
        raise QueryError(f"schema: unknown schema {schema!r} (use one of {', '.join(SCHEMA_OF_KIND.values())})")
    return kind


def parse_birth_dates(values: Iterable[str]) -> list[FuzzyDate]:
    dates = []
    for value in values:
        if not value or not value.strip():
            continue
        parsed = parse_fuzzy_date(value)
        if parsed is None or parsed.value is None:
            raise QueryError(f"birth date: cannot read {value!r} (use YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY)")
        dates.append(parsed)
    return dates


def parse_countries(values: Iterable[str]) -> list[str]:
    codes = []
    for value in values:
        if not value or not value.strip():
            continue
        code = country_code(value)
        if code is None:
            raise QueryError(f"country: unknown country {value!r}")
        codes.append(code)
    return codes


def build_query(
    names: Sequence[str],
    *,
    schema: str | None = None,
    birth_dates: Iterable[str] = (),
    countries: Iterable[str] = (),
    identifiers: Iterable[str] = (),
    gender: str | None = None,
) -> Query:
    """A query from plain text values, checked: QueryError names the field that cannot be read."""
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        raise QueryError("name: a query needs at least one name")
    for name in names:
        if len(name) > 500:
            raise QueryError(f"name: {len(name)} characters is not a name (at most 500)")
    return Query(
        names=names,
        kind=kind_of_schema(schema),
        birth_dates=parse_birth_dates(birth_dates),
        countries=parse_countries(countries),
        identifiers=[i.strip() for i in identifiers if i and i.strip()],
        gender=parse_gender(gender),
    )


def _values(properties: Mapping[str, Any], name: str) -> list[str]:
    value = properties.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise QueryError(f"properties.{name}: expected a list of strings")


def query_from_entity(entity: Mapping[str, Any]) -> Query:
    """A yente-style query entity: {"schema": "Person", "properties": {"name": [...], "birthDate": [...], ...}}."""
    properties = entity.get("properties")
    if not isinstance(properties, Mapping):
        raise QueryError("properties: expected an object of lists of strings")
    names = _values(properties, "name") + _values(properties, "alias")
    if not names:
        parts = [v for p in ("firstName", "middleName", "fatherName", "lastName") for v in _values(properties, p)]
        names = [" ".join(parts)] if parts else []
    genders = _values(properties, "gender")
    return build_query(
        names,
        schema=entity.get("schema"),
        birth_dates=_values(properties, "birthDate"),
        countries=[v for p in COUNTRY_PROPERTIES for v in _values(properties, p)],
        identifiers=[v for p in IDENTIFIER_PROPERTIES for v in _values(properties, p)],
        gender=genders[0] if genders else None,
    )
