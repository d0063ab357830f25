"""Resolving: from every record ever loaded to subjects with stable ids, written to the database.

Run whenever the data changed (`ensure_resolved` checks). An update resolves again only what it
touched: the records whose newest version changed since the last resolve are searched for
namesakes again, with the records whose stored search results involve them; the records
linked to any of those, directly or through a subject they shared, are regrouped; every other
subject stays as it was. Each new group keeps the id most of its records had before; ids of
groups that were merged into another become redirects, so links to them keep working. A change
of a resolving version (`RESOLVE_VERSION` and those it builds on), or `full=True`, resolves everything from scratch the same way.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import sqlalchemy as sa

from sanctionscope.index.analysis import analysis_code
from sanctionscope.index.entries import group_into_entries
from sanctionscope.match import SCORING_VERSION
from sanctionscope.match.engine import Matcher
from sanctionscope.model import FuzzyDate
from sanctionscope.resolve.clusters import ALWAYS, Clusters, Group, Span, listed_together
from sanctionscope.resolve.evidence import Link, listing_scope
from sanctionscope.resolve.links import (
    NEIGHBOUR,
    ScopeMasks,
    cross_reference_links,
    dominant_scopes,
    identifier_links,
    name_links,
    same_designation_links,
    searched_when_found,
)
from sanctionscope.service.analyses import StoredAnalysis, ensure_analyses, read_analyses
from sanctionscope.service.assemble import build_matcher
from sanctionscope.sources.registry import caption_rank
from sanctionscope.store import db, queries
from sanctionscope.store import schema as t
from sanctionscope.store.queries import VersionRow

SUBJECTS_VERSION_KEY = "subjects_version"
#: the designation-level matcher that searches for namesakes, saved beside the database: an update
#: takes the entries of the records it did not change from it (`service.assemble.build_matcher`)
LINKER_SUFFIX = ".linker.index"
#: the resolving versions the stored links were found by (`_resolve_code`): others resolve from scratch
RESOLVE_CODE_KEY = "resolve_code"
#: the dominant lists of the last resolve (`resolve.links.dominant_scopes`): others resolve from scratch
DOMINANT_KEY = "dominant_lists"
#: the decisions the subjects were last grouped with
DECISIONS_KEY = "resolved_decisions"
#: the evidence of a name agreement without birth dates to compare
NAME_ALONE = "name"
#: rows per statement when deleting or inserting many
CHUNK = 500


@dataclass
class ResolveReport:
    version: str
    records: int = 0
    subjects: int = 0
    links: dict[str, int] = field(default_factory=dict)  # links found per kind of evidence
    joined: dict[str, int] = field(default_factory=dict)  # of which joined two groups (among those regrouped)
    refused: dict[str, int] = field(default_factory=dict)  # joins refused, per reason
    redirects: int = 0
    seconds: float = 0.0
    full: bool = True  # resolved from scratch, not only what changed
    changed: int = 0  # records added, amended or removed since the last resolve
    searched: int = 0  # records searched for namesakes
    regrouped: int = 0  # records whose grouping was worked out again
    #: the stored analyses it read, for the index build that usually follows (not part of the report)
    analyses: dict[int, StoredAnalysis] | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {key: value for key, value in self.__dict__.items() if key != "analyses"}


#: the version of how records are grouped into subjects: bump it when resolve/ changes which records it
#: joins or how it names and captions subjects. The analyses and the scores it joins by have their own
#: versions (`ANALYSIS_VERSION`, `SCORING_VERSION`); a change of any of the three resolves from scratch.
RESOLVE_VERSION = 1


def _resolve_code() -> str:
    return f"resolve-{RESOLVE_VERSION}:{analysis_code()}:scoring-{SCORING_VERSION}"


def _decisions_mark(conn: sa.Connection) -> str:
    return str(tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(t.decisions.c.id))).one()))


def data_version(engine: sa.Engine) -> str:
    """What the subjects depend on: every snapshot, every decision, the resolving code."""
    with engine.connect() as conn:
        snapshots = conn.execute(sa.select(t.snapshots.c.id).order_by(t.snapshots.c.id)).scalars().all()
        decisions = _decisions_mark(conn)
    text = f"{_resolve_code()}:{list(snapshots)}:{decisions}"
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


@dataclass
class _Previous:
    """What the last resolve left: record versions, stored search results, subjects, state."""

    versions: dict[str, int]
    searches: list[Link]
    subject_of: dict[str, str]
    state: dict[str, str]


def _previous(engine: sa.Engine) -> _Previous:
    links, members = t.record_links, t.subject_members
    with engine.connect() as conn:
        return _Previous(
            dict(db.bulk_rows(conn, sa.select(t.resolved_records.c.referent, t.resolved_records.c.version_id))),
            [Link(*row) for row in db.bulk_rows(conn, sa.select(links.c.left, links.c.right, links.c.evidence, links.c.score))],
            dict(db.bulk_rows(conn, sa.select(members.c.referent, members.c.subject_id))),
            dict(conn.execute(sa.select(t.state.c.key, t.state.c.value)).all()),
        )


def _facts(analyses: dict[int, StoredAnalysis], rows: Iterable[VersionRow]) -> tuple[dict, dict]:
    """Per record: its strong identifier keys, and the records it cross-references."""
    identifiers: dict[str, list[str]] = {}
    cross_refs: dict[str, list[str]] = {}
    for row in rows:
        keys, refs, _datasets = orjson.loads(analyses[row.version_id].facts)
        if keys:
            identifiers[row.id] = keys
        if refs:
            cross_refs[row.id] = refs
    return identifiers, cross_refs


def _birth_dates(analysis: StoredAnalysis) -> list[FuzzyDate]:
    return [FuzzyDate(*d) for d in orjson.loads(analysis.data)[1]]


def _closure(start: set[str], links: Iterable[Link], subject_of: dict[str, str]) -> set[str]:
    """`start` with every record linked to it, or sharing a previous subject with it, transitively."""
    neighbours: dict[str, set[str]] = defaultdict(set)
    for link in links:
        neighbours[link.left].add(link.right)
        neighbours[link.right].add(link.left)
    members: dict[str, list[str]] = defaultdict(list)
    for referent, subject_id in subject_of.items():
        members[subject_id].append(referent)
    seen, queue = set(start), list(start)
    while queue:
        referent = queue.pop()
        reached = set(neighbours.get(referent, ()))
        if referent in subject_of:
            reached.update(members[subject_of[referent]])
        for other in reached - seen:
            seen.add(other)
            queue.append(other)
    return seen


def confirmed_name_links(
    searches: Sequence[Link], same: Sequence[Link] = (), spans: Mapping[str, Span] | None = None
) -> list[Link]:
    """The search results that join: a name with agreeing birth dates as found; a name alone only
    when the other record's own search, if it found any namesake in the searcher's list, found only
    the searcher (in a big haystack one list's "Elena AVDEEVA" is the only one, while the other holds
    many). Searches are not symmetric (each takes its best candidates), so not finding back is no
    objection. Records that `same` links force together (one designation in two feeds) are one, and
    so are entries of a list that were never on it at the same time (`spans`: a list numbered anew)."""
    spans = spans or {}
    root: dict[str, str] = {}

    def find(ref: str) -> str:
        while root.get(ref, ref) != ref:
            ref = root[ref]
        return ref

    for link in same:
        a, b = find(link.left), find(link.right)
        if a != b:
            root[max(a, b)] = min(a, b)
    found_by: dict[str, list[str]] = defaultdict(list)
    for link in searches:
        found_by[find(link.left)].append(link.right)

    def rivals(link: Link) -> set[str]:
        """The namesakes the found record's search found in the searcher's list while the searcher was on it."""
        scope, span = listing_scope(link.left), spans.get(link.left, ALWAYS)
        return {
            find(ref)
            for ref in found_by.get(find(link.right), ())
            if listing_scope(ref) == scope and listed_together({scope: [span]}, {scope: [spans.get(ref, ALWAYS)]})
        }

    return [
        link
        for link in searches
        if link.evidence != NEIGHBOUR and (link.evidence != NAME_ALONE or rivals(link) <= {find(link.left)})
    ]


def resolve(
    engine: sa.Engine, *, version: str | None = None, progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> ResolveReport:  # fmt: skip
    """Group every record ever loaded into subjects and store them (one transaction), redoing only
    what changed since the last resolve unless `full`."""
    started = time.perf_counter()
    version = version or data_version(engine)
    say = progress or (lambda _message: None)
    say("reading records")
    rows, spans = queries.newest_versions_and_spans(engine)
    current = {row.id: row for row in rows}
    previous = _previous(engine)
    with engine.connect() as conn:
        decisions_mark = _decisions_mark(conn)
    full = full or not previous.versions or previous.state.get(RESOLVE_CODE_KEY) != _resolve_code()
    changed = set(current) if full else {ref for ref, row in current.items() if previous.versions.get(ref) != row.version_id}
    removed = set(previous.versions) - set(current)
    report = ResolveReport(version, records=len(rows), full=full, changed=len(changed | removed))

    ensure_analyses(engine, [row.version_id for row in rows],
                    progress=lambda done, total: say(f"analysing names ({done}/{total})"))  # fmt: skip
    say("indexing names")
    # every record's facts; the rest of an analysis only where it is read: the changed records' (for the
    # linker, which takes every other entry from the saved one), the regrouped records' birth dates
    analyses = read_analyses(engine, [row.version_id for row in rows] if full else [current[r].version_id for r in changed])
    facts = analyses if full else {**read_analyses(engine, [row.version_id for row in rows], with_data=False), **analyses}
    groups = group_into_entries(rows)
    referents = [[row.id for row in group] for _entry_id, _is_subject, group in groups]
    position_of = {ref: position for position, refs in enumerate(referents) for ref in refs}

    # name searches: everything, or the changed records and those whose results involve them; a
    # dominant list's records only once another list's search found them (`searched_when_found`)
    masks = ScopeMasks(referents)
    dominant = dominant_scopes(masks)
    if not full and previous.state.get(DOMINANT_KEY, "") != " ".join(sorted(dominant)):
        full, changed = True, set(current)  # a list became dominant or stopped being: who searches changed
        report.full, report.changed = True, len(changed | removed)
    if full:
        to_search = {p for p in range(len(referents)) if not masks.scopes_of[p] & dominant}
    else:
        touched = changed | removed
        neighbours = {link.left for link in previous.searches if link.right in touched}
        neighbours |= {link.right for link in previous.searches if link.left in touched}
        to_search = {position_of[ref] for ref in changed | neighbours if ref in position_of}
    searches: list[Link] = []
    have_searched = {link.left for link in previous.searches} if not full else set()
    if to_search:
        path = db.sidecar_path(engine, LINKER_SUFFIX)
        linker = build_matcher(engine, rows, subjects=False, analyses=analyses, previous=Matcher.load_saved(path))
        linker.save(path)
        say_search = lambda done, total: say(f"finding namesakes ({done}/{total})")
        frontier = set(to_search)
        while frontier:
            found = name_links(linker, masks, sorted(frontier), say_search)
            searches += found
            # a changed record's namesakes may now find it; a dominant list's record found by another
            # list's search searches too, unless its stored search still holds
            more = {position_of[link.right] for link in found if link.right in position_of and (
                (not full and link.left in changed)
                or (listing_scope(link.right) in dominant and listing_scope(link.left) not in dominant
                    and (link.right in changed or link.right not in have_searched)))}  # fmt: skip
            frontier = more - to_search
            to_search |= frontier
    searched = {referents[p][0] for p in to_search}
    kept = [link for link in previous.searches
            if not full and link.left not in searched and link.left not in removed and link.right not in removed]  # fmt: skip
    all_searches = searched_when_found(kept + searches, dominant)
    report.searched = len(to_search)

    identifiers, cross_refs = _facts(facts, rows)
    links = same_designation_links(referents) + cross_reference_links(cross_refs, set(current))
    links += identifier_links(identifiers)
    links += confirmed_name_links(all_searches, links, spans)
    decisions = _decisions(engine)
    report.links = dict(Counter(link.evidence for link in links))

    if full:
        affected = set(current)
    else:
        start = changed | removed | searched
        if previous.state.get(DECISIONS_KEY) != decisions_mark:
            start |= {ref for left, right, _j in decisions for ref in (left, right)}
        affected = _closure(start, links + [Link(a, b, "decision") for a, b, _j in decisions], previous.subject_of)
    affected &= set(current)
    report.regrouped = len(affected)
    say("grouping records")
    unread = [current[ref].version_id for ref in affected if current[ref].version_id not in analyses]
    analyses.update(read_analyses(engine, unread))
    clusters = Clusters(affected, {ref: _birth_dates(analyses[current[ref].version_id]) for ref in affected}, spans)
    for left, right, judgement in decisions:
        if left in affected and right in affected:
            if judgement == "same":
                links.append(Link(left, right, "decision"))
            else:
                clusters.forbid(left, right)
    report.joined = clusters.apply(link for link in links if link.left in affected and link.right in affected)
    report.refused = dict(Counter(reason for _link, reason in clusters.refused))
    say("saving subjects")
    with engine.begin() as conn:
        report.redirects = _save_subjects(conn, clusters.result(), affected | removed, current, full)
        _save_searches(conn, searches, searched | removed, removed, full)
        _save_versions(conn, current, changed, removed, full)
        for key, value in ((SUBJECTS_VERSION_KEY, version), (RESOLVE_CODE_KEY, _resolve_code()),
                           (DECISIONS_KEY, decisions_mark), (DOMINANT_KEY, " ".join(sorted(dominant)))):  # fmt: skip
            conn.execute(t.state.delete().where(t.state.c.key == key))
            conn.execute(t.state.insert(), {"key": key, "value": value})
        report.subjects = conn.execute(sa.select(sa.func.count()).select_from(t.subjects)).scalar_one()
    report.seconds = time.perf_counter() - started
    report.analyses = analyses
    return report


def new_subject_id(members: Sequence[str]) -> str:
    """A fresh id, derived from the group's first record (so a rebuild from scratch gives the same ids)."""
    return "ss-" + hashlib.sha1(min(members).encode()).hexdigest()[:10]


def assign_ids(
    groups: Sequence[Sequence[str]], previous: dict[str, str], reserved: Iterable[str] = ()
) -> tuple[list[str], dict[str, str]]:
    """Keep ids stable: each group takes the previous id most of its members had (bigger groups choose
    first); a previous id no group kept redirects to the group holding most of its old members.
    `reserved`: ids held by subjects outside these groups, never given out."""
    order = sorted(range(len(groups)), key=lambda i: (-len(groups[i]), min(groups[i])))
    ids: list[str] = [""] * len(groups)
    reserved = set(reserved)
    used: set[str] = set()
    previous_ids = set(previous.values())
    for i in order:
        votes = Counter(previous[m] for m in groups[i] if m in previous)
        for candidate, _n in sorted(votes.items(), key=lambda item: (-item[1], item[0])):
            if candidate not in used and candidate not in reserved:
                ids[i] = candidate
                used.add(candidate)
                break
    for i in order:
        if not ids[i]:
            candidate = new_subject_id(groups[i])
            while candidate in used or candidate in previous_ids or candidate in reserved:
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
        redirects[old] = min(counter.items(), key=lambda item: (-item[1], item[0]))[0]
    return ids, redirects


def subject_caption(members: Sequence[str], rows: dict[str, VersionRow]) -> tuple[str, str]:
    """Caption and kind of a subject: from its preferred source's record."""
    best = min(members, key=lambda ref: (caption_rank(ref.partition(":")[0]), ref))
    kind = Counter(rows[m].kind for m in members).most_common(1)[0][0]
    return rows[best].caption, kind


def _chunks(items: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(items)
    return (ordered[i : i + CHUNK] for i in range(0, len(ordered), CHUNK))


def _save_subjects(
    conn: sa.Connection, groups: list[Group], regrouped: set[str], rows: dict[str, VersionRow], full: bool
) -> int:
    """Replace the subjects of the regrouped records by `groups`; returns the number of new redirects."""
    s, m, r = t.subjects, t.subject_members, t.subject_redirects
    now = datetime.now(UTC)
    if full:
        previous = dict(conn.execute(sa.select(m.c.referent, m.c.subject_id)).all())
    else:
        previous = {}
        for chunk in _chunks(regrouped):
            previous.update(conn.execute(sa.select(m.c.referent, m.c.subject_id).where(m.c.referent.in_(chunk))).all())
    old_ids = set(previous.values())
    created: dict[str, datetime] = {}
    for chunk in _chunks(old_ids):
        created.update(conn.execute(sa.select(s.c.id, s.c.created_at).where(s.c.id.in_(chunk))).all())
    reserved = set() if full else set(conn.execute(sa.select(s.c.id)).scalars()) - old_ids
    ids, redirects = assign_ids([g.members for g in groups], previous, reserved)
    if full:
        conn.execute(m.delete())
        conn.execute(s.delete())
    else:
        for chunk in _chunks(old_ids):
            conn.execute(m.delete().where(m.c.subject_id.in_(chunk)))
            conn.execute(s.delete().where(s.c.id.in_(chunk)))
    subject_rows: list[dict[str, Any]] = []
    member_rows: list[dict[str, Any]] = []
    for subject_id, group in zip(ids, groups, strict=True):
        caption, kind = subject_caption(group.members, rows)
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
    live = reserved | set(ids)
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
    return len(redirects)


def _save_searches(conn: sa.Connection, searches: list[Link], replaced: set[str], removed: set[str], full: bool) -> None:
    """Store the new search results in place of those of the records searched again."""
    links = t.record_links
    if full:
        conn.execute(links.delete())
    else:
        for chunk in _chunks(replaced):
            conn.execute(links.delete().where(links.c.left.in_(chunk)))
        for chunk in _chunks(removed):
            conn.execute(links.delete().where(links.c.right.in_(chunk)))
    unique = {(link.left, link.right, link.evidence): link.score for link in searches}
    rows = [{"left": a, "right": b, "evidence": e, "score": score} for (a, b, e), score in unique.items()]
    for start in range(0, len(rows), 2000):
        conn.execute(links.insert(), rows[start : start + 2000])


def _save_versions(conn: sa.Connection, current: dict[str, VersionRow], changed: set[str], removed: set[str],
                   full: bool) -> None:  # fmt: skip
    """Remember which version of each record these subjects were resolved from."""
    versions = t.resolved_records
    if full:
        conn.execute(versions.delete())
    else:
        for chunk in _chunks(changed | removed):
            conn.execute(versions.delete().where(versions.c.referent.in_(chunk)))
    rows = [{"referent": ref, "version_id": current[ref].version_id} for ref in sorted(changed) if ref in current]
    for start in range(0, len(rows), 2000):
        conn.execute(versions.insert(), rows[start : start + 2000])
