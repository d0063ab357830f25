"""Exports of records: FollowTheMoney entities (through `ftm_mapping`, the API's mapping too) and a flat CSV."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from followthemoney import ValueEntity

from sanctionscope.ftm_mapping import caption_of, is_target, listing_entities, published_entity, record_entity
from sanctionscope.model import Record
from sanctionscope.sources.registry import jurisdiction_of

CSV_COLUMNS = (
    "id",
    "source",
    "source_id",
    "jurisdiction",
    "kind",
    "caption",
    "names",
    "birth_dates",
    "birth_places",
    "nationalities",
    "citizenships",
    "gender",
    "identifiers",
    "addresses",
    "regimes",
    "listed_on",
    "reason",
    "cross_refs",
)


def _join(values: Iterable[str]) -> str:
    return "; ".join(v for v in values if v)


def record_row(record: Record) -> dict[str, str]:
    """One CSV row: multi-valued fields joined with "; "."""
    return {
        "id": record.id,
        "source": record.source,
        "source_id": record.source_id,
        "jurisdiction": jurisdiction_of(record.source),
        "kind": record.kind.value,
        "caption": record.caption,
        "names": _join(n.full for n in record.names),
        "birth_dates": _join((d.raw or d.value or "") for d in record.birth_dates),
        "birth_places": _join(record.birth_places),
        "nationalities": _join(record.nationalities),
        "citizenships": _join(record.citizenships),
        "gender": record.gender or "",
        "identifiers": _join(
            f"{i.type}: {i.value}" + (f" ({i.country})" if i.country else "") for i in record.identifiers
        ),
        "addresses": _join(a.full for a in record.addresses),
        "regimes": _join(record.regimes),
        "listed_on": record.listed_on or "",
        "reason": record.reason or "",
        "cross_refs": _join(record.cross_refs),
    }


def write_csv(records: Iterable[Record], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(record_row(record))
        count += 1
    return count


def export_entities(records: Iterable[Record], related: Iterable[dict[str, Any]] = ()) -> Iterator[dict[str, Any]]:
    """FtM entity dicts: each record's thing and the entities its list states (Address, Sanction), then `related`.

    `related` are the entities an FtM publisher gave next to its things (Sanction, Address,
    Ownership...: `FtmGraph.related()`), written as published.
    """
    for record in records:
        thing = record_entity(record)
        yield _export_dict(thing, is_target(record))
        for entity in listing_entities(record, thing):
            yield _export_dict(entity, False)
    for data in related:
        yield _export_dict(published_entity(data), bool(data.get("target")))


def _export_dict(entity: ValueEntity, target: bool) -> dict[str, Any]:
    """The entity as OpenSanctions writes it (ValueEntity's dict: caption, datasets, referents, dates) with `target`."""
    data = entity.to_dict()
    data["caption"] = caption_of(entity)
    data["datasets"] = sorted(entity.datasets)
    data["referents"] = sorted(entity.referents)
    data["target"] = target
    return data
