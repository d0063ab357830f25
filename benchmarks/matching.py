"""Name matching: quality per slice and speed, side by side with nomenklatura's logic-v1 and logic-v2.

    python benchmarks/matching.py            # all foundation lists (builds a cached database first)
    python benchmarks/matching.py --quick    # UN, Canada and Australia; small slices (CI)
    pip install -e '.[bench]'                 # nomenklatura and names-dataset, for the full table

The development set is built here, reproducibly (seed 7), from the lists themselves:

* cross_source / cyrillic: a person listed by two different publishers, linked WITHOUT any name
  matcher of ours: the same full birth date and a shared surname word (compared as
  romanization-free keys): a shared word that is not one of the countries' common first names
  (names-dataset) nor a patronymic, since two Sergeys born on one day are not one person; and not
  two records whose common first names all differ (Eduard and Andrei KUZNETSOV: the lists disagree
  on a birth date); and not a record linked to two records of one publisher (twins). The query
  is one record's name (Latin, or the EU's Cyrillic form) that carries a word of the link (a name
  the other list lacks entirely cannot be found by it); it is searched among the OTHER
  publisher's records only, and must find the other record.
* typos, order, no_patronymic, romanization, initials, lookalike: a listed person's name
  perturbed by rules written here (not the engine's): one character edit in one part (typos_2:
  two edits in one part, a stress slice outside the floors: it often spells another name);
  parts reordered or written "FAMILY, Given"; the patronymic dropped; another romanization
  (Aleksandr/Alexander, -iy/-y, kh/h, yu/iu, ts/tz…); given names reduced to initials; Latin
  look-alike letters inside Cyrillic. Searched among the records of its own publisher.
* negatives: first and last names (with patronymics for RU/UA/BY) of 20 countries from the
  names-dataset package, dropping any whose first and last names appear together in one listed
  name in any common spelling (compared as romanization-insensitive keys: "Yaser Abbas" is
  dropped for "ABBAS, Yasir", "Pavel Яковлев" for "YAKOVLEV, Pavel"; Arabic-script words, which
  write no short vowels, by their consonants: "Ahmed السيد" for "Ahmad SAYYED"). Searched among all subjects: any match is a false positive.

The references score the same candidates our index proposes (the top 50, as yente does) with
yente's default threshold 0.7, on every case. Since they buy recall with many more false
positives, the table also gives our recall at the lowest threshold whose false-positive rate
stays within each reference's. Speed is measured on one core on a mix of 30 % listed and 70 %
unlisted names: the median of three passes.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from lists import FOLDERS, LISTS, QUICK_FOLDERS

CACHE = Path(os.environ.get("SANCTIONSCOPE_BENCH_CACHE", Path.home() / ".cache" / "sanctionscope-bench"))
COUNTRIES = ["RU", "UA", "BY", "US", "GB", "DE", "FR", "IT", "ES", "PL", "TR", "IR", "SY", "IQ", "EG", "IN", "CN", "NG",
             "BR", "KZ"]  # fmt: skip
SLAVIC = {"RU", "UA", "BY"}
REFERENCE_THRESHOLD = 0.7  # yente's default
CANDIDATES = 50  # yente's default number of candidates scored per query
SEED = 7


@dataclass
class Case:
    query: str
    expected: frozenset[str]  # record ids that are a correct hit; empty for a negative
    scope: str | None  # search only this publisher's records (None: all subjects)
    birth_date: str | None = None


@dataclass
class Outcome:
    hits: int = 0
    top1: int = 0
    false_positive: int = 0
    cases: int = 0
    seconds: list[float] = field(default_factory=list)
    #: per case, the score of the expected record (of the best result, for a negative); 0 if not returned
    scores: list[float] = field(default_factory=list)


# --- the lists ---------------------------------------------------------------------------


def publisher(source: str) -> str:
    from sanctionscope.sources.registry import jurisdiction_of

    return jurisdiction_of(source)


def open_database(quick: bool):  # type: ignore[no-untyped-def]
    from sanctionscope.store import db
    from sanctionscope.store.load import load_paths

    path = CACHE / ("quick.db" if quick else "full.db")
    fresh = not path.exists()
    engine = db.connect(str(path))
    if fresh:
        print(f"loading the lists into {path} (once) …", file=sys.stderr)
        load_paths(engine, [LISTS / f for f in (QUICK_FOLDERS if quick else FOLDERS)])
    return engine, path


# --- the development set -------------------------------------------------------------------

_LOOKALIKE = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "х": "x", "у": "y", "А": "A", "Е": "E",
                            "О": "O", "Р": "P", "С": "C", "Х": "X", "К": "K", "М": "M", "Т": "T", "Н": "H"})  # fmt: skip
_ROMANIZATIONS = [("ks", "x"), ("x", "ks"), ("iy ", "y "), ("y ", "iy "), ("kh", "h"), ("yu", "iu"), ("ya", "ia"),
                  ("ye", "e"), ("ts", "tz"), ("shch", "sch"), ("zh", "j"), ("ei ", "ey "), ("ey ", "ei "),
                  ("aleksandr", "alexander"), ("alexander", "aleksandr"), ("ii ", "y "), ("yevg", "evg"), ("evg", "yevg")]  # fmt: skip
_PATRONYMIC = re.compile(r"(ovich|evich|ovna|evna|ichna|ovych|ivna)$", re.IGNORECASE)


def plain_words(text: str) -> set[str]:
    import normality

    return {w for w in (normality.ascii_text(text) or "").lower().replace(",", " ").split() if len(w) >= 4}


def is_cyrillic(text: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in text)


def typo(name: str, rng: random.Random, edits: int = 1) -> str | None:
    """A typo: one character inserted, deleted, replaced or two swapped, in one part of five letters or more."""
    words = name.split()
    candidates = [i for i, w in enumerate(words) if len(w.strip(",")) >= 5]
    if not candidates:
        return None
    i = rng.choice(candidates)
    word = list(words[i].strip(","))
    for _ in range(edits):
        kind = rng.choice(["insert", "delete", "substitute", "transpose"])
        p = rng.randrange(1, len(word) - 1)
        letter = rng.choice("aeiourstnlkm")
        if kind == "insert":
            word.insert(p, letter)
        elif kind == "delete":
            del word[p]
        elif kind == "substitute":
            word[p] = letter
        else:
            word[p], word[p + 1] = word[p + 1], word[p]
    words[i] = "".join(word) + ("," if words[i].endswith(",") else "")
    return " ".join(words)


def reorder(name: str, rng: random.Random) -> str | None:
    words = name.replace(",", "").split()
    if len(words) < 2:
        return None
    if rng.random() < 0.5:
        return f"{words[-1].upper()}, {' '.join(words[:-1])}"
    rotated = words[1:] + words[:1]
    return " ".join(rotated) if rotated != words else None


def family_position(words: list[str]) -> int:
    """Where the family name is: before a comma, in upper case among mixed-case words, else last."""
    for i, word in enumerate(words):
        if word.endswith(","):
            return i
    upper = [i for i, w in enumerate(words) if len(w) > 1 and w.isupper()]
    return upper[0] if upper and len(upper) < len(words) else len(words) - 1


def drop_patronymic(name: str, _rng: random.Random) -> str | None:
    """The name without its patronymic (a family name ending in -evich, KUNTSEVICH, stays)."""
    words = name.split()
    family = family_position(words)
    kept = [w for i, w in enumerate(words) if i == family or not _PATRONYMIC.search(w.strip(","))]
    return " ".join(kept) if 2 <= len(kept) < len(words) else None


def romanize(name: str, rng: random.Random) -> str | None:
    text = name.lower() + " "
    options = [(a, b) for a, b in _ROMANIZATIONS if a in text]
    if not options:
        return None
    for a, b in rng.sample(options, min(2, len(options))):
        text = text.replace(a, b, 1)
    return text.strip().title() if text.strip() != name.lower() else None


def initials(name: str, _rng: random.Random) -> str | None:
    """The given names as initials: those after the comma of "FAMILY, Given Names", else all but the last word."""
    if "," in name:
        family, _, given = name.partition(",")
        words, family = given.split(), family.strip()
    else:
        *words, family = name.split() or [""]
    if not words or not family:
        return None
    return " ".join(w[0] + "." for w in words) + " " + family


def lookalike(name: str, rng: random.Random) -> str | None:
    if not is_cyrillic(name):
        return None
    positions = [i for i, c in enumerate(name) if c.translate(_LOOKALIKE) != c]
    if not positions:
        return None
    chars = list(name)
    for p in rng.sample(positions, min(2, len(positions))):
        chars[p] = chars[p].translate(_LOOKALIKE)
    return "".join(chars)


def two_typos(name: str, rng: random.Random) -> str | None:
    """Two edits in one part: a stress slice, reported but outside the floors (often another name)."""
    return typo(name, rng, edits=2)


PERTURBATIONS = {"typos": typo, "typos_2": two_typos, "order": reorder, "no_patronymic": drop_patronymic, "romanization": romanize,
                 "initials": initials, "lookalike": lookalike}  # fmt: skip


def common_given_words() -> set[str]:
    """The most common first names of the benchmark's countries (names-dataset), as romanization-free keys."""
    first, _last = top_names()
    return spelling_free({w for genders in first.values() for names in genders.values() for n in names for w in n.split()})


def linked_pairs(records) -> list[tuple]:  # type: ignore[no-untyped-def]
    """Persons of two publishers with the same full birth date and a shared surname word: a shared
    word that is not a common first name ("Sergey" links nobody) nor a patronymic. Words are compared
    as romanization-free keys ("Valery" and "Валерий" are one common first name). Two records whose
    common first names all differ are not linked: one birth date and "Kuznetsov" do not make
    Eduard and Andrei one person (the official lists do disagree like that)."""
    given_words = common_given_words()
    by_day: dict[str, list] = defaultdict(list)
    for r in records:
        if r.kind.value == "person":
            for d in r.birth_dates:
                if d.value and len(d.value) == 10:
                    by_day[d.value].append(r)
    words_of: dict[str, set[str]] = {}

    def words(record) -> set[str]:  # type: ignore[no-untyped-def]
        if record.id not in words_of:
            plain = set().union(*(plain_words(n.full) for n in record.names))
            words_of[record.id] = spelling_free({w for w in plain if not _PATRONYMIC.search(w)})
        return words_of[record.id]

    pairs = []
    for group in by_day.values():
        if len(group) > 12:
            continue  # a day shared by many: links would be guesses
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if publisher(a.source) == publisher(b.source):
                    continue
                words_a, words_b = words(a), words(b)
                given_a, given_b = words_a & given_words, words_b & given_words
                if given_a and given_b and given_a.isdisjoint(given_b):
                    continue
                shared = (words_a & words_b) - given_words
                if shared:
                    pairs.append((a, b, frozenset(shared)))
    # A record linked to two of one publisher's records (the twins Ihab and Iyad MAKHLOUF share a
    # birth date and a surname) has no link that is more than a guess.
    links = Counter((a.id, publisher(b.source)) for a, b, _s in pairs)
    links.update((b.id, publisher(a.source)) for a, b, _s in pairs)
    return [(a, b, s) for a, b, s in pairs if links[a.id, publisher(b.source)] == links[b.id, publisher(a.source)] == 1]


def linking_names(record, shared: frozenset[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The record's names that carry a word of the link: a name the other list does not have at
    all ("Martin KOUMTAMADJI", listed by OFAC only as "MISKINE, Abdoulaye") cannot be found by it."""
    return [n.full for n in record.names if spelling_free(plain_words(n.full)) & shared]


def build_devset(records, size: int, negatives: int) -> dict[str, list[Case]]:  # type: ignore[no-untyped-def]
    """Every slice draws from its own random generator (seeded with SEED and its name), so a change
    to how one slice is built leaves the others' cases as they were."""
    records = sorted(records, key=lambda r: r.id)
    slices: dict[str, list[Case]] = {}
    pairs = linked_pairs(records)
    random.Random(f"{SEED}-pairs").shuffle(pairs)
    cross, cyrillic = [], []
    for a, b, shared in pairs:
        for query, target in ((a, b), (b, a)):
            names = linking_names(query, shared)
            latin = [n for n in names if not is_cyrillic(n)]
            cyr = [n for n in names if is_cyrillic(n)]
            if latin and len(cross) < size:
                cross.append(Case(latin[0], frozenset({target.id}), publisher(target.source)))
            if cyr and len(cyrillic) < size:
                cyrillic.append(Case(cyr[0], frozenset({target.id}), publisher(target.source)))
    slices["cross_source"], slices["cyrillic"] = cross, cyrillic
    persons = [r for r in records if r.kind.value == "person" and r.names]
    for name, perturb in PERTURBATIONS.items():
        rng = random.Random(f"{SEED}-{name}")
        cases: list[Case] = []
        for record in rng.sample(persons, len(persons)):
            if len(cases) >= size:
                break
            forms = [n.full for n in record.names if is_cyrillic(n.full) == (name == "lookalike")]
            if not forms or len(forms[0].split()) < 2:
                continue
            query = perturb(forms[0], rng)
            if query and query != forms[0]:
                cases.append(Case(query, frozenset({record.id}), publisher(record.source)))
        slices[name] = cases
    slices["negatives"] = negative_cases(records, negatives, random.Random(f"{SEED}-negatives"))
    return slices


def spelling_free(words: set[str], listed: bool = False, arabic: bool = False) -> set[str]:
    """Words as romanization-insensitive keys (Yaser / Yasir, Alexandr / Alexander, Яковлев / Yakovlev):
    a negative must be on no list in any common spelling, or it is no negative.

    Arabic script writes no short vowels: صالح is Saleh, Salih and Saleh alike. Its words, and
    every word of a name that has one (`arabic`: the Latin "Salem" of "صالح Salem" is سالم, Salim),
    are compared by their consonants (without the article); a listed name yields those keys too.
    """
    from sanctionscope.match.names import consonants
    from sanctionscope.names import given_name_key, to_latin, token_key

    keys = set()
    for word in words:
        key = token_key(to_latin(word).lower())
        skeleton = "~" + consonants(key[2:] if key.startswith("al") and len(key) > 4 else key)
        if arabic or is_arabic(word):
            keys.add(skeleton)
            continue
        keys.add(given_name_key(key) or key)
        if listed:
            keys.add(skeleton)
    return keys


def is_arabic(word: str) -> bool:
    return any("\u0600" <= c <= "\u06ff" for c in word)


def listed_word_pairs(records) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every two words written together in one listed name, as spelling-free keys."""
    listed: set[tuple[str, str]] = set()
    for r in records:
        for n in r.names:
            words = sorted(spelling_free(set(n.full.replace(",", " ").split()), listed=True))
            listed.update((x, y) for x in words for y in words if x != y)
    return listed


def listed_together(given: str, family: str, listed: set[tuple[str, str]]) -> bool:
    """Whether a given and a family name are written together in a listed name in any common
    spelling (or have no key at all): such a pair is no negative."""
    arabic = is_arabic(given + family)
    given_keys = spelling_free(set(given.split()), arabic=arabic)
    family_keys = spelling_free(set(family.split()), arabic=arabic)
    return any((x, y) in listed for x in given_keys for y in family_keys) or not given_keys | family_keys


def negative_cases(records, count: int, rng: random.Random) -> list[Case]:  # type: ignore[no-untyped-def]
    listed = listed_word_pairs(records)
    first, last = top_names()
    cases: list[Case] = []
    seen: set[str] = set()
    for _attempt in range(count * 50):  # the built-in fallback has few names: stop when they run out
        if len(cases) >= count:
            break
        country = rng.choice(COUNTRIES)
        if not first.get(country) or not last.get(country):
            continue
        gender = rng.choice(["M", "F"])
        given = rng.choice(first[country].get(gender) or first[country]["M"])
        family = rng.choice(last[country])
        parts = [given, family]
        if country in SLAVIC and rng.random() < 0.5:
            father = rng.choice(first[country]["M"])
            parts.insert(
                1,
                father + ("ovich" if gender == "M" else "ovna")
                if father.isascii()
                else father + ("ович" if gender == "M" else "овна"),
            )
        name = " ".join(parts)
        if name in seen or listed_together(given, family, listed):
            continue
        seen.add(name)
        cases.append(Case(name, frozenset(), None))
    return cases


def top_names() -> tuple[dict, dict]:
    """First names by country and gender, and last names by country (names-dataset; a small built-in fallback)."""
    try:
        from names_dataset import NameDataset
    except ImportError:
        first = {"US": {"M": ["James", "Robert", "Michael"], "F": ["Mary", "Patricia", "Linda"]},
                 "RU": {"M": ["Ivan", "Sergey", "Pavel"], "F": ["Olga", "Elena", "Anna"]}}  # fmt: skip
        return first, {"US": ["Smith", "Johnson", "Williams", "Brown"], "RU": ["Ivanov", "Smirnov", "Sokolov"]}
    dataset = NameDataset()
    first = {c: dataset.get_top_names(n=200, country_alpha2=c).get(c, {}) for c in COUNTRIES}
    last = {c: dataset.get_top_names(n=300, use_first_names=False, country_alpha2=c).get(c, []) for c in COUNTRIES}
    return first, last


# --- running ---------------------------------------------------------------------------------


def reference_scorers() -> dict:
    try:
        from nomenklatura.matching import get_algorithm
    except ImportError:
        return {}
    out = {}
    for name in ("logic-v1", "logic-v2"):
        algorithm = get_algorithm(name)
        out[name] = (algorithm, algorithm.default_config())
    return out


def ftm_entity(entity_id: str, schema: str, names: list[str], birth_dates: list[str]):  # type: ignore[no-untyped-def]
    from followthemoney import model

    entity = model.make_entity(schema)
    entity.id = entity_id
    entity.add("name", names)
    if birth_dates and schema == "Person":
        entity.add("birthDate", birth_dates)
    return entity


SCHEMA = {"person": "Person", "organization": "Organization", "vessel": "Vessel"}


def run(slices, matchers, full, references, threshold: float):  # type: ignore[no-untyped-def]
    from sanctionscope.match.query import Query

    entity_cache: dict[str, object] = {}
    outcomes: dict[str, dict[str, Outcome]] = {}
    for slice_name, cases in slices.items():
        per = outcomes.setdefault(slice_name, {"sanctionscope": Outcome(), **{r: Outcome() for r in references}})
        for position, case in enumerate(cases):
            matcher = matchers[case.scope] if case.scope else full
            query = Query([case.query], kind="person")
            started = time.perf_counter()
            results = matcher.match(query, limit=5, threshold=threshold)
            per["sanctionscope"].seconds.append(time.perf_counter() - started)
            score_outcome(per["sanctionscope"], case, [(set(r.entry.referents), r.score, r.match) for r in results])
            if not references:
                continue
            candidates = matcher.candidate_entries(query, CANDIDATES)
            # nomenklatura caches analysed names by entity id: every query needs its own
            query_entity = ftm_entity(f"q-{slice_name}-{position}", "Person", [case.query], [])
            for name, (algorithm, config) in references.items():
                started = time.perf_counter()
                scored = []
                for entry in candidates:
                    key = f"{id(matcher)}:{entry.id}"
                    entity = entity_cache.get(key)
                    if entity is None:
                        entity = entity_cache[key] = ftm_entity(
                            "c" + str(len(entity_cache)), SCHEMA.get(entry.kind, "LegalEntity"),
                            [n.original for n in entry.names], [d.value for d in entry.birth_dates if d.value])  # fmt: skip
                    score = algorithm.compare(query_entity, entity, config).score
                    scored.append((set(entry.referents), score, score >= REFERENCE_THRESHOLD))
                per[name].seconds.append(time.perf_counter() - started)
                scored.sort(key=lambda item: -item[1])
                score_outcome(per[name], case, scored[:5])
    return outcomes


def score_outcome(outcome: Outcome, case: Case, results: list[tuple[set[str], float, bool]]) -> None:
    outcome.cases += 1
    if case.expected:
        outcome.hits += any(match and refs & case.expected for refs, _s, match in results)
        outcome.top1 += bool(results and results[0][0] & case.expected)
        outcome.scores.append(max((s for refs, s, _m in results if refs & case.expected), default=0.0))
    else:
        outcome.false_positive += any(match for _r, _s, match in results)
        outcome.scores.append(max((s for _r, s, _m in results), default=0.0))


def at_reference_fpr(per_slice: dict[str, dict[str, Outcome]], reference: str, threshold: float) -> dict | None:
    """Our recall per slice at the lowest threshold (down to the cutoff) whose false-positive rate
    stays at or below the reference's: both algorithms at one false-alarm budget."""
    negatives = per_slice["negatives"]
    if not negatives[reference].cases:
        return None
    budget = negatives[reference].false_positive / negatives[reference].cases
    ours = negatives["sanctionscope"].scores
    from sanctionscope.match.engine import DEFAULT_CUTOFF  # lower scores are not returned at all

    chosen: tuple[float, float] | None = None
    for step in range(round(threshold * 100), round(DEFAULT_CUTOFF * 100) - 1, -1):
        lower = step / 100
        fpr = sum(s >= lower for s in ours) / len(ours)
        if fpr > budget:
            break
        chosen = (lower, fpr)
    if chosen is None:
        return None  # even our own threshold has more false positives than the reference
    recall = {
        name: sum(s >= chosen[0] for s in per["sanctionscope"].scores) / per["sanctionscope"].cases
        for name, per in per_slice.items()
        if name != "negatives" and per["sanctionscope"].cases
    }
    return {"threshold": chosen[0], "fpr": chosen[1], "reference_fpr": budget, "recall": recall}


def speed(full, slices, rng: random.Random, count: int, passes: int = 3) -> dict:  # type: ignore[no-untyped-def]
    """Queries per second on one core, median and p99, on 30 % listed and 70 % unlisted names: the
    median pass of three over the same mix (this machine's speed varies by a fifth from run to run)."""
    from sanctionscope.match.query import Query

    listed = [c.query for name, cases in slices.items() if name != "negatives" for c in cases]
    unlisted = [c.query for c in slices["negatives"]]
    mix = [rng.choice(listed) if rng.random() < 0.3 else rng.choice(unlisted) for _ in range(count)]
    for name in mix[:50]:
        full.match(Query([name]))
    runs = []
    for _ in range(passes):
        latencies = []
        started = time.perf_counter()
        for name in mix:
            t = time.perf_counter()
            full.match(Query([name]), limit=5)
            latencies.append(time.perf_counter() - t)
        total = time.perf_counter() - started
        latencies.sort()
        runs.append({"queries": count, "qps": count / total, "median_ms": statistics.median(latencies) * 1000,
                     "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000})  # fmt: skip
    runs.sort(key=lambda run: run["qps"])
    return {**runs[len(runs) // 2], "passes": passes, "slowest_qps": runs[0]["qps"]}


def index_load(path: Path) -> dict:
    """Index load time and peak resident memory (VmHWM: ru_maxrss would include this process's), in a fresh process."""
    code = ("import time,resource,sys; from pathlib import Path; t=time.perf_counter();"
            "from sanctionscope.match.engine import Matcher; m=Matcher.load_saved(Path(sys.argv[1])); s=time.perf_counter()-t;"
            "from sanctionscope.match.query import Query; [m.match(Query([n])) for n in ('Ivan Petrov','Alexander Bastrykin','Wang Wei')];"
            "hwm=[l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]; print(s, int(hwm)/1024)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    seconds, peak = out.stdout.split()
    return {"load_s": float(seconds), "rss_mb": float(peak)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--threshold", type=float, default=None)
    args = parser.parse_args()

    from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher
    from sanctionscope.service.matchers import open_matcher
    from sanctionscope.store import queries

    threshold = args.threshold if args.threshold is not None else DEFAULT_THRESHOLD
    rng = random.Random(SEED)
    engine, path = open_database(args.quick)
    full = open_matcher(engine)
    started = time.perf_counter()
    Matcher(full.entries)  # the candidate index built anew from every entry (what a new list version costs)
    build_seconds = time.perf_counter() - started
    records = list(queries.current_records(engine))
    by_publisher: dict[str, list] = defaultdict(list)
    for record in records:
        by_publisher[publisher(record.source)].append(record)
    matchers = {p: Matcher.from_records(rs) for p, rs in by_publisher.items()}
    size, negatives = (60, 300) if args.quick else (500, 5000)
    print("building the development set …", file=sys.stderr)
    slices = build_devset(records, size, negatives)
    references = reference_scorers()
    print("matching …", file=sys.stderr)
    outcomes = run(slices, matchers, full, references, threshold)
    fast = speed(full, slices, rng, 500 if args.quick else 5000)
    loading = index_load(Path(str(path) + ".index"))
    report = {"threshold": threshold, "reference_threshold": REFERENCE_THRESHOLD, "slices": {}, "speed": fast,
              "index": {"build_s": round(build_seconds, 1), "entries": len(full.entries), **loading},
              "peak_mb_this_process": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # fmt: skip
    report["at_reference_fpr"] = {r: at_reference_fpr(outcomes, r, threshold) for r in references}
    for slice_name, per in outcomes.items():
        report["slices"][slice_name] = {
            algo: {
                "cases": o.cases,
                "recall": o.hits / o.cases if o.cases and slice_name != "negatives" else None,
                "top1": o.top1 / o.cases if o.cases and slice_name != "negatives" else None,
                "fpr": o.false_positive / o.cases if o.cases and slice_name == "negatives" else None,
                "qps": len(o.seconds) / sum(o.seconds) if o.seconds else None,
            }
            for algo, o in per.items()
        }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report, list(references))
    return 0


def print_table(report: dict, references: list[str]) -> None:
    algos = ["sanctionscope", *references]
    print(f"threshold: sanctionscope {report['threshold']}, references {report['reference_threshold']} (yente's default);"
          f" references score our top {CANDIDATES} candidates")  # fmt: skip
    header = f"{'slice':15} {'cases':>6} " + " ".join(f"{a + ' recall':>17} {'top-1':>6}" for a in algos)
    print(header)
    for slice_name, per in report["slices"].items():
        if slice_name == "negatives":
            continue
        cells = " ".join(f"{fmt(per[a]['recall']):>17} {fmt(per[a]['top1']):>6}" for a in algos)
        print(f"{slice_name:15} {per['sanctionscope']['cases']:>6} {cells}")
    negatives = report["slices"]["negatives"]
    cells = " ".join(f"{'FPR ' + fmt(negatives[a]['fpr'], 5):>17} {'':>6}" for a in algos)
    print(f"{'negatives':15} {negatives['sanctionscope']['cases']:>6} {cells}")
    for a, point in report["at_reference_fpr"].items():
        if point:
            recalls = ", ".join(f"{name} {value:.3f}" for name, value in point["recall"].items())
            print(f"at {a}'s false-positive rate: sanctionscope with threshold {point['threshold']:.2f} has FPR"
                  f" {point['fpr']:.5f} (≤ {point['reference_fpr']:.5f}) and recall {recalls}")  # fmt: skip
    fast = report["speed"]
    print(f"speed (one core, {fast['queries']} queries, 30 % listed, median of {fast['passes']} passes):"
          f" {fast['qps']:.0f} q/s (slowest pass {fast['slowest_qps']:.0f}), median {fast['median_ms']:.2f} ms,"
          f" p99 {fast['p99_ms']:.2f} ms")  # fmt: skip
    for a in references:
        values = [per[a]["qps"] for per in report["slices"].values() if per[a]["qps"]]
        if values:
            print(f"  {a}: {statistics.median(values):.0f} q/s on the same candidates (median over slices)")
    index = report["index"]
    print(f"index: built in {index['build_s']} s for {index['entries']} subjects; loads in {index['load_s']:.2f} s;"
          f" {index['rss_mb']:.0f} MB resident after load and three queries")  # fmt: skip


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


if __name__ == "__main__":
    sys.exit(main())
