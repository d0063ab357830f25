"""Queries: what a user knows about a person or organization, from arguments, table rows or yente entities."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sanctionscope.model import FuzzyDate, Kind
from sanctionscope.model.values import country_code, parse_fuzzy_date, parse_gender

#: a kind's FollowTheMoney schema, and the kind of each schema a query may name (lower case)
SCHEMA_OF_KIND: dict[str, str] = {
    Kind.PERSON: "Person", Kind.ORGANIZATION: "Organization", Kind.VESSEL: "Vessel", Kind.AIRCRAFT: "Airplane",
}  # fmt: skip
KIND_OF_SCHEMA: dict[str, str] = {schema.lower(): kind for kind, schema in SCHEMA_OF_KIND.items()} | {
    "company": Kind.ORGANIZATION,
    "publicbody": Kind.ORGANIZATION,
    "legalentity": Kind.UNKNOWN,
    "thing": Kind.UNKNOWN,
    "any": Kind.UNKNOWN,
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


def _problem(warnings: list[str] | None, message: str) -> None:
    """A value that cannot be read: an error (strict), or a warning noted in `warnings` and the value skipped."""
    if warnings is None:
        raise QueryError(message)
    warnings.append(message)


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


def parse_birth_dates(values: Iterable[str], warnings: list[str] | None = None) -> list[FuzzyDate]:
    dates = []
    for value in values:
        if not value or not value.strip():
            continue
        parsed = parse_fuzzy_date(value)
        if parsed is None or parsed.value is None:
            _problem(warnings, f"birth date: cannot read {value!r} (use YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY)")
            continue
        dates.append(parsed)
    return dates


def parse_countries(values: Iterable[str], warnings: list[str] | None = None) -> list[str]:
    codes = []
    for value in values:
        if not value or not value.strip():
            continue
        code = country_code(value)
        if code is None:
            _problem(warnings, f"country: unknown country {value!r}")
            continue
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
    warnings: list[str] | None = None,
) -> Query:
    """A query from plain text values, checked: QueryError names the field that cannot be read.

    With a `warnings` list (batch screening), a value that cannot be read (a birth date, a
    country, the schema, an overlong name) is skipped and said there instead, so the query runs
    on what remains; only a query left without a usable name is an error.
    """
    names = [n.strip() for n in names if n and n.strip()]
    # a name is usable when it has a letter or digit ("!!! ---" or "..." names no one) and is not overlong
    usable = [name for name in names if len(name) <= 500 and any(c.isalnum() for c in name)]
    for name in names:
        if len(name) > 500:
            _problem(warnings, f"name: {len(name)} characters is not a name (at most 500)")
    if not usable:
        raise QueryError("name: a query needs at least one name" + (" it can use" if names else ""))
    try:
        kind = kind_of_schema(schema)
    except QueryError as error:
        _problem(warnings, str(error))
        kind = None
    return Query(
        names=usable,
        kind=kind,
        birth_dates=parse_birth_dates(birth_dates, warnings),
        countries=parse_countries(countries, warnings),
        identifiers=[i.strip() for i in identifiers if i and i.strip()],
        gender=parse_gender(gender),
    )


def _values(properties: Mapping[str, Any], name: str, warnings: list[str] | None = None) -> list[str]:
    value = properties.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    _problem(warnings, f"properties.{name}: expected a list of strings")
    return []


def query_from_entity(entity: Mapping[str, Any], warnings: list[str] | None = None) -> Query:
    """A yente-style query entity: {"schema": "Person", "properties": {"name": [...], "birthDate": [...], ...}}.

    `warnings`: as for `build_query`, values that cannot be read are skipped and said there.
    """
    properties = entity.get("properties")
    if not isinstance(properties, Mapping):
        raise QueryError("properties: expected an object of lists of strings")

    def values(*names: str) -> list[str]:
        return [v for name in names for v in _values(properties, name, warnings)]

    names = values("name", "alias")
    if not names:
        parts = values("firstName", "middleName", "fatherName", "lastName")
        names = [" ".join(parts)] if parts else []
    genders = values("gender")
    schema = entity.get("schema")
    if schema is not None and not isinstance(schema, str):
        _problem(warnings, "schema: expected a string")
        schema = None
    return build_query(
        names,
        schema=schema,
        birth_dates=values("birthDate"),
        countries=values(*COUNTRY_PROPERTIES),
        identifiers=values(*IDENTIFIER_PROPERTIES),
        gender=genders[0] if genders else None,
        warnings=warnings,
    )
