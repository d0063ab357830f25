"""The forms of a listed name that text screening searches for, decided by name analysis alone.

A person is found in running text through a family name, an organization through its whole
name (legal forms dropped). Both depend only on the analysed names, so they are computed once
per record version with the rest of its analysis (`index.analysis`) and stored; what depends
on a language's vocabulary (whether a one-word name is an ordinary word) is left to the text
side, which tests `OrganizationPattern.check` when it opens its gazetteer.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sanctionscope.names.analyze import FAMILY, LEGAL_FORM, OTHER, PARTICLE, AnalyzedName

#: family names shorter than this are too often ordinary words or fragments to search for alone
MIN_FAMILY_KEY = 4
#: a one-word organization name must be at least this long to be searched for
MIN_SINGLE_WORD_ORGANIZATION = 6


class OrganizationPattern(NamedTuple):
    """An organization's name as word keys, and for a one-word name the word that must not be an
    ordinary word of the language for the name to be searched ("Progress", "Alliance")."""

    words: str  # word keys, space-separated
    check: str | None = None


def family_keys(names: Iterable[AnalyzedName]) -> set[str]:
    """Family-name keys of a person's names; a name with no part known to be the family name
    offers its unsettled parts (an alias "Sergei Roman" may be either way round)."""
    keys: set[str] = set()
    for name in names:
        tags = [p.tag for p in name.parts]
        wanted = (FAMILY,) if FAMILY in tags else (OTHER,)
        keys.update(p.key for p in name.parts if p.tag in wanted and len(p.key) >= MIN_FAMILY_KEY)
    return keys


def organization_pattern(name: AnalyzedName) -> OrganizationPattern | None:
    """The word keys of an organization's name without legal forms, or None if too weak to search."""
    if any(c.isdigit() for c in name.original):
        return None  # "2904977 CANADA, INC.": numbers are the name, and they are not searched
    keys = [p.key for p in name.parts if p.tag not in (LEGAL_FORM, PARTICLE) and p.key]
    if not keys:
        return None
    if len(keys) > 1:
        return OrganizationPattern(" ".join(keys))
    if len(keys[0]) < MIN_SINGLE_WORD_ORGANIZATION:
        return None
    return OrganizationPattern(keys[0], name.parts[0].text if len(name.parts) == 1 else keys[0])


def organization_patterns(names: Iterable[AnalyzedName]) -> list[OrganizationPattern]:
    """The distinct patterns of an organization's names, in the order of its names."""
    found = (organization_pattern(name) for name in names)
    return list(dict.fromkeys(p for p in found if p is not None))
