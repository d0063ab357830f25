"""What every command shares: the app, the consoles, the database option, JSON output, dates, progress bars.

Exit codes: 0 success; 1 some input could not be loaded, fetched or screened (each failure is
printed); 2 wrong usage; 3 nothing found for what was asked.
"""

from __future__ import annotations

import gc
import importlib.util
import sys
from datetime import date
from types import ModuleType
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from sanctionscope import __version__
from sanctionscope.sources.registry import UnknownSource, source_info
from sanctionscope.store import db

app = typer.Typer(
    name="sanctionscope",
    help=(
        "Official sanctions lists, versioned and compared.\n\n"
        "Load list files (`sanctionscope load ../shared/data/lists`), or download the current ones "
        "(`sanctionscope update`); then see what is loaded (`sources`), what changed (`changes`), "
        "look at one entry (`record us_ofac_sdn:21186`) or export everything (`export`)."
    ),
    no_args_is_help=True,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)
#: the cyclic collector's thresholds for a command: a command builds millions of long-lived, acyclic
#: objects (rows, entries, keys), and at Python's default (a young collection every 700 allocations)
#: the collector walks them over and over: 25-30 % of reading a million records' versions
COLLECTOR_THRESHOLDS = (50_000, 20, 100)

def lazy(name: str) -> ModuleType:
    """The module `name`, executed on its first attribute access.

    Every command module is imported to build the app, so the engine modules a command uses are
    bound with this: `match` then does not pay for followthemoney, openpyxl or the text screener.
    """
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)  # as a real import does: `package.child` works
    spec.loader.exec_module(module)
    return module


EXIT_INPUT_ERROR = 1
EXIT_NOT_FOUND = 3

JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]


class State:
    db_url: str | None = None


state = State()


def _version(value: bool) -> None:
    if value:
        console.print(f"sanctionscope {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=db.DB_ENV,
            help="Database URL or SQLite file path. Default: a SQLite file in the user data folder. "
            "PostgreSQL: postgresql://user:pass@host/dbname",
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    state.db_url = db_url
    gc.set_threshold(*COLLECTOR_THRESHOLDS)


def open_engine():  # type: ignore[no-untyped-def]
    return db.connect(state.db_url)


def print_json(data: Any) -> None:
    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


def parse_date_option(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.print(f"[red]{option} takes a date as YYYY-MM-DD, not {value!r}[/red]")
        raise typer.Exit(2) from None


def check_source(name: str) -> None:
    """Exit with a usage error (2) naming the known sources when `name` is not one of them."""
    try:
        source_info(name)
    except UnknownSource as error:
        errors.print(f"[red]--source: {escape(str(error))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[current]}"),
        console=errors,
        transient=True,
        disable=not errors.is_terminal,
    )


def report_error(message: str) -> None:
    """One error on standard error, unwrapped (file names and line numbers stay greppable)."""
    errors.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
