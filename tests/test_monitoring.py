"""Ongoing monitoring on OFAC's real SDN files: a portfolio screened on 2022-02-25, then the update of
2022-03-04 (the first Russia designations after the invasion) delta-screened against it, alerts
delivered to a local webhook receiver that fails sometimes, a decision that survives a further load."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import importlib.util
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson
import pytest
import sqlalchemy as sa
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from sanctionscope import Sanctionscope
from sanctionscope.cli import app
from sanctionscope.model import Record
from sanctionscope.monitor import members, screening
from sanctionscope.monitor import tables as m
from sanctionscope.monitor.alerts import matters, record_facts
from sanctionscope.service.matchers import open_matcher
from sanctionscope.store import db, queries
from sanctionscope.store import schema as t

SDN = "us/ofac-sdn-csv"
BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "monitoring.py"
#: how many unlisted names the portfolio holds besides Usmanov and Peskov
UNLISTED = 1000


def _benchmark_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("monitoring_benchmark", BENCHMARK)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cli(db_path: Path, *args: str) -> Any:
    return CliRunner().invoke(app, ["--db", str(db_path), *args], catch_exceptions=False)


def copy_db(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database in WAL mode (the backup API, not a file copy)."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


class Receiver:
    """A local webhook receiver that answers 500 to every second request (at-least-once must cope)."""

    def __init__(self, fail_every: int = 2) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.requests = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.requests += 1
                if fail_every and receiver.requests % fail_every == 0:
                    self.send_response(500)
                else:
                    receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def signed_by(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks: v1, base64 HMAC-SHA256 of "id.timestamp.body" keyed by the secret's base64 part."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    content = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    return headers["webhook-signature"] == f"v1,{expected}"


def alerts_json(db_path: Path, *args: str) -> list[dict[str, Any]]:
    result = cli(db_path, "alerts", *args, "--json")
    assert result.exit_code in (0, 3), result.output
    return orjson.loads(result.stdout)["alerts"] if result.exit_code == 0 else []


@pytest.fixture(scope="module")
def screened(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """OFAC of 2022-02-25 loaded and a portfolio of 1,000 unlisted names + Usmanov + Peskov screened on it,
    with a webhook; the state kept as a copy, then 2022-03-04 loaded through the CLI."""
    folder = tmp_path_factory.mktemp("monitoring")
    path = folder / "lists.db"
    result = cli(path, "load", str(lists_dir / SDN / "2022-02-25"))
    assert result.exit_code == 0, result.output
    engine = db.connect(str(path))
    matcher = open_matcher(engine)
    bench = _benchmark_module()
    # unlisted: synthetic persons never loaded, of which none matches anyone on the 2022-02-25 list
    people = [p for p in bench.unlisted_people(UNLISTED + 100)
              if not any(r.match for r in matcher.match(members.member_query([p["name"]])))][:UNLISTED]  # fmt: skip
    assert len(people) == UNLISTED
    people += [{"id": "usmanov", "name": "Alisher Usmanov", "dob": ""}, {"id": "peskov", "name": "Dmitry Peskov", "dob": ""}]
    csv_path = bench.members_csv(folder / "customers.csv", people)
    result = cli(path, "portfolio", "import", str(csv_path), "--name", "customers", "--id-column", "id",
                 "--birth-date-column", "dob", "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    imported = orjson.loads(result.stdout)
    receiver = Receiver()
    result = cli(path, "portfolio", "webhook", "customers", receiver.url, "--json")
    assert result.exit_code == 0, result.output
    secret = orjson.loads(result.stdout)["secret"]
    before = folder / "before.db"
    copy_db(path, before)
    result = cli(path, "load", str(lists_dir / SDN / "2022-03-04"))
    assert result.exit_code == 0, result.output
    return {"path": path, "before": before, "people": people, "imported": imported, "receiver": receiver,
            "secret": secret, "load_output": result.output}  # fmt: skip


def full_matches(engine: sa.Engine) -> dict[str, set[str]]:
    """Each member's matched subjects by a full screening with the matcher (independent of delta screening)."""
    matcher = open_matcher(engine)
    return {member.external_id: {r.entry.id for r in matcher.match(member.query, limit=screening.MEMBER_RESULTS) if r.match}
            for member in members.read_members(engine, "customers")}  # fmt: skip


def test_no_alert_for_anyone_on_the_file_of_25_february(screened: dict[str, Any]) -> None:
    assert screened["imported"]["added"] == UNLISTED + 2
    assert screened["imported"]["screening"]["members_screened"] == UNLISTED + 2
    assert alerts_json(screened["before"]) == []


def test_exactly_the_new_designations_among_the_members_become_new_match_alerts(screened: dict[str, Any]) -> None:
    engine = db.connect(str(screened["path"]))
    expected = {(member, subject) for member, subjects in full_matches(engine).items() for subject in subjects}
    alerts = alerts_json(screened["path"], "--portfolio", "customers")
    assert {a["kind"] for a in alerts} == {"new_match"}
    assert {(a["member"], a["subject"]) for a in alerts} == expected
    assert {"usmanov", "peskov"} <= {member for member, _subject in expected}
    # each alert's subject holds a record that the 2022-03-04 file added, and says so
    added = {c["record_id"] for c in queries.list_changes(engine, source="us_ofac_sdn") if c["date"] == "2022-03-04"
             and c["change"] == "added"}  # fmt: skip
    latest = next(s for s in queries.snapshots(engine, "us_ofac_sdn") if s.published_on.isoformat() == "2022-03-04")
    for alert in alerts:
        assert set(alert) >= {"id", "portfolio", "member", "kind", "subject", "score", "designations", "snapshot",
                              "created", "state"}  # fmt: skip
        assert alert["state"] == "open" and alert["score"] >= 0.8
        assert {d["record"] for d in alert["designations"]} & added
        assert alert["snapshot"]["id"] == latest.id and len(alert["snapshot"]["content_hash"]) == 64
    assert "new alert(s)" in screened["load_output"]


def test_the_delta_touched_only_what_changed_and_stores_what_a_full_screening_finds(screened: dict[str, Any]) -> None:
    engine = db.connect(str(screened["path"]))
    with engine.connect() as conn:
        run = conn.execute(sa.select(m.runs).where(m.runs.c.kind == "delta")).one()
        held = {(member, subject) for member, subject in conn.execute(
            sa.select(m.members.c.external_id, m.results.c.subject_id).join(m.members, m.members.c.id == m.results.c.member_id)
            .where(m.results.c.until_run.is_(None)))}  # fmt: skip
    changes = [c for c in queries.list_changes(engine, source="us_ofac_sdn") if c["date"] == "2022-03-04"]
    assert run.changed_records == len(changes)
    assert run.members_screened < (UNLISTED + 2) / 10  # the members a changed record could match, not all of them
    assert held == {(member, s) for member, subjects in full_matches(engine).items() for s in subjects}
    snapshots = orjson.loads(run.snapshots)
    assert [(s["source"], s["published_on"]) for s in snapshots] == [("us_ofac_sdn", "2022-03-04")]


def test_webhook_receives_every_alert_signed_at_least_once(screened: dict[str, Any]) -> None:
    path, receiver = screened["path"], screened["receiver"]
    alerts = alerts_json(path)
    for _round in range(10):  # each round retries what failed (no backoff here)
        result = cli(path, "alerts", "deliver", "--backoff", "0", "--json")
        assert result.exit_code == 0, result.output
        if not orjson.loads(cli(path, "alerts", "deliveries", "--status", "pending", "--json").stdout)["deliveries"]:
            break
    delivered = {}
    for headers, body in receiver.received:
        assert signed_by(screened["secret"], headers, body)
        assert not signed_by("whsec_" + base64.b64encode(b"another secret of 24 byte").decode(), headers, body)
        message = orjson.loads(body)
        delivered[headers["webhook-id"]] = message["data"]["id"]
        assert message["type"] == f"alert.{message['data']['kind']}"
    assert sorted(delivered.values()) == sorted(a["id"] for a in alerts)
    log = orjson.loads(cli(path, "alerts", "deliveries", "--json").stdout)["deliveries"]
    assert {d["status"] for d in log} == {"delivered"}
    assert receiver.requests > len(alerts)  # some attempts failed and were retried
    assert any(len(d["log"]) > 1 and d["log"][0]["status_code"] == 500 for d in log)


def test_a_delivery_that_keeps_failing_becomes_a_dead_letter(screened: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "dead.db"
    copy_db(screened["path"], path)
    engine = db.connect(str(path))
    failing = Receiver(fail_every=1)
    with engine.begin() as conn:  # only the failing receiver: the fixture's one delivers on its own schedule
        conn.execute(m.webhooks.delete())
    cli(path, "portfolio", "webhook", "customers", failing.url)
    with engine.begin() as conn:  # queue the existing alerts for the new webhook, as a new run would
        from sanctionscope.monitor.delivery import enqueue

        conn.execute(m.deliveries.delete())
        enqueue(conn, [a["id"] for a in alerts_json(path)][:2])
    for _round in range(3):
        cli(path, "alerts", "deliver", "--backoff", "0", "--max-attempts", "2")
    dead = orjson.loads(cli(path, "alerts", "deliveries", "--status", "dead", "--json").stdout)["deliveries"]
    assert {d["url"] for d in dead} == {failing.url}
    assert all(d["attempts"] == 2 and [e["status_code"] for e in d["log"]] == [500, 500] for d in dead)
    assert failing.received == []


def _subject_facts_in(engine: sa.Engine, subject_id: str, snapshot_date: str) -> dict[str, list[str]]:
    """The facts of the subject's OFAC records in the snapshot of that date."""
    snapshot = next(s for s in queries.snapshots(engine, "us_ofac_sdn") if s.published_on.isoformat() == snapshot_date)
    with engine.connect() as conn:
        referents = set(conn.execute(sa.select(t.subject_members.c.referent)
                                     .where(t.subject_members.c.subject_id == subject_id)).scalars())  # fmt: skip
    return {r.id: record_facts(r) for r in queries.iter_records(engine, [snapshot.id]) if r.id in referents}


def test_a_false_positive_decision_survives_a_further_load(screened: dict[str, Any], lists_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "decided.db"
    copy_db(screened["path"], path)
    usmanov = next(a for a in alerts_json(path) if a["member"] == "usmanov")
    result = cli(path, "alerts", "decide", str(usmanov["id"]), "false_positive", "--note", "our Usmanov is another man",
                 "--author", "analyst")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert alerts_json(path, "--state", "false_positive")[0]["note"] == "our Usmanov is another man"
    result = cli(path, "load", str(lists_dir / SDN / "2022-03-24"))
    assert result.exit_code == 0, result.output
    engine = db.connect(str(path))
    decided = _subject_facts_in(engine, usmanov["subject"], "2022-03-04")
    later = _subject_facts_in(engine, usmanov["subject"], "2022-03-24")
    gained = matters(decided, later)
    after = [a for a in alerts_json(path) if a["member"] == "usmanov"]
    assert [a["state"] for a in after if a["id"] == usmanov["id"]] == ["false_positive"]
    assert len(after) == (2 if gained else 1)  # alerted again only when his record gained a name, date or id


def test_evidence_report_names_every_member_with_its_snapshot_hashes(screened: dict[str, Any], tmp_path: Path) -> None:
    path = screened["path"]
    html = tmp_path / "evidence.html"
    result = cli(path, "portfolio", "report", "customers", "--html", str(html))
    assert result.exit_code == 0, result.output
    evidence = orjson.loads(result.stdout)
    assert len(evidence["members"]) == UNLISTED + 2
    by_id = {member["id"]: member for member in evidence["members"]}
    assert by_id["usmanov"]["result"] == "match" and by_id["usmanov"]["matches"][0]["decision"] is None
    quiet = [member for member in evidence["members"] if member["result"] == "no match"]
    assert quiet and all(member["screened"] and member["last_checked"] for member in quiet)
    engine = db.connect(str(path))
    with engine.connect() as conn:
        hashes = dict(conn.execute(sa.select(t.snapshots.c.published_on, t.snapshots.c.content_hash)).all())
    runs = {run["run"]: run for run in evidence["runs"]}
    checked = runs[by_id["usmanov"]["last_checked"]["run"]]
    assert [(s["published_on"], s["content_hash"]) for s in checked["snapshots"]] == [
        (day.isoformat(), content) for day, content in hashes.items() if day.isoformat() == "2022-03-04"]
    page = html.read_text()
    assert "usmanov" in page and hashes[max(hashes)] in page
    # as of the first day, before the update: nobody matched, every member screened against 2022-02-25
    first = orjson.loads(cli(screened["before"], "portfolio", "report", "customers").stdout)
    assert first["summary"]["matches"] == 0 and first["summary"]["no_match"] == UNLISTED + 2
    assert [s["published_on"] for s in first["runs"][0]["snapshots"]] == ["2022-02-25"]


def test_a_file_with_a_row_without_a_name_changes_nothing(screened: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "bad.db"
    copy_db(screened["before"], path)
    bad = tmp_path / "bad.csv"
    bad.write_text("id,name\nn1,Hans Castorp\nn2,\nn3,Clawdia Chauchat\n", encoding="utf-8")
    result = cli(path, "portfolio", "import", str(bad), "--name", "customers", "--id-column", "id")
    assert result.exit_code == 1
    assert "bad.csv" in result.output and "line 3" in result.output and "name" in result.output
    listed = orjson.loads(cli(path, "portfolio", "list", "--json").stdout)["portfolios"]
    assert [(p["name"], p["members"]) for p in listed] == [("customers", UNLISTED + 2)]


def test_a_monitoring_failure_never_fails_the_load(screened: dict[str, Any], lists_dir: Path, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    path = tmp_path / "broken.db"
    copy_db(screened["before"], path)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the reverse index is on fire")

    monkeypatch.setattr("sanctionscope.monitor.hook.screen_changes", broken)
    result = cli(path, "load", str(lists_dir / SDN / "2022-03-04"))
    assert result.exit_code == 0, result.output
    assert "monitoring failed (RuntimeError: the reverse index is on fire); the load stands" in result.output
    engine = db.connect(str(path))
    assert "2022-03-04" in {s.published_on.isoformat() for s in queries.snapshots(engine)}
    monkeypatch.undo()
    result = cli(path, "monitor", "--json")  # the next run catches up with what the failed one missed
    assert result.exit_code == 0, result.output
    assert {a["member"] for a in alerts_json(path)} >= {"usmanov", "peskov"}


def test_members_one_by_one_alerts_decisions_and_the_feed_through_the_api(screened: dict[str, Any], tmp_path: Path) -> None:
    from sanctionscope.api.app import create_app
    from sanctionscope.api.keys import create_key

    path = tmp_path / "api.db"
    copy_db(screened["path"], path)
    engine = db.connect(str(path))
    admin, reader = create_key(engine, "ops", ["read", "screen", "admin"]), create_key(engine, "viewer", ["read"])
    client = TestClient(create_app(engine))
    auth = {"Authorization": f"ApiKey {admin}"}
    assert client.get("/portfolios").status_code == 401
    assert client.post("/portfolios", json={"name": "vip", "members": []},
                       headers={"Authorization": f"ApiKey {reader}"}).status_code == 403  # fmt: skip
    created = client.post("/portfolios", headers=auth, json={"name": "vip", "members": [
        {"id": "k1", "schema": "Person", "properties": {"name": ["Hans Castorp"]}}]})  # fmt: skip
    assert created.status_code == 201, created.text
    listed = {p["name"]: p for p in client.get("/portfolios", headers=auth).json()["portfolios"]}
    assert listed["vip"]["members"] == 1
    put = client.put("/portfolios/vip/members/k2", headers=auth,
                     json={"id": "k2", "schema": "Person", "properties": {"name": ["Alisher Usmanov"]}})  # fmt: skip
    assert put.status_code == 200 and put.json()["screening"]["alerts"] == 1
    bad = client.put("/portfolios/vip/members/k3", headers=auth, json={"id": "k3", "properties": {"name": []}})
    assert bad.status_code == 400 and "name" in bad.json()["detail"]
    alerts = client.get("/alerts", params={"portfolio": "vip"}, headers=auth).json()["alerts"]
    assert [a["member"] for a in alerts] == ["k2"]
    decided = client.post(f"/alerts/{alerts[0]['id']}/decision", headers=auth, json={"state": "confirmed", "note": "him"})
    assert decided.json()["state"] == "confirmed" and decided.json()["decided_by"] == "ops"
    shown = client.get("/portfolios/vip", headers=auth).json()["members"]
    assert {m_["id"]: bool(m_["matches"]) for m_ in shown} == {"k1": False, "k2": True}
    assert client.delete("/portfolios/vip/members/k2", headers=auth).status_code == 204
    assert [m_["id"] for m_ in client.get("/portfolios/vip", headers=auth).json()["members"]] == ["k1"]
    feed = client.get("/alerts.atom", params={"portfolio": "vip"}, headers=auth)
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert b"<entry>" in feed.content and b"new_match: k2 (vip)" in feed.content
    report = client.get("/portfolios/customers/report", params={"format": "html"}, headers=auth)
    assert report.status_code == 200 and "Screening evidence" in report.text


def test_a_failed_download_keeps_the_last_good_data_and_says_so(screened: dict[str, Any], tmp_path: Path) -> None:
    from sanctionscope.api.app import create_app
    from sanctionscope.update import run_update

    path = tmp_path / "failed.db"
    copy_db(screened["path"], path)
    engine = db.connect(str(path))
    broken = Receiver(fail_every=1)  # answers 500 to everything: the "official server" is down
    outcome = run_update(engine, tmp_path / "downloads", sources=["us_ofac_sdn"],
                         overrides={"us_ofac_sdn": broken.url}, retries=0, backoff=0)  # fmt: skip
    assert outcome.report.failures
    client = TestClient(create_app(engine, auth=False))
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok" and ready["last_update"]["ok"] is False
    assert "us_ofac_sdn" in ready["last_update"]["failures"][0]
    feed = client.get("/alerts.atom").text
    assert "The last update failed: the lists shown are the last good ones" in feed
    assert len(client.get("/alerts").json()["alerts"]) == len(alerts_json(screened["path"]))


def test_update_every_parses_intervals_and_stops_cleanly_on_ctrl_c(monkeypatch: pytest.MonkeyPatch) -> None:
    from sanctionscope.cli import monitoring as cli_monitoring

    assert cli_monitoring.parse_interval("6h") == 21600 and cli_monitoring.parse_interval("30m") == 1800
    with pytest.raises(typer.Exit):
        cli_monitoring.parse_interval("often")
    rounds: list[int] = []

    def once() -> int:
        rounds.append(1)
        if len(rounds) == 3:
            raise KeyboardInterrupt
        return 0

    monkeypatch.setattr(cli_monitoring.time, "sleep", lambda _seconds: None)
    assert cli_monitoring.repeat(once, 60.0) == 0
    assert len(rounds) == 3


def test_a_proposal_list_is_watched_as_a_portfolio(screened: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "proposal.db"
    copy_db(screened["before"], path)
    proposal = Path(__file__).resolve().parents[1] / "examples" / "navalny-2021-02-09.csv"
    assert cli(path, "proposals", "import", str(proposal), "--name", "navalny-2021").exit_code == 0
    result = cli(path, "portfolio", "from-proposal", "navalny-2021", "--json")
    assert result.exit_code == 0, result.output
    with open(proposal, encoding="utf-8") as rows:
        targets = list(csv.DictReader(rows))
    assert orjson.loads(result.stdout)["added"] == len(targets)
    shown = orjson.loads(cli(path, "portfolio", "show", "navalny-2021", "--json").stdout)["members"]
    assert sorted(n for member in shown for n in member["names"]) == sorted(t["name"] for t in targets)



def test_record_facts_fold_names_and_keep_only_identifiers_that_name_a_person() -> None:
    record = Record.from_dict({"source": "eu_fsf", "source_id": "136051", "kind": "person",
                               "names": [{"full": "USMANOV, Alisher"}, {"full": "Алишер Усманов"}],
                               "birth_dates": [{"value": "1953-09-09"}],
                               "identifiers": [{"type": "other", "value": "EU.7514.12"},
                                               {"type": "passport", "value": "55 0314316"}]})  # fmt: skip
    assert record_facts(record) == ["b:1953-09-09", "i:550314316", "n:aliSer usmanov"]
    decided = {"a": ["n:genadi timCenko", "b:1952-11-09"]}
    assert not matters(decided, {"b": ["n:genadi timtJenko", "n:guenadi timCenko"]})  # spellings of known parts
    assert matters(decided, {"b": ["n:genadi nikolaeviC timCenko"]})  # a patronymic no record had
    assert matters(decided, {"a": ["n:genadi timCenko"], "b": ["b:1952-11-10"]})  # a new birth date


def test_a_record_joining_the_subject_reopens_a_decision_only_with_news(screened: dict[str, Any], lists_dir: Path,
                                                                         tmp_path: Path) -> None:  # fmt: skip
    """The EU's list of 2024-05-13 joins Usmanov's and Peskov's subjects: Usmanov's EU record brings his
    passport number (news), Peskov's only other spellings of his names; `Sanctionscope.load` monitors."""
    path = tmp_path / "joined.db"
    copy_db(screened["path"], path)
    first = {a["member"]: a for a in alerts_json(path) if a["member"] in {"usmanov", "peskov"}}
    for alert in first.values():
        assert cli(path, "alerts", "decide", str(alert["id"]), "false_positive").exit_code == 0
    scope = Sanctionscope(path)
    report = scope.load([lists_dir / "eu" / "eu-fsf-xml" / "2024-05-13"])
    assert report.ok and report.changed
    assert scope.monitoring is not None and scope.monitoring.error is None and scope.monitoring.report is not None
    raised = {a["id"]: a for a in alerts_json(path)}
    assert set(scope.monitoring.report.alerts) <= set(raised)
    joined = [raised[i] for i in scope.monitoring.report.alerts if raised[i]["member"] in first]
    assert [(a["member"], a["kind"]) for a in joined] == [("usmanov", "amended_match")]
    assert joined[0]["subject"] == first["usmanov"]["subject"]  # the EU record joined his subject
    # already loaded: nothing changed, nothing screened
    again = scope.load([lists_dir / "eu" / "eu-fsf-xml" / "2024-05-13"])
    assert not again.changed


def test_a_delisting_and_amendments_alert_and_only_a_change_that_matters_reopens_a_decision(
    screened: dict[str, Any], lists_dir: Path, tmp_path: Path
) -> None:
    """2022-03-24: OFAC removed Yani Rosenthal, amended Timchenko (identifiers) and Vekselberg (regimes only)."""
    path = tmp_path / "amended.db"
    copy_db(screened["path"], path)
    for member_id, name in (("t1", "Gennady Timchenko"), ("t2", "Yani Benjamin Rosenthal Hidalgo"),
                            ("t3", "Viktor Vekselberg")):  # fmt: skip
        result = cli(path, "portfolio", "add", "watch", member_id, name, "--json")
        assert result.exit_code == 0, result.output
        assert orjson.loads(result.stdout)["screening"]["alerts"] == 1  # each matches a listed person
    first = {a["member"]: a for a in alerts_json(path, "--portfolio", "watch")}
    for member_id in ("t1", "t3"):
        assert cli(path, "alerts", "decide", str(first[member_id]["id"]), "false_positive").exit_code == 0
    assert cli(path, "load", str(lists_dir / SDN / "2022-03-24")).exit_code == 0
    engine = db.connect(str(path))
    later = [a for a in alerts_json(path, "--portfolio", "watch") if a["id"] not in {a_["id"] for a_ in first.values()}]
    kinds = {(a["member"], a["kind"]) for a in later}
    assert ("t2", "removed_match") in kinds
    for member_id in ("t1", "t3"):
        subject = first[member_id]["subject"]
        decided, now = _subject_facts_in(engine, subject, "2022-03-04"), _subject_facts_in(engine, subject, "2022-03-24")
        assert ((member_id, "amended_match") in kinds) == matters(decided, now)
    assert ("t1", "amended_match") in kinds  # Timchenko's record gained identifiers: the decision is reopened
    assert not any(member == "t3" for member, _kind in kinds)  # Vekselberg's changed only in its regimes
    shown = {m_["id"]: m_["matches"] for m_ in orjson.loads(cli(path, "portfolio", "show", "watch", "--json").stdout)["members"]}
    assert shown["t2"] == [] and shown["t1"] and shown["t3"]
