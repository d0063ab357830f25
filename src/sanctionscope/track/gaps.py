"""Sanctions gaps: whom some governments designated and others did not, how the lists overlap, when
each listed and delisted, and where lists disagree about one person.

It all starts from a `ListingTable`: the subjects with a record on some government's list, each
record with what tells when it was in force (its stated listing date, regimes, nationalities, the
snapshots that had it). The table is read with SQL filtered to the sources that have a jurisdiction,
the record data's few fields extracted by the database: the entities of FollowTheMoney files (no
jurisdiction) are never read, however many there are. Everything after that is pure functions.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from itertools import combinations
from typing import Any

import orjson
import sqlalchemy as sa
from rapidfuzz import fuzz

from sanctionscope.match.engine import Matcher
from sanctionscope.model import FuzzyDate, Kind, Name, NameType, Record
from sanctionscope.resolve.subjects import Designation, Subject, SubjectBook, designation_of, earliest_per_jurisdiction
from sanctionscope.sources.registry import JURISDICTIONS, SOURCES, jurisdiction_of, ordered_jurisdictions
from sanctionscope.store import queries
from sanctionscope.store import schema as t
from sanctionscope.store.queries import RecordHistory
from sanctionscope.track.coverage import resolve_target
from sanctionscope.track.proposals import Target

#: the jurisdiction of sources that belong to no government (FollowTheMoney files)
NO_JURISDICTION = "xx"
#: record fields the table reads (extracted by the database from each newest version's JSON)
LISTING_FIELDS = ("listed_on", "regimes", "nationalities", "citizenships", "countries")
#: ids per IN (...) clause: databases limit the parameters of one statement
CHUNK = 500
#: the enums by value, looked up as dicts (calling an enum class is slow, and done per record)
KINDS = {kind.value: kind for kind in Kind}
NAME_TYPES = {name_type.value: name_type for name_type in NameType}
#: the fields `discrepancies` compares
DISCREPANCY_FIELDS = ("birth_date", "nationality", "name")
#: two words this alike (rapidfuzz ratio, 0-100) are spellings of one name (Aleksandr / Alexander: 78)
SPELLING_SIMILARITY = 60


class GapsError(ValueError):
    """A request that cannot be answered as asked (unknown or unloaded jurisdiction, contradictory sides)."""


@dataclass(frozen=True)
class Filters:
    """Which designations count: in force on a day (None: on the lists as they stand), under a regime."""

    as_of: date | None = None
    regime: str | None = None
    nationality: str | None = None
    kind: str | None = None
    #: subject ids to keep (a proposal's resolved targets); None: everyone
    population: frozenset[str] | None = None


@dataclass
class ListingTable:
    """Subjects with a record on a government's list, their records reduced to listing facts."""

    subjects: dict[str, Subject]
    #: jurisdictions with a list loaded (a gap in one of them is a real gap)
    jurisdictions: list[str]
    #: each record's newest version ("source:id" → record_versions.id), to read whole when needed
    versions: dict[str, int] = field(default_factory=dict)


def governmental_sources() -> list[str]:
    """The sources published by a government (every one but FollowTheMoney files)."""
    return sorted(name for name, info in SOURCES.items() if info.jurisdiction != NO_JURISDICTION)


def json_field(engine: sa.Engine, column: Any, key: str) -> Any:
    """A field of the JSON held in a text column, as text (arrays as JSON), extracted by the database."""
    if engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return sa.cast(column, JSONB)[key].astext
    return sa.func.json_extract(column, f"$.{key}")


def listing_table(engine: sa.Engine, *, kind: str | None = None, population: Iterable[str] | None = None) -> ListingTable:
    """The subjects with a record on a government's list (of this kind, among `population` if given)."""
    sources = governmental_sources()
    v, sr, s, m, subj = t.record_versions, t.snapshot_records, t.snapshots, t.subject_members, t.subjects
    with engine.connect() as conn:
        snapshot_of: dict[int, tuple[str, date]] = {}
        scope_dates: dict[tuple[str, str], set[date]] = {}
        for snapshot_id, source, scope, day in conn.execute(
            sa.select(s.c.id, s.c.source, s.c.scope, s.c.published_on).where(s.c.source.in_(sources))
        ):
            snapshot_of[snapshot_id] = (scope, day)
            scope_dates.setdefault((source, scope), set()).add(day)
        # one row per (record version, snapshot that has it), for the governments' sources only
        query = (
            sa.select(m.c.subject_id, v.c.id, v.c.source, v.c.record_id, v.c.kind, sr.c.snapshot_id)
            .select_from(
                v.join(sr, sr.c.version_id == v.c.id).join(m, m.c.referent == v.c.source + ":" + v.c.record_id)
            )
            .where(v.c.source.in_(sources))
        )
        if kind:
            query = query.join(subj, subj.c.id == m.c.subject_id).where(subj.c.kind == kind)
        wanted = None if population is None else sorted(set(population))
        present: dict[tuple[str, str], set[date]] = {}
        newest: dict[tuple[str, str], tuple[date, int]] = {}
        about: dict[tuple[str, str], tuple[str, str, str]] = {}
        for rows in queries._in_chunks(conn, query, m.c.subject_id, wanted, CHUNK):
            for subject_id, version_id, source, record_id, record_kind, snapshot_id in rows:
                key = (source, record_id)
                scope, day = snapshot_of[snapshot_id]
                present.setdefault(key, set()).add(day)
                if key not in newest or (day, version_id) > newest[key]:
                    newest[key] = (day, version_id)
                    about[key] = (subject_id, scope, record_kind)
        facts: dict[int, dict[str, Any]] = {}
        version_ids = sorted(version for _day, version in newest.values())
        columns = [json_field(engine, v.c.data, name) for name in LISTING_FIELDS]
        for start in range(0, len(version_ids), CHUNK):
            chunk = version_ids[start : start + CHUNK]
            for version_id, *values in conn.execute(sa.select(v.c.id, *columns).where(v.c.id.in_(chunk))):
                facts[version_id] = {name: _json_value(name, value) for name, value in zip(LISTING_FIELDS, values, strict=True)}
        subject_ids = sorted({subject_id for subject_id, _scope, _kind in about.values()})
        subjects: dict[str, Subject] = {}
        for rows in queries._in_chunks(conn, sa.select(subj.c.id, subj.c.caption, subj.c.kind), subj.c.id, subject_ids, CHUNK):
            for subject_id, caption, subject_kind in rows:
                subjects[subject_id] = Subject(subject_id, caption, subject_kind)
    for key in sorted(newest):
        subject_id, scope, record_kind = about[key]
        record = Record(key[0], key[1], KINDS[record_kind], **facts[newest[key][1]])
        history = RecordHistory(record, scope, sorted(present[key]), sorted(scope_dates[(key[0], scope)]))
        subjects[subject_id].histories.append(history)
    loaded = ordered_jurisdictions({jurisdiction_of(source) for source, _scope in scope_dates})
    return ListingTable(subjects, loaded, {f"{source}:{record_id}": v for (source, record_id), (_d, v) in newest.items()})


def _json_value(name: str, value: Any) -> Any:
    """A field as extracted: text for the scalar ones, a list from the JSON text of the array ones."""
    if name == "listed_on":
        return value or None
    return orjson.loads(value) if value else []


def in_force(subject: Subject, filters: Filters) -> dict[str, Designation]:
    """The subject's earliest designation per jurisdiction in force on `filters.as_of` (else on the
    lists as they stand: in the newest snapshot of its list), under a regime containing `filters.regime`."""
    return earliest_per_jurisdiction(in_force_records(subject, filters))


def regime_matches(designation: Designation, regime: str | None) -> bool:
    return regime is None or regime.casefold() in (designation.regime or "").casefold()


def countries_of(subject: Subject) -> set[str]:
    """Nationalities and citizenships any of its lists states; for an organization, its countries too."""
    found: set[str] = set()
    for record in subject.records:
        found.update(record.nationalities, record.citizenships)
        if subject.kind != "person":
            found.update(record.countries)
    return {code.lower() for code in found}


def selected(table: ListingTable, filters: Filters) -> list[Subject]:
    """The table's subjects that the filters' population, kind and nationality keep."""
    code = filters.nationality.lower() if filters.nationality else None
    return [
        subject
        for subject in table.subjects.values()
        if (filters.population is None or subject.id in filters.population)
        and (filters.kind is None or subject.kind == filters.kind)
        and (code is None or code in countries_of(subject))
    ]


def proposal_population(targets: list[Target], matcher: Matcher, book: SubjectBook, threshold: float) -> frozenset[str]:
    """The subjects a proposal's targets resolve to (as `coverage` resolves them): a population for the reports."""
    found = (resolve_target(target, matcher, book, threshold)[0] for target in targets)
    return frozenset(subject.id for subject in found if subject is not None)


@dataclass
class Standing:
    """Who was designated by whom, under the filters: subject id → jurisdiction → earliest designation."""

    filters: Filters
    jurisdictions: list[str]
    subjects: dict[str, Subject]
    designations: dict[str, dict[str, Designation]]


def standing(table: ListingTable, filters: Filters) -> Standing:
    designations = {}
    for subject in selected(table, filters):
        found = in_force(subject, filters)
        if found:
            designations[subject.id] = found
    return Standing(filters, table.jurisdictions, {i: table.subjects[i] for i in designations}, designations)


def check_jurisdictions(codes: Iterable[str], loaded: list[str], option: str) -> list[str]:
    """The codes, lower-cased and checked: each must be a jurisdiction with a list loaded."""
    checked = []
    for code in codes:
        code = code.strip().lower()
        if code not in loaded:
            known = "" if code in JURISDICTIONS or code in {i.jurisdiction for i in SOURCES.values()} else "unknown; "
            raise GapsError(f"{option} {code}: {known}no list of {code!r} is loaded (loaded: {', '.join(loaded)})")
        if code not in checked:
            checked.append(code)
    return checked


# --- gaps -----------------------------------------------------------------------------------------


@dataclass
class Gap:
    subject: Subject
    #: each --has jurisdiction's earliest designation in force
    has: dict[str, Designation]

    @property
    def since(self) -> str | None:
        """The day the last of the --has jurisdictions listed the subject: the gap is open since then."""
        days = [d.listed_on for d in self.has.values()]
        return None if None in days else max(days)  # type: ignore[type-var]

    @property
    def since_bounded(self) -> bool:
        """Whether that day is only a snapshot's bound ("no later than"), the list stating no date."""
        last = max(self.has.values(), key=lambda d: d.listed_on or "")
        return last.listed_on_basis == "first_seen"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.subject.id,
            "caption": self.subject.caption,
            "kind": self.subject.kind,
            "since": self.since,
            "since_bounded": self.since_bounded,
            "designations": {j: designation_summary(d) for j, d in self.has.items()},
        }


def designation_summary(d: Designation) -> dict[str, Any]:
    return {"listed_on": d.listed_on, "listed_on_basis": d.listed_on_basis, "absent_before": d.absent_before,
            "delisted_on": d.delisted_on, "regime": d.regime, "source": d.source, "record": d.record}  # fmt: skip


@dataclass
class GapReport:
    has: list[str]
    lacks: list[str]
    filters: Filters
    gaps: list[Gap] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"has": self.has, "lacks": self.lacks, **filters_dict(self.filters),
                "subjects": [g.to_dict() for g in self.gaps], "count": len(self.gaps)}  # fmt: skip


def filters_dict(filters: Filters) -> dict[str, Any]:
    return {"as_of": filters.as_of.isoformat() if filters.as_of else None, "regime": filters.regime,
            "nationality": filters.nationality, "kind": filters.kind}  # fmt: skip


def gaps(state: Standing, has: list[str], lacks: list[str]) -> GapReport:
    """The subjects designated by every `has` jurisdiction and by none of `lacks`, the longest-open gap first."""
    has = check_jurisdictions(has, state.jurisdictions, "--has")
    lacks = check_jurisdictions(lacks, state.jurisdictions, "--lacks")
    if not has:
        raise GapsError("--has: name at least one jurisdiction")
    if both := set(has) & set(lacks):
        raise GapsError(f"--has and --lacks both name {', '.join(sorted(both))}")
    found = []
    for subject_id, designations in state.designations.items():
        if all(j in designations for j in has) and not any(j in designations for j in lacks):
            found.append(Gap(state.subjects[subject_id], {j: designations[j] for j in has}))
    found.sort(key=lambda g: (g.since or "9999", g.subject.caption.casefold(), g.subject.id))
    return GapReport(has, lacks, state.filters, found)


def gaps_csv(report: GapReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    sides = [f"{j}_{column}" for j in report.has for column in ("listed_on", "basis", "regime", "record")]
    writer.writerow(["id", "caption", "kind", "since", *sides])
    for gap in report.gaps:
        cells = [value for j in report.has for value in (gap.has[j].listed_on or "", gap.has[j].listed_on_basis,
                                                          gap.has[j].regime or "", gap.has[j].record)]  # fmt: skip
        writer.writerow([gap.subject.id, gap.subject.caption, gap.subject.kind, gap.since or "", *cells])
    return out.getvalue()


def gaps_markdown(report: GapReport) -> str:
    header = ["subject", "since", *(f"{j.upper()} listed (regime)" for j in report.has)]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for gap in report.gaps:
        cells = [f"{marked(gap.has[j])} ({gap.has[j].regime or '—'})" for j in report.has]
        lines.append("| " + " | ".join([gap.subject.caption, gap.since or "", *cells]) + " |")
    return "\n".join(lines) + "\n"


def marked(designation: Designation) -> str:
    """A listing date for people: "≤ date" when only a snapshot bounds it."""
    day = designation.listed_on or "listed"
    return f"≤ {day}" if designation.listed_on_basis == "first_seen" else day


# --- overlap --------------------------------------------------------------------------------------


@dataclass
class Overlap:
    jurisdictions: list[str]
    filters: Filters
    #: exact combination (the jurisdictions that designated a subject, and no other of `jurisdictions`) → subjects
    counts: dict[frozenset[str], int]

    @property
    def totals(self) -> dict[str, int]:
        return {j: sum(n for combo, n in self.counts.items() if j in combo) for j in self.jurisdictions}

    def ordered(self) -> list[tuple[list[str], int]]:
        """The combinations, largest first, each as jurisdictions in display order."""
        rows = [([j for j in self.jurisdictions if j in combo], n) for combo, n in self.counts.items()]
        return sorted(rows, key=lambda row: (-row[1], len(row[0]), row[0]))

    def to_dict(self) -> dict[str, Any]:
        return {"jurisdictions": self.jurisdictions, **filters_dict(self.filters), "totals": self.totals,
                "subjects": sum(self.counts.values()),
                "combinations": [{"jurisdictions": combo, "count": n} for combo, n in self.ordered()]}  # fmt: skip


def overlap(state: Standing, jurisdictions: list[str] | None = None) -> Overlap:
    """How many subjects each exact combination of the jurisdictions designated."""
    chosen = check_jurisdictions(jurisdictions or state.jurisdictions, state.jurisdictions, "--jurisdiction")
    chosen = ordered_jurisdictions(set(chosen))
    counts: Counter[frozenset[str]] = Counter()
    for designations in state.designations.values():
        combo = frozenset(j for j in designations if j in chosen)
        if combo:
            counts[combo] += 1
    return Overlap(chosen, state.filters, dict(counts))


def every_combination(jurisdictions: list[str]) -> list[frozenset[str]]:
    """Every non-empty combination of the jurisdictions (what `overlap` counts and `gaps` can ask)."""
    return [frozenset(c) for size in range(1, len(jurisdictions) + 1) for c in combinations(jurisdictions, size)]


def overlap_csv(report: Overlap) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*report.jurisdictions, "subjects"])
    for combo, n in report.ordered():
        writer.writerow([*("x" if j in combo else "" for j in report.jurisdictions), n])
    return out.getvalue()


def overlap_markdown(report: Overlap) -> str:
    lines = ["| combination | subjects |", "|---|---|"]
    lines += [f"| {' + '.join(j.upper() for j in combo)} only | {n} |" for combo, n in report.ordered()]
    return "\n".join(lines) + "\n"


# --- timeline -------------------------------------------------------------------------------------


@dataclass
class Period:
    period: str
    jurisdiction: str
    listed: int = 0
    #: of `listed`, those whose date only a snapshot bounds (the list states none)
    listed_bounded: int = 0
    #: no record of the jurisdiction left in force; dated by the first snapshot without it (always bounded)
    delisted: int = 0


@dataclass
class Timeline:
    jurisdictions: list[str]
    by: str
    filters: Filters
    periods: list[Period]
    #: per jurisdiction, subjects already on its first snapshot, their listing undated: no period holds them
    on_first_snapshot: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"jurisdictions": self.jurisdictions, "by": self.by, **filters_dict(self.filters),
                "periods": [p.__dict__ for p in self.periods], "on_first_snapshot": self.on_first_snapshot}  # fmt: skip


def timeline(table: ListingTable, filters: Filters, jurisdictions: list[str] | None = None, by: str = "year") -> Timeline:
    """Per jurisdiction and month or year: subjects it first listed, and those it no longer lists."""
    if by not in ("month", "year"):
        raise GapsError(f"--by takes month or year, not {by!r}")
    chosen = ordered_jurisdictions(set(check_jurisdictions(jurisdictions or table.jurisdictions, table.jurisdictions,
                                                           "--jurisdiction")))  # fmt: skip
    width = 7 if by == "month" else 4
    cutoff = filters.as_of.isoformat() if filters.as_of else None
    periods: dict[tuple[str, str], Period] = {}
    first_snapshot: Counter[str] = Counter()
    for subject in selected(table, filters):
        still = in_force(subject, filters)
        listed: dict[str, list[Designation]] = {}
        for history in subject.histories:
            d = designation_of(history)
            if d.jurisdiction in chosen and regime_matches(d, filters.regime):
                listed.setdefault(d.jurisdiction, []).append(d)
        for jurisdiction, found in listed.items():
            first = earliest_per_jurisdiction(found)[jurisdiction]
            if first.listed_on and cutoff and first.listed_on > cutoff:
                continue
            if first.listed_on_basis == "first_seen" and first.absent_before is None:
                first_snapshot[jurisdiction] += 1
            elif first.listed_on:
                row = periods.setdefault((first.listed_on[:width], jurisdiction), Period(first.listed_on[:width], jurisdiction))
                row.listed += 1
                row.listed_bounded += first.listed_on_basis == "first_seen"
            gone = [d.delisted_on for d in found if d.delisted_on and (not cutoff or d.delisted_on <= cutoff)]
            if jurisdiction not in still and gone:
                day = max(gone)
                row = periods.setdefault((day[:width], jurisdiction), Period(day[:width], jurisdiction))
                row.delisted += 1
    ordered = sorted(periods.values(), key=lambda p: (p.period, chosen.index(p.jurisdiction)))
    return Timeline(chosen, by, filters, ordered, {j: first_snapshot[j] for j in chosen})


def timeline_csv(report: Timeline) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "jurisdiction", "listed", "listed_bounded", "delisted"])
    for p in report.periods:
        writer.writerow([p.period, p.jurisdiction, p.listed, p.listed_bounded, p.delisted])
    return out.getvalue()


def timeline_markdown(report: Timeline) -> str:
    lines = ["| period | jurisdiction | listed | of which ≤ (bounded) | delisted |", "|---|---|---|---|---|"]
    lines += [f"| {p.period} | {p.jurisdiction.upper()} | {p.listed} | {p.listed_bounded} | {p.delisted} |"
              for p in report.periods]  # fmt: skip
    return "\n".join(lines) + "\n"


# --- discrepancies --------------------------------------------------------------------------------


@dataclass
class Discrepancy:
    subject: Subject
    field: str
    #: each list's values ("source" → values as the list writes them)
    values: dict[str, list[str]]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.subject.id, "caption": self.subject.caption, "field": self.field, "values": self.values}


@dataclass
class DiscrepancyReport:
    fields: list[str]
    filters: Filters
    found: list[Discrepancy]

    def to_dict(self) -> dict[str, Any]:
        return {"fields": self.fields, **filters_dict(self.filters), "discrepancies": [d.to_dict() for d in self.found],
                "count": len(self.found)}  # fmt: skip


def discrepancies(
    engine: sa.Engine,
    table: ListingTable,
    filters: Filters,
    fields: list[str] | None = None,
    jurisdictions: list[str] | None = None,
) -> DiscrepancyReport:
    """Subjects whose lists (in force under the filters) disagree on a birth date, nationality or name spelling."""
    fields = fields or list(DISCREPANCY_FIELDS)
    if unknown := [f for f in fields if f not in DISCREPANCY_FIELDS]:
        raise GapsError(f"--field {unknown[0]}: one of {', '.join(DISCREPANCY_FIELDS)}")
    chosen = set(check_jurisdictions(jurisdictions or table.jurisdictions, table.jurisdictions, "--jurisdiction"))
    lists_of: dict[str, list[str]] = {}
    for subject in selected(table, filters):
        records = [d.record for d in in_force_records(subject, filters) if d.jurisdiction in chosen]
        if len({r.partition(":")[0] for r in records}) >= 2:
            lists_of[subject.id] = records
    full = compared_records(engine, [table.versions[r] for records in lists_of.values() for r in records])
    found = []
    for subject_id, referents in sorted(lists_of.items(), key=lambda kv: table.subjects[kv[0]].caption.casefold()):
        per_source: dict[str, list[Record]] = {}
        for referent in referents:
            per_source.setdefault(referent.partition(":")[0], []).append(full[referent])
        for name in fields:
            if name == "name" and table.subjects[subject_id].kind != "person":
                continue  # organizations' names differ in legal forms and word choice, not in spelling
            values = {source: VALUES[name](records) for source, records in sorted(per_source.items())}
            values = {source: v for source, v in values.items() if v}
            if len(values) >= 2 and DISAGREE[name](list(values.values())):
                found.append(Discrepancy(table.subjects[subject_id], name, values))
    return DiscrepancyReport(fields, filters, found)


def compared_records(engine: sa.Engine, version_ids: list[int]) -> dict[str, Record]:
    """These record versions, by record id ("source:id"), with what `discrepancies` compares: names,
    birth dates, nationalities (built directly: `Record.from_dict` costs ten times more)."""
    v = t.record_versions
    found = {}
    with engine.connect() as conn:
        for start in range(0, len(version_ids), CHUNK):
            for (data,) in conn.execute(sa.select(v.c.data).where(v.c.id.in_(version_ids[start : start + CHUNK]))):
                item = orjson.loads(data)
                record = Record(
                    item["source"], item["source_id"], KINDS[item["kind"]],
                    names=[Name(n["full"], type=NAME_TYPES[n.get("type", "primary")], script=n.get("script"))
                           for n in item.get("names", [])],
                    birth_dates=[FuzzyDate(d.get("value")) for d in item.get("birth_dates", [])],
                    nationalities=item.get("nationalities", []), citizenships=item.get("citizenships", []),
                )  # fmt: skip
                found[record.id] = record
    return found


def in_force_records(subject: Subject, filters: Filters) -> list[Designation]:
    """Every designation of the subject in force under the filters (not only the earliest per jurisdiction)."""
    day = filters.as_of
    histories = [h for h in subject.histories if (h.on_list(day) if day else h.presence["removed_on"] is None)]
    return [d for h in histories if regime_matches(d := designation_of(h), filters.regime)]


def birth_dates_of(records: list[Record]) -> list[str]:
    return sorted({d.value for r in records for d in r.birth_dates if d.value})


def nationalities_of(records: list[Record]) -> list[str]:
    return sorted({c.lower() for r in records for c in (*r.nationalities, *r.citizenships)})


def latin_names_of(records: list[Record]) -> list[str]:
    """The Latin-script names a list gives, its primary one first."""
    seen: dict[str, None] = {}
    for record in records:
        for name in sorted(record.names, key=lambda n: n.type != NameType.PRIMARY):
            if name.script == "Latn":
                seen.setdefault(name.full, None)
    return list(seen)


def dates_disagree(per_list: list[list[str]]) -> bool:
    """Two lists disagree when one states a date none of the other's fits (1953 fits 1953-08-27)."""
    def fits(a: str, b: str) -> bool:
        return a.startswith(b) or b.startswith(a)

    return any(not any(fits(a, b) for a in left for b in right) for left, right in combinations(per_list, 2))


def sets_differ(per_list: list[list[str]]) -> bool:
    return len({tuple(values) for values in per_list}) > 1


def spelling(name: str) -> tuple[str, ...]:
    """A name as spelled, whatever its case, punctuation and word order ("BASTRYKIN, Alexander")."""
    text = "".join(" " if unicodedata.category(c)[0] in "PSZC" else c for c in unicodedata.normalize("NFC", name))
    return tuple(sorted(re.split(r"\s+", text.casefold().strip())))


def spellings_disagree(per_list: list[list[str]]) -> bool:
    """Two lists disagree when neither knows the other's primary Latin spelling (beyond case, punctuation
    and word order) and the words that differ are spellings of one another (Aleksandr / Alexander), not
    a name one list has more (a middle name, a second family name)."""
    for left, right in combinations(per_list, 2):
        first_left, first_right = spelling(left[0]), spelling(right[0])
        if first_left in {spelling(n) for n in right} or first_right in {spelling(n) for n in left}:
            continue
        only_left = list((Counter(first_left) - Counter(first_right)).elements())
        only_right = list((Counter(first_right) - Counter(first_left)).elements())
        if len(only_left) == len(only_right) and any(
            fuzz.ratio(a, b) >= SPELLING_SIMILARITY for a in only_left for b in only_right
        ):
            return True
    return False


VALUES = {"birth_date": birth_dates_of, "nationality": nationalities_of, "name": latin_names_of}
DISAGREE = {"birth_date": dates_disagree, "nationality": sets_differ, "name": spellings_disagree}


def discrepancies_csv(report: DiscrepancyReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "caption", "field", "source", "values"])
    for d in report.found:
        for source, values in d.values.items():
            writer.writerow([d.subject.id, d.subject.caption, d.field, source, "; ".join(values)])
    return out.getvalue()


def discrepancies_markdown(report: DiscrepancyReport) -> str:
    lines = ["| subject | field | each list's values |", "|---|---|---|"]
    for d in report.found:
        values = "<br>".join(f"{source}: {'; '.join(v)}" for source, v in d.values.items())
        lines.append(f"| {d.subject.caption} | {d.field} | {values} |")
    return "\n".join(lines) + "\n"
