"""Shared test fixtures: where the real official list files are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from support import FOUNDATION_FOLDERS

SHARED = Path(os.environ.get("SANCTIONSCOPE_SHARED", Path(__file__).resolve().parents[2] / "shared"))
LISTS = SHARED / "data" / "lists"


@pytest.fixture(scope="session")
def loaded_db(lists_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with every foundation folder loaded through the CLI (once per test process)."""
    from typer.testing import CliRunner

    from sanctionscope.cli import app

    db = tmp_path_factory.mktemp("loaded") / "all.db"
    result = CliRunner().invoke(app, ["--db", str(db), "load", *(str(lists_dir / f) for f in FOUNDATION_FOLDERS)])
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture(scope="session")
def lists_dir() -> Path:
    """The folder of real official list snapshots (../shared/data/lists)."""
    if not LISTS.is_dir():
        raise RuntimeError(f"shared list data not found at {LISTS}; set SANCTIONSCOPE_SHARED")
    return LISTS


def _postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    if not found:
        raise RuntimeError(
            "PostgreSQL server binaries not found: install the Debian package 'postgresql' (.ci/run does)"
        )
    return found[-1].parent


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """A real PostgreSQL server for this test session: SANCTIONSCOPE_TEST_POSTGRES, or one started here."""
    import shutil
    import subprocess
    import tempfile
    import time

    given = os.environ.get("SANCTIONSCOPE_TEST_POSTGRES")
    if given:
        yield given
        return
    bin_dir = _postgres_bin()
    # Not under pytest's tmp tree: that is private to root, and the server runs as 'postgres'.
    root = Path(tempfile.mkdtemp(prefix="sanctionscope-pg-"))
    data = root / "data"
    prefix: list[str] = []
    if os.geteuid() == 0:
        # PostgreSQL refuses to run as root: run it as the 'postgres' system user.
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        prefix = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    port = _free_port()
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        import psycopg

        for _ in range(50):
            try:
                with psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", autocommit=True) as c:
                    c.execute("CREATE DATABASE sanctionscope_test")
                break
            except psycopg.OperationalError:
                time.sleep(0.2)
        yield f"postgresql://postgres@127.0.0.1:{port}/sanctionscope_test"
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True,
                       check=False)  # stopping is best effort: the folder goes next anyway
        shutil.rmtree(root, ignore_errors=True)
