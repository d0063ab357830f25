"""Sanctions gaps, overlap, timeline and discrepancies on the real lists (EU, US, UK, Canada,
Australia, UN loaded), through the library, the CLI, the HTTP API and the /compare page in Chromium.

What is expected is read off the raw files where it can be (the OFAC SDN snapshots that do or do
not hold Usmanov's entry 35283, the EU annex's startDate, the absence of Abramovich from every
OFAC file), else from the subjects as `SubjectBook` reads them, which the gaps code does not use.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from support import running_server
from test_web import SCREENSHOTS, browser  # noqa: F401  (the module's Chromium fixture)
from typer.testing import CliRunner

from sanctionscope.api.app import create_app
from sanctionscope.api.keys import create_key
from sanctionscope.cli import app
from sanctionscope.resolve.build import ensure_resolved
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.sources.registry import jurisdiction_of
from sanctionscope.store import db
from sanctionscope.track import gaps as g

runner = CliRunner()

USMANOV_SDN = "us_ofac_sdn:35283"
USMANOV_EU = "eu_journal:32014R0269#I.PERSONS-673"
ABRAMOVICH_EU = "eu_journal:32014R0269#I.PERSONS-879"
#: the seed's four named targets (examples/navalny-2021-02-09.csv), imported under this name
PROPOSAL = "seed-four"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "navalny-2021-02-09.csv"
#: where the README's screenshot of the page is kept (SANCTIONSCOPE_SCREENSHOTS=docs/screenshots to refresh it)
SCREENSHOT = SCREENSHOTS / "gaps.png"


def invoke(db_path: Path, *args: str):
    return runner.invoke(app, ["--db", str(db_path), *args])


def invoke_json(db_path: Path, *args: str) -> dict:
    result = invoke(db_path, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def engine(loaded_db: Path) -> sa.Engine:
    engine = db.connect(str(loaded_db))
    ensure_resolved(engine)
    assert invoke(loaded_db, "proposals", "import", str(EXAMPLE), "--name", PROPOSAL).exit_code == 0
    return engine


@pytest.fixture(scope="module")
def book(engine: sa.Engine) -> SubjectBook:
    return SubjectBook(engine)


@pytest.fixture(scope="module")
def table(engine: sa.Engine) -> g.ListingTable:
    return g.listing_table(engine)


def subject_id(book: SubjectBook, record: str) -> str:
    found = book.for_record(record)
    assert found is not None, record
    return found.id


def sdn_numbers(lists_dir: Path, day: str) -> set[str]:
    with (lists_dir / "us/ofac-sdn-csv" / day / "sdn.csv").open(encoding="latin-1", newline="") as f:
        return {row[0].strip() for row in csv.reader(f) if row}


def sdn_days(lists_dir: Path) -> list[str]:
    return sorted(p.name for p in (lists_dir / "us/ofac-sdn-csv").iterdir() if (p / "sdn.csv").exists())


def eu_start_date(lists_dir: Path, celex: str, record_id: str) -> str:
    """The startDate of an entry of an EU annex CSV, as YYYY-MM-DD."""
    [folder] = (lists_dir / "eu/opensanctions-journal-consolidated-csv").iterdir()
    with (folder / f"{celex}.csv").open(encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["recordId"] == record_id)
    day, month, year = row["startDate"].split(".")
    return f"{year}-{int(month):02d}-{int(day):02d}"


# --- gaps: the cases -----------------------------------------------------------------------


def test_eu_not_us_holds_abramovich_and_not_usmanov(loaded_db: Path, book: SubjectBook, lists_dir: Path) -> None:
    latest = sdn_days(lists_dir)[-1]
    assert "35283" in sdn_numbers(lists_dir, latest)  # the US lists Usmanov today
    abramovich_on_sdn = [
        day for day in sdn_days(lists_dir)
        if "ABRAMOVICH, Roman" in (lists_dir / "us/ofac-sdn-csv" / day / "sdn.csv").read_text("latin-1")
    ]  # fmt: skip
    assert abramovich_on_sdn == []  # and never listed Abramovich
    report = invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us")
    ids = {s["id"] for s in report["subjects"]}
    assert report["count"] == len(report["subjects"]) == len(ids)
    assert subject_id(book, ABRAMOVICH_EU) in ids
    assert subject_id(book, USMANOV_SDN) not in ids
    abramovich = next(s for s in report["subjects"] if s["id"] == subject_id(book, ABRAMOVICH_EU))
    eu = abramovich["designations"]["eu"]
    assert (eu["listed_on"], eu["listed_on_basis"]) == (eu_start_date(lists_dir, "32014R0269", "879"), "stated")
    assert "269/2014" in eu["regime"]


def test_as_of_1_march_2022_usmanov_was_listed_by_the_eu_only(loaded_db: Path, book: SubjectBook, lists_dir: Path) -> None:
    before = [d for d in sdn_days(lists_dir) if d <= "2022-03-01"][-1]
    assert "35283" not in sdn_numbers(lists_dir, before)
    eu_day = eu_start_date(lists_dir, "32014R0269", "673")
    assert eu_day <= "2022-03-01"
    report = invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us", "--as-of", "2022-03-01")
    usmanov = next(s for s in report["subjects"] if s["id"] == subject_id(book, USMANOV_SDN))
    assert usmanov["designations"]["eu"]["listed_on"] == eu_day
    assert usmanov["since"] == eu_day and report["as_of"] == "2022-03-01"
    # Abramovich: the EU listed him on 15 March, after that day
    assert subject_id(book, ABRAMOVICH_EU) not in {s["id"] for s in report["subjects"]}


def test_a_bounded_us_listing_is_marked_and_dates_the_gap(loaded_db: Path, book: SubjectBook, lists_dir: Path) -> None:
    days = sdn_days(lists_dir)
    first = next(d for d in days if "35283" in sdn_numbers(lists_dir, d))
    absent = days[days.index(first) - 1]
    report = invoke_json(loaded_db, "gaps", "--has", "us", "--has", "eu", "--lacks", "ca", "--as-of", first)
    usmanov = next(s for s in report["subjects"] if s["id"] == subject_id(book, USMANOV_SDN))
    us = usmanov["designations"]["us"]
    assert (us["listed_on"], us["listed_on_basis"], us["absent_before"]) == (first, "first_seen", absent)
    assert usmanov["since"] == first and usmanov["since_bounded"] is True  # the later of the two sides
    table = invoke(loaded_db, "gaps", "--has", "us", "--has", "eu", "--lacks", "ca", "--as-of", first, "--format", "md")
    assert f"≤ {first}" in next(line for line in table.stdout.splitlines() if "USMANOV, Alisher" in line)


def test_gaps_are_sorted_by_how_long_they_lasted(table: g.ListingTable) -> None:
    report = g.gaps(g.standing(table, g.Filters()), ["gb", "eu"], ["us"])
    assert report.gaps
    since = [gap.since or "9999" for gap in report.gaps]
    assert since == sorted(since)
    for gap in report.gaps:
        assert gap.since == max(d.listed_on for d in gap.has.values())


def test_the_listing_table_reads_what_the_subject_book_reads(table: g.ListingTable, book: SubjectBook) -> None:
    """The table's SQL reading gives every subject the designations SubjectBook gives it (every 50th, and the seed's)."""
    sample = sorted(table.subjects)[::50] + [subject_id(book, r) for r in (USMANOV_SDN, ABRAMOVICH_EU)]
    for day in (date(2022, 3, 1), date(2024, 1, 1)):
        for sid in sample:
            expected = {j: without_reason(d) for j, d in book.get(sid).by_jurisdiction(day).items()}
            found = {j: without_reason(d) for j, d in g.in_force(table.subjects[sid], g.Filters(as_of=day)).items()}
            assert found == expected, (sid, day)
    assert len(table.subjects) == len(book)  # everything loaded here is a government's list


def without_reason(designation) -> dict:  # type: ignore[no-untyped-def]
    """A designation as a dict, less the reason (the table does not read reasons)."""
    return {k: v for k, v in designation.to_dict().items() if k != "reason"}


def test_filters_nationality_kind_regime(table: g.ListingTable, book: SubjectBook) -> None:
    base = g.gaps(g.standing(table, g.Filters()), ["eu"], ["us"])
    russians = g.gaps(g.standing(table, g.Filters(nationality="RU", kind="person")), ["eu"], ["us"])
    assert 0 < len(russians.gaps) < len(base.gaps)
    for gap in russians.gaps:
        full = book.get(gap.subject.id)
        assert full.kind == "person"
        assert "ru" in {c for r in full.records for c in (*r.nationalities, *r.citizenships)}
    assert subject_id(book, ABRAMOVICH_EU) in {gap.subject.id for gap in russians.gaps}
    ukraine = g.gaps(g.standing(table, g.Filters(regime="269/2014")), ["eu"], ["us"])
    assert ukraine.gaps and all("269/2014" in gap.has["eu"].regime for gap in ukraine.gaps)
    assert len(ukraine.gaps) < len(base.gaps)


def test_a_proposal_is_the_population(loaded_db: Path, book: SubjectBook) -> None:
    """Of the seed's four, the EU but not the US designated only Abramovich (Usmanov and Bastrykin are on OFAC's
    list; the EU's Murashko is Vadim, not the minister Mikhail)."""
    report = invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us", "--proposal", PROPOSAL)
    assert [s["id"] for s in report["subjects"]] == [subject_id(book, ABRAMOVICH_EU)]
    everyone = invoke_json(loaded_db, "gaps", "--has", "au", "--proposal", PROPOSAL)
    assert everyone["count"] == 4  # Australia designated all four (the coverage matrix's AU column)


# --- overlap agrees with gaps ----------------------------------------------------------------------


def test_overlap_counts_agree_with_gaps_for_every_combination(loaded_db: Path, table: g.ListingTable) -> None:
    report = invoke_json(loaded_db, "overlap")
    jurisdictions = report["jurisdictions"]
    assert {"us", "eu", "gb", "ca", "au", "un"} <= set(jurisdictions)
    counts = {frozenset(c["jurisdictions"]): c["count"] for c in report["combinations"]}
    state = g.standing(table, g.Filters())
    for combination in g.every_combination(jurisdictions):
        found = g.gaps(state, sorted(combination), [j for j in jurisdictions if j not in combination])
        assert len(found.gaps) == counts.get(combination, 0), sorted(combination)
    assert sum(counts.values()) == report["subjects"] == len(state.designations)
    for j in jurisdictions:  # each total: the subjects designated by it, whatever the others did
        assert report["totals"][j] == len(g.gaps(state, [j], []).gaps)
    # and the command line's gaps say the same as its overlap
    eu_only = invoke_json(loaded_db, "gaps", "--has", "eu", *(f"--lacks={j}" for j in jurisdictions if j != "eu"))
    assert eu_only["count"] == counts[frozenset({"eu"})]


def test_overlap_of_three_with_filters_agrees_too(loaded_db: Path) -> None:
    args = ["-j", "us,eu,gb", "--as-of", "2022-03-01", "--kind", "person", "--nationality", "ru"]
    report = invoke_json(loaded_db, "overlap", *args)
    assert report["jurisdictions"] == ["us", "eu", "gb"]
    eu_gb = next(c["count"] for c in report["combinations"] if c["jurisdictions"] == ["eu", "gb"])
    gaps = invoke_json(loaded_db, "gaps", "--has", "eu", "--has", "gb", "--lacks", "us", *args[2:])
    assert gaps["count"] == eu_gb > 0


def test_overlap_charts_upset_and_venn(loaded_db: Path, tmp_path: Path) -> None:
    upset = tmp_path / "all.svg"
    result = invoke(loaded_db, "overlap", "--chart", str(upset), "--json")
    assert result.exit_code == 0, result.output
    totals = json.loads(result.stdout)["totals"]
    drawn = upset.read_text()
    for j, n in totals.items():  # each jurisdiction's row label and total
        assert f">{j.upper()}<" in drawn and f">{n} <" in drawn
    venn = tmp_path / "three.png"
    assert invoke(loaded_db, "overlap", "-j", "us,eu,gb", "--chart", str(venn)).exit_code == 0
    assert venn.read_bytes()[:4] == b"\x89PNG"
    three = invoke_json(loaded_db, "overlap", "-j", "us,eu,gb")
    svg = tmp_path / "three.svg"
    invoke(loaded_db, "overlap", "-j", "us,eu,gb", "--chart", str(svg))
    labels = svg.read_text()
    assert all(f"{j.upper()} ({three['totals'][j]})" in labels for j in ("us", "eu", "gb"))  # a Venn's set labels


# --- timeline ---------------------------------------------------------------------------------------


def test_timeline_counts_every_listed_subject_once(table: g.ListingTable) -> None:
    report = g.timeline(table, g.Filters(), by="year")
    for j in report.jurisdictions:
        listed = sum(p.listed for p in report.periods if p.jurisdiction == j) + report.on_first_snapshot[j]
        ever = sum(1 for s in table.subjects.values() if any(jurisdiction_of(h.record.source) == j for h in s.histories))
        assert listed == ever, j


def test_timeline_of_usmanov_stated_and_bounded(loaded_db: Path, lists_dir: Path, book: SubjectBook, engine) -> None:
    one = g.listing_table(engine, population=[subject_id(book, USMANOV_SDN)])
    report = g.timeline(one, g.Filters(), ["us", "eu"], by="month")
    us_day = next(d for d in sdn_days(lists_dir) if "35283" in sdn_numbers(lists_dir, d))
    rows = {(p.period, p.jurisdiction): p for p in report.periods}
    assert rows[(us_day[:7], "us")].listed == rows[(us_day[:7], "us")].listed_bounded == 1
    eu_month = eu_start_date(lists_dir, "32014R0269", "673")[:7]
    assert (rows[(eu_month, "eu")].listed, rows[(eu_month, "eu")].listed_bounded) == (1, 0)
    result = invoke(loaded_db, "timeline", "-j", "us,eu", "--by", "month", "--format", "csv")
    assert result.exit_code == 0 and result.stdout.splitlines()[0] == "period,jurisdiction,listed,listed_bounded,delisted"


def test_timeline_chart(loaded_db: Path, tmp_path: Path) -> None:
    chart = tmp_path / "timeline.svg"
    result = invoke(loaded_db, "timeline", "-j", "us,eu,gb", "--chart", str(chart))
    assert result.exit_code == 0, result.output
    drawn = chart.read_text()
    assert "bounded by snapshots" in drawn and ">EU<" in drawn.replace("\n", "")


# --- discrepancies ----------------------------------------------------------------------------------


def test_birth_date_discrepancies_are_real_disagreements(loaded_db: Path, book: SubjectBook) -> None:
    report = invoke_json(loaded_db, "discrepancies", "--field", "birth_date")
    assert report["count"] > 0
    for item in report["discrepancies"]:
        records = book.get(item["id"]).records
        stated = {}
        for record in records:
            stated.setdefault(record.source, set()).update(d.value for d in record.birth_dates if d.value)
        assert {s: sorted(v) for s, v in stated.items() if v and s in item["values"]} == item["values"]
        sets = list(item["values"].values())
        assert any(not any(a.startswith(b) or b.startswith(a) for a in x for b in y) for x in sets for y in sets)


def test_name_and_nationality_discrepancies(loaded_db: Path) -> None:
    names = invoke_json(loaded_db, "discrepancies", "--field", "name", "--kind", "person", "-j", "us,eu")
    assert names["count"] > 0
    for item in names["discrepancies"]:
        assert set(item["values"]) <= {"us_ofac_sdn", "us_ofac_cons", "eu_journal"} and len(item["values"]) >= 2
        primary = [g.spelling(v[0]) for v in item["values"].values()]
        assert len(set(primary)) > 1  # not equal once case, punctuation and word order are set aside
    nationality = invoke_json(loaded_db, "discrepancies", "--field", "nationality")
    assert all(len({tuple(v) for v in d["values"].values()}) > 1 for d in nationality["discrepancies"])


def test_spelling_rules() -> None:
    assert g.spellings_disagree([["BASTRYKIN, Alexander Ivanovich"], ["Aleksandr Ivanovich BASTRYKIN"]])
    assert not g.spellings_disagree([["BASTRYKIN, Alexander Ivanovich"], ["Alexander Ivanovich Bastrykin"]])
    assert not g.spellings_disagree([["ABBAS, Yasir"], ["Yasir Aziz ABBAS"]])  # a middle name more is no spelling
    assert g.dates_disagree([["1953-08-27"], ["1954"]]) and not g.dates_disagree([["1953-08-27"], ["1953"]])


# --- usage, exit codes, formats ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gaps", "--has", "atlantis"], "atlantis"),
        (["gaps", "--has", "ch"], "no list of 'ch' is loaded"),
        (["gaps", "--has", "eu", "--lacks", "eu"], "both name eu"),
        (["gaps", "--lacks", "us"], "--has"),
        (["gaps", "--has", "eu", "--as-of", "1.3.2022"], "--as-of"),
        (["gaps", "--has", "eu", "--format", "xml"], "--format"),
        (["gaps", "--has", "eu", "--kind", "vessel"], "--kind"),
        (["overlap", "--chart", "x.gif"], "x.gif"),
        (["timeline", "--by", "week"], "--by"),
        (["discrepancies", "--field", "gender"], "--field gender"),
        (["gaps", "--has", "eu", "--proposal", "nobody"], "nobody"),
    ],
)
def test_wrong_usage_exits_2_naming_the_option(loaded_db: Path, engine, args: list[str], message: str) -> None:
    result = invoke(loaded_db, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_nothing_found_exits_3_and_csv_has_a_header(loaded_db: Path, engine) -> None:
    result = invoke(loaded_db, "gaps", "--has", "un", "--nationality", "zz", "--format", "csv")
    assert result.exit_code == 3 and result.stdout.strip() == "id,caption,kind,since,un_listed_on,un_basis,un_regime,un_record"


def test_help_teaches_with_examples() -> None:
    for command in ("gaps", "overlap", "timeline", "discrepancies"):
        text = runner.invoke(app, [command, "--help"]).output
        assert "sanctionscope " + command in text and "Exit codes" in text


# --- the HTTP API -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(engine: sa.Engine):
    return (TestClient(create_app(engine)), create_key(engine, f"gaps-api-{uuid4().hex[:8]}", ["read"]),
            create_key(engine, f"gaps-screen-{uuid4().hex[:8]}", ["screen"]))


def test_api_gaps_overlap_timeline_discrepancies(client, loaded_db: Path, book: SubjectBook) -> None:
    http, key, _screen = client
    auth = {"Authorization": f"ApiKey {key}"}
    found = http.get("/gaps", params={"has": "eu", "lacks": "us", "as_of": "2022-03-01"}, headers=auth).json()
    cli = invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us", "--as-of", "2022-03-01")
    assert found == cli and subject_id(book, USMANOV_SDN) in {s["id"] for s in found["subjects"]}
    download = http.get("/gaps", params={"has": "eu", "lacks": "us", "format": "csv"}, headers=auth)
    assert download.headers["content-type"].startswith("text/csv") and "gaps-eu-not-us.csv" in download.headers["content-disposition"]
    assert len(download.text.splitlines()) == invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us")["count"] + 1
    overlap = http.get("/overlap", params=[("jurisdiction", "us"), ("jurisdiction", "eu")], headers=auth).json()
    assert overlap == invoke_json(loaded_db, "overlap", "-j", "us", "-j", "eu")
    timeline = http.get("/timeline", params={"by": "month", "proposal": PROPOSAL}, headers=auth).json()
    assert sum(p["listed"] for p in timeline["periods"]) + sum(timeline["on_first_snapshot"].values()) > 0
    chart = http.get("/overlap/chart.svg", params={"jurisdiction": "us,eu,gb"}, headers=auth)
    assert chart.headers["content-type"] == "image/svg+xml" and "<svg" in chart.text
    discrepancies = http.get("/discrepancies", params={"field": "birth_date", "jurisdiction": "us,eu"}, headers=auth)
    assert discrepancies.status_code == 200 and discrepancies.json()["fields"] == ["birth_date"]


def test_api_needs_the_read_scope_and_says_what_is_wrong(client) -> None:
    http, key, screen_only = client
    assert http.get("/gaps", params={"has": "eu"}).status_code == 401
    assert http.get("/gaps", params={"has": "eu"}, headers={"Authorization": f"ApiKey {screen_only}"}).status_code == 403
    auth = {"Authorization": f"ApiKey {key}"}
    wrong = http.get("/gaps", params={"has": "atlantis"}, headers=auth)
    assert wrong.status_code == 422 and "atlantis" in wrong.json()["detail"]
    assert http.get("/gaps", params={"has": "eu", "proposal": "nobody"}, headers=auth).status_code == 404
    assert http.get("/overlap/chart.gif", headers=auth).status_code == 404


# --- the page, in a real browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def page_server(engine: sa.Engine):
    key = create_key(engine, f"gaps-browser-{uuid4().hex[:8]}", ["read"])
    application = create_app(engine)
    with running_server(application) as url:
        # the index and the listing table are read on first use: before the browser, not within its timeouts
        warm = httpx.get(f"{url}/gaps", params={"has": "eu"}, headers={"Authorization": f"ApiKey {key}"}, timeout=600)
        assert warm.status_code == 200, warm.text
        yield url, key


def test_the_compare_page_in_chromium(browser, page_server, book: SubjectBook, loaded_db: Path) -> None:  # noqa: F811
    url, key = page_server
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(120_000)  # charts are drawn per request: slow on a busy shared machine
    page = context.new_page()
    page.goto("/login?next=/compare")
    page.fill("input[name=key]", key)
    page.click("button")
    page.wait_for_url("**/compare")
    page.check("input[name=has][value=eu]")
    page.check("input[name=lacks][value=us]")
    page.fill("input[name=as_of]", "2022-03-01")
    page.fill("input[name=nationality]", "ru")
    page.select_option("select[name=kind]", "person")
    page.click("button:has-text('Compare')")
    page.wait_for_selector("table.gaps")
    expected = invoke_json(loaded_db, "gaps", "--has", "eu", "--lacks", "us", "--as-of", "2022-03-01",
                           "--nationality", "ru", "--kind", "person")  # fmt: skip
    assert page.inner_text("#summary").startswith(f"{expected['count']} designated by EU, not by US")
    assert page.locator("table.gaps tbody tr").count() == min(expected["count"], 300)
    shown = page.locator("table.gaps tbody tr")
    assert expected["subjects"][0]["caption"] in shown.first.inner_text()  # the oldest gap first
    assert expected["subjects"][min(expected["count"], 300) - 1]["caption"] in shown.last.inner_text()
    for alt in ("subjects per combination", "listings and delistings"):
        page.wait_for_function(
            f"() => {{ const i = document.querySelector('img[alt^=\"{alt}\"]'); return i && i.complete && i.naturalWidth > 0; }}"
        )
    with page.expect_download() as download:
        page.click("#csv")
    with open(download.value.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == [s["id"] for s in expected["subjects"]]
    assert subject_id(book, USMANOV_SDN) in {r["id"] for r in rows}
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    # a proposal as the population
    page.select_option("select[name=proposal]", PROPOSAL)
    page.fill("input[name=as_of]", "")
    page.fill("input[name=nationality]", "")
    page.click("button:has-text('Compare')")
    page.wait_for_selector("table.gaps")
    assert page.locator("table.gaps tbody tr").count() == 1
    assert "ABRAMOVICH" in page.inner_text("table.gaps")
    context.close()
    assert os.path.getsize(SCREENSHOT) > 10_000


# --- PostgreSQL: the same reading through its JSON operators -------------------------------------------


def test_the_listing_table_on_postgresql(postgres_url: str, lists_dir: Path) -> None:
    from support import fresh_postgres

    from sanctionscope.store.load import load_paths

    engine = fresh_postgres(postgres_url)
    load_paths(engine, [lists_dir / "un/un-sc-consolidated-xml/2025-11-20", lists_dir / "au/dfat-consolidated-xlsx"])
    ensure_resolved(engine)
    book = SubjectBook(engine)
    table = g.listing_table(engine)
    assert table.jurisdictions == ["au", "un"] and len(table.subjects) == len(book)
    for sid in sorted(table.subjects)[::25]:
        expected = {j: without_reason(d) for j, d in book.get(sid).by_jurisdiction(date(2026, 1, 1)).items()}
        found = g.in_force(table.subjects[sid], g.Filters(as_of=date(2026, 1, 1)))
        assert {j: without_reason(d) for j, d in found.items()} == expected, sid
        regimes = {r for h in book.get(sid).histories for r in h.record.regimes}
        assert {r for h in table.subjects[sid].histories for r in h.record.regimes} == regimes
    state = g.standing(table, g.Filters())
    counts = g.overlap(state).counts
    for combination in g.every_combination(["au", "un"]):
        lacks = [j for j in ("au", "un") if j not in combination]
        assert len(g.gaps(state, sorted(combination), lacks).gaps) == counts.get(combination, 0)
    assert counts.get(frozenset({"au", "un"}), 0) > 0  # Australia carries the UN's listings
