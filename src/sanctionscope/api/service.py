"""What the HTTP server keeps in memory: the matcher and subjects of the current data, reloaded when it changes.

Little of it is the data itself: the index is a memory-mapped file (its pages shared by every
worker), and subjects are read from the database when asked for, into bounded caches.

Several server processes can share one PostgreSQL database: each notices a new data version
(after a load or an update by any of them) within `RECHECK_SECONDS` and reloads.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import sqlalchemy as sa

from sanctionscope.api.catalog import source_versions
from sanctionscope.api.entities import EntityGraph, subject_entity
from sanctionscope.api.search import SearchTable, SearchTables
from sanctionscope.api.search_file import load_table
from sanctionscope.match.engine import Matcher
from sanctionscope.resolve.build import data_version as subjects_version
from sanctionscope.resolve.build import resolved_version
from sanctionscope.resolve.subjects import Subject, SubjectBook
from sanctionscope.service.matchers import current_version, open_matcher
from sanctionscope.sources.registry import SOURCES, jurisdiction_of
from sanctionscope.store.ftm_graph import FtmGraph
from sanctionscope.text import TextScreener

#: how often (seconds) a server checks whether the data changed
RECHECK_SECONDS = 5.0
#: entities kept serialized per process (the subjects a server was asked about; bounded like the book)
ENTITIES_KEPT = 5_000


class Service:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._lock = threading.Lock()
        self._checked = 0.0
        self.version = ""
        self._matcher: Matcher | None = None
        self._book: SubjectBook | None = None
        self._entities: dict[str, dict[str, Any]] = {}
        self._sources: set[str] = set()
        self._text_screener: TextScreener | None = None
        self._graph: EntityGraph | None = None
        self._search_tables = SearchTables()
        #: each source's version when the index was loaded (the catalog's `index_version`)
        self.index_versions: dict[str, str] = {}

    def _refresh(self) -> None:
        with self._lock:
            now = time.monotonic()
            if self._matcher is not None and now - self._checked < RECHECK_SECONDS:
                return
            matcher = None
            if self._matcher is None or self._data_changed():
                matcher = open_matcher(self.engine)
            if matcher is not None:
                self._matcher, self._book, self._entities = matcher, SubjectBook(self.engine), {}
                self._text_screener = None
                self._graph = None
                self._sources = self._book.sources() | FtmGraph(self.engine).datasets()
                self.index_versions = source_versions(self.engine)
                self.version = matcher.version
            self._checked = now

    def _data_changed(self) -> bool:
        """New snapshots or decisions (subjects to resolve again), or an index newer than ours."""
        return (
            resolved_version(self.engine) != subjects_version(self.engine)
            or current_version(self.engine) != self.version
        )

    @property
    def ready(self) -> bool:
        return self._matcher is not None

    def matcher(self) -> Matcher:
        self._refresh()
        assert self._matcher is not None
        return self._matcher

    def book(self) -> SubjectBook:
        self._refresh()
        assert self._book is not None
        return self._book

    def text_screener(self) -> TextScreener:
        """The text screener over the current lists (its gazetteer is built on first use)."""
        self._refresh()
        with self._lock:
            if self._text_screener is None:
                assert self._matcher is not None and self._book is not None
                self._text_screener = TextScreener(self._matcher, self._book)
            return self._text_screener

    def sources(self) -> set[str]:
        """The sources with records in the database, and the datasets of FtM records (dataset names for /match)."""
        self._refresh()
        return self._sources

    def entity(self, subject: Subject) -> dict[str, Any]:
        """The subject as an entity (cached until the data changes)."""
        found = self._entities.get(subject.id)
        if found is None:
            if len(self._entities) >= ENTITIES_KEPT:
                self._entities = {}
            found = self._entities[subject.id] = subject_entity(subject)
        return found

    def graph(self) -> EntityGraph:
        """Entities by any of their ids, and what is around them (for the current data version)."""
        book = self.book()
        with self._lock:
            if self._graph is None or self._graph.book is not book:
                self._graph = EntityGraph(book, FtmGraph(self.engine), self.entity)
            return self._graph

    def subject(self, entity_id: str) -> Subject | None:
        """The subject any of its ids stands for: public id, subject id, record id, publisher id, referent."""
        return self.graph().subject(entity_id)

    def search_table(self) -> SearchTable:
        """Every entity's search row, for the current data version: read from its file, or built once."""
        book, version = self.book(), self.version
        return self._search_tables.get(version, lambda: load_table(self.engine, book, version))

    def invalidate(self) -> None:
        """Check for new data on the next request (after an update or a decision made here)."""
        self._checked = 0.0


def dataset_sources(name: str, loaded: set[str]) -> set[str] | None:
    """The sources a dataset name stands for; None if it names nothing.

    `default` and `sanctions`: everything; a jurisdiction code (`us`, `eu`, …): its sources; a
    source name (`us_ofac_sdn`): that source.
    """
    if name in ("default", "sanctions"):
        return set(loaded)
    if name in SOURCES or name in loaded:
        return {name}
    by_jurisdiction = {source for source in loaded if jurisdiction_of(source) == name}
    return by_jurisdiction or (set() if name in {info.jurisdiction for info in SOURCES.values()} else None)
