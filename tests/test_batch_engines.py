"""Batch screening beyond one process (issue 17): the same 5,000 queries screened locally, in 3 shards,
on Spark local[2] and through the batch API give identical results.

The lists: OFAC's SDN CSV of 2022-02-25 (one real list, so that the test stays well under three
minutes on two cores). The queries are made from its records, deterministically: primary names and
aliases as listed, with the words rotated, with a letter dropped, one record's first name with
another's family name, birth dates as listed (and, in one of 50, unreadable: a warning), and a row
without a name (an error).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import orjson
import pytest
from fastapi.testclient import TestClient
from support import parse_cached
from typer.testing import CliRunner

from sanctionscope.api.app import create_app
from sanctionscope.api.audit import audit_entries
from sanctionscope.api.keys import create_key
from sanctionscope.cli import app
from sanctionscope.service.matchers import open_matcher
from sanctionscope.store import db
from sanctionscope.store.load import load_paths

SNAPSHOT = "us/ofac-sdn-csv/2022-02-25"
QUERIES = 5_000


@pytest.fixture(scope="module")
def sdn(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with OFAC's SDN list of 2022-02-25 loaded, its name index built and saved."""
    path = tmp_path_factory.mktemp("batch-engines") / "sdn.db"
    engine = db.connect(str(path))
    load_paths(engine, [lists_dir / SNAPSHOT])
    open_matcher(engine)
    return path


def make_queries(lists_dir: Path, count: int) -> list[dict]:
    """`count` yente-style query entities made from the SDN records (fixed seed)."""
    [snapshot] = [parse_cached(lists_dir / SNAPSHOT / "sdn.csv", "ofac_csv")]
    records = sorted(snapshot.records, key=lambda r: r.source_id)
    rng = random.Random(17)
    queries: list[dict] = []
    for i in range(count):
        record = rng.choice(records)
        words = rng.choice(record.names).full.split()
        kind = i % 5
        if kind == 1 and len(words) > 1:
            words = words[1:] + words[:1]
        elif kind == 2:
            longest = max(range(len(words)), key=lambda j: len(words[j]))
            if len(words[longest]) > 5:
                at = rng.randrange(1, len(words[longest]) - 1)
                words[longest] = words[longest][:at] + words[longest][at + 1 :]
        elif kind == 3:
            words = words[:1] + rng.choice(records).names[0].full.split()[-1:]
        person = record.kind.value == "person"
        properties: dict[str, list[str]] = {"name": [" ".join(words)]}
        if person and record.birth_dates and kind != 4:
            properties["birthDate"] = [record.birth_dates[0].value if i % 50 else "1968-13-30"]
        if i == count // 2:
            properties = {"birthDate": ["1970"]}  # no name: an error row
        queries.append({"id": f"q{i}", "schema": "Person" if person else "LegalEntity", "properties": properties})
    return queries


def cli(database: Path, *args: str) -> None:
    result = CliRunner().invoke(app, ["--db", str(database), *args])
    assert result.exit_code in (0, 1), result.output  # 1: the row without a name
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def parts(folder: Path) -> bytes:
    """A Spark output folder's part files concatenated in name order."""
    return b"".join(p.read_bytes() for p in sorted(folder.glob("part-*")))


def api_batch(client: TestClient, headers: dict[str, str], **upload: object) -> tuple[dict, bytes]:
    """Submit a batch, wait for it, return its final status and its results."""
    submitted = client.post("/batches", headers=headers, **upload)  # type: ignore[arg-type]
    assert submitted.status_code == 202, submitted.text
    batch_id = submitted.json()["id"]
    assert submitted.headers["location"] == f"/batches/{batch_id}"
    seen_running = False
    for _ in range(1200):
        status = client.get(f"/batches/{batch_id}", headers=headers).json()
        assert 0 <= status["done"] <= status["total"]
        seen_running |= status["state"] == "running"
        if status["state"] not in ("queued", "running"):
            break
        time.sleep(0.25)
    assert status["state"] == "done", status
    assert status["done"] == status["total"]
    results = client.get(f"/batches/{batch_id}/results", headers=headers)
    assert results.status_code == 200
    assert results.headers["content-type"].startswith("application/x-ndjson")
    return status, results.content


@pytest.fixture(scope="module")
def spark_session():
    """Stops the local Spark session the CLI started in this process, after the module's tests."""
    yield
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def test_local_shards_spark_and_api_give_identical_results(
    sdn: Path, lists_dir: Path, tmp_path: Path, spark_session: None
) -> None:
    queries = make_queries(lists_dir, QUERIES)
    source = tmp_path / "queries.jsonl"
    source.write_bytes(b"".join(orjson.dumps(q) + b"\n" for q in queries))

    cli(sdn, "screen", str(source), "-o", str(tmp_path / "local.jsonl"), "--workers", "1")
    local = (tmp_path / "local.jsonl").read_bytes()
    lines = [orjson.loads(line) for line in local.splitlines()]
    assert [line["id"] for line in lines] == [q["id"] for q in queries]
    # what the comparison compares: matches, near misses, warnings and an error
    matched = sum(any(r["match"] for r in line["results"]) for line in lines)
    assert 2_500 < matched < QUERIES, matched
    assert sum(bool(line["results"]) and not any(r["match"] for r in line["results"]) for line in lines) > 50
    assert sum("warnings" in line for line in lines) >= 50
    assert [line["id"] for line in lines if "error" in line] == [f"q{QUERIES // 2}"]

    # 3 shards, concatenated in shard order: the single run's output, byte for byte
    for i in (1, 2, 3):
        cli(sdn, "screen", str(source), "-o", str(tmp_path / f"shard{i}.jsonl"), "--shard", f"{i}/3")
    shards = [(tmp_path / f"shard{i}.jsonl").read_bytes() for i in (1, 2, 3)]
    assert all(shard.count(b"\n") in (1666, 1667) for shard in shards)
    assert b"".join(shards) == local

    # Spark local[2]: the index shipped to the executors, part files in row order
    cli(sdn, "screen", str(source), "-o", str(tmp_path / "spark.jsonl"), "--engine", "spark", "--master", "local[2]")
    assert len(list((tmp_path / "spark.jsonl").glob("part-*"))) == 2
    assert parts(tmp_path / "spark.jsonl") == local

    # the batch API, a JSON lines body
    engine = db.connect(str(sdn))
    key = create_key(engine, "batch-test", ["screen"])
    headers = {"Authorization": f"ApiKey {key}"}
    client = TestClient(create_app(engine))
    status, results = api_batch(client, headers, content=source.read_bytes())
    assert results == local
    assert status["total"] == QUERIES and status["failed"] == 1 and status["matched"] == matched

    # audited like /match: who, against which data, and the matches
    audit = [e for e in audit_entries(engine) if e["endpoint"].startswith("/batches")]
    assert [e["endpoint"] for e in audit] == ["/batches", f"/batches/{status['id']}"]
    assert {e["key"] for e in audit} == {"batch-test"}
    done = audit[-1]
    assert done["query"]["rows"] == QUERIES and done["data_version"] == status["data_version"]
    assert len({m["query"] for m in done["results"]["matches"]}) == matched


def test_batch_api_needs_the_screen_scope_and_names_the_bad_line(sdn: Path) -> None:
    engine = db.connect(str(sdn))
    screener, reader = create_key(engine, "batch-bad", ["screen"]), create_key(engine, "batch-read", ["read"])
    client = TestClient(create_app(engine))
    headers = {"Authorization": f"ApiKey {screener}"}
    good = b'{"id": "a", "properties": {"name": ["Alisher Usmanov"]}}\n'
    assert client.post("/batches", content=good).status_code == 401
    assert client.post("/batches", headers={"Authorization": f"ApiKey {reader}"}, content=good).status_code == 403
    refused = client.post("/batches", headers=headers, content=good + b"\n{not json\n")
    assert refused.status_code == 422 and refused.json()["line"] == 3
    assert refused.json()["detail"].startswith("line 3: not JSON")
    short = client.post("/batches", headers=headers, files={"file": ("c.csv", b"id,name\n1,Ivan Petrov\n2,a,b\n")})
    assert short.status_code == 422 and short.json()["detail"].startswith("line 3: row has 3 fields")
    missing = client.post(
        "/batches?name_column=Full%20name", headers=headers, files={"file": ("c.csv", b"id,name\n1,X\n")}
    )
    assert missing.status_code == 422 and "no column named 'Full name'" in missing.json()["detail"]
    assert client.get("/batches/0123456789abcdef", headers=headers).status_code == 404
