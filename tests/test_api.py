"""The HTTP API: yente-shaped requests and responses field by field, auth, limits, audit, own endpoints."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support import Server
from typer.testing import CliRunner

from sanctionscope.api import auth as auth_module
from sanctionscope.api.app import MAX_QUERIES, create_app
from sanctionscope.api.keys import create_key
from sanctionscope.cli import app as cli
from sanctionscope.store import db

RESULT_FIELDS = {"id", "caption", "schema", "properties", "datasets", "referents", "target", "first_seen",
                 "last_seen", "last_change", "score", "match", "explanations"}  # fmt: skip


def person(*names: str, **properties: list[str]) -> dict:
    return {"schema": "Person", "properties": {"name": list(names), **properties}}


@pytest.fixture(scope="module")
def engine(loaded_db: Path):
    return db.connect(str(loaded_db))


@pytest.fixture(scope="module")
def keys(engine) -> dict[str, str]:
    return {
        scopes: create_key(engine, f"test-{scopes}", scopes.split(","))
        for scopes in ("read", "read,screen", "read,screen,admin")
    }


@pytest.fixture(scope="module")
def client(engine) -> TestClient:
    return TestClient(create_app(engine))


def headers(key: str) -> dict[str, str]:
    return {"Authorization": f"ApiKey {key}"}


def test_system_endpoints_need_no_key(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["version"]
    algorithms = client.get("/algorithms").json()
    assert algorithms["best"] in {a["name"] for a in algorithms["algorithms"]} and algorithms["default"] == "best"


def test_keys_and_scopes(client: TestClient, keys: dict[str, str]) -> None:
    body = {"queries": {"q1": person("Alexander Bastrykin")}}
    assert client.post("/match/default", json=body).status_code == 401
    assert client.post("/match/default", json=body, headers=headers("ss_not-a-key")).status_code == 401
    assert client.post("/match/default", json=body, headers=headers(keys["read"])).status_code == 403
    assert client.post("/match/default", json=body, headers=headers(keys["read,screen"])).status_code == 200
    assert client.get("/catalog", headers=headers(keys["read"])).status_code == 200
    assert client.post("/decisions", json={"left": "a:1", "right": "b:1", "judgement": "same"},
                       headers=headers(keys["read,screen"])).status_code == 403  # fmt: skip


def test_a_revoked_key_stops_working(engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth_module, "KEY_CACHE_SECONDS", 0.0)
    client = TestClient(create_app(engine))
    result = CliRunner().invoke(cli, ["--db", str(engine.url.database), "keys", "create", "short-lived", "--json"])
    key = json.loads(result.stdout)["key"]
    assert client.get("/catalog", headers=headers(key)).status_code == 200
    listed = CliRunner().invoke(cli, ["--db", str(engine.url.database), "keys", "list", "--json"])
    assert key not in listed.stdout and "short-lived" in listed.stdout  # keys are never shown again
    assert CliRunner().invoke(cli, ["--db", str(engine.url.database), "keys", "revoke", "short-lived"]).exit_code == 0
    assert client.get("/catalog", headers=headers(key)).status_code == 401


def test_match_is_yente_shaped_field_by_field(client: TestClient, keys: dict[str, str]) -> None:
    body = {"queries": {"bastrykin": person("Бастрыкин Александр Иванович", birthDate=["1953-08-27"]),
                        "nobody": person("Emily Johnson")}, "weights": {}, "config": {}}  # fmt: skip
    response = client.post("/match/default?limit=3", json=body, headers=headers(keys["read,screen"]))
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"responses", "limit"} and data["limit"] == 3
    hit = data["responses"]["bastrykin"]
    assert set(hit) >= {"status", "results", "total", "query"} and hit["status"] == 200
    assert hit["query"] == {"id": None, **body["queries"]["bastrykin"]}  # yente echoes the id (none given)
    assert hit["total"] == {"value": len(hit["results"]), "relation": "eq"} and 1 <= len(hit["results"]) <= 3
    first = hit["results"][0]
    assert RESULT_FIELDS <= set(first)
    assert first["id"].startswith("ss-") and first["schema"] == "Person" and first["target"] is True
    assert first["match"] is True and first["score"] == 1.0
    assert {"us_ofac_sdn:21186", "eu_journal:32020R1998#I.A-2"} <= set(first["referents"])
    assert {"us_ofac_sdn", "eu_journal", "au_dfat", "ca_sema"} <= set(first["datasets"])
    assert "1953-08-27" in first["properties"]["birthDate"] and first["properties"]["topics"] == ["sanction"]
    assert first["first_seen"] <= first["last_seen"]
    assert first["explanations"]["birth_date"]["score"] == 1.0
    assert first["explanation"]["features"]["birth_date"]["value"] == 1.0  # sanctionscope's own, kept
    assert not any(r["match"] for r in data["responses"]["nobody"]["results"])


def test_datasets_and_filters(client: TestClient, keys: dict[str, str]) -> None:
    h = headers(keys["read,screen"])
    body = {"queries": {"q": person("Alexander Bastrykin")}}

    def ids(url: str) -> list[dict]:
        response = client.post(url, json=body, headers=h)
        assert response.status_code == 200, response.text
        return response.json()["responses"]["q"]["results"]

    assert all("eu_journal" in r["datasets"] for r in ids("/match/eu"))
    assert ids("/match/un") == [] or not any(r["match"] for r in ids("/match/un"))
    subject = ids("/match/default")[0]["id"]
    assert subject not in [r["id"] for r in ids(f"/match/default?exclude_entity_ids={subject}")]
    assert ids("/match/default?exclude_schema=Person") == []
    assert all("eu_journal" in r["datasets"] for r in ids("/match/default?include_dataset=eu"))
    assert client.post("/match/nowhere", json=body, headers=h).status_code == 404
    assert client.post("/match/default?algorithm=unknown", json=body, headers=h).status_code == 400


def test_limits_give_clear_4xx(client: TestClient, keys: dict[str, str]) -> None:
    h = headers(keys["read,screen"])
    many = {"queries": {f"q{i}": person("Ivan Petrov") for i in range(MAX_QUERIES + 1)}}
    too_many = client.post("/match/default", json=many, headers=h)
    assert too_many.status_code == 400 and str(MAX_QUERIES) in too_many.json()["detail"]  # yente's status
    assert client.post("/match/default?limit=-1", json={"queries": {}}, headers=h).status_code == 422
    assert client.post("/match/default?limit=501", json={"queries": {}}, headers=h).status_code == 422
    assert client.post("/match/default?threshold=2", json={"queries": {}}, headers=h).status_code == 422
    assert (
        client.post(
            "/match/default", content=b"{" + b" " * 3_000_000 + b"}", headers={**h, "content-type": "application/json"}
        ).status_code
        == 413
    )

    def chunks():  # no Content-Length: the limit is counted as the body streams in
        yield b"{"
        for _ in range(30):
            yield b" " * 100_000
        yield b"}"

    streamed = client.post("/match/default", content=chunks(), headers={**h, "content-type": "application/json"})
    assert streamed.status_code == 413 and "request body over" in streamed.json()["detail"]
    assert (
        client.post(
            "/match/default", content=b"not json", headers={**h, "content-type": "application/json"}
        ).status_code
        == 422
    )
    mixed = client.post(
        "/match/default", json={"queries": {"bad": person("x" * 600), "ok": person("Ivan Petrov")}}, headers=h
    )
    assert mixed.status_code == 200
    assert mixed.json()["responses"]["bad"]["status"] == 400 and "name" in mixed.json()["responses"]["bad"]["error"]
    assert mixed.json()["responses"]["ok"]["status"] == 200
    assert client.get("/search/default", params={"q": "x" * 501}, headers=h).status_code == 422


def test_every_screening_is_audited(engine, client: TestClient, keys: dict[str, str]) -> None:
    from sanctionscope.api.audit import audit_entries

    before = len(list(audit_entries(engine)))
    body = {"queries": {"u": person("Alisher Usmanov")}}
    client.post("/match/eu", json=body, headers=headers(keys["read,screen"]))
    entries = list(audit_entries(engine))
    assert len(entries) == before + 1
    last = entries[-1]
    assert last["key"] == "test-read,screen" and last["endpoint"] == "/match/eu" and last["data_version"]
    assert last["query"]["queries"]["u"]["properties"]["name"] == ["Alisher Usmanov"]
    assert last["results"]["u"][0]["match"] is True and last["results"]["u"][0]["score"] > 0.8
    exported = CliRunner().invoke(cli, ["--db", str(engine.url.database), "audit", "export", "--since", "2000-01-01"])
    assert json.loads(exported.stdout.splitlines()[-1])["id"] == last["id"]


def test_screen_text_endpoint(engine, client: TestClient, keys: dict[str, str]) -> None:
    from sanctionscope.api.audit import audit_entries

    text = "Journalists asked Alexander Bastrykin. Bastrykin declined. Leonid Volkov spoke."
    assert client.post("/screen/text", json={"text": text}).status_code == 401
    assert client.post("/screen/text", json={"text": text}, headers=headers(keys["read"])).status_code == 403
    response = client.post("/screen/text", json={"text": text}, headers=headers(keys["read,screen"]))
    assert response.status_code == 200
    data = response.json()
    first, second = data["mentions"][0], data["mentions"][1]
    assert text[first["start"] : first["end"]] == "Alexander Bastrykin" and first["sanctioned"]
    assert second["text"] == "Bastrykin" and second["refers_to"] == 0
    assert first["subject"]["designations"]["eu"]["listed_on"] == "2021-03-02"
    assert [p["name"] for p in data["unlisted"]] == ["Leonid Volkov"]
    last = list(audit_entries(engine))[-1]
    assert last["endpoint"] == "/screen/text" and last["query"]["text"] == text
    assert last["results"]["subjects"][0]["sanctioned"] is True
    earlier = client.post("/screen/text", json={"text": text, "as_of": "2021-03-01"}, headers=headers(keys["read,screen"]))
    assert "eu" not in earlier.json()["mentions"][0]["subject"]["designations"]
    too_long = client.post("/screen/text", json={"text": "x" * 200_001}, headers=headers(keys["read,screen"]))
    assert too_long.status_code == 422
    assert client.post("/screen/text", json={"text": ""}, headers=headers(keys["read,screen"])).status_code == 422


def test_search_entities_catalog(client: TestClient, keys: dict[str, str]) -> None:
    h = headers(keys["read"])
    found = client.get("/search/default", params={"q": "Usmanov", "limit": 5}, headers=h).json()
    assert found["results"][0]["caption"].upper().startswith("USMANOV") and found["limit"] == 5
    assert {"countries", "topics", "datasets"} <= set(found["facets"])
    subject = found["results"][0]["id"]
    entity = client.get(f"/entities/{subject}", headers=h)
    assert entity.status_code == 200 and entity.json()["id"] == subject
    moved = client.get("/entities/us_ofac_sdn:35283", headers=h, follow_redirects=False)
    assert moved.status_code == 308 and moved.headers["location"] == f"/entities/{subject}"
    assert client.get("/entities/ss-0000000000", headers=h).status_code == 404
    catalog = client.get("/catalog", headers=h).json()
    names = {d["name"] for d in catalog["datasets"]}
    assert {"default", "us", "eu", "us_ofac_sdn", "eu_journal", "au_dfat"} <= names


def test_subjects_changes_proposals(client: TestClient, keys: dict[str, str]) -> None:
    h, admin = headers(keys["read"]), headers(keys["read,screen,admin"])
    subject = client.get("/subjects/us_ofac_sdn:21186", headers=h).json()
    eu = [d for d in subject["designations"] if d["jurisdiction"] == "eu"]
    assert eu and eu[0]["listed_on"] == "2021-03-02"
    before = client.get("/subjects/us_ofac_sdn:21186", params={"as_of": "2021-03-01"}, headers=h).json()
    assert "eu" not in {d["jurisdiction"] for d in before["designations"]}
    changes = client.get(
        "/changes", params={"source": "us_ofac_sdn", "since": "2022-03-04", "until": "2022-03-04"}, headers=h
    ).json()
    assert any(c["record_id"] == "us_ofac_sdn:35283" and c["change"] == "added" for c in changes["changes"])
    proposal = {"name": "api-seed", "targets": [{"name": "Roman Abramovich"}, {"name": "Alisher Usmanov"}]}
    assert client.post("/proposals", json=proposal, headers=h).status_code == 403
    assert client.post("/proposals", json=proposal, headers=admin).status_code == 201
    assert "api-seed" in {p["name"] for p in client.get("/proposals", headers=h).json()["proposals"]}
    report = client.get("/proposals/api-seed/coverage", headers=h).json()
    rows = {t["name"]: t for t in report["targets"]}
    assert rows["Roman Abramovich"]["designations"]["us"] is None and rows["Roman Abramovich"]["designations"]["eu"]
    assert client.get("/proposals/none/coverage", headers=h).status_code == 404
    assert client.post("/proposals", json={"name": "x", "targets": []}, headers=admin).status_code == 422


def test_decisions_and_update_through_the_api(lists_dir: Path, tmp_path: Path) -> None:
    engine = db.connect(str(tmp_path / "small.db"))
    from sanctionscope.store.load import load_paths

    load_paths(engine, [lists_dir / "un/un-sc-consolidated-xml/2025-11-20", lists_dir / "au/dfat-consolidated-xlsx"])
    key = create_key(engine, "admin", ["read", "screen", "admin"])
    client = TestClient(create_app(engine))
    h = headers(key)
    book = client.app.state.service.book()
    joined = next(s for s in book.all()
                  if sorted(r.partition(":")[0] for r in s.referents) == ["au_dfat", "un_sc"])  # fmt: skip
    left, right = sorted(joined.referents)
    response = client.post("/decisions", json={"left": left, "right": right, "judgement": "different"}, headers=h)
    assert response.status_code == 201
    assert (
        client.post("/decisions", json={"left": left, "right": "nope:1", "judgement": "same"}, headers=h).status_code
        == 404
    )
    after = client.get(f"/subjects/{left}", headers=h).json()
    assert right not in after["referents"]
    with Server(lists_dir) as server:
        url = f"{server.url}/lists/un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml"
        update = client.post("/admin/update", json={"sources": ["un_sc"], "urls": {"un_sc": url}}, headers=h)
    assert update.status_code == 200 and update.json()["failures"] == []
    assert update.json()["loaded"][0]["status"] == "loaded"
    again = client.get(f"/subjects/{left}", headers=h).json()
    assert right not in again["referents"]  # the decision survived the update
