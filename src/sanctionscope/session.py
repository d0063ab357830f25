"""The Python API: open a database, load lists, match names, screen many.

from sanctionscope import Sanctionscope

scope = Sanctionscope("lists.db")          # SQLite file or PostgreSQL URL; None: the default database
scope.load(["../shared/data/lists"])        # -> LoadReport
for result in scope.match("Бастрыкин Александр Иванович", birth_date="1953-08-27"):
    print(result.score, result.match, result.entry.caption, result.entry.referents)
scope.screen([{"id": "c1", "schema": "Person", "properties": {"name": ["Alisher Usmanov"]}}])
report = scope.screen_text("Журналисты спросили Александра Бастрыкина.")   # -> TextReport
scope.load(["new-snapshot/"]); scope.monitoring.report.alerts                 # portfolios re-screened
print([(m.text, m.sanctioned, m.subject and m.subject["designations"]) for m in report.mentions])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from sanctionscope.match.engine import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, Matcher, Result
from sanctionscope.match.query import Query, build_query, query_from_entity
from sanctionscope.monitor.hook import MonitorOutcome, monitor_after_load
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.service.matchers import open_matcher
from sanctionscope.service.texts import open_text_screener
from sanctionscope.store import db
from sanctionscope.store.load import LoadReport, load_paths
from sanctionscope.text import TextReport, TextScreener


class Sanctionscope:
    """One database of lists and the matcher over it (built or loaded on first use, refreshed after a load)."""

    def __init__(self, database: str | Path | None = None):
        self.engine = db.connect(str(database) if database is not None else None)
        self._matcher: Matcher | None = None
        self._text_screener: TextScreener | None = None
        self.monitoring: MonitorOutcome | None = None  # what the last load's monitoring found

    def load(
        self,
        paths: Iterable[str | Path],
        *,
        source: str | None = None,
        published_on: date | None = None,
        monitor: bool = True,
    ) -> LoadReport:
        """Load list files or folders (formats, sources and dates detected); see `sanctionscope load`.

        As `load` does, what the load changed is then screened against the stored portfolios
        (`monitor=False`: not now; `monitor()` later): `self.monitoring` says what it found, or why it
        failed; a failure never undoes the load."""
        report = load_paths(self.engine, [Path(p) for p in paths], source=source, given_date=published_on)
        self._matcher = None
        if monitor and report.changed:
            self.monitor()
        return report

    def monitor(self) -> MonitorOutcome:
        """Screen what the lists changed since the portfolios were last screened, and raise the alerts."""
        self.monitoring = monitor_after_load(self.engine)
        return self.monitoring

    def matcher(self, as_of: date | None = None) -> Matcher:
        if as_of is not None:
            return open_matcher(self.engine, as_of=as_of)
        if self._matcher is None:
            self._matcher = open_matcher(self.engine)
        return self._matcher

    def match(
        self,
        name: str | Sequence[str] | Query,
        *,
        birth_date: str | Sequence[str] = (),
        country: str | Sequence[str] = (),
        identifier: str | Sequence[str] = (),
        schema: str | None = None,
        limit: int = 5,
        threshold: float = DEFAULT_THRESHOLD,
        sources: Iterable[str] | None = None,
        as_of: date | None = None,
        cutoff: float = DEFAULT_CUTOFF,
    ) -> list[Result]:
        """Ranked results for one person or organization; `result.match` is score >= threshold."""
        query = name if isinstance(name, Query) else build_query(
            [name] if isinstance(name, str) else list(name),
            schema=schema,
            birth_dates=_listed(birth_date),
            countries=_listed(country),
            identifiers=_listed(identifier),
        )  # fmt: skip
        return self.matcher(as_of).match(
            query, limit=limit, threshold=threshold, sources=set(sources) if sources else None, cutoff=cutoff
        )

    def screen_text(self, text: str, *, as_of: date | None = None) -> TextReport:
        """Who in an article (English or Russian) is sanctioned, by whom, since when; see `screen-text`."""
        if as_of is not None:
            return open_text_screener(self.engine, as_of=as_of).screen(text)
        if self._text_screener is None or self._text_screener.matcher is not self.matcher():
            self._text_screener = TextScreener(self.matcher(), SubjectBook(self.engine))
        return self._text_screener.screen(text)

    def screen(
        self, entities: Iterable[Mapping[str, Any]], *, limit: int = 3, threshold: float = DEFAULT_THRESHOLD
    ) -> dict[str, list[Result]]:
        """Results per query id for yente-style query entities ({"id", "schema", "properties"})."""
        matcher = self.matcher()
        out: dict[str, list[Result]] = {}
        for number, entity in enumerate(entities, start=1):
            out[str(entity.get("id") or number)] = matcher.match(
                query_from_entity(entity), limit=limit, threshold=threshold
            )
        return out


def _listed(value: str | Sequence[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
