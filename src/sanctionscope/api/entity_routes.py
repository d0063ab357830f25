"""yente's entity routes: /entities/{id} (nested by default), /entities/{id}/adjacent and /entities/{id}/adjacent/{prop}.

Any id an entity answers to finds it (`api/entities.py`); an id that is not the one it is served
under (a subject id where an FtM publisher's id is served, a record id, a referent, a merged
subject's id) redirects (308) to the same route under the served id, as yente does for referents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import orjson
from fastapi import APIRouter, Depends, HTTPException, Path, Query
from fastapi.responses import RedirectResponse, Response
from followthemoney import model, registry
from pydantic import Field

from sanctionscope.api.entities import Found, page
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.service import Service
from sanctionscope.api.yente_models import EntityResponse, ErrorResponse, Open, TotalSpec

#: yente's page sizes for adjacent entities
DEFAULT_PAGE = 10
MAX_PAGE = 500
MAX_OFFSET = 9499

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    308: {"description": "The id is an alias (a record id, a referent, a merged subject): the entity is elsewhere"},
    404: {"model": ErrorResponse, "description": "No such entity (or property)"},
}


class AdjacentResultsResponse(Open):
    """One page of the entities adjacent through one property, each nested like /entities/{id}."""

    results: list[EntityResponse | str] = Field(default_factory=list)
    total: TotalSpec
    limit: int = Field(examples=[10])
    offset: int = Field(0, examples=[0])


class EntityAdjacentResponse(Open):
    entity: EntityResponse
    adjacent: dict[str, AdjacentResultsResponse]


# module level: the route signatures' annotations are resolved by name (postponed annotations)
EntityId = Annotated[str, Path(description="Any id of the entity: served id, subject, record, publisher id or referent",
                               examples=["NK-2GdmHtZTeNXjNVrBGEXZNj"])]  # fmt: skip
PageLimit = Annotated[int, Query(ge=0, le=MAX_PAGE, description="Adjacent entities per property")]
PageOffset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="Start at this adjacent entity")]
Sort = Annotated[list[str], Query(description="Accepted for yente's clients; adjacent entities come in a fixed order")]


def _json(data: Any) -> Response:
    return Response(orjson.dumps(data), media_type="application/json")


def entity_routes(service: Service, require: Callable[[str], Any]) -> APIRouter:
    router = APIRouter(tags=["data"])
    read = Depends(require("read"))

    def find(entity_id: str, suffix: str = "") -> Found | RedirectResponse:
        found = service.graph().find(entity_id)
        if found is None:
            raise HTTPException(404, "No such entity!")
        if found.id != entity_id:
            return RedirectResponse(f"/entities/{quote(found.id, safe='')}{suffix}", status_code=308)
        return found

    @router.get("/entities/{entity_id}", response_model=EntityResponse, responses=NOT_FOUND)
    def fetch_entity(
        entity_id: EntityId,
        nested: Annotated[bool, Query(description="Include adjacent entities (sanctions, addresses, family...)")] = True,
        _key: ApiKey | None = read,
    ) -> Response:
        """One entity, with the entities around it nested under the properties that lead to them (yente's default)."""
        found = find(entity_id)
        if isinstance(found, RedirectResponse):
            return found
        graph = service.graph()
        return _json(graph.nested(found)[0] if nested else graph.entity(found))

    @router.get("/entities/{entity_id}/adjacent", response_model=EntityAdjacentResponse, responses=NOT_FOUND)
    def fetch_adjacent(
        entity_id: EntityId,
        limit: PageLimit = DEFAULT_PAGE,
        offset: PageOffset = 0,
        sort: Sort = [],  # noqa: B006 (FastAPI reads it, never mutates)
        _key: ApiKey | None = read,
    ) -> Response:
        """The entities adjacent to one, a page per property (yente's beta route)."""
        found = find(entity_id, "/adjacent")
        if isinstance(found, RedirectResponse):
            return found
        return _json(service.graph().adjacent(found, limit, offset))

    @router.get(
        "/entities/{entity_id}/adjacent/{property_name}", response_model=AdjacentResultsResponse, responses=NOT_FOUND
    )
    def fetch_adjacent_by_prop(
        entity_id: EntityId,
        property_name: Annotated[str, Path(description="An entity property", examples=["sanctions", "ownershipOwner"])],
        limit: PageLimit = DEFAULT_PAGE,
        offset: PageOffset = 0,
        sort: Sort = [],  # noqa: B006 (FastAPI reads it, never mutates)
        _key: ApiKey | None = read,
    ) -> Response:
        """One page of the entities adjacent through one property."""
        found = find(entity_id, f"/adjacent/{quote(property_name, safe='')}")
        if isinstance(found, RedirectResponse):
            return found
        graph = service.graph()
        prop = model[graph.entity(found)["schema"]].get(property_name)
        if prop is None or prop.type != registry.entity:
            raise HTTPException(404, "No such property!")
        nested, total = graph.nested(found, prop, limit, offset)
        return _json(page(nested["properties"].get(prop.name, []), total, limit, offset))

    return router
