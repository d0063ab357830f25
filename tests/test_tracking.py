"""Subjects across lists, designations over time, analysts' decisions, proposals and coverage.

The dates checked here are read off the raw files (the EU annex CSV's startDate column, the
OFAC SDN snapshots that do or do not contain entry 35283), not off the code under test.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from support import Server
from typer.testing import CliRunner

from sanctionscope.cli import app
from sanctionscope.resolve.build import assign_ids, ensure_resolved
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.store import db

runner = CliRunner()

BASTRYKIN = {"us_ofac_sdn:21186", "eu_journal:32020R1998#I.A-2", "ca_sema:JVCFOR/1/21", "au_dfat:6854"}
USMANOV = {"us_ofac_sdn:35283", "eu_journal:32014R0269#I.PERSONS-673", "au_dfat:6751"}
ABRAMOVICH = {"eu_journal:32014R0269#I.PERSONS-879", "au_dfat:6754"}
MURASHKO_MIKHAIL = "au_dfat:7386"
MURASHKO_VADIM = "eu_journal:32006R0765#I.A-273"
PATRUSHEVS = {"Nikolai": "au_dfat:7664", "Dmitry": "au_dfat:7256", "Andrey": "au_dfat:6760"}


def invoke(db_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(db_path), *args])


def invoke_json(db_path: Path, *args: str):
    result = invoke(db_path, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def book(loaded_db: Path) -> SubjectBook:
    engine = db.connect(str(loaded_db))
    ensure_resolved(engine)
    return SubjectBook(engine)


def referents_of(book: SubjectBook, record: str) -> set[str]:
    subject = book.for_record(record)
    assert subject is not None, record
    return set(subject.referents)


# --- subjects ---------------------------------------------------------------------------


@pytest.mark.parametrize("records", [BASTRYKIN, USMANOV, ABRAMOVICH], ids=["bastrykin", "usmanov", "abramovich"])
def test_the_seed_s_people_are_one_subject_each_across_lists(book: SubjectBook, records: set[str]) -> None:
    first = next(iter(records))
    assert records <= referents_of(book, first)
    assert len({book.subject_of[r] for r in records}) == 1


def test_abramovich_has_no_us_record(book: SubjectBook) -> None:
    assert not any(ref.startswith("us_") for ref in referents_of(book, "au_dfat:6754"))


def test_namesakes_stay_apart(book: SubjectBook) -> None:
    assert book.subject_of[MURASHKO_MIKHAIL] != book.subject_of[MURASHKO_VADIM]
    assert MURASHKO_VADIM not in referents_of(book, MURASHKO_MIKHAIL)
    assert len({book.subject_of[ref] for ref in PATRUSHEVS.values()}) == 3


def test_designations_with_dates_from_the_raw_files(book: SubjectBook, lists_dir: Path) -> None:
    eu_file = lists_dir / "eu/opensanctions-journal-consolidated-csv/2026-08-19/32020R1998.csv"
    with eu_file.open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["recordId"] == "2")
    day, month, year = row["startDate"].split(".")
    stated = f"{year}-{int(month):02d}-{int(day):02d}"
    assert stated == "2021-03-02"
    eu = book.for_record("us_ofac_sdn:21186").by_jurisdiction()["eu"]
    assert (eu.listed_on, eu.listed_on_basis, eu.record) == (stated, "stated", "eu_journal:32020R1998#I.A-2")
    assert "2020/1998" in eu.regime  # the global human rights regime


def sdn_has_entry(lists_dir: Path, day: str, number: str) -> bool:
    with (lists_dir / "us/ofac-sdn-csv" / day / "sdn.csv").open(encoding="latin-1", newline="") as f:
        return any(row and row[0].strip() == number for row in csv.reader(f))


def test_usmanov_us_listing_is_bounded_by_snapshots(book: SubjectBook, lists_dir: Path) -> None:
    assert not sdn_has_entry(lists_dir, "2022-02-25", "35283") and sdn_has_entry(lists_dir, "2022-03-04", "35283")
    us = book.for_record("us_ofac_sdn:35283").by_jurisdiction()["us"]
    assert (us.listed_on, us.listed_on_basis, us.absent_before) == ("2022-03-04", "first_seen", "2022-02-25")


def test_as_of_on_both_sides_of_a_listing_date(loaded_db: Path) -> None:
    before = invoke_json(loaded_db, "subject", "us_ofac_sdn:21186", "--as-of", "2021-03-01")
    after = invoke_json(loaded_db, "subject", "us_ofac_sdn:21186", "--as-of", "2021-03-03")
    assert "eu" not in {d["jurisdiction"] for d in before["designations"]}
    assert "eu" in {d["jurisdiction"] for d in after["designations"]}
    # Usmanov in the US: not in the 2022-02-25 snapshot, in the 2022-03-04 one
    assert "us" not in {
        d["jurisdiction"]
        for d in invoke_json(loaded_db, "subject", "Alisher Usmanov", "--as-of", "2022-02-26")["designations"]
    }
    assert "us" in {
        d["jurisdiction"]
        for d in invoke_json(loaded_db, "subject", "Alisher Usmanov", "--as-of", "2022-03-05")["designations"]
    }
    # the matcher as the lists stood: the EU had not listed him on 1 March 2021
    early = invoke(
        loaded_db, "match", "Alexander Bastrykin", "--source", "eu_journal", "--as-of", "2021-03-01", "--json"
    )
    late = invoke(
        loaded_db, "match", "Alexander Bastrykin", "--source", "eu_journal", "--as-of", "2021-03-03", "--json"
    )
    assert early.exit_code == 3 and late.exit_code == 0


def test_subject_command_json_shape(loaded_db: Path) -> None:
    data = invoke_json(loaded_db, "subject", "Бастрыкин Александр Иванович")
    assert set(data) >= {"id", "caption", "names", "birth_dates", "referents", "designations", "history"}
    assert data["id"].startswith("ss-") and BASTRYKIN <= set(data["referents"])
    assert "1953-08-27" in data["birth_dates"]
    assert any("Бастрыкин".upper() in name.upper().replace("A", "А") or "БАСТРЫКИН" in name for name in data["names"])
    for designation in data["designations"]:
        assert set(designation) >= {
            "jurisdiction",
            "source",
            "regime",
            "listed_on",
            "listed_on_basis",
            "delisted_on",
            "reason",
        }
    assert invoke(loaded_db, "subject", "Emily Johnson").exit_code == 3
    assert invoke(loaded_db, "subject", "ss-0000000000").exit_code == 3


# --- proposals and coverage -------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_proposal(loaded_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("proposal") / "seed.csv"
    path.write_text(
        "name,birth_date,role\n"
        "Alexander Bastrykin,,head of the Investigative Committee\n"
        "Михаил Мурашко,,health minister\n"
        "Alisher Usmanov,1953-09-09,billionaire\n"
        "Roman Abramovich,,billionaire\n"
        "Leonid Volkov,,not a target: on no list\n",
        encoding="utf-8",
    )
    result = invoke(loaded_db, "proposals", "import", str(path), "--name", "seed")
    assert result.exit_code == 0, result.output
    return path


def test_coverage_matrix(loaded_db: Path, seed_proposal: Path) -> None:
    report = invoke_json(loaded_db, "coverage", "seed")
    assert report["proposal"] == "seed" and {"us", "eu", "ca", "au", "un"} <= set(report["jurisdictions"])
    rows = {row["name"]: row for row in report["targets"]}
    bastrykin = rows["Alexander Bastrykin"]["designations"]
    assert bastrykin["eu"]["listed_on"] == "2021-03-02" and bastrykin["eu"]["listed_on_basis"] == "stated"
    assert bastrykin["un"] is None
    murashko = rows["Михаил Мурашко"]
    assert murashko["designations"]["au"]["record"] == MURASHKO_MIKHAIL and murashko["designations"]["eu"] is None
    usmanov = rows["Alisher Usmanov"]["designations"]["us"]
    assert (usmanov["listed_on"], usmanov["listed_on_basis"], usmanov["absent_before"]) == (
        "2022-03-04",
        "first_seen",
        "2022-02-25",
    )
    abramovich = rows["Roman Abramovich"]["designations"]
    assert abramovich["eu"] and abramovich["au"] and abramovich["us"] is None
    assert rows["Leonid Volkov"]["subject_id"] is None
    assert report["totals"]["eu"] == 3 and report["totals"]["us"] == 2 and report["totals"]["au"] == 4


def test_coverage_as_of_and_reports(loaded_db: Path, seed_proposal: Path, tmp_path: Path) -> None:
    early = invoke_json(loaded_db, "coverage", "seed", "--as-of", "2021-03-01")
    assert early["totals"]["eu"] == 0
    later = invoke_json(loaded_db, "coverage", "seed", "--as-of", "2021-03-03")
    assert later["totals"]["eu"] == 1
    md = invoke(loaded_db, "coverage", "seed", "--format", "md")
    assert md.exit_code == 0 and "| Alexander Bastrykin" in md.stdout and "2021-03-02" in md.stdout
    as_csv = invoke(loaded_db, "coverage", "seed", "--format", "csv")
    rows = list(csv.DictReader(as_csv.stdout.splitlines()))
    assert rows[0]["name"] == "Alexander Bastrykin" and rows[0]["eu"] == "2021-03-02" and rows[-1]["name"] == "total"
    png, svg = tmp_path / "c.png", tmp_path / "c.svg"
    assert invoke(loaded_db, "coverage", "seed", "--chart", str(png)).exit_code == 0
    assert invoke(loaded_db, "coverage", "seed", "--chart", str(svg)).exit_code == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and "<svg" in svg.read_text()
    assert invoke(loaded_db, "coverage", "seed", "--chart", str(tmp_path / "c.gif")).exit_code == 2
    assert invoke(loaded_db, "coverage", "nothing-here").exit_code == 3


def test_proposal_files_are_checked(loaded_db: Path, tmp_path: Path) -> None:
    no_name = tmp_path / "a.csv"
    no_name.write_text("who,when\nX,1\n", encoding="utf-8")
    result = invoke(loaded_db, "proposals", "import", str(no_name), "--name", "a")
    assert result.exit_code == 1 and "no name column" in result.stderr and "line 1" in result.stderr
    bad_date = tmp_path / "b.json"
    bad_date.write_text(json.dumps([{"name": "Ivan Petrov"}, {"name": "X Y", "birth_date": "soon"}]), encoding="utf-8")
    result = invoke(loaded_db, "proposals", "import", str(bad_date), "--name", "b")
    assert result.exit_code == 1 and "line 2" in result.stderr and "birth date" in result.stderr
    good = tmp_path / "c.json"
    good.write_text(json.dumps({"targets": [{"name": "Алишер Усманов", "wikidata": "Q1335048"}]}), encoding="utf-8")
    assert invoke(loaded_db, "proposals", "import", str(good), "--name", "c").exit_code == 0
    assert {"name": "c", "targets": 1} in [
        {k: p[k] for k in ("name", "targets")} for p in invoke_json(loaded_db, "proposals", "list")
    ]


# --- decisions and stable ids -----------------------------------------------------------


def test_stable_ids_keep_the_majority_id_and_redirect_merged_ones() -> None:
    previous = {"a:1": "ss-A", "b:1": "ss-A", "c:1": "ss-C", "d:1": "ss-D"}
    ids, redirects = assign_ids([["a:1", "b:1", "c:1"], ["d:1"], ["e:1"]], previous)
    assert ids[:2] == ["ss-A", "ss-D"] and ids[2].startswith("ss-") and ids[2] not in ("ss-A", "ss-C", "ss-D")
    assert redirects == {"ss-C": "ss-A"}
    again, _ = assign_ids([["a:1", "b:1", "c:1"], ["d:1"], ["e:1"]], {**previous, "e:1": ids[2]})
    assert again == ids
    # a split: both halves voted for ss-A; the bigger keeps it, the other gets a new id
    split, _ = assign_ids([["a:1", "c:1"], ["b:1"]], {"a:1": "ss-A", "b:1": "ss-A", "c:1": "ss-A"})
    assert split[0] == "ss-A" and split[1] != "ss-A"


def test_decisions_survive_reload_and_update(lists_dir: Path, tmp_path: Path) -> None:
    small = tmp_path / "small.db"
    un = lists_dir / "un/un-sc-consolidated-xml"
    assert invoke(small, "load", str(un / "2025-11-20"), str(lists_dir / "au/dfat-consolidated-xlsx")).exit_code == 0
    engine = db.connect(str(small))
    ensure_resolved(engine)
    book = SubjectBook(engine)
    joined = next(s for s in book.all()
                  if sorted(r.partition(":")[0] for r in s.referents) == ["au_dfat", "un_sc"])  # fmt: skip
    un_ref, au_ref = sorted(joined.referents, key=lambda r: r.startswith("au_"), reverse=False)[::-1]
    loners = sorted(s.referents[0] for s in book.all() if len(s.referents) == 1 and s.kind == "person")
    a, b = loners[0], loners[-1]

    assert invoke(small, "decide", "different", un_ref, au_ref, "--note", "test").exit_code == 0
    assert invoke(small, "decide", "same", a, b).exit_code == 0

    def check() -> None:
        engine = db.connect(str(small))
        ensure_resolved(engine)
        now = SubjectBook(engine)
        assert now.subject_of[un_ref] != now.subject_of[au_ref]
        assert now.subject_of[a] == now.subject_of[b]

    check()
    kept_id = SubjectBook(engine).subject_of[a]
    assert invoke(small, "load", str(un / "2026-02-27")).exit_code == 0  # a reload with newer data
    check()
    with Server(lists_dir) as server:  # and an update from a (local) download server
        url = f"un_sc={server.url}/lists/un/un-sc-consolidated-xml/2025-12-10/un.xml"
        result = invoke(small, "update", "--source", "un_sc", "--url", url)
        assert result.exit_code == 0, result.output
    check()
    assert SubjectBook(db.connect(str(small))).subject_of[a] == kept_id  # the id is stable
