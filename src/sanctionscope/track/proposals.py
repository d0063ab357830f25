"""Proposal lists: the targets campaigners propose for sanctions, read from CSV or JSON and stored.

A CSV has a header with `name` and optionally `birth_date`, `role`, `wikidata`, `note` (some
common spellings of these are accepted); a JSON file is a list of such objects, or an object
with a "targets" list. Names may be in Cyrillic or Latin script.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from sanctionscope.match.query import QueryError, parse_birth_dates
from sanctionscope.sources.base import SourceError
from sanctionscope.sources.common import decode_utf8
from sanctionscope.store import schema as t

#: accepted column names (lower case) for each field
COLUMNS = {
    "name": ("name", "full_name", "target", "person", "имя", "фио"),
    "birth_date": ("birth_date", "birthdate", "birth date", "dob", "date_of_birth", "born"),
    "role": ("role", "position", "title", "должность"),
    "wikidata": ("wikidata", "wikidata_id", "qid", "wikidata id"),
    "note": ("note", "notes", "comment", "remarks"),
}


@dataclass(frozen=True)
class Target:
    name: str
    birth_date: str | None = None
    role: str | None = None
    wikidata: str | None = None
    note: str | None = None


def _field(row: dict[str, Any], field: str) -> str | None:
    lowered = {str(k).strip().lower(): v for k, v in row.items() if k is not None}
    for column in COLUMNS[field]:
        value = lowered.get(column)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


class ProposalError(ValueError):
    """A target that cannot be used; the message names the field."""


def make_target(
    name: str | None,
    birth_date: str | None = None,
    role: str | None = None,
    wikidata: str | None = None,
    note: str | None = None,
) -> Target:
    """A checked target: a name, a readable birth date, a Wikidata id like Q123."""
    if not name or not name.strip():
        raise ProposalError("a target without a name")
    if birth_date:
        try:
            parse_birth_dates([birth_date])
        except QueryError as error:
            raise ProposalError(str(error)) from None
    if wikidata and not (wikidata.upper().startswith("Q") and wikidata[1:].isdigit()):
        raise ProposalError(f"wikidata: {wikidata!r} is not a Wikidata id like Q123")
    return Target(name.strip(), birth_date or None, role, wikidata.upper() if wikidata else None, note)


def _target(row: dict[str, Any], label: str, line: int) -> Target:
    try:
        return make_target(*(_field(row, f) for f in ("name", "birth_date", "role", "wikidata", "note")))
    except ProposalError as error:
        raise SourceError(label, str(error), line=line) from None


def read_targets(path: Path) -> list[Target]:
    """The targets of a CSV or JSON file; SourceError names the file and line of anything unreadable."""
    label = str(path)
    text = decode_utf8(label, path.read_bytes())
    if path.suffix.lower() == ".json":
        try:
            data = orjson.loads(text)
        except orjson.JSONDecodeError as error:
            raise SourceError(label, f"not JSON ({error})") from None
        rows = data.get("targets") if isinstance(data, dict) else data
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise SourceError(label, 'expected a list of objects, or {"targets": [...]}')
        targets = [_target(row, label, i) for i, row in enumerate(rows, start=1)]
    else:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        header = [h.strip().lower() for h in reader.fieldnames or []]
        if not any(column in header for column in COLUMNS["name"]):
            raise SourceError(label, f"no name column (one of: {', '.join(COLUMNS['name'][:3])}) in the header", line=1)
        targets = [
            _target(row, label, reader.line_num) for row in reader if any((v or "").strip() for v in row.values())
        ]
    if not targets:
        raise SourceError(label, "no targets")
    return targets


def save_proposal(engine: sa.Engine, name: str, targets: list[Target], source_file: str | None = None) -> None:
    """Store (or replace) a proposal list, in one transaction."""
    with engine.begin() as conn:
        conn.execute(t.proposals.delete().where(t.proposals.c.name == name))
        conn.execute(t.proposal_targets.delete().where(t.proposal_targets.c.proposal == name))
        conn.execute(t.proposals.insert(), {"name": name, "source_file": source_file, "imported_at": datetime.now(UTC)})
        conn.execute(
            t.proposal_targets.insert(),
            [{"proposal": name, "position": i, **target.__dict__} for i, target in enumerate(targets)],
        )


def load_proposal(engine: sa.Engine, name: str) -> list[Target] | None:
    with engine.connect() as conn:
        if conn.execute(sa.select(t.proposals.c.name).where(t.proposals.c.name == name)).first() is None:
            return None
        rows = conn.execute(
            sa.select(t.proposal_targets)
            .where(t.proposal_targets.c.proposal == name)
            .order_by(t.proposal_targets.c.position)
        ).all()
    return [Target(r.name, r.birth_date, r.role, r.wikidata, r.note) for r in rows]


def list_proposals(engine: sa.Engine) -> list[dict[str, Any]]:
    p, pt = t.proposals, t.proposal_targets
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(p.c.name, p.c.source_file, p.c.imported_at, sa.func.count(pt.c.position).label("targets"))
            .outerjoin(pt, pt.c.proposal == p.c.name)
            .group_by(p.c.name, p.c.source_file, p.c.imported_at)
            .order_by(p.c.name)
        ).all()
    return [
        {"name": r.name, "targets": r.targets, "source_file": r.source_file, "imported_at": r.imported_at.isoformat()}
        for r in rows
    ]
