"""A throwaway PostgreSQL server for a benchmark: started in a temporary folder, removed on exit.

Like the tests' `postgres_url` fixture (tests/conftest.py), it needs Debian's `postgresql`
package (.ci/run installs it) and, as root, runs the server as the `postgres` system user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from api import free_port


def server_binaries() -> Path | None:
    """The folder of the newest installed PostgreSQL server, or None when there is none."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    return found[-1].parent if found else None


@contextmanager
def throwaway_postgres(database: str = "bench") -> Iterator[str]:
    """Start a server on a free loopback port with one empty database; yield its URL."""
    bin_dir = server_binaries()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found (Debian package 'postgresql')")
    root = Path(tempfile.mkdtemp(prefix="sanctionscope-bench-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres")
        os.chmod(root, 0o755)
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = root / "data", free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
    subprocess.run([*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"],
                   check=True, capture_output=True)  # fmt: skip
    subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-o", options,
                    "-w", "start"], check=True, capture_output=True)  # fmt: skip
    try:  # pg_ctl -w returns once the server accepts connections
        subprocess.run([*as_postgres, str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                        database], check=True, capture_output=True)  # fmt: skip
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        subprocess.run([*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True,
                       check=False)  # stopping is best effort: the folder goes next anyway
        shutil.rmtree(root, ignore_errors=True)
