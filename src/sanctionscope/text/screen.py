"""Screening a text: who in it is sanctioned, by whom, since when, and who is mentioned but on no list.

The steps, in order:

1. words (`tokens`, `roles`), each normalized to name keys and given a role: Cyrillic words through their readings
   (`morphology`, so «Бастрыкина» gives бастрыкин), possessives dropped;
2. name spans (`spans`): runs of capitalized words, trimmed to the name they hold ("Russian President
   Vladimir Putin" → "Vladimir Putin"), plus the persons a Russian NER (`natasha`) sees;
3. full names (a given name or an initial with a family name) are scored by the matching engine,
   in the nominative for Russian; organizations are found whole by the gazetteer;
4. short mentions ("Usmanov", "А. Бастрыкин") are resolved to a fuller mention of the same
   family name in the text; if there is none, to the listed persons of that family name, where
   words of the sentence (a role such as "health minister", `context`) may settle which one; if
   none does, the mention is shown with its candidates and a low score.

What it reports (`Mention`, `TextReport`) is `mentions`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sanctionscope.index.entries import Entry
from sanctionscope.match.engine import DEFAULT_THRESHOLD, Matcher, Result
from sanctionscope.match.query import build_query
from sanctionscope.model import Record
from sanctionscope.names.analyze import FAMILY
from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.text import morphology
from sanctionscope.text.context import settled_by_context
from sanctionscope.text.gazetteer import MIN_FAMILY_KEY, ORGANIZATION_GLUE, gazetteer_for
from sanctionscope.text.mentions import Mention, TextReport, same_family
from sanctionscope.text.ner import russian_person_spans
from sanctionscope.text.roles import Role, Word, WordReader
from sanctionscope.text.spans import names_something_else, person_spans, runs, unexplained_sentences
from sanctionscope.text.subjects import SubjectViews, subject_of
from sanctionscope.text.tokens import tokenize
from sanctionscope.text.words import is_place

__all__ = ["Mention", "TextReport", "TextScreener"]

#: the score of a family name alone whose only listed bearer nothing in the text confirms
SURNAME_ONLY_SCORE = 0.7
#: ... and of one that words of its sentence tie to one of several listed bearers
SURNAME_SETTLED_SCORE = 0.85
#: full-name results this close to the best are reported as its rivals
AMBIGUITY_MARGIN = 0.03
#: at most this many candidates are shown for an ambiguous mention
MAX_CANDIDATES = 10
#: how many names' match results a screener remembers
RESULTS_REMEMBERED = 20_000
#: texts longer than this are refused (characters)
MAX_TEXT_LENGTH = 2_000_000

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
        self._words = WordReader(self._listed_family)
        self.views = SubjectViews(book, as_of)
        is_place("Moscow")  # rigour indexes every territory name on first use (~2 s): here, not in the first text
        self._results: dict[str, list[Result]] = {}

    def _listed_family(self, keys: frozenset[str]) -> bool:
        return any(len(k) >= MIN_FAMILY_KEY and self.gazetteer.is_family(k) for k in keys)

    # --- screening ----------------------------------------------------------------------------

    def screen(self, text: str) -> TextReport:
        if len(text) > MAX_TEXT_LENGTH:
            raise ValueError(f"text too long: {len(text)} characters (at most {MAX_TEXT_LENGTH})")
        words = [self._words.word(token) for token in tokenize(text)]
        WordReader.settle(words)
        spans: dict[tuple[int, int], list[str]] = {}
        for run in runs(words):
            for span in person_spans(words, run):
                if not names_something_else(words, span):
                    spans[span] = ["names"]
        if self.use_ner:
            sentences = unexplained_sentences(words, spans)
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
            if not overlapping and not names_something_else(words, (first, last + 1)):
                spans[(first, last + 1)] = ["natasha"]

    def _person_mention(
        self, text: str, words: list[Word], span: tuple[int, int], found_by: list[str]
    ) -> Mention:
        chosen = words[span[0] : span[1]]
        surface = [w.token.text + ("." if w.role == Role.INITIAL else "") for w in chosen]
        name = " ".join(morphology.name_in_nominative(surface))
        family = [w for w in chosen if w.role in (Role.FAMILY, Role.SURNAME)] or [
            w for w in chosen if w.role not in (Role.GIVEN, Role.INITIAL, Role.PATRONYMIC, Role.PARTICLE)
        ]
        mention = Mention(
            text=text[chosen[0].token.start : chosen[-1].token.end],
            start=chosen[0].token.start,
            end=chosen[-1].token.end,
            kind="person",
            name=name,
            found_by=list(found_by),
            family_keys=frozenset(k for w in family for k in w.keys),
            full=len(chosen) > 1 and any(w.role == Role.GIVEN for w in chosen),
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
            mention.candidates = [self.views.candidate(r.entry, r.score) for r in rivals]
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
        mention.subject = self.views.view(entry)
        mention.score = score
        mention.sanctioned = score >= self.threshold and bool(mention.subject["designations"])

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
            candidates = [self.views.candidate(self.matcher.entries[p], 1.0) for p in positions]
            candidates.sort(key=lambda c: (-len(c["designations"]), c["caption"]))
            self._assign(mention, self.matcher.entries[positions[0]], 1.0)
            mention.subject = subject_of(candidates[0])
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
            if same_family(m.family_keys, mention.family_keys) and (initial is None or m.name[:1].lower() == initial)
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
        settled = settled_by_context(text, mention.start, mention.end, entries, self._records_of)
        if settled is not None:
            entry, why = settled
            self._assign(mention, entry, SURNAME_SETTLED_SCORE)
            mention.settled_by = why
        elif len(entries) == 1:
            self._assign(mention, entries[0], SURNAME_ONLY_SCORE)
        else:
            mention.score = SURNAME_ONLY_SCORE / len(entries)
            candidates = [self.views.candidate(e, mention.score) for e in entries]
            candidates.sort(key=lambda c: (-len(c["designations"]), c["caption"]))  # the most designated first
            mention.candidates = candidates[:MAX_CANDIDATES]

    def _records_of(self, entry: Entry) -> list[Record]:
        subject = self.book.get(entry.id)
        return subject.records if subject else []

    @staticmethod
    def _bears_family_name(entry: Entry, keys: frozenset[str]) -> bool:
        """Whether one of the entry's names has this as its family name (not merely as some part)."""
        return any(p.tag == FAMILY and p.key in keys for name in entry.names for p in name.parts)

    @staticmethod
    def _worth_reporting(mention: Mention) -> bool:
        """Listed subjects and candidates always; unlisted names only when they read as a person's."""
        if mention.subject is not None or mention.candidates or mention.kind != "person":
            return True
        if mention.refers_to is not None:
            return True
        return mention.full or "natasha" in mention.found_by
