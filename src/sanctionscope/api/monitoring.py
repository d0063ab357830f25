"""The monitoring endpoints: portfolios and their members one by one, alerts and decisions, the evidence,
webhooks, and the Atom feed of alerts.

Scopes: `read` lists portfolios, alerts, the evidence and the feed; `screen` decides alerts (the
analyst's review of screening results); `admin` creates portfolios, edits members and webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from sanctionscope.api.auth import Authenticator
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.service import Service
from sanctionscope.api.web import TEMPLATES, page_key
from sanctionscope.match.query import QueryError, query_from_entity
from sanctionscope.monitor import alerts as alert_store
from sanctionscope.monitor import delivery, members, report, screening
from sanctionscope.monitor.feed import atom_feed
from sanctionscope.monitor.members import PortfolioError
from sanctionscope.service.batch import BatchQuery

#: at most this many members in one POST /portfolios (larger portfolios: `sanctionscope portfolio import`)
MAX_MEMBERS = 10_000

#: an alert's number: a database row id, so within a signed 64-bit integer (a larger one is a 422, not a crash)
AlertId = Annotated[int, Path(ge=1, le=2**63 - 1, description="An alert's id, from GET /alerts")]


class MemberIn(BaseModel):
    """A member as a yente-style entity: {"id", "schema", "properties": {"name": [...], "birthDate": [...]}}."""

    id: str = Field(min_length=1, max_length=200)
    schema_: str = Field("Person", alias="schema")
    properties: dict[str, list[str]]


class PortfolioIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[\w.\- ]+$")
    members: list[MemberIn] = Field(default_factory=list, max_length=MAX_MEMBERS)
    proposal: str | None = Field(None, description="Follow a stored proposal list's targets instead of members")


class DecisionIn(BaseModel):
    state: Literal["confirmed", "false_positive", "whitelisted"]
    note: str | None = Field(None, max_length=2000)


class WebhookIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000)
    secret: str | None = Field(None, description="whsec_…; default: a new one, returned once")


def _member_item(member: MemberIn) -> BatchQuery:
    try:
        return BatchQuery(member.id, query_from_entity({"schema": member.schema_, "properties": member.properties}))
    except QueryError as error:
        raise HTTPException(400, f"member {member.id}: {error}") from None


def _not_found(error: PortfolioError) -> HTTPException:
    return HTTPException(404, str(error))


def monitoring_routes(service: Service, require: Callable[[str], Callable[..., ApiKey | None]]) -> APIRouter:
    router = APIRouter(tags=["monitoring"])
    engine = service.engine
    read, screen, admin = Depends(require("read")), Depends(require("screen")), Depends(require("admin"))

    def save_and_screen(portfolio: str, items: list[BatchQuery], **options: Any) -> dict[str, Any]:
        try:
            saved = members.save_members(engine, portfolio, items, **options)
        except PortfolioError as error:
            raise HTTPException(400, str(error)) from None
        run = screening.screen_members(engine, service.matcher(), saved.to_screen) if saved.to_screen else None
        return {**saved.to_dict(), "screening": run.to_dict() if run else None}

    @router.get("/portfolios")
    def list_portfolios(_key: ApiKey | None = read) -> dict[str, Any]:
        """Every portfolio with its number of members and open alerts."""
        return {"portfolios": members.list_portfolios(engine)}

    @router.post("/portfolios", status_code=201)
    def create_portfolio(body: PortfolioIn, _key: ApiKey | None = admin) -> dict[str, Any]:
        """Create a portfolio (or add to one) and screen its new members against every list."""
        if body.proposal:
            try:
                items = members.proposal_members(engine, body.proposal)
            except PortfolioError as error:
                raise _not_found(error) from None
            return save_and_screen(body.name, items, proposal=body.proposal, replace=True)
        return save_and_screen(body.name, [_member_item(m) for m in body.members])

    @router.get("/portfolios/{name}")
    def show_portfolio(name: str, _key: ApiKey | None = read) -> dict[str, Any]:
        """The members, each with its current matches."""
        try:
            return {"portfolio": name, "members": report.portfolio_members(engine, name)}
        except PortfolioError as error:
            raise _not_found(error) from None

    @router.put("/portfolios/{name}/members/{member_id}")
    def put_member(name: str, member_id: str, body: MemberIn, _key: ApiKey | None = admin) -> dict[str, Any]:
        """Add a member or replace what is known of it; it is screened against every list at once."""
        if body.id != member_id:
            raise HTTPException(400, f"id: the body's id {body.id!r} is not the path's {member_id!r}")
        with engine.connect() as conn:
            if not members.portfolio_exists(conn, name):
                raise HTTPException(404, f"no portfolio named {name!r}")
        return save_and_screen(name, [_member_item(body)])

    @router.delete("/portfolios/{name}/members/{member_id}", status_code=204)
    def delete_member(name: str, member_id: str, _key: ApiKey | None = admin) -> Response:
        """Stop watching a member (its past screenings stay in the evidence)."""
        try:
            members.remove_member(engine, name, member_id)
        except PortfolioError as error:
            raise _not_found(error) from None
        return Response(status_code=204)

    @router.get("/portfolios/{name}/report", response_model=None)
    def evidence(
        name: str,
        as_of: Annotated[date | None, Query(description="The evidence at the end of this day (UTC)")] = None,
        format: Annotated[Literal["json", "html"], Query()] = "json",
        _key: ApiKey | None = read,
    ) -> dict[str, Any] | HTMLResponse:
        """For each member: screened when, against which snapshots (content hashes), result, decision."""
        try:
            found = report.portfolio_report(engine, name, as_of)
        except PortfolioError as error:
            raise _not_found(error) from None
        return HTMLResponse(report.render_html(found)) if format == "html" else found

    @router.post("/portfolios/{name}/webhooks", status_code=201)
    def add_webhook(name: str, body: WebhookIn, _key: ApiKey | None = admin) -> dict[str, Any]:
        """Deliver the portfolio's alerts here, signed (Standard Webhooks); the secret is returned once."""
        try:
            return delivery.add_webhook(engine, name, body.url, body.secret)
        except PortfolioError as error:
            raise HTTPException(400, str(error)) from None

    @router.get("/alerts")
    def list_alerts(
        portfolio: str | None = None,
        state: Literal["open", "confirmed", "false_positive", "whitelisted"] | None = None,
        kind: Literal["new_match", "removed_match", "amended_match"] | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
        _key: ApiKey | None = read,
    ) -> dict[str, Any]:
        """Alerts, newest first: `sanctionscope alerts --json`'s shape."""
        try:
            return {"alerts": alert_store.list_alerts(engine, portfolio=portfolio, state=state, kind=kind, limit=limit)}
        except PortfolioError as error:
            raise _not_found(error) from None

    @router.post("/alerts/{alert_id}/decision")
    def decide(alert_id: AlertId, body: DecisionIn, key: ApiKey | None = screen) -> dict[str, Any]:
        """Decide an alert; the key's name is recorded as who decided."""
        try:
            return alert_store.decide(engine, alert_id, body.state, note=body.note, author=key.name if key else None)
        except PortfolioError as error:
            raise _not_found(error) from None

    @router.get("/alerts.atom")
    def feed(portfolio: str | None = None, _key: ApiKey | None = read) -> Response:
        """The newest alerts as an Atom feed (with a notice when the last update failed)."""
        try:
            body = atom_feed(engine, portfolio)
        except PortfolioError as error:
            raise _not_found(error) from None
        return Response(body, media_type="application/atom+xml")

    return router


def alerts_page_routes(service: Service, authenticator: Authenticator) -> APIRouter:
    """The web UI's review page: alerts filtered by portfolio and state, each open one decided from the page."""
    router = APIRouter(include_in_schema=False)
    read, screen = page_key(authenticator, "read"), page_key(authenticator, "screen")

    @router.get("/alerts/review", response_class=HTMLResponse)
    def review_page(request: Request, portfolio: str = "", state: str = "open", _auth: None = read) -> HTMLResponse:
        try:
            found = alert_store.list_alerts(service.engine, portfolio=portfolio or None, state=state or None, limit=500)
        except PortfolioError as error:
            raise _not_found(error) from None
        return TEMPLATES.TemplateResponse(request, "alerts.html", {
            "page": "alerts", "version": service.version, "alerts": found, "portfolio": portfolio, "state": state,
            "states": alert_store.STATES, "decisions": alert_store.DECISIONS, "back": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
            "portfolios": members.list_portfolios(service.engine)})  # fmt: skip

    @router.post("/alerts/review/{alert_id}")
    def review_decision(request: Request, alert_id: AlertId, state: str = Form(...), note: str = Form("", max_length=2000),
                        back: str = Form("/alerts/review"), _auth: None = screen) -> Response:  # fmt: skip
        key = authenticator.key_for(request)
        try:
            alert_store.decide(service.engine, alert_id, state, note=note or None, author=key.name if key else None)
        except PortfolioError as error:
            raise HTTPException(400, str(error)) from None
        target = back if back.startswith("/") and not back.startswith("//") else "/alerts/review"
        return RedirectResponse(target, status_code=303)

    return router
