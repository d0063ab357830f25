"""Text screening: throughput (KB of text per second, one core) and precision/recall on annotated sentences.

    python benchmarks/text.py [--db PATH] [--quick]

The throughput corpus is real prose: the statements of reasons that the EU and UK lists publish
(English news-like text full of names, listed and not), plus the seed article; the Russian part
is the annotated Russian sentences below. Each corpus is screened once, by a fresh screener, so
that nothing is remembered from an earlier pass. The annotated sentences were written for this
benchmark: each names who must be reported sanctioned (by family name) and who must not.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

from lists import FOLDERS, LISTS, SHARED

from sanctionscope.resolve.subjects import SubjectBook  # noqa: E402
from sanctionscope.session import Sanctionscope  # noqa: E402
from sanctionscope.store import queries  # noqa: E402
from sanctionscope.text import TextScreener  # noqa: E402

SEED = SHARED / "seed" / "article-2021-02-09.txt"

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


def throughput(screener: TextScreener, text: str) -> tuple[float, int]:
    """KB/s screening `text` paragraph by paragraph (as articles would come), and the mentions found."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    gc.collect()  # a collection left over from building the screener would land in a 1 KB timing
    started = time.perf_counter()
    mentions = sum(len(screener.screen(p).mentions) for p in paragraphs)
    seconds = time.perf_counter() - started
    return len(text.encode()) / 1024 / seconds, mentions


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
    parser.add_argument("--quick", action="store_true", help="a 100 KB corpus instead of 1 MB")
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    scope = ensure_database(args.db)
    started = time.perf_counter()
    scope.matcher()  # resolves subjects on a fresh database: before they are read
    book = SubjectBook(scope.engine)
    fresh_screener(scope, book)  # timed: what a new process pays before its first text
    setup = time.perf_counter() - started
    english = reasons_corpus(scope, 100_000 if args.quick else 1_000_000) + "\n\n" + SEED.read_text("utf-8")
    russian = "\n\n".join(s for s, _sanctioned, _clean in ANNOTATED if any("\u0400" <= c <= "\u04ff" for c in s))
    fresh_screener(scope, book).screen("Прогрев: Александр Бастрыкин.")  # load the NER model and dictionaries once
    rows = []
    for label, text, use_ner in (
        ("English (list reasons + seed article)", english, True),
        ("Russian sentences, with natasha NER", russian, True),
        ("Russian sentences, gazetteer only (--no-ner)", russian, False),
    ):
        speed, mentions = throughput(fresh_screener(scope, book, use_ner), text)
        rows.append((label, f"{len(text.encode()) / 1024:.0f}", f"{speed:.0f}", str(mentions)))
    precision, recall, misses = quality(fresh_screener(scope, book))

    console = Console()
    table = Table(title="Text screening, one core", title_justify="left")
    for column in ("corpus", "KB", "KB/s", "mentions"):
        table.add_column(column, justify="left" if column == "corpus" else "right")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    console.print(f"screener set-up (subjects + gazetteer): {setup:.1f} s")
    console.print(
        f"annotated sentences ({len(ANNOTATED)}): precision {precision:.3f}, recall {recall:.3f} of sanctioned mentions"
    )
    for miss in misses:
        console.print(f"  {miss}", style="yellow")


if __name__ == "__main__":
    main()
