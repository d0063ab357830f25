"""Name normalization: Latin forms, look-alike repair, romanization keys, part tags."""

from __future__ import annotations

import pytest

from sanctionscope.names import (
    FAMILY,
    GIVEN,
    INITIAL,
    LEGAL_FORM,
    PATRONYMIC,
    analyze_name,
    given_name_key,
    repair_lookalikes,
    strip_stress,
    to_latin,
    token_key,
)
from sanctionscope.names.variants import name_variants


def tags(name: str, kind: str = "person") -> list[tuple[str, str]]:
    return [(p.text, p.tag) for p in analyze_name(name, kind).parts]


def keys(name: str) -> list[str]:
    return [p.key for p in analyze_name(name).parts]


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("Диана Игоревнa", "Диана Игоревна"),  # Latin a at the end of a Cyrillic word
        ("Aнатолий", "Анатолий"),  # Latin capital A
        ("Алексaндр Ивaнович БАСТРЫКИН", "Александр Иванович БАСТРЫКИН"),  # the EU's own Bastrykin alias
        ("Bаstrykin", "Bastrykin"),  # a Cyrillic а in a Latin word
    ],
)
def test_lookalike_letters_are_put_back_into_the_word_s_script(dirty: str, clean: str) -> None:
    repaired = " ".join(repair_lookalikes(word) for word in dirty.split())
    assert repaired == clean
    assert to_latin(dirty) == to_latin(clean)


def test_stress_marks_go_but_letters_with_diacritics_stay() -> None:
    assert strip_stress("Анато\u0301лий") == "Анатолий"  # combining acute accent
    assert strip_stress("Йосиф Ёлкин Їжак") == "Йосиф Ёлкин Їжак"
    # a precomposed Latin ó typed as the stress mark: stripped to a Latin o, then repaired to Cyrillic
    assert to_latin("Анат\u00f3лий") == to_latin("Анатолий") == "anatoliy"


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Бастрыкин Александр Иванович", "bastrykin aleksandr ivanovich"),
        ("Олександр Ющенко", "oleksandr yushchenko"),
        ("Аляксандр Лукашэнка", "alyaksandr lukashenka"),
        ("Ελευθέριος", "eleutherios"),
        ("Łukasz Müller", "lukasz muller"),
    ],
)
def test_every_script_becomes_lower_case_ascii(text: str, latin: str) -> None:
    assert to_latin(text) == latin


@pytest.mark.parametrize(
    "variants",
    [
        ["Alexei", "Alexey", "Aleksei", "Aleksey", "Алексей"],
        ["Yuriy", "Iurii", "Yury", "Yuri", "Юрий"],
        ["Dmitriy", "Dmitry", "Dmitrii", "Дмитрий"],
        ["Sergeyevich", "Sergeevich", "Сергеевич"],
        ["Semyonov", "Semenov", "Семёнов", "Семенов"],
        ["Khodorkovsky", "Hodorkovski", "Khodorkovskiy", "Ходорковский"],
        ["Yelena", "Elena", "Елена"],
        ["Maria", "Mariya", "Mariia", "Мария"],
        ["Dzhabrailov", "Jabrailov", "Джабраилов"],
        ["Tsvetkov", "Tzvetkov", "Цветков"],
        ["Makiyev", "Makiev", "Макиев"],  # -iye- and -ie- (ии is one vowel sound in keys)
        ["Kiriyenko", "Kirienko", "Кириенко"],
        ["Sahraoui", "Sahrawi"],  # French "ou" for a consonant between vowels
        ["Abou", "Abu"],  # ... and for a vowel
        ["Tschernow", "Chernov"],  # German tsch
    ],
)
def test_romanization_variants_share_one_key(variants: list[str]) -> None:
    assert len({token_key(to_latin(v)) for v in variants}) == 1, [token_key(to_latin(v)) for v in variants]


def test_language_forms_of_a_given_name_share_one_key() -> None:
    forms = ["Aleksandr", "Alexander", "Oleksandr", "Aliaksandr", "Alyaksandr", "Александр", "Олександр", "Аляксандр"]
    assert len({keys(form)[0] for form in forms}) == 1
    assert given_name_key(token_key("oleksii")) == given_name_key(token_key("aleksei"))
    # and different names stay different
    assert keys("Mikhail")[0] != keys("Vadim")[0]
    assert given_name_key(token_key("bastrykin")) is None


def test_distinct_surnames_keep_distinct_keys() -> None:
    assert token_key("murashko") != token_key("murashkin")
    # ie and io are е and ё inside a word, another name's ending at its end
    assert token_key("semionov") == token_key("semenov") and token_key("fiodor") == token_key("fedor")
    assert token_key("mario") != token_key("marie")
    assert token_key("usmanov") != token_key("usmanovich")
    assert token_key(to_latin("Патрушев")) == token_key("patrushev")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("BASTRYKIN, Alexander Ivanovich", [FAMILY, GIVEN, PATRONYMIC]),
        ("Aleksandr Ivanovich BASTRYKIN", [GIVEN, PATRONYMIC, FAMILY]),
        ("Бастрыкин Александр Иванович", [FAMILY, GIVEN, PATRONYMIC]),
        ("Alexander Bastrykin", [GIVEN, FAMILY]),
        ("Roman Arkadyevich Abramovich", [GIVEN, PATRONYMIC, FAMILY]),
        ("Roman Abramovich", [GIVEN, FAMILY]),
        ("ABRAMOVICH, Roman Arkadyevich", [FAMILY, GIVEN, PATRONYMIC]),
        ("BASTRYKIN, A.", [FAMILY, INITIAL]),
        ("А. И. Бастрыкин", [INITIAL, INITIAL, FAMILY]),
        ("A.I. Bastrykin", [INITIAL, INITIAL, FAMILY]),
    ],
)
def test_parts_are_tagged_by_how_the_name_is_written(name: str, expected: list[str]) -> None:
    assert [tag for _text, tag in tags(name)] == expected


def test_structured_parts_from_a_list_win_over_guessing() -> None:
    name = analyze_name("Usmanov Alisher", given="Alisher", family="Usmanov")
    assert [(p.text, p.tag) for p in name.parts] == [("usmanov", FAMILY), ("alisher", GIVEN)]


def test_titles_are_dropped_and_legal_forms_marked() -> None:
    assert [text for text, _tag in tags("Mr. Ivan Petrov")] == ["ivan", "petrov"]
    org = tags("Public Joint Stock Company Sberbank of Russia", "organization")
    assert ("sberbank", "other") in org
    assert all(tag == LEGAL_FORM for text, tag in org if text in ("public", "joint", "stock", "company"))
    cyrillic = tags("Общество с ограниченной ответственностью Ромашка", "organization")
    assert cyrillic[-1] == ("romashka", "other")
    assert analyze_name("OOO Romashka", "organization").keys == analyze_name("Ромашка", "organization").keys


def test_initials_and_particles_carry_no_index_keys() -> None:
    assert analyze_name("A. I. Bastrykin").keys == frozenset({token_key("bastrykin")})
    assert "al" not in analyze_name("Bashar al-Assad").keys


@pytest.mark.parametrize(
    ("field", "forms"),
    [
        ("Юрий Николаевич СИРОВАТКО / Юрiй Миколайович СИРОВАТКО",
         ["Юрий Николаевич СИРОВАТКО", "Юрiй Миколайович СИРОВАТКО"]),
        ("Konstantin Lvovich ERNST (Russian: Константин Львович ЭРНСТ)",
         ["Konstantin Lvovich ERNST", "Константин Львович ЭРНСТ"]),
        ("Alexander (Alexandr) Ivanovich BASTRYKIN",
         ["Alexander Ivanovich BASTRYKIN", "Alexandr Ivanovich BASTRYKIN"]),
        ("Екатерина Владимировна ГОГИАШВИЛИ - born ФИЛИППОВА",
         ["Екатерина Владимировна ГОГИАШВИЛИ", "Екатерина Владимировна ФИЛИППОВА"]),
        ("Alexander Bastrykin", ["Alexander Bastrykin"]),
    ],
)  # fmt: skip
def test_a_field_holding_several_names_is_split_into_them(field: str, forms: list[str]) -> None:
    assert name_variants(field) == forms


def test_a_ukrainian_or_belarusian_name_is_romanized_as_they_do() -> None:
    # г is h in Ukrainian and Belarusian (a Latin look-alike I marks this one as Belarusian)
    belarusian = analyze_name("Алег Сяргеевіч ГАЙДУКЕВIЧ")
    assert belarusian.keys == analyze_name("HAIDUKEVICH, Aleh Siarheevich").keys
    assert "grigori" in analyze_name("Григорий Петрович").keys  # Russian keeps g


def test_edit_similarity_by_length_and_first_letter() -> None:
    from sanctionscope.match.names import key_similarity

    assert key_similarity("makarov", "makaorv") == 0.85  # a transposition is one edit
    assert key_similarity("ivan", "ivas") == 0.0  # too short for an edit
    assert key_similarity("markovski", "harkovski") < key_similarity("markovski", "marlovski")  # first letters


def test_spellings_that_differ_only_in_vowels_or_an_article_are_one_name() -> None:
    from sanctionscope.match.names import key_similarity

    assert key_similarity("jabir", "jaber") >= 0.85  # Arabic writes no short vowels
    assert key_similarity("habo", "hebo") >= 0.85  # AL HABBO / AL-HEBO
    assert key_similarity(token_key("novikau"), token_key("novikov")) >= 0.85  # Belarusian ў: Novikau
    assert key_similarity("elhasan", "hasan") >= 0.9  # Elhassan / El Hassan / Hassan
    assert key_similarity("ivan", "ivas") == 0.0  # a consonant is another name
    # a feminine ending is another person, not a vowel variant
    assert key_similarity("francisca", "francisco") < key_similarity("francisko", "francisco")


def score(a: str, b: str) -> float:
    from sanctionscope.match.names import compare_names

    return compare_names(analyze_name(a), analyze_name(b)).score


def test_two_different_patronymics_are_two_fathers() -> None:
    assert score("Ivan Petrovich SIDOROV", "Ivan Petrovich SIDOROV") == 1.0
    assert score("Ivan Petrovich SIDOROV", "SIDOROV, Ivan") >= 0.8  # a list without patronymics
    assert score("Ivan Petrovich SIDOROV", "Ivan Nikolaevich SIDOROV") < 0.8
    # one father's name in two languages, and a misspelt one, are one father
    assert score("Vladimir Iosifovich KOZLOV", "KOZLOV, Vladimir Josephovich") >= 0.95
    assert score("Ivan Petrovich SIDOROV", "Ivan Petrovih SIDOROV") >= 0.9


def test_language_forms_and_honorifics() -> None:
    assert score("German Oskarovich GREF", "GREF, Herman Oskarovich") == 1.0  # Герман
    assert score("Ahmed Shah NOORZAI", "NOORZAI, Mullah Ahmed Shah") >= 0.9  # a title, not a name
    assert [tag for _text, tag in tags("NOORZAI, Mullah Ahmed Shah")][1] == "particle"


def test_arabic_articles_and_abd_written_together_or_apart() -> None:
    assert score("ELHASSAN, Gaffar Mohammed", "EL HASSAN, Gaffar Mohmed") >= 0.9
    assert score("EL HASSAN, Gaffar Mohmed", "ELHASSAN, Gaffar Mohammed") >= 0.9
    # "Abdul" says which name follows: it is no name of its own to pair a one-word "HASSAN" with
    assert [tag for _text, tag in tags("Abdul Karim HASSAN")][0] == "particle"  # noqa: RUF015 (reads as the first tag)
    assert score("Abdul Hassan", "HASSAN") < 0.8
    assert score("Abdul Hassan", "Abdu Tamer HASSAN") < 0.8  # Tamer is the given name, not a middle one


def test_hyphenated_syllables_are_one_given_name() -> None:
    assert keys("KIM Il-chun") == keys("KIM Ilchun")
    assert len(analyze_name("KIM Jong-un").parts) == 2
    assert len(analyze_name("Al-Ali Hassan").parts) == 3  # an article is no syllable


def test_middle_names_one_list_omits_count_little_two_different_ones_count() -> None:
    from sanctionscope.match.names import compare_names

    def score(a: str, b: str) -> float:
        return compare_names(analyze_name(a), analyze_name(b)).score

    assert score("OTHMAN AHMED OTHMAN AL-GHAMDI", "AL-GHAMDI, Othman") >= 0.8  # a nasab one list writes out
    assert score("KAMMOUN, Mehdi", "Mehdi Ben Mohamed Ben Mohamed Kammoun") >= 0.8
    assert score("M Carmen Medina", "Marco Antonio MEDINA") < 0.8  # Carmen is not Antonio


def _record_names(*names: str) -> list:
    from sanctionscope.index.entries import analyze_record_names
    from sanctionscope.model import Record

    return analyze_record_names(Record.from_dict({"source": "x", "source_id": "1", "kind": "person",
                                                 "names": [{"full": n} for n in names]}))  # fmt: skip


def test_syllables_another_writing_joins_are_one_given_name() -> None:
    from sanctionscope.match.names import compare_names

    names = _record_names("SONG Qianjie", "Song Qian Jie", "Qian-Jie SONG")
    assert [[p.key for p in n.parts] for n in names] == [keys("SONG Qianjie")] * 2 + [keys("Qianjie SONG")]
    assert max(compare_names(analyze_name("Jie SONG"), n).score for n in names) < 0.8  # Jie is not Qianjie
    assert max(compare_names(analyze_name("Song Qian Jie"), n).score for n in names) == 1.0
    # written apart in every name: two parts, as written
    assert len(_record_names("Song Qian Jie", "Qian Jie Song")[0].parts) == 3
    assert len(_record_names("SUN Ping", "孙平")[0].parts) == 2  # Han script writes no spaces
    assert keys("Co E") == keys("Co Ye") and keys("Mario")[0] != keys("Marie")[0]


def test_every_writing_of_a_name_takes_the_tags_one_writing_marks() -> None:
    from sanctionscope.match.names import compare_names

    names = _record_names("Mustafa Mahmut ÇETIN", "Mustafa Mahmut Cetin")
    assert [p.tag for p in names[1].parts] == [p.tag for p in names[0].parts] and names[1].parts[-1].tag == FAMILY
    # the first given name left out: a suggestion, not a match, whichever writing is compared
    assert max(compare_names(analyze_name("Mahmut ÇETIN"), n).score for n in names) < 0.8
    assert [p.tag for p in _record_names("Ivan PETROV", "Petrov Ivanov")[1].parts] == ["other", "other"]  # other parts
