"""Text screening on the seed article and on sentences written for it, against every loaded list."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sanctionscope.cli import app
from sanctionscope.service.texts import open_text_screener
from sanctionscope.store import db
from sanctionscope.text import TextReport, TextScreener
from sanctionscope.text.tokens import tokenize

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article-2021-02-09.txt"
runner = CliRunner()


@pytest.fixture(scope="module")
def screener(loaded_db: Path) -> TextScreener:
    return open_text_screener(db.connect(str(loaded_db)))


def sanctioned(report: TextReport) -> dict[str, dict]:
    """Sanctioned subjects by caption."""
    return {s["caption"]: s for s in report.subjects() if s["sanctioned"]}


def mention(report: TextReport, text: str):
    found = [m for m in report.mentions if m.text == text]
    assert found, f"{text!r} not among {[m.text for m in report.mentions]}"
    return found[0]


def caption(report: TextReport, text: str) -> str | None:
    subject = mention(report, text).subject
    return subject["caption"] if subject else None


# --- the seed article -----------------------------------------------------------------------


def test_seed_article_names_the_sanctioned_with_jurisdictions_and_dates(screener: TextScreener) -> None:
    report = screener.screen(SEED.read_text("utf-8"))
    found = sanctioned(report)
    expected = {
        "BASTRYKIN": "Alexander Bastrykin",
        "USMANOV": "Alisher Usmanov",
        "ABRAMOVICH": "Roman Abramovich",
        "ZAKHAROVA": "Maria Zakharova",
        "PUTIN": "Vladimir Putin",
        "MURASHKO": "Mikhail Murashko",
    }
    for family, text in expected.items():
        subject = mention(report, text).subject
        assert subject is not None and family in subject["caption"].upper(), text
        assert mention(report, text).sanctioned
        assert subject["designations"], text
        assert all(d["listed_on"] for d in subject["designations"].values()), text
    assert len(found) == len(expected), sorted(found)
    bastrykin = mention(report, "Alexander Bastrykin").subject
    assert bastrykin["designations"]["eu"]["listed_on"] == "2021-03-02"
    murashko = mention(report, "Mikhail Murashko").subject["caption"]
    assert "Mikhail" in murashko and "Vad" not in murashko


def test_seed_article_reports_team_navalny_as_mentioned_and_on_no_list(screener: TextScreener) -> None:
    report = screener.screen(SEED.read_text("utf-8"))
    unlisted = {person["name"]: person for person in report.unlisted()}
    assert {"Alexey Navalny", "Leonid Volkov", "Vladimir Ashurkov"} <= set(unlisted)
    assert unlisted["Alexey Navalny"]["names"] == ["Alexey Navalny", "Alexei Navalny"]  # one person, two spellings
    assert len(unlisted["Vladimir Ashurkov"]["mentions"]) == 3
    for m in report.mentions:
        if "Navalny" in m.text or "Volkov" in m.text or "Ashurkov" in m.text:
            assert m.subject is None and not m.sanctioned and not m.candidates, m.to_dict()
    # "Navalny’s associates": the possessive is not part of the name, and it refers to the full name
    short = [m for m in report.mentions if m.text == "Navalny"]
    assert short and all(report.mentions[m.refers_to].text.endswith("Navalny") for m in short)


def test_as_of_answers_as_the_lists_stood(loaded_db: Path) -> None:
    engine = db.connect(str(loaded_db))
    sentence = "The head of the Investigative Committee, Alexander Bastrykin, was named."
    before = open_text_screener(engine, as_of=date(2021, 3, 1)).screen(sentence)
    after = open_text_screener(engine, as_of=date(2021, 3, 3)).screen(sentence)
    assert "eu" not in mention(before, "Alexander Bastrykin").subject["designations"]
    assert after.mentions[0].subject["designations"]["eu"]["listed_on"] == "2021-03-02"
    # building a screener for a past day takes seconds: asked again, the same one answers
    assert open_text_screener(engine, as_of=date(2021, 3, 3)) is open_text_screener(engine, as_of=date(2021, 3, 3))


# --- Russian inflection ---------------------------------------------------------------------

RUSSIAN_CASES = [
    ("nominative", "Вчера Александр Бастрыкин выступил в Думе.", "Александр Бастрыкин", "BASTRYKIN"),
    ("genitive", "Журналисты дождались Александра Бастрыкина у входа.", "Александра Бастрыкина", "BASTRYKIN"),
    ("dative", "Письмо направили Алишеру Усманову на прошлой неделе.", "Алишеру Усманову", "USMANOV"),
    ("accusative", "Суд вызвал Марию Захарову для дачи показаний.", "Марию Захарову", "ZAKHAROVA"),
    ("instrumental", "Министр встретился с Игорем Красновым в Кремле.", "Игорем Красновым", "KRASNOV"),
    ("prepositional", "Долго говорили о Сергее Лаврове и его поездке.", "Сергее Лаврове", "LAVROV"),
    ("official order", "Указ подписал Путин Владимир Владимирович.", "Путин Владимир Владимирович", "PUTIN"),
]


@pytest.mark.parametrize(("case", "sentence", "text", "family"), RUSSIAN_CASES, ids=[c[0] for c in RUSSIAN_CASES])
def test_russian_names_in_every_case(screener: TextScreener, case: str, sentence: str, text: str, family: str) -> None:
    report = screener.screen(sentence)
    found = mention(report, text)
    assert found.sanctioned and family in found.subject["caption"].upper(), found.to_dict()


def test_russian_initials_and_surname_follow_ups(screener: TextScreener) -> None:
    text = (
        "Министр иностранных дел Сергей Лавров прилетел в Анкару. Переговоры с С. Лавровым длились час. "
        "Позже Лаврову задали вопрос о санкциях. А. Бастрыкин не ответил журналистам."
    )
    report = screener.screen(text)
    lavrov = mention(report, "Сергей Лавров")
    assert lavrov.sanctioned
    for short in ("С. Лавровым", "Лаврову"):
        follow_up = mention(report, short)
        assert report.mentions[follow_up.refers_to] is lavrov
        assert follow_up.subject["id"] == lavrov.subject["id"] and follow_up.sanctioned
    assert "BASTRYKIN" in caption(report, "А. Бастрыкин").upper()  # an initial with a rare family name


def test_russian_unlisted_persons_are_mentioned_not_sanctioned(screener: TextScreener) -> None:
    report = screener.screen("Леонид Волков и Владимир Ашурков встретились с дипломатами. Навальный остался в СИЗО.")
    assert {p["name"] for p in report.unlisted()} >= {"Леонид Волков", "Владимир Ашурков"}
    assert not any(m.sanctioned for m in report.mentions)
    assert "natasha" in mention(report, "Навальный").found_by  # the NER's second opinion is reported


def test_russian_names_that_the_dictionary_alone_misreads(screener: TextScreener) -> None:
    report = screener.screen(
        "Бизнесмены Алишер Усманов и Роман Абрамович встретились. Абрамовичу запретили въезд. "
        "Основатель группы Вагнера Евгений Пригожин выступил. Главный редактор RT Маргарита Симоньян "
        "ответила. Глава Сбербанка Герман Греф промолчал."
    )
    assert "ABRAMOVICH" in caption(report, "Роман Абрамович")  # a family name, not a patronymic
    assert mention(report, "Абрамовичу").refers_to is not None and mention(report, "Абрамовичу").sanctioned
    assert "PRIGOZHIN" in caption(report, "Евгений Пригожин")  # «Вагнера» belongs to the group
    assert "SIMONYAN" in caption(report, "Маргарита Симоньян")  # a guessed "place" is no town
    assert "GREF" in caption(report, "Герман Греф")  # Герман: a given name before a family name
    # the dictionary reads «Алекперов» as the genitive plural of «Алекпер»: the name as written matches
    report = screener.screen("Бизнесмены Леонид Михельсон, Вагит Алекперов и Роман Троценко попали под ограничения.")
    assert "ALEKPEROV" in caption(report, "Вагит Алекперов")


def test_russian_unlisted_names_unknown_to_the_dictionary(screener: TextScreener) -> None:
    report = screener.screen(
        "Переговоры с Жозепом Боррелем прошли трудно. Расследование опубликовала Мария Певчих. "
        "В Королёве отремонтировали дороги."
    )
    assert {p["name"] for p in report.unlisted()} >= {"Жозеп Боррель", "Мария Певчих"}
    assert not any(m.text == "Королёве" for m in report.mentions)  # «в Королёве»: the town
    assert not any(m.sanctioned for m in report.mentions)


def test_the_ner_reads_only_sentences_that_need_a_second_opinion(
    screener: TextScreener, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sanctionscope.text import screen as screen_module

    read: list[str] = []
    real = screen_module.russian_person_spans

    def spy(text: str, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
        read.extend(text[start:end] for start, end in parts)
        return real(text, parts)

    monkeypatch.setattr(screen_module, "russian_person_spans", spy)
    text = "Александр Бастрыкин возглавляет комитет. Навальный остался в СИЗО. Сергей Лавров улетел."
    report = screener.screen(text)
    assert read == ["Навальный остался в СИЗО"]  # a lone unlisted surname: person or adjective?
    assert "natasha" in mention(report, "Навальный").found_by
    assert mention(report, "Александр Бастрыкин").sanctioned and mention(report, "Сергей Лавров").sanctioned


def test_the_gazetteer_the_index_holds_finds_what_one_from_the_entries_finds(screener: TextScreener) -> None:
    from sanctionscope.index.mentions import MentionIndex
    from sanctionscope.text.gazetteer import Gazetteer

    matcher = screener.matcher
    assert matcher.mentions is not None  # stored with the index, from the analyses
    analysed = TextScreener(matcher, screener.book)
    analysed.gazetteer = Gazetteer.open(MentionIndex.from_entries(matcher.entries, matcher.index.key_ids),
                                        matcher.index.key_ids)  # fmt: skip
    text = SEED.read_text("utf-8")
    assert analysed.gazetteer is not screener.gazetteer
    assert screener.screen(text).to_dict() == analysed.screen(text).to_dict()


def test_screeners_of_one_matcher_share_its_gazetteer(screener: TextScreener) -> None:
    assert TextScreener(screener.matcher, screener.book).gazetteer is screener.gazetteer


def test_a_tie_between_listed_records_of_one_name_is_still_sanctioned(screener: TextScreener) -> None:
    # EU and US disagree on Mishustin's birth date, so his records stay two subjects
    report = screener.screen("Председатель правительства Михаил Мишустин провёл совещание.")
    mishustin = mention(report, "Михаил Мишустин")
    assert mishustin.sanctioned and len(mishustin.candidates) >= 2
    assert all(c["sanctioned"] and "MISHUSTIN" in c["caption"] for c in mishustin.candidates)


# --- English: follow-ups, possessives, spellings, ambiguity --------------------------------


def test_surname_only_resolves_to_the_fuller_mention(screener: TextScreener) -> None:
    report = screener.screen("Alisher Usmanov owns a stake. Usmanov declined to comment. Putin's administration said.")
    usmanov = mention(report, "Usmanov")
    assert usmanov.refers_to == 0 and usmanov.sanctioned
    assert report.subjects()[0]["mentions"] == [0, 1]


def test_a_surname_alone_is_not_asserted(screener: TextScreener) -> None:
    report = screener.screen("Usmanov declined to comment.")
    usmanov = mention(report, "Usmanov")
    assert not usmanov.sanctioned and usmanov.score < screener.threshold  # a possible match only
    # the lists' bearers of the name are shown (OFSI also lists a Marat USMANOV): Alisher among them
    shown = [c["caption"] for c in usmanov.candidates] or [usmanov.subject["caption"]]
    assert any("ALISHER" in c.upper() and "USMANOV" in c.upper() for c in shown), shown


def test_bare_common_surname_is_ambiguous_with_candidates(screener: TextScreener) -> None:
    report = screener.screen("The deputy, Popov, said nothing. Putin's spokesman was silent.")
    for text in ("Popov", "Putin"):
        found = mention(report, text)
        assert found.ambiguous and found.subject is None and not found.sanctioned
        assert len(found.candidates) > 1
    # the most designated namesake comes first
    assert "Vladimir" in mention(report, "Putin").candidates[0]["caption"]


def test_a_role_in_the_sentence_settles_the_namesake(screener: TextScreener) -> None:
    settled = screener.screen("Health minister Murashko announced new rules.")
    murashko = mention(settled, "Murashko")
    assert murashko.subject is not None and "Mikhail" in murashko.subject["caption"]
    assert murashko.settled_by and "health" in murashko.settled_by
    unsettled = screener.screen("Murashko announced new rules.")
    assert mention(unsettled, "Murashko").ambiguous  # Mikhail (Russia) and Vadim (Belarus)


def test_other_transliterations_find_the_listed_spelling(screener: TextScreener) -> None:
    report = screener.screen("Sergey Kirienko met Aleksei Navalny's lawyers. Later Kiriyenko left.")
    kirienko = mention(report, "Sergey Kirienko")
    assert kirienko.sanctioned and "KIRIYENKO" in kirienko.subject["caption"]
    assert mention(report, "Kiriyenko").refers_to == report.mentions.index(kirienko)
    assert mention(report, "Aleksei Navalny").subject is None


def test_organizations_are_found_in_any_case(screener: TextScreener) -> None:
    report = screener.screen("Sberbank and Rosneft paid. Сотрудники Сбербанка молчат.")
    for text in ("Sberbank", "Rosneft", "Сбербанка"):
        found = mention(report, text)
        assert found.kind == "organization" and found.sanctioned


# --- no false alarms ------------------------------------------------------------------------


def test_no_sanctioned_match_on_ordinary_words_places_and_named_organizations(screener: TextScreener) -> None:
    text = (
        "Said the officer: May will bring Hope. Moscow, Germany and Canada agreed. The Kremlin denies it. "
        "The Usmanov Foundation gave a grant. He lives on Kirov Street in Minsk. Ministers met in London. "
        "Matrosskaya Tishina is a prison. The European Court of Human Rights ruled. "
        "Вчера в Москве прошёл митинг. На улице Кирова открыли кафе. Great Britain and the United States."
    )
    report = screener.screen(text)
    assert not [m.to_dict() for m in report.mentions if m.sanctioned]
    assert not [m.text for m in report.mentions if m.subject is not None]


# --- tokens -----------------------------------------------------------------------------------


def test_tokens_drop_possessives_and_keep_initials_inside_sentences() -> None:
    tokens = tokenize("Navalny’s team met А. Бастрыкин. Putin's aide")
    assert [t.text for t in tokens] == ["Navalny", "team", "met", "А", "Бастрыкин", "Putin", "aide"]
    assert tokens[0].possessive and tokens[5].possessive
    assert not tokens[4].sentence_start and tokens[5].sentence_start


# --- the command ----------------------------------------------------------------------------


def test_screen_text_command_json_and_html(loaded_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "article.html"
    result = runner.invoke(app, ["--db", str(loaded_db), "screen-text", str(SEED), "--json", "--html", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"mentions", "subjects", "unlisted"}
    first = data["mentions"][0]
    assert set(first) >= {"text", "start", "end", "subject", "score", "sanctioned", "candidates"}
    text = SEED.read_text("utf-8")
    assert all(text[m["start"] : m["end"]] == m["text"] for m in data["mentions"])
    usmanov = next(s for s in data["subjects"] if "USMANOV" in s["caption"])
    assert usmanov["sanctioned"] and "eu" in usmanov["designations"] and usmanov["mentions"]
    page = out.read_text("utf-8")
    assert '<mark class="sanctioned"' in page and "Alisher Usmanov</mark>" in page


def test_screen_text_reads_stdin_and_exits_3_when_nobody_is_sanctioned(loaded_db: Path) -> None:
    result = runner.invoke(app, ["--db", str(loaded_db), "screen-text", "-"], input="Leonid Volkov spoke in Vilnius.")
    assert result.exit_code == 3, result.output
    assert "Leonid Volkov" in result.output


def test_screen_text_names_the_line_of_a_wrong_encoding(loaded_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "cp1251.txt"
    bad.write_bytes("first line\nВладимир Путин".encode("cp1251"))
    result = runner.invoke(app, ["--db", str(loaded_db), "screen-text", str(bad)])
    assert result.exit_code == 1
    assert "cp1251.txt: line 2: not UTF-8" in result.output


def test_python_api_screens_text(loaded_db: Path) -> None:
    from sanctionscope import Sanctionscope

    scope = Sanctionscope(loaded_db)
    report = scope.screen_text("Журналисты спросили Александра Бастрыкина.")
    assert [(m.text, m.sanctioned) for m in report.mentions] == [("Александра Бастрыкина", True)]
    earlier = scope.screen_text("Журналисты спросили Александра Бастрыкина.", as_of=date(2021, 3, 1))
    assert "eu" not in earlier.mentions[0].subject["designations"]
