"""Showing a screened text: highlighted in the terminal, or as a standalone HTML page with a side table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jinja2 import Environment, PackageLoader
from rich.text import Text

from sanctionscope.text.mentions import Mention, TextReport
from sanctionscope.text.subjects import Designation

#: mention styles: sanctioned, listed but not confirmed (short or ambiguous), on no list
SANCTIONED, POSSIBLE, UNLISTED = "sanctioned", "possible", "unlisted"
TERMINAL_STYLES = {SANCTIONED: "bold white on red", POSSIBLE: "black on yellow", UNLISTED: "underline"}


def status_of(mention: Mention) -> str:
    if mention.sanctioned:
        return SANCTIONED
    if mention.subject is not None or mention.candidates:
        return POSSIBLE
    return UNLISTED


def pieces(report: TextReport) -> Iterator[tuple[str, Mention | None, int | None]]:
    """The text cut into plain stretches and mentions (with their numbers), in order."""
    position = 0
    for number, mention in enumerate(report.mentions):
        if mention.start < position:
            continue
        yield report.text[position : mention.start], None, None
        yield report.text[mention.start : mention.end], mention, number
        position = mention.end
    yield report.text[position:], None, None


def terminal_text(report: TextReport) -> Text:
    """The text with mentions highlighted: red sanctioned, yellow possible, underlined unlisted."""
    out = Text()
    for piece, mention, number in pieces(report):
        if mention is None:
            out.append(piece)
        else:
            out.append(piece, style=TERMINAL_STYLES[status_of(mention)])
            out.append(f"[{number}]", style="dim")
    return out


def designations_summary(designations: Mapping[str, Designation]) -> str:
    """"eu 2021-03-02, us 2021-03-02"."""
    return ", ".join(f"{j} {d.get('listed_on') or '?'}" for j, d in designations.items()) or "not in force"


def mention_summary(mention: Mention) -> str:
    if mention.subject is not None:
        return f"{mention.subject['caption']}: {designations_summary(mention.subject['designations'])}"
    if mention.candidates:
        return f"ambiguous: {len(mention.candidates)} listed namesakes"
    return "on no list"


def marked_pieces(report: TextReport) -> list[tuple[str, str | None, str | None, int | None]]:
    """The text's pieces as the HTML pages mark them: (text, status, summary, number); None for plain text."""
    return [(piece, status_of(mention) if mention else None, mention_summary(mention) if mention else None, number)
            for piece, mention, number in pieces(report)]  # fmt: skip


#: the standalone page's template (the web UI's own page is api/templates/text.html, in the site's frame)
_PAGES = Environment(loader=PackageLoader("sanctionscope.text", "templates"), autoescape=True)


def html_page(report: TextReport, title: str = "sanctionscope: text screening") -> str:
    """A standalone page: the article with mentions marked, and a table of who is sanctioned where."""
    return _PAGES.get_template("article.html").render(title=title, report=report, marked=marked_pieces(report)) + "\n"
