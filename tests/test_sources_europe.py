"""European formats: EU annex CSVs (real files), EU FSF, UK FCDO and Swiss SECO XML (synthetic samples).

The EU annex CSVs are tested on the real OpenSanctions transcriptions in ../shared/data/lists,
with expectations computed here from the raw rows with the csv module.

No real EU Financial Sanctions File, UK Sanctions List or Swiss SESAM file is available in
this workplace. Their tests therefore write SYNTHETIC sample documents, built by hand from the
published schemas (FSF xmlFullSanctionsList_1_1 XSD, FCDO UK-Sanctions-List.xml layout, SESAM
swiss-sanctions-list XSD). The people, companies, numbers and dates in them are invented; they
are not real list data and must never be cited as such.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from support import by_id, parse_bytes

from sanctionscope.model import Kind, NameType
from sanctionscope.sources.base import Format, SourceError, SourceFile
from sanctionscope.sources.ch_seco import FORMAT as SECO
from sanctionscope.sources.eu_fsf import FORMAT as FSF
from sanctionscope.sources.eu_journal import FORMAT as EU
from sanctionscope.sources.eu_journal import cell_items, regime_of
from sanctionscope.sources.gb_fcdo import FORMAT as FCDO
from sanctionscope.sources.gb_fcdo import uk_birth_date
from sanctionscope.sources.registry import formats

CONSOLIDATED = "eu/opensanctions-journal-consolidated-csv/2026-08-19"
AMENDMENTS = "eu/opensanctions-journal-amendments-csv"
HTML_ERROR_PAGE = (
    b"<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head>"
    b"<body><h1>Internal Server Error</h1></body></html>\n"
)


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def parse_path(fmt: Format, path: Path):
    (snapshot,) = fmt.parse([SourceFile.read(path)])
    return snapshot


# ---------------------------------------------------------------------------------------------
# EU annex CSVs (real files)
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eu_snapshots(lists_dir: Path) -> dict[str, object]:
    files = [SourceFile.read(p) for p in sorted((lists_dir / CONSOLIDATED).glob("*.csv"))]
    return {snapshot.scope: snapshot for snapshot in EU.parse(files)}


def test_eu_every_regulation_is_its_own_scope_with_one_record_per_row(lists_dir: Path, eu_snapshots) -> None:
    paths = sorted((lists_dir / CONSOLIDATED).glob("*.csv"))
    assert len(paths) == 45 and set(eu_snapshots) == {p.stem for p in paths}
    total = 0
    for path in paths:
        rows = csv_rows(path)
        snapshot = eu_snapshots[path.stem]
        assert len(snapshot.records) == len(rows), path.name
        assert snapshot.published_on is None and snapshot.source == "eu_journal"
        total += len(rows)
    assert sum(len(s.records) for s in eu_snapshots.values()) == total == 8017
    for celex, expected in {"32014R0269": 2802, "32020R1998": 177, "32006R0765": 408, "32014R0833": 1746}.items():
        assert len(eu_snapshots[celex].records) == len(csv_rows(lists_dir / CONSOLIDATED / f"{celex}.csv")) == expected


def test_eu_numbered_entries_keep_the_journal_number(lists_dir: Path, eu_snapshots) -> None:
    for celex in ("32020R1998", "32014R0269", "32012R0267"):
        rows = csv_rows(lists_dir / CONSOLIDATED / f"{celex}.csv")
        expected = {f"{celex}#{row['annex']}-{row['recordId']}" for row in rows if row["recordId"]}
        ids = {r.source_id for r in eu_snapshots[celex].records}
        assert expected <= ids and len(ids - expected) == sum(1 for row in rows if not row["recordId"])
    # the one unnumbered entry of 32020R1998 is keyed by its name
    assert "32020R1998#I.B-name-the-zindashti-network" in {r.source_id for r in eu_snapshots["32020R1998"].records}
    # numbers repeat across annexes ("2" in I.A and in I.B), which is why the annex is in the id
    numbers = Counter(row["recordId"] for row in csv_rows(lists_dir / CONSOLIDATED / "32020R1998.csv"))
    assert numbers["2"] == 2


def test_eu_bastrykin_as_the_file_writes_him(lists_dir: Path, eu_snapshots) -> None:
    (row,) = [r for r in csv_rows(lists_dir / CONSOLIDATED / "32020R1998.csv") if "BASTRYKIN" in r["name"]]
    record = by_id(eu_snapshots["32020R1998"])["32020R1998#I.A-2"]
    assert record.id == "eu_journal:32020R1998#I.A-2"
    assert record.caption == row["name"] == "Alexander (Alexandr) Ivanovich BASTRYKIN"
    assert record.listed_on == "2021-03-02" and row["startDate"] == "2.3.2021"
    assert [d.value for d in record.birth_dates] == ["1953-08-27"]
    assert record.kind == Kind.PERSON and record.gender == "male" and record.nationalities == ["ru"]
    assert record.regimes == ["EU global human rights sanctions regime (Reg. 2020/1998)", "EU-HR"]
    assert record.reason.startswith("Alexander Bastrykin has served as chairman of the Investigative Committee")
    # The transcription's Cyrillic name has two Latin "a"s (U+0061) among Cyrillic letters: kept as written.
    (cyrillic,) = [n for n in record.names if n.script == "Cyrl"]
    assert cyrillic.full == row["alias"] == "Алексaндр Ивaнович БАСТРЫКИН"
    assert cyrillic.full.count("a") == 2 and cyrillic.full != "Александр Иванович БАСТРЫКИН"
    assert cyrillic.type == NameType.ALIAS


def test_eu_russia_and_belarus_spot_checks(eu_snapshots) -> None:
    russia = by_id(eu_snapshots["32014R0269"])
    usmanov = russia["32014R0269#I.PERSONS-673"]
    assert usmanov.caption == "Alisher Burkhanovich USMANOV" and usmanov.listed_on == "2022-02-28"
    assert {n.full for n in usmanov.names} >= {"Алишер Бурханович УСМАНОВ", "Alisher Burkhanovich USMONOV"}
    assert usmanov.identifiers[0].type == "passport" and "55 0314316" in usmanov.identifiers[0].value
    abramovich = russia["32014R0269#I.PERSONS-879"]
    assert abramovich.caption == "Roman Arkadyevich ABRAMOVICH" and abramovich.listed_on == "2022-03-15"
    assert [d.value for d in abramovich.birth_dates] == ["1966-10-24"]
    belarus = [r for r in eu_snapshots["32006R0765"].records if "MURASHKO" in r.caption]
    assert [r.source_id for r in belarus] == ["32006R0765#I.A-273"]
    murashko = belarus[0]
    assert murashko.listed_on == "2024-12-16" and "Вадим Ростиславович МУРАШКО" in {n.full for n in murashko.names}
    assert murashko.identifiers == [murashko.identifiers[0]] and murashko.identifiers[0].value == "3200679E065PB6"


def test_eu_unnumbered_entries_have_ids_that_survive_other_rows_changing(tmp_path: Path, lists_dir: Path) -> None:
    path = lists_dir / CONSOLIDATED / "32014R0833.csv"
    before = {r.source_id for r in parse_path(EU, path).records}
    assert "32014R0833#V-name-opk-oboronprom" in before
    # Delete the first unnumbered row of annex V: no other id may change (row positions would all shift).
    lines = path.read_bytes().split(b"\n")
    (index,) = [
        i for i, line in enumerate(lines) if line.startswith(b"32014R0833,,EU-RUS,V,") and b"OPK OBORON" in line
    ]
    (after_snapshot,) = parse_bytes(EU, tmp_path, "32014R0833.csv", b"\n".join(lines[:index] + lines[index + 1 :]))
    assert before - {r.source_id for r in after_snapshot.records} == {"32014R0833#V-name-opk-oboronprom"}
    assert {r.source_id for r in after_snapshot.records} < before
    vessels = [r for r in parse_path(EU, lists_dir / CONSOLIDATED / "32017R1509.csv").records if r.kind == Kind.VESSEL]
    assert "32017R1509#XIII.B-imo-8606173" in {r.source_id for r in vessels}


def test_eu_repeated_unnumbered_entry_is_kept_and_noted(eu_snapshots) -> None:
    snapshot = eu_snapshots["32002R0881"]
    ids = {r.source_id for r in snapshot.records}
    assert {"32002R0881#I-name-ali-ghaleb-himmat", "32002R0881#I-name-ali-ghaleb-himmat~2"} <= ids
    assert len(snapshot.notes) == 2 and "repeats" in snapshot.notes[0]


def test_eu_enumerated_cells_are_split(lists_dir: Path) -> None:
    assert cell_items('"(a) 11.4.1963; (b) 11.4.1960"') == ["11.4.1963", "11.4.1960"]
    assert cell_items("(a) Algerian (b) German") == ["Algerian", "German"]
    snapshot = parse_path(EU, next((lists_dir / AMENDMENTS).glob("*/32026R1960.csv")))
    zidane = next(r for r in snapshot.records if r.caption == "Mohammed Salahaldin Abd El Halim Zidane")
    assert [d.value for d in zidane.birth_dates] == ["1963-04-11", "1960-04-11"]
    yilmaz = next(r for r in snapshot.records if r.caption == "Adem Yilmaz")
    assert len(yilmaz.addresses) == 3 and yilmaz.addresses[1].full.startswith("Atalar Neighborhood")
    assert yilmaz.identifiers[0].value == "TR-P 614166" and "Frankfurt" in yilmaz.identifiers[0].note


def test_eu_regime_names() -> None:
    assert regime_of("32020R1998") == "EU global human rights sanctions regime (Reg. 2020/1998)"
    assert regime_of("32014R0269") == "EU Russia/Ukraine territorial integrity (Reg. 269/2014)"
    assert regime_of("32099R0001") == "EU Regulation 32099R0001"


def test_eu_header_only_file_is_an_empty_regime(eu_snapshots) -> None:
    snapshot = eu_snapshots["32004R0314"]
    assert snapshot.records == [] and snapshot.scope == "32004R0314"


def test_eu_amendment_files_load_under_the_amending_act(lists_dir: Path) -> None:
    paths = sorted((lists_dir / AMENDMENTS).glob("*/*.csv"))
    assert len(paths) == 11
    for path in paths:
        rows = csv_rows(path)
        numbered = Counter((r["annex"], r["recordId"]) for r in rows if r["recordId"])
        merged = sum(count - 1 for count in numbered.values())
        snapshot = parse_path(EU, path)
        assert snapshot.scope == f"amendment:{path.stem}"
        assert len(snapshot.records) == len(rows) - merged, path.name
        assert {r.source_id.split("#")[0] for r in snapshot.records} == {r["amendedCelex"] for r in rows}
    # 32026R1941 lists one vessel under two measures: one entry, both measures kept
    (vessel,) = parse_path(EU, lists_dir / AMENDMENTS / "2026-08-14/32026R1941.csv").records
    assert vessel.source_id == "32016R0044#V-1" and vessel.kind == Kind.VESSEL
    assert {"measure: Transportation restrictions", "measure: Financial restrictions"} <= set(vessel.remarks)


def test_eu_bad_inputs(tmp_path: Path, lists_dir: Path) -> None:
    raw = (lists_dir / CONSOLIDATED / "32020R1998.csv").read_bytes()
    cut = raw[: raw.index(b"\n", 20000) + 200]
    with pytest.raises(SourceError, match=r"32020R1998\.csv, line \d+: .*(truncated|malformed)"):
        parse_bytes(EU, tmp_path, "32020R1998.csv", cut)
    for name, data, message in (
        ("32020R1998.csv", b"", "empty"),
        ("32020R1998.csv", HTML_ERROR_PAGE, "HTML page"),
        ("32020R1998.csv", raw.decode("utf-8").encode("cp1251", errors="replace"), r"line \d+: not valid UTF-8"),
    ):
        file = SourceFile(name, data, tmp_path / name)
        assert EU.claims(file), message
        with pytest.raises(SourceError, match=message):
            parse_bytes(EU, tmp_path, name, data)
    lines = raw.split(b"\n")
    second_row = next(i for i, line in enumerate(lines) if line.startswith(b"32020R1998,2,"))
    duplicated = b"\n".join([*lines[: second_row + 1], lines[second_row], *lines[second_row + 1 :]])
    with pytest.raises(SourceError, match=r"line \d+: entry I\.A-2 appears twice"):
        parse_bytes(EU, tmp_path, "32020R1998.csv", duplicated)
    mixed = raw.replace(b"\n32020R1998,3,", b"\n32014R0269,3,", 1)
    with pytest.raises(SourceError, match="one file holds one act"):
        parse_bytes(EU, tmp_path, "32020R1998.csv", mixed)


# ---------------------------------------------------------------------------------------------
# SYNTHETIC samples of the formats without a real file here. Invented data, built from the schemas.
# ---------------------------------------------------------------------------------------------

SYNTHETIC_FSF = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- SYNTHETIC sample written by sanctionscope's tests from the FSF XSD (xmlFullSanctionsList_1_1).
     Invented people, numbers and dates: not real list data. -->
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2026-03-02T17:05:11.123+01:00" globalFileId="999001">
  <sanctionEntity designationDetails="Synthetic designation details" unitedNationId="QDi.900"
                  euReferenceNumber="EU.9001.01" logicalId="900001">
    <remark>Synthetic remark.</remark>
    <regulation regulationType="amendment" organisationType="council" publicationDate="2022-03-15"
                entryIntoForceDate="2022-03-16" numberTitle="2022/9999 (OJ L 999)" programme="UKR" logicalId="9101">
      <publicationUrl>https://eur-lex.example/synthetic-2022-9999</publicationUrl>
    </regulation>
    <regulation regulationType="regulation" organisationType="council" publicationDate="2021-03-02"
                entryIntoForceDate="2021-03-02" numberTitle="2021/9998 (OJ L 998)" programme="GHR" logicalId="9102">
      <publicationUrl>https://eur-lex.example/synthetic-2021-9998</publicationUrl>
    </regulation>
    <subjectType code="person" classificationCode="P"/>
    <nameAlias firstName="Ivan" middleName="Petrovich" lastName="TESTOV" wholeName="Ivan Petrovich TESTOV"
               function="Synthetic director" gender="M" title="Dr" nameLanguage="" strong="true"
               regulationLanguage="en" logicalId="9201">
      <regulationSummary regulationType="amendment" publicationDate="2022-03-15" numberTitle="2022/9999 (OJ L 999)"
                         publicationUrl="https://eur-lex.example/synthetic-2022-9999"/>
    </nameAlias>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Иван Петрович ТЕСТОВ" function="" gender="M"
               title="" nameLanguage="RU" strong="true" regulationLanguage="en" logicalId="9202"/>
    <nameAlias firstName="" middleName="" lastName="" wholeName="Vanya" function="" gender="" title=""
               nameLanguage="" strong="false" regulationLanguage="en" logicalId="9203"/>
    <citizenship region="" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION" regulationLanguage="en"
                 logicalId="9301"/>
    <birthdate circa="false" calendarType="GREGORIAN" city="Pskov" zipCode="" birthdate="1953-08-27" dayOfMonth="27"
               monthOfYear="8" year="1953" region="" place="" countryIso2Code="RU"
               countryDescription="RUSSIAN FEDERATION" regulationLanguage="en" logicalId="9401"/>
    <birthdate circa="true" calendarType="GREGORIAN" year="1954" countryIso2Code="00" countryDescription="UNKNOWN"
               regulationLanguage="en" logicalId="9402"/>
    <birthdate circa="false" calendarType="GREGORIAN" yearRangeFrom="1950" yearRangeTo="1952" regulationLanguage="en"
               logicalId="9403"/>
    <birthdate circa="false" calendarType="ISLAMIC" year="1372" regulationLanguage="en" logicalId="9404"/>
    <identification diplomatic="false" knownExpired="false" knownFalse="false" reportedLost="true"
                    revokedByIssuer="false" issuedBy="Synthetic ministry" latinNumber="" nameOnDocument=""
                    number="7700000001" region="" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"
                    identificationTypeCode="passport" identificationTypeDescription="National passport"
                    validFrom="2019-12-06" validTo="2029-12-06" regulationLanguage="en" logicalId="9501">
      <remark>Synthetic passport remark</remark>
    </identification>
    <identification number="999999999999" identificationTypeCode="fiscalcode"
                    identificationTypeDescription="Fiscal Code" countryIso2Code="00" countryDescription="UNKNOWN"
                    regulationLanguage="en" logicalId="9502"/>
    <identification number="" identificationTypeCode="other" identificationTypeDescription="Other identification"
                    regulationLanguage="en" logicalId="9503"><remark>number withheld (synthetic)</remark></identification>
    <address city="Moscow" street="1 Synthetic Street" poBox="" zipCode="101000" region="" place=""
             asAtListingTime="false" countryIso2Code="RU" countryDescription="RUSSIAN FEDERATION"
             regulationLanguage="en" logicalId="9601">
      <remark>synthetic address remark</remark>
      <contactInfo key="PHONE" value="+7 000 000 00 00"/>
    </address>
    <futureElement kind="new">value of an element this parser does not know</futureElement>
  </sanctionEntity>
  <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.9002.02" logicalId="900002">
    <regulation regulationType="amendment" organisationType="council" publicationDate="2023-06-23"
                entryIntoForceDate="2023-06-23" numberTitle="2023/9997 (OJ L 997)" programme="RUS" logicalId="9103"/>
    <subjectType code="enterprise" classificationCode="E"/>
    <nameAlias wholeName="Synthetic Trading LLC" nameLanguage="" strong="true" regulationLanguage="en"
               logicalId="9204"/>
    <nameAlias wholeName="ООО Синтетик Трейдинг" nameLanguage="RU" strong="true" regulationLanguage="en"
               logicalId="9205"/>
    <identification number="9999999999999" identificationTypeCode="regnumber"
                    identificationTypeDescription="Registration Number" countryIso2Code="RU"
                    countryDescription="RUSSIAN FEDERATION" regulationLanguage="en" logicalId="9504"/>
  </sanctionEntity>
</export>
"""

SYNTHETIC_FCDO = """<?xml version="1.0" encoding="utf-8"?>
<!-- SYNTHETIC sample written by sanctionscope's tests from the FCDO UK Sanctions List XML layout.
     Invented people, numbers and dates: not real list data. -->
<Designations xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <DateGenerated>2026-03-02T09:15:00</DateGenerated>
  <Designation>
    <LastUpdated>2024-05-01T00:00:00</LastUpdated>
    <DateDesignated>2022-03-15T00:00:00</DateDesignated>
    <UniqueID>RUS9001</UniqueID>
    <OFSIGroupID>99001</OFSIGroupID>
    <UNReferenceNumber />
    <Names>
      <Name><Name1>Ivan</Name1><Name2>Petrovich</Name2><Name6>TESTOV</Name6><NameType>Primary Name</NameType></Name>
      <Name><Name1>Ivan</Name1><Name6>TESTOFF</Name6><NameType>Alias</NameType>
        <AliasStrength>Good quality</AliasStrength></Name>
      <Name><Name6>VANYA</Name6><NameType>Alias</NameType><AliasStrength>Low quality</AliasStrength></Name>
      <Name><Name1>Ivan</Name1><Name6>TESTOV-VARIANT</Name6><NameType>Primary Name Variation</NameType></Name>
    </Names>
    <NonLatinNames>
      <NonLatinName><NameNonLatinScript>Иван Петрович ТЕСТОВ</NameNonLatinScript>
        <NonLatinScriptType>Cyrillic</NonLatinScriptType><NonLatinScriptLanguage>Russian</NonLatinScriptLanguage>
      </NonLatinName>
    </NonLatinNames>
    <RegimeName>Russia</RegimeName>
    <IndividualEntityShip>Individual</IndividualEntityShip>
    <DesignationSource>UK</DesignationSource>
    <SanctionsImposed>Asset freeze|Travel Ban</SanctionsImposed>
    <SanctionsImposedIndicators><AssetFreeze>true</AssetFreeze><TravelBan>true</TravelBan></SanctionsImposedIndicators>
    <OtherInformation>Synthetic other information.</OtherInformation>
    <UKStatementofReasons>Synthetic statement of reasons.</UKStatementofReasons>
    <Addresses>
      <Address><AddressLine1>1 Synthetic Street</AddressLine1><AddressLine2>Moscow</AddressLine2>
        <AddressPostalCode>101000</AddressPostalCode><AddressCountry>Russia</AddressCountry></Address>
    </Addresses>
    <PhoneNumbers><PhoneNumber>+7 000 000 00 00</PhoneNumber></PhoneNumbers>
    <EmailAddresses><EmailAddress>synthetic@example.org</EmailAddress></EmailAddresses>
    <IndividualDetails>
      <Individual>
        <DOBs><DOB>27/08/1953</DOB><DOB>dd/mm/1954</DOB><DOB>00/05/1955</DOB><DOB>sometime in 1956</DOB></DOBs>
        <Nationalities><Nationality>Russia</Nationality></Nationalities>
        <PassportDetails><PassportDetail><PassportNumber>7700000001</PassportNumber>
          <PassportAdditionalInformation>Russian passport (synthetic)</PassportAdditionalInformation>
        </PassportDetail></PassportDetails>
        <NationalIdentifierDetails><NationalIdentifierDetail>
          <NationalIdentifierNumber>999999999999</NationalIdentifierNumber>
          <NationalIdentifierAdditionalInformation>INN (synthetic)</NationalIdentifierAdditionalInformation>
        </NationalIdentifierDetail></NationalIdentifierDetails>
        <Positions><Position>Synthetic director</Position></Positions>
        <BirthDetails><Location><TownOfBirth>Pskov</TownOfBirth><CountryOfBirth>Russia</CountryOfBirth></Location>
        </BirthDetails>
        <Genders><Gender>Male</Gender></Genders>
      </Individual>
    </IndividualDetails>
  </Designation>
  <Designation>
    <LastUpdated>2023-01-10T00:00:00</LastUpdated>
    <DateDesignated>15/06/2004</DateDesignated>
    <UniqueID>AQD9002</UniqueID>
    <OFSIGroupID>99002</OFSIGroupID>
    <UNReferenceNumber>QDe.900</UNReferenceNumber>
    <Names><Name><Name6>SYNTHETIC RELIEF FOUNDATION</Name6><NameType>Primary Name</NameType></Name></Names>
    <RegimeName>ISIL (Da'esh) and Al-Qaida</RegimeName>
    <IndividualEntityShip>Entity</IndividualEntityShip>
    <DesignationSource>UN</DesignationSource>
    <SanctionsImposed>Asset freeze</SanctionsImposed>
    <EntityDetails>
      <Entity>
        <TypeOfEntities><TypeOfEntity>Charity (synthetic)</TypeOfEntity></TypeOfEntities>
        <ParentCompanies><ParentCompany>Synthetic Holding</ParentCompany></ParentCompanies>
        <BusinessRegistrationNumbers><BusinessRegistrationNumber>REG-9002</BusinessRegistrationNumber>
        </BusinessRegistrationNumbers>
      </Entity>
    </EntityDetails>
  </Designation>
  <Designation>
    <DateDesignated>2024-02-22T00:00:00</DateDesignated>
    <UniqueID>RUS9003</UniqueID>
    <Names><Name><Name6>SYNTHETIC SPIRIT</Name6><NameType>Primary Name</NameType></Name></Names>
    <RegimeName>Russia</RegimeName>
    <IndividualEntityShip>Ship</IndividualEntityShip>
    <ShipDetails>
      <Ship>
        <IMONumbers><IMONumber>9999991</IMONumber></IMONumbers>
        <CurrentBelievedFlagOfShips><CurrentBelievedFlagOfShip>Synthetica</CurrentBelievedFlagOfShip>
        </CurrentBelievedFlagOfShips>
        <YearBuilts><YearBuilt>2001</YearBuilt></YearBuilts>
      </Ship>
    </ShipDetails>
  </Designation>
</Designations>
"""

SYNTHETIC_SECO = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<!-- SYNTHETIC sample written by sanctionscope's tests from the SESAM swiss-sanctions-list schema.
     Invented people, numbers and dates: not real list data. -->
<swiss-sanctions-list date="2026-03-02T08:00:00" list-type="complete">
  <sanctions-program ssid="9001" version-date="2026-03-01">
    <program-key lang="eng">Ukraine</program-key>
    <program-name lang="ger">Synthetische Verordnung (Ukraine)</program-name>
    <program-name lang="eng">Synthetic ordinance on measures in connection with the situation in Ukraine</program-name>
    <sanctions-set lang="ger" ssid="9002">Anhang 8</sanctions-set>
    <sanctions-set lang="eng" ssid="9002">Annex 8</sanctions-set>
    <origin>EU</origin>
  </sanctions-program>
  <target ssid="90001" sanctions-set-id="9002">
    <individual sex="male">
      <identity ssid="90002" main="true">
        <name ssid="90003" name-type="primary-name" order="1">
          <name-part order="1" name-part-type="given-name" ssid="90004"><value>Ivan</value>
            <spelling-variant lang="rus" script="Cyrl">Иван</spelling-variant></name-part>
          <name-part order="3" name-part-type="family-name" ssid="90006"><value>TESTOV</value>
            <spelling-variant lang="rus" script="Cyrl">ТЕСТОВ</spelling-variant></name-part>
          <name-part order="2" name-part-type="father-name" ssid="90005"><value>Petrovich</value>
            <spelling-variant lang="rus" script="Cyrl">Петрович</spelling-variant></name-part>
        </name>
        <name ssid="90007" name-type="alias" quality="low" order="2">
          <name-part order="1" name-part-type="whole-name"><value>Vanya</value></name-part></name>
        <name ssid="90008" name-type="formerly-known-as" order="3">
          <name-part order="1" name-part-type="given-name"><value>Ivan</value></name-part>
          <name-part order="2" name-part-type="family-name"><value>OLDNAME</value>
            <spelling-variant lang="ara" script="Arab">أولدنيم</spelling-variant></name-part></name>
        <day-month-year day="27" month="8" year="1953"/>
        <day-month-year year="1954"/>
        <nationality ssid="90009"><country iso-code="RU">Russland</country></nationality>
        <place-of-birth ssid="90010" place-id="9100"/>
        <address ssid="90011" place-id="9101"><address-details>1 Synthetic Street</address-details>
          <zip-code>101000</zip-code></address>
        <identification-document ssid="90012" document-type="passport" place-id="9100">
          <number>7700000001</number><date-of-issue>2019-12-06</date-of-issue><expiry-date>2029-12-06</expiry-date>
          <remark>synthetic passport</remark></identification-document>
      </identity>
      <identity ssid="90013" main="false">
        <name ssid="90014" name-type="primary-name" order="1">
          <name-part order="1" name-part-type="whole-name"><value>Ivan TESTOFF</value></name-part></name>
      </identity>
      <justification ssid="90015">Synthetic justification.</justification>
      <other-information ssid="90016">Synthetic other information.</other-information>
      <relation ssid="90017" target-id="90020" relation-type="associated-with"/>
    </individual>
    <modification ssid="90018" modification-type="listed" enactment-date="2022-03-04" publication-date="2022-03-04"
                  effective-date="2022-03-04"/>
    <modification ssid="90019" modification-type="amended" enactment-date="2023-01-10" effective-date="2023-01-10"/>
  </target>
  <target ssid="90020" sanctions-set-id="9002">
    <entity>
      <identity ssid="90021" main="true">
        <name ssid="90022" name-type="primary-name" order="1">
          <name-part order="1" name-part-type="whole-name"><value>Synthetic Trading LLC</value></name-part></name>
        <address ssid="90023"><address-details>2 Synthetic Avenue</address-details><location>Minsk</location>
          <country iso-code="BY">Belarus</country></address>
      </identity>
      <justification ssid="90024">Synthetic entity justification.</justification>
    </entity>
    <modification ssid="90025" modification-type="listed" effective-date="2022-06-01"/>
  </target>
  <target ssid="90030" sanctions-set-id="9002">
    <object object-type="vessel">
      <identity ssid="90031" main="true">
        <name ssid="90032" name-type="primary-name" order="1">
          <name-part order="1" name-part-type="whole-name"><value>SYNTHETIC SPIRIT</value></name-part></name>
      </identity>
    </object>
    <modification ssid="90033" modification-type="listed" effective-date="2024-02-23"/>
  </target>
  <target ssid="90040" sanctions-set-id="9002">
    <individual sex="female">
      <identity ssid="90041" main="true">
        <name ssid="90042" name-type="primary-name" order="1">
          <name-part order="1" name-part-type="whole-name"><value>Delisted SYNTHETIC</value></name-part></name>
      </identity>
    </individual>
    <modification ssid="90043" modification-type="listed" effective-date="2022-03-04"/>
    <modification ssid="90044" modification-type="de-listed" effective-date="2025-01-15"/>
  </target>
  <place ssid="9100"><location>Pskov</location><country iso-code="RU">Russland</country></place>
  <place ssid="9101"><location>Moscow</location><country iso-code="RU">Russland</country></place>
</swiss-sanctions-list>
"""

SAMPLES: dict[str, tuple[Format, str, str]] = {
    "eu_fsf_xml": (FSF, "xmlFullSanctionsList_1_1.xml", SYNTHETIC_FSF),
    "gb_fcdo_xml": (FCDO, "UK-Sanctions-List.xml", SYNTHETIC_FCDO),
    "ch_seco_xml": (SECO, "swiss-sanctions-list.xml", SYNTHETIC_SECO),
}


def parse_sample(format_name: str, tmp_path: Path, text: str | None = None):
    fmt, name, sample = SAMPLES[format_name]
    (snapshot,) = parse_bytes(fmt, tmp_path, name, (text or sample).encode("utf-8"))
    return snapshot


def test_fsf_synthetic_sample(tmp_path: Path) -> None:
    snapshot = parse_sample("eu_fsf_xml", tmp_path)
    assert snapshot.source == "eu_fsf" and snapshot.published_on.isoformat() == "2026-03-02"
    records = by_id(snapshot)
    assert list(records) == ["900001", "900002"]
    person = records["900001"]
    assert person.id == "eu_fsf:900001" and person.kind == Kind.PERSON and person.gender == "male"
    primary, cyrillic, weak = person.names
    assert (primary.full, primary.type, primary.given, primary.family) == (
        "Ivan Petrovich TESTOV",
        NameType.PRIMARY,
        "Ivan Petrovich",
        "TESTOV",
    )
    assert (cyrillic.type, cyrillic.script, cyrillic.lang) == (NameType.ALIAS, "Cyrl", "ru")
    assert (weak.full, weak.type) == ("Vanya", NameType.WEAK_ALIAS)
    assert person.positions == ["Synthetic director", "Dr"]
    assert person.cross_refs == ["un_sc:QDi.900"]
    assert person.regimes == ["UKR", "GHR"] and person.listed_on == "2021-03-02"
    assert any(
        r.startswith("Regulation 2021/9998 (OJ L 998): regulation; published 2021-03-02") for r in person.remarks
    )
    assert {"Synthetic remark.", "Designation details: Synthetic designation details"} <= set(person.remarks)
    assert person.citizenships == ["ru"] and person.countries == ["ru"]
    dates = [(d.value, d.until, d.circa) for d in person.birth_dates]
    assert dates == [("1953-08-27", None, False), ("1954", None, True), ("1950", "1952", False)]
    assert "calendarType=ISLAMIC" in person.unparsed["birthdate"][0]
    assert person.birth_places == ["Pskov, RUSSIAN FEDERATION"]
    passport, fiscal, eu_ref = (
        next(i for i in person.identifiers if i.type == kind) for kind in ("passport", "tax_id", "other")
    )
    assert (passport.value, passport.country) == ("7700000001", "ru")
    assert passport.note == (
        "National passport; issued by Synthetic ministry; valid from 2019-12-06; valid to 2029-12-06; "
        "reportedLost; Synthetic passport remark"
    )
    assert (fiscal.value, fiscal.country) == ("999999999999", None)
    assert (eu_ref.value, eu_ref.note) == ("EU.9001.01", "EU reference number")
    assert "Document: Other identification; number withheld (synthetic)" in person.remarks
    (address,) = person.addresses
    assert address.full == "1 Synthetic Street, 101000, Moscow, RUSSIAN FEDERATION (synthetic address remark)"
    assert address.country == "ru"
    assert person.unparsed["contactInfo"] == ["PHONE: +7 000 000 00 00"]
    assert person.unparsed["futureElement"] == ["value of an element this parser does not know (kind=new)"]
    company = records["900002"]
    assert company.kind == Kind.ORGANIZATION and company.caption == "Synthetic Trading LLC"
    # an amending act is not the listing (the real FSF names the latest amendment of every entry)
    assert company.listed_on is None and company.regimes == ["RUS"] and company.cross_refs == []
    assert any(i.type == "registration" and i.value == "9999999999999" for i in company.identifiers)


def test_fcdo_synthetic_sample(tmp_path: Path) -> None:
    snapshot = parse_sample("gb_fcdo_xml", tmp_path)
    assert snapshot.source == "gb_fcdo" and snapshot.published_on.isoformat() == "2026-03-02"
    records = by_id(snapshot)
    assert list(records) == ["RUS9001", "AQD9002", "RUS9003"]
    person = records["RUS9001"]
    assert person.id == "gb_fcdo:RUS9001" and person.kind == Kind.PERSON and person.gender == "male"
    assert [(n.full, n.type) for n in person.names] == [
        ("Ivan Petrovich TESTOV", NameType.PRIMARY),
        ("Ivan TESTOFF", NameType.ALIAS),
        ("VANYA", NameType.WEAK_ALIAS),
        ("Ivan TESTOV-VARIANT", NameType.ALIAS),
        ("Иван Петрович ТЕСТОВ", NameType.ALIAS),
    ]
    assert (person.names[0].given, person.names[0].family) == ("Ivan Petrovich", "TESTOV")
    assert (person.names[4].script, person.names[4].lang) == ("Cyrl", "ru")
    assert person.regimes == ["Russia"] and person.listed_on == "2022-03-15"
    assert person.reason == "Synthetic statement of reasons." and person.cross_refs == []
    assert person.remarks == [
        "Synthetic other information.",
        "Sanctions imposed: Asset freeze|Travel Ban",
        "Designation source: UK",
        "Last updated: 2024-05-01T00:00:00",
    ]
    assert [(d.value, d.raw) for d in person.birth_dates] == [
        ("1953-08-27", "27/08/1953"),
        ("1954", "dd/mm/1954"),
        ("1955-05", "00/05/1955"),
    ]
    assert person.unparsed["DOB"] == ["sometime in 1956"]
    assert person.nationalities == ["ru"] and person.birth_places == ["Pskov, Russia"]
    assert person.positions == ["Synthetic director"]
    assert [(i.type, i.value, i.note) for i in person.identifiers] == [
        ("other", "99001", "OFSI group ID"),
        ("passport", "7700000001", "Russian passport (synthetic)"),
        ("national_id", "999999999999", "INN (synthetic)"),
    ]
    (address,) = person.addresses
    assert (address.full, address.country) == ("1 Synthetic Street, Moscow, 101000, Russia", "ru")
    assert person.unparsed["PhoneNumbers"] == ["+7 000 000 00 00"]
    assert person.unparsed["EmailAddresses"] == ["synthetic@example.org"]
    assert "SanctionsImposedIndicators" not in person.unparsed
    entity = records["AQD9002"]
    assert entity.kind == Kind.ORGANIZATION and entity.cross_refs == ["un_sc:QDe.900"]
    assert entity.listed_on == "2004-06-15" and entity.names[0].given is None
    assert Counter(i.type for i in entity.identifiers) == {"other": 1, "registration": 1}
    assert {"Type of entities: Charity (synthetic)", "Parent companies: Synthetic Holding"} <= set(entity.remarks)
    ship = records["RUS9003"]
    assert ship.kind == Kind.VESSEL and [i.value for i in ship.identifiers if i.type == "imo"] == ["9999991"]
    assert {"Current believed flag of ships: Synthetica", "Year builts: 2001"} <= set(ship.remarks)


def test_fcdo_dates() -> None:
    assert uk_birth_date("31/02/1960") is None
    assert uk_birth_date("mm/dd/1960") is None
    assert uk_birth_date("1960-02-29").value == "1960-02-29"


def test_fcdo_date_generated_as_root_attribute(tmp_path: Path) -> None:
    text = SYNTHETIC_FCDO.replace("<DateGenerated>2026-03-02T09:15:00</DateGenerated>", "").replace(
        "<Designations ", '<Designations DateGenerated="2026-04-01" '
    )
    assert parse_sample("gb_fcdo_xml", tmp_path, text).published_on.isoformat() == "2026-04-01"
    undated = SYNTHETIC_FCDO.replace("<DateGenerated>2026-03-02T09:15:00</DateGenerated>", "")
    assert parse_sample("gb_fcdo_xml", tmp_path, undated).published_on is None


def test_seco_synthetic_sample(tmp_path: Path) -> None:
    snapshot = parse_sample("ch_seco_xml", tmp_path)
    assert snapshot.source == "ch_seco" and snapshot.published_on.isoformat() == "2026-03-02"
    records = by_id(snapshot)
    # 90040's latest modification is "de-listed": it is no longer on the list
    assert list(records) == ["90001", "90020", "90030"]
    assert snapshot.notes == ["1 target(s) whose latest modification is de-listed were left out"]
    person = records["90001"]
    assert person.id == "ch_seco:90001" and person.kind == Kind.PERSON and person.gender == "male"
    primary = person.names[0]
    assert (primary.full, primary.type, primary.given, primary.patronymic, primary.family) == (
        "Ivan Petrovich TESTOV",
        NameType.PRIMARY,
        "Ivan",
        "Petrovich",
        "TESTOV",
    )
    assert [(n.full, n.type) for n in person.names[1:]] == [
        ("Иван Петрович ТЕСТОВ", NameType.ALIAS),
        ("Vanya", NameType.WEAK_ALIAS),
        ("Ivan OLDNAME", NameType.FORMER),
        ("Ivan TESTOFF", NameType.ALIAS),
    ]
    # one part of two has an Arabic variant: not a whole name, kept as stated
    assert person.unparsed["spelling-variant"] == ["أولدنيم"]
    assert [d.value for d in person.birth_dates] == ["1953-08-27", "1954"]
    assert person.nationalities == ["ru"] and person.birth_places == ["Pskov, Russland"]
    (address,) = person.addresses
    assert (address.full, address.country) == ("1 Synthetic Street, 101000, Moscow, Russland", "ru")
    (passport,) = person.identifiers
    assert (passport.type, passport.value, passport.country) == ("passport", "7700000001", "ru")
    assert passport.note == "issued on 2019-12-06; expires 2029-12-06; synthetic passport"
    assert person.regimes == ["Synthetic ordinance on measures in connection with the situation in Ukraine"]
    assert person.listed_on == "2022-03-04" and person.reason == "Synthetic justification."
    assert {
        "Synthetic other information.",
        "Relation (associated-with) to target 90020",
        "Amended: effective 2023-01-10",
        "Sanctions set: Annex 8",
    } <= set(person.remarks)
    entity = records["90020"]
    assert entity.kind == Kind.ORGANIZATION and entity.countries == ["by"]
    assert entity.addresses[0].full == "2 Synthetic Avenue, Minsk, Belarus" and entity.listed_on == "2022-06-01"
    assert records["90030"].kind == Kind.VESSEL and records["90030"].caption == "SYNTHETIC SPIRIT"


def test_seco_dangling_references_are_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"line \d+: target 90001 refers to place 9100, which the file does not"):
        parse_sample("ch_seco_xml", tmp_path, SYNTHETIC_SECO.replace('<place ssid="9100">', '<place ssid="9199">'))
    unknown_set = SYNTHETIC_SECO.replace(
        '<target ssid="90030" sanctions-set-id="9002">', '<target ssid="90030" sanctions-set-id="77">'
    )
    with pytest.raises(SourceError, match="target 90030 refers to sanctions set 77"):
        parse_sample("ch_seco_xml", tmp_path, unknown_set)


# -- bad input, the same for the three synthetic formats ------------------------------------

#: edits that make two entries one id; the FSF repeats an id under another regulation legitimately
#: (merged), so its duplicate is the same id under the same regulation
DUPLICATE = {
    "eu_fsf_xml": [('logicalId="900002"', 'logicalId="900001"'), ('logicalId="9103"', 'logicalId="9101"')],
    "gb_fcdo_xml": [("<UniqueID>AQD9002</UniqueID>", "<UniqueID>RUS9001</UniqueID>")],
    "ch_seco_xml": [('<target ssid="90020"', '<target ssid="90001"')],
}


def duplicated(format_name: str, sample: str) -> str:
    for old, new in DUPLICATE[format_name]:
        sample = sample.replace(old, new)
    return sample
WRONG_ROOT = {
    "eu_fsf_xml": ("http://eu.europa.ec/fpi/fsd/export", "http://example.org/not-the-fsf"),
    "gb_fcdo_xml": ("Designations", "Designationz"),
    "ch_seco_xml": ("swiss-sanctions-list", "swiss-sanction-list"),
}


@pytest.mark.parametrize("format_name", list(SAMPLES))
def test_synthetic_format_bad_inputs(tmp_path: Path, format_name: str) -> None:
    fmt, name, sample = SAMPLES[format_name]
    data = sample.encode("utf-8")
    cases = [
        (data[: len(data) * 2 // 3], rf"{name}, line \d+: malformed or truncated XML"),
        (b"", f"{name}: the file is empty"),
        (HTML_ERROR_PAGE, f"{name}: this is an HTML page"),
        (duplicated(format_name, sample).encode("utf-8"), rf"{name}, line \d+.*appears more than once"),
        (sample.replace(*WRONG_ROOT[format_name]).encode("utf-8"), rf"{name}, line \d+: the root element is"),
        (sample.encode("utf-16-le"), "UTF-16"),
    ]
    for broken, message in cases:
        with pytest.raises(SourceError, match=message):
            parse_bytes(fmt, tmp_path, name, broken)


@pytest.mark.parametrize("format_name", list(SAMPLES))
def test_synthetic_format_without_entries_is_refused(tmp_path: Path, format_name: str) -> None:
    fmt, name, sample = SAMPLES[format_name]
    root_end = {"eu_fsf_xml": "</export>", "gb_fcdo_xml": "</Designations>", "ch_seco_xml": "</swiss-sanctions-list>"}
    start_tag = {"eu_fsf_xml": "<sanctionEntity ", "gb_fcdo_xml": "<Designation>", "ch_seco_xml": "<sanctions-program"}
    head = sample[: sample.index(start_tag[format_name])]
    with pytest.raises(SourceError, match="contains no"):
        parse_bytes(fmt, tmp_path, name, (head + root_end[format_name]).encode("utf-8"))


# -- claims: each format recognises its own files and no other format's --------------------


def real_files(lists_dir: Path) -> list[Path]:
    return [
        lists_dir / "un/un-sc-consolidated-xml/2025-11-29/un.xml",
        lists_dir / "us/ofac-consolidated-xml/2026-01-08/ofac.xml",
        lists_dir / "ca/sema-consolidated-xml/2020-04-15/sema-lmes.xml",
        lists_dir / "us/ofac-sdn-csv/2021-07-07/sdn.csv",
        lists_dir / "us/bis-dpl/2022-09-07/dpl.txt",
        lists_dir / "us/trade-gov-csl/2025-02-27/consolidated.csv.gz",
        lists_dir / "au/dfat-consolidated-xlsx/2024-11-11/regulation8_consolidated.xlsx",
        lists_dir / "us/ofac-consolidated-enhanced-xml/2025-01-10/CONS_ENHANCED.ZIP",
        lists_dir / CONSOLIDATED / "32020R1998.csv",
    ]


def test_claims_are_exclusive(lists_dir: Path) -> None:
    ours = [EU, FSF, FCDO, SECO]
    samples = {fmt.name: SourceFile(name, text.encode("utf-8")) for fmt, name, text in SAMPLES.values()}
    for format_name, file in samples.items():
        assert [fmt.name for fmt in ours if fmt.claims(file)] == [format_name]
        # no format of the other sources claims our samples either
        assert [fmt.name for fmt in formats() if fmt.claims(file) and fmt not in ours] == []
    for path in real_files(lists_dir):
        file = SourceFile.read(path)
        expected = ["eu_journal_csv"] if path.suffix == ".csv" and path.stem.startswith("3") else []
        assert [fmt.name for fmt in ours if fmt.claims(file)] == expected, path
    for path in sorted((lists_dir / AMENDMENTS).glob("*/*.csv")):
        assert EU.claims(SourceFile.read(path))
    assert not EU.claims(SourceFile("notes.csv", b"name,value\nx,1\n"))
