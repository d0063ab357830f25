"""Screening portfolios: a new or edited member against everything; after a load, only what changed.

Delta screening starts from the records added, amended or removed since the portfolios were last
screened (`monitor_records` holds the version of each record they were screened against). The
subjects those records belong to now, and those they belonged to in stored matches, are the
subjects to look at again. Each such subject is looked up in a reverse index over the members'
name keys (the matcher's own keys and candidate index, built over the members instead of the
lists): the members whose names it shares enough of are scored against it by the matcher's
scoring, and members already matched to it are scored again. Nothing else is touched, so the
cost follows the changes, not the number of members.

Every run is stored with the data version and the current snapshots (ids and content hashes)
it screened against; every match with the runs it held from and until (the evidence).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
import sqlalchemy as sa

from sanctionscope.index.candidates import CandidateIndex
from sanctionscope.index.entries import Entry
from sanctionscope.match.engine import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, Matcher, PreparedQuery, score_entry
from sanctionscope.match.features import kinds_compatible
from sanctionscope.monitor import tables as m
from sanctionscope.monitor.alerts import NewAlert, follow_redirects, insert_alerts, should_alert, subject_facts
from sanctionscope.monitor.delivery import enqueue
from sanctionscope.monitor.members import CHUNK, Member, member_key_rows, read_members
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.service.assemble import build_matcher
from sanctionscope.store import queries
from sanctionscope.store import schema as t

#: a member's results kept per screening against everything (matches only count)
MEMBER_RESULTS = 10
#: members the reverse index proposes per changed subject, at most
REVERSE_CANDIDATES = 2000
#: a member is scored against a changed subject if the subject has this share of the weight of its name keys:
#: with less, the member's heavier name parts go unpaired, which costs a match far more than the threshold
#: allows (on benchmarks/monitoring.py's 10,000 members, the best score below half was 0.67)
REVERSE_COVERAGE = 0.5

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Hit:
    score: float
    referents: tuple[str, ...]


@dataclass
class RunReport:
    run_id: int | None
    kind: str
    changed_records: int = 0
    members_screened: int = 0
    alerts: list[int] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"run": self.run_id, "kind": self.kind, "changed_records": self.changed_records,
                "members_screened": self.members_screened, "alerts": len(self.alerts),
                "seconds": round(self.seconds, 3), "error": self.error}  # fmt: skip


def snapshot_evidence(engine: sa.Engine) -> list[dict[str, Any]]:
    """The current snapshot of each list, with its content hash: what a screening now is screened against."""
    s = t.snapshots
    ids = [row.id for row in queries.current_snapshots(engine)]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(s.c.id, s.c.source, s.c.scope, s.c.published_on, s.c.content_hash)
                            .where(s.c.id.in_(ids)).order_by(s.c.source, s.c.scope)).all()  # fmt: skip
    return [{"id": r.id, "source": r.source, "scope": r.scope, "published_on": r.published_on.isoformat(),
             "content_hash": r.content_hash} for r in rows]  # fmt: skip


def _open_results(conn: sa.Connection, *, members: Iterable[int] | None = None,
                  subjects: Iterable[str] | None = None) -> dict[tuple[int, str], tuple[int, Hit]]:  # fmt: skip
    """The matches that hold now, of these members or with these subjects: (member, subject) → (row id, hit)."""
    r = m.results
    found: dict[tuple[int, str], tuple[int, Hit]] = {}
    column, values = (r.c.member_id, sorted(set(members))) if members is not None else (r.c.subject_id, sorted(set(subjects or ())))
    for start in range(0, len(values), CHUNK):
        query = sa.select(r.c.id, r.c.member_id, r.c.subject_id, r.c.score, r.c.referents).where(
            r.c.until_run.is_(None), column.in_(values[start : start + CHUNK]))  # fmt: skip
        for row in conn.execute(query):
            found[(row.member_id, row.subject_id)] = (row.id, Hit(row.score, tuple(orjson.loads(row.referents))))
    return found


class Evidence:
    """What an alert says of its subject: designations, and the snapshot of the record that triggered it."""

    def __init__(self, engine: sa.Engine, snapshots: list[dict[str, Any]], current: Mapping[str, int]):
        self.engine = engine
        self.book = SubjectBook(engine)
        self.current = current
        self.snapshots = {s["id"]: s for s in snapshots}
        self.by_source = {s["source"]: s for s in snapshots}

    def designations(self, subject_id: str) -> list[dict[str, Any]]:
        subject = self.book.get(subject_id)
        if subject is None:
            return []
        return [{"jurisdiction": d.jurisdiction, "source": d.source, "record": d.record, "regime": d.regime,
                 "listed_on": d.listed_on, "delisted_on": d.delisted_on} for d in subject.designations()]  # fmt: skip

    def snapshot(self, referents: Iterable[str]) -> dict[str, Any]:
        """The current snapshot that holds the first of these records (a removed one: its list's current snapshot)."""
        referents = list(referents)
        for referent in referents:
            version = self.current.get(referent)
            if version is None:
                continue
            with self.engine.connect() as conn:
                ids = conn.execute(sa.select(t.snapshot_records.c.snapshot_id)
                                   .where(t.snapshot_records.c.version_id == version)).scalars().all()  # fmt: skip
            for snapshot_id in ids:
                if snapshot_id in self.snapshots:
                    return self.snapshots[snapshot_id]
        for referent in referents:
            found = self.by_source.get(referent.partition(":")[0])
            if found is not None:
                return found
        return {}


class _Scorer:
    """Members' queries prepared once per run against the lists' matcher, scored against given subjects."""

    def __init__(self, matcher: Matcher, members: Mapping[int, Member], threshold: float):
        self.matcher = matcher
        self.members = members
        self.threshold = threshold
        self._prepared: dict[int, PreparedQuery] = {}

    def score(self, member_id: int, entry: Entry | None) -> Hit | None:
        """The member's match with the subject (None: no match, or the subject is on no current list)."""
        member = self.members.get(member_id)
        if entry is None or member is None or not kinds_compatible(member.query.kind, entry.kind):
            return None
        prepared = self._prepared.get(member_id)
        if prepared is None:
            prepared = self._prepared[member_id] = self.matcher.prepare(member.query)[0]
        result = score_entry(prepared, entry, self.threshold, DEFAULT_CUTOFF)
        return Hit(round(result.score, 4), tuple(entry.referents)) if result.match else None


class ReverseIndex:
    """The members' name keys in the matcher's candidate index: which members a listed name could match."""

    def __init__(self, rows: list[tuple[int, list[str]]]):
        self.member_ids = [member_id for member_id, _keys in rows]
        self.index = CandidateIndex.build(keys for _member_id, keys in rows)
        postings, idf = self.index.postings, self.index.idf
        counts = np.diff(postings.offsets)
        # what each member's own keys weigh together: a changed subject must carry a share of it
        self.weight = np.bincount(postings.values, weights=np.repeat(idf, counts), minlength=self.index.size)

    def members_for(self, entry: Entry) -> set[int]:
        if not self.member_ids:
            return set()
        found = self.index.rank(self.index.expand(entry.keys()), REVERSE_CANDIDATES)
        return {self.member_ids[c.position] for c in found if c.weight >= REVERSE_COVERAGE * self.weight[c.position]}


def _start_run(engine: sa.Engine, kind: str, version: str, snapshots: list[dict[str, Any]], changed: int = 0) -> int:
    with engine.begin() as conn:
        return conn.execute(m.runs.insert().returning(m.runs.c.id), {
            "kind": kind, "started_at": datetime.now(UTC), "data_version": version,
            "snapshots": orjson.dumps(snapshots).decode(), "changed_records": changed}).scalar_one()  # fmt: skip


def _finish_run(conn: sa.Connection, report: RunReport) -> None:
    conn.execute(m.runs.update().where(m.runs.c.id == report.run_id), {
        "finished_at": datetime.now(UTC), "members_screened": report.members_screened,
        "alerts": len(report.alerts), "error": report.error})  # fmt: skip


def _save_baseline(conn: sa.Connection, current: Mapping[str, int], previous: Mapping[str, int]) -> None:
    """Remember the record versions the portfolios are now screened against (only the differences are written)."""
    s = m.screened_records
    stale = sorted(ref for ref, version in previous.items() if current.get(ref) != version)
    for start in range(0, len(stale), CHUNK):
        conn.execute(s.delete().where(s.c.referent.in_(stale[start : start + CHUNK])))
    fresh = [{"referent": ref, "version_id": v} for ref, v in sorted(current.items()) if previous.get(ref) != v]
    for start in range(0, len(fresh), 2000):
        conn.execute(s.insert(), fresh[start : start + 2000])


def _baseline(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(m.screened_records.c.referent, m.screened_records.c.version_id)).all())


def _current_versions(engine: sa.Engine) -> dict[str, int]:
    return {row.id: row.version_id for row in queries.current_version_rows(engine)}


def _apply(
    conn: sa.Connection,
    report: RunReport,
    scored: Mapping[tuple[int, str], Hit | None],
    stored: Mapping[tuple[int, str], tuple[int, Hit]],
    changed_subjects: set[str],
    evidence: Evidence,
    triggers: Mapping[str, list[str]],
) -> None:
    """Store what the scoring found against what held before, and raise the alerts that follow.

    A match found where none held: new_match; a match that no longer holds: removed_match; a match
    that holds while its subject's records changed: amended_match. Decisions may silence them.
    """
    assert report.run_id is not None
    run, r = report.run_id, m.results
    version_of = dict(conn.execute(sa.select(t.resolved_records.c.referent, t.resolved_records.c.version_id)
                                   .where(t.resolved_records.c.referent.in_(
                                       {ref for hit in scored.values() if hit for ref in hit.referents}
                                       | {ref for _id, hit in stored.values() for ref in hit.referents})))
                      .all())  # fmt: skip
    found: list[NewAlert] = []
    for (member_id, subject_id), hit in sorted(scored.items()):
        before = stored.get((member_id, subject_id))
        if hit is None and before is None:
            continue
        if before is not None and hit is not None and subject_id not in changed_subjects and before[1].score == hit.score:
            continue
        if before is not None:
            conn.execute(r.update().where(r.c.id == before[0]), {"until_run": run})
        if hit is not None:
            conn.execute(r.insert(), {"member_id": member_id, "subject_id": subject_id, "score": hit.score,
                                      "referents": orjson.dumps(list(hit.referents)).decode(), "from_run": run})  # fmt: skip
        kind = "new_match" if before is None else "removed_match" if hit is None else "amended_match"
        if kind == "amended_match" and subject_id not in changed_subjects:
            continue  # only the score moved (the member was edited): no news about the subject
        referents = (hit or before[1]).referents  # type: ignore[index]
        if not should_alert(conn, member_id, subject_id, subject_facts(conn, version_of, referents)):
            continue
        trigger = triggers.get(subject_id) or list(referents)
        found.append(NewAlert(member_id, subject_id, kind, (hit or before[1]).score,  # type: ignore[index]
                              evidence.designations(subject_id), evidence.snapshot(trigger)))  # fmt: skip
    report.alerts = insert_alerts(conn, run, found)
    enqueue(conn, report.alerts)  # in the same transaction: an alert is never stored without its deliveries


def screen_members(
    engine: sa.Engine, matcher: Matcher, member_ids: Iterable[int], *, threshold: float = DEFAULT_THRESHOLD,
    progress: Progress | None = None,
) -> RunReport:  # fmt: skip
    """Screen these members against every list (new or edited members, or all of them: a full re-screen)."""
    started = time.perf_counter()
    members = {member.id: member for member in read_members(engine, ids=member_ids)}
    snapshots = snapshot_evidence(engine)
    current = _current_versions(engine)
    report = RunReport(_start_run(engine, "members", matcher.version, snapshots), "members")
    scored: dict[tuple[int, str], Hit | None] = {}
    for number, member in enumerate(members.values(), start=1):
        for result in matcher.match(member.query, limit=MEMBER_RESULTS, threshold=threshold):
            if result.match:
                scored[(member.id, result.entry.id)] = Hit(round(result.score, 4), tuple(result.entry.referents))
        if progress and (number % 100 == 0 or number == len(members)):
            progress("screening members", number, len(members))
    with engine.begin() as conn:
        follow_redirects(conn)
        stored = _open_results(conn, members=members)
        for pair in stored:
            scored.setdefault(pair, None)  # a match the member had and no longer has
        report.members_screened = len(members)
        _apply(conn, report, scored, stored, set(), Evidence(engine, snapshots, current), {})
        rows = [{"member_id": member_id, "run_id": report.run_id} for member_id in members]
        for start in range(0, len(rows), 2000):
            conn.execute(m.screenings.insert(), rows[start : start + 2000])
        previous = dict(conn.execute(sa.select(m.screened_records.c.referent, m.screened_records.c.version_id)).all())
        if not previous:  # the first members: every later change is a change from the data they were screened on
            _save_baseline(conn, current, {})
        report.seconds = time.perf_counter() - started
        _finish_run(conn, report)
    return report


def screen_changes(
    engine: sa.Engine, matcher: Matcher, *, threshold: float = DEFAULT_THRESHOLD, progress: Progress | None = None
) -> RunReport | None:
    """Screen the records changed since the portfolios were last screened against every member (delta).

    None when nothing changed. Without any earlier screening every member is screened (a full run).
    """
    started = time.perf_counter()
    rows = queries.current_version_rows(engine)
    current = {row.id: row.version_id for row in rows}
    previous = _baseline(engine)
    changed = {ref for ref, version in current.items() if previous.get(ref) != version}
    changed |= set(previous) - set(current)
    if not changed:
        return None
    member_rows = member_key_rows(engine)
    if not previous and member_rows:
        report = screen_members(engine, matcher, [member_id for member_id, _keys in member_rows],
                                threshold=threshold, progress=progress)  # fmt: skip
        report.kind = "full"
        return report
    snapshots = snapshot_evidence(engine)
    report = RunReport(_start_run(engine, "delta", matcher.version, snapshots, len(changed)), "delta",
                       changed_records=len(changed))  # fmt: skip
    with engine.begin() as conn:
        follow_redirects(conn)
    subject_of = dict(_subjects_of(engine, changed))
    touched = set(subject_of.values())
    with engine.connect() as conn:
        # subjects matched before through a changed record (it may have left them, or the lists)
        held = _results_with_referents(conn, changed)
    touched |= {subject_id for _member, subject_id in held}
    entries = _entries(engine, rows, touched)
    reverse = ReverseIndex(member_rows)
    with engine.connect() as conn:
        stored = _open_results(conn, subjects=touched)
    pairs: set[tuple[int, str]] = set(stored)
    for number, (subject_id, entry) in enumerate(entries.items(), start=1):
        pairs.update((member_id, subject_id) for member_id in reverse.members_for(entry))
        if progress and (number % 100 == 0 or number == len(entries)):
            progress("looking up changed subjects", number, len(entries))
    members = {member.id: member for member in read_members(engine, ids={member_id for member_id, _s in pairs})}
    scorer = _Scorer(matcher, members, threshold)
    scored = {pair: scorer.score(pair[0], entries.get(pair[1])) for pair in pairs}
    report.members_screened = len({member_id for member_id, _s in pairs})
    triggers: dict[str, list[str]] = {}
    for referent, subject_id in sorted(subject_of.items()):
        triggers.setdefault(subject_id, []).append(referent)
    for (member_id, subject_id), referents in held.items():
        triggers.setdefault(subject_id, []).extend(sorted(set(referents) & changed))
    with engine.begin() as conn:
        _apply(conn, report, scored, stored, touched, Evidence(engine, snapshots, current), triggers)
        _save_baseline(conn, current, previous)
        report.seconds = time.perf_counter() - started
        _finish_run(conn, report)
    return report


def _subjects_of(engine: sa.Engine, referents: Iterable[str]) -> list[tuple[str, str]]:
    """(record, its subject) for these records."""
    s, wanted = t.subject_members, sorted(set(referents))
    found: list[sa.Row[Any, Any]] = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), CHUNK):
            found += conn.execute(sa.select(s.c.referent, s.c.subject_id).where(s.c.referent.in_(wanted[start : start + CHUNK]))).all()
    return [tuple(row) for row in found]  # type: ignore[misc]


def _results_with_referents(conn: sa.Connection, referents: set[str]) -> dict[tuple[int, str], list[str]]:
    """Open matches that went through one of these records: (member, subject) → the match's records."""
    held: dict[tuple[int, str], list[str]] = {}
    query = sa.select(m.results.c.member_id, m.results.c.subject_id, m.results.c.referents).where(m.results.c.until_run.is_(None))
    for member_id, subject_id, stored in conn.execute(query):
        records = orjson.loads(stored)
        if referents.intersection(records):
            held[(member_id, subject_id)] = records
    return held


def _entries(engine: sa.Engine, rows: list[queries.VersionRow], subject_ids: set[str]) -> dict[str, Entry]:
    """The matcher's entries of these subjects, from their records on a current list (the others are on none)."""
    s = t.subject_members
    members: list[str] = []
    wanted = sorted(subject_ids)
    with engine.connect() as conn:
        for start in range(0, len(wanted), CHUNK):
            members += conn.execute(sa.select(s.c.referent).where(s.c.subject_id.in_(wanted[start : start + CHUNK]))).scalars().all()
    wanted_members = set(members)
    if not wanted_members:
        return {}
    built = build_matcher(engine, [row for row in rows if row.id in wanted_members])
    return {entry.id: entry for entry in built.entries if entry.id in subject_ids}
