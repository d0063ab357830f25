"""Record versions' analyses in the store (`record_analysis`): made where missing, read for every consumer.

What an analysis holds is `index.analysis`'s (pure, no store); this module keeps it in the
database, so each record version is analysed once per `ANALYSIS_VERSION`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import orjson
import sqlalchemy as sa

from sanctionscope.index.analysis import analysis_code, analyze_record
from sanctionscope.model import Record
from sanctionscope.names.text_forms import OrganizationPattern
from sanctionscope.store import db
from sanctionscope.store import schema as t

#: versions analysed per database round trip
CHUNK = 2000
#: below this many versions to analyse, a process pool costs more than it saves
PARALLEL_FROM = 20_000
#: versions whose analyses are read by scanning the table rather than by id
SCAN_FROM = 100_000


def _analyze_rows(rows: Sequence[tuple[int, str]]) -> list[dict]:
    """Worker: analyse (version id, record JSON) rows into table rows."""
    code = analysis_code()
    return [analyze_record(vid, Record.from_dict(orjson.loads(data))).row(code) for vid, data in rows]


def missing_versions(conn: sa.Connection, version_ids: Iterable[int]) -> list[int]:
    """The versions among `version_ids` without an analysis by the current code."""
    a, v = t.record_analysis, t.record_versions
    # the store's unanalysed versions, found by the database (an update has a few among a million)
    lacking = sa.select(v.c.id).outerjoin(a, sa.and_(a.c.version_id == v.c.id, a.c.code == analysis_code()))
    missing = {vid for (vid,) in db.bulk_rows(conn, lacking.where(a.c.version_id.is_(None)))}
    return sorted(missing.intersection(version_ids))


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
    """The stored analyses of these versions (run `ensure_analyses` first); without `with_data`, their
    facts alone (keys and data left empty: what resolving asks of every record)."""
    a = t.record_analysis
    columns = [a.c.version_id, a.c["keys"] if with_data else sa.literal(""), a.c.data if with_data else sa.literal(b""),
               a.c.facts]  # fmt: skip
    wanted = set(version_ids)
    ids = sorted(wanted)
    if len(ids) > SCAN_FROM:  # most of the table: one scan beats hundreds of lookups by id
        reads = [sa.select(*columns)]
    else:
        reads = [sa.select(*columns).where(a.c.version_id.in_(ids[i : i + 5000])) for i in range(0, len(ids), 5000)]
    found: dict[int, StoredAnalysis] = {}
    with engine.connect() as conn:
        for read in reads:
            for vid, keys, data, facts in db.bulk_rows(conn, read):
                if vid in wanted:
                    found[vid] = StoredAnalysis(keys, bytes(data), facts)
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
