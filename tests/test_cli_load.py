"""End to end: `sanctionscope load` of every foundation folder, then sources, changes, record, export.

Expected numbers are computed here from the raw files with simple independent methods
(csv module, regular expressions), never copied from the parsers' output.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

from support import fresh_postgres
from typer.testing import CliRunner

from sanctionscope.cli import app

runner = CliRunner()


def run(db: Path | str, *args: str) -> tuple[int, str]:
    """Exit code and standard output (messages and errors go to standard error)."""
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout


def run_all(db: Path | str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(db: Path | str, *args: str) -> Any:
    code, output = run(db, *args, "--json")
    assert code == 0, output
    return json.loads(output)


def sdn_entry_numbers(path: Path) -> set[str]:
    with path.open(encoding="latin-1", newline="") as handle:
        return {row[0] for row in csv.reader(handle) if row and row[0].strip().isdigit()}


def test_sources_report_counts_computed_from_the_raw_files(loaded_db: Path, lists_dir: Path) -> None:
    by_source = {s["source"]: s for s in run_json(loaded_db, "sources")}
    assert set(by_source) >= {"us_ofac_sdn", "us_ofac_cons", "un_sc", "eu_journal", "ca_sema", "au_dfat"}

    sdn = by_source["us_ofac_sdn"]
    assert sdn["latest"] == "2024-05-03" and sdn["jurisdiction"] == "us"
    assert sdn["records"] == len(sdn_entry_numbers(lists_dir / "us/ofac-sdn-csv/2024-05-03/sdn.csv")) == 14965
    assert sdn["snapshots"] == 9

    un_text = (lists_dir / "un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml").read_text(encoding="utf-8")
    un_count = len(re.findall(r"<INDIVIDUAL>", un_text)) + len(re.findall(r"<ENTITY>", un_text))
    assert by_source["un_sc"]["records"] == un_count == 1003
    assert by_source["un_sc"]["latest"] == "2026-02-27" and by_source["un_sc"]["snapshots"] == 7

    cons_text = (lists_dir / "us/ofac-consolidated-xml/2026-01-08/ofac.xml").read_text(encoding="utf-8")
    assert by_source["us_ofac_cons"]["latest"] == "2026-01-08"
    assert by_source["us_ofac_cons"]["records"] == len(re.findall(r"<sdnEntry>", cons_text))

    sema_text = (lists_dir / "ca/sema-consolidated-xml/2025-05-25/cannada.xml").read_text(encoding="utf-8")
    assert by_source["ca_sema"]["latest"] == "2025-05-25" and by_source["ca_sema"]["snapshots"] == 2
    assert by_source["ca_sema"]["records"] == len(re.findall(r"<record>", sema_text))

    eu_rows = 0
    for path in (lists_dir / "eu/opensanctions-journal-consolidated-csv/2026-08-19").glob("*.csv"):
        with path.open(encoding="utf-8", newline="") as handle:
            eu_rows += sum(1 for _ in csv.DictReader(handle))
    assert by_source["eu_journal"]["records"] == eu_rows


def test_changes_list_usmanov_added_on_2022_03_04(loaded_db: Path, lists_dir: Path) -> None:
    before = sdn_entry_numbers(lists_dir / "us/ofac-sdn-csv/2022-02-25/sdn.csv")
    after = sdn_entry_numbers(lists_dir / "us/ofac-sdn-csv/2022-03-04/sdn.csv")
    changes = run_json(
        loaded_db, "changes", "--source", "us_ofac_sdn", "--since", "2022-03-04", "--until", "2022-03-04"
    )
    added = {c["record_id"] for c in changes if c["change"] == "added"}
    removed = {c["record_id"] for c in changes if c["change"] == "removed"}
    assert added == {f"us_ofac_sdn:{n}" for n in after - before}
    assert removed == {f"us_ofac_sdn:{n}" for n in before - after}
    assert any("USMANOV, Alisher" in c["caption"] for c in changes if c["change"] == "added")
    for change in changes:
        assert change["source"] == "us_ofac_sdn" and change["date"] == "2022-03-04"
        if change["change"] == "amended":
            assert change["fields"] and all({"old", "new"} <= set(v) for v in change["fields"].values())


def test_usmanov_listing_is_bounded_by_snapshots(loaded_db: Path) -> None:
    changes = run_json(loaded_db, "changes", "--source", "us_ofac_sdn", "--change", "added")
    usmanov = [c for c in changes if c["caption"].startswith("USMANOV, Alisher")]
    assert len(usmanov) == 1
    record = run_json(loaded_db, "record", usmanov[0]["record_id"])
    assert record["presence"]["first_seen"] == "2022-03-04"
    assert record["presence"]["absent_before"] == "2022-02-25"


def test_bastrykin_in_ofac_and_eu(loaded_db: Path) -> None:
    ofac = run_json(loaded_db, "record", "us_ofac_sdn:21186")
    assert ofac["caption"].startswith("BASTRYKIN, Alexander")
    assert any(d["value"] == "1953-08-27" for d in ofac["birth_dates"])
    assert "MAGNIT" in ofac["regimes"]

    exported = run(loaded_db, "export", "--format", "csv", "--source", "eu_journal")
    assert exported[0] == 0
    rows = [r for r in csv.DictReader(io.StringIO(exported[1])) if "BASTRYKIN" in r["names"].upper()]
    hr = [r for r in rows if r["source_id"].startswith("32020R1998#")]
    assert len(hr) == 1
    assert hr[0]["listed_on"] == "2021-03-02"
    # the annex writes «Алексaндр Ивaнович БАСТРЫКИН» with Latin look-alike "a"s: kept as published
    assert "Алексaндр Ивaнович БАСТРЫКИН" in hr[0]["names"]
    eu = run_json(loaded_db, "record", hr[0]["id"])
    assert any(n["script"] == "Cyrl" for n in eu["names"])


def test_loading_again_is_a_no_op(loaded_db: Path, lists_dir: Path) -> None:
    report = run_json(loaded_db, "load", str(lists_dir / "un/un-sc-consolidated-xml"))
    assert report["failures"] == []
    assert {r["status"] for r in report["loaded"]} == {"unchanged"}


def test_export_ftm_writes_valid_entities(loaded_db: Path) -> None:
    from followthemoney import model

    code, output = run(loaded_db, "export", "--format", "ftm", "--source", "ca_sema")
    assert code == 0
    entities = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    schemata = {e["schema"] for e in entities}
    assert "Sanction" in schemata and "Person" in schemata
    for entity in entities[:200]:
        assert model.get_proxy(entity).schema.name == entity["schema"]


def test_postgresql_gives_the_same_answers_as_sqlite(postgres_url: str, lists_dir: Path, tmp_path: Path) -> None:
    fresh_postgres(postgres_url).dispose()
    folders = [
        str(lists_dir / "us/ofac-sdn-csv/2022-02-25"),
        str(lists_dir / "us/ofac-sdn-csv/2022-03-04"),
        str(lists_dir / "un/un-sc-consolidated-xml"),
    ]
    answers = []
    for database in (postgres_url, str(tmp_path / "same.db")):
        code, output = run(database, "load", *folders)
        assert code == 0, output
        answers.append(
            (
                run_json(database, "sources"),
                run_json(database, "changes", "--source", "us_ofac_sdn"),
            )
        )
    assert answers[0] == answers[1]
    assert {s["source"] for s in answers[0][0]} == {"us_ofac_sdn", "un_sc"}
    again = run_json(postgres_url, "load", folders[0])
    assert {r["status"] for r in again["loaded"]} == {"unchanged"}
