"""What a capitalized word is, besides a possible name: given names, titles, organization words.

English given names come from `gender_guesser`'s dictionary (only names it says are male or
female, not its "mostly" guesses) and the romanization classes of `names/given_names.txt`;
Russian and Ukrainian ones from the morphological dictionary.
"""

from __future__ import annotations

from functools import lru_cache

#: capitalized words that introduce a name but are not part of it
TITLE_WORDS = frozenset(
    ["mr", "mrs", "ms", "miss", "dr", "prof", "sir", "lord", "lady", "dame", "president", "vice", "minister", "prime", "deputy", "head", "chief", "director", "chairman", "chairwoman", "chair", "ceo", "founder", "owner", "general", "colonel", "major", "captain", "lieutenant", "admiral", "marshal", "senator", "governor", "mayor", "judge", "prosecutor", "ambassador", "spokesman", "spokeswoman", "spokesperson", "secretary", "sheikh", "sheik", "emir", "king", "queen", "prince", "princess", "patriarch", "metropolitan", "bishop", "father", "saint", "st", "billionaire", "oligarch", "businessman", "businesswoman", "commander", "leader", "official", "officer", "former", "acting", "russian", "ukrainian", "belarusian", "american", "british", "european", "chechen", "syrian", "iranian", "chinese", "kremlin", "the", "a", "an", "and", "or", "of", "in", "on", "at", "for", "to", "by", "from", "with", "as", "but", "if", "when", "while", "after", "before", "since", "during", "according", "this", "that", "these", "those", "he", "she", "they", "we", "it", "his", "her", "their", "its", "our", "господин", "госпожа", "президент", "премьер", "министр", "глава", "председатель", "директор", "генеральный", "руководитель", "губернатор", "мэр", "судья", "прокурор", "посол", "замминистра", "вице", "сенатор", "депутат", "генерал", "полковник", "майор", "бизнесмен", "миллиардер", "олигарх", "патриарх", "пресс", "секретарь", "официальный", "представитель"]
)

#: words after a name that make it part of an organization's or a place's name ("the Usmanov Foundation")
ORGANIZATION_HEADS = frozenset(
    ["foundation", "fund", "group", "company", "corporation", "corp", "bank", "street", "avenue", "square", "prize", "award", "university", "institute", "school", "center", "centre", "museum", "airport", "stadium", "bridge", "station", "holding", "holdings", "plant", "factory", "ltd", "llc", "inc", "plc", "ag", "gmbh", "jsc", "pjsc", "ojsc", "oao", "ooo", "co", "trust", "charity", "library", "hospital"]
)
#: words before a Russian name in the genitive that make it a name of something else («улица Кирова»)
#: Russian prepositions of place: «в Королёве» is the town, even though Королёв is a family name too
LOCATIVE_PREPOSITIONS = frozenset({"в", "во"})
NAMED_AFTER = frozenset(["имени", "им", "улица", "улицы", "улице", "проспект", "проспекта", "площадь", "площади", "премия", "премии"])


#: an English word at least this frequent (Zipf scale: 4.5 is about once in 30,000 words) is an
#: ordinary word first, whatever list has it as a family name ("Said", "Hope", "May")
ORDINARY_WORD_ZIPF = 4.5


@lru_cache(maxsize=100_000)
def is_ordinary_word(word: str) -> bool:
    """A frequent English word (wordfreq), or a Russian dictionary word that cannot be a surname."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= ORDINARY_WORD_ZIPF


@lru_cache(maxsize=100_000)
def is_place(word: str) -> bool:
    """A country, region or city name in any language rigour knows ("Moscow", «Москва», "Germany")."""
    from rigour.territories import lookup_territory

    return lookup_territory(word) is not None


@lru_cache(maxsize=1)
def english_given_names() -> frozenset[str]:
    import gender_guesser.detector  # a 60,000-name dictionary: read on first use

    detector = gender_guesser.detector.Detector(case_sensitive=False)
    names = {name for name, genders in detector.names.items() if _certain(genders)}
    return frozenset(names - TITLE_WORDS)


def _certain(genders: dict[str, str]) -> bool:
    return "male" in genders or "female" in genders
