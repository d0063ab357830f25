"""Rule-level tests of text screening's parts: word roles (`text.roles`), name spans (`text.spans`),
the context that settles a short mention (`text.context`) and family names that agree (`text.mentions`).

No database and no index: a family name is "listed" when the test says so.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sanctionscope.model import Kind, Record
from sanctionscope.text.context import context_words, sentence_around, settled_by_context
from sanctionscope.text.mentions import same_family
from sanctionscope.text.roles import Role, Word, WordReader
from sanctionscope.text.spans import names_something_else, person_spans, runs
from sanctionscope.text.tokens import tokenize


def nobody_listed(keys: frozenset[str]) -> bool:
    return False


def everybody_listed(keys: frozenset[str]) -> bool:
    return True


def read(text: str, listed: Callable[[frozenset[str]], bool] = nobody_listed) -> list[Word]:
    words = [WordReader(listed).word(token) for token in tokenize(text)]
    WordReader.settle(words)
    return words


def roles(text: str, listed: Callable[[frozenset[str]], bool] = nobody_listed) -> list[Role]:
    return [w.role for w in read(text, listed)]


def spans(text: str, listed: Callable[[frozenset[str]], bool] = nobody_listed) -> list[str]:
    words = read(text, listed)
    found = [s for run in runs(words) for s in person_spans(words, run) if not names_something_else(words, s)]
    return [" ".join(w.token.text for w in words[start:end]) for start, end in found]


def test_a_word_in_no_name_has_the_falsy_role() -> None:
    assert roles("the") == [Role.NONE] and not Role.NONE


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("bin", Role.PARTICLE),  # lower case, yet inside a name
        ("John", Role.GIVEN),  # an English given name
        ("Ivanovich", Role.PATRONYMIC),  # a Latin patronymic ending, on no list as a family name
        ("Zlobotrud", Role.SURNAME),  # a capitalized word no list has
    ],
)
def test_a_word_alone_gets_its_role_from_its_own_evidence(text: str, role: Role) -> None:
    assert roles(text) == [role]


def test_an_initial_is_an_initial() -> None:
    assert Role.INITIAL in roles("A. Bastrykin")


def test_a_family_name_some_list_has_is_family_one_no_list_has_a_surname() -> None:
    assert roles("Zlobotrud", everybody_listed) == [Role.FAMILY]
    assert roles("Zlobotrud", nobody_listed) == [Role.SURNAME]


def test_a_title_word_is_no_name() -> None:
    assert roles("President")[0] == Role.TITLE


def test_a_town_after_a_locative_preposition_is_a_place_not_a_person() -> None:
    words = read("в Королёве")
    assert words[1].role == Role.TITLE and words[1].place


def test_a_run_of_capitalized_words_is_cut_to_the_name_it_holds() -> None:
    assert spans("Russian President Vladimir Putin said") == ["Vladimir Putin"]


def test_a_given_name_alone_is_no_person_span() -> None:
    assert spans("John said") == []


def test_a_name_that_is_part_of_an_organization_name_is_no_person() -> None:
    assert spans("the Zlobotrud Foundation said") == []
    assert spans("Ivan Zlobotrud said") == ["Ivan Zlobotrud"]


def official(position: str) -> list[Record]:
    return [Record(source="test", source_id=position, kind=Kind.PERSON, positions=[position])]


def test_the_sentence_around_a_mention_and_where_it_starts_in_it() -> None:
    text = "Navalny's team met diplomats. The health minister Murashko was named! Then Usmanov."
    start = text.index("Murashko")
    sentence, at = sentence_around(text, start, start + len("Murashko"))
    assert sentence == " The health minister Murashko was named"
    assert sentence[at:].startswith("Murashko")


def test_context_words_meet_across_number_case_and_script() -> None:
    assert context_words("ministers of health") & context_words("Minister of Health") == {"ministe", "health"}
    assert context_words("министр здравоохранения") & context_words("министра здравоохранения")
    assert not context_words("that this with from")  # stop words and short words carry nothing


def test_only_one_bearer_whose_position_the_sentence_names_settles_a_mention() -> None:
    text = "The health minister Murashko spoke."
    start, end = text.index("Murashko"), text.index("Murashko") + len("Murashko")
    positions = {"minister": official("Minister of Health"), "general": official("Head of the FSB")}
    bearers = ["minister", "general"]
    assert settled_by_context(text, start, end, bearers, positions.__getitem__) == ("minister", "context: health, ministe")
    positions["deputy"] = official("Deputy Minister of Health")
    both = [*bearers, "deputy"]
    assert settled_by_context(text, start, end, both, positions.__getitem__) is None  # two bearers fit: nothing is settled
    read: list[str] = []
    assert settled_by_context("Murashko.", 0, 8, bearers, read.append) is None  # no other word in the sentence
    assert read == []  # ... so no bearer's records were read


def test_family_names_agree_across_a_spelling_variant_but_not_a_short_key() -> None:
    assert same_family(frozenset({"kiriyenko"}), frozenset({"kirienko"}))
    assert same_family(frozenset({"usmanov"}), frozenset({"osmanov"}))  # one letter of seven
    assert not same_family(frozenset({"usmanov"}), frozenset({"usmani", "abramovich"}))
    assert not same_family(frozenset({"li"}), frozenset({"lu"}))
