"""Names in every script made comparable: Latin forms, romanization-insensitive keys, tagged parts."""

from sanctionscope.names.analyze import (
    FAMILY,
    GIVEN,
    INITIAL,
    LEGAL_FORM,
    OTHER,
    PARTICLE,
    PATRONYMIC,
    AnalyzedName,
    NamePart,
    analyze_name,
)
from sanctionscope.names.keys import given_name_key, token_key
from sanctionscope.names.latin import repair_lookalikes, strip_stress, to_latin

__all__ = [
    "FAMILY",
    "GIVEN",
    "INITIAL",
    "LEGAL_FORM",
    "OTHER",
    "PARTICLE",
    "PATRONYMIC",
    "AnalyzedName",
    "NamePart",
    "analyze_name",
    "given_name_key",
    "repair_lookalikes",
    "strip_stress",
    "to_latin",
    "token_key",
]
