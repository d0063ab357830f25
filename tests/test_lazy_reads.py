"""Memory that does not grow with the lists: the subject book reads a subject when asked for it, and a
text screener opens its gazetteer from the index file without decoding the entries."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa

from sanctionscope.api.catalog import catalog
from sanctionscope.index.entries import Entry, EntryTable
from sanctionscope.index.mentions import MentionIndex
from sanctionscope.match.engine import Matcher
from sanctionscope.model import Record
from sanctionscope.resolve.build import ensure_resolved
from sanctionscope.resolve.subjects import Subject, SubjectBook
from sanctionscope.service.matchers import open_matcher
from sanctionscope.store import db, queries
from sanctionscope.store import schema as t
from sanctionscope.store.load import load_paths
from sanctionscope.text import TextScreener
from sanctionscope.text.gazetteer import Gazetteer
from sanctionscope.track.coverage import loaded_jurisdictions

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article-2021-02-09.txt"


@pytest.fixture(scope="module")
def engine(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> sa.Engine:
    """Two lists whose records join across them (the UN's and Australia's), resolved."""
    engine = db.connect(str(tmp_path_factory.mktemp("lazy") / "small.db"))
    load_paths(engine, [lists_dir / "un/un-sc-consolidated-xml/2025-11-20", lists_dir / "au/dfat-consolidated-xlsx"])
    ensure_resolved(engine)
    return engine


@pytest.fixture
def decoded(monkeypatch: pytest.MonkeyPatch) -> Counter:
    """Counts the record versions decoded from the database."""
    counts: Counter = Counter()
    original = Record.from_dict

    def counting(data: dict) -> Record:
        counts["records"] += 1
        return original(data)

    monkeypatch.setattr(queries.Record, "from_dict", staticmethod(counting))
    return counts


def whole_book(engine: sa.Engine) -> dict[str, Subject]:
    """Every subject as the book read them before it was lazy: all histories, then every member row."""
    by_ref = {h.record.id: h for h in queries.record_histories(engine)}
    with engine.connect() as conn:
        subjects = {r.id: Subject(r.id, r.caption, r.kind) for r in conn.execute(sa.select(t.subjects))}
        members = conn.execute(sa.select(t.subject_members.c.referent, t.subject_members.c.subject_id)).all()
    for referent, subject_id in sorted(members):
        if referent in by_ref:
            subjects[subject_id].histories.append(by_ref[referent])
    return subjects


def joined_subject(book: SubjectBook) -> Subject:
    return next(s for s in book.all() if len({r.partition(":")[0] for r in s.referents}) == 2)


def test_a_book_reads_nothing_until_asked_then_only_the_subject_asked_for(engine: sa.Engine, decoded: Counter) -> None:
    joined = joined_subject(SubjectBook(engine))
    decoded.clear()
    book = SubjectBook(engine)
    assert decoded["records"] == 0
    found = book.get(joined.id)
    assert found is not None and found.referents == joined.referents
    assert decoded["records"] == len(joined.referents)  # its members' newest versions, nothing else
    assert book.for_record(joined.referents[-1]) is found  # one member row, then the cache
    assert book.subject_of[joined.referents[0]] == joined.id
    assert decoded["records"] == len(joined.referents)
    assert book.get("ss-none") is None and book.for_record("un_sc:none") is None
    assert "un_sc:none" not in book.subject_of


def test_aggregates_are_asked_of_the_database_not_of_every_subject(engine: sa.Engine, decoded: Counter) -> None:
    book = SubjectBook(engine)
    counts = catalog(engine, book, {})
    assert loaded_jurisdictions(book) == {"un", "au"}
    assert book.sources() == {"un_sc", "au_dfat"}
    assert decoded["records"] == 0
    expected = Counter(source for s in whole_book(engine).values() for source in {h.record.source for h in s.histories})
    by_name = {d["name"]: d for d in counts["datasets"]}
    assert {name: by_name[name]["entity_count"] for name in expected} == dict(expected)
    assert by_name["default"]["entity_count"] == len(whole_book(engine)) == len(book)


def test_the_lazy_book_gives_what_the_whole_book_gave(engine: sa.Engine) -> None:
    book = SubjectBook(engine)
    whole = whole_book(engine)
    read = {s.id: s for s in book.all()}
    assert read.keys() == whole.keys()
    for subject_id, subject in whole.items():
        lazy = book.get(subject_id)
        assert lazy is not None and read[subject_id].histories == subject.histories == lazy.histories
        assert (lazy.caption, lazy.kind, lazy.designations()) == (subject.caption, subject.kind, subject.designations())


def test_the_book_keeps_a_bounded_number_of_subjects(engine: sa.Engine) -> None:
    book = SubjectBook(engine, kept=3)
    ids = [s.id for _, s in zip(range(10), book.all(), strict=False)]
    for subject_id in ids:
        assert book.get(subject_id) is not None
    assert len(book._cache) == 3


def test_record_histories_of_some_records_are_those_of_all(engine: sa.Engine, decoded: Counter) -> None:
    every = {h.record.id: h for h in queries.record_histories(engine)}
    wanted = sorted(every)[::97] + ["un_sc:none"]
    decoded.clear()
    some = queries.record_histories(engine, wanted)
    assert [h.record.id for h in some] == sorted(r for r in wanted if r in every)
    assert some == [every[h.record.id] for h in some]
    assert decoded["records"] == len(some)


# --- the gazetteer --------------------------------------------------------------------------------


def saved_matcher(engine: sa.Engine) -> Matcher:
    path = open_matcher(engine).path
    assert path is not None
    matcher = Matcher.load_saved(path)
    assert matcher is not None
    return matcher


def test_a_screener_opens_its_gazetteer_from_the_index_file_without_decoding_entries(
    engine: sa.Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    matcher = saved_matcher(engine)
    decodes: Counter = Counter()
    original = Entry.from_bytes

    def counting(data: bytes) -> Entry:
        decodes["entries"] += 1
        return original(data)

    def refuse(*_args: object) -> None:
        raise AssertionError("the gazetteer iterated the entries")

    monkeypatch.setattr(Entry, "from_bytes", staticmethod(counting))
    monkeypatch.setattr(EntryTable, "__iter__", refuse)
    monkeypatch.setattr(MentionIndex, "from_entries", refuse)
    screener = TextScreener(matcher, SubjectBook(engine))
    assert screener.gazetteer.organizations is not None
    assert decodes["entries"] == 0
    report = screener.screen(SEED.read_text("utf-8"))
    assert report.mentions and decodes["entries"] < len(matcher.entries) / 10  # only the candidates scored


def test_the_stored_gazetteer_is_the_one_the_entries_give(engine: sa.Engine) -> None:
    matcher = saved_matcher(engine)
    stored = Gazetteer.open(matcher.mentions, matcher.index.key_ids)
    analysed = Gazetteer.open(MentionIndex.from_entries(matcher.entries, matcher.index.key_ids), matcher.index.key_ids)
    for key in matcher.index.vocabulary:
        assert stored.persons_named(key) == analysed.persons_named(key), key
    assert stored.organizations is not None and analysed.organizations is not None
    assert dict(stored.organizations.items()) == dict(analysed.organizations.items())
