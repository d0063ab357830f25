"""FollowTheMoney entities as published: written with their snapshot, read by id, by referent, by what points at them.

Only the current snapshot of each source and scope counts when reading: an entity dropped from
the latest file of its dataset is gone, as its record is.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

import orjson
import sqlalchemy as sa
from followthemoney import model, registry

from sanctionscope.sources.ftm import kind_of
from sanctionscope.store import schema as t
from sanctionscope.store.queries import current_snapshots

#: the `prop` of a link that is a `referents` value (an id merged into the entity), not a property
REFERENT = "referents"
#: the `prop` of a link that names one of the entity's datasets (its `target`)
DATASET = "datasets"
#: rows inserted per statement
_CHUNK = 5000


def entity_links(entity: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(property, target id) for each entity-typed property value, and (REFERENT, id) for each referent."""
    schema = model.get(entity["schema"])
    for prop_name, values in (entity.get("properties") or {}).items():
        prop = schema.get(prop_name) if schema is not None else None
        if prop is not None and prop.type == registry.entity:
            for value in values:
                yield prop_name, value
    for referent in entity.get("referents") or []:
        if referent != entity["id"]:
            yield REFERENT, referent
    for dataset in entity.get("datasets") or []:
        yield DATASET, dataset


def save_entities(conn: sa.Connection, snapshot_id: int, entities: list[dict[str, Any]]) -> None:
    """Store a snapshot's entities and their links (inside the snapshot's transaction)."""
    rows = [
        {"snapshot_id": snapshot_id, "entity_id": e["id"], "schema": e["schema"], "data": orjson.dumps(e).decode()}
        for e in entities
    ]
    links = {(entity["id"], prop, target): None for entity in entities for prop, target in entity_links(entity)}
    link_rows = [{"snapshot_id": snapshot_id, "entity_id": e, "prop": p, "target": v} for e, p, v in links]
    for table, items in ((t.ftm_entities, rows), (t.ftm_links, link_rows)):
        for start in range(0, len(items), _CHUNK):
            conn.execute(sa.insert(table), items[start : start + _CHUNK])


class PublishedEntity:
    """One stored entity: its dict as published, and the source of the snapshot it came with."""

    __slots__ = ("data", "source")

    def __init__(self, data: dict[str, Any], source: str):
        self.data = data
        self.source = source

    @property
    def id(self) -> str:
        return str(self.data["id"])

    @property
    def record_id(self) -> str:
        """The record id a thing entity was imported under ("ftm:NK-…")."""
        return f"{self.source}:{self.id}"


class FtmGraph:
    """The published FtM entities of the current snapshots (a view for one data version)."""

    def __init__(self, engine: sa.Engine, *, source: str | None = None, as_of: date | None = None):
        self.engine = engine
        current = current_snapshots(engine, source=source, as_of=as_of)
        self._snapshots = {row.id: row.source for row in current if row.format == "ftm_json"}

    def __bool__(self) -> bool:
        return bool(self._snapshots)

    def entities(self, ids: Iterable[str]) -> dict[str, PublishedEntity]:
        """The entities with these ids (one per id: the newest snapshot's)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted or not self._snapshots:
            return {}
        e = t.ftm_entities
        found: dict[str, PublishedEntity] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                query = sa.select(e.c.snapshot_id, e.c.entity_id, e.c.data).where(
                    e.c.entity_id.in_(chunk), e.c.snapshot_id.in_(self._snapshots)
                )
                for row in conn.execute(query.order_by(e.c.snapshot_id)):
                    found[row.entity_id] = PublishedEntity(orjson.loads(row.data), self._snapshots[row.snapshot_id])
        return found

    def related(self) -> Iterator[dict[str, Any]]:
        """Every published entity that is not a thing (those are records): Sanction, Address, Ownership..."""
        e = t.ftm_entities
        things = [name for name, schema in model.schemata.items() if kind_of(schema) is not None]
        query = sa.select(e.c.data).where(e.c.snapshot_id.in_(self._snapshots), e.c.schema.not_in(things))
        with self.engine.connect() as conn:
            for data in conn.execute(query.order_by(e.c.snapshot_id, e.c.entity_id)).scalars():
                yield orjson.loads(data)

    def pointing_at(self, ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(entity id, property, target) of every property value that points at one of these ids."""
        return self._links(ids, t.ftm_links.c.prop.not_in([REFERENT, DATASET]))

    def merged_into(self, ids: Iterable[str]) -> dict[str, str]:
        """For ids that an entity lists among its referents: that entity's id."""
        return {target: entity for entity, _prop, target in self._links(ids, t.ftm_links.c.prop == REFERENT)}

    def datasets(self) -> set[str]:
        """The datasets the published entities belong to."""
        links = t.ftm_links
        query = (
            sa.select(links.c.target)
            .distinct()
            .where(links.c.prop == DATASET, links.c.snapshot_id.in_(self._snapshots))
        )
        with self.engine.connect() as conn:
            return set(conn.execute(query).scalars())

    def _links(self, ids: Iterable[str], condition: Any) -> list[tuple[str, str, str]]:
        wanted = list(dict.fromkeys(ids))
        if not wanted or not self._snapshots:
            return []
        links = t.ftm_links
        found: dict[tuple[str, str, str], None] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(wanted):
                query = sa.select(links.c.entity_id, links.c.prop, links.c.target).where(
                    links.c.target.in_(chunk), links.c.snapshot_id.in_(self._snapshots), condition
                )
                for row in conn.execute(query.order_by(links.c.entity_id, links.c.prop, links.c.target)):
                    found[(row.entity_id, row.prop, row.target)] = None
        return list(found)


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
