"""yente's HTTP behaviour (5.5.0), replayed on yente's own fixture files (../shared/data/ftm/yente-fixtures).

Each test states the yente expectation it replays: lenient query values, algorithm names, validation
and status codes, explanations, /search semantics, /catalog with ETag, /reconcile (OpenRefine), and
a client generated from our /openapi.json validating real answers.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from followthemoney import model
from followthemoney.types import registry

from sanctionscope.api import search_file
from sanctionscope.api import service as service_module
from sanctionscope.api.app import MAX_QUERIES, create_app
from sanctionscope.api.datasets import Selection
from sanctionscope.api.query_string import words as search_words
from sanctionscope.store import db
from sanctionscope.store.load import load_paths

YENTE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
YENTE_ALGORITHMS = ("logic-v2", "logic-v1", "name-based", "name-qualified", "regression-v1", "best", "LOGIC-V2")
FIXTURE_DAY = date(2024, 6, 1)


@pytest.fixture(scope="module")
def ftm_dir(lists_dir: Path) -> Path:
    return lists_dir.parent / "ftm" / "yente-fixtures"


@pytest.fixture(scope="module")
def client(ftm_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    engine = db.connect(str(tmp_path_factory.mktemp("yente") / "yente.db"))
    report = load_paths(engine, [ftm_dir], given_date=FIXTURE_DAY)
    assert not report.failures
    return TestClient(create_app(engine, auth=False))


def match(client: TestClient, properties: dict, url: str = "/match/default", schema: str = "Person", **extra) -> dict:
    body = {"queries": {"q": {"schema": schema, "properties": properties}}, **extra}
    response = client.post(url, json=body)
    assert response.status_code == 200, response.text
    return response.json()["responses"]["q"]


def search(client: TestClient, **params) -> dict:
    response = client.get("/search/default", params=params)
    assert response.status_code == 200, response.text
    return response.json()


# 1. lenient input --------------------------------------------------------------------------------


def test_a_string_a_country_name_and_a_number_are_read_as_yente_reads_them(client: TestClient) -> None:
    body = {"queries": {"k": {"id": "my-id", "schema": "Person", "properties": {
        "name": "Vitaly Yurievich Kuzmenko", "country": "Russia", "birthDate": [1971], "nonsense": ["x"]}}}}  # fmt: skip
    response = client.post("/match/default", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()["responses"]["k"]
    # the query is echoed as yente echoes it: its id, values cleaned by followthemoney, unknown properties dropped
    assert answer["query"] == {"id": "my-id", "schema": "Person", "properties": {
        "name": ["Vitaly Yurievich Kuzmenko"], "country": ["ru"], "birthDate": ["1971"]}}  # fmt: skip
    first = answer["results"][0]
    assert first["caption"] == "Vitaly Yurievich KUZMENKO" and first["match"] is True
    assert first["explanations"]["birth_date"]["score"] > 0  # 1971 agrees with 1971-01-22
    assert first["explanations"]["country"]["score"] > 0  # Russia → ru agrees


def test_a_body_without_content_type_is_accepted(client: TestClient) -> None:
    body = json.dumps({"queries": {"k": {"schema": "Person", "properties": {"name": ["Vitaly Kuzmenko"]}}}})
    response = client.post("/match/default", content=body.encode())
    assert "content-type" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 200, response.text
    assert response.json()["responses"]["k"]["results"][0]["caption"] == "Vitaly Yurievich KUZMENKO"


# 2. algorithms -----------------------------------------------------------------------------------


def test_yente_algorithm_names_are_accepted_and_algorithms_has_yentes_shape(client: TestClient) -> None:
    for name in YENTE_ALGORITHMS:
        answer = match(client, {"name": ["Vitaly Kuzmenko"]}, url=f"/match/default?algorithm={name}")
        assert answer["results"][0]["caption"] == "Vitaly Yurievich KUZMENKO", name
    assert client.post("/match/default?algorithm=logic-v9",
                       json={"queries": {"q": {"schema": "Person", "properties": {"name": "x"}}}}).status_code == 400  # fmt: skip
    listed = client.get("/algorithms").json()
    names = {a["name"] for a in listed["algorithms"]}
    assert {"logic-v2", "logic-v1", "name-based", "name-qualified", "regression-v1"} <= names
    assert listed["best"] in names and listed["default"] == "best"
    for algorithm in listed["algorithms"]:
        assert algorithm["docs"]["name"] == algorithm["name"]
        if algorithm["name"] != listed["best"]:  # a yente name says what it runs here
            assert "runs sanctionscope's matcher" in algorithm["description"], algorithm["name"]
        assert algorithm["docs"]["features"] == algorithm["features"]
        assert {"name", "birth_date", "identifier"} <= set(algorithm["features"])
        assert all({"description", "coefficient", "url"} <= set(doc) for doc in algorithm["features"].values())


def test_name_based_compares_names_alone(client: TestClient) -> None:
    wrong_birth = {"name": ["Vitaly Yurievich Kuzmenko"], "birthDate": ["1950-05-05"]}
    full = match(client, wrong_birth, url="/match/default?algorithm=logic-v2&threshold=0.1")["results"][0]
    names_only = match(client, wrong_birth, url="/match/default?algorithm=name-based&threshold=0.1")["results"][0]
    assert full["explanations"]["birth_date"]["score"] < 0 and "birth_date" not in names_only["explanations"]
    assert names_only["score"] > full["score"]


# 9. validation, explanations, id ---------------------------------------------------------------


def test_validation_and_status_codes_are_yentes(client: TestClient) -> None:
    def status(body: dict, url: str = "/match/default") -> int:
        return client.post(url, json=body).status_code

    person = {"schema": "Person", "properties": {"name": ["Vitaly Kuzmenko"]}}
    assert status({"queries": {"q": {"properties": {"name": ["Vitaly Kuzmenko"]}}}}) == 422  # schema is required
    assert status({"queries": {"q": {**person, "schema": "Alien"}}}) == 400  # unknown schema
    assert status({"queries": {"q": {**person, "schema": "Sanction"}}}) == 400  # not a matchable schema
    assert status({"queries": {"q": person}, "config": {"nm_number_mismatch": 0.4}}) == 400  # no such config here
    assert status({"queries": {}}) == 400  # "No queries provided."
    assert status({"queries": {f"q{i}": person for i in range(MAX_QUERIES + 1)}}) == 400
    assert status({"queries": {"q": person}}, "/match/nowhere") == 404
    assert client.post("/match/default?changed_since=yesterday", json={"queries": {"q": person}}).status_code == 422
    ok = client.post("/match/default", json={"queries": {"q": person}, "weights": {"name": 0.5}})
    assert ok.status_code == 200 and ok.headers["x-batch-size"] == "1"


def test_weights_move_the_features_they_name_and_unknown_names_are_ignored_as_yente(client: TestClient) -> None:
    wrong_birth = {"name": ["Vitaly Yurievich Kuzmenko"], "birthDate": ["1950-05-05"]}
    url = "/match/default?threshold=0.9&cutoff=0.1"

    def first(weights: dict) -> dict:
        return match(client, wrong_birth, url=url, weights=weights)["results"][0]

    plain = first({})
    conflict = plain["explanations"]["birth_date"]["score"]
    assert conflict < 0 and plain["match"] is False  # the wrong birth date costs the match
    assert first({"nonsense_feature": 5.0}) == plain  # yente (nomenklatura) ignores weights its algorithm lacks
    name_score = plain["explanations"]["name"]["score"]
    for weights in ({"dob_day_disjoint": 0.0}, {"dob_day_disjoint": -0.0, "dob_year_disjoint": 0.0}, {"birth_date": 0}):
        ignored = first(weights)  # yente's penalty (or ours) weighed 0: the birth date no longer counts
        assert ignored["score"] == pytest.approx(min(1.0, name_score), abs=1e-4) and ignored["match"] is True, weights
    harsher = first({"dob_day_disjoint": -0.5})  # a penalty's weight is its magnitude here
    assert harsher["score"] == pytest.approx(max(0.0, name_score + 0.5 * conflict), abs=1e-4)
    halved = first({"name_match": 0.5, "birth_date": 0.0})  # logic-v2's name feature: the name score's weight
    assert halved["score"] == pytest.approx(0.5 * name_score, abs=1e-4)
    # an equal identifier scores its weight (1.0 by default: decisive), as yente's identifier features do
    by_number = {"name": ["Inter Tobacco Holdings"], "registrationNumber": ["808000714"]}
    decisive = match(client, by_number, schema="Organization", url=url)["results"][0]
    assert decisive["score"] == 1.0
    weighed = match(client, by_number, schema="Organization", url=url, weights={"identifier_match": 0.0})["results"][0]
    assert weighed["id"] == decisive["id"] and weighed["score"] == weighed["explanations"]["name"]["score"] < 1.0


def test_limit_zero_answers_how_many_match_without_results_as_yente(client: TestClient) -> None:
    name = {"name": ["Svetlana Zakharova"], "birthDate": ["1964-03-18"]}
    counted = client.post("/match/default?limit=0", json={"queries": {"q": {"schema": "Person", "properties": name}}})
    assert counted.status_code == 200, counted.text  # yente takes 0 (no lower bound), it is not a 422
    answer = counted.json()
    assert answer["limit"] == 0 and answer["responses"]["q"]["results"] == []
    listed = match(client, name, url="/match/default?limit=50")["results"]
    assert answer["responses"]["q"]["total"]["value"] == sum(1 for r in listed if r["match"]) >= 1
    assert client.post("/match/default?limit=-1", json={"queries": {"q": {"schema": "Person", "properties": name}}}
                       ).status_code == 422  # fmt: skip


def test_a_query_without_a_usable_name_gets_400_and_a_message(client: TestClient) -> None:
    cases = {"birth_only": {"birthDate": ["1964-03-18"]}, "punctuation": {"name": ["!!! ---", "..."]},
             "dots_and_a_date": {"name": "…", "birthDate": "1964"}, "ok": {"name": ["Svetlana Zakharova"]}}  # fmt: skip
    body = {"queries": {key: {"schema": "Person", "properties": props} for key, props in cases.items()}}
    response = client.post("/match/default", json=body)
    assert response.status_code == 200, response.text  # the other queries of the batch are answered
    responses = response.json()["responses"]
    for key in ("birth_only", "punctuation", "dots_and_a_date"):
        assert responses[key]["status"] == 400 and "at least one name" in responses[key]["error"], key
        assert responses[key]["results"] == [] and responses[key]["total"]["value"] == 0
    assert responses["ok"]["status"] == 200 and responses["ok"]["results"]


def test_explanations_have_yentes_shape_and_ours_is_kept(client: TestClient) -> None:
    first = match(client, {"name": ["Svetlana Zakharova"], "birthDate": ["1964-03-18"]})["results"][0]
    assert first["caption"] == "Svetlana Nikolaevna Zakharova"
    for feature, explanation in first["explanations"].items():
        assert set(explanation) == {"score", "detail", "query", "candidate"}, feature
        assert isinstance(explanation["score"], float)
    assert first["explanations"]["name"]["query"] == "Svetlana Zakharova"
    assert "zakharova" in first["explanations"]["name"]["candidate"].lower()
    assert first["explanations"]["birth_date"] == {"score": 1.0, "detail": "same day 1964-03-18", "query": None,
                                                   "candidate": None}  # fmt: skip
    assert first["explanation"]["name"]["aligned"]  # sanctionscope's own explanation, as an extra field
    for field in ("first_seen", "last_seen", "last_change"):
        assert YENTE_DATETIME.match(first[field]), first[field]


def test_filters_that_leave_no_dataset_select_nothing(client: TestClient) -> None:
    name = {"name": ["Vitaly Kuzmenko"]}
    assert match(client, name)["results"]
    assert match(client, name, url="/match/default?include_dataset=un")["results"] == []  # nothing of the UN loaded
    datasets = match(client, name)["results"][0]["datasets"]
    excluded = "&".join(f"exclude_dataset={d}" for d in datasets)
    assert match(client, name, url=f"/match/default?{excluded}")["results"] == []
    assert match(client, name, url=f"/match/default?include_dataset={datasets[0]}")["results"]
    assert match(client, name, url=f"/match/{datasets[0]}")["results"]
    assert search(client, q="Kuzmenko", exclude_dataset=datasets)["total"]["value"] == 0
    assert match(client, name, url="/match/default?topics=role.pep")["results"] == []
    assert match(client, name, url="/match/default?changed_since=2999-01-01")["results"] == []
    found = match(client, name)["results"][0]
    for referent in (found["id"], found["referents"][0]):
        assert match(client, name, url=f"/match/default?exclude_entity_ids={referent}")["results"] == []


def test_a_dataset_excluded_keeps_entities_on_another_as_yente() -> None:
    sources = {"default": {"us_ofac_sdn", "eu_journal", "ftm"}, "us": {"us_ofac_sdn"}, "eu": {"eu_journal"},
               "us_ofac_sdn": {"us_ofac_sdn"}, "eu_journal": {"eu_journal"}, "ftm": {"ftm"}}  # fmt: skip

    def selects(scope: str, include: tuple = (), exclude: tuple = (), datasets=(), on=()) -> bool:
        selection = Selection(scope, include, exclude, sources.get, frozenset(["us_ofac_sdn", "eu_journal", "ftm"]))
        return selection.selects(datasets, on)

    on_two = {"datasets": ["us_ofac_sdn", "eu_journal"], "on": ["us_ofac_sdn", "eu_journal"]}
    assert selects("default", exclude=("us",), **on_two)  # still on the EU's list
    assert not selects("default", exclude=("us", "eu_journal"), **on_two)
    assert not selects("default", include=("un",), **on_two)  # a jurisdiction with nothing loaded
    assert selects("eu", **on_two) and not selects("eu", exclude=("eu",), **on_two)
    published = {"datasets": ["eu_fsf"], "on": ["ftm"]}  # an OpenSanctions entity, loaded from an FtM file
    assert selects("default", **published) and selects("ftm", **published) and selects("eu_fsf", **published)
    assert selects("default", include=("eu_fsf",), **published) and not selects("default", include=("us",), **published)
    assert not selects("default", exclude=("eu_fsf",), **published) and not selects("default", exclude=("ftm",), **published)


# 6. /search --------------------------------------------------------------------------------------


def test_search_without_q_lists_and_facets_everything(client: TestClient) -> None:
    everything = search(client, limit=0, facets=["schema", "countries", "topics", "datasets"])
    assert everything["results"] == [] and everything["total"]["relation"] == "eq"
    total = everything["total"]["value"]
    schemata = {v["name"]: v["count"] for v in everything["facets"]["schema"]["values"]}
    assert sum(schemata.values()) == total and schemata["Person"] >= 6
    assert everything["facets"]["schema"]["label"] == "Entity types"
    countries = {v["name"]: v for v in everything["facets"]["countries"]["values"]}
    assert countries["ru"]["label"] == "Russia" and countries["de"]["count"] >= 20  # the party donors
    persons = search(client, schema="Person", limit=500)
    assert persons["total"]["value"] == schemata["Person"] == len(persons["results"])
    assert {r["schema"] for r in persons["results"]} == {"Person"}
    assert client.get("/search/default", params={"schema": "Alien"}).status_code == 400


def test_search_matches_identifiers_and_other_text_with_and(client: TestClient) -> None:
    by_number = search(client, q="808000714")  # Inter Tobacco's registration number (t1)
    assert [r["caption"] for r in by_number["results"]] == ["RAB „Inter Tobacco“"]
    by_place = search(client, q="Izhevsk")  # a word of Zakharova's birth place, in none of her names
    assert "Svetlana Nikolaevna Zakharova" in [r["caption"] for r in by_place["results"]]
    for result in by_place["results"]:  # every other result has the word somewhere too (an address…)
        assert "izhevsk" in json.dumps(result["properties"], ensure_ascii=False).casefold(), result["caption"]
    both = search(client, q="zakharova izhevsk")["results"]  # a name's word and another property's
    assert "Svetlana Nikolaevna Zakharova" in [r["caption"] for r in both]
    assert all("izhevsk" in json.dumps(r["properties"], ensure_ascii=False).casefold() for r in both)
    assert search(client, q="zakharova minsk")["total"]["value"] == 0  # every word must be found
    across_scripts = search(client, q="Захарова")
    assert "Svetlana Nikolaevna Zakharova" in [r["caption"] for r in across_scripts["results"]]


def captions(found: dict) -> list[str]:
    return [r["caption"] for r in found["results"]]


def latin_words(result: dict, names_only: bool = False) -> set[str]:
    """Every word of a result's values (or of its names), as the search reads them."""
    schema = model.get(result["schema"])
    values = [v for prop, vs in result["properties"].items() for v in vs if isinstance(v, str)
              and (not names_only or (schema.get(prop) is not None and schema.get(prop).type == registry.name))]  # fmt: skip
    return {w for v in values for w in search_words(v)}


def test_search_reads_yentes_query_syntax(client: TestClient) -> None:
    zakharova = "Svetlana Nikolaevna Zakharova"
    # a phrase: its words one after another in a name; the same words in another order are not the phrase
    assert "RAB „Inter Tobacco“" in captions(search(client, q="tobacco inter"))
    assert "RAB „Inter Tobacco“" in captions(search(client, q='"inter tobacco"'))
    assert search(client, q='"tobacco inter"')["total"]["value"] == 0
    assert zakharova in captions(search(client, q='"Nikolaevna Zakharova"'))
    # OR, NOT, -word, +word, AND, grouping
    either = search(client, q="kuzmenko OR izhevsk", limit=500)
    assert {zakharova, "Vitaly Yurievich KUZMENKO"} <= set(captions(either))
    assert all({"kuzmenko", "izhevsk"} & latin_words(r) for r in either["results"])
    assert search(client, q="kuzmenko izhevsk")["total"]["value"] == 0  # AND is the default
    for without in ("zakharova -izhevsk", "zakharova NOT izhevsk", "zakharova AND NOT izhevsk", "zakharova && !izhevsk"):  # fmt: skip
        assert zakharova not in captions(search(client, q=without, limit=500)), without
    assert zakharova in captions(search(client, q="+zakharova +izhevsk"))
    assert zakharova in captions(search(client, q="(kuzmenko OR zakharova) AND izhevsk"))
    everything = search(client, limit=0)["total"]["value"]
    others = search(client, q="NOT izhevsk", limit=500)
    assert 0 < others["total"]["value"] < everything and zakharova not in captions(others)
    # fields: names only, a type group (in any case, as yente's keyword normalizer), the schema, a property
    assert search(client, q="izhevsk")["total"]["value"] >= 1
    assert search(client, q="name:izhevsk")["total"]["value"] == 0
    assert zakharova in captions(search(client, q="names:zakharova countries:ru"))
    assert search(client, q="countries:RU", limit=0)["total"] == search(client, q="countries:ru", limit=0)["total"]
    assert search(client, q="countries:ru", limit=0)["total"] == search(client, countries="ru", limit=0)["total"]
    assert captions(search(client, q="schema:Organization tobacco")) == ["RAB „Inter Tobacco“"]
    assert search(client, q="schema:Person tobacco")["total"]["value"] == 0
    assert captions(search(client, q="birthDate:1964-03-18")) == [zakharova]
    named = search(client, q='name:"Nikolaevna Zakharova" OR name:kuzmenko', limit=500)["results"]
    assert {zakharova, "Vitaly Yurievich KUZMENKO"} <= {r["caption"] for r in named}
    assert all({"kuzmenko", "zakharova"} & latin_words(r, names_only=True) for r in named)
    # the name matcher adds across scripts only what the other clauses allow
    assert zakharova in captions(search(client, q="Захарова"))
    assert zakharova not in captions(search(client, q="Захарова -izhevsk", limit=500))


def test_search_never_fails_on_a_malformed_query(client: TestClient) -> None:
    plain = search(client, q="zakharova izhevsk")
    for broken in ('"zakharova izhevsk', 'zakharova izhevsk"', "(zakharova izhevsk", "zakharova) izhevsk"):
        assert search(client, q=broken)["total"] == plain["total"], broken  # read as its plain words
    for odd in ("zakharova AND", "OR", "NOT", "-", '"', "()", "name:", ":ru", "http://example.com/x?a=b",
                "(" * 250, "NOT " * 120 + "x", 'a:"b" OR (c AND "d', "\\", "*", "countries:", "zakharova~2 izh*"):  # fmt: skip
        response = client.get("/search/default", params={"q": odd})
        assert response.status_code == 200, (odd, response.text)


def test_search_filters_filter_op_target_and_changed_since(client: TestClient) -> None:
    russian = search(client, countries="ru", limit=500)
    assert russian["total"]["value"] >= 1
    for result in russian["results"]:  # ru in some property of the country type
        schema = model.get(result["schema"])
        countries = {v for name, values in result["properties"].items() if schema.get(name) is not None
                     and schema.get(name).type == registry.country for v in values}  # fmt: skip
        assert "ru" in countries, result["caption"]
    either = search(client, filter=["countries:ru", "countries:de"], limit=0)["total"]["value"]
    both = search(client, filter=["countries:ru", "countries:de"], filter_op="AND", limit=0)["total"]["value"]
    german = search(client, countries="de", limit=0)["total"]["value"]
    assert either >= max(russian["total"]["value"], german) > both
    born = search(client, filter="birthDate:1964-03-18")
    assert [r["caption"] for r in born["results"]] == ["Svetlana Nikolaevna Zakharova"]
    assert client.get("/search/default", params={"filter": "no-colon"}).status_code == 400
    assert search(client, changed_since="2999-01-01")["total"]["value"] == 0
    assert search(client, changed_since="2000-01-01", limit=0)["total"]["value"] == search(client, limit=0)["total"]["value"]
    targets = search(client, target="true", limit=0)["total"]["value"]
    others = search(client, target="false", limit=0)["total"]["value"]
    assert targets + others == search(client, limit=0)["total"]["value"]
    assert search(client, include_dataset="un", limit=0)["total"]["value"] == 0  # nothing of the UN loaded
    assert search(client, topics="role.pep", countries="ru", filter_op="AND", limit=0)["total"]["value"] <= russian["total"]["value"]


def test_search_sorts_and_pages(client: TestClient) -> None:
    ordered = search(client, schema="Person", sort="caption:asc", limit=500)["results"]
    captions = [r["caption"].casefold() for r in ordered]
    assert captions == sorted(captions) and len(captions) > 5
    backwards = search(client, schema="Person", sort="caption:desc", limit=500)["results"]
    assert [r["id"] for r in backwards] == [r["id"] for r in reversed(ordered)]
    pages = [search(client, schema="Person", sort="caption", limit=3, offset=o)["results"] for o in (0, 3)]
    assert [r["id"] for r in pages[0] + pages[1]] == [r["id"] for r in ordered[:6]]
    assert client.get("/search/default", params={"sort": "shoe_size"}).status_code == 400
    assert client.get("/search/default", params={"limit": 501}).status_code == 422


def test_the_search_table_is_built_once_per_data_version_and_read_by_other_workers(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    service = client.app.state.service
    first = search(client, q="Kuzmenko")
    path = search_file.search_path(service.engine)
    stored = search_file.read_table(path, service.version)
    assert stored is not None and len(stored) == len(service.search_table())
    assert search_file.read_table(path, "another-version") is None

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the table was built again")

    monkeypatch.setattr(search_file.multiprocessing, "get_context", never)  # no child process
    monkeypatch.setattr(search_file, "table_entities", never)  # and no build here
    other_worker = TestClient(create_app(service.engine, auth=False))
    assert search(other_worker, q="Kuzmenko") == first


# 8. /catalog --------------------------------------------------------------------------------------


def test_catalog_has_yentes_fields_and_etag(client: TestClient) -> None:
    response = client.get("/catalog")
    assert response.status_code == 200
    catalog = response.json()
    assert set(catalog) >= {"datasets", "current", "outdated", "index_stale"} and catalog["index_stale"] is False
    sources = [d for d in catalog["datasets"] if d["load"]]
    assert sources and catalog["current"] == [d["name"] for d in sources] and catalog["outdated"] == []
    for dataset in sources:
        assert dataset["version"] == dataset["index_version"] and dataset["index_current"] is True
        assert dataset["updated_at"] == "2024-06-01T00:00:00" and YENTE_DATETIME.match(dataset["last_change"])
        assert dataset["entity_count"] > 0
    default = next(d for d in catalog["datasets"] if d["name"] == "default")
    published = {d["name"] for d in catalog["datasets"] if d["type"] == "source" and not d["load"]}  # FtM datasets
    assert default["load"] is False and set(default["children"]) == {d["name"] for d in sources} | published
    tag = response.headers["etag"]
    again = client.get("/catalog", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/catalog", headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_datasets_of_ftm_files_are_in_the_catalog_and_select_entities(client: TestClient) -> None:
    listed = {d["name"]: d for d in client.get("/catalog").json()["datasets"]}
    everything = search(client, limit=0, facets=["datasets"])["facets"]["datasets"]["values"]
    facet_counts = {v["name"]: v["count"] for v in everything}  # things per dataset, as the entities name them
    assert {"parteispenden", "eu_fsf", "us_ofac_sdn", "ext_ru_egrul"} <= set(listed)
    for name, things in facet_counts.items():
        dataset = listed[name]
        assert dataset["thing_count"] == things and dataset["entity_count"] >= things, name
        assert dataset["type"] == "source" and dataset["load"] is False and dataset["title"]
        assert YENTE_DATETIME.match(dataset["updated_at"]) and dataset["version"] == listed["ftm"]["version"]
    # the party donors' file: its Payment and Address entities count in entity_count, not in thing_count
    assert listed["parteispenden"]["entity_count"] > listed["parteispenden"]["thing_count"] == 96
    donors = match(client, {"name": ["Lina Dachner"]}, url="/match/parteispenden?threshold=0.1&cutoff=0.1")["results"]
    sanctioned = match(client, {"name": ["Svetlana Zakharova"]}, url="/match/parteispenden?cutoff=0.1")["results"]
    assert donors and all("parteispenden" in r["datasets"] for r in donors) and sanctioned == []
    name = {"name": ["Svetlana Zakharova"]}
    uk = match(client, name, url="/match/gb_fcdo_sanctions")["results"]
    assert uk[0]["caption"] == "Svetlana Nikolaevna Zakharova"
    assert match(client, name, url="/match/eu_fsf")["results"] == []  # she is on the UK's list, not the EU's
    assert match(client, name, url="/match/default?include_dataset=gb_fcdo_sanctions")["results"]
    assert match(client, name, url="/match/default?include_dataset=parteispenden")["results"] == []
    on_many = match(client, name)["results"][0]["datasets"]
    assert match(client, name, url="/match/default?exclude_dataset=gb_fcdo_sanctions")["results"]  # still on others
    left = "&".join(f"exclude_dataset={d}" for d in on_many)
    assert match(client, name, url=f"/match/default?{left}")["results"] == []
    without = search(client, exclude_dataset="parteispenden", limit=0)["total"]["value"]
    assert search(client, limit=0)["total"]["value"] - without == facet_counts["parteispenden"]
    assert client.get("/search/parteispenden", params={"limit": 0}).json()["total"]["value"] == facet_counts["parteispenden"]


def test_catalog_shows_data_the_index_has_not_picked_up(ftm_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "RECHECK_SECONDS", 1e9)  # the server keeps its index until told
    engine = db.connect(str(tmp_path / "stale.db"))
    load_paths(engine, [ftm_dir / "t1.entities.ftm.json"], given_date=FIXTURE_DAY)
    client = TestClient(create_app(engine, auth=False))
    before = client.get("/catalog")
    assert before.json()["index_stale"] is False
    load_paths(engine, [ftm_dir / "zala.entities.ftm.json"], given_date=date(2024, 6, 2))
    after = client.get("/catalog", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200  # the data changed: the old tag no longer holds
    stale = after.json()
    assert stale["index_stale"] is True and stale["outdated"]
    changed = next(d for d in stale["datasets"] if d["name"] == stale["outdated"][0])
    assert changed["version"] != changed["index_version"] and changed["index_current"] is False
    monkeypatch.setattr(service_module, "RECHECK_SECONDS", 0.0)
    client.app.state.service.invalidate()
    assert client.get("/catalog").json()["index_stale"] is False


# 7. /reconcile -----------------------------------------------------------------------------------


def test_reconcile_manifest_queries_and_suggestions(client: TestClient) -> None:
    manifest = client.get("/reconcile/default").json()
    assert manifest["versions"] == ["0.2"] and manifest["suggest"]["entity"]["service_path"] == "/suggest/entity"
    assert "Person" in {t["id"] for t in manifest["defaultTypes"]}
    queries = {"q0": {"query": "Vitaly Kuzmenko", "type": "Person", "properties": [{"pid": "birthDate", "v": "1971"}]},
               "q1": {"query": "Inter Tobacco", "type": "Organization", "limit": 2}}  # fmt: skip
    answer = client.post("/reconcile/default", data={"queries": json.dumps(queries)})
    assert answer.status_code == 200, answer.text
    results = answer.json()
    assert results["q0"]["result"][0]["name"] == "Vitaly Yurievich KUZMENKO" and results["q0"]["result"][0]["match"]
    assert results["q0"]["result"][0]["type"][0]["id"] == "Person"
    assert results["q1"]["result"][0]["name"] == "RAB „Inter Tobacco“" and len(results["q1"]["result"]) <= 2
    assert client.post("/reconcile/default", data={"queries": "{not json"}).status_code == 400
    assert client.get("/reconcile/nowhere").status_code == 404
    entity_id = results["q0"]["result"][0]["id"]
    extend = {"ids": [entity_id], "properties": [{"id": "nationality"}, {"id": "birthDate"}]}
    rows = client.post("/reconcile/default", data={"extend": json.dumps(extend)}).json()
    assert {m["id"] for m in rows["meta"]} <= {"nationality", "birthDate"}
    assert {"str": "1971-01-22"} in rows["rows"][entity_id]["birthDate"]
    suggested = client.get("/reconcile/default/suggest/entity", params={"prefix": "vitaly kuzm"}).json()
    assert [r["name"] for r in suggested["result"]] == ["Vitaly Yurievich KUZMENKO"]
    assert client.get("/reconcile/default/suggest/entity", params={"prefix": ""}).json()["result"] == []
    types = client.get("/reconcile/default/suggest/type", params={"prefix": "pers"}).json()["result"]
    assert [t["id"] for t in types] == ["Person"]
    properties = client.get("/reconcile/default/suggest/property", params={"prefix": "birth"}).json()["result"]
    assert "Person:birthDate" in {p["id"] for p in properties}
    proposed = client.get("/reconcile/default/extend/property", params={"type": "Person"}).json()
    assert "nationality" in {p["id"] for p in proposed["properties"]}
    assert client.get("/reconcile/default/extend/property", params={"type": "Alien"}).status_code == 400


def test_reconcile_extends_entities_by_any_id_they_answer_to(client: TestClient, ftm_dir: Path) -> None:
    reconciled = client.post("/reconcile/default", data={"queries": json.dumps(
        {"q": {"query": "Vitaly Kuzmenko", "type": "Person"}})}).json()["q"]["result"][0]  # fmt: skip
    entity = client.get(f"/entities/{reconciled['id']}", params={"nested": False})
    assert entity.status_code == 200 and reconciled["id"].startswith("NK-")  # the publisher's id, as /entities has
    served = entity.json()
    subject = client.get(f"/entities/{served['id']}", params={"nested": False}).json()
    other_ids = [served["referents"][0], f"ftm:{served['id']}"]  # an OpenSanctions referent, our record id
    with (ftm_dir / "zala.entities.ftm.json").open() as lines:  # a Sanction (not a thing) of the fixture file
        sanction = next(e for e in map(json.loads, lines) if e["schema"] == "Sanction" and e["properties"]["program"])
    ids = [served["id"], *other_ids, sanction["id"], "NK-nobody"]
    extend = {"ids": ids, "properties": [{"id": "birthDate"}, {"id": "program"}]}
    rows = client.post("/reconcile/default", data={"extend": json.dumps(extend)}).json()["rows"]
    assert list(rows) == ids  # one row per id asked, under the id asked
    for entity_id in [served["id"], *other_ids]:
        assert rows[entity_id]["birthDate"] == [{"str": v} for v in subject["properties"]["birthDate"]], entity_id
    assert rows[sanction["id"]]["program"] == [{"str": v} for v in sanction["properties"]["program"]]
    assert rows["NK-nobody"] == {}


# the contract: typed models in /openapi.json, and a client generated from it --------------------

YENTE_ROUTES = {("/match/{dataset}", "post"): "EntityMatchResponse", ("/search/{dataset}", "get"): "SearchResponse",
                ("/catalog", "get"): "DataCatalogModel", ("/algorithms", "get"): "AlgorithmResponse",
                ("/entities/{entity_id}", "get"): "EntityResponse", ("/healthz", "get"): "StatusResponse",
                ("/readyz", "get"): "StatusResponse", ("/reconcile/{dataset}", "get"): "Manifest"}  # fmt: skip


def test_openapi_declares_a_typed_model_for_every_yente_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for (path, method), model_name in YENTE_ROUTES.items():
        content = spec["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"]
        assert content == {"$ref": f"#/components/schemas/{model_name}"}, path


def test_a_client_generated_from_openapi_validates_real_answers(client: TestClient, tmp_path: Path) -> None:
    from datamodel_code_generator import DataModelType, InputFileType, generate

    spec = client.get("/openapi.json").text
    target = tmp_path / "generated_client.py"
    generate(spec, input_file_type=InputFileType.OpenAPI, output=target,
             output_model_type=DataModelType.PydanticV2BaseModel)  # fmt: skip
    loaded = importlib.util.spec_from_file_location("generated_client", target)
    assert loaded is not None and loaded.loader is not None
    generated = importlib.util.module_from_spec(loaded)
    sys.modules["generated_client"] = generated
    loaded.loader.exec_module(generated)

    matched = client.post("/match/default", json={"queries": {"q": {"schema": "Person", "properties": {
        "name": "Svetlana Zakharova", "birthDate": [1964]}}}}).json()  # fmt: skip
    parsed = generated.EntityMatchResponse.model_validate(matched)
    assert parsed.responses["q"].results[0].caption == "Svetlana Nikolaevna Zakharova"
    assert parsed.responses["q"].results[0].explanations["name"].score > 0.9
    found = generated.SearchResponse.model_validate(search(client, q="tobacco", facets=["schema", "countries"]))
    assert found.total.value >= 1 and found.facets["schema"].values
    generated.DataCatalogModel.model_validate(client.get("/catalog").json())
    algorithms = generated.AlgorithmResponse.model_validate(client.get("/algorithms").json())
    assert algorithms.best
    entity_id = found.results[0].id
    entity = client.get(f"/entities/{entity_id}").json()
    assert generated.EntityResponse.model_validate(entity).id == entity_id
    assert YENTE_DATETIME.match(entity["last_seen"])
