"""/catalog in yente's shape: one dataset per loaded source, per jurisdiction, and `default`/`sanctions`.

A source's `version` names its newest snapshot (the date it states and the snapshot's number);
`index_version` is the version the server's index was built from, so a load that the server has
not picked up yet shows as `outdated` (with `index_stale`) until it has. Dates are the lists' own:
`updated_at` the newest snapshot's publication date, `last_change` the newest change between its
snapshots (or its first snapshot's date), as yente's datetimes.

The datasets that FollowTheMoney entities name in their `datasets` (an OpenSanctions file's
`eu_fsf`, `parteispenden`…, or `load --dataset NAME`) are datasets too, each with its entity
count (all entities of the current FtM snapshots that name it; `thing_count`: those that are
persons, organizations, vessels…), the version and dates of the source whose files carry them,
and `load: false` (they come in with that source's load); they are `default`'s children too.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from followthemoney import model

from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.sources.ftm import kind_of
from sanctionscope.sources.registry import SOURCES, jurisdiction_of
from sanctionscope.store import schema as t
from sanctionscope.store.ftm_graph import DATASET
from sanctionscope.store.queries import current_snapshots, snapshots


def _datetime(day: date | None) -> str | None:
    return f"{day.isoformat()}T00:00:00" if day else None


def source_versions(engine: sa.Engine) -> dict[str, str]:
    """Each loaded source's version: its newest snapshot's date and number (20251120000000-2a)."""
    latest: dict[str, tuple[date, int]] = {}
    for row in snapshots(engine):
        latest[row.source] = max(latest.get(row.source, (row.published_on, row.id)), (row.published_on, row.id))
    return {source: f"{day:%Y%m%d}000000-{number:x}" for source, (day, number) in latest.items()}


def _source_dates(engine: sa.Engine) -> dict[str, dict[str, date | None]]:
    """Per source: its first and newest snapshot's dates and its newest change."""
    s, c = t.snapshots, t.changes
    with engine.connect() as conn:
        spans = conn.execute(sa.select(s.c.source, sa.func.min(s.c.published_on), sa.func.max(s.c.published_on))
                             .group_by(s.c.source)).all()  # fmt: skip
        changed = dict(conn.execute(sa.select(c.c.source, sa.func.max(c.c.date)).group_by(c.c.source)).all())
    return {source: {"first": first, "newest": newest, "changed": changed.get(source) or first}
            for source, first, newest in spans}  # fmt: skip


def ftm_datasets(engine: sa.Engine) -> dict[str, dict[str, Any]]:
    """The datasets FtM entities of the current snapshots name: per dataset its sources, entity and thing counts."""
    current = tuple(sorted((row.id, row.source) for row in current_snapshots(engine) if row.format == "ftm_json"))
    return _ftm_datasets(engine, current) if current else {}


@lru_cache(maxsize=8)
def _ftm_datasets(engine: sa.Engine, current: tuple[tuple[int, str], ...]) -> dict[str, dict[str, Any]]:
    """ftm_datasets for one set of current snapshots (they change only with a load: cached)."""
    links, entities = t.ftm_links, t.ftm_entities
    source_of = dict(current)
    same = sa.and_(entities.c.snapshot_id == links.c.snapshot_id, entities.c.entity_id == links.c.entity_id)
    query = (
        sa.select(links.c.target, links.c.snapshot_id, entities.c.schema, sa.func.count(sa.distinct(links.c.entity_id)))
        .select_from(links.join(entities, same))
        .where(links.c.prop == DATASET, links.c.snapshot_id.in_(list(source_of)))
        .group_by(links.c.target, links.c.snapshot_id, entities.c.schema)
    )
    found: dict[str, dict[str, Any]] = {}
    with engine.connect() as conn:
        for dataset, snapshot_id, schema_name, count in conn.execute(query):
            entry = found.setdefault(dataset, {"sources": set(), "entity_count": 0, "thing_count": 0})
            entry["sources"].add(source_of[snapshot_id])
            entry["entity_count"] += count
            schema = model.get(schema_name)
            if schema is not None and kind_of(schema) is not None:
                entry["thing_count"] += count
    return found


def catalog(engine: sa.Engine, book: SubjectBook, index_versions: dict[str, str]) -> dict[str, Any]:
    """The catalog: datasets with yente's fields (plus `type` and `jurisdiction`), current, outdated, index_stale."""
    counts = book.counts_per_source
    versions = source_versions(engine)
    dates = _source_dates(engine)
    datasets: list[dict[str, Any]] = []
    for source in sorted(versions):
        info = SOURCES.get(source)
        day = dates.get(source, {})
        datasets.append({
            "name": source, "title": info.title if info else source, "url": info.urls[0] if info and info.urls else None,
            "summary": info.publisher if info else None,
            "type": "source", "jurisdiction": jurisdiction_of(source),
            "version": versions[source], "index_version": index_versions.get(source),
            "index_current": index_versions.get(source) == versions[source], "load": True,
            "updated_at": _datetime(day.get("newest")), "last_export": _datetime(day.get("newest")),
            "last_change": _datetime(day.get("changed")),
            "entity_count": counts.get(source, 0), "thing_count": counts.get(source, 0), "children": [],
        })  # fmt: skip
    sources = {d["name"]: d for d in datasets}
    published: list[str] = []
    for name, dataset in sorted(ftm_datasets(engine).items()):
        # a dataset named as a loaded source (OpenSanctions' us_ofac_sdn): the source stands for both
        if name in sources:
            continue
        carrier = sources.get(min(dataset["sources"]), {})
        published.append(name)
        datasets.append({
            "name": name, "title": name, "url": None, "summary": None, "type": "source", "jurisdiction": None,
            "version": carrier.get("version"), "index_version": carrier.get("index_version"),
            "index_current": bool(carrier.get("index_current")), "load": False,
            "updated_at": carrier.get("updated_at"), "last_export": carrier.get("last_export"),
            "last_change": carrier.get("last_change"), "entity_count": dataset["entity_count"],
            "thing_count": dataset["thing_count"], "children": [],
        })  # fmt: skip

    def collection(name: str, title: str, children: list[str], entity_count: int) -> dict[str, Any]:
        members = [sources[c] for c in children]
        return {"name": name, "title": title, "type": "collection", "children": children, "load": False,
                "version": max((m["version"] for m in members), default=None), "index_version": None,
                "index_current": False, "updated_at": max((m["updated_at"] for m in members), default=None),
                "last_change": max((m["last_change"] for m in members if m["last_change"]), default=None),
                "entity_count": entity_count}  # fmt: skip

    for code in sorted({jurisdiction_of(s) for s in sources}):
        children = [s for s in sources if jurisdiction_of(s) == code]
        count = sum(counts.get(s, 0) for s in children)  # a subject on two lists of one country counts twice
        datasets.append(collection(code, f"Sanctions of {code.upper()}", children, count))
    for name, title in (("default", "Everything loaded"), ("sanctions", "All sanctions lists")):
        datasets.append(collection(name, title, sorted(sources), len(book)))
        datasets[-1]["children"] = sorted(sources) + published
    current = [d["name"] for d in datasets if d["load"] and d["index_current"]]
    outdated = [d["name"] for d in datasets if d["load"] and not d["index_current"]]
    return {"datasets": datasets, "current": current, "outdated": outdated, "index_stale": bool(outdated)}
