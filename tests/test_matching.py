"""Name matching against every foundation list: the cases of the matching issue, each an assertion.

Expected record ids are the publishers' own numbers (OFAC 21186 for Bastrykin, the EU's
32020R1998 annex entry, DFAT 7386 for Mikhail Albertovich Murashko...), read off the raw
files, never off the matcher.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from sanctionscope import Sanctionscope
from sanctionscope.cli import app
from sanctionscope.index import persist
from sanctionscope.index.entries import Entry
from sanctionscope.match.engine import DEFAULT_CUTOFF, DEFAULT_THRESHOLD, Matcher
from sanctionscope.match.features import AlignedPart, chance_namesakes, compare_name_frequency
from sanctionscope.match.names import compare_names
from sanctionscope.match.query import Query, QueryError, build_query, query_from_entity
from sanctionscope.model import FuzzyDate
from sanctionscope.names import analyze_name
from sanctionscope.service.matchers import current_version, index_path

AU_WORKBOOK = "au/dfat-consolidated-xlsx/2024-11-11/regulation8_consolidated.xlsx"
BASTRYKIN_OFAC = "us_ofac_sdn:21186"
BASTRYKIN_EU = "eu_journal:32020R1998#I.A-2"
MURASHKO_MIKHAIL_AU = "au_dfat:7386"
MURASHKO_VADIM_EU = "eu_journal:32006R0765#I.A-273"
USMANOV_OFAC = "us_ofac_sdn:35283"

runner = CliRunner()


@pytest.fixture(scope="module")
def scope(loaded_db: Path) -> Sanctionscope:
    return Sanctionscope(loaded_db)


def matches(scope: Sanctionscope, name: str, **options) -> dict[str, float]:
    """Referents of the results that are matches, with their scores."""
    return {ref: r.score for r in scope.match(name, limit=20, **options) if r.match for ref in r.entry.referents}


@pytest.mark.parametrize(
    "query",
    [
        "Бастрыкин Александр Иванович",
        "Aleksandr Bastrikin",
        "BASTRYKIN, A.",
        "Alexander Bastrykin",
        "Bastrykin Alexander",  # surname first, no patronymic
        "Бaстрыкин Aлександр",  # Latin look-alike letters in Cyrillic
        "Бастры\u0301кин Александр",  # a stress mark
        "Бастрикін Олександр Іванович",  # Ukrainian spelling
        "Alexander Bastyrkin",  # a typo
    ],
)
def test_every_way_of_writing_bastrykin_finds_the_ofac_and_eu_entries(scope: Sanctionscope, query: str) -> None:
    found = matches(scope, query)
    assert BASTRYKIN_OFAC in found and BASTRYKIN_EU in found, found


def test_birth_date_supports_and_a_conflicting_one_weakens(scope: Sanctionscope) -> None:
    plain = matches(scope, "Alexander Bastrykin")[BASTRYKIN_OFAC]
    same_day = matches(scope, "Alexander Bastrykin", birth_date="27.08.1953")[BASTRYKIN_OFAC]
    assert same_day > plain
    other_year = {
        ref: r.score
        for r in scope.match("Alexander Bastrykin", birth_date="1971", limit=20)
        for ref in r.entry.referents
    }
    assert other_year[BASTRYKIN_OFAC] < plain
    result = next(
        r for r in scope.match("Alexander Bastrykin", birth_date="1953-08-27") if BASTRYKIN_OFAC in r.entry.referents
    )
    assert result.explanation()["features"]["birth_date"] == {"value": 1.0, "detail": "same day 1953-08-27"}


def test_explanation_aligns_query_parts_with_candidate_parts(scope: Sanctionscope) -> None:
    result = next(r for r in scope.match("Бастрыкин Александр Иванович") if BASTRYKIN_OFAC in r.entry.referents)
    aligned = {(a["query"], a["candidate"]) for a in result.to_dict()["explanation"]["name"]["aligned"]}
    assert aligned == {("Бастрыкин", "BASTRYKIN"), ("Александр", "Alexander"), ("Иванович", "Ivanovich")}


def test_mikhail_murashko_is_not_the_belarusian_vadim(scope: Sanctionscope) -> None:
    results = {ref: r for r in scope.match("Mikhail Murashko", limit=20, cutoff=0.0) for ref in r.entry.referents}
    assert results[MURASHKO_MIKHAIL_AU].match
    assert MURASHKO_VADIM_EU in results and not results[MURASHKO_VADIM_EU].match  # seen, and set aside
    assert MURASHKO_VADIM_EU not in matches(scope, "Mikhail Murashko")


def test_a_surname_alone_is_not_a_match_for_three_namesakes(scope: Sanctionscope) -> None:
    assert not matches(scope, "Patrushev")
    nikolai = matches(scope, "Nikolai Patrushev")
    assert "au_dfat:7664" in nikolai and "au_dfat:7256" not in nikolai  # Dmitry Nikolayevich stays apart


@pytest.mark.parametrize(
    ("query", "listed"),
    [("Patrushev", "Petrushev"), ("Patrushev", "PATRUSHEV"), ("Kabir", "A. Kabir"), ("Thiha", "Thiha")],
)
def test_one_word_against_one_word_suggests_a_person_never_confirms(query: str, listed: str) -> None:
    """A family name alone names a family: shown for review, not a match (the UK's one-word alias "Petrushev"
    of Andrey Patrushev made "Patrushev" one); a birth date or an identifier can still confirm it."""
    score = compare_names(analyze_name(query, "person"), analyze_name(listed, "person")).score
    assert DEFAULT_CUTOFF <= score < DEFAULT_THRESHOLD


@pytest.mark.parametrize(("query", "listed", "kind"), [("Rosneft", "ROSNEFT", "organization"), ("Hilal Hilal", "Hilal HILAL", "person")])
def test_one_word_organizations_and_names_of_a_repeated_word_still_match(query: str, listed: str, kind: str) -> None:
    assert compare_names(analyze_name(query, kind), analyze_name(listed, kind)).score == 1.0


@pytest.mark.parametrize(
    "name",
    ["Emily Johnson", "Hans Peter Müller", "Olga Smirnova", "Алексей Навальный", "Leonid Volkov", "Wang Fang",
     "Abdul Alhassan", "Aleksandr Nikolaevich Bastrykin"],  # a one-word alias HASSAN; another father's son
)  # fmt: skip
def test_ordinary_names_on_no_list_do_not_match(scope: Sanctionscope, name: str) -> None:
    assert not matches(scope, name)


def matched_captions(scope: Sanctionscope, name: str) -> list[str]:
    return [r.entry.caption.upper() for r in scope.match(name, limit=5) if r.match]


@pytest.mark.parametrize(
    ("typo", "family"),
    [("Igor MAKAORV", "MAKAROV"), ("Anrew Langa", "LANGA"), ("Issma Hallaq", "HALLAQ"), ("Seregi PODOPRIGOROV", "PODOPRIGOROV"),
     # typos that break a letter cluster the keys fold (zh, ch): found by the spelling one edit away
     ("Timofey Bazmhenov", "BAZHENOV"), ("Oleg Polikarpovich TKAHC", "TKACH"), ("Yury Yakovlevich ClHAIKA", "CHAYKA"),
     # one letter from "Rashid", three from its key "raSid": the spelling as written is close
     ("AYYUBI, Rauhid", "AYYUBI")],
)  # fmt: skip
def test_typos_swapping_letters_or_in_a_given_name_are_found(scope: Sanctionscope, typo: str, family: str) -> None:
    # a transposition is one edit in candidate lookup as in scoring; "Anrew" is close to "andrew"
    # as spelled, though its language class key is "andrei"
    assert any(family in caption for caption in matched_captions(scope, typo)), typo


@pytest.mark.parametrize(
    ("query", "referent"),
    [("German Gref", "us_ofac_sdn:34796"),  # Герман: Herman in OFAC's English
     ("ELHASSAN, Gaffar Mohammed", "us_ofac_sdn:9620"),  # OFAC writes EL HASSAN, Mohmed
     ("Ahmed Shah Noorzai", "us_ofac_sdn:15788")],  # OFAC: NOORZAI, Mullah Ahmed Shah
)  # fmt: skip
def test_language_forms_articles_and_titles(scope: Sanctionscope, query: str, referent: str) -> None:
    assert referent in matches(scope, query)


def test_a_listed_name_of_one_word_and_initials_only_suggests(scope: Sanctionscope) -> None:
    # an alias "A. Kabir" agrees with every Kabir whose given name starts with A
    found = {r.entry.caption: r for r in scope.match("Amara Kabir", limit=10)}
    assert "Abdul Kabir Mohammad Jan" in found and not found["Abdul Kabir Mohammad Jan"].match


def test_a_field_with_several_forms_matches_each(scope: Sanctionscope) -> None:
    both = "Юрий Николаевич СИРОВАТКО / Юрiй Миколайович СИРОВАТКО"  # as the EU writes it
    assert any("SIROVATKO" in caption for caption in matched_captions(scope, both))
    assert any("SIROVATKO" in caption for caption in matched_captions(scope, "Юрiй Миколайович СИРОВАТКО"))


def test_an_equal_identifier_is_decisive(scope: Sanctionscope) -> None:
    found = matches(scope, "A. Usmanov", identifier="1601108019")  # his Russian tax number in the SDN list
    assert found[USMANOV_OFAC] == 1.0


def test_schema_keeps_people_and_organizations_apart(scope: Sanctionscope) -> None:
    assert all(r.schema == "Organization" for r in scope.match("Sberbank", schema="Organization", limit=10))
    assert not matches(scope, "Sberbank", schema="Person")


def test_sources_filter(scope: Sanctionscope) -> None:
    results = [r for r in scope.match("Alexander Bastrykin", sources=["eu_journal"]) if r.match]
    assert results and all(any(ref.startswith("eu_journal:") for ref in r.entry.referents) for r in results)
    assert not [r for r in scope.match("Alexander Bastrykin", sources=["un_sc"]) if r.match]


def test_queries_are_checked_field_by_field() -> None:
    with pytest.raises(QueryError, match="birth date"):
        build_query(["Ivan Petrov"], birth_dates=["yesterday"])
    with pytest.raises(QueryError, match="schema"):
        build_query(["Ivan Petrov"], schema="Spaceship")
    with pytest.raises(QueryError, match="name"):
        build_query(["   "])
    with pytest.raises(QueryError, match="properties.name"):
        query_from_entity({"schema": "Person", "properties": {"name": [42]}})
    query = query_from_entity(
        {"schema": "Person", "properties": {"name": ["A"], "birthDate": ["1953"], "nationality": ["Russia"]}}
    )
    assert query.kind == "person" and query.countries == ["ru"] and query.birth_dates[0].value == "1953"


# --- the index on disk --------------------------------------------------------------------


def test_index_is_saved_next_to_the_database_and_reloaded(loaded_db: Path, scope: Sanctionscope) -> None:
    scope.match("Alexander Bastrykin")
    path = index_path(scope.engine)
    assert path == Path(str(loaded_db) + ".index") and path.exists()
    loaded = Matcher.load_saved(path)
    assert loaded is not None and loaded.version == current_version(scope.engine)
    assert [r.entry.id for r in loaded.match(build_query(["Alexander Bastrykin"]))] == [
        r.entry.id for r in scope.match("Alexander Bastrykin")
    ]
    assert loaded.match(build_query(["Alexander Bastrykin"]))[0].entry.id.startswith("ss-")  # entries are subjects


def test_index_follows_new_data(lists_dir: Path, tmp_path: Path) -> None:
    small = Sanctionscope(tmp_path / "small.db")
    small.load([lists_dir / "un/un-sc-consolidated-xml"])
    assert not matches(small, "Alexander Bastrykin")
    version = current_version(small.engine)
    small.load([lists_dir / "au/dfat-consolidated-xlsx"])
    assert current_version(small.engine) != version
    reopened = Sanctionscope(tmp_path / "small.db")  # a new process would see the stale file and rebuild
    assert "au_dfat:6854" in matches(reopened, "Alexander Bastrykin")


def test_a_damaged_index_file_is_rebuilt(lists_dir: Path, tmp_path: Path) -> None:
    small = Sanctionscope(tmp_path / "small.db")
    small.load([lists_dir / "un/un-sc-consolidated-xml"])
    small.match("Osama bin Laden")
    path = index_path(small.engine)
    path.write_bytes(path.read_bytes()[:1000])
    assert Matcher.load_saved(path) is None
    assert matches(Sanctionscope(tmp_path / "small.db"), "Usama bin Laden")


def test_an_index_file_of_another_format_is_rebuilt(lists_dir: Path, tmp_path: Path) -> None:
    """A file written by another release (here: the same arrays, labelled with an older format) is not read."""
    small = Sanctionscope(tmp_path / "small.db")
    small.load([lists_dir / "un/un-sc-consolidated-xml"])
    small.match("Osama bin Laden")
    path = index_path(small.engine)
    saved = persist.open_index(path)
    assert saved is not None and Matcher.load_saved(path) is not None
    older = {**saved.meta, "format": persist.INDEX_FORMAT_VERSION - 1}
    persist.save(path, saved.version, dict(saved.arrays), {k: bytes(v) for k, v in saved.blobs.items()}, older)
    assert Matcher.load_saved(path) is None
    assert matches(Sanctionscope(tmp_path / "small.db"), "Usama bin Laden")
    assert Matcher.load_saved(path) is not None  # written again, in this format


# --- the CLI ------------------------------------------------------------------------------


def invoke(db_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(db_path), *args])


def test_match_command_json(loaded_db: Path) -> None:
    result = invoke(loaded_db, "match", "Alexander Bastrykin", "--birth-date", "1953-08-27", "--limit", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["results"][0]
    assert set(first) == {"id", "caption", "schema", "score", "match", "referents", "explanation"}
    assert first["match"] is True and first["score"] >= DEFAULT_THRESHOLD and first["schema"] == "Person"
    assert "BASTRYKIN" in first["caption"]
    assert {"name", "features"} <= set(first["explanation"])


def test_match_command_exit_codes(loaded_db: Path) -> None:
    assert invoke(loaded_db, "match", "Emily Johnson", "--json").exit_code == 3
    bad = invoke(loaded_db, "match", "Ivan", "--birth-date", "someday")
    assert bad.exit_code == 2 and "birth date" in bad.stderr
    assert invoke(loaded_db, "match", "Ivan", "--threshold", "7").exit_code == 2


def test_screen_csv_in_input_order_on_several_processes(loaded_db: Path, tmp_path: Path) -> None:
    names = ["Alisher Usmanov", "Emily Johnson", "Бастрыкин Александр Иванович", "Roman Abramovich"] * 150
    source = tmp_path / "customers.csv"
    with source.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["ref", "full name", "dob"])
        for i, name in enumerate(names):
            writer.writerow([f"c{i}", name, "1953" if i % 4 == 0 else ""])
    target = tmp_path / "out.csv"
    result = invoke(loaded_db, "screen", str(source), "--name-column", "full name", "--id-column", "ref",
                    "--birth-date-column", "dob", "--workers", "2", "-o", str(target))  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    firsts = [row for row in rows if row["rank"] in ("1", "")]
    assert [row["query_id"] for row in firsts] == [f"c{i}" for i in range(len(names))]
    for row, name in zip(firsts, names, strict=True):
        if name == "Emily Johnson":
            assert row["match"] in ("false", "")
        else:
            assert row["match"] == "true", (name, row)
    assert any("BASTRYKIN" in row["caption"] for row in rows if row["query_id"] == "c2")


def test_screen_xlsx_and_jsonl(loaded_db: Path, tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name", "Birth date"])
    sheet.append(["Mikhail Murashko", "1967-01-09"])
    sheet.append(["Emily Johnson", None])
    source = tmp_path / "people.xlsx"
    book.save(source)
    result = invoke(loaded_db, "screen", str(source), "--name-column", "Name", "--birth-date-column", "Birth date")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["2", "3"]  # spreadsheet row numbers
    assert MURASHKO_MIKHAIL_AU in lines[0]["results"][0]["referents"] and lines[0]["results"][0]["match"]
    assert MURASHKO_VADIM_EU not in lines[0]["results"][0]["referents"]  # Australia's and Canada's, not Belarus's
    assert not any(r["match"] for r in lines[1]["results"])

    entities = tmp_path / "queries.jsonl"
    entities.write_text(
        json.dumps(
            {"id": "q1", "schema": "Person", "properties": {"name": ["Alisher Usmanov"], "birthDate": ["1953-09-09"]}}
        )
        + "\n"
        + json.dumps({"id": "q2", "schema": "Person", "properties": {"name": ["Ivan"], "birthDate": ["not a date"]}})
        + "\n",
        encoding="utf-8",
    )
    result = invoke(loaded_db, "screen", str(entities))
    assert result.exit_code == 0  # an unreadable birth date is left out with a warning: every row is screened
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["id"] == "q1" and USMANOV_OFAC in {ref for r in lines[0]["results"] for ref in r["referents"]}
    assert set(lines[0]["results"][0]) == {"id", "caption", "schema", "score", "match", "referents"}
    assert lines[1]["id"] == "q2" and "error" not in lines[1] and "birth date" in lines[1]["warnings"][0]


def test_screen_bad_files(loaded_db: Path, tmp_path: Path) -> None:
    missing_column = tmp_path / "a.csv"
    missing_column.write_text("who\nIvan\n", encoding="utf-8")
    result = invoke(loaded_db, "screen", str(missing_column))
    assert result.exit_code == 1 and "no column named 'name'" in result.stderr
    latin1 = tmp_path / "b.csv"
    latin1.write_bytes("name\nJos\xe9\n".encode("latin-1"))
    result = invoke(loaded_db, "screen", str(latin1))
    assert result.exit_code == 1 and "UTF-8" in result.stderr and "line 2" in result.stderr
    broken = tmp_path / "c.jsonl"
    broken.write_text('{"id": "q1", "properties": {"name": ["Ivan"]}}\n{"id": \n', encoding="utf-8")
    result = invoke(loaded_db, "screen", str(broken))
    assert result.exit_code == 1 and "line 2" in result.stderr


# --- how common a name is ----------------------------------------------------------------------


def test_a_common_name_is_weaker_evidence_than_a_rare_one() -> None:
    size = 1_000_000
    common = [AlignedPart("Andrey", 20_000, True), AlignedPart("IVANOV", 5_000, True)]
    rare = [AlignedPart("Andrey", 20_000, True), AlignedPart("BASTRYKIN", 2, True)]
    feature = compare_name_frequency(common, size)
    assert feature is not None and feature.value == -1.0  # about 100 Andrey Ivanovs by chance
    assert "IVANOV on 5,000" in feature.detail and "about 100.0" in feature.detail  # readable back
    assert compare_name_frequency(rare, size) is None


def test_ten_chance_namesakes_count_fully_against() -> None:
    """From one expected namesake the score falls by a fifth of its weight per tenfold: ten singles no one out."""
    size = 100_000
    ten = compare_name_frequency([AlignedPart("Mohammed", 1_000, True), AlignedPart("ABRAHIM", 1_000, True)], size)
    three = compare_name_frequency([AlignedPart("Mohammed", 1_000, True), AlignedPart("ABRAHIM", 300, True)], size)
    assert ten is not None and ten.value == -1.0
    assert three is not None and -0.6 < three.value < -0.4  # log10(3)


def test_a_near_miss_between_two_names_singles_no_one_out() -> None:
    """"Hamad" against "Ahmad": both are names many entries carry, so the near miss is two names and
    the match rests on the given name alone; a misspelling no entry carries is a typo and still counts."""
    size = 300_000
    between_names = [AlignedPart("Hussien", 60, True), AlignedPart("Ahmad", 900, False, query_carriers=400)]
    typo = [AlignedPart("Hussien", 60, True), AlignedPart("Ahmad", 900, False, query_carriers=0)]
    assert chance_namesakes(between_names, size) == pytest.approx(60)
    assert chance_namesakes(typo, size) == pytest.approx(60 * 900 / size)
    assert compare_name_frequency(typo, size) is None
    feature = compare_name_frequency(between_names, size)
    assert feature is not None and feature.value < -0.9 and "only near another name" in feature.detail


def haystack_of_common_names() -> Matcher:
    """500 Mohammads with other family names, five HENDIs with other given names, one Muhammad HINDI."""
    def person(i: int, name: str) -> Entry:
        return Entry(f"p{i}", name, "person", [f"test:{i}"], [analyze_name(name, "person")],
                     birth_dates=[FuzzyDate("1970-01-01")], sources={"test"})  # fmt: skip

    names = [f"Mohammad {family}" for family in (f"Fam{chr(97 + i // 26)}{chr(97 + i % 26)}ova" for i in range(500))]
    names += [f"{given} HENDI" for given in ("Karim", "Omar", "Samir", "Tariq", "Yusuf")] + ["Muhammad HINDI"]
    return Matcher([person(i, name) for i, name in enumerate(names)])


def test_a_near_miss_of_common_names_is_not_a_match_by_name_alone() -> None:
    matcher = haystack_of_common_names()
    [result] = [r for r in matcher.match(Query(["Mohammad HENDI"], kind="person")) if r.entry.caption == "Muhammad HINDI"]
    assert not result.match and "name_frequency" in result.explanation()["features"]
    # a birth date that agrees supports the match: the name's frequency is not held against it
    dated = matcher.match(Query(["Mohammad HENDI"], kind="person", birth_dates=[FuzzyDate("1970-01-01")]))
    assert dated[0].entry.caption == "Muhammad HINDI" and dated[0].match
    assert "name_frequency" not in dated[0].explanation()["features"]


# --- a query that leaves out the first given name ----------------------------------------------


def ofac_name(lists_dir: Path, uid: str) -> str:
    """The primary name of an OFAC SDN entry, as the 2024-05-03 sdn.csv writes it."""
    with (lists_dir / "us" / "ofac-sdn-csv" / "2024-05-03" / "sdn.csv").open(encoding="latin-1", newline="") as rows:
        return next(row[1] for row in csv.reader(rows) if row and row[0] == uid)


@pytest.mark.parametrize(("uid", "skipping", "keeping"), [
    ("2682", "Shawqi ISLAMBOULI", "Mohammad ISLAMBOULI"),  # "ISLAMBOULI, Mohammad Shawqi"
    ("6710", "Timothy HEATH", "Noel HEATH"),  # "HEATH, Noel Timothy"
])  # fmt: skip
def test_leaving_out_the_first_given_name_suggests_never_confirms(lists_dir: Path, uid: str, skipping: str,
                                                                 keeping: str) -> None:  # fmt: skip
    """A later given name with the family name ("Shawqi ISLAMBOULI") names anyone of that family with that second
    (or father's) name: at most a suggestion; the first given name with the family name still matches."""
    listed = analyze_name(ofac_name(lists_dir, uid), "person")
    skipped = compare_names(analyze_name(skipping, "person"), listed).score
    kept = compare_names(analyze_name(keeping, "person"), listed).score
    assert DEFAULT_CUTOFF <= skipped < DEFAULT_THRESHOLD <= kept
    # both given names, in either order, still match
    both = " ".join(reversed(listed.original.split(", ")[1].split())) + " " + listed.original.split(",")[0]
    assert compare_names(analyze_name(both, "person"), listed).score >= DEFAULT_THRESHOLD


def test_a_query_with_aliases_finds_an_entry_holding_one_of_them(lists_dir: Path) -> None:
    """Australia's "Farhad Kanabi Ahmad", with his four aliases, asked of the UN, Australian and OFAC
    lists together; OFAC holds him under one name ("AHMAD, Farhad Kanabi"): an entry with every word
    of one of the query's names is a candidate however many other names the query has (the coverage
    asked of candidates was of all names together: OFAC's entry was not scored, and resolving missed
    the link)."""
    from support import parse_cached

    australia = parse_cached(lists_dir / AU_WORKBOOK, "au_dfat_xlsx").records
    [un_file] = (lists_dir / "un/un-sc-consolidated-xml/2026-02-27").glob("*.xml")
    ofac = parse_cached(lists_dir / "us/ofac-sdn-csv/2022-03-04/sdn.csv", "ofac_csv").records
    matcher = Matcher.from_records([*ofac, *parse_cached(un_file, "un_xml").records, *australia])
    [farhad] = [r for r in australia if r.source_id == "555"]
    query = Query(names=[name.full for name in farhad.names], kind="person")
    assert len(query.names) >= 5
    found = {r.entry.id: r.score for r in matcher.match(query, limit=10)}
    assert found.get("un_sc:QDi.203", 0) >= 0.95 and found.get("us_ofac_sdn:9588", 0) >= 0.95


def test_a_spanish_short_form_without_the_maternal_surname_matches() -> None:
    def score(query: str, candidate: str) -> float:
        return compare_names(analyze_name(query, "person"), analyze_name(candidate, "person")).score

    # the usual short form keeps the first (paternal) surname
    assert score("Samuel CÁCERES", "Samuel CÁCERES MENDOZA") >= DEFAULT_THRESHOLD
    assert score("Matias POLVERINI", "Matias POLVERINI GUTIERREZ") >= DEFAULT_THRESHOLD
    # the second surname alone, family name first, is no short form: it suggests, not confirms
    assert score("MENDOZA, Samuel", "CÁCERES MENDOZA, Samuel") < DEFAULT_THRESHOLD
    # a family name of three parts is no double surname: its parts the query lacks count in full
    assert score("Ivan PETROV", "Ivan PETROV SIDOROV IVANOV") < DEFAULT_THRESHOLD
