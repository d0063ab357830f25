"""Australia, DFAT Consolidated List, XLSX (`regulation8_consolidated.xlsx`).

The sheet has one row per name: "8" is an entry's primary name, "8a", "8b", "8c1"... are
its aliases and original-script names, each repeating (or varying) the entry's details.
Rows are grouped by base reference into one record whose id is that number ("8").

Columns are found by their header text, not their position. Mapping: Name Type (Primary
Name / aka / Original Script / Formerly known as) → name types; Date of Birth (date cells,
year numbers or text such as "a) 12/01/1960; b) 1961", "Approximately 1955- 1958",
"Between 1972 and 1973") → birth dates; Place of Birth, Citizenship, Address (split at
"a) ... b) ..."); Committees → regimes; Additional Information and Listing Information →
remarks, verbatim. listed_on is the first listing date the Listing Information states
("Listed on 12 Apr. 2000", "Listed by UN 1267 Committee on 25 January 2001"); autonomous
designations cite only the instrument there, so listed_on falls back to the Control Date,
which for them is the designation date (Bastrykin 2022-03-30, Murashko 2023-02-24).
The Control Date is also kept as a remark. The publication date is the workbook's
docProps/core.xml `dcterms:modified`.

DFAT changed the layout on 1 November 2025: an "Alias Strength" column (a weak alias is a
weak alias here too), a "Type of Measure" column (targeted financial sanctions, travel ban...:
kept as a remark) and birth dates written "Approximately YYYY" (circa, as before). That layout
is read from DFAT's published description of it: no file in it is available here, so it is
tested on the real 2024 workbook with those columns added, not on a real file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sanctionscope.model import Address, FuzzyDate, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day, parse_fuzzy_date
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    add_country,
    append_unique,
    cell_text,
    read_sheet,
    reject_non_list,
    require_records,
    workbook_head_contains,
)

#: header text (lower case, white space collapsed) → field
_COLUMNS = {
    "reference": "reference",
    "name of individual or entity": "name",
    "type": "type",
    "name type": "name_type",
    "date of birth": "birth_date",
    "place of birth": "birth_place",
    "citizenship": "citizenship",
    "address": "address",
    "additional information": "information",
    "listing information": "listing",
    "instrument of first designation": "listing",
    "committees": "committees",
    "control date": "control_date",
    "listing date": "listing_date",
    # the layout of 1 November 2025
    "alias strength": "alias_strength",
    "type of measure": "measure",
    "types of measure": "measure",
}
_REQUIRED = {"reference": "Reference", "name": "Name of Individual or Entity", "type": "Type", "name_type": "Name Type"}

_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "vessel": Kind.VESSEL}
_NAME_TYPES = {
    "primary name": NameType.PRIMARY,
    "aka": NameType.ALIAS,
    "original script": NameType.ALIAS,
    "formerly known as": NameType.FORMER,
    "previously listed as": NameType.FORMER,
    "fka": NameType.FORMER,
}


_REFERENCE_RE = re.compile(r"^(\d+)\s*([A-Za-z]{0,3}\d*)$")
_FORMER_SUFFIX_RE = re.compile(r"\s*\((?:previously|formerly) listed as\)\s*$", re.IGNORECASE)
_ENUMERATION_RE = re.compile(r"(?:^|(?<=[\s;,]))[a-z]\)\s*")
_DATE_SEPARATORS_RE = re.compile(r";|\n|>>|\bor\b|\balt DOB:", re.IGNORECASE)
_CITIZENSHIP_SEPARATORS_RE = re.compile(r";|\n|/|,|\band\b", re.IGNORECASE)
_YEAR_RANGE_RE = re.compile(r"\b(\d{4})\s*[-–/]\s*(\d{4})\b")
_BETWEEN_RE = re.compile(r"^between\s+(.+?)\s+(?:and|to)\s+(.+)$", re.IGNORECASE)
_DMY_LIST_RE = re.compile(r"(?:\d{1,2}/\d{1,2}/\d{4}[\s,]*){2,}")
_DMY_RE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
_DAY_DOT_RE = re.compile(r"^(\d{1,2})\.\s*(?=[A-Za-z])")
_GLUED_YEAR_RE = re.compile(r"([A-Za-z]\.?)(\d{4})\b")
_LISTING_KEYWORD_RE = re.compile(r"\blist\w*|\bdesignated\b", re.IGNORECASE)
_TEXT_DAY_RE = re.compile(r"\b\d{1,2}(?:st|nd|rd|th)?\s*[A-Za-z]{3,9}\.?,?\s*\d{4}\b|\b\d{1,2}/\d{1,2}/\d{4}\b")


class AuDfatFormat(Format):
    name = "au_dfat_xlsx"
    default_source = "au_dfat"

    def claims(self, file: SourceFile) -> bool:
        if not file.name.lower().endswith(".xlsx") or not file.data.startswith(b"PK\x03\x04"):
            return False
        return "regulation8" in file.name.lower() or workbook_head_contains(file.data, b"Name of Individual or Entity")

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the DFAT consolidated list workbook")
        rows, modified = read_sheet(file)
        groups = _group_rows(file.label, rows)
        records = [_record(base, group) for base, group in groups.items()]
        require_records(file.label, records, "entries")
        return ParsedSnapshot(
            source=self.default_source,
            format=self.name,
            files=[file],
            records=records,
            published_on=modified.date() if modified else None,
        )


@dataclass
class _Row:
    """One sheet row: its number (1-based, as Excel shows it), reference and values by field."""

    number: int
    reference: str
    values: dict[str, Any]
    extra: dict[str, str] = field(default_factory=dict)


def _header(label: str, rows: list[tuple[Any, ...]]) -> tuple[int, list[str | None]]:
    """Index of the header row and the field of each column (None: not a known column)."""
    for index, row in enumerate(rows[:10]):
        texts = [(clean(str(cell)) or "").lower() if cell is not None else "" for cell in row]
        if "reference" not in texts:
            continue
        fields = [_COLUMNS.get(text) if text else None for text in texts]
        for key, caption in _REQUIRED.items():
            if key not in fields:
                raise SourceError(label, f"missing required column {caption!r} in the header row", line=index + 1)
        return index, fields
    raise SourceError(label, "missing required column 'Reference': no header row found in the first sheet")


def _group_rows(label: str, rows: list[tuple[Any, ...]]) -> dict[str, list[_Row]]:
    """Rows grouped by base reference, in sheet order; duplicate references raise SourceError."""
    header_index, fields = _header(label, rows)
    captions = [clean(str(cell)) if cell is not None else None for cell in rows[header_index]]
    groups: dict[str, list[_Row]] = {}
    seen: dict[str, int] = {}
    for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        row = _read_row(label, offset, cells, fields, captions)
        if row is None:
            continue
        if row.reference in seen:
            raise SourceError(
                label,
                f"record id: Reference {row.reference!r} appears more than once "
                f"(rows {seen[row.reference]} and {offset})",
                line=offset,
            )
        seen[row.reference] = offset
        match = _REFERENCE_RE.match(row.reference)
        if match is None:
            raise SourceError(label, f"unreadable Reference {row.reference!r}", line=offset)
        groups.setdefault(match.group(1), []).append(row)
    return groups


def _read_row(
    label: str, number: int, cells: tuple[Any, ...], fields: list[str | None], captions: list[str | None]
) -> _Row | None:
    values: dict[str, Any] = {}
    extra: dict[str, str] = {}
    width = len(fields)
    tail = cells[width:]
    # The sheet is 255 columns wide but only the first dozen are used: skip the empty tail fast.
    indexes = range(len(cells)) if tail.count(None) != len(tail) else range(min(width, len(cells)))
    for index in indexes:
        cell = cells[index]
        if cell is None or (isinstance(cell, str) and clean(cell) is None):
            continue
        key = fields[index] if index < width else None
        if key is not None:
            values[key] = cell
        else:
            # A column this parser does not know (or one without a header): keep what it says.
            caption = captions[index] if index < len(captions) else None
            extra[caption or f"column {index + 1}"] = cell_text(cell)
    if not values and not extra:
        return None
    reference = values.get("reference")
    if reference is None:
        raise SourceError(label, "row has data but no Reference", line=number)
    return _Row(number, cell_text(reference), values, extra)


def _record(base: str, rows: list[_Row]) -> Record:
    """One record from the rows of a base reference (the base row first, if present)."""
    rows = sorted(rows, key=lambda row: row.reference != base)
    first = rows[0].values
    record = Record(source="au_dfat", source_id=base, kind=_kind(first.get("type")))
    for row in rows:
        _add_row(record, row)
    if (kind_text := _text(first.get("type"))) and kind_text.lower() not in _KINDS:
        record.keep_unparsed("Type", kind_text)
    record.listed_on = _listed_on(rows)
    return record


def _kind(value: Any) -> Kind:
    return _KINDS.get((_text(value) or "").lower(), Kind.UNKNOWN)


def _text(value: Any) -> str | None:
    return None if value is None else clean(cell_text(value))


def _add_row(record: Record, row: _Row) -> None:
    values = row.values
    if name := _text(values.get("name")):
        name_type = _text(values.get("name_type"))
        append_unique(record.names, _name(record, name, name_type, _text(values.get("alias_strength"))))
    _add_birth_dates(record, values.get("birth_date"))
    for place in split_enumeration(_text(values.get("birth_place"))):
        append_unique(record.birth_places, place)
    for part in split_enumeration(_text(values.get("citizenship"))):
        # "Saudi Arabian (this aka only, alt Citizenship Yemeni)": a comment is kept whole, not split.
        pieces = [part] if "(" in part else _CITIZENSHIP_SEPARATORS_RE.split(part)
        for piece in pieces:
            add_country(record, record.citizenships, piece, "Citizenship")
    for text in split_enumeration(_text(values.get("address"))):
        code = address_country(text)
        append_unique(record.addresses, Address(full=text, country=code))
        append_unique(record.countries, code)
    append_unique(record.regimes, _text(values.get("committees")))
    append_unique(record.remarks, _text(values.get("information")))
    if listing := _text(values.get("listing")):
        append_unique(record.remarks, f"Listing information: {listing}")
    if control := _text(values.get("control_date")):
        append_unique(record.remarks, f"Control date: {control}")
    if measure := _text(values.get("measure")):
        append_unique(record.remarks, f"Type of measure: {measure}")
    for caption, text in row.extra.items():
        record.keep_unparsed(caption, text)


def _name(record: Record, text: str, name_type: str | None, strength: str | None = None) -> Name:
    kind = _NAME_TYPES.get((name_type or "").lower())
    if kind is None:
        if name_type:
            record.keep_unparsed("Name Type", name_type)
        kind = NameType.ALIAS
    if kind == NameType.ALIAS and strength and strength.lower().startswith(("weak", "low")):
        kind = NameType.WEAK_ALIAS
    if _FORMER_SUFFIX_RE.search(text):
        # "Abdul Jalil Haqqani (previously listed as)": a former name, whatever the Name Type says.
        return Name(full=_FORMER_SUFFIX_RE.sub("", text), type=NameType.FORMER)
    return Name(full=text, type=kind)


def split_enumeration(text: str | None) -> list[str]:
    """Split "a) X b) Y" into ["X", "Y"]; text without such markers is one item."""
    if not text:
        return []
    return [c for part in _ENUMERATION_RE.split(text) if (c := clean(part.strip(" ;,")))]


def address_country(text: str) -> str | None:
    """Country code of an address: its last comma-separated part, else its last word."""
    last = text.rsplit(",", 1)[-1]
    return country_code(last) or country_code(last.split()[-1] if last.split() else None)


def _add_birth_dates(record: Record, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, datetime):
        append_unique(record.birth_dates, FuzzyDate(value.date().isoformat()))
        return
    if isinstance(value, int | float):
        year = int(value)
        if 1000 <= year <= 2999:
            append_unique(record.birth_dates, FuzzyDate(str(year)))
        else:
            record.keep_unparsed("Date of Birth", cell_text(value))
        return
    for part in split_enumeration(_text(value)):
        for piece in _DATE_SEPARATORS_RE.split(part):
            piece = clean(piece.strip(" ;,"))
            if piece is None or piece.lower() == "na":
                continue
            # "01/10/1983,15/10/1983, 01/01/1980": several days without a usable separator.
            days = _DMY_RE.findall(piece) if _DMY_LIST_RE.fullmatch(piece) else [piece]
            for day in days:
                date = dfat_date(day)
                if date is None:
                    record.keep_unparsed("Date of Birth", day)
                else:
                    append_unique(record.birth_dates, date)


def dfat_date(text: str) -> FuzzyDate | None:
    """One DFAT date of birth ("27/08/1953", "12. Jul 1960", "Approximately 1955- 1958", "Between 1972 and 1973")."""
    body = text.strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    body = _DAY_DOT_RE.sub(r"\1 ", body)
    body = _GLUED_YEAR_RE.sub(r"\1 \2", body)
    body = _YEAR_RANGE_RE.sub(r"\1 to \2", body)
    if match := _BETWEEN_RE.match(body):
        body = f"{match.group(1)} to {match.group(2)}"
    parsed = parse_fuzzy_date(body)
    if parsed is None:
        return None
    raw = text if text != parsed.value else None
    return FuzzyDate(parsed.value, parsed.until, parsed.circa, raw=raw)


def listing_date(text: str) -> str | None:
    """The first day stated after "listed"/"designated" and before any "amended".

    "Listed on 12 Apr. 2000 (amended on 3 Sep. 2003)" → "2000-04-12"; an instrument name alone → None.
    """
    keyword = _LISTING_KEYWORD_RE.search(text)
    start = keyword.end() if keyword else 0
    if keyword is None and not _TEXT_DAY_RE.match(text.strip()):
        return None  # a date without "listed" is not a listing date ("Assets received on or after ...")
    for match in _TEXT_DAY_RE.finditer(text, start):
        if "amend" in text[start : match.start()].lower():
            return None
        candidate = _GLUED_YEAR_RE.sub(r"\1 \2", match.group(0))
        candidate = re.sub(r"^(\d{1,2})(?:st|nd|rd|th)", r"\1", candidate)
        day = parse_day(candidate)
        if day is not None:
            return day.isoformat()
    return None


def _listed_on(rows: list[_Row]) -> str | None:
    """The listing date the rows state (base row first), else the Control Date."""
    for row in rows:
        for key in ("listing_date", "listing"):
            value = row.values.get(key)
            if isinstance(value, datetime | date):
                return value.isoformat()[:10]
            if isinstance(value, str) and (day := listing_date(value)):
                return day
    for row in rows:
        value = row.values.get("control_date")
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, str) and (control := parse_day(value)):
            return control.isoformat()
    return None


FORMAT = AuDfatFormat()
