"""EU regulation annexes as OpenSanctions transcribes the Official Journal: one CSV per regulation.

Each file is named by the framework regulation's CELEX number (32020R1998 = global human
rights regime) and has one row per listed person, entity or vessel, with its listing date,
reason, names and aliases (Latin and Cyrillic, "; "-separated) and identifiers.

The amendment CSVs (one per amending act: the rows it adds or changes, with `amendedCelex`)
load too, each as scope `amendment:<act>`, with ids of the amended regulation so they link up.

Each file is its own snapshot scope, so every regulation is versioned and compared on its
own. Record ids are `<CELEX>#<annex>-<entry number>`: the Journal numbers entries within each
annex (natural persons and legal persons separately), so the number alone is not unique. An
annex without entry numbers falls back to the row's position in that annex (`row<n>`); a
number the transcription repeats within one annex gets a `~2` suffix, noted in the snapshot.
"""

from __future__ import annotations

import csv
import io
import re

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import add_birth_date, add_country, append_unique, decode_utf8, set_listed_on
from sanctionscope.sources.values import clean, parse_gender, split_list

_CELEX_RE = re.compile(r"^3\d{4}[RDL]\d{4}$")
_REQUIRED = ("celex", "recordId", "annex", "startDate", "schema", "name")
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

#: readable names of the framework regulations, where the transcription's program keys make them certain;
#: any other regulation is named by its CELEX number
REGIMES = {
    "32001R2580": "EU terrorist list (Reg. 2580/2001)",
    "32002R0881": "EU ISIL/Da'esh and Al-Qaida, UN-based (Reg. 881/2002)",
    "32003R1210": "EU Iraq (Reg. 1210/2003)",
    "32005R1183": "EU Democratic Republic of the Congo (Reg. 1183/2005)",
    "32006R0765": "EU Belarus (Reg. 765/2006)",
    "32009R1284": "EU Guinea (Reg. 1284/2009)",
    "32010R0356": "EU Somalia (Reg. 356/2010)",
    "32011R0101": "EU Tunisia (Reg. 101/2011)",
    "32011R0359": "EU Iran human rights (Reg. 359/2011)",
    "32011R0753": "EU Afghanistan (Reg. 753/2011)",
    "32012R0036": "EU Syria (Reg. 36/2012)",
    "32012R0267": "EU Iran nuclear proliferation (Reg. 267/2012)",
    "32013R0401": "EU Myanmar/Burma (Reg. 401/2013)",
    "32014R0208": "EU misappropriation of Ukrainian state funds (Reg. 208/2014)",
    "32014R0224": "EU Central African Republic (Reg. 224/2014)",
    "32014R0269": "EU Russia/Ukraine territorial integrity (Reg. 269/2014)",
    "32014R0747": "EU Sudan (Reg. 747/2014)",
    "32014R0833": "EU Russia sectoral measures (Reg. 833/2014)",
    "32014R1352": "EU Yemen (Reg. 1352/2014)",
    "32015R0735": "EU South Sudan (Reg. 2015/735)",
    "32016R0044": "EU Libya (Reg. 2016/44)",
    "32016R1686": "EU ISIL/Da'esh and Al-Qaida, autonomous (Reg. 2016/1686)",
    "32017R1509": "EU North Korea (Reg. 2017/1509)",
    "32017R1770": "EU Mali (Reg. 2017/1770)",
    "32017R2063": "EU Venezuela (Reg. 2017/2063)",
    "32018R1542": "EU chemical weapons (Reg. 2018/1542)",
    "32019R0796": "EU cyber-attacks (Reg. 2019/796)",
    "32019R1716": "EU Nicaragua (Reg. 2019/1716)",
    "32020R1998": "EU global human rights sanctions regime (Reg. 2020/1998)",
    "32022R2309": "EU Haiti (Reg. 2022/2309)",
    "32023R0888": "EU Moldova (Reg. 2023/888)",
    "32023R1529": "EU Iran military support to Russia (Reg. 2023/1529)",
    "32024R0287": "EU Guatemala (Reg. 2024/287)",
    "32024R0386": "EU Hamas and Palestinian Islamic Jihad (Reg. 2024/386)",
    "32024R1485": "EU Russia human rights (Reg. 2024/1485)",
    "32024R2642": "EU Russia destabilising activities (Reg. 2024/2642)",
}


def regime_of(celex: str) -> str:
    return REGIMES.get(celex, f"EU Regulation {celex}")


class EuJournalFormat(Format):
    name = "eu_journal_csv"
    default_source = "eu_journal"

    def claims(self, file: SourceFile) -> bool:
        stem = file.name.rsplit(".", 1)[0]
        if not (file.name.lower().endswith(".csv") and _CELEX_RE.match(stem)):
            return False
        head = file.head.lstrip(b"\xef\xbb\xbf")
        return not file.data.strip() or head.startswith((b"celex,recordId,", b"amendedCelex,amendmentCelex,"))

    def parse(self, files: list[SourceFile]) -> list[ParsedSnapshot]:
        return [parse_file(file, self.name) for file in files]


def parse_file(file: SourceFile, format_name: str) -> ParsedSnapshot:
    """One regulation's annex; or one amending act's rows (scope: the amending act, ids: the amended one's)."""
    celex = file.name.rsplit(".", 1)[0]
    text = decode_utf8(file.label, file.data)
    if not text.strip():
        raise SourceError(file.label, "the file is empty")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    amendment = "amendedCelex" in (reader.fieldnames or [])
    required = [c if c != "celex" else "amendedCelex" for c in _REQUIRED] if amendment else _REQUIRED
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise SourceError(file.label, f"missing column(s) {', '.join(missing)}", line=1)
    records: dict[str, Record] = {}
    notes: list[str] = []
    rows_in_annex: dict[str, int] = {}
    try:
        for row in reader:
            if None in row:
                raise SourceError(file.label, "a row has more fields than the header", line=reader.line_num)
            if any(value is None for value in row.values()):
                raise SourceError(file.label, "a row has fewer fields than the header: truncated?", line=reader.line_num)
            annex = clean(row["annex"]) or "-"
            rows_in_annex[annex] = rows_in_annex.get(annex, 0) + 1
            number = clean(row["recordId"]) or f"row{rows_in_annex[annex]}"
            regulation = clean(row["amendedCelex"]) or celex if amendment else celex
            record_id = f"{regulation}#{annex}-{number}"
            if record_id in records:
                suffix = 2
                while f"{record_id}~{suffix}" in records:
                    suffix += 1
                notes.append(f"line {reader.line_num}: entry {annex}-{number} repeats; kept as {record_id}~{suffix}")
                record_id = f"{record_id}~{suffix}"
            records[record_id] = row_record(record_id, row, regulation)
    except csv.Error as error:
        raise SourceError(file.label, f"malformed CSV ({error})", line=reader.line_num) from None
    # A header without rows is legitimate here: a regime whose listings have all been lifted.
    if amendment:
        notes.append(f"rows added or changed by amending act {celex}; the regulation's full annex is its own scope")
    scope = f"amendment:{celex}" if amendment else celex
    return ParsedSnapshot("eu_journal", format_name, [file], list(records.values()), scope=scope, notes=notes)


def row_record(record_id: str, row: dict[str, str], celex: str) -> Record:
    schema = row["schema"].strip()
    record = Record("eu_journal", record_id, _KINDS.get(schema, Kind.UNKNOWN))
    if schema not in _KINDS:
        record.keep_unparsed("schema", schema)
    for name in split_list(row["name"]):
        record.names.append(Name(name, NameType.PRIMARY if not record.names else NameType.ALIAS))
    for column, name_type in _NAME_COLUMNS:
        for name in split_list(row.get(column)):
            record.names.append(Name(name, name_type))
    record.regimes.append(regime_of(celex))
    if program := clean(row.get("programKey")):
        append_unique(record.regimes, program)
    set_listed_on(record, row["startDate"], "startDate")
    record.reason = clean(row.get("reason"))
    for value in split_list(row.get("birthDate")):
        add_birth_date(record, value, "birthDate")
    for value in split_list(row.get("birthPlace")):
        append_unique(record.birth_places, value)
    for value in split_list(row.get("nationality")):
        add_country(record, record.nationalities, value, "nationality")
    for column in ("country", "jurisdiction"):
        for value in split_list(row.get(column)):
            add_country(record, record.countries, value, column)
    if gender_text := clean(row.get("gender")):
        record.gender = parse_gender(gender_text)
        if record.gender is None:
            record.keep_unparsed("gender", gender_text)
    record.positions.extend(split_list(row.get("position")))
    for column, id_type in _ID_COLUMNS.items():
        for value in split_list(row.get(column)):
            record.identifiers.append(Identifier(id_type, value))
    for value in split_list(row.get("address")):
        record.addresses.append(Address(value))
    for column in ("measure", "fatherName", "motherName", "legalForm", "sector", "incorporationDate", "flag", "notes"):
        if value := clean(row.get(column)):
            record.remarks.append(f"{column}: {value}")
    for column in ("phone", "email", "website", "ticker", "appearance", "ethnicity"):
        if value := clean(row.get(column)):
            record.keep_unparsed(column, value)
    return record


FORMAT = EuJournalFormat()
