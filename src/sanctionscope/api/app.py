"""The HTTP API: yente-compatible matching and search, plus sanctionscope's own endpoints.

    sanctionscope serve                       # keys required (create one: sanctionscope keys create NAME)
    sanctionscope serve --no-auth             # open: for a laptop, never for a network

OpenAPI documentation is served at /openapi.json and /docs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path as FilePath
from typing import Annotated, Any

import orjson
import sqlalchemy as sa
from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctionscope import __version__
from sanctionscope.api.algorithms import (
    algorithm_named,
    algorithms_response,
    own_weights,
    weighted_score,
    yente_explanations,
)
from sanctionscope.api.audit import record_screening
from sanctionscope.api.auth import Authenticator
from sanctionscope.api.batches import BATCHES_PATH, batch_routes
from sanctionscope.api.catalog import catalog
from sanctionscope.api.datasets import Selection
from sanctionscope.api.entity_routes import entity_routes
from sanctionscope.api.examples import read_example
from sanctionscope.api.gaps import gaps_routes
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.monitoring import alerts_page_routes, monitoring_routes
from sanctionscope.api.own import own_routes
from sanctionscope.api.reconcile import reconcile_routes
from sanctionscope.api.search import DEFAULT_FACETS, Facet, Operator, SearchRequest, name_scores, parse_filters, rank
from sanctionscope.api.search import facets as search_facets
from sanctionscope.api.service import Service, dataset_sources
from sanctionscope.api.web import web_routes
from sanctionscope.api.yente_models import (
    AlgorithmResponse,
    DataCatalogModel,
    EntityMatchQuery,
    EntityMatchResponse,
    ErrorResponse,
    SearchResponse,
    StatusResponse,
    yente_entity,  # fmt: skip
)
from sanctionscope.match.engine import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, Result
from sanctionscope.match.query import QueryError
from sanctionscope.monitor.status import update_status

#: at most this many queries per /match call
MAX_QUERIES = 100
#: request bodies larger than this are refused (413)
MAX_BODY_BYTES = 2_000_000
#: yente's pattern for `changed_since`: a date, or a date and time without zone
TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"
#: what /search's `q` takes (api/query_string.py)
QUERY_HELP = ('yente\'s query syntax: words (all required), "a phrase", OR, AND, NOT, -word, (groups), '
              "name:, countries:, schema:, datasets:, identifiers:, a property (birthDate:1953); unparsable: plain words")
#: yente's bounds on /search paging
MAX_PAGE = 500
MAX_OFFSET = 9500
ERRORS: dict[int | str, dict[str, Any]] = {400: {"model": ErrorResponse, "description": "Invalid query"},
                                           404: {"model": ErrorResponse, "description": "No such dataset"}}  # fmt: skip


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, by Content-Length or while a chunked body streams in.

    A plain ASGI middleware: Starlette's `BaseHTTPMiddleware` costs a task and a queue per request.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, unbounded: tuple[str, ...] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.unbounded = unbounded  # paths that bound their bodies themselves (POST /batches streams to disk)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.unbounded:
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


class JsonByDefault:
    """Read a request body that has no Content-Type as JSON, as yente does (some clients send none)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not any(name == b"content-type" for name, _ in scope["headers"]):
            scope = dict(scope, headers=[*scope["headers"], (b"content-type", b"application/json")])
        await self.app(scope, receive, send)


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

    app.add_middleware(JsonByDefault)
    app.add_middleware(BodyLimit, max_bytes=MAX_BODY_BYTES, unbounded=(BATCHES_PATH,))

    @app.get("/healthz", tags=["system"], response_model=StatusResponse)
    def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get("/readyz", tags=["system"], response_model=StatusResponse,
             responses={503: {"model": StatusResponse, "description": "The index is loading"}})  # fmt: skip
    def readyz() -> JSONResponse:
        """The index is loaded and requests will be answered at full speed."""
        if not service.ready:
            try:
                service.matcher()
            except Exception as error:  # noqa: BLE001  (not ready, whatever the reason)
                return JSONResponse({"status": "loading", "detail": str(error)}, status_code=503)
        # a failed update leaves the last good data in service: still ready, and it says so
        return JSONResponse({"status": "ok", "version": service.version, "process": os.getpid(),
                             "last_update": update_status(engine)})  # fmt: skip

    @app.get("/algorithms", tags=["matching"], response_model=AlgorithmResponse)
    def algorithms() -> Response:
        """The scoring algorithms /match accepts, in yente's shape: yente's names, and what each runs here."""
        return FastJSON(algorithms_response())

    @app.get("/catalog", tags=["data"], response_model=DataCatalogModel, responses={304: {"description": "Not modified"}})
    @app.get("/manifest", response_model=DataCatalogModel, include_in_schema=False)  # yente's old name
    def get_catalog(request: Request, _key: ApiKey | None = read) -> Response:
        """The datasets in yente's shape: each loaded source, each jurisdiction, `default` and `sanctions`.

        With an ETag: a client sending it back in If-None-Match gets 304 until the data changes.
        """
        content = catalog(engine, service.book(), service.index_versions)
        tag = '"' + hashlib.sha1(orjson.dumps(content)).hexdigest()[:20] + '"'
        if tag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
            return Response(status_code=304, headers={"ETag": tag})
        return FastJSON(content, headers={"ETag": tag})

    def selection(dataset: str, include: list[str] = (), exclude: list[str] = ()) -> Selection:  # type: ignore[assignment]
        """The entities a path dataset and include/exclude_dataset select; 404 for a dataset no one has."""
        loaded = frozenset(service.sources())

        def sources_of(name: str) -> set[str] | None:
            return dataset_sources(name, set(loaded))

        if sources_of(dataset) is None:
            raise HTTPException(404, f"no dataset {dataset!r}; see /catalog")
        return Selection(dataset, tuple(include), tuple(exclude), sources_of, loaded)

    def result_entity(result: Result, score: float, threshold: float) -> dict[str, Any]:
        subject = service.book().get(result.entry.id)
        entity: dict[str, Any] = yente_entity(service.entity(subject)) if subject else {"id": result.entry.id, "caption": result.entry.caption,
                                                                           "schema": result.schema, "properties": {}}  # fmt: skip
        entity.setdefault("referents", result.entry.referents)
        entity["score"] = round(score, 4)
        entity["match"] = score >= threshold
        entity["explanations"] = yente_explanations(result)
        entity["features"] = {f.name: f.value for f in result.features} | {"name": round(result.name.score, 4)}
        entity["explanation"] = result.explanation()  # sanctionscope's own, with the aligned name parts
        return entity

    @app.post("/match/{dataset}", tags=["matching"], response_model=EntityMatchResponse, responses=ERRORS)
    def match(
        body: EntityMatchQuery,
        dataset: Annotated[
            str, Path(description="A dataset from /catalog: default, a jurisdiction (us, eu…), a source.")
        ],
        limit: Annotated[int, Query(ge=0, le=500, description="0: no results, `total` counts the matches (yente)")] = 5,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
        cutoff: Annotated[float, Query(ge=0.0, le=1.0, description="Deprecated in yente; at most `threshold`")] = DEFAULT_CUTOFF,
        algorithm: Annotated[str, Query(description="See /algorithms: sanctionscope-v1, or a yente name")] = "best",
        include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI reads it, never mutates)
        exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
        exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
        topics: Annotated[list[str], Query()] = [],  # noqa: B006
        changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
        exclude_entity_ids: Annotated[list[str], Query(description="Entity ids or any of their referents")] = [],  # noqa: B006
        key: ApiKey | None = screen,
    ) -> Response:
        """Match entities against the lists: yente's request and response, field for field."""
        info = algorithm_named(algorithm)
        for name in body.config:
            raise HTTPException(400, f"Invalid configuration parameter: {name} for algorithm {info.name}")
        if len(body.queries) > MAX_QUERIES:
            raise HTTPException(400, f"Too many queries in one batch (limit: {MAX_QUERIES}, got {len(body.queries)})")
        if not body.queries:
            raise HTTPException(400, "No queries provided.")
        selected = selection(dataset, include_dataset, exclude_dataset)
        examples = {name: read_example(example) for name, example in body.queries.items()}
        matcher = service.matcher()
        cutoff = min(cutoff, threshold)
        weights = own_weights(body.weights)
        excluded_ids, excluded_schemata = set(exclude_entity_ids), {s.lower() for s in exclude_schema}
        # yente scores at least 20 candidates, also for limit=0 (it then answers only how many match); with
        # weights the matcher's own cutoff (under its default weights) must not drop what they raise
        wanted = max(limit, 20) + len(excluded_ids) + 10
        responses: dict[str, Any] = {}
        audit: dict[str, Any] = {}
        for name, (echo, query) in examples.items():
            if isinstance(query, QueryError):
                responses[name] = {"status": 400, "error": str(query), "results": [], "total": {"value": 0, "relation": "eq"},
                                   "query": echo}  # fmt: skip
                continue
            found = matcher.match(info.prepare(query), limit=wanted, threshold=threshold, sources=selected.matcher_sources(),
                                  cutoff=0.0 if weights else cutoff)  # fmt: skip
            scored = [(weighted_score(r, weights) if weights else r.score, r) for r in found]
            scored = sorted(((s, r) for s, r in scored if s >= cutoff), key=lambda pair: -pair[0])
            results = []
            for score, result in scored:
                if result.schema.lower() in excluded_schemata:
                    continue
                entity_data = result_entity(result, score, threshold)
                if not selected.selects(entity_data.get("datasets", []), result.entry.sources):
                    continue
                # by any id the entity answers to: subject, public, record and publisher ids, referents
                if excluded_ids & {result.entry.id, entity_data["id"], *entity_data["referents"]}:
                    continue
                if topics and not set(topics) & set(entity_data["properties"].get("topics", [])):
                    continue
                if changed_since and not (entity_data.get("last_change") or "") > changed_since:
                    continue
                results.append(entity_data)
            # limit=0 (yente): no results, and `total` is how many of the candidates match
            total = sum(1 for r in results if r["match"]) if limit == 0 else len(results[:limit])
            results = results[:limit]
            responses[name] = {"status": 200, "results": results, "total": {"value": total, "relation": "eq"},
                               "query": echo}  # fmt: skip
            audit[name] = [{"id": r["id"], "score": r["score"], "match": r["match"]} for r in results]
        record_screening(engine, key_name=key.name if key else None, endpoint=f"/match/{dataset}",
                         data_version=service.version, query=body.model_dump(by_alias=True), results=audit)  # fmt: skip
        return FastJSON({"responses": responses, "limit": limit}, headers={"x-batch-size": str(len(responses))})

    @app.get("/search/{dataset}", tags=["matching"], response_model=SearchResponse, responses=ERRORS)
    def search(
        dataset: str,
        q: Annotated[str, Query(max_length=500, description=QUERY_HELP)] = "",
        schema: Annotated[str, Query(description="A FollowTheMoney schema; Thing: any")] = "Thing",
        include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
        exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
        exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
        changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
        countries: Annotated[list[str], Query()] = [],  # noqa: B006
        topics: Annotated[list[str], Query()] = [],  # noqa: B006
        datasets: Annotated[list[str], Query()] = [],  # noqa: B006
        filter: Annotated[list[str], Query(description="field:value, e.g. countries:ru, birthDate:1953-08-27")] = [],  # noqa: B006
        limit: Annotated[int, Query(ge=0, le=MAX_PAGE)] = 10,
        offset: Annotated[int, Query(ge=0, le=MAX_OFFSET)] = 0,
        sort: Annotated[list[str], Query(description="field:asc|desc, e.g. last_change:desc")] = [],  # noqa: B006
        target: Annotated[bool | None, Query(deprecated=True)] = None,
        fuzzy: Annotated[bool, Query(description="Accepted; names are always matched across spellings")] = False,
        simple: Annotated[bool, Query(description="Accepted; the query syntax is always read")] = False,
        facets: Annotated[list[Facet], Query()] = DEFAULT_FACETS,
        filter_op: Operator = Operator.OR,
        _key: ApiKey | None = read,
    ) -> Response:
        """Find entities by words in their names or other properties (yente's /search), with filters and facets."""
        selected = selection(dataset, include_dataset, exclude_dataset)
        request = SearchRequest(q=q, schema=schema, selection=selected, exclude_schema=tuple(exclude_schema),
                                changed_since=changed_since, filters=tuple(parse_filters(countries, topics, datasets, filter)),
                                filter_op=filter_op, target=target, sort=tuple(sort))  # fmt: skip
        table = service.search_table()
        matched = name_scores(service.matcher(), table, q, selected.matcher_sources(), limit=offset + limit + 200) if q.strip() else {}
        found = rank(table, request, matched)
        page = []
        for number, _score in found[offset : offset + limit]:
            subject = service.subject(table.rows[number].id)
            if subject is not None:
                page.append(yente_entity(service.entity(subject)))
        titles = {d["name"]: d["title"] for d in catalog(engine, service.book(), service.index_versions)["datasets"]}
        return FastJSON({"results": page, "total": {"value": len(found), "relation": "eq"}, "limit": limit,
                         "offset": offset, "facets": search_facets(table, (n for n, _ in found), facets, titles)})  # fmt: skip

    app.include_router(entity_routes(service, authenticator.require))

    app.include_router(reconcile_routes(service, authenticator.require, selection))
    app.include_router(own_routes(service, authenticator.require))
    app.include_router(batch_routes(service, authenticator.require))
    app.include_router(monitoring_routes(service, authenticator.require))
    app.include_router(alerts_page_routes(service, authenticator))
    app.include_router(web_routes(service, authenticator))
    app.include_router(gaps_routes(service, authenticator))
    app.mount("/static", StaticFiles(directory=str(FilePath(__file__).parent / "static")), name="static")
    return app


class FastJSON(JSONResponse):
    """JSON serialised by orjson, without FastAPI's per-field encoding (the hot paths return plain dicts).

    A JSONResponse, so that /openapi.json declares each route's response model (for any other
    response class FastAPI declares a string).
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
