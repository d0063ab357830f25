"""Text screening: throughput (KB of text per second, one core) and precision/recall on annotated sentences.

    python benchmarks/text.py [--db PATH] [--quick]

The English corpus is real prose: the statements of reasons that the EU and UK lists publish
(news-like text full of names, listed and not), plus the seed article. The Russian corpus,
corpus/ru_news*.txt, is two days of news prose written for this benchmark (the shared data has
no Russian prose), annotated inline: [Александра Бастрыкина]{BASTRYKIN} must be reported sanctioned as a
subject whose caption holds BASTRYKIN, [Леонид Волков]{-} as a person on no list; every other
sanctioned report is a false alarm. The short annotated sentences below add English cases.

Each timing screens a corpus paragraph by paragraph with a fresh screener whose word caches
(morphology, transliteration, keys) were emptied first, so nothing is remembered from an
earlier pass; models and dictionaries are loaded before. The median of three timings is shown.
"""

from __future__ import annotations

import argparse
import gc
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lists import FOLDERS, LISTS, SHARED
from rich.console import Console
from rich.table import Table

from sanctionscope.resolve.subjects import SubjectBook
from sanctionscope.session import Sanctionscope
from sanctionscope.store import queries
from sanctionscope.text import TextScreener, morphology
from sanctionscope.text.ner import russian_person_spans

SEED = SHARED / "seed" / "article-2021-02-09.txt"
#: two days of news, each one article: names and words recur from one to the next, as they do
RUSSIAN_NEWS = [Path(__file__).parent / "corpus" / name for name in ("ru_news.txt", "ru_news_2.txt")]
_ANNOTATION_RE = re.compile(r"\[([^\]]+)\]\{([^}]*)\}")


@dataclass(frozen=True)
class Expected:
    start: int
    end: int
    family: str | None  # None: a person on no list


def annotated_corpus(path: Path) -> tuple[str, list[Expected]]:
    """The plain text of an inline-annotated corpus, and what must be found where."""
    pieces: list[str] = []
    expected: list[Expected] = []
    at = length = 0
    raw = path.read_text("utf-8")
    for found in _ANNOTATION_RE.finditer(raw):
        pieces.append(raw[at : found.start()])
        length += found.start() - at
        surface, label = found.group(1), found.group(2)
        expected.append(Expected(length, length + len(surface), None if label == "-" else label))
        pieces.append(surface)
        length += len(surface)
        at = found.end()
    pieces.append(raw[at:])
    return "".join(pieces), expected


def forget_words() -> None:
    """Empty the per-word caches, so that a timing pays for every word it meets."""
    from sanctionscope.match import names as match_names
    from sanctionscope.names import analyze, keys, latin
    from sanctionscope.text import words

    for cached in (morphology.word_forms, latin.word_to_latin, keys.token_key, analyze._analyze,
                   match_names.key_similarity, words.is_ordinary_word, words.is_place):  # fmt: skip
        cached.cache_clear()

#: (sentence, family names that must be reported sanctioned, names that must not be)
ANNOTATED: list[tuple[str, set[str], set[str]]] = [
    ("Alexander Bastrykin heads the Investigative Committee.", {"BASTRYKIN"}, set()),
    ("Billionaires Alisher Usmanov and Roman Abramovich were named.", {"USMANOV", "ABRAMOVICH"}, set()),
    ("Foreign Ministry spokeswoman Maria Zakharova commented.", {"ZAKHAROVA"}, set()),
    ("Health Minister Mikhail Murashko spoke in Moscow.", {"MURASHKO"}, set()),
    ("Leonid Volkov and Vladimir Ashurkov met diplomats in Brussels.", set(), {"Volkov", "Ashurkov"}),
    ("Alexei Navalny was arrested on his return from Germany.", set(), {"Navalny"}),
    ("Navalny's team published an investigation.", set(), {"Navalny"}),
    ("Sergei Lavrov met his Turkish counterpart. Lavrov said nothing.", {"LAVROV"}, set()),
    ("Igor Krasnov, the prosecutor general, signed the order.", {"KRASNOV"}, set()),
    ("Sergey Kiriyenko oversees domestic politics in the Kremlin.", {"KIRIYENKO"}, set()),
    ("The Usmanov Foundation funded a museum.", set(), {"Usmanov"}),
    ("John Smith and Mary Jones visited London and Paris.", set(), {"Smith", "Jones"}),
    ("Sberbank and Rosneft reported results.", {"SBERBANK", "ROSNEFT"}, set()),
    ("May will bring Hope, Said the officer.", set(), {"May", "Hope", "Said"}),
    ("Dmitry Peskov, the Kremlin spokesman, declined to comment.", {"PESKOV"}, set()),
    ("Yevgeny Prigozhin founded the Wagner group.", {"PRIGOZHIN"}, set()),
    ("Ramzan Kadyrov rules Chechnya.", {"KADYROV"}, set()),
    ("Nikolai Patrushev chaired the Security Council meeting.", {"PATRUSHEV"}, set()),
    ("Oleg Deripaska commented on aluminium prices.", {"DERIPASKA"}, set()),
    ("Arkady Rotenberg built the bridge.", {"ROTENBERG"}, set()),
    ("Александр Бастрыкин возглавляет Следственный комитет.", {"BASTRYKIN"}, set()),
    ("Журналисты спросили Александра Бастрыкина о деле.", {"BASTRYKIN"}, set()),
    ("Письмо направили Алишеру Усманову.", {"USMANOV"}, set()),
    ("Суд вызвал Марию Захарову.", {"ZAKHAROVA"}, set()),
    ("Министр встретился с Игорем Красновым.", {"KRASNOV"}, set()),
    ("Говорили о Сергее Лаврове. Переговоры с С. Лавровым длились час.", {"LAVROV"}, set()),
    ("Песков заявил журналистам, что Дмитрий Песков не комментирует.", {"PESKOV"}, set()),
    ("Леонид Волков и Владимир Ашурков провели встречу.", set(), {"Волков", "Ашурков"}),
    ("Алексей Навальный вернулся в Москву.", set(), {"Навальный"}),
    ("На улице Кирова открыли кафе, а в Москве прошёл митинг.", set(), {"Кирова", "Москве"}),
    ("Сотрудники Сбербанка получили премии.", {"SBERBANK"}, set()),
    ("Указ подписал Путин Владимир Владимирович.", {"PUTIN"}, set()),
    ("Рамзан Кадыров выступил в Грозном.", {"KADYROV"}, set()),
    ("Олег Дерипаска прокомментировал цены на алюминий.", {"DERIPASKA"}, set()),
]


def ensure_database(path: Path) -> Sanctionscope:
    scope = Sanctionscope(path)
    if next(iter(queries.current_records(scope.engine)), None) is None:
        print(f"loading the lists into {path} …", file=sys.stderr)
        scope.load([LISTS / folder for folder in FOLDERS])
    return scope


def reasons_corpus(scope: Sanctionscope, limit_bytes: int) -> str:
    """Statements of reasons from the lists: real English prose, one paragraph each."""
    paragraphs, size = [], 0
    for record in queries.current_records(scope.engine):
        if record.reason and len(record.reason) > 200 and record.source.startswith(("eu_", "gb_")):
            paragraphs.append(record.reason)
            size += len(record.reason.encode())
            if size >= limit_bytes:
                break
    return "\n\n".join(paragraphs)


def fresh_screener(scope: Sanctionscope, book: SubjectBook, use_ner: bool = True) -> TextScreener:
    return TextScreener(scope.matcher(), book, use_ner=use_ner)


def throughput(
    scope: Sanctionscope, book: SubjectBook, articles: list[str], use_ner: bool, runs: int
) -> tuple[float, int]:
    """Median KB/s screening `articles` one after the other, and the mentions found."""
    size = sum(len(a.encode()) for a in articles)
    speeds = []
    for _ in range(runs):
        screener = fresh_screener(scope, book, use_ner)
        forget_words()
        gc.collect()  # a collection left over from building the screener would land in the timing
        started = time.perf_counter()
        mentions = sum(len(screener.screen(a).mentions) for a in articles)
        speeds.append(size / 1024 / (time.perf_counter() - started))
    return statistics.median(speeds), mentions


def corpus_quality(
    screener: TextScreener, articles: list[tuple[str, list[Expected]]]
) -> tuple[dict[str, float], list[str]]:
    """Precision and recall of sanctioned mentions, and recall of persons on no list, span by span."""
    counts = {"sanctioned": 0, "false alarms": 0, "listed": 0, "hits": 0, "unlisted": 0, "found unlisted": 0}
    problems: list[str] = []
    for text, expected in articles:
        _score_article(screener.screen(text).mentions, text, expected, counts, problems)
    scores = {
        "precision": 1 - counts["false alarms"] / counts["sanctioned"] if counts["sanctioned"] else 1.0,
        "recall": counts["hits"] / counts["listed"] if counts["listed"] else 1.0,
        "unlisted recall": counts["found unlisted"] / counts["unlisted"] if counts["unlisted"] else 1.0,
    }
    return scores, problems


def _score_article(mentions: list, text: str, expected: list[Expected], counts: dict[str, int], problems: list[str]) -> None:
    listed = [e for e in expected if e.family]
    unlisted = [e for e in expected if not e.family]

    def overlapping(e: Expected) -> list:
        return [m for m in mentions if m.start < e.end and e.start < m.end]

    hits = 0
    for e in listed:
        if any(m.sanctioned and e.family in m.subject["caption"].upper() for m in overlapping(e)):
            hits += 1
        else:
            problems.append(f"missed {e.family} at {text[e.start:e.end]!r}")
    sanctioned = [m for m in mentions if m.sanctioned]
    false_alarms = [m for m in sanctioned if not any(
        m.start < e.end and e.start < m.end and e.family and e.family in m.subject["caption"].upper() for e in listed
    )]  # fmt: skip
    problems += [f"false alarm {m.text!r} → {m.subject['caption']}" for m in false_alarms]
    found_unlisted = 0
    for e in unlisted:
        if any(m.kind == "person" and not m.sanctioned for m in overlapping(e)):
            found_unlisted += 1
        else:
            problems.append(f"person on no list not reported: {text[e.start:e.end]!r}")
    for name, value in (("sanctioned", len(sanctioned)), ("false alarms", len(false_alarms)), ("listed", len(listed)),
                        ("hits", hits), ("unlisted", len(unlisted)), ("found unlisted", found_unlisted)):  # fmt: skip
        counts[name] += value


def quality(screener: TextScreener) -> tuple[float, float, list[str]]:
    true_positive = reported = expected = 0
    misses = []
    for sentence, sanctioned_families, clean in ANNOTATED:
        report = screener.screen(sentence)
        found = {(m.subject or {}).get("caption", "").upper(): m for m in report.mentions if m.sanctioned}
        expected += len(sanctioned_families)
        reported += len(found)
        for family in sanctioned_families:
            if any(family in caption for caption in found):
                true_positive += 1
            else:
                misses.append(f"missed {family} in {sentence!r}")
        for caption, mention in found.items():
            if not any(family in caption for family in sanctioned_families):
                misses.append(f"false alarm {mention.text!r} → {caption} in {sentence!r}")
        for name in clean:
            if any(m.sanctioned and m.text == name for m in report.mentions):
                misses.append(f"{name!r} wrongly sanctioned in {sentence!r}")
    precision = true_positive / reported if reported else 1.0
    recall = true_positive / expected if expected else 1.0
    return precision, recall, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", type=Path, default=Path("/tmp/sanctionscope-bench/text.db"))
    parser.add_argument("--quick", action="store_true", help="a 100 KB English corpus instead of 1 MB")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    scope = ensure_database(args.db)
    started = time.perf_counter()
    scope.matcher()  # resolves subjects on a fresh database: before they are read
    book = SubjectBook(scope.engine)
    fresh_screener(scope, book)  # timed: what a new process pays before its first text
    setup = time.perf_counter() - started
    english = reasons_corpus(scope, 100_000 if args.quick else 1_000_000) + "\n\n" + SEED.read_text("utf-8")
    english_articles = [p for p in english.split("\n\n") if p.strip()]  # a paragraph = an article
    annotated = [annotated_corpus(path) for path in RUSSIAN_NEWS]
    russian = [text for text, _expected in annotated]
    russian_person_spans("Прогрев: Жозеп Боррель.")  # the NER model and the dictionaries, loaded once
    morphology.word_forms("Прогрев")
    runs = 3  # the median of three: a single timing of 15 KB is at the mercy of one collection or page fault
    rows = []
    for label, articles, use_ner in (
        ("English (list reasons + seed article)", english_articles, True),
        ("Russian news (corpus/ru_news*.txt), with natasha NER", russian, True),
        ("Russian news, gazetteer and dictionary only (--no-ner)", russian, False),
    ):
        speed, mentions = throughput(scope, book, articles, use_ner, runs)
        size = sum(len(a.encode()) for a in articles) / 1024
        rows.append((label, str(len(articles)), f"{size:.0f}", f"{speed:.0f}", str(mentions)))
    screener = fresh_screener(scope, book)
    corpus_scores, corpus_problems = corpus_quality(screener, annotated)
    precision, recall, misses = quality(screener)

    console = Console()
    table = Table(title="Text screening, one core", title_justify="left")
    for column in ("corpus", "texts", "KB", "KB/s", "mentions"):
        table.add_column(column, justify="left" if column == "corpus" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"screener set-up (subjects + gazetteer): {setup:.1f} s")
    expected = [e for _text, found in annotated for e in found]
    listed = sum(1 for e in expected if e.family)
    console.print(
        f"Russian news ({listed} sanctioned mentions, {len(expected) - listed} persons on no list): "
        + ", ".join(f"{name} {value:.3f}" for name, value in corpus_scores.items())
    )
    console.print(
        f"annotated sentences ({len(ANNOTATED)}): precision {precision:.3f}, recall {recall:.3f} of sanctioned mentions"
    )
    for miss in corpus_problems + misses:
        console.print(f"  {miss}", style="yellow")


if __name__ == "__main__":
    main()
