"""Delivering alerts to webhooks, signed the Standard Webhooks way, at least once, never during a load.

An alert is queued for every webhook of its portfolio in the transaction that stores it; a separate
step (`sanctionscope alerts deliver`, run by `update` and by `serve`) posts what is due. Each message
carries `webhook-id` (the same on every retry: receivers deduplicate by it), `webhook-timestamp`
(Unix seconds) and `webhook-signature`: `v1,` + base64 of HMAC-SHA256 over `id.timestamp.body`
with the webhook's secret (`whsec_` + base64 of the key). A 2xx answer delivers it; anything else
is retried after a growing pause (backoff × 2^(attempt-1), at most six hours), and after
`max_attempts` failures the delivery is dead (the dead letters: `alerts deliveries --status dead`).
Every attempt is written to the delivery log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlparse

import httpx
import orjson
import sqlalchemy as sa

from sanctionscope.monitor import BACKOFF_SECONDS, MAX_ATTEMPTS
from sanctionscope.monitor import tables as m
from sanctionscope.monitor.alerts import alert_dict
from sanctionscope.monitor.members import PortfolioError, _utc, require_portfolio

#: the longest pause between two attempts
MAX_PAUSE = timedelta(hours=6)
SECRET_PREFIX = "whsec_"

log = logging.getLogger(__name__)


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for this message (Standard Webhooks, version 1)."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Whether a received message is signed with `secret` (for receivers and tests); any of its signatures."""
    expected = sign(secret, headers["webhook-id"], int(headers["webhook-timestamp"]), body)
    return any(hmac.compare_digest(expected, given) for given in headers["webhook-signature"].split())


def add_webhook(engine: sa.Engine, portfolio: str, url: str, secret: str | None = None) -> dict[str, Any]:
    """Register a webhook for a portfolio; returns it with its secret (shown once to the caller)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise PortfolioError(f"url: {url!r} is not an http(s) URL")
    secret = secret or new_secret()
    if not secret.startswith(SECRET_PREFIX):
        raise PortfolioError(f"secret: a Standard Webhooks secret starts with {SECRET_PREFIX!r}")
    with engine.begin() as conn:
        require_portfolio(conn, portfolio)
        webhook_id = conn.execute(m.webhooks.insert().returning(m.webhooks.c.id), {
            "portfolio": portfolio, "url": url, "secret": secret, "created_at": datetime.now(UTC)}).scalar_one()  # fmt: skip
    return {"id": webhook_id, "portfolio": portfolio, "url": url, "secret": secret}


def list_webhooks(engine: sa.Engine, portfolio: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(m.webhooks.c.id, m.webhooks.c.portfolio, m.webhooks.c.url, m.webhooks.c.created_at)
    if portfolio is not None:
        query = query.where(m.webhooks.c.portfolio == portfolio)
    with engine.connect() as conn:
        return [{"id": r.id, "portfolio": r.portfolio, "url": r.url, "created": _utc(r.created_at).isoformat()}
                for r in conn.execute(query.order_by(m.webhooks.c.id))]  # fmt: skip


def remove_webhook(engine: sa.Engine, webhook_id: int) -> None:
    with engine.begin() as conn:
        if not conn.execute(m.webhooks.delete().where(m.webhooks.c.id == webhook_id)).rowcount:
            raise PortfolioError(f"no webhook {webhook_id}")


def enqueue(conn: sa.Connection, alert_ids: Iterable[int]) -> int:
    """Queue these alerts for every webhook of their portfolios (in the caller's transaction)."""
    ids = list(alert_ids)
    if not ids:
        return 0
    hooks = conn.execute(sa.select(m.alerts.c.id, m.webhooks.c.id.label("webhook_id"))
                         .join(m.webhooks, m.webhooks.c.portfolio == m.alerts.c.portfolio)
                         .where(m.alerts.c.id.in_(ids))).all()  # fmt: skip
    now = datetime.now(UTC)
    rows = [{"webhook_id": h.webhook_id, "alert_id": h.id, "message_id": f"msg_alert{h.id}_hook{h.webhook_id}",
             "status": "pending", "attempts": 0, "next_attempt_at": now} for h in hooks]  # fmt: skip
    if rows:
        conn.execute(m.deliveries.insert(), rows)
    return len(rows)


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # attempts that failed and will be retried
    dead: int = 0  # deliveries given up on in this pass

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def payload(alert: dict[str, Any]) -> bytes:
    return orjson.dumps({"type": f"alert.{alert['kind']}", "timestamp": alert["created"], "data": alert})


def deliver_due(
    engine: sa.Engine,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    backoff: float = BACKOFF_SECONDS,
    timeout: float = 10.0,
    client: httpx.Client | None = None,
) -> DeliveryReport:
    """Post every pending delivery whose time has come, once each; returns what happened."""
    report = DeliveryReport()
    now = datetime.now(UTC)
    d, w = m.deliveries, m.webhooks
    with engine.connect() as conn:
        due = conn.execute(sa.select(d.c.id, d.c.alert_id, d.c.message_id, d.c.attempts, w.c.url, w.c.secret)
                           .join(w, w.c.id == d.c.webhook_id)
                           .where(d.c.status == "pending", d.c.next_attempt_at <= now).order_by(d.c.id)).all()  # fmt: skip
        alerts = {row.id: alert_dict(row) for row in conn.execute(
            sa.select(m.alerts, m.members.c.external_id).join(m.members, m.members.c.id == m.alerts.c.member_id)
            .where(m.alerts.c.id.in_({item.alert_id for item in due})))}  # fmt: skip
    http = client or httpx.Client(timeout=timeout)
    try:
        for item in due:
            body = payload(alerts[item.alert_id])
            stamp = int(time.time())
            headers = {"content-type": "application/json", "webhook-id": item.message_id,
                       "webhook-timestamp": str(stamp), "webhook-signature": sign(item.secret, item.message_id, stamp, body)}  # fmt: skip
            status_code: int | None = None
            error: str | None = None
            try:
                status_code = http.post(item.url, content=body, headers=headers).status_code
                if not 200 <= status_code < 300:
                    error = f"HTTP {status_code}"
            except httpx.HTTPError as failure:
                error = f"{type(failure).__name__}: {failure}"
            attempt = item.attempts + 1
            _record_attempt(engine, item.id, attempt, status_code, error, max_attempts, backoff)
            if error is None:
                report.delivered += 1
            elif attempt >= max_attempts:
                report.dead += 1
            else:
                report.failed += 1
    finally:
        if client is None:
            http.close()
    return report


def _record_attempt(engine: sa.Engine, delivery_id: int, attempt: int, status_code: int | None, error: str | None,
                    max_attempts: int, backoff: float) -> None:  # fmt: skip
    now = datetime.now(UTC)
    if error is None:
        change = {"status": "delivered", "delivered_at": now, "last_error": None}
    elif attempt >= max_attempts:
        change = {"status": "dead", "last_error": error}
    else:
        pause = min(timedelta(seconds=backoff * 2 ** (attempt - 1)), MAX_PAUSE)
        change = {"next_attempt_at": now + pause, "last_error": error}
    with engine.begin() as conn:
        conn.execute(m.deliveries.update().where(m.deliveries.c.id == delivery_id), {"attempts": attempt, **change})
        conn.execute(m.delivery_log.insert(), {"delivery_id": delivery_id, "at": now, "attempt": attempt,
                                               "status_code": status_code, "error": error})  # fmt: skip


def list_deliveries(engine: sa.Engine, status: str | None = None) -> list[dict[str, Any]]:
    """Deliveries with their attempts (the log), newest first; `status`: pending, delivered or dead."""
    d = m.deliveries
    query = sa.select(d, m.webhooks.c.url).join(m.webhooks, m.webhooks.c.id == d.c.webhook_id).order_by(d.c.id.desc())
    if status is not None:
        query = query.where(d.c.status == status)
    with engine.connect() as conn:
        rows = conn.execute(query).all()
        log: dict[int, list[dict[str, Any]]] = {}
        for entry in conn.execute(sa.select(m.delivery_log).where(m.delivery_log.c.delivery_id.in_([r.id for r in rows]))
                                  .order_by(m.delivery_log.c.id)):  # fmt: skip
            log.setdefault(entry.delivery_id, []).append({"attempt": entry.attempt, "at": _utc(entry.at).isoformat(),
                                                          "status_code": entry.status_code, "error": entry.error})  # fmt: skip
    return [{"id": r.id, "alert": r.alert_id, "webhook": r.webhook_id, "url": r.url, "message_id": r.message_id,
             "status": r.status, "attempts": r.attempts, "next_attempt_at": _utc(r.next_attempt_at).isoformat(),
             "last_error": r.last_error, "log": log.get(r.id, [])} for r in rows]  # fmt: skip


def delivery_loop(engine: sa.Engine, every: float, stop: threading.Event) -> None:
    """Deliver what is due every `every` seconds until `stop` is set (`serve`'s delivery worker); an error
    is logged and the next round tries again."""
    while not stop.wait(every):
        try:
            deliver_due(engine)
        except Exception:
            log.exception("delivering alerts failed; retrying in %s s", every)
