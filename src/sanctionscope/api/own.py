"""sanctionscope's own endpoints: subjects, the change feed, proposals and coverage, decisions, updates."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from sanctionscope.api.audit import record_screening
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.service import Service
from sanctionscope.match.engine import DEFAULT_THRESHOLD
from sanctionscope.service.texts import open_text_screener
from sanctionscope.store import db, queries
from sanctionscope.store import schema as t
from sanctionscope.track import proposals as proposal_store
from sanctionscope.track.coverage import coverage

#: at most this many targets in one proposal list
MAX_TARGETS = 2000


class TargetIn(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    birth_date: str | None = Field(None, max_length=32)
    role: str | None = Field(None, max_length=500)
    wikidata: str | None = Field(None, max_length=32)
    note: str | None = Field(None, max_length=2000)


class ProposalIn(BaseModel):
    name: str = Field(min_length=1, max_length=200, pattern=r"^[\w.\- ]+$")
    targets: list[TargetIn] = Field(min_length=1, max_length=MAX_TARGETS)


class DecisionIn(BaseModel):
    """'same'/'different' about two records (or subjects); the machine's grouping follows it."""

    left: str = Field(min_length=3, max_length=300, examples=["au_dfat:7386"])
    right: str = Field(min_length=3, max_length=300, examples=["eu_journal:32006R0765#I.A-273"])
    judgement: Literal["same", "different"]
    note: str | None = Field(None, max_length=2000)


#: longest text accepted by /screen/text (characters)
MAX_TEXT_CHARACTERS = 200_000


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARACTERS, description="An article, English or Russian.")
    as_of: date | None = Field(None, description="Screen against the lists as they stood on this day.")


class UpdateIn(BaseModel):
    sources: list[str] | None = None
    urls: dict[str, str] = Field(default_factory=dict, description="SOURCE → URL, e.g. a mirror")


def own_routes(service: Service, require) -> APIRouter:  # type: ignore[no-untyped-def]
    router = APIRouter()
    read = Depends(require("read"))
    screen = Depends(require("screen"))
    admin = Depends(require("admin"))
    engine = service.engine

    @router.post("/screen/text", tags=["matching"])
    def screen_text(body: TextIn, key: ApiKey | None = screen) -> dict[str, Any]:
        """Who in this text is sanctioned, by whom, since when; who is mentioned but on no list.

        Response: `mentions` (text, start, end, subject with designations per jurisdiction, score,
        sanctioned, candidates when ambiguous), `subjects` (one per listed subject, with its
        mentions) and `unlisted` (persons on no list).
        """
        if body.as_of is None:
            screener = service.text_screener()
        else:
            screener = open_text_screener(engine, as_of=body.as_of)
        report = screener.screen(body.text).to_dict()
        audit = [{"id": s["id"], "score": s["score"], "sanctioned": s["sanctioned"]} for s in report["subjects"]]
        record_screening(engine, key_name=key.name if key else None, endpoint="/screen/text",
                         data_version=service.version, query={"text": body.text, "as_of": report["as_of"]},
                         results={"subjects": audit})  # fmt: skip
        return report

    @router.get("/subjects/{subject_id}", tags=["subjects"])
    def subject(subject_id: str, as_of: date | None = None, _key: ApiKey | None = read) -> dict[str, Any]:
        """A subject across every list: names, records, designations (in force on `as_of`), history."""
        book = service.book()
        found = book.get(subject_id) or book.for_record(subject_id)
        if found is None:
            raise HTTPException(404, f"no subject {subject_id!r}")
        return {
            **service.entity(found),
            "names": found.names(),
            "birth_dates": found.birth_dates(),
            "as_of": as_of.isoformat() if as_of else None,
            "designations": [d.to_dict() for d in found.designations(as_of)],
            "history": queries.list_changes(engine, records=found.referents),
        }

    @router.get("/changes", tags=["data"])
    def changes(
        since: date | None = None,
        until: date | None = None,
        source: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
        _key: ApiKey | None = read,
    ) -> dict[str, Any]:
        """The change feed: records added, removed and amended in each list, by date."""
        found = queries.list_changes(engine, source=source, since=since, until=until, limit=limit)
        return {"changes": found, "limit": limit}

    @router.get("/proposals", tags=["proposals"])
    def proposals(_key: ApiKey | None = read) -> dict[str, Any]:
        return {"proposals": proposal_store.list_proposals(engine)}

    @router.post("/proposals", tags=["proposals"], status_code=201)
    def create_proposal(body: ProposalIn, _key: ApiKey | None = admin) -> dict[str, Any]:
        """Store (or replace) a proposal list of targets."""
        try:
            targets = [proposal_store.make_target(**target.model_dump()) for target in body.targets]
        except proposal_store.ProposalError as error:
            raise HTTPException(422, str(error)) from None
        proposal_store.save_proposal(engine, body.name, targets, source_file="api")
        return {"proposal": body.name, "targets": len(targets)}

    @router.get("/proposals/{name}/coverage", tags=["proposals"])
    def proposal_coverage(
        name: str,
        as_of: date | None = None,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
        _key: ApiKey | None = read,
    ) -> dict[str, Any]:
        """Which jurisdictions designated each target, since when (as of a day, if given)."""
        targets = proposal_store.load_proposal(engine, name)
        if targets is None:
            raise HTTPException(404, f"no proposal {name!r}")
        report = coverage(name, targets, service.matcher(), service.book(), as_of=as_of, threshold=threshold)
        return report.to_dict()

    @router.post("/decisions", tags=["subjects"], status_code=201)
    def decide(body: DecisionIn, key: ApiKey | None = admin) -> dict[str, Any]:
        """An analyst's decision: two records are the same person, or not. Survives every update."""
        book = service.book()
        refs = []
        for value in (body.left, body.right):
            found = book.get(value)
            ref = found.referents[0] if found else value
            if book.for_record(ref) is None:
                raise HTTPException(404, f"no record or subject {value!r}")
            refs.append(ref)
        if refs[0] == refs[1]:
            raise HTTPException(422, "a decision needs two different records")
        with engine.begin() as conn:
            conn.execute(t.decisions.insert(), {"left": refs[0], "right": refs[1], "judgement": body.judgement,
                                                "note": body.note, "author": key.name if key else None,
                                                "created_at": datetime.now(UTC)})  # fmt: skip
        service.invalidate()
        return {"left": refs[0], "right": refs[1], "judgement": body.judgement}

    @router.post("/admin/update", tags=["admin"])
    def update(body: UpdateIn, _key: ApiKey | None = admin) -> dict[str, Any]:
        """Download the current lists (or from the given URLs) and load what is new."""
        from sanctionscope.update import UpdateError, run_update

        try:
            outcome = run_update(engine, db.data_dir() / "downloads", sources=body.sources, overrides=body.urls)
        except UpdateError as error:
            raise HTTPException(400, str(error)) from None
        service.invalidate()
        return {
            "fetched": outcome.fetched,
            "loaded": [r.__dict__ for r in outcome.report.results],
            "failures": outcome.report.failures,
        }

    return router
