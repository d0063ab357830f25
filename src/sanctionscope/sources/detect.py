"""From paths on disk to parsed snapshots: find files, recognise their format, group and parse them.

`discover` walks files and folders; `plan` assigns each file a format and groups the
files that belong together; `parse_bundle` parses one group and settles each
snapshot's date (stated by the file, else given by the user, else found in the path).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sanctionscope.sources import ftm
from sanctionscope.sources.base import Format, ParsedSnapshot, SourceError, SourceFile, date_in_path
from sanctionscope.sources.registry import formats, source_info

#: files that are never list data (documentation next to the data)
_IGNORED_SUFFIXES = (".md", ".txt.sha256", ".sha256", ".json.meta")
_IGNORED_NAMES = {"PROVENANCE.md", "README.md", ".DS_Store"}


def discover(paths: Iterable[Path]) -> Iterator[Path]:
    """Every file under the given files and folders, folders walked recursively in name order."""
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _ignored(child):
                    yield child
        elif path.is_file():
            yield path
        else:
            raise SourceError(str(path), "no such file or folder")


def _ignored(path: Path) -> bool:
    return path.name in _IGNORED_NAMES or path.name.endswith(_IGNORED_SUFFIXES) or path.name.startswith(".")


@dataclass
class Bundle:
    """Files of one format that are parsed together (one snapshot, or one per scope)."""

    format: Format
    files: list[SourceFile] = field(default_factory=list)

    @property
    def label(self) -> str:
        return ", ".join(f.label for f in self.files)


@dataclass
class Plan:
    bundles: list[Bundle]
    #: files no format claimed, with the reason
    unrecognised: list[SourceError]


def format_by_name(name: str) -> Format:
    for fmt in formats():
        if fmt.name == name:
            return fmt
    known = ", ".join(f.name for f in formats())
    raise ValueError(f"unknown format {name!r}; known formats: {known}")


def formats_of_source(source: str) -> list[Format]:
    return [format_by_name(name) for name in source_info(source).formats]


def recognise(file: SourceFile, candidates: Iterable[Format] | None = None) -> Format:
    """The format that claims this file, or a SourceError that says what the file looks like instead."""
    for fmt in candidates if candidates is not None else formats():
        if fmt.claims(file):
            return fmt
    raise SourceError(file.label, f"not a list format sanctionscope reads ({describe_content(file.head)})")


def describe_content(head: bytes) -> str:
    """A short guess at what unrecognised bytes are, for error messages."""
    text = head.lstrip()[:512].lower()
    if not text:
        return "the file is empty"
    if text.startswith(b"<!doctype html") or b"<html" in text:
        return "it is an HTML page, e.g. an error page saved in place of the list"
    if text.startswith(b"pk\x03\x04"):
        return "it is a zip archive without a recognised list inside"
    if b"\x00" in text:  # before the XML test: "<\x00?\x00x\x00" is UTF-16 XML, which no list is published in
        return "it is binary or UTF-16 data"
    if text.startswith((b"<?xml", b"<")):
        return "it is XML of an unknown kind"
    return "unknown content"


def plan(paths: Iterable[Path], *, source: str | None = None) -> Plan:
    """Read the files under `paths`, recognise each and group them into bundles."""
    candidates = formats_of_source(source) if source else None
    bundles: dict[tuple[str, str], Bundle] = {}
    unrecognised: list[SourceError] = []
    for path in discover(paths):
        file = SourceFile.read(path)
        try:
            fmt = recognise(file, candidates)
        except SourceError as error:
            unrecognised.append(error)
            continue
        key = (fmt.name, fmt.bundle_key(file))
        bundles.setdefault(key, Bundle(fmt)).files.append(file)
    return Plan(list(bundles.values()), unrecognised)


@dataclass
class DatedSnapshot:
    """A parsed snapshot with its date settled, and how it was settled."""

    parsed: ParsedSnapshot
    published_on: date
    date_basis: str  # "stated" (in the file), "given" (--date), "path" (YYYY-MM-DD in the folder name)


def parse_bundle(
    bundle: Bundle, *, source: str | None = None, given_date: date | None = None, dataset: str | None = None
) -> list[DatedSnapshot]:
    """Parse a bundle and settle each snapshot's date: given (--date) over stated (in the file) over path.

    `source` overrides the detected source; `dataset` names the one dataset of FollowTheMoney files
    (any other format refuses it: its records are in their source's dataset).
    """
    snapshots = bundle.format.parse(bundle.files)
    dated: list[DatedSnapshot] = []
    for snapshot in snapshots:
        if source is not None and snapshot.source != source:
            snapshot = _with_source(snapshot, source)
        if dataset is not None:
            if snapshot.format != ftm.FORMAT.name:
                raise SourceError(
                    bundle.label, f"--dataset names the dataset of FollowTheMoney files; this is {snapshot.format}"
                )
            snapshot = ftm.with_dataset(snapshot, dataset)
        if given_date is not None:
            dated.append(DatedSnapshot(snapshot, given_date, "given"))
        elif snapshot.published_on is not None:
            dated.append(DatedSnapshot(snapshot, snapshot.published_on, "stated"))
        else:
            found = date_in_path(snapshot.files[0].path)
            if found is None:
                raise SourceError(
                    bundle.label,
                    "the file states no publication date and none is in its path; give one with --date YYYY-MM-DD",
                )
            dated.append(DatedSnapshot(snapshot, found, "path"))
    return dated


def _with_source(snapshot: ParsedSnapshot, source: str) -> ParsedSnapshot:
    for record in snapshot.records:
        record.source = source
    snapshot.source = source
    return snapshot
