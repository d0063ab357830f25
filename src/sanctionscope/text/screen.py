"""Screening a text: who in it is sanctioned, by whom, since when, and who is mentioned but on no list.

The steps, in order:

1. words (`tokens`), each normalized to name keys: Cyrillic words through their readings
   (`morphology`, so «Бастрыкина» gives бастрыкин), possessives dropped;
2. name spans: runs of capitalized words, trimmed to the name they hold ("Russian President
   Vladimir Putin" → "Vladimir Putin"), plus the persons a Russian NER (`natasha`) sees;
3. full names (a given name or an initial with a family name) are scored by the matching engine,
   in the nominative for Russian; organizations are found whole by the gazetteer;
4. short mentions ("Usmanov", "А. Бастрыкин") are resolved to a fuller mention of the same
   family name in the text; if there is none, to the listed persons of that family name, where
   words of the sentence (a role such as "health minister") may settle which one; if none does,
   the mention is shown with its candidates and a low score.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from weakref import WeakKeyDictionary

import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein

from sanctionscope.index.entries import Entry
from sanctionscope.index.mentions import MentionIndex
from sanctionscope.model import Record
from sanctionscope.match.database import current_version, open_matcher
from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher, Result
from sanctionscope.match.query import SCHEMA_OF_KIND, build_query
from sanctionscope.names.analyze import FAMILY, PARTICLES, PATRONYMIC_RE, part_key
from sanctionscope.names.keys import given_name_key, token_key
from sanctionscope.names.latin import word_to_latin
from sanctionscope.resolve.subjects import Subject, SubjectBook
from sanctionscope.text import morphology
from sanctionscope.text.gazetteer import MIN_FAMILY_KEY, ORGANIZATION_GLUE, Gazetteer
from sanctionscope.text.ner import russian_person_spans
from sanctionscope.text.tokens import Token, adjacent, tokenize
from sanctionscope.text.words import (
    LOCATIVE_PREPOSITIONS,
    NAMED_AFTER,
    ORGANIZATION_HEADS,
    TITLE_WORDS,
    english_given_names,
    is_ordinary_word,
    is_place,
)

#: the score of a family name alone whose only listed bearer nothing in the text confirms
SURNAME_ONLY_SCORE = 0.7
#: ... and of one that words of its sentence tie to one of several listed bearers
SURNAME_SETTLED_SCORE = 0.85
#: full-name results this close to the best are reported as its rivals
AMBIGUITY_MARGIN = 0.03
#: longest name span considered (words)
MAX_NAME_WORDS = 5
#: at most this many candidates are shown for an ambiguous mention
MAX_CANDIDATES = 10
#: how many names' match results a screener remembers
RESULTS_REMEMBERED = 20_000
#: texts longer than this are refused (characters)
MAX_TEXT_LENGTH = 2_000_000

GIVEN_ROLE, INITIAL_ROLE, PATRONYMIC_ROLE, FAMILY_ROLE, SURNAME_ROLE, TITLE_ROLE, PARTICLE_ROLE = (
    "G", "I", "P", "F", "S", "X", "p",
)  # fmt: skip
_CONTEXT_WORD_RE = re.compile(r"[^\W\d_]{4,}", re.UNICODE)
_CONTEXT_STOPWORDS = frozenset(
    "that this with from have been were which their there about after against also into over such than they "
    "when where while said says will would other more most some them then these those what this ".split()
)


@dataclass
class Word:
    """A token with what screening knows about it."""

    token: Token
    keys: frozenset[str]  # name keys of its readings (inflection undone)
    role: str
    nominative_key: str  # the key of its likeliest reading, for organization names
    place: bool = False
    #: what a dictionary says the word can be (morphology's roles; Cyrillic words only)
    readings: frozenset[str] = frozenset()


@dataclass
class Mention:
    text: str
    start: int
    end: int
    kind: str  # "person" or "organization"
    name: str  # the name as it was looked up (in the nominative)
    score: float = 0.0
    subject: dict[str, Any] | None = None
    sanctioned: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)
    found_by: list[str] = field(default_factory=list)
    #: the number of the fuller mention this one was resolved to
    refers_to: int | None = None
    #: why the subject was chosen when the name alone did not settle it
    settled_by: str | None = None
    family_keys: frozenset[str] = frozenset()
    full: bool = False  # a given name (or initial) with a family name

    @property
    def ambiguous(self) -> bool:
        return self.subject is None and len(self.candidates) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "kind": self.kind,
            "name": self.name,
            "subject": self.subject,
            "score": round(self.score, 4),
            "sanctioned": self.sanctioned,
            "ambiguous": self.ambiguous,
            "candidates": self.candidates,
            "found_by": self.found_by,
            "refers_to": self.refers_to,
            "settled_by": self.settled_by,
        }


@dataclass
class TextReport:
    text: str
    mentions: list[Mention]
    as_of: date | None = None

    def subjects(self) -> list[dict[str, Any]]:
        """One entry per distinct listed subject, with the numbers of its mentions."""
        found: dict[str, dict[str, Any]] = {}
        for number, mention in enumerate(self.mentions):
            if mention.subject is None:
                continue
            item = found.setdefault(
                mention.subject["id"], {**mention.subject, "sanctioned": False, "score": 0.0, "mentions": []}
            )
            item["mentions"].append(number)
            item["sanctioned"] = item["sanctioned"] or mention.sanctioned
            item["score"] = max(item["score"], round(mention.score, 4))
        return sorted(found.values(), key=lambda s: (not s["sanctioned"], -s["score"], s["caption"]))

    def unlisted(self) -> list[dict[str, Any]]:
        """Persons mentioned who are on no list: one entry per family name (its spellings joined),
        with every spelling of the full name and the numbers of all mentions."""
        people: dict[frozenset[str] | str, dict[str, Any]] = {}
        for number, mention in enumerate(self.mentions):
            if mention.kind != "person" or mention.subject is not None or mention.candidates:
                continue
            head = self.mentions[mention.refers_to] if mention.refers_to is not None else mention
            group = next((key for key in people if isinstance(key, frozenset) and _same_family(key, head.family_keys)),
                         head.family_keys or head.name)  # fmt: skip
            person = people.setdefault(group, {"name": head.name, "names": [], "mentions": []})
            if head.name not in person["names"]:
                person["names"].append(head.name)
            person["mentions"].append(number)
        return list(people.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "mentions": [m.to_dict() for m in self.mentions],
            "subjects": self.subjects(),
            "unlisted": self.unlisted(),
        }


class TextScreener:
    """Screens texts against the lists of one matcher (and their subjects' designations)."""

    def __init__(
        self,
        matcher: Matcher,
        book: SubjectBook,
        *,
        as_of: date | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        use_ner: bool = True,
    ):
        self.matcher = matcher
        self.book = book
        self.as_of = as_of
        self.threshold = threshold
        self.use_ner = use_ner
        self.gazetteer = gazetteer_for(matcher)
        self._given = english_given_names()
        is_place("Moscow")  # rigour indexes every territory name on first use (~2 s): here, not in the first text
        self._results: dict[str, list[Result]] = {}

    # --- words --------------------------------------------------------------------------------

    def _word(self, token: Token) -> Word:
        text = token.text
        if token.initial:
            key = token_key(word_to_latin(text.lower()))
            return Word(token, frozenset({key}), INITIAL_ROLE, key)
        lower = text.lower()
        if not token.capitalized and lower not in ORGANIZATION_GLUE:
            # a lower-case word is not a name, nor inside one, unless it is a particle (van, bin, фон)
            latin = word_to_latin(lower)
            if latin in PARTICLES:
                return Word(token, frozenset({latin}), PARTICLE_ROLE, latin)
            return Word(token, frozenset(), "", "")
        if token.cyrillic and token.capitalized:
            forms = morphology.word_forms(text)
            readings = [f for f in forms if f.score >= morphology.UNLIKELY] or list(forms[:1])
            nominative_key = part_key(word_to_latin(readings[0].nominative)) if readings else ""
            keys = {part_key(word_to_latin(lower))} | {part_key(word_to_latin(f.nominative)) for f in readings}
            roles = {f.role for f in readings}
        else:
            nominative_key = part_key(word_to_latin(lower))
            keys = {nominative_key}
            roles = set()
        keys.discard("")
        role = self._role(token, lower, frozenset(keys), roles)
        place = token.capitalized and self._is_place(token, roles)
        return Word(token, frozenset(keys), role, nominative_key, place, frozenset(roles))

    def _role(self, token: Token, lower: str, keys: frozenset[str], roles: set[str]) -> str:
        if word_to_latin(lower) in PARTICLES:
            return PARTICLE_ROLE
        if not token.capitalized:
            return ""
        if lower in TITLE_WORDS or lower in ORGANIZATION_HEADS:
            return TITLE_ROLE
        if self._is_place(token, roles) and lower not in self._given:
            return TITLE_ROLE
        if token.cyrillic:
            if morphology.PATRONYMIC in roles and not (morphology.FAMILY in roles and self._listed_family(keys)):
                return PATRONYMIC_ROLE
            if morphology.GIVEN in roles and morphology.FAMILY not in roles:
                return GIVEN_ROLE
        elif len(lower) > 6 and PATRONYMIC_RE.search(word_to_latin(lower)) and not self._listed_family(keys):
            return PATRONYMIC_ROLE
        elif lower in self._given or any(given_name_key(k) for k in keys):
            return GIVEN_ROLE
        if self._listed_family(keys):
            return FAMILY_ROLE
        if token.cyrillic:
            if morphology.GIVEN in roles:
                return GIVEN_ROLE
            if roles & {morphology.FAMILY, morphology.UNKNOWN}:
                return SURNAME_ROLE
            return TITLE_ROLE if not token.all_caps else SURNAME_ROLE
        return SURNAME_ROLE

    @staticmethod
    def _settle_roles(words: list[Word]) -> None:
        """Roles that a Cyrillic word's neighbours decide, where its dictionary readings alone do not."""
        for i, word in enumerate(words):
            token = word.token
            if not (token.cyrillic and token.capitalized) or token.all_caps:
                continue
            before = words[i - 1] if i and _continues(token) else None
            after = words[i + 1] if i + 1 < len(words) and _continues(words[i + 1].token) else None
            after_is_family = after is not None and after.role in (FAMILY_ROLE, SURNAME_ROLE)
            before_is_given = before is not None and before.role == GIVEN_ROLE
            if before and before.token.text.lower() in LOCATIVE_PREPOSITIONS and morphology.PLACE in word.readings:
                word.role, word.place = TITLE_ROLE, True  # «в Королёве»: the town, not Mr Korolev
            elif word.role == FAMILY_ROLE and morphology.PATRONYMIC in word.readings and before_is_given and after_is_family:
                word.role = PATRONYMIC_ROLE  # «Рустам Абрамович Мурадов»; but «Роман Абрамович» keeps his name
            elif word.role in (FAMILY_ROLE, SURNAME_ROLE) and after_is_family and not before_is_given and (
                morphology.GIVEN in word.readings or word.readings == {morphology.UNKNOWN}
            ):
                word.role = GIVEN_ROLE  # «Герман Греф», «Жозеп Боррель»
            elif word.role == TITLE_ROLE and before_is_given and not word.place and _could_be_family(word):
                word.role = SURNAME_ROLE  # «Мария Певчих»: after a given name, a capitalized word is her name

    @staticmethod
    def _is_place(token: Token, roles: set[str]) -> bool:
        if token.cyrillic:
            return morphology.PLACE in roles and not roles & {morphology.GIVEN, morphology.FAMILY}
        return len(token.text) > 2 and is_place(token.text)

    def _listed_family(self, keys: frozenset[str]) -> bool:
        return any(len(k) >= MIN_FAMILY_KEY and self.gazetteer.is_family(k) for k in keys)

    # --- spans --------------------------------------------------------------------------------

    def _runs(self, words: list[Word]) -> list[tuple[int, int]]:
        """Runs of adjacent capitalized words within a sentence (a particle may sit inside)."""
        runs: list[tuple[int, int]] = []
        i = 0
        while i < len(words):
            if not words[i].role or words[i].role == PARTICLE_ROLE:
                i += 1
                continue
            j = i + 1
            while j < len(words) and not words[j].token.sentence_start and adjacent(words[j].token):
                if words[j - 1].token.possessive:
                    break
                if words[j].role == PARTICLE_ROLE and j + 1 < len(words) and words[j + 1].role:
                    j += 1
                    continue
                if not words[j].role:
                    break
                j += 1
            runs.append((i, j))
            i = j
        return runs

    def _person_spans(self, words: list[Word], run: tuple[int, int]) -> list[tuple[int, int]]:
        """The person names a run holds ("Alisher Usmanov and Roman Abramovich" holds two)."""
        spans = []
        start, end = run
        while start < end:
            span = self._first_person_span(words, start, end)
            if span is None:
                break
            spans.append(span)
            start = span[1]
        return spans

    def _first_person_span(self, words: list[Word], start: int, end: int) -> tuple[int, int] | None:
        """From the run's first given name or initial; without one, its first family name alone."""
        roles = [w.role for w in words[start:end]]
        anchors = [i for i, r in enumerate(roles) if r in (GIVEN_ROLE, INITIAL_ROLE)]
        if not anchors:
            alone = [i for i, r in enumerate(roles) if r in (FAMILY_ROLE, SURNAME_ROLE)
                     and self._could_stand_alone(words[start + i])]  # fmt: skip
            return (start + alone[0], start + alone[0] + 1) if alone else None
        first = anchors[0]
        while first + 1 < len(roles) and roles[first + 1] == GIVEN_ROLE and _case_differs(
            words[start + first], words[start + first + 1]
        ):
            first += 1  # «группы Вагнера Евгений Пригожин»; but «Константин Эрнст» is one name
        before = [i for i in range(first) if roles[i] in (FAMILY_ROLE, SURNAME_ROLE)]
        if before and before[-1] < first - 1 and self._could_stand_alone(words[start + before[-1]]):
            return (start + before[-1], start + before[-1] + 1)  # "Usmanov, Minister Alexander …"
        if first > 0 and roles[first - 1] == FAMILY_ROLE and self._family_first(words, start + first - 1, roles):
            first -= 1
        last = first + 1
        while last < len(roles) and roles[last] not in (TITLE_ROLE,) and last - first < MAX_NAME_WORDS:
            last += 1
        if last - first == 1 and roles[first] == GIVEN_ROLE or all(
            r in (INITIAL_ROLE, PARTICLE_ROLE) for r in roles[first:last]
        ):
            # a given name or initials alone say nothing; look further along the run
            rest = self._first_person_span(words, start + last, end) if start + last < end else None
            return rest
        return (start + first, start + last)

    @staticmethod
    def _could_stand_alone(word: Word) -> bool:
        """A family name without a given name, unless it is first of all an ordinary word.

        Surnames that are on no list are kept too: they may refer to a fuller mention
        ("Navalny" after "Alexei Navalny"); what refers to nothing is dropped at the end.
        """
        token = word.token
        if token.cyrillic:
            return morphology.FAMILY in morphology.roles(token.text) or morphology.UNKNOWN in morphology.roles(
                token.text
            )
        return not is_ordinary_word(token.text)

    @staticmethod
    def _family_first(words: list[Word], at: int, roles: list[str]) -> bool:
        """Whether a listed family name right before a given name belongs to this name (Бастрыкин
        Александр Иванович, BASTRYKIN Alexander) rather than ending a previous phrase («группы
        Вагнера Евгений Пригожин»: the given name has its own family name after it)."""
        after = at + 2 < len(words) and _continues(words[at + 2].token)
        if after and words[at + 2].role in (FAMILY_ROLE, SURNAME_ROLE):
            return False
        token = words[at].token
        return token.all_caps or token.cyrillic or PATRONYMIC_ROLE in roles

    def _names_something_else(self, words: list[Word], span: tuple[int, int]) -> bool:
        """'the Usmanov Foundation', «улица Кирова»: a name that is part of another name."""
        start, end = span
        after = words[end].token if end < len(words) else None
        if after and adjacent(after) and after.text.lower() in ORGANIZATION_HEADS and after.capitalized:
            return not words[end - 1].token.possessive
        before = words[start - 1].token if start > 0 else None
        return bool(before and adjacent(words[start].token) and before.text.lower() in NAMED_AFTER)

    # --- screening ----------------------------------------------------------------------------

    def screen(self, text: str) -> TextReport:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"text too long: {len(text)} characters (at most {MAX_TEXT_LENGTH})")
        words = [self._word(token) for token in tokenize(text)]
        self._settle_roles(words)
        spans: dict[tuple[int, int], list[str]] = {}
        for run in self._runs(words):
            for span in self._person_spans(words, run):
                if not self._names_something_else(words, span):
                    spans[span] = ["names"]
        if self.use_ner:
            sentences = _unexplained_sentences(words, spans)
            if sentences:
                self._add_ner_spans(russian_person_spans(text, sentences), words, spans)
        mentions = self._organization_mentions(text, words, [s for s in spans if s[1] - s[0] > 1])
        taken = [(m.start, m.end) for m in mentions]
        for span, found_by in sorted(spans.items()):
            mention = self._person_mention(text, words, span, found_by)
            if not any(start < mention.end and mention.start < end for start, end in taken):
                mentions.append(mention)
        mentions.sort(key=lambda m: m.start)
        self._resolve_short_mentions(text, words, mentions)
        kept = [m for m in mentions if self._worth_reporting(m)]
        renumbered = {id(m): number for number, m in enumerate(kept)}
        for mention in kept:
            if mention.refers_to is not None:
                mention.refers_to = renumbered[id(mentions[mention.refers_to])]
        return TextReport(text, kept, self.as_of)

    def _add_ner_spans(
        self, found: list[tuple[int, int]], words: list[Word], spans: dict[tuple[int, int], list[str]]
    ) -> None:
        """The NER's persons: confirming ours, joining ours («Жозепом» + «Боррелем»), or new ones."""
        starts = {w.token.start: i for i, w in enumerate(words)}
        ends = {w.token.end: i for i, w in enumerate(words)}
        for span_start, span_end in found:
            first = starts.get(span_start)
            last = next((ends[e] for e in range(span_end, span_start, -1) if e in ends), None)
            if first is None or last is None:
                continue
            overlapping = [s for s in spans if s[0] <= last and first < s[1]]
            inside = [s for s in overlapping if first <= s[0] and s[1] <= last + 1]
            if len(inside) > 1 and inside == overlapping:
                for span in inside:
                    del spans[span]
                spans[(first, last + 1)] = ["names", "natasha"]
                continue
            for span in overlapping:
                spans[span].append("natasha")
            if not overlapping and not self._names_something_else(words, (first, last + 1)):
                spans[(first, last + 1)] = ["natasha"]

    def _person_mention(
        self, text: str, words: list[Word], span: tuple[int, int], found_by: list[str]
    ) -> Mention:
        chosen = words[span[0] : span[1]]
        surface = [w.token.text + ("." if w.role == INITIAL_ROLE else "") for w in chosen]
        name = " ".join(morphology.name_in_nominative(surface))
        family = [w for w in chosen if w.role in (FAMILY_ROLE, SURNAME_ROLE)] or [
            w for w in chosen if w.role not in (GIVEN_ROLE, INITIAL_ROLE, PATRONYMIC_ROLE, PARTICLE_ROLE)
        ]
        mention = Mention(
            text=text[chosen[0].token.start : chosen[-1].token.end],
            start=chosen[0].token.start,
            end=chosen[-1].token.end,
            kind="person",
            name=name,
            found_by=list(found_by),
            family_keys=frozenset(k for w in family for k in w.keys),
            full=len(chosen) > 1 and any(w.role == GIVEN_ROLE for w in chosen),
        )
        if len(chosen) > 1:
            results = self._match_name(name)
            written = " ".join(surface)
            if written != name and not any(r.match for r in results):
                # the dictionary may take a nominative surname it does not know for an inflected
                # form («Алекперов» as the genitive plural of «Алекпер»): the name as written may match
                as_written = self._match_name(written)
                if as_written and (not results or as_written[0].score > results[0].score):
                    mention.name, results = written, as_written
            self._take_results(mention, results)
        return mention

    def _match_name(self, name: str) -> list[Result]:
        """Match results for a person's name; names recur within and across texts, so remembered."""
        results = self._results.get(name)
        if results is None:
            query = build_query([name], schema="Person")
            cutoff = self.threshold - AMBIGUITY_MARGIN
            results = self.matcher.match(query, limit=4, threshold=self.threshold, cutoff=cutoff)
            if len(self._results) >= RESULTS_REMEMBERED:
                self._results.clear()
            self._results[name] = results
        return results

    def _take_results(self, mention: Mention, results: Sequence[Result]) -> None:
        if not results:
            return
        best = results[0]
        rivals = [r for r in results if r.match and best.score - r.score <= AMBIGUITY_MARGIN]
        mention.score = best.score
        if best.match and len(rivals) > 1:
            mention.candidates = [self._candidate(r.entry, r.score) for r in rivals]
            if all(c["sanctioned"] for c in mention.candidates):
                # Whichever it is, the person is listed: often one person whose records the lists
                # do not let us join (Mishustin: EU and US disagree on his birth date). Shown first:
                # of the equally good, the one most lists name («Мария Захарова»: the spokeswoman
                # on seven lists, not the namesake on two).
                shown = max((r for r in rivals if r.score == best.score), key=lambda r: len(r.entry.referents))
                self._assign(mention, shown.entry, shown.score)
            return
        if best.score >= self.threshold:
            self._assign(mention, best.entry, best.score)

    def _assign(self, mention: Mention, entry: Entry, score: float) -> None:
        mention.subject = self._subject_view(entry)
        mention.score = score
        mention.sanctioned = score >= self.threshold and bool(mention.subject["designations"])

    def _subject_view(self, entry: Entry) -> dict[str, Any]:
        subject = self.book.get(entry.id) or self.book.for_record(entry.referents[0])
        return {
            "id": subject.id if subject else entry.id,
            "caption": entry.caption,
            "schema": SCHEMA_OF_KIND.get(entry.kind, "LegalEntity"),
            "designations": self._designations(subject) if subject else {},
            "referents": entry.referents,
        }

    def _designations(self, subject: Subject) -> dict[str, dict[str, Any]]:
        """In force per jurisdiction (on `as_of`, else now): the earliest listing of each."""
        day = self.as_of or date.today()
        return {
            jurisdiction: {
                "listed_on": d.listed_on,
                "listed_on_basis": d.listed_on_basis,
                "regime": d.regime,
                "source": d.source,
            }
            for jurisdiction, d in sorted(subject.by_jurisdiction(day).items())
        }

    def _candidate(self, entry: Entry, score: float) -> dict[str, Any]:
        view = self._subject_view(entry)
        return {**view, "score": round(score, 4), "sanctioned": bool(view["designations"])}

    def _organization_mentions(self, text: str, words: list[Word], full_names: list[tuple[int, int]]) -> list[Mention]:
        """Listed organizations named in full; a person's full name wins over an organization in it."""
        keys = [w.nominative_key for w in words]
        found: list[Mention] = []
        taken: list[tuple[int, int]] = list(full_names)
        matches = sorted(self.gazetteer.find_organizations(keys), key=lambda m: (-(m[1] - m[0]), m[0]))
        for first, last, positions in matches:
            if any(s[0] < last and first < s[1] for s in taken):
                continue
            chosen = words[first:last]
            if not all(w.token.capitalized or w.token.text.lower() in ORGANIZATION_GLUE for w in chosen):
                continue
            if not (chosen[0].token.capitalized and chosen[-1].token.capitalized):
                continue
            if len(chosen) == 1 and chosen[0].place:
                continue  # a place ("Canada"), not the company of that name
            taken.append((first, last))
            mention = Mention(
                text=text[chosen[0].token.start : chosen[-1].token.end],
                start=chosen[0].token.start,
                end=chosen[-1].token.end,
                kind="organization",
                name=" ".join(w.token.text for w in chosen),
                found_by=["gazetteer"],
            )
            # Several listed organizations may bear this exact name (lists not joined into one
            # subject, or namesakes): the most designated stands for the mention, all are shown.
            candidates = [self._candidate(self.matcher.entries[p], 1.0) for p in positions]
            candidates.sort(key=lambda c: (-len(c["designations"]), c["caption"]))
            self._assign(mention, self.matcher.entries[positions[0]], 1.0)
            mention.subject = {k: v for k, v in candidates[0].items() if k not in ("score", "sanctioned")}
            mention.sanctioned = bool(mention.subject["designations"])
            if len(candidates) > 1:
                mention.candidates = candidates[:MAX_CANDIDATES]
            found.append(mention)
        return found

    # --- short mentions -------------------------------------------------------------------------

    def _resolve_short_mentions(self, text: str, words: list[Word], mentions: list[Mention]) -> None:
        full = [(n, m) for n, m in enumerate(mentions) if m.kind == "person" and m.full]
        for number, mention in enumerate(mentions):
            if mention.kind != "person" or mention.full or not mention.family_keys:
                continue
            fuller = self._fuller_mention(number, mention, full)
            if fuller is not None:
                head = mentions[fuller]
                mention.refers_to = fuller
                mention.subject, mention.score, mention.sanctioned = head.subject, head.score, head.sanctioned
                mention.candidates = list(head.candidates)
                continue
            if mention.subject is not None or mention.candidates:
                continue  # an initial with a family name that the engine matched on its own
            self._match_family_name(text, mention)

    @staticmethod
    def _fuller_mention(number: int, mention: Mention, full: list[tuple[int, Mention]]) -> int | None:
        """The closest earlier full mention with this family name, else the first later one."""
        initial = mention.name[:1].lower() if mention.name[1:2] in (".", " ") else None
        same = [
            n for n, m in full
            if _same_family(m.family_keys, mention.family_keys) and (initial is None or m.name[:1].lower() == initial)
        ]  # fmt: skip
        earlier = [n for n in same if n < number]
        return earlier[-1] if earlier else (same[0] if same else None)

    def _match_family_name(self, text: str, mention: Mention) -> None:
        positions = sorted({p for key in mention.family_keys for p in self.gazetteer.persons_named(key)})
        if not positions:
            return
        entries = [self.matcher.entries[p] for p in positions]
        entries = [e for e in entries if self._bears_family_name(e, mention.family_keys)]
        if not entries:
            return
        settled = self._settled_by_context(text, mention, entries)
        if settled is not None:
            entry, why = settled
            self._assign(mention, entry, SURNAME_SETTLED_SCORE)
            mention.settled_by = why
        elif len(entries) == 1:
            self._assign(mention, entries[0], SURNAME_ONLY_SCORE)
        else:
            mention.score = SURNAME_ONLY_SCORE / len(entries)
            candidates = [self._candidate(e, mention.score) for e in entries]
            candidates.sort(key=lambda c: (-len(c["designations"]), c["caption"]))  # the most designated first
            mention.candidates = candidates[:MAX_CANDIDATES]

    @staticmethod
    def _bears_family_name(entry: Entry, keys: frozenset[str]) -> bool:
        """Whether one of the entry's names has this as its family name (not merely as some part)."""
        return any(p.tag == FAMILY and p.key in keys for name in entry.names for p in name.parts)

    def _settled_by_context(
        self, text: str, mention: Mention, entries: list[Entry]
    ) -> tuple[Entry, str] | None:
        """The one listed bearer whose stated positions share words with the mention's sentence."""
        sentence, at = _sentence_around(text, mention.start, mention.end)
        context = _context_words(sentence[:at] + " " + sentence[at + mention.end - mention.start :])
        if not context:
            return None
        shared: list[tuple[Entry, set[str]]] = []
        for entry in entries:
            subject = self.book.get(entry.id)
            common = context & _context_words(_description(subject.records if subject else []))

            if common:
                shared.append((entry, common))
        if len(shared) != 1:
            return None
        entry, common = shared[0]
        return entry, "context: " + ", ".join(sorted(common))

    @staticmethod
    def _worth_reporting(mention: Mention) -> bool:
        """Listed subjects and candidates always; unlisted names only when they read as a person's."""
        if mention.subject is not None or mention.candidates or mention.kind != "person":
            return True
        if mention.refers_to is not None:
            return True
        return mention.full or "natasha" in mention.found_by


def _continues(token: Token) -> bool:
    """Whether a token continues the phrase of the one before it (same sentence, only spaces between)."""
    return not token.sentence_start and adjacent(token)


def _case_differs(left: Word, right: Word) -> bool:
    """Two Cyrillic words of which one is inflected and the other is not: not one name."""
    if not (left.token.cyrillic and right.token.cyrillic):
        return False
    return _inflected(left) != _inflected(right)


def _inflected(word: Word) -> bool:
    forms = morphology.word_forms(word.token.text)
    return bool(forms) and forms[0].nominative != word.token.text.lower()


def _could_be_family(word: Word) -> bool:
    """A capitalized Cyrillic word that no dictionary calls a place or an organization."""
    return word.token.text.lower() not in TITLE_WORDS | ORGANIZATION_HEADS and not word.readings & {
        morphology.PLACE, morphology.ORGANIZATION
    }


def _unexplained_sentences(words: list[Word], spans: dict[tuple[int, int], list[str]]) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences the NER should read: those with a capitalized Cyrillic
    word that no dictionary knows and no name span holds («Росгвардией», «Жозепом»), or with a lone
    family name on no list («Навальный остался в СИЗО»: a person, or the adjective?). The NER costs
    more than the rest of screening together, and most sentences need no second opinion.
    """
    held = {i for start, end in spans for i in range(start, end)}
    lone_unlisted = {start for start, end in spans if end - start == 1 and words[start].role == SURNAME_ROLE}
    sentences: list[tuple[int, int]] = []
    first = 0
    taken = -1  # the first word of the sentence last taken
    for i, word in enumerate(words):
        token = word.token
        if token.sentence_start:
            first = i
        if not token.cyrillic or first == taken:
            continue
        unknown = token.capitalized and not token.all_caps and morphology.UNKNOWN in word.readings and i not in held
        if unknown or i in lone_unlisted:
            last = next((j for j in range(i + 1, len(words)) if words[j].token.sentence_start), len(words)) - 1
            sentences.append((words[first].token.start, words[last].token.end))
            taken = first
    return sentences


def _sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding text[start:end], and where in it that span starts."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    rights = [i for i in (text.find(mark, end) for mark in ".!?\n") if i >= 0]
    return text[left : min(rights) if rights else len(text)], start - left


def _description(records: Sequence[Record]) -> str:
    """What lists say a person does: positions, the reason for listing, remarks (where some lists put it)."""
    parts = [p for r in records for p in r.positions] + [r.reason or "" for r in records]
    parts += [remark for r in records for remark in r.remarks]
    return " ".join(parts)


def _same_family(left: frozenset[str], right: frozenset[str]) -> bool:
    """Family-name keys that agree, allowing a spelling variant (Kiriyenko / Kirienko)."""
    if left & right:
        return True
    return any(len(a) >= MIN_FAMILY_KEY and Levenshtein.normalized_similarity(a, b) >= 0.85 for a in left for b in right)


def _context_words(text: str) -> set[str]:
    """Content words, lemmatized and latinized, cut to a crude stem ("ministers" meets "Minister")."""
    found = set()
    for word in _CONTEXT_WORD_RE.findall(text.lower()):
        if word in _CONTEXT_STOPWORDS or word in PARTICLES:
            continue
        if any("\u0400" <= c <= "\u04ff" for c in word):
            forms = morphology.word_forms(word)
            word = forms[0].nominative if forms else word
        found.add(_stem(word_to_latin(word)))
    return found


def _stem(latin: str) -> str:
    """A crude stem: English and Russian plural and case endings off, so "ministers" meets "minister"."""
    return latin[:7]


#: screeners for past days kept per process (each holds its own index: about 100 MB for every list)
SCREENERS_KEPT = 2
_screeners: OrderedDict[tuple[Any, ...], TextScreener] = OrderedDict()
_cache_lock = threading.Lock()  # guards both caches
_gazetteers: WeakKeyDictionary[Matcher, Gazetteer] = WeakKeyDictionary()


def gazetteer_for(matcher: Matcher) -> Gazetteer:
    """The gazetteer of a matcher, opened once per matcher: from what its index file holds, or for a
    matcher built in memory (a past day's lists) from its entries."""
    with _cache_lock:
        found = _gazetteers.get(matcher)
    if found is None:
        mentions = matcher.mentions or MentionIndex.from_entries(matcher.entries, matcher.index.key_ids)
        found = Gazetteer.open(mentions, matcher.index.key_ids)
        with _cache_lock:
            _gazetteers[matcher] = found
    return found


def open_text_screener(
    engine: sa.Engine, *, as_of: date | None = None, threshold: float = DEFAULT_THRESHOLD, use_ner: bool = True
) -> TextScreener:
    """A screener over the lists in a database (as they stood on `as_of`).

    The last few are kept while the data stays the same: building one (the index of that day,
    the subjects, the gazetteer) takes seconds, and a day is often asked about again.
    """
    key = (engine.url.render_as_string(), current_version(engine, as_of), as_of, threshold, use_ner)
    with _cache_lock:
        found = _screeners.get(key)
        if found is not None:
            _screeners.move_to_end(key)
            return found
    matcher = open_matcher(engine, as_of=as_of)
    screener = TextScreener(matcher, SubjectBook(engine), as_of=as_of, threshold=threshold, use_ner=use_ner)
    with _cache_lock:
        _screeners[key] = screener
        while len(_screeners) > SCREENERS_KEPT:
            _screeners.popitem(last=False)
    return screener
