"""Non-name evidence as `rigour` knows it: scripts, territories, identifier formats, on real list records."""

from __future__ import annotations

from pathlib import Path

from support import parse_cached

from sanctionscope.match.engine import Matcher
from sanctionscope.match.features import (
    compare_countries,
    compare_identifiers,
    identifier_keys,
    record_identifier_keys,
    strong_identifier_keys,
)
from sanctionscope.match.query import build_query
from sanctionscope.model import Identifier, Kind, Record, detect_script

SDN = "us/ofac-sdn-csv/2024-05-03/sdn.csv"


def test_scripts_are_unicodes_under_their_iso_15924_codes() -> None:
    cases = {"김정은": "Hang", "金正恩": "Hani", "ܐܠܟܣܢܕܪ": "Syrc", "ⴰⵎⴰⵣⵉⵖ": "Tfng", "Ἀλέξανδρος": "Grek",
             "ალექსანდრე": "Geor", "Бастрыкин A.": "Cyrl", "ـمحمد": "Arab", "123 -": None}  # fmt: skip
    assert {text: detect_script(text) for text in cases} == cases


def test_a_part_of_a_territory_shares_the_whole() -> None:
    crimea = compare_countries(["ua"], ["ua-cri"])
    assert crimea is not None and crimea.value > 0
    scotland = compare_countries(["gb-sct"], ["gb"])
    assert scotland is not None and scotland.value > 0
    apart = compare_countries(["ru"], ["ua"])
    assert apart is not None and apart.value < 0


def test_an_imo_number_is_the_same_with_and_without_its_prefix(lists_dir: Path) -> None:
    vessels = [r for r in parse_cached(lists_dir / SDN, "ofac_csv").records
               if any(i.type == "imo" for i in r.identifiers)]  # fmt: skip
    assert len(vessels) > 500
    vessel = vessels[0]
    number = next(i.value for i in vessel.identifiers if i.type == "imo")
    assert f"IMO{number}" in record_identifier_keys(vessel)
    matcher = Matcher.from_records(vessels)
    # the number as FollowTheMoney writes it, against the list's bare number: the evidence is there
    [found] = matcher.match(build_query([vessel.names[0].full], identifiers=[f"IMO {number}"]), limit=1)
    assert vessel.id in found.entry.referents
    assert any(f.name == "identifier" and f"IMO{number}" in f.detail for f in found.features)


def test_an_identifier_is_strong_when_its_format_validates_it(lists_dir: Path) -> None:
    banks = [r for r in parse_cached(lists_dir / SDN, "ofac_csv").records
             if any(i.type == "swift" and not any(c.isdigit() for c in i.value) for i in r.identifiers)]  # fmt: skip
    assert banks, "the SDN list has SWIFT codes of letters only"
    code = next(i.value for i in banks[0].identifiers if i.type == "swift" and not any(c.isdigit() for c in i.value))
    assert code in strong_identifier_keys(banks[0])  # before rigour.ids: no digit, so no join on it
    valid, invalid = Identifier("inn", "7707083893"), Identifier("inn", "7707083890")
    record = Record(source="test", source_id="1", kind=Kind.ORGANIZATION, identifiers=[valid, invalid])
    assert strong_identifier_keys(record) == {"7707083893", "7707083890"}  # both long numbers of a strong type
    too_short = Record(source="test", source_id="2", kind=Kind.VESSEL, identifiers=[Identifier("imo", "9187629")])
    assert strong_identifier_keys(too_short) == {"9187629", "IMO9187629"}  # seven digits, valid: joins


def test_a_query_identifier_is_compared_in_every_form() -> None:
    assert identifier_keys("IMO 9187629") == {"IMO9187629"}
    assert identifier_keys("9187629", "imo") == {"9187629", "IMO9187629"}
    assert identifier_keys("9187628", "imo") == {"9187628"}  # a wrong check digit is no IMO number
    assert compare_identifiers(["12 34-567"], {"1234567"}) is not None
    assert compare_identifiers(["1234"], {"1234"}) is None  # too short to decide anything
