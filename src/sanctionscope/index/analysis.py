"""Names analysed once per record version, kept in the store (`record_analysis`) for every consumer.

Analysing a name (scripts, romanization, keys, tags) is the costly step of building an index
or resolving subjects. It depends only on the record version and on the analysing code, so
each version is analysed once, by the code version `ANALYSIS_CODE`, and its result stored:

- `keys`: every index key of every name, space-separated (what the candidate index needs);
- `data`: the evidence an entry holds, in `Entry`'s own serialized layout (names with their
  parts, birth dates, countries, identifiers, gender), so that an entry of one record is put
  together from bytes without decoding them;
- `facts`: what resolving needs besides names (strong identifier keys, cross-references), and
  an FtM record's datasets (which select it in /match as its source does);
- `mentions`: what text screening searches for (`names.text_forms`): family-name keys, and
  for a record that is not a person, its names as organization patterns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from sanctionscope.fingerprint import code_fingerprint
from sanctionscope.index.entries import analyze_record_names, names_to_json
from sanctionscope.match.features import strong_identifier_keys
from sanctionscope.model import Kind, Record
from sanctionscope.names.text_forms import OrganizationPattern, family_keys, organization_patterns
from sanctionscope.store import schema as t

#: versions analysed per database round trip
CHUNK = 2000
#: below this many versions to analyse, a process pool costs more than it saves
PARALLEL_FROM = 20_000


def analysis_code() -> str:
    """A fingerprint of the code whose output is stored: a change of it analyses every version again."""
    return code_fingerprint("names", "index/analysis.py", "index/entries.py")


@dataclass(frozen=True, slots=True)
class Analysis:
    """One record version analysed."""

    version_id: int
    keys: frozenset[str]
    data: bytes  # orjson [names, birth dates, countries, identifiers, gender]
    identifier_keys: tuple[str, ...]
    cross_refs: tuple[str, ...]
    family_keys: tuple[str, ...] = ()
    organization_patterns: tuple[OrganizationPattern, ...] = ()
    datasets: tuple[str, ...] = ()

    def row(self, code: str) -> dict:
        facts = orjson.dumps([list(self.identifier_keys), list(self.cross_refs), list(self.datasets)]).decode()
        mentions = orjson.dumps([list(self.family_keys), [list(p) for p in self.organization_patterns]]).decode()
        return {"version_id": self.version_id, "code": code, "keys": " ".join(sorted(self.keys)),
                "data": self.data, "facts": facts, "mentions": mentions}  # fmt: skip


def analyze_record(version_id: int, record: Record) -> Analysis:
    names = analyze_record_names(record)
    data = orjson.dumps(
        [
            names_to_json(names),
            [[d.value, d.until, d.circa, d.raw] for d in record.birth_dates],
            sorted(set(record.nationalities) | set(record.citizenships)),
            sorted({i.value for i in record.identifiers}),
            record.gender,
        ]
    )
    keys = frozenset(key for name in names for key in name.index_keys)
    # Family keys of every record, whatever its kind: a subject is a person by its first record,
    # which may not be this one. Organization patterns only of records that are not persons: a
    # million persons would otherwise store patterns no gazetteer reads.
    patterns = () if record.kind == Kind.PERSON else tuple(organization_patterns(names))
    return Analysis(version_id, keys, data, tuple(sorted(strong_identifier_keys(record))), tuple(record.cross_refs),
                    tuple(sorted(family_keys(names))), patterns, tuple(record.datasets))  # fmt: skip


def _analyze_rows(rows: Sequence[tuple[int, str]]) -> list[dict]:
    """Worker: analyse (version id, record JSON) rows into table rows."""
    code = analysis_code()
    return [analyze_record(vid, Record.from_dict(orjson.loads(data))).row(code) for vid, data in rows]


def missing_versions(conn: sa.Connection, version_ids: Iterable[int]) -> list[int]:
    """The versions among `version_ids` without an analysis by the current code."""
    a = t.record_analysis
    done = set(conn.execute(sa.select(a.c.version_id).where(a.c.code == analysis_code())).scalars())
    return sorted(set(version_ids) - done)


def ensure_analyses(
    engine: sa.Engine, version_ids: Iterable[int], progress: Callable[[int, int], None] | None = None
) -> int:
    """Analyse the versions not analysed yet (by this code) and store them; returns how many were."""
    a, v = t.record_analysis, t.record_versions
    with engine.connect() as conn:
        todo = missing_versions(conn, version_ids)
    if not todo:
        return 0
    chunks = [todo[i : i + CHUNK] for i in range(0, len(todo), CHUNK)]

    def rows_of(chunk: list[int]) -> list[tuple[int, str]]:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(v.c.id, v.c.data).where(v.c.id.in_(chunk)))]

    done = 0
    pool = ProcessPoolExecutor(max_workers=2) if len(todo) >= PARALLEL_FROM else None
    try:
        results: Iterator[list[dict]] = (
            pool.map(_analyze_rows, (rows_of(c) for c in chunks)) if pool else (_analyze_rows(rows_of(c)) for c in chunks)
        )
        for rows in results:
            with engine.begin() as conn:
                conn.execute(a.delete().where(a.c.version_id.in_([r["version_id"] for r in rows])))
                conn.execute(a.insert(), rows)
            done += len(rows)
            if progress:
                progress(done, len(todo))
    finally:
        if pool:
            pool.shutdown()
    return done


@dataclass(frozen=True, slots=True)
class StoredAnalysis:
    keys: str  # space-separated
    data: bytes
    facts: str  # orjson [strong identifier keys, cross-references, datasets]

    @property
    def datasets(self) -> list[str]:
        """The FtM datasets of the record version (none for the official lists' records)."""
        return orjson.loads(self.facts)[2]


def read_analyses(engine: sa.Engine, version_ids: Sequence[int], *, with_data: bool = True) -> dict[int, StoredAnalysis]:
    """The stored analyses of these versions (run `ensure_analyses` first)."""
    a = t.record_analysis
    columns = [a.c.version_id, a.c["keys"], a.c.data if with_data else sa.literal(b""), a.c.facts]
    found: dict[int, StoredAnalysis] = {}
    ids = sorted(set(version_ids))
    with engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            chunk = ids[start : start + 5000]
            for vid, keys, data, facts in conn.execute(sa.select(*columns).where(a.c.version_id.in_(chunk))):
                found[vid] = StoredAnalysis(keys, data, facts)
    return found


#: a record version's family-name keys and organization patterns
TextForms = tuple[list[str], list[OrganizationPattern]]


def read_text_forms(engine: sa.Engine, version_ids: Sequence[int]) -> dict[int, TextForms]:
    """What text screening searches for in these versions (`mentions`; run `ensure_analyses` first)."""
    a = t.record_analysis
    found: dict[int, TextForms] = {}
    ids = sorted(set(version_ids))
    with engine.connect() as conn:
        for start in range(0, len(ids), 5000):
            query = sa.select(a.c.version_id, a.c.mentions).where(a.c.version_id.in_(ids[start : start + 5000]))
            for vid, mentions in conn.execute(query):
                families, patterns = orjson.loads(mentions)
                found[vid] = (families, [OrganizationPattern(*p) for p in patterns])
    return found
