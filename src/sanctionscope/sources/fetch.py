"""Downloading official list files: conditional, retried, size-limited, atomic.

A download streams into a temporary file next to its destination and is renamed into place
only when complete, so a failed or truncated download never leaves a file that looks
complete, nor replaces an earlier good download of the same name.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, BinaryIO, Literal
from urllib.parse import unquote, urlparse

import httpx

from sanctionscope import __version__

log = logging.getLogger(__name__)

#: Where people who see our requests in their logs can find out what we are.
PROJECT_URL = "https://pypi.org/project/sanctionscope/"
USER_AGENT = f"sanctionscope/{__version__} (+{PROJECT_URL})"
#: Longest wait we accept from a Retry-After header, and the longest backoff sleep.
MAX_RETRY_WAIT = 60.0
#: Longest file name we write (most file systems allow 255 bytes; leave room for UTF-8).
_MAX_NAME = 120

Progress = Callable[[int, int | None], None]


class FetchError(Exception):
    """A download failed; the message names the URL and the reason."""


class _Retryable(Exception):
    """A transient failure worth another attempt (the message says what happened)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one successful `fetch`: a new file, or confirmation that ours is current."""

    url: str
    path: Path | None
    status: Literal["downloaded", "not_modified"]
    etag: str | None
    last_modified: str | None
    size: int
    sha256: str | None


def fetch(
    url: str,
    dest_dir: Path,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 60.0,
    retries: int = 4,
    backoff: float = 1.0,
    max_bytes: int = 1 << 30,
    client: httpx.Client | None = None,
    progress: Progress | None = None,
) -> FetchResult:
    """Download `url` into `dest_dir`, conditionally (ETag / Last-Modified), retrying transient failures.

    Retried: connection errors, timeouts, truncated bodies, HTTP 429 and 5xx (up to `retries`
    more attempts, sleeping `backoff * 2**n` plus jitter, or what Retry-After asks up to
    MAX_RETRY_WAIT). Not retried: other 4xx, bad URLs, files over `max_bytes`.
    """
    headers = request_headers(etag, last_modified)
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        problem = "no attempt made"
        for attempt in range(retries + 1):
            try:
                return _attempt(http, url, headers, dest_dir, timeout, max_bytes, progress, etag, last_modified)
            except _Retryable as error:
                problem = str(error)
                if attempt < retries:
                    time.sleep(retry_delay(attempt, backoff, error.retry_after))
        raise FetchError(f"{url}: failed after {retries + 1} attempt(s): {problem}")
    finally:
        if client is None:
            http.close()


def request_headers(etag: str | None, last_modified: str | None) -> dict[str, str]:
    """Request headers: who we are, plus the validators of the copy we already have."""
    # Not asking for compression keeps Content-Length equal to the size of the file we store.
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


def retry_delay(attempt: int, backoff: float, retry_after: float | None) -> float:
    """Seconds to wait before retry number `attempt + 1`: the server's wish (capped), else exponential."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), MAX_RETRY_WAIT)
    # Jitter so that several clients knocked out together do not all come back at the same instant.
    return min(backoff * (2**attempt) * (1 + random.uniform(0, 0.25)), MAX_RETRY_WAIT)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """A Retry-After header (delta-seconds or an HTTP date) as seconds from `now`; None if absent/unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # an obsolete date form without zone: HTTP dates are always GMT
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _attempt(
    http: httpx.Client,
    url: str,
    headers: dict[str, str],
    dest_dir: Path,
    timeout: float,
    max_bytes: int,
    progress: Progress | None,
    etag: str | None,
    last_modified: str | None,
) -> FetchResult:
    """One GET: a result, FetchError for permanent failures, or _Retryable for transient ones."""
    try:
        with http.stream("GET", url, headers=headers, timeout=timeout, follow_redirects=True) as response:
            status = response.status_code
            if status == 304:
                return FetchResult(
                    url,
                    None,
                    "not_modified",
                    response.headers.get("ETag") or etag,
                    response.headers.get("Last-Modified") or last_modified,
                    0,
                    None,
                )
            if status == 429 or status >= 500:
                wait = retry_after_seconds(response.headers.get("Retry-After"))
                raise _Retryable(f"HTTP {status} {response.reason_phrase}".rstrip(), wait)
            if status != 200:
                # 4xx, or a 2xx/3xx we did not ask for (no Range, redirects already followed)
                raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip())
            return _save(url, response, dest_dir, max_bytes, progress)
    except (httpx.UnsupportedProtocol, httpx.InvalidURL, httpx.TooManyRedirects) as error:
        raise FetchError(f"{url}: {error}") from None
    except httpx.TransportError as error:
        raise _Retryable(_describe(error, timeout)) from None


def _describe(error: httpx.TransportError, timeout: float) -> str:
    """A readable reason for a network failure (httpx messages are sometimes empty)."""
    if isinstance(error, httpx.TimeoutException):
        return f"timed out after {timeout:g} s ({type(error).__name__})"
    detail = str(error)
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def _save(url: str, response: httpx.Response, dest_dir: Path, max_bytes: int, progress: Progress | None) -> FetchResult:
    """Stream the body of a 200 response into `dest_dir`, atomically, checking size and completeness."""
    declared = response.headers.get("Content-Length", "").strip()
    total = int(declared) if declared.isdigit() else None
    if total is not None and total > max_bytes:
        raise FetchError(f"{url}: Content-Length of {total:,} bytes is over the limit of {max_bytes:,}")
    target = dest_dir / safe_file_name(url, response.headers.get("Content-Disposition"))
    digest = hashlib.sha256()
    received = 0
    try:
        with _atomic_writer(target) as out:
            if progress is not None:
                progress(0, total)
            try:
                # iter_bytes undoes any Content-Encoding a server applies against our wishes;
                # the limit counts decoded bytes, so a compressed bomb is stopped too.
                for chunk in response.iter_bytes():
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchError(f"{url}: body is over the limit of {max_bytes:,} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(received, total)
            except httpx.TransportError as error:
                # h11 raises when the peer closes before Content-Length bytes arrived.
                of = f"{response.num_bytes_downloaded:,} of {total:,}" if total is not None else f"{received:,}"
                raise _Retryable(f"truncated: received {of} bytes ({_describe(error, 0)})") from None
            if total is not None and response.num_bytes_downloaded != total:
                raise _Retryable(f"truncated: received {response.num_bytes_downloaded:,} of {total:,} bytes")
    except OSError as error:
        raise FetchError(f"{url}: cannot write {target}: {error}") from None
    return FetchResult(
        url,
        target,
        "downloaded",
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
        received,
        digest.hexdigest(),
    )


@contextmanager
def _atomic_writer(target: Path) -> Iterator[BinaryIO]:
    """A temporary file next to `target`, renamed over it on success and deleted on any failure."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(dir=target.parent, prefix=".partial-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            yield out
            out.flush()
            # Durable before visible: a crash right after the rename must not leave an empty "complete" file.
            os.fsync(out.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


# ---------------------------------------------------------------- file names

_PARAM = re.compile(r';\s*([\w*.-]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')


def disposition_file_name(value: str) -> str | None:
    """The file name a Content-Disposition header proposes, preferring RFC 5987 `filename*` (unsanitized)."""
    params = {key.lower(): raw.strip() for key, raw in _PARAM.findall(value)}
    extended = params.get("filename*", "")
    charset, _, rest = extended.partition("'")
    _language, _, encoded = rest.partition("'")
    if encoded:
        try:
            return unquote(encoded, encoding=charset or "utf-8", errors="strict")
        except (LookupError, UnicodeDecodeError):
            pass  # an unknown charset or bad escapes: fall back to the plain parameter
    plain = params.get("filename")
    if plain and plain.startswith('"') and plain.endswith('"') and len(plain) >= 2:
        plain = re.sub(r"\\(.)", r"\1", plain[1:-1])
    return plain or None


def sanitize_file_name(name: str) -> str:
    """A safe single file name: no folders, no leading dots, only word characters, dots and dashes."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\-]+", "_", base).lstrip(".")
    if len(base) > _MAX_NAME:
        _stem, dot, suffix = base.rpartition(".")
        keep = f"{dot}{suffix}" if dot and len(suffix) <= 10 else ""
        base = base[: _MAX_NAME - len(keep)] + keep
    return base


def safe_file_name(url: str, content_disposition: str | None) -> str:
    """The name to store a download under: Content-Disposition, else the URL's last path segment, else "download"."""
    proposed = disposition_file_name(content_disposition) if content_disposition else None
    for candidate in (proposed, unquote(urlparse(url).path)):
        if candidate and (name := sanitize_file_name(candidate)):
            return name
    return "download"


# ---------------------------------------------------------------- state across runs


def fetch_state_path(data_dir: Path) -> Path:
    """Where `update` remembers each URL's validators between runs."""
    return data_dir / "fetch-state.json"


def load_fetch_state(path: Path) -> dict[str, dict[str, Any]]:
    """URL → {etag, last_modified, sha256, fetched_at}; empty when the file is missing or unreadable."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        # Only a cache of validators: losing it costs one unconditional download per source.
        log.warning("ignoring unreadable fetch state %s: %s", path, error)
        return {}
    if not isinstance(state, dict):
        log.warning("ignoring fetch state %s: not a JSON object", path)
        return {}
    return {url: entry for url, entry in state.items() if isinstance(entry, dict)}


def save_fetch_state(path: Path, state: dict[str, dict[str, Any]]) -> None:
    """Write the state atomically, so an interrupted run leaves the previous state intact."""
    with _atomic_writer(path) as out:
        out.write(json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8"))
