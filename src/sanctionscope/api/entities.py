"""Entities as yente serves them: subjects through `ftm_mapping`, and the entities around them (nested, adjacent).

An entity is a subject (its records' things merged, `ftm_mapping.subject_entity`) or an entity
an FtM publisher gave next to its things (a Sanction, Address, Ownership...: `store/ftm_graph`).
Every id a subject answers to finds it: its public id (an FtM publisher's "NK-…", else
"ss-…"), its subject id, the ids of subjects merged into it, its record ids, its records'
publisher ids and OpenSanctions referents.

Around an entity, as yente 5.5.0 gathers them (`yente.search.nested`): the entities that point
at it or that it points at (one edge), and through an edge entity (Ownership, Family,
Directorship...) the entity at its other end; nested, each related entity is put under the
property that leads to it (a Sanction's `entity` → the root's `sanctions`), ids of entities
that are not there are left out.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from followthemoney import model, registry
from followthemoney.property import Property

from sanctionscope.api.yente_models import yente_entity
from sanctionscope.ftm_mapping import (
    entity_aliases,
    entity_json,
    is_target,
    listing_entities,
    public_id,
    record_entity,
    thing_id,
)
from sanctionscope.ftm_mapping import subject_entity as merged_entity
from sanctionscope.resolve.subjects import Subject, SubjectBook
from sanctionscope.sources.ftm import kind_of
from sanctionscope.sources.registry import jurisdiction_of
from sanctionscope.store.ftm_graph import FtmGraph, PublishedEntity

Node = dict[str, Any]


def subject_entity(subject: Subject) -> Node:
    """The subject as yente's entity dict, plus sanctionscope's `jurisdictions` (yente clients ignore it)."""
    data = entity_json(merged_entity(subject), target=any(is_target(r) for r in subject.records))
    data["jurisdictions"] = sorted({jurisdiction_of(h.record.source) for h in subject.histories})
    return data


@dataclass(frozen=True)
class Found:
    """What an id stands for: a subject or a published entity, and the id it is served under."""

    id: str
    subject: Subject | None = None
    published: PublishedEntity | None = None


class EntityGraph:
    """Finds entities by any of their ids and gathers what is around them (one data version)."""

    def __init__(self, book: SubjectBook, graph: FtmGraph, serialize: Callable[[Subject], Node] = subject_entity):
        self.book = book
        self.graph = graph
        self.serialize = serialize

    # --- finding ---------------------------------------------------------------------------

    def find(self, entity_id: str) -> Found | None:
        """The entity an id stands for (its `id` differs from `entity_id` when that is an alias: redirect)."""
        subject = self.book.get(entity_id) or self.book.for_record(entity_id)
        if subject is not None:
            return Found(public_id(subject), subject=subject)
        published = self._published([entity_id]).get(entity_id)
        if published is None:
            return None
        if kind_of(model[published.data["schema"]]) is not None:
            subject = self.book.for_record(published.record_id)
            return Found(public_id(subject), subject=subject) if subject is not None else None
        return Found(published.id, published=published)

    def subject(self, entity_id: str) -> Subject | None:
        """The subject any of its ids stands for."""
        found = self.find(entity_id)
        return found.subject if found is not None else None

    def _published(self, ids: Iterable[str]) -> dict[str, PublishedEntity]:
        """Published entities by id, or by an id one of them lists among its referents."""
        wanted = list(dict.fromkeys(ids))
        found = self.graph.entities(wanted)
        missing = [i for i in wanted if i not in found]
        if missing:
            merged = self.graph.merged_into(missing)
            by_merged = self.graph.entities(merged.values())
            found.update({old: by_merged[new] for old, new in merged.items() if new in by_merged})
        return found

    # --- serving ---------------------------------------------------------------------------

    def entity(self, found: Found) -> Node:
        """The entity alone (not nested)."""
        if found.subject is not None:
            return yente_entity(self.serialize(found.subject))
        assert found.published is not None
        return _published_node(found.published)

    def nested(self, found: Found, prop: Property | None = None, limit: int | None = None, offset: int = 0) -> tuple[Node, int]:
        """The entity with its neighbours nested under the properties that lead to them, and how many are one edge away.

        With `prop`, only the neighbours through that property, `limit` of them from `offset`.
        """
        root, near = self._neighbourhood(found)
        first = _first_degree(root, near, prop)
        kept = first[offset : offset + limit] if limit is not None else first[offset:]
        nodes = {root["id"]: root} | {i: near[i] for i in kept}
        for node_id in kept:  # the other end of an edge entity comes along
            for value in _entity_values(near[node_id]):
                if value in near and _is_edge(near[node_id]):
                    nodes.setdefault(value, near[value])
        return _nest(root, nodes, _inverted(nodes.values()), frozenset()), len(first)

    def adjacent(self, found: Found, limit: int, offset: int) -> Node:
        """yente's /entities/{id}/adjacent: per entity property with neighbours, a page of them."""
        entity = self.entity(found)
        schema = model[entity["schema"]]
        adjacent: dict[str, Any] = {}
        for name, prop in schema.properties.items():
            if prop.type != registry.entity:
                continue
            nested, total = self.nested(found, prop, limit, offset)
            if total:
                adjacent[name] = page(nested["properties"].get(name, []), total, limit, offset)
        return {"entity": entity, "adjacent": adjacent}

    def _neighbourhood(self, found: Found) -> tuple[Node, dict[str, Node]]:
        """The root entity and every entity one edge away, or two through an edge entity; ids point at served ids."""
        own_ids: set[str] = {found.id}
        near: dict[str, Node] = {}
        if found.subject is not None:
            root = copy.deepcopy(self.serialize(found.subject))
            own_ids.update(entity_aliases(found.subject))
            for record in found.subject.records:
                thing = record_entity(record)
                for entity in listing_entities(record, thing):
                    if entity.id is not None:  # every listing entity has one: made from its record's id
                        near[entity.id] = entity_json(entity, target=False)
            publisher_ids = {thing_id(r) for r in found.subject.records if r.ftm_schema is not None}
        else:
            assert found.published is not None
            root = _published_node(found.published)
            publisher_ids = {found.published.id, *root.get("referents", [])}
            own_ids.update(publisher_ids)
        pointing = {entity for entity, _prop, _target in self.graph.pointing_at(publisher_ids | own_ids)}
        served = self._served(pointing | set(_entity_values(root)), own_ids | near.keys())
        near.update(served)
        second = {v for node in served.values() if _is_edge(node) for v in _entity_values(node)}
        near.update(self._served(second - near.keys() - own_ids, own_ids | near.keys()))
        aliases = {alias: found.id for alias in own_ids}
        for node in near.values():
            aliases.update({alias: node["id"] for alias in node.pop("_aliases", [])})
        near.pop(found.id, None)
        for node in [root, *near.values()]:
            _point_at_served(node, aliases)
        root = yente_entity(root)
        return root, {node["id"]: yente_entity(node) for node in near.values()}

    def _served(self, ids: Iterable[str], known: set[str]) -> dict[str, Node]:
        """Nodes for these ids as they are served: a published thing as its subject, others as published."""
        nodes: dict[str, Node] = {}
        for wanted, published in self._published(i for i in ids if i not in known).items():
            if kind_of(model[published.data["schema"]]) is None:
                node = _published_node(published)
            else:
                subject = self.book.for_record(published.record_id)
                if subject is None:
                    continue
                node = copy.deepcopy(self.serialize(subject))
            node["_aliases"] = [wanted, published.id, *node.get("_aliases", [])]
            nodes.setdefault(node["id"], node)
        return nodes


def page(results: list[Any], total: int, limit: int, offset: int) -> Node:
    """yente's page of adjacent results."""
    return {"results": results, "total": {"value": total, "relation": "eq"}, "limit": limit, "offset": offset}


def _published_node(published: PublishedEntity) -> Node:
    data = copy.deepcopy(published.data)
    data.setdefault("caption", model[data["schema"]].label)
    data["target"] = bool(data.get("target"))
    for stamp in ("first_seen", "last_seen", "last_change"):
        data.setdefault(stamp, None)
    return data


def _is_edge(node: Node) -> bool:
    return bool(model[node["schema"]].edge)


def _entity_props(node: Node) -> Iterable[tuple[Property, list[Any]]]:
    schema = model[node["schema"]]
    for name, values in node["properties"].items():
        prop = schema.get(name)
        if prop is not None and prop.type == registry.entity:
            yield prop, values


def _entity_values(node: Node) -> list[str]:
    return [v for _prop, values in _entity_props(node) for v in values if isinstance(v, str)]


def _point_at_served(node: Node, aliases: dict[str, str]) -> None:
    """Entity values that are aliases (a record's thing id, an old id) become the id the entity is served under."""
    for prop, values in _entity_props(node):
        node["properties"][prop.name] = list(dict.fromkeys(aliases.get(v, v) for v in values))


def _first_degree(root: Node, near: dict[str, Node], prop: Property | None) -> list[str]:
    """The neighbours one edge from the root (through `prop` only, if given), in a stable order."""
    out: dict[str, None] = {}
    for root_prop, values in _entity_props(root):
        if prop is None or root_prop.name == prop.name:
            out.update((v, None) for v in values if v in near)
    for node_id, node in sorted(near.items()):
        for node_prop, values in _entity_props(node):
            reverse = node_prop.reverse
            if root["id"] in values and reverse is not None and (prop is None or reverse.name == prop.name):
                out[node_id] = None
    return list(out)


def _inverted(nodes: Iterable[Node]) -> dict[str, list[tuple[str, str]]]:
    """target id → (reverse property name, id of the entity pointing at it)."""
    inverted: dict[str, list[tuple[str, str]]] = {}
    for node in nodes:
        for prop, values in _entity_props(node):
            if prop.reverse is None:
                continue
            for value in values:
                pair = (prop.reverse.name, node["id"])
                if pair not in inverted.setdefault(value, []):
                    inverted[value].append(pair)
    return inverted


def _nest(node: Node, nodes: dict[str, Node], inverted: dict[str, list[tuple[str, str]]], path: frozenset[str]) -> Node:
    """yente's nesting: entities pointing at this one (only near the root), then the ones it points at, never back up the path."""
    out = {key: value for key, value in node.items() if key != "properties"}
    properties: dict[str, list[Any]] = {k: list(v) for k, v in node["properties"].items()}
    next_path = path | {node["id"]}
    if len(path) <= 1:
        for reverse_name, other in inverted.get(node["id"], []):
            if other in path or other not in nodes:
                continue
            properties.setdefault(reverse_name, []).append(_nest(nodes[other], nodes, inverted, next_path))
    for prop, values in list(_entity_props(node)):
        kept = [_nest(nodes[v], nodes, inverted, next_path) for v in values if v not in path and v in nodes]
        if kept:
            properties[prop.name] = kept
        else:
            properties.pop(prop.name, None)
    out["properties"] = properties
    return out
