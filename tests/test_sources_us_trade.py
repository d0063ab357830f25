"""The BIS Denied Persons List and the trade.gov Consolidated Screening List, on the real files."""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from support import by_id, parse_bytes
from support import parse_cached as _parse_cached

from sanctionscope.model import FuzzyDate, Identifier, Kind, NameType
from sanctionscope.model.values import clean
from sanctionscope.sources import bis_dpl, trade_csl, un_xml
from sanctionscope.sources.base import SourceError, SourceFile

DPL_FILES = ("us/bis-dpl/2019-06-29/dpl.txt", "us/bis-dpl/2022-09-07/dpl.txt")
CSL_GZ = "us/trade-gov-csl/2025-02-27/consolidated.csv.gz"
CSL_2023 = "us/trade-gov-csl/2023-11-30/csl.csv"
Damage = Callable[[bytes], bytes]
HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head><body>Not Found</body></html>"


# --------------------------------------------------------------------------------------------
# BIS Denied Persons List
# --------------------------------------------------------------------------------------------


def dpl_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


@pytest.mark.parametrize(("relative", "rows", "parties"), [(DPL_FILES[0], 546, 415), (DPL_FILES[1], 581, 459)])
def test_dpl_one_record_per_name(lists_dir: Path, relative: str, rows: int, parties: int) -> None:
    raw_rows = dpl_rows(lists_dir / relative)
    assert len(raw_rows) == rows
    names = {" ".join(r["Name"].split()) for r in raw_rows}
    assert len(names) == parties
    snapshot = _parse_cached(lists_dir / relative, "bis_dpl")
    assert {r.source_id for r in snapshot.records} == names
    assert (snapshot.source, snapshot.format, snapshot.published_on) == ("us_bis_dpl", "bis_dpl", None)
    records = by_id(snapshot)
    # Every row is in its record: its address, its effective date; listed_on is the earliest one.
    for row in raw_rows:
        record = records[" ".join(row["Name"].split())]
        month, day, year = row["Effective_Date"].split("/")
        assert f"Effective date: {year}-{month}-{day}" in record.remarks
        assert record.listed_on is not None and record.listed_on <= f"{year}-{month}-{day}"
        if street := clean(row["Street_Address"]):
            assert any(a.full.startswith(street) for a in record.addresses)


def test_dpl_spot_checks(lists_dir: Path) -> None:
    records = by_id(_parse_cached(lists_dir / DPL_FILES[1], "bis_dpl"))
    nasser = records["ABDULAH AL NASSER"]
    assert nasser.id == "us_bis_dpl:ABDULAH AL NASSER"
    assert nasser.listed_on == "2002-03-04"
    assert [a.full for a in nasser.addresses] == [
        "605 TRAIL LAKE DRIVE, RICHARDSON, TX, 75081, US",
        "908 AUDELIA ROAD, SUIE 200, PMB #245, RICHARDSON, TX, 75081, US",
    ]
    assert nasser.countries == ["us"]
    # The two rows cite the Federal Register differently; both citations are kept, once each.
    assert [r for r in nasser.remarks if r.startswith("Federal Register")] == [
        "Federal Register: 67 F.R. 56530 9/4/02",
        "Federal Register: 67 F.R. 10890 3/11/02",
        "Federal Register: 71 F.R. 38843 7/10/06",
    ]
    assert "Expiration date: 2056-06-29" in nasser.remarks
    assert "Action: 50 YEAR DENIAL" in nasser.remarks
    # " I. ASH" is named in a 2002 and a 2003 order: one party, listed since the first.
    ash = records["I. ASH"]
    assert ash.listed_on == "2002-03-04"
    assert {"Effective date: 2002-03-04", "Effective date: 2003-06-19"} <= set(ash.remarks)
    assert len(ash.addresses) == 3
    sun = records["FUYI SUN A/K/A FRANK SUN"]
    assert [(n.full, n.type) for n in sun.names] == [("FUYI SUN", NameType.PRIMARY), ("FRANK SUN", NameType.ALIAS)]
    air_freight = records["AIR FREIGHT LTD"]  # four rows, four addresses
    assert (air_freight.kind, len(air_freight.addresses), air_freight.listed_on) == (Kind.ORGANIZATION, 4, "2022-05-13")
    assert records["ABEL HERNANDEZ, JR."].kind == Kind.PERSON


def test_dpl_renewed_order_keeps_its_id(lists_dir: Path) -> None:
    """Temporary denial orders are renewed with a new Effective_Date: the same record, amended, not re-added."""
    old = by_id(_parse_cached(lists_dir / DPL_FILES[0], "bis_dpl"))["MAHAN AIRWAYS"]
    new = by_id(_parse_cached(lists_dir / DPL_FILES[1], "bis_dpl"))["MAHAN AIRWAYS"]
    assert (old.listed_on, new.listed_on) == ("2019-06-05", "2022-05-13")
    assert old.content_hash() != new.content_hash()


def test_dpl_kind_heuristic() -> None:
    assert bis_dpl.guess_kind("MAHAN AIR GENERAL TRADING LLC") == Kind.ORGANIZATION
    assert bis_dpl.guess_kind("NORDIC MARITIME PTE. LTD.") == Kind.ORGANIZATION
    assert bis_dpl.guess_kind("SYNAPTIX.NET") == Kind.ORGANIZATION
    assert bis_dpl.guess_kind("ROBERT J. SHUBERT, SR.") == Kind.PERSON
    assert bis_dpl.guess_kind("EDWIN NAVARRO MAKASIAR II") == Kind.PERSON
    assert bis_dpl.guess_kind("AARON ROBERT HENDERSON") == Kind.UNKNOWN


def test_dpl_kinds_on_real_file(lists_dir: Path) -> None:
    records = _parse_cached(lists_dir / DPL_FILES[1], "bis_dpl").records
    kinds = Counter(r.kind for r in records)
    assert kinds[Kind.ORGANIZATION] > 100 and kinds[Kind.PERSON] >= 10
    for record in records:
        if record.caption in ("PJSC AEROFLOT", "TECHMA GMBH", "AW-TRONICS LLC"):
            assert record.kind == Kind.ORGANIZATION


def test_dpl_exact_duplicate_row_is_merged_not_lost(lists_dir: Path, tmp_path: Path) -> None:
    lines = (lists_dir / DPL_FILES[1]).read_bytes().splitlines(keepends=True)
    [snapshot] = parse_bytes(bis_dpl.FORMAT, tmp_path, "dpl.txt", b"".join([*lines, lines[5]]))
    original = _parse_cached(lists_dir / DPL_FILES[1], "bis_dpl")
    assert [r.to_dict() for r in snapshot.records] == [r.to_dict() for r in original.records]


@pytest.mark.parametrize(
    ("damage", "expect", "line"),
    [
        (lambda raw: raw[: raw.index(b"\n", len(raw) // 2) + 40], "truncated", None),
        (lambda raw: b"", "empty", None),
        (lambda raw: HTML_PAGE, "HTML", None),
        (lambda raw: raw.replace(b"PHONEIX", b"PH\xd6NEIX"), "UTF-8", 2),
        (lambda raw: raw.replace(b'"Effective_Date"', b'"Start"'), "Effective_Date", 1),
    ],
)
def test_dpl_damaged_files(lists_dir: Path, tmp_path: Path, damage: Damage, expect: str, line: int | None) -> None:
    with pytest.raises(SourceError) as caught:
        parse_bytes(bis_dpl.FORMAT, tmp_path, "dpl.txt", damage((lists_dir / DPL_FILES[0]).read_bytes()))
    assert str(tmp_path / "dpl.txt") in str(caught.value)
    assert expect.lower() in str(caught.value).lower()
    if line is not None:
        assert caught.value.line == line


def test_dpl_truncated_row_names_its_line(lists_dir: Path, tmp_path: Path) -> None:
    raw = (lists_dir / DPL_FILES[0]).read_bytes()
    cut = raw[: raw.index(b"\t", raw.index(b"AARON ROBERT HENDERSON"))]
    with pytest.raises(SourceError) as caught:
        parse_bytes(bis_dpl.FORMAT, tmp_path, "dpl.txt", cut)
    assert caught.value.line == cut.count(b"\n") + 1
    assert "fields" in str(caught.value)


# --------------------------------------------------------------------------------------------
# trade.gov Consolidated Screening List
# --------------------------------------------------------------------------------------------


def csl_rows(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if path.suffix == ".gz" else raw).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csl_gz_counts(lists_dir: Path) -> None:
    rows = csl_rows(lists_dir / CSL_GZ)
    assert len(rows) == 14160
    ids = {row["_id"] for row in rows}
    snapshot = _parse_cached(lists_dir / CSL_GZ, "trade_csl")
    assert len(snapshot.records) == len(ids) == 14048
    assert {r.source_id for r in snapshot.records} == ids
    assert (snapshot.source, snapshot.format, snapshot.published_on) == ("us_trade_csl", "trade_csl", None)
    # Every list a row comes from is among its record's regimes.
    records = by_id(snapshot)
    for row in rows:
        assert row["source"] in records[row["_id"]].regimes
    sdn_ids = {row["_id"] for row in rows if row["source"].startswith("Specially Designated Nationals")}
    assert len([r for r in snapshot.records if any(x.startswith("us_ofac_sdn:") for x in r.cross_refs)]) == len(sdn_ids)
    kinds = Counter(r.kind for r in snapshot.records)
    assert kinds[Kind.VESSEL] == len({row["_id"] for row in rows if row["type"] == "Vessel"})
    assert kinds[Kind.AIRCRAFT] == len({row["_id"] for row in rows if row["type"] == "Aircraft"})


def test_csl_bastrykin_and_usmanov(lists_dir: Path) -> None:
    records = by_id(_parse_cached(lists_dir / CSL_GZ, "trade_csl"))
    bastrykin = records["21186"]
    assert bastrykin.caption == "BASTRYKIN, Alexander Ivanovich"
    assert (bastrykin.kind, bastrykin.gender) == (Kind.PERSON, "male")
    assert bastrykin.birth_dates == [FuzzyDate("1953-08-27")]
    assert bastrykin.regimes == ["Specially Designated Nationals (SDN) - Treasury Department", "MAGNIT"]
    assert bastrykin.cross_refs == ["us_ofac_sdn:21186"]
    usmanov = records["35283"]
    assert usmanov.caption == "USMANOV, Alisher Burhanovich"
    assert "USMANOV, Alisher Burkhanovich" in [n.full for n in usmanov.names if n.type == NameType.ALIAS]
    assert usmanov.birth_places == ["Chust, Uzbekistan"] and usmanov.nationalities == ["ru"]
    assert Identifier(type="inn", value="1601108019", country="ru", note="Tax ID No.") in usmanov.identifiers
    yacht = records["35301"]  # DILBAR, linked to Usmanov
    assert yacht.kind == Kind.VESSEL
    assert yacht.identifiers[-1] == Identifier(type="imo", value="9661792", note="Vessel Registration Identification")
    assert "Vessel type: Yacht" in yacht.remarks and "Vessel flag: Cayman Islands" in yacht.remarks
    assert records["35302"].kind == Kind.AIRCRAFT


def test_csl_entity_on_several_lists_is_one_record(lists_dir: Path) -> None:
    records = by_id(_parse_cached(lists_dir / CSL_GZ, "trade_csl"))
    vtb_africa = records["18725"]
    assert vtb_africa.caption == "BANCO VTB AFRICA SA"
    assert {
        "Capta List (CAP) - Treasury Department",
        "Specially Designated Nationals (SDN) - Treasury Department",
        "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    } <= set(vtb_africa.regimes)
    # On the SDN list among others: the cross-reference names the SDN entry (and the non-SDN one).
    assert "us_ofac_sdn:18725" in vtb_africa.cross_refs


def test_csl_bis_entity_list_row(lists_dir: Path) -> None:
    records = by_id(_parse_cached(lists_dir / CSL_GZ, "trade_csl"))
    tawasul = records["6b7b55004dd1628523adb16aa6ab2de91d91bff8"]
    assert tawasul.caption == "al Tawasul al Arabi Net Systems"
    assert tawasul.kind == Kind.ORGANIZATION  # no type on BIS rows: "SYSTEMS" makes it an organization
    assert tawasul.regimes == ["Entity List (EL) - Bureau of Industry and Security"]
    assert tawasul.listed_on == "2014-06-05"
    assert [a.country for a in tawasul.addresses] == ["lb", "ae"]
    assert "License policy: Presumption of denial." in tawasul.remarks
    assert tawasul.cross_refs == []


def test_csl_unreadable_start_dates_are_kept(lists_dir: Path) -> None:
    snapshot = _parse_cached(lists_dir / CSL_GZ, "trade_csl")
    kept = sorted(v for r in snapshot.records for v in r.unparsed.get("start_date", []))
    assert kept == ["0017-05-26", "0097-06-30", "0097-06-30"]


def test_csl_2023_file_is_truncated_in_its_last_row(lists_dir: Path) -> None:
    """The 2023-11-30 copy ends in the middle of a quoted field: refusing it is the correct outcome."""
    raw = (lists_dir / CSL_2023).read_bytes()
    assert not raw.endswith(b"\n")
    with pytest.raises(SourceError) as caught:
        _parse_cached(lists_dir / CSL_2023, "trade_csl")
    assert caught.value.line == raw.count(b"\n") + 1 == 4233
    assert "truncated" in str(caught.value)


def test_csl_2023_complete_rows_parse(lists_dir: Path, tmp_path: Path) -> None:
    """Without its cut-off last row the 2023 file parses; its repeated header row (line 2) is skipped with a note."""
    raw = (lists_dir / CSL_2023).read_bytes()
    complete = raw[: raw.rindex(b"\n") + 1]
    rows = list(csv.reader(io.StringIO(complete.decode("utf-8"), newline="")))
    data_rows = [row for row in rows[1:] if row != rows[0]]
    assert len(rows) - 1 - len(data_rows) == 1 and len(data_rows) == 4226
    [snapshot] = parse_bytes(trade_csl.FORMAT, tmp_path, "csl.csv", complete)
    assert len(snapshot.records) == len({row[0] for row in data_rows}) == 4219
    assert snapshot.notes == ["line 2 repeats the header and was skipped"]
    records = by_id(snapshot)
    # JSC Russian Agricultural Bank is on NS-MBS and SSI: one record, both lists, both spellings once.
    bank = records["17014"]
    assert {
        "Non-SDN Menu-Based Sanctions List (NS-MBS List) - Treasury Department",
        "Sectoral Sanctions Identifications List (SSI) - Treasury Department",
    } <= set(bank.regimes)
    assert bank.caption == "Joint Stock Company Russian Agricultural Bank"
    assert "us_ofac_cons:17014" in bank.cross_refs
    china_telecom = records["30882"]
    # The 2023 export writes ids label first: "Unified Social Credit Code (USCC), 9111000071093019X7, CN".
    uscc = Identifier("registration", "9111000071093019X7", country="cn", note="Unified Social Credit Code (USCC)")
    assert uscc in china_telecom.identifiers


def test_csl_id_column_may_be_called_id(lists_dir: Path, tmp_path: Path) -> None:
    text = gzip.decompress((lists_dir / CSL_GZ).read_bytes()).decode("utf-8")
    head = "".join(text.splitlines(keepends=True)[:200])
    renamed_head = head.replace("_id,source", "id,source", 1)
    [renamed] = parse_bytes(trade_csl.FORMAT, tmp_path, "consolidated.csv", renamed_head.encode())
    [original] = parse_bytes(trade_csl.FORMAT, tmp_path, "original.csv", head.encode())
    assert [r.to_dict() for r in renamed.records] == [r.to_dict() for r in original.records]
    assert len(renamed.records) > 150


def test_csl_conflicting_duplicate_id(lists_dir: Path, tmp_path: Path) -> None:
    text = gzip.decompress((lists_dir / CSL_GZ).read_bytes()).decode("utf-8")
    lines = text.splitlines(keepends=True)
    forged = lines[2].replace("'ABBAS, Rim", "SOMEONE ELSE", 1)
    assert forged != lines[2]
    data = "".join([*lines[:50], forged]).encode()
    with pytest.raises(SourceError) as caught:
        parse_bytes(trade_csl.FORMAT, tmp_path, "consolidated.csv", data)
    assert "'21944' appears more than once for different parties" in str(caught.value)
    assert caught.value.line == 51


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (lambda gz: gz[: len(gz) // 2], "gzip data is truncated"),
        (lambda gz: gz[:10] + b"\x00" * 200 + gz[210:], "gzip data is truncated or corrupt"),
        (lambda gz: gzip.compress(HTML_PAGE), "HTML"),
        (lambda gz: gzip.compress(b""), "empty"),
        (lambda gz: b"", "empty"),
    ],
)
def test_csl_damaged_gzip(lists_dir: Path, tmp_path: Path, damage: Damage, expect: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_bytes(trade_csl.FORMAT, tmp_path, "consolidated.csv.gz", damage((lists_dir / CSL_GZ).read_bytes()))
    assert str(tmp_path / "consolidated.csv.gz") in str(caught.value)
    assert expect.lower() in str(caught.value).lower()


def test_csl_wrong_encoding_names_the_line(lists_dir: Path, tmp_path: Path) -> None:
    text = gzip.decompress((lists_dir / CSL_GZ).read_bytes()).decode("utf-8")
    latin1 = text.encode("latin-1", errors="replace")
    first_non_ascii = next(i for i, byte in enumerate(latin1) if byte > 0x7F)
    with pytest.raises(SourceError) as caught:
        parse_bytes(trade_csl.FORMAT, tmp_path, "consolidated.csv", latin1)
    assert "UTF-8" in str(caught.value)
    assert caught.value.line == latin1.count(b"\n", 0, first_non_ascii) + 1 == 39


def test_csl_claims(lists_dir: Path) -> None:
    gz = SourceFile.read(lists_dir / CSL_GZ)
    assert trade_csl.FORMAT.claims(gz)
    assert trade_csl.FORMAT.claims(SourceFile(name="x.csv", data=gzip.decompress(gz.data)))
    assert not trade_csl.FORMAT.claims(SourceFile.read(lists_dir / "us/ofac-sdn-csv/2024-05-03/sdn.csv"))
    assert not trade_csl.FORMAT.claims(SourceFile.read(lists_dir / DPL_FILES[0]))
    assert not bis_dpl.FORMAT.claims(gz)
    assert not un_xml.FORMAT.claims(gz)
    assert not trade_csl.FORMAT.claims(SourceFile(name="x.csv.gz", data=gzip.compress(HTML_PAGE)))


@pytest.mark.parametrize(
    ("entry", "label_first", "expected"),
    [
        ("RU, 7736640919, Tax ID No.", False, ("Tax ID No.", "7736640919", "RU", [])),
        (
            "NI, 2014-06-02, 2009-06-03, A0008313, Passport",
            False,
            ("Passport", "A0008313", "NI", ["2014-06-02", "2009-06-03"]),
        ),
        ("Male, Gender", False, ("Gender", "Male", None, [])),
        ("Passport, 484824, EG, 18 Jan 1984", True, ("Passport", "484824", "EG", ["18 Jan 1984"])),
        ("Gender, Male", True, ("Gender", "Male", None, [])),
        (
            "Secondary sanctions risk:, Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201 and/or 589.209",
            True,
            (
                "Secondary sanctions risk",
                "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201 and/or 589.209",
                None,
                [],
            ),
        ),
        ("lonely", False, None),
    ],
)
def test_csl_id_entry_layouts(
    entry: str, label_first: bool, expected: tuple[str, str, str | None, list[str]] | None
) -> None:
    assert trade_csl.split_id_entry(entry, label_first) == expected


def test_csl_ids_layout_is_detected_per_file(lists_dir: Path) -> None:
    raw_2023 = (lists_dir / CSL_2023).read_bytes()
    rows_2023 = list(csv.DictReader(io.StringIO(raw_2023[: raw_2023.rindex(b"\n") + 1].decode("utf-8"), newline="")))
    assert trade_csl.ids_label_first(row["ids"] for row in rows_2023)
    assert not trade_csl.ids_label_first(row["ids"] for row in csl_rows(lists_dir / CSL_GZ))


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Passport", "passport"),
        ("Tax ID No.", "tax_id"),
        ("SWIFT/BIC", "swift"),
        ("Cedula No.", "national_id"),
        ("Unified Social Credit Code (USCC)", "registration"),
        ("Vessel Registration Identification", "imo"),
        ("MMSI", "other"),
        ("Secondary sanctions risk", None),
        ("Target Type", None),
        ("Website", None),
    ],
)
def test_csl_id_types(label: str, expected: str | None) -> None:
    assert trade_csl.id_type(label) == expected
