"""The store on SQLite and on a real PostgreSQL server: snapshots, dedup, changes, out-of-order loads."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from support import fresh_postgres

from sanctionscope.model import Address, FuzzyDate, Kind, Name, NameType, Record
from sanctionscope.sources.base import ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.detect import DatedSnapshot
from sanctionscope.store import db, queries
from sanctionscope.store.diff import diff_fields
from sanctionscope.store.writer import save_snapshot


def person(rid: str, name: str, born: str | None = None, regimes: tuple[str, ...] = ("RUSSIA-EO14024",)) -> Record:
    return Record(
        source="us_ofac_sdn",
        source_id=rid,
        kind=Kind.PERSON,
        names=[Name(name), Name(name.upper(), NameType.ALIAS)],
        birth_dates=[FuzzyDate(born)] if born else [],
        regimes=list(regimes),
    )


def snapshot(day: str, records: list[Record], payload: bytes | None = None) -> DatedSnapshot:
    data = payload if payload is not None else ("|".join(r.source_id for r in records) + day).encode()
    parsed = ParsedSnapshot(source="us_ofac_sdn", format="test", files=[SourceFile("sdn.csv", data)], records=records)
    return DatedSnapshot(parsed, date.fromisoformat(day), "given")


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request: pytest.FixtureRequest, tmp_path):
    if request.param == "sqlite":
        engine = db.connect(str(tmp_path / "test.db"))
    else:
        engine = fresh_postgres(request.getfixturevalue("postgres_url"))
    yield engine
    engine.dispose()


def test_changes_between_consecutive_snapshots(engine: sa.Engine) -> None:
    first = save_snapshot(
        engine, snapshot("2022-02-25", [person("1", "Ivan Petrov", "1960"), person("2", "Anna Ivanova")])
    )
    second = save_snapshot(
        engine,
        snapshot("2022-03-04", [person("1", "Ivan Petrov", "1961"), person("3", "Alisher Usmanov", "1953-09-09")]),
    )
    assert (first.status, first.records) == ("loaded", 2)
    assert (second.added, second.removed, second.amended) == (1, 1, 1)
    items = queries.list_changes(engine, source="us_ofac_sdn")
    by_kind = {item["change"]: item for item in items}
    assert by_kind["added"]["record_id"] == "us_ofac_sdn:3"
    assert by_kind["added"]["caption"] == "Alisher Usmanov"
    assert by_kind["removed"]["record_id"] == "us_ofac_sdn:2"
    assert by_kind["amended"]["fields"] == {"birth_dates": {"old": [{"value": "1960"}], "new": [{"value": "1961"}]}}
    assert all(item["date"] == "2022-03-04" for item in items)


def test_same_bytes_load_once_and_unchanged_records_are_stored_once(engine: sa.Engine) -> None:
    records = [person("1", "Ivan Petrov"), person("2", "Anna Ivanova")]
    assert save_snapshot(engine, snapshot("2022-01-01", records)).status == "loaded"
    again = save_snapshot(engine, snapshot("2022-01-01", records))
    assert again.status == "unchanged"
    save_snapshot(engine, snapshot("2022-02-01", records, payload=b"other bytes, same records"))
    with engine.connect() as conn:
        assert conn.execute(sa.text("select count(*) from snapshots")).scalar() == 2
        assert conn.execute(sa.text("select count(*) from record_versions")).scalar() == 2
    assert queries.list_changes(engine) == []


def test_out_of_order_load_recomputes_neighbouring_changes(engine: sa.Engine) -> None:
    save_snapshot(engine, snapshot("2022-01-01", [person("1", "A")]))
    save_snapshot(engine, snapshot("2022-03-01", [person("1", "A"), person("2", "B"), person("3", "C")]))
    # A snapshot from between the two arrives last: it takes "2" from the later one.
    save_snapshot(engine, snapshot("2022-02-01", [person("1", "A"), person("2", "B")]))
    added = [(c["date"], c["record_id"]) for c in queries.list_changes(engine) if c["change"] == "added"]
    assert added == [("2022-02-01", "us_ofac_sdn:2"), ("2022-03-01", "us_ofac_sdn:3")]


def test_presence_bounds_a_listing_without_stated_date(engine: sa.Engine) -> None:
    save_snapshot(engine, snapshot("2022-02-25", [person("1", "A")]))
    save_snapshot(engine, snapshot("2022-03-04", [person("1", "A"), person("9", "Usmanov")]))
    save_snapshot(engine, snapshot("2022-03-24", [person("1", "A")]))
    presence = queries.record_presence(engine, "us_ofac_sdn:9")
    assert presence["first_seen"] == "2022-03-04"
    assert presence["absent_before"] == "2022-02-25"
    assert presence["removed_on"] == "2022-03-24"


def test_as_of_reads_the_list_as_it_stood(engine: sa.Engine) -> None:
    save_snapshot(engine, snapshot("2022-02-25", [person("1", "A")]))
    save_snapshot(engine, snapshot("2022-03-04", [person("1", "A"), person("9", "Usmanov")]))
    before = {r.source_id for r in queries.current_records(engine, as_of=date(2022, 3, 1))}
    after = {r.source_id for r in queries.current_records(engine, as_of=date(2022, 3, 4))}
    assert before == {"1"} and after == {"1", "9"}
    assert queries.get_record(engine, "us_ofac_sdn:9", as_of=date(2022, 3, 1)) is None
    assert queries.get_record(engine, "us_ofac_sdn:9").caption == "Usmanov"


def test_duplicate_ids_fail_and_leave_the_store_untouched(engine: sa.Engine) -> None:
    save_snapshot(engine, snapshot("2022-01-01", [person("1", "A")]))
    with pytest.raises(SourceError, match="occur more than once: 7"):
        save_snapshot(engine, snapshot("2022-02-01", [person("7", "X"), person("7", "Y")]))
    summary = queries.source_summaries(engine)
    assert summary == [
        {"source": "us_ofac_sdn", "jurisdiction": "us", "snapshots": 1, "latest": "2022-01-01", "records": 1}
    ]


def test_raw_files_are_kept_and_restored_byte_for_byte(engine: sa.Engine) -> None:
    payload = bytes(range(256)) * 100
    result = save_snapshot(engine, snapshot("2022-01-01", [person("1", "A")], payload=payload))
    assert queries.snapshot_file_bytes(engine, result.snapshot_id) == {"sdn.csv": payload}


def test_diff_fields_ignores_list_order() -> None:
    old = {"names": [{"full": "A"}, {"full": "B"}], "regimes": ["X"]}
    new = {"names": [{"full": "B"}, {"full": "A"}], "regimes": ["X", "Y"]}
    assert diff_fields(old, new) == {"regimes": {"old": ["X"], "new": ["X", "Y"]}}


def test_url_normalisation() -> None:
    assert db.normalize_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert db.normalize_url("/tmp/x.db") == "sqlite:////tmp/x.db"
    assert db.normalize_url("sqlite:///a.db") == "sqlite:///a.db"


def test_fields_a_snapshot_states_in_part_are_not_amendments(engine: sa.Engine) -> None:
    full = person("1", "Ivan Petrov")
    full.addresses = [Address("Moscow", "ru")]
    save_snapshot(engine, snapshot("2021-07-07", [full, person("2", "B")]))
    # the next file set has no add.csv: addresses are unknown, not removed
    bare = snapshot("2022-02-17", [person("1", "Ivan Petrov"), person("2", "B", "1970")])
    bare.parsed.partial_fields = frozenset({"addresses"})
    result = save_snapshot(engine, bare)
    assert result.amended == 1
    (change,) = queries.list_changes(engine)
    assert change["record_id"] == "us_ofac_sdn:2" and set(change["fields"]) == {"birth_dates"}


def test_the_head_revision_constant_is_alembics_head(engine: sa.Engine) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(db._MIGRATIONS))
    assert db.HEAD_REVISION == ScriptDirectory.from_config(config).get_current_head()
    assert db.schema_revision(engine) == db.HEAD_REVISION


def test_an_older_schema_is_migrated_on_connect(tmp_path) -> None:
    from alembic import command
    from alembic.config import Config

    path = tmp_path / "old.db"
    engine = db.connect(str(path), migrate=False)
    config = Config()
    config.set_main_option("script_location", str(db._MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0008")
    assert db.schema_revision(engine) == "0008"
    assert "batches" not in sa.inspect(engine).get_table_names()
    engine = db.connect(str(path))
    assert db.schema_revision(engine) == db.HEAD_REVISION
    assert "batches" in sa.inspect(engine).get_table_names()
