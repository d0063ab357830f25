"""Helpers shared by the tests: cached parsing, the foundation folders, a local HTTP server over the lists."""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from sanctionscope.model import Record
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceFile
from sanctionscope.sources.detect import format_by_name


@cache
def parse_cached(path: Path, format_name: str) -> ParsedSnapshot:
    """The one snapshot a real file parses into, parsed once per test session."""
    [snapshot] = format_by_name(format_name).parse([SourceFile.read(path)])
    return snapshot


def by_id(snapshot: ParsedSnapshot) -> dict[str, Record]:
    return {record.source_id: record for record in snapshot.records}


def parse_bytes(fmt: Format, tmp_path: Path, name: str, data: bytes) -> list[ParsedSnapshot]:
    """Write `data` as a file named `name` and parse it: for damaged variants of real files."""
    path = tmp_path / name
    path.write_bytes(data)
    return fmt.parse([SourceFile.read(path)])


#: the list folders of the foundation issue: every test that needs "all lists loaded" loads these
FOUNDATION_FOLDERS = [
    "us/ofac-sdn-csv",
    "us/ofac-consolidated-xml",
    "us/ofac-consolidated-csv",
    "un/un-sc-consolidated-xml",
    "eu/opensanctions-journal-consolidated-csv",
    "ca/sema-consolidated-xml",
    "au/dfat-consolidated-xlsx",
    "gb/gb-ofsi-conlist-xlsx",  # the UK (issue 14): OFSI's list of 2025-04-10 and 2025-04-14
]


#: what the local test server says its files were last modified
LAST_MODIFIED = datetime(2026, 2, 27, tzinfo=UTC)


class Server:
    """A loopback HTTP server over the shared lists folder.

    `plan[path]` lists one behaviour per request to that path (the last one repeats); `hits`
    counts requests per path and `seen` keeps each request's headers.
    """

    def __init__(self, root: Path):
        self.root = root
        self.plan: dict[str, list[str]] = {}
        self.hits: dict[str, int] = {}
        self.seen: list[dict[str, str]] = []
        self.release = threading.Event()  # lets hanging handlers go at teardown
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                with server.lock:
                    count = server.hits.get(path, 0)
                    server.hits[path] = count + 1
                    server.seen.append(dict(self.headers))
                steps = server.plan.get(path, ["ok"])
                server.behave(self, steps[min(count, len(steps) - 1)], path)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def body(self, path: str) -> bytes:
        return (self.root / path.removeprefix("/lists/")).read_bytes()

    def behave(self, handler: BaseHTTPRequestHandler, step: str, path: str) -> None:
        kind, _, arg = step.partition(":")
        if kind == "hang":
            self.release.wait(5)  # never answers (bounded so a broken test cannot hang the run)
            return
        if kind in {"404", "429", "503"}:
            handler.send_response(int(kind))
            if arg:
                handler.send_header("Retry-After", arg)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
            return
        body = self.body(path)
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if kind == "ok" and self.fresh(handler, etag):
            handler.send_response(304)
            handler.send_header("ETag", etag)
            handler.end_headers()
            return
        if kind == "gzip":
            body = gzip.compress(body)
        handler.send_response(200)
        if kind != "nolength":
            handler.send_header("Content-Length", str(len(body)))
        handler.send_header("ETag", etag)
        handler.send_header("Last-Modified", format_datetime(LAST_MODIFIED, usegmt=True))
        if kind == "gzip":
            handler.send_header("Content-Encoding", "gzip")
        if kind == "disposition":
            handler.send_header("Content-Disposition", arg)
        handler.end_headers()
        handler.wfile.write(body[: len(body) // 2] if kind == "half" else body)
        handler.close_connection = True

    @staticmethod
    def fresh(handler: BaseHTTPRequestHandler, etag: str) -> bool:
        """Whether the client's validators show it has the current file (RFC 9110 §13.1)."""
        if (given := handler.headers.get("If-None-Match")) is not None:
            return given == etag
        if (since := handler.headers.get("If-Modified-Since")) is not None:
            return parsedate_to_datetime(since) >= LAST_MODIFIED
        return False

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def fresh_postgres(url: str):  # type: ignore[no-untyped-def]
    """An engine on the session's PostgreSQL database, emptied and migrated: each test starts clean."""
    import sqlalchemy as sa

    from sanctionscope.store import db

    engine = db.connect(url, migrate=False)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    db.upgrade(engine)
    return engine


@contextmanager
def running_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A real uvicorn server for this ASGI app on a free loopback port, in a thread; yields its URL."""
    import socket
    import time

    import uvicorn

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    running = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)
