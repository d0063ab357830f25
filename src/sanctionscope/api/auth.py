"""Who may call what: `Authorization: ApiKey <key>` (as OpenSanctions' hosted API expects), checked per scope."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi import HTTPException, Request

from sanctionscope.api.keys import ApiKey, find_key

#: the cookie the web UI keeps a key in (set by /login)
COOKIE = "sanctionscope_key"
#: how long a verified key is trusted without asking the database again (a revocation takes effect after this)
KEY_CACHE_SECONDS = 10.0


class Authenticator:
    def __init__(self, engine, enabled: bool = True):  # type: ignore[no-untyped-def]
        self.engine = engine
        self.enabled = enabled
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def key_for(self, request: Request) -> ApiKey | None:
        """The key of a request: the Authorization header, else the web UI's cookie."""
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("apikey", "bearer") or not value.strip():
            value = request.cookies.get(COOKIE, "")
        return self.check_key(value.strip()) if value.strip() else None

    def check_key(self, value: str) -> ApiKey | None:
        now = time.monotonic()
        cached = self._cache.get(value)
        if cached and now - cached[0] < KEY_CACHE_SECONDS:
            return cached[1]
        found = find_key(self.engine, value)
        self._cache[value] = (now, found)
        return found

    def require(self, scope: str) -> Callable[[Request], ApiKey | None]:
        """A FastAPI dependency: 401 without a valid key, 403 when the key lacks `scope`."""

        def check(request: Request) -> ApiKey | None:
            if not self.enabled:
                return None
            key = self.key_for(request)
            if key is None:
                raise HTTPException(
                    401,
                    "a valid API key is required: send 'Authorization: ApiKey <key>'",
                    headers={"WWW-Authenticate": "ApiKey"},
                )
            if scope not in key.scopes:
                raise HTTPException(403, f"this key lacks the {scope!r} scope")
            return key

        return check
