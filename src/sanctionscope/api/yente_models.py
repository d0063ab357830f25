"""yente's request and response models (5.5.0), as the OpenAPI contract of the yente-compatible routes.

The routes answer with plain dicts serialised by orjson (the hot paths are not validated twice);
these models declare what they send, and tests validate real answers against a client generated
from /openapi.json. sanctionscope's own extras (jurisdictions, designations, our explanation)
are additional fields: every model allows them, so a yente client ignores them.
"""

from __future__ import annotations

import sys
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

#: what /match does with `weights` (README, the API table, says it in full)
WEIGHTS_HELP = (
    "Feature weights: ours (name, identifier, birth_date, country, gender, name_frequency) or yente's names for them "
    "(name_match, identifier_match, dob_day_disjoint, country_mismatch, gender_mismatch…); other names are ignored, as in yente."
)
#: a property value as yente takes it in a query: a string, or a list of strings and numbers
QueryValue = str | list[Any]


class Open(BaseModel):
    """A response model that keeps fields it does not declare (sanctionscope's extras)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)


class ErrorResponse(BaseModel):
    detail: str = Field(examples=["Detailed error message"])


class StatusResponse(Open):
    status: str = "ok"


class TotalSpec(BaseModel):
    value: int = Field(examples=[42])
    relation: str = Field("eq", examples=["eq"])


class EntityResponse(Open):
    """An entity: FollowTheMoney's id, caption, schema and properties, plus its datasets and dates."""

    id: str = Field(examples=["NK-2GdmHtZTeNXjNVrBGEXZNj"])
    caption: str = Field(examples=["Alexander Bastrykin"])
    schema_: str = Field(alias="schema", examples=["Person"])
    properties: dict[str, list[str | EntityResponse]] = Field(examples=[{"name": ["Alexander Bastrykin"]}])
    datasets: list[str] = Field(default_factory=list, examples=[["us_ofac_sdn"]])
    referents: list[str] = Field(default_factory=list, examples=[["us_ofac_sdn:21186"]])
    target: bool = False
    first_seen: str | None = Field(None, description="ISO datetime, seconds, no time zone", examples=["2021-03-02T00:00:00"])
    last_seen: str | None = Field(None, examples=["2025-11-20T00:00:00"])
    last_change: str | None = Field(None, examples=["2022-03-04T00:00:00"])


class FeatureExplanation(BaseModel):
    """One feature's part of a score, as yente explains it."""

    score: float
    detail: str | None = None
    query: str | None = Field(None, description="the query value the feature compared")
    candidate: str | None = Field(None, description="the candidate value it was compared with")


class ScoredEntityResponse(EntityResponse):
    score: float = Field(examples=[0.97])
    match: bool = Field(description="Whether the score is above the match threshold.")
    explanations: dict[str, FeatureExplanation] = Field(
        description="Per feature: its score, detail, and the query and candidate values it compared."
    )


class EntityExample(BaseModel):
    """A query entity as yente takes it: a schema (required) and properties (a string or a list each)."""

    id: str | None = Field(None, examples=["my-entity-id"])
    schema_: str = Field(alias="schema", examples=["Person"])
    properties: dict[str, QueryValue] = Field(examples=[{"name": ["Alexander Bastrykin"], "birthDate": ["1953-08-27"]}])
    model_config = ConfigDict(populate_by_name=True)


class EntityMatchQuery(BaseModel):
    queries: dict[str, EntityExample] = Field(
        examples=[{"q1": {"schema": "Person", "properties": {"name": ["Alisher Usmanov"]}}}]
    )
    weights: dict[str, float] = Field(default_factory=dict, description=WEIGHTS_HELP)
    config: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict, description="Algorithm configuration: no algorithm here takes any, a key is refused (400)."
    )


class EntityMatches(Open):
    status: int = Field(200, examples=[200])
    results: list[ScoredEntityResponse]
    total: TotalSpec
    query: EntityExample


class EntityMatchResponse(Open):
    responses: dict[str, EntityMatches]
    limit: int = Field(examples=[5])


class SearchFacetItem(BaseModel):
    name: str = Field(examples=["ru"])
    label: str = Field(examples=["Russia"])
    count: int = Field(1, examples=[42])


class SearchFacet(BaseModel):
    label: str = Field(examples=["Countries"])
    values: list[SearchFacetItem]


class SearchResponse(Open):
    limit: int = Field(examples=[10])
    offset: int = Field(0, examples=[0])
    total: TotalSpec
    results: list[EntityResponse]
    facets: dict[str, SearchFacet]


class DatasetModel(Open):
    """A dataset of the catalog: yente's fields (FollowTheMoney's dataset model plus index state)."""

    name: str = Field(examples=["us_ofac_sdn"])
    title: str = Field(examples=["OFAC Specially Designated Nationals"])
    summary: str | None = None
    url: str | None = None
    updated_at: str | None = Field(None, description="ISO datetime of the newest snapshot", examples=["2025-11-20T00:00:00"])
    last_export: str | None = None
    last_change: str | None = Field(None, description="ISO datetime: when an entity of it last changed")
    entity_count: int | None = None
    thing_count: int | None = None
    version: str | None = Field(None, examples=["20251120000000-abc"])
    category: str | None = None
    tags: list[str] = Field(default_factory=list)
    resources: list[dict[str, Any]] = Field(default_factory=list)
    children: list[str] = Field(default_factory=list)
    load: bool | None = None
    entities_url: str | None = None
    delta_url: str | None = None
    namespace: bool = False
    index_version: str | None = None
    index_current: bool = False


class DataCatalogModel(Open):
    datasets: list[DatasetModel]
    current: list[str]
    outdated: list[str]
    index_stale: bool = False


class FeatureDoc(BaseModel):
    description: str | None = None
    coefficient: float
    url: str


class ConfigVar(BaseModel):
    type: str = "float"
    description: str | None = None
    default: str | int | float | bool | None = 0


class AlgorithmDocs(BaseModel):
    name: str
    description: str | None = None
    config: dict[str, ConfigVar] = Field(default_factory=dict)
    features: dict[str, FeatureDoc]


class Algorithm(Open):
    name: str
    description: str | None = None
    features: dict[str, FeatureDoc] = Field(description="Deprecated in yente, use `docs` instead")
    docs: AlgorithmDocs


class AlgorithmResponse(Open):
    algorithms: list[Algorithm]
    default: str
    best: str


EntityResponse.model_rebuild()
ScoredEntityResponse.model_rebuild()


def yente_datetime(value: str | None) -> str | None:
    """A date as yente writes its datetimes (ISO, seconds, no time zone): 2021-03-02 → 2021-03-02T00:00:00."""
    if value and len(value) == 10:
        return sys.intern(f"{value}T00:00:00")  # few distinct days, many entities
    return value


def yente_entity(entity: dict[str, Any]) -> dict[str, Any]:
    """An entity dict with yente's datetimes (a shallow copy: the cached entity is not changed)."""
    out = dict(entity)
    for field in ("first_seen", "last_seen", "last_change"):
        out[field] = yente_datetime(out.get(field))
    return out
