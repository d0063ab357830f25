"""The evidence of a portfolio's screening as of a day: for each member, when it was screened, against
which snapshots (content hashes), with what result and what decision, members with no hit included.

A member is screened against everything when it is added or edited (`screened`); every later run
(a delta screening after a load) screened the lists' changes against it (`last_checked`): together
they say which data the member's result stands on. As JSON, and as a printable HTML page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import jinja2
import orjson
import sqlalchemy as sa

from sanctionscope.monitor import tables as m
from sanctionscope.monitor.members import CHUNK, PortfolioError, _utc, query_to_json, read_members, require_portfolio

_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, trim_blocks=True,
    lstrip_blocks=True,
)  # fmt: skip


def _run_dict(row: sa.Row) -> dict[str, Any]:
    return {"run": row.id, "kind": row.kind, "at": _utc(row.finished_at or row.started_at).isoformat(),
            "data_version": row.data_version}  # fmt: skip


def _matches(conn: sa.Connection, member_ids: list[int], run_id: int | None) -> dict[int, list[dict[str, Any]]]:
    """Per member, the matches that held after run `run_id` (None: now)."""
    r = m.results
    found: dict[int, list[dict[str, Any]]] = {}
    for start in range(0, len(member_ids), CHUNK):
        query = sa.select(r).where(r.c.member_id.in_(member_ids[start : start + CHUNK]))
        if run_id is None:
            query = query.where(r.c.until_run.is_(None))
        else:
            query = query.where(r.c.from_run <= run_id, sa.or_(r.c.until_run.is_(None), r.c.until_run > run_id))
        for row in conn.execute(query.order_by(r.c.member_id, r.c.score.desc())):
            found.setdefault(row.member_id, []).append({"subject": row.subject_id, "score": row.score,
                                                        "referents": orjson.loads(row.referents), "since_run": row.from_run})  # fmt: skip
    return found


def portfolio_members(engine: sa.Engine, portfolio: str) -> list[dict[str, Any]]:
    """Each member with its current matches (`portfolio show`)."""
    with engine.connect() as conn:
        require_portfolio(conn, portfolio)
    found = read_members(engine, portfolio)
    with engine.connect() as conn:
        matches = _matches(conn, [member.id for member in found], None)
    return [{**member.to_dict(), "matches": matches.get(member.id, [])} for member in found]


def portfolio_report(engine: sa.Engine, portfolio: str, as_of: date | None = None) -> dict[str, Any]:
    """The evidence as it stood at the end of `as_of` (UTC; None: now)."""
    until = datetime.combine(as_of + timedelta(days=1), time(), UTC) if as_of else datetime.now(UTC)
    with engine.connect() as conn:
        require_portfolio(conn, portfolio)
        runs = conn.execute(sa.select(m.runs).where(m.runs.c.finished_at.is_not(None), m.runs.c.finished_at < until,
                                                    m.runs.c.error.is_(None)).order_by(m.runs.c.id)).all()  # fmt: skip
    if not runs:
        raise PortfolioError(f"portfolio {portfolio!r} was not screened by {as_of or 'now'}")
    last = runs[-1]
    present = [member for member in read_members(engine, portfolio, removed=True)
               if member.created_at < until and (member.removed_at is None or member.removed_at >= until)]  # fmt: skip
    ids = [member.id for member in present]
    run_of = {row.id: row for row in runs}
    with engine.connect() as conn:
        matches = _matches(conn, ids, last.id)
        screened: dict[int, int] = {}
        for start in range(0, len(ids), CHUNK):
            query = sa.select(m.screenings.c.member_id, sa.func.max(m.screenings.c.run_id)).where(
                m.screenings.c.member_id.in_(ids[start : start + CHUNK]), m.screenings.c.run_id <= last.id
            ).group_by(m.screenings.c.member_id)  # fmt: skip
            screened.update(conn.execute(query).all())
        decisions: dict[tuple[int, str], dict[str, Any]] = {}
        query = sa.select(m.alerts).where(m.alerts.c.portfolio == portfolio, m.alerts.c.decided_at.is_not(None),
                                          m.alerts.c.decided_at < until).order_by(m.alerts.c.decided_at)  # fmt: skip
        for row in conn.execute(query):
            decisions[(row.member_id, row.subject_id)] = {"state": row.state, "by": row.decided_by, "alert": row.id,
                                                          "at": _utc(row.decided_at).isoformat(), "note": row.note}  # fmt: skip
    # a delta run checks every member then in a portfolio; a members run only those it screened
    sweeps = [row.id for row in runs if row.kind != "members"]
    used: set[int] = set()
    rows = []
    for member in present:
        first = screened.get(member.id)
        hits = [{**hit, "decision": decisions.get((member.id, hit["subject"]))} for hit in matches.get(member.id, [])]
        checked = max([first, *(i for i in sweeps if first is not None and i > first)]) if first is not None else None
        used.update(i for i in (first, checked) if i is not None)
        rows.append({"id": member.external_id, **{k: v for k, v in query_to_json(member.query).items() if v},
                     "screened": _run_dict(run_of[first]) if first in run_of else None,
                     "last_checked": _run_dict(run_of[checked]) if checked in run_of else None,
                     "result": "match" if hits else "no match" if first is not None else "not screened",
                     "matches": hits})  # fmt: skip
    return {
        "portfolio": portfolio,
        "as_of": (as_of or until.date()).isoformat(),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "members": rows,
        "summary": {"members": len(rows), "matches": sum(1 for r in rows if r["matches"]),
                    "no_match": sum(1 for r in rows if r["result"] == "no match"),
                    "not_screened": sum(1 for r in rows if r["result"] == "not screened")},
        "runs": [{**_run_dict(run_of[i]), "snapshots": orjson.loads(run_of[i].snapshots)} for i in sorted(used)],
    }


def render_html(evidence: dict[str, Any]) -> str:
    """The evidence as one printable HTML page (no scripts, no external files)."""
    return _TEMPLATES.get_template("report.html").render(evidence=evidence)
