"""US Consolidated Screening List (trade.gov CSL), CSV; gzipped copies are read transparently.

The CSL merges eleven US lists (OFAC SDN and non-SDN lists, BIS Entity/Denied/Unverified/
MEU lists, State Department lists). Its own id column (`_id`, or `id` in some exports) is
the record id: the OFAC entry number for Treasury lists ("21944"), a 40-hex digest for
the others. An entity on several Treasury lists (SDN and SSI and CAPTA, say) has one row
per list under the same id; those rows are one party and become one record whose
regimes name every list. Rows sharing an id but naming different parties raise SourceError.

Mapping: source (the originating list) and programs → regimes; entity_number on a
Treasury list → cross_ref "us_ofac_sdn:<n>" (SDN) or "us_ofac_cons:<n>" (non-SDN lists);
type → kind (empty on BIS and State lists: see `bis_dpl.guess_kind`); name and alt_names →
names; title → positions; addresses, dates_of_birth, places_of_birth, citizenships,
nationalities; ids → identifiers (passports, national ids, tax and registration numbers,
SWIFT, IMO, ...), gender, and remarks for the sanctions notes OFAC files there;
start_date → listed_on; federal_register_notice, end_date, standard_order,
license_requirement, license_policy, vessel data and remarks → remarks. source_list_url
and source_information_url describe the list, not the party, and are not kept.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_day, parse_gender, split_list
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    add_birth_date,
    add_country,
    append_unique,
    decode_utf8,
    guess_kind,
    read_table,
    reject_non_list,
    require_records,
)

_GZIP_MAGIC = b"\x1f\x8b"
_ID_COLUMNS = ("_id", "id")
_KINDS = {"individual": Kind.PERSON, "entity": Kind.ORGANIZATION, "vessel": Kind.VESSEL, "aircraft": Kind.AIRCRAFT}
_KNOWN_COLUMNS = frozenset(
    {
        *_ID_COLUMNS,
        "source",
        "entity_number",
        "type",
        "programs",
        "name",
        "title",
        "addresses",
        "federal_register_notice",
        "start_date",
        "end_date",
        "standard_order",
        "license_requirement",
        "license_policy",
        "call_sign",
        "vessel_type",
        "gross_tonnage",
        "gross_registered_tonnage",
        "vessel_flag",
        "vessel_owner",
        "remarks",
        "source_list_url",
        "alt_names",
        "citizenships",
        "dates_of_birth",
        "nationalities",
        "places_of_birth",
        "source_information_url",
        "ids",
    }
)
_REMARK_COLUMNS = (
    ("federal_register_notice", "Federal Register"),
    ("end_date", "End date"),
    ("standard_order", "Standard order"),
    ("license_requirement", "License requirement"),
    ("license_policy", "License policy"),
    ("vessel_type", "Vessel type"),
    ("gross_tonnage", "Gross tonnage"),
    ("gross_registered_tonnage", "Gross registered tonnage"),
    ("vessel_flag", "Vessel flag"),
    ("vessel_owner", "Vessel owner"),
)

#: (words in an OFAC id label, identifier type); first match wins; labels matching none are remarks
_ID_TYPES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("passport",), "passport"),
    (("swift", "bic"), "swift"),
    (("vessel registration identification",), "imo"),
    (("tax id", "nit #", "ruc #", "r.f.c", "rfc", "inn", "vat"), "tax_id"),
    (
        (
            "registration",
            "registry",
            "company number",
            "folio mercantil",
            "matricula mercantil",
            "gazette",
            "credit code",
            "business number",
            "license",
            "commercial register",
        ),
        "registration",
    ),
    (
        (
            "national id",
            "cedula",
            "identification number",
            "identity",
            "d.n.i",
            "c.u.r.p",
            "c.u.i.t",
            "personal id",
            "citizen's card",
            "birth certificate",
            "social security",
            "driver",
        ),
        "national_id",
    ),
    (
        (
            "mmsi",
            "isin",
            "d-u-n-s",
            "digital currency address",
            "aircraft manufacturer's serial",
            "aircraft construction number",
            "aircraft tail number",
            "bik",
            "legal entity number",
            "lei",
            "travel document",
            "kpp",
            "okpo",
            "equity ticker",
            "call sign",
        ),
        "other",
    ),
)
_COUNTRY_CODE_RE = re.compile(r"^[A-Z]{2}$")
_IMO_RE = re.compile(r"^IMO\s*(\d{7})$", re.IGNORECASE)
_ENTRY_SEPARATOR = "; "


class TradeCslFormat(Format):
    name = "trade_csl"
    default_source = "us_trade_csl"

    def claims(self, file: SourceFile) -> bool:
        head = file.head
        if head.startswith(_GZIP_MAGIC):
            head = _gunzip_head(file.data)
        first_line = head.lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0].replace(b'"', b"")
        return b"source,entity_number" in first_line and b"alt_names" in first_line

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        data = gunzip(file.label, file.data) if file.data.startswith(_GZIP_MAGIC) else file.data
        reject_non_list(file.label, data, "the Consolidated Screening List CSV")
        table = read_table(file.label, decode_utf8(file.label, data), ",", ("source", "name"))
        id_column = next((column for column in _ID_COLUMNS if column in table.header), None)
        if id_column is None:
            raise SourceError(file.label, "missing required column _id (or id) in the header", line=1)
        label_first = ids_label_first(row.get("ids") for _, row in table.rows)
        records: dict[str, Record] = {}
        first_seen: dict[str, tuple[int, str]] = {}
        for line, row in table.rows:
            record_id = clean(row[id_column])
            name = clean(row["name"])
            if record_id is None or name is None:
                raise SourceError(file.label, f"row has no {id_column if record_id is None else 'name'}", line=line)
            if record_id in records:
                _check_same_party(file.label, records[record_id], first_seen[record_id], (line, name))
            else:
                records[record_id] = Record(source="us_trade_csl", source_id=record_id, kind=Kind.UNKNOWN)
                first_seen[record_id] = (line, name)
            _add_row(records[record_id], row, table.header, label_first)
        require_records(file.label, list(records.values()), "screening list entries")
        notes = [f"line {line} repeats the header and was skipped" for line in table.repeated_header_lines]
        # The file states no date; the loader takes the one in its path.
        return ParsedSnapshot(
            source=self.default_source, format=self.name, files=[file], records=list(records.values()), notes=notes
        )


def _gunzip_head(data: bytes) -> bytes:
    """The first few KB of gzipped data, decompressed (for `claims`); empty if it is not gzip."""
    try:
        return zlib.decompressobj(wbits=31).decompress(data[:65536], 4096)
    except zlib.error:
        return b""


def gunzip(label: str, data: bytes) -> bytes:
    """Decompress a whole .gz file; a truncated or corrupt one raises SourceError."""
    try:
        return gzip.decompress(data)
    except (EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise SourceError(label, f"the gzip data is truncated or corrupt ({error})") from None


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _name_tokens(name: str) -> list[str]:
    """The words of a name, in order-free form: "ZAHHAR, Mahmoud Khaled" and "Mahmoud Khaled ZAHHAR" match."""
    return sorted(re.findall(r"\w+", name.casefold()))


def _check_same_party(label: str, record: Record, first: tuple[int, str], current: tuple[int, str]) -> None:
    """Rows under one id must name one party (the CSL repeats a party once per list it is on).

    The names may differ in case and word order between lists, or one list may give
    as primary name what another gives as an alias.
    """
    tokens = _name_tokens(current[1])
    if not any(_name_tokens(name.full) == tokens for name in record.names):
        raise SourceError(
            label,
            f"record id {record.source_id!r} appears more than once for different parties "
            f"({first[1]!r} on line {first[0]}, {current[1]!r} on line {current[0]})",
            line=current[0],
        )


def ofac_cross_ref(source: str | None, entity_number: str | None) -> str | None:
    """ "us_ofac_sdn:<n>" for the SDN list, "us_ofac_cons:<n>" for OFAC's non-SDN lists, else None."""
    if not source or not entity_number or not entity_number.isdigit() or "Treasury Department" not in source:
        return None
    prefix = "us_ofac_sdn" if source.startswith("Specially Designated Nationals") else "us_ofac_cons"
    return f"{prefix}:{entity_number}"


def _add_row(record: Record, row: dict[str, str], header: list[str], label_first: bool) -> None:
    """Add what one CSL row says to its record (first row: names and kind; later rows: other lists)."""
    name = clean(row["name"]) or ""
    if not record.names:
        record.names.append(Name(full=name))
        record.kind = _KINDS.get((clean(row.get("type")) or "").lower()) or guess_kind(name)
    elif not any(_same_name(existing.full, name) for existing in record.names):
        record.names.append(Name(full=name, type=NameType.ALIAS))
    for alias in split_list(row.get("alt_names")):
        if not any(_same_name(existing.full, alias) for existing in record.names):
            record.names.append(Name(full=alias, type=NameType.ALIAS))
    source = clean(row.get("source"))
    append_unique(record.regimes, source)
    for program in split_list(row.get("programs")):
        append_unique(record.regimes, program)
    append_unique(record.cross_refs, ofac_cross_ref(source, clean(row.get("entity_number"))))
    append_unique(record.positions, clean(row.get("title")))
    _add_dates(record, row)
    for address in split_list(row.get("addresses")):
        code = _address_country(address)
        append_unique(record.addresses, Address(full=address, country=code))
        append_unique(record.countries, code)
    for place in split_list(row.get("places_of_birth")):
        append_unique(record.birth_places, place)
    for country in split_list(row.get("citizenships")):
        add_country(record, record.citizenships, country, "citizenships")
    for country in split_list(row.get("nationalities")):
        add_country(record, record.nationalities, country, "nationalities")
    if flag := clean(row.get("vessel_flag")):
        append_unique(record.countries, country_code(flag))
    if call_sign := clean(row.get("call_sign")):
        append_unique(record.identifiers, Identifier(type="other", value=call_sign, note="Call sign"))
    for entry in _id_entries(row.get("ids")):
        _add_id_entry(record, entry, label_first)
    for column, caption in _REMARK_COLUMNS:
        if value := clean(row.get(column)):
            append_unique(record.remarks, f"{caption}: {value}")
    append_unique(record.remarks, clean(row.get("remarks")))
    for column in header:
        if column not in _KNOWN_COLUMNS and (value := clean(row.get(column))):
            record.keep_unparsed(column, value)


def _add_dates(record: Record, row: dict[str, str]) -> None:
    start = clean(row.get("start_date"))
    if start:
        day = parse_day(start)
        if day is None:
            record.keep_unparsed("start_date", start)
        elif record.listed_on is None or day.isoformat() < record.listed_on:
            # One party on several lists: the earliest listing is when it was first listed.
            record.listed_on = day.isoformat()
    for text in split_list(row.get("dates_of_birth")):
        add_birth_date(record, text, "dates_of_birth")


def _address_country(address: str) -> str | None:
    """The trailing ISO code of a CSL address ("..., Medellin, CO")."""
    last = address.rsplit(",", 1)[-1].strip()
    return country_code(last) if _COUNTRY_CODE_RE.match(last) else None


def _id_entries(text: str | None) -> Iterator[str]:
    if text:
        for part in text.split(_ENTRY_SEPARATOR):
            if entry := clean(part):
                yield entry


_ID_TYPE_PATTERNS = tuple(
    (re.compile("|".join(rf"(?<![a-z]){re.escape(word)}(?![a-z])" for word in words)), kind)
    for words, kind in _ID_TYPES
)


@lru_cache(maxsize=1024)
def id_type(label: str) -> str | None:
    """The identifier type of an OFAC id label ("Passport", "Tax ID No.", "SWIFT/BIC"); None: not an identifier."""
    text = label.lower()
    for pattern, kind in _ID_TYPE_PATTERNS:
        if pattern.search(text):
            return kind
    return None


def ids_label_first(cells: Iterable[str | None]) -> bool:
    """Whether the file's "ids" entries put the label first.

    Exports differ: 2023 files write "Passport, U00242309, TR" and "Gender, Male"; 2025 files
    write "TR, U00242309, Passport" and "Male, Gender". The side that holds the country codes
    and the word "Gender" is decided once for the whole file, by majority.
    """
    first = last = 0
    for cell in cells:
        for entry in _id_entries(cell):
            parts = [part.strip() for part in entry.split(",")]
            if len(parts) < 2:
                continue
            if parts[0] == "Gender" or (len(parts) >= 3 and _COUNTRY_CODE_RE.match(parts[-1])):
                first += 1
            elif parts[-1] == "Gender" or (len(parts) >= 3 and _COUNTRY_CODE_RE.match(parts[0])):
                last += 1
    return first > last


def split_id_entry(entry: str, label_first: bool) -> tuple[str, str, str | None, list[str]] | None:
    """An "ids" entry as (label, value, ISO country or None, other parts such as issue dates); None if it has one part.

    Label last: "value, Label" or "CC, [dates,] number, Label". Label first: "Label, value" or
    "Label, number, CC[, dates]".
    """
    parts = [part.strip() for part in entry.split(",")]
    if len(parts) < 2:
        return None
    if label_first:
        label, rest = parts[0], parts[1:]
        if len(rest) >= 2 and _COUNTRY_CODE_RE.match(rest[1]):
            return label.rstrip(" :-"), rest[0], rest[1], rest[2:]
    else:
        label, rest = parts[-1], parts[:-1]
        if len(rest) >= 2 and _COUNTRY_CODE_RE.match(rest[0]):
            return label.rstrip(" :-"), rest[-1], rest[0], rest[1:-1]
    return label.rstrip(" :-"), ", ".join(rest), None, []


def _add_id_entry(record: Record, entry: str, label_first: bool) -> None:
    """One "ids" entry: an identifier, the gender, or a sanctions note kept as a remark."""
    split = split_id_entry(entry, label_first)
    if split is None:
        record.keep_unparsed("ids", entry)
        return
    label, value, country, extra = split
    if label == "Gender":
        gender = parse_gender(value)
        if gender is None:
            record.keep_unparsed("ids", entry)
        else:
            record.gender = gender
        return
    kind = id_type(label)
    if kind is None:
        # OFAC files sanctions notes here ("Secondary sanctions risk: ...", "Target Type"): keep them readable.
        append_unique(record.remarks, f"{label}: {value}")
        return
    if imo := _IMO_RE.match(value):
        kind, value = "imo", imo.group(1)
    code = country_code(country) if country else None
    if kind == "tax_id" and code == "ru":
        kind = "inn"  # a Russian tax number is the INN
    note = "; ".join([label, *extra])  # issue / expiry dates, in the order the list gives them
    append_unique(record.identifiers, Identifier(type=kind, value=value, country=code, note=note))


FORMAT = TradeCslFormat()
