"""FollowTheMoney data served faithfully, replaying yente 5.5.0's expectations on its own fixture files.

yente serves an entity under its publisher's id, with its schema, topics, datasets, `target`
(a risk topic) and dates as published; a referent redirects (308) to the entity; nested, an
entity carries the entities around it (sanctions, addresses, ownership, family...), and
/entities/{id}/adjacent pages through them per property. Each test reads the raw fixture with
json alone and checks what the server answers against it. A small official list (BIS's Denied
Persons List) is loaded too: the official lists' records stay sanctions.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctionscope.api.app import create_app
from sanctionscope.cli import app as cli_app
from sanctionscope.store import db
from sanctionscope.store.load import load_paths

FIXTURE_DAY = date(2024, 6, 1)
THINGS = {"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane"}
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"  # Alexander Vyacheslavovich ZAKHAROV (zala)
LLC_CST = "NK-abdzbEBkqyT29GyREbiURZ"  # LLC CST (Zala Aero), a Company
TOBACCO = "NK-2GdmHtZTeNXjNVrBGEXZNj"  # "Inter Tobacco" (t1), an Organization with referents
KUZMENKO = "NK-2Ka3UvopqbpZmVDFjWd4LA"  # Vitaly Yurievich KUZMENKO (t1)


@pytest.fixture(scope="module")
def ftm_dir(lists_dir: Path) -> Path:
    return lists_dir.parent / "ftm" / "yente-fixtures"


@cache
def raw(path: Path) -> tuple[dict[str, Any], ...]:
    """A fixture file read with json alone, independently of the importer."""
    with path.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def raw_of(ftm_dir: Path, name: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in raw(ftm_dir / f"{name}.entities.ftm.json")}


@pytest.fixture(scope="module")
def engine(ftm_dir: Path, lists_dir: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    engine = db.connect(str(tmp_path_factory.mktemp("ftm-entities") / "ftm.db"))
    report = load_paths(engine, [ftm_dir, lists_dir / "us" / "bis-dpl" / "2022-09-07"], given_date=FIXTURE_DAY)
    assert not report.failures, report.failures
    return engine


@pytest.fixture(scope="module")
def client(engine) -> TestClient:  # type: ignore[no-untyped-def]
    return TestClient(create_app(engine, auth=False))


def get(client: TestClient, url: str, status: int = 200) -> Any:
    response = client.get(url, follow_redirects=False)
    assert response.status_code == status, (url, response.text)
    return response.json() if status == 200 else response


def match(client: TestClient, name: str, url: str = "/match/default", schema: str = "Person") -> list[dict[str, Any]]:
    body = {"queries": {"q": {"schema": schema, "properties": {"name": [name]}}}}
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    return response.json()["responses"]["q"]["results"]


# --- ids, schema, topics, target, datasets, dates -------------------------------------------------


@pytest.mark.parametrize("name", ["zala", "t1", "parteispenden"])
def test_every_thing_is_served_as_published(client: TestClient, ftm_dir: Path, name: str) -> None:
    """yente: the entity's id, schema, caption, topics, datasets, referents, target and dates are the file's."""
    for entity_id, entity in raw_of(ftm_dir, name).items():
        if entity["schema"] not in THINGS:
            continue
        served = get(client, f"/entities/{entity_id}?nested=false")
        assert served["id"] == entity_id and served["schema"] == entity["schema"]
        assert served["caption"] == entity.get("caption", served["caption"])
        assert served["properties"].get("topics") == entity["properties"].get("topics")
        assert served["datasets"] == sorted(entity.get("datasets") or [name])  # no datasets: the file's
        assert set(entity.get("referents", [])) <= set(served["referents"])
        # yente's target: the data's, else a risk topic; the party donors are no targets
        assert served["target"] is entity.get("target", False)
        if "first_seen" in entity:
            assert served["first_seen"] == entity["first_seen"] and served["last_change"] == entity["last_change"]


def test_company_stays_company_and_donors_are_no_sanctions(client: TestClient, ftm_dir: Path) -> None:
    schemata = Counter(e["schema"] for e in raw_of(ftm_dir, "parteispenden").values() if e["schema"] in THINGS)
    assert schemata == {"Company": 56, "Person": 22, "Organization": 18}
    assert get(client, f"/entities/{LLC_CST}?nested=false")["schema"] == "Company"
    donor = get(client, "/entities/f9c295f21b233ac878fbac4d271bb6fd13d7952a?nested=false")
    assert donor["caption"] == "Frau Lina Dachner" and donor["target"] is False and "topics" not in donor["properties"]
    [found] = [r for r in match(client, "Lina Dachner") if r["id"] == donor["id"]]
    assert found["target"] is False
    assert not [r for r in match(client, "Lina Dachner", "/match/default?topics=sanction") if r["id"] == donor["id"]]


def test_official_list_records_keep_sanction(client: TestClient) -> None:
    """A record of an official list (BIS's Denied Persons List) is a target with the topic sanction."""
    search = client.get("/search/default", params={"q": "Aaron Abraham Villa", "include_dataset": "us_bis_dpl"}).json()
    assert search["results"], search
    for entity in search["results"]:
        assert entity["target"] is True and entity["properties"]["topics"] == ["sanction"]
        assert entity["datasets"] == ["us_bis_dpl"] and entity["id"].startswith("ss-")


def test_datasets_filter_match_like_yente(client: TestClient) -> None:
    """Each FtM file is a dataset, and so is each `datasets` value of its entities."""
    assert [r["id"] for r in match(client, "Lina Dachner", "/match/parteispenden")][:1] == [
        "f9c295f21b233ac878fbac4d271bb6fd13d7952a"
    ]
    assert match(client, "Lina Dachner", "/match/default?exclude_dataset=parteispenden") == []
    zakharov = [r["id"] for r in match(client, "Alexander Zakharov", "/match/default?include_dataset=us_ofac_sdn")]
    assert ZAKHAROV in zakharov
    assert ZAKHAROV not in [r["id"] for r in match(client, "Alexander Zakharov", "/match/parteispenden")]


# --- aliases: referents, record ids, subject ids ----------------------------------------------------


def test_referents_record_and_subject_ids_redirect_to_the_publisher_id(client: TestClient, ftm_dir: Path) -> None:
    served = get(client, f"/entities/{TOBACCO}?nested=false")
    published = raw_of(ftm_dir, "t1")[TOBACCO]["referents"]
    subject_ids = [r for r in served["referents"] if r.startswith("ss-")]
    assert len(subject_ids) == 1 and f"ftm:{TOBACCO}" in served["referents"]
    for alias in [*published, f"ftm:{TOBACCO}", *subject_ids]:
        response = get(client, f"/entities/{alias}", status=308)
        assert response.headers["location"] == f"/entities/{TOBACCO}", alias
    get(client, "/entities/banana", status=404)
    assert client.get(f"/entities/{published[0]}").json()["id"] == TOBACCO  # a client that follows lands there


def test_exclude_entity_ids_by_every_id_the_entity_answers_to(client: TestClient, ftm_dir: Path) -> None:
    found = match(client, "Vitaly Kuzmenko")
    assert found[0]["id"] == KUZMENKO
    subject_id = next(r for r in found[0]["referents"] if r.startswith("ss-"))
    for excluded in [KUZMENKO, f"ftm:{KUZMENKO}", subject_id, *raw_of(ftm_dir, "t1")[KUZMENKO]["referents"]]:
        ids = [r["id"] for r in match(client, "Vitaly Kuzmenko", f"/match/default?exclude_entity_ids={excluded}")]
        assert KUZMENKO not in ids, excluded
    assert match(client, "Vitaly Kuzmenko", f"/match/default?exclude_entity_ids={ZAKHAROV}")[0]["id"] == KUZMENKO


# --- nested and adjacent ---------------------------------------------------------------------------


def pointing_at(entities: dict[str, dict[str, Any]], prop: str, target: str) -> set[str]:
    return {e["id"] for e in entities.values() if target in e["properties"].get(prop, [])}


def test_nested_entity_carries_sanctions_family_ownership_and_directorships(client: TestClient, ftm_dir: Path) -> None:
    entities = raw_of(ftm_dir, "zala")
    nested = get(client, f"/entities/{ZAKHAROV}")  # yente nests by default
    props = nested["properties"]
    assert {s["id"] for s in props["sanctions"]} == pointing_at(entities, "entity", ZAKHAROV)
    assert len(props["sanctions"]) == 13
    for sanction in props["sanctions"]:
        assert sanction["schema"] == "Sanction" and "entity" not in sanction["properties"]  # never back to the root
        assert sanction["properties"]["authority"] == entities[sanction["id"]]["properties"]["authority"]
    families = {f["id"]: f for f in props.get("familyPerson", []) + props.get("familyRelative", [])}
    assert families
    assert set(families) == pointing_at(entities, "person", ZAKHAROV) | pointing_at(entities, "relative", ZAKHAROV)
    for family in families.values():
        [other] = family["properties"].get("relative") or family["properties"]["person"]
        raw_family = entities[family["id"]]["properties"]
        assert other["id"] in raw_family["relative"] + raw_family["person"] and other["schema"] == "Person"
    owned = {o["id"]: o for o in props["ownershipOwner"]}
    assert set(owned) == pointing_at(entities, "owner", ZAKHAROV)
    for ownership in owned.values():
        [asset] = ownership["properties"]["asset"]
        assert asset["id"] == entities[ownership["id"]]["properties"]["asset"][0]
        assert asset["properties"]["name"]  # the company at the other end, as an entity
    directorships = {d["properties"]["organization"][0]["id"] for d in props["directorshipDirector"]}
    assert LLC_CST in directorships
    [passport] = props["identification"]
    assert passport["schema"] == "Passport" and passport["id"] in pointing_at(entities, "holder", ZAKHAROV)


def test_a_relationship_entity_is_served_with_its_ends(client: TestClient, ftm_dir: Path) -> None:
    entities = raw_of(ftm_dir, "zala")
    [ownership_id] = sorted(pointing_at(entities, "owner", ZAKHAROV))[:1]
    ownership = get(client, f"/entities/{ownership_id}")
    assert ownership["schema"] == "Ownership" and ownership["datasets"] == sorted(entities[ownership_id]["datasets"])
    [owner] = ownership["properties"]["owner"]
    assert owner["id"] == ZAKHAROV and owner["caption"] == "Alexander Vyacheslavovich ZAKHAROV"


def test_adjacent_pages_per_property_as_yente(client: TestClient, ftm_dir: Path) -> None:
    entities = raw_of(ftm_dir, "zala")
    sanctions = pointing_at(entities, "entity", ZAKHAROV)
    adjacent = get(client, f"/entities/{ZAKHAROV}/adjacent?limit=2")
    assert adjacent["entity"]["id"] == ZAKHAROV and "sanctions" not in adjacent["entity"]["properties"]
    page = adjacent["adjacent"]["sanctions"]
    assert page["total"] == {"value": len(sanctions), "relation": "eq"}
    assert (len(page["results"]), page["limit"], page["offset"]) == (2, 2, 0)
    assert adjacent["adjacent"]["ownershipOwner"]["total"]["value"] == len(pointing_at(entities, "owner", ZAKHAROV))
    seen: list[str] = []
    for offset in range(0, 15, 5):
        one = get(client, f"/entities/{ZAKHAROV}/adjacent/sanctions?limit=5&offset={offset}")
        assert one["total"]["value"] == 13 and one["offset"] == offset
        seen += [s["id"] for s in one["results"]]
    assert len(seen) == 13 and set(seen) == sanctions
    get(client, f"/entities/{ZAKHAROV}/adjacent/name", status=404)  # not an entity property
    get(client, "/entities/banana/adjacent", status=404)
    moved = get(client, "/entities/ofac-45937/adjacent/sanctions", status=308)
    assert moved.headers["location"] == f"/entities/{ZAKHAROV}/adjacent/sanctions"


def test_list_records_get_their_sanction_and_address_entities(client: TestClient) -> None:
    [first] = client.get("/search/default", params={"q": "Aaron Abraham Villa", "include_dataset": "us_bis_dpl"}).json()[
        "results"
    ][:1]
    nested = get(client, f"/entities/{first['id']}")
    [sanction] = nested["properties"]["sanctions"]
    assert sanction["schema"] == "Sanction" and sanction["properties"]["country"] == ["us"]
    addresses = nested["properties"].get("addressEntity", [])
    assert all(a["schema"] == "Address" for a in addresses)


# --- load --dataset, export -----------------------------------------------------------------------


def test_load_dataset_names_one_dataset_and_export_writes_every_entity(ftm_dir: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    database = tmp_path / "one.db"
    path = ftm_dir / "t1.entities.ftm.json"
    loaded = runner.invoke(cli_app, ["--db", str(database), "load", str(path), "--date", "2024-06-01",
                                     "--dataset", "my_list", "--json"])  # fmt: skip
    assert loaded.exit_code == 0, loaded.output
    exported = runner.invoke(cli_app, ["--db", str(database), "export", "--format", "ftm"])
    assert exported.exit_code == 0, exported.output
    lines = [json.loads(line) for line in exported.stdout.splitlines() if line.startswith("{")]
    assert Counter(e["schema"] for e in lines) == Counter(e["schema"] for e in raw(path))
    assert {d for e in lines for d in e["datasets"]} == {"my_list"}
    bad = runner.invoke(cli_app, ["--db", str(database), "load", str(path), "--dataset", "no spaces please"])
    assert bad.exit_code == 2 and "--dataset" in bad.output
    dpl = ftm_dir.parent.parent / "lists" / "us" / "bis-dpl" / "2019-06-29"
    refused = runner.invoke(cli_app, ["--db", str(database), "load", str(dpl), "--dataset", "x"])
    assert refused.exit_code == 1 and "--dataset names the dataset of FollowTheMoney files" in refused.output
