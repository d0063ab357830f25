"""Alerts: a member gained a match, lost one, or its match was amended; an analyst decides each one.

A decision is remembered for the member and the subject (`monitor_decisions`), with what the
subject's records said when it was taken: the names, birth dates and identifiers of each record.
A member marked `false_positive` or `whitelisted` for a subject is not alerted again for it unless
the subject as a whole gains a name, a birth date or an identifier that none of its records had
(a change that could make the analyst judge otherwise), whether a record was amended or joined the
subject later (another list's entry of the same person, a merge). Names are compared part by part
on their folded keys, so another list's spelling or script of a known name is no news. Decisions follow
subjects through merges (their ids redirect).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa
from rapidfuzz.fuzz import ratio

from sanctionscope.match.features import strong_identifier_keys
from sanctionscope.model import Record
from sanctionscope.monitor import tables as m
from sanctionscope.monitor.members import PortfolioError, _utc
from sanctionscope.names.keys import word_keys
from sanctionscope.store import schema as t

KINDS = ("new_match", "removed_match", "amended_match")
STATES = ("open", "confirmed", "false_positive", "whitelisted")
DECISIONS = STATES[1:]
#: decisions that silence a subject for a member until its records change in a way that matters
SILENCING = ("false_positive", "whitelisted")

#: a name part this close to a known one (rapidfuzz ratio) is that part as another list spells it: Timčenko,
#: Timtšenko, Timchenko; Usmanov, Usmonov
SAME_PART = 80

#: per record of a subject: its names, birth dates and identifiers ("n:…", "b:…", "i:…")
Facts = dict[str, list[str]]


def name_fact(full: str) -> str:
    """A name as a decision remembers it: its parts' folded keys (USMANOV, Alisher = Алишер Усманов)."""
    return " ".join(sorted(word_keys(full)))


def record_facts(record: Record) -> list[str]:
    """What about a record could change an analyst's mind: its names, birth dates and the identifiers that
    name a person (a passport, not the list's own reference number)."""
    found = {f"n:{fact}" for n in record.names if n.full and (fact := name_fact(n.full))}
    found |= {f"b:{d.value}" for d in record.birth_dates if d.value}
    found |= {f"i:{key}" for key in strong_identifier_keys(record)}
    return sorted(found)


def subject_facts(conn: sa.Connection, version_of: Mapping[str, int], referents: Iterable[str]) -> Facts:
    """The facts of these records in their current versions (`version_of`: referent → version id)."""
    wanted = {version_of[r]: r for r in referents if r in version_of}
    if not wanted:
        return {}
    rows = conn.execute(sa.select(t.record_versions.c.id, t.record_versions.c.data)
                        .where(t.record_versions.c.id.in_(sorted(wanted)))).all()  # fmt: skip
    return {wanted[vid]: record_facts(Record.from_dict(orjson.loads(data))) for vid, data in rows}


def matters(decided: Facts, now: Facts) -> bool:
    """The subject now has a birth date or an identifier that none of the records the decision saw had, or a
    name with a part unlike any they had (another language's spelling of a known part is no news)."""
    seen = {fact for facts in decided.values() for fact in facts}
    known_parts = {part for fact in seen if fact.startswith("n:") for part in fact[2:].split()}
    fresh = {fact for facts in now.values() for fact in facts} - seen
    return any(not fact.startswith("n:") or _has_new_part(fact[2:], known_parts) for fact in fresh)


def _has_new_part(name: str, known_parts: set[str]) -> bool:
    return any(part not in known_parts and not any(ratio(part, known) >= SAME_PART for known in known_parts)
               for part in name.split())  # fmt: skip


def should_alert(conn: sa.Connection, member_id: int, subject_id: str, facts_now: Facts) -> bool:
    """No decision, a confirmed one (every change of a confirmed match is news), or a silencing one that
    the subject's records have since outgrown."""
    row = conn.execute(sa.select(m.decisions.c.state, m.decisions.c.facts)
                       .where(m.decisions.c.member_id == member_id, m.decisions.c.subject_id == subject_id)).first()  # fmt: skip
    if row is None or row.state not in SILENCING:
        return True
    return matters(orjson.loads(row.facts), facts_now)


def follow_redirects(conn: sa.Connection) -> None:
    """Point open results and decisions at the subjects that merged ones went into (ids redirect)."""
    redirects = dict(conn.execute(sa.select(t.subject_redirects.c.old_id, t.subject_redirects.c.subject_id)).all())
    if not redirects:
        return
    stale = conn.execute(sa.select(m.results.c.id, m.results.c.subject_id)
                         .where(m.results.c.until_run.is_(None), m.results.c.subject_id.in_(list(redirects)))).all()  # fmt: skip
    for result_id, old in stale:
        conn.execute(m.results.update().where(m.results.c.id == result_id), {"subject_id": redirects[old]})
    decided = conn.execute(sa.select(m.decisions).where(m.decisions.c.subject_id.in_(list(redirects)))).all()
    for row in decided:
        target = redirects[row.subject_id]
        has = conn.execute(sa.select(m.decisions.c.member_id).where(
            m.decisions.c.member_id == row.member_id, m.decisions.c.subject_id == target)).first()  # fmt: skip
        if has is None:  # the decision taken for the merged subject holds for the one it went into
            conn.execute(m.decisions.insert(), {**row._asdict(), "subject_id": target})
        conn.execute(m.decisions.delete().where(m.decisions.c.member_id == row.member_id,
                                                m.decisions.c.subject_id == row.subject_id))  # fmt: skip


@dataclass(frozen=True)
class NewAlert:
    member_id: int
    subject_id: str
    kind: str
    score: float
    designations: list[dict[str, Any]]
    snapshot: dict[str, Any]


def insert_alerts(conn: sa.Connection, run_id: int, found: list[NewAlert]) -> list[int]:
    """Store alerts (state open), each in its member's portfolio; returns their ids."""
    if not found:
        return []
    portfolio_of = dict(conn.execute(sa.select(m.members.c.id, m.members.c.portfolio)
                                     .where(m.members.c.id.in_({a.member_id for a in found}))).all())  # fmt: skip
    now = datetime.now(UTC)
    ids = []
    for alert in found:
        ids.append(conn.execute(m.alerts.insert().returning(m.alerts.c.id), {
            "portfolio": portfolio_of[alert.member_id], "member_id": alert.member_id, "subject_id": alert.subject_id,
            "kind": alert.kind, "score": alert.score, "designations": orjson.dumps(alert.designations).decode(),
            "snapshot": orjson.dumps(alert.snapshot).decode(), "run_id": run_id, "created_at": now, "state": "open",
        }).scalar_one())  # fmt: skip
    return ids


def alert_dict(row: sa.Row) -> dict[str, Any]:
    """An alert in the shape of `sanctionscope alerts --json` (plus who decided, when, and the note)."""
    return {
        "id": row.id,
        "portfolio": row.portfolio,
        "member": row.external_id,
        "kind": row.kind,
        "subject": row.subject_id,
        "score": round(row.score, 4),
        "designations": orjson.loads(row.designations),
        "snapshot": orjson.loads(row.snapshot),
        "created": _utc(row.created_at).isoformat(),
        "state": row.state,
        "decided_by": row.decided_by,
        "decided_at": _utc(row.decided_at).isoformat() if row.decided_at else None,
        "note": row.note,
    }


def _alert_query() -> sa.Select:
    return sa.select(m.alerts, m.members.c.external_id).join(m.members, m.members.c.id == m.alerts.c.member_id)


def list_alerts(
    engine: sa.Engine,
    *,
    portfolio: str | None = None,
    state: str | None = None,
    kind: str | None = None,
    since_id: int | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Alerts, newest first, filtered by portfolio, state, kind; `since_id`: only those after this id."""
    if state is not None and state not in STATES:
        raise PortfolioError(f"--state: {state!r} is not one of {', '.join(STATES)}")
    if kind is not None and kind not in KINDS:
        raise PortfolioError(f"--kind: {kind!r} is not one of {', '.join(KINDS)}")
    query = _alert_query().order_by(m.alerts.c.id.desc())
    for column, value in ((m.alerts.c.portfolio, portfolio), (m.alerts.c.state, state), (m.alerts.c.kind, kind)):
        if value is not None:
            query = query.where(column == value)
    if since_id is not None:
        query = query.where(m.alerts.c.id > since_id)
    if limit is not None:
        query = query.limit(limit)
    with engine.connect() as conn:
        if portfolio is not None and conn.execute(sa.select(m.portfolios.c.name)
                                                  .where(m.portfolios.c.name == portfolio)).first() is None:  # fmt: skip
            raise PortfolioError(f"no portfolio named {portfolio!r} (see `sanctionscope portfolio list`)")
        return [alert_dict(row) for row in conn.execute(query)]


def get_alert(engine: sa.Engine, alert_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(_alert_query().where(m.alerts.c.id == alert_id)).first()
    if row is None:
        raise PortfolioError(f"no alert {alert_id}")
    return alert_dict(row)


def decide(
    engine: sa.Engine, alert_id: int, state: str, *, note: str | None = None, author: str | None = None
) -> dict[str, Any]:
    """Record an analyst's decision on an alert, and remember it for the member and the subject."""
    if state not in DECISIONS:
        raise PortfolioError(f"state: {state!r} is not one of {', '.join(DECISIONS)}")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(sa.select(m.alerts).where(m.alerts.c.id == alert_id)).first()
        if row is None:
            raise PortfolioError(f"no alert {alert_id}")
        conn.execute(m.alerts.update().where(m.alerts.c.id == alert_id),
                     {"state": state, "decided_by": author, "decided_at": now, "note": note})  # fmt: skip
        referents = [r for (r,) in conn.execute(sa.select(t.subject_members.c.referent)
                                               .where(t.subject_members.c.subject_id == row.subject_id))]  # fmt: skip
        version_of = dict(conn.execute(sa.select(t.resolved_records.c.referent, t.resolved_records.c.version_id)
                                       .where(t.resolved_records.c.referent.in_(referents))).all())  # fmt: skip
        facts = subject_facts(conn, version_of, referents)
        conn.execute(m.decisions.delete().where(m.decisions.c.member_id == row.member_id,
                                                m.decisions.c.subject_id == row.subject_id))  # fmt: skip
        conn.execute(m.decisions.insert(), {
            "member_id": row.member_id, "subject_id": row.subject_id, "state": state,
            "facts": orjson.dumps(facts).decode(), "alert_id": alert_id, "decided_by": author, "decided_at": now,
            "note": note,
        })  # fmt: skip
    return get_alert(engine, alert_id)
