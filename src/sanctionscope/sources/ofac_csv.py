"""OFAC legacy CSV sets: sdn.csv (+ add.csv, alt.csv, sdn_comments.csv) and the non-SDN cons_*.csv.

No header row; "-0-" marks an empty field. sdn.csv columns: ent_num, name, type, program,
title, call sign, vessel type, tonnage, GRT, vessel flag, vessel owner, remarks. The companion
files add addresses (add.csv), aliases (alt.csv) and remark continuations (sdn_comments.csv),
keyed by ent_num. The files state no date. A set may be sdn.csv alone (then addresses are
unknown, not absent: they are declared `partial_fields`), but never companions without it.
"""

from __future__ import annotations

import csv
import io
import re

from sanctionscope.model import Address, Identifier, Kind, Name, NameType, Record
from sanctionscope.model.values import clean, country_code, parse_gender
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile
from sanctionscope.sources.common import add_birth_date, add_country, append_unique, require_records

#: file roles by name, for the SDN and the consolidated (non-SDN) sets
_ROLES = {
    "sdn.csv": ("us_ofac_sdn", "primary"),
    "add.csv": ("us_ofac_sdn", "addresses"),
    "alt.csv": ("us_ofac_sdn", "aliases"),
    "sdn_comments.csv": ("us_ofac_sdn", "comments"),
    "cons_prim.csv": ("us_ofac_cons", "primary"),
    "cons_add.csv": ("us_ofac_cons", "addresses"),
    "cons_alt.csv": ("us_ofac_cons", "aliases"),
    "cons_comments.csv": ("us_ofac_cons", "comments"),
}
_PRIMARY_NAME = {"us_ofac_sdn": "sdn.csv", "us_ofac_cons": "cons_prim.csv"}
_KINDS = {"individual": Kind.PERSON, "vessel": Kind.VESSEL, "aircraft": Kind.AIRCRAFT}
_ALT_TYPES = {"aka": NameType.ALIAS, "fka": NameType.FORMER, "nka": NameType.ALIAS}
_PROGRAM_RE = re.compile(r"\[([^\]]+)\]")


def decode(file: SourceFile) -> str:
    """OFAC's CSVs are Windows-1252 in practice; UTF-8 is accepted too. NUL bytes mean a damaged file."""
    if b"\x00" in file.data[:65536]:
        line = file.data.count(b"\n", 0, file.data.index(b"\x00")) + 1
        raise SourceError(file.label, "binary or UTF-16 data where CSV text was expected", line=line)
    try:
        return file.data.decode("utf-8")
    except UnicodeDecodeError:
        return file.data.decode("cp1252", errors="replace")


def rows(file: SourceFile, min_fields: int) -> list[tuple[int, list[str]]]:
    """The file's rows with line numbers; a row with fewer fields than the layout has is an error."""
    text = decode(file)
    reader = csv.reader(io.StringIO(text, newline=""))
    out: list[tuple[int, list[str]]] = []
    try:
        for fields in reader:
            if not fields or not fields[0].strip(" \x1a"):
                continue  # OFAC ends the file with an end-of-file mark (Ctrl-Z) on a line of its own
            if len(fields) < min_fields:
                raise SourceError(
                    file.label,
                    f"{len(fields)} fields where OFAC's layout has {min_fields}: truncated?",
                    line=reader.line_num,
                )
            out.append((reader.line_num, [field.strip() for field in fields]))
    except csv.Error as error:
        raise SourceError(file.label, f"malformed CSV ({error})", line=reader.line_num) from None
    return out


def split_person_name(full: str) -> Name:
    """ "BASTRYKIN, Alexander Ivanovich" → family BASTRYKIN, given "Alexander Ivanovich"."""
    family, sep, given = full.partition(",")
    if not sep:
        return Name(full)
    return Name(full, given=clean(given), family=clean(family))


_REMARK_SPLIT_RE = re.compile(r";\s*(?![^()]*\))")
_AKA_RE = re.compile(r"^(?:a\.k\.a\.|f\.k\.a\.|n\.k\.a\.)\s*(.+)$", re.IGNORECASE)
_KEYED = [
    (re.compile(r"^DOB\s+(.+)$", re.IGNORECASE), "dob"),
    (re.compile(r"^POB\s+(.+)$", re.IGNORECASE), "pob"),
    (re.compile(r"^nationality\s+(.+)$", re.IGNORECASE), "nationality"),
    (re.compile(r"^citizen\s+(.+)$", re.IGNORECASE), "citizen"),
    (re.compile(r"^Gender\s+(.+)$", re.IGNORECASE), "gender"),
    (re.compile(r"^Linked To:\s*(.+)$", re.IGNORECASE), "linked"),
]
_ID_RE = re.compile(
    r"^(?P<label>Passport|National ID No\.|Tax ID No\.|Identification Number|Registration Number|"
    r"Cedula No\.|SSN|Driver's License No\.|IMO|Vessel Registration Identification|SWIFT/BIC|"
    r"Government Gazette Number|Business Registration Number|Personal ID Card|Residency Number|"
    r"Aircraft Manufacturer's Serial Number \(MSN\)|NIT #|RFC|CURP|C\.U\.I\.T\.)\s+(?:IMO\s+)?(?P<value>\S+)"
    r"(?:\s*\((?P<country>[^)]+)\))?",
    re.IGNORECASE,
)
_ID_TYPES = {
    "passport": "passport",
    "national id no.": "national_id",
    "tax id no.": "tax_id",
    "identification number": "national_id",
    "registration number": "registration",
    "registration id": "registration",
    "business registration number": "registration",
    "public registration number": "registration",
    "unified social credit code (uscc)": "registration",
    "legal entity number": "lei",
    "imo": "imo",
    "vessel registration identification": "imo",
    "swift/bic": "swift",
    "isin": "isin",
}


def identifier_type(label: str) -> str:
    """OFAC's label of an identifier ("Passport", "Tax ID No.") → sanctionscope's identifier type."""
    return _ID_TYPES.get(label.strip().lower(), "other")


def apply_remarks(record: Record, remarks: str) -> None:
    """Read the structured pieces of OFAC's remarks field; keep the whole text and unread pieces."""
    record.remarks.append(remarks)
    for piece in _REMARK_SPLIT_RE.split(remarks.rstrip(".")):
        piece = piece.strip().rstrip(".")
        if not piece:
            continue
        if alt := piece.startswith("alt. "):
            piece = piece[5:]
        if m := _AKA_RE.match(piece):
            alias = m.group(1).strip()
            weak = alias.startswith("'") and alias.endswith("'")
            alias = alias.strip("'")
            name_type = NameType.FORMER if piece.lower().startswith("f.k.a") else NameType.ALIAS
            record.names.append(Name(alias, NameType.WEAK_ALIAS if weak else name_type))
            continue
        for pattern, key in _KEYED:
            if m := pattern.match(piece):
                _apply_keyed(record, key, m.group(1).strip())
                break
        else:
            if m := _ID_RE.match(piece):
                id_type = identifier_type(m.group("label"))
                record.identifiers.append(
                    Identifier(
                        id_type,
                        m.group("value").rstrip(",;"),
                        country=country_code(m.group("country")),
                        note=m.group("label") if id_type == "other" else None,
                    )
                )
            elif not alt:
                record.keep_unparsed("remarks", piece)


def _apply_keyed(record: Record, key: str, value: str) -> None:
    if key == "dob":
        add_birth_date(record, value, "DOB")
    elif key == "pob":
        append_unique(record.birth_places, value)
    elif key == "nationality":
        add_country(record, record.nationalities, value, "nationality")
    elif key == "citizen":
        add_country(record, record.citizenships, value, "citizen")
    elif key == "gender":
        gender = parse_gender(value)
        if gender is None:
            record.keep_unparsed("Gender", value)
        record.gender = gender or record.gender
    elif key == "linked":
        append_unique(record.remarks, f"Linked To: {value}")


class OfacCsvFormat(Format):
    name = "ofac_csv"
    default_source = "us_ofac_sdn"

    def claims(self, file: SourceFile) -> bool:
        if file.name.lower() not in _ROLES:
            return False
        head = file.head.lstrip()
        # no header row: the first field is an entry number
        return bool(head) and head[:1].isdigit() or not head

    def bundle_key(self, file: SourceFile) -> str:
        source, _ = _ROLES[file.name.lower()]
        folder = str(file.path.parent) if file.path else ""
        return f"{folder}|{source}"

    def parse(self, files: list[SourceFile]) -> list[ParsedSnapshot]:
        by_role = {_ROLES[f.name.lower()][1]: f for f in files}
        source = _ROLES[files[0].name.lower()][0]
        primary = by_role.get("primary")
        if primary is None:
            present = ", ".join(sorted(f.name for f in files))
            raise SourceError(
                files[0].label,
                f"the OFAC CSV set has {present} but not {_PRIMARY_NAME[source]}, the file that lists the entries",
            )
        records: dict[str, Record] = {}
        for line, fields in rows(primary, 12):
            ent_num = fields[0]
            if ent_num in records:
                raise SourceError(primary.label, f"entry number {ent_num} appears more than once", line=line)
            records[ent_num] = primary_record(source, fields)
        if comments := by_role.get("comments"):
            for _, fields in rows(comments, 2):
                if record := records.get(fields[0]):
                    # the continuation of a remarks field cut at OFAC's column width
                    full = (record.remarks[0] if record.remarks else "") + fields[1]
                    record.remarks.clear()
                    record.unparsed.pop("remarks", None)
                    apply_remarks(record, full)
        if aliases := by_role.get("aliases"):
            for _, fields in rows(aliases, 4):
                if (record := records.get(fields[0])) and (name := clean(fields[3])):
                    name_type = _ALT_TYPES.get(fields[2].lower().strip(". "), NameType.ALIAS)
                    if fields[4:5] and clean(fields[4]) and "weak" in fields[4].lower():
                        name_type = NameType.WEAK_ALIAS
                    alias = split_person_name(name) if record.kind == Kind.PERSON else Name(name)
                    record.names.append(Name(alias.full, name_type, given=alias.given, family=alias.family))
        if addresses := by_role.get("addresses"):
            for _, fields in rows(addresses, 5):
                if record := records.get(fields[0]):
                    parts = [p for p in (clean(fields[2]), clean(fields[3]), clean(fields[4])) if p]
                    if parts:
                        record.addresses.append(Address(", ".join(parts), country_code(clean(fields[4]))))
        result = list(records.values())
        require_records(primary.label, result, "entries")
        partial = frozenset() if "addresses" in by_role else frozenset({"addresses"})
        if "aliases" not in by_role:
            partial |= {"names"}
        return [ParsedSnapshot(source, self.name, files, result, partial_fields=partial)]


def primary_record(source: str, fields: list[str]) -> Record:
    ent_num, name, sdn_type, program, title = fields[:5]
    kind = _KINDS.get(sdn_type.strip().lower(), Kind.ORGANIZATION)
    record = Record(source, ent_num, kind)
    record.names.append(split_person_name(name) if kind == Kind.PERSON else Name(name))
    record.regimes.extend(_PROGRAM_RE.findall(program) or ([p] if (p := clean(program)) else []))
    if position := clean(title):
        record.positions.append(position)
    vessel = dict(zip(("call_sign", "vessel_type", "tonnage", "grt", "flag", "owner"), fields[5:11], strict=False))
    for key, raw in vessel.items():
        if not (value := clean(raw)):
            continue
        if key == "call_sign":
            record.identifiers.append(Identifier("call_sign", value))
        else:
            record.keep_unparsed(f"vessel_{key}", value)
    if remarks := clean(fields[11]):
        apply_remarks(record, remarks)
    return record


FORMAT = OfacCsvFormat()
