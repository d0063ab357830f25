"""The alerts as an Atom feed (RFC 4287), for feed readers and for campaigners' dashboards: one entry per
alert, newest first, and a notice entry while the last update failed (the lists shown are older)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from lxml import etree

from sanctionscope.monitor.alerts import list_alerts
from sanctionscope.monitor.status import update_status

ATOM = "http://www.w3.org/2005/Atom"
#: alerts in one feed document
FEED_ENTRIES = 200


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ATOM}}}{tag}", **attributes)
    element.text = text
    return element


def atom_feed(engine: sa.Engine, portfolio: str | None = None) -> bytes:
    """The newest alerts (of one portfolio, or all) as an Atom document."""
    alerts = list_alerts(engine, portfolio=portfolio, limit=FEED_ENTRIES)
    status = update_status(engine)
    feed = etree.Element(f"{{{ATOM}}}feed", nsmap={None: ATOM})
    _text(feed, "id", f"urn:sanctionscope:alerts:{portfolio or 'all'}")
    _text(feed, "title", f"sanctionscope alerts{': ' + portfolio if portfolio else ''}")
    newest = max([a["created"] for a in alerts] + ([status["at"]] if status else []), default=None)
    _text(feed, "updated", newest or datetime.now(UTC).isoformat(timespec="seconds"))
    etree.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"/alerts.atom{'?portfolio=' + portfolio if portfolio else ''}")
    if status and not status["ok"]:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"urn:sanctionscope:update-failed:{status['at']}")
        _text(entry, "title", "The last update failed: the lists shown are the last good ones")
        _text(entry, "updated", status["at"])
        since = status.get("last_success") or "never"
        _text(entry, "content", f"Update at {status['at']} failed ({'; '.join(status['failures'])}). "
                                f"Last successful update: {since}.")  # fmt: skip
    for alert in alerts:
        entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", f"urn:sanctionscope:alert:{alert['id']}")
        _text(entry, "title", f"{alert['kind']}: {alert['member']} ({alert['portfolio']}) ~ {alert['subject']} "
                              f"{alert['score']:.2f}")  # fmt: skip
        _text(entry, "updated", alert["decided_at"] or alert["created"])
        _text(entry, "published", alert["created"])
        etree.SubElement(entry, f"{{{ATOM}}}link", href=f"/subjects/{alert['subject']}")
        _text(entry, "category", "", term=alert["kind"])
        listed = "; ".join(f"{d['jurisdiction']} {d['source']} {d['record']} listed {d['listed_on'] or '?'}"
                           for d in alert["designations"])  # fmt: skip
        snapshot = alert["snapshot"]
        _text(entry, "content", f"State: {alert['state']}. Designations: {listed or 'none'}. Snapshot "
                                f"{snapshot.get('source', '')} {snapshot.get('published_on', '')} "
                                f"(sha256 {snapshot.get('content_hash', '')}).")  # fmt: skip
    return etree.tostring(feed, xml_declaration=True, encoding="utf-8", pretty_print=True)
