"""Batch screening jobs of the HTTP API (`POST /batches`): a file on disk, screened in the background.

A job's input is written to disk as it arrives (`<database>.batches/<id>/input.<ext>`), checked
in one streaming pass (each row read, none kept: a bad line refuses the batch, naming it), and
screened by a worker thread of the server process that accepted it, a chunk at a time, into
`results.jsonl` (the lines `sanctionscope screen` writes). Its state and progress are rows of the
`batches` table, so that every server process sharing the database answers `GET /batches/{id}`.

A job lives as long as that process: one that stops (a restart, a crash) leaves its queued and
running jobs unfinished, and they are reported `lost` (their owner process is gone) rather than
resumed; submit them again. The files stay until the batch is deleted.
"""

from __future__ import annotations

import hashlib
import os
import queue
import shutil
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa

from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher
from sanctionscope.service import batch
from sanctionscope.service.batch import Columns
from sanctionscope.service.matchers import index_path
from sanctionscope.sources.base import SourceError
from sanctionscope.store.schema import metadata

#: the jobs (created by migration 0009)
batches = sa.Table(
    "batches",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("key_name", sa.String(100), nullable=True),  # None in --no-auth mode
    sa.Column("state", sa.String(16), nullable=False),  # queued, running, done, failed (lost: owner gone)
    sa.Column("input_format", sa.String(8), nullable=False),  # jsonl, csv, tsv, xlsx
    sa.Column("options", sa.Text, nullable=False),  # JSON: columns, limit, threshold
    sa.Column("input_sha256", sa.String(64), nullable=False),
    sa.Column("total", sa.Integer, nullable=False),
    sa.Column("done", sa.Integer, nullable=False),
    sa.Column("failed", sa.Integer, nullable=False),  # rows without a usable name (written with their error)
    sa.Column("matched", sa.Integer, nullable=False),  # rows with at least one match
    sa.Column("owner", sa.String(200), nullable=False),  # host:pid of the process that screens it
    sa.Column("data_version", sa.String(64), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
)
sa.Index("ix_batches_created", batches.c.created_at)

FORMATS = {"jsonl": ".jsonl", "csv": ".csv", "tsv": ".tsv", "xlsx": ".xlsx"}
#: progress is written to the database at most this often (seconds), and at the end
PROGRESS_SECONDS = 1.0
OWNER = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Options:
    columns: Columns = field(default_factory=Columns)
    limit: int = 3
    threshold: float = DEFAULT_THRESHOLD

    def to_json(self) -> str:
        return orjson.dumps(asdict(self)).decode()

    @classmethod
    def from_json(cls, text: str) -> Options:
        data = orjson.loads(text)
        return cls(Columns(**data["columns"]), data["limit"], data["threshold"])


def folder(engine: sa.Engine) -> Path:
    """Where the jobs' files are: next to the index file (`<database>.batches` for SQLite)."""
    return index_path(engine).with_suffix(".batches")


def input_path(engine: sa.Engine, batch_id: str) -> Path | None:
    found = sorted((folder(engine) / batch_id).glob("input.*"))
    return found[0] if found else None


def results_path(engine: sa.Engine, batch_id: str) -> Path:
    return folder(engine) / batch_id / "results.jsonl"


def new_upload(engine: sa.Engine, input_format: str) -> tuple[str, Path]:
    """A new batch id and the path its input is to be written to."""
    batch_id = uuid.uuid4().hex
    path = folder(engine) / batch_id / f"input{FORMATS[input_format]}"
    path.parent.mkdir(parents=True, exist_ok=True)
    return batch_id, path


def count_rows(path: Path, columns: Columns) -> int:
    """The rows of the file that will be screened, read as `screen` reads them without building queries;
    SourceError (naming the line) for a file that `screen` would refuse."""
    if batch.is_json_lines(path):
        return sum(1 for _ in batch.json_line_objects(path, path.name))
    rows = batch._table_rows(path)
    first = next(rows, None)
    if first is None:
        return 0
    missing = [c for c in (columns.name, columns.id, columns.birth_date, columns.country, columns.schema,
                           columns.identifier) if c and c not in first[1]]  # fmt: skip
    if missing:
        raise SourceError(
            path.name, f"no column named {', '.join(map(repr, missing))} (columns: {', '.join(first[1])})"
        )
    return 1 + sum(1 for _ in rows)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while block := data.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def create(
    engine: sa.Engine, batch_id: str, path: Path, input_format: str, options: Options, total: int, key_name: str | None
) -> dict[str, Any]:
    row = {"id": batch_id, "key_name": key_name, "state": "queued", "input_format": input_format,
           "options": options.to_json(), "input_sha256": sha256_of(path), "total": total, "done": 0, "failed": 0,
           "matched": 0, "owner": OWNER, "created_at": datetime.now(UTC)}  # fmt: skip
    with engine.begin() as conn:
        conn.execute(batches.insert(), row)
    return row


def _alive(owner: str) -> bool:
    """Whether the process `host:pid` runs (a process of another host is taken to)."""
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    return True


def status(engine: sa.Engine, batch_id: str) -> dict[str, Any] | None:
    """The batch's row as the API shows it; a queued or running batch whose process is gone is `lost`."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().first()
    if row is None:
        return None
    state = row["state"]
    if state in ("queued", "running") and row["owner"] != OWNER and not _alive(row["owner"]):
        state = "lost"
    return {"id": row["id"], "state": state, "total": row["total"], "done": row["done"], "failed": row["failed"],
            "matched": row["matched"], "format": row["input_format"], "options": orjson.loads(row["options"]),
            "input_sha256": row["input_sha256"], "data_version": row["data_version"], "error": row["error"],
            "key": row["key_name"], "created_at": _iso(row["created_at"]), "started_at": _iso(row["started_at"]),
            "finished_at": _iso(row["finished_at"])}  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def delete(engine: sa.Engine, batch_id: str) -> None:
    with engine.begin() as conn:
        conn.execute(batches.delete().where(batches.c.id == batch_id))
    shutil.rmtree(folder(engine) / batch_id, ignore_errors=True)


def _update(engine: sa.Engine, batch_id: str, **values: Any) -> None:
    with engine.begin() as conn:
        conn.execute(batches.update().where(batches.c.id == batch_id).values(**values))


def run(
    engine: sa.Engine,
    batch_id: str,
    matcher: Matcher,
    *,
    on_done: Callable[[dict[str, Any], list[dict[str, Any]]], None] | None = None,
) -> None:
    """Screen the batch into its results file, a chunk at a time, writing progress as it goes.

    `on_done(status, matches)` is called when it finished, with the matches (query id, result id, score)
    for the audit trail.
    """
    with engine.connect() as conn:
        row = conn.execute(sa.select(batches).where(batches.c.id == batch_id)).mappings().first()
    path = input_path(engine, batch_id)
    if row is None or path is None:
        return  # deleted before it ran
    options = Options.from_json(row["options"])
    _update(engine, batch_id, state="running", started_at=datetime.now(UTC), data_version=matcher.version)
    done = failed = matched = 0
    matches: list[dict[str, Any]] = []
    target = results_path(engine, batch_id)
    partial = target.with_suffix(".partial")
    try:
        with partial.open("wb") as out:
            last = datetime.now(UTC)
            for chunk in _chunks(batch.iter_queries(path, options.columns), batch.CHUNK_SIZE):
                results = batch._screen_chunk(chunk, options.limit, options.threshold, matcher)
                batch.write_jsonl(results, out)
                for result in results:
                    failed += result.error is not None
                    hits = [r for r in result.results if r["match"]]
                    matched += bool(hits)
                    matches.extend({"query": result.id, "id": r["id"], "score": r["score"]} for r in hits)
                done += len(chunk)
                now = datetime.now(UTC)
                if (now - last).total_seconds() >= PROGRESS_SECONDS:
                    out.flush()
                    _update(engine, batch_id, done=done, failed=failed, matched=matched)
                    last = now
        partial.replace(target)
        _update(engine, batch_id, state="done", done=done, failed=failed, matched=matched,
                finished_at=datetime.now(UTC))  # fmt: skip
    except Exception as error:  # noqa: BLE001  (whatever stops a batch is reported in its state)
        partial.unlink(missing_ok=True)
        _update(engine, batch_id, state="failed", done=done, failed=failed, matched=matched,
                error=f"{type(error).__name__}: {error}", finished_at=datetime.now(UTC))  # fmt: skip
    if on_done is not None:
        found = status(engine, batch_id)
        if found is not None:
            on_done(found, matches)


def _chunks(items: Iterator[batch.BatchQuery], size: int) -> Iterator[list[batch.BatchQuery]]:
    chunk: list[batch.BatchQuery] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class Runner:
    """One worker thread per server process: screens its batches one after another, in submission order."""

    def __init__(
        self,
        engine: sa.Engine,
        matcher: Callable[[], Matcher],
        on_done: Callable[[dict[str, Any], list[dict[str, Any]]], None] | None = None,
    ) -> None:
        self.engine = engine
        self.matcher = matcher
        self.on_done = on_done
        self._queue: queue.Queue[str] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, batch_id: str) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="sanctionscope-batches", daemon=True)
                self._thread.start()
        self._queue.put(batch_id)

    def _work(self) -> None:
        while True:
            batch_id = self._queue.get()
            try:
                matcher = self.matcher()
            except Exception as error:  # noqa: BLE001  (no index: the batch fails, saying why)
                _update(self.engine, batch_id, state="failed", error=f"the name index: {error}",
                        finished_at=datetime.now(UTC))  # fmt: skip
                continue
            run(self.engine, batch_id, matcher, on_done=self.on_done)
