"""Downloads against a real local HTTP server serving the shared list files, with simulated failures."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionscope.cli import app
from sanctionscope.sources.fetch import FetchError, fetch, load_fetch_state, safe_file_name, save_fetch_state

UN_FILE = "un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml"


class Server:
    """A loopback HTTP server; `plan[path]` is a list of behaviours, one per request (the last repeats)."""

    def __init__(self, root: Path):
        self.root = root
        self.plan: dict[str, list[str]] = {}
        self.hits: dict[str, int] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                count = server.hits.get(path, 0)
                server.hits[path] = count + 1
                steps = server.plan.get(path, ["ok"])
                server.behave(self, steps[min(count, len(steps) - 1)], path)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def behave(self, handler: BaseHTTPRequestHandler, step: str, path: str) -> None:
        body = (self.root / path.lstrip("/").split("/", 1)[1]).read_bytes() if path.startswith("/lists/") else b""
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if step == "ok":
            if handler.headers.get("If-None-Match") == etag or handler.headers.get("If-Modified-Since"):
                handler.send_response(304)
                handler.end_headers()
                return
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("ETag", etag)
            handler.send_header("Last-Modified", "Fri, 27 Feb 2026 00:00:00 GMT")
            if path.endswith("disposition"):
                handler.send_header("Content-Disposition", 'attachment; filename="../../evil.xml"')
            handler.end_headers()
            handler.wfile.write(body)
        elif step in ("503", "404", "429"):
            handler.send_response(int(step))
            if step == "429":
                handler.send_header("Retry-After", "0")
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        elif step == "half":
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.close_connection = True
        elif step == "nolength":
            handler.send_response(200)
            handler.end_headers()
            handler.wfile.write(body)
            handler.close_connection = True
        elif step == "hang":
            time.sleep(3)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(lists_dir: Path) -> Iterator[Server]:
    with Server(lists_dir) as running:
        yield running


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_downloads_byte_identical_then_not_modified(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    url = f"{server.url}/lists/{UN_FILE}"
    first = fetch(url, tmp_path, backoff=0.001)
    assert first.status == "downloaded" and first.path is not None
    assert sha256(first.path) == sha256(lists_dir / UN_FILE) == first.sha256
    again = fetch(url, tmp_path, etag=first.etag, backoff=0.001)
    assert again.status == "not_modified" and again.path is None
    by_date = fetch(url, tmp_path, last_modified=first.last_modified, backoff=0.001)
    assert by_date.status == "not_modified"


def test_retries_server_errors_then_succeeds(server: Server, tmp_path: Path) -> None:
    path = f"/lists/{UN_FILE}"
    server.plan[path] = ["503", "429", "ok"]
    result = fetch(server.url + path, tmp_path, backoff=0.001)
    assert result.status == "downloaded" and server.hits[path] == 3


def test_not_found_fails_at_once(server: Server, tmp_path: Path) -> None:
    path = f"/lists/{UN_FILE}"
    server.plan[path] = ["404"]
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server.url + path, tmp_path, backoff=0.001)
    assert server.hits[path] == 1


def test_truncated_download_never_replaces_a_good_file(server: Server, tmp_path: Path) -> None:
    path = f"/lists/{UN_FILE}"
    good = fetch(server.url + path, tmp_path, backoff=0.001)
    assert good.path is not None
    before = sha256(good.path)
    server.plan[path] = ["half"]
    with pytest.raises(FetchError, match="of .* bytes"):
        fetch(server.url + path, tmp_path, retries=2, backoff=0.001)
    assert server.hits[path] == 1 + 3
    assert sha256(good.path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [good.path.name]


def test_size_limits(server: Server, tmp_path: Path) -> None:
    path = f"/lists/{UN_FILE}"
    with pytest.raises(FetchError, match="over the limit"):
        fetch(server.url + path, tmp_path, max_bytes=1000, backoff=0.001)
    server.plan[path] = ["nolength"]
    with pytest.raises(FetchError, match="more than the limit"):
        fetch(server.url + path, tmp_path, max_bytes=1000, backoff=0.001)
    assert list(tmp_path.iterdir()) == []


def test_timeout_is_bounded(server: Server, tmp_path: Path) -> None:
    path = f"/lists/{UN_FILE}"
    server.plan[path] = ["hang"]
    started = time.monotonic()
    with pytest.raises(FetchError, match="Timeout"):
        fetch(server.url + path, tmp_path, timeout=0.3, retries=1, backoff=0.001)
    assert time.monotonic() - started < 10  # bounded: two attempts of 0.3 s, not a hang


def test_file_names_cannot_escape_the_folder(server: Server, tmp_path: Path) -> None:
    assert safe_file_name("http://x/a/b/../../etc/passwd", None) == "passwd"
    assert safe_file_name("http://x/", 'attachment; filename="../../evil.xml"') == "evil.xml"
    assert safe_file_name("http://x/", None) == "download"


def test_fetch_state_round_trips(tmp_path: Path) -> None:
    state = {"http://x/a.xml": {"etag": '"1"', "last_modified": None, "sha256": "ab", "fetched_at": "2026-01-01"}}
    save_fetch_state(tmp_path / "state.json", state)
    assert load_fetch_state(tmp_path / "state.json") == state
    assert load_fetch_state(tmp_path / "missing.json") == {}


def test_update_command_downloads_loads_and_then_skips(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONSCOPE_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    db = str(tmp_path / "update.db")
    url = f"un_sc={server.url}/lists/{UN_FILE}"
    first = runner.invoke(app, ["--db", db, "update", "--source", "un_sc", "--url", url, "--json"])
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout)
    assert report["fetched"][0]["status"] == "downloaded"
    assert [(r["source"], r["published_on"], r["records"]) for r in report["loaded"]] == [("un_sc", "2026-02-27", 1003)]
    second = runner.invoke(app, ["--db", db, "update", "--source", "un_sc", "--url", url, "--json"])
    assert json.loads(second.stdout)["fetched"][0]["status"] == "not_modified"


def test_update_reports_a_failed_download_and_keeps_the_data(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONSCOPE_HOME", str(tmp_path / "home"))
    server.plan[f"/lists/{UN_FILE}"] = ["404"]
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "u.db"), "update", "--source", "un_sc", "--url", f"un_sc={server.url}/lists/{UN_FILE}"]
    )
    assert result.exit_code == 1 and "HTTP 404" in result.stderr
    unknown = CliRunner().invoke(app, ["--db", str(tmp_path / "u.db"), "update", "--source", "nowhere"])
    assert unknown.exit_code == 2 and "unknown source" in unknown.stderr
