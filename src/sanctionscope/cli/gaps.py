"""Commands that compare governments' lists: gaps, overlap, timeline, discrepancies.

Exit codes, as grep's but with the project's own code for "nothing": 0 something found, 3 nothing
found (no subject, combination, period or discrepancy), 2 wrong usage (an unknown or unloaded
jurisdiction, a bad date or format), 1 a chart could not be written.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

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
from sanctionscope.cli.tracking import AsOfOption, _book
from sanctionscope.match import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from sanctionscope.service import matchers
    from sanctionscope.track import gaps as g
    from sanctionscope.track import proposals as proposal_store
else:
    matchers = lazy("sanctionscope.service.matchers")
    g = lazy("sanctionscope.track.gaps")
    proposal_store = lazy("sanctionscope.track.proposals")

RegimeOption = Annotated[
    str | None,
    typer.Option("--regime", help="Count only designations whose regime contains this text (any case), on every side."),
]
NationalityOption = Annotated[
    str | None,
    typer.Option("--nationality", help="Only subjects a list gives this nationality or citizenship (ISO code: ru)."),
]
KindOption = Annotated[str | None, typer.Option("--kind", help="Only persons or only organizations: person|organization.")]
ProposalOption = Annotated[
    str | None,
    typer.Option("--proposal", help="Only the subjects a proposal's targets resolve to (see `proposals import`)."),
]
FormatOption = Annotated[str, typer.Option("--format", help="table, csv or md.")]
JurisdictionOption = Annotated[
    list[str] | None,
    typer.Option(
        "--jurisdiction", "-j", help="A jurisdiction code (us, eu, gb, …); repeatable or comma-separated. "
        "Default: every one with a list loaded."
    ),
]
ChartOption = Annotated[Path | None, typer.Option("--chart", help="Also draw a chart into this .png or .svg file.")]
EPILOG_CODES = "Exit codes: 0 found, 3 nothing found, 2 wrong usage, 1 the chart could not be written."


@dataclass(frozen=True)
class ReportOptions:
    """The options every report command takes: which designations count, and how to print."""

    as_of: str | None
    regime: str | None
    nationality: str | None
    kind: str | None
    proposal: str | None
    format_: str
    as_json: bool


#: the shared options as command parameters (name, annotation, default), in --help's order
SHARED_OPTIONS = (
    ("as_of", AsOfOption, None),
    ("regime", RegimeOption, None),
    ("nationality", NationalityOption, None),
    ("kind", KindOption, None),
    ("proposal", ProposalOption, None),
    ("format_", FormatOption, "table"),
    ("as_json", JsonOption, False),
)


def report_command(command: Callable[..., None]) -> Callable[..., None]:
    """Give a command the shared options; it is called with them gathered in `options: ReportOptions`."""
    own = [p for p in inspect.signature(command, eval_str=True).parameters.values() if p.name != "options"]
    shared = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
              for name, annotation, default in SHARED_OPTIONS]  # fmt: skip

    def run(**values: Any) -> None:
        options = ReportOptions(**{name: values.pop(name) for name, _annotation, _default in SHARED_OPTIONS})
        command(options=options, **values)

    run.__name__, run.__doc__ = command.__name__, command.__doc__
    run.__signature__ = inspect.Signature(own + shared)  # type: ignore[attr-defined]  # Typer reads it; typeshed's functions lack it
    run.__annotations__ = {p.name: p.annotation for p in own + shared}
    return run


def codes(values: list[str] | None) -> list[str]:
    """Jurisdiction codes from repeated and comma-separated option values."""
    return [code.strip().lower() for value in values or [] for code in value.split(",") if code.strip()]


def check_choice(value: str | None, option: str, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        report_error(f"{option} takes {' or '.join(choices)}, not {value!r}")
        raise typer.Exit(2)


def check_chart(chart: Path | None) -> None:
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        report_error(f"--chart {chart}: writes .png or .svg files")
        raise typer.Exit(2)


def table_and_filters(options: ReportOptions) -> tuple[Any, g.ListingTable, g.Filters]:
    """The engine, the listing table (only the proposal's subjects, if one is named) and the filters."""
    check_choice(options.format_, "--format", ("table", "csv", "md"))
    as_of, regime, nationality, kind, proposal = (options.as_of, options.regime, options.nationality, options.kind,
                                                  options.proposal)  # fmt: skip
    day = parse_date_option(as_of, "--as-of")
    check_choice(kind, "--kind", ("person", "organization"))
    engine = open_engine()
    population = None
    if proposal is not None:
        targets = proposal_store.load_proposal(engine, proposal)
        if targets is None:
            report_error(f"--proposal: no proposal {proposal!r}; import one with `sanctionscope proposals import FILE --name {proposal}`")
            raise typer.Exit(2)
        book = _book(engine)
        with errors.status(f"Resolving the {len(targets)} targets of {proposal}…", spinner="dots"):
            population = g.proposal_population(targets, matchers.open_matcher(engine), book, DEFAULT_THRESHOLD)
    else:
        _book(engine)  # subjects must be resolved before they are compared
    with errors.status("Reading the governments' listings…", spinner="dots"):
        table = g.listing_table(engine, kind=kind, population=population)
    filters = g.Filters(as_of=day, regime=regime, nationality=nationality, kind=kind, population=population)
    return engine, table, filters


def fail_usage(error: g.GapsError) -> typer.Exit:
    report_error(str(error))
    return typer.Exit(2)


def write_chart(draw: Any, report: Any, chart: Path) -> None:
    try:
        draw(report, chart)
    except OSError as error:
        report_error(f"--chart {chart}: {error}")
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    errors.print(f"Chart written to {chart}.")


def emit(data: dict[str, Any], options: ReportOptions, csv_text: Any, md_text: Any, table: Any) -> None:
    """Print the report in the asked form: JSON, CSV, Markdown or a terminal table."""
    if options.as_json:
        print_json(data)
    elif options.format_ == "csv":
        typer.echo(csv_text(), nl=False)
    elif options.format_ == "md":
        typer.echo(md_text(), nl=False)
    else:
        table()


@app.command(name="gaps", epilog=EPILOG_CODES)
@report_command
def gaps_command(
    has: Annotated[list[str] | None, typer.Option("--has", help="Designated by this jurisdiction (repeatable: by every one).")] = None,
    lacks: Annotated[list[str] | None, typer.Option("--lacks", help="Not designated by this one (repeatable: by none of them).")] = None,
    *,
    options: ReportOptions,
) -> None:
    """Who is sanctioned by some governments and not by others, the oldest gap first.

    A subject is in the list when every `--has` jurisdiction designated it and none of the
    `--lacks` did, on the lists as they stand (or in force on `--as-of`). The gap is open since the
    last `--has` listing; "≤ date" means the list states no date and only a snapshot bounds it.

    Examples:

        sanctionscope gaps --has eu --lacks us

        sanctionscope gaps --has eu --lacks us --as-of 2022-03-01 --nationality ru --kind person

        sanctionscope gaps --has us --has gb --lacks eu --format csv > us-gb-not-eu.csv

        sanctionscope gaps --has eu --lacks us --proposal navalny-2021 --json
    """
    _engine, table, filters = table_and_filters(options)
    try:
        report = g.gaps(g.standing(table, filters), codes(has), codes(lacks))
    except g.GapsError as error:
        raise fail_usage(error) from None
    emit(report.to_dict(), options, lambda: g.gaps_csv(report), lambda: g.gaps_markdown(report),
         lambda: print_gaps(report))  # fmt: skip
    if not report.gaps:
        raise typer.Exit(EXIT_NOT_FOUND)


def print_gaps(report: g.GapReport) -> None:
    day = f" in force on {report.filters.as_of}" if report.filters.as_of else ""
    title = f"{len(report.gaps)} designated by {' and '.join(j.upper() for j in report.has)}"
    title += (f", not by {' or '.join(j.upper() for j in report.lacks)}" if report.lacks else "") + day
    table = Table(title=title, title_justify="left")
    table.add_column("subject", overflow="fold")
    table.add_column("since")
    for j in report.has:
        table.add_column(f"{j.upper()} listed · regime", overflow="fold")
    for gap in report.gaps:
        cells = [f"{g.marked(gap.has[j])} · {gap.has[j].regime or '—'}" for j in report.has]
        table.add_row(f"{gap.subject.caption} [dim]{gap.subject.id}[/dim]", gap.since or "", *cells)
    console.print(table)


@app.command(name="overlap", epilog=EPILOG_CODES)
@report_command
def overlap_command(
    jurisdiction: JurisdictionOption = None,
    chart: ChartOption = None,
    *,
    options: ReportOptions,
) -> None:
    """How many subjects each exact combination of jurisdictions designated (and no other of them).

    Each count is what `gaps --has` (the combination) `--lacks` (the other jurisdictions) finds.
    `--chart` draws a Venn diagram for two or three jurisdictions, else an UpSet chart.

    Examples:

        sanctionscope overlap

        sanctionscope overlap -j us,eu,gb --nationality ru --chart us-eu-gb.png

        sanctionscope overlap --as-of 2022-03-01 --kind person --json
    """
    check_chart(chart)
    _engine, table, filters = table_and_filters(options)
    try:
        report = g.overlap(g.standing(table, filters), codes(jurisdiction) or None)
    except g.GapsError as error:
        raise fail_usage(error) from None
    if chart is not None:
        from sanctionscope.track.gaps_chart import render_overlap

        write_chart(render_overlap, report, chart)
    emit(report.to_dict(), options, lambda: g.overlap_csv(report), lambda: g.overlap_markdown(report),
         lambda: print_overlap(report))  # fmt: skip
    if not report.counts:
        raise typer.Exit(EXIT_NOT_FOUND)


def print_overlap(report: g.Overlap) -> None:
    table = Table(title=f"{sum(report.counts.values())} subjects by combination of jurisdictions", title_justify="left")
    for j in report.jurisdictions:
        table.add_column(j.upper(), justify="center")
    table.add_column("subjects", justify="right")
    for combo, n in report.ordered():
        table.add_row(*("●" if j in combo else "" for j in report.jurisdictions), str(n))
    table.add_row(*(f"[bold]{report.totals[j]}[/bold]" for j in report.jurisdictions), "[bold]in all[/bold]")
    console.print(table)


@app.command(name="timeline", epilog=EPILOG_CODES)
@report_command
def timeline_command(
    jurisdiction: JurisdictionOption = None,
    by: Annotated[str, typer.Option("--by", help="month or year.")] = "year",
    chart: ChartOption = None,
    *,
    options: ReportOptions,
) -> None:
    """Subjects each jurisdiction listed, and stopped listing, per month or year.

    A listing is dated as the list states it, else by the first snapshot that has it (counted as
    "bounded"); subjects already on a list's first snapshot have no known date and are counted
    apart. A delisting is dated by the first snapshot without any of the jurisdiction's records
    of the subject.

    Examples:

        sanctionscope timeline --by year

        sanctionscope timeline -j us,eu --by month --nationality ru --chart russia.svg
    """
    check_choice(by, "--by", ("month", "year"))
    check_chart(chart)
    _engine, table, filters = table_and_filters(options)
    try:
        report = g.timeline(table, filters, codes(jurisdiction) or None, by)
    except g.GapsError as error:
        raise fail_usage(error) from None
    if chart is not None:
        from sanctionscope.track.gaps_chart import render_timeline

        write_chart(render_timeline, report, chart)
    emit(report.to_dict(), options, lambda: g.timeline_csv(report), lambda: g.timeline_markdown(report),
         lambda: print_timeline(report))  # fmt: skip
    if not report.periods:
        raise typer.Exit(EXIT_NOT_FOUND)


def print_timeline(report: g.Timeline) -> None:
    table = Table(title=f"Listings and delistings per {report.by}", title_justify="left")
    table.add_column(report.by)
    for j in report.jurisdictions:
        table.add_column(f"{j.upper()} +listed (≤) −delisted", justify="right")
    cells: dict[str, dict[str, str]] = {}
    for p in report.periods:
        bounded = f" ({p.listed_bounded})" if p.listed_bounded else ""
        cells.setdefault(p.period, {})[p.jurisdiction] = f"+{p.listed}{bounded} −{p.delisted}"
    for period, row in cells.items():
        table.add_row(period, *(row.get(j, "") for j in report.jurisdictions))
    table.add_row("[dim]on first snapshot[/dim]", *(str(report.on_first_snapshot[j]) for j in report.jurisdictions))
    console.print(table)


@app.command(name="discrepancies", epilog=EPILOG_CODES)
@report_command
def discrepancies_command(
    field: Annotated[list[str] | None, typer.Option("--field", help="birth_date, nationality or name; repeatable. Default: all three.")] = None,
    jurisdiction: JurisdictionOption = None,
    *,
    options: ReportOptions,
) -> None:
    """Subjects whose lists disagree on a birth date, a nationality or the spelling of a name, with each list's values.

    Birth dates disagree when one list states a date none of the other's fits (1953 fits
    1953-08-27); nationalities when the lists' sets differ; names when no Latin-script spelling
    of one list is a spelling of the other, whatever the case, punctuation and word order.

    Examples:

        sanctionscope discrepancies --field birth_date

        sanctionscope discrepancies -j us,eu --field name --kind person --format csv
    """
    engine, table, filters = table_and_filters(options)
    try:
        report = g.discrepancies(engine, table, filters, codes(field) or None, codes(jurisdiction) or None)
    except g.GapsError as error:
        raise fail_usage(error) from None
    emit(report.to_dict(), options, lambda: g.discrepancies_csv(report),
         lambda: g.discrepancies_markdown(report), lambda: print_discrepancies(report))  # fmt: skip
    if not report.found:
        raise typer.Exit(EXIT_NOT_FOUND)


def print_discrepancies(report: g.DiscrepancyReport) -> None:
    table = Table(title=f"{len(report.found)} discrepancies", title_justify="left")
    for column in ("subject", "field", "each list's values"):
        table.add_column(column, overflow="fold")
    for d in report.found:
        values = "\n".join(f"{source}: {'; '.join(v)}" for source, v in d.values.items())
        table.add_row(f"{d.subject.caption} [dim]{d.subject.id}[/dim]", d.field, values)
    console.print(table)
