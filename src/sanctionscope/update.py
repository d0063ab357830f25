"""`sanctionscope update`: fetch each source's official file and load what is new."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console

from sanctionscope.monitor.hook import MonitorOutcome, monitor_after_load
from sanctionscope.monitor.status import save_update_status
from sanctionscope.sources.fetch import FetchError, fetch, fetch_state_path, load_fetch_state, save_fetch_state
from sanctionscope.sources.registry import SOURCES, UnknownSource, source_info
from sanctionscope.store.load import LoadReport, load_paths


class UpdateError(Exception):
    """The update was asked for something that cannot be done (an unknown source, a source without URL)."""


@dataclass
class UpdateOutcome:
    fetched: list[dict[str, Any]] = field(default_factory=list)
    report: LoadReport = field(default_factory=LoadReport)
    #: the portfolios screened against what the update changed (monitoring never fails an update)
    monitoring: MonitorOutcome = field(default_factory=MonitorOutcome)


def _targets(sources: list[str] | None, overrides: dict[str, str]) -> list[tuple[str, str]]:
    names = sources or [name for name, info in SOURCES.items() if info.urls or name in overrides]
    targets = []
    for name in names:
        try:
            info = source_info(name)
        except UnknownSource as error:
            raise UpdateError(str(error)) from None
        url = overrides.get(name) or (info.urls[0] if info.urls else None)
        if url is None:
            raise UpdateError(f"{name} has no official download URL; load its files with `sanctionscope load`")
        targets.append((name, url))
    unknown = set(overrides) - set(SOURCES)
    if unknown:
        raise UpdateError(f"--url names unknown source(s): {', '.join(sorted(unknown))}")
    return targets


def run_update(
    engine: sa.Engine,
    download_dir: Path,
    *,
    sources: list[str] | None = None,
    overrides: dict[str, str] | None = None,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 1.0,
    progress_console: Console | None = None,
) -> UpdateOutcome:
    """Download every selected source (conditionally) and load the new files.

    Each download goes to `download_dir/<source>/<today>/`; a list that states no date of its own
    gets the download day as its date.
    """
    overrides = overrides or {}
    outcome = UpdateOutcome()
    state_path = fetch_state_path(download_dir)
    state = load_fetch_state(state_path)
    today = datetime.now(UTC).date()
    for name, url in _targets(sources, overrides):
        previous = state.get(url, {})
        if progress_console is not None:
            progress_console.print(f"fetching {name} from {url}", highlight=False)
        try:
            result = fetch(
                url,
                download_dir / name / today.isoformat(),
                etag=previous.get("etag"),
                last_modified=previous.get("last_modified"),
                timeout=timeout,
                retries=retries,
                backoff=backoff,
            )
        except FetchError as error:
            outcome.report.failures.append(f"{name}: {error}")
            continue
        outcome.fetched.append({"source": name, "url": url, "status": result.status, "size": result.size})
        if result.status == "not_modified" or result.path is None:
            continue
        report = load_paths(engine, [result.path], source=name, given_date=None)
        outcome.report.results.extend(report.results)
        outcome.report.failures.extend(report.failures)
        if report.ok:
            # Remember validators only for files that loaded, so a bad download is fetched again next time.
            state[url] = {
                "etag": result.etag,
                "last_modified": result.last_modified,
                "sha256": result.sha256,
                "fetched_at": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            save_fetch_state(state_path, state)
    loaded = sum(1 for r in outcome.report.results if r.status == "loaded")
    save_update_status(engine, outcome.report.failures, loaded)  # a failure is shown by /readyz and the alert feed
    if loaded:
        outcome.monitoring = monitor_after_load(engine)
    return outcome
