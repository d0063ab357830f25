"""Bad input through `sanctionscope load`: a clear error naming the file, exit 1, and the last good data untouched."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionscope.cli import app

runner = CliRunner()
UN_FILE = "un/un-sc-consolidated-xml/2026-02-27/UN_consolidated.xml"


def invoke(db: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["--db", str(db), *args])


def sources(db: Path) -> list[dict]:
    return json.loads(invoke(db, "sources", "--json").stdout)


@pytest.fixture
def good_db(tmp_path: Path, lists_dir: Path) -> Path:
    """A database holding the UN list of 2026-02-27."""
    db = tmp_path / "good.db"
    result = invoke(db, "load", str(lists_dir / UN_FILE))
    assert result.exit_code == 0, result.output
    return db


def truncated(raw: bytes) -> bytes:
    return raw[: len(raw) // 2]


def html_page(_: bytes) -> bytes:
    return b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>Error</body></html>"


def utf16_declared_utf8(raw: bytes) -> bytes:
    """The same XML, still declaring UTF-8, but written as UTF-16 (no byte-order mark)."""
    return raw.decode("utf-8").encode("utf-16-le")


def duplicated_entry(raw: bytes) -> bytes:
    text = raw.decode("utf-8")
    start = text.index("<INDIVIDUAL>")
    end = text.index("</INDIVIDUAL>", start) + len("</INDIVIDUAL>")
    return (text[:end] + text[start:end] + text[end:]).encode("utf-8")


@pytest.mark.parametrize(
    ("name", "damage", "expect"),
    [
        ("truncated", truncated, ""),
        ("empty", lambda raw: b"", "empty"),
        ("html", html_page, "HTML"),
        ("utf16", utf16_declared_utf8, ""),
        ("duplicate", duplicated_entry, "more than once"),
    ],
)
def test_damaged_un_file_fails_cleanly(
    good_db: Path, lists_dir: Path, tmp_path: Path, name: str, damage: Callable[[bytes], bytes], expect: str
) -> None:
    before = sources(good_db)
    bad = tmp_path / "2026-03-01" / "consolidated.xml"
    bad.parent.mkdir()
    bad.write_bytes(damage((lists_dir / UN_FILE).read_bytes()))
    result = (
        invoke(good_db, "load", str(bad), "--source", "un_sc") if name == "empty" else invoke(good_db, "load", str(bad))
    )
    assert result.exit_code == 1
    assert str(bad) in result.stderr.replace("\n", "")
    assert expect.lower() in result.stderr.lower()
    assert sources(good_db) == before


def test_ofac_set_missing_sdn_csv_fails_and_names_the_missing_file(good_db: Path, lists_dir: Path) -> None:
    before = sources(good_db)
    result = invoke(good_db, "load", str(lists_dir / "us/ofac-sdn-csv-partial-set/2025-12-24"))
    assert result.exit_code == 1
    assert "sdn.csv" in result.stderr
    assert sources(good_db) == before


def test_zip_without_the_list_inside_fails(good_db: Path, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "not a list")
    bad = tmp_path / "2025-01-10" / "CONS_ENHANCED.ZIP"
    bad.parent.mkdir()
    bad.write_bytes(buffer.getvalue())
    result = invoke(good_db, "load", str(bad))
    assert result.exit_code == 1
    assert "CONS_ENHANCED.ZIP" in result.stderr.replace("\n", "")


def test_one_bad_file_does_not_stop_the_good_ones(tmp_path: Path, lists_dir: Path) -> None:
    folder = tmp_path / "mixed"
    (folder / "2026-02-27").mkdir(parents=True)
    shutil.copy(lists_dir / UN_FILE, folder / "2026-02-27" / "UN_consolidated.xml")
    (folder / "2026-03-01").mkdir()
    (folder / "2026-03-01" / "consolidated.xml").write_bytes(truncated((lists_dir / UN_FILE).read_bytes()))
    db = tmp_path / "mixed.db"
    result = invoke(db, "load", str(folder), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [r["published_on"] for r in report["loaded"]] == ["2026-02-27"]
    assert len(report["failures"]) == 1 and "2026-03-01" in report["failures"][0]


def test_missing_path_and_bad_date_are_usage_errors(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    missing = invoke(db, "load", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    assert invoke(db, "load", str(tmp_path), "--date", "yesterday").exit_code == 2


# --- the formats of issue 14: the same guarantees on damaged copies of their real files ---------------

OFSI_CSV = "gb/gb-ofsi-conlist-csv/2020-04-27/sample_hmt.csv"
OFSI_XLSX = "gb/gb-ofsi-conlist-xlsx/2025-04-14/ConList.xlsx"
FSF = "eu/eu-fsf-xml/2024-05-13/20240513-FULL-1_1(xsd).xml"
SDN_XML = "us/ofac-sdn-xml/2024-05-07/sdn.xml"
SEMA_2025 = "ca/sema-consolidated-xml/2025-05-25/cannada.xml"


def utf16(raw: bytes) -> bytes:
    """The same text written as UTF-16 without a byte-order mark (a re-encoded download)."""
    return raw.decode("cp1252" if raw[:12] == b"Last Updated" else "utf-8").encode("utf-16-le")


def row_without_group_id(raw: bytes) -> bytes:
    """The third data row of an OFSI CSV with its Group ID (the last field) emptied."""
    lines = raw.split(b"\r\n")
    lines[4] = lines[4].rsplit(b",", 1)[0] + b","
    return b"\r\n".join(lines)


def fsf_entity_without_id(raw: bytes) -> bytes:
    return raw.replace(b'logicalId="13"', b'logicalId=""', 1)


def xlsx_row_without_group_id(raw: bytes) -> bytes:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    workbook.active.cell(row=7, column=36).value = None
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


NEW_FORMAT_CASES = [
    (OFSI_CSV, "truncated", truncated, "line "),
    (OFSI_CSV, "empty", lambda raw: b"", "empty"),
    (OFSI_CSV, "html", html_page, "HTML"),
    (OFSI_CSV, "utf16", utf16, "encoding"),
    (OFSI_CSV, "malformed", row_without_group_id, "line 5, Group ID"),
    (OFSI_XLSX, "truncated", truncated, "xlsx"),
    (OFSI_XLSX, "malformed", xlsx_row_without_group_id, "line 7, Group ID"),
    (FSF, "truncated", truncated, "line "),
    (FSF, "utf16", utf16, "UTF-16"),
    (FSF, "malformed", fsf_entity_without_id, "without a logicalId"),
    (SDN_XML, "truncated", truncated, "line "),
    (SEMA_2025, "truncated", truncated, "line "),
    (SEMA_2025, "utf16", utf16, "UTF-16"),
]


@pytest.mark.parametrize(
    ("relative", "name", "damage", "expect"), NEW_FORMAT_CASES, ids=[f"{c[0].split('/')[1]}-{c[1]}" for c in NEW_FORMAT_CASES]
)
def test_damaged_new_format_files_fail_cleanly(
    good_db: Path,
    lists_dir: Path,
    tmp_path: Path,
    relative: str,
    name: str,
    damage: Callable[[bytes], bytes],
    expect: str,
) -> None:
    before = sources(good_db)
    original = lists_dir / relative
    bad = tmp_path / "2026-03-01" / original.name
    bad.parent.mkdir()
    bad.write_bytes(damage(original.read_bytes()))
    source = {"gb": "gb_ofsi", "eu": "eu_fsf", "us": "us_ofac_sdn", "ca": "ca_sema"}[relative[:2]]
    # an empty or re-encoded file no longer looks like its format: name the source, as a user would
    args = ("--source", source) if name in ("empty", "utf16") else ()
    result = invoke(good_db, "load", str(bad), *args)
    assert result.exit_code == 1, result.output
    message = result.stderr.replace("\n", "")
    assert str(bad) in message and expect.lower() in message.lower(), message
    assert "Traceback" not in result.output
    assert sources(good_db) == before


def test_unknown_source_is_a_usage_error_listing_the_known_ones(tmp_path: Path, lists_dir: Path) -> None:
    result = invoke(tmp_path / "x.db", "load", str(lists_dir / UN_FILE), "--source", "unknown")
    assert result.exit_code == 2 and "Traceback" not in result.output
    message = result.stderr.replace("\n", "")
    assert "unknown source 'unknown'" in message and all(s in message for s in ("gb_ofsi", "eu_fsf", "un_sc"))
