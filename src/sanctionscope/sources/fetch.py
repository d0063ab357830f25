"""Downloading official list files: conditional, retried, size-limited, atomic.

A download streams into a temporary file next to its destination and is renamed into place
only when complete, so a failed or truncated download never replaces an earlier good file.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlparse

import httpx

from sanctionscope import __version__

USER_AGENT = f"sanctionscope/{__version__} (sanctions list tracker)"
_RETRY_STATUS = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER = 60.0


class FetchError(Exception):
    """A download failed; the message names the URL and the reason."""


@dataclass(frozen=True)
class FetchResult:
    url: str
    path: Path | None
    status: Literal["downloaded", "not_modified"]
    etag: str | None
    last_modified: str | None
    size: int
    sha256: str | None


def safe_file_name(url: str, content_disposition: str | None) -> str:
    """The file name from Content-Disposition or the URL path, stripped of any folder part."""
    name = None
    if content_disposition:
        match = re.search(r"filename\*?=(?:UTF-8'')?\"?([^\";]+)\"?", content_disposition, re.I)
        if match:
            name = unquote(match.group(1))
    if not name:
        name = unquote(urlparse(url).path.rsplit("/", 1)[-1])
    name = re.sub(r"[^\w.\-]", "_", name.replace("\\", "/").rsplit("/", 1)[-1]).lstrip(".")
    return name or "download"


def _retry_delay(attempt: int, backoff: float, response: httpx.Response | None) -> float:
    if response is not None and (value := response.headers.get("Retry-After")):
        try:
            return min(float(value), _MAX_RETRY_AFTER)
        except ValueError:
            pass
    return backoff * (2**attempt) * (1 + random.random() * 0.1)


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
    progress: Callable[[int, int | None], None] | None = None,
) -> FetchResult:
    """Download `url` into `dest_dir`, conditionally (ETag / Last-Modified), with retries on transient errors."""
    # identity: the file is stored byte for byte as published, and Content-Length counts those bytes
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    own_client = client is None
    client = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        last_error = "no attempt made"
        for attempt in range(retries + 1):
            response: httpx.Response | None = None
            try:
                with client.stream("GET", url, headers=headers, timeout=timeout) as response:
                    if response.status_code == 304:
                        return FetchResult(url, None, "not_modified", etag, last_modified, 0, None)
                    if response.status_code in _RETRY_STATUS:
                        last_error = f"HTTP {response.status_code}"
                    elif response.status_code >= 400:
                        raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}")
                    else:
                        return _save(url, response, dest_dir, max_bytes, progress)
            except (httpx.TimeoutException, httpx.TransportError) as error:
                last_error = f"{type(error).__name__}: {error}" or type(error).__name__
            except _Truncated as error:
                last_error = str(error)
            if attempt < retries:
                time.sleep(_retry_delay(attempt, backoff, response))
        raise FetchError(f"{url}: failed after {retries + 1} attempt(s): {last_error}")
    finally:
        if own_client:
            client.close()


class _Truncated(Exception):
    pass


def _save(
    url: str,
    response: httpx.Response,
    dest_dir: Path,
    max_bytes: int,
    progress: Callable[[int, int | None], None] | None,
) -> FetchResult:
    declared = response.headers.get("Content-Length")
    total = int(declared) if declared and declared.isdigit() else None
    if total is not None and total > max_bytes:
        raise FetchError(f"{url}: {total:,} bytes is over the limit of {max_bytes:,}")
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / safe_file_name(url, response.headers.get("Content-Disposition"))
    digest = hashlib.sha256()
    received = 0
    handle, temp_name = tempfile.mkstemp(dir=dest_dir, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            try:
                for chunk in response.iter_raw():
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchError(f"{url}: more than the limit of {max_bytes:,} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                    if progress is not None:
                        progress(received, total)
            except (httpx.RemoteProtocolError, httpx.ReadError) as error:
                raise _Truncated(f"connection closed after {received:,} of {total or '?'} bytes ({error})") from None
        if total is not None and received != total:
            raise _Truncated(f"received {received:,} of {total:,} bytes")
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return FetchResult(
        url,
        target,
        "downloaded",
        response.headers.get("ETag"),
        response.headers.get("Last-Modified"),
        received,
        digest.hexdigest(),
    )


def fetch_state_path(data_dir: Path) -> Path:
    """Where `update` remembers each URL's validators between runs."""
    return data_dir / "fetch-state.json"


def load_fetch_state(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def save_fetch_state(path: Path, state: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".tmp")
    temp.write_text(json.dumps(state, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temp, path)
