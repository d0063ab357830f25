"""The HTTP API: yente-compatible matching and search, plus sanctionscope's own endpoints.

    sanctionscope serve                       # keys required (create one: sanctionscope keys create NAME)
    sanctionscope serve --no-auth             # open: for a laptop, never for a network

OpenAPI documentation is served at /openapi.json and /docs.
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path as FilePath
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Path, Query
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctionscope import __version__
from sanctionscope.api.audit import record_screening
from sanctionscope.api.auth import Authenticator
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.own import own_routes
from sanctionscope.api.web import web_routes
from sanctionscope.api.service import Service, catalog, dataset_sources
from sanctionscope.match.engine import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, Result
from sanctionscope.match.query import QueryError, query_from_entity

#: at most this many queries per /match call
MAX_QUERIES = 100
#: request bodies larger than this are refused (413)
MAX_BODY_BYTES = 2_000_000
ALGORITHM = "sanctionscope-v1"


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while a chunked body streams in.

    A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` costs a task and a queue per request.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "")
        if length.isdigit() and int(length) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes and not refused:
                refused = True
                await self._refuse(scope, receive, send)
                return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # once the 413 is sent, the app's answer to a cut-off body is dropped
                await send(message)

        await self.app(scope, counting_receive, guarded_send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse({"detail": f"request body over {self.max_bytes} bytes"}, status_code=413)
        await response(scope, receive, send)


class EntityQuery(BaseModel):
    """A query entity as yente takes it: a schema and properties, each a list of strings."""

    schema_: str = Field("Person", alias="schema", examples=["Person"])
    properties: dict[str, list[str]] = Field(
        default_factory=dict, examples=[{"name": ["Alexander Bastrykin"], "birthDate": ["1953-08-27"]}]
    )
    model_config = {"populate_by_name": True}


class MatchRequest(BaseModel):
    queries: dict[str, EntityQuery] = Field(
        examples=[{"q1": {"schema": "Person", "properties": {"name": ["Alisher Usmanov"]}}}]
    )
    weights: dict[str, float] = Field(default_factory=dict)
    config: dict[str, Any] = Field(default_factory=dict)


def create_app(engine: sa.Engine, *, auth: bool = True) -> FastAPI:
    service = Service(engine)
    authenticator = Authenticator(engine, enabled=auth)
    app = FastAPI(
        default_response_class=FastJSON,
        title="sanctionscope",
        version=__version__,
        description="Sanctions lists, resolved and screened. yente-compatible /match, /search, /entities, /catalog.",
    )
    app.state.service = service
    app.state.auth = authenticator
    read = Depends(authenticator.require("read"))
    screen = Depends(authenticator.require("screen"))

    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES)

    @app.get("/healthz", tags=["system"])
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["system"])
    def readyz() -> JSONResponse:
        """The index is loaded and requests will be answered at full speed."""
        if not service.ready:
            try:
                service.matcher()
            except Exception as error:  # noqa: BLE001  (not ready, whatever the reason)
                return JSONResponse({"status": "loading", "detail": str(error)}, status_code=503)
        return JSONResponse({"status": "ok", "version": service.version, "process": os.getpid()})

    @app.get("/algorithms", tags=["matching"])
    def algorithms() -> dict[str, Any]:
        """The scoring algorithms this server offers (yente's list format)."""
        return {
            "algorithms": [
                {
                    "name": ALGORITHM,
                    "description": "aligned name parts across scripts and romanizations, "
                    "birth date, nationality, gender, identifiers (see the README)",
                    "features": {
                        "name": "aligned name parts",
                        "birth_date": 0.15,
                        "country": 0.05,
                        "gender": 0.1,
                        "identifier": "decisive",
                    },
                }
            ],  # fmt: skip
            "default": ALGORITHM,
            "best": ALGORITHM,
        }

    @app.get("/catalog", tags=["data"])
    def get_catalog(_key: ApiKey | None = read) -> dict[str, Any]:
        """The datasets: each loaded source, each jurisdiction, and the `default` collection."""
        return catalog(service.book(), service.version)

    def sources_for(dataset: str, include: list[str], exclude: list[str]) -> set[str]:
        loaded = service.sources()
        selected = dataset_sources(dataset, loaded)
        if selected is None:
            raise HTTPException(404, f"no dataset {dataset!r}; see /catalog")
        if include:
            selected &= set().union(*(dataset_sources(name, loaded) or set() for name in include))
        for name in exclude:
            selected -= dataset_sources(name, loaded) or set()
        return selected

    def result_entity(result: Result) -> dict[str, Any]:
        subject = service.book().get(result.entry.id)
        entity = dict(service.entity(subject)) if subject else {"id": result.entry.id, "caption": result.entry.caption,
                                                                  "schema": result.schema, "properties": {}}  # fmt: skip
        entity["referents"] = result.entry.referents
        entity["score"] = round(result.score, 4)
        entity["match"] = result.match
        entity["features"] = {f.name: f.value for f in result.features} | {"name": round(result.name.score, 4)}
        entity["explanations"] = result.explanation()
        return entity

    @app.post("/match/{dataset}", tags=["matching"])
    def match(
        body: MatchRequest,
        dataset: Annotated[
            str, Path(description="A dataset from /catalog: default, a jurisdiction (us, eu…), a source.")
        ],
        limit: Annotated[int, Query(ge=1, le=500)] = 5,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
        cutoff: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_CUTOFF,
        algorithm: str = ALGORITHM,
        include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI reads it, never mutates)
        exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
        exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
        topics: Annotated[list[str], Query()] = [],  # noqa: B006
        changed_since: date | None = None,
        exclude_entity_ids: Annotated[list[str], Query()] = [],  # noqa: B006
        key: ApiKey | None = screen,
    ) -> dict[str, Any]:
        """Match entities against the lists: yente's request and response, field for field."""
        if algorithm not in (ALGORITHM, "best", "default"):
            raise HTTPException(400, f"unknown algorithm {algorithm!r}; see /algorithms")
        if len(body.queries) > MAX_QUERIES:
            raise HTTPException(413, f"at most {MAX_QUERIES} queries per request (got {len(body.queries)})")
        sources = sources_for(dataset, include_dataset, exclude_dataset)
        matcher = service.matcher()
        excluded_schemata = {s.lower() for s in exclude_schema}
        responses: dict[str, Any] = {}
        audit: dict[str, Any] = {}
        for name, entity in body.queries.items():
            query_entity = {"schema": entity.schema_, "properties": entity.properties}
            try:
                query = query_from_entity(query_entity)
            except QueryError as error:
                responses[name] = {"status": 400, "error": str(error), "results": [], "total": {"value": 0, "relation": "eq"},
                                   "query": query_entity}  # fmt: skip
                continue
            found = matcher.match(query, limit=limit + len(exclude_entity_ids) + 10, threshold=threshold,
                                  sources=sources, cutoff=cutoff)  # fmt: skip
            results = []
            for result in found:
                if result.entry.id in exclude_entity_ids or result.schema.lower() in excluded_schemata:
                    continue
                entity_data = result_entity(result)
                if topics and not set(topics) & set(entity_data["properties"].get("topics", [])):
                    continue
                if changed_since and (entity_data.get("last_change") or "") < changed_since.isoformat():
                    continue
                results.append(entity_data)
            results = results[:limit]
            responses[name] = {"status": 200, "results": results, "total": {"value": len(results), "relation": "eq"},
                               "query": query_entity}  # fmt: skip
            audit[name] = [{"id": r["id"], "score": r["score"], "match": r["match"]} for r in results]
        record_screening(engine, key_name=key.name if key else None, endpoint=f"/match/{dataset}",
                         data_version=service.version, query=body.model_dump(by_alias=True), results=audit)  # fmt: skip
        return {"responses": responses, "limit": limit}

    @app.get("/search/{dataset}", tags=["matching"])
    def search(
        dataset: str,
        q: Annotated[str, Query(min_length=1, max_length=500, description="A name, in any script.")],
        schema: str | None = None,
        countries: Annotated[list[str], Query()] = [],  # noqa: B006
        topics: Annotated[list[str], Query()] = [],  # noqa: B006
        limit: Annotated[int, Query(ge=1, le=500)] = 10,
        offset: Annotated[int, Query(ge=0, le=9500)] = 0,
        facets: Annotated[list[str], Query()] = ["countries", "topics", "datasets"],  # noqa: B006
        _key: ApiKey | None = read,
    ) -> dict[str, Any]:
        """Find entities by name (ranked like /match, without a threshold), with facet counts."""
        sources = sources_for(dataset, [], [])
        entity_query = {"schema": schema or "LegalEntity", "properties": {"name": [q]}}
        try:
            query = query_from_entity(entity_query)
        except QueryError as error:
            raise HTTPException(400, str(error)) from None
        found = service.matcher().match(query, limit=offset + limit + 200, threshold=1.01, sources=sources, cutoff=0.5)
        entities = []
        for result in found:
            entity = result_entity(result)
            if countries and not set(countries) & set(
                entity["properties"].get("nationality", []) + entity["properties"].get("country", [])
            ):
                continue
            entities.append(entity)
        page = entities[offset : offset + limit]
        for entity in page:
            entity.pop("match", None)
        return {"results": page, "total": {"value": len(entities), "relation": "eq"}, "limit": limit, "offset": offset,
                "facets": _facets(entities, facets)}  # fmt: skip

    @app.get("/entities/{entity_id}", tags=["data"])
    def entity(entity_id: str, _key: ApiKey | None = read) -> Any:
        """One entity; the id of a subject merged into another redirects to it, as does a record id."""
        book = service.book()
        found = book.current(entity_id)
        if found is not None:
            return service.entity(found)
        target = book.get(entity_id) or book.for_record(entity_id)
        if target is not None:
            return RedirectResponse(f"/entities/{target.id}", status_code=308)
        raise HTTPException(404, f"no entity {entity_id!r}")

    app.include_router(own_routes(service, authenticator.require))
    app.include_router(web_routes(service, authenticator))
    app.mount("/static", StaticFiles(directory=str(FilePath(__file__).parent / "static")), name="static")
    return app


class FastJSON(Response):
    """JSON serialised by orjson, without FastAPI's per-field encoding (the hot paths return plain dicts)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def _facets(entities: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    fields = {"countries": lambda e: e["properties"].get("nationality", []) + e["properties"].get("country", []),
              "topics": lambda e: e["properties"].get("topics", []), "datasets": lambda e: e["datasets"],
              "schema": lambda e: [e["schema"]]}  # fmt: skip
    out: dict[str, Any] = {}
    for name in names:
        if name not in fields:
            continue
        counts: dict[str, int] = {}
        for entity in entities:
            for value in set(fields[name](entity)):
                counts[value] = counts.get(value, 0) + 1
        values = [
            {"name": k, "label": k, "count": v} for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        out[name] = {"label": name, "values": values}
    return out
