"""`screen-text`: who in an article is sanctioned, by whom, since when."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from sanctionscope.cli.common import (
    EXIT_INPUT_ERROR,
    EXIT_NOT_FOUND,
    JsonOption,
    app,
    console,
    errors,
    lazy,
    open_engine,
    parse_date_option,
    print_json,
    report_error,
)
from sanctionscope.cli.matching import ThresholdOption
from sanctionscope.match import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from sanctionscope.service import texts as text_service
    from sanctionscope.text import render
else:
    text_service = lazy("sanctionscope.service.texts")
    render = lazy("sanctionscope.text.render")


def read_text_argument(file: str) -> str:
    """The text of a file, or of standard input for "-"; a clear error for what is not UTF-8 text."""
    try:
        data = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        report_error(f"{file}: cannot read: {error.strerror}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        report_error(f"{file}: line {line}: not UTF-8 text (byte {data[error.start]:#04x} at offset {error.start})")
        raise typer.Exit(EXIT_INPUT_ERROR) from None


@app.command("screen-text")
def screen_text(
    file: Annotated[str, typer.Argument(help="A UTF-8 text file, or - for standard input.")],
    html_output: Annotated[
        Path | None, typer.Option("--html", help="Also write the text with mentions highlighted to this HTML file.")
    ] = None,
    as_of: Annotated[str | None, typer.Option(help="Screen against the lists as they stood on this date.")] = None,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    ner: Annotated[bool, typer.Option(help="Also ask the Russian NER model (natasha) for names.")] = True,
    as_json: JsonOption = False,
) -> None:
    """Find the persons and organizations an article mentions (English or Russian) and say which are sanctioned.

    Names are found in any inflection («Александра Бастрыкина»), with initials («С. Лавровым»),
    as a surname alone ("Usmanov declined", resolved to the full name earlier in the text) and in
    other spellings (Alexei / Aleksei). A bare surname that several listed people bear is shown
    with its candidates, not guessed. Persons on no list are reported as such.

    Examples:

        sanctionscope screen-text article.txt

        sanctionscope screen-text article.txt --html article.html

        curl -s https://example.org/news.txt | sanctionscope screen-text - --json

    Exit code 0 when someone mentioned is sanctioned, 3 when nobody is, 1 when the file cannot be read.
    """
    text = read_text_argument(file)
    day = parse_date_option(as_of, "--as-of")
    engine = open_engine()
    with errors.status("Opening the lists…", spinner="dots"):
        screener = text_service.open_text_screener(engine, as_of=day, threshold=threshold, use_ner=ner)
    try:
        report = screener.screen(text)
    except ValueError as error:
        report_error(f"{file}: {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    if html_output is not None:
        html_output.write_text(render.html_page(report, title=f"sanctionscope: {file}"), encoding="utf-8")
    if as_json:
        print_json(report.to_dict())
    else:
        _print_report(report)
        if html_output is not None:
            console.print(f"Highlighted text written to {html_output}")
    if not any(m.sanctioned for m in report.mentions):
        raise typer.Exit(EXIT_NOT_FOUND)


def _print_report(report) -> None:  # type: ignore[no-untyped-def]
    console.print(render.terminal_text(report))
    console.print()
    table = Table(title="Mentions", title_justify="left")
    for column in ("#", "text", "status", "score", "subject", "designations"):
        table.add_column(column, overflow="fold")
    for number, mention in enumerate(report.mentions):
        status = render.status_of(mention)
        if mention.subject is not None:
            subject, designations = mention.subject["caption"], render.designations_summary(mention.subject["designations"])
        elif mention.candidates:
            subject = "one of: " + "; ".join(c["caption"] for c in mention.candidates[:4])
            designations = ""
        else:
            subject, designations = "on no list", ""
        if mention.refers_to is not None:
            subject += f" (as [{mention.refers_to}])"
        style = {"sanctioned": "bold red", "possible": "yellow", "unlisted": "dim"}[status]
        table.add_row(str(number), mention.text, status, f"{mention.score:.2f}", subject, designations, style=style)
    console.print(table)
