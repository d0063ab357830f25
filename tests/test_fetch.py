"""Downloads against a real local HTTP server serving the shared list files, with simulated failures."""

from __future__ import annotations

import hashlib
import json
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from support import Server
from typer.testing import CliRunner

from sanctionscope import __version__
from sanctionscope.cli import app
from sanctionscope.sources.fetch import (
    MAX_RETRY_WAIT,
    FetchError,
    disposition_file_name,
    fetch,
    fetch_state_path,
    load_fetch_state,
    retry_after_seconds,
    retry_delay,
    safe_file_name,
    save_fetch_state,
)

UN_FILE = "un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml"
UN_PATH = f"/lists/{UN_FILE}"
FAST = 0.001  # backoff for tests: retries without real waiting


@pytest.fixture
def server(lists_dir: Path) -> Iterator[Server]:
    with Server(lists_dir) as running:
        yield running


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_downloads_a_real_file_byte_identical(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    size = (lists_dir / UN_FILE).stat().st_size
    with httpx.Client() as client:
        result = fetch(server.url + UN_PATH, tmp_path / "un", client=client, progress=lambda r, t: calls.append((r, t)))
        assert not client.is_closed  # a caller's client stays the caller's to close
    assert result.status == "downloaded"
    assert result.path == tmp_path / "un" / "UN_consolidated.xml"
    assert sha256(result.path) == sha256(lists_dir / UN_FILE) == result.sha256
    assert result.size == size
    assert result.etag and result.last_modified == "Fri, 27 Feb 2026 00:00:00 GMT"
    assert [p.name for p in (tmp_path / "un").iterdir()] == ["UN_consolidated.xml"]  # no temp file left
    assert calls[0] == (0, size) and calls[-1] == (size, size)
    assert [r for r, _ in calls] == sorted(r for r, _ in calls)
    agent = server.seen[0]["User-Agent"]
    assert agent.startswith(f"sanctionscope/{__version__} (+https://")


def test_etag_gives_not_modified(server: Server, tmp_path: Path) -> None:
    first = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    again = fetch(server.url + UN_PATH, tmp_path, etag=first.etag, backoff=FAST)
    assert server.seen[1]["If-None-Match"] == first.etag
    assert (again.status, again.path, again.etag, again.sha256) == ("not_modified", None, first.etag, None)
    changed = fetch(server.url + UN_PATH, tmp_path, etag='"stale"', backoff=FAST)
    assert changed.status == "downloaded" and changed.sha256 == first.sha256


def test_last_modified_conditional(server: Server, tmp_path: Path) -> None:
    first = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    same = fetch(server.url + UN_PATH, tmp_path, last_modified=first.last_modified, backoff=FAST)
    assert server.seen[1]["If-Modified-Since"] == first.last_modified
    assert same.status == "not_modified" and same.last_modified == first.last_modified
    older = fetch(server.url + UN_PATH, tmp_path, last_modified="Sun, 01 Feb 2026 00:00:00 GMT", backoff=FAST)
    assert older.status == "downloaded"


def test_retries_503_twice_then_succeeds(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["503", "503", "ok"]
    result = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    assert result.status == "downloaded" and server.hits[UN_PATH] == 3
    assert result.sha256 == sha256(lists_dir / UN_FILE)


def test_gives_up_after_the_last_retry(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["503"]
    url = server.url + UN_PATH
    with pytest.raises(FetchError, match="HTTP 503") as caught:
        fetch(url, tmp_path, retries=2, backoff=FAST)
    assert str(caught.value).startswith(url) and "3 attempt(s)" in str(caught.value)
    assert server.hits[UN_PATH] == 3


def test_not_found_fails_at_once(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["404"]
    with pytest.raises(FetchError, match="HTTP 404") as caught:
        fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    assert server.url + UN_PATH in str(caught.value)
    assert server.hits[UN_PATH] == 1
    assert list(tmp_path.iterdir()) == []


def test_429_waits_as_retry_after_asks(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["429:1", "ok"]
    started = time.monotonic()
    result = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    elapsed = time.monotonic() - started
    assert result.status == "downloaded" and server.hits[UN_PATH] == 2
    assert 0.9 <= elapsed < 5  # waited the server's second, not the tiny backoff


def test_retry_after_parsing_and_cap() -> None:
    now = datetime(2026, 2, 27, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Fri, 27 Feb 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Fri, 27 Feb 2026 11:00:00 GMT", now) == 0.0  # already past
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None
    assert retry_delay(0, FAST, 3600.0) == MAX_RETRY_WAIT
    assert retry_delay(0, FAST, 2.0) == 2.0
    for attempt in range(4):
        assert 0.5 * 2**attempt <= retry_delay(attempt, 0.5, None) <= 0.5 * 2**attempt * 1.25
    assert retry_delay(30, 1.0, None) == MAX_RETRY_WAIT


def test_truncated_download_never_replaces_a_good_file(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    good = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    assert good.path is not None
    before = sha256(good.path)
    server.plan[UN_PATH] = ["half"]
    size = (lists_dir / UN_FILE).stat().st_size
    with pytest.raises(FetchError) as caught:
        fetch(server.url + UN_PATH, tmp_path, retries=2, backoff=FAST)
    message = str(caught.value)
    assert message.startswith(server.url + UN_PATH)
    assert f"received {size // 2:,} of {size:,} bytes" in message
    assert server.hits[UN_PATH] == 1 + 3
    assert sha256(good.path) == before
    assert [p.name for p in tmp_path.iterdir()] == [good.path.name]


def test_truncated_first_download_leaves_no_file(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["half"]
    with pytest.raises(FetchError, match="truncated"):
        fetch(server.url + UN_PATH, tmp_path, retries=0, backoff=FAST)
    assert list(tmp_path.iterdir()) == []


def test_content_length_over_the_limit_is_refused_before_download(server: Server, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match=r"Content-Length of [\d,]+ bytes is over the limit of 1,000"):
        fetch(server.url + UN_PATH, tmp_path, max_bytes=1000, backoff=FAST)
    assert server.hits[UN_PATH] == 1  # not retried
    assert list(tmp_path.iterdir()) == []


def test_streaming_over_the_limit_without_length_is_aborted(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["nolength"]
    with pytest.raises(FetchError, match="body is over the limit of 1,000 bytes"):
        fetch(server.url + UN_PATH, tmp_path, max_bytes=1000, backoff=FAST)
    assert server.hits[UN_PATH] == 1
    assert list(tmp_path.iterdir()) == []


def test_body_without_length_is_saved_whole(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["nolength"]
    result = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    assert result.sha256 == sha256(lists_dir / UN_FILE)


def test_compressed_body_sent_anyway_is_stored_decoded(server: Server, lists_dir: Path, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["gzip"]
    result = fetch(server.url + UN_PATH, tmp_path, backoff=FAST)
    assert server.seen[0]["Accept-Encoding"] == "identity"
    assert result.path is not None and sha256(result.path) == sha256(lists_dir / UN_FILE) == result.sha256


def test_a_server_that_never_answers_times_out(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ["hang"]
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0.3 s"):
        fetch(server.url + UN_PATH, tmp_path, timeout=0.3, retries=1, backoff=FAST)
    assert time.monotonic() - started < 3  # two attempts of 0.3 s, not a hang
    assert server.hits[UN_PATH] == 2
    assert list(tmp_path.iterdir()) == []


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/UN_consolidated.xml"
    with pytest.raises(FetchError, match="ConnectError") as caught:
        fetch(url, tmp_path, retries=1, backoff=FAST, timeout=2)
    assert str(caught.value).startswith(url) and "2 attempt(s)" in str(caught.value)


def test_bad_url_fails_without_retrying(tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="ftp://example.invalid/x.xml"):
        fetch("ftp://example.invalid/x.xml", tmp_path, retries=3, backoff=1.0)
    assert time.monotonic() - started < 1  # no backoff sleeps


def test_content_disposition_names_the_file(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ['disposition:attachment; filename="consolidated-2026.xml"']
    result = fetch(server.url + UN_PATH, tmp_path / "a", backoff=FAST)
    assert result.path == tmp_path / "a" / "consolidated-2026.xml"


def test_content_disposition_cannot_escape_the_folder(server: Server, tmp_path: Path) -> None:
    server.plan[UN_PATH] = ['disposition:attachment; filename="../../x"']
    dest = tmp_path / "deep" / "dest"
    result = fetch(server.url + UN_PATH, dest, backoff=FAST)
    assert result.path == dest / "x"
    assert [p.name for p in dest.iterdir()] == ["x"]
    assert not (tmp_path / "x").exists() and not (tmp_path / "deep" / "x").exists()


def test_file_name_rules() -> None:
    assert safe_file_name("http://x/a/b/../../etc/passwd", None) == "passwd"
    assert safe_file_name("http://x/", 'attachment; filename="../../evil.xml"') == "evil.xml"
    assert safe_file_name("http://x/", 'attachment; filename="..\\..\\evil.xml"') == "evil.xml"
    assert safe_file_name("http://x/", None) == "download"
    assert safe_file_name("http://x/..", None) == "download"
    assert safe_file_name("http://x/list.xml", 'attachment; filename=".."') == "list.xml"
    assert safe_file_name("http://x/a%20list.csv?x=1", None) == "a_list.csv"
    assert safe_file_name("http://x/", "attachment; filename=.bashrc") == "bashrc"
    long = safe_file_name("http://x/" + "a" * 300 + ".xml", None)
    assert len(long) <= 120 and long.endswith(".xml")
    # RFC 6266: the extended parameter wins over the plain one
    both = "attachment; filename=\"plain.xml\"; filename*=UTF-8''%C3%A9t%C3%A9.xml"
    assert disposition_file_name(both) == "été.xml"
    assert disposition_file_name("attachment; filename*=UTF-8''..%2F..%2Fx") == "../../x"
    assert safe_file_name("http://x/", "attachment; filename*=UTF-8''..%2F..%2Fx") == "x"
    assert disposition_file_name('attachment; filename="a \\"b\\".xml"; size=3') == 'a "b".xml'
    assert disposition_file_name("inline") is None


def test_fetch_state_round_trips(tmp_path: Path) -> None:
    path = fetch_state_path(tmp_path / "data")
    assert path.parent == tmp_path / "data"
    state = {
        "http://x/a.xml": {"etag": '"1"', "last_modified": None, "sha256": "ab", "fetched_at": "2026-01-01T00:00:00"},
        "http://x/é.csv": {"etag": None, "last_modified": "Fri, 27 Feb 2026 00:00:00 GMT", "sha256": "cd"},
    }
    save_fetch_state(path, state)
    assert load_fetch_state(path) == state
    state["http://x/a.xml"]["etag"] = '"2"'
    save_fetch_state(path, state)
    assert load_fetch_state(path)["http://x/a.xml"]["etag"] == '"2"'
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp file left
    assert load_fetch_state(tmp_path / "missing.json") == {}


def test_unreadable_fetch_state_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "fetch-state.json"
    path.write_text('{"http://x/a.xml": {"etag": ', encoding="utf-8")  # an interrupted write of an old version
    assert load_fetch_state(path) == {}
    path.write_text("[1, 2]", encoding="utf-8")
    assert load_fetch_state(path) == {}


def test_update_command_downloads_loads_and_then_skips(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SANCTIONSCOPE_HOME", str(tmp_path / "home"))
    runner = CliRunner()
    db = str(tmp_path / "update.db")
    url = f"un_sc={server.url}{UN_PATH}"
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
    server.plan[UN_PATH] = ["404"]
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "u.db"), "update", "--source", "un_sc", "--url", f"un_sc={server.url}{UN_PATH}"]
    )
    assert result.exit_code == 1 and "HTTP 404" in result.stderr
    unknown = CliRunner().invoke(app, ["--db", str(tmp_path / "u.db"), "update", "--source", "nowhere"])
    assert unknown.exit_code == 2 and "unknown source" in unknown.stderr
