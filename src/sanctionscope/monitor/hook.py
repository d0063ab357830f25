"""The one place loads and updates hand over to monitoring: screen what changed, never failing the load."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

import sqlalchemy as sa

from sanctionscope.monitor import tables as m
from sanctionscope.monitor.screening import Progress, RunReport, screen_changes
from sanctionscope.service.matchers import open_matcher

log = logging.getLogger(__name__)


@dataclass
class MonitorOutcome:
    report: RunReport | None = None  # None: no portfolio, or nothing changed
    error: str | None = None  # monitoring failed; the load it followed stands

    def to_dict(self) -> dict:
        return {"run": self.report.to_dict() if self.report else None, "error": self.error}


def has_members(engine: sa.Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(sa.select(m.members.c.id).where(m.members.c.removed_at.is_(None)).limit(1)).first() is not None


def monitor_after_load(engine: sa.Engine, progress: Progress | None = None) -> MonitorOutcome:
    """Delta-screen every portfolio against what the load changed (resolving and indexing first, as any
    matching does). Without portfolios this costs one query; an error is logged and returned, not raised."""
    try:
        if not has_members(engine):
            return MonitorOutcome()
        matcher = open_matcher(engine, progress=(lambda message: progress(message, 0, 0)) if progress else None)
        return MonitorOutcome(screen_changes(engine, matcher, progress=progress))
    except Exception as error:  # noqa: BLE001  (monitoring must never undo or fail the load it follows)
        log.error("monitoring after the load failed: %s\n%s", error, traceback.format_exc())
        return MonitorOutcome(error=f"monitoring failed ({type(error).__name__}: {error}); the load stands")
