"""A record version's names analysed, once, for every consumer: what the store keeps of it (`record_analysis`).

Analysing a name (scripts, romanization, keys, tags) is the costly step of building an index
or resolving subjects. It depends only on the record version and on the analysing code, so
each version is analysed once, by the analysis version `ANALYSIS_VERSION`, and its result stored
(`service.analyses`):

- `keys`: every index key of every name, space-separated (what the candidate index needs);
- `data`: the evidence an entry holds, in `Entry`'s own serialized layout (names with their
  parts, birth dates, countries, identifiers, gender), so that an entry of one record is put
  together from bytes without decoding them;
- `facts`: what resolving needs besides names (strong identifier keys, cross-references), and
  an FtM record's datasets (which select it in /match as its source does);
- `mentions`: what text screening searches for (`names.text_forms`): family-name keys, and
  for a record that is not a person, its names as organization patterns.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from sanctionscope.index.entries import analyze_record_names, names_to_json
from sanctionscope.match.features import record_identifier_keys, strong_identifier_keys
from sanctionscope.model import Kind, Record
from sanctionscope.names.text_forms import OrganizationPattern, family_keys, organization_patterns

#: the version of what `analyze_record` produces. Bump it when names/, this module or
#: index/entries.py change what an analysis holds (keys, tags, the serialized entry layout):
#: every stored analysis of another version is then made again. A comment or a refactor that
#: gives the same output does not need a bump.
ANALYSIS_VERSION = 2


def analysis_code() -> str:
    """The tag stored with each analysis (`record_analysis.code`): the analysis version."""
    return f"analysis-{ANALYSIS_VERSION}"


@dataclass(frozen=True, slots=True)
class Analysis:
    """One record version analysed."""

    version_id: int
    keys: frozenset[str]
    data: bytes  # orjson [names, birth dates, countries, identifiers, gender]
    identifier_keys: tuple[str, ...]
    cross_refs: tuple[str, ...]
    family_keys: tuple[str, ...] = ()
    organization_patterns: tuple[OrganizationPattern, ...] = ()
    datasets: tuple[str, ...] = ()

    def row(self, code: str) -> dict:
        facts = orjson.dumps([list(self.identifier_keys), list(self.cross_refs), list(self.datasets)]).decode()
        mentions = orjson.dumps([list(self.family_keys), [list(p) for p in self.organization_patterns]]).decode()
        return {"version_id": self.version_id, "code": code, "keys": " ".join(sorted(self.keys)),
                "data": self.data, "facts": facts, "mentions": mentions}  # fmt: skip


def analyze_record(version_id: int, record: Record) -> Analysis:
    names = analyze_record_names(record)
    data = orjson.dumps(
        [
            names_to_json(names),
            [[d.value, d.until, d.circa, d.raw] for d in record.birth_dates],
            sorted(set(record.nationalities) | set(record.citizenships)),
            sorted(record_identifier_keys(record)),
            record.gender,
        ]
    )
    keys = frozenset(key for name in names for key in name.index_keys)
    # Family keys of every record, whatever its kind: a subject is a person by its first record,
    # which may not be this one. Organization patterns only of records that are not persons: a
    # million persons would otherwise store patterns no gazetteer reads.
    patterns = () if record.kind == Kind.PERSON else tuple(organization_patterns(names))
    return Analysis(version_id, keys, data, tuple(sorted(strong_identifier_keys(record))), tuple(record.cross_refs),
                    tuple(sorted(family_keys(names))), patterns, tuple(record.datasets))  # fmt: skip
