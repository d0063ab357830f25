"""/search as yente does it: text over names and other properties, filters, facets, sorting and paging.

yente asks Elasticsearch; sanctionscope keeps one compact row per entity (built on the first
search of a data version): its schema, sources, datasets, the values of each FollowTheMoney type
group (countries, topics, identifiers, genders…), its `prop:value` pairs for `filter`, the words
of its names and of its other text, the word pairs of its names (for phrases), and its dates. A
text query is yente's `query_string` with AND (api/query_string.py: phrases, OR, NOT, -, fields):
every word must be in the entity's names or other text (names count three times); the matcher
adds the entities whose names match the query's required words across scripts and spellings
(Бастрыкин for Bastrykin), if they pass the query's other clauses, ranked by its score.
"""

from __future__ import annotations

import enum
import sys
import threading
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

from fastapi import HTTPException
from followthemoney import model
from followthemoney.schema import Schema
from followthemoney.types import registry

from sanctionscope.api import query_string
from sanctionscope.api.datasets import Selection
from sanctionscope.api.query_string import NAME_FIELDS, All, AnyOf, Not, Term
from sanctionscope.match.query import QueryError, build_query

#: how strongly a word found in a name counts against one found in other text (yente: names^3)
NAME_BOOST = 3.0
#: longer values are found by their words, not by `filter` (they are not kept whole)
MAX_FILTER_VALUE = 100
#: the matcher adds an entity to a text query's results when its names match at least this well (a looser match
#: of a few words, e.g. a surname and a town, would break the words' AND) ...
MATCHER_CUTOFF = 0.7
#: ... and orders the entities the words found by its scores down to this
MATCHER_ORDER_CUTOFF = 0.5


class Facet(str, enum.Enum):
    DATASETS = "datasets"
    SCHEMA = "schema"
    COUNTRIES = "countries"
    IDENTIFIERS = "identifiers"
    TOPICS = "topics"
    GENDERS = "genders"


class Operator(str, enum.Enum):
    AND = "AND"
    OR = "OR"


DEFAULT_FACETS = [Facet.COUNTRIES, Facet.TOPICS, Facet.DATASETS]


words = query_string.words


def word_pairs(found: list[str]) -> list[str]:
    """The pairs of consecutive words ("vladimir putin"), as a phrase is looked up."""
    return [f"{a} {b}" for a, b in pairwise(found)]


@dataclass(slots=True)
class SearchRow:
    """What a search reads off one entity for itself; its words and values are in the table's postings."""

    id: str
    schema: str
    caption: str
    sources: frozenset[str]
    datasets: frozenset[str]
    target: bool
    first_seen: str | None
    last_seen: str | None
    last_change: str | None


#: fields a result can be sorted by (yente: any indexed field), with how to read them off a row
SORT_FIELDS: dict[str, Callable[[SearchRow], Any]] = {
    "caption": lambda row: row.caption.casefold(),
    "entity_id": lambda row: row.id,
    "id": lambda row: row.id,
    "schema": lambda row: row.schema,
    "first_seen": lambda row: row.first_seen,
    "last_seen": lambda row: row.last_seen,
    "last_change": lambda row: row.last_change,
}


@dataclass
class IndexedEntity:
    """One entity as the table indexes it: its row, and the words and values that lead to it."""

    row: SearchRow
    groups: dict[str, set[str]]
    pairs: set[str]
    name_words: set[str]
    text_words: set[str]
    name_pairs: set[str]


def indexed_entity(entity: dict[str, Any], sources: Iterable[str]) -> IndexedEntity:
    """What the table keeps of one entity (a yente-shaped dict) and the sources its records come from."""
    schema = model.get(entity["schema"])
    groups: dict[str, set[str]] = defaultdict(set)
    pairs: set[str] = set()
    name_words: set[str] = set()
    text_words: set[str] = set()
    name_pairs: set[str] = set()
    for prop_name, values in entity["properties"].items():
        prop = schema.get(prop_name) if schema else None
        texts = [v for v in values if isinstance(v, str)]
        if prop is None or prop.type not in (registry.name, registry.text):  # names and notes: by their words
            pairs.update(f"{prop_name}:{v.casefold()}" for v in texts if len(v) <= MAX_FILTER_VALUE)
        if prop is not None and prop.type.group and prop.type != registry.name:
            groups[prop.type.group].update(texts)
        is_name = prop is not None and prop.type == registry.name
        found = name_words if is_name else text_words
        for text in texts:
            these = words(text)
            found.update(these)
            if is_name:
                name_pairs.update(word_pairs(these))
    groups["datasets"] = set(entity.get("datasets", []))
    groups["schema"] = {entity["schema"]}
    row = SearchRow(
        id=entity["id"],
        schema=entity["schema"],
        caption=entity["caption"],
        sources=_shared(frozenset(sources)),
        datasets=_shared(frozenset(groups["datasets"])),
        target=bool(entity.get("target")),
        first_seen=entity.get("first_seen"),
        last_seen=entity.get("last_seen"),
        last_change=entity.get("last_change"),
    )
    return IndexedEntity(row, groups, pairs, name_words, text_words - name_words, name_pairs)


@lru_cache(maxsize=4096)
def _shared(values: frozenset[str]) -> frozenset[str]:
    """One instance of each set of sources or datasets (a few hundred combinations among all entities)."""
    return values


#: a value's rows: one row number, or an array of them (most values lead to one entity: no array for those)
Postings = dict[str, "int | array[int]"]


class SearchTable:
    """Every entity of one data version: its row, and postings (word or value → row numbers, ascending).

    Postings rather than sets per entity: a few bytes per value instead of a set's overhead.
    """

    def __init__(self, entities: Iterable[IndexedEntity]):
        self.rows: list[SearchRow] = []
        self.groups: dict[str, Postings] = defaultdict(dict)
        self.pairs: Postings = {}
        self.name_words: Postings = {}
        self.text_words: Postings = {}
        self.name_pairs: Postings = {}
        for number, entity in enumerate(sorted(entities, key=lambda e: e.row.id)):
            self.rows.append(entity.row)
            for group, values in entity.groups.items():
                for value in values:
                    _post(self.groups[group], value, number)
            for key, postings in ((entity.pairs, self.pairs), (entity.name_words, self.name_words),
                                  (entity.text_words, self.text_words), (entity.name_pairs, self.name_pairs)):  # fmt: skip
                for value in key:
                    _post(postings, value, number)
        self.by_id = {row.id: number for number, row in enumerate(self.rows)}

    def __len__(self) -> int:
        return len(self.rows)

    def field(self, name: str, value: str) -> set[int]:
        """The rows whose filter field has this value: a type group (countries…), datasets, schema, id or property."""
        if name in ("entity_id", "id"):
            return {self.by_id[value]} if value in self.by_id else set()
        if name in self.groups or name in registry.groups:
            return set(_rows(self.groups.get(name, {}).get(value)))
        return set(_rows(self.pairs.get(f"{name.removeprefix('properties.')}:{value.casefold()}")))


def _post(postings: Postings, key: str, number: int) -> None:
    found = postings.get(key)
    if found is None:
        postings[sys.intern(key)] = number
    elif isinstance(found, int):
        postings[key] = array("I", (found, number))
    else:
        found.append(number)


def _rows(found: int | array[int] | None) -> Iterable[int]:
    """The row numbers of a posting (none for a value no entity has)."""
    if found is None:
        return ()
    return (found,) if isinstance(found, int) else found


class SearchTables:
    """The search table of the current data version, loaded once when a search first needs it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: str | None = None
        self._table: SearchTable | None = None

    def get(self, version: str, load: Callable[[], SearchTable]) -> SearchTable:
        with self._lock:
            if self._table is None or self._version != version:
                self._table, self._version = load(), version
            return self._table


@dataclass(frozen=True)
class SearchRequest:
    """A /search request's criteria, as yente names them."""

    q: str = ""
    schema: str = "Thing"
    selection: Selection | None = None  # the path dataset, include_dataset, exclude_dataset (None: everything)
    exclude_schema: tuple[str, ...] = ()
    changed_since: str | None = None
    filters: tuple[tuple[str, str], ...] = ()
    filter_op: Operator = Operator.OR
    target: bool | None = None
    sort: tuple[str, ...] = ()


def parse_filters(countries: list[str], topics: list[str], datasets: list[str], filters: list[str]) -> list[tuple[str, str]]:
    """yente's filters: the named parameters and `field:value` pairs (400 for one without a colon)."""
    out = [("countries", c) for c in countries] + [("topics", t) for t in topics] + [("datasets", d) for d in datasets]
    for text in filters:
        field, colon, value = text.partition(":")
        if not colon or not field:
            raise HTTPException(400, f"Invalid filter: {text!r} (use field:value, e.g. countries:ru or birthDate:1965)")
        out.append((field, value))
    return out


def search_schemata(name: str) -> set[str]:
    """The schemata a search for `name` returns: those matchable with it (all below it for Thing); 400 if unknown."""
    schema: Schema | None = model.get(name)
    if schema is None:
        raise HTTPException(400, f"Invalid schema: {name!r}")
    schemata = set(schema.matchable_schemata)
    if not schema.matchable:
        schemata.update(schema.descendants)
    schemata.add(schema)
    return {s.name for s in schemata}


def filtered_rows(table: SearchTable, request: SearchRequest) -> set[int] | None:
    """The rows `filter`, `countries`, `topics` and `datasets` leave (None: they leave every row).

    Several values of one field: any of them (OR, yente's default) or all (AND); fields: all.
    """
    by_field: dict[str, list[str]] = defaultdict(list)
    for field, value in request.filters:
        by_field[field].append(value)
    left: set[int] | None = None
    for field, values in by_field.items():
        matched = [table.field(field, value) for value in values]
        rows = set.union(*matched) if request.filter_op == Operator.OR else set.intersection(*matched)
        left = rows if left is None else left & rows
    return left


def row_filter(request: SearchRequest) -> Callable[[SearchRow], bool]:
    """The test a row must pass on its own: scope, datasets, schema, target, changed_since."""
    schemata = search_schemata(request.schema)
    excluded_schemata = set(request.exclude_schema)

    def passes(row: SearchRow) -> bool:
        if request.selection is not None and not request.selection.selects(row.datasets, row.sources):
            return False
        if row.schema not in schemata or row.schema in excluded_schemata:
            return False
        if request.target is not None and row.target != request.target:
            return False
        return not request.changed_since or (row.last_change or "") > request.changed_since

    return passes


def text_scores(table: SearchTable, q: str) -> dict[int, float] | None:
    """yente's query_string with AND: the rows the query finds, scored in [0, 1]. None for a query without words.

    A term is found in the names (score 1) or in other text (1 / NAME_BOOST: names count three times);
    all of AND's clauses must be found (their mean), one of OR's (the best); NOT removes.
    """
    node = query_string.parse(q)
    return None if node is None else _evaluate(table, node)


def _evaluate(table: SearchTable, node: query_string.Node) -> dict[int, float]:
    if isinstance(node, Term):
        return _term_rows(table, node)
    if isinstance(node, Not):
        excluded = _evaluate(table, node.child)
        return {n: 0.0 for n in range(len(table)) if n not in excluded}
    if isinstance(node, AnyOf):
        found: dict[int, float] = {}
        for child in node.children:
            for n, score in _evaluate(table, child).items():
                found[n] = max(found.get(n, 0.0), score)
        return found
    positive = [c for c in node.children if not isinstance(c, Not)]
    negative = [c for c in node.children if isinstance(c, Not)]
    if not positive:  # only NOTs: everything but what they name
        scores = dict.fromkeys(range(len(table)), 0.0)
        sums: dict[int, float] = scores
    else:
        sums = {}
        for index, child in enumerate(positive):
            here = _evaluate(table, child)
            sums = here if index == 0 else {n: sums[n] + here[n] for n in sums.keys() & here.keys()}
            if not sums:
                return {}
        sums = {n: score / len(positive) for n, score in sums.items()}
    for child in negative:
        for n in _evaluate(table, child.child):
            sums.pop(n, None)
    return sums


def _term_rows(table: SearchTable, term: Term) -> dict[int, float]:
    """The rows a term finds: its words (or phrase) in names or text, or a field's value."""
    if term.field is not None and term.field not in NAME_FIELDS and term.field != "text":
        # keyword fields match regardless of case, as yente's normalizer lowercases them (countries:RU)
        variants = {term.value, term.value.lower(), term.value.upper()}
        return dict.fromkeys(set().union(*(table.field(term.field, v) for v in variants)), 1.0)
    found = term.words
    if not found:
        return {}
    in_names = _all(table.name_words, found)
    if term.phrase and len(found) > 1:
        in_names &= _all(table.name_pairs, word_pairs(found))
    scores = dict.fromkeys(in_names, 1.0)
    if term.field is None or term.field == "text":  # other text: by its words (no positions are kept there)
        also = None if term.phrase else table.name_words  # a phrase's words out of order in a name are not it
        for n in _all(table.text_words, found, also=also) - in_names:
            scores[n] = 1.0 / NAME_BOOST
    return scores


def _all(postings: Postings, keys: list[str], also: Postings | None = None) -> set[int]:
    """The rows with every key (in `postings`, or in `also`)."""
    rows: set[int] | None = None
    for key in keys:
        here = set(_rows(postings.get(key))) | (set(_rows(also.get(key))) if also is not None else set())
        rows = here if rows is None else rows & here
        if not rows:
            return set()
    return rows or set()


def matcher_rows(table: SearchTable, q: str) -> set[int] | None:
    """The rows an entity the name matcher adds must be in: those passing the query's other clauses (None: all)."""
    others = query_string.other_clauses(query_string.parse(q))
    if not others:
        return None
    return set(_evaluate(table, All(tuple(others)) if len(others) > 1 else others[0]))


def name_scores(matcher: Any, table: SearchTable, q: str, sources: set[str] | None, limit: int) -> dict[int, float]:
    """The matcher's score of each entity whose names match `q` across scripts and spellings."""
    text = query_string.name_text(query_string.parse(q))
    if not text:
        return {}
    try:
        query = build_query([text])
    except QueryError:
        return {}
    found = matcher.match(query, limit=limit, threshold=1.01, sources=sources, cutoff=MATCHER_ORDER_CUTOFF)
    return {table.by_id[r.entry.id]: r.score for r in found if r.entry.id in table.by_id}


def rank(table: SearchTable, request: SearchRequest, matched: dict[int, float]) -> list[tuple[int, float]]:
    """The rows a request finds, best first (ties in id order, as yente breaks them), then by `sort`."""
    passes = row_filter(request)
    texts = text_scores(table, request.q)
    if texts is None:
        candidates: Iterable[int] = range(len(table))
        scores: dict[int, float] = {}
    else:
        # the words decide what is found; the matcher's name score orders it (and adds what it finds well)
        allowed = matcher_rows(table, request.q) if matched else None
        added = {n for n, score in matched.items() if score >= MATCHER_CUTOFF and (allowed is None or n in allowed)}
        scores = {n: (texts.get(n, 0.0) + matched.get(n, 0.0)) / 2 for n in texts.keys() | added}
        candidates = sorted(scores)
    left = filtered_rows(table, request)
    found = [(n, scores.get(n, 0.0)) for n in candidates if (left is None or n in left) and passes(table.rows[n])]
    found.sort(key=lambda pair: -pair[1])  # stable: ties stay in id order
    for text in reversed(request.sort):
        field, _, order = text.rpartition(":") if ":" in text else (text, "", "asc")
        if field in ("_score", "score"):
            found.sort(key=lambda pair: pair[1], reverse=order != "asc")
            continue
        if field not in SORT_FIELDS:
            raise HTTPException(400, f"Invalid sort field {field!r} (use one of {', '.join(sorted(SORT_FIELDS))}, score)")
        read = SORT_FIELDS[field]
        present = [pair for pair in found if read(table.rows[pair[0]]) is not None]
        missing = [pair for pair in found if read(table.rows[pair[0]]) is None]
        present.sort(key=lambda pair: read(table.rows[pair[0]]), reverse=order == "desc")
        found = present + missing  # missing values last, in either order (yente: "missing": "_last")
    return found


def facets(table: SearchTable, found: Iterable[int], names: list[Facet], titles: dict[str, str]) -> dict[str, Any]:
    """yente's facet counts over every result (not the page), labelled as yente labels them."""
    rows = set(found)
    out: dict[str, Any] = {}
    for facet in names:
        groups = table.groups.get(facet.value, {})
        counts = {value: sum(1 for n in _rows(found) if n in rows) for value, found in groups.items()}
        label, value_label = _facet_labels(facet.value, titles)
        values = [{"name": key, "label": value_label(key), "count": count}
                  for key, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if count]  # fmt: skip
        out[facet.value] = {"label": label, "values": values}
    return out


def _facet_labels(field: str, titles: dict[str, str]) -> tuple[str, Callable[[str], str]]:
    if field == "datasets":
        return "Data sources", lambda key: titles.get(key, key)
    if field == "schema":
        return "Entity types", lambda key: schema.plural if (schema := model.get(key)) else key
    kind = registry.groups[field]
    return kind.plural, lambda key: kind.caption(key) or key


def prefix_rows(table: SearchTable, prefix: str) -> list[int]:
    """The rows with a name holding every word of the prefix, its last word maybe unfinished (yente: a phrase prefix)."""
    prefix_words = words(prefix)
    if not prefix_words:
        return []
    *whole, last = prefix_words
    found: set[int] | None = None
    for word in whole:
        rows = set(_rows(table.name_words.get(word)))
        found = rows if found is None else found & rows
    started = {n for word, posting in table.name_words.items() if word.startswith(last) for n in _rows(posting)}
    return sorted(started if found is None else found & started)
