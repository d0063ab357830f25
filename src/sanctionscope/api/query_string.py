"""yente's `/search?q=` syntax (Elasticsearch's query_string, default operator AND), parsed with pyparsing.

    putin vladimir                  every word (AND is implied)
    "vladimir putin"                a phrase: its words one after another
    putin OR medvedev, a || b       either (OR binds looser than the implied AND: `a b OR c` is `(a b) OR c`)
    putin AND NOT vladimir, -x, !x  without; `+x` is the same as `x` (AND is the default)
    (a OR b) c                      grouping
    name:"Vladimir Putin"           a field: `name`/`names` (names only), `text`, `schema`, `entity_id`, `datasets`,
    countries:ru, birthDate:1952    a type group (countries, identifiers, topics, genders…) or a property

A field no entity has (`http:`, `foo:`) is read as words. A query that does not parse (an
unbalanced quote or bracket, a dangling operator, nesting deeper than Python recurses) is read as
plain words, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyparsing as pp
from followthemoney import model
from followthemoney.types import registry
from normality import normalize

#: fields that mean the names (yente indexes them as `names`; its documents say `name:`)
NAME_FIELDS = frozenset({"name", "names", "properties.name"})
#: fields with their own meaning here (besides type groups and properties)
OWN_FIELDS = frozenset({"text", "schema", "entity_id", "id", "datasets"})


def words(text: str) -> list[str]:
    """The words of a text, lower-cased and latinized (Бастрыкин → bastrykin), as the search table keeps them."""
    return (normalize(text, lowercase=True, latinize=True) or "").split()


@dataclass(frozen=True)
class Term:
    """A word, a word that analyses into several (`al-Qaida`: all of them), or a phrase, maybe of a field."""

    field: str | None
    value: str
    phrase: bool = False

    @property
    def words(self) -> list[str]:
        return words(self.value)


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class All:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple[Node, ...]


Node = Term | Not | All | AnyOf


def known_field(name: str) -> bool:
    """Whether a field is one the table answers: names, text, schema, ids, datasets, a type group, a property."""
    bare = name.removeprefix("properties.")
    return name in NAME_FIELDS or name in OWN_FIELDS or name in registry.groups or _is_property(bare)


@lru_cache(maxsize=1)
def _property_names() -> frozenset[str]:
    return frozenset(prop for schema in model.schemata.values() for prop in schema.properties)


def _is_property(name: str) -> bool:
    return name in _property_names()


def _term(tokens: pp.ParseResults) -> Node:
    modifier, field, value, phrase = tokens.get("mod"), tokens.get("field"), tokens.get("value"), "phrase" in tokens
    field_name = field[:-1] if field else None
    if field_name is not None and not known_field(field_name):
        term = Term(None, f"{field_name} {value}", phrase)  # `http://x`: words, not a field no entity has
    else:
        term = Term(field_name, value, phrase)
    return Not(term) if modifier == "-" else term


def _grouped(kind: type[All | AnyOf]):  # type: ignore[no-untyped-def]
    def action(tokens: pp.ParseResults) -> Node:
        children = tuple(tokens)
        return children[0] if len(children) == 1 else kind(children)

    return action


@lru_cache(maxsize=1)
def _grammar() -> pp.ParserElement:
    and_, or_ = pp.Keyword("AND") | pp.Literal("&&"), pp.Keyword("OR") | pp.Literal("||")
    not_ = pp.Keyword("NOT") | pp.Literal("!")
    operator = pp.Keyword("AND") | pp.Keyword("OR") | pp.Keyword("NOT")
    bare = pp.Regex(r'[^\s()"]+')  # any script: «Захарова» is a word
    value = pp.QuotedString('"', esc_char="\\")("phrase") | bare
    field = pp.Regex(r"[A-Za-z_][\w.]*:(?=\S)")("field")
    term = (pp.Opt(pp.one_of("+ -"))("mod") + pp.Opt(field) + value("value")).set_parse_action(_term)
    expression = pp.Forward()
    atom = (pp.Suppress("(") + expression + pp.Suppress(")")) | (~operator + term)
    unary = pp.Forward()
    unary <<= (pp.Suppress(not_) + unary).set_parse_action(lambda t: Not(t[0])) | atom
    conjunction = (unary + pp.ZeroOrMore(pp.Suppress(pp.Opt(and_)) + unary)).set_parse_action(_grouped(All))
    expression <<= (conjunction + pp.ZeroOrMore(pp.Suppress(or_) + conjunction)).set_parse_action(_grouped(AnyOf))
    return expression


def plain(q: str) -> Node | None:
    """The query as plain words, each required (what a query that does not parse means)."""
    found = words(q)
    if not found:
        return None
    terms = tuple(Term(None, word) for word in found)
    return terms[0] if len(terms) == 1 else All(terms)


@lru_cache(maxsize=256)
def parse(q: str) -> Node | None:
    """The query's tree; plain words if it does not parse; None for a query without words or fields."""
    if not q.strip():
        return None
    try:
        return _grammar().parse_string(q, parse_all=True)[0]
    except (pp.ParseException, RecursionError):
        return plain(q)


def name_text(node: Node | None) -> str:
    """The text the name matcher is asked for: the required words and phrases on names (not under OR or NOT)."""
    return " ".join(term.value for term in required_text(node))


def required_text(node: Node | None) -> list[Term]:
    """The words on names or all text that every result must have (the top level's, not fielded otherwise).

    Not phrases: a phrase asks for its words in that order, which the matcher (across orders) does not keep.
    """
    children = node.children if isinstance(node, All) else (node,) if node is not None else ()
    return [c for c in children if isinstance(c, Term) and not c.phrase and (c.field is None or c.field in NAME_FIELDS)]


def other_clauses(node: Node | None) -> list[Node]:
    """The top level's clauses besides required_text (what an entity the matcher adds must still pass)."""
    if node is None:
        return []
    children = node.children if isinstance(node, All) else (node,)
    text = required_text(node)
    return [c for c in children if not any(c is t for t in text)]
