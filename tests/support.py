"""Helpers shared by the parser tests."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from sanctionscope.model import Record
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceFile
from sanctionscope.sources.detect import format_by_name


@cache
def parse_cached(path: Path, format_name: str) -> ParsedSnapshot:
    """The one snapshot a real file parses into, parsed once per test session."""
    [snapshot] = format_by_name(format_name).parse([SourceFile.read(path)])
    return snapshot


def by_id(snapshot: ParsedSnapshot) -> dict[str, Record]:
    return {record.source_id: record for record in snapshot.records}


def parse_bytes(fmt: Format, tmp_path: Path, name: str, data: bytes) -> list[ParsedSnapshot]:
    """Write `data` as a file named `name` and parse it: for damaged variants of real files."""
    path = tmp_path / name
    path.write_bytes(data)
    return fmt.parse([SourceFile.read(path)])


#: the list folders of the foundation issue: every test that needs "all lists loaded" loads these
FOUNDATION_FOLDERS = [
    "us/ofac-sdn-csv",
    "us/ofac-consolidated-xml",
    "us/ofac-consolidated-csv",
    "un/un-sc-consolidated-xml",
    "eu/opensanctions-journal-consolidated-csv",
    "ca/sema-consolidated-xml",
    "au/dfat-consolidated-xlsx",
]
