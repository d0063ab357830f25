"""Opening the database: SQLite by default, PostgreSQL by URL; schema kept current by Alembic."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_dir

DB_ENV = "SANCTIONSCOPE_DB"
_MIGRATIONS = Path(__file__).parent / "migrations"
#: the newest migration's revision (a test checks it against Alembic's head): a database already
#: there is opened without importing Alembic, a third of a fresh command's start-up
HEAD_REVISION = "0009"


def data_dir() -> Path:
    """Where sanctionscope keeps its database and downloads by default."""
    return Path(os.environ.get("SANCTIONSCOPE_HOME") or user_data_dir("sanctionscope"))


def sidecar_path(engine: sa.Engine, suffix: str) -> Path:
    """A file kept beside the database (an index: `suffix` ".index"): `<database file><suffix>` for
    SQLite; in the data folder, named after the URL, otherwise."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return Path(url.database + suffix)
    name = hashlib.sha1(url.render_as_string(hide_password=True).encode()).hexdigest()[:12]
    return data_dir() / f"index-{name}{suffix}"


def bulk_rows(conn: sa.Connection, statement: sa.Select) -> list[tuple]:  # type: ignore[type-arg]
    """Every row of a large read as plain tuples, straight from the driver's cursor: SQLAlchemy's
    per-row processing costs about a microsecond a row, seconds for the million rows of a resolve.
    Values come as the driver gives them (SQLite: a date as its ISO text)."""
    compiled = statement.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    arguments = tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), arguments)
        return list(cursor.fetchall())  # tuples with either driver's default row factory
    finally:
        cursor.close()


def default_url() -> str:
    return os.environ.get(DB_ENV) or f"sqlite:///{data_dir() / 'sanctionscope.db'}"


def normalize_url(url: str) -> str:
    """Accept plain file paths and bare postgresql:// URLs; pick the drivers sanctionscope ships with."""
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def connect(url: str | None = None, *, migrate: bool = True) -> sa.Engine:
    """An engine for `url` (or the default database), with the schema migrated to the latest revision."""
    url = normalize_url(url or default_url())
    engine_url = sa.make_url(url)
    if engine_url.get_backend_name() == "sqlite":
        engine = _sqlite_engine(engine_url)
    else:
        engine = sa.create_engine(engine_url, pool_pre_ping=True)
    if migrate:
        upgrade(engine)
    return engine


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, connect_args={"timeout": 60})

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return engine


def upgrade(engine: sa.Engine) -> None:
    """Bring the schema to the newest Alembic revision (idempotent)."""
    if schema_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def schema_revision(engine: sa.Engine) -> str | None:
    """The Alembic revision the database is at (None for a new database)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
