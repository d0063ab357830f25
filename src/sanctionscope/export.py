"""Flat exports of records (CSV); FollowTheMoney export lives with its format in sources/ftm.py."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

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
