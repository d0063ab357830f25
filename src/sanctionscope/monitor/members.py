"""Portfolios and their members: stored queries (what is known of each customer or target), with the
name keys of each member kept beside it as the reverse index delta screening looks changed records up in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, overload

import orjson
import sqlalchemy as sa

from sanctionscope.match.engine import analyze_query_names
from sanctionscope.match.query import SCHEMA_OF_KIND, Query, QueryError, build_query
from sanctionscope.model import FuzzyDate
from sanctionscope.monitor import tables as m
from sanctionscope.service.batch import BatchQuery
from sanctionscope.track.proposals import load_proposal

#: rows per statement when reading or writing many members
CHUNK = 1000


class PortfolioError(ValueError):
    """A portfolio or member that does not exist, or input that cannot be stored; the message says which."""


@dataclass(frozen=True)
class Member:
    id: int
    portfolio: str
    external_id: str
    query: Query
    created_at: datetime
    updated_at: datetime
    removed_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.external_id, "portfolio": self.portfolio, **query_to_json(self.query),
                "created": self.created_at.isoformat(), "updated": self.updated_at.isoformat()}  # fmt: skip


def query_to_json(query: Query) -> dict[str, Any]:
    return {
        "names": list(query.names),
        "schema": SCHEMA_OF_KIND.get(query.kind or "", None),
        "birth_dates": [d.raw or d.value for d in query.birth_dates],
        "countries": list(query.countries),
        "identifiers": list(query.identifiers),
        "gender": query.gender,
    }


def _stored_query(query: Query) -> str:
    data = {"names": list(query.names), "kind": query.kind, "countries": list(query.countries),
            "birth_dates": [[d.value, d.until, d.circa, d.raw] for d in query.birth_dates],
            "identifiers": list(query.identifiers), "gender": query.gender}  # fmt: skip
    return orjson.dumps(data).decode()


def _read_query(text: str) -> Query:
    data = orjson.loads(text)
    return Query(data["names"], data["kind"], [FuzzyDate(*d) for d in data["birth_dates"]], data["countries"],
                 data["identifiers"], data["gender"])  # fmt: skip


def member_keys(query: Query) -> list[str]:
    """The index keys of the query's names: the same keys the matcher's index holds for listed names."""
    return sorted({key for name in analyze_query_names(query) for key in name.index_keys})


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: None) -> None: ...
def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back without their zone: they were written in UTC."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _member(row: sa.Row) -> Member:
    return Member(row.id, row.portfolio, row.external_id, _read_query(row.query), _utc(row.created_at),
                  _utc(row.updated_at), _utc(row.removed_at))  # fmt: skip


def portfolio_exists(conn: sa.Connection, name: str) -> bool:
    return conn.execute(sa.select(m.portfolios.c.name).where(m.portfolios.c.name == name)).first() is not None


def require_portfolio(conn: sa.Connection, name: str) -> None:
    if not portfolio_exists(conn, name):
        raise PortfolioError(f"no portfolio named {name!r} (see `sanctionscope portfolio list`)")


def ensure_portfolio(conn: sa.Connection, name: str, *, proposal: str | None = None, source_file: str | None = None) -> None:
    if not name.strip() or len(name) > 200:
        raise PortfolioError("--name: a portfolio needs a name of 1 to 200 characters")
    if not portfolio_exists(conn, name):
        conn.execute(m.portfolios.insert(), {"name": name, "proposal": proposal, "source_file": source_file,
                                             "created_at": datetime.now(UTC)})  # fmt: skip


@dataclass
class ImportReport:
    portfolio: str
    added: list[int] = field(default_factory=list)  # member ids
    updated: list[int] = field(default_factory=list)
    unchanged: int = 0
    removed: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def to_screen(self) -> list[int]:
        """The members to screen against everything: new ones and edited ones."""
        return self.added + self.updated

    def to_dict(self) -> dict[str, Any]:
        return {"portfolio": self.portfolio, "added": len(self.added), "updated": len(self.updated),
                "unchanged": self.unchanged, "removed": self.removed, "warnings": self.warnings}  # fmt: skip


def save_members(
    engine: sa.Engine,
    portfolio: str,
    items: Sequence[BatchQuery],
    *,
    source_file: str | None = None,
    proposal: str | None = None,
    replace: bool = False,
) -> ImportReport:
    """Add or update members by their id, in one transaction; `replace`: members not in `items` are removed.

    A row without a usable name refuses the whole import (PortfolioError naming every such line),
    so a bad file never leaves half a portfolio; values left out of a row are kept as warnings.
    """
    failed = [item.error for item in items if item.error or item.query is None]
    if failed:
        raise PortfolioError(f"{source_file or 'input'}: " + "; ".join(str(f) for f in failed))
    ids = [item.id for item in items]
    repeated = sorted({i for i in ids if ids.count(i) > 1}) if len(set(ids)) != len(ids) else []
    if repeated:
        raise PortfolioError(f"{source_file or 'input'}: member id(s) given twice: {', '.join(repeated[:10])}")
    report = ImportReport(portfolio, warnings=[w for item in items for w in item.warnings])
    now = datetime.now(UTC)
    with engine.begin() as conn:
        ensure_portfolio(conn, portfolio, proposal=proposal, source_file=source_file)
        existing = {row.external_id: row for row in conn.execute(
            sa.select(m.members.c.id, m.members.c.external_id, m.members.c.query, m.members.c.removed_at)
            .where(m.members.c.portfolio == portfolio))}  # fmt: skip
        inserts = []
        for item in items:
            assert item.query is not None
            stored = _stored_query(item.query)
            row = existing.get(item.id)
            if row is None:
                inserts.append({"portfolio": portfolio, "external_id": item.id, "query": stored,
                                "keys": " ".join(member_keys(item.query)), "created_at": now, "updated_at": now})  # fmt: skip
            elif row.query != stored or row.removed_at is not None:
                conn.execute(m.members.update().where(m.members.c.id == row.id),
                             {"query": stored, "keys": " ".join(member_keys(item.query)), "updated_at": now,
                              "removed_at": None})  # fmt: skip
                report.updated.append(row.id)
            else:
                report.unchanged += 1
        for start in range(0, len(inserts), CHUNK):
            conn.execute(m.members.insert(), inserts[start : start + CHUNK])
        if inserts:
            found = conn.execute(sa.select(m.members.c.id, m.members.c.external_id)
                                 .where(m.members.c.portfolio == portfolio)).all()  # fmt: skip
            new_ids = {i["external_id"] for i in inserts}
            report.added = sorted(member_id for member_id, external in found if external in new_ids)
        if replace:
            gone = [row.id for external, row in existing.items() if external not in set(ids) and row.removed_at is None]
            report.removed = _mark_removed(conn, gone, now)
    return report


def _mark_removed(conn: sa.Connection, member_ids: Iterable[int], when: datetime) -> int:
    """Members leave their portfolio but stay stored: the evidence of their past screenings refers to them."""
    ids = list(member_ids)
    for start in range(0, len(ids), CHUNK):
        conn.execute(m.members.update().where(m.members.c.id.in_(ids[start : start + CHUNK])), {"removed_at": when})
    # their open matches end: nobody is watched for them any more
    for start in range(0, len(ids), CHUNK):
        conn.execute(m.results.delete().where(m.results.c.member_id.in_(ids[start : start + CHUNK]),
                                              m.results.c.until_run.is_(None)))  # fmt: skip
    return len(ids)


def remove_member(engine: sa.Engine, portfolio: str, external_id: str) -> None:
    with engine.begin() as conn:
        member = find_member(conn, portfolio, external_id)
        _mark_removed(conn, [member.id], datetime.now(UTC))


def find_member(conn: sa.Connection, portfolio: str, external_id: str) -> Member:
    require_portfolio(conn, portfolio)
    row = conn.execute(sa.select(m.members).where(m.members.c.portfolio == portfolio,
                                                  m.members.c.external_id == external_id,
                                                  m.members.c.removed_at.is_(None))).first()  # fmt: skip
    if row is None:
        raise PortfolioError(f"portfolio {portfolio!r} has no member {external_id!r}")
    return _member(row)


def member_query(
    names: Sequence[str],
    *,
    schema: str | None = None,
    birth_dates: Iterable[str] = (),
    countries: Iterable[str] = (),
    identifiers: Iterable[str] = (),
) -> Query:
    """A member's query from plain values, strictly checked (PortfolioError names the field)."""
    try:
        return build_query(names, schema=schema, birth_dates=birth_dates, countries=countries, identifiers=identifiers)
    except QueryError as error:
        raise PortfolioError(str(error)) from None


def proposal_members(engine: sa.Engine, proposal: str) -> list[BatchQuery]:
    """The targets of a stored proposal list as members: id = the Wikidata id, else the target's position."""
    targets = load_proposal(engine, proposal)
    if targets is None:
        raise PortfolioError(f"no proposal list named {proposal!r} (see `sanctionscope proposals list`)")
    return [BatchQuery(target.wikidata or str(number), member_query([target.name], schema="Person",
                                                                    birth_dates=[target.birth_date or ""]))
            for number, target in enumerate(targets, start=1)]  # fmt: skip


def read_members(
    engine: sa.Engine, portfolio: str | None = None, ids: Iterable[int] | None = None, *, removed: bool = False
) -> list[Member]:
    """Members of a portfolio (or all, or these ids), by id; `removed`: those taken out too."""
    where: list[sa.ColumnElement[bool]] = [] if removed else [m.members.c.removed_at.is_(None)]
    if portfolio is not None:
        where.append(m.members.c.portfolio == portfolio)
    with engine.connect() as conn:
        if ids is None:
            return [_member(r) for r in conn.execute(sa.select(m.members).where(*where).order_by(m.members.c.id))]
        wanted = sorted(set(ids))
        found: list[Member] = []
        for start in range(0, len(wanted), CHUNK):
            query = sa.select(m.members).where(m.members.c.id.in_(wanted[start : start + CHUNK]), *where)
            found.extend(_member(r) for r in conn.execute(query))
        return sorted(found, key=lambda member: member.id)


def member_key_rows(engine: sa.Engine) -> list[tuple[int, list[str]]]:
    """(member id, its name keys) of every member in a portfolio: what the reverse index is built from."""
    with engine.connect() as conn:
        query = sa.select(m.members.c.id, m.members.c["keys"]).where(m.members.c.removed_at.is_(None))
        return [(member_id, keys.split()) for member_id, keys in conn.execute(query.order_by(m.members.c.id))]


def list_portfolios(engine: sa.Engine) -> list[dict[str, Any]]:
    p, mm, a = m.portfolios, m.members, m.alerts
    with engine.connect() as conn:
        counts: dict[str, int] = dict(conn.execute(sa.select(mm.c.portfolio, sa.func.count()).where(mm.c.removed_at.is_(None))
                                   .group_by(mm.c.portfolio)).all())  # fmt: skip
        open_alerts: dict[str, int] = dict(conn.execute(sa.select(a.c.portfolio, sa.func.count()).where(a.c.state == "open")
                                        .group_by(a.c.portfolio)).all())  # fmt: skip
        rows = conn.execute(sa.select(p).order_by(p.c.name)).all()
    return [{"name": r.name, "members": counts.get(r.name, 0), "open_alerts": open_alerts.get(r.name, 0),
             "proposal": r.proposal, "source_file": r.source_file, "created": _utc(r.created_at).isoformat()}
            for r in rows]  # fmt: skip
