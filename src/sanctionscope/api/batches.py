"""Asynchronous batch screening: `POST /batches`, `GET /batches/{id}`, `GET /batches/{id}/results`.

    curl -H "Authorization: ApiKey $KEY" -F file=@customers.csv "$URL/batches?name_column=Full%20name"
    curl -H "Authorization: ApiKey $KEY" -H "Content-Type: application/x-ndjson" --data-binary @queries.jsonl "$URL/batches"
    curl -H "Authorization: ApiKey $KEY" "$URL/batches/$ID"            # state, rows done of total
    curl -H "Authorization: ApiKey $KEY" "$URL/batches/$ID/results"    # JSON lines, as `screen` writes them

The body (a multipart upload of a CSV/TSV/XLSX or JSON lines file, or a JSON lines, CSV or TSV body)
is streamed to disk, never held in memory, up to MAX_BATCH_BYTES; it is then read once, row by row,
and a file `screen` would refuse is refused with 422 naming the line. The screening runs in a worker
thread of the server process (service/batch_jobs.py): it lasts as long as that process, no longer.
Needs the `screen` scope; a key sees its own batches (an `admin` key every batch). Each batch is
written to the audit trail when submitted and when done, with its matches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, Response

from sanctionscope.api.audit import record_screening
from sanctionscope.api.keys import ApiKey
from sanctionscope.api.service import Service
from sanctionscope.match.engine import DEFAULT_THRESHOLD
from sanctionscope.service import batch_jobs
from sanctionscope.service.batch import Columns
from sanctionscope.sources.base import SourceError

#: the path whose request bodies are not bound by the app's MAX_BODY_BYTES
BATCHES_PATH = "/batches"
#: the largest batch accepted (bytes of input)
MAX_BATCH_BYTES = 4_000_000_000
#: what a body's Content-Type says its format is (anything else: JSON lines)
CONTENT_TYPES = {"text/csv": "csv", "text/tab-separated-values": "tsv",
                 "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}  # fmt: skip
SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv",
            ".xlsx": "xlsx", ".xlsm": "xlsx"}  # fmt: skip
ColumnQuery = Annotated[str | None, Query(max_length=200)]
FormatQuery = Annotated[
    str | None,
    Query(alias="format", pattern="^(jsonl|csv|tsv|xlsx)$",
          description="Default: the upload's file name, else the Content-Type; else JSON lines"),
]  # fmt: skip


def batch_routes(service: Service, require: Callable[[str], Callable[..., ApiKey | None]]) -> APIRouter:
    router = APIRouter(tags=["batches"])
    screen = Depends(require("screen"))
    engine = service.engine

    def audited(found: dict[str, Any], matches: list[dict[str, Any]]) -> None:
        results = batch_jobs.results_path(engine, found["id"])
        record_screening(
            engine, key_name=found["key"], endpoint=f"{BATCHES_PATH}/{found['id']}",
            data_version=found["data_version"] or "", query=_audit_query(found),
            results={"state": found["state"], "done": found["done"], "failed": found["failed"],
                     "matched": found["matched"], "error": found["error"], "matches": matches,
                     "results_sha256": batch_jobs.sha256_of(results) if results.exists() else None},
        )  # fmt: skip

    runner = batch_jobs.Runner(engine, service.matcher, on_done=audited)

    def visible(batch_id: str, key: ApiKey | None) -> dict[str, Any]:
        found = batch_jobs.status(engine, batch_id) if len(batch_id) <= 32 else None
        if found is None or (key is not None and found["key"] != key.name and "admin" not in key.scopes):
            raise HTTPException(404, f"no batch {batch_id!r}")
        return found

    @router.post(BATCHES_PATH, status_code=202, responses={400: {"description": "No input"},
                 413: {"description": "Too large"}, 422: {"description": "Unreadable input: the line named"}})  # fmt: skip
    async def submit(
        request: Request,
        input_format: FormatQuery = None,
        name_column: Annotated[str, Query(max_length=200)] = "name",
        id_column: ColumnQuery = None,
        birth_date_column: ColumnQuery = None,
        country_column: ColumnQuery = None,
        schema_column: ColumnQuery = None,
        identifier_column: ColumnQuery = None,
        limit: Annotated[int, Query(ge=1, le=100, description="Results per query")] = 3,
        threshold: Annotated[float, Query(ge=0.0, le=1.0)] = DEFAULT_THRESHOLD,
        key: ApiKey | None = screen,
    ) -> Response:
        """Screen a file of queries in the background: as `sanctionscope screen` reads and writes them.

        A multipart upload (field `file`: CSV, TSV, XLSX or JSON lines, by its name or `format`), or
        the body itself (JSON lines; CSV with Content-Type text/csv). Answers 202 with the batch's id.
        """
        columns = Columns(name_column, id_column, birth_date_column, country_column, schema_column, identifier_column)
        options = batch_jobs.Options(columns, limit, threshold)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "multipart/form-data":
            form = await request.form(max_files=1, max_fields=20)
            upload = form.get("file")
            if upload is None or isinstance(upload, str):
                raise HTTPException(400, "a multipart upload needs its file in the field 'file'")
            suffix = "." + (upload.filename or "").rpartition(".")[2].lower()
            chosen = input_format or SUFFIXES.get(suffix, "jsonl")
            batch_id, path = batch_jobs.new_upload(engine, chosen)
            try:
                with path.open("wb") as out:
                    while block := await upload.read(1 << 20):
                        out.write(block)
            finally:
                await upload.close()
        else:
            chosen = input_format or CONTENT_TYPES.get(content_type, "jsonl")
            batch_id, path = batch_jobs.new_upload(engine, chosen)
            size = 0
            with path.open("wb") as out:
                async for block in request.stream():
                    size += len(block)
                    if size > MAX_BATCH_BYTES:
                        out.close()
                        batch_jobs.delete(engine, batch_id)
                        raise HTTPException(413, f"a batch is at most {MAX_BATCH_BYTES} bytes")
                    out.write(block)
        if path.stat().st_size > MAX_BATCH_BYTES:
            batch_jobs.delete(engine, batch_id)
            raise HTTPException(413, f"a batch is at most {MAX_BATCH_BYTES} bytes")
        try:
            total = await run_in_threadpool(batch_jobs.count_rows, path, columns)
        except SourceError as error:
            batch_jobs.delete(engine, batch_id)
            where = f"line {error.line}: " if error.line is not None else ""
            return JSONResponse({"detail": f"{where}{error.message}", "line": error.line}, status_code=422)
        if total == 0:
            batch_jobs.delete(engine, batch_id)
            raise HTTPException(400, "the batch has no rows to screen")
        batch_jobs.create(engine, batch_id, path, chosen, options, total, key.name if key else None)
        found = batch_jobs.status(engine, batch_id)
        assert found is not None
        record_screening(engine, key_name=found["key"], endpoint=BATCHES_PATH, data_version=service.version,
                         query=_audit_query(found), results={"state": "queued"})  # fmt: skip
        runner.submit(batch_id)
        return JSONResponse(_shown(found), status_code=202, headers={"Location": f"{BATCHES_PATH}/{batch_id}"})

    @router.get(BATCHES_PATH + "/{batch_id}", responses={404: {"description": "No such batch"}})
    def progress(batch_id: str, key: ApiKey | None = screen) -> Response:
        """The batch's state (queued, running, done, failed; lost when the process screening it stopped) and
        progress: rows done of total, rows without a usable name, rows with a match."""
        return JSONResponse(_shown(visible(batch_id, key)))

    @router.get(BATCHES_PATH + "/{batch_id}/results", response_class=Response,
                responses={200: {"content": {"application/x-ndjson": {}}}, 409: {"description": "Not done"}})  # fmt: skip
    def results(batch_id: str, key: ApiKey | None = screen) -> Response:
        """The results, streamed from disk: one JSON line per query, in input order, as `screen` writes them
        ({"id", "results": [{id, caption, schema, score, match, referents}], "error"?, "warnings"?})."""
        found = visible(batch_id, key)
        if found["state"] != "done":
            raise HTTPException(409, f"batch {batch_id} is {found['state']}: {found['done']} of {found['total']} rows "
                                     "screened")  # fmt: skip
        return FileResponse(batch_jobs.results_path(engine, batch_id), media_type="application/x-ndjson",
                            filename=f"{batch_id}.jsonl")  # fmt: skip

    @router.delete(BATCHES_PATH + "/{batch_id}", status_code=204, responses={409: {"description": "Still running"}})
    def remove(batch_id: str, key: ApiKey | None = screen) -> Response:
        """Delete a finished batch's files and state (its audit records stay)."""
        found = visible(batch_id, key)
        if found["state"] in ("queued", "running"):
            raise HTTPException(409, f"batch {batch_id} is {found['state']}")
        batch_jobs.delete(engine, batch_id)
        return Response(status_code=204)

    return router


def _shown(found: dict[str, Any]) -> dict[str, Any]:
    return {**found, "progress": round(found["done"] / found["total"], 4) if found["total"] else 1.0,
            "results": f"{BATCHES_PATH}/{found['id']}/results"}  # fmt: skip


def _audit_query(found: dict[str, Any]) -> dict[str, Any]:
    return {"batch": found["id"], "rows": found["total"], "format": found["format"],
            "input_sha256": found["input_sha256"], "options": found["options"]}  # fmt: skip
