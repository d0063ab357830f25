"""Scale: names analysed once per record version, the index file shared by processes, and resolving
that redoes only what an update changed — with the same subjects as resolving from scratch.

The update is real: OFAC's SDN list of 2022-02-25, then the one of 2022-03-04 (Usmanov and the
other designations of 3 March 2022), on top of the UN and Australian lists.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa

from sanctionscope.index.analysis import analysis_code
from sanctionscope.match.engine import Matcher
from sanctionscope.match.query import build_query
from sanctionscope.resolve.build import LINKER_SUFFIX, resolve
from sanctionscope.service.analyses import ensure_analyses
from sanctionscope.service.matchers import index_path, open_matcher
from sanctionscope.store import db, queries
from sanctionscope.store import schema as t
from sanctionscope.store.load import load_paths

BEFORE = "us/ofac-sdn-csv/2022-02-25"
AFTER = "us/ofac-sdn-csv/2022-03-04"
BASE = ["un/un-sc-consolidated-xml/2026-02-27", "au/dfat-consolidated-xlsx/2024-11-11"]
USMANOV_OFAC, USMANOV_AU = "us_ofac_sdn:35283", "au_dfat:6751"


#: the files kept beside a database: the index of its subjects and the resolver's linker
SIDECARS = (".index", LINKER_SUFFIX)


def copy_db(source: Path | str, target: Path, *, sidecars: bool = False) -> None:
    """A consistent copy of a SQLite database in WAL mode (a file copy could miss the log's last writes);
    with `sidecars`, the saved indexes beside it too (as the database's own user has them)."""
    with sqlite3.connect(str(source)) as src, sqlite3.connect(str(target)) as dst:
        src.backup(dst)
    for suffix in SIDECARS if sidecars else ():
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def groups(engine: sa.Engine) -> dict[str, frozenset[str]]:
    """Subject id → its records."""
    m = t.subject_members
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for referent, subject_id in conn.execute(sa.select(m.c.referent, m.c.subject_id)):
            found.setdefault(subject_id, set()).add(referent)
    return {subject_id: frozenset(members) for subject_id, members in found.items()}


@pytest.fixture(scope="module")
def before(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """UN + Australia + OFAC of 2022-02-25, resolved."""
    path = tmp_path_factory.mktemp("incremental") / "before.db"
    engine = db.connect(str(path))
    load_paths(engine, [lists_dir / folder for folder in [*BASE, BEFORE]])
    report = resolve(engine)
    assert report.full
    return path


@pytest.fixture(scope="module")
def updated(before: Path, lists_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The same database after loading OFAC of 2022-03-04: resolved incrementally, and a copy from scratch."""
    folder = tmp_path_factory.mktemp("updated")
    incremental, scratch = folder / "incremental.db", folder / "scratch.db"
    open_matcher(db.connect(str(before)))  # the saved index an update refreshes
    copy_db(before, incremental, sidecars=True)
    previous = groups(db.connect(str(before)))
    engines = {}
    for path in (incremental, scratch):
        if path == scratch:
            copy_db(before, scratch)
        engine = engines[path] = db.connect(str(path))
        load_paths(engine, [lists_dir / AFTER])
    report = resolve(engines[incremental])
    full = resolve(engines[scratch], full=True)
    return previous, engines[incremental], report, engines[scratch], full


def test_an_update_resolves_only_what_it_changed(updated) -> None:  # type: ignore[no-untyped-def]
    _previous, engine, report, _scratch, full = updated
    changes = queries.list_changes(engine, source="us_ofac_sdn")
    changed = {c["record_id"] for c in changes if c["date"] == "2022-03-04" and c["change"] in ("added", "amended")}
    assert changed and not report.full and full.full
    assert report.changed == len(changed)  # versions compared, not guessed
    assert report.searched < full.searched / 10
    assert report.regrouped < report.records / 10


def test_incremental_subjects_equal_a_resolve_from_scratch(updated) -> None:  # type: ignore[no-untyped-def]
    _previous, engine, _report, scratch, _full = updated
    incremental, from_scratch = groups(engine), groups(scratch)
    assert set(incremental.values()) == set(from_scratch.values())
    assert incremental == from_scratch  # and the same ids


def test_untouched_subjects_keep_their_ids_and_usmanov_joins(updated) -> None:  # type: ignore[no-untyped-def]
    previous, engine, _report, _scratch, _full = updated
    now = groups(engine)
    kept = [members for subject_id, members in previous.items() if now.get(subject_id) == members]
    assert len(kept) >= 0.9 * len(previous)
    usmanov = next(members for members in now.values() if USMANOV_OFAC in members)
    assert USMANOV_AU in usmanov
    assert not any(USMANOV_OFAC in members for members in previous.values())  # not listed by OFAC before


def test_a_decision_wins_in_an_incremental_resolve(updated, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _previous, engine, _report, _scratch, _full = updated
    path = tmp_path / "decided.db"
    copy_db(engine.url.database, path)
    decided = db.connect(str(path))
    from datetime import UTC, datetime

    with decided.begin() as conn:
        conn.execute(t.decisions.insert(), {"left": USMANOV_OFAC, "right": USMANOV_AU, "judgement": "different",
                                            "created_at": datetime.now(UTC)})  # fmt: skip
    report = resolve(decided)
    assert not report.full
    now = groups(decided)
    assert not any({USMANOV_OFAC, USMANOV_AU} <= members for members in now.values())


def test_names_are_analysed_once_per_record_version(before: Path, lists_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "again.db"
    copy_db(before, path)
    engine = db.connect(str(path))
    with engine.connect() as conn:
        analysed = conn.execute(sa.select(sa.func.count()).select_from(t.record_analysis)).scalar_one()
        versions_before = conn.execute(sa.select(sa.func.count()).select_from(t.record_versions)).scalar_one()
    assert analysed == versions_before  # every version, once
    load_paths(engine, [lists_dir / AFTER])
    with engine.connect() as conn:
        versions_after = conn.execute(sa.select(sa.func.count()).select_from(t.record_versions)).scalar_one()
    ids = [row.version_id for row in queries.version_rows(engine)]
    assert ensure_analyses(engine, ids) == versions_after - versions_before  # only the new versions
    assert ensure_analyses(engine, ids) == 0
    with engine.connect() as conn:
        codes = set(conn.execute(sa.select(t.record_analysis.c.code)).scalars())
    assert codes == {analysis_code()}


def same_matchers(left: Matcher, right: Matcher) -> None:
    """Assert two matchers hold the same entries, candidate index, text forms and name parts."""
    assert list(left.entries.blobs()) == list(right.entries.blobs())
    assert left.index.vocabulary == right.index.vocabulary
    for name in ("values", "offsets"):
        assert np.array_equal(getattr(left.index.postings, name), getattr(right.index.postings, name))
    assert np.array_equal(left.fingerprints, right.fingerprints)
    if left.mentions is not None or right.mentions is not None:
        assert left.mentions is not None and right.mentions is not None
        assert np.array_equal(left.mentions.families.values, right.mentions.families.values)
        assert left.mentions.organizations == right.mentions.organizations
    a, b = left.name_table, right.name_table
    for name in ("name_offsets", "part_offsets", "keys", "spelled", "least"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert [a.row(r) for r in a.rows.tolist()] == [b.row(r) for r in b.rows.tolist()]  # ids may differ, rows not


def test_an_update_takes_what_did_not_change_from_the_saved_indexes(
    before: Path, lists_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The linker and the subjects' index are refreshed, not rebuilt: only the changed records' analyses
    are read for them, and what they hold is what a build from scratch holds."""
    from sanctionscope.service import assemble

    path = tmp_path / "refreshed.db"
    open_matcher(db.connect(str(before)))
    copy_db(before, path, sidecars=True)
    engine = db.connect(str(path))
    load_paths(engine, [lists_dir / AFTER])
    read: list[int] = []

    def counted(engine: sa.Engine, version_ids: list[int], **options: bool) -> dict:
        read.extend(version_ids)
        return real_read(engine, version_ids, **options)

    real_read = assemble.read_analyses
    monkeypatch.setattr(assemble, "read_analyses", counted)
    report = resolve(engine)
    assert not report.full and report.searched
    linker = Matcher.load_saved(Path(f"{path}{LINKER_SUFFIX}"))
    refreshed = open_matcher(engine)
    rows = queries.version_rows(engine)
    assert read and len(set(read)) <= 2 * report.changed < len(rows) / 10  # a few entries' versions, not all
    monkeypatch.setattr(assemble, "read_analyses", real_read)
    assert linker is not None
    same_matchers(linker, assemble.build_matcher(engine, rows, subjects=False))
    same_matchers(refreshed, assemble.build_matcher(engine, queries.current_version_rows(engine)))


# --- the index file ----------------------------------------------------------------------------


def test_the_saved_index_is_mapped_and_answers_like_the_built_one(before: Path, tmp_path: Path) -> None:
    engine = db.connect(str(before))
    built = open_matcher(engine, rebuild=True)
    opened = Matcher.load_saved(index_path(engine))
    assert opened is not None and opened.version == built.version
    assert opened.entries._blobs is None  # entries read from the mapped file, not held as a list
    for name in ("BASTRYKIN Alexander", "Usmanov Alisher", "Abu Bakr al-Baghdadi", "ABBAS RASHIDI"):
        query = build_query([name])
        assert [(r.entry.id, round(r.score, 6)) for r in opened.match(query)] == [
            (r.entry.id, round(r.score, 6)) for r in built.match(query)
        ]
    assert [e.to_bytes() for e in opened.entries] == [e.to_bytes() for e in built.entries]


def test_a_reader_keeps_its_index_while_a_new_one_replaces_the_file(before: Path, tmp_path: Path) -> None:
    engine = db.connect(str(before))
    matcher = open_matcher(engine)
    path = tmp_path / "replaced.index"
    matcher.save(path)
    reader = Matcher.load_saved(path)
    assert reader is not None
    expected = [r.entry.id for r in reader.match(build_query(["Bakr al-Baghdadi"]))]
    smaller = Matcher(list(matcher.entries)[:10], version="other")
    smaller.save(path)  # atomically replaces the file the reader has mapped
    assert [r.entry.id for r in reader.match(build_query(["Bakr al-Baghdadi"]))] == expected
    reopened = Matcher.load_saved(path)
    assert reopened is not None and reopened.version == "other" and len(reopened.entries) == 10


@pytest.mark.parametrize("damage", ["truncated", "garbage", "empty"])
def test_a_damaged_index_file_is_rebuilt(before: Path, tmp_path: Path, damage: str) -> None:
    path = tmp_path / "damaged.db"
    copy_db(before, path)
    engine = db.connect(str(path))
    good = open_matcher(engine)
    index = index_path(engine)
    data = index.read_bytes()
    index.write_bytes({"truncated": data[: len(data) // 3], "garbage": b"\x00garbage" * 100, "empty": b""}[damage])
    assert Matcher.load_saved(index) is None
    again = open_matcher(engine)
    assert again.version == good.version and len(again.entries) == len(good.entries)
    assert Matcher.load_saved(index) is not None  # rebuilt and saved again


def test_namesake_searches_on_two_cores_find_what_one_core_finds(before: Path) -> None:
    from sanctionscope.index.entries import group_into_entries
    from sanctionscope.resolve.links import ScopeMasks, name_links
    from sanctionscope.service.assemble import build_matcher

    engine = db.connect(str(before))
    rows = queries.version_rows(engine)
    linker = build_matcher(engine, rows, subjects=False)
    masks = ScopeMasks([[row.id for row in group] for _id, _subject, group in group_into_entries(rows)])
    positions = list(range(0, len(linker.entries), 7))
    serial = name_links(linker, masks, positions, workers=1)
    assert serial and any(link.evidence != "neighbour" for link in serial)
    assert name_links(linker, masks, positions, workers=2) == serial


def test_a_name_alone_joins_only_namesakes_that_are_each_other_s_only_one() -> None:
    from sanctionscope.resolve.build import confirmed_name_links
    from sanctionscope.resolve.evidence import Link

    one_each = [Link("au_dfat:1", "gb_ofsi:9", "name", 1.0), Link("gb_ofsi:9", "au_dfat:1", "name", 1.0)]
    assert confirmed_name_links(one_each) == one_each
    # the synthetic list holds two "Elena AVDEEVA": from its side each finds one UK record, from the UK's two
    crowded = [Link("ftm:a", "gb_ofsi:9", "name", 1.0), Link("ftm:b", "gb_ofsi:9", "name", 1.0),
               Link("gb_ofsi:9", "ftm:a", "neighbour", 1.0), Link("gb_ofsi:9", "ftm:b", "neighbour", 1.0)]  # fmt: skip
    assert confirmed_name_links(crowded) == []
    # not found back at all (searches are not symmetric): no objection
    assert confirmed_name_links([Link("ftm:a", "gb_ofsi:9", "name", 1.0)]) == [Link("ftm:a", "gb_ofsi:9", "name", 1.0)]
    # a name with agreeing birth dates needs no confirmation from the other side
    dated = [Link("ftm:a", "gb_ofsi:9", "name_birth_date", 0.95)]
    assert confirmed_name_links(dated) == dated


def test_one_designation_in_two_feeds_is_one_namesake() -> None:
    from sanctionscope.resolve.build import confirmed_name_links
    from sanctionscope.resolve.evidence import Link

    # OFAC's SDN entry and trade.gov's copy of it are one list's one namesake, not two
    found = [Link("au_dfat:1", "us_ofac_sdn:7", "name", 1.0), Link("au_dfat:1", "us_trade_csl:c7", "neighbour", 1.0),
             Link("us_ofac_sdn:7", "au_dfat:1", "name", 1.0)]  # fmt: skip
    same = [Link("us_ofac_sdn:7", "us_trade_csl:c7", "cross_reference")]
    assert confirmed_name_links(found, same) == [found[0], found[2]]
    # trade.gov's copy found two Australian namesakes: the SDN entry is not Australia's one
    found_twice = [Link("us_trade_csl:c7", "au_dfat:1", "neighbour", 1.0), Link("us_trade_csl:c7", "au_dfat:2", "neighbour", 1.0),
                   Link("au_dfat:2", "us_ofac_sdn:7", "name", 1.0)]  # fmt: skip
    assert confirmed_name_links(found_twice, same) == []


# --- a list that numbers its entries anew ---------------------------------------------------


def test_entries_of_one_list_join_only_if_never_listed_together() -> None:
    from datetime import date

    from sanctionscope.resolve.clusters import listed_together

    in_2020, in_2025 = (date(2020, 4, 15), date(2020, 4, 15)), (date(2025, 5, 25), date(2025, 5, 25))
    assert not listed_together({"ca_sema": [in_2020]}, {"ca_sema": [in_2025]})
    assert listed_together({"ca_sema": [in_2020]}, {"ca_sema": [(date(2020, 1, 1), date(2025, 5, 25))]})
    assert not listed_together({"ca_sema": [in_2020]}, {"au_dfat": [in_2020]})


def test_canada_s_renumbered_bastrykin_is_one_subject(lists_dir: Path, tmp_path: Path) -> None:
    """Canada numbered its schedules anew between 2020 and 2025 (JVCFOR/1/21 → JVCFOR/21)."""
    engine = db.connect(str(tmp_path / "canada.db"))
    load_paths(engine, [lists_dir / "ca/sema-consolidated-xml", lists_dir / "us/ofac-sdn-csv/2024-05-03"])
    resolve(engine)
    together = next(members for members in groups(engine).values() if "us_ofac_sdn:21186" in members)
    assert {"ca_sema:JVCFOR/1/21", "ca_sema:JVCFOR/21"} <= together
    # two people on the 2025 list stay two, however alike their names
    for members in groups(engine).values():
        current = [m for m in members if m.startswith("ca_sema:") and "/1/" not in m and ", Part" not in m]
        assert len(current) <= 1 or not all(m.startswith("ca_sema:JVCFOR/") for m in current), members


def test_a_year_alone_does_not_reconcile_two_different_days() -> None:
    from sanctionscope.model import FuzzyDate
    from sanctionscope.resolve.evidence import birth_dates_conflict

    # Mishustin: OFAC, Australia, the UK 1966-03-03, Canada 1966 only, the EU 1966-05-03
    group = [FuzzyDate("1966-03-03"), FuzzyDate("1966-03-03"), FuzzyDate("1966")]
    assert birth_dates_conflict(group, [FuzzyDate("1966-05-03")])
    assert not birth_dates_conflict([FuzzyDate("1966")], [FuzzyDate("1966-05-03")])
    assert not birth_dates_conflict(group, [FuzzyDate("1966-03-03"), FuzzyDate("1967")])



def test_a_dominant_list_searches_only_when_another_found_it(
    before: Path, lists_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At scale one list holds most records (a million FtM persons beside the official lists): its
    records search only once another list's search found them. Made to happen here with OFAC (most of
    these records): far fewer searches, and the update still gives the subjects, with the same ids,
    that resolving from scratch gives."""
    from sanctionscope.resolve import links

    monkeypatch.setattr(links, "DOMINANT_LEAST", 1)
    first, scratch = tmp_path / "first.db", tmp_path / "scratch.db"
    copy_db(before, first)
    engine = db.connect(str(first))
    everyone = resolve(engine, full=True)
    assert everyone.full and everyone.searched < everyone.records * 0.7
    load_paths(engine, [lists_dir / AFTER])
    copy_db(first, scratch)
    update = resolve(engine)
    assert not update.full and update.searched < everyone.searched / 5
    from_scratch = resolve(db.connect(str(scratch)), full=True)
    assert from_scratch.subjects == update.subjects
    assert groups(engine) == groups(db.connect(str(scratch)))
    # Usmanov, designated on 2022-03-04, is joined with Australia's record as without the rule
    subject_of = {ref: sid for sid, members in groups(engine).items() for ref in members}
    assert subject_of[USMANOV_OFAC] == subject_of[USMANOV_AU]
