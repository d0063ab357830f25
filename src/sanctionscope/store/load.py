"""Loading files into the store: plan, parse and save each bundle; one bad file never stops the others."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from sanctionscope.sources.base import SourceError, date_in_path
from sanctionscope.sources.detect import Bundle, parse_bundle, plan
from sanctionscope.store.writer import SaveResult, save_snapshot


@dataclass
class LoadReport:
    results: list[SaveResult] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def changed(self) -> bool:
        """A snapshot was stored (not every file was already loaded or failed)."""
        return any(result.status == "loaded" for result in self.results)


def _bundle_order(bundle: Bundle) -> tuple[str, date, str]:
    """Bundles of one format in the date order of their folders, so snapshots usually arrive in order."""
    found = date_in_path(bundle.files[0].path) or date.min
    return (bundle.format.name, found, bundle.label)


def load_paths(
    engine: sa.Engine,
    paths: Iterable[Path],
    *,
    source: str | None = None,
    given_date: date | None = None,
    dataset: str | None = None,
    on_bundle: Callable[[Bundle, int, int], None] | None = None,
) -> LoadReport:
    """Load every list file under `paths`. Failures are collected with their file and reason.

    `dataset` names the one dataset of FollowTheMoney files (`load --dataset NAME`).
    """
    report = LoadReport()
    try:
        found = plan(paths, source=source)
    except SourceError as error:
        report.failures.append(str(error))
        return report
    report.failures.extend(str(error) for error in found.unrecognised)
    bundles = sorted(found.bundles, key=_bundle_order)
    for number, bundle in enumerate(bundles, start=1):
        if on_bundle is not None:
            on_bundle(bundle, number, len(bundles))
        try:
            for dated in parse_bundle(bundle, source=source, given_date=given_date, dataset=dataset):
                report.results.append(save_snapshot(engine, dated))
        except SourceError as error:
            report.failures.append(str(error))
        except (UnicodeError, ValueError, KeyError, IndexError) as error:
            # A parser bug or an input no parser anticipated: report it against the file, keep going.
            report.failures.append(f"{bundle.label}: could not be read ({type(error).__name__}: {error})")
    return report
