"""The contract between native-format parsers and the rest of sanctionscope.

A `Format` recognises its files (`claims`), groups the files that belong together
into one bundle (`bundle_key`: an OFAC CSV set is sdn.csv + add.csv + alt.csv +
sdn_comments.csv of one folder) and parses a bundle into one or more `ParsedSnapshot`s.
Parsers never touch the store; they only turn bytes into `Record`s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from sanctionscope.model import Record


class SourceError(Exception):
    """A file cannot be read as what it claims to be. The message names the file and, where known, the spot."""

    def __init__(self, file: str, message: str, *, line: int | None = None, element: str | None = None):
        self.file = file
        self.line = line
        self.element = element
        self.message = message
        where = file
        if line is not None:
            where += f", line {line}"
        if element is not None:
            where += f", {element}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class SourceFile:
    """One input file: its name (for messages and grouping), where it came from, and its bytes."""

    name: str
    data: bytes
    path: Path | None = None

    @classmethod
    def read(cls, path: Path) -> SourceFile:
        return cls(name=path.name, data=path.read_bytes(), path=path)

    @property
    def label(self) -> str:
        """How to name this file in an error message."""
        return str(self.path) if self.path else self.name

    @property
    def head(self) -> bytes:
        return self.data[:4096]


@dataclass
class ParsedSnapshot:
    """What one bundle of files says: the records of one source (and scope) on one date.

    `scope` splits a source whose files each cover part of it (one EU regulation per file):
    snapshots are compared only with earlier snapshots of the same source and scope.
    `published_on` is the date the file itself states, or None if it states none.
    """

    source: str
    format: str
    files: list[SourceFile]
    records: list[Record]
    published_on: date | None = None
    scope: str = ""
    notes: list[str] = field(default_factory=list)
    #: record fields these files state only in part (an OFAC sdn.csv without add.csv has no
    #: addresses): changes in them against other snapshots are not reported as amendments
    partial_fields: frozenset[str] = frozenset()
    #: FollowTheMoney files only: every entity of the file as published (things and the Sanction,
    #: Address, Ownership... entities around them), stored with the snapshot for serving them
    entities: list[dict[str, Any]] = field(default_factory=list)


class Format:
    """Base class of a native list format. Subclasses set `name` and implement `claims` and `parse`."""

    name: ClassVar[str]
    #: the source a file of this format belongs to, when the content does not say otherwise
    default_source: ClassVar[str]

    def claims(self, file: SourceFile) -> bool:
        """Cheap test on name and first bytes: is this file of this format?"""
        raise NotImplementedError

    def bundle_key(self, file: SourceFile) -> str:
        """Files with equal keys are parsed together. Default: each file alone."""
        return file.label

    def parse(self, files: list[SourceFile]) -> list[ParsedSnapshot]:
        """Parse one bundle. Raise `SourceError` for anything that is not a complete, valid file.

        Default: each file is a snapshot of its own (`parse_file`); formats whose files belong
        together (an OFAC CSV set) override this instead.
        """
        return [self.parse_file(file) for file in files]

    def parse_file(self, file: SourceFile) -> ParsedSnapshot:
        """Parse one self-contained file (formats that use the default `parse`)."""
        raise NotImplementedError


def date_in_path(path: Path | None) -> date | None:
    """The nearest YYYY-MM-DD found in the path's folders (the layout of downloaded archives)."""
    if path is None:
        return None
    for part in reversed(path.parts):
        match = _PATH_DATE_RE.search(part)
        if match:
            try:
                return date.fromisoformat(match.group(0))
            except ValueError:
                continue
    return None


_PATH_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
