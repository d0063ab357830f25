"""The web UI: server-rendered pages over the same service as the API (no build step, little JavaScript)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from sanctionscope.api.audit import record_screening
from sanctionscope.api.auth import COOKIE, Authenticator
from sanctionscope.api.charts import chart_response
from sanctionscope.api.own import MAX_TEXT_CHARACTERS
from sanctionscope.api.service import Service
from sanctionscope.match.query import QueryError, build_query
from sanctionscope.resolve.subjects import Designation
from sanctionscope.store import queries
from sanctionscope.text.render import marked_pieces
from sanctionscope.track import proposals as proposal_store
from sanctionscope.track.coverage import coverage

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
#: the search box shows at most this many results
SEARCH_LIMIT = 15
#: the feed page reads at most this many changes, the newest (shown by day, 30 days at most)
FEED_CHANGES = 2000


def timeline(designations: list[Designation], today: date | None = None) -> dict[str, Any]:
    """Rows of spans (per jurisdiction) on a shared time axis, in percent, for the subject page."""
    today = today or date.today()
    days = [date.fromisoformat(d.listed_on) for d in designations if d.listed_on]
    if not days:
        return {"rows": [], "start": "", "end": ""}
    start = date(min(days).year, 1, 1)
    total = max((today - start).days, 1)
    rows: dict[str, list[dict[str, Any]]] = {}
    for d in designations:
        if not d.listed_on:
            continue
        begin = date.fromisoformat(d.listed_on)
        end = date.fromisoformat(d.delisted_on) if d.delisted_on else today
        left = 100 * (begin - start).days / total
        width = max(100 * (end - begin).days / total, 0.8)
        label = f"{d.jurisdiction.upper()} {d.regime or ''}: {d.listed_on} – {d.delisted_on or 'in force'}"
        rows.setdefault(d.jurisdiction, []).append(
            {
                "left": round(left, 2),
                "width": round(width, 2),
                "bounded": d.listed_on_basis == "first_seen",
                "label": label,
            }
        )
    return {"rows": [{"jurisdiction": j, "spans": s} for j, s in sorted(rows.items())], "start": start.isoformat(),
            "end": today.isoformat()}  # fmt: skip


def page_key(authenticator: Authenticator, scope: str):  # type: ignore[no-untyped-def]
    """A page's key check: without a key, off to the login page (and back); a key without the scope: 403."""
    check = authenticator.require(scope)

    def guard(request: Request) -> None:
        try:
            check(request)
        except HTTPException as error:
            if error.status_code == 401:
                raise HTTPException(303, "log in", headers={"Location": f"/login?next={request.url.path}"}) from None
            raise

    return Depends(guard)


def web_routes(service: Service, authenticator: Authenticator) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    read, screen = page_key(authenticator, "read"), page_key(authenticator, "screen")

    def render(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, template, {"page": page, "version": service.version, **context})

    def search_results(q: str) -> list[dict[str, Any]]:
        if not q.strip():
            return []
        try:
            query = build_query([q])
        except QueryError:
            return []
        book = service.book()
        rows = []
        for result in service.matcher().match(query, limit=SEARCH_LIMIT, cutoff=0.5):
            subject = book.get(result.entry.id)
            entity = service.entity(subject) if subject else {"jurisdictions": []}
            why = ", ".join(f"{p.query}={p.candidate}" for p in result.name.pairs)
            rows.append({"id": result.entry.id, "caption": result.entry.caption, "score": result.score,
                         "match": result.match, "schema": result.schema, "jurisdictions": entity["jurisdictions"],
                         "why": why})  # fmt: skip
        return rows

    @router.get("/", response_class=HTMLResponse)
    def search_page(request: Request, q: str = "", _auth: None = read) -> HTMLResponse:
        return render(request, "search.html", "search", q=q[:500], results=search_results(q[:500]))

    @router.get("/fragment/results", response_class=HTMLResponse)
    def results_fragment(request: Request, q: str = "", _auth: None = read) -> HTMLResponse:
        return TEMPLATES.TemplateResponse(request, "results.html", {"q": q[:500], "results": search_results(q[:500])})

    @router.get("/subject/{subject_id}", response_class=HTMLResponse)
    def subject_page(request: Request, subject_id: str, _auth: None = read) -> Response:
        book = service.book()
        found = book.get(subject_id) or book.for_record(subject_id)
        if found is None:
            raise HTTPException(404, f"no subject {subject_id!r}")
        if found.id != subject_id:
            return RedirectResponse(f"/subject/{found.id}", status_code=308)
        designations = found.designations()
        identifiers = sorted({f"{i.type or 'id'}: {i.value}" for r in found.records for i in r.identifiers})
        return render(request, "subject.html", "search", subject=found, entity=service.entity(found),
                      names=found.names(), birth_dates=found.birth_dates(), designations=designations,
                      timeline=timeline(designations), identifiers=identifiers,
                      history=queries.list_changes(service.engine, records=found.referents))  # fmt: skip

    @router.get("/text", response_class=HTMLResponse)
    def text_page(request: Request, _auth: None = screen) -> HTMLResponse:
        return render(request, "text.html", "text", text="", report=None)

    @router.post("/text", response_class=HTMLResponse)
    def text_screened(request: Request, text: str = Form(..., max_length=MAX_TEXT_CHARACTERS), _auth: None = screen):  # type: ignore[no-untyped-def]
        report = service.text_screener().screen(text)
        data = report.to_dict()
        key = authenticator.key_for(request)
        record_screening(service.engine, key_name=key.name if key else None, endpoint="/text",
                         data_version=service.version, query={"text": text},
                         results={"subjects": [{"id": s["id"], "score": s["score"]} for s in data["subjects"]]})  # fmt: skip
        return render(request, "text.html", "text", text=text, report=data, marked=marked_pieces(report))

    @router.get("/coverage", response_class=HTMLResponse)
    def proposals_page(request: Request, _auth: None = read) -> HTMLResponse:
        return render(request, "coverage.html", "coverage", report=None,
                      proposals=proposal_store.list_proposals(service.engine))  # fmt: skip

    def report_for(name: str, as_of: date | None):  # type: ignore[no-untyped-def]
        targets = proposal_store.load_proposal(service.engine, name)
        if targets is None:
            raise HTTPException(404, f"no proposal {name!r}")
        return coverage(name, targets, service.matcher(), service.book(), as_of=as_of)

    @router.get("/coverage/{name}", response_class=HTMLResponse)
    def coverage_page(request: Request, name: str, as_of: date | None = None, _auth: None = read) -> HTMLResponse:
        return render(request, "coverage.html", "coverage", report=report_for(name, as_of).to_dict(), proposals=[])

    @router.get("/coverage/{name}/chart.svg")
    def coverage_chart(name: str, as_of: date | None = None, _auth: None = read) -> Response:
        from sanctionscope.track.chart import render_chart

        return chart_response(render_chart, report_for(name, as_of), "svg")

    @router.get("/feed", response_class=HTMLResponse)
    def feed_page(request: Request, source: str = "", _auth: None = read) -> HTMLResponse:
        changes = queries.list_changes(service.engine, source=source or None, limit=FEED_CHANGES, newest_first=True)
        days: dict[str, list[dict[str, Any]]] = {}
        for change in changes:
            days.setdefault(change["date"], []).append(change)
        return render(request, "feed.html", "feed", days=list(days.items())[:30], source=source,
                      sources=sorted(service.sources()))  # fmt: skip

    @router.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, next: str = "/") -> HTMLResponse:
        return render(request, "login.html", "", next=next, error=None)

    @router.post("/login")
    def login(request: Request, key: str = Form(...), next: str = Form("/")) -> Response:
        found = authenticator.check_key(key.strip())
        if found is None:
            return render(request, "login.html", "", next=next, error="This key is not valid.")
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, key.strip(), httponly=True, samesite="strict", max_age=30 * 86400)
        return response

    return router
