"""Commands that match names against the lists: `match` for one query, `screen` for a file of them."""

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
    progress_bar,
    report_error,
)
from sanctionscope.match import DEFAULT_THRESHOLD
from sanctionscope.match.query import QueryError, build_query
from sanctionscope.sources.base import SourceError

if TYPE_CHECKING:
    from sanctionscope.match.engine import Matcher
    from sanctionscope.service import batch, matchers
else:
    batch = lazy("sanctionscope.service.batch")
    matchers = lazy("sanctionscope.service.matchers")

ThresholdOption = Annotated[
    float,
    typer.Option(min=0.0, max=1.0, help=f"A result at or above this score is a match (default {DEFAULT_THRESHOLD})."),
]

#: which column of a table holds which query field (`screen`, `portfolio import`)
NameColumnOption = Annotated[str, typer.Option(help="Column with the name (several names: separate with ';').")]
IdColumnOption = Annotated[str | None, typer.Option(help="Column with the row's id (default: the line number).")]
BirthDateColumnOption = Annotated[str | None, typer.Option(help="Column with birth dates.")]
CountryColumnOption = Annotated[str | None, typer.Option(help="Column with nationalities or countries.")]
SchemaColumnOption = Annotated[str | None, typer.Option(help="Column with Person / Organization / ...")]
IdentifierColumnOption = Annotated[str | None, typer.Option(help="Column with identifiers.")]


def open_cli_matcher(as_of: str | None = None) -> Matcher:
    """The matcher of the current lists (or as of a day); says so when the index has to be built."""
    engine = open_engine()
    day = parse_date_option(as_of, "--as-of")
    with errors.status("Opening the name index…", spinner="dots") as status:
        messages = {
            "reading records": "Resolving subjects across lists (once per data update): reading records…",
            "indexing names": "Indexing names…",
        }
        return matchers.open_matcher(
            engine, as_of=day, progress=lambda m: status.update(messages.get(m, f"Resolving subjects: {m}…"))
        )


@app.command()
def match(
    name: Annotated[list[str], typer.Argument(help="The name, in any script and order; several names: aliases.")],
    birth_date: Annotated[
        list[str] | None, typer.Option("--birth-date", help="YYYY-MM-DD, YYYY-MM, YYYY or DD.MM.YYYY; repeatable.")
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", help="Nationality or country, name or code; repeatable.")
    ] = None,
    identifier: Annotated[
        list[str] | None, typer.Option("--identifier", help="Passport, tax or registration number; repeatable.")
    ] = None,
    schema: Annotated[str | None, typer.Option(help="Person, Organization, Vessel or Airplane.")] = None,
    source: Annotated[
        list[str] | None, typer.Option("--source", help="Only records of this source; repeatable.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many results.")] = 5,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    as_of: Annotated[str | None, typer.Option(help="Match against the lists as they stood on this date.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Find a person or organization on every loaded list, with a score and the reasons for it.

    Examples:

        sanctionscope match "Бастрыкин Александр Иванович"

        sanctionscope match "Alexander Bastrykin" --birth-date 1953-08-27 --json

        sanctionscope match "BASTRYKIN, A." --schema Person --source us_ofac_sdn

    Exit code 0 when there is a match, 3 when there is none.
    """
    try:
        query = build_query(
            name, schema=schema, birth_dates=birth_date or (), countries=country or (), identifiers=identifier or ()
        )
    except QueryError as error:
        report_error(str(error))
        raise typer.Exit(2) from None
    matcher = open_cli_matcher(as_of)
    results = matcher.match(query, limit=limit, threshold=threshold, sources=set(source) if source else None)
    if as_json:
        print_json({"query": name, "threshold": threshold, "results": [r.to_dict() for r in results]})
    else:
        _print_results(" / ".join(name), results)
    if not any(r.match for r in results):
        raise typer.Exit(EXIT_NOT_FOUND)


def _print_results(query: str, results: list) -> None:  # type: ignore[type-arg]
    if not results:
        console.print(f"No candidates for {query!r}.")
        return
    table = Table(title=f"Results for {query}", title_justify="left")
    for column in ("score", "match", "caption", "schema", "referents", "why"):
        table.add_column(column, justify="right" if column == "score" else "left", overflow="fold")
    for r in results:
        aligned = ", ".join(f"{p.query}={p.candidate}" + ("" if p.similarity == 1 else f" ({p.similarity:.2f})")
                            for p in r.name.pairs)  # fmt: skip
        why = "; ".join([aligned] + [f.detail for f in r.features])
        style = "bold green" if r.match else "dim"
        table.add_row(f"{r.score:.3f}", "yes" if r.match else "no", r.entry.caption, r.schema,
                      "\n".join(r.entry.referents), why, style=style)  # fmt: skip
    console.print(table)


@app.command()
def screen(
    file: Annotated[Path, typer.Argument(help="CSV, TSV or XLSX with a header row, or JSON lines of query entities.")],
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here (.csv or .jsonl); default: JSON lines on stdout.")
    ] = None,
    name_column: NameColumnOption = "name",
    id_column: IdColumnOption = None,
    birth_date_column: BirthDateColumnOption = None,
    country_column: CountryColumnOption = None,
    schema_column: SchemaColumnOption = None,
    identifier_column: IdentifierColumnOption = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="Results per query.")] = 3,
    threshold: ThresholdOption = DEFAULT_THRESHOLD,
    workers: Annotated[int | None, typer.Option(min=1, help="Processes to use (default: all cores).")] = None,
    shard: Annotated[
        str | None,
        typer.Option(help="I/N: screen only the I-th of N contiguous parts of the file's rows (for a job scheduler)."),
    ] = None,
    engine: Annotated[
        str, typer.Option(help="local (this machine's cores) or spark (PySpark; the output is a folder of parts).")
    ] = "local",
    master: Annotated[
        str | None, typer.Option(help="With --engine spark: local[2], spark://host:7077, … (default: spark-submit's).")
    ] = None,
) -> None:
    """Screen a whole file of names: one output row per query, in input order, with its best results.

    Table input maps its columns with the *-column options; JSON lines input holds yente-style
    entities: {"id": "c1", "schema": "Person", "properties": {"name": ["..."], "birthDate": ["..."]}}.

    A value that cannot be read (a birth date, a country) is left out with a "warning" in that
    row's output and the row is screened on the rest. Exit code 0 when all queries were screened,
    1 when some rows had no usable name (they are written with an "error").

    --shard I/N screens the I-th of N contiguous runs of the file's rows (by position): the N
    shards' outputs, concatenated in shard order, are the output of one run over the whole file.

    --engine spark screens with PySpark (Parquet, CSV or JSON lines in and out; -o is a folder):
    the saved name index is shipped to each executor once, the rows are screened where they lie.
    """
    columns = batch.Columns(name_column, id_column, birth_date_column, country_column, schema_column, identifier_column)
    if engine not in ("local", "spark"):
        report_error(f"--engine is local or spark, not {engine!r}")
        raise typer.Exit(2)
    if engine == "spark":
        if shard or workers:
            report_error("--shard and --workers are for --engine local (Spark partitions the rows itself)")
            raise typer.Exit(2)
        if output is None:
            report_error("--engine spark writes a folder: give it with -o OUT.jsonl, OUT.csv or OUT.parquet")
            raise typer.Exit(2)
        _screen_spark(file, output, columns, master, limit, threshold)
        return
    shard_of = None
    if shard is not None:
        try:
            shard_of = batch.parse_shard(shard)
        except ValueError as error:
            report_error(f"--shard: {error}")
            raise typer.Exit(2) from None
    try:
        items = batch.read_queries(file, columns)
    except (SourceError, OSError) as error:
        report_error(str(error))
        raise typer.Exit(EXIT_INPUT_ERROR) from None
    if shard_of is not None:
        start, end = batch.shard_bounds(len(items), *shard_of)
        items = items[start:end]
    matcher = open_cli_matcher()
    as_csv = output is not None and output.suffix.lower() == ".csv"
    out = (output.open("w", encoding="utf-8", newline="") if as_csv else output.open("wb")) if output else None
    failed = sum(1 for item in items if item.error)
    try:
        with progress_bar() as progress:
            task = progress.add_task("Screening", total=len(items), current="")
            results = batch.screen(
                matcher, items, limit=limit, threshold=threshold, workers=workers, index_file=matcher.path,
                progress=lambda n: progress.advance(task, n),
            )  # fmt: skip
            if as_csv:
                batch.write_csv(results, out)
            else:
                batch.write_jsonl(results, out or sys.stdout.buffer)
    finally:
        if out:
            out.close()
    if output:
        errors.print(f"Screened {len(items)} queries into {output}.")
    warned = sum(1 for item in items if item.warnings and not item.error)
    if warned:
        errors.print(f"{warned} queries screened without values that could not be read (see their warnings).")
    if failed:
        for item in items:
            if item.error:
                report_error(f"{file}: {item.error}")
        raise typer.Exit(EXIT_INPUT_ERROR)


def _screen_spark(
    file: Path, output: Path, columns: batch.Columns, master: str | None, limit: int, threshold: float
) -> None:
    """`screen --engine spark`: the index of the current lists (built here if needed), then the Spark job."""
    try:
        from sanctionscope import spark
    except ImportError as error:
        report_error(f"--engine spark needs PySpark: pip install 'sanctionscope[spark]' ({error})")
        raise typer.Exit(2) from None
    matcher = open_cli_matcher()
    assert matcher.path is not None
    with errors.status("Screening with Spark…", spinner="dots"):
        try:
            counts = spark.screen_file(file, output, index_file=matcher.path, columns=columns, master=master,
                                       limit=limit, threshold=threshold)  # fmt: skip
        except (SourceError, ValueError) as error:
            report_error(str(error))
            raise typer.Exit(EXIT_INPUT_ERROR) from None
    errors.print(f"Screened {counts.rows} queries into {output} (Spark: {counts.partitions} partition(s)).")
    if counts.failed:
        report_error(f"{file}: {counts.failed} row(s) without a usable name (written with their error)")
        raise typer.Exit(EXIT_INPUT_ERROR)
