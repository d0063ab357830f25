"""The OpenRefine reconciliation service (W3C reconciliation API 0.2), as yente serves it, on our matcher.

    GET  /reconcile/{dataset}                      the manifest OpenRefine is given
    POST /reconcile/{dataset}                      form field `queries` (JSON batch) or `extend`
    GET  /reconcile/{dataset}/suggest/entity       ?prefix=  entities whose names start so
    GET  /reconcile/{dataset}/suggest/type         ?prefix=  schemata of the dataset
    GET  /reconcile/{dataset}/suggest/property     ?prefix=  their properties
    GET  /reconcile/{dataset}/extend/property      ?type=    properties a column can be extended by
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from followthemoney import model
from followthemoney.property import Property
from followthemoney.schema import Schema
from followthemoney.types import registry
from pydantic import BaseModel, Field, RootModel, ValidationError

from sanctionscope.api.algorithms import algorithm_named
from sanctionscope.api.datasets import Selection
from sanctionscope.api.examples import read_example
from sanctionscope.api.search import prefix_rows
from sanctionscope.api.service import Service
from sanctionscope.api.yente_models import EntityExample
from sanctionscope.ftm_mapping import public_id
from sanctionscope.match.query import QueryError

#: at most this many queries (or ids to extend) per request, as yente
MAX_BATCH = 100
#: how many suggestions of types and properties (yente: its match page size)
SUGGESTIONS = 5
#: yente scores ten candidates per result asked for; our matcher is given the same room
CANDIDATES_PER_RESULT = 10


class FreebaseType(BaseModel):
    id: str = Field(examples=["Person"])
    name: str = Field(examples=["People"])
    description: str | None = None


class FreebaseProperty(BaseModel):
    id: str = Field(examples=["Person:birthDate"])
    name: str = Field(examples=["Birth date"])
    description: str | None = None


class FreebaseEntity(BaseModel):
    id: str
    name: str
    description: str | None = None
    type: list[FreebaseType]


class FreebaseScoredEntity(FreebaseEntity):
    score: float | None = None
    match: bool | None = None


class FreebaseEntityResult(BaseModel):
    result: list[FreebaseScoredEntity]


class SuggestResponse(BaseModel):
    code: str = "/api/status/ok"
    status: str = "200 OK"
    prefix: str


class EntitySuggestResponse(SuggestResponse):
    result: list[FreebaseEntity]


class TypeSuggestResponse(SuggestResponse):
    result: list[FreebaseType]


class PropertySuggestResponse(SuggestResponse):
    result: list[FreebaseProperty]


class ExtendProperty(BaseModel):
    id: str
    name: str


class ExtendPropertiesResponse(BaseModel):
    limit: int
    type: str
    properties: list[ExtendProperty]


class RenderMethod(str, Enum):
    raw = "raw"
    caption = "caption"


class ExtendSettings(BaseModel):
    limit: int = 0
    render: RenderMethod = RenderMethod.caption


class ExtendQueryProperty(BaseModel):
    id: str
    settings: ExtendSettings = ExtendSettings()


class ExtendQuery(BaseModel):
    ids: list[str]
    properties: list[ExtendQueryProperty]


class ExtendMeta(BaseModel):
    id: str
    name: str


class ExtendValue(BaseModel):
    str: str


class ExtendResponse(BaseModel):
    meta: list[ExtendMeta]
    rows: dict[str, dict[str, list[ExtendValue]]]


class ReconPropertyFilter(BaseModel):
    pid: str
    v: str | list[str]


class ReconQuery(BaseModel):
    query: str | None = None
    type: str | list[str] | None = None
    limit: int = Field(5, ge=1, le=500)
    properties: list[ReconPropertyFilter] = []


ReconBatch = RootModel[dict[str, ReconQuery]]


class ManifestService(BaseModel):
    service_url: str
    service_path: str


class Manifest(BaseModel):
    versions: list[str]
    name: str
    identifierSpace: str
    schemaSpace: str
    documentation: str
    batchSize: int
    view: dict[str, str]
    preview: dict[str, Any]
    suggest: dict[str, ManifestService]
    extend: dict[str, Any]
    defaultTypes: list[FreebaseType]


def schema_type(schema: Schema) -> FreebaseType:
    return FreebaseType(id=schema.name, name=schema.plural, description=schema.description or schema.label)


def starts_with(prefix: str, *labels: str | None) -> bool:
    """Whether a label starts with the prefix, ignoring case (an empty prefix matches nothing, as yente)."""
    prefix = prefix.strip().lower()
    return bool(prefix) and any(label and label.strip().lower().startswith(prefix) for label in labels)


def reconcile_routes(service: Service, require: Callable[[str], Any], select: Callable[[str], Selection]) -> APIRouter:
    """The reconciliation routes; `select` gives what a dataset selects (404 for an unknown dataset)."""
    router = APIRouter(tags=["reconciliation"])
    read = Depends(require("read"))
    screen = Depends(require("screen"))

    def dataset_schemata(dataset: str) -> list[Schema]:
        selected = select(dataset)
        table = service.search_table()
        present = {row.schema for row in table.rows if selected.selects(row.datasets, row.sources)}
        return [s for s in (model.get(name) for name in sorted(present)) if s is not None and s.matchable]

    @router.get("/reconcile/{dataset}", response_model=Manifest)
    def manifest(dataset: str, request: Request, _key: Any = read) -> Manifest:
        """The manifest: give OpenRefine this URL as a reconciliation service."""
        select(dataset)
        base = str(request.base_url).rstrip("/") + f"/reconcile/{dataset}"
        query = f"?{request.url.query}" if request.url.query else ""
        root = str(request.base_url).rstrip("/")

        def service_at(path: str) -> ManifestService:
            return ManifestService(service_url=base, service_path=f"{path}{query}")

        return Manifest(
            versions=["0.2"], name=f"sanctionscope: {dataset}", identifierSpace=f"{root}/entities/",
            schemaSpace="https://followthemoney.tech/explorer/schemata/", documentation=f"{root}/docs",
            batchSize=3, view={"url": f"{root}/subject/{{{{id}}}}"},
            preview={"url": f"{root}/subject/{{{{id}}}}", "width": 430, "height": 600},
            suggest={"entity": service_at("/suggest/entity"), "type": service_at("/suggest/type"),
                     "property": service_at("/suggest/property")},
            extend={"propose_properties": service_at("/extend/property"), "propose_settings": [
                {"name": "limit", "label": "Limit", "type": "number", "default": 0,
                 "help_text": "Maximum number of values to return per row (0 for no limit)."},
                {"name": "render", "label": "Value rendering", "type": "select", "default": "caption",
                 "choices": [{"id": "caption", "name": "User-readable value"}, {"id": "raw", "name": "Machine-readable value"}],
                 "help_text": "Return readable value (e.g. 'Russia') instead of raw value ('ru')."}]},
            defaultTypes=[schema_type(s) for s in dataset_schemata(dataset)],
        )  # fmt: skip

    @router.post("/reconcile/{dataset}", response_model=dict[str, FreebaseEntityResult] | ExtendResponse)
    def reconcile(
        dataset: str,
        queries: Annotated[str | None, Form(description="JSON: {key: {query, type, limit, properties}}")] = None,
        extend: Annotated[str | None, Form(description="JSON: {ids, properties}")] = None,
        algorithm: Annotated[str, Query(description="See /algorithms")] = "best",
        _key: Any = screen,
    ) -> Any:
        """Reconcile a batch of queries (each scored by the matcher, as /match), or extend ids by properties."""
        if extend and extend.strip():
            return extend_rows(extend)
        selected = select(dataset)
        try:
            batch = ReconBatch.model_validate_json(queries or "")
        except ValidationError as error:
            raise HTTPException(400, f"queries: {error.errors()[0]['msg']}") from None
        if len(batch.root) > MAX_BATCH:
            raise HTTPException(400, f"Too many queries in one batch (limit: {MAX_BATCH})")
        info = algorithm_named(algorithm)
        return {name: reconcile_one(query, selected, info) for name, query in batch.root.items()}

    def reconcile_one(query: ReconQuery, selected: Selection, info: Any) -> FreebaseEntityResult:
        schema = query.type if isinstance(query.type, str) else (query.type[0] if query.type else "Thing")
        properties: dict[str, Any] = {"name": [query.query]} if query.query else {}
        query_schema = model.get(schema)
        for condition in query.properties:  # a qualified name (Person:birthDate) or one of the schema's
            prop = model.get_qname(condition.pid) or (query_schema.get(condition.pid) if query_schema else None)
            if prop is not None:
                values = condition.v if isinstance(condition.v, list) else [condition.v]
                properties.setdefault(prop.name, []).extend(values)
        _echo, parsed = read_example(EntityExample(id=None, schema=schema, properties=properties))
        if isinstance(parsed, QueryError):
            raise HTTPException(400, str(parsed))
        found = service.matcher().match(info.prepare(parsed), limit=query.limit + CANDIDATES_PER_RESULT,
                                        sources=selected.matcher_sources(),
                                        candidates=max(20, query.limit * CANDIDATES_PER_RESULT))  # fmt: skip
        results: list[FreebaseScoredEntity] = []
        for result in found:
            if len(results) == query.limit:
                break
            subject = service.book().get(result.entry.id)
            datasets = service.entity(subject).get("datasets", []) if subject else []
            if not selected.selects(datasets, result.entry.sources):
                continue
            schema_of = model.get(result.schema) or model["LegalEntity"]
            served = public_id(subject) if subject is not None else result.entry.id  # as /entities serves it (NK-…)
            results.append(FreebaseScoredEntity(id=served, name=result.entry.caption, description=schema_of.label,
                                                type=[schema_type(schema_of)], score=round(result.score, 4),
                                                match=result.match))  # fmt: skip
        return FreebaseEntityResult(result=results)

    def extend_rows(text: str) -> ExtendResponse:
        try:
            query = ExtendQuery.model_validate(json.loads(text))
        except (ValueError, ValidationError):
            raise HTTPException(400, "Cannot decode extension request") from None
        if len(query.ids) > MAX_BATCH:
            raise HTTPException(400, f"Too many queries in one batch (limit: {MAX_BATCH})")
        metas: dict[str, ExtendMeta] = {}
        rows: dict[str, dict[str, list[ExtendValue]]] = {entity_id: {} for entity_id in query.ids}
        graph = service.graph()
        for entity_id in query.ids:
            # any id the entity answers to, as /entities/{id}: publisher (NK-…, Q…), subject, record id, referent
            found = graph.find(entity_id)
            if found is None:
                continue
            entity = graph.entity(found)
            schema = model.get(entity["schema"])
            for asked in query.properties:
                prop: Property | None = schema.get(asked.id) if schema else None
                if prop is None:
                    continue
                metas.setdefault(asked.id, ExtendMeta(id=prop.name, name=prop.label))
                values = [v for v in entity["properties"].get(prop.name, []) if isinstance(v, str)]
                if asked.settings.limit > 0:
                    values = values[: asked.settings.limit]
                if asked.settings.render == RenderMethod.caption:
                    values = [prop.type.caption(v) or v for v in values]
                rows[entity_id][asked.id] = [ExtendValue(str=v) for v in values]
        return ExtendResponse(meta=list(metas.values()), rows=rows)

    @router.get("/reconcile/{dataset}/suggest/entity", response_model=EntitySuggestResponse)
    def suggest_entity(dataset: str, prefix: str = "", limit: Annotated[int, Query(ge=0, le=500)] = 10,
                       _key: Any = read) -> EntitySuggestResponse:  # fmt: skip
        """Entities whose names start with the prefix (word by word), as OpenRefine asks while typing."""
        selected = select(dataset)
        table = service.search_table()
        found = [table.rows[n] for n in prefix_rows(table, prefix)
                 if selected.selects(table.rows[n].datasets, table.rows[n].sources)][:limit]  # fmt: skip
        result = []
        for row in found:
            schema = model.get(row.schema) or model["LegalEntity"]
            result.append(FreebaseEntity(id=row.id, name=row.caption, description=schema.label, type=[schema_type(schema)]))
        return EntitySuggestResponse(prefix=prefix, result=result)

    @router.get("/reconcile/{dataset}/suggest/type", response_model=TypeSuggestResponse)
    def suggest_type(dataset: str, prefix: str = "", _key: Any = read) -> TypeSuggestResponse:
        """The dataset's schemata whose name or label starts with the prefix."""
        matches = [schema_type(s) for s in dataset_schemata(dataset) if starts_with(prefix, s.name, s.label)]
        return TypeSuggestResponse(prefix=prefix, result=matches[:SUGGESTIONS])

    @router.get("/reconcile/{dataset}/suggest/property", response_model=PropertySuggestResponse)
    def suggest_property(dataset: str, prefix: str = "", _key: Any = read) -> PropertySuggestResponse:
        """Properties of the dataset's schemata (not links to other entities) that start with the prefix."""
        schemata = set(dataset_schemata(dataset))
        matches = [FreebaseProperty(id=p.qname, name=p.label, description=p.description) for p in model.properties
                   if p.schema in schemata and not p.hidden and p.type != registry.entity
                   and starts_with(prefix, p.name, p.label)]  # fmt: skip
        return PropertySuggestResponse(prefix=prefix, result=matches[:SUGGESTIONS])

    @router.get("/reconcile/{dataset}/extend/property", response_model=ExtendPropertiesResponse)
    def extend_properties(dataset: str, type: str = "Thing",
                          limit: Annotated[int, Query(ge=-(2**63), le=2**63 - 1)] = 0,  # echoed: a JSON integer
                          _key: Any = read) -> ExtendPropertiesResponse:  # fmt: skip
        """The properties a column of this type can be extended by (featured first, then by name)."""
        schema = model.get(type)
        if schema is None:
            raise HTTPException(400, f"Invalid type: {type}")
        featured = [schema.get(name) for name in schema.featured]
        others = [p for p in schema.properties.values() if p.name not in schema.featured]
        properties = [ExtendProperty(id=p.name, name=p.label) for p in [*featured, *others]
                      if p is not None and not p.hidden and p.type != registry.entity]  # fmt: skip
        if limit > 0:
            properties = properties[:limit]
        return ExtendPropertiesResponse(limit=limit, type=schema.name, properties=sorted(properties, key=lambda p: p.name))

    return router
