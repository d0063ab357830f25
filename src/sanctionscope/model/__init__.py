"""The record model: one entry of an official list, as its publisher states it.

Every parser produces `Record` objects; every later stage (store, resolve, index,
match, surfaces) reads them. Records are plain data: they serialize to a canonical
JSON-able dict (`Record.to_dict`) whose hash identifies a version of the entry.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from functools import lru_cache
from typing import Any

import icu
import orjson
from rigour.text.scripts import codepoint_script


class Kind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class NameType(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"  # "a.k.a.", strong alias
    WEAK_ALIAS = "weak_alias"  # OFAC "low quality" / UN "bad quality" aliases
    FORMER = "former"  # "f.k.a.", former names


def detect_script(text: str) -> str | None:
    """Return the ISO 15924 code of the dominant script of `text` (Latn, Cyrl, Arab, Grek, Hani, ...).

    Only letters count; ties and letter-less strings give None.
    """
    if text.isascii():  # most names: every ASCII letter is Latin
        return "Latn" if _ASCII_LETTER.search(text) else None
    counts: dict[str, int] = {}
    for char, occurrences in Counter(text).items():  # distinct characters, in order of first occurrence
        if char.isalpha():
            script = _script_of(char)
            counts[script] = counts.get(script, 0) + occurrences
    if not counts:
        return None
    return max(counts.items(), key=lambda item: item[1])[0]


_ASCII_LETTER = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=8192)
def _script_of(char: str) -> str:
    """The ISO 15924 code of a character's script: Unicode's script (rigour) under ICU's short code."""
    return _iso_15924(codepoint_script(ord(char)) or "Common")


@lru_cache(maxsize=256)
def _iso_15924(script_name: str) -> str:
    codes = icu.Script.getCode(script_name.replace(" ", "_"))
    return icu.Script(codes[0]).getShortName() if codes else "Zyyy"


@dataclass(frozen=True, slots=True)
class Name:
    """One name of a record. `full` is the name as written; the parts are set when the source splits them."""

    full: str
    type: NameType = NameType.PRIMARY
    script: str | None = None
    given: str | None = None
    patronymic: str | None = None
    family: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.script is None:
            object.__setattr__(self, "script", detect_script(self.full))


_FUZZY_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date as lists state them: a year, a month or a day; possibly a range or "circa".

    `value` is an ISO prefix ("1953", "1953-08", "1953-08-27"); `until` closes a range;
    `raw` is the source's text, kept whenever it was not already ISO.
    """

    value: str | None
    until: str | None = None
    circa: bool = False
    raw: str | None = None

    def __post_init__(self) -> None:
        for part in (self.value, self.until):
            if part is not None and not _FUZZY_DATE_RE.match(part):
                raise ValueError(f"not an ISO date prefix: {part!r}")

    @property
    def precision(self) -> str:
        """'day', 'month', 'year', 'range' or 'unknown'."""
        if self.until:
            return "range"
        if self.value is None:
            return "unknown"
        return {4: "year", 7: "month", 10: "day"}[len(self.value)]

    @property
    def years(self) -> range:
        """The years this date may fall in."""
        if self.value is None:
            return range(0)
        start = int(self.value[:4])
        end = int(self.until[:4]) if self.until else start
        return range(start, end + 1)


@dataclass(frozen=True, slots=True)
class Identifier:
    """A document or registry number: passport, national id, INN, OGRN, IMO, SWIFT/BIC, ..."""

    type: str
    value: str
    country: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Address:
    full: str
    country: str | None = None


@dataclass(slots=True)
class Record:
    """One entry of one source, under the id its publisher uses."""

    source: str
    source_id: str
    kind: Kind
    names: list[Name] = field(default_factory=list)
    birth_dates: list[FuzzyDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    citizenships: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    gender: str | None = None
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    regimes: list[str] = field(default_factory=list)
    listed_on: str | None = None
    reason: str | None = None
    remarks: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)
    cross_refs: list[str] = field(default_factory=list)
    # Values the parser could not interpret, kept verbatim under the source's field name.
    unparsed: dict[str, list[str]] = field(default_factory=dict)
    # FollowTheMoney sources only (the official lists state none of these): the entity as its
    # publisher states it, so that it is served back unchanged. `ftm_schema` ("Company"),
    # `ftm_properties` (every property as published, topics included), `datasets` (the
    # publications it was collected from), `target` (whether the publisher calls it a target),
    # `first_seen` and `last_change` (the publisher's own ISO datetimes).
    ftm_schema: str | None = None
    ftm_properties: dict[str, list[str]] = field(default_factory=dict)
    datasets: list[str] = field(default_factory=list)
    target: bool | None = None
    first_seen: str | None = None
    last_change: str | None = None

    @property
    def id(self) -> str:
        return f"{self.source}:{self.source_id}"

    @property
    def caption(self) -> str:
        for name in self.names:
            if name.type == NameType.PRIMARY:
                return name.full
        return self.names[0].full if self.names else self.source_id

    def keep_unparsed(self, field_name: str, raw: str) -> None:
        """Remember a value that could not be parsed, so that nothing the source said is lost."""
        values = self.unparsed.setdefault(field_name, [])
        if raw not in values:
            values.append(raw)

    def to_dict(self) -> dict[str, Any]:
        """Canonical, JSON-able form: empty fields are left out, list order is the source's."""
        data: dict[str, Any] = {}
        for name in _FIELD_NAMES[Record]:
            value = getattr(self, name)
            if value in (None, [], {}, ""):
                continue
            if name in _DATACLASS_LISTS:
                value = [_compact(item) for item in value]
            elif isinstance(value, StrEnum):
                value = value.value
            data[name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        kwargs = dict(data)
        kwargs["kind"] = Kind(kwargs["kind"])
        for name, item_cls in _DATACLASS_LISTS.items():
            if name in kwargs:
                kwargs[name] = [item_cls(**item) for item in kwargs[name]]
        kwargs["names"] = [Name(**{**asdict(n), "type": NameType(n.type)}) for n in kwargs.get("names", [])]
        return cls(**kwargs)

    def content_hash(self) -> str:
        """Hash of the record's content, insensitive to the order of its list fields.

        Publishers reorder child elements between downloads of the same list (OFAC's XML does);
        that must not count as an amendment.
        """
        return content_hash(self.to_dict())


def _compact(item: Any) -> dict[str, Any]:
    """A name, date, identifier or address as a dict without its empty fields (their fields are all scalars:
    read directly, not through `asdict`'s deep copy, which took most of a million-record load)."""
    values = ((name, getattr(item, name)) for name in _FIELD_NAMES[type(item)])
    return {k: (v.value if isinstance(v, StrEnum) else v) for k, v in values if v not in (None, False, "")}


_DATACLASS_LISTS: dict[str, type] = {
    "names": Name,
    "birth_dates": FuzzyDate,
    "identifiers": Identifier,
    "addresses": Address,
}
_FIELD_NAMES: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in fields(cls)) for cls in (Record, *_DATACLASS_LISTS.values())
}


def canonical_json(value: Any) -> bytes:
    """The value as JSON with dict keys sorted and list items sorted by their own JSON, so that equal
    content gives equal bytes whatever order a publisher wrote it in. Each item is serialized once."""
    if isinstance(value, dict):
        nested = [key for key, item in value.items() if isinstance(item, _CONTAINERS)]
        if not nested:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        return b"{" + b",".join([orjson.dumps(key) + b":" + canonical_json(value[key]) for key in sorted(value)]) + b"}"
    if isinstance(value, list):
        if not value:
            return b"[]"
        return b"[" + b",".join(sorted([canonical_json(item) for item in value])) + b"]"
    return orjson.dumps(value)


_CONTAINERS = (dict, list)


def content_hash(data: dict[str, Any]) -> str:
    """SHA-1 of a record dict in canonical form (sorted keys, sorted lists)."""
    return hashlib.sha1(canonical_json(data)).hexdigest()
