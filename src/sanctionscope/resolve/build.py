"""Resolving: from every record ever loaded to subjects with stable ids, written to the database.

Run whenever the data changed (`ensure_resolved` checks): all links are found again and the
records regrouped, then each new group keeps the id most of its records had before; ids of
groups that were merged into another become redirects, so links to them keep working.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa

from sanctionscope.match.engine import Matcher
from sanctionscope.resolve.clusters import Clusters, Group
from sanctionscope.resolve.links import cross_reference_links, identifier_links, name_links, same_designation_links
from sanctionscope.sources.registry import caption_rank
from sanctionscope.store import queries
from sanctionscope.store import schema as t
from sanctionscope.store.queries import RecordHistory

SUBJECTS_VERSION_KEY = "subjects_version"


@dataclass
class ResolveReport:
    version: str
    records: int = 0
    subjects: int = 0
    links: dict[str, int] = field(default_factory=dict)  # links found per kind of evidence
    joined: dict[str, int] = field(default_factory=dict)  # of which joined two groups
    refused: dict[str, int] = field(default_factory=dict)  # joins refused, per reason
    redirects: int = 0
    seconds: float = 0.0


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha1()
    for folder in ("resolve", "names", "match", "index"):
        for path in sorted((package / folder).glob("*")):
            if path.suffix in (".py", ".txt"):
                digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:12]


def data_version(engine: sa.Engine) -> str:
    """What the subjects depend on: every snapshot, every decision, the resolving code."""
    with engine.connect() as conn:
        snapshots = conn.execute(sa.select(t.snapshots.c.id).order_by(t.snapshots.c.id)).scalars().all()
        decisions = conn.execute(sa.select(sa.func.count(), sa.func.max(t.decisions.c.id))).one()
    text = f"{_code_fingerprint()}:{list(snapshots)}:{tuple(decisions)}"
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def resolved_version(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return conn.execute(sa.select(t.state.c.value).where(t.state.c.key == SUBJECTS_VERSION_KEY)).scalar()


def ensure_resolved(engine: sa.Engine, progress: Callable[[str], None] | None = None) -> ResolveReport | None:
    """Resolve again if the data changed since the last time; None when the subjects are current."""
    version = data_version(engine)
    if resolved_version(engine) == version:
        return None
    return resolve(engine, version=version, progress=progress)


def _decisions(engine: sa.Engine) -> list[tuple[str, str, str]]:
    d = t.decisions
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(sa.select(d.c.left, d.c.right, d.c.judgement).order_by(d.c.id))]


def resolve(
    engine: sa.Engine, *, version: str | None = None, progress: Callable[[str], None] | None = None
) -> ResolveReport:
    """Group every record ever loaded into subjects and store them (one transaction)."""
    import time

    from sanctionscope.resolve.evidence import Link

    started = time.perf_counter()
    version = version or data_version(engine)
    say = progress or (lambda _message: None)
    say("reading records")
    histories = queries.record_histories(engine)
    records = [h.record for h in histories]
    known = {r.id for r in records}
    say("indexing names")
    matcher = Matcher.from_records(records)
    say("finding links")
    links = same_designation_links(matcher.entries) + cross_reference_links(records, known) + identifier_links(records)
    links += name_links(matcher, progress=lambda n: say(f"finding links ({n}/{len(matcher.entries)})"))
    clusters = Clusters(known, {r.id: r.birth_dates for r in records})
    for left, right, judgement in _decisions(engine):
        if left in known and right in known:
            if judgement == "same":
                links.append(Link(left, right, "decision"))
            else:
                clusters.forbid(left, right)
    report = ResolveReport(version, records=len(records))
    report.links = dict(Counter(link.evidence for link in links))
    report.joined = clusters.apply(links)
    report.refused = dict(Counter(reason for _link, reason in clusters.refused))
    groups = clusters.result()
    say("saving subjects")
    report.subjects, report.redirects = _save(engine, groups, {h.record.id: h for h in histories}, version)
    report.seconds = time.perf_counter() - started
    return report


def new_subject_id(members: Sequence[str]) -> str:
    """A fresh id, derived from the group's first record (so a rebuild from scratch gives the same ids)."""
    return "ss-" + hashlib.sha1(min(members).encode()).hexdigest()[:10]


def assign_ids(groups: Sequence[Sequence[str]], previous: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """Keep ids stable: each group takes the previous id most of its members had (bigger groups choose
    first); a previous id no group kept redirects to the group holding most of its old members."""
    order = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), min(groups[i])))
    ids: list[str] = [""] * len(groups)
    used: set[str] = set()
    previous_ids = set(previous.values())
    for i in order:
        votes = Counter(previous[m] for m in groups[i] if m in previous)
        for candidate, _n in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
            if candidate not in used:
                ids[i] = candidate
                used.add(candidate)
                break
    for i in order:
        if not ids[i]:
            candidate = new_subject_id(groups[i])
            while candidate in used or candidate in previous_ids:
                candidate = "ss-" + hashlib.sha1(candidate.encode()).hexdigest()[:10]
            ids[i] = candidate
            used.add(candidate)
    redirects: dict[str, str] = {}
    holders: dict[str, Counter[str]] = {}
    for i, members in enumerate(groups):
        for m in members:
            if m in previous and previous[m] not in used:
                holders.setdefault(previous[m], Counter())[ids[i]] += 1
    for old, counter in holders.items():
        redirects[old] = sorted(counter.items(), key=lambda item: (-item[1], item[0]))[0][0]
    return ids, redirects


def subject_caption(members: Sequence[str], histories: dict[str, RecordHistory]) -> tuple[str, str]:
    """Caption and kind of a subject: from its preferred source's record."""
    best = min(members, key=lambda ref: (caption_rank(ref.partition(":")[0]), ref))
    kinds = Counter(histories[m].record.kind.value for m in members)
    kind = kinds.most_common(1)[0][0]
    return histories[best].record.caption, kind


def _save(engine: sa.Engine, groups: list[Group], histories: dict[str, RecordHistory], version: str) -> tuple[int, int]:
    s, m, r = t.subjects, t.subject_members, t.subject_redirects
    now = datetime.now(UTC)
    with engine.begin() as conn:
        previous = dict(conn.execute(sa.select(m.c.referent, m.c.subject_id)).all())
        created = dict(conn.execute(sa.select(s.c.id, s.c.created_at)).all())
        ids, redirects = assign_ids([g.members for g in groups], previous)
        conn.execute(m.delete())
        conn.execute(s.delete())
        subject_rows, member_rows = [], []
        for subject_id, group in zip(ids, groups, strict=True):
            caption, kind = subject_caption(group.members, histories)
            subject_rows.append({"id": subject_id, "caption": caption, "kind": kind,
                                 "created_at": created.get(subject_id, now)})  # fmt: skip
            member_rows.extend(
                {"referent": ref, "subject_id": subject_id, "evidence": group.evidence.get(ref, "self")}
                for ref in group.members
            )
        for start in range(0, len(subject_rows), 2000):
            conn.execute(s.insert(), subject_rows[start : start + 2000])
        for start in range(0, len(member_rows), 2000):
            conn.execute(m.insert(), member_rows[start : start + 2000])
        # redirects: new ones, and old ones whose target was itself merged away now point further
        existing = dict(conn.execute(sa.select(r.c.old_id, r.c.subject_id)).all())
        existing.update(redirects)
        live = set(ids)
        for old, target in list(existing.items()):
            seen = {old}
            while target not in live and target in existing and target not in seen:
                seen.add(target)
                target = existing[target]
            existing[old] = target
        for old in live & set(existing):
            del existing[old]  # an id in use again is no longer a redirect
        conn.execute(r.delete())
        if existing:
            conn.execute(r.insert(), [{"old_id": o, "subject_id": n} for o, n in sorted(existing.items())])
        conn.execute(t.state.delete().where(t.state.c.key == SUBJECTS_VERSION_KEY))
        conn.execute(t.state.insert(), {"key": SUBJECTS_VERSION_KEY, "value": version})
    return len(ids), len(redirects)
