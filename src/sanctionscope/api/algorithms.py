"""The scoring algorithms /match accepts: sanctionscope's own, and yente's names mapped onto it.

yente offers nomenklatura's algorithms (logic-v2, logic-v1, name-based, name-qualified,
regression-v1) and the aliases `best` and `default`. sanctionscope has one matcher; each yente
name runs it, either in full or on the names alone, and /algorithms says which.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from fastapi import HTTPException

from sanctionscope.match.config import FEATURE_WEIGHTS, IDENTIFIER_SCORE, NAME_WEIGHT
from sanctionscope.match.engine import Result
from sanctionscope.match.query import Query

NATIVE = "sanctionscope-v1"
#: what `best` and `default` stand for (yente: "best" → logic-v2; here the one matcher)
BEST = NATIVE
#: where the features are explained (the project README, section "Matching names")
DOCS_URL = "README.md#matching-names"

FULL = (
    "sanctionscope's matcher: names aligned part by part across scripts and romanizations, "
    "weighed by how common they are, with birth date, nationality/country, gender and identifiers"
)


@dataclass(frozen=True)
class AlgorithmInfo:
    name: str
    description: str
    names_only: bool = False

    def prepare(self, query: Query) -> Query:
        """The query as this algorithm sees it (name-only algorithms drop everything but the names)."""
        if not self.names_only:
            return query
        return dataclasses.replace(query, birth_dates=(), countries=(), identifiers=(), gender=None)


ALGORITHMS = {
    info.name: info
    for info in (
        AlgorithmInfo(NATIVE, FULL + "."),
        AlgorithmInfo("logic-v2", f"yente's logic-v2 name; runs {FULL}."),
        AlgorithmInfo("logic-v1", f"yente's logic-v1 name; runs {FULL}."),
        AlgorithmInfo("regression-v1", f"yente's regression-v1 name; runs {FULL}."),
        AlgorithmInfo("name-qualified", f"yente's name-qualified name; runs {FULL}."),
        AlgorithmInfo(
            "name-based",
            "yente's name-based name; runs sanctionscope's matcher on the names alone "
            "(birth dates, countries, gender and identifiers of the query are not compared).",
            names_only=True,
        ),
    )
}


def algorithm_named(name: str) -> AlgorithmInfo:
    """The algorithm a request names (case and spaces ignored, `best`/`default` → BEST); 400 if unknown."""
    clean = name.strip().lower()
    if clean in ("best", "default"):
        clean = BEST
    found = ALGORITHMS.get(clean)
    if found is None:
        raise HTTPException(400, f"Invalid algorithm: {name}; see /algorithms")
    return found


def feature_docs() -> dict[str, dict[str, object]]:
    """The features every algorithm here scores with, in yente's FeatureDoc shape."""
    descriptions = {
        "name": ("aligned name parts: the share of the query's and candidate's parts that agree", NAME_WEIGHT),
        "identifier": ("an equal passport, tax, registration or other number is decisive", IDENTIFIER_SCORE),
        "birth_date": ("equal day, month or year of birth, or a conflict", FEATURE_WEIGHTS["birth_date"]),
        "country": ("a shared nationality or country, or none in common", FEATURE_WEIGHTS["country"]),
        "gender": ("a conflicting gender", FEATURE_WEIGHTS["gender"]),
        "name_frequency": (
            "a name-only match of unequal names is weighed down by how many entries share its parts",
            FEATURE_WEIGHTS["name_frequency"],
        ),
    }
    return {
        name: {"description": text, "coefficient": coefficient, "url": DOCS_URL}
        for name, (text, coefficient) in descriptions.items()
    }


def algorithms_response() -> dict[str, object]:
    """/algorithms in yente's shape: each algorithm with its features and docs, and the default and best."""
    features = feature_docs()
    return {
        "algorithms": [
            {"name": info.name, "description": info.description, "features": features,
             "docs": {"name": info.name, "description": info.description, "config": {}, "features": features}}
            for info in ALGORITHMS.values()
        ],
        "default": "best",
        "best": BEST,
    }


def yente_explanations(result: Result) -> dict[str, dict[str, object]]:
    """A result's reasons in yente's shape: {feature: {score, detail, query, candidate}}."""
    aligned = ", ".join(f"{p.query}≈{p.candidate} {p.similarity:.2f}" for p in result.name.pairs)
    out: dict[str, dict[str, object]] = {
        "name": {"score": round(result.name.score, 4), "detail": f"aligned parts: {aligned}" if aligned else None,
                 "query": result.name.query_name, "candidate": result.name.candidate_name},
    }  # fmt: skip
    for feature in result.features:
        out[feature.name] = {"score": feature.value, "detail": feature.detail, "query": None, "candidate": None}
    return out


#: sanctionscope's weighted evidence: the name score's coefficient, the decisive identifier's score, and
#: the features that move the name score (FEATURE_WEIGHTS)
OWN_WEIGHTS = {"name": NAME_WEIGHT, "identifier": IDENTIFIER_SCORE, **FEATURE_WEIGHTS}
#: yente's feature names (nomenklatura's logic-v1, logic-v2, name-qualified, regression-v1) → ours. yente's
#: penalties (`*_mismatch`, `*_disjoint`) have negative weights; here a feature is a signed value in [-1, 1]
#: that its weight multiplies, so a penalty's weight is read as its magnitude
YENTE_FEATURES = {
    "name_match": "name", "name_literal_match": "name", "person_name_jaro_winkler": "name",
    "person_name_phonetic_match": "name", "name_fingerprint_levenshtein": "name", "jaro_name_parts": "name",
    "soundex_name_parts": "name",
    "identifier_match": "identifier", "lei_code_match": "identifier", "ogrn_code_match": "identifier",
    "inn_code_match": "identifier", "bic_code_match": "identifier", "isin_security_match": "identifier",
    "vessel_imo_mmsi_match": "identifier", "uei_code_match": "identifier", "npi_code_match": "identifier",
    "crypto_wallet_address": "identifier", "org_identifier_match": "identifier",
    "dob_year_disjoint": "birth_date", "dob_day_disjoint": "birth_date", "dob_matches": "birth_date",
    "dob_year_matches": "birth_date",
    "country_mismatch": "country", "gender_mismatch": "gender",
}  # fmt: skip


def own_weights(weights: dict[str, float]) -> dict[str, float]:
    """A request's `weights` as sanctionscope's: our own names or yente's (mapped by YENTE_FEATURES).

    Names that neither knows are ignored, as yente (nomenklatura) ignores weights its algorithm lacks.
    Several yente names for one of ours: the strongest counts.
    """
    out: dict[str, float] = {}
    for name, value in weights.items():
        own = name if name in OWN_WEIGHTS else YENTE_FEATURES.get(name)
        if own is None:
            continue
        weight = value if own in ("name", "identifier") or name == own else abs(value)
        out[own] = max(out.get(own, weight), weight) if own in out else weight
    return out


def weighted_score(result: Result, weights: dict[str, float]) -> float:
    """The result's score under these weights (own_weights), as the matcher scores with its defaults:
    name × its weight plus each feature × its weight, clamped to [0, 1]; an equal identifier scores
    its weight (1.0: decisive) unless the rest scores more."""
    chosen = OWN_WEIGHTS | weights
    score = result.name.score * chosen["name"] + sum(chosen.get(f.name, 0.0) * f.value for f in result.features
                                                     if f.name != "identifier")  # fmt: skip
    if any(f.name == "identifier" for f in result.features):
        score = max(score, chosen["identifier"])
    return min(1.0, max(0.0, score))
