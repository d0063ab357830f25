"""The search table's file is built once, under a lock, and written atomically (api/search_file.py).

Two builders that miss the file at the same time (two workers of one server, or two server
processes) must leave one valid file built once: the second waits on the lock and reads what the
first wrote; no temporary file is left behind.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from sanctionscope.api import search_file
from sanctionscope.api.search import SearchTable
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.service.matchers import open_matcher
from sanctionscope.store import db
from sanctionscope.store.load import load_paths


@pytest.fixture(scope="module")
def engine(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    engine = db.connect(str(tmp_path_factory.mktemp("lock") / "lock.db"))
    fixtures = lists_dir.parent / "ftm" / "yente-fixtures"
    assert not load_paths(engine, [fixtures / "t1.entities.ftm.json"], given_date=date(2024, 6, 1)).failures
    open_matcher(engine)  # resolves and indexes, as a server's first request does
    return engine


def slow_counting_builder(counter: Path):  # type: ignore[no-untyped-def]
    """A build_in_child that notes each build in `counter` (appended: safe across processes) and is slow
    enough that a second builder arrives while it runs."""

    def build(engine: sa.Engine, path: Path, version: str) -> int:
        with counter.open("a") as handle:
            handle.write(f"{os.getpid()}\n")
        time.sleep(1.0)
        search_file.write_table(path, version, SearchTable(search_file.table_entities(SubjectBook(engine))))
        return 0

    return build


def _load_in_process(url: str, version: str) -> None:  # runs in a forked process: the monkeypatch is inherited
    engine = db.connect(url)
    table = search_file.load_table(engine, SubjectBook(engine), version)
    os._exit(0 if len(table) > 0 else 3)


def _fresh(engine: sa.Engine) -> tuple[Path, str]:
    path = search_file.search_path(engine)
    path.unlink(missing_ok=True)
    return path, open_matcher(engine).version


def _leftovers(path: Path) -> list[str]:
    return [p.name for p in path.parent.iterdir() if p.name.endswith(".partial")]


def test_two_processes_building_at_once_leave_one_valid_file_built_once(
        engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    path, version = _fresh(engine)
    counter = tmp_path / "builds"
    monkeypatch.setattr(search_file, "build_in_child", slow_counting_builder(counter))
    context = multiprocessing.get_context("fork")
    url = engine.url.render_as_string(hide_password=False)
    workers = [context.Process(target=_load_in_process, args=(url, version)) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    assert len(counter.read_text().split()) == 1  # one of them built, the other waited and read the file
    table = search_file.read_table(path, version)
    assert table is not None and len(table) == len(SearchTable(search_file.table_entities(SubjectBook(engine))))
    assert _leftovers(path) == []


def test_two_workers_of_one_process_build_once(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, version = _fresh(engine)
    counter = tmp_path / "builds"
    monkeypatch.setattr(search_file, "build_in_child", slow_counting_builder(counter))
    tables: list[SearchTable] = []
    threads = [threading.Thread(target=lambda: tables.append(search_file.load_table(engine, SubjectBook(engine), version)))
               for _ in range(2)]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(counter.read_text().split()) == 1
    assert len(tables) == 2 and [r.id for r in tables[0].rows] == [r.id for r in tables[1].rows]
    assert search_file.read_table(path, version) is not None and _leftovers(path) == []


def test_a_failed_write_leaves_the_old_file_and_no_partial(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    path, version = _fresh(engine)
    table = SearchTable(search_file.table_entities(SubjectBook(engine)))
    search_file.write_table(path, version, table)
    before = path.read_bytes()

    def broken_dump(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(search_file.pickle, "dump", broken_dump)
    with pytest.raises(OSError):
        search_file.write_table(path, "another-version", table)
    assert path.read_bytes() == before and _leftovers(path) == []
