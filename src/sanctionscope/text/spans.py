"""Name spans in a text's words: runs of capitalized words, cut to the person names they hold.

Pure rules over `roles.Word`s: "Russian President Vladimir Putin" holds "Vladimir Putin";
"Alisher Usmanov and Roman Abramovich" two names; 'the Usmanov Foundation' none of a person.
"""

from __future__ import annotations

from sanctionscope.text import morphology
from sanctionscope.text.roles import Role, Word, case_differs, continues
from sanctionscope.text.tokens import adjacent
from sanctionscope.text.words import NAMED_AFTER, ORGANIZATION_HEADS, is_ordinary_word

#: longest name span considered (words)
MAX_NAME_WORDS = 5

#: a span of words, [start, end) by word position
Span = tuple[int, int]


def runs(words: list[Word]) -> list[Span]:
    """Runs of adjacent capitalized words within a sentence (a particle may sit inside)."""
    found: list[Span] = []
    i = 0
    while i < len(words):
        if not words[i].role or words[i].role == Role.PARTICLE:
            i += 1
            continue
        j = i + 1
        while j < len(words) and not words[j].token.sentence_start and adjacent(words[j].token):
            if words[j - 1].token.possessive:
                break
            if words[j].role == Role.PARTICLE and j + 1 < len(words) and words[j + 1].role:
                j += 1
                continue
            if not words[j].role:
                break
            j += 1
        found.append((i, j))
        i = j
    return found


def person_spans(words: list[Word], run: Span) -> list[Span]:
    """The person names a run holds ("Alisher Usmanov and Roman Abramovich" holds two)."""
    spans = []
    start, end = run
    while start < end:
        span = first_person_span(words, start, end)
        if span is None:
            break
        spans.append(span)
        start = span[1]
    return spans


def first_person_span(words: list[Word], start: int, end: int) -> Span | None:
    """From the run's first given name or initial; without one, its first family name alone."""
    roles = [w.role for w in words[start:end]]
    anchors = [i for i, r in enumerate(roles) if r in (Role.GIVEN, Role.INITIAL)]
    if not anchors:
        alone = [i for i, r in enumerate(roles) if r in (Role.FAMILY, Role.SURNAME)
                 and could_stand_alone(words[start + i])]  # fmt: skip
        return (start + alone[0], start + alone[0] + 1) if alone else None
    first = anchors[0]
    while first + 1 < len(roles) and roles[first + 1] == Role.GIVEN and case_differs(
        words[start + first], words[start + first + 1]
    ):
        first += 1  # «группы Вагнера Евгений Пригожин»; but «Константин Эрнст» is one name
    before = [i for i in range(first) if roles[i] in (Role.FAMILY, Role.SURNAME)]
    if before and before[-1] < first - 1 and could_stand_alone(words[start + before[-1]]):
        return (start + before[-1], start + before[-1] + 1)  # "Usmanov, Minister Alexander …"
    if first > 0 and roles[first - 1] == Role.FAMILY and family_first(words, start + first - 1, roles):
        first -= 1
    last = first + 1
    while last < len(roles) and roles[last] not in (Role.TITLE,) and last - first < MAX_NAME_WORDS:
        last += 1
    if last - first == 1 and roles[first] == Role.GIVEN or all(
        r in (Role.INITIAL, Role.PARTICLE) for r in roles[first:last]
    ):
        # a given name or initials alone say nothing; look further along the run
        rest = first_person_span(words, start + last, end) if start + last < end else None
        return rest
    return (start + first, start + last)


def could_stand_alone(word: Word) -> bool:
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


def family_first(words: list[Word], at: int, roles: list[Role]) -> bool:
    """Whether a listed family name right before a given name belongs to this name (Бастрыкин
    Александр Иванович, BASTRYKIN Alexander) rather than ending a previous phrase («группы
    Вагнера Евгений Пригожин»: the given name has its own family name after it)."""
    after = at + 2 < len(words) and continues(words[at + 2].token)
    if after and words[at + 2].role in (Role.FAMILY, Role.SURNAME):
        return False
    token = words[at].token
    return token.all_caps or token.cyrillic or Role.PATRONYMIC in roles


def names_something_else(words: list[Word], span: Span) -> bool:
    """'the Usmanov Foundation', «улица Кирова»: a name that is part of another name."""
    start, end = span
    after = words[end].token if end < len(words) else None
    if after and adjacent(after) and after.text.lower() in ORGANIZATION_HEADS and after.capitalized:
        return not words[end - 1].token.possessive
    before = words[start - 1].token if start > 0 else None
    return bool(before and adjacent(words[start].token) and before.text.lower() in NAMED_AFTER)


def unexplained_sentences(words: list[Word], spans: dict[Span, list[str]]) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences the NER should read: those with a capitalized Cyrillic
    word that no dictionary knows and no name span holds («Росгвардией», «Жозепом»), or with a lone
    family name on no list («Навальный остался в СИЗО»: a person, or the adjective?). The NER costs
    more than the rest of screening together, and most sentences need no second opinion.
    """
    held = {i for start, end in spans for i in range(start, end)}
    lone_unlisted = {start for start, end in spans if end - start == 1 and words[start].role == Role.SURNAME}
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
