"""yente's query entities ("examples") read as yente reads them: through FollowTheMoney, leniently.

A property may be a string or a list of strings and numbers (`"country": "Russia"`,
`"birthDate": [1965]`); values are cleaned by followthemoney (Russia → ru, male/female), values
it cannot read and properties the schema does not have are dropped, as yente drops them. An
unknown or non-matchable schema refuses the request (400), as in yente.
"""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.schema import Schema

from sanctionscope.api.yente_models import EntityExample, QueryValue
from sanctionscope.match.query import Query, QueryError, query_from_entity

#: yente's base schema: the one non-matchable schema a query may name (it means "anything")
BASE_SCHEMA = "Thing"
#: FollowTheMoney schemata → the schema sanctionscope's matcher reads (kind of entity), most specific first
MATCHER_SCHEMATA = ("Person", "Organization", "Vessel", "Airplane")


def query_schema(name: str) -> Schema:
    """The FollowTheMoney schema a query names; 400 (yente's status) if unknown or not matchable."""
    schema = model.get(name)
    if schema is None:
        raise HTTPException(400, f"Cannot parse example entity: Unknown schema: {name!r}")
    if schema.name != BASE_SCHEMA and not schema.matchable:
        raise HTTPException(400, f"Cannot parse example entity: Non-matchable schema for query: {schema.name}")
    return schema


def property_values(value: QueryValue) -> list[str]:
    """A string, or a list of strings and numbers, as strings (None and blanks left out)."""
    values = value if isinstance(value, list) else [value]
    out = []
    for item in values:
        if item is None or isinstance(item, (dict, list)):
            continue  # yente reads scalars only
        text = str(int(item)) if isinstance(item, float) and item.is_integer() else str(item)
        if text.strip():
            out.append(text.strip())
    return out


def example_entity(schema: Schema, properties: dict[str, QueryValue]) -> EntityProxy:
    """The example as a FollowTheMoney entity: values cleaned, unknown properties dropped."""
    entity = model.make_entity(schema)
    for name, value in properties.items():
        prop = schema.get(name)
        if prop is None:
            continue
        for text in property_values(value):
            entity.unsafe_add(prop, text, cleaned=False, fuzzy=True)
    return entity


def matcher_schema(schema: Schema) -> str:
    """The schema the matcher reads: Company → Organization, Thing or Address → LegalEntity (any kind)."""
    return next((name for name in MATCHER_SCHEMATA if schema.is_a(name)), "LegalEntity")


def read_example(example: EntityExample) -> tuple[dict[str, Any], Query | QueryError]:
    """The example as yente echoes it (id, schema, cleaned properties) and the matcher's query.

    The query is a QueryError when nothing usable is left (no name, a name over 500 characters):
    the caller answers it for that query alone. An unknown schema refuses the request (400).
    """
    schema = query_schema(example.schema_)
    properties = dict(example_entity(schema, example.properties).properties)
    echo = {"id": example.id, "schema": schema.name, "properties": properties}
    try:
        return echo, query_from_entity({"schema": matcher_schema(schema), "properties": properties})
    except QueryError as error:
        return echo, error
