"""Commands for the service: serve, keys (create, list, revoke), audit export."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import orjson
import typer
from rich.table import Table

from sanctionscope.cli.common import JsonOption, app, console, errors, open_engine, print_json, report_error, state
from sanctionscope.store import db

keys_app = typer.Typer(help="API keys for `serve`: create (shown once), list, revoke.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail of screening requests.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes (PostgreSQL for more than one).")] = 1,
    no_auth: Annotated[bool, typer.Option("--no-auth", help="Serve without API keys (local use only!).")] = False,
    deliver_every: Annotated[
        float, typer.Option(min=0.0, help="Seconds between deliveries of due alerts to webhooks (0: none).")
    ] = 30.0,
) -> None:
    """Serve the HTTP API (yente-compatible /match, /search, /entities; see /docs) and the web UI.

    Clients send `Authorization: ApiKey <key>`; create keys with `sanctionscope keys create`.
    """
    import os

    import uvicorn

    url = db.normalize_url(state.db_url or db.default_url())
    if workers > 1 and url.startswith("sqlite"):
        report_error("several workers need a shared PostgreSQL database (--db postgresql://…)")
        raise typer.Exit(2)
    if no_auth:
        errors.print("[bold red]WARNING: serving WITHOUT authentication: anyone who can reach "
                     f"{host}:{port} can screen, change decisions and trigger updates.[/bold red]")  # fmt: skip
    engine = db.connect(url)  # migrate once, before the workers start
    from sanctionscope.service.matchers import open_matcher

    with errors.status("Preparing subjects and the name index (once per data update)…", spinner="dots"):
        open_matcher(engine)  # resolve and index once here, not in every worker at the same time
    os.environ[db.DB_ENV] = url
    os.environ["SANCTIONSCOPE_NO_AUTH"] = "1" if no_auth else ""
    if deliver_every:
        import threading

        from sanctionscope.monitor.delivery import delivery_loop

        # one delivery worker per `serve`, whatever the number of server processes
        stop = threading.Event()
        threading.Thread(target=delivery_loop, args=(engine, deliver_every, stop), daemon=True).start()
    uvicorn.run("sanctionscope.api.asgi:app", host=host, port=port, workers=workers, log_level="warning")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Argument(help="Who or what uses the key, e.g. payments-screening.")],
    scopes: Annotated[str, typer.Option(help="Comma-separated: read, screen, admin.")] = "read,screen",
    as_json: JsonOption = False,
) -> None:
    """Create a key and print it once: it is stored only as a hash."""
    from sanctionscope.api.keys import KeyError_, create_key, parse_scopes

    try:
        key = create_key(open_engine(), name, parse_scopes(scopes))
    except KeyError_ as error:
        report_error(str(error))
        raise typer.Exit(2) from None
    if as_json:
        print_json({"name": name, "scopes": parse_scopes(scopes), "key": key})
    else:
        console.print(f"Key for {name} ({scopes}); store it now, it is not shown again:\n{key}")


@keys_app.command("list")
def keys_list(as_json: JsonOption = False) -> None:
    """Keys by name, with their scopes and whether they were revoked (never the keys themselves)."""
    from sanctionscope.api.keys import list_keys

    rows = list_keys(open_engine())
    if as_json:
        print_json(rows)
        return
    table = Table("name", "scopes", "created", "revoked")
    for row in rows:
        table.add_row(row["name"], ",".join(row["scopes"]), row["created_at"][:19], (row["revoked_at"] or "")[:19])
    console.print(table)


@keys_app.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="The key's name.")]) -> None:
    """Revoke a key (servers stop accepting it within seconds)."""
    from sanctionscope.api.keys import KeyError_, revoke_key

    try:
        revoke_key(open_engine(), name)
    except KeyError_ as error:
        report_error(str(error))
        raise typer.Exit(3) from None
    console.print(f"Revoked {name}.")


@audit_app.command("export")
def audit_export(
    since: Annotated[str | None, typer.Option(help="From this date or ISO time, inclusive.")] = None,
) -> None:
    """Every screening request as JSON lines: when, which key, the query, the data version, the results."""
    from sanctionscope.api.audit import audit_entries

    start = None
    if since:
        try:
            start = datetime.fromisoformat(since)
        except ValueError:
            report_error(f"--since takes a date or ISO time, not {since!r}")
            raise typer.Exit(2) from None
        if start.tzinfo is None:
            from datetime import UTC

            start = start.replace(tzinfo=UTC)
    for entry in audit_entries(open_engine(), start):
        sys.stdout.buffer.write(orjson.dumps(entry) + b"\n")
