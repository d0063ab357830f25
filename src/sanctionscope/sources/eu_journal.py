"""EU regulation annexes as OpenSanctions transcribes the Official Journal: one CSV per regulation.

Not an official EU file: OpenSanctions' reviewed transcription of the annexes of each framework
regulation, named by its CELEX number (32020R1998 = global human rights regime), one row per
listed person, entity, vessel or asset: listing date (`startDate`), reason, names and aliases
(Latin and Cyrillic, "; "-separated), birth data, identifiers, addresses.

Scope: each regulation is its own snapshot scope (the `celex` column, which must agree with
itself over the file), so every regulation is versioned and compared on its own.

Record ids are `<CELEX>#<annex>-<entry number>` (`32020R1998#I.A-2`, Bastrykin). The number is
the file's `recordId` column, the entry number the Journal itself prints, not the row position:
a new listing or a delisting shifts every later row, but not the printed numbers (the Journal
leaves gaps: Annex I of 269/2014 has 1,984 persons numbered up to past 2,100). The annex is part
of the id because the Journal numbers persons and entities of each annex separately, so "2"
alone names several entries of one file (38 in 32020R1998). Annexes that print no numbers
(881/2002 Annex I, the export-control lists of 833/2014 and 765/2006, DPRK vessels) have no
publisher id at all; their rows are keyed by IMO number (`imo-8606173`) or else by the primary
name (`name-abu-sayyaf-group`), which, unlike the row position, survives other rows coming and
going. A name the transcription repeats within such an annex (two transcriptions of one
881/2002 entry) gets a `~2` suffix, noted in the snapshot.

Two rows with the same numbered entry are one entry when they differ only in `measure` (an
amending act listing a vessel under two measures): they are merged, keeping both measures.
Any other repeat of a numbered entry is a damaged file and raises SourceError.

Amendment CSVs (one per amending act, the rows it adds or changes) have the same columns plus
`amendedCelex`/`amendmentCelex` and load too. Their scope is `amendment:<amending act>`, not the
amended regulation: they hold only the act's rows, so comparing them with the full annex would
report every other entry as delisted. Their record ids are those of the amended regulation, so
an amending act's row links up with the entry it adds or changes.

The files state no date: `published_on` is None (the loader takes the date in the path).
"""

from __future__ import annotations

import csv
import io
import re

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_gender, split_list
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import (
    add_birth_date,
    append_unique,
    decode_utf8,
    reject_non_list,
    set_listed_on,
)

_CELEX_RE = re.compile(r"^3\d{4}[RDL]\d{4}$")
_HEADERS = (b"celex,recordId,", b"amendedCelex,amendmentCelex,")
_REQUIRED = ("celex", "recordId", "annex", "startDate", "schema", "name")
#: an amendment CSV has these in place of `celex`
_AMENDMENT_COLUMNS = ("amendedCelex", "amendmentCelex")
_KINDS = {
    "Person": Kind.PERSON,
    "LegalEntity": Kind.ORGANIZATION,
    "Company": Kind.ORGANIZATION,
    "Organization": Kind.ORGANIZATION,
    "Vessel": Kind.VESSEL,
    "Airplane": Kind.AIRCRAFT,
}
_NAME_COLUMNS = (("alias", NameType.ALIAS), ("weakAlias", NameType.WEAK_ALIAS), ("previousName", NameType.FORMER))
_ID_COLUMNS = {
    "passportNumber": "passport",
    "idNumber": "national_id",
    "taxNumber": "tax_id",
    "innCode": "inn",
    "ogrnCode": "ogrn",
    "kppCode": "kpp",
    "okpoCode": "okpo",
    "registrationNumber": "registration",
    "leiCode": "lei",
    "swiftBic": "swift",
    "imoNumber": "imo",
    "mmsi": "mmsi",
}
#: a registry the note of a number names ("7725842590 (Tax ID/INN)") is its more precise type
_NOTE_TYPES = (("ogrn", "ogrn"), ("inn", "inn"), ("kpp", "kpp"), ("okpo", "okpo"), ("imo", "imo"))
_REMARK_COLUMNS = ("measure", "fatherName", "motherName", "legalForm", "sector", "incorporationDate", "flag", "notes")
_UNMODELLED_COLUMNS = ("phone", "email", "website", "ticker", "appearance", "ethnicity")

# Journal annexes enumerate alternatives: "(a) 11.4.1963; (b) 11.4.1960", "(a) Algerian (b) German",
# "…Germany (previous address); b) Atalar…". A letter or small roman numeral in brackets, or a
# letter with only the closing bracket after a space or separator, starts an item.
_ENUMERATOR_RE = re.compile(r"(?:^|(?<=[\s,;\"]))(?:\((?:[a-h]|i{1,3}|iv|vi{0,3})\)|[a-h]\))\s*")
_ITEM_STRIP = ' \t,;"“”'
_DATE_OR_RE = re.compile(r"\s+or\s+|,\s+(?=\d)")
_COUNTRY_SPLIT_RE = re.compile(r",|/|\band\b")
_VALUE_NOTE_RE = re.compile(r"^(?P<value>[^()]*\d[^()]*?)\s*\((?P<note>.+)\)$")
_SLUG_RE = re.compile(r"[^\w]+")

#: readable names of the framework acts. Those with rows are confirmed by the transcription's
#: programme keys (EU-HR, EU-UKR...); the header-only files are named from the act's title.
#: Any other act is "EU Regulation <CELEX>".
REGIMES = {
    "32001R2580": "EU terrorist list (Reg. 2580/2001)",
    "32002R0881": "EU ISIL/Da'esh and Al-Qaida, UN-based (Reg. 881/2002)",
    "32003R1210": "EU Iraq (Reg. 1210/2003)",
    "32004R0314": "EU Zimbabwe (Reg. 314/2004)",
    "32005R1183": "EU Democratic Republic of the Congo (Reg. 1183/2005)",
    "32006R0305": "EU assassination of Rafiq Hariri, Lebanon (Reg. 305/2006)",
    "32006R0765": "EU Belarus (Reg. 765/2006)",
    "32009R1284": "EU Guinea (Reg. 1284/2009)",
    "32010D0573": "EU Transnistrian region of Moldova (Decision 2010/573/CFSP)",
    "32010R0356": "EU Somalia (Reg. 356/2010)",
    "32011D0173": "EU Bosnia and Herzegovina (Decision 2011/173/CFSP)",
    "32011R0101": "EU Tunisia (Reg. 101/2011)",
    "32011R0359": "EU Iran human rights (Reg. 359/2011)",
    "32011R0753": "EU Afghanistan (Reg. 753/2011)",
    "32012R0036": "EU Syria (Reg. 36/2012)",
    "32012R0267": "EU Iran nuclear proliferation (Reg. 267/2012)",
    "32012R0377": "EU Guinea-Bissau (Reg. 377/2012)",
    "32013R0401": "EU Myanmar/Burma (Reg. 401/2013)",
    "32014R0208": "EU misappropriation of Ukrainian state funds (Reg. 208/2014)",
    "32014R0224": "EU Central African Republic (Reg. 224/2014)",
    "32014R0269": "EU Russia/Ukraine territorial integrity (Reg. 269/2014)",
    "32014R0747": "EU Sudan (Reg. 747/2014)",
    "32014R0833": "EU Russia sectoral measures (Reg. 833/2014)",
    "32014R1352": "EU Yemen (Reg. 1352/2014)",
    "32015R0735": "EU South Sudan (Reg. 2015/735)",
    "32015R1755": "EU Burundi (Reg. 2015/1755)",
    "32016R0044": "EU Libya (Reg. 2016/44)",
    "32016R1686": "EU ISIL/Da'esh and Al-Qaida, autonomous (Reg. 2016/1686)",
    "32017R1509": "EU North Korea (Reg. 2017/1509)",
    "32017R1770": "EU Mali (Reg. 2017/1770)",
    "32017R2063": "EU Venezuela (Reg. 2017/2063)",
    "32018R1542": "EU chemical weapons (Reg. 2018/1542)",
    "32019R0796": "EU cyber-attacks (Reg. 2019/796)",
    "32019R1716": "EU Nicaragua (Reg. 2019/1716)",
    "32019R1890": "EU Turkey's unauthorised drilling in the Eastern Mediterranean (Reg. 2019/1890)",
    "32020R1998": "EU global human rights sanctions regime (Reg. 2020/1998)",
    "32022R2309": "EU Haiti (Reg. 2022/2309)",
    "32023R0888": "EU Moldova (Reg. 2023/888)",
    "32023R1529": "EU Iran military support to Russia (Reg. 2023/1529)",
    "32023R2147": "EU Sudan, stability and political transition (Reg. 2023/2147)",
    "32024R0287": "EU Guatemala (Reg. 2024/287)",
    "32024R0386": "EU Hamas and Palestinian Islamic Jihad (Reg. 2024/386)",
    "32024R1485": "EU Russia human rights (Reg. 2024/1485)",
    "32024R2642": "EU Russia destabilising activities (Reg. 2024/2642)",
}


def regime_of(celex: str) -> str:
    """The readable name of a framework act; "EU Regulation <CELEX>" for one not in `REGIMES`."""
    return REGIMES.get(celex, f"EU Regulation {celex}")


class EuJournalFormat(Format):
    name = "eu_journal_csv"
    default_source = "eu_journal"

    def claims(self, file: SourceFile) -> bool:
        if not file.name.lower().endswith(".csv"):
            return False
        head = file.head.lstrip(b"\xef\xbb\xbf")
        if head.startswith(_HEADERS):
            return True
        # A file named by a CELEX number is ours even when empty or an error page, so that
        # parse() can say what is wrong with it rather than the file going unrecognised.
        stem = file.name.rsplit(".", 1)[0]
        return bool(_CELEX_RE.match(stem)) and (not file.data.strip() or b"<html" in head[:512].lower())

    def parse(self, files: list[SourceFile]) -> list[ParsedSnapshot]:
        return [parse_file(file, self.name) for file in files]


def parse_file(file: SourceFile, format_name: str) -> ParsedSnapshot:
    """One regulation's annexes, or one amending act's rows (scope: the amending act, ids: the amended one's)."""
    reject_non_list(file.label, file.data, "an EU annex CSV")
    text = decode_utf8(file.label, file.data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    amendment = "amendedCelex" in header
    act_column = "amendmentCelex" if amendment else "celex"
    required = [*(c for c in _REQUIRED if c != "celex"), *_AMENDMENT_COLUMNS] if amendment else list(_REQUIRED)
    missing = [column for column in required if column not in header]
    if missing:
        raise SourceError(file.label, f"missing column(s) {', '.join(missing)}", line=1)

    act: str | None = None
    rows = _Rows(file.label)
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise SourceError(file.label, "a row has more fields than the header", line=line)
            if any(value is None for value in row.values()):
                raise SourceError(file.label, "a row has fewer fields than the header: truncated?", line=line)
            act = _same_act(file.label, act, row[act_column], line)
            rows.add(row, row["amendedCelex"].strip() if amendment else act, line)
    except csv.Error as error:
        raise SourceError(file.label, f"malformed CSV ({error})", line=reader.line_num) from None
    # A header without rows is legitimate here: a regime whose listings have all been lifted.
    act = act or _act_from_name(file)
    notes = rows.notes
    if amendment:
        notes.append(f"rows added or changed by amending act {act}; the regulation's full annex is its own scope")
    scope = f"amendment:{act}" if amendment else act
    return ParsedSnapshot("eu_journal", format_name, [file], rows.records(), scope=scope, notes=notes)


def _same_act(label: str, known: str | None, value: str, line: int) -> str:
    """The act every row names: the file's scope, so rows naming two acts are a damaged file."""
    act = value.strip()
    if not _CELEX_RE.match(act):
        raise SourceError(label, f"{act!r} is not a CELEX number", line=line)
    if known is not None and act != known:
        raise SourceError(label, f"row names act {act}, earlier rows {known}: one file holds one act", line=line)
    return act


def _act_from_name(file: SourceFile) -> str:
    """A header-only file names its act only by its file name."""
    stem = file.name.rsplit(".", 1)[0]
    if not _CELEX_RE.match(stem):
        raise SourceError(file.label, "the file has no rows and its name is not a CELEX number: which act is it?")
    return stem


class _Rows:
    """The records of one file by id, with the rules for entries that occur in more than one row."""

    def __init__(self, label: str):
        self.label = label
        self.by_id: dict[str, tuple[Record, dict[str, str], int]] = {}
        self.notes: list[str] = []

    def add(self, row: dict[str, str], regulation: str, line: int) -> None:
        annex = clean(row["annex"]) or "-"
        number = clean(row["recordId"])
        record_id = f"{regulation}#{annex}-{number or entry_key(row)}"
        record = row_record(record_id, row, regulation)
        first = self.by_id.get(record_id)
        if first is None:
            self.by_id[record_id] = (record, row, line)
        elif number is None:
            record_id = self._renumber(record, record_id, line)
            self.by_id[record_id] = (record, row, line)
        elif _differ_only_in_measure(first[1], row):
            for remark in record.remarks:
                append_unique(first[0].remarks, remark)
        else:
            raise SourceError(self.label, f"entry {annex}-{number} appears twice (first at line {first[2]})", line=line)

    def _renumber(self, record: Record, record_id: str, line: int) -> str:
        suffix = 2
        while f"{record_id}~{suffix}" in self.by_id:
            suffix += 1
        record.source_id = f"{record_id}~{suffix}"
        self.notes.append(f"line {line}: unnumbered entry {record_id} repeats; kept as {record.source_id}")
        return record.source_id

    def records(self) -> list[Record]:
        return [record for record, _, _ in self.by_id.values()]


def _differ_only_in_measure(first: dict[str, str], again: dict[str, str]) -> bool:
    return first["measure"] != again["measure"] and all(
        value == again.get(column) for column, value in first.items() if column != "measure"
    )


def entry_key(row: dict[str, str]) -> str:
    """The key of an entry the Journal does not number: its IMO number, else its primary name."""
    imo = re.search(r"\d{7}", row.get("imoNumber") or "")
    if imo:
        return f"imo-{imo.group(0)}"
    names = split_list(row["name"])
    slug = _SLUG_RE.sub("-", names[0].casefold()).strip("-_") if names else ""
    return f"name-{slug or 'unnamed'}"


def row_record(record_id: str, row: dict[str, str], celex: str) -> Record:
    """One annex row as a Record."""
    schema = row["schema"].strip()
    record = Record("eu_journal", record_id, _KINDS.get(schema, Kind.UNKNOWN))
    if schema not in _KINDS:
        # "Asset": ports, airports, special economic zones, crypto-assets (833/2014, 765/2006)
        record.keep_unparsed("schema", schema)
    for name in split_list(row["name"]):
        record.names.append(Name(name, NameType.PRIMARY if not record.names else NameType.ALIAS))
    for column, name_type in _NAME_COLUMNS:
        for name in split_list(row.get(column)):
            append_unique(record.names, Name(name, name_type))
    record.regimes.append(regime_of(celex))
    append_unique(record.regimes, clean(row.get("programKey")))
    set_listed_on(record, row["startDate"], "startDate")
    record.reason = clean(row.get("reason"))
    for item in cell_items(row.get("birthDate")):
        for text in _DATE_OR_RE.split(item):
            add_birth_date(record, text.strip(_ITEM_STRIP), "birthDate")
    for item in cell_items(row.get("birthPlace")):
        append_unique(record.birth_places, item)
    add_countries(record, record.nationalities, row.get("nationality"), "nationality")
    for column in ("country", "jurisdiction"):
        add_countries(record, record.countries, row.get(column), column)
    if gender_text := clean(row.get("gender")):
        record.gender = parse_gender(gender_text.rstrip("."))
        if record.gender is None:
            record.keep_unparsed("gender", gender_text)
    for item in cell_items(row.get("position")):
        append_unique(record.positions, item)
    for column, id_type in _ID_COLUMNS.items():
        for item in cell_items(row.get(column)):
            append_unique(record.identifiers, identifier(id_type, item))
    for item in cell_items(row.get("address")):
        append_unique(record.addresses, Address(item))
    for column in _REMARK_COLUMNS:
        if value := clean(row.get(column)):
            record.remarks.append(f"{column}: {value}")
    for column in _UNMODELLED_COLUMNS:
        if value := clean(row.get(column)):
            record.keep_unparsed(column, value)
    return record


def cell_items(text: str | None) -> list[str]:
    """The items of a multi-valued cell: "; "-separated and/or enumerated "(a) …, (b) …"."""
    items: list[str] = []
    for part in split_list(text):
        for piece in _ENUMERATOR_RE.split(part):
            if item := clean(piece.strip(_ITEM_STRIP)):
                items.append(item)
    return items


def add_countries(record: Record, target: list[str], text: str | None, field_name: str) -> None:
    """Countries of a cell ("Russian", "China, Cambodia", "Iranian and US", "Myanmar/Burma").

    An item that does not read entirely as countries ("Italian since 1990") is kept unparsed whole.
    """
    for item in cell_items(text):
        codes = country_codes(item)
        if codes is None:
            record.keep_unparsed(field_name, item)
        for code in codes or ():
            append_unique(target, code)


def country_codes(text: str) -> list[str] | None:
    """The codes of a country name or of a list of them; None unless every part is a country."""
    if code := country_code(text):
        return [code]
    parts = [part for part in _COUNTRY_SPLIT_RE.split(text) if part.strip()]
    if len(parts) < 2:
        return None
    codes = [country_code(part) for part in parts]
    if any(code is None for code in codes):
        return None
    return list(dict.fromkeys(code for code in codes if code))


def identifier(id_type: str, text: str) -> Identifier:
    """A number as the annex writes it; a trailing bracket is its note ("7725842590 (Tax ID/INN)")."""
    match = _VALUE_NOTE_RE.match(text)
    if match is None:
        return Identifier(id_type, text)
    note = match.group("note")
    lowered = note.casefold()
    for word, note_type in _NOTE_TYPES:
        if re.search(rf"\b{word}\b", lowered):
            id_type = note_type
            break
    return Identifier(id_type, match.group("value").strip(), note=note)


FORMAT = EuJournalFormat()
