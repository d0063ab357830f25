"""Comparing governments' lists over HTTP: /gaps, /overlap, /timeline, /discrepancies (read scope),
their charts, and the /compare page where a campaigner picks jurisdictions and filters.

The listing table (every subject on a government's list, reduced to listing facts) is read once per
data version and kept; each request filters it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from sanctionscope.api.auth import Authenticator
from sanctionscope.api.charts import chart_response
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.service import Service
from sanctionscope.api.web import TEMPLATES, page_key
from sanctionscope.match.engine import DEFAULT_THRESHOLD
from sanctionscope.track import gaps as g
from sanctionscope.track import proposals as proposal_store

#: the /compare page shows at most this many gaps (the CSV download has them all)
PAGE_ROWS = 300
Codes = Annotated[list[str], Query(description="Jurisdiction codes (us, eu, gb, …); repeatable or comma-separated.")]
Format = Literal["json", "csv", "md"]


def split_codes(values: list[str]) -> list[str]:
    return [code.strip().lower() for value in values for code in value.split(",") if code.strip()]


class GapsService:
    """The listing table of the current data version, and the reports asked of it."""

    def __init__(self, service: Service):
        self.service = service
        self._lock = threading.Lock()
        self._version: str | None = None
        self._table: g.ListingTable | None = None

    def table(self) -> g.ListingTable:
        self.service.book()  # asking for it notices new data
        version = self.service.version
        with self._lock:
            if self._table is None or self._version != version:
                self._table, self._version = g.listing_table(self.service.engine), version
            return self._table

    def filters(self, as_of: date | None, regime: str | None, nationality: str | None, kind: str | None,
                proposal: str | None) -> g.Filters:  # fmt: skip
        population = None
        if proposal:
            targets = proposal_store.load_proposal(self.service.engine, proposal)
            if targets is None:
                raise HTTPException(404, f"no proposal {proposal!r}")
            population = g.proposal_population(targets, self.service.matcher(), self.service.book(), DEFAULT_THRESHOLD)
        return g.Filters(as_of=as_of, regime=regime or None, nationality=nationality or None, kind=kind,
                         population=population)  # fmt: skip


def answer(data: dict[str, Any], format_: str, csv_text: Callable[[], str], md_text: Callable[[], str],
           name: str) -> Any:  # fmt: skip
    """The report as JSON, or as a CSV download, or Markdown."""
    if format_ == "csv":
        return Response(csv_text(), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})  # fmt: skip
    if format_ == "md":
        return Response(md_text(), media_type="text/markdown; charset=utf-8")
    return data


def unanswerable(error: g.GapsError) -> HTTPException:
    return HTTPException(422, str(error))


def gaps_routes(service: Service, authenticator: Authenticator) -> APIRouter:
    router = APIRouter(tags=["gaps"])
    read = Depends(authenticator.require("read"))
    reports = GapsService(service)

    def filter_params(
        as_of: Annotated[date | None, Query(description="In force on this day (default: the lists as they stand).")] = None,
        regime: Annotated[str | None, Query(description="Only designations whose regime contains this text.")] = None,
        nationality: Annotated[str | None, Query(description="A nationality or citizenship code (ru).")] = None,
        kind: Literal["person", "organization"] | None = None,
        proposal: Annotated[str | None, Query(description="Only the subjects a proposal's targets resolve to.")] = None,
        _key: ApiKey | None = read,  # the key first: no proposal is resolved for a caller without one
    ) -> g.Filters:
        return reports.filters(as_of, regime, nationality, kind, proposal)

    filters_of = Depends(filter_params)

    def gap_report(has: list[str], lacks: list[str], filters: g.Filters) -> g.GapReport:
        try:
            return g.gaps(g.standing(reports.table(), filters), split_codes(has), split_codes(lacks))
        except g.GapsError as error:
            raise unanswerable(error) from None

    def overlap_report(jurisdiction: list[str], filters: g.Filters) -> g.Overlap:
        try:
            return g.overlap(g.standing(reports.table(), filters), split_codes(jurisdiction) or None)
        except g.GapsError as error:
            raise unanswerable(error) from None

    def timeline_report(jurisdiction: list[str], by: str, filters: g.Filters) -> g.Timeline:
        try:
            return g.timeline(reports.table(), filters, split_codes(jurisdiction) or None, by)
        except g.GapsError as error:
            raise unanswerable(error) from None

    @router.get("/gaps")
    def gaps(
        has: Codes = [],  # noqa: B006 (FastAPI reads it, never mutates)
        lacks: Codes = [],  # noqa: B006
        filters: g.Filters = filters_of,
        format: Format = "json",
        _key: ApiKey | None = read,
    ) -> Any:
        """Subjects designated by every `has` jurisdiction and by none of `lacks`, the longest-open gap first.

        `{"subjects": [{"id", "caption", "kind", "since", "since_bounded", "designations": {jur:
        {"listed_on", "listed_on_basis", "absent_before", "delisted_on", "regime", "source", "record"}}}],
        "count"}`; `format=csv` is a download, `md` a Markdown table.
        """
        report = gap_report(has, lacks, filters)
        name = "gaps-" + "-".join(report.has) + ("-not-" + "-".join(report.lacks) if report.lacks else "")
        return answer(report.to_dict(), format, lambda: g.gaps_csv(report), lambda: g.gaps_markdown(report), name)

    @router.get("/overlap")
    def overlap(
        jurisdiction: Codes = [],  # noqa: B006
        filters: g.Filters = filters_of,
        format: Format = "json",
        _key: ApiKey | None = read,
    ) -> Any:
        """Subjects per exact combination of jurisdictions (each count is what /gaps finds for it)."""
        report = overlap_report(jurisdiction, filters)
        return answer(report.to_dict(), format, lambda: g.overlap_csv(report), lambda: g.overlap_markdown(report),
                      "overlap")  # fmt: skip

    @router.get("/overlap/chart.{extension}")
    def overlap_chart(
        extension: str,
        jurisdiction: Codes = [],  # noqa: B006
        filters: g.Filters = filters_of,
        _key: ApiKey | None = read,
    ) -> Response:
        """A Venn diagram (two or three jurisdictions) or an UpSet chart, as SVG or PNG."""
        from sanctionscope.track.gaps_chart import render_overlap

        report = overlap_report(jurisdiction, filters)
        return chart_response(render_overlap, report, extension)

    @router.get("/timeline")
    def timeline(
        jurisdiction: Codes = [],  # noqa: B006
        by: Literal["month", "year"] = "year",
        filters: g.Filters = filters_of,
        format: Format = "json",
        _key: ApiKey | None = read,
    ) -> Any:
        """Subjects each jurisdiction listed and stopped listing per month or year (`listed_bounded`: dated
        only by a snapshot; `on_first_snapshot`: already there, undated)."""
        report = timeline_report(jurisdiction, by, filters)
        return answer(report.to_dict(), format, lambda: g.timeline_csv(report), lambda: g.timeline_markdown(report),
                      "timeline")  # fmt: skip

    @router.get("/timeline/chart.{extension}")
    def timeline_chart(
        extension: str,
        jurisdiction: Codes = [],  # noqa: B006
        by: Literal["month", "year"] = "year",
        filters: g.Filters = filters_of,
        _key: ApiKey | None = read,
    ) -> Response:
        from sanctionscope.track.gaps_chart import render_timeline

        report = timeline_report(jurisdiction, by, filters)
        return chart_response(render_timeline, report, extension)

    @router.get("/discrepancies")
    def discrepancies(
        field: Annotated[list[Literal["birth_date", "nationality", "name"]], Query()] = [],  # noqa: B006
        jurisdiction: Codes = [],  # noqa: B006
        filters: g.Filters = filters_of,
        format: Format = "json",
        _key: ApiKey | None = read,
    ) -> Any:
        """Subjects whose lists disagree on a birth date, nationality or name spelling, with each list's values."""
        try:
            report = g.discrepancies(service.engine, reports.table(), filters, list(field) or None,
                                     split_codes(jurisdiction) or None)  # fmt: skip
        except g.GapsError as error:
            raise unanswerable(error) from None
        return answer(report.to_dict(), format, lambda: g.discrepancies_csv(report),
                      lambda: g.discrepancies_markdown(report), "discrepancies")  # fmt: skip

    page_read = page_key(authenticator, "read")

    @router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(
        request: Request,
        has: Codes = [],  # noqa: B006
        lacks: Codes = [],  # noqa: B006
        as_of: str = "",
        regime: str = "",
        nationality: str = "",
        kind: str = "",
        proposal: str = "",
        _auth: None = page_read,
    ) -> HTMLResponse:
        """The page: jurisdictions on each side and filters in a form; the gaps, the charts, a CSV download."""
        table = reports.table()
        error = None
        try:
            day = date.fromisoformat(as_of) if as_of else None
        except ValueError:
            day, error = None, f"as of: {as_of!r} is not a date (YYYY-MM-DD)"
        chosen_kind = kind if kind in ("person", "organization") else None
        filters = reports.filters(day, regime, nationality, chosen_kind, proposal or None)
        report = None
        if has and error is None:
            try:
                report = g.gaps(g.standing(table, filters), split_codes(has), split_codes(lacks))
            except g.GapsError as problem:
                error = str(problem)
        query = urlencode([(k, v) for k, v in request.query_params.multi_items() if v])  # links leave out empty fields
        chart_query = "&".join(part for part in query.split("&") if not part.startswith(("has=", "lacks=")))
        compared = split_codes(has) + split_codes(lacks)
        compared = [j for j in compared if j in table.jurisdictions]
        overlap_query = "&".join([chart_query, *(f"jurisdiction={j}" for j in (compared if len(compared) > 1 else []))])
        timeline_query = "&".join([chart_query, *(f"jurisdiction={j}" for j in compared)])
        return TEMPLATES.TemplateResponse(request, "gaps.html", {
            "page": "compare", "version": service.version, "jurisdictions": table.jurisdictions,
            "has": split_codes(has), "lacks": split_codes(lacks), "as_of": as_of, "regime": regime,
            "nationality": nationality, "kind": chosen_kind or "", "proposal": proposal,
            "proposals": proposal_store.list_proposals(service.engine), "error": error,
            "report": report.to_dict() if report else None, "rows": PAGE_ROWS, "query": query,
            "overlap_query": overlap_query.strip("&"), "timeline_query": timeline_query.strip("&"),
        })  # fmt: skip

    return router
