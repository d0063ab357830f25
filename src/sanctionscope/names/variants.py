"""One name string that holds several names: "A / B", "A (Russian: B)", "A (Alexandr) B", "A - born B".

Lists write a person's forms in several scripts or languages into one field («Юрий Николаевич
СИРОВАТКО / Юрiй Миколайович СИРОВАТКО»), add a spelling in parentheses ("Alexander (Alexandr)
Ivanovich BASTRYKIN") or a maiden name ("ГОГИАШВИЛИ - born ФИЛИППОВА"); users paste such
strings too. Compared whole, such a string is one long name that matches nothing well; split,
each form is a name of its own.
"""

from __future__ import annotations

import re

_SEPARATOR = re.compile(r"\s+/\s*|\s*/\s+|\s*;\s*")
#: "(Russian: Константин Львович ЭРНСТ)", "(Alexandr)": a label is optional
_PARENTHESIS = re.compile(r"\s*\((?:[^():]{1,30}:\s*)?([^()]+)\)\s*")
_BORN = re.compile(r"\s+-?\s*(?:born|née|nee|урожд[.а-я]*)\s+", re.IGNORECASE)


def name_variants(name: str) -> list[str]:
    """The names one string holds: itself when it holds one, else each form, in order."""
    forms: list[list[str]] = []
    for piece in _SEPARATOR.split(name):
        forms.extend(_born_forms(form) for form in _parenthesis_forms(piece.strip()) if form)
    flat = [f for group in forms for f in group]
    unique = list(dict.fromkeys(f for f in flat if f.strip()))
    return unique if len(unique) > 1 or (unique and unique[0] != name) else [name]


def _parenthesis_forms(text: str) -> list[str]:
    """ "A (B C) D" with a whole name inside → "A D", "B C"; with one word inside → "A D", "A B D"
    with the word before replaced ("Alexander (Alexandr) Ivanovich" → "Alexandr Ivanovich")."""
    found = _PARENTHESIS.search(text)
    if not found:
        return [text]
    inside = found.group(1).strip()
    before, after = text[: found.start()].strip(), text[found.end() :].strip()
    outside = " ".join(p for p in (before, after) if p)
    if len(inside.split()) >= 2 or not before:
        return [*_parenthesis_forms(outside), inside] if outside else [inside]
    replaced = " ".join(p for p in (before.rsplit(" ", 1)[0] if " " in before else "", inside, after) if p)
    return [*_parenthesis_forms(outside), *_parenthesis_forms(replaced)]


def _born_forms(text: str) -> list[str]:
    """ "Given FAMILY - born MAIDEN" → the name, and the name with the maiden family name."""
    parts = _BORN.split(text, maxsplit=1)
    if len(parts) == 1:
        return [text]
    name, maiden = parts[0].strip(), parts[1].strip()
    words = name.split()
    if not words or not maiden:
        return [name or maiden]
    return [name, " ".join([*words[:-1], maiden]) if len(maiden.split()) == 1 else maiden]
