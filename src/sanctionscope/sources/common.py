"""Helpers every list parser shares: content guards, strict tables, streaming XML, id checks, kinds."""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, TypeVar

import openpyxl
from lxml import etree
from openpyxl.utils.exceptions import InvalidFileException

from sanctionscope.model import Kind, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day, parse_fuzzy_date
from sanctionscope.sources.base import SourceError, SourceFile

T = TypeVar("T")


def reject_non_list(label: str, data: bytes, expected: str) -> None:
    """Raise SourceError when the bytes are empty or an HTML page saved in place of the list."""
    if not data.strip():
        raise SourceError(label, f"the file is empty (expected {expected})")
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<!doctype html") or b"<html" in head[:512]:
        raise SourceError(label, f"this is an HTML page, not {expected} (an error page saved in place of the list?)")


def append_unique(items: list[T], value: T | None) -> None:
    """Append `value` unless it is empty or already present (lists keep the source's order)."""
    if value not in (None, "") and value not in items:
        items.append(value)


def add_country(record: Record, target: list[str], raw: str | None, field_name: str) -> None:
    """Add the country code of `raw` to `target`, or keep the text as unparsed under `field_name`."""
    text = clean(raw)
    if text is None:
        return
    code = country_code(text)
    if code is None:
        record.keep_unparsed(field_name, text)
    else:
        append_unique(target, code)


def joined(parts: Iterable[str | None], sep: str = ", ") -> str | None:
    """The cleaned, non-empty parts joined (None if there are none)."""
    kept = [c for part in parts if (c := clean(part))]
    return sep.join(kept) if kept else None


class UniqueIds:
    """Checks that no record id occurs twice in one snapshot."""

    def __init__(self, label: str):
        self.label = label
        self.seen: dict[str, str] = {}

    def add(self, record_id: str, where: str, *, line: int | None = None, element: str | None = None) -> None:
        first = self.seen.get(record_id)
        if first is not None:
            raise SourceError(
                self.label,
                f"record id {record_id!r} appears more than once (first at {first})",
                line=line,
                element=element,
            )
        self.seen[record_id] = where


#: Record fields that hold one value, merged by `merge_record` other than by appending
_SINGLE_FIELDS = frozenset({"source", "source_id", "kind", "gender", "listed_on", "reason", "unparsed", "names",
                            # an FtM publisher's statement of the entity: FtM sources never repeat an entry
                            "ftm_schema", "ftm_properties", "target", "first_seen", "last_change"})  # fmt: skip


def merge_record(target: Record, other: Record) -> None:
    """Add what `other` states about the same entry to `target` (a list that repeats an entry per listing).

    Lists are joined without repeats; the other's primary names become aliases (one record has one
    primary name); the earliest listing date wins; a differing kind, gender or reason is kept unparsed.
    """
    for name in other.names:
        append_unique(target.names, replace(name, type=NameType.ALIAS) if name.type == NameType.PRIMARY else name)
    for f in fields(Record):
        if f.name not in _SINGLE_FIELDS:
            for value in getattr(other, f.name):
                append_unique(getattr(target, f.name), value)
    if other.listed_on and (target.listed_on is None or other.listed_on < target.listed_on):
        target.listed_on = other.listed_on
    for field_name in ("kind", "gender", "reason"):
        mine, theirs = getattr(target, field_name), getattr(other, field_name)
        if mine is None or mine == Kind.UNKNOWN:
            setattr(target, field_name, theirs)
        elif theirs not in (None, Kind.UNKNOWN, mine):
            target.keep_unparsed(field_name, str(theirs))
    for field_name, values in other.unparsed.items():
        for value in values:
            target.keep_unparsed(field_name, value)


def require_records(label: str, records: list[Record], what: str) -> None:
    """An official list with no entries is a broken download, not a list that delisted everyone."""
    if not records:
        raise SourceError(label, f"the file contains no {what}")


class XmlRecords:
    """Streams the record elements of one XML file with lxml iterparse, in constant memory.

    Iterating yields each element whose tag is in `record_tags`, fully built; it is cleared
    afterwards. `root_attrib` holds the root element's attributes once iteration has started.
    Malformed or truncated XML raises SourceError with the line lxml reports.
    """

    def __init__(self, file: SourceFile, root_tag: str, record_tags: frozenset[str]):
        self.file = file
        self.root_tag = root_tag
        self.record_tags = record_tags
        self.root_attrib: dict[str, str] = {}

    def __iter__(self) -> Iterator[etree._Element]:
        if self.file.data[:2] in (b"<\x00", b"\x00<"):
            # lxml would guess its way through; a list re-encoded like this is a damaged download.
            raise SourceError(
                self.file.label, "the XML is UTF-16 without a byte-order mark (the list is published as UTF-8)"
            )
        context = etree.iterparse(
            io.BytesIO(self.file.data),
            events=("start", "end"),
            resolve_entities=False,
            no_network=True,
            huge_tree=True,
        )
        depth = 0
        try:
            for event, element in context:
                if event == "start":
                    if depth == 0:
                        self._check_root(element)
                    depth += 1
                    continue
                depth -= 1
                if element.tag in self.record_tags:
                    yield element
                    element.clear(keep_tail=True)
        except etree.XMLSyntaxError as error:
            problem = "wrong character encoding" if "encoding" in error.msg.lower() else "malformed or truncated XML"
            raise SourceError(self.file.label, f"{problem}: {error.msg}", line=error.lineno or None) from None

    def _check_root(self, element: etree._Element) -> None:
        if element.tag != self.root_tag:
            raise SourceError(
                self.file.label,
                f"the root element is <{element.tag}>, expected <{self.root_tag}>",
                line=element.sourceline,
            )
        self.root_attrib = dict(element.attrib)


def keep_unknown_children(record: Record, element: etree._Element, known: frozenset[str]) -> None:
    """Keep the text of child elements this parser does not know, so a new field is never lost."""
    for child in element:
        if isinstance(child.tag, str) and child.tag not in known and (text := clean(" ".join(child.itertext()))):
            record.keep_unparsed(child.tag, text)


def child_text(element: etree._Element, tag: str) -> str | None:
    """Cleaned text of the first child `tag`."""
    return clean(element.findtext(tag))


def child_values(element: etree._Element, tag: str) -> list[str]:
    """Cleaned texts of `tag/VALUE` children (the UN's list-valued fields)."""
    return [c for value in element.iterfind(f"{tag}/VALUE") if (c := clean(value.text))]


def decode_utf8(label: str, data: bytes) -> str:
    """The bytes as UTF-8 text (a byte-order mark is dropped); undecodable bytes raise SourceError naming the line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceError(
            label, f"not valid UTF-8 (byte {data[error.start]:#04x}); wrong encoding or a damaged file", line=line
        ) from None


@dataclass
class Table:
    """A delimited text file read strictly: every row must have as many fields as the header."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    #: rows that repeated the header (a concatenation artefact), skipped
    repeated_header_lines: list[int]


def read_table(label: str, text: str, delimiter: str, required: tuple[str, ...], *, first_line: int = 1) -> Table:
    """Rows of a delimited file with their line numbers; a short row means a truncated or damaged file.

    `first_line` is the file's line number of the text's first line (when lines before the header were cut off).
    """
    offset = first_line - 1
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        raise SourceError(label, "the file is empty") from None
    except csv.Error as error:
        raise SourceError(label, f"unreadable header: {error}", line=first_line) from None
    missing = [column for column in required if column not in header]
    if missing:
        raise SourceError(label, f"missing required column(s) {', '.join(missing)} in the header", line=first_line)
    rows: list[tuple[int, dict[str, str]]] = []
    repeated: list[int] = []
    line = 1
    try:
        for fields in reader:
            line = reader.line_num + offset
            if not any(field.strip() for field in fields):
                continue
            if [field.strip() for field in fields] == header:
                repeated.append(line)
                continue
            if len(fields) != len(header):
                raise SourceError(
                    label,
                    f"row has {len(fields)} fields, the header has {len(header)}: the file is truncated or damaged",
                    line=line,
                )
            rows.append((line, dict(zip(header, fields, strict=True))))
    except csv.Error as error:
        raise SourceError(
            label, f"malformed row ({error}): the file is truncated or damaged", line=reader.line_num + offset
        ) from None
    return Table(header, rows, repeated)


#: what openpyxl raises for a damaged workbook (SyntaxError covers broken XML inside the zip)
WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    OSError,
    EOFError,
    zlib.error,
    SyntaxError,
)


def read_sheet(file: SourceFile) -> tuple[list[tuple[Any, ...]], datetime | None]:
    """The rows of a workbook's first sheet and its `modified` property; a damaged workbook raises SourceError."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
        try:
            rows = list(workbook.worksheets[0].iter_rows(values_only=True))
            modified = workbook.properties.modified
        finally:
            workbook.close()
    except WORKBOOK_ERRORS as error:
        raise SourceError(file.label, f"not a readable xlsx workbook ({type(error).__name__}: {error})") from None
    return rows, modified if isinstance(modified, datetime) else None


def workbook_head_contains(data: bytes, marker: bytes) -> bool:
    """Whether `marker` is in the first 64 KB of a workbook's shared strings or, for a workbook written with
    inline strings (as openpyxl saves some), of its first sheet: a cheap look inside the zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            for part in ("xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"):
                if part in names:
                    with archive.open(part) as stream:
                        if marker in stream.read(65536):
                            return True
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error):
        return False
    return False


def cell_text(cell: Any) -> str:
    """A cell as text: whole numbers without ".0", dates as ISO days, strings cleaned."""
    if isinstance(cell, datetime):
        return cell.date().isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return clean(str(cell)) or ""


_ORGANIZATION_WORDS = re.compile(
    r"\b(?:LTD|LIMITED|LLC|L\.L\.C|INC|INCORPORATED|CO|COMPANY|CORP|CORPORATION|GMBH|S\.A|SA|SARL|S\.L|SL|SRL|"
    r"S\.R\.L|AG|A\.G|AB|BV|B\.V|NV|N\.V|PTE|PLC|LLP|FZE|FZCO|FZC|JSC|OJSC|PJSC|OOO|ZAO|OAO|KG|ANSTALT|"
    r"AIRLINES?|AIRWAYS|AIR|AVIATION|TRADING|TRADE|TRADERS?|INTERNATIONAL|GROUP|ENTERPRISES?|INDUSTRIES|"
    r"INDUSTRIAL|TECHNOLOG\w*|TECHNIK|SOLUTIONS|SERVICES|SYSTEMS|ELECTRONICS|LOGISTICS|EXPORTS?|IMPORTS?|"
    r"HOLDINGS?|CARGO|FREIGHT|SHIPPING|TRANSPORT\w*|COMPUTERS|METALS|UNIVERSITY|INSTITUTE|BANK|MINISTRY|"
    r"LABORATOR\w+|CENTER|CENTRE|FOUNDATION|ESTABLISHMENT|AGENCY|FACTORY|ENGINEERING|MANUFACTURING|"
    r"SUPPL(?:Y|IES)|EQUIPMENT|DISTRIBUTORS?|CONSULTING|VERTRIEBS|EMPRESA)\b\.?"
    r"|\.(?:COM|NET|ORG)\b",
    re.IGNORECASE,
)
_PERSON_WORDS = re.compile(r"\b(?:JR|SR|MR|MRS|MS|DR|PROFESSOR|PROF)\b\.?|\b(?:II|III|IV)$", re.IGNORECASE)


def guess_kind(name: str) -> Kind:
    """Organization if the name has a company word (LTD, LLC, AIRLINES, TRADING...), person if it has a
    personal title or suffix (MR., JR., III), else unknown.

    Deliberately conservative: most unmarked names on the BIS lists are people, but calling
    "GLOBE TRADE" or "KZ RESULTS" a person would mislead; unknown is never wrong.
    """
    if _ORGANIZATION_WORDS.search(name):
        return Kind.ORGANIZATION
    if _PERSON_WORDS.search(name):
        return Kind.PERSON
    return Kind.UNKNOWN


def add_birth_date(record: Record, text: str | None, field_name: str, *, month_first: bool = False) -> None:
    """Add a birth date as the list writes it; keep the text as unparsed when it cannot be read."""
    if not (text := clean(text)):
        return
    parsed = parse_fuzzy_date(text, month_first=month_first)
    if parsed is None:
        record.keep_unparsed(field_name, text)
    else:
        append_unique(record.birth_dates, parsed)


def set_listed_on(record: Record, text: str | None, field_name: str) -> None:
    """Set the listing date from a day the list states; of several, the earliest is when it was listed."""
    if not (text := clean(text)):
        return
    day = parse_day(text)
    if day is None:
        record.keep_unparsed(field_name, text)
    elif record.listed_on is None or day.isoformat() < record.listed_on:
        record.listed_on = day.isoformat()
