"""FollowTheMoney import and export, on the OpenSanctions/yente fixtures in ../shared/data/ftm."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model, registry

from sanctionscope.export import export_entities
from sanctionscope.model import Address, FuzzyDate, Identifier, Kind, Name, NameType, Record
from sanctionscope.sources import au_dfat, bis_dpl, ca_sema, trade_csl, un_xml
from sanctionscope.sources.base import ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.detect import discover
from sanctionscope.sources.ftm import FORMAT, parse_entities, scope_of

THINGS = {"Person", "Organization", "Company", "LegalEntity", "PublicBody", "Vessel", "Airplane"}
# consumed by the importer: attached to the things they point at
ATTACHED = {"Sanction", "Passport", "Identification", "Address"}
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"  # Alexander Vyacheslavovich ZAKHAROV, owner of LLC CST (Zala Aero)
OSETROVA = "NK-2Tbri3s6GgNtAwsSXh4qpL"
LLC_CST = "NK-abdzbEBkqyT29GyREbiURZ"
HTML_PAGE = b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@pytest.fixture(scope="session")
def ftm_dir(lists_dir: Path) -> Path:
    """../shared/data/ftm/yente-fixtures (next to the official lists)."""
    return lists_dir.parent / "ftm" / "yente-fixtures"


def fixture(ftm_dir: Path, name: str) -> Path:
    return ftm_dir / f"{name}.entities.ftm.json"


@cache
def parsed(path: Path) -> ParsedSnapshot:
    [snapshot] = FORMAT.parse([SourceFile.read(path)])
    return snapshot


@cache
def raw_entities(path: Path) -> tuple[dict[str, Any], ...]:
    """The fixture read independently of the importer: one json.loads per line."""
    with path.open(encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def record_of(snapshot: ParsedSnapshot, source_id: str) -> Record:
    [record] = [r for r in snapshot.records if r.source_id == source_id]
    return record


def sanctions_of(entities: tuple[dict[str, Any], ...], entity_id: str) -> list[dict[str, Any]]:
    return [e for e in entities if e["schema"] == "Sanction" and entity_id in e["properties"]["entity"]]


def names_of(record: Record, name_type: NameType) -> set[str]:
    return {name.full for name in record.names if name.type == name_type}


def write(tmp_path: Path, name: str, data: bytes) -> SourceFile:
    path = tmp_path / name
    path.write_bytes(data)
    return SourceFile.read(path)


# --------------------------------------------------------------------------------------------
# Recognition
# --------------------------------------------------------------------------------------------


def test_claims_ftm_files_by_name_and_by_content(ftm_dir: Path, tmp_path: Path) -> None:
    for name in ("zala", "t1", "parteispenden"):
        assert FORMAT.claims(SourceFile.read(fixture(ftm_dir, name)))
    data = fixture(ftm_dir, "t1").read_bytes()
    # a neutral name: only the first object ("schema" and "properties") gives it away
    assert FORMAT.claims(write(tmp_path, "export.jsonl", data))
    assert FORMAT.claims(write(tmp_path, "stream.ijson", b""))
    assert not FORMAT.claims(write(tmp_path, "other.jsonl", b'{"name": "x", "type": "person"}\n'))
    assert not FORMAT.claims(write(tmp_path, "page.json", HTML_PAGE))


def test_claims_no_official_list_file_and_others_do_not_claim_ftm(lists_dir: Path, ftm_dir: Path) -> None:
    checked = 0
    for path in discover([lists_dir]):
        with path.open("rb") as handle:
            head = handle.read(4096)
        assert not FORMAT.claims(SourceFile(name=path.name, data=head, path=path)), path
        checked += 1
    assert checked > 20
    for fmt in (un_xml.FORMAT, ca_sema.FORMAT, au_dfat.FORMAT, bis_dpl.FORMAT, trade_csl.FORMAT):
        assert not fmt.claims(SourceFile.read(fixture(ftm_dir, "zala"))), fmt.name


# --------------------------------------------------------------------------------------------
# Import: counts
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["zala", "t1", "parteispenden"])
def test_one_record_per_thing_entity_under_its_ftm_id(ftm_dir: Path, name: str) -> None:
    entities = raw_entities(fixture(ftm_dir, name))
    things = [e for e in entities if e["schema"] in THINGS]
    snapshot = parsed(fixture(ftm_dir, name))
    assert len(snapshot.records) == len(things)
    assert [r.source_id for r in snapshot.records] == [e["id"] for e in things]
    assert {r.source for r in snapshot.records} == {"ftm"}
    assert snapshot.source == "ftm" and snapshot.format == "ftm_json"
    assert snapshot.published_on is None
    assert snapshot.scope == name
    kinds = {"Person": Kind.PERSON, "Organization": Kind.ORGANIZATION, "Company": Kind.ORGANIZATION}
    assert [r.kind for r in snapshot.records] == [kinds[e["schema"]] for e in things]
    # relationships are counted in the notes, with the same numbers json gives
    skipped = Counter(e["schema"] for e in entities if e["schema"] not in THINGS | ATTACHED)
    for schema, count in skipped.items():
        assert any(f"{count} {schema}" in note for note in snapshot.notes), (schema, snapshot.notes)


def test_fixture_counts_are_the_documented_ones(ftm_dir: Path) -> None:
    assert len(parsed(fixture(ftm_dir, "zala")).records) == 6 + 11
    assert len(parsed(fixture(ftm_dir, "t1")).records) == 4 + 2
    parteispenden = parsed(fixture(ftm_dir, "parteispenden"))
    assert len(parteispenden.records) == 56 + 22 + 18
    assert parteispenden.notes[0].startswith("kept 290 Payment entities as related entities")
    zala = parsed(fixture(ftm_dir, "zala"))
    assert zala.notes[0].startswith("kept 14 Ownership, 4 Family, 3 Directorship entities as related entities")
    # every entity of each file is kept as published, the relationships included
    for name in ("zala", "t1", "parteispenden"):
        kept = parsed(fixture(ftm_dir, name)).entities
        assert [e["id"] for e in kept] == [e["id"] for e in raw_entities(fixture(ftm_dir, name))]


# --------------------------------------------------------------------------------------------
# Import: a person sanctioned by many jurisdictions
# --------------------------------------------------------------------------------------------


def test_zakharov_regimes_listing_and_identifiers_as_in_the_raw_file(ftm_dir: Path) -> None:
    entities = raw_entities(fixture(ftm_dir, "zala"))
    [raw] = [e for e in entities if e["id"] == ZAKHAROV]
    sanctions = sanctions_of(entities, ZAKHAROV)
    datasets = {d for s in sanctions for d in s["datasets"]}
    assert {"us_ofac_sdn", "gb_fcdo_sanctions", "ua_nsdc_sanctions", "eu_fsf"} <= datasets

    record = record_of(parsed(fixture(ftm_dir, "zala")), ZAKHAROV)
    expected_regimes = set(raw["properties"]["programId"])
    for sanction in sanctions:
        expected_regimes |= set(sanction["properties"].get("programId", []))
        expected_regimes |= set(sanction["properties"].get("program", []))
    assert set(record.regimes) == expected_regimes
    assert {"US-RUSHAR", "GB-RUS", "UA-SA1644", "EU-UKR", "RUSSIA-EO14024"} <= set(record.regimes)
    listed = [
        day for s in sanctions for day in (s["properties"].get("listingDate") or s["properties"].get("startDate") or [])
    ]
    assert record.listed_on == min(listed) == "2023-07-01"  # the Ukrainian NSDC decree 364/2023
    expected_reasons = {r for s in sanctions for r in s["properties"].get("reason", [])}
    assert set(record.reason.split("\n")) == {" ".join(r.split()) for r in expected_reasons}
    assert "Executive Order 14024 (Russia)" in record.reason.split("\n")
    # the sanctions themselves, who listed him, are kept as published entities, not folded into remarks
    assert not [r for r in record.remarks if r.startswith("Sanction ")]
    kept = {e["id"]: e for e in parsed(fixture(ftm_dir, "zala")).entities}
    [ofac] = [kept[s["id"]] for s in sanctions if "us_ofac_sdn" in s["datasets"]]
    assert ofac["properties"]["authority"] == ["Office of Foreign Assets Control"]
    assert ofac["properties"]["programId"] == ["US-RUSHAR"] and ofac["properties"]["entity"] == [ZAKHAROV]

    expected_ids = {("inn", v) for v in raw["properties"]["innCode"]} | {
        ("tax_id", v) for v in raw["properties"]["taxNumber"]
    }
    expected_ids |= {("sam_uei", v) for v in raw["properties"]["uniqueEntityId"]}
    assert {(i.type, i.value) for i in record.identifiers} == expected_ids
    assert ("inn", "183111242406") in expected_ids

    assert record.kind == Kind.PERSON
    assert record.caption == raw["caption"] == "Alexander Vyacheslavovich ZAKHAROV"
    assert record.birth_dates == [FuzzyDate("1965-09-21")]
    assert record.gender == "male"
    assert record.nationalities == ["ru"] and record.citizenships == ["ru"] and record.countries == ["ru"]
    assert "Izhevsk, Russian Federation" in record.birth_places
    assert "Owner of LLC CST" in record.positions
    assert names_of(record, NameType.PRIMARY) == set(raw["properties"]["name"])
    assert names_of(record, NameType.ALIAS) == set(raw["properties"]["alias"])
    assert "ftm:ofac-45937" in record.cross_refs
    # the publisher's statement of the entity, kept as it is: schema, datasets, topics, target, dates
    assert record.ftm_schema == "Person" and record.datasets == sorted(raw["datasets"])
    assert record.ftm_properties["topics"] == raw["properties"]["topics"] and record.target is raw["target"]
    assert (record.first_seen, record.last_change) == (raw["first_seen"], raw["last_change"])
    assert not [r for r in record.remarks if r.startswith(("datasets: ", "topics: "))]
    # the linked Address entity gives the address its country; the plain text stays as stated
    assert Address("272 Pushkinskaya Street, Apt 41, Izhevsk, 426008", "ru") in record.addresses
    assert Address("IZHEVSK, 426008") in record.addresses
    assert record.unparsed["createdAt"] == ["2025-02-13"]
    assert "modifiedAt" not in record.unparsed  # OpenSanctions bookkeeping


def test_llc_cst_listing_date_is_the_earliest_of_28_sanctions(ftm_dir: Path) -> None:
    entities = raw_entities(fixture(ftm_dir, "zala"))
    sanctions = sanctions_of(entities, LLC_CST)
    assert len(sanctions) == 28
    days = [
        d for s in sanctions for d in (s["properties"].get("listingDate") or s["properties"].get("startDate") or [])
    ]
    record = record_of(parsed(fixture(ftm_dir, "zala")), LLC_CST)
    assert record.kind == Kind.ORGANIZATION
    assert record.listed_on == min(days)
    assert {"US-RUSHAR", "AU-RUSSIA", "CA-SEMA", "US-BIS-EL"} <= set(record.regimes)
    [raw] = [e for e in entities if e["id"] == LLC_CST]
    assert {i.value for i in record.identifiers if i.type == "ogrn"} == set(raw["properties"]["ogrnCode"])
    assert {i.value for i in record.identifiers if i.type == "kpp"} == set(raw["properties"]["kppCode"])


def test_name_parts_are_attached_where_they_occur(ftm_dir: Path) -> None:
    record = record_of(parsed(fixture(ftm_dir, "zala")), OSETROVA)
    by_full = {name.full: name for name in record.names}
    cyrillic = by_full["Мария Александровна Осетрова"]
    assert (cyrillic.given, cyrillic.patronymic, cyrillic.family) == ("Мария", "Александровна", "Осетрова")
    assert cyrillic.script == "Cyrl"
    inverted = by_full["OSETROVA, Maria Aleksandrovna"]
    assert (inverted.given, inverted.family) == ("Maria Aleksandrovna", "OSETROVA")
    assert by_full["Maria Aleksandrovna Zakharova"].type == NameType.FORMER
    # "Mariia" is no firstName value: no given name is invented for this spelling
    assert by_full["Zakharova Mariia"].given is None and by_full["Zakharova Mariia"].family == "Zakharova"
    # middleName values occur in the names: nothing is left over
    assert "middleName" not in record.unparsed


def test_caption_is_the_first_primary_name(ftm_dir: Path) -> None:
    for name in ("zala", "t1"):
        snapshot = parsed(fixture(ftm_dir, name))
        captions = {e["id"]: e["caption"] for e in raw_entities(fixture(ftm_dir, name))}
        for record in snapshot.records:
            assert record.caption == captions[record.source_id]


def test_passport_without_number_and_dangling_references_are_notes(ftm_dir: Path) -> None:
    notes = parsed(fixture(ftm_dir, "zala")).notes
    assert any(n.startswith("Passport gb-fcdo-217caa5aa607244044b49706d04d8d6c5ec992bd") for n in notes)
    entities = raw_entities(fixture(ftm_dir, "zala"))
    known = {e["id"] for e in entities} | {r for e in entities for r in e.get("referents", [])}
    missing = Counter(
        e["schema"] for e in entities for ref in e["properties"].get("addressEntity", []) if ref not in known
    )
    assert missing == {"Person": 6, "Company": 10}
    assert any(n.startswith("6 Person.addressEntity references to entities not in the file") for n in notes)
    assert any(n.startswith("10 Company.addressEntity references") for n in notes)


def test_t1_names_in_many_scripts_and_identifiers(ftm_dir: Path) -> None:
    snapshot = parsed(fixture(ftm_dir, "t1"))
    tobacco = record_of(snapshot, "NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert tobacco.kind == Kind.ORGANIZATION
    scripts = {name.script for name in tobacco.names}
    assert {"Latn", "Cyrl", "Grek"} <= scripts
    assert tobacco.identifiers == [Identifier("registration", "808000714")]
    assert tobacco.countries == ["by"]
    assert "Belarus (Minsk Free Economic Zone)" in tobacco.remarks
    kuzmenko = record_of(snapshot, "NK-2Ka3UvopqbpZmVDFjWd4LA")
    assert kuzmenko.positions == ["General Director of JSC 163 Armor Repair Plant"]
    assert kuzmenko.identifiers == [Identifier("tax_id", "366510784303")]
    assert kuzmenko.birth_dates == [FuzzyDate("1971-01-22")]
    assert any(n.full == "Виталий Юрьевич КУЗЬМЕНКО" and n.given == "Виталий" for n in kuzmenko.names)
    # an Address entity nobody points at is reported, not silently dropped
    assert any("NK-2MQE6AmhAk4tqhENJAMUG9" in n for n in snapshot.notes)


def test_parteispenden_addresses_resolve_through_address_entities(ftm_dir: Path) -> None:
    entities = raw_entities(fixture(ftm_dir, "parteispenden"))
    addresses = {e["id"]: e["properties"] for e in entities if e["schema"] == "Address"}
    snapshot = parsed(fixture(ftm_dir, "parteispenden"))
    by_id = {r.source_id: r for r in snapshot.records}
    for entity in entities:
        if entity["schema"] not in THINGS:
            continue
        expected = {
            (full, (addresses[ref].get("country") or [None])[0])
            for ref in entity["properties"].get("addressEntity", [])
            for full in addresses[ref]["full"]
        }
        assert {(a.full, a.country) for a in by_id[entity["id"]].addresses} == expected
    donor = by_id["f9c295f21b233ac878fbac4d271bb6fd13d7952a"]
    assert donor.caption == "Frau Lina Dachner"  # no caption key: FtM computes it
    assert donor.addresses == [Address("Schillerstraße 19, 76135 Karlsruhe", "de")]
    assert donor.regimes == [] and donor.listed_on is None


def test_parse_entities_takes_text_lines_and_a_source(ftm_dir: Path) -> None:
    lines = fixture(ftm_dir, "t1").read_text(encoding="utf-8").splitlines()
    result = parse_entities(lines, source="opensanctions")
    assert len(result.records) == 6
    assert {r.source for r in result.records} == {"opensanctions"}
    assert result.records[0].id == "opensanctions:NK-2GdmHtZTeNXjNVrBGEXZNj"


def test_scope_of_file_names() -> None:
    assert scope_of("zala.entities.ftm.json") == "zala"
    assert scope_of("entities.ftm.json") == ""
    assert scope_of("peps.ijson") == "peps"


def test_sanction_on_missing_entity_and_unknown_property_are_kept(tmp_path: Path) -> None:
    lines = [
        {
            "id": "p1",
            "schema": "Person",
            "properties": {
                "name": ["Ivan Petrov"],
                "favouriteColour": ["red"],
                "gender": ["other"],
                "birthDate": ["1970"],
            },
        },
        {
            "id": "s1",
            "schema": "Sanction",
            "properties": {"entity": ["p1"], "program": ["X"], "listingDate": ["2020-05"]},
        },
        {"id": "s2", "schema": "Sanction", "properties": {"entity": ["nobody"], "program": ["Y"]}},
        {
            "id": "i1",
            "schema": "Identification",
            "properties": {"holder": ["p1"], "number": ["AB123"], "type": ["National ID card"], "country": ["ru"]},
        },
    ]
    file = write(tmp_path, "small.ftm.json", "\n".join(json.dumps(line) for line in lines).encode())
    [snapshot] = FORMAT.parse([file])
    [record] = snapshot.records
    assert record.regimes == ["X"]
    assert record.listed_on is None and record.unparsed["listingDate"] == ["2020-05"]  # not a full day
    assert record.unparsed["favouriteColour"] == ["red"] and record.unparsed["gender"] == ["other"]
    assert record.birth_dates == [FuzzyDate("1970")]
    assert record.identifiers == [Identifier("national_id", "AB123", "ru", "type: National ID card")]
    assert any(
        "Sanction.entity references to entities not in the file: s2 (line 3) → nobody" in n for n in snapshot.notes
    )


# --------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------


def zala_lines(ftm_dir: Path) -> list[bytes]:
    return fixture(ftm_dir, "zala").read_bytes().splitlines(keepends=True)


def parse_error(file: SourceFile) -> SourceError:
    with pytest.raises(SourceError) as caught:
        FORMAT.parse([file])
    assert file.label in str(caught.value)
    return caught.value


def test_invalid_json_names_the_line(ftm_dir: Path, tmp_path: Path) -> None:
    lines = zala_lines(ftm_dir)
    lines[6] = lines[6][:40] + b"\n"
    error = parse_error(write(tmp_path, "broken.ftm.json", b"".join(lines)))
    assert error.line == 7 and "invalid JSON" in error.message


def test_truncated_file_names_the_last_line(ftm_dir: Path, tmp_path: Path) -> None:
    data = fixture(ftm_dir, "zala").read_bytes()
    cut = data[: len(data) - 200]
    error = parse_error(write(tmp_path, "cut.ftm.json", cut))
    assert error.line == cut.count(b"\n") + 1 == 91


def test_unknown_schema_names_the_line(ftm_dir: Path, tmp_path: Path) -> None:
    lines = zala_lines(ftm_dir)
    lines[2] = lines[2].replace(b'"schema": "', b'"schema": "Spaceship', 1)
    error = parse_error(write(tmp_path, "alien.ftm.json", b"".join(lines)))
    assert error.line == 3 and "unknown FtM schema" in error.message


def test_duplicate_entity_names_both_lines(ftm_dir: Path, tmp_path: Path) -> None:
    lines = zala_lines(ftm_dir)
    error = parse_error(write(tmp_path, "dup.ftm.json", b"".join([*lines, lines[0]])))
    assert error.line == 92 and "line 1" in error.message and OSETROVA in error.message


def test_wrong_encodings_name_the_line(ftm_dir: Path, tmp_path: Path) -> None:
    text = fixture(ftm_dir, "t1").read_text(encoding="utf-8")
    error = parse_error(write(tmp_path, "utf16.ftm.json", text.encode("utf-16")))
    assert error.line == 1
    latin = fixture(ftm_dir, "t1").read_bytes().replace(b"Minsk", "Mínsk".encode("latin-1"))
    error = parse_error(write(tmp_path, "latin1.ftm.json", latin))
    assert error.line == 1 and "UTF-8" in error.message


def test_empty_html_and_non_entity_files(ftm_dir: Path, tmp_path: Path) -> None:
    assert "empty" in parse_error(write(tmp_path, "empty.ftm.json", b"\n")).message
    assert "HTML" in parse_error(write(tmp_path, "page.ftm.json", HTML_PAGE)).message
    error = parse_error(write(tmp_path, "array.ftm.json", b"[1, 2]\n"))
    assert error.line == 1 and "entity object" in error.message
    payments = [line for line in fixture(ftm_dir, "parteispenden").read_bytes().splitlines() if b'"Payment"' in line]
    error = parse_error(write(tmp_path, "payments.ftm.json", b"\n".join(payments)))
    assert "no Person" in error.message and "290 Payment" in error.message


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def hand_made_records() -> list[Record]:
    person = Record(
        source="us_ofac_sdn",
        source_id="36092",
        kind=Kind.PERSON,
        names=[
            Name("Ivan Ivanovich PETROV", given="Ivan", patronymic="Ivanovich", family="PETROV"),
            Name("Иван Иванович Петров", NameType.ALIAS),
            Name("Vanya", NameType.WEAK_ALIAS),
            Name("Ivan SIDOROV", NameType.FORMER),
        ],
        birth_dates=[FuzzyDate("1961-05-02"), FuzzyDate("1958", until="1960", raw="1958 to 1960")],
        birth_places=["Moscow, Russia"],
        nationalities=["ru"],
        citizenships=["ru"],
        countries=["ru", "cy"],
        gender="male",
        identifiers=[
            Identifier("passport", "720123456", country="ru", note="expires 2030"),
            Identifier("inn", "771234567859"),
            Identifier("national_id", "4509 123456"),
            Identifier("inn", "771234567890"),  # fails the INN checksum FtM applies
        ],
        addresses=[Address("Tverskaya 1, Moscow", "ru")],
        regimes=["RUSSIA-EO14024", "UKRAINE-EO13660"],
        listed_on="2022-02-24",
        reason="Operating in the defense sector",
        remarks=["Secondary sanctions risk"],
        positions=["Deputy Minister"],
        cross_refs=["un_sc:IRi.001"],
    )
    company = Record(
        source="eu_fsf",
        source_id="EU.1234.56",
        kind=Kind.ORGANIZATION,
        names=[Name("OOO Romashka")],
        countries=["ru"],
        identifiers=[
            Identifier("swift", "ROMARUMM"),
            Identifier("ogrn", "1027700132195"),
            Identifier("kpp", "770001001"),
        ],
        regimes=["UKR"],
        listed_on="2023-06-23",
    )
    vessel = Record(
        source="gb_fcdo",
        source_id="RUS1700",
        kind=Kind.VESSEL,
        names=[Name("OCEAN STAR"), Name("SEA STAR", NameType.FORMER)],
        countries=["pa"],
        identifiers=[Identifier("imo", "9074729")],
        regimes=["The Russia (Sanctions) (EU Exit) Regulations 2019"],
    )
    plane = Record(source="us_ofac_sdn", source_id="28000", kind=Kind.AIRCRAFT, names=[Name("EP-ABC")])
    unknown = Record(
        source="eu_journal",
        source_id="32020R1998#2",
        kind=Kind.UNKNOWN,
        names=[Name("Mystery")],
        birth_dates=[FuzzyDate("1970", circa=True, raw="circa 1970")],
        unparsed={"DOB": ["sometime in the seventies"]},
    )
    return [person, company, vessel, plane, unknown]


def test_exported_entities_validate_against_the_ftm_model() -> None:
    entities = list(export_entities(hand_made_records()))
    for entity in entities:
        assert registry.entity.validate(entity["id"]), entity["id"]
        proxy = model.get_proxy(entity)
        assert proxy.schema.name == entity["schema"]
        # cleaning every value again through the library changes nothing: each one was valid
        assert model.get_proxy(entity, cleaned=False).properties == entity["properties"]
        for prop in proxy.schema.required:
            assert proxy.get(prop), (entity["id"], prop)
    by_id = {e["id"]: e for e in entities}
    assert len(by_id) == len(entities)

    person = by_id["us-ofac-sdn-36092"]["properties"]
    assert by_id["us-ofac-sdn-36092"]["schema"] == "Person"
    assert person["name"] == ["Ivan Ivanovich PETROV"]
    assert person["alias"] == ["Иван Иванович Петров"] and person["weakAlias"] == ["Vanya"]
    assert person["previousName"] == ["Ivan SIDOROV"]
    assert (person["firstName"], person["fatherName"], person["lastName"]) == (["Ivan"], ["Ivanovich"], ["PETROV"])
    assert person["birthDate"] == ["1961-05-02", "1958", "1959", "1960"]
    assert "Date of birth: 1958 to 1960" in person["notes"]
    assert person["passportNumber"] == ["720123456"] and person["innCode"] == ["771234567859"]
    assert person["idNumber"] == ["4509 123456"]
    # the library refuses an INN with a wrong check digit: it is noted, not dropped
    assert "Identifier inn: 771234567890" in person["notes"]
    assert "Identifier passport 720123456: ru; expires 2030" in person["notes"]
    assert person["nationality"] == ["ru"] and person["country"] == ["ru", "cy"] and person["gender"] == ["male"]
    assert person["position"] == ["Deputy Minister"] and person["topics"] == ["sanction"]
    [address] = [by_id[ref] for ref in person["addressEntity"]]
    assert address["properties"] == {"full": ["Tverskaya 1, Moscow"], "country": ["ru"]}

    sanction = by_id["us-ofac-sdn-36092-sanction"]["properties"]
    assert sanction["entity"] == ["us-ofac-sdn-36092"]
    assert sanction["program"] == ["RUSSIA-EO14024", "UKRAINE-EO13660"]
    assert sanction["listingDate"] == ["2022-02-24"] and sanction["reason"] == ["Operating in the defense sector"]
    assert sanction["country"] == ["us"] and sanction["unscId"] == ["IRi.001"]
    assert sanction["authority"] == ["US Treasury, Office of Foreign Assets Control"]

    # kppCode exists only on Company: the organization is exported as one
    company = by_id["eu-fsf-EU.1234.56"]
    assert company["schema"] == "Company"
    assert company["properties"]["swiftBic"] == ["ROMARUMM"] and company["properties"]["kppCode"] == ["770001001"]
    assert "country" not in by_id["eu-fsf-EU.1234.56-sanction"]["properties"]  # the EU is not a country

    vessel = by_id["gb-fcdo-RUS1700"]
    assert vessel["schema"] == "Vessel" and vessel["properties"]["imoNumber"] == ["IMO9074729"]
    assert vessel["properties"]["previousName"] == ["SEA STAR"] and vessel["properties"]["country"] == ["pa"]
    # re-imported, the IMO number is the digits again, as the list parsers keep it
    [back] = [r for r in parse_entities([json.dumps(vessel)]).records]
    assert back.identifiers == [Identifier("imo", "9074729")] and back.kind == Kind.VESSEL
    assert by_id["us-ofac-sdn-28000"]["schema"] == "Airplane"

    # '#' is not allowed in FtM ids: slugged, with a hash so distinct ids stay distinct
    [unknown] = [e for e in entities if e["schema"] == "LegalEntity"]
    assert unknown["id"].startswith("eu-journal-32020R1998-2-")
    # LegalEntity has no birthDate: the date goes to the notes instead of being lost
    assert "Date of birth: 1970" in unknown["properties"]["notes"]
    assert "DOB: sometime in the seventies" in unknown["properties"]["notes"]


def test_export_is_deterministic_and_skips_sanctions_for_non_sanctions_data(ftm_dir: Path) -> None:
    first = list(export_entities(hand_made_records()))
    again = list(export_entities(hand_made_records()))
    assert first == again
    donations = parsed(fixture(ftm_dir, "parteispenden")).records
    schemata = Counter(e["schema"] for e in export_entities(donations))
    assert "Sanction" not in schemata  # party donors are not sanctioned
    # each thing keeps its publisher's schema: a Company stays a Company
    assert schemata["Person"] == 22 and schemata["Company"] == 56 and schemata["Organization"] == 18


def test_round_trip_zala_keeps_names_dates_identifiers(ftm_dir: Path) -> None:
    snapshot = parsed(fixture(ftm_dir, "zala"))
    original = snapshot.records
    related = [e for e in snapshot.entities if e["schema"] not in THINGS]
    exported = list(export_entities(original, related))
    for entity in exported:
        model.get_proxy(entity)
    # the publisher's entities come back as published: the same ids, schemata, properties, dates
    entities = raw_entities(fixture(ftm_dir, "zala"))
    assert Counter(e["schema"] for e in exported) == Counter(e["schema"] for e in entities)
    raw_by_id = {e["id"]: e for e in entities}
    for entity in exported:
        raw = raw_by_id[entity["id"]]
        assert entity["schema"] == raw["schema"] and entity["target"] is raw["target"]
        assert entity["properties"] == {k: v for k, v in raw["properties"].items() if k != "modifiedAt"}
        assert (entity["first_seen"], entity["last_change"]) == (raw["first_seen"], raw["last_change"])
        assert entity["datasets"] == sorted(raw["datasets"]) and entity["referents"] == sorted(raw["referents"])
    lines = [json.dumps(entity) for entity in exported]
    again = {r.source_id: r for r in parse_entities(lines).records}
    assert len(again) == len(original)
    for record in original:
        back = again[record.source_id]
        assert back.kind == record.kind
        assert sorted(map(repr, back.names)) == sorted(map(repr, record.names)), record.source_id
        assert back.caption == record.caption
        assert back.birth_dates == record.birth_dates
        assert sorted(map(repr, back.identifiers)) == sorted(map(repr, record.identifiers))
        assert sorted(map(repr, back.addresses)) == sorted(map(repr, record.addresses))
        assert set(back.regimes) == set(record.regimes)
        assert back.listed_on == record.listed_on
        assert (back.nationalities, back.citizenships, back.countries) == (
            record.nationalities,
            record.citizenships,
            record.countries,
        )
        assert back.gender == record.gender and back.positions == record.positions
        assert sorted(back.cross_refs) == sorted(record.cross_refs)  # FtM's referents are a set


# --------------------------------------------------------------------------------------------
# Speed
# --------------------------------------------------------------------------------------------


def test_fifteen_thousand_linked_entities_all_resolve(ftm_dir: Path, tmp_path: Path) -> None:
    entities = raw_entities(fixture(ftm_dir, "zala"))
    out = []
    for copy in range(170):  # 170 × 91 = 15,470 entities
        for entity in entities:
            data = json.loads(json.dumps(entity))
            data["id"] = f"{entity['id']}-{copy}"
            for prop in ("entity", "holder", "addressEntity", "owner", "asset"):
                if prop in data["properties"]:
                    data["properties"][prop] = [f"{v}-{copy}" for v in data["properties"][prop]]
            data["referents"] = [f"{r}-{copy}" for r in data.get("referents", [])]
            out.append(json.dumps(data, ensure_ascii=False))
    file = write(tmp_path, "big.ftm.json", "\n".join(out).encode())
    [snapshot] = FORMAT.parse([file])
    # every copy keeps its own links: sanctions attach to their own copy's entities
    assert len(snapshot.records) == 170 * 17
    assert len({r.source_id for r in snapshot.records}) == 170 * 17
