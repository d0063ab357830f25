"""The search table's file: built once per data version, in a child process, and read by every worker.

Building the table reads every subject (tens of seconds on the official lists) and leaves the
process that does it larger by far more than the table: the reading's garbage stays as
fragmented heap. So a short-lived child process builds it and writes it next to the index file
(`<database>.index.search`, atomically: a temporary file, then os.replace); a server process only
reads the finished table, and the next worker, or the next start on the same data, reads the file
instead of building again. Building is guarded by an exclusive lock on `<file>.lock` (fcntl.flock):
two workers or processes that miss the file at once build it once, the second waits and reads it.
The file is a pickle tied to the data version and to the code that made it; like the database
and the index beside it, it is trusted as the server's own.
"""

from __future__ import annotations

import fcntl
import logging
import multiprocessing
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from sanctionscope.api.entities import subject_entity
from sanctionscope.api.search import IndexedEntity, SearchTable, indexed_entity
from sanctionscope.api.yente_models import yente_entity
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.service.matchers import index_path
from sanctionscope.store import db

log = logging.getLogger(__name__)
#: the first bytes of a search file; the number changes with its layout
MAGIC = b"SSSEARCH2\n"
#: the version of what a search table holds: bump it when the table's entities or their indexing change
#: (api/search.py, query_string.py, entities.py, yente_models.py, this module, resolve/subjects.py), so
#: that every saved table is built again; its layout has its own `MAGIC`.
TABLE_VERSION = 1


def search_path(engine: sa.Engine) -> Path:
    path = index_path(engine)
    return path.with_name(path.name + ".search")


def table_entities(book: SubjectBook) -> Iterator[IndexedEntity]:
    """Every subject as the table indexes it (each read once, not cached)."""
    for subject in book.all():
        yield indexed_entity(yente_entity(subject_entity(subject)), {h.record.source for h in subject.histories})


def _stamp(version: str) -> str:
    return f"{version}:table-{TABLE_VERSION}"


def write_table(path: Path, version: str, table: SearchTable) -> None:
    """Write the table atomically: a reader sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, partial = tempfile.mkstemp(prefix=f"{path.name}.", suffix=".partial", dir=path.parent)
    try:
        os.fchmod(descriptor, 0o644)  # as readable as the index beside it (mkstemp makes it 0600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(MAGIC + _stamp(version).encode() + b"\n")
            pickle.dump(table, handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


@contextmanager
def build_lock(path: Path) -> Iterator[None]:
    """Hold the exclusive lock on building the table at `path` (waits for another builder, in any process)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def read_table(path: Path, version: str) -> SearchTable | None:
    """The table in the file if it is of this data version and code; None otherwise."""
    try:
        with path.open("rb") as handle:
            if handle.readline() != MAGIC or handle.readline().decode().strip() != _stamp(version):
                return None
            table = pickle.load(handle)
    except (OSError, EOFError, pickle.UnpicklingError, UnicodeDecodeError, AttributeError, ValueError):
        return None
    return table if isinstance(table, SearchTable) else None


def build_file(url: str, path: str, version: str) -> None:
    """In the child process: build the table of the database at `url` and write it to `path`."""
    engine = db.connect(url)
    write_table(Path(path), version, SearchTable(table_entities(SubjectBook(engine))))


def build_in_child(engine: sa.Engine, path: Path, version: str) -> int | None:
    """Build the table's file in a short-lived child process; its exit code."""
    url = engine.url.render_as_string(hide_password=False)
    child = multiprocessing.get_context("spawn").Process(target=build_file, args=(url, str(path), version))
    child.start()
    child.join()
    return child.exitcode


def load_table(engine: sa.Engine, book: SubjectBook, version: str) -> SearchTable:
    """The table of this data version: from its file, else built (once, under the build lock) by a child
    process, else built here."""
    path = search_path(engine)
    table = read_table(path, version)
    if table is not None:
        return table
    try:
        with build_lock(path):
            table = read_table(path, version)  # another builder may have written it while this one waited
            if table is not None:
                return table
            if engine.url.database not in (None, "", ":memory:"):
                exitcode = build_in_child(engine, path, version)
                table = read_table(path, version)
                if table is not None:
                    return table
                log.warning("the search table's child process failed (exit %s); building it in this process", exitcode)
            table = SearchTable(table_entities(book))
            write_table(path, version, table)
            return table
    except OSError as error:  # a read-only folder: the table is still served, from memory
        log.warning("cannot write %s: %s", path, error)
        return table if table is not None else SearchTable(table_entities(book))
