"""UK, OFSI Consolidated List of Asset Freeze Targets (HM Treasury), as CSV (`ConList.csv`) or XLSX (`ConList.xlsx`).

OFSI published this list until January 2026, when the FCDO's UK Sanctions List (`gb_fcdo`)
replaced it. Written from the real files (2016, 2018 and 2020 CSV; 2025 XLSX). Two layouts:

- the old one (29 columns: Name 6, Name 1 … Name 5, Title, DOB, Town of Birth, Country of
  Birth, Nationality, Passport Details, NI Number, Position, Address 1 … 6, Post/Zip Code,
  Country, Other Information, Group Type, Alias Type, Regime, Listed On, Last Updated, Group ID);
- the 2022 one (36 columns): adds Name Non-Latin Script, Non-Latin Script Type and Language,
  Passport Number, National Identification Number and Details, Alias Quality and "UK Sanctions
  List Date Designated", and moves the gender, the statement of reasons, phone numbers, ship
  details... into Other Information as "(Key):value" segments.

Columns are found by their header text, not their position. Both layouts start with a line
"Last Updated,23/03/2016" (the publication date) before the header. The CSVs are Windows-1252
(UTF-8 is read too); a file with NUL bytes (UTF-16) is refused.

One row per name; rows are grouped by Group ID into one record whose id is that number
("gb_ofsi:13867"), each row repeating (or varying) the group's details. Identical rows occur in
the real files (56 in 2025) and a group's rows need not be adjacent: both are normal here.
Mapping:
  Name 1…5, Name 6          given parts and family name (Name 6 alone for entities), joined;
                            Alias Type Prime Alias / Primary name → primary (the first; a group's
                            further primary names are aliases), Primary name variation and AKA →
                            alias, FKA → former; Alias Quality "Low quality" → weak alias
  Name Non-Latin Script     → alias in its script, its language as a code
  Title                     → positions, with Position (split at "(1) … (2) …")
  DOB                       dd/mm/yyyy with 00 for an unknown day or month → birth dates
  Town/Country of Birth     → birth places;  Nationality → nationalities (split at "(1) …")
  Passport Number/Details   paired by their "(n)" → passport identifiers with the details as note;
                            the old layout's free-text Passport Details and NI Number → remarks
  National Identification   → national_id identifiers (2022 layout)
  Address 1…6, Post/Zip Code, Country → addresses
  Group Type                Individual → person, Entity → organization, Ship → vessel
  Regime → regimes;  Listed On → listed_on (the earliest of the group's rows; for entries the EU
                            listed before 2021 this is that listing, which applied in the UK)
  UK Sanctions List Date Designated, Last Updated → remarks
  Other Information         (UK Sanctions List Ref) → cross_refs "gb_fcdo:<ref>" (the UK Sanctions
                            List's id); (UN Ref) or "UN Ref QDi.042" in old text → cross_refs
                            "un_sc:<ref>"; (Gender) → gender; (UK Statement of Reasons) → reason;
                            (IMO number) and (Business Reg No) → identifiers; phone, e-mail, web
                            and fax → unparsed (the model has no field); every other segment and
                            the free text → remarks
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    add_country,
    append_unique,
    cell_text,
    joined,
    read_sheet,
    read_table,
    reject_non_list,
    require_records,
    set_listed_on,
    workbook_head_contains,
)
from sanctionscope.sources.eu_fsf import add_gender
from sanctionscope.sources.gb_fcdo import add_non_latin_name, uk_birth_date

_REQUIRED = ("Name 6", "Group Type", "Group ID")
_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "ship": Kind.VESSEL}
_NAME_TYPES = {
    "prime alias": NameType.PRIMARY,
    "primary name": NameType.PRIMARY,
    "primary name variation": NameType.ALIAS,
    "aka": NameType.ALIAS,
    "fka": NameType.FORMER,
}
#: the first line of both layouts: "Last Updated,23/03/2016" (CSV) or cells "Last Updated", "10/04/2025"
_LAST_UPDATED_RE = re.compile(r'^\ufeff?"?Last Updated"?\s*,\s*"?([0-9/]+)')
_ENUMERATION_RE = re.compile(r"(?:^|\s)\(?(\d{1,2})\)\s*")
#: the "(Key):" segments of the 2022 layout's Other Information, by the keys the real files use
_SEGMENT_KEYS = (
    "UK Sanctions List Ref",
    "UK Statement of Reasons",
    "UN Ref",
    "Gender",
    "Phone number",
    "Email address",
    "Website",
    "Fax",
    "Tel",
    "Type of entity",
    "Parent company",
    "Subsidiaries",
    "Business Reg No",
    "IMO number",
    "Current owners",
    "Flag of ship",
    "Previous flags",
    "Type of ship",
    "Tonnage of ship",
    "Length of ship",
    "Year built",
    "non-Latin script",
)
_SEGMENT_RE = re.compile(r"\((" + "|".join(re.escape(key) for key in _SEGMENT_KEYS) + r")\):")
#: the columns this parser reads (Non-Latin Script Type is the script, which is detected from the name itself);
#: any other column is kept unparsed under its header, so a new column is never lost
_KNOWN_COLUMNS = frozenset(
    {
        *(f"Name {n}" for n in range(1, 7)),
        *(f"Address {n}" for n in range(1, 7)),
        "Title", "Name Non-Latin Script", "Non-Latin Script Type", "Non-Latin Script Language", "DOB",
        "Town of Birth", "Country of Birth", "Nationality", "Passport Number", "Passport Details",
        "National Identification Number", "National Identification Details", "NI Number", "Position",
        "Post/Zip Code", "Country", "Other Information", "Group Type", "Alias Type", "Alias Quality", "Regime",
        "Listed On", "UK Sanctions List Date Designated", "Last Updated", "Group ID",
    }
)  # fmt: skip
_CONTACT_KEYS = frozenset({"Phone number", "Email address", "Website", "Fax", "Tel"})
#: "UN Ref QDe.004", "UN Ref.KPI.067", "(UN Ref):CDi. 037": the UN's reference number, as the UK writes it
_UN_REF_RE = re.compile(r"\bUN\s*Ref(?:erence Number)?\b[\s.:]*([A-Z]{2}[a-z]\.)\s?(\d{2,3})\b", re.IGNORECASE)
_BRACKETS_RE = re.compile(r"\([^()]*\)")
_UK_REF_RE = re.compile(r"^([A-Z]{3}\d{4})\b\.?\s*")
_IMO_RE = re.compile(r"\d{7}")


class GbOfsiFormat(Format):
    name = "gb_ofsi_table"
    default_source = "gb_ofsi"

    def claims(self, file: SourceFile) -> bool:
        name = file.name.lower()
        if name.endswith(".xlsx") and file.data.startswith(b"PK\x03\x04"):
            return workbook_head_contains(file.data, b"Group ID") and workbook_head_contains(file.data, b"Name 6")
        head = file.head[:2048].replace(b"\x00", b"")
        return b"Name 6," in head and b"Group ID" in head and not name.endswith((".xml", ".xlsx"))

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        reject_non_list(file.label, file.data, "the OFSI consolidated list")
        if file.data.startswith(b"PK\x03\x04"):
            published, rows = _xlsx_rows(file)
        else:
            published, rows = _csv_rows(file)
        groups: dict[str, list[_Row]] = {}
        for row in rows:
            groups.setdefault(row.group, []).append(row)
        records = [_record(group, group_rows) for group, group_rows in groups.items()]
        require_records(file.label, records, "entries")
        return ParsedSnapshot(
            source=self.default_source, format=self.name, files=[file], records=records, published_on=published
        )


@dataclass(frozen=True, slots=True)
class _Row:
    """One row: its line (CSV) or sheet row (XLSX) number, its Group ID and its non-empty cells by header."""

    number: int
    group: str
    values: dict[str, str]


def _csv_rows(file: SourceFile) -> tuple[Any, list[_Row]]:
    text = _decode(file)
    first, _, rest = text.partition("\n")
    match = _LAST_UPDATED_RE.match(first)
    if match is None:
        # a file without the "Last Updated" line starts with its header
        published, body, first_line = None, text, 1
    else:
        published, body, first_line = parse_day(match.group(1)), rest, 2
    table = read_table(file.label, body, ",", _REQUIRED, first_line=first_line)
    return published, [_row(file.label, line, values) for line, values in table.rows]


def _decode(file: SourceFile) -> str:
    """The CSV's text: UTF-8 if it is valid UTF-8, else Windows-1252 (what OFSI wrote)."""
    if b"\x00" in file.data[:4096]:
        raise SourceError(file.label, "wrong encoding: the file holds NUL bytes (UTF-16?); OFSI's CSV is Windows-1252")
    try:
        return file.data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return file.data.decode("cp1252")
    except UnicodeDecodeError as error:
        line = file.data.count(b"\n", 0, error.start) + 1
        raise SourceError(
            file.label, f"wrong encoding: byte {file.data[error.start]:#04x} is neither UTF-8 nor Windows-1252", line=line
        ) from None


def _xlsx_rows(file: SourceFile) -> tuple[Any, list[_Row]]:
    sheet, _modified = read_sheet(file)  # the workbook's properties are not OFSI's date: row 1 is
    header_index = next((i for i, cells in enumerate(sheet[:10]) if "Group ID" in _texts(cells)), None)
    if header_index is None:
        raise SourceError(file.label, "missing required column 'Group ID': no header row in the first 10 rows")
    header = _texts(sheet[header_index])
    missing = [column for column in _REQUIRED if column not in header]
    if missing:
        raise SourceError(file.label, f"missing required column(s) {', '.join(missing)}", line=header_index + 1)
    published = None
    for cells in sheet[:header_index]:
        texts = _texts(cells)
        if texts and texts[0] == "Last Updated" and len(texts) > 1:
            published = parse_day(texts[1])
    rows = []
    for number, cells in enumerate(sheet[header_index + 1 :], start=header_index + 2):
        values = {column: cell_text(cell) for column, cell in zip(header, cells, strict=False) if cell is not None}
        if any(values.values()):
            rows.append(_row(file.label, number, values))
    return published, rows


def _texts(cells: Iterable[Any]) -> list[str]:
    return [cell_text(cell) if cell is not None else "" for cell in cells]


def _row(label: str, number: int, cells: dict[str, str]) -> _Row:
    values = {column: text for column, value in cells.items() if column and (text := clean(value))}
    group = values.get("Group ID")
    if group is None:
        raise SourceError(label, "row has no Group ID, so its name belongs to no entry", line=number, element="Group ID")
    if not group.isdigit():
        raise SourceError(label, f"unreadable Group ID {group!r} (a number)", line=number, element="Group ID")
    return _Row(number, group, values)


def _record(group: str, rows: list[_Row]) -> Record:
    """One record from the rows of a Group ID (primary-name rows first)."""
    rows = sorted(rows, key=lambda row: _name_type(row.values) != NameType.PRIMARY)
    kind_text = rows[0].values.get("Group Type", "")
    record = Record("gb_ofsi", group, _KINDS.get(kind_text.lower(), Kind.UNKNOWN))
    if kind_text.lower() not in _KINDS:
        record.keep_unparsed("Group Type", kind_text)
    for row in rows:
        _add_row(record, row.values)
    return record


def _name_type(values: dict[str, str]) -> NameType | None:
    name_type = _NAME_TYPES.get(values.get("Alias Type", "").lower())
    if name_type == NameType.ALIAS and values.get("Alias Quality", "").lower().startswith("low"):
        return NameType.WEAK_ALIAS
    return name_type


def _add_row(record: Record, values: dict[str, str]) -> None:
    _add_name(record, values)
    add_non_latin_name(record, values.get("Name Non-Latin Script"), values.get("Non-Latin Script Language"))
    if dob := values.get("DOB"):
        if (date := uk_birth_date(dob)) is None:
            record.keep_unparsed("DOB", dob)
        else:
            append_unique(record.birth_dates, date)
    append_unique(record.birth_places, joined((values.get("Town of Birth"), values.get("Country of Birth"))))
    for nationality in split_numbered(values.get("Nationality")):
        add_country(record, record.nationalities, nationality, "Nationality")
    for position in (values.get("Title"), *split_numbered(values.get("Position"))):
        append_unique(record.positions, position)
    _add_documents(record, values)
    _add_address(record, values)
    append_unique(record.regimes, values.get("Regime"))
    set_listed_on(record, values.get("Listed On"), "Listed On")
    for column in ("UK Sanctions List Date Designated", "Last Updated"):
        if value := values.get(column):
            append_unique(record.remarks, f"{column}: {value}")
    _add_other_information(record, values.get("Other Information"))
    for column, value in values.items():
        if column not in _KNOWN_COLUMNS:
            record.keep_unparsed(column, value)


def _add_name(record: Record, values: dict[str, str]) -> None:
    given = joined([values.get(f"Name {n}") for n in range(1, 6)], sep=" ")
    family = values.get("Name 6")
    full = joined((given, family), sep=" ")
    if full is None:
        return
    name_type = _name_type(values)
    if name_type is None:
        record.keep_unparsed("Alias Type", values.get("Alias Type", "(none)"))
        name_type = NameType.ALIAS
    if name_type == NameType.PRIMARY and any(n.type == NameType.PRIMARY for n in record.names):
        name_type = NameType.ALIAS  # one primary name per record; OFSI repeats it per birth date
    if any(name.full == full for name in record.names):
        return  # the same name on another row (another birth date or address)
    person = record.kind == Kind.PERSON
    record.names.append(Name(full, name_type, given=given if person else None, family=family if person else None))


def split_numbered(text: str | None) -> list[str]:
    """Split "(1) Russia (2) Israel" or "1) Saudi Arabia 2) Qatar" into its items; other text is one item."""
    if not text:
        return []
    parts = _ENUMERATION_RE.split(text)
    if len(parts) == 1:
        return [text]
    # split() alternates text and item numbers: keep the texts, which follow each number
    return [item for part in parts[2::2] if (item := clean(part.strip(" ;,")))]


def _add_documents(record: Record, values: dict[str, str]) -> None:
    numbered = (("Passport Number", "Passport Details", "passport"),
                ("National Identification Number", "National Identification Details", "national_id"))  # fmt: skip
    for number_column, details_column, id_type in numbered:
        numbers = split_numbered(values.get(number_column))
        details = split_numbered(values.get(details_column))
        if numbers and len(details) not in (0, len(numbers)):
            details = [values[details_column]] * len(numbers)  # not paired item by item: the whole text to each
        for index, number in enumerate(numbers):
            note = details[index] if index < len(details) else None
            append_unique(record.identifiers, Identifier(id_type, number, note=note))
        if not numbers and (text := values.get(details_column)):
            append_unique(record.remarks, f"{details_column}: {text}")  # the old layout: free text
    if ni := values.get("NI Number"):
        append_unique(record.remarks, f"NI Number: {ni}")


def _add_address(record: Record, values: dict[str, str]) -> None:
    country = values.get("Country")
    lines = [values.get(f"Address {n}") for n in range(1, 7)]
    full = joined([*lines, values.get("Post/Zip Code"), country])
    code = country_code(country)
    if country and code is None:
        record.keep_unparsed("Country", country)
    if full and (lines != [None] * 6 or values.get("Post/Zip Code")):
        append_unique(record.addresses, Address(full, country=code))
    append_unique(record.countries, code)


def _add_other_information(record: Record, text: str | None) -> None:
    if not text:
        return
    for key, value in segments(text):
        _add_segment(record, key, value)


def _add_un_ref(record: Record, text: str) -> str:
    """Cross-reference the UN entry the text cites (outside brackets), and return the text without it.

    Bracketed references are about someone else: a ship is "listed as asset of Korea Samjong
    Shipping (OFSI ID: 13635, UN Reference Number: UN Ref KPe.064)".
    """
    own = _BRACKETS_RE.sub("", text)
    if match := _UN_REF_RE.search(own):
        prefix, number = match.groups()
        append_unique(record.cross_refs, f"un_sc:{prefix[:2].upper()}{prefix[2].lower()}.{number}")
        return text.replace(match.group(0), "", 1)
    return text


def segments(text: str) -> Iterator[tuple[str | None, str]]:
    """The "(Key):value" segments of Other Information; text before the first key has the key None."""
    matches = list(_SEGMENT_RE.finditer(text))
    starts = [0, *(m.end() for m in matches)]
    ends = [m.start() for m in matches] + [len(text)]
    keys = [None, *(m.group(1) for m in matches)]
    for key, start, end in zip(keys, starts, ends, strict=True):
        if value := clean(text[start:end]):
            yield key, value


def _add_segment(record: Record, key: str | None, value: str) -> None:
    if key == "UK Sanctions List Ref" and (match := _UK_REF_RE.match(value)):
        append_unique(record.cross_refs, f"gb_fcdo:{match.group(1)}")
        value = value[match.end() :]
    elif key == "UN Ref":
        value = _add_un_ref(record, f"UN Ref {value}")
    elif key is None:
        value = _add_un_ref(record, value)  # the old layout's free text: "UN Ref QDe.004. Emir for ..."
    elif key == "Gender":
        add_gender(record, value, "Gender")
        return
    elif key == "UK Statement of Reasons":
        record.reason = value
        return
    elif key in _CONTACT_KEYS:
        record.keep_unparsed(key, value)
        return
    elif key in ("IMO number", "Business Reg No"):
        digits = _IMO_RE.search(value) if key == "IMO number" else None
        id_type = "imo" if key == "IMO number" else "registration"
        append_unique(record.identifiers, Identifier(id_type, digits.group(0) if digits else value))
        return
    if remark := clean(value.strip(" .;")):
        free_text = key in (None, "UK Sanctions List Ref", "UN Ref")  # what follows a reference is prose
        append_unique(record.remarks, remark if free_text else f"{key}: {remark}")


FORMAT = GbOfsiFormat()
