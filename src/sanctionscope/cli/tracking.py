"""Commands about subjects and proposals: resolve, subject, decide, proposals, coverage."""

from __future__ import annotations

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
from sanctionscope.match import DEFAULT_THRESHOLD
from sanctionscope.match.query import QueryError, build_query
from sanctionscope.sources.base import SourceError
from sanctionscope.store import queries
from sanctionscope.store import schema as t

if TYPE_CHECKING:
    from sanctionscope.resolve import build as resolution
    from sanctionscope.resolve import subjects as subject_model
    from sanctionscope.resolve.subjects import Subject, SubjectBook
    from sanctionscope.service import matchers
    from sanctionscope.track import coverage as coverage_report
    from sanctionscope.track import proposals as proposal_store
else:
    resolution = lazy("sanctionscope.resolve.build")
    subject_model = lazy("sanctionscope.resolve.subjects")
    matchers = lazy("sanctionscope.service.matchers")
    coverage_report = lazy("sanctionscope.track.coverage")
    proposal_store = lazy("sanctionscope.track.proposals")

proposals_app = typer.Typer(help="Proposal lists: targets proposed for sanctions (import, list).", no_args_is_help=True)
app.add_typer(proposals_app, name="proposals")

AsOfOption = Annotated[str | None, typer.Option("--as-of", help="As the lists stood on this date (YYYY-MM-DD).")]


def _book(engine) -> SubjectBook:  # type: ignore[no-untyped-def]
    with errors.status("Resolving subjects across lists (once per data update)…", spinner="dots"):
        resolution.ensure_resolved(engine)
        return subject_model.SubjectBook(engine)


@app.command(name="resolve")
def resolve_command(as_json: JsonOption = False) -> None:
    """Group the records of all lists into subjects now (normally done when first needed).

    Prints how many records and subjects there are and which evidence joined them.
    """
    engine = open_engine()
    with errors.status("Resolving subjects across lists…", spinner="dots") as status:
        report = resolution.resolve(engine, progress=lambda m: status.update(f"Resolving subjects: {m}…"))
    data = report.to_dict()
    if as_json:
        print_json(data)
        return
    console.print(f"{report.records} records → {report.subjects} subjects in {report.seconds:.1f} s")
    table = Table("evidence", "links found", "joined", title="Evidence")
    for kind, found in report.links.items():
        table.add_row(kind, str(found), str(report.joined.get(kind, 0)))
    console.print(table)
    for reason, count in report.refused.items():
        console.print(f"refused {count} joins: {reason}")


def _designation_rows(subject: Subject, as_of) -> list[dict[str, Any]]:  # type: ignore[no-untyped-def]
    return [d.to_dict() for d in subject.designations(as_of)]


def subject_data(engine, subject: Subject, as_of) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "id": subject.id,
        "caption": subject.caption,
        "schema": {"person": "Person", "organization": "Organization", "vessel": "Vessel"}.get(
            subject.kind, "LegalEntity"
        ),
        "names": subject.names(),
        "birth_dates": subject.birth_dates(),
        "referents": subject.referents,
        "as_of": as_of.isoformat() if as_of else None,
        "designations": _designation_rows(subject, as_of),
        "history": queries.list_changes(engine, records=subject.referents),
    }


def find_subject(engine, book: SubjectBook, key: str) -> Subject | None:  # type: ignore[no-untyped-def]
    """A subject by id, by record id (source:id), or by name (the best match, if it is one)."""
    found = book.get(key) or book.for_record(key)
    if found or key.startswith("ss-"):
        return found
    matcher = matchers.open_matcher(engine)
    results = matcher.match(build_query([key]), limit=1)
    return book.get(results[0].entry.id) if results and results[0].match else None


@app.command()
def subject(
    key: Annotated[str, typer.Argument(help="A subject id (ss-…), a record id (us_ofac_sdn:21186) or a name.")],
    as_of: AsOfOption = None,
    as_json: JsonOption = False,
) -> None:
    """One person or organization across every list: names, records, designations and their history.

    With --as-of, only the designations in force that day ("was he sanctioned by the EU on
    1 March 2021?").
    """
    engine = open_engine()
    day = parse_date_option(as_of, "--as-of")
    book = _book(engine)
    try:
        found = find_subject(engine, book, key)
    except QueryError as error:
        report_error(str(error))
        raise typer.Exit(2) from None
    if found is None:
        errors.print(f"no subject for {key!r}")
        raise typer.Exit(EXIT_NOT_FOUND)
    data = subject_data(engine, found, day)
    if as_json:
        print_json(data)
        return
    console.print(f"[bold]{found.caption}[/bold]  [dim]{found.id} · {data['schema']}[/dim]")
    console.print("names: " + "; ".join(data["names"]))
    if data["birth_dates"]:
        console.print("born: " + ", ".join(data["birth_dates"]))
    table = Table(title="Designations" + (f" in force on {day}" if day else ""), title_justify="left")
    for column in ("jurisdiction", "listed on", "delisted", "regime", "record"):
        table.add_column(column, overflow="fold")
    for d in data["designations"]:
        listed = d["listed_on"] or ""
        if d["listed_on_basis"] == "first_seen":
            listed = f"≤ {listed} (first seen" + (f"; absent {d['absent_before']})" if d["absent_before"] else ")")
        table.add_row(d["jurisdiction"].upper(), listed, d["delisted_on"] or "", d["regime"] or "", d["record"])
    console.print(table)
    if not data["designations"]:
        console.print("[yellow]no designation in force[/yellow]" if day else "[yellow]no designation[/yellow]")
    if data["history"]:
        console.print(f"{len(data['history'])} change(s) in its records; --json lists them.")


@app.command()
def decide(
    judgement: Annotated[str, typer.Argument(help="'same' (one person) or 'different' (not the same person).")],
    left: Annotated[str, typer.Argument(help="A record id (source:id) or subject id.")],
    right: Annotated[str, typer.Argument(help="Another record id or subject id.")],
    note: Annotated[str | None, typer.Option(help="Why (kept with the decision).")] = None,
    author: Annotated[str | None, typer.Option(help="Who decided.")] = None,
) -> None:
    """Record an analyst's decision about two records; it survives every reload and update and wins over the machine."""
    if judgement not in ("same", "different"):
        report_error("judgement must be 'same' or 'different'")
        raise typer.Exit(2)
    from datetime import UTC, datetime

    engine = open_engine()
    book = _book(engine)
    refs = []
    for key in (left, right):
        found = book.get(key)
        ref = found.referents[0] if found else key
        if book.for_record(ref) is None:
            report_error(f"no record or subject {key!r}")
            raise typer.Exit(EXIT_NOT_FOUND)
        refs.append(ref)
    with engine.begin() as conn:
        conn.execute(t.decisions.insert(), {"left": refs[0], "right": refs[1], "judgement": judgement, "note": note,
                                            "author": author, "created_at": datetime.now(UTC)})  # fmt: skip
    book = _book(engine)
    a, b = book.for_record(refs[0]), book.for_record(refs[1])
    assert a is not None and b is not None
    state = "now one subject" if a.id == b.id else "now two subjects"
    console.print(
        f"Recorded: {refs[0]} and {refs[1]} are {judgement}; {state}: {a.id}" + ("" if a.id == b.id else f", {b.id}")
    )


@proposals_app.command("import")
def proposals_import(
    file: Annotated[Path, typer.Argument(help="CSV (name, birth_date, role, wikidata, note) or JSON list of targets.")],
    name: Annotated[str, typer.Option("--name", help="The proposal's name, e.g. navalny-35.")],
    as_json: JsonOption = False,
) -> None:
    """Store a proposal list (replacing one of the same name); see its coverage with `coverage NAME`."""
    try:
        targets = proposal_store.read_targets(file)
    except (SourceError, OSError) as error:
        report_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    proposal_store.save_proposal(open_engine(), name, targets, str(file))
    if as_json:
        print_json({"proposal": name, "targets": len(targets)})
    else:
        console.print(f"Imported {len(targets)} targets as proposal {name!r}.")


@proposals_app.command("list")
def proposals_list(as_json: JsonOption = False) -> None:
    """The stored proposal lists."""
    rows = proposal_store.list_proposals(open_engine())
    if as_json:
        print_json(rows)
        return
    table = Table("name", "targets", "imported", "file")
    for row in rows:
        table.add_row(row["name"], str(row["targets"]), row["imported_at"][:19], row["source_file"] or "")
    console.print(table)


@app.command(name="coverage")
def coverage_command(
    name: Annotated[str, typer.Argument(help="A proposal imported with `proposals import`.")],
    as_of: AsOfOption = None,
    format_: Annotated[str, typer.Option("--format", help="table, csv or md.")] = "table",
    chart: Annotated[Path | None, typer.Option(help="Also draw cumulative coverage over time (.png or .svg).")] = None,
    threshold: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Match threshold for resolving targets.")
    ] = DEFAULT_THRESHOLD,
    as_json: JsonOption = False,
) -> None:
    """Which governments designated each target of a proposal, since when; who is still missing.

    The matrix shows one row per target and one column per jurisdiction with the listing date
    (≤ date: first seen in a snapshot, the list states none); "—" is a gap. Targets whose
    resolution to a subject is doubtful are marked for review.
    """
    engine = open_engine()
    targets = proposal_store.load_proposal(engine, name)
    if targets is None:
        report_error(f"no proposal {name!r}; import one with `sanctionscope proposals import FILE --name {name}`")
        raise typer.Exit(EXIT_NOT_FOUND)
    if format_ not in ("table", "csv", "md"):
        report_error("--format takes table, csv or md")
        raise typer.Exit(2)
    if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
        report_error("--chart writes .png or .svg files")
        raise typer.Exit(2)
    day = parse_date_option(as_of, "--as-of")
    book = _book(engine)
    matcher = matchers.open_matcher(engine)
    report = coverage_report.coverage(name, targets, matcher, book, as_of=day, threshold=threshold)
    if chart is not None:
        from sanctionscope.track.chart import render_chart

        render_chart(report, chart)
        errors.print(f"Chart written to {chart}.")
    if as_json:
        print_json(report.to_dict())
    elif format_ == "csv":
        typer.echo(coverage_report.to_csv(report), nl=False)
    elif format_ == "md":
        typer.echo(coverage_report.to_markdown(report), nl=False)
    else:
        _print_matrix(report)


def _print_matrix(report) -> None:  # type: ignore[no-untyped-def]
    title = f"{report.proposal}: coverage" + (f" as of {report.as_of}" if report.as_of else "")
    table = Table(title=title, title_justify="left")
    table.add_column("target")
    for jurisdiction in report.jurisdictions:
        table.add_column(jurisdiction.upper(), justify="center")
    for row in report.targets:
        label = row.target.name + ("" if row.subject else " [dim](no subject)[/dim]")
        if row.review:
            label += f"\n[yellow]review: {row.review}[/yellow]"
        cells = []
        for jurisdiction in report.jurisdictions:
            d = row.designations.get(jurisdiction)
            if d is None:
                cells.append("[red]—[/red]")
            else:
                cells.append(f"[green]{coverage_report.marked_date(d)}[/green]")
        table.add_row(label, *cells)
    totals = report.totals
    table.add_row(
        "[bold]total[/bold]", *(f"[bold]{totals[j]}/{len(report.targets)}[/bold]" for j in report.jurisdictions)
    )
    console.print(table)
