"""OFAC CSV and XML, EU annex CSV parsers on the real files; expectations computed from the raw bytes."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sanctionscope.sources.base import SourceError, SourceFile
from sanctionscope.sources.eu_journal import FORMAT as EU
from sanctionscope.sources.ofac_csv import FORMAT as OFAC_CSV
from sanctionscope.sources.ofac_xml import FORMAT as OFAC_XML


def read_set(folder: Path) -> list[SourceFile]:
    return [SourceFile.read(path) for path in sorted(folder.glob("*.csv"))]


def test_sdn_csv_set_with_companions(lists_dir: Path) -> None:
    folder = lists_dir / "us/ofac-sdn-csv/2021-07-07"
    (snapshot,) = OFAC_CSV.parse(read_set(folder))
    assert snapshot.source == "us_ofac_sdn" and snapshot.published_on is None
    assert snapshot.partial_fields == frozenset()
    with (folder / "sdn.csv").open(encoding="latin-1", newline="") as handle:
        numbers = {row[0] for row in csv.reader(handle) if row and row[0].strip().isdigit()}
    assert {r.source_id for r in snapshot.records} == numbers
    by_id = {r.source_id: r for r in snapshot.records}
    bastrykin = by_id["21186"]
    assert bastrykin.kind.value == "person" and bastrykin.regimes == ["MAGNIT"]
    assert bastrykin.names[0].family == "BASTRYKIN" and bastrykin.names[0].given == "Alexander Ivanovich"
    assert [d.value for d in bastrykin.birth_dates] == ["1953-08-27"] and bastrykin.gender == "male"
    # alt.csv aliases and add.csv addresses are attached to their entries
    with (folder / "alt.csv").open(encoding="latin-1", newline="") as handle:
        first_alias = next(csv.reader(handle))
    assert first_alias[3].strip() in {n.full for n in by_id[first_alias[0]].names}
    # sdn_comments.csv continues a cut remark: the full text is read as one
    with (folder / "sdn_comments.csv").open(encoding="latin-1", newline="") as handle:
        comment = next(csv.reader(handle))
    assert by_id[comment[0]].remarks[0].endswith(comment[1].strip())


def test_sdn_csv_alone_declares_what_it_cannot_state(lists_dir: Path) -> None:
    (snapshot,) = OFAC_CSV.parse(read_set(lists_dir / "us/ofac-sdn-csv/2022-03-04"))
    assert "addresses" in snapshot.partial_fields
    usmanov = [r for r in snapshot.records if r.caption.startswith("USMANOV, Alisher")]
    assert len(usmanov) == 1 and "RUSSIA-EO14024" in usmanov[0].regimes


def test_consolidated_csv_set(lists_dir: Path) -> None:
    folder = lists_dir / "us/ofac-consolidated-csv/2025-12-19"
    (snapshot,) = OFAC_CSV.parse(read_set(folder))
    assert snapshot.source == "us_ofac_cons"
    with (folder / "cons_prim.csv").open(encoding="latin-1", newline="") as handle:
        assert len(snapshot.records) == sum(1 for row in csv.reader(handle) if row and row[0].strip().isdigit())


def test_partial_set_without_sdn_csv_is_refused(lists_dir: Path) -> None:
    with pytest.raises(SourceError, match="not sdn.csv"):
        OFAC_CSV.parse(read_set(lists_dir / "us/ofac-sdn-csv-partial-set/2025-12-24"))


def test_duplicate_entry_number_names_the_line(tmp_path: Path, lists_dir: Path) -> None:
    lines = (lists_dir / "us/ofac-sdn-csv/2022-02-25/sdn.csv").read_bytes().split(b"\n")
    damaged = tmp_path / "sdn.csv"
    damaged.write_bytes(b"\n".join([*lines[:10], lines[3], *lines[10:]]))
    with pytest.raises(SourceError, match=r"line 11: entry number \d+ appears more than once"):
        OFAC_CSV.parse([SourceFile.read(damaged)])


def test_utf16_csv_is_refused(tmp_path: Path, lists_dir: Path) -> None:
    damaged = tmp_path / "sdn.csv"
    damaged.write_bytes((lists_dir / "us/ofac-sdn-csv/2022-02-25/sdn.csv").read_text("latin-1").encode("utf-16"))
    with pytest.raises(SourceError, match="UTF-16"):
        OFAC_CSV.parse([SourceFile.read(damaged)])


@pytest.mark.parametrize("day", ["2025-10-22", "2025-12-18", "2026-01-08"])
def test_consolidated_xml(lists_dir: Path, day: str) -> None:
    path = lists_dir / f"us/ofac-consolidated-xml/{day}/ofac.xml"
    (snapshot,) = OFAC_XML.parse([SourceFile.read(path)])
    text = path.read_text(encoding="utf-8")
    assert snapshot.source == "us_ofac_cons"
    assert snapshot.published_on.isoformat() == day
    assert len(snapshot.records) == len(re.findall(r"<sdnEntry>", text))
    assert {r.source_id for r in snapshot.records} == set(re.findall(r"<sdnEntry>\s*<uid>(\d+)</uid>", text))


def test_reordered_refetch_has_identical_record_hashes(lists_dir: Path) -> None:
    (first,) = OFAC_XML.parse([SourceFile.read(lists_dir / "us/ofac-consolidated-xml/2025-10-22/ofac.xml")])
    (again,) = OFAC_XML.parse([SourceFile.read(lists_dir / "us/ofac-consolidated-xml-refetch/2025-10-22/ofac.xml")])
    assert (lists_dir / "us/ofac-consolidated-xml/2025-10-22/ofac.xml").read_bytes() != (
        lists_dir / "us/ofac-consolidated-xml-refetch/2025-10-22/ofac.xml"
    ).read_bytes()
    assert {r.source_id: r.content_hash() for r in first.records} == {
        r.source_id: r.content_hash() for r in again.records
    }


def test_truncated_ofac_xml_names_the_line(tmp_path: Path, lists_dir: Path) -> None:
    raw = (lists_dir / "us/ofac-consolidated-xml/2026-01-08/ofac.xml").read_bytes()
    damaged = tmp_path / "ofac.xml"
    damaged.write_bytes(raw[: len(raw) // 3])
    with pytest.raises(SourceError, match=r"ofac.xml, line \d+: malformed or truncated XML"):
        OFAC_XML.parse([SourceFile.read(damaged)])


def test_eu_annexes(lists_dir: Path) -> None:
    folder = lists_dir / "eu/opensanctions-journal-consolidated-csv/2026-08-19"
    files = [SourceFile.read(p) for p in sorted(folder.glob("*.csv"))]
    assert all(EU.claims(f) for f in files)
    snapshots = {s.scope: s for s in EU.parse(files)}
    assert len(snapshots) == len(files)
    for celex, snapshot in snapshots.items():
        with (folder / f"{celex}.csv").open(encoding="utf-8", newline="") as handle:
            assert len(snapshot.records) == sum(1 for _ in csv.DictReader(handle))
    by_name = {r.caption: r for r in snapshots["32020R1998"].records}
    bastrykin = by_name["Alexander (Alexandr) Ivanovich BASTRYKIN"]
    assert bastrykin.id == "eu_journal:32020R1998#I.A-2"
    assert bastrykin.listed_on == "2021-03-02"
    assert [d.value for d in bastrykin.birth_dates] == ["1953-08-27"]
    assert any(n.script == "Cyrl" and "БАСТРЫКИН" in n.full for n in bastrykin.names)
    russia = {r.caption: r for r in snapshots["32014R0269"].records}
    assert russia["Alisher Burkhanovich USMANOV"].listed_on == "2022-02-28"
    assert russia["Roman Arkadyevich ABRAMOVICH"].listed_on == "2022-03-15"
    belarus = [r for r in snapshots["32006R0765"].records if "MURASHKO" in r.caption.upper()]
    assert belarus and all("Vadim" in r.caption for r in belarus)


def test_eu_file_with_a_cut_row_is_refused(tmp_path: Path, lists_dir: Path) -> None:
    raw = (lists_dir / "eu/opensanctions-journal-consolidated-csv/2026-08-19/32020R1998.csv").read_bytes()
    damaged = tmp_path / "32020R1998.csv"
    damaged.write_bytes(raw[: raw.index(b"\n", 5000) + 40])
    with pytest.raises(SourceError, match="32020R1998.csv"):
        EU.parse([SourceFile.read(damaged)])


def test_eu_amending_acts_link_to_the_amended_regulation(lists_dir: Path) -> None:
    path = lists_dir / "eu/opensanctions-journal-amendments-csv/2026-08-15/32026R1848.csv"
    file = SourceFile.read(path)
    assert EU.claims(file)
    (snapshot,) = EU.parse([file])
    assert snapshot.scope == "amendment:32026R1848"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(snapshot.records) == len(rows)
    amended = {row["amendedCelex"] for row in rows}
    assert {r.source_id.split("#")[0] for r in snapshot.records} == amended


def test_enhanced_xml_zip(lists_dir: Path) -> None:
    import zipfile

    from sanctionscope.sources.ofac_enhanced import FORMAT as ENHANCED

    path = lists_dir / "us/ofac-consolidated-enhanced-xml/2025-01-10/CONS_ENHANCED.ZIP"
    (snapshot,) = ENHANCED.parse([SourceFile.read(path)])
    with zipfile.ZipFile(path) as archive:
        text = archive.read("CONS_ENHANCED.XML").decode("utf-8")
    ids = set(re.findall(r'<entity id="(\d+)">', text))
    assert snapshot.source == "us_ofac_cons" and snapshot.published_on.isoformat() == "2025-01-10"
    assert {r.source_id for r in snapshot.records} == ids and len(ids) == 443
    haniya = {r.source_id: r for r in snapshot.records}["9639"]
    assert haniya.caption == "HANIYA, Ismail Abdul Salah" and haniya.names[0].family == "HANIYA"
    assert [d.value for d in haniya.birth_dates] == ["1962"] and haniya.regimes == ["NS-PLC"]
    # the same entries as the legacy XML of the same season, under the same numbers
    (legacy,) = OFAC_XML.parse([SourceFile.read(lists_dir / "us/ofac-consolidated-xml/2025-10-22/ofac.xml")])
    assert len(ids & {r.source_id for r in legacy.records}) > 400


def test_enhanced_zip_without_xml_is_refused(tmp_path: Path) -> None:
    import io
    import zipfile

    from sanctionscope.sources.ofac_enhanced import FORMAT as ENHANCED

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "nothing here")
    bad = tmp_path / "CONS_ENHANCED.ZIP"
    bad.write_bytes(buffer.getvalue())
    with pytest.raises(SourceError, match="holds no XML"):
        ENHANCED.parse([SourceFile.read(bad)])
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(SourceError, match="not a readable zip"):
        ENHANCED.parse([SourceFile.read(bad)])
