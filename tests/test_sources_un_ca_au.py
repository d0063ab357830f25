"""The UN, Canadian and Australian list formats, on the real files in ../shared/data/lists."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from support import by_id, parse_bytes
from support import parse_cached as _parse_cached

from sanctionscope.model import FuzzyDate, Identifier, Kind, NameType, Record
from sanctionscope.model.values import clean
from sanctionscope.sources import au_dfat, bis_dpl, ca_sema, trade_csl, un_xml
from sanctionscope.sources.base import ParsedSnapshot, SourceError, SourceFile

UN_DIR = "un/un-sc-consolidated-xml"
UN_LATEST = f"{UN_DIR}/2026-02-27/UN_consolidated.xml"
CA_FILE = "ca/sema-consolidated-xml/2020-04-15/sema-lmes.xml"
AU_FILE = "au/dfat-consolidated-xlsx/2024-11-11/regulation8_consolidated.xlsx"
AU_NAME = "regulation8_consolidated.xlsx"
Damage = Callable[[bytes], bytes]
MY_FORMATS = (un_xml.FORMAT, ca_sema.FORMAT, au_dfat.FORMAT, bis_dpl.FORMAT, trade_csl.FORMAT)
HTML_PAGE = b"<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>Try later</body></html>"


def parse(lists_dir: Path, relative: str, format_name: str) -> ParsedSnapshot:
    return _parse_cached(lists_dir / relative, format_name)


def names_of(record: Record, name_type: NameType) -> list[str]:
    return [name.full for name in record.names if name.type == name_type]


# --------------------------------------------------------------------------------------------
# UN Security Council consolidated list
# --------------------------------------------------------------------------------------------


def un_files(lists_dir: Path) -> list[Path]:
    files = sorted((lists_dir / UN_DIR).glob("*/*.xml"))
    assert len(files) == 7
    return files


def test_un_counts_equal_raw_element_counts_in_every_version(lists_dir: Path) -> None:
    for path in un_files(lists_dir):
        raw = path.read_bytes()
        expected = len(re.findall(rb"<INDIVIDUAL>", raw)) + len(re.findall(rb"<ENTITY>", raw))
        snapshot = parse(lists_dir, str(path.relative_to(lists_dir)), "un_xml")
        assert len(snapshot.records) == expected, path
        # Ids are exactly the REFERENCE_NUMBERs of the file.
        references = {m.decode() for m in re.findall(rb"<REFERENCE_NUMBER>\s*([^<]+?)\s*</REFERENCE_NUMBER>", raw)}
        assert {r.source_id for r in snapshot.records} == references
        # published_on is the dateGenerated day, which is also the folder's date.
        generated = re.search(rb"dateGenerated=[\"'](\d{4}-\d{2}-\d{2})", raw)
        assert generated is not None
        assert snapshot.published_on == date.fromisoformat(generated.group(1).decode())
        assert snapshot.published_on == date.fromisoformat(path.parent.name)


@pytest.mark.parametrize(
    ("relative", "individuals", "entities"),
    [
        (UN_LATEST, 730, 273),
        (f"{UN_DIR}/2025-11-29/un.xml", 727, 273),
        (f"{UN_DIR}/2025-12-10/un.xml", 726, 273),
        (f"{UN_DIR}/2020-03-20/consolidated.xml", 709, 305),
        (f"{UN_DIR}/2024-11-30/consolidated.xml", 686, 193),
    ],
)
def test_un_known_counts(lists_dir: Path, relative: str, individuals: int, entities: int) -> None:
    snapshot = parse(lists_dir, relative, "un_xml")
    kinds = [r.kind for r in snapshot.records]
    assert kinds.count(Kind.PERSON) == individuals
    assert kinds.count(Kind.ORGANIZATION) == entities
    assert snapshot.source == "un_sc" and snapshot.format == "un_xml"


def test_un_same_content_gives_same_hashes(lists_dir: Path) -> None:
    """2025-12-10 and 2026-01-28 differ only in dateGenerated: every record hashes the same."""
    before = parse(lists_dir, f"{UN_DIR}/2025-12-10/un.xml", "un_xml")
    after = parse(lists_dir, f"{UN_DIR}/2026-01-28/un.xml", "un_xml")
    assert before.published_on != after.published_on
    hashes_before = {r.source_id: r.content_hash() for r in before.records}
    hashes_after = {r.source_id: r.content_hash() for r in after.records}
    assert len(hashes_before) == 999
    assert hashes_before == hashes_after


def test_un_one_individual_removed_between_november_and_december(lists_dir: Path) -> None:
    old = by_id(parse(lists_dir, f"{UN_DIR}/2025-11-29/un.xml", "un_xml"))
    new = by_id(parse(lists_dir, f"{UN_DIR}/2025-12-10/un.xml", "un_xml"))
    removed = set(old) - set(new)
    assert len(removed) == 1 and not set(new) - set(old)
    assert old[removed.pop()].kind == Kind.PERSON


def test_un_individual_with_all_fields(lists_dir: Path) -> None:
    """TAi.154 MALIK NOORZAI, checked against the raw XML of 2026-02-27."""
    record = by_id(parse(lists_dir, UN_LATEST, "un_xml"))["TAi.154"]
    assert record.id == "un_sc:TAi.154"
    assert record.kind == Kind.PERSON
    assert record.caption == "MALIK NOORZAI"
    original = [n for n in record.names if n.full == "مالک نورزى"]
    assert original and original[0].type == NameType.ALIAS and original[0].script == "Arab"
    # "حاجى مالك نورزى (Hajji Malik Noorzai; ...)": the Arabic name and its transliterations, separately.
    assert {"حاجى مالك نورزى", "Hajji Malik Noorzai", "Haji Malek Noorzai", "Allah Muhammad"} <= set(
        names_of(record, NameType.ALIAS)
    )
    assert names_of(record, NameType.WEAK_ALIAS) == ["Haji Maluk", "Haji Aminullah"]  # QUALITY Low
    assert record.birth_dates == [FuzzyDate("1957"), FuzzyDate("1960"), FuzzyDate("1963-01-01")]
    assert record.birth_places == ["Chaman border town, Pakistan", "Pishin, Baluchistan Province, Pakistan"]
    assert record.nationalities == ["af"]
    assert record.regimes == ["Taliban"]
    assert record.listed_on == "2011-10-04"
    assert record.positions == ["Haji"]
    assert record.addresses[0].full == "Boghra Road, Miralzei Village, Chaman, Baluchistan Province, Pakistan"
    assert [a.country for a in record.addresses] == ["pk", "af"]
    passport = next(i for i in record.identifiers if i.type == "passport")
    assert (passport.value, passport.country) == ("FA0157612", "pk")
    assert "issued on 2009-07-23" in (passport.note or "")
    national_id = next(i for i in record.identifiers if i.type == "national_id")
    assert national_id.value == "54201-247561-5"
    assert Identifier(type="other", value="2975590", note="UN DATAID") in record.identifiers
    assert record.remarks[0].startswith("Taliban financier. Owns businesses in Japan")
    assert "Last updated: 2011-11-29, 2012-06-01, 2014-02-11" in record.remarks
    assert record.unparsed == {}


def test_un_gender_dates_and_entities(lists_dir: Path) -> None:
    records = by_id(parse(lists_dir, UN_LATEST, "un_xml"))
    badege = records["CDi.001"]
    assert (badege.caption, badege.gender, badege.birth_dates) == ("ERIC BADEGE", "male", [FuzzyDate("1971")])
    assert badege.addresses[0].full == "Rwanda (as of early 2016)"
    # PROPHANE VICTOR has no GENDER element; his COMMENTS1 says "Gender: Male."
    assert (records["HTi.006"].caption, records["HTi.006"].gender) == ("PROPHANE VICTOR", "male")
    # BETWEEN with NOTE "Approximately": ranges with circa.
    assert records["TAi.002"].birth_dates == [
        FuzzyDate("1955", "1958", circa=True),
        FuzzyDate("1945", "1950", circa=True),
    ]
    # YEAR 1958 with NOTE "Sep.": a month.
    assert records["QDi.395"].birth_dates == [FuzzyDate("1958-09", raw="Sep. 1958")]
    # "24/06/1402 (Hijri Calendar)" cannot be a Gregorian date: kept verbatim, not dropped.
    hijri = [r for r in records.values() if any("Hijri" in v for v in r.unparsed.get("INDIVIDUAL_DATE_OF_BIRTH", []))]
    assert len(hijri) == 1
    aiai = records["QDe.002"]
    assert aiai.kind == Kind.ORGANIZATION
    assert aiai.caption == "AL-ITIHAAD AL-ISLAMIYA / AIAI"
    assert [(n.full, n.script) for n in aiai.names[1:]] == [("الاتحاد الاسلامي", "Arab")]
    assert aiai.listed_on == "2001-10-06"


def test_un_original_script_names_are_aliases_with_their_script(lists_dir: Path) -> None:
    path = lists_dir / UN_LATEST
    raw = path.read_text(encoding="utf-8")
    originals = [clean(m) for m in re.findall(r"<NAME_ORIGINAL_SCRIPT>([^<]*)</NAME_ORIGINAL_SCRIPT>", raw)]
    snapshot = parse(lists_dir, UN_LATEST, "un_xml")
    alias_texts = {(n.full, n.script) for r in snapshot.records for n in r.names if n.type == NameType.ALIAS}
    for original in filter(None, originals):
        assert any(text == original for text, _ in alias_texts), original
    assert sum(1 for text, script in alias_texts if script == "Arab") > 300


def test_un_older_layouts(lists_dir: Path) -> None:
    """The compact 2020 file (dates with time zones) and the re-serialised 2024 file (single quotes)."""
    ri = by_id(parse(lists_dir, f"{UN_DIR}/2020-03-20/consolidated.xml", "un_xml"))["KPi.033"]
    assert ri.caption == "RI WON HO"  # " RI " + "WON HO", white space cleaned
    assert ri.birth_dates == [FuzzyDate("1964-07-17")]
    assert Identifier(type="passport", value="381310014") in ri.identifiers
    assert (ri.regimes, ri.listed_on, ri.nationalities) == (["DPRK"], "2016-11-30", ["kp"])
    compact = parse(lists_dir, f"{UN_DIR}/2020-03-20/consolidated.xml", "un_xml")
    # LISTED_ON "2015-03-27-04:00" (an xs:date with a time zone) is read, not left unparsed.
    assert not [r for r in compact.records if "LISTED_ON" in r.unparsed]
    anwari = by_id(parse(lists_dir, f"{UN_DIR}/2024-11-30/consolidated.xml", "un_xml"))["TAi.005"]
    assert anwari.caption == "MUHAMMAD TAHER ANWARI"
    assert ("محمد طاهر أنوري", "Arab") in [(n.full, n.script) for n in anwari.names]
    assert anwari.birth_dates == [FuzzyDate("1961", circa=True)]
    assert "Haji Mudir" in names_of(anwari, NameType.WEAK_ALIAS)


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (lambda raw: raw[: len(raw) // 2], "truncated"),
        (lambda raw: b"", "empty"),
        (lambda raw: HTML_PAGE, "HTML"),
        (lambda raw: raw.decode("utf-8").encode("utf-16-le"), "UTF-16"),
        (lambda raw: raw.replace(b"</CONSOLIDATED_LIST>", b""), "truncated"),
    ],
)
def test_un_damaged_files_raise_source_error_naming_the_file(
    lists_dir: Path, tmp_path: Path, damage: Damage, expect: str
) -> None:
    with pytest.raises(SourceError) as caught:
        parse_bytes(un_xml.FORMAT, tmp_path, "consolidated.xml", damage((lists_dir / UN_LATEST).read_bytes()))
    assert str(tmp_path / "consolidated.xml") in str(caught.value)
    assert expect.lower() in str(caught.value).lower()


def test_un_truncated_file_names_the_line(lists_dir: Path, tmp_path: Path) -> None:
    raw = (lists_dir / UN_LATEST).read_bytes()
    cut = raw[: raw.index(b"<REFERENCE_NUMBER>TAi.154")]
    with pytest.raises(SourceError) as caught:
        parse_bytes(un_xml.FORMAT, tmp_path, "un.xml", cut)
    assert caught.value.line == cut.count(b"\n") + 1


def test_un_duplicate_reference_number(lists_dir: Path, tmp_path: Path) -> None:
    text = (lists_dir / UN_LATEST).read_text(encoding="utf-8")
    start = text.index("<ENTITY>")
    end = text.index("</ENTITY>", start) + len("</ENTITY>")
    with pytest.raises(SourceError) as caught:
        parse_bytes(un_xml.FORMAT, tmp_path, "un.xml", (text[:end] + text[start:end] + text[end:]).encode())
    first_entity = re.findall(r"<REFERENCE_NUMBER>(.*?)</REFERENCE_NUMBER>", text[start:end])[0]
    assert first_entity == "CDe.001"
    assert f"{first_entity!r} appears more than once" in str(caught.value)
    assert caught.value.line == text[:end].count("\n") + 1


def test_un_entry_without_reference_number(lists_dir: Path, tmp_path: Path) -> None:
    raw = (lists_dir / UN_LATEST).read_bytes().replace(b"<REFERENCE_NUMBER>CDi.002</REFERENCE_NUMBER>", b"", 1)
    with pytest.raises(SourceError, match="DATAID 6907994 has no REFERENCE_NUMBER"):
        parse_bytes(un_xml.FORMAT, tmp_path, "un.xml", raw)


def test_un_unknown_elements_are_kept(lists_dir: Path, tmp_path: Path) -> None:
    raw = (
        (lists_dir / UN_LATEST)
        .read_bytes()
        .replace(
            b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>",
            b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER><NEW_FIELD>something new</NEW_FIELD>",
        )
    )
    [snapshot] = parse_bytes(un_xml.FORMAT, tmp_path, "un.xml", raw)
    assert by_id(snapshot)["CDi.001"].unparsed == {"NEW_FIELD": ["something new"]}


def test_un_empty_list_is_an_error(tmp_path: Path) -> None:
    data = (
        b'<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">'
        b"<INDIVIDUALS/><ENTITIES/></CONSOLIDATED_LIST>"
    )
    with pytest.raises(SourceError, match="no <INDIVIDUAL> or <ENTITY>"):
        parse_bytes(un_xml.FORMAT, tmp_path, "un.xml", data)


# --------------------------------------------------------------------------------------------
# Which format claims which real file
# --------------------------------------------------------------------------------------------

_OWNER = {
    "un/": "un_xml",
    "ca/": "ca_sema_xml",
    "au/": "au_dfat_xlsx",
    "us/bis-dpl/": "bis_dpl",
    "us/trade-gov-csl/": "trade_csl",
}


def test_each_real_file_is_claimed_by_its_own_format_only(lists_dir: Path) -> None:
    """OFAC CSV/XML, EU CSVs and each other's files are not claimed by the wrong format."""
    checked = 0
    for path in sorted(lists_dir.rglob("*")):
        if not path.is_file() or path.suffix == ".md":
            continue
        relative = str(path.relative_to(lists_dir))
        owner = next((fmt for prefix, fmt in _OWNER.items() if relative.startswith(prefix)), None)
        file = SourceFile.read(path)
        claimed = [fmt.name for fmt in MY_FORMATS if fmt.claims(file)]
        assert claimed == ([owner] if owner else []), relative
        checked += 1
    assert checked > 90


def test_nothing_claims_empty_or_html_files() -> None:
    for name in ("consolidated.xml", "sema-lmes.xml", "regulation8_consolidated.xlsx", "dpl.txt", "consolidated.csv"):
        for data in (b"", HTML_PAGE):
            assert not [f.name for f in MY_FORMATS if f.claims(SourceFile(name=name, data=data))]


# --------------------------------------------------------------------------------------------
# Canada SEMA
# --------------------------------------------------------------------------------------------


def _raw_sema_records(lists_dir: Path) -> list[str]:
    return re.findall(r"<record>(.*?)</record>", (lists_dir / CA_FILE).read_text(encoding="utf-8"), re.DOTALL)


def test_sema_count_and_ids(lists_dir: Path) -> None:
    raw_records = _raw_sema_records(lists_dir)
    assert len(raw_records) == 1369
    snapshot = parse(lists_dir, CA_FILE, "ca_sema_xml")
    assert len(snapshot.records) == len(raw_records)
    assert snapshot.published_on is None  # the file states no date
    # Ids are unique, and each is built from the raw Country / Schedule / Item of its record.
    assert len({r.source_id for r in snapshot.records}) == len(raw_records)
    for raw, record in zip(raw_records, snapshot.records, strict=True):
        item = clean(re.findall(r"<Item>(.*?)</Item>", raw)[0])
        schedule = re.search(r"<Schedule>(.*?)</Schedule>", raw)
        assert record.source_id.endswith(f"/{item}")
        if schedule and clean(schedule.group(1)) not in (None, "N/A"):
            assert f"/{clean(schedule.group(1))}/" in record.source_id
    kinds = [r.kind for r in snapshot.records]
    assert kinds.count(Kind.PERSON) == len([r for r in raw_records if "<LastName>" in r])
    assert kinds.count(Kind.ORGANIZATION) == len([r for r in raw_records if "<Entity>" in r])


def test_sema_bastrykin(lists_dir: Path) -> None:
    records = by_id(parse(lists_dir, CA_FILE, "ca_sema_xml"))
    bastrykin = records["JVCFOR/1/21"]
    assert bastrykin.kind == Kind.PERSON
    [name] = bastrykin.names
    assert (name.full, name.given, name.family) == ("Alexander Ivanovich BASTRYKIN", "Alexander Ivanovich", "BASTRYKIN")
    assert bastrykin.regimes == ["Justice for Victims of Corrupt Foreign Officials Regulations (JVCFOR)"]
    # The 2020 file gives neither a listing date nor a date of birth for him.
    raw = next(r for r in _raw_sema_records(lists_dir) if "BASTRYKIN" in r)
    assert "DateOfBirth" not in raw and "DateOfListing" not in raw
    assert bastrykin.listed_on is None and bastrykin.birth_dates == []


def test_sema_spot_checks(lists_dir: Path) -> None:
    records = by_id(parse(lists_dir, CA_FILE, "ca_sema_xml"))
    salyaev = records["Russia/1/112"]
    assert salyaev.caption == "Aleksey Mikhailovich SALYAEV"
    assert salyaev.birth_dates == [FuzzyDate("1975-12-04")]
    assert names_of(salyaev, NameType.ALIAS) == ["Oleksii SALYAYEV"]
    assert names_of(salyaev, NameType.WEAK_ALIAS) == ["Aleksei", "SALIAIEV"]
    # "1972-08-10 or 1972-08-11"
    assert records["JVCFOR/1/54"].birth_dates == [FuzzyDate("1972-08-10"), FuzzyDate("1972-08-11")]
    air_bagan = records["Burma/1/1"]
    assert air_bagan.kind == Kind.ORGANIZATION
    assert [n.full for n in air_bagan.names] == ["Air Bagan", "Air Bagan Holdings Pte. Ltd.", "Air Bagan Limited"]
    assert air_bagan.regimes == ["Burma"]
    assert records["Russia/1, Part 2/1"].regimes == ["Russia"]
    assert "Zimbabwe/161" in records and "Venezuela/55" in records  # schedule "N/A" and no schedule
    brigadier = [r for r in records.values() if r.positions == ["Brigadier"]]
    assert len(brigadier) == 26


def test_sema_later_layout_with_ships_and_listing_dates(tmp_path: Path) -> None:
    data = b"""<?xml version="1.0" encoding="UTF-8"?>
<data-set>
  <record><Country>Russia / Russie</Country><EntityOrShip>Example Tanker</EntityOrShip>
    <ShipIMONumber>IMO 9123456</ShipIMONumber><DateOfBirthOrShipBuildDate>2001</DateOfBirthOrShipBuildDate>
    <Schedule>1, Part 3</Schedule><Item>7</Item><DateOfListing>2024-02-24</DateOfListing></record>
  <record><Country>Russia / Russie</Country><LastName>DOE</LastName><GivenName>John</GivenName>
    <DateOfBirthOrShipBuildDate>1960-01-02</DateOfBirthOrShipBuildDate>
    <Schedule>1, Part 1</Schedule><Item>8</Item><DateOfListing>2022-02-24</DateOfListing><Extra>kept</Extra></record>
</data-set>"""
    [snapshot] = parse_bytes(ca_sema.FORMAT, tmp_path, "sema-lmes.xml", data)
    ship, person = snapshot.records
    assert (ship.source_id, ship.kind, ship.listed_on) == ("Russia/1, Part 3/7", Kind.VESSEL, "2024-02-24")
    assert ship.identifiers == [Identifier(type="imo", value="9123456")]
    assert ship.birth_dates == [] and "Ship build date: 2001" in ship.remarks
    assert (person.kind, person.birth_dates, person.listed_on) == (Kind.PERSON, [FuzzyDate("1960-01-02")], "2022-02-24")
    assert person.unparsed == {"Extra": ["kept"]}


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (lambda raw: raw[: len(raw) * 2 // 3], "truncated"),
        (lambda raw: b"  \n", "empty"),
        (lambda raw: HTML_PAGE, "HTML"),
    ],
)
def test_sema_damaged_files(lists_dir: Path, tmp_path: Path, damage: Damage, expect: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_bytes(ca_sema.FORMAT, tmp_path, "sema-lmes.xml", damage((lists_dir / CA_FILE).read_bytes()))
    assert str(tmp_path / "sema-lmes.xml") in str(caught.value)
    assert expect.lower() in str(caught.value).lower()


def test_sema_latin1_byte_names_the_line(lists_dir: Path, tmp_path: Path) -> None:
    raw = (lists_dir / CA_FILE).read_bytes()
    damaged = raw.replace(b"Kyaikto", "Kyaikt\xf6".encode("latin-1"))
    with pytest.raises(SourceError) as caught:
        parse_bytes(ca_sema.FORMAT, tmp_path, "sema-lmes.xml", damaged)
    assert "encoding" in str(caught.value)
    assert caught.value.line == raw[: raw.index(b"Kyaikto")].count(b"\n") + 1


def test_sema_duplicate_and_uncitable_records(lists_dir: Path, tmp_path: Path) -> None:
    text = (lists_dir / CA_FILE).read_text(encoding="utf-8")
    start = text.index("<record>")
    end = text.index("</record>", start) + len("</record>")
    with pytest.raises(SourceError, match="'Burma/1/1' appears more than once"):
        parse_bytes(ca_sema.FORMAT, tmp_path, "sema-lmes.xml", (text[:end] + text[start:end] + text[end:]).encode())
    without_item = text.replace("<Item>1</Item>", "", 1)
    with pytest.raises(SourceError, match="no Item"):
        parse_bytes(ca_sema.FORMAT, tmp_path, "sema-lmes.xml", without_item.encode())


# --------------------------------------------------------------------------------------------
# Australia DFAT
# --------------------------------------------------------------------------------------------


def _au_rows(lists_dir: Path) -> list[tuple[Any, ...]]:
    workbook = openpyxl.load_workbook(lists_dir / AU_FILE, read_only=True)
    return [row[:12] for row in workbook.active.iter_rows(values_only=True)]


def test_au_count_is_distinct_base_references(lists_dir: Path) -> None:
    rows = _au_rows(lists_dir)
    assert rows[0][0] == "Reference"
    bases = {re.findall(r"^\d+", str(row[0]).strip())[0] for row in rows[1:] if row[0] is not None}
    snapshot = parse(lists_dir, AU_FILE, "au_dfat_xlsx")
    assert len(bases) == 3062
    assert {r.source_id for r in snapshot.records} == bases
    assert snapshot.published_on == date(2024, 11, 11)
    # Every row's name is among its record's names (aliases are grouped, not lost).
    records = by_id(snapshot)
    for row in rows[1:]:
        if row[0] is None:
            continue
        base = re.findall(r"^\d+", str(row[0]).strip())[0]
        name = re.sub(r"\s*\((?:previously|formerly) listed as\)\s*$", "", clean(row[1]) or "", flags=re.IGNORECASE)
        assert name in [n.full for n in records[base].names], (row[0], name)


def test_au_published_date_is_core_xml_modified(lists_dir: Path) -> None:
    with zipfile.ZipFile(lists_dir / AU_FILE) as archive:
        core = archive.read("docProps/core.xml").decode()
    modified = re.search(r"<dcterms:modified[^>]*>(\d{4}-\d{2}-\d{2})", core)
    assert modified is not None
    assert parse(lists_dir, AU_FILE, "au_dfat_xlsx").published_on == date.fromisoformat(modified.group(1))


@pytest.mark.parametrize(
    ("reference", "caption", "born", "listed", "regime"),
    [
        ("6854", "Alexander Ivanovich BASTRYKIN", "1953-08-27", "2022-03-30", "Autonomous (Thematic - Human Rights)"),
        ("7386", "Mikhail Albertovich MURASHKO", "1967-01-09", "2023-02-24", "Autonomous (Russia)"),
        ("6754", "Roman Arkadyevich ABRAMOVICH", "1966-10-24", "2022-03-14", "Autonomous (Russia)"),
        ("6751", "Alisher Burkhanovich USMANOV", "1953-09-09", "2022-03-14", "Autonomous (Russia)"),
    ],
)
def test_au_russian_designations(
    lists_dir: Path, reference: str, caption: str, born: str, listed: str, regime: str
) -> None:
    record = by_id(parse(lists_dir, AU_FILE, "au_dfat_xlsx"))[reference]
    assert record.id == f"au_dfat:{reference}"
    assert (record.caption, record.kind) == (caption, Kind.PERSON)
    assert record.birth_dates == [FuzzyDate(born)]
    assert record.listed_on == listed
    assert record.regimes == [regime]
    assert f"Control date: {listed}" in record.remarks


def test_au_murashko_alias_and_details(lists_dir: Path) -> None:
    murashko = by_id(parse(lists_dir, AU_FILE, "au_dfat_xlsx"))["7386"]
    assert names_of(murashko, NameType.ALIAS) == ["Mykhailo Albertovych MURASHKO"]  # row 7386a
    assert murashko.birth_places == ["Sverdlovsk, RSFSR, USSR"]
    assert murashko.citizenships == ["ru"]
    assert "Minister of Health of the Russian Federation" in murashko.remarks


def test_au_un_listed_entries(lists_dir: Path) -> None:
    records = by_id(parse(lists_dir, AU_FILE, "au_dfat_xlsx"))
    akhund = records["2"]
    assert akhund.caption == "MOHAMMAD HASSAN AKHUND"
    assert ("محمد حسن أخوند", "Arab") in [(n.full, n.script) for n in akhund.names]
    # "a) Approximately 1955- 1958 b) Approximately 1945-1950"
    assert [(d.value, d.until, d.circa) for d in akhund.birth_dates] == [("1955", "1958", True), ("1945", "1950", True)]
    assert akhund.listed_on == "2001-01-25"  # "Listed by UN 1267 Committee on 25 January 2001 (amended ...)"
    assert akhund.regimes == ["1988 (Taliban)"]
    haqqani = records["34"]
    # 34d "Abdul Jalil Haqqani (previously listed as)" is a former name; 34c/34f carry their own birth years.
    assert names_of(haqqani, NameType.FORMER) == ["Abdul Jalil Haqqani"]
    assert [d.value for d in haqqani.birth_dates] == ["1963", "1965", "1955"]
    assert "Logar, Afghanistan" in haqqani.birth_places
    assert len(haqqani.names) == 9


def test_au_unreadable_values_are_kept(lists_dir: Path) -> None:
    snapshot = parse(lists_dir, AU_FILE, "au_dfat_xlsx")
    unparsed_dates = [v for r in snapshot.records for v in r.unparsed.get("Date of Birth", [])]
    assert "24/06/1402 (Hijri Calendar)" in unparsed_dates
    # The one stray value in a header-less column (row of 7969b) is whitespace only: nothing to keep.
    assert not [r for r in snapshot.records if any(k.startswith("column") for k in r.unparsed)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("27/08/1953", FuzzyDate("1953-08-27", raw="27/08/1953")),
        ("1953", FuzzyDate("1953")),
        ("circa 1960", FuzzyDate("1960", circa=True, raw="circa 1960")),
        ("Approx 1960", FuzzyDate("1960", circa=True, raw="Approx 1960")),
        ("Between 1972 and 1973", FuzzyDate("1972", "1973", raw="Between 1972 and 1973")),
        ("12. Jul 1960", FuzzyDate("1960-07-12", raw="12. Jul 1960")),
        ("(Aug. 1961)", FuzzyDate("1961-08", raw="(Aug. 1961)")),
        ("30-35 years old", None),
    ],
)
def test_au_date_strings(text: str, expected: FuzzyDate | None) -> None:
    assert au_dfat.dfat_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Listed on 12 Apr. 2000 (amended on 3 Sep. 2003)", "2000-04-12"),
        ("Listed by UN 1267 Committee on 25 January 2001 (amended on 20 December 2005)", "2001-01-25"),
        ("Designated under the Autonomous Sanctions Regulations 2011 on 2 March 2012", "2012-03-02"),
        ("Resolution 1735 (2006) Listed on: 4 June. 2008 (amended 3 June 2009)", "2008-06-04"),
        ("Autonomous Sanctions (Designated Persons ...) Amendment (No. 2) Instrument 2023", None),
        ("Assets received on or after 22 May 2003 are not controlled assets", None),
        ("Resolution 1483 (2003), amended 12 December 2007", None),
    ],
)
def test_au_listing_dates(text: str, expected: str | None) -> None:
    assert au_dfat.listing_date(text) == expected


def _small_workbook(lists_dir: Path, edit: Callable[[list[list[Any]]], None]) -> bytes:
    """The real header and first 30 rows of the DFAT sheet, changed by `edit`, as xlsx bytes."""
    rows = [list(row) for row in _au_rows(lists_dir)[:31]]
    edit(rows)
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_au_small_workbook_roundtrip(lists_dir: Path, tmp_path: Path) -> None:
    [snapshot] = parse_bytes(au_dfat.FORMAT, tmp_path, AU_NAME, _small_workbook(lists_dir, lambda rows: None))
    assert [r.source_id for r in snapshot.records][:3] == ["2", "3", "4"]


def test_au_header_is_mapped_by_text_not_position(lists_dir: Path, tmp_path: Path) -> None:
    def swap(rows: list[list[Any]]) -> None:
        for row in rows:  # move "Date of Birth" and "Place of Birth" around
            row[4], row[5] = row[5], row[4]

    [snapshot] = parse_bytes(au_dfat.FORMAT, tmp_path, AU_NAME, _small_workbook(lists_dir, swap))
    assert by_id(snapshot)["4"].birth_dates[0] == FuzzyDate("1966", circa=True, raw="Approximately 1966")


def test_au_missing_required_column(lists_dir: Path, tmp_path: Path) -> None:
    def drop(rows: list[list[Any]]) -> None:
        rows[0][3] = "Something else"

    with pytest.raises(SourceError, match="missing required column 'Name Type'"):
        parse_bytes(au_dfat.FORMAT, tmp_path, AU_NAME, _small_workbook(lists_dir, drop))


def test_au_duplicate_reference(lists_dir: Path, tmp_path: Path) -> None:
    def duplicate(rows: list[list[Any]]) -> None:
        rows.append(list(rows[2]))

    with pytest.raises(SourceError) as caught:
        parse_bytes(au_dfat.FORMAT, tmp_path, AU_NAME, _small_workbook(lists_dir, duplicate))
    assert "'2a' appears more than once (rows 3 and 32)" in str(caught.value)
    assert caught.value.line == 32


@pytest.mark.parametrize(
    ("damage", "expect"),
    [
        (lambda raw: raw[: len(raw) // 2], "not a readable xlsx"),
        (lambda raw: b"Reference,Name\n1,Someone\n", "not a readable xlsx"),
        (lambda raw: HTML_PAGE, "HTML"),
        (lambda raw: b"", "empty"),
    ],
)
def test_au_damaged_files(lists_dir: Path, tmp_path: Path, damage: Damage, expect: str) -> None:
    with pytest.raises(SourceError) as caught:
        parse_bytes(au_dfat.FORMAT, tmp_path, AU_NAME, damage((lists_dir / AU_FILE).read_bytes()))
    assert str(tmp_path / "regulation8_consolidated.xlsx") in str(caught.value)
    assert expect.lower() in str(caught.value).lower()


def test_au_claims_renamed_workbook_by_content(lists_dir: Path) -> None:
    data = (lists_dir / AU_FILE).read_bytes()
    assert au_dfat.FORMAT.claims(SourceFile(name="dfat-list.xlsx", data=data))
    assert not au_dfat.FORMAT.claims(SourceFile(name="dfat-list.zip", data=data))
