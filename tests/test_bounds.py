"""The pruning bounds are bounds: never below the score they stand for.

`Matcher.match` orders candidates by `PairBound` of their names, worked out for all of them at
once over the name table (`candidate_bounds`), and skips candidate names by `PairBound`; a bound
below `compare_names` loses a real match. Both are checked here, by property, on
generated names (tags, scripts, typos, initials, particles, joined parts) and on the real UN
list with one-edit typos of its own names; and end to end: pruning returns what scoring every
candidate returns.
"""

from __future__ import annotations

import dataclasses
import random
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA
from support import parse_cached

from sanctionscope.index.candidates import (
    FUZZY_MAX_KEYS,
    FUZZY_MIN_LENGTH,
    FUZZY_MIN_SIMILARITY,
    bag_distances,
    letter_counts,
    plausible_keys,
    trigrams,
)
from sanctionscope.index.entries import Entry, EntryTable
from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher, PreparedQuery
from sanctionscope.match.name_table import NameTable, candidate_bounds
from sanctionscope.match.names import (
    Alignable,
    PairBound,
    compare_names,
    edits_within_reach,
    joins,
    key_similarity,
    pair_similarity,
    part_set,
    scored_parts,
)
from sanctionscope.match.query import Query
from sanctionscope.names import AnalyzedName, analyze_name
from sanctionscope.sources.un_xml import FORMAT as UN_XML

UN_FILE = "un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml"
EPSILON = 1e-9
PROPERTY = settings(
    max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- generated names -------------------------------------------------------------------------

WORDS = ["Abbas", "Abba", "Rashidi", "Rashedi", "Hassan", "Elhassan", "Ivanov", "Ivanova", "Aleksandr", "Alexander",
         "Bastrykin", "Ivanovich", "Iosifovich", "Josephovich", "Petrovna", "Jabir", "Jaber", "Othman", "Ghamdi",
         "Rahman", "Abdulrahman", "Arabi", "AlArabi", "Medina", "Carmen", "Kabir", "Mohammed", "Muhammad",
         "Бастрыкин", "Александр", "Иванович", "Олександр", "Юрій", "Сергеевич", "Денис", "Wang", "Weng", "Jong",
         "Markovski", "Harkovski", "Francisco", "Francisca", "Trust", "Bank"]  # fmt: skip
PARTICLES = ["al", "el", "bin", "ibn", "van", "de", "Abdul", "Abd", "Haji", "Mullah"]
LEGAL = ["OOO", "LLC", "GmbH", "PJSC"]
LETTERS = "abcdefghijklmnopqrstuvwxyzабвгдежзиклмнопрстуфхцчшыэюя"


@st.composite
def word(draw: st.DrawFn) -> str:
    """A name word: a known one, perhaps misspelt by one or two edits, or an initial."""
    text = draw(st.sampled_from(WORDS))
    for _ in range(draw(st.integers(0, 2))):
        at = draw(st.integers(0, len(text) - 1))
        text = edited(text, draw(st.sampled_from(EDITS)), at, draw(st.sampled_from(LETTERS)))
    return text[0] + "." if draw(st.integers(0, 6)) == 0 else text


EDITS = ("drop", "swap", "replace", "insert")


def edited(text: str, edit: str, at: int, letter: str) -> str:
    """`text` with one edit at `at`: a letter dropped, two neighbours swapped, `letter` put in or instead."""
    if edit == "drop" and len(text) > 2:
        return text[:at] + text[at + 1 :]
    if edit == "swap" and at < len(text) - 1:
        return text[:at] + text[at + 1] + text[at] + text[at + 2 :]
    if edit == "replace":
        return text[:at] + letter + text[at + 1 :]
    return text[:at] + letter + text[at:]


@st.composite
def written_name(draw: st.DrawFn) -> tuple[str, str, str | None]:
    """(the name as written, its kind, the family name a list states or None)."""
    words = draw(st.lists(word(), min_size=1, max_size=4))
    if len(words) >= 2 and draw(st.booleans()):  # two parts written as one ("AlArabi")
        at = draw(st.integers(0, len(words) - 2))
        words[at : at + 2] = [words[at] + words[at + 1].lower()]
    if draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(PARTICLES)))
    kind = draw(st.sampled_from(["person", "person", "organization"]))
    if kind == "organization" and draw(st.booleans()):
        words.append(draw(st.sampled_from(LEGAL)))
    style = draw(st.sampled_from(["plain", "comma", "capitals"]))
    if style == "comma" and len(words) >= 2:
        return f"{words[-1].upper()}, {' '.join(words[:-1])}", kind, None
    if style == "capitals":
        words[-1] = words[-1].upper()
    family = words[-1] if draw(st.booleans()) and not words[-1].endswith(".") else None
    return " ".join(words), kind, family


def analyzed(written: tuple[str, str, str | None]) -> AnalyzedName:
    text, kind, family = written
    return analyze_name(text, kind, family=family)


@given(written_name(), written_name(), st.data())
@PROPERTY
def test_both_bounds_are_at_least_the_score_on_generated_names(query_written, candidate_written, data) -> None:  # type: ignore[no-untyped-def]
    query, candidate = analyzed(query_written), analyzed(candidate_written)
    keys = sorted(query.keys)
    candidate_keys = sorted(candidate.index_keys)
    # The bounds must hold whatever the index found: any stand-ins, any keys listed or on no list.
    stand_ins = {
        key: frozenset(data.draw(st.lists(st.sampled_from(candidate_keys), max_size=2)) if candidate_keys else ())
        | ({key} if data.draw(st.booleans()) else set())
        for key in keys
    }
    unlisted = frozenset(data.draw(st.lists(st.sampled_from(keys), max_size=2)) if keys else ())
    listed = frozenset(k for k in keys if k not in unlisted and data.draw(st.booleans()))
    reachable = frozenset().union(*stand_ins.values())
    score = compare_names(query, candidate, unlisted, listed).score
    assert PairBound(query, stand_ins, reachable, unlisted, listed)(candidate) >= score - EPSILON
    floor = data.draw(st.floats(0.0, 1.0))
    if PairBound(query, stand_ins, reachable, unlisted, listed)(candidate, floor) < floor:
        assert score < floor + EPSILON
    # the same bound over a name table, as `Matcher.match` orders candidates by it
    vocabulary = {key: i for i, key in enumerate(sorted(set(keys) | set(candidate_keys)))}
    stand_in_ids = {key: [vocabulary[k] for k in found] for key, found in stand_ins.items()}
    prepared = PreparedQuery(Query([query.original]), [query], stand_ins, reachable, unlisted, listed, stand_in_ids)
    table = NameTable.build(EntryTable([Entry("e", "", candidate.kind, [], [candidate])]), vocabulary)
    (batched,) = candidate_bounds(table, np.asarray([0]), prepared.bounds, prepared.alignable, prepared.key_bits)
    assert batched == pytest.approx(PairBound(query, stand_ins, reachable, unlisted, listed)(candidate), abs=1e-6)
    assert batched >= score - EPSILON


def aligned_by_every_rule(queries: list[AnalyzedName], candidate: AnalyzedName, listed: frozenset[str]) -> tuple[int, ...]:
    """Per scored part of `candidate`, the query parts it may align with (bits as `Alignable` numbers them),
    asking `pair_similarity` and `joins` of every pair: what `Alignable` must find without asking them all."""
    q_parts = [part for name in queries for part in scored_parts(name)]
    q_adjacent = [(i, i + 1) for name_start in _starts(queries) for i in range(name_start[0], name_start[1] - 1)]
    c_parts = scored_parts(candidate)
    found = []
    for j, cp in enumerate(c_parts):
        bits = sum(1 << i for i, qp in enumerate(q_parts) if pair_similarity(qp, cp, listed))
        for a, b in q_adjacent:  # two adjacent query parts may share one (or), not add up
            if joins(cp, q_parts[a], q_parts[b]):
                bits |= (1 << a) | (1 << b)
        for k in (j - 1, j):  # cp is the first or the second of two adjacent candidate parts
            if 0 <= k < len(c_parts) - 1:
                bits |= sum(1 << i for i, qp in enumerate(q_parts) if joins(qp, c_parts[k], c_parts[k + 1]))
        found.append(bits)
    return tuple(found)


def _starts(names: list[AnalyzedName]) -> list[tuple[int, int]]:
    """(first, end) positions of each name's scored parts among all of them."""
    spans, at = [], 0
    for name in names:
        spans.append((at, at + len(scored_parts(name))))
        at = spans[-1][1]
    return spans


@given(st.lists(written_name(), min_size=1, max_size=2), st.lists(written_name(), min_size=1, max_size=4), st.data())
@PROPERTY
def test_the_batched_rules_find_every_part_that_may_align(query_written, candidates_written, data) -> None:  # type: ignore[no-untyped-def]
    """`Alignable` skips the pairs whose spellings are out of reach by one batch of edit distances: it
    must find exactly what asking the rules of every pair finds, learnt in one batch or name by name."""
    queries = [analyzed(w) for w in query_written]
    candidates = [analyzed(w) for w in candidates_written]
    keys = sorted({key for query in queries for key in query.keys})
    listed = frozenset(k for k in keys if data.draw(st.booleans()))
    batched, one_by_one = Alignable(queries, listed), Alignable(queries, listed)
    batched.learn([part_set(candidates)])
    for candidate in candidates:
        expected = aligned_by_every_rule(queries, candidate, listed)
        assert batched.of(candidate)[1] == expected, candidate.original
        assert one_by_one.of(candidate)[1] == expected, candidate.original
    rows = [(p.original, p.text, p.key, p.tag) for c in candidates for p in scored_parts(c)]
    assert Alignable(queries, listed).bits_of_rows(rows) == one_by_one.bits_of_rows(rows)


@st.composite
def two_spellings(draw: st.DrawFn) -> tuple[str, str]:
    """A spelling and the same with up to four edits (an article put on, letters dropped, swapped, replaced)."""
    a = draw(st.text("abeiklmnorsu", min_size=1, max_size=14))
    b = draw(st.sampled_from(["", "al", "el"])) + a
    for _ in range(draw(st.integers(0, 4))):
        b = edited(b, draw(st.sampled_from(EDITS)), draw(st.integers(0, max(0, len(b) - 1))), draw(st.sampled_from("aeiokr")))
    return a, b


@given(two_spellings())
@PROPERTY
def test_spellings_beyond_reach_are_never_alike(spellings: tuple[str, str]) -> None:
    """The batch skips pairs more than `edits_within_reach` edits apart: `key_similarity` must see nothing there."""
    a, b = spellings
    if OSA.distance(a, b) > edits_within_reach(max(len(a), len(b))):
        assert key_similarity(a, b) == 0.0


# --- the real UN list ------------------------------------------------------------------------


@cache
def un_matcher(lists_dir: Path) -> Matcher:
    return Matcher.from_records(parse_cached(lists_dir / UN_FILE, UN_XML.name).records)


@cache
def un_person_names(lists_dir: Path) -> list[str]:
    records = parse_cached(lists_dir / UN_FILE, UN_XML.name).records
    return sorted({n.full for r in records if r.kind.value == "person" for n in r.names if n.full})


def one_edit(name: str, rng: random.Random) -> str:
    """`name` with one letter dropped, replaced, inserted or two neighbours swapped in one word."""
    words = name.split()
    at = rng.randrange(len(words))
    words[at] = edited(words[at], rng.choice(EDITS), rng.randrange(len(words[at])), rng.choice("aeioubdhkmnrst"))
    return " ".join(words)


def assert_bounds_hold(matcher: Matcher, text: str) -> None:
    """Both bounds, against every name of every candidate the index proposes for `text`: the batched
    one is the largest `PairBound` of the entry's names."""
    prepared, expanded = matcher.prepare(Query([text]))
    found = matcher._candidates(expanded, 200)
    ordering = matcher.candidate_bounds(prepared, np.asarray([c.position for c in found], dtype=np.int64))
    for candidate, batched in zip(found, ordering.tolist(), strict=True):
        entry = matcher.entries[candidate.position]
        pair_bounds = [bound(name) for bound in prepared.bounds for name in entry.names]
        assert batched == pytest.approx(max(pair_bounds, default=0.0), abs=1e-6), (text, entry.caption)
        for position, query in enumerate(prepared.names):
            for name in entry.names:
                score = compare_names(query, name, prepared.unlisted, prepared.listed).score
                assert prepared.bounds[position](name) >= score - EPSILON, (text, name.original, score)
                assert batched >= score - EPSILON, (text, name.original, score)


@given(st.integers(0, 10**6), st.integers(0, 10**6))
@PROPERTY
def test_both_bounds_are_at_least_the_score_on_real_names_with_a_typo(lists_dir: Path, which: int, seed: int) -> None:
    names = un_person_names(lists_dir)
    assert_bounds_hold(un_matcher(lists_dir), one_edit(names[which % len(names)], random.Random(seed)))


@pytest.mark.parametrize("query", ["ABBA RASHIDI", "Abbas Rashidi", "Elhassan", "Abdulrahman Othman"])
def test_bounds_hold_on_the_cases_that_lost_matches(lists_dir: Path, query: str) -> None:
    assert_bounds_hold(un_matcher(lists_dir), query)


def test_pruning_returns_what_scoring_every_candidate_returns(lists_dir: Path) -> None:
    matcher, names, rng = un_matcher(lists_dir), un_person_names(lists_dir), random.Random(7)
    for _ in range(150):
        query = Query([one_edit(rng.choice(names), rng)])
        everything = matcher.match(query, cutoff=0.0, limit=10_000)
        strong = {r.entry.id for r in everything if r.score >= DEFAULT_THRESHOLD}
        pruned = matcher.match(query, limit=len(strong) + 5)
        assert strong <= {r.entry.id for r in pruned}, query
        top = matcher.match(query)
        if everything and everything[0].score >= DEFAULT_THRESHOLD:
            assert top and top[0].score == pytest.approx(everything[0].score), query


def test_a_word_the_index_cannot_find_still_pairs_by_its_spelling(lists_dir: Path) -> None:
    """«ABBA» has a key of three letters ("aba"): no close key is looked up, yet it is one edit from ABBAS."""
    results = un_matcher(lists_dir).match(Query(["ABBA RASHIDI"]))
    assert [r.entry.caption for r in results][:1] == ["ABBAS RASHIDI"]
    assert results[0].match


@pytest.mark.parametrize(
    ("query", "candidate"),
    [("Samuel CÁCERES", "Samuel CÁCERES MENDOZA"), ("POLVERINI, Matias", "POLVERINI GUTIERREZ, Matias")],
)
def test_bounds_hold_for_a_short_form_without_the_second_surname(query: str, candidate: str) -> None:
    q, c = analyze_name(query, "person"), analyze_name(candidate, "person")
    score = compare_names(q, c).score
    assert score >= DEFAULT_THRESHOLD
    keys = {k for part in q.parts for k in [part.key]}
    stand_ins = {key: frozenset({key}) for key in keys}
    assert PairBound(q, stand_ins, frozenset(keys))(c) >= score - 1e-9


# --- the close keys the index looks up -------------------------------------------------------


@given(two_spellings())
@PROPERTY
def test_the_bag_distance_never_exceeds_the_edit_distance(spellings: tuple[str, str]) -> None:
    """The fuzzy lookup skips keys by their letter counts: that test must never skip a key within reach."""
    a, b = spellings
    assert bag_distances(letter_counts([b]), letter_counts([a])[0])[0] <= OSA.distance(a, b)


def test_the_letter_count_filter_loses_no_close_key(lists_dir: Path) -> None:
    """On the UN list's own keys with one or two edits, the index finds what comparing every key
    sharing a trigram with the query finds (the lookup before the letter counts were asked)."""
    index, rng = un_matcher(lists_dir).index, random.Random(11)
    vocabulary = [key for key in index.vocabulary if len(key) >= FUZZY_MIN_LENGTH]
    for key in rng.sample(vocabulary, 300):
        typo = key
        for _ in range(rng.randint(1, 2)):
            typo = edited(typo, rng.choice(EDITS), rng.randrange(len(typo)), rng.choice("aeioukrnCS"))
        if len(typo) < FUZZY_MIN_LENGTH:
            continue  # looked up exactly only
        grams = [index.trigram_keys[index.trigram_ids[g]] for g in trigrams(typo) if g in index.trigram_ids]
        sharing = plausible_keys(np.concatenate(grams), index.key_lengths, len(typo)) if grams else np.zeros(0, int)
        expected = {
            index.vocabulary[int(sharing[position])]
            for _k, _similarity, position in process.extract(
                typo, [index.vocabulary[int(i)] for i in sharing], scorer=OSA.normalized_similarity,
                score_cutoff=FUZZY_MIN_SIMILARITY, limit=None,
            )
        }  # fmt: skip
        found = {index.vocabulary[i] for i, _s in index._find_similar_keys(typo)} - {typo}
        expected -= {typo}
        # the lookup keeps the FUZZY_MAX_KEYS closest: the same number, none worse than the last kept
        closest = sorted((OSA.normalized_similarity(typo, k) for k in expected), reverse=True)[:FUZZY_MAX_KEYS]
        assert found <= expected and len(found) == len(closest), typo
        assert min((OSA.normalized_similarity(typo, k) for k in found), default=1.0) >= min(closest, default=1.0)


# --- the name table of an update ---------------------------------------------------------------


def table_rows(table: NameTable) -> list[list[list[tuple]]]:
    """Per entry, per name, per part: its row and columns, as the bounds read them (ids of rows aside)."""
    return [
        [
            [(table.row(int(table.rows[k])), int(table.keys[k]), int(table.spelled[k]), float(table.least[k]))
             for k in range(table.part_offsets[n], table.part_offsets[n + 1])]
            for n in range(table.name_offsets[e], table.name_offsets[e + 1])
        ]
        for e in range(len(table.name_offsets) - 1)
    ]  # fmt: skip


def test_an_updated_name_table_takes_unchanged_entries_from_the_previous_one(lists_dir: Path) -> None:
    """An update's table reads only the entries that changed, and is the table a build from scratch makes."""
    before = un_matcher(lists_dir)
    if not before.has_name_table:
        before.build_name_table()  # as the saved index of the last build has it
    entries = list(before.entries)
    changed = [entries[5], dataclasses.replace(entries[7], names=entries[7].names[:1] + entries[40].names)]
    after_entries = entries[:5] + changed + entries[8:300] + entries[301:] + [dataclasses.replace(entries[9], id="zz-new")]
    after = Matcher(after_entries)
    read: list[int] = []
    name_rows = after.entries.name_rows
    after.entries.name_rows = lambda position: read.append(position) or name_rows(position)  # type: ignore[method-assign]
    after.build_name_table(before)
    assert sorted(read) == [6, len(after_entries) - 1]  # the changed entry and the new one
    fresh = NameTable.build(Matcher(after_entries).entries, after.index.key_ids)
    assert table_rows(after.name_table) == table_rows(fresh)
    for text in ["ABBA RASHIDI", "Abdulrahman Othman", "Elhassan"]:
        assert_bounds_hold(after, text)
