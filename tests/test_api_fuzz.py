"""Property-based fuzzing of the OpenAPI spec with schemathesis: no request makes the server fail (5xx).

Runs in-process against the ASGI app on a database with the UN list loaded (small, so that
hundreds of generated requests stay quick), with an admin key so every endpoint is reached.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from sanctionscope.api.app import create_app
from sanctionscope.api.keys import create_key
from sanctionscope.store import db
from sanctionscope.store.load import load_paths

_state: dict[str, str] = {}


@pytest.fixture(scope="session")
def fuzz_app(tmp_path_factory: pytest.TempPathFactory, lists_dir: Path):
    engine = db.connect(str(tmp_path_factory.mktemp("fuzz") / "fuzz.db"))
    load_paths(engine, [lists_dir / "un/un-sc-consolidated-xml/2026-02-27"])
    _state["key"] = create_key(engine, "fuzz", ["read", "screen", "admin"])
    app = create_app(engine)
    app.state.service.matcher()
    return app


# /admin/update would try to reach the official lists over the network: tests never do that
schema = schemathesis.pytest.from_fixture("fuzz_schema").exclude(path="/admin/update")


@pytest.fixture(scope="session")
def fuzz_schema(fuzz_app):
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case) -> None:
    case.call_and_validate(
        headers={"Authorization": f"ApiKey {_state['key']}"}, checks=[schemathesis.checks.not_a_server_error]
    )
