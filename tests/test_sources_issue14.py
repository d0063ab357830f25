"""The real files of issue 14: the EU FSF XML, OFAC's SDN.XML, OFSI's consolidated list (CSV and XLSX),
Canada's 2025 SEMA XML.

Every expected count and value is computed here from the raw file with lxml, csv or openpyxl
directly, never taken from the parser under test.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from lxml import etree
from support import by_id, parse_cached
from typer.testing import CliRunner

from sanctionscope.cli import app
from sanctionscope.model import Kind, NameType
from sanctionscope.sources.base import SourceFile
from sanctionscope.sources.detect import recognise

runner = CliRunner()

FSF = "eu/eu-fsf-xml/2024-05-13/20240513-FULL-1_1(xsd).xml"
FSF_NS = "{http://eu.europa.ec/fpi/fsd/export}"
SDN_XML = "us/ofac-sdn-xml/2024-05-07/sdn.xml"
SDN_CSV = "us/ofac-sdn-csv/2024-05-03/sdn.csv"
OFSI_CSV = [
    "gb/gb-ofsi-conlist-csv/2016-03-23/ukhmt_2016-03-25.csv",
    "gb/gb-ofsi-conlist-csv/2018-04-13/sanctionsconlist.csv",
    "gb/gb-ofsi-conlist-csv/2020-04-27/sample_hmt.csv",
]
OFSI_XLSX = [
    "gb/gb-ofsi-conlist-xlsx/2025-04-10/UK_Sanctions_List.xlsx",
    "gb/gb-ofsi-conlist-xlsx/2025-04-14/ConList.xlsx",
]
CA_2025 = "ca/sema-consolidated-xml/2025-05-25/cannada.xml"


def invoke(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", str(db), *args])


def invoke_json(db: Path, *args: str) -> Any:
    result = invoke(db, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


# --- EU Financial Sanctions File --------------------------------------------------------------


@pytest.fixture(scope="module")
def fsf_raw(lists_dir: Path) -> list[etree._Element]:
    return etree.parse(str(lists_dir / FSF)).getroot().findall(f"{FSF_NS}sanctionEntity")


def test_fsf_real_file_loads_with_one_record_per_logical_id(lists_dir: Path, fsf_raw: list) -> None:
    snapshot = parse_cached(lists_dir / FSF, "eu_fsf_xml")
    ids = [entity.get("logicalId") for entity in fsf_raw]
    assert len(ids) == 4811  # PROVENANCE.md's count of top-level entries
    assert [r.source_id for r in snapshot.records] == list(dict.fromkeys(ids))
    assert snapshot.published_on.isoformat() == fsf_raw[0].getroottree().getroot().get("generationDate")[:10]
    kinds = {e.get("logicalId"): e.find(f"{FSF_NS}subjectType").get("code") for e in fsf_raw}
    expected = {"person": Kind.PERSON, "enterprise": Kind.ORGANIZATION}
    assert all(record.kind == expected[kinds[record.source_id]] for record in snapshot.records)


def test_fsf_repeated_logical_ids_merge_all_their_listings(lists_dir: Path, fsf_raw: list) -> None:
    records = by_id(parse_cached(lists_dir / FSF, "eu_fsf_xml"))
    entries: dict[str, list] = defaultdict(list)
    for entity in fsf_raw:
        entries[entity.get("logicalId")].append(entity)
    repeated = {logical_id: group for logical_id, group in entries.items() if len(group) > 1}
    assert sorted(repeated) == ["120128", "547", "593"]  # the three ids
    for logical_id, group in repeated.items():
        record = records[logical_id]
        programmes = [r.get("programme") for e in group for r in e.iter(f"{FSF_NS}regulation")]
        assert sorted(record.regimes) == sorted(set(programmes)) and len(set(programmes)) == 2
        titles = {r.get("numberTitle") for e in group for r in e.iter(f"{FSF_NS}regulation")}
        assert {t for t in titles if any(remark.startswith(f"Regulation {t}:") for remark in record.remarks)} == titles
        names = {a.get("wholeName") for e in group for a in e.iter(f"{FSF_NS}nameAlias")}
        assert {" ".join(n.full.split()) for n in record.names} == {" ".join(n.split()) for n in names}
        assert sum(1 for n in record.names if n.type == NameType.PRIMARY) == 1
        days = [e.get("designationDate") for e in group if e.get("designationDate")]
        assert record.listed_on == min(days)


def test_fsf_dates_languages_and_remarks_as_the_file_states_them(lists_dir: Path, fsf_raw: list) -> None:
    records = by_id(parse_cached(lists_dir / FSF, "eu_fsf_xml"))
    for entity in fsf_raw:
        record = records[entity.get("logicalId")]
        if stated := entity.get("designationDate"):
            assert record.listed_on <= stated
        for alias in entity.iter(f"{FSF_NS}nameAlias"):
            language = alias.get("nameLanguage") or None
            full = alias.get("wholeName")
            langs = {n.lang for n in record.names if " ".join(n.full.split()) == " ".join(full.split())}
            assert (language.lower() if language else None) in langs
        for remark in entity.findall(f"{FSF_NS}remark"):
            if (remark.text or "").strip() not in ("", "None"):  # the file has empty <remark/>s and "None"s
                assert " ".join(remark.text.split()) in record.remarks
    bastrykin = next(e for e in fsf_raw if e.get("euReferenceNumber") == "EU.6172.95")
    record = records[bastrykin.get("logicalId")]
    # the file names him in Bulgarian first; the caption is his English name
    assert bastrykin.find(f"{FSF_NS}nameAlias").get("nameLanguage") == "BG"
    assert record.caption == "Alexander Ivanovich BASTRYKIN"
    # his regulation element is a 2023 amendment: the listing is the designationDate
    assert bastrykin.find(f"{FSF_NS}regulation").get("publicationDate") > bastrykin.get("designationDate")
    assert record.listed_on == bastrykin.get("designationDate") == "2021-03-02"


# --- OFAC SDN.XML against the CSV of the nearest date -----------------------------------------


def _fold(name: str) -> str:
    """A name without the quote characters and double spaces the two OFAC formats write differently."""
    return " ".join(name.replace('"', "").replace("'", "").split()).upper()


def test_sdn_xml_has_the_entries_and_names_of_the_csv_four_days_earlier(lists_dir: Path) -> None:
    xml = by_id(parse_cached(lists_dir / SDN_XML, "ofac_xml"))
    csv_set = by_id(parse_cached(lists_dir / SDN_CSV, "ofac_csv"))
    root = etree.parse(str(lists_dir / SDN_XML)).getroot()
    raw_xml = {e.findtext("{*}uid") for e in root.iter("{*}sdnEntry")}
    raw_csv = {row[0] for row in csv.reader(io.StringIO((lists_dir / SDN_CSV).read_text("cp1252"))) if row and row[0]}
    raw_csv.discard("\x1a")
    assert set(xml) == raw_xml and set(csv_set) == raw_csv
    assert raw_csv <= raw_xml and len(raw_xml - raw_csv) == 1  # PROVENANCE: one entry more
    for uid in raw_csv:
        assert _fold(xml[uid].caption) == _fold(csv_set[uid].caption), uid
        assert xml[uid].kind == csv_set[uid].kind, uid
        # the CSV alone states aliases only in its remarks, which it cuts off at a length ("SNOWSJO" for
        # SNOWSJOHN): each is the XML's name or the start of one
        xml_names = [_fold(n.full) for n in xml[uid].names]
        for name in csv_set[uid].names:
            assert any(full.startswith(_fold(name.full)) for full in xml_names), (uid, name.full)


# --- UK, OFSI consolidated list --------------------------------------------------------------


def ofsi_raw(path: Path) -> tuple[str, list[dict[str, str]]]:
    """The "Last Updated" day and the data rows (header → text) of an OFSI file, read with csv or openpyxl."""
    if path.suffix == ".xlsx":
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = [["" if c is None else str(c) for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)]
        workbook.close()
    else:
        rows = list(csv.reader(io.StringIO(path.read_bytes().decode("cp1252"), newline="")))
    assert rows[0][0] == "Last Updated"
    header = rows[1]
    return rows[0][1], [dict(zip(header, row, strict=True)) for row in rows[2:]]


def iso(day: str) -> str:
    d, m, y = day.split("/")
    return f"{y}-{m}-{d}"


@pytest.mark.parametrize("relative", OFSI_CSV + OFSI_XLSX)
def test_ofsi_every_layout_loads_one_record_per_group(lists_dir: Path, relative: str) -> None:
    file = SourceFile.read(lists_dir / relative)
    assert recognise(file).name == "gb_ofsi_table"
    snapshot = parse_cached(lists_dir / relative, "gb_ofsi_table")
    updated, rows = ofsi_raw(lists_dir / relative)
    groups: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        groups[row["Group ID"]].append(row)
    assert snapshot.source == "gb_ofsi" and snapshot.published_on.isoformat() == iso(updated)
    records = by_id(snapshot)
    assert set(records) == set(groups)
    kinds = {"Individual": Kind.PERSON, "Entity": Kind.ORGANIZATION, "Ship": Kind.VESSEL}
    for group, group_rows in groups.items():
        record = records[group]
        assert record.id == f"gb_ofsi:{group}"
        assert record.kind == kinds[group_rows[0]["Group Type"]]
        assert record.listed_on == min(iso(r["Listed On"]) for r in group_rows)
        assert set(record.regimes) == {r["Regime"].strip() for r in group_rows}
        latin = {" ".join(" ".join(r[f"Name {n}"] for n in (1, 2, 3, 4, 5, 6)).split()) for r in group_rows}
        non_latin = {" ".join(r.get("Name Non-Latin Script", "").split()) for r in group_rows} - {""}
        assert {n.full for n in record.names} == latin | non_latin
        assert sum(1 for n in record.names if n.type == NameType.PRIMARY) <= 1


def test_ofsi_2022_layout_details(lists_dir: Path) -> None:
    records = by_id(parse_cached(lists_dir / OFSI_XLSX[1], "gb_ofsi_table"))
    _, rows = ofsi_raw(lists_dir / OFSI_XLSX[1])
    abramovich = [r for r in rows if r["Name 6"] == "ABRAMOVICH" and r["Name 1"] == "Roman"]
    record = records[abramovich[0]["Group ID"]]
    assert record.listed_on == iso(abramovich[0]["Listed On"]) == "2022-03-10"
    assert record.regimes == ["Russia"] and record.gender == "male" and record.caption == "Roman Arkadyevich ABRAMOVICH"
    assert {n.full: n.script for n in record.names}["Роман Аркадьевич АБРАМОВИЧ"] == "Cyrl"
    assert [(i.type, i.value, i.note) for i in record.identifiers] == [
        ("passport", "CB982788", "Portugal"),
        ("passport", "24132276", "Israel"),
    ]
    assert record.nationalities == ["ru", "il", "pt"] and record.birth_dates[0].value == "1966-10-24"
    reference = abramovich[0]["Other Information"].split("(UK Sanctions List Ref):")[1].split(".")[0]
    assert record.cross_refs == [f"gb_fcdo:{reference}"]
    # non-Latin names carry their language; weak aliases their quality
    languages = {r["Name Non-Latin Script"]: r["Non-Latin Script Language"] for r in rows if r["Name Non-Latin Script"]}
    russian = next(name for name, language in languages.items() if language == "Russian")
    assert any(n.full == russian and n.lang == "ru" for r in records.values() for n in r.names)
    low = next(r for r in rows if r["Alias Quality"] == "Low quality")
    name = " ".join(" ".join(low[f"Name {n}"] for n in range(1, 7)).split())
    assert any(n.full == name and n.type == NameType.WEAK_ALIAS for n in records[low["Group ID"]].names)
    un_refs = {r["Group ID"] for r in rows if "(UN Ref):" in r["Other Information"]}
    assert all(any(ref.startswith("un_sc:") for ref in records[g].cross_refs) for g in un_refs)


def test_ofsi_changes_between_the_two_2025_files(lists_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "uk.db"
    result = invoke(db, "load", str(lists_dir / "gb/gb-ofsi-conlist-xlsx"))
    assert result.exit_code == 0, result.output
    (before_rows, after_rows) = (ofsi_raw(lists_dir / path)[1] for path in OFSI_XLSX)

    def grouped(rows: list[dict[str, str]]) -> dict[str, list[tuple[str, ...]]]:
        groups: dict[str, list[tuple[str, ...]]] = defaultdict(list)
        for row in rows:
            groups[row["Group ID"]].append(tuple(row.values()))
        return {group: sorted(set(values)) for group, values in groups.items()}

    before, after = grouped(before_rows), grouped(after_rows)
    changes = invoke_json(db, "changes", "--source", "gb_ofsi")
    by_kind: dict[str, set[str]] = defaultdict(set)
    for change in changes:
        if change["date"] == "2025-04-14":
            by_kind[change["change"]].add(change["record_id"].removeprefix("gb_ofsi:"))
    assert by_kind["added"] == set(after) - set(before) and len(by_kind["added"]) == 2
    assert by_kind["removed"] == set(before) - set(after) == set()
    assert by_kind["amended"] == {g for g in before.keys() & after.keys() if before[g] != after[g]}
    [source] = [s for s in invoke_json(db, "sources") if s["source"] == "gb_ofsi"]
    assert (source["jurisdiction"], source["latest"], source["records"]) == ("gb", "2025-04-14", len(after))


# --- Canada 2025 ------------------------------------------------------------------------------


def test_sema_2025_regimes_and_listing_dates(lists_dir: Path) -> None:
    snapshot = parse_cached(lists_dir / CA_2025, "ca_sema_xml")
    raw = etree.parse(str(lists_dir / CA_2025)).getroot().findall("record")
    assert len(snapshot.records) == len(raw) == 4759
    assert [r.listed_on for r in snapshot.records] == [e.findtext("DateOfListing") for e in raw]
    regimes = {e.findtext("Country").split(" / ")[0].strip() for e in raw}
    assert {r.regimes[0] for r in snapshot.records} == regimes
    assert {"Russia", "Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"} <= regimes
    murashko = [r for r in snapshot.records if r.caption == "Mikhail Albertovich MURASHKO"]
    [element] = [e for e in raw if e.findtext("LastName") == "MURASHKO"]
    assert [r.listed_on for r in murashko] == [element.findtext("DateOfListing")] == ["2022-03-06"]
    assert murashko[0].regimes == ["Russia"] and {n.full for n in murashko[0].names} >= {"Михаил Альбертович Мурашко"}


# --- batch screening: no row left unscreened -------------------------------------------------


def test_screen_jsonl_with_garbage_birth_dates_screens_every_row(loaded_db: Path, tmp_path: Path) -> None:
    queries = [
        {"id": "a", "schema": "Person", "properties": {"name": ["Alisher Usmanov"], "birthDate": ["1968-13-30"]}},
        {"id": "b", "schema": "Person", "properties": {"name": ["Roman Abramovich"], "birthDate": ["garbage"],
                                                       "nationality": ["Atlantis"]}},
        {"id": "c", "schema": "Persn", "properties": {"name": ["Alexander Bastrykin"], "birthDate": ["1953-08-27"]}},
        {"id": "d", "schema": "Person", "properties": {"birthDate": ["1968-13-30"]}},
    ]
    path = tmp_path / "customers.jsonl"
    path.write_text("".join(json.dumps(q) + "\n" for q in queries), encoding="utf-8")
    result = invoke(loaded_db, "screen", str(path))
    assert result.exit_code == 1  # row d has no name: the only error
    lines = {line["id"]: line for line in map(json.loads, result.stdout.splitlines())}
    assert list(lines) == ["a", "b", "c", "d"]
    for key in "abc":
        assert "error" not in lines[key] and lines[key]["results"][0]["match"], lines[key]
    assert lines["a"]["warnings"] == ["line 1: birth date: cannot read '1968-13-30' (use YYYY-MM-DD, YYYY-MM, YYYY "  # noqa: ISC004
                                      "or DD.MM.YYYY)"]  # fmt: skip
    assert [w.split(": ")[1] for w in lines["b"]["warnings"]] == ["birth date", "country"]
    assert lines["c"]["warnings"][0].startswith("line 3: schema: unknown schema 'Persn'")
    assert lines["d"]["results"] == [] and lines["d"]["error"].startswith("line 4: name:")
    out = tmp_path / "results.csv"
    assert invoke(loaded_db, "screen", str(path), "-o", str(out)).exit_code == 1
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert {row["query_id"] for row in rows} == {"a", "b", "c", "d"}
    assert all("birth date" in row["warnings"] for row in rows if row["query_id"] == "a")


# --- Australia: the layout of 1 November 2025 (from DFAT's description; no real file here) ---------


def test_au_november_2025_layout_alias_strength_and_measures(lists_dir: Path, tmp_path: Path) -> None:
    """The real 2024 workbook with the new layout's columns added: Alias Strength and Type of Measure."""
    path = lists_dir / "au/dfat-consolidated-xlsx/2024-11-11/regulation8_consolidated.xlsx"
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = [list(row)[:12] for row in workbook.worksheets[0].iter_rows(values_only=True, max_row=60)]
    workbook.close()
    header = [str(cell) for cell in rows[0]]
    name_type, dob = header.index("Name Type"), header.index("Date of Birth")
    aliases = [i for i, row in enumerate(rows[1:], start=1) if row[name_type] == "aka"]
    assert aliases, "the first rows hold aliases"
    rows[0] += ["Alias Strength", "Type of Measure"]
    for i, row in enumerate(rows[1:], start=1):
        row += ["Weak" if i == aliases[0] else "Strong" if i in aliases else None, "Targeted financial sanction"]
    rows[1][dob] = "Approximately 1961"
    new = openpyxl.Workbook()
    for row in rows:
        new.active.append(row)
    target = tmp_path / "2025-11-01" / "regulation8_consolidated.xlsx"
    target.parent.mkdir()
    new.save(target)
    [snapshot] = recognise(SourceFile.read(target)).parse([SourceFile.read(target)])
    records = by_id(snapshot)

    def record_of(row: list) -> Any:
        return records[re.match(r"\d+", str(row[header.index("Reference")])).group(0)]

    weak_row = rows[aliases[0]]
    name = weak_row[header.index("Name of Individual or Entity")]
    assert [n.type for n in record_of(weak_row).names if n.full == name] == [NameType.WEAK_ALIAS]
    strong_row = rows[aliases[1]]
    name = strong_row[header.index("Name of Individual or Entity")]
    assert [n.type for n in record_of(strong_row).names if n.full == name] == [NameType.ALIAS]
    first = record_of(rows[1])
    assert first.birth_dates[0].value == "1961" and first.birth_dates[0].circa
    assert all("Type of measure: Targeted financial sanction" in r.remarks for r in records.values())


# --- the UK in every view ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def abramovich_uk(lists_dir: Path) -> dict[str, str]:
    """Abramovich's OFSI row as the raw 2025-04-14 workbook states it."""
    _, rows = ofsi_raw(lists_dir / OFSI_XLSX[1])
    return next(r for r in rows if r["Name 6"] == "ABRAMOVICH" and r["Name 1"] == "Roman")


def test_the_uk_in_coverage_subject_text_and_web(loaded_db: Path, abramovich_uk: dict[str, str], tmp_path: Path) -> None:
    proposal = Path(__file__).resolve().parents[1] / "examples/navalny-2021-02-09.csv"
    assert invoke(loaded_db, "proposals", "import", str(proposal), "--name", "issue14").exit_code == 0
    report = invoke_json(loaded_db, "coverage", "issue14")
    assert "gb" in report["jurisdictions"]
    rows = {row["name"]: row["designations"] for row in report["targets"]}
    [abramovich] = [d for name, d in rows.items() if "Abramovich" in name]
    assert abramovich["gb"]["listed_on"] == iso(abramovich_uk["Listed On"]) == "2022-03-10"
    assert abramovich["gb"]["record"] == f"gb_ofsi:{abramovich_uk['Group ID']}"
    assert abramovich["gb"]["listed_on_basis"] == "stated"
    [murashko] = [d for name, d in rows.items() if "Murashko" in name]
    assert murashko["ca"]["listed_on"] == "2022-03-06"  # Canada's 2025 list
    table = invoke(loaded_db, "coverage", "issue14", "--format", "md")
    assert table.exit_code == 0 and "| gb" in table.stdout.lower() and "2022-03-10" in table.stdout

    subject = invoke_json(loaded_db, "subject", f"gb_ofsi:{abramovich_uk['Group ID']}")
    uk = [d for d in subject["designations"] if d["jurisdiction"] == "gb"]
    assert [(d["listed_on"], d["regime"]) for d in uk] == [("2022-03-10", abramovich_uk["Regime"])]

    article = tmp_path / "article.txt"
    article.write_text("Roman Abramovich sold Chelsea.", encoding="utf-8")
    text = invoke_json(loaded_db, "screen-text", str(article))
    [found] = [s for s in text["subjects"] if "ABRAMOVICH" in s["caption"]]
    assert "gb" in found["designations"]

    from fastapi.testclient import TestClient

    from sanctionscope.api.app import create_app
    from sanctionscope.store import db

    client = TestClient(create_app(db.connect(str(loaded_db)), auth=False))
    page = client.get(f"/subject/{subject['id']}")
    assert page.status_code == 200 and "GB" in page.text and "2022-03-10" in page.text
