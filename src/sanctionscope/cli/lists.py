"""Commands for the lists themselves: load, update, sources, snapshots, changes, record, export."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from sanctionscope.cli.common import (
    EXIT_INPUT_ERROR,
    EXIT_NOT_FOUND,
    JsonOption,
    app,
    check_source,
    console,
    errors,
    lazy,
    open_engine,
    parse_date_option,
    print_json,
    progress_bar,
)
from sanctionscope.store import db, queries

if TYPE_CHECKING:
    from sanctionscope.store import load as loading
    from sanctionscope.store.load import LoadReport
else:
    loading = lazy("sanctionscope.store.load")

#: what `load --dataset` takes: it becomes the snapshots' scope (at most 64 characters)
DATASET_NAME = re.compile(r"[\w.-]{1,64}")


def _report_load(report: LoadReport, as_json: bool) -> None:
    if as_json:
        print_json(
            {
                "loaded": [r.__dict__ for r in report.results],
                "failures": report.failures,
            }
        )
    else:
        table = Table(title="Snapshots", show_lines=False)
        for column in ("source", "scope", "date", "status", "records", "added", "removed", "amended"):
            table.add_column(
                column, justify="right" if column in ("records", "added", "removed", "amended") else "left"
            )
        for r in report.results:
            table.add_row(
                r.source,
                r.scope,
                r.published_on,
                r.status,
                str(r.records),
                str(r.added),
                str(r.removed),
                str(r.amended),
            )
        if report.results:
            console.print(table)
        loaded = sum(1 for r in report.results if r.status == "loaded")
        console.print(f"{loaded} snapshot(s) loaded, {len(report.results) - loaded} already loaded.")
    for failure in report.failures:
        errors.print(f"[red]error:[/red] {failure}", highlight=False, soft_wrap=True)
    if report.failures:
        errors.print(f"[red]{len(report.failures)} file(s) failed; the data loaded before them is unchanged.[/red]")


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (searched recursively) of official lists.")],
    source: Annotated[
        str | None, typer.Option(help="Treat the files as this source (e.g. us_ofac_sdn) instead of detecting it.")
    ] = None,
    date_: Annotated[
        str | None,
        typer.Option(
            "--date", help="Publication date YYYY-MM-DD, for files that state none (else taken from the path)."
        ),
    ] = None,
    dataset: Annotated[
        str | None,
        typer.Option(
            help="FollowTheMoney files only: the dataset their entities belong to (default: each entity's own "
            "`datasets`, else the file's name, e.g. zala for zala.entities.ftm.json)."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Load list files: detect each file's format, source and date, and store it as a snapshot.

    Loading the same bytes again does nothing. A bad file is reported and skipped; the others still
    load, the exit code is 1, and the last good snapshot of that source stays current.
    """
    given = parse_date_option(date_, "--date")
    if source is not None:
        check_source(source)
    if dataset is not None and not DATASET_NAME.fullmatch(dataset):
        errors.print(f"[red]--dataset: {escape(dataset)!r} is not a dataset name (letters, digits, _ . -; at most 64)[/red]")
        raise typer.Exit(2)
    engine = open_engine()
    with progress_bar() as progress:
        task = progress.add_task("Loading", total=None, current="")

        def on_bundle(bundle, number: int, total: int) -> None:  # type: ignore[no-untyped-def]
            progress.update(task, total=total, completed=number - 1, current=bundle.files[0].name)

        report = loading.load_paths(engine, paths, source=source, given_date=given, dataset=dataset, on_bundle=on_bundle)
    _report_load(report, as_json)
    if report.changed:
        from sanctionscope.cli.monitoring import run_monitoring

        run_monitoring()  # screens the portfolios against what changed; its failure is reported, the load stands
    if not report.ok:
        raise typer.Exit(EXIT_INPUT_ERROR)


@app.command()
def sources(as_json: JsonOption = False) -> None:
    """List the loaded sources: jurisdiction, number of snapshots, latest date, records in the latest."""
    summaries = queries.source_summaries(open_engine())
    if as_json:
        print_json(summaries)
        return
    table = Table(title="Loaded sources")
    for column in ("source", "jurisdiction", "snapshots", "latest", "records"):
        table.add_column(column, justify="right" if column in ("snapshots", "records") else "left")
    for s in summaries:
        table.add_row(s["source"], s["jurisdiction"], str(s["snapshots"]), s["latest"], f"{s['records']:,}")
    console.print(table)
    if not summaries:
        console.print("Nothing loaded yet: try `sanctionscope load PATH` or `sanctionscope update`.")


@app.command()
def snapshots(
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List every stored snapshot with its date and how the date was established."""
    rows = queries.snapshots(open_engine(), source)
    data = [
        {
            "id": r.id,
            "source": r.source,
            "scope": r.scope,
            "format": r.format,
            "published_on": r.published_on.isoformat(),
            "date_basis": r.date_basis,
            "records": r.record_count,
        }
        for r in rows
    ]
    if as_json:
        print_json(data)
        return
    table = Table(title="Snapshots")
    for column in ("id", "source", "scope", "format", "published_on", "date_basis", "records"):
        table.add_column(column)
    for item in data:
        table.add_row(
            *(str(item[c]) for c in ("id", "source", "scope", "format", "published_on", "date_basis", "records"))
        )
    console.print(table)


@app.command()
def changes(
    source: Annotated[str | None, typer.Option(help="Only this source, e.g. us_ofac_sdn.")] = None,
    since: Annotated[str | None, typer.Option(help="From this date (YYYY-MM-DD), inclusive.")] = None,
    until: Annotated[str | None, typer.Option(help="Up to this date (YYYY-MM-DD), inclusive.")] = None,
    change: Annotated[str | None, typer.Option(help="Only 'added', 'removed' or 'amended'.")] = None,
    limit: Annotated[int | None, typer.Option(help="At most this many changes.")] = None,
    as_json: JsonOption = False,
) -> None:
    """What changed between consecutive snapshots of each list: records added, removed and amended.

    Amendments list the fields that changed with their old and new values.
    """
    items = queries.list_changes(
        open_engine(),
        source=source,
        since=parse_date_option(since, "--since"),
        until=parse_date_option(until, "--until"),
    )
    if change:
        items = [item for item in items if item["change"] == change]
    if limit:
        items = items[:limit]
    if as_json:
        print_json(items)
        return
    table = Table(title="Changes")
    for column in ("date", "source", "change", "record", "caption", "fields"):
        table.add_column(column)
    style = {"added": "green", "removed": "red", "amended": "yellow"}
    for item in items:
        table.add_row(
            item["date"],
            item["source"],
            f"[{style[item['change']]}]{item['change']}[/]",
            item["record_id"],
            item["caption"],
            ", ".join(item.get("fields", {})),
        )
    console.print(table)
    console.print(f"{len(items)} change(s).")


@app.command()
def record(
    record_id: Annotated[
        str, typer.Argument(help="A record id as SOURCE:ID, e.g. us_ofac_sdn:21186 or un_sc:QDi.042.")
    ],
    as_of: Annotated[str | None, typer.Option(help="The record as its list stood on this date.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one record as its publisher lists it, and when it was on the list."""
    engine = open_engine()
    found = queries.get_record(engine, record_id, as_of=parse_date_option(as_of, "--as-of"))
    if found is None:
        errors.print(f"no record {record_id!r} (ids look like us_ofac_sdn:21186)")
        raise typer.Exit(EXIT_NOT_FOUND)
    presence = queries.record_presence(engine, record_id)
    data = {"id": found.id, "caption": found.caption, **found.to_dict(), "presence": presence}
    if as_json:
        print_json(data)
        return
    table = Table(title=f"{found.caption}  [dim]{found.id}[/dim]", show_header=False)
    table.add_column("field", style="bold")
    table.add_column("value")
    for key, value in found.to_dict().items():
        if key in ("source", "source_id"):
            continue
        table.add_row(key, _human(value))
    table.add_row("on the list", _presence_text(presence))
    console.print(table)


def _human(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_human(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_human(v)}" for k, v in value.items())
    return str(value)


def _presence_text(presence: dict[str, Any]) -> str:
    text = f"first seen {presence['first_seen']}"
    if presence.get("absent_before"):
        text += f" (absent on {presence['absent_before']})"
    text += f", last seen {presence['last_seen']}"
    if presence.get("removed_on"):
        text += f", gone by {presence['removed_on']}"
    return text


@app.command()
def export(
    format_: Annotated[str, typer.Option("--format", help="ftm (FollowTheMoney JSON lines) or csv.")] = "ftm",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write here instead of standard output.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    as_of: Annotated[str | None, typer.Option(help="The lists as they stood on this date.")] = None,
) -> None:
    """Export every current record: FollowTheMoney entities (with Sanction, Address and, for FtM data, every related entity as published) or a flat CSV."""
    from sanctionscope.export import write_csv

    if format_ not in ("ftm", "csv"):
        errors.print(f"--format must be ftm or csv, not {format_!r}")
        raise typer.Exit(2)
    engine = open_engine()
    day = parse_date_option(as_of, "--as-of")
    records = queries.current_records(engine, source=source, as_of=day)
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if format_ == "csv":
            count = write_csv(records, out)
        else:
            from sanctionscope.export import export_entities
            from sanctionscope.store.ftm_graph import FtmGraph

            count = 0
            related = FtmGraph(engine, source=source, as_of=day).related()
            for entity in export_entities(records, related):
                out.write(orjson.dumps(entity).decode() + "\n")
                count += 1
    finally:
        if output:
            out.close()
    errors.print(f"{count:,} {'rows' if format_ == 'csv' else 'entities'} written.")


@app.command()
def update(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", help="Only these sources (repeatable). Default: every source with a URL."),
    ] = None,
    url: Annotated[
        list[str] | None,
        typer.Option(
            "--url", help="SOURCE=URL: fetch this source from another address (a mirror).", show_default=False
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a server before retrying.")] = 60.0,
    retries: Annotated[int, typer.Option(help="Retries per download on timeouts and server errors.")] = 4,
    every: Annotated[
        str | None,
        typer.Option(help="Run again at this interval (e.g. 6h, 30m, 1d) until Ctrl-C: update, re-screen, deliver."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Download the current lists from their official URLs and load what is new.

    Sends conditional requests (a list that has not changed is not downloaded again), retries with
    backoff, refuses oversized downloads, and never replaces good data with a failed download.
    The portfolios are then screened against what changed and due alerts delivered to their webhooks.
    With --every it loops (a failed round is reported and the next one tries again).
    """
    from sanctionscope.cli.monitoring import parse_interval, repeat

    interval = parse_interval(every) if every else None
    overrides = dict(_split_override(item) for item in (url or []))
    code = repeat(lambda: _update_once(source, overrides, timeout, retries, as_json), interval)
    if code:
        raise typer.Exit(code)


def _update_once(source: list[str] | None, overrides: dict[str, str], timeout: float, retries: int, as_json: bool) -> int:
    """One update, re-screening and delivery; the exit code it deserves."""
    from sanctionscope.monitor.delivery import deliver_due
    from sanctionscope.update import UpdateError, run_update

    engine = open_engine()
    try:
        outcome = run_update(
            engine,
            db.data_dir() / "downloads",
            sources=source or None,
            overrides=overrides,
            timeout=timeout,
            retries=retries,
            progress_console=errors,
        )
    except UpdateError as error:
        errors.print(f"[red]error:[/red] {error}")
        return 2
    delivered = deliver_due(engine)
    if as_json:
        print_json(
            {
                "fetched": outcome.fetched,
                "loaded": [r.__dict__ for r in outcome.report.results],
                "failures": outcome.report.failures,
                "monitoring": outcome.monitoring.to_dict(),
                "delivery": delivered.to_dict(),
            }
        )
    else:
        for item in outcome.fetched:
            console.print(f"{item['source']}: {item['status']} ({item['url']})")
        _report_load(outcome.report, False)
        if outcome.monitoring.error:
            errors.print(f"[red]error:[/red] {outcome.monitoring.error}")
        elif outcome.monitoring.report:
            console.print(f"Monitoring: {len(outcome.monitoring.report.alerts)} new alert(s); "
                          f"{delivered.delivered} delivered, {delivered.failed} to retry.")  # fmt: skip
    return 0 if outcome.report.ok else EXIT_INPUT_ERROR


def _split_override(item: str) -> tuple[str, str]:
    name, sep, address = item.partition("=")
    if not sep or not address:
        errors.print(f"--url takes SOURCE=URL, not {item!r}")
        raise typer.Exit(2)
    return name, address


if __name__ == "__main__":
    app()
