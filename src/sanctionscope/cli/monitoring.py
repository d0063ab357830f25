"""Commands of ongoing monitoring: `portfolio` (what to watch, the evidence), `alerts` (review, delivery), `monitor`."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
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
    progress_bar,
    report_error,
)
from sanctionscope.cli.matching import (
    BirthDateColumnOption,
    CountryColumnOption,
    IdColumnOption,
    IdentifierColumnOption,
    NameColumnOption,
    SchemaColumnOption,
    open_cli_matcher,
)
from sanctionscope.monitor import BACKOFF_SECONDS, MAX_ATTEMPTS
from sanctionscope.sources.base import SourceError

if TYPE_CHECKING:
    from sanctionscope.monitor import alerts as alert_store
    from sanctionscope.monitor import delivery, hook, members, report, screening
    from sanctionscope.monitor.hook import MonitorOutcome
    from sanctionscope.service import batch
    from sanctionscope.service.batch import BatchQuery
else:
    alert_store = lazy("sanctionscope.monitor.alerts")
    delivery = lazy("sanctionscope.monitor.delivery")
    hook = lazy("sanctionscope.monitor.hook")
    members = lazy("sanctionscope.monitor.members")
    report = lazy("sanctionscope.monitor.report")
    screening = lazy("sanctionscope.monitor.screening")
    batch = lazy("sanctionscope.service.batch")

portfolio_app = typer.Typer(
    help="Portfolios: the customers or proposed targets to watch. Each is screened when it is added or edited, "
    "and again whenever a load or update changes a list it could match (see `alerts`).",
    no_args_is_help=True,
)
alerts_app = typer.Typer(
    help="Alerts of the portfolios: list them (this command alone), decide them, deliver them to webhooks.",
    invoke_without_command=True,
)
app.add_typer(portfolio_app, name="portfolio")
app.add_typer(alerts_app, name="alerts")

PortfolioArgument = Annotated[str, typer.Argument(help="The portfolio's name.")]
MemberIdArgument = Annotated[str, typer.Argument(help="The member's id (the id column of its import, or the one given).")]
NamesArgument = Annotated[list[str], typer.Argument(help="The member's names, in any script; several: aliases.")]
BirthDateOption = Annotated[list[str] | None, typer.Option("--birth-date", help="YYYY-MM-DD, YYYY-MM or YYYY; repeatable.")]
CountryOption = Annotated[list[str] | None, typer.Option("--country", help="Nationality or country; repeatable.")]
IdentifierOption = Annotated[list[str] | None, typer.Option("--identifier", help="Passport, tax or registration number.")]
SchemaOption = Annotated[str | None, typer.Option(help="Person, Organization, Vessel or Airplane.")]


def _fail(error: Exception, code: int = EXIT_INPUT_ERROR) -> typer.Exit:
    report_error(str(error))
    return typer.Exit(code)


def _show(found: Any, as_json: bool, text: str) -> None:
    """What a command did: its JSON, or one line for people."""
    if as_json:
        print_json(found)
    else:
        console.print(text)


def _screen(report_of: members.ImportReport) -> screening.RunReport | None:
    """Screen new and edited members against every list now, with a progress bar."""
    if not report_of.to_screen:
        return None
    matcher = open_cli_matcher()
    with progress_bar() as progress:
        task = progress.add_task("Screening members", total=len(report_of.to_screen), current="")
        return screening.screen_members(open_engine(), matcher, report_of.to_screen,
                                        progress=lambda _m, done, total: progress.update(task, completed=done, total=total))  # fmt: skip


def _print_saved(saved: members.ImportReport, run: screening.RunReport | None, as_json: bool) -> None:
    if as_json:
        print_json({**saved.to_dict(), "screening": run.to_dict() if run else None})
        return
    for warning in saved.warnings:
        errors.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)
    console.print(f"{saved.portfolio}: {len(saved.added)} added, {len(saved.updated)} updated, "
                  f"{saved.unchanged} unchanged, {saved.removed} removed.")  # fmt: skip
    if run is not None:
        console.print(f"Screened {run.members_screened} member(s) against every list: {len(run.alerts)} alert(s) "
                      "(see `sanctionscope alerts`).")  # fmt: skip


@portfolio_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, TSV or XLSX with a header row, or JSON lines of query entities.")],
    name: Annotated[str, typer.Option("--name", help="The portfolio to add the rows to (created if new).")],
    name_column: NameColumnOption = "name",
    id_column: IdColumnOption = None,
    birth_date_column: BirthDateColumnOption = None,
    country_column: CountryColumnOption = None,
    schema_column: SchemaColumnOption = None,
    identifier_column: IdentifierColumnOption = None,
    replace: Annotated[bool, typer.Option(help="Remove the portfolio's members that are not in the file.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a file of customers to a portfolio (read as `screen` reads it) and screen the new and changed ones.

    Rows are members by their id (--id-column; else the line number): importing a newer file updates
    them. A row without a usable name refuses the whole file (nothing is stored); a value that cannot
    be read is left out with a warning.

    Example: sanctionscope portfolio import customers.csv --name customers --id-column "Customer ID"
    """
    columns = batch.Columns(name_column, id_column, birth_date_column, country_column, schema_column, identifier_column)
    try:
        items = batch.read_queries(file, columns)
        saved = members.save_members(open_engine(), name, items, source_file=str(file), replace=replace)
    except (SourceError, OSError, members.PortfolioError) as error:
        raise _fail(error) from None
    _print_saved(saved, _screen(saved), as_json)


@portfolio_app.command("from-proposal")
def from_proposal(
    proposal: Annotated[str, typer.Argument(help="A stored proposal list (`sanctionscope proposals list`).")],
    name: Annotated[str | None, typer.Option("--name", help="The portfolio (default: the proposal's name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Watch a proposal list's targets: the day any of them is designated anywhere, an alert.

    Run it again after `proposals import` replaced the list: targets follow (by Wikidata id, else position).
    """
    engine = open_engine()
    try:
        saved = members.save_members(engine, name or proposal, members.proposal_members(engine, proposal),
                                     proposal=proposal, replace=True)  # fmt: skip
    except members.PortfolioError as error:
        raise _fail(error) from None
    _print_saved(saved, _screen(saved), as_json)


def _one_member(member_id: str, names: list[str], schema: str | None, birth_date: list[str] | None,
                country: list[str] | None, identifier: list[str] | None) -> list[BatchQuery]:  # fmt: skip
    try:
        query = members.member_query(names, schema=schema, birth_dates=birth_date or (), countries=country or (),
                                     identifiers=identifier or ())  # fmt: skip
    except members.PortfolioError as error:
        raise _fail(error, 2) from None
    return [batch.BatchQuery(member_id, query)]


def _member_command(existing: bool) -> Callable[..., None]:
    """`portfolio add` (`existing` False) or `portfolio update` (True: the member must be there, else exit 3)."""

    def command(
        portfolio: PortfolioArgument,
        member_id: MemberIdArgument,
        names: NamesArgument,
        birth_date: BirthDateOption = None,
        country: CountryOption = None,
        identifier: IdentifierOption = None,
        schema: SchemaOption = None,
        as_json: JsonOption = False,
    ) -> None:
        engine = open_engine()
        if existing:
            try:
                with engine.connect() as conn:
                    members.find_member(conn, portfolio, member_id)
            except members.PortfolioError as error:
                raise _fail(error, EXIT_NOT_FOUND) from None
        items = _one_member(member_id, names, schema, birth_date, country, identifier)
        try:
            saved = members.save_members(engine, portfolio, items)
        except members.PortfolioError as error:
            raise _fail(error) from None
        _print_saved(saved, _screen(saved), as_json)

    return command


add = portfolio_app.command("add", help="""Add one member (or replace what is known of it) and screen it against every list.

Example: sanctionscope portfolio add customers c-17 "Alisher Usmanov" --birth-date 1953-09-09""")(_member_command(False))
update = portfolio_app.command("update", help="Replace what is known of an existing member and screen it again "
                               "(exit 3 if there is no such member).")(_member_command(True))  # fmt: skip


@portfolio_app.command("rescreen")
def rescreen(portfolio: PortfolioArgument, as_json: JsonOption = False) -> None:
    """Screen every member of a portfolio against every list again (after a change of the matching code, or
    now and then: delta screening re-scores only pairs whose subject changed, while how common a name is,
    which a score weighs, moves a little with every update)."""
    engine = open_engine()
    try:
        with engine.connect() as conn:
            members.require_portfolio(conn, portfolio)
    except members.PortfolioError as error:
        raise _fail(error, EXIT_NOT_FOUND) from None
    found = members.read_members(engine, portfolio)
    saved = members.ImportReport(portfolio, updated=[member.id for member in found])
    run = _screen(saved)
    _show(run.to_dict() if run else {}, as_json, f"Screened {len(found)} member(s): "
          f"{len(run.alerts) if run else 0} alert(s).")  # fmt: skip


@portfolio_app.command("remove")
def remove(portfolio: PortfolioArgument, member_id: MemberIdArgument) -> None:
    """Stop watching a member (its past screenings stay in the evidence); exit 3 if there is no such member."""
    try:
        members.remove_member(open_engine(), portfolio, member_id)
    except members.PortfolioError as error:
        raise _fail(error, EXIT_NOT_FOUND) from None
    console.print(f"{portfolio}: removed {member_id}.")


@portfolio_app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """Every portfolio: members, open alerts, where it came from."""
    found = members.list_portfolios(open_engine())
    if as_json:
        print_json({"portfolios": found})
        return
    table = Table(title="Portfolios")
    for column in ("name", "members", "open alerts", "proposal", "source file", "created"):
        table.add_column(column)
    for p in found:
        table.add_row(p["name"], str(p["members"]), str(p["open_alerts"]), p["proposal"] or "", p["source_file"] or "",
                      p["created"][:19])  # fmt: skip
    console.print(table if found else "No portfolios yet: try `sanctionscope portfolio import FILE --name N`.")


@portfolio_app.command("show")
def show(portfolio: PortfolioArgument, as_json: JsonOption = False) -> None:
    """A portfolio's members, each with its current matches."""
    try:
        found = report.portfolio_members(open_engine(), portfolio)
    except members.PortfolioError as error:
        raise _fail(error, EXIT_NOT_FOUND) from None
    if as_json:
        print_json({"portfolio": portfolio, "members": found})
        return
    table = Table(title=f"Portfolio {portfolio}")
    for column in ("id", "names", "birth dates", "matches"):
        table.add_column(column, overflow="fold")
    for item in found:
        hits = ", ".join(f"{h['subject']} ({h['score']:.2f})" for h in item["matches"])
        table.add_row(item["id"], " / ".join(item["names"]), ", ".join(item["birth_dates"]), hits or "none")
    console.print(table)


@portfolio_app.command("report")
def report_(
    portfolio: PortfolioArgument,
    as_of: Annotated[str | None, typer.Option(help="The evidence as it stood at the end of this day (YYYY-MM-DD).")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="Also write a printable HTML page here.")] = None,
) -> None:
    """The evidence that screening ran: for each member, when it was screened, against which snapshots (content
    hashes), with what result and decision; members with no hit too. JSON on standard output.

    Example: sanctionscope portfolio report customers --as-of 2022-03-04 --html evidence.html
    """
    day = parse_date_option(as_of, "--as-of")
    try:
        evidence = report.portfolio_report(open_engine(), portfolio, day)
    except members.PortfolioError as error:
        raise _fail(error, EXIT_NOT_FOUND) from None
    if html is not None:
        html.write_text(report.render_html(evidence), encoding="utf-8")
        errors.print(f"Wrote {html}.")
    print_json(evidence)


@portfolio_app.command("webhook")
def webhook(
    portfolio: PortfolioArgument,
    url: Annotated[str, typer.Argument(help="Where to POST the portfolio's alerts (http or https).")],
    secret: Annotated[str | None, typer.Option(help="A whsec_… secret (default: a new one, printed once).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Deliver the portfolio's alerts to a webhook, signed with the printed secret (Standard Webhooks)."""
    try:
        found = delivery.add_webhook(open_engine(), portfolio, url, secret)
    except members.PortfolioError as error:
        raise _fail(error, 2) from None
    _show(found, as_json, f"Webhook {found['id']} of {portfolio}: {url}\nsecret (shown once): {found['secret']}")


@portfolio_app.command("webhooks")
def webhooks(portfolio: Annotated[str | None, typer.Argument(help="Only this portfolio's.")] = None,
             as_json: JsonOption = False) -> None:  # fmt: skip
    """The registered webhooks (without their secrets)."""
    found = delivery.list_webhooks(open_engine(), portfolio)
    if as_json:
        print_json({"webhooks": found})
        return
    for hook in found:
        console.print(f"{hook['id']}  {hook['portfolio']}  {hook['url']}  (since {hook['created'][:19]})")


@app.command("monitor")
def monitor(as_json: JsonOption = False) -> None:
    """Screen what the lists changed since the portfolios were last screened, now (`load` and `update` do it
    themselves; this is for data loaded otherwise). Exit 1 if monitoring failed."""
    outcome = run_monitoring()
    if as_json:
        print_json(outcome.to_dict())
    if outcome.error:
        raise typer.Exit(EXIT_INPUT_ERROR)


def run_monitoring() -> MonitorOutcome:
    """Delta screening after a load, with a progress bar; prints what it found, or why it failed."""
    with progress_bar() as progress:
        task = progress.add_task("Monitoring", total=None, current="")
        outcome = hook.monitor_after_load(open_engine(), progress=lambda message, done, total: progress.update(
            task, description=message, completed=done, total=total or None))  # fmt: skip
    if outcome.error:
        report_error(outcome.error)
    elif outcome.report is not None:
        run = outcome.report
        errors.print(f"Monitoring: {run.changed_records} changed record(s) screened against the portfolios "
                     f"({run.members_screened} member(s) scored): {len(run.alerts)} new alert(s).")  # fmt: skip
    return outcome


@alerts_app.callback()
def alerts(
    ctx: typer.Context,
    portfolio: Annotated[str | None, typer.Option(help="Only this portfolio's alerts.")] = None,
    state: Annotated[str | None, typer.Option(help="open, confirmed, false_positive or whitelisted.")] = None,
    kind: Annotated[str | None, typer.Option(help="new_match, removed_match or amended_match.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many (newest first).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List alerts, newest first. JSON: {"alerts": [{"id", "portfolio", "member", "kind", "subject", "score",
    "designations", "snapshot", "created", "state", ...}]}. Exit 3 when there are none.

    Examples: sanctionscope alerts --state open · sanctionscope alerts decide 12 false_positive --note "other DOB"
    """
    if ctx.invoked_subcommand is not None:
        return
    try:
        found = alert_store.list_alerts(open_engine(), portfolio=portfolio, state=state, kind=kind, limit=limit)
    except members.PortfolioError as error:
        raise _fail(error, 2) from None
    if as_json:
        print_json({"alerts": found})
    else:
        table = Table(title="Alerts")
        for column in ("id", "portfolio", "member", "kind", "subject", "score", "designations", "created", "state"):
            table.add_column(column, overflow="fold")
        for a in found:
            listed = ", ".join(sorted({f"{d['jurisdiction']} {d['listed_on'] or ''}".strip() for d in a["designations"]}))
            table.add_row(str(a["id"]), a["portfolio"], a["member"], a["kind"], a["subject"], f"{a['score']:.2f}",
                          listed, a["created"][:19], a["state"])  # fmt: skip
        console.print(table)
    if not found:
        raise typer.Exit(EXIT_NOT_FOUND)


@alerts_app.command("decide")
def decide(
    alert_id: Annotated[int, typer.Argument(help="The alert's id (see `sanctionscope alerts`).")],
    state: Annotated[str, typer.Argument(help="confirmed, false_positive or whitelisted.")],
    note: Annotated[str | None, typer.Option(help="Why: kept with the decision and in the evidence.")] = None,
    author: Annotated[str | None, typer.Option(help="Who decided (default: the login name).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Decide an alert. A false_positive or whitelisted member is not alerted again for that subject unless one
    of its records gains a name, a birth date or an identifier."""
    import getpass

    try:
        found = alert_store.decide(open_engine(), alert_id, state, note=note, author=author or getpass.getuser())
    except members.PortfolioError as error:
        raise _fail(error, 2) from None
    _show(found, as_json, f"Alert {alert_id}: {state}.")


@alerts_app.command("deliver")
def deliver(
    max_attempts: Annotated[int, typer.Option(min=1, help="Failed attempts after which a delivery is dead.")] = MAX_ATTEMPTS,
    backoff: Annotated[float, typer.Option(min=0.0, help="Seconds before the first retry; doubled each time.")] = BACKOFF_SECONDS,
    as_json: JsonOption = False,
) -> None:
    """Post the alerts that are due to their portfolios' webhooks (signed), once each; failures are retried by a
    later run after a growing pause. `update` and `serve` run this themselves."""
    done = delivery.deliver_due(open_engine(), max_attempts=max_attempts, backoff=backoff)
    if as_json:
        print_json(done.to_dict())
    else:
        console.print(f"{done.delivered} delivered, {done.failed} failed (to be retried), {done.dead} given up.")


@alerts_app.command("deliveries")
def deliveries(
    status: Annotated[str | None, typer.Option(help="pending, delivered or dead (the dead letters).")] = None,
    as_json: JsonOption = False,
) -> None:
    """The delivery log: each alert sent to each webhook, with every attempt."""
    found = delivery.list_deliveries(open_engine(), status)
    if as_json:
        print_json({"deliveries": found})
        return
    for d in found:
        console.print(f"{d['id']}  alert {d['alert']} → {d['url']}  {d['status']} after {d['attempts']} attempt(s)"
                      + (f"  last error: {d['last_error']}" if d["last_error"] else ""), highlight=False)  # fmt: skip


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(text: str) -> float:
    """ "6h" → 21600 seconds (units s, m, h, d); a usage error (exit 2) for anything else."""
    number, unit = text[:-1], text[-1:].lower()
    try:
        seconds = float(number) * _UNITS[unit]
    except (KeyError, ValueError):
        seconds = 0.0
    if seconds <= 0:
        report_error(f"--every takes an interval like 6h, 30m, 90s or 1d, not {text!r}")
        raise typer.Exit(2)
    return seconds


def repeat(run_once: Callable[[], int], every: float | None) -> int:
    """Run once, or every `every` seconds until Ctrl-C (which ends the wait cleanly, never a round halfway
    through its transaction: each load and screening commits whole or not at all). Returns the last exit code."""
    code = run_once()
    if every is None:
        return code
    try:
        while True:
            errors.print(f"Next run in {every:.0f} s (at {datetime.now().astimezone() + timedelta(seconds=every):%H:%M}); "
                         "Ctrl-C stops.")  # fmt: skip
            time.sleep(every)
            code = run_once()
    except KeyboardInterrupt:
        errors.print("Stopped.")
        return 0
